#!/usr/bin/env python3
"""Fleet polling and the simulated agent, measured in one run (issue 7).

Starts `snmpctl agent` on N loopback ports (one simulated device each, the shipped router
recording, a v3 user), then:
  1. `snmpctl poll` of sysDescr.0 and sysUpTime.0 from every device, v2c: wall time, peak RSS,
     timeouts (best and median of --runs);
  2. the same over v3 authPriv (SHA-256/AES), discovery included;
  3. `xargs -P 100 snmpget` over the same devices (v2c), the loop operators write today;
  4. the agent's own rate: requests it answered per second of its CPU time, and per second of
     wall time while a poll with walks keeps it busy.
Only 127.0.0.1 is polled; every loop is bounded.

    ./scripts/bench-poll.py [--devices 10000] [--runs 3] [--first-port 20000] [--skip-xargs]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "snmpctl")
AUTH, PRIV = "bench-auth-pass", "bench-priv-pass"
OIDS = "1.3.6.1.2.1.1.1.0,1.3.6.1.2.1.1.3.0"


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(cmd, stdout=subprocess.DEVNULL):
    """Wall seconds, peak RSS (KiB) and stderr of one command, through GNU time."""
    full = ["/usr/bin/time", "-f", "TIME %e %M"] + cmd
    t0 = time.monotonic()
    p = subprocess.run(full, stdout=stdout, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - t0
    m = re.search(r"TIME ([\d.]+) (\d+)", p.stderr)
    rss = int(m.group(2)) if m else 0
    return wall, rss, p.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devices", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--first-port", type=int, default=20000)
    ap.add_argument("--concurrency", type=int, default=1000)
    ap.add_argument("--skip-xargs", action="store_true")
    a = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    tmp = tempfile.mkdtemp(prefix="snmpctl-bench-poll-")
    users = os.path.join(tmp, "users.conf")
    with open(users, "w") as f:
        f.write(f"createUser bench SHA-256 {AUTH} AES {PRIV}\n")
    first, last = a.first_port, a.first_port + a.devices - 1
    targets = [f"127.0.0.1:{p}" for p in range(first, last + 1)]
    v2 = os.path.join(tmp, "v2c.targets")
    with open(v2, "w") as f:
        f.write("\n".join(targets) + "\n")
    v3 = os.path.join(tmp, "v3.targets")
    with open(v3, "w") as f:
        f.write(f"profile v3 -v3 -u bench -l authPriv -a SHA-256 -A {AUTH} -x AES -X {PRIV}\n")
        f.write("\n".join(t + " v3" for t in targets) + "\n")
    agent = subprocess.Popen(
        ["sh", "-c", f"ulimit -n {a.devices + 1024}; exec {BIN} agent --users {users} --ports {first}-{last} --exit-after 900s"],
        stderr=subprocess.PIPE, text=True)
    line = agent.stderr.readline()
    if "serving" not in line:
        sys.exit(f"agent did not start: {line}")
    print(f"agent: {line.strip()}")
    print(f"machine: {os.cpu_count()} cores; snmpctl agent and the pollers share them\n")
    results = {}
    try:
        for name, tfile in (("v2c", v2), ("v3 authPriv", v3)):
            runs = []
            for _ in range(a.runs):
                out = os.path.join(tmp, "out.ndjson")
                with open(out, "w") as o:
                    wall, rss, err = timed([BIN, "poll", "--no-progress", "--format", "ndjson", "--concurrency",
                                            str(a.concurrency), "-f", tfile, "-g", OIDS], stdout=o)
                m = re.search(r"(\d+) ok, (\d+) timeout, (\d+) error; (\d+) values; (\d+) requests sent, (\d+) retransmitted", err)
                ok, to, er, vals, sent, retx = map(int, m.groups()) if m else (0,) * 6
                with open(out) as o:
                    lines = sum(1 for _ in o)
                runs.append((wall, rss, ok, to, retx, lines))
            walls = [r[0] for r in runs]
            results[name] = runs
            worst = max(runs, key=lambda r: r[0])
            print(f"snmpctl poll {name:12s} {a.devices} devices: best {min(walls):.2f} s, median {statistics.median(walls):.2f} s, "
                  f"worst {max(walls):.2f} s; peak RSS max {max(r[1] for r in runs) / 1024:.1f} MiB; "
                  f"ok {min(r[2] for r in runs)}, timeouts max {max(r[3] for r in runs)}, "
                  f"retransmissions max {max(r[4] for r in runs)}, result lines min {min(r[5] for r in runs)}")
        if not a.skip_xargs:
            with open(v2) as f:
                t0 = time.monotonic()
                p = subprocess.run(["xargs", "-P", "100", "-I{}", "snmpget", "-v2c", "-c", "public", "-On", "{}",
                                    "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.3.0"],
                                   stdin=f, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   env=dict(os.environ, MIBS="", SNMPCONFPATH="/nonexistent"))
                xwall = time.monotonic() - t0
            xlines = p.stdout.count(b"\n")
            best = statistics.median(r[0] for r in results["v2c"])
            print(f"xargs -P 100 snmpget  v2c          {a.devices} devices: {xwall:.2f} s, {xlines} result lines; "
                  f"snmpctl poll (median) is {xwall / best:.0f}x faster")
        # The agent's rate: a poll that walks the interface table (many requests per device).
        before = cpu_seconds(agent.pid)
        t0 = time.monotonic()
        n = min(a.devices, 2000)
        with open(os.path.join(tmp, "walk.targets"), "w") as f:
            f.write("\n".join(targets[:n]) + "\n")
        _, _, err = timed([BIN, "poll", "--no-progress", "--format", "ndjson", "--max-repetitions", "5",
                           "-f", os.path.join(tmp, "walk.targets"), "-g", OIDS, "-w", "1.3.6.1.2.1.2.2",
                           "-w", "1.3.6.1.2.1.31.1.1"])
        wall = time.monotonic() - t0
        cpu = cpu_seconds(agent.pid) - before
        m = re.search(r"(\d+) requests sent", err)
        sent = int(m.group(1)) if m else 0
        print(f"snmpctl agent: {sent} requests (Get + GetBulk walks of ifTable and ifXTable, {n} devices) in {wall:.2f} s wall: "
              f"{sent / wall:.0f} req/s with the poller on the same 2 cores; agent CPU {cpu:.2f} s = {sent / max(cpu, 1e-9):.0f} req/s per core")
    finally:
        agent.terminate()
        agent.wait()


if __name__ == "__main__":
    main()
