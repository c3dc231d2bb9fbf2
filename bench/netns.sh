#!/usr/bin/env bash
# Measures the cost trap of sampling network namespaces: a namespace shares the host's TCP
# established hash unless net.ipv4.tcp_child_ehash_entries was set when it was created, and a
# sock_diag dump made from inside it then walks that whole table, every other namespace's sockets
# included. Times full netlink dumps of a small namespace on the shared table (SMALL_SHARED) and of
# the same small namespace on a table of its own (SMALL_OWN), while a namespace BIG on the shared
# table holds N sockets.
#
#   sudo bench/netns.sh [--small N] [--runs N] [--child-ehash N] [SOCKETS...]
#                       (default: BIG with 10000 then 100000 sockets, plus a column without BIG;
#                        1000 sockets in each small namespace; 15 rounds; 4096 buckets for SMALL_OWN)
#
# Creates the namespaces and fills them with SocketHolder processes on loopback; sets the host's
# net.ipv4.tcp_child_ehash_entries only for the 'ip netns add' of SMALL_OWN and puts it back at
# once, and this script restores the value it found at its start once more when the run ends in
# any way. Everything is deleted again, also on failure or Ctrl-C. Needs root and Linux 6.1+ for
# the sysctl (older kernels: said so, and only the shared case is measured). Stops by itself: fixed
# counts, bounded waits, a hard limit of 30 minutes. The table goes to stdout, progress to stderr.
# Exit code: 0 measured, 1 a check failed (a dump counted other sockets than ss -tanH, or a
# namespace was not on the table it was meant to be on), 2 usage, 124 the time limit hit.
# See bench/README.md, section netns.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "bench/netns.sh: it creates network namespaces and sets a host sysctl; run it with sudo" >&2
  exit 1
fi

for tool in ip ss dotnet timeout; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "bench/netns.sh: '$tool' not found in PATH (ip and ss: apt-get install iproute2; dotnet: the .NET 10 SDK; under sudo, try 'sudo env PATH=\"\$PATH\" $0')" >&2
    exit 1
  fi
done

project=bench/TcpState.Benchmarks/TcpState.Benchmarks.csproj
dotnet build "$project" -c Release --nologo -v quiet >&2

sysctl_path=/proc/sys/net/ipv4/tcp_child_ehash_entries
saved=""
if [ -e "$sysctl_path" ]; then
  saved=$(cat "$sysctl_path")
fi

restore() {
  if [ -n "$saved" ] && [ "$(cat "$sysctl_path")" != "$saved" ]; then
    echo "$saved" > "$sysctl_path"
    echo "bench/netns.sh: net.ipv4.tcp_child_ehash_entries restored to $saved" >&2
  fi
}
trap restore EXIT

# Not exec'd: this shell outlives the benchmark to restore the sysctl. Signals are passed on so the
# benchmark deletes its namespaces (a second one kills it at once).
timeout --signal=TERM --kill-after=60 1800 \
  bench/TcpState.Benchmarks/bin/Release/net10.0/TcpState.Benchmarks netns "$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true' TERM INT
while kill -0 "$child" 2>/dev/null; do
  wait "$child" || true
done
status=0
wait "$child" || status=$?
exit "$status"
