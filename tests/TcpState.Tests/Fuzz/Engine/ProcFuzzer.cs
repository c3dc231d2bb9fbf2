using System.Text;
using TcpState.Core;
using TcpState.Kernel.Proc;

namespace TcpState.Tests.Fuzz;

/// <summary>
/// Fuzz cases for the /proc source: <see cref="ProcNetTcpParser.TryParse"/> on random, modelled and
/// mutated lines, and <see cref="ProcNetTcpReader"/> on whole modelled or mutated files (written to a
/// scratch directory laid out like /proc, so the real read loop with its 64 KiB buffer runs).
/// </summary>
public sealed class ProcFuzzer : IDisposable
{
    private static readonly byte[] NearValidAlphabet = "0123456789ABCDEFabcdef:  \t\r\nGx-"u8.ToArray();

    private readonly byte[] _tcpCapture;
    private readonly byte[] _tcp6Capture;
    private readonly string[] _captureLines;
    private readonly string _tcpHeader;
    private readonly string _tcp6Header;
    private readonly string _root;
    private readonly ProcNetTcpReader _reader;
    private readonly CollectingSink _sink = new();
    private readonly CollectingSink _listeners = new();
    private string _kind = "";
    private byte[] _line = [];
    private byte _family;
    private string _expectation = "";
    private ProcFileModel? _fileModel;
    private byte[] _tcp = [];
    private byte[]? _tcp6;

    /// <param name="tcpCapture">A real /proc/net/tcp (fixture).</param>
    /// <param name="tcp6Capture">A real /proc/net/tcp6 (fixture).</param>
    /// <param name="scratchDirectory">Where to write files for the reader; a fresh directory under /dev/shm or the temp folder when null.</param>
    public ProcFuzzer(byte[] tcpCapture, byte[] tcp6Capture, string? scratchDirectory = null)
    {
        _tcpCapture = tcpCapture;
        _tcp6Capture = tcp6Capture;
        _captureLines = Encoding.UTF8.GetString(tcpCapture).Split('\n', StringSplitOptions.RemoveEmptyEntries)[1..]
            .Concat(Encoding.UTF8.GetString(tcp6Capture).Split('\n', StringSplitOptions.RemoveEmptyEntries)[1..]).ToArray();
        _tcpHeader = Encoding.UTF8.GetString(tcpCapture).Split('\n')[0];
        _tcp6Header = Encoding.UTF8.GetString(tcp6Capture).Split('\n')[0];
        var parent = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        _root = scratchDirectory ?? Path.Combine(parent, $"tcpstate-fuzz-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(_root, "net"));
        _reader = new ProcNetTcpReader(_root);
    }

    public string Kind => _kind;

    public void Run(FuzzRandom rng)
    {
        _fileModel = null;
        _expectation = "";
        switch (rng.Below(16))
        {
            case 0:
                if (rng.Coin())
                {
                    ModelledFile(rng);
                }
                else
                {
                    MutatedCaptureFile(rng);
                }

                return;
            case <= 3:
                _kind = "proc/random-line";
                _family = rng.Coin() ? AddressFamilies.Inet : AddressFamilies.Inet6;
                _line = RandomLine(rng);
                Parse(out _);
                return;
            case <= 8:
                ModelledLine(rng);
                return;
            case <= 12:
                ReplacedFieldLine(rng);
                return;
            default:
                MutatedLine(rng);
                return;
        }
    }

    public string DescribeInput()
    {
        if (_kind.StartsWith("proc/file", StringComparison.Ordinal))
        {
            var text = new StringBuilder("ProcNetTcpReader(root).Dump(sink) and DumpListeners(sink) with\n");
            if (_fileModel is not null)
            {
                text.Append("layout (H header, L listener, v other valid, x malformed, _ empty):\n  ")
                    .Append(string.Join("\n  ", _fileModel.Layout)).Append('\n')
                    .Append($"expected: {_fileModel.ExpectedRecords.Count} records, {_fileModel.ExpectedMalformed} malformed, {_fileModel.ExpectedListeners.Count} listeners\n");
            }

            text.Append("net/tcp =\n").Append(FuzzFormat.Bytes(_tcp));
            text.Append(_tcp6 is null ? "net/tcp6 absent\n" : "net/tcp6 =\n" + FuzzFormat.Bytes(_tcp6));
            return text.ToString();
        }

        return $"ProcNetTcpParser.TryParse(line, family: {_family}, out record) with line =\n{FuzzFormat.Bytes(_line)}" +
            $"as text: {FuzzFormat.Literal(Encoding.UTF8.GetString(_line))}\n{_expectation}";
    }

    public void Dispose()
    {
        _reader.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a scratch directory left in /dev/shm is harmless and named after the pid.
        }
    }

