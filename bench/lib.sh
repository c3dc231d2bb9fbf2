# Shared by bench/run.sh and bench/rss.sh (sourced from the repository's root): builds what the
# TcpState.Benchmarks modes 'peers' and 'rss' run.
#
#   build_benchmark_and_exporter   builds bench/TcpState.Benchmarks, compiles the C reference and
#                                  load programs into $BENCH_OUT/native, and publishes the exporter
#                                  into $BENCH_OUT/exporter as packaging/build.sh does
#                                  (self-contained, trimmed, ReadyToRun), so that its RSS and CPU
#                                  are those of the installed daemon. Progress goes to stderr.

BENCH_OUT=bench/TcpState.Benchmarks/bin/Release/net10.0

build_benchmark_and_exporter() {
  dotnet build bench/TcpState.Benchmarks/TcpState.Benchmarks.csproj -c Release --nologo -v quiet >&2
  mkdir -p "$BENCH_OUT/native"
  local source
  for source in bench/reference/sockdiag-count.c bench/reference/run-timed.c bench/load/timewait-churn.c bench/load/pair-holder.c; do
    gcc -O2 -Wall -Wextra -Werror -o "$BENCH_OUT/native/$(basename "$source" .c)" "$source"
  done
  dotnet publish src/TcpState.Exporter -c Release -r linux-x64 --self-contained \
    -p:PublishSingleFile=true -p:PublishTrimmed=true -p:PublishReadyToRun=true -p:DebugType=none \
    --nologo -v quiet -o "$BENCH_OUT/exporter" >&2
}
