#!/usr/bin/env bash
# Builds the Debian package and a tarball for other distributions from one self-contained,
# trimmed, ReadyToRun single-file publish (no .NET needed on the target host):
#   artifacts/tcpstate-exporter_<version>-1_amd64.deb
#   artifacts/tcpstate-exporter-<version>-linux-amd64.tar.gz
# Usage: packaging/build.sh [OUTPUT-DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
debversion="$version-1"
out=$(realpath -m "${1:-artifacts}")
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

echo "packaging/build.sh: publishing tcpstate-exporter $version"
dotnet publish src/TcpState.Exporter -c Release -r linux-x64 --self-contained \
  -p:PublishSingleFile=true -p:PublishTrimmed=true -p:PublishReadyToRun=true -p:DebugType=none \
  --nologo -v quiet -o "$work/publish"
binary=$work/publish/tcpstate-exporter

# The files both artefacts ship, laid out as installed.
root=$work/root
install -D -m 0755 "$binary" "$root/usr/bin/tcpstate-exporter"
install -D -m 0644 tcpstate-exporter.service "$root/lib/systemd/system/tcpstate-exporter.service"
install -D -m 0644 packaging/etc/config.json "$root/etc/tcpstate-exporter/config.json"
install -D -m 0644 packaging/etc/default "$root/etc/default/tcpstate-exporter"
share=$root/usr/share/tcpstate-exporter
for dashboard in grafana/*.json; do
  [ -e "$dashboard" ] && install -D -m 0644 "$dashboard" "$share/grafana/$(basename "$dashboard")"
done
if [ -d grafana/provisioning ]; then
  (cd grafana && find provisioning -type f -exec install -D -m 0644 {} "$share/grafana/{}" \;)
fi
for rules in packaging/prometheus/*.yml; do
  [ -e "$rules" ] && install -D -m 0644 "$rules" "$share/prometheus/$(basename "$rules")"
done
doc=$root/usr/share/doc/tcpstate-exporter
install -D -m 0644 README.md "$doc/README.md"
[ -e docs/runbook.md ] && install -D -m 0644 docs/runbook.md "$doc/runbook.md"
install -D -m 0644 packaging/debian/copyright "$doc/copyright"
sed -e "s/@VERSION@/$debversion/" -e "s/@UPSTREAM@/$version/" \
    -e "s/@DATE@/$(date -u -R -d "@$SOURCE_DATE_EPOCH")/" packaging/debian/changelog.in | gzip -9n > "$work/changelog.Debian.gz"
install -D -m 0644 "$work/changelog.Debian.gz" "$doc/changelog.Debian.gz"
packaging/make-manpage.sh "$binary" "$version" > "$work/tcpstate-exporter.8"
gzip -9n < "$work/tcpstate-exporter.8" > "$work/tcpstate-exporter.8.gz"
install -D -m 0644 "$work/tcpstate-exporter.8.gz" "$root/usr/share/man/man8/tcpstate-exporter.8.gz"
install -D -m 0644 packaging/debian/lintian-overrides "$root/usr/share/lintian/overrides/tcpstate-exporter"

# The tarball: the same binary and files, flat, for hosts without dpkg.
tarname=tcpstate-exporter-$version-linux-amd64
tardir=$work/$tarname
install -D -m 0755 "$binary" "$tardir/tcpstate-exporter"
install -m 0644 tcpstate-exporter.service README.md "$tardir/"
install -m 0644 packaging/etc/config.json "$tardir/config.json"
install -m 0644 packaging/etc/default "$tardir/tcpstate-exporter.default"
install -m 0644 "$work/tcpstate-exporter.8" "$tardir/"
[ -d "$share/grafana" ] && cp -r "$share/grafana" "$tardir/grafana"
[ -d "$share/prometheus" ] && cp -r "$share/prometheus" "$tardir/prometheus"
[ -e docs/runbook.md ] && install -m 0644 docs/runbook.md "$tardir/"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
  -C "$work" -czf "$out/$tarname.tar.gz" "$tarname"

# The Debian control area.
mkdir -p "$root/DEBIAN"
sed -e "s/@VERSION@/$debversion/" -e "s/@INSTALLED_SIZE@/$(du -sk --exclude=DEBIAN "$root" | cut -f1)/" \
  packaging/debian/control.in > "$root/DEBIAN/control"
install -m 0644 packaging/debian/conffiles "$root/DEBIAN/conffiles"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$root/DEBIAN/"
(cd "$root" && find . -type f ! -path './DEBIAN/*' ! -path './etc/*' -printf '%P\0' | sort -z | xargs -0 md5sum > DEBIAN/md5sums)
chmod 0644 "$root/DEBIAN/md5sums"
deb=$out/tcpstate-exporter_${debversion}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null

echo "packaging/build.sh: wrote $deb and $out/$tarname.tar.gz"
