using TcpState.Core;

namespace TcpState.Tests.Fuzz;

/// <summary>Field-by-field comparison and printing of <see cref="SocketRecord"/> (a struct without value equality).</summary>
public static class SocketRecords
{
    public static bool Same(in SocketRecord a, in SocketRecord b) =>
        a.Family == b.Family && a.State == b.State && a.LocalPort == b.LocalPort && a.RemotePort == b.RemotePort
        && a.LocalAddress == b.LocalAddress && a.RemoteAddress == b.RemoteAddress && a.Inode == b.Inode
        && a.Uid == b.Uid && a.Cookie == b.Cookie && a.ReceiveQueue == b.ReceiveQueue && a.SendQueue == b.SendQueue;

    public static string Describe(in SocketRecord r) =>
        $"{{family {r.Family}, state {r.State}, local {r.LocalAddress.High:X16}{r.LocalAddress.Low:X16}:{r.LocalPort}, " +
        $"remote {r.RemoteAddress.High:X16}{r.RemoteAddress.Low:X16}:{r.RemotePort}, inode {r.Inode}, uid {r.Uid}, " +
        $"cookie {r.Cookie}, rq {r.ReceiveQueue}, wq {r.SendQueue}}}";

    /// <summary>Throws unless <paramref name="actual"/> is exactly <paramref name="expected"/>, in order.</summary>
    public static void CheckSequence(IReadOnlyList<SocketRecord> expected, IReadOnlyList<SocketRecord> actual, string what)
    {
        FuzzPropertyException.Check(expected.Count == actual.Count, $"{what}: expected {expected.Count} records, got {actual.Count}");
        for (var i = 0; i < expected.Count; i++)
        {
            FuzzPropertyException.Check(Same(expected[i], actual[i]),
                $"{what}: record {i} differs: expected {Describe(expected[i])}, got {Describe(actual[i])}");
        }
    }
}
