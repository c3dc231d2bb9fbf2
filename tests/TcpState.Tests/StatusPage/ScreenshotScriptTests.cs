using System.Buffers.Binary;
using TcpState.Tests.Infrastructure;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.StatusPage;

/// <summary>
/// docs/make-screenshot.sh, the script that makes the README's picture of the page, run as
/// documented but into a temp dir (the committed picture is never overwritten by tests).
/// </summary>
public sealed class ScreenshotScriptTests : IDisposable
{
    private readonly DirectoryInfo _output = Directory.CreateTempSubdirectory("tcpstate-screenshot-");

    [Fact]
    public void MakeScreenshot_TempOutput_WritesA1280By900Png()
    {
        var png = Path.Combine(_output.FullName, "status-page.png");
        var result = Run(png);

        Assert.True(result.ExitCode == 0, result.StandardError + result.StandardOutput);
        var bytes = File.ReadAllBytes(png);
        Assert.True(bytes.Length > 10_000, $"{bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a }, bytes[..8]);
        // IHDR, the first chunk: width and height, big-endian, at bytes 16 and 20.
        Assert.Equal("IHDR"u8.ToArray(), bytes[12..16]);
        Assert.Equal(1280, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(900, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        // It cleans up after itself: its namespace (and so every process it started) is gone.
        Assert.DoesNotContain("tcpstate-shot-", ProcessRunner.Run(SystemTools.Ip, ["netns", "list"], TimeSpan.FromSeconds(10)).StandardOutput, StringComparison.Ordinal);
    }

    public void Dispose() => _output.Delete(recursive: true);

    private static ProcessResult Run(string png)
    {
        // The binaries next to this test assembly, and a short settle time: this proves the script
        // works, it does not need stuck sockets.
        var environment = new Dictionary<string, string> { ["TCPSTATE_BIN_DIR"] = AppContext.BaseDirectory, ["SETTLE_SECONDS"] = "2" };
        return ProcessRunner.Run("env", [.. environment.Select(e => $"{e.Key}={e.Value}"), "bash", RepositoryFiles.PathOf("docs", "make-screenshot.sh"), png], TimeSpan.FromMinutes(2));
    }
}
