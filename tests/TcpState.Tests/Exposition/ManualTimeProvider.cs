namespace TcpState.Tests.Exposition;

/// <summary>A clock that only moves when the test advances it.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private long ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref this.ticks);

    public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(this.GetTimestamp());

    public void Advance(TimeSpan by) => Interlocked.Add(ref this.ticks, by.Ticks);
}
