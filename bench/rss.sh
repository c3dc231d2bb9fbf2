#!/usr/bin/env bash
# The daemon's RSS alone at one size (ESTABLISHED-heavy load of run.sh), for comparing builds:
#
#   sudo bench/rss.sh 1000000                                  the exporter of this tree
#   sudo bench/rss.sh --exporter /tmp/old/tcpstate-exporter 1000000   and another build, rotated
#   more options: --samples N (read after the Nth sample, default 3), --rounds N
#
# Publishes the exporter as packaging/build.sh does (as run.sh does), builds the C programs,
# then runs mode 'rss' of bench/TcpState.Benchmarks. Table on stdout, progress on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "bench/rss.sh: it creates network namespaces (ip netns) and needs root; run it with sudo" >&2
  exit 1
fi

out=bench/TcpState.Benchmarks/bin/Release/net10.0
dotnet build bench/TcpState.Benchmarks/TcpState.Benchmarks.csproj -c Release --nologo -v quiet >&2
mkdir -p "$out/native"
for source in bench/reference/sockdiag-count.c bench/reference/run-timed.c bench/load/timewait-churn.c bench/load/pair-holder.c; do
  gcc -O2 -Wall -Wextra -Werror -o "$out/native/$(basename "$source" .c)" "$source"
done
dotnet publish src/TcpState.Exporter -c Release -r linux-x64 --self-contained \
  -p:PublishSingleFile=true -p:PublishTrimmed=true -p:PublishReadyToRun=true -p:DebugType=none \
  --nologo -v quiet -o "$out/exporter" >&2

exec "$out/TcpState.Benchmarks" rss --tools "$out/native" --exporter "$out/exporter/tcpstate-exporter" "$@"
