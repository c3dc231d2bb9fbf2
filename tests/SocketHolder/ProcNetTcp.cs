using System.Globalization;
using System.Net.Sockets;

namespace SocketHolder;

/// <summary>
/// Reads the kernel's socket table of the holder's own network namespace. The holder checks its result here
/// rather than trusting the socket calls, because states such as TIME_WAIT or an orphaned FIN_WAIT2 are only
/// visible to the kernel.
/// </summary>
internal static class ProcNetTcp
{
    public static IReadOnlyList<KernelSocket> Read(AddressFamily family)
    {
        // /proc/thread-self follows this thread's namespace, which is the namespace 'ip netns exec' put us in.
        var path = family == AddressFamily.InterNetworkV6 ? "/proc/thread-self/net/tcp6" : "/proc/thread-self/net/tcp";
        var lines = File.ReadAllLines(path);
        var result = new List<KernelSocket>(lines.Length);

        // Line 0 is the column header.
        for (var i = 1; i < lines.Length; i++)
        {
            var fields = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4)
            {
                throw new FormatException($"{path}: cannot parse line '{lines[i]}'");
            }

            result.Add(new KernelSocket(HexPort(path, fields[1]), HexPort(path, fields[2]), StateLabels.FromKernel(Hex(path, fields[3]))));
        }

        return result;
    }

    private static int HexPort(string path, string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        if (colon < 0)
        {
            throw new FormatException($"{path}: cannot parse endpoint '{endpoint}'");
        }

        return Hex(path, endpoint[(colon + 1)..]);
    }

    private static int Hex(string path, string text) =>
        int.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"{path}: '{text}' is not hexadecimal");
}
