namespace TcpState.Kernel.Namespaces;

/// <summary>
/// A network namespace other than the exporter's own, as found in one discovery pass.
/// </summary>
/// <param name="Inode">The namespace's inode on nsfs (<c>readlink /proc/PID/ns/net</c> prints <c>net:[Inode]</c>; <c>lsns</c> prints it as NS).</param>
/// <param name="Name">Its name under the netns directory (<c>ip netns add NAME</c>), or null.</param>
/// <param name="Pids">Processes in it, oldest first by pid order of discovery (lowest pid first); may be empty for a named namespace without processes.</param>
public sealed record DiscoveredNamespace(ulong Inode, string? Name, IReadOnlyList<int> Pids)
{
    /// <summary>The <c>netns</c> label value: the name when it has one, else the inode number as <c>lsns</c> prints it.</summary>
    public string Label => Name ?? Inode.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
