using System.Net;

namespace SocketHolder;

/// <summary>The parsed command line.</summary>
internal sealed record HolderOptions(
    IPAddress Address,
    TimeSpan Timeout,
    bool IgnoreStdin,
    bool ShowHelp,
    IReadOnlyList<ListenRequest> Listeners,
    IReadOnlyList<PairRequest> Pairs,
    IReadOnlyList<ListenFullRequest> ListenFull,
    IReadOnlyList<ConnectRequest> Connects,
    IReadOnlyList<AcceptRequest> Accepts);
