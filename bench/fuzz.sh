#!/usr/bin/env bash
# Fuzzes the two socket-table parsers (netlink InetDiagParser; /proc ProcNetTcpParser and the
# ProcNetTcpReader read loop) and the Prometheus exposition writer (PrometheusTextSerializer, checked
# by a strict parser of its own and by promtool check metrics, many cases per promtool run):
# random, modelled and mutated inputs, hostile label values (quotes, backslashes, line feeds,
# non-UTF-8 and 15-byte process names, names with spaces). Deterministic by seed; prints the seed,
# the cases and cases/s; stops at the first failure (exit 1) with a reproducer and the command that
# replays that one case. The test suite runs a fixed-seed share of the same generators
# (tests/TcpState.Tests/Fuzz).
#
#   bench/fuzz.sh [CASES] [--seed N] [--targets netlink,proc,exposition] [--keep-going]
#                                      (default 1000000 cases, a random seed)
#   bench/fuzz.sh --seed N --case I    replay case I of seed N alone
#
# Needs the .NET 10 SDK and promtool (Debian package prometheus: installed with apt-get when run as
# root). No root needed otherwise. Exit code: 0 no failure, 1 a failure (printed), 2 usage.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "bench/fuzz.sh: 'dotnet' not found in PATH (the .NET 10 SDK; under sudo, try 'sudo env PATH=\"\$PATH\" $0')" >&2
  exit 1
fi

if ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench/fuzz.sh: promtool not found; install the Debian package prometheus (or run this as root to have it installed)" >&2
    exit 1
  fi
  echo "bench/fuzz.sh: installing prometheus (for promtool)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

dotnet build bench/TcpState.Reliability/TcpState.Reliability.csproj -c Release --nologo -v quiet >&2
exec bench/TcpState.Reliability/bin/Release/net10.0/TcpState.Reliability fuzz "$@"
