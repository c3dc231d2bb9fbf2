using Microsoft.Extensions.Logging;
using TcpState.Core;
using TcpState.Exporter.Configuration;
using TcpState.Kernel.Netlink;
using TcpState.Kernel.Proc;

namespace TcpState.Exporter.Sampling;

/// <summary>Opens the socket-table source the settings ask for.</summary>
public static class SocketSourceFactory
{
    /// <exception cref="SocketTableException">An explicitly requested netlink source cannot be opened.</exception>
    public static ISocketTableSource Create(ExporterOptions options, ILogger logger)
    {
        switch (options.Source)
        {
            case SampleSourceKind.Proc:
                return new ProcNetTcpReader(options.ProcRoot);
            case SampleSourceKind.Netlink:
                return OpenNetlink();
            default:
                try
                {
                    return OpenNetlink();
                }
                catch (SocketTableException e)
                {
                    Log.FellBackToProc(logger, e.Message, options.ProcRoot);
                    return new ProcNetTcpReader(options.ProcRoot);
                }
        }
    }

    // Opening can succeed where dumping is refused (e.g. an LSM denying sock_diag), so a probe
    // dump of the listeners decides.
    private static InetDiagReader OpenNetlink()
    {
        var reader = InetDiagReader.Open();
        try
        {
            reader.DumpListeners(NullSink.Instance);
            return reader;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    private sealed class NullSink : ISocketSink
    {
        public static readonly NullSink Instance = new();

        public void OnSocket(in SocketRecord socket)
        {
        }
    }
}
