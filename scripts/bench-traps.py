#!/usr/bin/env python3
"""The highest v2c Trap rate each receiver logs with zero loss, in one run:

- `snmpctl listen --format json --output FILE` (JSON lines to a file), and
- `snmptrapd -Lf FILE` (its default text log to a file), given the same 8 MiB socket
  receive buffer (`serverRecvBuf`) so the kernel buffer is not the difference.

For each rate, a fresh receiver on a free 127.0.0.1 port gets `rate × seconds` Traps from
`snmpctl trap --count N --rate R` (each Trap has its own request-id); the records in the file
are counted once it stops growing. A rate passes when every Trap was logged. The ladder stops
for a receiver at its second failing rate. Prints a table and the ratio of the best rates.

The ladder's top is bounded by the sender, which shares the machine's cores. So the receivers'
CPU time per Trap is also measured, at a rate both log without loss (`--cpu-rate`): capacity
that the sender cannot show.

usage: scripts/bench-traps.py [--seconds 2] [--rates 5000,10000,...] [--receivers snmpctl]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import BINARY, free_port, need  # noqa: E402

RATES = [1000, 2000, 5000, 10000, 20000, 30000, 50000, 75000, 100000, 125000, 150000]


def count_records(path, snmptrapd):
    if not path.exists():
        return 0
    n = 0
    with open(path, "rb") as f:
        for line in f:
            # snmptrapd: a record starts with its date; ours: one JSON object per line.
            if snmptrapd:
                n += line[:2] == b"20"
            else:
                n += 1
    return n


def wait_settled(path, snmptrapd, expected, limit=30.0):
    """Counts records until the count reaches `expected` or stops growing for a second."""
    last, since = -1, time.time()
    deadline = time.time() + limit
    while time.time() < deadline:
        n = count_records(path, snmptrapd)
        if n >= expected:
            return n
        if n != last:
            last, since = n, time.time()
        elif time.time() - since > 1.0:
            return n
        time.sleep(0.1)
    return count_records(path, snmptrapd)


class Receiver:
    def __init__(self, kind, tmp, recv_buf=8388608):
        self.kind = kind
        self.port = free_port()
        self.log = tmp / f"{kind}-{self.port}.log"
        env = dict(os.environ, MIBS="")
        if kind == "snmpctl":
            cmd = [BINARY, "listen", "--listen", f"udp:127.0.0.1:{self.port}", "--format", "json",
                   "--output", str(self.log), "-m", "", "--state-dir", str(tmp / "state")]
            self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE, text=True)
            line = self.proc.stderr.readline()
            if "listening on" not in line:
                sys.exit(f"snmpctl listen did not start: {line}")
        else:
            conf = tmp / "snmptrapd.conf"
            conf.write_text("disableAuthorization yes\n"
                            + (f"[snmp] serverRecvBuf {recv_buf}\n" if recv_buf else ""))
            persist = tmp / "persist"
            persist.mkdir(exist_ok=True)
            env.update(SNMP_PERSISTENT_DIR=str(persist), SNMPCONFPATH=str(persist))
            cmd = ["snmptrapd", "-f", "-n", "-C", "-c", str(conf), "-Lf", str(self.log),
                   "-p", str(tmp / "pid"), f"udp:127.0.0.1:{self.port}"]
            self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
            deadline = time.time() + 10
            while "NET-SNMP version" not in (self.log.read_text() if self.log.exists() else ""):
                if time.time() > deadline:
                    sys.exit("snmptrapd did not start")
                time.sleep(0.05)

    def cpu_seconds(self):
        """user + system CPU of the receiver so far (all its threads), from /proc."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def send(port, count, rate):
    out = subprocess.run([BINARY, "trap", "-v", "2c", "-c", "public", "--count", str(count),
                          "--rate", str(rate), f"udp:127.0.0.1:{port}", "1", "1.3.6.1.6.3.1.1.5.1",
                          "1.3.6.1.2.1.1.5.0", "s", "bench"],
                         capture_output=True, text=True, env=dict(os.environ, MIBS=""))
    if out.returncode != 0:
        sys.exit(f"snmpctl trap failed: {out.stderr}")
    # "sent N traps in S s (R/s)"
    return out.stderr.strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--rates", default=",".join(map(str, RATES)))
    ap.add_argument("--cpu-rate", type=int, default=20000)
    ap.add_argument("--snmptrapd-default-buffer", action="store_true",
                    help="run snmptrapd as shipped, with the kernel's default receive buffer")
    ap.add_argument("--cpu-count", type=int, default=100000)
    ap.add_argument("--receivers", default="snmpctl,snmptrapd",
                    help="which receivers to run (the ratios need both)")
    args = ap.parse_args()
    kinds = [k for k in ["snmpctl", "snmptrapd"] if k in args.receivers.split(",")]
    if "snmptrapd" in kinds:
        need("snmptrapd")
    rates = [int(r) for r in args.rates.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="snmpctl-bench-traps-"))
    best = {}
    print(f"{'receiver':10} {'rate/s':>8} {'sent':>8} {'logged':>8} {'lost':>7} {'CPU us/trap':>9}  sender")
    try:
        for kind in kinds:
            failures = 0
            best[kind] = 0
            for rate in rates:
                count = int(rate * args.seconds)
                r = Receiver(kind, tmp, 0 if args.snmptrapd_default_buffer else 8388608)
                try:
                    before = r.cpu_seconds()
                    note = send(r.port, count, rate)
                    logged = wait_settled(r.log, kind == "snmptrapd", count)
                    per_trap = (r.cpu_seconds() - before) / max(logged, 1)
                finally:
                    r.stop()
                lost = count - logged
                print(f"{kind:10} {rate:>8} {count:>8} {logged:>8} {lost:>7} {per_trap * 1e6:>9.2f}  {note}",
                      flush=True)
                if lost == 0:
                    best[kind] = max(best[kind], rate)
                else:
                    failures += 1
                    if failures >= 2:
                        break
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\nhighest zero-loss rate: " + ", ".join(f"{k} {best[k]}/s" for k in kinds), end="")
    if len(kinds) == 2 and best["snmptrapd"]:
        print(f", ratio {best['snmpctl'] / best['snmptrapd']:.1f}x")
    else:
        print()
    tmp = Path(tempfile.mkdtemp(prefix="snmpctl-bench-traps-"))
    cpu = {}
    try:
        for kind in kinds:
            r = Receiver(kind, tmp)
            try:
                before = r.cpu_seconds()
                send(r.port, args.cpu_count, args.cpu_rate)
                logged = wait_settled(r.log, kind == "snmptrapd", args.cpu_count)
                cpu[kind] = (r.cpu_seconds() - before) / max(logged, 1)
            finally:
                r.stop()
            print(f"{kind:10} CPU per Trap at {args.cpu_rate}/s: {cpu[kind] * 1e6:.2f} us "
                  f"({logged} of {args.cpu_count} logged)", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if len(kinds) == 2:
        print(f"receiver CPU per Trap, snmptrapd / snmpctl: {cpu['snmptrapd'] / cpu['snmpctl']:.1f}x")


if __name__ == "__main__":
    main()
