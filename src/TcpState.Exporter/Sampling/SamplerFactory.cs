using Microsoft.Extensions.Logging;
using TcpState.Core;
using TcpState.Exporter.Configuration;
using TcpState.Kernel.Proc;

namespace TcpState.Exporter.Sampling;

/// <summary>Builds the sampler the settings describe: source, process attribution and stuck-socket tracking.</summary>
public static class SamplerFactory
{
    /// <summary>The host view's sampler; with <c>--netns.enabled</c> it samples the other namespaces too.</summary>
    /// <param name="retried">Told the reason of every dump tried again, in the host view or any namespace.</param>
    public static SocketSampler Create(ExporterOptions options, ProcessSocketMap owners, TimeProvider time, ILogger logger, Action<string>? retried = null) =>
        new(SocketSourceFactory.Create(options, logger), options.ServerPorts, options.MaxPortSeries, time,
            owners, new StuckSocketTracker(options.StuckStates, options.StuckThreshold, time), options.PidLabel,
            new PortRangeReader(options.ProcRoot).Read, options.TopDestinations)
        {
            Retried = retried,
            Namespaces = options.NetnsEnabled ? new NamespaceSampling(options, owners, time, logger) { Retried = retried } : null,
        };

    public static ProcessSocketMap CreateOwners(ExporterOptions options, TimeProvider time) =>
        new(options.ProcRoot, options.ProcessName, time);
}
