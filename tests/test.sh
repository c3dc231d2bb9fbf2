#!/usr/bin/env bash
# Runs the whole test suite, the README's test command. It first installs what the tests need:
# Debian packages through apt-get (iproute2 for ss and ip netns, prometheus for promtool and the
# end-to-end Prometheus server, lintian, man-db and systemd for the package and unit tests,
# chromium for the status page, gcc for the seccomp fault launcher), NuGet packages through
# dotnet restore. The live tests create network namespaces, so run it as root.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "tests/test.sh: the live tests create network namespaces (ip netns) and need root; run it with sudo" >&2
  exit 1
fi

missing=()
command -v ss >/dev/null 2>&1 || missing+=(iproute2)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v lintian >/dev/null 2>&1 || missing+=(lintian)
command -v man >/dev/null 2>&1 || missing+=(man-db)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v gcc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "tests/test.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

dotnet restore Exporter.sln --nologo -v quiet
dotnet build Exporter.sln --no-restore --nologo -c Release -v quiet
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test Exporter.sln --no-build --nologo -c Release --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# dotnet test closes with "Total tests / Passed / Failed" lines; restate them as one plain line.
passed=$( (grep -oE '^ +Passed: +[0-9]+' "$log" || true) | awk '{s+=$2} END {print s+0}')
failed=$( (grep -oE '^ +Failed: +[0-9]+' "$log" || true) | awk '{s+=$2} END {print s+0}')
echo "$passed passed, $failed failed"
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "tests/test.sh: no test ran" >&2
  exit 1
fi
exit "$status"
