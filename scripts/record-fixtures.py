#!/usr/bin/env python3
"""Re-record fixtures/ from real software on loopback.

Starts a private Net-SNMP snmpd (udp 127.0.0.1:16161) and snmptrapd (udp 127.0.0.1:16162) with
configs from tests/, captures loopback with tshark, and runs every scenario below: Net-SNMP's
command-line tools first, then pysnmp as a second implementation. Each UDP payload becomes
fixtures/<version>/<kind>-<scenario>.bin; beside it, <name>.json holds the expected decode, built
only from tshark's dissection of the same frame (never from snmpctl), plus the command that made
it and, for v3, the user's credentials. The whole session is also kept as
fixtures/capture/netsnmp-session.pcap.

Needs: snmpd snmptrapd snmp tshark (Debian), pysnmp (PyPI). Run as root (tshark on lo).
    python3 scripts/record-fixtures.py
"""
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "fixtures"
AGENT = 16161
TRAPD = 16162
A = f"udp:127.0.0.1:{AGENT}"
T = f"udp:127.0.0.1:{TRAPD}"
COMMON = ["-r", "0", "-t", "3", "-On"]
TRAP_ENGINE = "8000000001020304"

# user -> (level, auth, authpass, priv, privpass); passwords are test-only
USERS = {
    "noAuthUser": ("noAuthNoPriv", None, None, None, None),
    "authMD5": ("authNoPriv", "MD5", "authpass123", None, None),
    "authSHA": ("authNoPriv", "SHA", "authpass123", None, None),
    "authSHA224": ("authNoPriv", "SHA-224", "authpass123", None, None),
    "authSHA256": ("authNoPriv", "SHA-256", "authpass123", None, None),
    "authSHA384": ("authNoPriv", "SHA-384", "authpass123", None, None),
    "authSHA512": ("authNoPriv", "SHA-512", "authpass123", None, None),
    "privDES": ("authPriv", "MD5", "authpass123", "DES", "privpass123"),
    "privAES": ("authPriv", "SHA", "authpass123", "AES", "privpass123"),
    "privAES192": ("authPriv", "SHA-256", "authpass123", "AES-192", "privpass123"),
    "privAES256": ("authPriv", "SHA-512", "authpass123", "AES-256", "privpass123"),
    "privAES192C": ("authPriv", "SHA-224", "authpass123", "AES-192-C", "privpass123"),
    "privAES256C": ("authPriv", "SHA-384", "authpass123", "AES-256-C", "privpass123"),
}
TRAP_USERS = {  # in snmptrapd, keyed to the sender's engine ID (traps) or snmptrapd's own (informs)
    "trapSHA": ("authPriv", "SHA", "authpass123", "AES", "privpass123"),
    "trapMD5": ("authPriv", "MD5", "authpass123", "DES", "privpass123"),
    "informSHA256": ("authPriv", "SHA-256", "authpass123", "AES-256", "privpass123"),
}


def v3args(user, table=USERS):
    level, auth, ap, priv, pp = table[user]
    args = ["-v3", "-u", user, "-l", level]
    if auth:
        args += ["-a", auth, "-A", ap]
    if priv:
        args += ["-x", priv, "-X", pp]
    return args


def creds(user, table=USERS):
    level, auth, ap, priv, pp = table[user]
    return {"user": user, "level": level, "auth_protocol": auth, "auth_password": ap,
            "priv_protocol": priv, "priv_password": pp}


LONG = "x" * 300


