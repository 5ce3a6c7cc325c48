#!/usr/bin/env python3
"""System calls per round trip of a bulk walk, and the walk's user, system and wall time:
`snmpctl walk` against Net-SNMP's `snmpbulkwalk`, same table, same max-repetitions, same
private snmpd on 127.0.0.1, in one run (issue 25).

    cargo build --release && python3 scripts/bench-syscalls.py [--rows 100000] [--runs 7] \\
        [--reps 25] [--before OLD-SNMPCTL] [--iftable 10000]

The table is bench-walk.py's (NET-SNMP-EXTEND-MIB's nsExtendOutLine), or with `--iftable N`
(root, iproute2) the issue's own: ifTable of N interfaces (N/2 veth pairs), served by snmpd in a
network namespace this script makes and removes. System calls are counted with `strace -c -f`
over a whole walk (start-up included) and divided by the round trips (the number of
sendto/sendmsg calls); times are medians of interleaved runs (getrusage of the child, and wall
clock). Output goes to /dev/null.

The last row, "kernel floor", is a bare loop of the same number of round trips: send the walk's
first GetBulk, block in recv for the answer, nothing else (no decoding, no output). Its system
time is what the kernel charges any client per round trip (the send, which on loopback also
queues the datagram on snmpd's socket and wakes it, and the wait), so no client's CPU can be
below it. Then what the issue's CPU target (0.35x of snmpbulkwalk's) leaves above that floor
for everything else a client does: its user time and any system time over the floor.

With `--perf`, one walk of each client runs under `perf record -e cpu-clock -g`, and the
samples say where its CPU goes: user space, the kernel waking the agent (the send's delivery on
loopback ends in `sock_def_readable`, which wakes snmpd on the other CPU), the kernel switching
the client out while it waits (`schedule`), and the rest of the kernel.

Unless it is built for precise accounting, the kernel splits a process's CPU time into user
and system time by where its timer ticks land, so those two columns move by several
milliseconds from run to run even when their sum does not. With `--instructions`, one walk of each client runs under valgrind's callgrind: its
user-space instructions, per round trip and per varbind, are the same every run, which is what
to compare when changing the client's own code.
"""
import argparse
import contextlib
import ctypes
import importlib.util
import os
import re
import resource
import socket
import statistics
import subprocess
import time
from pathlib import Path

import ber
from benchlib import BINARY, Snmpd, need

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


IF_TABLE = "1.3.6.1.2.1.2.2"


@contextlib.contextmanager
def iftable_agent(interfaces):
    """snmpd serving ifTable with `interfaces` rows, in a network namespace of its own that this
    process enters (so the walks run there too) and removes at the end."""
    ns = f"snmpctl-bench-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        with open(f"/var/run/netns/{ns}") as f:
            if libc.setns(f.fileno(), 0x40000000) != 0:  # CLONE_NEWNET
                raise SystemExit(f"setns: {os.strerror(ctypes.get_errno())}")
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        batch = "".join(f"link add a{i} type veth peer name b{i}\n" for i in range(interfaces // 2))
        subprocess.run(["ip", "-batch", "-"], input=batch.encode(), check=True)
        with Snmpd("rocommunity public 127.0.0.1\n") as agent:
            yield agent
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=False)


def kernel_floor(target, oid, reps, trips):
    """(wall, user, sys) of `trips` bare round trips: one GetBulk sent, its answer received."""
    host, port = target.removeprefix("udp:").rsplit(":", 1)
    # GetBulk (0xA5): non-repeaters 0 and max-repetitions in error-status and error-index's places.
    msg = ber.message([ber.tlv(0x30, ber.oid(oid) + b"\x05\x00")], pdu_tag=0xA5,
                      request_id=ber.integer(1), es=ber.integer(0), ei=ber.integer(reps))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((host, int(port)))
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    for _ in range(trips):
        s.send(msg)
        s.recv(65535)
    wall, r1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF)
    s.close()
    return wall, r1.ru_utime - r0.ru_utime, r1.ru_stime - r0.ru_stime


def perf_shares(cmd, env):
    """Percent of a walk's CPU samples: user, waking the agent, waiting, the rest of the kernel."""
    data = f"/tmp/snmpctl-perf-{os.getpid()}.data"
    subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-F", "5000", "-g", "-o", data, "--"] + cmd,
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    report = subprocess.run(["perf", "report", "-i", data, "--children", "--stdio", "-g", "none",
                             "--sort", "sym"], capture_output=True, text=True, check=True).stdout
    os.unlink(data)
    inclusive, kernel = {}, 0.0
    for line in report.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+([\d.]+)%\s+\[([k.])\]\s+(\S+)", line)
        if m:
            inclusive[m.group(4)] = float(m.group(1))
            if m.group(3) == "k":
                kernel += float(m.group(2))
    wake = inclusive.get("sock_def_readable", 0.0)
    wait = inclusive.get("schedule", 0.0)
    return {"user": 100.0 - kernel, "waking the agent": wake, "switched out, waiting": wait,
            "the rest of the kernel": max(kernel - wake - wait, 0.0)}


