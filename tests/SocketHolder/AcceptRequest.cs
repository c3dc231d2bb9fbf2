namespace SocketHolder;

/// <summary>Accept (and hold) connections from other processes on one of our listeners, at most Max of them.</summary>
internal sealed record AcceptRequest(int Port, int Max);
