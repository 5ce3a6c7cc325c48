#!/usr/bin/env python3
"""Big MIB directories, as whole processes in one interleaved run: `-M` naming some 1,000 vendor
files (by default every vendor folder of ../shared/mib-corpus plus its ietf folder, 1,538
files), `-m ALL` on both sides:

  - `snmpctl translate` against `snmptranslate` of one name;
  - `snmpctl get` of names against `snmpget` of the same names, against one private snmpd on
    127.0.0.1.

snmpctl runs three ways: with an empty cache each run (the first run, which also writes the
cache), with the cache that run wrote (every later run), and with the cache off
(SNMPCTL_MIB_CACHE=off). Outputs are checked identical first. Reports medians of wall clock and
CPU, and each way's ratio to Net-SNMP's tool (target: <= 0.5x).

    cargo build --release && python3 scripts/bench-mib-dirs.py [--runs 10] [--dirs D1:D2...]
"""
import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from benchlib import BINARY, ROOT, Snmpd, measure, need, output

CORPUS = ROOT.parent / "shared" / "mib-corpus"


def default_dirs():
    if not CORPUS.is_dir():
        raise SystemExit(f"{CORPUS} not found: name the directories with --dirs")
    vendors = sorted(str(p) for p in (CORPUS / "vendors").iterdir() if p.is_dir())
    return ":".join(vendors + [str(CORPUS / "ietf")])


def run(label, ours, peer, peer_name, env, runs):
    cache = Path(tempfile.mkdtemp(prefix="snmpctl-mib-cache-"))
    ways = {
        "first run": lambda: dict(env, SNMPCTL_MIB_CACHE=str(cache / "first")),
        "cached": lambda: dict(env, SNMPCTL_MIB_CACHE=str(cache / "warm")),
        "cache off": lambda: dict(env, SNMPCTL_MIB_CACHE="off"),
    }
    try:
        want = output(peer, env)
        for way, make in ways.items():
            got = output(ours, make())
            if got != want:
                raise SystemExit(f"{label}: snmpctl ({way}) printed {got!r}, {peer_name} {want!r}")
        res = {name: [] for name in [*ways, peer_name]}
        for _ in range(runs):
            shutil.rmtree(cache / "first", ignore_errors=True)
            for way, make in ways.items():
                res[way].append(measure(ours, make()))
            res[peer_name].append(measure(peer, env))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    med = lambda r, i: statistics.median(x[i] for x in r) * 1000
    print(f"{label}  ({runs} runs each, medians)")
    print(f"  {'':16}{'wall ms':>10}{'CPU ms':>10}{'wall x':>9}{'CPU x':>8}")
    peer_runs = res[peer_name]
    for name, r in res.items():
        ratio = ""
        if name != peer_name:
            ratio = f"{med(r, 0) / med(peer_runs, 0):9.2f}{med(r, 1) / med(peer_runs, 1):8.2f}"
        print(f"  snmpctl {name:8}{med(r, 0):10.1f}{med(r, 1):10.1f}{ratio}" if name != peer_name
              else f"  {name:16}{med(r, 0):10.1f}{med(r, 1):10.1f}")
    print()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--dirs", help="colon-separated MIB directories (default: the corpus)")
    args = ap.parse_args()
    need("snmpd", "snmpget", "snmptranslate")
    dirs = args.dirs or default_dirs()
    files = sum(1 for d in dirs.split(":") for p in Path(d).iterdir() if p.is_file())
    print(f"-M: {len(dirs.split(':'))} directories, {files} files; -m ALL\n")
    mib = ["-M", dirs, "-m", "ALL"]
    with Snmpd("rocommunity public 127.0.0.1\nsysDescr snmpctl benchmark agent\n") as agent:
        env = dict(agent.env)
        env.pop("MIBS", None)
        name = "SNMPv2-MIB::sysDescr.0"
        run(f"translate {name}", [BINARY, "translate", *mib, name],
            ["snmptranslate", *mib, name], "snmptranslate", env, args.runs)
        names = ["IF-MIB::ifDescr.1", "SNMPv2-MIB::sysDescr.0"]
        run(f"get {' '.join(names)} (v2c)",
            [BINARY, "get", *mib, "-v2c", "-c", "public", agent.target, *names],
            ["snmpget", *mib, "-v2c", "-c", "public", agent.target, *names], "snmpget", env,
            args.runs)


if __name__ == "__main__":
    main()
