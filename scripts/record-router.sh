#!/usr/bin/env bash
# Records fixtures/snmprec/router.snmprec from a real Net-SNMP snmpd acting as a small router:
# a network namespace with five interfaces (veth pairs to a second namespace, one bridge),
# addresses, static routes and IP forwarding on, and snmpd running inside it. Nothing outside
# the two namespaces is touched; both are deleted at the end. Needs root, iproute2, snmpd.
#   sudo ./scripts/record-router.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-fixtures/snmprec/router.snmprec}
bin=${SNMPCTL:-target/$(rustc -vV | sed -n "s/^host: //p")/release/snmpctl}
rtr=snmpctl-rtr; peer=snmpctl-peer
tmp=$(mktemp -d)
cleanup() { [ -f "$tmp/pid" ] && kill "$(cat "$tmp/pid")" 2>/dev/null; ip netns del $rtr 2>/dev/null; ip netns del $peer 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
ip netns add $rtr; ip netns add $peer
R() { ip netns exec $rtr "$@"; }
P() { ip netns exec $peer "$@"; }
R ip link set lo up; P ip link set lo up
i=0
for name in ge-0-0-0 ge-0-0-1 ge-0-0-2 xe-1-0-0; do
  ip link add $name netns $rtr type veth peer name p$i netns $peer
  R ip link set $name mtu $([ $name = xe-1-0-0 ] && echo 9000 || echo 1500)
  R ip addr add 10.$((i+1)).0.1/24 dev $name
  P ip addr add 10.$((i+1)).0.2/24 dev p$i
  R ip link set $name up; P ip link set p$i up
  i=$((i+1))
done
R ip link add br-mgmt type bridge
R ip addr add 192.0.2.1/24 dev br-mgmt
R ip link set br-mgmt up
R ip route add 198.51.100.0/24 via 10.1.0.2
R ip route add 203.0.113.0/24 via 10.2.0.2
R ip route add default via 10.4.0.2
R sysctl -qw net.ipv4.ip_forward=1
# Some traffic, so the counters are not all zero.
for n in 1 2 3 4; do R bash -c "for k in \$(seq $((n * 40))); do echo probe > /dev/udp/10.$n.0.2/9; done" 2>/dev/null || true; done
cat > "$tmp/snmpd.conf" <<CONF
rocommunity public 127.0.0.1
sysName edge-rtr-01
sysLocation Rack 12, Building A, Example DC
sysContact noc@example.net
sysServices 78
sysDescr snmpctl demo router (Net-SNMP snmpd on Linux, recorded by scripts/record-router.sh)
CONF
SNMP_PERSISTENT_DIR=$tmp R snmpd -f -Lo -C -c "$tmp/snmpd.conf" -I -smux -p "$tmp/pid" udp:127.0.0.1:1161 >"$tmp/log" 2>&1 &
sleep 1
: > "$out.tmp"
for tree in 1.3.6.1.2.1.1 1.3.6.1.2.1.2 1.3.6.1.2.1.4 1.3.6.1.2.1.11 1.3.6.1.2.1.31; do
  R "$bin" walk -v2c -c public --record "$tmp/part" 127.0.0.1:1161 $tree >/dev/null
  cat "$tmp/part" >> "$out.tmp"
done
# sysUpTime.0 counts up from the recorded value while the agent runs (snmpsim's numeric variation).
sed -i -E 's/^(1\.3\.6\.1\.2\.1\.1\.3\.0)\|67\|([0-9]+)$/\1|67:numeric|rate=100,initial=\2/' "$out.tmp"
mv "$out.tmp" "$out"
echo "recorded $(wc -l < "$out") objects to $out"
