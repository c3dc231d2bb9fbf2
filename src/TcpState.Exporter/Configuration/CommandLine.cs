namespace TcpState.Exporter.Configuration;

/// <summary>
/// Parses the command line the way Prometheus exporters do: <c>--flag=value</c> or
/// <c>--flag value</c>, plus a <c>snapshot</c> subcommand, <c>--help</c> and <c>--version</c>.
/// Unknown flags are errors, so a typo never silently falls back to a default.
/// </summary>
public sealed class CommandLine
{
    private CommandLine(CommandKind command, IReadOnlyDictionary<string, string?> values)
    {
        Command = command;
        Values = values;
    }

    public CommandKind Command { get; }

    /// <summary>Configuration keys set on the command line, ready for an in-memory configuration source.</summary>
    public IReadOnlyDictionary<string, string?> Values { get; }

    public static CommandLine Parse(IReadOnlyList<string> args, out string? error)
    {
        error = null;
        var command = CommandKind.Run;
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "-h" or "--help" or "help":
                    return new CommandLine(CommandKind.Help, values);
                case "--version" or "version":
                    return new CommandLine(CommandKind.Version, values);
                case "snapshot" when command == CommandKind.Run:
                    command = CommandKind.Snapshot;
                    continue;
                case "hash-password" when command == CommandKind.Run && i == 0:
                    return new CommandLine(CommandKind.HashPassword, values);
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                error = $"unexpected argument \"{arg}\"";
                return new CommandLine(command, values);
            }

            var equals = arg.IndexOf('=');
            var flag = equals < 0 ? arg : arg[..equals];
            var setting = Settings.All.FirstOrDefault(s => s.Flag == flag);
            if (setting is null)
            {
                error = $"unknown flag \"{flag}\"";
                return new CommandLine(command, values);
            }

            string value;
            if (equals >= 0)
            {
                value = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                error = $"flag {flag} needs a value";
                return new CommandLine(command, values);
            }

            values[setting.Key] = value;
        }

        return new CommandLine(command, values);
    }

    /// <summary>The text <c>--help</c> prints.</summary>
    public static string Usage(string version)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine($"tcpstate-exporter {version}: counts the host's TCP sockets by state, port and role and serves them to Prometheus.");
        text.AppendLine();
        text.AppendLine("Usage:");
        text.AppendLine("  tcpstate-exporter [flags]            run the exporter");
        text.AppendLine("  tcpstate-exporter snapshot [flags]   take one sample, print it as a table, and exit");
        text.AppendLine("  tcpstate-exporter hash-password      read a password on stdin, print its hash for --web.config.file");
        text.AppendLine("  tcpstate-exporter --help | --version");
        text.AppendLine();
        text.AppendLine("Flags (each also settable in appsettings.json by its key, or in the environment):");
        foreach (var setting in Settings.All)
        {
            text.AppendLine($"  {setting.Flag}=VALUE");
            text.AppendLine($"      {setting.Help}");
            text.AppendLine($"      default \"{setting.Default}\"; key {setting.Key}; environment {setting.EnvironmentVariable}");
        }

        return text.ToString();
    }
}
