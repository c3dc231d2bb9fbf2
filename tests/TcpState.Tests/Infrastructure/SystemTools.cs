namespace TcpState.Tests.Infrastructure;

/// <summary>
/// Absolute paths of the iproute2 tools. Test runners do not always have /usr/sbin in PATH, so a known location
/// is preferred and PATH lookup is only the fallback.
/// </summary>
public static class SystemTools
{
    public static string Ip { get; } = Resolve("ip");

    public static string Ss { get; } = Resolve("ss");

    private static string Resolve(string name)
    {
        string[] directories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];
        return directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists) ?? name;
    }
}
