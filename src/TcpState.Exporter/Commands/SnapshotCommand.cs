using Microsoft.Extensions.Logging;
using TcpState.Core;
using TcpState.Exporter.Configuration;
using TcpState.Exporter.Sampling;

namespace TcpState.Exporter.Commands;

/// <summary><c>tcpstate-exporter snapshot</c>: one sample, printed as a table, for the person on the box.</summary>
public static class SnapshotCommand
{
    public const int TopPerState = 5;

    public static int Run(ExporterOptions options, ILoggerFactory loggerFactory, TextWriter output, TextWriter error)
    {
        // A running exporter has followed the sockets for a while: its ages mean something,
        // where a one-off sample sees every socket for the first time.
        if (TryFetchFromDaemon(options.ListenAddress, out var fromDaemon, out var url))
        {
            output.WriteLine($"From the running exporter at {url} (ages since it first saw each socket):");
            output.Write(SnapshotTable.Format(fromDaemon!, TopPerState));
            return 0;
        }

        try
        {
            var sampler = SamplerFactory.Create(options, SamplerFactory.CreateOwners(options, TimeProvider.System), TimeProvider.System, loggerFactory.CreateLogger("TcpState.Exporter.Snapshot"));
            using var source = sampler.Source;
            output.WriteLine("No running exporter answered; one sample taken now (so every age reads 0s):");
            output.Write(SnapshotTable.Format(sampler.Sample(), TopPerState));
            return 0;
        }
        catch (SocketTableException e)
        {
            error.WriteLine($"tcpstate-exporter: cannot sample the socket table ({e.Reason}): {e.Message}");
            return 1;
        }
    }

    private static bool TryFetchFromDaemon(ListenEndpoint endpoint, out SocketSnapshot? snapshot, out string url)
    {
        var host = endpoint.Address switch
        {
            null => "127.0.0.1",
            { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } a when a.Equals(System.Net.IPAddress.IPv6Any) => "[::1]",
            { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } a => $"[{a}]",
            { } a when a.Equals(System.Net.IPAddress.Any) => "127.0.0.1",
            { } a => a.ToString(),
        };
        url = $"http://{host}:{endpoint.Port}/api/v1/snapshot";
        snapshot = null;
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            using var response = client.GetAsync(url).GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode) return false;
            var document = System.Text.Json.JsonSerializer.Deserialize(response.Content.ReadAsStream(), Api.SnapshotJsonContext.Default.SnapshotDocument);
            snapshot = document?.ToSnapshot();
            return snapshot is not null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            return false; // nothing of ours listens there: sample directly
        }
    }
}
