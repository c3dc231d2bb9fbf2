using System.Diagnostics;
using System.Globalization;
using TcpState.Benchmarks.Attribution;
using TcpState.Tests.Infrastructure;

namespace TcpState.Benchmarks.Peers;

/// <summary>
/// The pair-holder processes (bench/load/pair-holder.c) of one size, inside its namespace.
/// Dispose closes their stdin (their signal to exit) and kills any that linger; the namespace's
/// own Dispose sweeps whatever is left.
/// </summary>
internal sealed class PairHolderFleet(NetworkNamespace networkNamespace, string executable, TimeSpan holderTimeout) : IDisposable
{
    /// <summary>Fds per holder: the 20,000 open-file cap per process, less room for stdio and the listener.</summary>
    public const int MaxHeldSocketsPerHolder = 19_000;

    public const string ProcessName = "pair-holder";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(2);
    private readonly List<PairHolder> _holders = [];

    public IReadOnlyList<PairHolder> Holders => _holders;

    /// <summary>Starts the holders one after the other, each waited for (READY).</summary>
    public void StartAll(IReadOnlyList<HolderPlan> plans, CancellationToken cancellation)
    {
        foreach (var plan in plans)
        {
            cancellation.ThrowIfCancellationRequested();
            _holders.Add(Launch(plan));
        }
    }

    /// <summary>Stops the holder at <paramref name="index"/> and starts <paramref name="replacement"/> in its place (a service restart).</summary>
    public PairHolder Replace(int index, HolderPlan replacement)
    {
        Stop(_holders[index]);
        var holder = Launch(replacement);
        _holders[index] = holder;
        return holder;
    }

    public void Dispose()
    {
        foreach (var holder in _holders)
        {
            Stop(holder);
        }

        _holders.Clear();
    }

    private PairHolder Launch(HolderPlan plan)
    {
        var clock = Stopwatch.StartNew();
        var arguments = new[] { plan.Port, plan.EstablishedPairs, plan.CloseWaitPairs, (int)holderTimeout.TotalSeconds }
            .Select(a => a.ToString(CultureInfo.InvariantCulture));
        var process = networkNamespace.Start(executable, arguments);
        var errors = process.StandardError.ReadToEndAsync();
        var line = process.StandardOutput.ReadLineAsync();
        if (!line.Wait(ReadyTimeout) || line.Result is not { } ready || !ready.StartsWith("READY ", StringComparison.Ordinal))
        {
            Kill(process);
            throw new InvalidOperationException($"pair-holder on port {plan.Port} was not READY within {ReadyTimeout.TotalSeconds:0} s: {(errors.Wait(TimeSpan.FromSeconds(2)) ? errors.Result : "")}");
        }

        // 'ip netns exec' execs the holder, so the started process is the holder itself.
        var pid = int.Parse(ready.Split(' ')[1], CultureInfo.InvariantCulture);
        if (pid != process.Id)
        {
            Kill(process);
            throw new InvalidOperationException($"pair-holder reports pid {pid}, the started process is {process.Id}");
        }

        Console.Error.WriteLine($"# pair-holder pid {pid} on port {plan.Port}: {plan.Sockets} sockets ({plan.HeldSockets} fds) ready in {clock.Elapsed.TotalSeconds:0.0} s");
        return new PairHolder(plan, process, pid);
    }

    private static void Stop(PairHolder holder)
    {
        try
        {
            holder.Process.StandardInput.Close();
            if (!holder.Process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                Kill(holder.Process);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            // Already gone.
        }

        holder.Process.Dispose();
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
