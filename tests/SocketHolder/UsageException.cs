namespace SocketHolder;

/// <summary>A command-line error; distinct from setup failures so it gets its own exit code.</summary>
internal sealed class UsageException(string message) : Exception(message);
