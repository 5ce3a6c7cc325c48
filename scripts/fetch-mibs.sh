#!/usr/bin/env bash
# Regenerates mibs/ from the package registries, without touching the system's apt state:
#   - Debian's libsnmp-base: Net-SNMP's own NET-SNMP-* and UCD-* modules;
#   - Debian's snmp-mibs-downloader (non-free): RFC texts and IANA modules, from which Debian's
#     smistrip extracts the modules;
#   - Debian's erlang-snmp: SNMP-USM-HMAC-SHA2-MIB (RFC 7860);
#   - Debian's erlang-snmp: also RFC-1212 and RFC-1215, the SMIv1 macro modules, which have no RFC
#     text of their own in snmp-mibs-downloader (npm net-snmp's RFC-1215 carries example traps
#     with an undefined parent, which Net-SNMP warns about);
# Each module is written unmodified as mibs/NAME.txt; mibs/NOTICE says where each came from.
#
# Usage: scripts/fetch-mibs.sh [OUT_DIR]   (default: mibs/ beside this script's repo)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$repo/mibs}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A private apt configuration listing main and non-free; `apt-get download` needs no root.
mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/pkg"
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
echo "deb http://deb.debian.org/debian $suite main non-free" >"$work/apt/sources.list"
cat >"$work/apt/apt.conf" <<EOF
Dir::Etc::SourceList "$work/apt/sources.list";
Dir::Etc::SourceParts "/nonexistent";
Dir::State::Lists "$work/apt/lists";
Dir::Cache "$work/apt/cache";
Dir::State::status "/var/lib/dpkg/status";
APT::Sandbox::User "root";
EOF
export APT_CONFIG=$work/apt/apt.conf
apt-get -q update >/dev/null
(cd "$work/pkg" && apt-get -q download libsnmp-base snmp-mibs-downloader erlang-snmp smistrip >/dev/null)
for deb in "$work"/pkg/*.deb; do
    name=$(basename "$deb"); name=${name%%_*}
    mkdir -p "$work/x/$name"
    dpkg-deb -x "$deb" "$work/x/$name"
    version=$(dpkg-deb -f "$deb" Version)
    echo "$name $version" >>"$work/versions"
done

smistrip="sh $work/x/smistrip/usr/bin/smistrip"
dl=$work/x/snmp-mibs-downloader/usr/share/snmp/mibs-downloader
rfclist=$work/x/snmp-mibs-downloader/etc/snmp-mibs-downloader/rfclist
ver() { awk -v p="$1" '$1 == p { print $2 }' "$work/versions"; }

rm -rf "$out.new"; mkdir -p "$out.new"
notice=$out.new/NOTICE
cat >"$notice" <<EOF
The modules in this directory are copied unmodified from the packages below; scripts/fetch-mibs.sh
regenerates the directory. Each module keeps the copyright and licence text it carries. Modules
taken from RFCs are extracted from the RFC text with smistrip; IETF RFCs are published under the
IETF Trust's legal provisions, which allow extracting MIB modules from them.

EOF

# IETF modules, extracted from the RFC texts: RFC number -> modules wanted from it.
rfc_modules=(
    "1155 RFC1155-SMI" "1213 RFC1213-MIB" "2578 SNMPv2-SMI" "2579 SNMPv2-TC" "2580 SNMPv2-CONF"
    "3418 SNMPv2-MIB" "2863 IF-MIB" "4293 IP-MIB" "4292 IP-FORWARD-MIB" "4022 TCP-MIB"
    "4113 UDP-MIB" "4001 INET-ADDRESS-MIB" "2790 HOST-RESOURCES-MIB HOST-RESOURCES-TYPES"
    "4133 ENTITY-MIB" "3433 ENTITY-SENSOR-MIB" "4188 BRIDGE-MIB" "4363 P-BRIDGE-MIB Q-BRIDGE-MIB"
    "3635 EtherLike-MIB" "3411 SNMP-FRAMEWORK-MIB" "3412 SNMP-MPD-MIB"
    "3413 SNMP-TARGET-MIB SNMP-NOTIFICATION-MIB SNMP-PROXY-MIB" "3414 SNMP-USER-BASED-SM-MIB"
    "3415 SNMP-VIEW-BASED-ACM-MIB" "3584 SNMP-COMMUNITY-MIB" "3826 SNMP-USM-AES-MIB"
    "3014 NOTIFICATION-LOG-MIB" "2981 DISMAN-EVENT-MIB"
    # Imported by UCD-SNMP-MIB (CounterBasedGauge64).
    "2856 HCNUM-TC"
    # Imported by Q-BRIDGE-MIB (TimeFilter, from RMON2-MIB) and what RMON2-MIB imports.
    "4502 RMON2-MIB" "2819 RMON-MIB" "1513 TOKEN-RING-RMON-MIB"
)
mkdir -p "$work/strip"
for entry in "${rfc_modules[@]}"; do
    read -r rfc modules <<<"$entry"
    gunzip -c "$dl/mibrfcs/rfc$rfc.txt.gz" >"$work/rfc$rfc.txt"
    for m in $modules; do
        grep -qP "^$rfc\t" "$rfclist" || { echo "rfc$rfc not in snmp-mibs-downloader's list" >&2; exit 1; }
        $smistrip -d "$work/strip" -m "$m" "$work/rfc$rfc.txt" >/dev/null
        [ -s "$work/strip/$m" ] || { echo "smistrip found no $m in RFC $rfc" >&2; exit 1; }
        cp "$work/strip/$m" "$out.new/$m.txt"
        echo "$m: RFC $rfc, from Debian snmp-mibs-downloader $(ver snmp-mibs-downloader) (non-free), extracted with smistrip $(ver smistrip)" >>"$notice"
    done
done

# IANA-maintained modules shipped as module files.
for entry in "ianaiftype-mib IANAifType-MIB" "ianaiprouteprotocol-mib IANA-RTPROTO-MIB" \
    "ianaaddressfamilynumbers-mib IANA-ADDRESS-FAMILY-NUMBERS-MIB"; do
    read -r file m <<<"$entry"
    gunzip -c "$dl/mibiana/$file.gz" >"$out.new/$m.txt"
    echo "$m: IANA, from Debian snmp-mibs-downloader $(ver snmp-mibs-downloader) (non-free)" >>"$notice"
done

# SMIv1 macro modules from Erlang/OTP's snmp application.
for f in "$work"/x/erlang-snmp/usr/lib/erlang/lib/snmp-*/mibs/v1/RFC-121[25].mib; do
    m=$(basename "$f" .mib)
    cp "$f" "$out.new/$m.txt"
    echo "$m: Debian erlang-snmp $(ver erlang-snmp), ${f#"$work"/x/erlang-snmp}" >>"$notice"
done

# RFC 7860's module from Erlang/OTP's snmp application.
for f in "$work"/x/erlang-snmp/usr/lib/erlang/lib/snmp-*/mibs/SNMP-USM-HMAC-SHA2-MIB.mib; do
    cp "$f" "$out.new/SNMP-USM-HMAC-SHA2-MIB.txt"
    echo "SNMP-USM-HMAC-SHA2-MIB: Debian erlang-snmp $(ver erlang-snmp), ${f#"$work"/x/erlang-snmp}" >>"$notice"
done

# Net-SNMP's own modules.
for f in "$work"/x/libsnmp-base/usr/share/snmp/mibs/{NET-SNMP,UCD}-*.txt; do
    m=$(basename "$f" .txt)
    cp "$f" "$out.new/$m.txt"
    echo "$m: Debian libsnmp-base $(ver libsnmp-base), /usr/share/snmp/mibs/$m.txt" >>"$notice"
done

rm -rf "$out"; mv "$out.new" "$out"
echo "$(ls "$out" | grep -c '\.txt$') modules in $out"