    private bool Parse(out SocketRecord record)
    {
        var parsed = ProcNetTcpParser.TryParse(_line, _family, out record);
        if (parsed)
        {
            FuzzPropertyException.Check(record.Family == _family, $"parsed a record of family {record.Family} from a family {_family} line");
            FuzzPropertyException.Check(record.Cookie == 0, "a /proc record carries a cookie");

            // Whatever was accepted means one record: printing it the kernel's way parses back to it.
            var canonical = Encoding.ASCII.GetBytes(ProcLineModel.Canonical(record));
            FuzzPropertyException.Check(ProcNetTcpParser.TryParse(canonical, _family, out var again) && SocketRecords.Same(record, again),
                $"the accepted record {SocketRecords.Describe(record)} does not survive printing as {Encoding.ASCII.GetString(canonical)}");
        }

        return parsed;
    }

    private void ModelledLine(FuzzRandom rng)
    {
        _kind = "proc/modelled-line";
        _family = rng.Coin() ? AddressFamilies.Inet : AddressFamilies.Inet6;
        var expected = ProcLineModel.RandomRecord(rng, _family);
        _line = Encoding.UTF8.GetBytes(ProcLineModel.Join(rng, ProcLineModel.Fields(rng, expected, rng.Below(100000))));
        _expectation = "expected: " + SocketRecords.Describe(expected);
        FuzzPropertyException.Check(Parse(out var record), "a line printed the kernel's way was refused");
        FuzzPropertyException.Check(SocketRecords.Same(expected, record), $"parsed {SocketRecords.Describe(record)}");
    }

    // One field replaced: the parser must ignore the fields it does not read, and refuse a bad one it does.
    private void ReplacedFieldLine(FuzzRandom rng)
    {
        _kind = "proc/replaced-field";
        _family = rng.Coin() ? AddressFamilies.Inet : AddressFamilies.Inet6;
        var expected = ProcLineModel.RandomRecord(rng, _family);
        var fields = ProcLineModel.Fields(rng, expected, rng.Below(100000));
        var field = rng.Below(fields.Count);
        var isChecked = Array.IndexOf(ProcLineModel.CheckedFields, field) >= 0;
        fields[field] = isChecked ? ProcLineModel.Invalid(rng, field, fields[field]) : RandomToken(rng);
        _line = Encoding.UTF8.GetBytes(ProcLineModel.Join(rng, fields));
        if (isChecked)
        {
            _expectation = $"expected: refused (field {field} is invalid)";
            FuzzPropertyException.Check(!Parse(out var record), $"accepted an invalid field {field}: {SocketRecords.Describe(record)}");
        }
        else
        {
            _expectation = $"expected (field {field} is not read): {SocketRecords.Describe(expected)}";
            FuzzPropertyException.Check(Parse(out var record), $"refused a line whose unread field {field} changed");
            FuzzPropertyException.Check(SocketRecords.Same(expected, record), $"parsed {SocketRecords.Describe(record)}");
        }
    }

    private void MutatedLine(FuzzRandom rng)
    {
        _kind = "proc/mutated-line";
        _family = rng.Coin() ? AddressFamilies.Inet : AddressFamilies.Inet6;
        var text = rng.Coin()
            ? rng.Pick(_captureLines)
            : ProcLineModel.Join(rng, ProcLineModel.Fields(rng, ProcLineModel.RandomRecord(rng, _family), rng.Below(1000)));
        var bytes = new List<byte>(Encoding.UTF8.GetBytes(text));
        var mutations = rng.Between(1, 3);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            var at = rng.Below(bytes.Count);
            switch (rng.Below(4))
            {
                case 0:
                    bytes[at] = rng.Coin() ? rng.Pick(NearValidAlphabet) : rng.NextByte();
                    break;
                case 1:
                    bytes.Insert(at, rng.Coin() ? rng.Pick(NearValidAlphabet) : rng.NextByte());
                    break;
                case 2:
                    bytes.RemoveRange(at, Math.Min(rng.Between(1, 6), bytes.Count - at));
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
            }
        }

