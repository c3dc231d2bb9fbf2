namespace TcpState.Reliability;

/// <summary>Bad command-line arguments: the program prints the usage and exits with 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
