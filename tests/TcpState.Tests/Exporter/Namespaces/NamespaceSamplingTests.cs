using Microsoft.Extensions.Configuration;
using TcpState.Core;
using TcpState.Exporter.Configuration;
using TcpState.Exporter.Sampling;
using TcpState.Kernel.Namespaces;
using TcpState.Tests.Infrastructure;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Exporter.Namespaces;

/// <summary>
/// <see cref="NamespaceSampling"/> in-process on the real host: two namespaces the test creates,
/// with sockets, against ss in each. Other namespaces on the machine (other tests') are sampled
/// too and left alone by the assertions.
/// </summary>
public sealed class NamespaceSamplingTests : IClassFixture<NamespaceSamplingTests.TwoNamespaces>
{
    private readonly TwoNamespaces _spaces;

    public NamespaceSamplingTests(TwoNamespaces spaces) => _spaces = spaces;

    [Theory]
    [InlineData("netlink")]
    [InlineData("proc")]
    public void Sample_TwoNamespaces_EachCountedAndLabelledAsSsSeesIt(string source)
    {
        using var sampling = Create(("Sample:Source", source), ("Netns:Max", "1000"));

        var set = sampling.Sample();

        foreach (var ns in new[] { _spaces.A, _spaces.B })
        {
            var space = Assert.Single(set.Sampled, s => s.Netns == ns.Name);
            Assert.Equal(source, space.Snapshot.Source);
            Assert.Equal("", space.Container); // the test's cgroup names no container
            var entries = int.Parse(ns.Exec("cat", "/proc/sys/net/ipv4/tcp_ehash_entries").EnsureSuccess().StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(source == "netlink" ? entries < 0 : null, space.SharedHashTable);
            var ss = SsOutput.CaptureAll(ns).CountByState();
            for (var i = 0; i < StateLabel.Count; i++)
            {
                Assert.True(ss.GetValueOrDefault(StateLabel.Name(i)) == space.Snapshot.StateCounts[i], $"{ns.Name} {StateLabel.Name(i)}: ss {ss.GetValueOrDefault(StateLabel.Name(i))}, sampled {space.Snapshot.StateCounts[i]}");
            }
        }

        var a = set.Sampled.Single(s => s.Netns == _spaces.A.Name).Snapshot;
        Assert.Equal(4, a.PortGroups.Single(g => g.StateIndex == StateLabel.IndexOf("established") && g.Role == SocketRole.Server && g.PortLabel == "7001").Count);
        Assert.Equal(SocketHolderProcess.ExpectedProcessName, a.PortGroups.Single(g => g.StateIndex == StateLabel.IndexOf("close_wait") && g.PortLabel == "7001").Process);
        Assert.Equal(0, set.Skipped["limit"]);
        Assert.Equal(set.Discovered, set.Sampled.Count + set.Skipped.Values.Sum());
    }

    [Fact]
    public void Sample_NetlinkSource_ReadsTheNamespacesOwnPortRange()
    {
        _spaces.A.WriteSysctl("net.ipv4.ip_local_port_range", "40000\t40999");
        using var sampling = Create(("Sample:Source", "netlink"), ("Netns:Max", "1000"));

        var set = sampling.Sample();

        Assert.Equal(1000, set.Sampled.Single(s => s.Netns == _spaces.A.Name).Snapshot.PortRange?.Usable);
        Assert.NotEqual(1000, set.Sampled.Single(s => s.Netns == _spaces.B.Name).Snapshot.PortRange?.Usable);
    }

    [Fact]
    public void Sample_NamespaceCreatedWithItsOwnHashTable_ReportedAsOwn()
    {
        // net.ipv4.tcp_child_ehash_entries (host namespace) applies to namespaces created after it is set.
        const string Sysctl = "/proc/sys/net/ipv4/tcp_child_ehash_entries";
        var previous = File.ReadAllText(Sysctl).Trim();
        NetworkNamespace own;
        File.WriteAllText(Sysctl, "1024");
        try
        {
            own = new NetworkNamespace();
        }
        finally
        {
            File.WriteAllText(Sysctl, previous);
        }

        using (own)
        {
            Assert.Equal("1024", own.Exec("cat", "/proc/sys/net/ipv4/tcp_ehash_entries").EnsureSuccess().StandardOutput.Trim());
            using var sampling = Create(("Sample:Source", "netlink"), ("Netns:Max", "1000"));

            var set = sampling.Sample();

            Assert.False(set.Sampled.Single(s => s.Netns == own.Name).SharedHashTable);
            Assert.True(set.Sampled.Single(s => s.Netns == _spaces.A.Name).SharedHashTable == previous is "0");
        }
    }

    [Fact]
    public void Sample_NamespaceOfAProcessInAPodCgroup_LabelledWithItsContainerAndPod()
    {
        // The cgroup layout the kubelet makes with containerd and the systemd driver, on the real
        // cgroup2 hierarchy, with a holder moved into the container's scope.
        var id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var pod = Guid.NewGuid().ToString();
        var relative = $"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{pod.Replace('-', '_')}.slice/cri-containerd-{id}.scope";
        var mount = File.ReadAllLines("/proc/mounts").Select(l => l.Split(' ')).First(f => f[2] == "cgroup2")[1];
        var ownRoot = File.ReadAllLines("/proc/self/cgroup").Single(l => l.StartsWith("0::", StringComparison.Ordinal))[3..].TrimEnd('/');
        var scope = mount + ownRoot + relative;
        using var container = new NetworkNamespace();
        Directory.CreateDirectory(scope);
        try
        {
            using (var holder = SocketHolderProcess.Start(container, "--ipv4", "--timeout", "60", "--listen", "7300", "--established", "7300:1"))
            {
                File.WriteAllText(Path.Combine(scope, "cgroup.procs"), holder.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
                using var sampling = Create(("Netns:Max", "1000"));

                var space = sampling.Sample().Sampled.Single(s => s.Netns == container.Name);

                Assert.Equal(id[..12], space.Container);
                Assert.Equal(pod, space.Pod);
                Assert.Equal(ownRoot + relative, space.Cgroup);
            }
        }
        finally
        {
            RemoveCgroup(scope, mount + ownRoot + "/kubepods.slice");
        }
    }

    // rmdir from the leaf up, once the killed holder has left it.
    private static void RemoveCgroup(string leaf, string top)
    {
        for (var i = 0; i < 100 && File.Exists(Path.Combine(leaf, "cgroup.procs")) && File.ReadAllText(Path.Combine(leaf, "cgroup.procs")).Trim().Length > 0; i++)
        {
            Thread.Sleep(50);
        }

        for (var directory = leaf; directory.Length >= top.Length; directory = Path.GetDirectoryName(directory)!)
        {
            if (Directory.Exists(directory)) Directory.Delete(directory);
        }
    }

    [Fact]
    public void Sample_OverTheCap_SamplesMaxAndKeepsTheSameOnes()
    {
        // A named directory of the test's own (bind mounts, as 'ip netns add' makes them), so that
        // the namespace the cap keeps (named ones come first, by name) is one of this class's, not
        // another test's that may be deleted at any moment.
        using var named = new NamedDirectory();
        named.Bind("b-first", _spaces.A);
        named.Bind("c-second", _spaces.B);
        using var sampling = Create(new NetworkNamespaceDiscovery("/proc", named.Path), ("Netns:Max", "1"));

        var first = sampling.Sample();
        using var newcomer = new NetworkNamespace();
        named.Bind("a-newcomer", newcomer); // sorts first from now on
        var second = sampling.Sample();

        Assert.Equal("b-first", Assert.Single(first.Sampled).Netns);
        Assert.True(first.Discovered >= 2);
        Assert.Equal(first.Discovered - 1, first.Skipped["limit"]);
        // Already sampled, it keeps its place: the set does not flap when namespaces come.
        Assert.Equal("b-first", Assert.Single(second.Sampled).Netns);
        Assert.Equal(second.Discovered - 1, second.Skipped["limit"]);
        Assert.Equal("b-first", Assert.Single(sampling.Open));
    }

    [Fact]
    public void Sample_NamespaceDeleted_IsForgottenAndItsSocketClosed()
    {
        using var sampling = Create(("Netns:Max", "1000"));
        var transient = new NetworkNamespace();
        using (var holder = SocketHolderProcess.Start(transient, "--ipv4", "--timeout", "60", "--listen", "7100", "--established", "7100:2"))
        {
            var before = sampling.Sample();
            Assert.Equal(2, Assert.Single(before.Sampled, s => s.Netns == transient.Name).Snapshot.StateCounts[StateLabel.IndexOf("established")] / 2);
        }

        Assert.Contains(transient.Name, sampling.Open);
        transient.Dispose();
        var after = sampling.Sample();

        Assert.DoesNotContain(after.Sampled, s => s.Netns == transient.Name);
        Assert.DoesNotContain(transient.Name, sampling.Open);
    }

    [Fact]
    public void Sample_ProcSource_NamedNamespaceWithoutProcess_SkippedAsNoProcess()
    {
        using var empty = new NetworkNamespace();
        using var sampling = Create(("Sample:Source", "proc"), ("Netns:Max", "1000"));

        var set = sampling.Sample();

        Assert.DoesNotContain(set.Sampled, s => s.Netns == empty.Name);
        Assert.True(set.Skipped["no_process"] >= 1);
    }

    private static NamespaceSampling Create(params (string Key, string Value)[] settings) => Create(null, settings);

    private static NamespaceSampling Create(NetworkNamespaceDiscovery? discovery, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)).Append(new("Netns:Enabled", "true")))
            .Build();
        var options = ExporterOptions.Parse(configuration, out var errors) ?? throw new InvalidOperationException(string.Join("; ", errors));
        var owners = SamplerFactory.CreateOwners(options, TimeProvider.System);
        return new NamespaceSampling(options, owners, TimeProvider.System, new CapturingLogger<NamespaceSampling>(), discovery);
    }

    /// <summary>A directory of namespace bind mounts, as /run/netns is; unmounted and removed on dispose.</summary>
    private sealed class NamedDirectory : IDisposable
    {
        private readonly List<string> _mounts = [];

        public string Path { get; } = Directory.CreateTempSubdirectory("tcpstate-netns-").FullName;

        public void Bind(string name, NetworkNamespace ns)
        {
            var target = System.IO.Path.Combine(Path, name);
            File.WriteAllBytes(target, []);
            ProcessRunner.Run("mount", ["--bind", ns.Path, target], NetworkNamespace.DefaultCommandTimeout).EnsureSuccess();
            _mounts.Add(target);
        }

        public void Dispose()
        {
            foreach (var target in _mounts) ProcessRunner.Run("umount", [target], NetworkNamespace.DefaultCommandTimeout);
            Directory.Delete(Path, recursive: true);
        }
    }

    /// <summary>Namespace A: a server on 7001 with 4 connections and 2 CLOSE_WAIT; B: IPv6 on 7443 with 3.</summary>
    public sealed class TwoNamespaces : IDisposable
    {
        private readonly SocketHolderProcess _a;
        private readonly SocketHolderProcess _b;

        public TwoNamespaces()
        {
            A = new NetworkNamespace();
            B = new NetworkNamespace();
            // The orphaned FIN_WAIT2 peers of the CLOSE_WAIT sockets must outlive the class's tests
            // (60 s by default), or a sample and the ss that checks it could straddle their expiry.
            A.WriteSysctl("net.ipv4.tcp_fin_timeout", "1200");
            _a = SocketHolderProcess.Start(A, "--ipv4", "--timeout", "1200", "--listen", "7001", "--established", "7001:4", "--close-wait", "7001:2");
            _b = SocketHolderProcess.Start(B, "--ipv6", "--timeout", "1200", "--listen", "7443", "--established", "7443:3");
        }

        public NetworkNamespace A { get; }

        public NetworkNamespace B { get; }

        public void Dispose()
        {
            _a.Dispose();
            _b.Dispose();
            A.Dispose();
            B.Dispose();
        }
    }
}
