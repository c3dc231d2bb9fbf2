using System.Globalization;
using System.Net;

namespace TcpState.Exporter.Configuration;

/// <summary>A parsed <c>--web.listen-address</c>: an IP address (null for every interface) and a port.</summary>
public sealed record ListenEndpoint(IPAddress? Address, int Port)
{
    /// <summary>Accepts <c>:PORT</c>, <c>HOST:PORT</c>, <c>[IPv6]:PORT</c>; HOST is an IP address or <c>localhost</c>.</summary>
    public static bool TryParse(string text, out ListenEndpoint? endpoint, out string? error)
    {
        endpoint = null;
        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            error = "expected HOST:PORT, [IPv6]:PORT or :PORT";
            return false;
        }

        var host = text[..colon];
        var portText = text[(colon + 1)..];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            error = $"port \"{portText}\" is not a number from 1 to 65535";
            return false;
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        IPAddress? address;
        if (host.Length == 0)
        {
            address = null;
        }
        else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (!IPAddress.TryParse(host, out address))
        {
            error = $"host \"{host}\" is not an IP address or localhost";
            return false;
        }

        endpoint = new ListenEndpoint(address, port);
        error = null;
        return true;
    }

    public override string ToString() => Address switch
    {
        null => $":{Port}",
        { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } => $"[{Address}]:{Port}",
        _ => $"{Address}:{Port}",
    };
}
