using System.Buffers;

namespace TcpState.Tests.Fuzz;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> that hands out exactly the size asked for (one byte when asked
/// for none), so that every chunk boundary of a writer falls where it asked for room: output must
/// not depend on how the destination chunks it.
/// </summary>
public sealed class StingyBufferWriter : IBufferWriter<byte>
{
    private readonly MemoryStream _written = new();
    private byte[] _current = [];

    public byte[] ToArray() => _written.ToArray();

    public void Advance(int count)
    {
        if (count < 0 || count > _current.Length)
        {
            throw new InvalidOperationException($"Advance({count}) past the {_current.Length}-byte span handed out");
        }

        _written.Write(_current, 0, count);
        _current = [];
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        _current = new byte[Math.Max(sizeHint, 1)];
        return _current;
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
}
