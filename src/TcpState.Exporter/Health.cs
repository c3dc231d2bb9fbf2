using Microsoft.AspNetCore.Http;
using TcpState.Core;
using TcpState.Exporter.Sampling;

namespace TcpState.Exporter;

/// <summary>
/// <c>/healthz</c>: 200 while the last good sample is fresh (younger than three intervals: the
/// interval in effect, which slow samples stretch beyond <c>--sample.interval</c>), 503 otherwise,
/// with a one-line reason.
/// </summary>
public static class Health
{
    public static IResult Check(SocketSnapshot? latest, SamplerStatistics statistics, TimeSpan interval, DateTimeOffset now)
    {
        if (latest is null)
        {
            return Results.Text("no sample has succeeded yet\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var age = now - latest.Timestamp;
        // A stretched interval (after slow samples) is waited on purpose: not staleness.
        var effective = statistics.SampleInterval is { } adapted && adapted > interval ? adapted : interval;
        if (age > effective * 3)
        {
            return Results.Text($"stale: the last good sample is {age.TotalSeconds:0} s old\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var last = statistics.LastSucceeded ? "ok" : "last sample failed, serving the previous one";
        return Results.Text($"{last}: {latest.TotalSockets} sockets, sampled {age.TotalSeconds:0.0} s ago from {latest.Source}\n");
    }
}
