using TcpState.Tests.Infrastructure;

namespace TcpState.Tests.TestSupport;

/// <summary>
/// Headless Chromium (Debian's chromium package, installed by tests/test.sh), run once per call with
/// a fresh profile. Run inside a test namespace it can reach nothing but that namespace's loopback.
/// </summary>
public static class Chromium
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    public static string ExecutablePath { get; } =
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists) ?? "chromium";

    /// <summary>
    /// Loads <paramref name="url"/>, lets the page run for <paramref name="virtualTimeBudget"/> of
    /// virtual time (timers fire at once, but the clock stops while a fetch is pending, so every
    /// refresh the page starts in that time completes), and returns the serialized DOM on stdout and
    /// the page's console messages (lines with ":CONSOLE") on stderr.
    /// </summary>
    public static ProcessResult DumpDom(NetworkNamespace? ns, string url, TimeSpan virtualTimeBudget) =>
        Run(ns, [$"--virtual-time-budget={(int)virtualTimeBudget.TotalMilliseconds}", "--dump-dom", url]);

    /// <summary>As <see cref="DumpDom"/>, then writes a PNG of the window to <paramref name="pngPath"/>.</summary>
    public static ProcessResult Screenshot(NetworkNamespace? ns, string url, string pngPath, int width, int height, TimeSpan virtualTimeBudget) =>
        Run(ns, [$"--virtual-time-budget={(int)virtualTimeBudget.TotalMilliseconds}", "--hide-scrollbars", $"--window-size={width},{height}", $"--screenshot={pngPath}", url]);

    /// <summary>The page's console messages from a run's stderr (CSP violations, script errors, failed loads).</summary>
    public static IReadOnlyList<string> ConsoleMessages(ProcessResult result) =>
        result.StandardError.Split('\n').Where(line => line.Contains(":CONSOLE", StringComparison.Ordinal)).ToList();

    private static ProcessResult Run(NetworkNamespace? ns, string[] extraArguments)
    {
        var profile = Directory.CreateTempSubdirectory("tcpstate-chromium-");
        try
        {
            string[] arguments =
            [
                // As root in a container Chromium's sandbox cannot start; the page is our own.
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                // Nothing but the page under test: no update checks, sync or other background traffic.
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                $"--user-data-dir={profile.FullName}",
                // Puts the page's console messages on stderr, so a test can see CSP violations.
                "--enable-logging=stderr", "--v=0",
                .. extraArguments,
            ];
            return ns is null
                ? ProcessRunner.Run(ExecutablePath, arguments, Timeout)
                : ns.Exec(Timeout, ExecutablePath, arguments);
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
