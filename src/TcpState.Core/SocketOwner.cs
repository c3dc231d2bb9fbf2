namespace TcpState.Core;

/// <summary>
/// The process a socket is attributed to. Identified by pid and start time together, so a reused
/// pid is a different owner.
/// </summary>
/// <param name="Pid">Process id.</param>
/// <param name="StartTime">Field 22 of /proc/PID/stat: clock ticks after boot at which the process started.</param>
/// <param name="Name">The <c>process</c> label value.</param>
public sealed record SocketOwner(int Pid, ulong StartTime, string Name)
{
    /// <summary>
    /// The deterministic choice between holders of one socket (fork, fd passing): the youngest
    /// process wins (the service a supervisor or master process handed the socket to); start
    /// times are in clock ticks (10 ms), so a parent and the child it forked at once often tie,
    /// and then the higher pid, the later fork, wins.
    /// </summary>
    public bool IsPreferredOver(SocketOwner other) =>
        StartTime != other.StartTime ? StartTime > other.StartTime : Pid > other.Pid;
}
