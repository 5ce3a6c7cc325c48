#!/usr/bin/env python3
"""`snmpctl exporter` against snmp_exporter (Debian's prometheus-snmp-exporter 0.21), side by
side in one run, on loopback only:

1. a scrape of the `if_mib` module (interfaces and ifXTable walked, ifAlias/ifDescr/ifName
   looked up) on a simulated switch of N interfaces (`snmpctl agent`), SNMPv2c and SNMPv3
   authPriv (SHA, AES): wall, CPU and peak RSS of each exporter, medians of interleaved runs;
   and the sequential `snmpbulkwalk -Cr25` of the same subtrees as the floor;
2. the same device with non-UTF-8 ifAlias values: what each exporter answers;
3. 1,000 simulated devices (`snmpctl agent --ports`) scraped at once: how many answered,
   wall, CPU and peak RSS of each exporter.

    cargo build --release && python3 scripts/bench-exporter.py [--interfaces 10000] [--runs 3] [--targets 1000]

Both exporters read the same snmp.yml (0.21 format), written by `snmpctl exporter generate`
from the built-in generator.yml's if_mib module (prometheus-snmp-generator writes the same).
"""
import argparse
import concurrent.futures
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import BINARY, ROOT, free_port, need

CLK_TCK = os.sysconf("SC_CLK_TCK")
USER = ("bench", "SHA", "bench-auth-pass", "AES", "bench-priv-pass")


def recording(n, latin1=0):
    """IF-MIB's ifTable and ifXTable for `n` interfaces, in OID order; the first `latin1`
    ifAlias values are ISO 8859-1, not UTF-8."""
    idx = range(1, n + 1)
    cols = {
        (2, 2, 1, 1): lambda i: f"2|{i}",
        (2, 2, 1, 2): lambda i: f"4|ge-{i // 48}/0/{i % 48}",
        (2, 2, 1, 3): lambda i: "2|6",
        (2, 2, 1, 4): lambda i: "2|9000",
        (2, 2, 1, 5): lambda i: "66|1000000000",
        (2, 2, 1, 6): lambda i: f"4x|0050569a{i >> 8 & 255:02x}{i & 255:02x}",
        (2, 2, 1, 7): lambda i: "2|1",
        (2, 2, 1, 8): lambda i: f"2|{1 + i % 2}",
        (2, 2, 1, 9): lambda i: f"67|{i * 100}",
        (2, 2, 1, 10): lambda i: f"65|{i * 7919 % 4294967295}",
        (2, 2, 1, 11): lambda i: f"65|{i * 31}",
        (2, 2, 1, 12): lambda i: "65|0",
        (2, 2, 1, 13): lambda i: "65|0",
        (2, 2, 1, 14): lambda i: f"65|{i % 7}",
        (2, 2, 1, 15): lambda i: "65|0",
        (2, 2, 1, 16): lambda i: f"65|{i * 104729 % 4294967295}",
        (2, 2, 1, 17): lambda i: f"65|{i * 37}",
        (2, 2, 1, 18): lambda i: "65|0",
        (2, 2, 1, 19): lambda i: "65|0",
        (2, 2, 1, 20): lambda i: f"65|{i % 3}",
        (2, 2, 1, 21): lambda i: "66|0",
        (2, 2, 1, 22): lambda i: "6|0.0",
        (31, 1, 1, 1, 1): lambda i: f"4|Gi{i // 48}/0/{i % 48}",
        (31, 1, 1, 1, 2): lambda i: f"65|{i * 3}",
        (31, 1, 1, 1, 3): lambda i: f"65|{i * 5}",
        (31, 1, 1, 1, 4): lambda i: f"65|{i * 11}",
        (31, 1, 1, 1, 5): lambda i: f"65|{i * 13}",
        (31, 1, 1, 1, 6): lambda i: f"70|{i * 1000000007}",
        (31, 1, 1, 1, 7): lambda i: f"70|{i * 17}",
        (31, 1, 1, 1, 8): lambda i: f"70|{i * 3}",
        (31, 1, 1, 1, 9): lambda i: f"70|{i * 5}",
        (31, 1, 1, 1, 10): lambda i: f"70|{i * 2000000011}",
        (31, 1, 1, 1, 11): lambda i: f"70|{i * 19}",
        (31, 1, 1, 1, 12): lambda i: f"70|{i * 11}",
        (31, 1, 1, 1, 13): lambda i: f"70|{i * 13}",
        (31, 1, 1, 1, 14): lambda i: "2|1",
        (31, 1, 1, 1, 15): lambda i: "66|1000",
        (31, 1, 1, 1, 16): lambda i: "2|2",
        (31, 1, 1, 1, 17): lambda i: "2|1",
        (31, 1, 1, 1, 18): lambda i: (f"4x|{('uplink caf' + chr(0xe9) + f' {i}').encode('latin-1').hex()}"
                                      if i <= latin1 else f"4|customer {i} port"),
        (31, 1, 1, 1, 19): lambda i: "67|0",
    }
    lines = ["1.3.6.1.2.1.1.3.0|67|123456", f"1.3.6.1.2.1.2.1.0|2|{n}"]
    for col in sorted(cols):
        base = "1.3.6.1.2.1." + ".".join(map(str, col))
        lines.extend(f"{base}.{i}|{cols[col](i)}" for i in idx)
    return "\n".join(lines) + "\n"


