#!/usr/bin/env python3
"""Codec benchmark over several criterion runs, for a shared machine whose speed drifts.

    python3 scripts/bench-codec.py --runs 5

Runs `cargo bench --bench codec` N times. Every run measures every implementation on the same
bytes, so each run gives one ratio per benchmark; the table reports, per implementation, the
median of its per-run medians, and, per benchmark, the range of snmpctl's speed-up over the
fastest peer across runs (a slow spell that hits one implementation's turn in one run shows up
as the low end of the range instead of deciding the figure).
"""
import argparse
import json
import statistics
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CRITERION = ROOT / "target" / "criterion"
OURS = ("snmpctl", "snmpctl-owned", "snmpctl-via-rasn")


def collect():
    rows = {}
    for est in CRITERION.glob("*_*/*/new/estimates.json"):
        bench = json.loads((est.parent / "benchmark.json").read_text())
        group = bench["group_id"]
        if not group.startswith(("decode/", "encode/")):
            continue
        impl = bench.get("value_str") or bench["function_id"]
        rows.setdefault(group, {})[impl] = json.loads(est.read_text())["median"]["point_estimate"]
    return rows


def fmt(ns):
    return f"{ns / 1000:.2f} µs" if ns >= 1000 else f"{ns:.0f} ns"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    runs = []
    for i in range(args.runs):
        print(f"run {i + 1}/{args.runs}", flush=True)
        subprocess.run(["cargo", "bench", "--bench", "codec", "--", "--noplot"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        runs.append(collect())

    print(f"\n| benchmark | implementation | median of {args.runs} runs | × snmpctl |")
    print("|---|---|---:|---:|")
    for group in sorted(runs[0]):
        med = {impl: statistics.median(r[group][impl] for r in runs) for impl in runs[0][group]}
        base = med["snmpctl"]
        for impl, ns in sorted(med.items(), key=lambda kv: kv[1]):
            print(f"| {group} | {impl} | {fmt(ns)} | {ns / base:.2f} |")

    print("\n| benchmark | fastest peer per run | snmpctl's speed-up over it, per run |")
    print("|---|---|---|")
    for group in sorted(runs[0]):
        peers, ups = [], []
        for r in runs:
            theirs = {k: v for k, v in r[group].items() if k not in OURS}
            name = min(theirs, key=theirs.get)
            peers.append(name)
            ups.append(theirs[name] / r[group]["snmpctl"])
        spread = ", ".join(f"{u:.2f}×" for u in ups)
        print(f"| {group} | {', '.join(sorted(set(peers)))} | {spread} (min {min(ups):.2f}×, median {statistics.median(ups):.2f}×) |")


if __name__ == "__main__":
    main()