def scenarios():
    """(version dir, scenario name, argv, credentials or None, expect exit 0)."""
    s = []
    add = lambda v, name, argv, cred=None: s.append((v, name, argv, cred))
    sysd, sysoid, uptime, contact, name, location = (
        "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.3.0",
        "1.3.6.1.2.1.1.4.0", "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.6.0")
    types_v1 = ["1.3.6.1.2.1.2.2.1.3.1",  # ifType INTEGER
                "1.3.6.1.2.1.2.2.1.10.1",  # ifInOctets Counter32
                "1.3.6.1.2.1.2.2.1.5.1",  # ifSpeed Gauge32
                "1.3.6.1.2.1.4.20.1.1.127.0.0.1",  # ipAdEntAddr IpAddress
                "1.3.6.1.4.1.2021.10.1.6.1"]  # laLoadFloat Opaque
    # --- SNMPv1 against snmpd
    add("v1", "system", ["snmpget", "-v1", "-c", "public", *COMMON, A, sysd, sysoid, uptime, contact])
    add("v1", "value-types", ["snmpget", "-v1", "-c", "public", *COMMON, A, *types_v1])
    add("v1", "sysuptime", ["snmpgetnext", "-v1", "-c", "public", *COMMON, A, "1.3.6.1.2.1.1.3"])
    add("v1", "nosuchname", ["snmpget", "-v1", "-c", "public", *COMMON, A, "1.3.6.1.2.1.1.99.0"])
    add("v1", "set-syscontact", ["snmpset", "-v1", "-c", "private", *COMMON, A, contact, "s", "noc@example.net"])
    add("v1", "badvalue", ["snmpset", "-v1", "-c", "private", *COMMON, A, contact, "i", "5"])
    add("v1", "readonly", ["snmpset", "-v1", "-c", "private", *COMMON, A, sysd, "s", "x"])
    add("v1", "ro-community", ["snmpset", "-v1", "-c", "public", *COMMON, A, location, "s", "x"])
    add("v1", "endofmib", ["snmpgetnext", "-v1", "-c", "public", *COMMON, A, ".2.0"])
    add("v1", "coldstart", ["snmptrap", "-v1", "-c", "public", T, "", "127.0.0.1", "0", "0", ""])
    add("v1", "linkdown", ["snmptrap", "-v1", "-c", "public", T, "1.3.6.1.4.1.8072.3.2.10", "127.0.0.1", "2", "0", "12345",
                           "1.3.6.1.2.1.2.2.1.1.2", "i", "2", "1.3.6.1.2.1.2.2.1.7.2", "i", "1", "1.3.6.1.2.1.2.2.1.8.2", "i", "2"])
    add("v1", "enterprise-specific", ["snmptrap", "-v1", "-c", "public", T, "1.3.6.1.4.1.8072.2.3", "192.0.2.7", "6", "17", "55",
                                      "1.3.6.1.4.1.8072.2.3.2.1", "i", "-42", "1.3.6.1.4.1.8072.2.3.2.2", "u", "4294967295",
                                      "1.3.6.1.4.1.8072.2.3.2.3", "t", "8640000", "1.3.6.1.4.1.8072.2.3.2.4", "a", "10.1.2.3",
                                      "1.3.6.1.4.1.8072.2.3.2.5", "o", "1.3.6.1.4.1.8072", "1.3.6.1.4.1.8072.2.3.2.6", "s", "disk full",
                                      "1.3.6.1.4.1.8072.2.3.2.7", "x", "00c0ffee", "1.3.6.1.4.1.8072.2.3.2.8", "d", "1.2.3.4",
                                      "1.3.6.1.4.1.8072.2.3.2.9", "c", "7"])
    # --- SNMPv2c against snmpd
    add("v2c", "system", ["snmpget", "-v2c", "-c", "public", *COMMON, A, sysd, sysoid, uptime, contact, name, location])
    add("v2c", "value-types", ["snmpget", "-v2c", "-c", "public", *COMMON, A, *types_v1, "1.3.6.1.2.1.31.1.1.1.6.1"])
    add("v2c", "getnext", ["snmpgetnext", "-v2c", "-c", "public", *COMMON, A, "1.3.6.1.2.1.1", "1.3.6.1.2.1.2.2.1.2"])
    add("v2c", "nosuchobject", ["snmpget", "-v2c", "-c", "public", *COMMON, A, "1.3.6.1.2.1.1.99.0", "1.3.6.1.4.1.99999.1.0"])
    add("v2c", "nosuchinstance", ["snmpget", "-v2c", "-c", "public", *COMMON, A, "1.3.6.1.2.1.1.1.1", "1.3.6.1.2.1.2.2.1.2.999"])
    add("v2c", "endofmibview", ["snmpgetnext", "-v2c", "-c", "public", *COMMON, A, ".2.0"])
    add("v2c", "bulkget", ["snmpbulkget", "-v2c", "-c", "public", *COMMON, "-Cn1", "-Cr5", A, uptime, "1.3.6.1.2.1.2.2.1.2"])
    add("v2c", "bulkget-past-end", ["snmpbulkget", "-v2c", "-c", "public", *COMMON, "-Cr3", A, "1.3.6.1.6.3.16.1.5.2.1.6"])
    add("v2c", "bulkwalk-iftable", ["snmpbulkwalk", "-v2c", "-c", "public", *COMMON, "-Cr8", A, "1.3.6.1.2.1.2.2"])
    add("v2c", "set-sysname", ["snmpset", "-v2c", "-c", "private", *COMMON, A, name, "s", "core-rtr-1", location, "s", "Lab rack 5"])
    add("v2c", "notwritable", ["snmpset", "-v2c", "-c", "private", *COMMON, A, sysd, "s", "x"])
    add("v2c", "wrongtype", ["snmpset", "-v2c", "-c", "private", *COMMON, A, contact, "i", "5"])
    add("v2c", "wronglength", ["snmpset", "-v2c", "-c", "private", *COMMON, A, contact, "s", LONG])
    add("v2c", "noaccess", ["snmpset", "-v2c", "-c", "public", *COMMON, A, location, "s", "x"])
    add("v2c", "trap", ["snmptrap", "-v2c", "-c", "public", T, "4242", "1.3.6.1.6.3.1.1.5.3",
                        "1.3.6.1.2.1.2.2.1.1.2", "i", "2", "1.3.6.1.2.1.2.2.1.2.2", "s", "eth1",
                        "1.3.6.1.2.1.31.1.1.1.6.2", "C", "18446744073709551615"])
    add("v2c", "trap-types", ["snmptrap", "-v2c", "-c", "public", T, "", "1.3.6.1.4.1.8072.2.3.0.1",
                              "1.3.6.1.4.1.8072.2.3.2.1", "i", "-2147483648", "1.3.6.1.4.1.8072.2.3.2.2", "u", "0",
                              "1.3.6.1.4.1.8072.2.3.2.3", "t", "4294967295", "1.3.6.1.4.1.8072.2.3.2.4", "a", "255.255.255.255",
                              "1.3.6.1.4.1.8072.2.3.2.5", "o", "0.0", "1.3.6.1.4.1.8072.2.3.2.6", "s", "",
                              "1.3.6.1.4.1.8072.2.3.2.7", "x", "", "1.3.6.1.4.1.8072.2.3.2.8", "n", "",
                              "1.3.6.1.4.1.8072.2.3.2.9", "U", "18446744073709551615", "1.3.6.1.4.1.8072.2.3.2.10", "I", "-5",
                              "1.3.6.1.4.1.8072.2.3.2.11", "F", "1.5", "1.3.6.1.4.1.8072.2.3.2.12", "D", "-2.25",
                              "1.3.6.1.4.1.8072.2.3.2.13", "c", "4294967295", "1.3.6.1.4.1.8072.2.3.2.14", "b", "0 3 9"])
    add("v2c", "inform", ["snmpinform", "-v2c", "-c", "public", *COMMON, T, "99", "1.3.6.1.6.3.1.1.5.4",
                          "1.3.6.1.2.1.2.2.1.1.3", "i", "3"])
    # --- SNMPv3 against snmpd: one Get per user (discovery, Report, request, response)
    for user in USERS:
        level, auth, _, priv, _ = USERS[user]
        tag = (auth or "noauth").lower().replace("-", "") + ("-" + priv.lower() if priv else "")
        add("v3", f"{level.lower()}-{tag}", ["snmpget", *v3args(user), *COMMON, A, sysd, uptime], creds(user))
    add("v3", "set-authpriv-sha-aes", ["snmpset", *v3args("privAES"), *COMMON, A, name, "s", "edge-rtr-2"], creds("privAES"))
    add("v3", "bulkget-authnopriv-sha256", ["snmpbulkget", *v3args("authSHA256"), *COMMON, "-Cr4", A, "1.3.6.1.2.1.2.2.1.2"], creds("authSHA256"))
    add("v3", "context-noauth", ["snmpget", *v3args("noAuthUser"), "-n", "", *COMMON, A, uptime], creds("noAuthUser"))
    bad = dict(USERS, privAES=("authPriv", "SHA", "wrongpass99", "AES", "privpass123"))
    add("v3", "wrong-digest", ["snmpget", *v3args("privAES", bad), *COMMON, A, sysd], creds("privAES", bad))
    add("v3", "unknown-user", ["snmpget", "-v3", "-u", "nobody", "-l", "noAuthNoPriv", *COMMON, A, sysd],
        {"user": "nobody", "level": "noAuthNoPriv"})
    add("v3", "unsupported-level", ["snmpget", "-v3", "-u", "noAuthUser", "-l", "authNoPriv", "-a", "SHA", "-A", "authpass123", *COMMON, A, sysd],
        {"user": "noAuthUser", "level": "authNoPriv", "auth_protocol": "SHA", "auth_password": "authpass123"})
    # --- SNMPv3 notifications to snmptrapd
    for user in ("trapSHA", "trapMD5"):
        add("v3", f"trap-{user.lower()}", ["snmptrap", *v3args(user, TRAP_USERS), "-e", "0x" + TRAP_ENGINE, T, "777",
                                           "1.3.6.1.6.3.1.1.5.1", "1.3.6.1.2.1.1.5.0", "s", "core-rtr-1"],
            dict(creds(user, TRAP_USERS), engine_id=TRAP_ENGINE))
    add("v3", "inform-authpriv-sha256-aes256", ["snmpinform", *v3args("informSHA256", TRAP_USERS), *COMMON, T, "888",
                                                 "1.3.6.1.6.3.1.1.5.2", "1.3.6.1.2.1.1.5.0", "s", "core-rtr-1"],
        creds("informSHA256", TRAP_USERS))
    return s


