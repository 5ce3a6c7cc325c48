#!/usr/bin/env bash
# The project's test command (README, .ci/run): format, lints, tests of both packages (the
# library alone without tokio too), docs. On a fresh Debian machine as root it first installs
# what the tests use.
set -euo pipefail
cd "$(dirname "$0")/.."

# snmp_exporter 0.21 and Prometheus 2.42 are the exporter's peers in tests/exporter.rs.
# gcc, make and OpenSSL's headers build snmpd with SNMP-USM-DH-OBJECTS-MIB (scripts/netsnmp-dh.sh).
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null \
   && ! { command -v snmpd && command -v prometheus-snmp-exporter && command -v prometheus \
          && command -v make && command -v gcc && [ -e /usr/include/openssl/dh.h ]; } >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq snmp snmpd snmptrapd tshark \
    prometheus-snmp-exporter prometheus gcc make libssl-dev xz-utils >/dev/null
fi
# pysnmp is the second SNMPv3 implementation the interop tests run (3DES, AES key extensions);
# snmpsim ships the .snmprec recordings `snmpctl agent` must serve.
if ! python3 -c "import pysnmp, cryptography, snmpsim" 2>/dev/null; then
  python3 -m pip install -q "pysnmp==7.1.30" "cryptography>=42" "snmpsim==1.2.2" 2>/dev/null \
    || python3 -m pip install -q --break-system-packages "pysnmp==7.1.30" "cryptography>=42" "snmpsim==1.2.2"
fi

# A one-off build (CI) keeps no incremental caches and only line tables as debug info: the disk
# CI runs on is shared and has been seen with less free than a full debug build of the suite
# takes. The free space is printed first so that a run that fills the disk says so.
if [ "${CI:-}" = true ]; then
  export CARGO_INCREMENTAL=0 CARGO_PROFILE_DEV_DEBUG=line-tables-only
  df -h . | sed 's/^/   /'
fi

echo "== cargo fmt --check";                 cargo fmt --all -- --check
echo "== cargo clippy (all targets)";        cargo clippy --all-targets --locked -- -D warnings
echo "== cargo clippy (library alone)";      cargo clippy -p snmpctl --lib --no-default-features --locked -- -D warnings
echo "== cargo test --no-default-features";  cargo test -p snmpctl --lib --no-default-features --locked
echo "== cargo doc";                         RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p snmpctl --lib --features exporter --locked
echo "== snmpd with SNMP-USM-DH-OBJECTS-MIB"; ./scripts/netsnmp-dh.sh
echo "== cargo test";                        cargo test --locked
[ "${CI:-}" = true ] && du -sh target | sed 's/^/   target: /' || true
