using TcpState.Kernel.Namespaces;
using TcpState.Tests.Infrastructure;

namespace TcpState.Tests.Kernel.Namespaces;

/// <summary>Discovery on the real /proc and /run/netns, with namespaces the tests create.</summary>
public sealed class NetworkNamespaceDiscoveryTests : IDisposable
{
    private readonly NetworkNamespace _withProcess = new();
    private readonly NetworkNamespace _empty = new();
    private readonly SocketHolderProcess _holder;

    public NetworkNamespaceDiscoveryTests() =>
        _holder = SocketHolderProcess.Start(_withProcess, "--ipv4", "--timeout", "60", "--listen", "7001");

    [Fact]
    public void Discover_NamedNamespaces_FoundByNameWithTheirInodeAndProcesses()
    {
        var found = new NetworkNamespaceDiscovery("/proc").Discover();

        var withProcess = Assert.Single(found, n => n.Name == _withProcess.Name);
        Assert.Equal(_withProcess.Identity, $"net:[{withProcess.Inode}]");
        Assert.Contains(_holder.Pid, withProcess.Pids);
        Assert.Equal(_withProcess.Name, withProcess.Label);

        var empty = Assert.Single(found, n => n.Name == _empty.Name);
        Assert.Equal(_empty.Identity, $"net:[{empty.Inode}]");
        Assert.Empty(empty.Pids);
    }

    [Fact]
    public void Discover_LeavesOutTheExportersOwnNamespace_AndListsEachOnce()
    {
        var discovery = new NetworkNamespaceDiscovery("/proc");
        var found = discovery.Discover();

        var own = File.ResolveLinkTarget("/proc/self/ns/net", returnFinalTarget: false)!.Name;
        Assert.Equal(own, $"net:[{discovery.OwnInode}]");
        Assert.DoesNotContain(found, n => n.Inode == discovery.OwnInode);
        Assert.Equal(found.Count, found.Select(n => n.Inode).Distinct().Count());
        // Named ones come first, in name order: the order --netns.max keeps.
        var names = found.TakeWhile(n => n.Name is not null).Select(n => n.Name!).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.All(found.SkipWhile(n => n.Name is not null), n => Assert.Null(n.Name));
    }

    [Fact]
    public void Discover_UnnamedNamespaceOfAProcess_LabelledByInode()
    {
        // unshare -n: a namespace no /run/netns entry names, alive only through its process.
        using var process = System.Diagnostics.Process.Start("unshare", ["-n", "sleep", "30"])!;
        try
        {
            var link = WaitForOwnNamespace(process.Id);
            var found = new NetworkNamespaceDiscovery("/proc").Discover();

            var space = Assert.Single(found, n => $"net:[{n.Inode}]" == link);
            Assert.Null(space.Name);
            Assert.Equal(space.Inode.ToString(System.Globalization.CultureInfo.InvariantCulture), space.Label);
            Assert.Contains(process.Id, space.Pids);
        }
        finally
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    [Fact]
    public void Discover_MissingNamedDirectory_FindsProcessesOnly()
    {
        var found = new NetworkNamespaceDiscovery("/proc", "/nonexistent-netns-dir").Discover();

        Assert.DoesNotContain(found, n => n.Name is not null);
        Assert.Contains(found, n => n.Pids.Contains(_holder.Pid));
    }

    // unshare execs sleep once the namespace is made: until then the link is the parent's.
    private static string WaitForOwnNamespace(int pid)
    {
        var own = File.ResolveLinkTarget("/proc/self/ns/net", false)!.Name;
        for (var i = 0; i < 100; i++)
        {
            var link = File.ResolveLinkTarget($"/proc/{pid}/ns/net", false)?.Name;
            if (link is not null && link != own) return link;
            Thread.Sleep(50);
        }

        throw new TimeoutException($"pid {pid} never left the test's network namespace");
    }

    public void Dispose()
    {
        _holder.Dispose();
        _withProcess.Dispose();
        _empty.Dispose();
    }
}
