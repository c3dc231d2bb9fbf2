using System.Runtime.InteropServices;
using TcpState.Benchmarks;
using TcpState.Benchmarks.Attribution;
using TcpState.Benchmarks.Peers;

// Exit codes: 0 the run completed (targets missed or not: they are reported, not enforced),
// 1 a correctness check failed or a size could not be measured, 2 usage error, 130 interrupted.
IBenchmarkMode[] modes = [new AttributionBenchmark(), new PeersBenchmark(), new TcpState.Benchmarks.Netns.NetnsBenchmark(), new TcpState.Benchmarks.Rss.DaemonRssBenchmark()];

var mode = args.Length > 0 ? modes.FirstOrDefault(m => m.Name == args[0]) : null;
if (mode is null)
{
    PrintUsage(args.Length > 0 ? $"unknown mode '{args[0]}'" : "no mode given");
    return 2;
}

using var cancellation = new CancellationTokenSource();

// Without these, SIGINT/SIGTERM end the process at once and no finally block runs: the network
// namespace and its socket holders would outlive the benchmark. The first signal asks the run to
// stop at its next step (every step is bounded); a second one falls through to the default.
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestStop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestStop);

try
{
    return mode.Run(args[1..], cancellation.Token);
}
catch (UsageException e)
{
    PrintUsage(e.Message);
    return 2;
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    Console.Error.WriteLine("interrupted: namespaces deleted and socket holders stopped");
    return 130;
}

void RequestStop(PosixSignalContext context)
{
    if (cancellation.IsCancellationRequested)
    {
        return;
    }

    context.Cancel = true;
    Console.Error.WriteLine($"{context.Signal}: stopping after the current step and cleaning up (send it again to kill at once)");
    cancellation.Cancel();
}

void PrintUsage(string problem)
{
    Console.Error.WriteLine($"TcpState.Benchmarks: {problem}");
    Console.Error.WriteLine("Usage: TcpState.Benchmarks MODE [arguments]   (as root)");
    foreach (var m in modes)
    {
        Console.Error.WriteLine("  " + m.Usage);
    }
}
