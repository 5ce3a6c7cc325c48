#!/usr/bin/env python3
"""System calls per round trip of a bulk walk, and the walk's user, system and wall time:
`snmpctl walk` against Net-SNMP's `snmpbulkwalk`, same table, same max-repetitions, same
private snmpd on 127.0.0.1, in one run (issue 25).

    cargo build --release && python3 scripts/bench-syscalls.py [--rows 100000] [--runs 7] \\
        [--reps 25] [--before OLD-SNMPCTL]

The table is bench-walk.py's (NET-SNMP-EXTEND-MIB's nsExtendOutLine). System calls are counted
with `strace -c -f` over a whole walk (start-up included) and divided by the round trips (the
number of sendto/sendmsg calls); times are medians of interleaved runs (getrusage of the
child, and wall clock). Output goes to /dev/null.
"""
import argparse
import importlib.util
import re
import resource
import statistics
import subprocess
import time
from pathlib import Path

from benchlib import BINARY, need

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("bench_walk", HERE / "bench-walk.py")
bench_walk = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench_walk)


def syscalls(cmd, env):
    subprocess.run(["strace", "-c", "-f", "-o", "/tmp/snmpctl-syscalls.txt"] + cmd, env=env,
                   stdout=subprocess.DEVNULL, check=True)
    counts = {}
    for line in Path("/tmp/snmpctl-syscalls.txt").read_text().splitlines():
        m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)$", line)
        if m and m.group(2) != "total":
            counts[m.group(2)] = int(m.group(1))
    return counts


def times(cmd, env):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, r1.ru_utime - r0.ru_utime, r1.ru_stime - r0.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--reps", type=int, default=25)
    ap.add_argument("--before", help="another snmpctl binary, measured beside this one")
    a = ap.parse_args()
    need("snmpd", "snmpbulkwalk", "strace")
    tools = {"snmpctl": BINARY}
    if a.before:
        tools["snmpctl (before)"] = a.before
    with bench_walk.agent_for(a.rows) as agent:
        env = agent.env
        args = ["-v2c", "-c", "public", "-On", f"-Cr{a.reps}", agent.target, bench_walk.NS_EXTEND_OUT_LINE]
        cmds = {name: [b, "walk"] + args for name, b in tools.items()}
        cmds["snmpbulkwalk"] = ["snmpbulkwalk"] + args
        print(f"bulk walk of {a.rows} rows, -Cr{a.reps}, -On")
        print(f"{'':18s} {'round trips':>11s} {'calls/trip':>10s}  {'per trip, by call':s}")
        for name, cmd in cmds.items():
            c = syscalls(cmd, env)
            trips = c.get("sendto", 0) + c.get("sendmsg", 0)
            total = sum(c.values())
            top = ", ".join(f"{k} {v / trips:.2f}" for k, v in sorted(c.items(), key=lambda kv: -kv[1])[:5])
            print(f"{name:18s} {trips:11d} {total / trips:10.2f}  {top}")
        res = {name: [] for name in cmds}
        for _ in range(a.runs):
            for name, cmd in cmds.items():
                res[name].append(times(cmd, env))
        med = {n: [statistics.median(r[k] for r in rs) for k in range(3)] for n, rs in res.items()}
        print(f"medians of {a.runs} interleaved runs")
        base = med["snmpbulkwalk"]
        for name, (wall, user, sys_) in med.items():
            cpu = user + sys_
            print(f"{name:18s} wall {wall * 1000:7.1f} ms  user {user * 1000:6.1f} ms  sys {sys_ * 1000:6.1f} ms"
                  f"  ratios: wall {wall / base[0]:.2f}  CPU {cpu / (base[1] + base[2]):.2f}  sys {sys_ / base[2]:.2f}")


if __name__ == "__main__":
    main()
