using TcpState.Core;

namespace TcpState.Exporter.Sampling;

/// <summary>Holds the latest good snapshot. Scrapes read it; only the sampling loop writes it.</summary>
public sealed class SnapshotStore
{
    private volatile SocketSnapshot? _latest;

    /// <summary>The latest good snapshot, or null before the first sample succeeded.</summary>
    public SocketSnapshot? Latest => _latest;

    public void Publish(SocketSnapshot snapshot) => _latest = snapshot;
}
