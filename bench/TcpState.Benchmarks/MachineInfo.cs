using System.Runtime.InteropServices;
using TcpState.Tests.Infrastructure;

namespace TcpState.Benchmarks;

/// <summary>What a result depends on besides the code: printed above every table so numbers are never quoted without it.</summary>
internal static class MachineInfo
{
    public static IReadOnlyList<string> Describe()
    {
        return
        [
            $"machine: nproc {Environment.ProcessorCount}, {CpuModel()}, {MemoryGiB()} GiB RAM",
            $"kernel: {Read("/proc/sys/kernel/osrelease")}; dotnet --version: {DotnetVersion()} (runtime {RuntimeInformation.FrameworkDescription})",
            $"open-file limit (soft) of the benchmark and its holders: {OpenFileLimit()}; host processes now: {HostProcesses()}",
        ];
    }

    /// <summary>Processes on the host: a /proc walk visits each of them, whatever namespace its sockets are in.</summary>
    public static int HostProcesses() =>
        Directory.EnumerateDirectories("/proc").Count(d => int.TryParse(Path.GetFileName(d), out _));

    private static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            ?? "unknown CPU";

    private static long MemoryGiB()
    {
        var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / (1024 * 1024);
    }

    private static string OpenFileLimit() =>
        File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal))
            ?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3] ?? "unknown";

    private static string Read(string path) => File.ReadAllText(path).Trim();

    // The SDK that built the benchmark; under sudo, PATH may lack it, hence the fallback.
    private static string DotnetVersion()
    {
        try
        {
            var result = ProcessRunner.Run(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", ["--version"], TimeSpan.FromSeconds(30));
            return result.ExitCode == 0 ? result.StandardOutput.Trim() : "unknown";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or TimeoutException)
        {
            return "unknown (dotnet not in PATH)";
        }
    }
}
