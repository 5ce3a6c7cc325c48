#!/usr/bin/env python3
"""Writes cli/link/symbol-order.txt: the functions the everyday commands run, most shared first,
for the linker to place side by side at the start of .text (cli/build.rs passes the file to lld
as --symbol-ordering-file).

    cargo build --release && python3 scripts/symbol-order.py [--check]

Why: `snmpctl get` is a short process. The kernel maps a program's code on first touch, 64 KiB
at a time, and the few hundred functions a `get` runs were spread over all 3 MiB of .text: 45
of its 50 windows. Gathered, a `get` touches a dozen. BENCHMARKS.md ("Session 10: the
functions a command runs, side by side") has the figures.

How: each command below runs once under valgrind's callgrind, against a private snmpd on
127.0.0.1, and the functions it executed are collected by their linker names. A function run
by more of the commands comes first (start-up, argument parsing and the runtime are run by all
of them); ties keep the order in which the profiles first met them.

valgrind's CPU has no AVX-512, so glibc's string functions run as their AVX2 variants there: each
one listed brings every variant of its family (`__memset_*`), whichever the machine picks.

The names carry the compiler's hashes, which change with the toolchain and with dependency
versions. A stale file costs nothing but the gain: lld skips names it does not find (the
warning is silenced). `--check` reports how many of the listed names the built binary still
has; rerun this script when that falls.
"""
import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import BINARY, ROOT, Snmpd, need

ORDER_FILE = ROOT / "cli" / "link" / "symbol-order.txt"
SYS_DESCR = ".1.3.6.1.2.1.1.1.0"
CONFIG = """rocommunity public 127.0.0.1
rwcommunity private 127.0.0.1
sysDescr snmpctl symbol-order agent
createUser orderuser SHA "order-auth-pass" AES "order-priv-pass"
rwuser orderuser priv
"""


def profiles(target):
    """(name, arguments, whether names come from the shipped MIBs) for each profiled command."""
    v2c = ["-v2c", "-c", "public", "-t", "10", target]
    v3 = ["-v3", "-l", "authPriv", "-u", "orderuser", "-a", "SHA", "-A", "order-auth-pass", "-x", "AES",
          "-X", "order-priv-pass", "-t", "10", target]
    return [
        ("get, numeric", ["get", *v2c, SYS_DESCR], False),
        ("get, names", ["get", *v2c, SYS_DESCR, "SNMPv2-MIB::sysUpTime.0"], True),
        ("get, JSON", ["get", "--format", "json", *v2c, SYS_DESCR], True),
        ("getnext", ["getnext", *v2c, "SNMPv2-MIB::sysDescr"], True),
        ("bulkget", ["bulkget", "-Cr5", *v2c, "SNMPv2-MIB::system"], True),
        ("walk, GetBulk", ["walk", *v2c, "SNMPv2-MIB::system"], True),
        ("walk, GetNext (v1)", ["walk", "-v1", "-c", "public", "-t", "10", target, ".1.3.6.1.2.1.1"], False),
        ("walk, NDJSON", ["walk", "--format", "ndjson", *v2c, "IF-MIB::ifTable"], True),
        ("set", ["set", "-v2c", "-c", "private", "-t", "10", target, "SNMPv2-MIB::sysContact.0", "s", "noc"], True),
        ("get, SNMPv3 authPriv", ["get", *v3, SYS_DESCR], True),
        ("table", ["table", *v2c, "IF-MIB::ifTable"], True),
        ("translate", ["translate", "IF-MIB::ifDescr"], True),
    ]


def executed(binary, args, env):
    """The linker names of the functions one run of `binary args` executed, in the order the
    profile lists them."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--demangle=no", f"--callgrind-out-file={out}", binary, *args],
            env=env, capture_output=True, text=True, check=False)
        if run.returncode != 0:
            sys.exit(f"snmpctl {' '.join(args)} failed under valgrind:\n{run.stderr[-2000:]}")
        names = []
        # Callgrind names a function once, as `fn=(id) name` or `cfn=(id) name`; `name'2` is a
        # recursive call's frame, `0x...` and `(below main)` are not linker names.
        for m in re.finditer(r"^c?fn=\(\d+\) (.+)$", out.read_text(errors="replace"), re.M):
            name = re.sub(r"'\d+$", "", m.group(1))
            if not name.startswith(("0x", "(")):
                names.append(name)
        return list(dict.fromkeys(names))


def binary_symbols(binary):
    out = subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True, check=True).stdout
    return {parts[2] for parts in (line.split() for line in out.splitlines()) if len(parts) == 3}


# glibc's CPU-specific string functions: `__memset_avx2_unaligned_erms` is of family `__memset`.
VARIANT = re.compile(r"^(__[a-z0-9]+?)_(?:sse2|ssse3|sse4|sse42|avx|avx2|avx512|evex|erms)")


def with_variants(order, present):
    """`order`, each glibc string function followed by the other variants of its family."""
    out = {}
    for name in order:
        out.setdefault(name, None)
        m = VARIANT.match(name)
        if m:
            for sibling in sorted(s for s in present if s.startswith(m.group(1) + "_") and VARIANT.match(s)):
                out.setdefault(sibling, None)
    return list(out)


def check(binary):
    listed = [line for line in ORDER_FILE.read_text().splitlines() if line]
    present = binary_symbols(binary)
    found = sum(1 for name in listed if name in present)
    print(f"{ORDER_FILE.relative_to(ROOT)}: {found} of {len(listed)} names are in {binary} "
          f"({100 * found / max(len(listed), 1):.0f} %)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=BINARY)
    ap.add_argument("--check", action="store_true", help="only report how many listed names the binary has")
    args = ap.parse_args()
    need("snmpd", "valgrind", "nm", binary=args.binary)
    if args.check:
        check(args.binary)
        return
    counts, first_seen = {}, {}
    with Snmpd(CONFIG) as agent:
        for name, cmd, mibs in profiles(agent.target):
            env = dict(agent.env)
            if mibs:
                env.pop("MIBS", None)
            names = executed(args.binary, cmd, env)
            print(f"{name:22s} {len(names):5d} functions")
            for n in names:
                counts[n] = counts.get(n, 0) + 1
                first_seen.setdefault(n, len(first_seen))
    order = with_variants(sorted(counts, key=lambda n: (-counts[n], first_seen[n])), binary_symbols(args.binary))
    ORDER_FILE.parent.mkdir(exist_ok=True)
    ORDER_FILE.write_text("".join(f"{n}\n" for n in order))
    print(f"{len(order)} functions written to {ORDER_FILE.relative_to(ROOT)}")
    check(args.binary)


if __name__ == "__main__":
    main()
