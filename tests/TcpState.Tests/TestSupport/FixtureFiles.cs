using System.Text.Json;
using TcpState.Core;

namespace TcpState.Tests.TestSupport;

/// <summary>Access to the kernel captures in Fixtures/ (see Fixtures/README.md for how they were made).</summary>
public static class FixtureFiles
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static byte[] Read(string name) => File.ReadAllBytes(PathOf(name));

    /// <summary>Per-state counts that <c>ss -tan</c> showed at capture time, for "inet" or "inet6".</summary>
    public static long[] ExpectedStateCounts(string family)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(PathOf("expected.json")));
        var counts = new long[StateLabel.Count];
        foreach (var state in json.RootElement.GetProperty(family).EnumerateObject())
        {
            counts[StateLabel.IndexOf(state.Name)] = state.Value.GetInt64();
        }

        return counts;
    }

    /// <summary>(port, recv_q, send_q) of every listener that <c>ss -ltn</c> showed.</summary>
    public static IReadOnlyList<(int Port, uint RecvQ, uint SendQ)> ExpectedListeners()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(PathOf("expected.json")));
        return json.RootElement.GetProperty("listeners").EnumerateArray()
            .Select(l => (l.GetProperty("port").GetInt32(), l.GetProperty("recv_q").GetUInt32(), l.GetProperty("send_q").GetUInt32()))
            .ToList();
    }

    public const uint NetlinkSequence = 123456;
}
