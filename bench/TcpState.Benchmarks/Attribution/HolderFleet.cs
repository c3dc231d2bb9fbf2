using System.Diagnostics;
using TcpState.Tests.Infrastructure;

namespace TcpState.Benchmarks.Attribution;

/// <summary>
/// The SocketHolder processes of one benchmark size, all inside one namespace. Dispose stops every
/// holder still running (closing stdin, killing after a bounded wait); the namespace's own Dispose
/// then sweeps anything left.
/// </summary>
internal sealed class HolderFleet(NetworkNamespace networkNamespace, TimeSpan holderTimeout) : IDisposable
{
    // Building 6,000 pairs takes ~2 s, but each holder checks its sockets against the namespace's
    // whole /proc/net/tcp, which grows with every holder: generous, still bounded.
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(5);

    private readonly List<RunningHolder> _holders = [];

    /// <summary>The holders now running, in start order (a replacement takes its predecessor's place).</summary>
    public IReadOnlyList<RunningHolder> Holders => _holders;

    /// <summary>Starts one holder and waits for its READY line.</summary>
    public RunningHolder Start(HolderPlan plan)
    {
        var holder = Launch(plan);
        _holders.Add(holder);
        return holder;
    }

    /// <summary>
    /// Stops the holder at <paramref name="index"/> and starts <paramref name="replacement"/> in
    /// its place: the churn a long-running exporter sees when a service restarts.
    /// </summary>
    public RunningHolder Replace(int index, HolderPlan replacement)
    {
        var old = _holders[index];
        old.Process.Dispose();
        var holder = Launch(replacement);
        _holders[index] = holder;
        VerifyHeld();
        return holder;
    }

    /// <summary>
    /// Throws unless every holder still has an fd for each socket it was asked to hold: a socket
    /// closed behind its back (a holder bug once let the GC do that) would silently shrink the
    /// benchmark and skew the comparison with ss.
    /// </summary>
    public void VerifyHeld()
    {
        foreach (var holder in _holders)
        {
            var held = SocketFds(holder.Process.Pid);
            if (held < holder.Plan.HeldSockets)
            {
                throw new InvalidOperationException(
                    $"holder pid {holder.Process.Pid} (port {holder.Plan.Port}) has {held} socket fds, it built {holder.Plan.HeldSockets}: some were closed behind its back (garbage-collected?)");
            }
        }
    }

    public void Dispose()
    {
        foreach (var holder in _holders)
        {
            try
            {
                holder.Process.Dispose();
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Keep stopping the others; NetworkNamespace.Dispose kills whatever is left in it.
                Console.Error.WriteLine($"# could not stop holder {holder.Process.Pid}: {e.Message}");
            }
        }

        _holders.Clear();
    }

    private RunningHolder Launch(HolderPlan plan)
    {
        var clock = Stopwatch.StartNew();
        var process = SocketHolderProcess.Start(networkNamespace, ReadyTimeout, [.. plan.Arguments(holderTimeout)]);
        Console.Error.WriteLine($"# holder pid {process.Pid} on port {plan.Port}: {plan.Sockets} sockets ({plan.HeldSockets} fds) ready in {clock.Elapsed.TotalSeconds:0.0} s");
        return new RunningHolder(plan, process);
    }

    // The runtime may hold a socket of its own (the diagnostics IPC listener), hence "at least".
    private static int SocketFds(int pid)
    {
        var count = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            if (new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true)
            {
                count++;
            }
        }

        return count;
    }
}
