#!/usr/bin/env bash
# Soak test: the real daemon (built in-process from ExporterHost: sampler with process attribution
# and stuck-socket tracking, OpenTelemetry instruments, exposition, Kestrel) samples a network
# namespace without pause, 10,000 judged samples, while SocketHolder processes are started and
# stopped (some under hostile names) and connections opened and closed between samples. During
# the churn every scrape must expose exactly the latest sample's groups and pass promtool now and
# then; after each phase the churn stops, the socket table drains (TIME_WAIT: 60 s), and the series,
# tracked sockets, open fds and managed heap must be back at their baseline.
#
#   sudo bench/soak.sh [--samples N] [--phases N] [--warmup-samples N] [--pace-ms N] [--holders N] [--seed N]
#                      [--pid-label] [--census-statics]
#                      (default 10000 samples in 3 phases after a 1000-sample warm-up churn; about 6 minutes;
#                       --census-statics, for diagnosing heap growth only, also counts what the statics of
#                       all loaded types and the harness reach, which perturbs the heap and fds it measures)
#
# It runs in a private PID namespace, so that the daemon's process attribution walks only the
# soak's own processes, and its network namespace gets a TCP table of its own (the host's
# net.ipv4.tcp_child_ehash_entries is set to 4096 for the milliseconds of 'ip netns add' and put
# back at once; Linux 6.1+), so that a dump walks only the soak's sockets: the memory the daemon
# holds and the time a sample takes then do not depend on what else runs on the host, and when the
# run ends in any way every process it started ends with it.
# Stops by itself: fixed sample counts, bounded drains (3 minutes each), a hard limit of one hour.
# Installs prometheus (promtool) and iproute2 with apt-get when missing.
# Exit code: 0 passed, 1 a check failed (the output says which), 2 usage, 124 the time limit hit.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "bench/soak.sh: it creates network namespaces (ip netns) and needs root; run it with sudo" >&2
  exit 1
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "bench/soak.sh: 'dotnet' not found in PATH (the .NET 10 SDK; under sudo, try 'sudo env PATH=\"\$PATH\" $0')" >&2
  exit 1
fi

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench/soak.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

dotnet build bench/TcpState.Reliability/TcpState.Reliability.csproj -c Release --nologo -v quiet >&2
exec timeout --signal=TERM --kill-after=60 3600 \
  unshare --pid --fork --mount-proc --kill-child=SIGTERM \
  bench/TcpState.Reliability/bin/Release/net10.0/TcpState.Reliability soak "$@"
