namespace TcpState.Core;

/// <summary>What a dump did besides reporting sockets.</summary>
/// <param name="Interrupted">
/// The kernel flagged the dump as inconsistent (<c>NLM_F_DUMP_INTR</c>); the sockets reported
/// must be discarded and the dump retried.
/// </param>
/// <param name="MalformedRecords">Records that could not be parsed and were skipped.</param>
public readonly record struct DumpResult(bool Interrupted, long MalformedRecords);
