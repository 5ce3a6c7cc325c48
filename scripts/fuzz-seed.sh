#!/usr/bin/env bash
# Seed the fuzz corpora from the recorded fixtures (every .bin, malformed ones included).
set -euo pipefail
cd "$(dirname "$0")/.."
for target in decode_message roundtrip; do
  mkdir -p "fuzz/corpus/$target"
  find fixtures -name '*.bin' -exec cp {} "fuzz/corpus/$target/" \;
done
# usm: a selector byte (which privacy protocol's keys) before each v3 datagram.
mkdir -p fuzz/corpus/usm
i=0
for f in fixtures/v3/*.bin; do
  for sel in 00 01 04 86; do
    { printf "\x$sel"; cat "$f"; } > "fuzz/corpus/usm/$(basename "$f" .bin)-$sel"
  done
  i=$((i+1))
done
mkdir -p fuzz/corpus/capture
cp fixtures/capture/*.pcap* fuzz/corpus/capture/ 2>/dev/null || true
# mib: the vendor-style fixture modules, the broken ones and the shipped modules.
mkdir -p fuzz/corpus/mib
find fixtures/mibs fixtures/mib -type f -exec cp {} fuzz/corpus/mib/ \;
find mibs -type f ! -name NOTICE -exec cp {} fuzz/corpus/mib/ \;
# exporter: the snmp.yml and generator.yml fixtures and the built-in generator.yml.
mkdir -p fuzz/corpus/exporter
cp fixtures/exporter/*.yml cli/src/cli/exporter/generator.yml fuzz/corpus/exporter/ 2>/dev/null || true
# trapd: the snmptrapd.conf fixtures (every access-control form).
mkdir -p fuzz/corpus/trapd
cp fixtures/trapd/*.conf fuzz/corpus/trapd/
echo "seeded: $(ls fuzz/corpus/decode_message | wc -l) datagrams, $(ls fuzz/corpus/capture | wc -l) captures, $(ls fuzz/corpus/mib | wc -l) MIB files"