        _line = [.. bytes];
        Parse(out _);
    }

    private void ModelledFile(FuzzRandom rng)
    {
        _kind = "proc/file-modelled";
        _fileModel = ProcFileModel.Generate(rng, _tcpHeader, _tcp6Header);
        _tcp = _fileModel.Tcp;
        _tcp6 = _fileModel.Tcp6;
        var (malformed, _) = DumpFiles();
        FuzzPropertyException.Check(malformed == _fileModel.ExpectedMalformed, $"malformed {malformed}, expected {_fileModel.ExpectedMalformed}");
        SocketRecords.CheckSequence(_fileModel.ExpectedRecords, _sink.Records, "Dump of modelled files");
        SocketRecords.CheckSequence(_fileModel.ExpectedListeners, _listeners.Records, "DumpListeners of modelled files");
    }

    private void MutatedCaptureFile(FuzzRandom rng)
    {
        _kind = "proc/file-mutated-capture";
        _tcp = Mutate(rng, _tcpCapture);
        _tcp6 = rng.Coin() ? Mutate(rng, _tcp6Capture) : null;
        var (malformed, lines) = DumpFiles();
        FuzzPropertyException.Check(_sink.Records.Count + malformed <= lines,
            $"{_sink.Records.Count} records and {malformed} malformed out of {lines} lines");
        var seenInet6 = false;
        foreach (var record in _sink.Records)
        {
            // tcp is read before tcp6, and each file yields records of its own family only.
            seenInet6 |= record.Family == AddressFamilies.Inet6;
            FuzzPropertyException.Check(record.Family == (seenInet6 ? AddressFamilies.Inet6 : AddressFamilies.Inet),
                $"record of family {record.Family} out of place: {SocketRecords.Describe(record)}");
        }
    }

    private (long Malformed, int Lines) DumpFiles()
    {
        var tcpPath = Path.Combine(_root, "net", "tcp");
        var tcp6Path = Path.Combine(_root, "net", "tcp6");
        File.WriteAllBytes(tcpPath, _tcp);
        if (_tcp6 is null)
        {
            File.Delete(tcp6Path);
        }
        else
        {
            File.WriteAllBytes(tcp6Path, _tcp6);
        }

        _sink.Clear();
        _listeners.Clear();
        var result = _reader.Dump(_sink);
        FuzzPropertyException.Check(!result.Interrupted, "a /proc dump reported itself interrupted");
        FuzzPropertyException.Check(result.MalformedRecords >= 0, $"negative malformed count {result.MalformedRecords}");
        _reader.DumpListeners(_listeners);
        foreach (var listener in _listeners.Records)
        {
            FuzzPropertyException.Check(listener.State == 10, $"DumpListeners reported a non-LISTEN record {SocketRecords.Describe(listener)}");
        }

        return (result.MalformedRecords, Lines(_tcp) + (_tcp6 is null ? 0 : Lines(_tcp6)));
    }

    private static int Lines(byte[] file)
    {
        var lines = 0;
        var start = 0;
        for (var i = 0; i <= file.Length; i++)
        {
            if (i == file.Length || file[i] == (byte)'\n')
            {
                if (i > start) lines++;
                start = i + 1;
            }
        }

        return lines;
    }

    private static byte[] Mutate(FuzzRandom rng, byte[] original)
    {
        var bytes = new List<byte>(original);
        var mutations = rng.Between(1, 3);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            var at = rng.Below(bytes.Count);
            switch (rng.Below(6))
            {
                case 0:
                    for (var i = at; i < Math.Min(bytes.Count, at + rng.Between(1, 8)); i++) bytes[i] = rng.Pick(NearValidAlphabet);
                    break;
                case 1:
                    bytes.Insert(at, (byte)'\n');
                    break;
                case 2:
                    var newline = bytes.IndexOf((byte)'\n', at);
                    if (newline >= 0) bytes.RemoveAt(newline);
                    break;
                case 3:
                    // A run long enough to cross the reader's 64 KiB buffer.
                    var run = new byte[rng.Between(1, 3 * 65536)];
                    Array.Fill(run, rng.Coin() ? (byte)' ' : (byte)'A');
                    bytes.InsertRange(at, run);
                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    bytes.InsertRange(at, bytes.GetRange(at, Math.Min(rng.Between(1, 400), bytes.Count - at)));
                    break;
            }
        }

        return [.. bytes];
    }

    private static byte[] RandomLine(FuzzRandom rng)
    {
        var line = new byte[rng.OneIn(4) ? rng.Below(40) : rng.Below(220)];
        if (rng.Coin())
        {
            rng.Fill(line);
        }
        else
        {
            for (var i = 0; i < line.Length; i++) line[i] = rng.Pick(NearValidAlphabet);
        }

        return line;
    }

    private static string RandomToken(FuzzRandom rng)
    {
        var token = new char[rng.Between(1, 20)];
        for (var i = 0; i < token.Length; i++) token[i] = (char)rng.Between('!', '~');
        return new string(token);
    }
}
