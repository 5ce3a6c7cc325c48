#!/usr/bin/env python3
"""Lines of code per everyday job: snmpctl's examples/ against the same jobs written with
async-snmp 0.18 (scripts/loc/async-snmp/) and pysnmp 7.1 (scripts/loc/pysnmp/), counted the
same way: lines that are neither blank, nor comments, nor only a closing bracket.

The peers' programs do what ours do (same arguments, defaults and output shape) and were run
against `snmpctl agent`, Net-SNMP's snmptrap and snmpinform; see BENCHMARKS.md.

    python3 scripts/loc.py
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JOBS = ["system_info", "interfaces", "rename", "v3_get", "fleet", "traps"]
SETS = [
    ("snmpctl", ROOT / "examples", ".rs", "//"),
    ("async-snmp 0.18", ROOT / "scripts/loc/async-snmp", ".rs", "//"),
    ("pysnmp 7.1", ROOT / "scripts/loc/pysnmp", ".py", "#"),
]


def count(path: Path, comment: str) -> int:
    n = 0
    for line in path.read_text().splitlines():
        s = line.strip()
        if not s or s.startswith(comment) or s.startswith("#!") or s.strip("}]);") == "":
            continue
        n += 1
    return n


def main() -> None:
    print(f"{'job':<12}" + "".join(f"{name:>18}" for name, *_ in SETS))
    totals = [0] * len(SETS)
    for job in JOBS:
        row = []
        for i, (_, folder, ext, comment) in enumerate(SETS):
            n = count(folder / f"{job}{ext}", comment)
            totals[i] += n
            row.append(n)
        print(f"{job:<12}" + "".join(f"{n:>18}" for n in row))
    print(f"{'total':<12}" + "".join(f"{n:>18}" for n in totals))


if __name__ == "__main__":
    main()
