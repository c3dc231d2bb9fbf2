namespace SocketHolder;

/// <summary>
/// State labels shared with the tests and the exporter's metric labels, so the READY report can be compared
/// with <c>ss</c> output without a translation table on the test side.
/// </summary>
internal static class StateLabels
{
    public const string Established = "established";
    public const string SynSent = "syn_sent";
    public const string SynRecv = "syn_recv";
    public const string FinWait1 = "fin_wait1";
    public const string FinWait2 = "fin_wait2";
    public const string TimeWait = "time_wait";
    public const string Close = "close";
    public const string CloseWait = "close_wait";
    public const string LastAck = "last_ack";
    public const string Listen = "listen";
    public const string Closing = "closing";

    // Used in the READY report for a side of a connection whose socket must no longer exist (fully closed).
    public const string None = "none";

    /// <summary>Maps the kernel state number printed in /proc/net/tcp (include/net/tcp_states.h).</summary>
    public static string FromKernel(int state) => state switch
    {
        1 => Established,
        2 => SynSent,
        3 => SynRecv,
        4 => FinWait1,
        5 => FinWait2,
        6 => TimeWait,
        7 => Close,
        8 => CloseWait,
        9 => LastAck,
        10 => Listen,
        11 => Closing,
        // TCP_NEW_SYN_RECV: request sockets, which ss also reports as SYN-RECV.
        12 => SynRecv,
        _ => $"unknown({state})",
    };
}
