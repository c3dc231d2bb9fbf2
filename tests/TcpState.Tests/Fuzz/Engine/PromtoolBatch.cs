using System.Diagnostics;

namespace TcpState.Tests.Fuzz;

/// <summary>
/// Feeds many cases' expositions to one <c>promtool check metrics</c> (Debian package prometheus)
/// at a time, since starting promtool costs far more than checking a case. One run is in flight
/// while the next batch is generated, which keeps both cores busy. A refused batch is bisected
/// down to the case that promtool refuses on its own.
/// </summary>
public sealed class PromtoolBatch : IDisposable
{
    private readonly int _casesPerRun;
    private readonly TimeSpan _timeout;
    private List<(long CaseIndex, byte[] Text)> _collecting = [];
    private Task<(List<(long CaseIndex, byte[] Text)> Cases, int ExitCode, string Output)>? _inFlight;

    /// <param name="casesPerRun">Cases per promtool run.</param>
    /// <param name="timeout">How long one promtool run may take before it counts as hung.</param>
    public PromtoolBatch(int casesPerRun, TimeSpan timeout)
    {
        _casesPerRun = casesPerRun;
        _timeout = timeout;
    }

    private int _runs;
    private long _bytes;

    /// <summary>promtool runs so far (bisecting ones included).</summary>
    public int Runs => Volatile.Read(ref _runs);

    /// <summary>Exposition bytes checked so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public long CasesChecked { get; private set; }

    /// <summary>Adds a case; returns a refused case of an earlier batch, if any.</summary>
    public PromtoolVerdict? Add(long caseIndex, byte[] text)
    {
        _collecting.Add((caseIndex, text));
        return _collecting.Count >= _casesPerRun ? Flush(wait: false) : null;
    }

    /// <summary>Checks everything still pending and waits for the result.</summary>
    public PromtoolVerdict? Finish() => Flush(wait: true);

    public void Dispose()
    {
        try
        {
            _inFlight?.Wait(_timeout);
        }
        catch (AggregateException)
        {
            // Disposing after a failure: the verdict no longer matters.
        }
    }

    private PromtoolVerdict? Flush(bool wait)
    {
        var verdict = Collect();
        if (verdict is null && _collecting.Count > 0)
        {
            var cases = _collecting;
            _collecting = [];
            _inFlight = Task.Run(() => Check(cases));
        }

        return verdict ?? (wait ? Collect() : null);
    }

    private PromtoolVerdict? Collect()
    {
        if (_inFlight is null)
        {
            return null;
        }

        var (cases, exitCode, output) = _inFlight.GetAwaiter().GetResult();
        _inFlight = null;
        if (exitCode == 0)
        {
            CasesChecked += cases.Count;
            return null;
        }

        return Bisect(cases, exitCode, output);
    }

    private PromtoolVerdict Bisect(List<(long CaseIndex, byte[] Text)> cases, int exitCode, string output)
    {
        while (cases.Count > 1)
        {
            var first = cases[..(cases.Count / 2)];
            var second = cases[(cases.Count / 2)..];
            var (_, firstCode, firstOutput) = Check(first);
            if (firstCode != 0)
            {
                (cases, exitCode, output) = (first, firstCode, firstOutput);
                continue;
            }

            var (_, secondCode, secondOutput) = Check(second);
            if (secondCode != 0)
            {
                (cases, exitCode, output) = (second, secondCode, secondOutput);
                continue;
            }

            return new PromtoolVerdict(cases[0].CaseIndex, $"the batch of cases {cases[0].CaseIndex}..{cases[^1].CaseIndex} is refused but neither half alone (exit {exitCode}): {output}");
        }

        return new PromtoolVerdict(cases[0].CaseIndex, $"exit code {exitCode}: {output}");
    }

    private (List<(long CaseIndex, byte[] Text)> Cases, int ExitCode, string Output) Check(List<(long CaseIndex, byte[] Text)> cases)
    {
        var start = new ProcessStartInfo("promtool", ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start promtool");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var writer = Task.Run(() =>
        {
            try
            {
                var stdin = process.StandardInput.BaseStream;
                foreach (var (_, text) in cases) stdin.Write(text);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // promtool stopped reading (it exits at the first parse error); its verdict says why.
            }
        });
        if (!process.WaitForExit(_timeout))
        {
            process.Kill();
            return (cases, -1, $"promtool did not finish within {_timeout.TotalSeconds:0} s");
        }

        writer.Wait();
        process.WaitForExit();
        Interlocked.Increment(ref _runs);
        Interlocked.Add(ref _bytes, cases.Sum(c => (long)c.Text.Length));
        var said = (output.Result + error.Result).Trim();
        return (cases, process.ExitCode, said.Length > 4000 ? said[..4000] + "..." : said);
    }
}
