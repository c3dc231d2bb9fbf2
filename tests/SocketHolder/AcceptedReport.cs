namespace SocketHolder;

/// <summary>The json printed after 'ACCEPTED ' when --accept took a connection from another process.</summary>
internal sealed record AcceptedReport(int Port, int ClientPort);