async def pysnmp_scenarios(mark):
    """The same kinds of exchange, encoded by pysnmp (a second implementation)."""
    from pysnmp.hlapi.v3arch.asyncio import (
        CommunityData, ContextData, NotificationType, ObjectIdentity, ObjectType, SnmpEngine,
        UdpTransportTarget, UsmUserData, bulk_cmd, get_cmd, next_cmd, send_notification, set_cmd,
        usmAesCfb128Protocol, usmHMACSHAAuthProtocol, usmHMAC192SHA256AuthProtocol, usmDESPrivProtocol,
        usmHMACMD5AuthProtocol)
    from pysnmp.proto.rfc1902 import Integer32, OctetString, Counter64, IpAddress, Gauge32, TimeTicks

    engine = SnmpEngine()
    agent = await UdpTransportTarget.create(("127.0.0.1", AGENT), timeout=3, retries=0)
    trapd = await UdpTransportTarget.create(("127.0.0.1", TRAPD), timeout=3, retries=0)
    oid = lambda o: ObjectType(ObjectIdentity(o))
    steps = [
        ("v1", "pysnmp-get", lambda: get_cmd(engine, CommunityData("public", mpModel=0), agent, ContextData(),
                                              oid("1.3.6.1.2.1.1.1.0"), oid("1.3.6.1.2.1.1.3.0")), None),
        ("v2c", "pysnmp-get", lambda: get_cmd(engine, CommunityData("public"), agent, ContextData(),
                                               oid("1.3.6.1.2.1.1.2.0"), oid("1.3.6.1.2.1.31.1.1.1.6.1")), None),
        ("v2c", "pysnmp-getnext", lambda: next_cmd(engine, CommunityData("public"), agent, ContextData(),
                                                    oid("1.3.6.1.2.1.2.2.1.5")), None),
        ("v2c", "pysnmp-bulk", lambda: bulk_cmd(engine, CommunityData("public"), agent, ContextData(), 0, 6,
                                                 oid("1.3.6.1.2.1.2.2.1.2")), None),
        ("v2c", "pysnmp-set", lambda: set_cmd(engine, CommunityData("private"), agent, ContextData(),
                                               ObjectType(ObjectIdentity("1.3.6.1.2.1.1.6.0"), OctetString("pysnmp lab"))), None),
        ("v2c", "pysnmp-trap", lambda: send_notification(
            engine, CommunityData("public"), trapd, ContextData(), "trap",
            NotificationType(ObjectIdentity("1.3.6.1.6.3.1.1.5.3")).add_varbinds(
                ObjectType(ObjectIdentity("1.3.6.1.2.1.2.2.1.1.4"), Integer32(4)),
                ObjectType(ObjectIdentity("1.3.6.1.4.1.8072.2.3.2.1"), Counter64(2**40)),
                ObjectType(ObjectIdentity("1.3.6.1.4.1.8072.2.3.2.2"), IpAddress("198.51.100.9")),
                ObjectType(ObjectIdentity("1.3.6.1.4.1.8072.2.3.2.3"), Gauge32(1000000000)),
                ObjectType(ObjectIdentity("1.3.6.1.4.1.8072.2.3.2.4"), TimeTicks(360000)))), None),
        ("v2c", "pysnmp-inform", lambda: send_notification(
            engine, CommunityData("public"), trapd, ContextData(), "inform",
            NotificationType(ObjectIdentity("1.3.6.1.6.3.1.1.5.4")).add_varbinds(
                ObjectType(ObjectIdentity("1.3.6.1.2.1.2.2.1.1.4"), Integer32(4)))), None),
        ("v3", "pysnmp-authpriv-sha-aes", lambda: get_cmd(
            engine, UsmUserData("privAES", "authpass123", "privpass123", authProtocol=usmHMACSHAAuthProtocol,
                                privProtocol=usmAesCfb128Protocol), agent, ContextData(), oid("1.3.6.1.2.1.1.5.0")),
         creds("privAES")),
        ("v3", "pysnmp-authpriv-md5-des", lambda: get_cmd(
            engine, UsmUserData("privDES", "authpass123", "privpass123", authProtocol=usmHMACMD5AuthProtocol,
                                privProtocol=usmDESPrivProtocol), agent, ContextData(), oid("1.3.6.1.2.1.1.5.0")),
         creds("privDES")),
        ("v3", "pysnmp-authnopriv-sha256", lambda: get_cmd(
            engine, UsmUserData("authSHA256", "authpass123", authProtocol=usmHMAC192SHA256AuthProtocol),
            agent, ContextData(), oid("1.3.6.1.2.1.1.5.0")), creds("authSHA256")),
    ]
    # No agent here answers readOnly(4) (RFC 2576 section 4.4 maps notWritable to noSuchName for v1),
    # so pysnmp's own v1 encoder builds that Response and sends it across loopback to be captured.
    from pysnmp.proto import api
    import socket
    v1 = api.PROTOCOL_MODULES[api.SNMP_VERSION_1]
    pdu = v1.GetResponsePDU()
    v1.apiPDU.set_defaults(pdu)
    v1.apiPDU.set_request_id(pdu, 31337)
    v1.apiPDU.set_error_status(pdu, 4)
    v1.apiPDU.set_error_index(pdu, 1)
    v1.apiPDU.set_varbinds(pdu, [("1.3.6.1.2.1.1.1.0", v1.OctetString("read only"))])
    msg = v1.Message()
    v1.apiMessage.set_defaults(msg)
    v1.apiMessage.set_community(msg, "private")
    v1.apiMessage.set_pdu(msg, pdu)
    from pyasn1.codec.ber import encoder
    start = time.time()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(encoder.encode(msg), ("127.0.0.1", TRAPD))
    time.sleep(0.05)
    mark("v1", "readonly-pysnmp", "pysnmp v1 GetResponse with error-status readOnly(4), sent to the trap port", None,
         start, time.time(), "sent")
    await asyncio.sleep(0.15)
    for version, name, make, cred in steps:
        start = time.time()
        result = await make()
        if hasattr(result, "__aiter__"):
            async for _ in result:
                break
        end = time.time()
        err = result[0] if isinstance(result, tuple) else None
        mark(version, name, f"pysnmp {name}", cred, start, end, str(err) if err else "ok")
        await asyncio.sleep(0.15)
    engine.close_dispatcher()


