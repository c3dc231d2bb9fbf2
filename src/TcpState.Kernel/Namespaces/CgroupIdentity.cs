using System.Text.RegularExpressions;

namespace TcpState.Kernel.Namespaces;

/// <summary>
/// Who a network namespace belongs to, read from the cgroup (v2) of a process in it:
/// <c>0::/system.slice/docker-0123...abcd.scope</c> is container <c>0123456789ab</c>;
/// <c>.../kubepods-burstable-pod1a2b..._....slice/cri-containerd-....scope</c> is also pod
/// <c>1a2b...</c>. Container ids are shortened to 12 characters, as <c>docker ps</c> shows them.
/// </summary>
/// <param name="Cgroup">The cgroup path ("" when unknown).</param>
/// <param name="Container">The container id, or "" when the cgroup names none.</param>
/// <param name="Pod">The Kubernetes pod uid, or "".</param>
public sealed partial record CgroupIdentity(string Cgroup, string Container, string Pod)
{
    public static readonly CgroupIdentity None = new("", "", "");

    /// <summary>Reads <c>{procRoot}/PID/cgroup</c>; <see cref="None"/> when the process is gone or the file has no v2 line.</summary>
    public static CgroupIdentity OfProcess(string procRoot, int pid)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(procRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "cgroup"));
            foreach (var line in text.Split('\n'))
            {
                if (line.StartsWith("0::", StringComparison.Ordinal)) return Parse(line[3..]);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the process exited or is not readable
        }

        return None;
    }

    /// <summary>Parses a cgroup v2 path.</summary>
    public static CgroupIdentity Parse(string cgroup)
    {
        var container = "";
        // The innermost component naming a 64-hex id: docker-ID.scope, cri-containerd-ID.scope,
        // crio-ID.scope, libpod-ID.scope (systemd driver) or a bare ID directory (cgroupfs driver).
        foreach (var component in cgroup.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
        {
            if (ContainerId().Match(component) is { Success: true } match)
            {
                container = match.Groups["id"].Value[..12];
                break;
            }
        }

        var pod = PodUid().Match(cgroup) is { Success: true } podMatch ? podMatch.Groups["uid"].Value.Replace('_', '-') : "";
        return new CgroupIdentity(cgroup, container, pod);
    }

    [GeneratedRegex(@"^(?:[a-z0-9]+(?:-[a-z0-9]+)*-)?(?<id>[0-9a-f]{64})(?:\.scope)?$")]
    private static partial Regex ContainerId();

    [GeneratedRegex(@"pod(?<uid>[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})")]
    private static partial Regex PodUid();
}
