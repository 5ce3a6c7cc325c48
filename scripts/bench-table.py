#!/usr/bin/env python3
"""Markdown table of criterion results (target/criterion/<group>/<impl>/new/estimates.json),
with each implementation's time as a multiple of snmpctl's.
    cargo bench --bench codec && python3 scripts/bench-table.py
"""
import json
from pathlib import Path

root = Path(__file__).resolve().parent.parent / "target" / "criterion"
rows = []
for group in sorted(p for p in root.glob("*_*") if p.is_dir()):
    for sub in sorted(group.iterdir()):
        est = sub / "new" / "estimates.json"
        if not est.exists():
            continue
        bench = json.loads((sub / "new" / "benchmark.json").read_text())
        ns = json.loads(est.read_text())["median"]["point_estimate"]
        rows.append((bench["group_id"], bench.get("value_str") or bench["function_id"], ns))
groups = {}
for g, impl, ns in rows:
    groups.setdefault(g, {})[impl] = ns
print("| benchmark | implementation | median | × snmpctl |")
print("|---|---|---:|---:|")
for g in sorted(groups):
    base = groups[g].get("snmpctl")
    for impl, ns in sorted(groups[g].items(), key=lambda kv: kv[1]):
        t = f"{ns/1000:.2f} µs" if ns >= 1000 else f"{ns:.0f} ns"
        ratio = f"{ns/base:.2f}" if base else "-"
        print(f"| {g} | {impl} | {t} | {ratio} |")
