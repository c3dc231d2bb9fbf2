using System.Text;

namespace TcpState.Tests.Fuzz;

/// <summary>The first case that broke a property, with what is needed to run it again alone.</summary>
/// <param name="Seed">The run's seed.</param>
/// <param name="CaseIndex">The case's index in the run.</param>
/// <param name="Target">The code the case exercised.</param>
/// <param name="Kind">The generator that made the input, e.g. "netlink/modelled".</param>
/// <param name="Problem">The property that failed, or the exception that escaped (with its stack).</param>
/// <param name="Input">The input, printed so that it can be turned into a unit test.</param>
public sealed record FuzzFailure(ulong Seed, long CaseIndex, FuzzTarget Target, string Kind, string Problem, string Input)
{
    /// <summary>The command that re-runs exactly this case.</summary>
    public string ReplayCommand => $"bench/fuzz.sh --seed {Seed} --case {CaseIndex}";

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("FUZZ FAILURE in case ").Append(CaseIndex).Append(" (").Append(Kind).Append(") of seed ").Append(Seed).Append('\n');
        text.Append("problem: ").Append(Problem).Append('\n');
        text.Append("replay:  ").Append(ReplayCommand).Append('\n');
        text.Append("input:\n").Append(Input).Append('\n');
        return text.ToString();
    }
}
