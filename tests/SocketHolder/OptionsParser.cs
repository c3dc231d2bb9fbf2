using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SocketHolder;

/// <summary>Strict command-line parser: anything unexpected is a <see cref="UsageException"/>, never a silent default.</summary>
internal static class OptionsParser
{
    public const int DefaultBacklog = 128;
    public const int DefaultTimeoutSeconds = 120;

    // Upper bounds keep every setup loop in the holder bounded even with a typo on the command line.
    private const int MaxCount = 1000;
    private const int MaxBacklog = 1024;
    private const int MaxTimeoutSeconds = 3600;

    public const string Usage = """
        Usage: SocketHolder [options]
        Builds TCP sockets on loopback, prints one line 'READY {json}' and holds them until stdin is
        closed or the timeout expires.

          --address ADDR                 local address for every socket (default 127.0.0.1), e.g. ::1
          --ipv4 | --ipv6                shorthand for --address 127.0.0.1 | --address ::1
          --timeout SECONDS              exit by itself after this long (default 120)
          --ignore-stdin                 do not exit on stdin EOF (only the timeout ends the process)
          --listen PORT[:backlog=N]      listening socket (default backlog 128)
          --established PORT:N           N pairs, both ends open (ESTABLISHED x2)
          --close-wait PORT:N            N pairs, client close()d: server CLOSE_WAIT, orphaned client FIN_WAIT2
          --fin-wait2 PORT:N             N pairs, client shutdown(SHUT_WR) but open: client FIN_WAIT2, server CLOSE_WAIT
          --time-wait-server PORT:N      N pairs, server closes first: server side TIME_WAIT
          --time-wait-client PORT:N      N pairs, client closes first: client side TIME_WAIT
          --listen-full PORT:backlog=B:clients=C
                                         listener that never accepts; min(C, B+1) clients ESTABLISHED in the
                                         accept queue, the rest stay SYN_SENT
          --connect PORT:N               N clients to a port another process listens on (ESTABLISHED, held)
          --accept PORT[:max=N]          accept up to N (default 1000) connections from other processes on a
                                         --listen port after READY; prints 'ACCEPTED {json}' per connection
        Pair options create a listener on PORT (backlog 128) unless --listen declares it. Options repeat.
        Exit codes: 0 normal (stdin closed or timeout), 1 setup failed, 2 usage error.
        """;

    public static HolderOptions Parse(IReadOnlyList<string> args)
    {
        var address = IPAddress.Loopback;
        var timeoutSeconds = DefaultTimeoutSeconds;
        var ignoreStdin = false;
        var showHelp = false;
        var listeners = new List<ListenRequest>();
        var pairs = new List<PairRequest>();
        var listenFull = new List<ListenFullRequest>();
        var connects = new List<ConnectRequest>();
        var accepts = new List<AcceptRequest>();

        for (var i = 0; i < args.Count; i++)
        {
            var option = args[i];
            switch (option)
            {
                case "--help" or "-h":
                    showHelp = true;
                    break;
                case "--ipv4":
                    address = IPAddress.Loopback;
                    break;
                case "--ipv6":
                    address = IPAddress.IPv6Loopback;
                    break;
                case "--ignore-stdin":
                    ignoreStdin = true;
                    break;
                case "--address":
                    var text = Value(args, ref i);
                    if (!IPAddress.TryParse(text, out var parsed) || text.Contains('%', StringComparison.Ordinal))
                    {
                        throw new UsageException($"--address: '{text}' is not an IP address");
                    }

                    address = parsed;
                    break;
                case "--timeout":
                    timeoutSeconds = Number(option, Value(args, ref i), 1, MaxTimeoutSeconds);
                    break;
                case "--listen":
                    listeners.Add(ParseListen(option, Value(args, ref i)));
                    break;
                case "--established":
                    pairs.Add(ParsePair(PairScenario.Established, option, Value(args, ref i)));
                    break;
                case "--close-wait":
                    pairs.Add(ParsePair(PairScenario.CloseWait, option, Value(args, ref i)));
                    break;
                case "--fin-wait2":
                    pairs.Add(ParsePair(PairScenario.FinWait2, option, Value(args, ref i)));
                    break;
                case "--time-wait-server":
                    pairs.Add(ParsePair(PairScenario.TimeWaitServer, option, Value(args, ref i)));
                    break;
                case "--time-wait-client":
                    pairs.Add(ParsePair(PairScenario.TimeWaitClient, option, Value(args, ref i)));
                    break;
                case "--listen-full":
                    listenFull.Add(ParseListenFull(option, Value(args, ref i)));
                    break;
                case "--connect":
                    var (port, count) = PortAndCount(option, Value(args, ref i));
                    connects.Add(new ConnectRequest(port, count));
                    break;
                case "--accept":
                    accepts.Add(ParseAccept(option, Value(args, ref i)));
                    break;
                default:
                    throw new UsageException($"unknown argument '{option}'");
            }
        }

        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new UsageException($"--address: unsupported address family {address.AddressFamily}");
        }

        Validate(listeners, pairs, listenFull, connects, accepts);

