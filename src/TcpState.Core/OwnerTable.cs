namespace TcpState.Core;

/// <summary>
/// The owners of one sample, numbered so that group keys stay 64-bit integers. Owners with the
/// same label values share a number (two processes both named nginx are one series unless the
/// pid label is on).
/// </summary>
public sealed class OwnerTable
{
    /// <summary>No owner: TIME_WAIT and orphaned sockets on the client side (label value "").</summary>
    public const int None = 0;

    /// <summary>An owner exists (the socket has an inode) but was not found: no permission to read its process, or it came and went between dump and walk.</summary>
    public const int Unknown = 1;

    /// <summary>Placeholder while a sample runs: "the owner of the listener on this port", resolved at the end.</summary>
    public const int ListenerOfPort = 2;

    /// <summary>The label value for <see cref="Unknown"/>.</summary>
    public const string UnknownLabel = "(unknown)";

    private readonly Dictionary<(string Name, int Pid), int> _ids = new();

    // The owners of a sample are a handful of objects met once per socket: looking them up by
    // reference saves hashing a name string per socket.
    private readonly Dictionary<SocketOwner, int> _byReference = new(ReferenceEqualityComparer.Instance);
    private readonly List<(string Name, int Pid)> _labels = [];
    private readonly bool _withPid;

    public OwnerTable(bool withPid)
    {
        _withPid = withPid;
        Clear();
    }

    public void Clear()
    {
        _ids.Clear();
        _byReference.Clear();
        _labels.Clear();
        _labels.Add(("", 0));
        _labels.Add((UnknownLabel, 0));
        _labels.Add(("", 0));
    }

    public int IdOf(SocketOwner owner)
    {
        ref var known = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_byReference, owner, out var seen);
        if (seen) return known;
        known = IdOfLabel(owner);
        return known;
    }

    private int IdOfLabel(SocketOwner owner)
    {
        var label = (owner.Name, _withPid ? owner.Pid : 0);
        ref var id = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_ids, label, out var existed);
        if (!existed)
        {
            id = _labels.Count;
            _labels.Add(label);
        }

        return id;
    }

    /// <summary>The <c>process</c> label value.</summary>
    public string Name(int id) => _labels[id].Name;

    /// <summary>The <c>pid</c> label value, or null when the owner has none.</summary>
    public string? Pid(int id) => _labels[id].Pid > 0 ? _labels[id].Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
}
