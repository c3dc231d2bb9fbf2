using System.Text.Json;
using SocketHolder;

// Exit codes: 0 normal (stdin closed or timeout), 1 setup failed, 2 usage error. Distinct codes let a test tell a
// wrong command line from a kernel that did not produce the requested states.
HolderOptions options;
try
{
    options = OptionsParser.Parse(args);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"SocketHolder: {e.Message}");
    Console.Error.WriteLine(OptionsParser.Usage);
    return 2;
}

if (options.ShowHelp)
{
    Console.Out.WriteLine(OptionsParser.Usage);
    return 0;
}

using var sockets = new SocketSet(options);
ReadyReport report;
try
{
    report = sockets.Build();
}
catch (Exception e)
{
    // Any failure while building means the READY contract cannot be honoured; say why on stderr for the test.
    Console.Error.WriteLine($"SocketHolder: setup failed: {e}");
    return 1;
}

// Watch stdin before announcing READY, so a test that closes stdin right after READY is never missed.
using var stdinClosed = new ManualResetEventSlim();
if (!options.IgnoreStdin)
{
    var watcher = new Thread(() =>
    {
        try
        {
            using var stdin = Console.OpenStandardInput();
            var buffer = new byte[256];

            // Ends at EOF; content is ignored. Not otherwise bounded, but it is a background thread and the
            // main thread's timeout ends the process regardless.
            while (stdin.Read(buffer, 0, buffer.Length) > 0)
            {
            }
        }
        catch (IOException)
        {
            // A broken stdin counts as closed: nobody can tell us to stop any more.
        }

        stdinClosed.Set();
    })
    {
        IsBackground = true,
        Name = "stdin watcher",
    };
    watcher.Start();
}

Console.Out.WriteLine("READY " + JsonSerializer.Serialize(report, ReportJsonContext.Default.ReadyReport));
Console.Out.Flush();

sockets.StartAccepting(accepted =>
{
    // Console.Out is synchronized, so lines from several accept threads never interleave.
    Console.Out.WriteLine("ACCEPTED " + JsonSerializer.Serialize(accepted, ReportJsonContext.Default.AcceptedReport));
    Console.Out.Flush();
});

if (!stdinClosed.Wait(options.Timeout))
{
    Console.Error.WriteLine($"SocketHolder: timeout of {options.Timeout.TotalSeconds} s expired, exiting");
}

return 0;
