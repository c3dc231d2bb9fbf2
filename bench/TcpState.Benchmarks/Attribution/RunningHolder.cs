using TcpState.Tests.Infrastructure;

namespace TcpState.Benchmarks.Attribution;

/// <summary>A started holder and what it was asked to build, so checks know how many sockets it holds.</summary>
internal sealed record RunningHolder(HolderPlan Plan, SocketHolderProcess Process);
