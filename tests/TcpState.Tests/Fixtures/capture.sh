#!/usr/bin/env bash
# Capture real kernel TCP socket-table fixtures for the parser tests.
#
# Usage: sudo tests/TcpState.Tests/Fixtures/capture.sh [OUTDIR]
#   OUTDIR defaults to the directory containing this script.
#
# Creates a throw-away network namespace, runs capture.py inside it (which
# opens loopback sockets in known TCP states and writes the netlink dumps,
# /proc/net/tcp{,6} copies, ss output and expected.json), then deletes the
# namespace again, whatever happens.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUTDIR="${1:-$SCRIPT_DIR}"

if [[ "$(id -u)" -ne 0 ]]; then
    echo "capture.sh: must run as root (ip netns); try: sudo $0 $*" >&2
    exit 1
fi
for tool in ip ss python3 timeout; do
    command -v "$tool" >/dev/null || { echo "capture.sh: missing tool: $tool" >&2; exit 1; }
done

mkdir -p "$OUTDIR"
OUTDIR="$(cd "$OUTDIR" && pwd)"

NS="tcpstate-capture-$$"

cleanup() {
    ip netns delete "$NS" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns add "$NS"
ip netns exec "$NS" ip link set lo up

echo "capture.sh: namespace $NS, kernel $(uname -r), $(ss -V)"
# capture.py bounds every wait itself (~2 s total); timeout is only a safety net.
timeout --kill-after=2 10 ip netns exec "$NS" python3 "$SCRIPT_DIR/capture.py" "$OUTDIR"

echo "capture.sh: wrote to $OUTDIR:"
(cd "$OUTDIR" && ls -l netlink-inet.bin netlink-inet6.bin netlink-listen-inet.bin \
    netlink-listen-inet6.bin proc-net-tcp.txt proc-net-tcp6.txt ss-tan.txt ss-ltn.txt expected.json)
