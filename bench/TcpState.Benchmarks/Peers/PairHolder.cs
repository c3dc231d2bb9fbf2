using System.Diagnostics;
using TcpState.Benchmarks.Attribution;

namespace TcpState.Benchmarks.Peers;

/// <summary>A running bench/load/pair-holder and what it was asked to hold.</summary>
internal sealed record PairHolder(HolderPlan Plan, Process Process, int Pid);
