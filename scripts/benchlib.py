"""Shared pieces of the side-by-side benchmark scripts: a private snmpd on 127.0.0.1 and
whole-process measurements (wall clock, CPU, peak memory) of a command."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def host_tuple():
    """The target tuple cargo builds for: .cargo/config.toml sets `build.target = "host-tuple"`
    (for the static binary), so release artifacts live in target/<host tuple>/release."""
    out = subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=False).stdout
    return next((line.split()[1] for line in out.splitlines() if line.startswith("host:")), "")


# SNMPCTL_BIN runs another build (an earlier commit, side by side).
BINARY = os.environ.get("SNMPCTL_BIN") or str(ROOT / "target" / host_tuple() / "release" / "snmpctl")


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def need(*tools, binary=BINARY):
    for tool in tools:
        if not shutil.which(tool):
            sys.exit(f"{tool} not found (apt-get install snmpd snmp)")
    if not os.path.exists(binary):
        sys.exit(f"{binary} not built (cargo build --release)")


class Snmpd:
    """snmpd with `config` in a temporary directory, on a free loopback port."""

    def __init__(self, config, files=None):
        self.tmp = Path(tempfile.mkdtemp(prefix="snmpctl-bench-"))
        (self.tmp / "persist").mkdir()
        for name, text in (files or {}).items():
            (self.tmp / name).write_text(text)
        (self.tmp / "snmpd.conf").write_text(config.replace("$DIR", str(self.tmp)))
        self.port = free_port()
        self.env = dict(os.environ, SNMPCONFPATH=f"{self.tmp}:{self.tmp / 'persist'}",
                        SNMP_PERSISTENT_DIR=str(self.tmp / "persist"), MIBS="")
        log = self.tmp / "log"
        self.proc = subprocess.Popen(
            ["snmpd", "-f", "-Lf", str(log), "-I", "-smux", "-p", str(self.tmp / "pid"),
             f"udp:127.0.0.1:{self.port}"], env=self.env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        deadline = time.time() + 15
        while "NET-SNMP version" not in (log.read_text() if log.exists() else ""):
            if time.time() > deadline:
                self.stop()
                sys.exit("snmpd did not start")
            time.sleep(0.05)
        self.target = f"udp:127.0.0.1:{self.port}"

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def measure(cmd, env):
    """Runs `cmd` with stdout and stderr to /dev/null: (wall seconds, CPU seconds). CPU is
    user + system from wait4. The child is started with posix_spawn (vfork and exec), not
    Python's fork: forking the interpreter would be counted against both tools and push the
    ratio of short commands towards 1."""
    resolved = shutil.which(cmd[0], path=env.get("PATH")) or cmd[0]
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        actions = [(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]
        t = time.perf_counter()
        pid = os.posix_spawn(resolved, cmd, env, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - t
    finally:
        os.close(null)
    if os.waitstatus_to_exitcode(status) != 0:
        err = subprocess.run(cmd, capture_output=True, env=env).stderr
        sys.exit(f"{cmd[0]} failed: {err.decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime


def peak_rss_kib(cmd, env):
    """Peak resident memory of `cmd` in KiB, from GNU time (a process forked from Python
    would count Python's own memory, which the fork carries until exec)."""
    if not os.path.exists("/usr/bin/time"):
        sys.exit("GNU time not found (apt-get install time)")
    with tempfile.NamedTemporaryFile("r") as f, open(os.devnull, "wb") as null:
        subprocess.run(["/usr/bin/time", "-o", f.name, "-f", "%M", *cmd], stdout=null,
                       stderr=subprocess.DEVNULL, env=env, check=True)
        return int(f.read().split()[-1])


def output(cmd, env):
    out = subprocess.run(cmd, capture_output=True, env=env)
    if out.returncode != 0:
        sys.exit(f"{cmd[0]} failed: {out.stderr.decode(errors='replace')}")
    return out.stdout
