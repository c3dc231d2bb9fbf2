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

. bench/lib.sh
build_benchmark_and_exporter

exec "$BENCH_OUT/TcpState.Benchmarks" rss --tools "$BENCH_OUT/native" --exporter "$BENCH_OUT/exporter/tcpstate-exporter" "$@"
