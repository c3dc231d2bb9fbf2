namespace TcpState.Tests.Fuzz;

/// <summary>What a fuzz case exercises. A run draws each case's target from its own seed.</summary>
[Flags]
public enum FuzzTarget
{
    /// <summary><c>InetDiagParser.ParseDatagram</c> on random, modelled and mutated netlink datagrams.</summary>
    Netlink = 1,

    /// <summary><c>ProcNetTcpParser.TryParse</c> on lines, and <c>ProcNetTcpReader</c> on whole files.</summary>
    Proc = 2,

    /// <summary><c>PrometheusTextSerializer</c> on hostile families, checked by a strict parser and promtool.</summary>
    Exposition = 4,

    All = Netlink | Proc | Exposition,
}
