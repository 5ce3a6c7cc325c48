#!/usr/bin/env python3
"""MIB start-up cost, as whole processes in one interleaved run, with every shipped module
available on both sides (Net-SNMP reads the same files with `-M mibs -m ALL`):

  - `snmpctl translate IF-MIB::ifDescr` against `snmptranslate -M mibs -m ALL IF-MIB::ifDescr`
    (target: <= 0.3x);
  - `snmpctl get` of a symbolic name against `snmpget -M mibs -m ALL` of the same name, against
    one private snmpd on 127.0.0.1 (target: <= 0.4x).

Outputs are checked identical first. Reports medians of wall clock and CPU, and the ratios.

    cargo build --release && python3 scripts/bench-mib.py [--runs 100]
"""
import argparse
import statistics

from benchlib import BINARY, ROOT, Snmpd, measure, need, output

MIBS = str(ROOT / "mibs")


def compare(label, cmds, env, runs):
    outs = {name: output(cmd, env) for name, cmd in cmds.items()}
    if len(set(outs.values())) != 1:
        raise SystemExit(f"{label}: outputs differ: {outs}")
    res = {name: [] for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            res[name].append(measure(cmd, env))
    (ours, ours_runs), (peer, peer_runs) = res.items()
    med = lambda runs, i: statistics.median(r[i] for r in runs) * 1000
    print(f"{label}  ({runs} runs each, medians)")
    print(f"  {'':12}{'wall ms':>10}{'CPU ms':>10}")
    for name, r in res.items():
        print(f"  {name:12}{med(r, 0):10.2f}{med(r, 1):10.2f}")
    print(f"  ratio       {med(ours_runs, 0) / med(peer_runs, 0):10.2f}"
          f"{med(ours_runs, 1) / med(peer_runs, 1):10.2f}\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=100)
    args = ap.parse_args()
    need("snmpd", "snmpget", "snmptranslate")
    with Snmpd("rocommunity public 127.0.0.1\nsysDescr snmpctl benchmark agent\n") as agent:
        env = dict(agent.env)
        env.pop("MIBS", None)
        compare("translate IF-MIB::ifDescr", {
            "snmpctl": [BINARY, "translate", "-M", MIBS, "-m", "ALL", "IF-MIB::ifDescr"],
            "snmptranslate": ["snmptranslate", "-M", MIBS, "-m", "ALL", "IF-MIB::ifDescr"],
        }, env, args.runs)
        compare("get IF-MIB::ifDescr.1 SNMPv2-MIB::sysDescr.0 (v2c)", {
            "snmpctl": [BINARY, "get", "-M", MIBS, "-m", "ALL", "-v2c", "-c", "public", agent.target,
                        "IF-MIB::ifDescr.1", "SNMPv2-MIB::sysDescr.0"],
            "snmpget": ["snmpget", "-M", MIBS, "-m", "ALL", "-v2c", "-c", "public", agent.target,
                        "IF-MIB::ifDescr.1", "SNMPv2-MIB::sysDescr.0"],
        }, env, args.runs)


if __name__ == "__main__":
    main()
