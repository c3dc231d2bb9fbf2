using System.Text;
using TcpState.Core;

namespace TcpState.Tests.Fuzz;

/// <summary>
/// A <c>/proc/net/tcp</c> and (maybe) <c>/proc/net/tcp6</c> file pair built line by line, with what
/// <see cref="Kernel.Proc.ProcNetTcpReader"/> is documented to make of it: every valid line's record in
/// file order, one malformed count per bad or over-long line (a line that cannot fit the 64 KiB
/// buffer with its newline is counted once and dropped), empty lines and the header skipped, and for
/// <c>DumpListeners</c> the LISTEN records before each file's first record of another state.
/// </summary>
public sealed class ProcFileModel
{
    /// <summary>The reader's buffer: a line of this many bytes or more (newline excluded) cannot be read whole.</summary>
    public const int LongestReadableLine = (64 * 1024) - 1;

    private const byte Listen = 10;

    private ProcFileModel()
    {
    }

    public byte[] Tcp { get; private set; } = [];

    /// <summary>The tcp6 file, or null when it is absent (IPv6 disabled), which reads as an empty table.</summary>
    public byte[]? Tcp6 { get; private set; }

    public List<SocketRecord> ExpectedRecords { get; } = [];

    public List<SocketRecord> ExpectedListeners { get; } = [];

    public long ExpectedMalformed { get; private set; }

    public List<string> Layout { get; } = [];

    public static ProcFileModel Generate(FuzzRandom rng, string tcpHeader, string tcp6Header)
    {
        var model = new ProcFileModel();
        model.Tcp = model.File(rng, AddressFamilies.Inet, tcpHeader);
        model.Tcp6 = rng.OneIn(5) ? null : model.File(rng, AddressFamilies.Inet6, tcp6Header);
        if (model.Tcp6 is null)
        {
            model.Layout.Add("tcp6: absent");
        }

        return model;
    }

    private byte[] File(FuzzRandom rng, byte family, string header)
    {
        var name = family == AddressFamilies.Inet ? "tcp" : "tcp6";
        var text = new StringBuilder();
        var lines = rng.OneIn(16) ? rng.Between(450, 900) : rng.Below(24); // 450 lines pass the 64 KiB buffer
        var listenersOpen = true;
        var layout = new StringBuilder($"{name}: ");
        if (rng.Below(5) != 0)
        {
            text.Append(header).Append('\n');
            layout.Append('H');
        }

        // Listeners come first in the kernel's output; keep a run of them often, so DumpListeners has work.
        var leadingListeners = rng.Coin() ? rng.Below(6) : 0;

        // One line near or over the reader's buffer in some files (more would only make files slow to write).
        var longLine = lines > 0 && rng.OneIn(3) ? rng.Below(lines) : -1;
        for (var i = 0; i < lines; i++)
        {
            var kind = i == longLine ? 19 : rng.Below(19);
            string line;
            if (kind < 15)
            {
                var record = ProcLineModel.RandomRecord(rng, family);
                if (i < leadingListeners)
                {
                    record = WithState(record, Listen);
                }

                line = ProcLineModel.Join(rng, ProcLineModel.Fields(rng, record, i));
                Valid(record, ref listenersOpen);
                layout.Append(record.State == Listen ? 'L' : 'v');
            }
            else if (kind < 17)
            {
                line = Junk(rng, family, i);
                ExpectedMalformed++;
                layout.Append('x');
            }
            else if (kind < 19)
            {
                line = "";
                layout.Append('_');
            }
            else
            {
                // A line near or over the buffer: valid up to LongestReadableLine bytes, dropped above.
                var length = rng.Below(5) switch
                {
                    0 => LongestReadableLine - 1,
                    1 => LongestReadableLine,
                    2 => LongestReadableLine + 1,
                    3 => LongestReadableLine + 2,
                    _ => rng.Between(LongestReadableLine + 3, 3 * LongestReadableLine),
                };
                var record = ProcLineModel.RandomRecord(rng, family);
                var valid = ProcLineModel.Join(rng, ProcLineModel.Fields(rng, record, i));
                line = valid.PadRight(Math.Max(length, valid.Length), ' ');
                if (line.Length <= LongestReadableLine)
                {
                    Valid(record, ref listenersOpen);
                    layout.Append($"[long valid {line.Length}]");
                }
                else
                {
                    ExpectedMalformed++;
                    layout.Append($"[long dropped {line.Length}]");
                }
            }

            text.Append(line);
            if (i < lines - 1 || rng.Below(3) != 0)
            {
                text.Append('\n');
            }
        }

        Layout.Add(layout.ToString());
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private void Valid(in SocketRecord record, ref bool listenersOpen)
    {
        ExpectedRecords.Add(record);
        if (listenersOpen && record.State == Listen)
        {
            ExpectedListeners.Add(record);
        }
        else
        {
            listenersOpen = false;
        }
    }

    // Lines every reader must refuse (fewer than 10 fields, or a broken field), never empty, never a header.
    private static string Junk(FuzzRandom rng, byte family, int slot)
    {
        var record = ProcLineModel.RandomRecord(rng, family);
        var fields = ProcLineModel.Fields(rng, record, slot);
        switch (rng.Below(3))
        {
            case 0:
                return string.Join(' ', fields.Take(rng.Between(1, 9)));
            case 1:
            {
                var field = rng.Pick(ProcLineModel.CheckedFields);
                fields[field] = ProcLineModel.Invalid(rng, field, fields[field]);
                return string.Join(' ', fields);
            }

            default:
                return "garbage:" + new string('#', rng.Below(40));
        }
    }

    private static SocketRecord WithState(in SocketRecord record, byte state) => new()
    {
        Family = record.Family,
        State = state,
        LocalAddress = record.LocalAddress,
        LocalPort = record.LocalPort,
        RemoteAddress = record.RemoteAddress,
        RemotePort = record.RemotePort,
        SendQueue = record.SendQueue,
        ReceiveQueue = record.ReceiveQueue,
        Uid = record.Uid,
        Inode = record.Inode,
    };
}
