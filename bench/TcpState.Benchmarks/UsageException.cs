namespace TcpState.Benchmarks;

/// <summary>A wrong command line: the program prints the usage and exits with 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
