namespace TcpState.Exposition;

/// <summary>A write-only stream into a <see cref="SegmentedBuffer"/>, for <see cref="System.IO.Compression.GZipStream"/>.</summary>
internal sealed class SegmentedBufferStream(SegmentedBuffer destination) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => destination.Length;

    public override long Position
    {
        get => destination.Length;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => this.Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> bytes) => destination.Write(bytes);

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
