namespace TcpState.Core;

/// <summary>
/// The label values of the <c>state</c> label, in a fixed order (the order of the kernel's
/// numbering, then <c>unknown</c>). Every sample reports all of them, zeros included.
/// </summary>
public static class StateLabel
{
    /// <summary>Number of label values, <c>unknown</c> included.</summary>
    public const int Count = 12;

    /// <summary>Index of the value that counts state numbers this build does not know.</summary>
    public const int Unknown = 11;

    /// <summary>Index of <c>listen</c>.</summary>
    public const int Listen = 9;

    /// <summary>Index of <c>close_wait</c>.</summary>
    public const int CloseWait = 7;

    /// <summary>Index of <c>time_wait</c>.</summary>
    public const int TimeWait = 5;

    /// <summary>Index of <c>established</c>.</summary>
    public const int Established = 0;

    private static readonly string[] Names =
    [
        "established", "syn_sent", "syn_recv", "fin_wait1", "fin_wait2", "time_wait",
        "close", "close_wait", "last_ack", "listen", "closing", "unknown",
    ];

    /// <summary>The label value at <paramref name="index"/>.</summary>
    public static string Name(int index) => Names[index];

    /// <summary>
    /// Maps a kernel state number to its label index. TCP_NEW_SYN_RECV (12) is a request socket
    /// on its way to SYN_RECV and is reported as <c>syn_recv</c>, as <c>ss</c> does.
    /// </summary>
    public static int FromKernel(byte state) => state switch
    {
        >= 1 and <= 11 => state - 1,
        (byte)KernelTcpState.NewSynRecv => (int)KernelTcpState.SynRecv - 1,
        _ => Unknown,
    };

    /// <summary>The index of a label value, or -1 when it is not one.</summary>
    public static int IndexOf(string name) => Array.IndexOf(Names, name);
}
