#!/usr/bin/env python3
"""Bulk walk of a large table, as whole processes: `snmpctl walk` against Net-SNMP's
`snmpbulkwalk` with the same max-repetitions, against the same private snmpd on 127.0.0.1,
interleaved in one run. Reports medians of wall clock, CPU (user + system) and peak memory,
and the ratios. Also `snmpctl get` against `snmpget` (SNMPv2c, sysDescr.0), with no MIBs and as installed.

    cargo build --release && python3 scripts/bench-walk.py [--rows 10000 100000] [--runs 5] [--mibs]

The table is NET-SNMP-EXTEND-MIB's nsExtendOutLine, filled by `extend` entries that print
2,000 lines each (snmpd keeps about 100 kB of each command's output, and 5.9.3 crashes on
one extend of 100k lines). Both tools print every
row; output goes to /dev/null. Only 127.0.0.1 is used.
"""
import argparse
import statistics
from pathlib import Path

from benchlib import BINARY, Snmpd, measure, need, output, peak_rss_kib

NS_EXTEND_OUT_LINE = ".1.3.6.1.4.1.8072.1.3.2.4.1.2"
# snmpd keeps about 100 kB of an extend's output: 2,000 lines of ~40 bytes each.
PER_EXTEND = 2_000


def agent_for(rows):
    files, config = {}, "rocommunity public 127.0.0.1\nsysDescr snmpctl benchmark agent\n"
    for i in range((rows + PER_EXTEND - 1) // PER_EXTEND):
        n = min(PER_EXTEND, rows - i * PER_EXTEND)
        files[f"rows{i}.txt"] = "".join(
            f"row {i * PER_EXTEND + j:06d} port Gi1/0/{j % 48} up 1000000000 {j * 7919 % 100000}\n"
            for j in range(n))
        config += f"extend t{i:03d} /bin/cat $DIR/rows{i}.txt\n"
    return Snmpd(config, files)


def compare(label, cmds, env, runs, same_output=True):
    outs = {name: output(cmd, env) for name, cmd in cmds.items()}
    if same_output and len(set(outs.values())) != 1:
        raise SystemExit(f"{label}: outputs differ")
    lines = next(iter(outs.values())).count(b"\n")
    res = {name: [] for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            res[name].append(measure(cmd, env))
    med = {name: [statistics.median(x[k] for x in r) for k in range(2)] for name, r in res.items()}
    for name, cmd in cmds.items():
        med[name].append(max(peak_rss_kib(cmd, env) for _ in range(2)))
    (ours, theirs) = list(cmds)
    same = "identical" if len(set(outs.values())) == 1 else "not compared"
    print(f"{label}: {lines} lines of output, {same}; medians of {runs} interleaved runs")
    for name in cmds:
        wall, cpu, rss = med[name]
        print(f"  {name:14s} wall {wall * 1000:9.1f} ms   CPU {cpu * 1000:9.1f} ms   peak RSS {rss / 1024:7.1f} MiB")
    w, c, m = (med[ours][k] / med[theirs][k] for k in range(3))
    print(f"  ratio {ours}/{theirs}: wall {w:.2f}   CPU {c:.2f}   peak RSS {m:.2f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--reps", type=int, default=50, help="max-repetitions (-Cr) for both tools")
    ap.add_argument("--get-runs", type=int, default=200)
    ap.add_argument("--binary", default=BINARY)
    ap.add_argument("--mibs", action="store_true",
                    help="both tools load every shipped module (-M mibs -m ALL): names, index breakdown")
    ap.add_argument("--no-get", action="store_true", help="skip the get comparison")
    args = ap.parse_args()
    mib_flags = ["-M", str(Path(__file__).resolve().parent.parent / "mibs"), "-m", "ALL"] if args.mibs else []
    need("snmpd", "snmpbulkwalk", "snmpget", binary=args.binary)
    for rows in args.rows:
        with agent_for(rows) as agent:
            flags = [*mib_flags, "-v2c", "-c", "public", "-t", "5", "-r", "1", f"-Cr{args.reps}", agent.target,
                     NS_EXTEND_OUT_LINE]
            compare(f"bulk walk of {rows} rows, -Cr{args.reps}{', -M mibs -m ALL' if args.mibs else ''}",
                    {"snmpctl walk": [args.binary, "walk", *flags], "snmpbulkwalk": ["snmpbulkwalk", *flags]},
                    agent.env, args.runs)
    if args.no_get:
        return
    with agent_for(0) as agent:
        flags = ["-v2c", "-c", "public", agent.target, ".1.3.6.1.2.1.1.1.0"]
        compare("get sysDescr.0 (SNMPv2c), no MIBs (MIBS=)",
                {"snmpctl get": [args.binary, "get", *flags], "snmpget": ["snmpget", *flags]},
                agent.env, args.get_runs)
        # Each tool as installed: snmpctl with its compiled-in modules (names in the output),
        # snmpget with the system's snmp.conf (Debian's says `mibs :`, so no MIBs).
        default = {k: v for k, v in agent.env.items() if k not in ("MIBS", "SNMPCONFPATH", "SNMP_PERSISTENT_DIR")}
        compare("get sysDescr.0 (SNMPv2c), each tool's default MIBs",
                {"snmpctl get": [args.binary, "get", *flags], "snmpget": ["snmpget", *flags]},
                default, args.get_runs, same_output=False)


if __name__ == "__main__":
    main()
