using System.Runtime.InteropServices;
using TcpState.Reliability;
using TcpState.Reliability.Fuzzing;
using TcpState.Reliability.Load;
using TcpState.Reliability.Soak;

// Exit codes: 0 every check passed, 1 a check failed (the output says which), 2 usage error,
// 130 interrupted.
IReliabilityMode[] modes = [new FuzzMode(), new LoadMode(), new SoakMode(), new HeapDiffMode()];

var mode = args.Length > 0 ? modes.FirstOrDefault(m => m.Name == args[0]) : null;
if (mode is null)
{
    PrintUsage(args.Length > 0 ? $"unknown mode '{args[0]}'" : "no mode given");
    return 2;
}

using var cancellation = new CancellationTokenSource();

// Without these, SIGINT/SIGTERM end the process at once and no finally block runs: namespaces,
// socket holders and the exporter would outlive the run. The first signal stops the run at its
// next step (every step is bounded); a second one falls through to the default and kills.
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
    Console.Error.WriteLine("interrupted: namespaces deleted, helper processes stopped");
    return 130;
}
catch (Exception e)
{
    // Caught rather than left unhandled: an unhandled exception ends the process without running
    // the Dispose calls that delete the namespace and stop the helper processes.
    Console.Error.WriteLine($"TcpState.Reliability {mode.Name}: the run could not complete: {e}");
    return 1;
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
    Console.Error.WriteLine($"TcpState.Reliability: {problem}");
    Console.Error.WriteLine("Usage: TcpState.Reliability MODE [arguments]");
    foreach (var m in modes)
    {
        Console.Error.WriteLine("  " + m.Usage);
    }
}