        // Pair scenarios need someone to connect to; a listener per port is created implicitly so that
        // '--time-wait-client 9090:1' works without a separate '--listen 9090'.
        foreach (var port in pairs.Select(p => p.Port).Distinct())
        {
            if (!listeners.Any(l => l.Port == port))
            {
                listeners.Add(new ListenRequest(port, DefaultBacklog, Explicit: false));
            }
        }

        return new HolderOptions(
            address,
            TimeSpan.FromSeconds(timeoutSeconds),
            ignoreStdin,
            showHelp,
            listeners,
            pairs,
            listenFull,
            connects,
            accepts);
    }

    private static void Validate(
        List<ListenRequest> listeners,
        List<PairRequest> pairs,
        List<ListenFullRequest> listenFull,
        List<ConnectRequest> connects,
        List<AcceptRequest> accepts)
    {
        var duplicateListen = listeners.GroupBy(l => l.Port).FirstOrDefault(g => g.Count() > 1);
        if (duplicateListen is not null)
        {
            throw new UsageException($"--listen {duplicateListen.Key} given twice");
        }

        var fullPorts = listenFull.Select(f => f.Port).ToList();
        var duplicateFull = fullPorts.GroupBy(p => p).FirstOrDefault(g => g.Count() > 1);
        if (duplicateFull is not null)
        {
            throw new UsageException($"--listen-full {duplicateFull.Key} given twice");
        }

        // A full listener must stay untouched: any other use of its port would change its accept queue.
        foreach (var port in fullPorts)
        {
            if (listeners.Any(l => l.Port == port) || pairs.Any(p => p.Port == port)
                || connects.Any(c => c.Port == port) || accepts.Any(a => a.Port == port))
            {
                throw new UsageException($"--listen-full port {port} must not be used by any other option");
            }
        }

        foreach (var accept in accepts)
        {
            if (!listeners.Any(l => l.Port == accept.Port))
            {
                throw new UsageException($"--accept {accept.Port} needs '--listen {accept.Port}'");
            }

            // The pair scenarios accept synchronously and match the accepted socket to their client;
            // a background accept loop on the same listener would steal those connections.
            if (pairs.Any(p => p.Port == accept.Port))
            {
                throw new UsageException($"--accept port {accept.Port} must not be used by pair options");
            }
        }

        if (accepts.GroupBy(a => a.Port).FirstOrDefault(g => g.Count() > 1) is { } duplicateAccept)
        {
            throw new UsageException($"--accept {duplicateAccept.Key} given twice");
        }

        foreach (var connect in connects)
        {
            // Our own listener would never accept these, which is what --listen-full is for.
            if (listeners.Any(l => l.Port == connect.Port) || pairs.Any(p => p.Port == connect.Port))
            {
                throw new UsageException($"--connect {connect.Port} targets a port this holder listens on; it is for other processes' listeners");
            }
        }
    }

    private static string Value(IReadOnlyList<string> args, ref int i)
    {
        if (i + 1 >= args.Count)
        {
            throw new UsageException($"{args[i]} needs a value");
        }

        i++;
        return args[i];
    }

    private static ListenRequest ParseListen(string option, string value)
    {
        var parts = value.Split(':');
        var port = Port(option, parts[0]);
        return parts.Length switch
        {
            1 => new ListenRequest(port, DefaultBacklog, Explicit: true),
            2 => new ListenRequest(port, Number(option, Named(option, parts[1], "backlog"), 0, MaxBacklog), Explicit: true),
            _ => throw new UsageException($"{option}: expected PORT[:backlog=N], got '{value}'"),
        };
    }

    private static PairRequest ParsePair(PairScenario scenario, string option, string value)
    {
        var (port, count) = PortAndCount(option, value);
        return new PairRequest(scenario, port, count);
    }

    private static (int Port, int Count) PortAndCount(string option, string value)
    {
        var parts = value.Split(':');
        if (parts.Length != 2)
        {
            throw new UsageException($"{option}: expected PORT:N, got '{value}'");
        }

        return (Port(option, parts[0]), Number(option, parts[1], 1, MaxCount));
    }

    private static ListenFullRequest ParseListenFull(string option, string value)
    {
        var parts = value.Split(':');
        if (parts.Length != 3)
        {
            throw new UsageException($"{option}: expected PORT:backlog=B:clients=C, got '{value}'");
        }

        return new ListenFullRequest(
            Port(option, parts[0]),
            Number(option, Named(option, parts[1], "backlog"), 0, MaxBacklog),
            Number(option, Named(option, parts[2], "clients"), 1, MaxCount));
    }

    private static AcceptRequest ParseAccept(string option, string value)
    {
        var parts = value.Split(':');
        return parts.Length switch
        {
            1 => new AcceptRequest(Port(option, parts[0]), MaxCount),
            2 => new AcceptRequest(Port(option, parts[0]), Number(option, Named(option, parts[1], "max"), 1, MaxCount)),
            _ => throw new UsageException($"{option}: expected PORT[:max=N], got '{value}'"),
        };
    }

    private static string Named(string option, string part, string name)
    {
        var prefix = name + "=";
        if (!part.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new UsageException($"{option}: expected '{prefix}N', got '{part}'");
        }

        return part[prefix.Length..];
    }

    private static int Port(string option, string text) => Number(option, text, 1, 65535);

    private static int Number(string option, string text, int min, int max)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"{option}: '{text}' is not a number in {min}..{max}");
        }

        return value;
    }
}
