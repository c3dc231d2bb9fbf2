using TcpState.Exporter.Configuration;

namespace TcpState.Tests.Exporter.Configuration;

public class CommandLineTests
{
    [Fact]
    public void Parse_FlagsWithEqualsAndSpace_MapToConfigurationKeys()
    {
        var line = CommandLine.Parse(["--web.listen-address=127.0.0.1:9999", "--sample.interval", "5s"], out var error);

        Assert.Null(error);
        Assert.Equal(CommandKind.Run, line.Command);
        Assert.Equal("127.0.0.1:9999", line.Values["Web:ListenAddress"]);
        Assert.Equal("5s", line.Values["Sample:Interval"]);
    }

    [Fact]
    public void Parse_SnapshotSubcommand_IsRecognised()
    {
        var line = CommandLine.Parse(["snapshot", "--sample.source=proc"], out var error);

        Assert.Null(error);
        Assert.Equal(CommandKind.Snapshot, line.Command);
        Assert.Equal("proc", line.Values["Sample:Source"]);
    }

    [Theory]
    [InlineData("--web.listen-adress=:1", "unknown flag \"--web.listen-adress\"")]
    [InlineData("--sample.interval", "flag --sample.interval needs a value")]
    [InlineData("serve", "unexpected argument \"serve\"")]
    public void Parse_BadArgument_ReportsIt(string arg, string message)
    {
        CommandLine.Parse([arg], out var error);

        Assert.Equal(message, error);
    }

    [Fact]
    public void Usage_ListsEveryFlagWithItsDefault()
    {
        var usage = CommandLine.Usage("1.2.3");

        Assert.All(Settings.All, s => Assert.Contains($"{s.Flag}=VALUE", usage, StringComparison.Ordinal));
        Assert.Contains("default \":9986\"", usage, StringComparison.Ordinal);
    }
}
