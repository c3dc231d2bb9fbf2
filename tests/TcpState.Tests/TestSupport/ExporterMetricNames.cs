namespace TcpState.Tests.TestSupport;

/// <summary>
/// The metric names tcpstate-exporter produces, as exposed (counters with _total): the contract that dashboards
/// and rules may rely on. A test checks this list against the README's metrics table, and the end-to-end test
/// checks that the ones the dashboards use were really scraped from a running exporter.
/// </summary>
public static class ExporterMetricNames
{
    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "tcpstate_sockets",
        "tcpstate_port_sockets",
        "tcpstate_oldest_socket_age_seconds",
        "tcpstate_stuck_sockets",
        "tcpstate_stuck_threshold_seconds",
        "tcpstate_listen_queue",
        "tcpstate_listen_queue_limit",
        "tcpstate_unattributed_sockets",
        "tcpstate_tracked_sockets",
        "tcpstate_attribution_duration_seconds",
        "tcpstate_sample_duration_seconds",
        "tcpstate_sample_interval_seconds",
        "tcpstate_last_sample_timestamp_seconds",
        "tcpstate_last_sample_success",
        "tcpstate_folded_series",
        "tcpstate_samples_total",
        "tcpstate_sample_errors_total",
        "tcpstate_sample_retries_total",
        "tcpstate_malformed_records_total",
        "tcpstate_build_info",
        "tcpstate_exposition_cardinality_overflow_metrics",
        "tcpstate_exposition_conflicting_metrics_dropped",
        "tcpstate_http_auth_failures_total",
        "tcpstate_ephemeral_port_range_size",
        "tcpstate_destination_ephemeral_ports",
        "tcpstate_destination_ephemeral_port_ratio",
        "tcpstate_destination_time_wait_sockets",
        "tcpstate_otlp_exports_total",
        "tcpstate_otlp_export_failures_total",
        "tcpstate_netns_info",
        "tcpstate_netns_discovered",
        "tcpstate_netns_skipped",
        "tcpstate_netns_sample_duration_seconds",
    };

    /// <summary>The metric names in the first column of the README's metrics table (rows starting with "| `tcpstate_").</summary>
    public static IReadOnlySet<string> InReadme()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(RepositoryFiles.Readme))
        {
            if (line.StartsWith("| `tcpstate_", StringComparison.Ordinal))
            {
                var end = line.IndexOf('`', 3);
                names.Add(line[3..end]);
            }
        }

        return names;
    }

    /// <summary>The names recorded by the rules file, which dashboards may read once the rules are loaded.</summary>
    public static IReadOnlySet<string> Recorded() =>
        PrometheusRulesFile.Load(RepositoryFiles.RulesFile).Recordings.Select(r => r.Record!).ToHashSet(StringComparer.Ordinal);
}
