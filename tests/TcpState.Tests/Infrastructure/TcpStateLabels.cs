namespace TcpState.Tests.Infrastructure;

/// <summary>The exporter's state label values, and how ss spells each state, so tests compare like with like.</summary>
public static class TcpStateLabels
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

    public static IReadOnlyList<string> All { get; } =
        [Established, SynSent, SynRecv, FinWait1, FinWait2, TimeWait, Close, CloseWait, LastAck, Listen, Closing];

    /// <summary>ss's state column (iproute2 misc/ss.c sstate_name) to label; null for anything else.</summary>
    public static string? FromSs(string ssState) => ssState switch
    {
        "ESTAB" => Established,
        "SYN-SENT" => SynSent,
        "SYN-RECV" => SynRecv,
        "FIN-WAIT-1" => FinWait1,
        "FIN-WAIT-2" => FinWait2,
        "TIME-WAIT" => TimeWait,
        "UNCONN" => Close,
        "CLOSE-WAIT" => CloseWait,
        "LAST-ACK" => LastAck,
        "LISTEN" => Listen,
        "CLOSING" => Closing,
        _ => null,
    };
}
