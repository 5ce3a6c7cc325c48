#!/usr/bin/env python3
"""traphandle programs under load, snmpctl listen against snmptrapd in one run (issue 21).

Each receiver gets the same snmptrapd.conf: `disableAuthorization yes` and a `traphandle
default` program that reads its input and sleeps 50 ms. Then `snmpctl trap --count N --rate R`
sends v2c Traps (each with its own request-id) to it, on 127.0.0.1. Reported: Traps logged
(snmpctl: JSON lines; snmptrapd: its text log, 8 MiB socket buffer), handler runs made (the
program counts itself), runs not made because the queue was full (snmpctl's count), and the
time until the receiver settled. snmptrapd runs each handler inside its receive loop, so
while a handler runs, nothing is received.

    cargo build --release && python3 scripts/bench-handlers.py [--rate 10000] [--seconds 10]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import BINARY, free_port, need  # noqa: E402


def count_lines(path, snmptrapd):
    if not path.exists():
        return 0
    with open(path, "rb") as f:
        return sum(1 for line in f if (line[:2] == b"20") or not snmptrapd)


def settle(paths, limit):
    """Waits until none of `paths` (log, handler count) has grown for 2 s, at most `limit` s."""
    sizes, since, start = None, time.time(), time.time()
    while time.time() - start < limit:
        now = [p.stat().st_size if p.exists() else 0 for p in paths]
        if now != sizes:
            sizes, since = now, time.time()
        elif time.time() - since > 2.0:
            break
        time.sleep(0.2)
    return time.time() - start


def run(kind, tmp, count, rate, workers, queue, seconds):
    port = free_port()
    log = tmp / f"{kind}.log"
    runs = tmp / f"{kind}.runs"
    handler = tmp / f"{kind}-handler.sh"
    handler.write_text(f"#!/bin/sh\ncat > /dev/null\necho >> {runs}\nsleep 0.05\n")
    handler.chmod(0o755)
    conf = tmp / f"{kind}.conf"
    conf.write_text(f"disableAuthorization yes\ntraphandle default {handler}\n"
                    + ("[snmp] serverRecvBuf 8388608\n" if kind == "snmptrapd" else ""))
    env = dict(os.environ, MIBS="", SNMPCONFPATH=str(tmp / "none"))
    if kind == "snmpctl":
        proc = subprocess.Popen(
            [BINARY, "listen", "--listen", f"udp:127.0.0.1:{port}", "--format", "json", "--output", str(log),
             "-m", "", "--state-dir", str(tmp / "state"), "--config", str(conf), "-n",
             "--handler-workers", str(workers), "--handler-queue", str(queue)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        line = proc.stderr.readline()
        if "listening on" not in line:
            sys.exit(f"snmpctl listen did not start: {line}")
    else:
        persist = tmp / "persist"
        persist.mkdir(exist_ok=True)
        env.update(SNMP_PERSISTENT_DIR=str(persist), SNMPCONFPATH=str(persist))
        proc = subprocess.Popen(["snmptrapd", "-f", "-n", "-C", "-c", str(conf), "-Lf", str(log),
                                 "-p", str(tmp / "pid"), f"udp:127.0.0.1:{port}"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while "NET-SNMP version" not in (log.read_text() if log.exists() else ""):
            if time.time() > deadline:
                sys.exit("snmptrapd did not start")
            time.sleep(0.05)
    start = time.time()
    sent = subprocess.run([BINARY, "trap", "-v", "2c", "-c", "public", "--count", str(count), "--rate", str(rate),
                           f"udp:127.0.0.1:{port}", "1", "1.3.6.1.6.3.1.1.5.1"],
                          capture_output=True, text=True, env=env)
    if sent.returncode != 0:
        sys.exit(f"snmpctl trap failed: {sent.stderr}")
    settle([log, runs], limit=seconds + 30)
    logged = count_lines(log, kind == "snmptrapd")
    proc.terminate()
    _, err = proc.communicate(timeout=60)
    elapsed = time.time() - start
    made = count_lines(runs, False)
    not_run = None
    if kind == "snmpctl":
        m = re.search(r"(\d+) not run \(queue full\)", err or "")
        not_run = int(m.group(1)) if m else None
    return logged, made, not_run, elapsed, sent.stderr.strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rate", type=int, default=10000)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--workers", type=int, default=16)
    ap.add_argument("--queue", type=int, default=10000)
    ap.add_argument("--receivers", default="snmpctl,snmptrapd")
    args = ap.parse_args()
    kinds = [k for k in ["snmpctl", "snmptrapd"] if k in args.receivers.split(",")]
    if "snmptrapd" in kinds:
        need("snmptrapd")
    count = int(args.rate * args.seconds)
    tmp = Path(tempfile.mkdtemp(prefix="snmpctl-bench-handlers-"))
    print(f"{count} Traps at {args.rate}/s; handler: read stdin, sleep 50 ms; "
          f"snmpctl --handler-workers {args.workers} --handler-queue {args.queue}")
    print(f"{'receiver':10} {'sent':>8} {'logged':>8} {'lost':>8} {'runs':>7} {'not run':>8} {'runs/s':>7} {'settled':>8}")
    try:
        for kind in kinds:
            logged, made, not_run, elapsed, note = run(kind, tmp, count, args.rate, args.workers, args.queue, args.seconds)
            print(f"{kind:10} {count:>8} {logged:>8} {count - logged:>8} {made:>7} "
                  f"{'-' if not_run is None else not_run:>8} {made / elapsed:>7.0f} {elapsed:>7.1f}s  ({note})",
                  flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
