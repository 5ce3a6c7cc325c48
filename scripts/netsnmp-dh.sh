#!/usr/bin/env bash
# Builds Net-SNMP's snmpd with SNMP-USM-DH-OBJECTS-MIB (RFC 2786's Diffie-Hellman key change),
# from Debian's own source package, into target/netsnmp-dh/snmpd (or $1).
#
# Debian's snmpd is built without that MIB module, so nothing installable here answers
# `usm changekey`; tests/usm_admin.rs runs `snmpctl usm changekey` and snmpusm's against this
# build. It is the mini agent (SNMPv3 users, VACM, the system group) plus the DH module, linked
# statically: about 40 s on two cores. Needs gcc, make, libssl-dev and xz-utils; fetches the
# source with apt (deb-src of the machine's Debian release, in a private list directory, so
# the system's apt configuration is not touched).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-target/netsnmp-dh}
if [ -x "$dest/snmpd" ]; then
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. /etc/os-release
mirror=http://deb.debian.org/debian
printf 'deb-src %s %s main\n' "$mirror" "${VERSION_CODENAME:-bookworm}" >"$work/sources.list"
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
apt=(apt-get -qq -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
     -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o Debug::NoLocking=1
     -o APT::Sandbox::User="$(id -un)")
echo "netsnmp-dh: fetching Debian's net-snmp source (${VERSION_CODENAME:-bookworm})"
"${apt[@]}" update >/dev/null
(cd "$work" && "${apt[@]}" source --download-only net-snmp >/dev/null 2>&1)
tar -C "$work" -xf "$work"/net-snmp_*.orig.tar.*
src=$(echo "$work"/net-snmp-5*/)
echo "netsnmp-dh: building snmpd with snmp-usm-dh-objects-mib in $src"
(
  cd "$src"
  ./configure --enable-mini-agent --with-mib-modules=snmp-usm-dh-objects-mib --with-defaults \
    --disable-applications --disable-manuals --disable-scripts --disable-mib-loading \
    --disable-embedded-perl --without-perl-modules --disable-shared --enable-static \
    --without-rpm --without-pcre --with-openssl --enable-blumenthal-aes \
    --with-sys-contact=root --with-sys-location=Unknown \
    --with-persistent-directory=/var/lib/snmp --with-logfile=none \
    >"$work/configure.log" 2>&1 || { tail -30 "$work/configure.log"; exit 1; }
  { make -j"$(nproc)" -C snmplib && make -j"$(nproc)" -C agent; } >"$work/make.log" 2>&1 \
    || { tail -30 "$work/make.log"; exit 1; }
)
mkdir -p "$dest"
cp "$src/agent/snmpd" "$dest/snmpd.tmp"
mv "$dest/snmpd.tmp" "$dest/snmpd"
echo "netsnmp-dh: $dest/snmpd ($("$dest/snmpd" -v | grep -m1 -o 'version: *[^ ]*'))"
