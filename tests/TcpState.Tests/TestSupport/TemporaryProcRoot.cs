namespace TcpState.Tests.TestSupport;

/// <summary>A throw-away directory laid out like procfs (<c>net/tcp</c>, <c>net/tcp6</c>) for the /proc source.</summary>
public sealed class TemporaryProcRoot : IDisposable
{
    public TemporaryProcRoot()
    {
        Path = Directory.CreateTempSubdirectory("tcpstate-proc-").FullName;
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "net"));
    }

    public string Path { get; }

    public void Write(string netFile, byte[] content) =>
        File.WriteAllBytes(System.IO.Path.Combine(Path, "net", netFile), content);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
