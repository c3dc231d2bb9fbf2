#!/usr/bin/env bash
# Makes docs/status-page.png, the README's picture of the status page at /. In a throw-away
# network namespace it starts the built exporter and SocketHolder helpers (tests/SocketHolder) run
# under realistic process names (symbolic links: the kernel names a process after the file it
# executed), lets one service's CLOSE_WAIT sockets pass a shortened stuck threshold, and takes
# the picture with headless Chromium (Debian's chromium package) at 1280x900.
#
#   sudo docs/make-screenshot.sh [OUTPUT.png]     # default: docs/status-page.png
#
# Needs root (ip netns), iproute2, util-linux (unshare) and chromium. Uses the binaries that
# `dotnet build -c Release` puts next to the tests (or those in $TCPSTATE_BIN_DIR), and builds them
# if they are missing. SETTLE_SECONDS (default 20) is how long the sockets age before the picture;
# the stuck threshold is three quarters of it, so the first service's sockets are stuck and the
# later one's are not. The test suite runs this script with a short settle time into a temp dir.
set -euo pipefail
# ip and sysctl live in /usr/sbin, which a test runner's or sudo's PATH may lack.
export PATH="/usr/sbin:/sbin:$PATH"
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$root/docs/status-page.png}")
bin=${TCPSTATE_BIN_DIR:-$root/tests/TcpState.Tests/bin/Release/net10.0}
settle=${SETTLE_SECONDS:-20}
port=9986

if [ "$(id -u)" -ne 0 ]; then
  echo "make-screenshot.sh: creating a network namespace needs root; run it with sudo" >&2
  exit 1
fi
if [ ! -x "$bin/tcpstate-exporter" ] || [ ! -x "$bin/SocketHolder" ]; then
  dotnet build "$root/Exporter.sln" -c Release --nologo -v quiet
fi

work=$(mktemp -d)
ns="tcpstate-shot-$$"
pids=()
cleanup() {
  # Only the processes this script started, then anything they left in its own namespace.
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -e "/run/netns/$ns" ]; then
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    sleep 0.5
    ip netns delete "$ns" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$ns"
ip -n "$ns" link set lo up
# Later connects must not reuse TIME_WAIT ports: the picture should show them all.
ip netns exec "$ns" sysctl -qw net.ipv4.tcp_tw_reuse=0

# Starts SocketHolder as NAME with the given options and waits for its READY line.
holder() {
  local name=$1
  shift
  ln -sf "$bin/SocketHolder" "$work/$name"
  ip netns exec "$ns" "$work/$name" --ipv4 --ignore-stdin --timeout 600 "$@" >"$work/$name.out" 2>"$work/$name.err" </dev/null &
  pids+=($!)
  for _ in $(seq 300); do
    grep -q '^READY ' "$work/$name.out" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "make-screenshot.sh: $name did not get ready: $(cat "$work/$name.err")" >&2
  exit 1
}

# GET a path from the exporter inside the namespace; prints the status line.
status_of() {
  ip netns exec "$ns" bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && printf 'GET $1 HTTP/1.0\r\n\r\n' >&3 && head -1 <&3" 2>/dev/null || true
}

# The exporter first, so that it sees every socket from its start; in its own UTS namespace so the
# page's title names a plausible host instead of this machine.
stuck=$((settle * 3 / 4))
[ "$stuck" -ge 1 ] || stuck=1
ip netns exec "$ns" unshare --uts sh -c 'hostname web-1 && exec "$0" "$@"' "$bin/tcpstate-exporter" \
  "--web.listen-address=127.0.0.1:$port" --sample.interval=1s "--stuck.threshold=${stuck}s" \
  >"$work/exporter.log" 2>&1 </dev/null &
pids+=($!)
for _ in $(seq 300); do
  case "$(status_of /healthz)" in *" 200 "*) break ;; esac
  sleep 0.1
done
case "$(status_of /healthz)" in
  *" 200 "*) ;;
  *) echo "make-screenshot.sh: the exporter did not become healthy: $(cat "$work/exporter.log")" >&2; exit 1 ;;
esac

holder api-server --listen 8080 --established 8080:14 --close-wait 8080:9 --time-wait-server 8080:23
holder nginx --listen 443 --established 443:31 --time-wait-server 443:57
holder batch-client --time-wait-client 5432:180 --time-wait-client 6379:42
holder report-api --listen-full 7070:backlog=8:clients=12
sleep $((settle / 2))
holder billing-worker --listen 9443 --established 9443:4 --close-wait 9443:3
sleep $((settle - settle / 2))

mkdir -p "$(dirname "$out")"
rm -f "$out"
ip netns exec "$ns" chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  "--user-data-dir=$work/profile" --hide-scrollbars --window-size=1280,900 \
  --virtual-time-budget=3000 "--screenshot=$out" "http://127.0.0.1:$port/" >"$work/chromium.log" 2>&1
if [ ! -s "$out" ]; then
  echo "make-screenshot.sh: chromium wrote no picture: $(tail -5 "$work/chromium.log")" >&2
  exit 1
fi
echo "make-screenshot.sh: wrote $out"
