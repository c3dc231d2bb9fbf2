using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Fuzz;

/// <summary>
/// The fixed-seed share of the fuzz campaign that bench/fuzz.sh runs a million cases of: the same
/// generators and properties, fewer cases, always the same ones.
/// </summary>
public class FuzzShareTests
{
    private const ulong Seed = 20261121;

    [Fact]
    public void ParseDatagram_FixedSeedShare_OnlyDocumentedOutcomes() => RunShare(FuzzTarget.Netlink, 30_000);

    [Fact]
    public void ProcNetTcpParser_FixedSeedShare_OnlyDocumentedOutcomes() => RunShare(FuzzTarget.Proc, 30_000);

    [Fact]
    public void PrometheusTextSerializer_FixedSeedShare_RoundTripsAndPassesPromtool() => RunShare(FuzzTarget.Exposition, 4_000);

    private static void RunShare(FuzzTarget target, long cases)
    {
        var report = FuzzCampaign.RunBounded(
            new FuzzSettings { Seed = Seed, Cases = cases, Targets = target, PromtoolCasesPerRun = 1000 },
            FuzzInputs.FromDirectory(FixtureFiles.PathOf("")));

        Assert.True(report.Failure is null, report.Summary());
        Assert.Equal(cases, report.Cases);
    }
}
