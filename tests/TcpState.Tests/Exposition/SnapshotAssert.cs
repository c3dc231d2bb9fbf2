using System.Runtime.CompilerServices;
using System.Text;
using Xunit;

namespace TcpState.Tests.Exposition;

/// <summary>
/// Compares output with a committed snapshot under Exposition/Snapshots. Set UPDATE_SNAPSHOTS=1
/// to rewrite the snapshots from the actual output (then review the diff before committing).
/// </summary>
internal static class SnapshotAssert
{
    private const string SnapshotDirectory = "Snapshots";

    public static void Matches(string snapshotName, byte[] actualUtf8, [CallerFilePath] string sourceFile = "")
    {
        var path = FindSnapshot(snapshotName, sourceFile);
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, actualUtf8);
            return;
        }

        Assert.True(File.Exists(path), $"Snapshot '{path}' is missing; run the tests with UPDATE_SNAPSHOTS=1 to create it.");

        // Compare text for readable diffs; tolerate a CRLF checkout of the snapshot file.
        var expected = File.ReadAllText(path, Encoding.UTF8).Replace("\r\n", "\n", StringComparison.Ordinal);
        var actual = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(actualUtf8);
        Assert.Equal(expected, actual);
    }

    private static string FindSnapshot(string snapshotName, string sourceFile)
    {
        var fileName = snapshotName + ".txt";

        // The compile-time path of this file works for local builds; path-mapped (CI) builds
        // fall back to searching upwards from the test binaries for the source tree.
        var besideSource = Path.Combine(Path.GetDirectoryName(sourceFile) ?? string.Empty, SnapshotDirectory, fileName);
        if (File.Exists(besideSource))
        {
            return besideSource;
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "TcpState.Tests", "Exposition", SnapshotDirectory, fileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return besideSource;
    }
}
