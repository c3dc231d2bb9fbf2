using System.Buffers;

namespace TcpState.Exposition;

/// <summary>One link of a <see cref="ReadOnlySequence{T}"/> over <see cref="SegmentedBuffer"/>'s segments.</summary>
internal sealed class SequenceSegment : ReadOnlySequenceSegment<byte>
{
    public SequenceSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        this.Memory = memory;
        this.RunningIndex = runningIndex;
    }

    public SequenceSegment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new SequenceSegment(memory, this.RunningIndex + this.Memory.Length);
        this.Next = next;
        return next;
    }
}
