using System.Buffers;

namespace TcpState.Exposition;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over segments rented from <see cref="ArrayPool{T}.Shared"/>,
/// each below the 85,000-byte threshold of the large object heap: a 150 KB exposition written
/// here never allocates on the LOH (whose allocations trigger full collections), and the
/// segments go back to the pool for the next collection once <see cref="Dispose"/> is called.
/// Not thread-safe while written; read-only (and shareable) once written.
/// </summary>
internal sealed class SegmentedBuffer : IBufferWriter<byte>, IDisposable
{
    /// <summary>The size of a segment: a pool bucket size under the LOH threshold.</summary>
    public const int SegmentSize = 64 * 1024;

    private readonly List<byte[]> segments = [];

    // What was written in each segment before the last (the rest of it is unused).
    private readonly List<int> filled = [];
    private int lastWritten;
    private long completedLength;

    /// <summary>Gets the bytes written.</summary>
    public long Length => this.completedLength + this.lastWritten;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (this.segments.Count == 0 || this.lastWritten + count > this.segments[^1].Length)
        {
            throw new InvalidOperationException("Advanced past the span handed out.");
        }

        this.lastWritten += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => this.Reserve(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => this.Reserve(sizeHint).Span;

    /// <summary>Copies <paramref name="bytes"/> in, across segments as needed.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        // Bounded: every round copies at least one byte (a reserved span is never empty).
        while (!bytes.IsEmpty)
        {
            var span = this.GetSpan(1);
            var count = Math.Min(span.Length, bytes.Length);
            bytes[..count].CopyTo(span);
            this.Advance(count);
            bytes = bytes[count..];
        }
    }

    /// <summary>Gets the written bytes, without copying; valid until <see cref="Dispose"/>.</summary>
    public ReadOnlySequence<byte> ToSequence()
    {
        if (this.segments.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        if (this.segments.Count == 1)
        {
            return new ReadOnlySequence<byte>(this.segments[0], 0, this.lastWritten);
        }

        var first = new SequenceSegment(this.segments[0].AsMemory(0, this.SegmentLength(0)), 0);
        var last = first;
        for (var i = 1; i < this.segments.Count; i++)
        {
            last = last.Append(this.segments[i].AsMemory(0, this.SegmentLength(i)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Returns the segments to the pool; the buffer and every sequence over it are then unusable.</summary>
    public void Dispose()
    {
        foreach (var segment in this.segments)
        {
            ArrayPool<byte>.Shared.Return(segment);
        }

        this.segments.Clear();
        this.filled.Clear();
        this.lastWritten = 0;
        this.completedLength = 0;
    }

    private int SegmentLength(int index) => index == this.segments.Count - 1 ? this.lastWritten : this.filled[index];

    private Memory<byte> Reserve(int sizeHint)
    {
        var size = Math.Max(sizeHint, 1);
        if (this.segments.Count > 0 && this.segments[^1].Length - this.lastWritten >= size)
        {
            return this.segments[^1].AsMemory(this.lastWritten);
        }

        if (this.segments.Count > 0)
        {
            this.filled.Add(this.lastWritten);
            this.completedLength += this.lastWritten;
        }

        this.segments.Add(ArrayPool<byte>.Shared.Rent(Math.Max(size, SegmentSize)));
        this.lastWritten = 0;
        return this.segments[^1];
    }
}
