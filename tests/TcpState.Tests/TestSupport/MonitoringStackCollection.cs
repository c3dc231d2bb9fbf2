namespace TcpState.Tests.TestSupport;

/// <summary>
/// The end-to-end dashboard and alert tests share one <see cref="MonitoringStack"/>: starting Prometheus, the
/// exporter and the sockets once keeps the suite fast, and the tests only read from it.
/// </summary>
[CollectionDefinition(Name)]
public sealed class MonitoringStackCollection : ICollectionFixture<MonitoringStack>
{
    public const string Name = "Prometheus end to end";
}