class Proc:
    """A background process; its CPU time and peak RSS from /proc."""

    def __init__(self, cmd, ready=None, env=None, stderr_file=None):
        self.log = stderr_file
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(stderr_file, "w") if stderr_file else subprocess.DEVNULL, env=env)
        deadline = time.time() + 30
        while ready and not ready():
            if time.time() > deadline or self.proc.poll() is not None:
                sys.exit(f"{cmd[0]} did not start: {Path(stderr_file).read_text() if stderr_file else ''}")
            time.sleep(0.05)

    def cpu(self):
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def peak_rss_mib(self):
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def tcp_ready(port):
    def check():
        import socket
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            return False
    return check


def get(port, path, timeout=300):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request("GET", path, headers={"X-Prometheus-Scrape-Timeout-Seconds": str(timeout)})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


def samples(body):
    return {l for l in body.decode(errors="replace").splitlines()
            if not l.startswith("#") and "snmp_scrape_" not in l and "snmpctl_" not in l}


def exporters(config, tmp):
    ours_port, theirs_port = free_port(), free_port()
    ours = Proc([BINARY, "exporter", "--config", str(config), "--listen", f"127.0.0.1:{ours_port}"],
                tcp_ready(ours_port), stderr_file=str(tmp / "ours.log"))
    theirs = Proc(["prometheus-snmp-exporter", f"--config.file={config}", f"--web.listen-address=127.0.0.1:{theirs_port}"],
                  tcp_ready(theirs_port), stderr_file=str(tmp / "theirs.log"))
    return {"snmpctl exporter": (ours, ours_port), "snmp_exporter": (theirs, theirs_port)}


