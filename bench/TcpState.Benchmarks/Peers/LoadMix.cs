namespace TcpState.Benchmarks.Peers;

/// <summary>Which socket mix the load generator builds.</summary>
internal enum LoadMix
{
    /// <summary>Almost all ESTABLISHED pairs held by pair-holder processes, plus CLOSE_WAIT pairs.</summary>
    Established,

    /// <summary>Most sockets in client-side TIME_WAIT (no fd), the rest ESTABLISHED and CLOSE_WAIT pairs held by pair-holder processes.</summary>
    TimeWait,
}
