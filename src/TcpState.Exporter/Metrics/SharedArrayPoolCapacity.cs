namespace TcpState.Exporter.Metrics;

/// <summary>
/// Sizes the runtime's shared array pool for uncompressed scrapes. Each one hands Kestrel its body
/// as 64 KiB spans, which Kestrel's output pipe rents from <c>ArrayPool&lt;byte&gt;.Shared</c> and
/// returns once sent; with 32 concurrent scrapes more of those arrays are in flight than the pool
/// keeps by default (32 per size per CPU), and each miss is a new 64 KiB array: ~20 KB of garbage a
/// scrape, ~500 MB/s under wrk, where 64 keeps it at the ~1.5 KB a scrape of everything else. The
/// runtime reads the setting only from the environment, once, when the pool is first used: apply it
/// first thing in <c>Main</c>. An operator's own value is left alone.
/// </summary>
public static class SharedArrayPoolCapacity
{
    /// <summary>The runtime's variable: the most arrays of one size the shared pool keeps per CPU.</summary>
    public const string Variable = "DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION";

    /// <summary>What the exporter sets when the variable is not set (at most 4 MiB of 64 KiB arrays per CPU, kept only once used).</summary>
    public const int ArraysPerSizePerCpu = 64;

    /// <summary>Sets <see cref="Variable"/> to <see cref="ArraysPerSizePerCpu"/> unless it is already set.</summary>
    /// <returns>Whether it was set here.</returns>
    public static bool Apply()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            return false;
        }

        Environment.SetEnvironmentVariable(Variable, ArraysPerSizePerCpu.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return true;
    }
}
