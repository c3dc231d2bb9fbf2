using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using TcpState.Core;
using TcpState.Exporter.Commands;
using TcpState.Exporter.Configuration;
using TcpState.Exporter.Metrics;

namespace TcpState.Exporter;

/// <summary>The entry point: parses the command line and settings, then runs the daemon or a command.</summary>
public static class ExporterProgram
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var commandLine = CommandLine.Parse(args, out var commandLineError);
        if (commandLineError is not null)
        {
            error.WriteLine($"tcpstate-exporter: {commandLineError}. Run 'tcpstate-exporter --help' for the flags.");
            return ExitCodes.BadSettings;
        }

        switch (commandLine.Command)
        {
            case CommandKind.Help:
                output.Write(CommandLine.Usage(TcpStateMetrics.Version));
                return ExitCodes.Success;
            case CommandKind.Version:
                output.WriteLine($"tcpstate-exporter version {TcpStateMetrics.Version} (.NET {Environment.Version})");
                return ExitCodes.Success;
            case CommandKind.HashPassword:
                return HashPasswordCommand.Run(Console.In, output, error);
        }

        IConfiguration configuration;
        try
        {
            configuration = BuildConfiguration(commandLine);
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException)
        {
            error.WriteLine($"tcpstate-exporter: cannot read the settings: {e.Message}{(e.InnerException is { } inner ? " " + inner.Message : "")}");
            return ExitCodes.BadSettings;
        }

        var options = ExporterOptions.Parse(configuration, out var problems);
        if (options is null)
        {
            foreach (var problem in problems) error.WriteLine($"tcpstate-exporter: {problem}");
            return ExitCodes.BadSettings;
        }

        using var loggerFactory = LoggerFactory.Create(logging => ExporterHost.ConfigureLogging(logging, configuration));
        if (commandLine.Command == CommandKind.Snapshot)
        {
            return SnapshotCommand.Run(options, loggerFactory, output, error);
        }

        var web = Web.WebConfig.None;
        if (options.WebConfigFile is { } webConfigFile)
        {
            web = Web.WebConfigLoader.Load(webConfigFile, out var webProblems);
            if (webProblems.Count > 0)
            {
                foreach (var problem in webProblems) error.WriteLine($"tcpstate-exporter: {problem} (--web.config.file)");
                return ExitCodes.BadSettings;
            }
        }

        try
        {
            return await ExporterHost.RunAsync(options, configuration, web).ConfigureAwait(false);
        }
        catch (SocketTableException e)
        {
            error.WriteLine($"tcpstate-exporter: cannot read the socket table with --sample.source={options.Source.ToString().ToLowerInvariant()} ({e.Reason}): {e.Message}");
            return ExitCodes.Failure;
        }
        catch (IOException e) when (e.InnerException is SocketException or IOException || e.Message.Contains("bind", StringComparison.OrdinalIgnoreCase))
        {
            error.WriteLine($"tcpstate-exporter: cannot listen on {options.ListenAddress} (--web.listen-address): {e.InnerException?.Message ?? e.Message}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>
    /// Settings in rising precedence: appsettings.json beside the binary, <c>TCPSTATE_</c>
    /// environment variables, the command line.
    /// </summary>
    public static IConfiguration BuildConfiguration(CommandLine commandLine)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        var file = commandLine.Values.GetValueOrDefault(Settings.ConfigFile.Key) ?? Environment.GetEnvironmentVariable(Settings.ConfigFile.EnvironmentVariable);
        if (!string.IsNullOrEmpty(file))
        {
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"the settings file {file} (--config.file) does not exist");
            }

            builder.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
        }

        return builder
            .AddEnvironmentVariables("TCPSTATE_")
            .AddInMemoryCollection(commandLine.Values)
            .Build();
    }
}
