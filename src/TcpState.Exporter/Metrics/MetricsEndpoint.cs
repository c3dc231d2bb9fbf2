using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TcpState.Exporter.Configuration;

namespace TcpState.Exporter.Metrics;

/// <summary>Serves the Prometheus exposition at the telemetry path.</summary>
public static class MetricsEndpoint
{
    public static void AddServices(IServiceCollection services, ExporterOptions options)
    {
    }

    public static void Map(WebApplication app, string path) =>
        app.MapGet(path, () => Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
}
