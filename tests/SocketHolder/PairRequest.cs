namespace SocketHolder;

/// <summary>N client/server pairs to the holder's own listener on Port, driven by Scenario.</summary>
internal sealed record PairRequest(PairScenario Scenario, int Port, int Count);
