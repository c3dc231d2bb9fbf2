namespace TcpState.Core;

/// <summary>A socket whose inode was not yet attributed when the dump streamed past: counted once the /proc walk is done.</summary>
internal readonly record struct PendingSocket(GroupKey Key, uint Inode, TimeSpan Age, bool Stuck, bool IsListener, uint QueueLength, uint QueueLimit);
