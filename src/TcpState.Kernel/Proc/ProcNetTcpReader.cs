using Microsoft.Win32.SafeHandles;
using TcpState.Core;

namespace TcpState.Kernel.Proc;

/// <summary>
/// Reads <c>{procRoot}/net/tcp</c> and <c>{procRoot}/net/tcp6</c> line by line through one reused
/// 64 KiB buffer. The fallback when netlink is unavailable; also runs on captured fixtures when
/// the proc root points at a copy. Not thread-safe.
/// </summary>
public sealed class ProcNetTcpReader : ISocketTableSource
{
    private const int BufferSize = 64 * 1024;

    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(BufferSize);
    private readonly string _tcpPath;
    private readonly string _tcp6Path;

    public ProcNetTcpReader(string procRoot)
    {
        _tcpPath = Path.Combine(procRoot, "net", "tcp");
        _tcp6Path = Path.Combine(procRoot, "net", "tcp6");
    }

    public string Name => "proc";

    // /proc prints the send queue for listeners too, not the backlog.
    public bool ReportsListenQueueLimit => false;

    public void DumpListeners(ISocketSink sink)
    {
        // The kernel prints the listening hash before the established one, so the listeners are
        // the head of each file: stop at the first line of another state. A listener found later
        // (older kernels) is still learned by the main dump.
        ReadFile(_tcpPath, AddressFamilies.Inet, sink, listenersOnly: true, required: true);
        ReadFile(_tcp6Path, AddressFamilies.Inet6, sink, listenersOnly: true, required: false);
    }

    public DumpResult Dump(ISocketSink sink)
    {
        var malformed = ReadFile(_tcpPath, AddressFamilies.Inet, sink, listenersOnly: false, required: true);
        // tcp6 is absent when IPv6 is disabled: that is an empty table, not an error.
        malformed += ReadFile(_tcp6Path, AddressFamilies.Inet6, sink, listenersOnly: false, required: false);
        return new DumpResult(false, malformed);
    }

    private long ReadFile(string path, byte family, ISocketSink sink, bool listenersOnly, bool required)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (FileNotFoundException) when (!required)
        {
            return 0;
        }
        catch (DirectoryNotFoundException) when (!required)
        {
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SocketTableException("proc_error", $"cannot open {path}: {e.Message}", e);
        }

        using (handle)
        {
            try
            {
                return ReadLines(handle, family, sink, listenersOnly);
            }
            catch (IOException e)
            {
                throw new SocketTableException("proc_error", $"cannot read {path}: {e.Message}", e);
            }
        }
    }

    private long ReadLines(SafeFileHandle handle, byte family, ISocketSink sink, bool listenersOnly)
    {
        long malformed = 0, fileOffset = 0;
        var filled = 0;
        var skippingLongLine = false;
        var firstLine = true;
        while (true)
        {
            var read = RandomAccess.Read(handle, _buffer.AsSpan(filled), fileOffset);
            fileOffset += read;
            filled += read;
            var data = _buffer.AsSpan(0, filled);
            var atEnd = read == 0;
            var consumed = 0;
            while (consumed < data.Length)
            {
                var newline = data[consumed..].IndexOf((byte)'\n');
                if (newline < 0 && !atEnd)
                {
                    break; // the rest of this line is in the next read
                }

                var line = newline < 0 ? data[consumed..] : data.Slice(consumed, newline);
                consumed += newline < 0 ? line.Length : newline + 1;
                if (skippingLongLine)
                {
                    skippingLongLine = false;
                    continue;
                }

                if (firstLine)
                {
                    firstLine = false;
                    if (ProcNetTcpParser.IsHeader(line)) continue;
                }

                if (line.IsEmpty) continue;
                if (!ProcNetTcpParser.TryParse(line, family, out var socket))
                {
                    malformed++;
                    continue;
                }

                if (listenersOnly && socket.State != (byte)KernelTcpState.Listen)
                {
                    return malformed;
                }

                sink.OnSocket(socket);
            }

            if (atEnd)
            {
                return malformed;
            }

            data[consumed..].CopyTo(_buffer);
            filled = data.Length - consumed;
            if (filled == BufferSize)
            {
                // No real line is this long: count it once and drop it up to its newline.
                if (!skippingLongLine) malformed++;
                skippingLongLine = true;
                filled = 0;
            }
        }
    }

    public void Dispose()
    {
    }
}
