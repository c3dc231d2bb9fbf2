using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Alerts;

/// <summary>The YAML reader the rule tests rely on: it must read what the repository writes and refuse what it cannot.</summary>
public sealed class YamlSubsetReaderTests
{
    [Fact]
    public void Parse_BlockStyleDocument_ReadsMappingsSequencesAndScalars()
    {
        const string yaml = """
            # a comment
            groups:
              - name: g   # trailing comment
                rules:
                - record: 'a:b'
                  expr: "x{y=\"z\"}"
                - alert: A
                  expr: |
                    up == 0
                    and on () vector(1)
                  annotations:
                    description: >-
                      first line
                      second line
                    runbook_url: https://example.test/doc.md#anchor
              - name: empty
                rules: []
            """;

        var root = YamlSubsetReader.Parse(yaml);

        var rules = root["groups"]![0]!["rules"]!.AsArray();
        Assert.Equal("g", root["groups"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("a:b", rules[0]!["record"]!.GetValue<string>());
        Assert.Equal("x{y=\"z\"}", rules[0]!["expr"]!.GetValue<string>());
        Assert.Equal("up == 0\nand on () vector(1)\n", rules[1]!["expr"]!.GetValue<string>());
        Assert.Equal("first line second line", rules[1]!["annotations"]!["description"]!.GetValue<string>());
        Assert.Equal("https://example.test/doc.md#anchor", rules[1]!["annotations"]!["runbook_url"]!.GetValue<string>());
        Assert.Empty(root["groups"]![1]!["rules"]!.AsArray());
    }

    [Theory]
    [InlineData("a: &anchor 1")]
    [InlineData("a: [1, 2]")]
    [InlineData("a: {b: 1}")]
    [InlineData("a: 1\n  b: 2")]
    [InlineData("a: \"unterminated")]
    [InlineData("a: 1\na: 2")]
    [InlineData("a: |+\n  kept\n")]
    public void Parse_UnsupportedOrInvalid_ThrowsNamingTheLine(string yaml)
    {
        var error = Assert.Throws<FormatException>(() => YamlSubsetReader.Parse(yaml));

        Assert.StartsWith("YAML line ", error.Message, StringComparison.Ordinal);
    }
}
