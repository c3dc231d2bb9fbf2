#!/usr/bin/env bash
# Load test: wrk against /metrics of the real, built exporter on loopback for a fixed time, and
# checks that it stays healthy: no socket errors and no non-2xx answers, the p99 latency recorded,
# /metrics still passing promtool, and the exporter's RSS and open fds flat from before the run to
# after it (fds: not more; RSS: within max(10 %, 8 MiB); both measured 5 s after a warm-up run at
# the same load and 5 s after the run).
#
#   sudo bench/load.sh [--duration S] [--connections N] [--threads N] [--warmup S] [--max-connections N]
#                      (default: 60 s, 200 connections, 2 threads, 10 s warm-up, and the exporter
#                       started with --web.max-connections=256, since its default of 64 would refuse
#                       most of 200 connections)
#
# Everything runs in a network namespace of its own (the exporter, a SocketHolder giving it a
# realistic socket table, and wrk) with a TCP table of its own (the host's
# net.ipv4.tcp_child_ehash_entries is set to 4096 for the milliseconds of 'ip netns add' and put
# back at once; Linux 6.1+), inside a private PID namespace: other processes and other sockets on
# the host do not change the exporter's sampling cost, and when the run ends in any way every
# process it started ends with it. Stops by itself: wrk's duration, and a hard limit of 30 minutes.
# Installs wrk, prometheus (promtool) and iproute2 with apt-get when missing.
# Exit code: 0 passed, 1 a check failed (the output says which), 2 usage, 124 the time limit hit.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "bench/load.sh: it creates network namespaces (ip netns) and needs root; run it with sudo" >&2
  exit 1
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "bench/load.sh: 'dotnet' not found in PATH (the .NET 10 SDK; under sudo, try 'sudo env PATH=\"\$PATH\" $0')" >&2
  exit 1
fi

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench/load.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

dotnet build bench/TcpState.Reliability/TcpState.Reliability.csproj -c Release --nologo -v quiet >&2
# --kill-child: if unshare itself is killed, the run still gets SIGTERM and cleans up.
exec timeout --signal=TERM --kill-after=60 1800 \
  unshare --pid --fork --mount-proc --kill-child=SIGTERM \
  bench/TcpState.Reliability/bin/Release/net10.0/TcpState.Reliability load "$@"
