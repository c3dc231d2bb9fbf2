using Microsoft.Extensions.Logging;
using TcpState.Core;
using TcpState.Exporter.Configuration;
using TcpState.Exporter.Sampling;

namespace TcpState.Exporter.Commands;

/// <summary><c>tcpstate-exporter snapshot</c>: one sample, printed as a table, for the person on the box.</summary>
public static class SnapshotCommand
{
    public const int TopPerState = 5;

    public static int Run(ExporterOptions options, ILoggerFactory loggerFactory, TextWriter output, TextWriter error)
    {
        try
        {
            var sampler = SamplerFactory.Create(options, SamplerFactory.CreateOwners(options, TimeProvider.System), TimeProvider.System, loggerFactory.CreateLogger("TcpState.Exporter.Snapshot"));
            using var source = sampler.Source;
            output.Write(SnapshotTable.Format(sampler.Sample(), TopPerState));
            return 0;
        }
        catch (SocketTableException e)
        {
            error.WriteLine($"tcpstate-exporter: cannot sample the socket table ({e.Reason}): {e.Message}");
            return 1;
        }
    }
}
