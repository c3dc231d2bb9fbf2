#!/usr/bin/env bash
# BenchmarkDotNet micro-benchmarks of the hot code without the kernel: the two parsers on the
# tests' kernel captures (InetDiagParser.ParseDatagram, ProcNetTcpParser.TryParse), one sample
# of aggregation (SocketTableAggregator) and the exposition writer (PrometheusTextSerializer).
#
#   bench/micro.sh                     all of them, short job (about 3 minutes)
#   bench/micro.sh --filter '*Parser*' BenchmarkDotNet options pass through
#   bench/micro.sh --job default       the full job: more iterations, tighter intervals
#
# No root needed. Results: the summary tables on stdout, reports (markdown, csv, html) in
# bench/TcpState.MicroBenchmarks/bin/BenchmarkDotNet.Artifacts/results. Not part of tests/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
project=bench/TcpState.MicroBenchmarks/TcpState.MicroBenchmarks.csproj
dotnet build "$project" -c Release --nologo -v quiet >&2
if [ $# -eq 0 ]; then
  set -- --filter '*'
fi
exec dotnet bench/TcpState.MicroBenchmarks/bin/Release/net10.0/TcpState.MicroBenchmarks.dll \
  --artifacts bench/TcpState.MicroBenchmarks/bin/BenchmarkDotNet.Artifacts "$@"
