#!/usr/bin/env bash
# Writes the man page tcpstate-exporter(8) to stdout from the binary's own --help, so the two
# never disagree. Usage: make-manpage.sh PATH-TO-BINARY VERSION
set -euo pipefail
binary=$1
version=$2
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d)

cat <<HEAD
.TH TCPSTATE-EXPORTER 8 "$date" "tcpstate-exporter $version" "System Administration"
.SH NAME
tcpstate-exporter \\- Prometheus exporter of TCP socket states by port and process
.SH SYNOPSIS
.B tcpstate-exporter
.RI [ flags ]
.br
.B tcpstate-exporter snapshot
.RI [ flags ]
.br
.B tcpstate-exporter
.BR \\-\\-help " | " \\-\\-version
.SH DESCRIPTION
.B tcpstate-exporter
samples the kernel's TCP socket tables (IPv4 and IPv6) over netlink on an interval and serves
them on
.I /metrics
in the Prometheus text format: sockets by state, by the port that names the service, by server
or client role and by owning process, how long CLOSE_WAIT sockets have been stuck, and the accept
queues of listeners.
.PP
.B snapshot
prints the latest sample of a running exporter (or takes one sample itself) as a table and exits.
.SH OPTIONS
Every flag is also a key of the JSON settings file and an environment variable, both shown below.
The command line wins over the environment, which wins over the file.
HEAD

# "  --flag=VALUE" starts an option; the indented lines under it describe it.
"$binary" --help | awk '
  /^  --[a-z]/ { flag=$1; sub(/=VALUE$/, "", flag); gsub(/-/, "\\-", flag); printf ".TP\n.BI \"%s=\" VALUE\n", flag; next }
  /^      / && flag != "" { line=$0; sub(/^ +/, "", line); gsub(/\\/, "\\\\", line); gsub(/-/, "\\-", line); print line; print ".br"; next }
'

cat <<'TAIL'
.SH FILES
.TP
.I /etc/tcpstate-exporter/config.json
Settings of the packaged service (a conffile, kept across upgrades).
.TP
.I /etc/default/tcpstate-exporter
Environment of the packaged service: extra flags in ARGS, or TCPSTATE_* variables.
.TP
.I /usr/share/tcpstate-exporter/
Grafana dashboards and Prometheus alert rules.
.SH EXIT STATUS
0 on a clean exit, 1 when the exporter cannot start or sample (e.g. the listen address is taken),
2 for an invalid flag or setting.
.SH PRIVILEGES
Counting sockets needs no privileges. Attributing them to processes reads other users'
.IR /proc/PID/fd ,
which needs CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH; the packaged unit grants exactly these.
.SH SEE ALSO
.BR ss (8),
.BR prometheus (1),
.BR systemd.service (5)
TAIL
