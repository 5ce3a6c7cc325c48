#!/usr/bin/env python3
"""A `get`'s start-up, two snmpctl builds side by side: `get -v2c sysDescr.0` against an
`snmpctl agent` on 127.0.0.1, the two binaries interleaved (the order alternating run to run),
medians of wall clock and CPU (user + system) per run. Once with no MIBs (`MIBS=`), once with
every shipped module (`-m ALL`); the machine's snmp.conf is read as a user's would be.

    python3 scripts/bench-startup.py --old path/to/earlier/snmpctl [--new target/.../snmpctl] [--runs 400]

An earlier build: `git worktree add /tmp/old COMMIT && cd /tmp/old && CARGO_TARGET_DIR=...
cargo build --release -p snmpctl-cli`.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import BINARY, free_port  # noqa: E402


def run(binary, extra, env, agent):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([binary, "get", "-v2c", "-c", "public", *extra, agent, "1.3.6.1.2.1.1.1.0"],
                   stdout=subprocess.DEVNULL, env=env, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--old", required=True, help="the earlier snmpctl binary")
    ap.add_argument("--new", default=BINARY)
    ap.add_argument("--runs", type=int, default=400)
    args = ap.parse_args()
    port = free_port()
    agent = subprocess.Popen([args.new, "agent", "--listen", f"127.0.0.1:{port}"], stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    try:
        without_mibs = dict(os.environ, MIBS="")
        as_installed = {k: v for k, v in os.environ.items() if k != "MIBS"}
        for label, extra, env in [("no MIBs (MIBS=)", [], without_mibs),
                                  ("names (-m ALL)", ["-m", "ALL"], as_installed)]:
            res = {"old": [], "new": []}
            for i in range(args.runs):
                order = [("old", args.old), ("new", args.new)]
                for name, binary in (order if i % 2 == 0 else order[::-1]):
                    res[name].append(run(binary, extra, env, f"127.0.0.1:{port}"))
            wall = {k: statistics.median(w for w, _ in v) * 1000 for k, v in res.items()}
            cpu = {k: statistics.median(c for _, c in v) * 1000 for k, v in res.items()}
            print(f"{label}: wall old {wall['old']:.3f} ms, new {wall['new']:.3f} ms "
                  f"({wall['new'] / wall['old']:.3f}x); CPU old {cpu['old']:.3f} ms, new {cpu['new']:.3f} ms "
                  f"({cpu['new'] / cpu['old']:.3f}x)", flush=True)
    finally:
        agent.kill()


if __name__ == "__main__":
    main()
