namespace SocketHolder;

/// <summary>The ways a client/server pair on loopback is driven into its final states.</summary>
internal enum PairScenario
{
    /// <summary>Both ends open: client and server ESTABLISHED.</summary>
    Established,

    /// <summary>Client close()s, server never closes: server CLOSE_WAIT, orphaned client FIN_WAIT2 (timewait minisocket).</summary>
    CloseWait,

    /// <summary>Client shutdown(SHUT_WR) but stays open, server never closes: client FIN_WAIT2 (full socket), server CLOSE_WAIT.</summary>
    FinWait2,

    /// <summary>Server closes first, then client: the server side (local port = listening port) ends in TIME_WAIT.</summary>
    TimeWaitServer,

    /// <summary>Client closes first, then server: the client side (remote port = listening port) ends in TIME_WAIT.</summary>
    TimeWaitClient,
}
