#!/usr/bin/env python3
"""SNMPv3 authPriv Get round trip, as whole processes: `snmpctl get` against Net-SNMP `snmpget`,
against the same private snmpd on 127.0.0.1, interleaved in one run. Prints wall-clock medians
and the ratio. Each process derives keys from passwords, discovers the engine and sends one Get,
which is what a user's command line costs.

    cargo build --release && python3 scripts/bench-v3-get.py [--runs 200] [--auth SHA --priv AES]

Needs snmpd and snmpget (apt-get install snmpd snmp). Only 127.0.0.1 is used.
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--auth", default="SHA")
    ap.add_argument("--priv", default="AES")
    ap.add_argument("--binary", default=str(ROOT / "target" / "release" / "snmpctl"))
    args = ap.parse_args()
    for tool in ("snmpd", "snmpget"):
        if not shutil.which(tool):
            sys.exit(f"bench-v3-get: {tool} not found (apt-get install snmpd snmp)")
    if not os.path.exists(args.binary):
        sys.exit(f"bench-v3-get: {args.binary} not built (cargo build --release)")

    tmp = Path(tempfile.mkdtemp(prefix="snmpctl-bench-"))
    (tmp / "persist").mkdir()
    (tmp / "snmpd.conf").write_text(
        f"createUser bench {args.auth} authpass123 {args.priv} privpass123\nrwuser bench priv\n"
        "sysDescr snmpctl benchmark agent\n")
    port = free_port()
    env = dict(os.environ, SNMPCONFPATH=f"{tmp}:{tmp / 'persist'}", SNMP_PERSISTENT_DIR=str(tmp / "persist"),
               MIBS="")
    agent = subprocess.Popen(["snmpd", "-f", "-Lf", str(tmp / "log"), "-I", "-smux", "-p", str(tmp / "pid"),
                              f"udp:127.0.0.1:{port}"], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 15
        while "NET-SNMP version" not in ((tmp / "log").read_text() if (tmp / "log").exists() else ""):
            if time.time() > deadline:
                sys.exit("bench-v3-get: snmpd did not start")
            time.sleep(0.05)
        target = f"udp:127.0.0.1:{port}"
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
    finally:
        agent.terminate()
        agent.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
