using TcpState.Kernel.Namespaces;
using TcpState.Tests.TestSupport;

namespace TcpState.Tests.Kernel.Namespaces;

public class CgroupIdentityTests
{
    private const string Id = "4f2c6e0c1a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e";

    [Theory]
    [InlineData("/system.slice/docker-" + Id + ".scope", "4f2c6e0c1a9b", "")] // docker, systemd cgroup driver
    [InlineData("/docker/" + Id, "4f2c6e0c1a9b", "")] // docker, cgroupfs driver
    [InlineData("/machine.slice/libpod-" + Id + ".scope/container", "4f2c6e0c1a9b", "")] // podman, with its nested leaf
    [InlineData("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1a2b3c4d_5e6f_7a8b_9c0d_1e2f3a4b5c6d.slice/cri-containerd-" + Id + ".scope",
        "4f2c6e0c1a9b", "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d")] // Kubernetes, containerd, systemd driver
    [InlineData("/kubepods/besteffort/pod1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d/" + Id, "4f2c6e0c1a9b", "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d")] // cgroupfs driver
    [InlineData("/system.slice/nginx.service", "", "")] // not a container
    [InlineData("/user.slice/user-0.slice/session-3.scope", "", "")]
    [InlineData("/", "", "")]
    public void Parse_KnownLayouts_GivesContainerAndPod(string cgroup, string container, string pod)
    {
        var identity = CgroupIdentity.Parse(cgroup);

        Assert.Equal(cgroup, identity.Cgroup);
        Assert.Equal(container, identity.Container);
        Assert.Equal(pod, identity.Pod);
    }

    [Fact]
    public void OfProcess_ThisProcess_ReadsItsV2Path()
    {
        var expected = File.ReadAllLines("/proc/self/cgroup").Single(l => l.StartsWith("0::", StringComparison.Ordinal))[3..];

        Assert.Equal(expected, CgroupIdentity.OfProcess("/proc", Environment.ProcessId).Cgroup);
    }

    [Fact]
    public void OfProcess_VanishedProcess_IsNone()
    {
        using var root = new TemporaryProcRoot();

        Assert.Same(CgroupIdentity.None, CgroupIdentity.OfProcess(root.Path, 12345));
    }
}
