#!/usr/bin/env bash
# Benchmarks process attribution: the exporter's per-sample cost of finding which process holds
# each socket, cold, steady and after churn, against 'ss -tanp' on the same sockets.
#
#   sudo bench/attribution.sh [SOCKETS...]      (default: 10000 100000)
#
# Per size it creates a network namespace, fills it with SocketHolder processes on loopback,
# measures, checks the attribution against ss -tanp, and deletes everything again (also on
# failure or Ctrl-C). Root is needed for the namespaces. The table goes to stdout, progress to
# stderr. Exit code: 0 measured, 1 a size failed or attribution differed from ss, 2 usage.
# See bench/README.md for what each column means.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "bench/attribution.sh: it creates network namespaces (ip netns) and needs root; run it with sudo" >&2
  exit 1
fi

for tool in ip ss dotnet; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "bench/attribution.sh: '$tool' not found in PATH (ip and ss: apt-get install iproute2; dotnet: the .NET 10 SDK; under sudo, try 'sudo env PATH=\"\$PATH\" $0')" >&2
    exit 1
  fi
done

project=bench/TcpState.Benchmarks/TcpState.Benchmarks.csproj
dotnet build "$project" -c Release --nologo -v quiet
exec bench/TcpState.Benchmarks/bin/Release/net10.0/TcpState.Benchmarks attribution "$@"