def write_configs(tmp):
    conf = tmp / "snmpd.conf"
    lines = ["rocommunity public 127.0.0.1", "rwcommunity private 127.0.0.1",
             "sysDescr snmpctl fixture agent (Net-SNMP snmpd on loopback)",
             "sysObjectID .1.3.6.1.4.1.8072.3.2.10"]
    for user, (level, auth, ap, priv, pp) in USERS.items():
        cu = f"createUser {user}" + (f" {auth} {ap}" if auth else "") + (f" {priv} {pp}" if priv else "")
        lines.append(cu)
        lines.append(f"rwuser {user} " + {"noAuthNoPriv": "noauth", "authNoPriv": "auth", "authPriv": "priv"}[level])
    conf.write_text("\n".join(lines) + "\n")
    tconf = tmp / "snmptrapd.conf"
    tl = ["disableAuthorization yes", "doNotRetainNotificationLogs yes"]
    for user, (level, auth, ap, priv, pp) in TRAP_USERS.items():
        e = "" if user.startswith("inform") else f"-e 0x{TRAP_ENGINE} "
        tl.append(f"createUser {e}{user} {auth} {ap} {priv} {pp}")
    tconf.write_text("\n".join(tl) + "\n")
    return conf, tconf


def run():
    for tool in ("snmpd", "snmptrapd", "tshark", "snmpget"):
        if not shutil.which(tool):
            sys.exit(f"record-fixtures: {tool} not found (apt-get install snmp snmpd snmptrapd tshark)")
    tmp = Path(tempfile.mkdtemp(prefix="snmpctl-rec-"))
    env = dict(os.environ, SNMP_PERSISTENT_DIR=str(tmp / "persist"), MIBS="", MIBDIRS="/nonexistent")
    conf, tconf = write_configs(tmp)
    procs = []
    procs.append(subprocess.Popen(["snmpd", "-f", "-Lo", "-C", "-c", str(conf), "-I", "-smux",
                                   "-p", str(tmp / "snmpd.pid"), A], env=env,
                                  stdout=open(tmp / "snmpd.log", "w"), stderr=subprocess.STDOUT))
    procs.append(subprocess.Popen(["snmptrapd", "-f", "-Lo", "-C", "-c", str(tconf), "-p", str(tmp / "trapd.pid"),
                                   "-M", "/nonexistent", "-m", "", T], env=env,
                                  stdout=open(tmp / "snmptrapd.log", "w"), stderr=subprocess.STDOUT))
    pcap = tmp / "session.pcap"
    cap = subprocess.Popen(["tshark", "-i", "lo", "-f", f"udp port {AGENT} or udp port {TRAPD}", "-F", "pcap",
                            "-w", str(pcap), "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(3)
    marks = []

    def mark(version, name, command, cred, start, end, outcome):
        marks.append(dict(version=version, scenario=name, command=command, credentials=cred,
                          start=start, end=end, outcome=outcome))

    try:
        for version, name, argv, cred in scenarios():
            start = time.time()
            p = subprocess.run(argv, env=env, capture_output=True, text=True)
            end = time.time()
            out = (p.stdout + p.stderr).strip()
            mark(version, name, " ".join(a if a and " " not in a else repr(a) for a in argv), cred, start, end,
                 f"exit {p.returncode}: {out[:300]}")
            print(f"{version}/{name}: exit {p.returncode} {out.splitlines()[0][:100] if out else ''}")
            time.sleep(0.15)
        try:
            asyncio.run(pysnmp_scenarios(mark))
        except ImportError as e:
            print(f"pysnmp scenarios skipped: {e}")
        time.sleep(1)
    finally:
        cap.send_signal(signal.SIGINT)
        cap.wait(timeout=10)
        for p in procs:
            p.terminate()
            p.wait(timeout=10)
    (FIX / "capture").mkdir(parents=True, exist_ok=True)
    (FIX / "capture" / "netsnmp-session.marks.json").write_text(json.dumps(marks, indent=1) + "\n")
    split(pcap, marks)
    shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Turning tshark's dissection into the expected decode.

def field(node, key):
    """First occurrence of a field anywhere below node, depth-first in document order."""
    if isinstance(node, dict):
        if key in node:
            return node[key]
        for v in node.values():
            r = field(v, key)
            if r is not None:
                return r
    elif isinstance(node, list):
        for v in node:
            r = field(v, key)
            if r is not None:
                return r
    return None


def raw(node, key):
    r = field(node, key + "_raw")
    if r is None:
        return None
    return r[0] if isinstance(r, list) and r and isinstance(r[0], str) else (r[0][0] if isinstance(r, list) else r)


PDU_ELEMENTS = {
    "snmp.get_request_element": "GetRequest", "snmp.get_next_request_element": "GetNextRequest",
    "snmp.get_response_element": "Response", "snmp.set_request_element": "SetRequest",
    "snmp.trap_element": "Trap", "snmp.getBulkRequest_element": "GetBulkRequest",
    "snmp.informRequest_element": "InformRequest", "snmp.snmpV2_trap_element": "SNMPv2-Trap",
    "snmp.report_element": "Report",
}
VALUE_FIELDS = {
    "snmp.value.int": "Integer32", "snmp.value.octets": "OCTET STRING", "snmp.value.null": "NULL",
    "snmp.value.oid": "OBJECT IDENTIFIER", "snmp.value.ipv4": "IpAddress", "snmp.value.counter": "Counter32",
    "snmp.value.g32": "Gauge32", "snmp.value.u32": "Gauge32", "snmp.value.timeticks": "TimeTicks",
    "snmp.value.opaque": "Opaque", "snmp.value.counter64": "Counter64",
    "snmp.noSuchObject": "noSuchObject", "snmp.noSuchInstance": "noSuchInstance",
    "snmp.endOfMibView": "endOfMibView",
}
FILE_KIND = {"GetRequest": "get-request", "GetNextRequest": "getnext-request", "Response": "response",
             "SetRequest": "set-request", "Trap": "trap", "GetBulkRequest": "getbulk-request",
             "InformRequest": "inform-request", "SNMPv2-Trap": "trap2", "Report": "report"}


FRAME = {"bytes": b""}  # the frame being converted: tshark gives field offsets into it


def value_tag(vb):
    """The identifier octet of the value: the byte right after the name's contents, which tshark located."""
    _, offset, length = field(vb, "snmp.name_raw")[:3]
    return FRAME["bytes"][offset + length]


def varbinds(pdu_node):
    tree = field(pdu_node, "snmp.variable_bindings_tree") or {}
    out = []
    for _, vb in tree.items():
        name = vb["snmp.name"]
        entry = None
        for key, type_name in VALUE_FIELDS.items():
            if key in vb:
                v = vb[key]
                if type_name in ("OCTET STRING", "Opaque"):
                    entry = {"oid": name, "type": type_name, "hex": raw(vb, key) or ""}
                elif type_name in ("NULL", "noSuchObject", "noSuchInstance", "endOfMibView"):
                    entry = {"oid": name, "type": type_name, "value": None}
                elif type_name in ("OBJECT IDENTIFIER", "IpAddress"):
                    entry = {"oid": name, "type": type_name, "value": v}
                else:
                    if key == "snmp.value.counter" and value_tag(vb) == 0x46:
                        type_name = "Counter64"  # Wireshark files both counters under one field
                    entry = {"oid": name, "type": type_name, "value": int(v)}
                break
        if entry is None:
            raise SystemExit(f"unmapped varbind fields: {list(vb)}")
        out.append(entry)
    return out


def expected(snmp):
    """Our normalized expected decode, from tshark's snmp layer."""
    exp = {}
    if "snmp.msgVersion" in snmp:
        exp["version"] = "v3"
        g = snmp["snmp.msgGlobalData_element"]
        exp["header"] = {"msg_id": int(g["snmp.msgID"]), "msg_max_size": int(g["snmp.msgMaxSize"]),
                         "msg_flags": int(raw(g, "snmp.msgFlags"), 16),
                         "security_model": int(g["snmp.msgSecurityModel"])}
        exp["usm"] = {"engine_id": raw(snmp, "snmp.msgAuthoritativeEngineID") or "",
                      "engine_boots": int(field(snmp, "snmp.msgAuthoritativeEngineBoots")),
                      "engine_time": int(field(snmp, "snmp.msgAuthoritativeEngineTime")),
                      "user_name": bytes.fromhex(raw(snmp, "snmp.msgUserName") or "").decode("latin-1"),
                      "auth_params": raw(snmp, "snmp.msgAuthenticationParameters") or "",
                      "priv_params": raw(snmp, "snmp.msgPrivacyParameters") or ""}
        enc = field(snmp, "snmp.encryptedPDU")
        exp["encrypted"] = enc is not None
        if enc is not None:
            exp["encrypted_pdu"] = raw(snmp, "snmp.encryptedPDU")
            exp["context_engine_id"] = None
            exp["context_name"] = None
            exp["pdu"] = None
            return exp
        exp["context_engine_id"] = raw(snmp, "snmp.contextEngineID") or ""
        exp["context_name"] = bytes.fromhex(raw(snmp, "snmp.contextName") or "").decode("latin-1")
    else:
        exp["version"] = {"0": "v1", "1": "v2c"}[snmp["snmp.version"]]
        exp["community"] = bytes.fromhex(raw(snmp, "snmp.community") or "").decode("latin-1")
    for key, ptype in PDU_ELEMENTS.items():
        node = field(snmp, key)
        if node is None:
            continue
        pdu = {"type": ptype}
        if ptype == "Trap":
            pdu.update(enterprise=node["snmp.enterprise"], agent_addr=field(node, "snmp.agent_addr")
                       or field(node, "snmp.internet"), generic_trap=int(node["snmp.generic_trap"]),
                       specific_trap=int(node["snmp.specific_trap"]), time_stamp=int(node["snmp.time_stamp"]))
        elif ptype == "GetBulkRequest":
            pdu.update(request_id=int(node["snmp.request_id"]), non_repeaters=int(node["snmp.non_repeaters"]),
                       max_repetitions=int(node["snmp.max_repetitions"]))
        else:
            pdu.update(request_id=int(node["snmp.request_id"]), error_status=int(node["snmp.error_status"]),
                       error_index=int(node["snmp.error_index"]))
        pdu["varbinds"] = varbinds(node)
        exp["pdu"] = pdu
        break
    else:
        raise SystemExit(f"no PDU found in {list(snmp)}")
    return exp


def split(pcap, marks):
    dissect = json.loads(subprocess.run(
        ["tshark", "-r", str(pcap), "-d", f"udp.port=={AGENT},snmp", "-d", f"udp.port=={TRAPD},snmp",
         "-T", "json", "-x"], capture_output=True, text=True, check=True).stdout)
    for d in ("v1", "v2c", "v3"):
        for f in (FIX / d).glob("*"):
            f.unlink()
        (FIX / d).mkdir(parents=True, exist_ok=True)
    (FIX / "capture").mkdir(parents=True, exist_ok=True)
    shutil.copy(pcap, FIX / "capture" / "netsnmp-session.pcap")
    used = set()
    index = []
    for frame in dissect:
        layers = frame["_source"]["layers"]
        t = float(layers["frame"]["frame.time_epoch"])
        number = int(layers["frame"]["frame.number"])
        payload = bytes.fromhex(layers["udp"]["udp.payload"].replace(":", ""))
        m = next((m for m in marks if m["start"] - 0.01 <= t <= m["end"] + 0.05), None)
        if m is None:
            print(f"frame {number}: outside every scenario, skipped")
            continue
        snmp = layers.get("snmp")
        if snmp is None or "_ws.malformed" in layers:
            raise SystemExit(f"frame {number} ({m['scenario']}): tshark could not dissect it")
        FRAME["bytes"] = bytes.fromhex(layers["frame_raw"][0])
        exp = expected(snmp)
        dport = int(layers["udp"]["udp.dstport"])
        kind = FILE_KIND[exp["pdu"]["type"]] if exp.get("pdu") else (
            "encrypted-request" if dport in (AGENT, TRAPD) else "encrypted-response")
        base = f"{kind}-{m['scenario']}"
        name, n = base, 1
        while f"{m['version']}/{name}" in used:
            n += 1
            name = f"{base}-{n}"
        used.add(f"{m['version']}/{name}")
        path = FIX / m["version"] / f"{name}.bin"
        path.write_bytes(payload)
        side = {"recorded_with": m["command"], "outcome": m["outcome"], "capture_frame": number,
                "src_port": int(layers["udp"]["udp.srcport"]), "dst_port": dport,
                "expected_from": "tshark -T json (Wireshark SNMP dissector)", "expect": exp}
        if m["credentials"]:
            side["credentials"] = m["credentials"]
        path.with_suffix(".json").write_text(json.dumps(side, indent=1, sort_keys=True) + "\n")
        index.append(f"{m['version']}/{name}.bin")
    print(f"{len(index)} fixtures written")
    write_test_list()


def write_test_list():
    """tests/fixture_list.rs: one #[test] per fixture (a guard test checks nothing is missing)."""
    lines = ["// Generated by scripts/record-fixtures.py: one test per recorded fixture.", "fixture_tests! {"]
    for d in ("v1", "v2c", "v3"):
        for f in sorted((FIX / d).glob("*.bin")):
            ident = f"{d}_{f.stem}".replace("-", "_")
            lines.append(f'    {ident} => "{d}/{f.name}",')
    lines.append("}")
    (ROOT / "tests" / "fixture_list.rs").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--test-list":
        write_test_list()
    elif len(sys.argv) > 1 and sys.argv[1] == "--resplit":
        # Rebuild fixtures and sidecars from the kept session capture, without re-recording.
        cap = FIX / "capture" / "netsnmp-session.pcap"
        saved = Path(tempfile.mkdtemp()) / "session.pcap"
        shutil.copy(cap, saved)
        split(saved, json.loads((FIX / "capture" / "netsnmp-session.marks.json").read_text()))
    else:
        run()
