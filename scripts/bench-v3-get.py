#!/usr/bin/env python3
"""SNMPv3 authPriv Get round trip, as whole processes: `snmpctl get` against Net-SNMP `snmpget`,
against the same private snmpd on 127.0.0.1, interleaved in one run. Prints wall-clock medians
and the ratio. Each process derives keys from passwords, discovers the engine and sends one Get,
which is what a user's command line costs.

    cargo build --release && python3 scripts/bench-v3-get.py [--runs 200] [--auth SHA --priv AES]

Needs snmpd and snmpget (apt-get install snmpd snmp). Only 127.0.0.1 is used.
"""
import argparse
import statistics
import subprocess
import sys
import time

from benchlib import BINARY, Snmpd, need


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--auth", default="SHA")
    ap.add_argument("--priv", default="AES")
    ap.add_argument("--binary", default=BINARY)
    args = ap.parse_args()
    need("snmpd", "snmpget", binary=args.binary)
    config = (f"createUser bench {args.auth} authpass123 {args.priv} privpass123\nrwuser bench priv\n"
              "sysDescr snmpctl benchmark agent\n")
    with Snmpd(config) as agent:
        env = agent.env
        target = agent.target
        flags = ["-v", "3", "-u", "bench", "-l", "authPriv", "-a", args.auth, "-A", "authpass123",
                 "-x", args.priv, "-X", "privpass123", "-r", "1", "-t", "2"]
        oid = "1.3.6.1.2.1.1.1.0"
        cmds = {
            "snmpctl get": [args.binary, "get", *flags, target, oid],
            "snmpget": ["snmpget", *flags, target, oid],
        }
        outputs = {}
        for name, cmd in cmds.items():
            out = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if out.returncode != 0:
                sys.exit(f"bench-v3-get: {name} failed: {out.stderr}")
            outputs[name] = out.stdout
        if len(set(outputs.values())) != 1:
            sys.exit(f"bench-v3-get: outputs differ: {outputs}")
        times = {name: [] for name in cmds}
        for _ in range(args.runs):
            for name, cmd in cmds.items():
                t = time.perf_counter()
                subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
                times[name].append(time.perf_counter() - t)
        ours = statistics.median(times["snmpctl get"])
        theirs = statistics.median(times["snmpget"])
        print(f"SNMPv3 authPriv Get ({args.auth}/{args.priv}), {args.runs} runs each, interleaved, "
              f"same snmpd on {target}")
        for name in cmds:
            ts = sorted(times[name])
            print(f"  {name:12s} median {statistics.median(ts) * 1000:7.2f} ms   "
                  f"p10 {ts[len(ts) // 10] * 1000:7.2f} ms   p90 {ts[len(ts) * 9 // 10] * 1000:7.2f} ms")
        print(f"  ratio snmpctl/snmpget: {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
