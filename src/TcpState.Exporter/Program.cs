using TcpState.Exporter;
using TcpState.Exporter.Metrics;

// Before anything rents from the shared array pool: the runtime reads its size once.
SharedArrayPoolCapacity.Apply();
return await ExporterProgram.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