def instructions(cmd, env):
    """User-space instructions of one walk, counted by callgrind (-t 10: it runs slowly there)."""
    out = f"/tmp/snmpctl-callgrind-{os.getpid()}.out"
    slow = cmd[:2] + ["-t", "10"] + cmd[2:] if cmd[1] == "walk" else cmd[:1] + ["-t", "10"] + cmd[1:]
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + slow, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    total = next(int(line.split()[1]) for line in Path(out).read_text().splitlines()
                 if line.startswith("summary:"))
    os.unlink(out)
    return total


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
    ap.add_argument("--iftable", type=int, metavar="N",
                    help="walk ifTable of N interfaces in a private network namespace (root)")
    ap.add_argument("--perf", action="store_true",
                    help="also say where each client's CPU goes, from perf samples of one walk")
    ap.add_argument("--instructions", action="store_true",
                    help="also count each client's user-space instructions for one walk (valgrind)")
    a = ap.parse_args()
    need("snmpd", "snmpbulkwalk", "strace", *(["perf"] if a.perf else []),
         *(["valgrind"] if a.instructions else []))
    tools = {"snmpctl": BINARY}
    if a.before:
        tools["snmpctl (before)"] = a.before
    agent_cm = iftable_agent(a.iftable) if a.iftable else bench_walk.agent_for(a.rows)
    oid = IF_TABLE if a.iftable else bench_walk.NS_EXTEND_OUT_LINE
    with agent_cm as agent:
        env = agent.env
        args = ["-v2c", "-c", "public", "-On", f"-Cr{a.reps}", agent.target, oid]
        cmds = {name: [b, "walk"] + args for name, b in tools.items()}
        cmds["snmpbulkwalk"] = ["snmpbulkwalk"] + args
        # snmpd reads the interfaces once and caches them: a first walk outside the figures.
        subprocess.run(cmds["snmpbulkwalk"], env=env, stdout=subprocess.DEVNULL, check=True)
        what = f"ifTable of {a.iftable} interfaces" if a.iftable else f"{a.rows} rows"
        print(f"bulk walk of {what}, -Cr{a.reps}, -On")
        print(f"{'':18s} {'round trips':>11s} {'calls/trip':>10s}  {'per trip, by call':s}")
        trips = 0
        for name, cmd in cmds.items():
            c = syscalls(cmd, env)
            trips = c.get("sendto", 0) + c.get("sendmsg", 0)
            total = sum(c.values())
            top = ", ".join(f"{k} {v / trips:.2f}" for k, v in sorted(c.items(), key=lambda kv: -kv[1])[:5])
            print(f"{name:18s} {trips:11d} {total / trips:10.2f}  {top}")
        res = {name: [] for name in cmds}
        res["kernel floor"] = []
        for _ in range(a.runs):
            for name, cmd in cmds.items():
                res[name].append(times(cmd, env))
            res["kernel floor"].append(kernel_floor(agent.target, oid, a.reps, trips))
        med = {n: [statistics.median(r[k] for r in rs) for k in range(3)] for n, rs in res.items()}
        print(f"medians of {a.runs} interleaved runs")
        base = med["snmpbulkwalk"]
        for name, (wall, user, sys_) in med.items():
            if name == "kernel floor":
                # Its user time is Python's loop: only the kernel's share is the floor.
                print(f"{name:18s} wall {wall * 1000:7.1f} ms  {'':15s}  sys {sys_ * 1000:6.1f} ms"
                      f"  = {sys_ / (base[1] + base[2]):.2f} of snmpbulkwalk's CPU")
                continue
            cpu = user + sys_
            print(f"{name:18s} wall {wall * 1000:7.1f} ms  user {user * 1000:6.1f} ms  sys {sys_ * 1000:6.1f} ms"
                  f"  ratios: wall {wall / base[0]:.2f}  CPU {cpu / (base[1] + base[2]):.2f}  sys {sys_ / max(base[2], 1e-9):.2f}")
        floor_sys = med["kernel floor"][2]
        target = 0.35 * (base[1] + base[2])
        print(f"the CPU target, 0.35x of snmpbulkwalk's, is {target * 1000:.1f} ms; above the kernel floor it "
              f"leaves {(target - floor_sys) * 1000:.1f} ms for all of a client's user time and any system "
              f"time over the floor (snmpctl's user time: {med['snmpctl'][1] * 1000:.1f} ms)")
        if a.instructions:
            varbinds = subprocess.run(cmds["snmpbulkwalk"], env=env, capture_output=True, check=True).stdout.count(b"\n")
            print(f"user-space instructions of one walk (callgrind), {varbinds} varbinds")
            counted = {name: instructions(cmd, env) for name, cmd in cmds.items()}
            for name, n in counted.items():
                print(f"{name:18s} {n / 1e6:9.1f} M  {n / trips:8.0f} a round trip  {n / varbinds:6.0f} a varbind"
                      f"  ratio {n / counted['snmpbulkwalk']:.3f}")
        if a.perf:
            print("where the CPU goes, from perf samples of one walk (per round trip: the share of the median CPU)")
            for name, cmd in cmds.items():
                shares = perf_shares(cmd, env)
                cpu_us = (med[name][1] + med[name][2]) * 1e6 / trips
                print(f"{name:18s} " + ", ".join(f"{k} {v:.0f}% ({v * cpu_us / 100:.1f} us)" for k, v in shares.items()))


if __name__ == "__main__":
    main()
