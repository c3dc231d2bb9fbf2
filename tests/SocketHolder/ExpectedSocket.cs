namespace SocketHolder;

/// <summary>
/// A socket the holder expects in the kernel table before it reports READY; State <see cref="StateLabels.None"/>
/// means the socket must be gone (e.g. the client of time-wait-server after LAST_ACK).
/// </summary>
internal sealed record ExpectedSocket(int LocalPort, int RemotePort, string State, string Description);
