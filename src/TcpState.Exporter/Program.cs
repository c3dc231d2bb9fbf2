using TcpState.Exporter;

return await ExporterProgram.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