def scrape_table(label, config, tmp, agent, module, runs):
    procs = exporters(config, tmp)
    res = {name: [] for name in procs}
    outs = {}
    for _ in range(runs):
        for name, (proc, port) in procs.items():
            c0, t0 = proc.cpu(), time.perf_counter()
            status, body = get(port, f"/snmp?target={agent}&module={module}")
            wall = time.perf_counter() - t0
            time.sleep(0.2)  # let the process account its CPU
            res[name].append((wall, proc.cpu() - c0))
            outs[name] = (status, body)
    print(f"{label}")
    for name, (proc, _) in procs.items():
        status, body = outs[name]
        wall = statistics.median(r[0] for r in res[name])
        cpu = statistics.median(r[1] for r in res[name])
        print(f"  {name:17s} HTTP {status}  {len(samples(body)):7d} samples   wall {wall:7.3f} s   CPU {cpu:7.3f} s   peak RSS {proc.peak_rss_mib():7.1f} MiB")
    a, b = (outs["snmpctl exporter"], outs["snmp_exporter"])
    if a[0] == b[0] == 200:
        print(f"  same samples: {samples(a[1]) == samples(b[1])}")
    ours, theirs = res["snmpctl exporter"], res["snmp_exporter"]
    w = statistics.median(r[0] for r in ours) / statistics.median(r[0] for r in theirs)
    c = statistics.median(r[1] for r in ours) / max(statistics.median(r[1] for r in theirs), 1e-9)
    m = procs["snmpctl exporter"][0].peak_rss_mib() / procs["snmp_exporter"][0].peak_rss_mib()
    print(f"  ratio snmpctl/snmp_exporter: wall {w:.3f}   CPU {c:.3f}   peak RSS {m:.3f}")
    for proc, _ in procs.values():
        proc.stop()
    return statistics.median(r[0] for r in ours)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--interfaces", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--targets", type=int, default=1000)
    args = ap.parse_args()
    need("snmpbulkwalk", "prometheus-snmp-exporter")
    tmp = Path(tempfile.mkdtemp(prefix="snmpctl-bench-exporter-"))
    try:
        run(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(args, tmp):
    # The snmp.yml: the built-in if_mib module (0.21 format), and a v3 copy of it.
    builtin = (ROOT / "cli/src/cli/exporter/generator.yml").read_text()
    modules = "modules:\n" + builtin.split("\nmodules:\n", 1)[1]
    (tmp / "generator.yml").write_text(modules)
    subprocess.run([BINARY, "exporter", "generate", str(tmp / "generator.yml"), "-o", str(tmp / "gen.yml")],
                   check=True, stderr=subprocess.DEVNULL)
    gen = (tmp / "gen.yml").read_text()
    if_mib = gen.split("\nif_mib:\n", 1)[1].split("\nsystem:\n", 1)[0]
    user, ap, apass, pp, ppass = USER
    v3 = (f"  version: 3\n  auth:\n    username: {user}\n    security_level: authPriv\n    password: {apass}\n"
          f"    auth_protocol: {ap}\n    priv_protocol: {pp}\n    priv_password: {ppass}\n")
    config = tmp / "snmp.yml"
    config.write_text(f"if_mib:\n{if_mib}\nif_mib_v3:\n{v3}{if_mib}\nif_mib_latin1:\n  auth:\n    community: latin1\n{if_mib}\n")
    (tmp / "users.conf").write_text(f"createUser {user} {ap} {apass} {pp} {ppass}\n")
    (tmp / "dev").mkdir()
    (tmp / "dev" / "public.snmprec").write_text(recording(args.interfaces))
    (tmp / "dev" / "latin1.snmprec").write_text(recording(args.interfaces, latin1=3))
    port = free_port()
    agent = Proc([BINARY, "agent", "--listen", f"udp:127.0.0.1:{port}", "--users", str(tmp / "users.conf"), str(tmp / "dev")],
                 lambda: "serving" in (tmp / "agent.log").read_text(), stderr_file=str(tmp / "agent.log"))
    target = f"127.0.0.1:{port}"
    try:
        # The floor: the same subtrees walked one after the other by Net-SNMP.
        t0 = time.perf_counter()
        for oid in ["1.3.6.1.2.1.2", "1.3.6.1.2.1.31.1.1"]:
            subprocess.run(["snmpbulkwalk", "-v2c", "-c", "public", "-Cr25", "-On", "-t", "5", "-r", "1", target, oid],
                           stdout=subprocess.DEVNULL, check=True, env=dict(os.environ, MIBS=""))
        floor = time.perf_counter() - t0
        print(f"sequential snmpbulkwalk -Cr25 of interfaces and ifXTable ({args.interfaces} interfaces): {floor:.3f} s")
        wall = scrape_table(f"if_mib, SNMPv2c, {args.interfaces} interfaces", config, tmp, target, "if_mib", args.runs)
        print(f"  snmpctl exporter wall / sequential snmpbulkwalk: {wall / floor:.2f}")
        scrape_table(f"if_mib, SNMPv3 authPriv SHA/AES, {args.interfaces} interfaces", config, tmp, target, "if_mib_v3", args.runs)
        procs = exporters(config, tmp)
        print("if_mib, 3 ifAlias values in ISO 8859-1 (not UTF-8):")
        for name, (proc, port_) in procs.items():
            status, body = get(port_, f"/snmp?target={target}&module=if_mib_latin1")
            first = body.decode(errors="replace").strip().splitlines()
            note = first[-1][:100] if status != 200 else f"{len(samples(body))} samples"
            if status == 200 and name == "snmpctl exporter":
                _, m = get(port_, "/metrics")
                note += ", " + next((l for l in m.decode().splitlines()
                                     if l.startswith("snmpctl_exporter_label_values_repaired_total")), "")
            print(f"  {name:17s} HTTP {status}: {note}")
            proc.stop()
    finally:
        agent.stop()

    # Many devices at once.
    n = args.targets
    base = 20000 + (os.getpid() * 7919) % 20000
    devices = Proc(["sh", "-c", f"ulimit -n 8192; exec {BINARY} agent --listen udp:127.0.0.1 --ports {base}-{base + n - 1}"],
                   lambda: "serving" in (tmp / "devices.log").read_text(), stderr_file=str(tmp / "devices.log"))
    try:
        procs = exporters(config, tmp)
        print(f"{n} simulated devices (the shipped router recording) scraped at once, module if_mib:")
        for name, (proc, port_) in procs.items():
            c0, t0 = proc.cpu(), time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
                results = list(pool.map(lambda p: get(port_, f"/snmp?target=127.0.0.1:{p}&module=if_mib", timeout=120),
                                        range(base, base + n)))
            wall = time.perf_counter() - t0
            time.sleep(0.2)
            ok = sum(1 for s, b in results if s == 200 and b"ifHCInOctets{" in b)
            print(f"  {name:17s} answered {ok}/{n}   wall {wall:7.3f} s   CPU {proc.cpu() - c0:7.3f} s   peak RSS {proc.peak_rss_mib():7.1f} MiB")
            proc.stop()
    finally:
        devices.stop()


if __name__ == "__main__":
    main()
