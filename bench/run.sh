#!/usr/bin/env bash
# The performance benchmark of issue 6: on the same sockets, in one run, our sample (netlink and
# the /proc fallback) against the C netlink reference (the kernel's limit), ss -tan,
# node_exporter's tcpstat collector and a gopsutil-style /proc/net parse (OpenTelemetry
# Collector); process attribution against ss -tanp; the daemon's /metrics under wrk, its RSS and
# CPU share. Prints one table of medians and ratios per socket mix, and the targets met or missed.
#
#   sudo bench/run.sh [SOCKETS...]                default: 10000 100000 1000000
#   sudo bench/run.sh --mix established 100000    one mix only (established, time-wait, both)
#   more options: --rounds N, --no-daemon (see bench/README.md)
#
# Per mix and size it creates a network namespace, fills it on loopback (C pair holders for
# ESTABLISHED and CLOSE_WAIT, a C TIME_WAIT generator, a SocketHolder with ~360 ports so the
# daemon serves ~2,000 series), measures, and deletes everything again, also on failure or Ctrl-C.
# It installs what it needs: gcc, iproute2, wrk and prometheus-node-exporter (apt-get; the
# package's own service is stopped and masked so it cannot disturb the run), and builds the C
# programs in bench/reference and bench/load, the benchmark and the exporter (published as the
# package publishes it). The table goes to stdout, progress to stderr. A full default run takes
# about 25 minutes, much of it the capped ss -tanp runs, the daemon's CPU windows and waiting for
# TIME_WAIT bursts to expire.
# Exit code: 0 measured, 1 a size failed or a peer counted different sockets, 2 usage.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "bench/run.sh: it creates network namespaces (ip netns) and needs root; run it with sudo" >&2
  exit 1
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "bench/run.sh: 'dotnet' not found in PATH (the .NET 10 SDK; under sudo, try 'sudo env PATH=\"\$PATH\" $0')" >&2
  exit 1
fi

missing=()
command -v gcc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
command -v ss >/dev/null 2>&1 || missing+=(iproute2)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v prometheus-node-exporter >/dev/null 2>&1 || missing+=(prometheus-node-exporter)
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench/run.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d 101: the package must not start its service (where an init system would).
  policy=/usr/sbin/policy-rc.d
  created_policy=no
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && created_policy=yes
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$created_policy" = yes ] && rm -f "$policy"
fi
# Where systemd runs, the Debian package's own node_exporter (all collectors, port 9100) would
# otherwise scrape /proc during the run: stop it and keep it stopped. Ours runs in the namespace.
if [ -d /run/systemd/system ] && systemctl list-unit-files prometheus-node-exporter.service >/dev/null 2>&1; then
  systemctl stop prometheus-node-exporter.service 2>/dev/null || true
  systemctl mask prometheus-node-exporter.service >/dev/null 2>&1 || true
fi

echo "bench/run.sh: building the benchmark, the C programs and the exporter" >&2
. bench/lib.sh
build_benchmark_and_exporter

exec "$BENCH_OUT/TcpState.Benchmarks" peers --tools "$BENCH_OUT/native" --exporter "$BENCH_OUT/exporter/tcpstate-exporter" "$@"
