#!/usr/bin/env python3
"""A pysnmp command responder on 127.0.0.1 for the interop tests: a second SNMPv3
implementation, for what Net-SNMP lacks (3DES-EDE privacy) and to cross-check the AES key
extensions (pysnmp's usmAesCfb256Protocol is the Reeder variant, usmAesBlumenthalCfb256Protocol
the Blumenthal one).

    python3 tests/pysnmp_agent.py PORT

Prints "ready" when listening, and stops when standard input closes. Serves the system group
from pysnmp's own SNMPv2-MIB instrumentation, read-write, to these users (auth password
authpass123, privacy password privpass123):
    py-sha-3des     SHA     3DES
    py-md5-3des     MD5     3DES
    py-sha256-aes256r  SHA-256 AES-256 (Reeder)   py-sha256-aes256b  SHA-256 AES-256 (Blumenthal)
    py-md5-aes192r  MD5     AES-192 (Reeder)      py-md5-aes192b     MD5     AES-192 (Blumenthal)
"""
import asyncio
import sys
import threading

from pysnmp.carrier.asyncio.dgram import udp
from pysnmp.entity import config, engine
from pysnmp.entity.rfc3413 import cmdrsp, context

USERS = {
    "py-sha-3des": (config.USM_AUTH_HMAC96_SHA, config.USM_PRIV_CBC168_3DES),
    "py-md5-3des": (config.USM_AUTH_HMAC96_MD5, config.USM_PRIV_CBC168_3DES),
    "py-sha256-aes256r": (config.USM_AUTH_HMAC192_SHA256, config.USM_PRIV_CFB256_AES),
    "py-sha256-aes256b": (config.USM_AUTH_HMAC192_SHA256, config.USM_PRIV_CFB256_AES_BLUMENTHAL),
    "py-md5-aes192r": (config.USM_AUTH_HMAC96_MD5, config.USM_PRIV_CFB192_AES),
    "py-md5-aes192b": (config.USM_AUTH_HMAC96_MD5, config.USM_PRIV_CFB192_AES_BLUMENTHAL),
}


def main():
    port = int(sys.argv[1])
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    snmp_engine = engine.SnmpEngine()
    config.add_transport(snmp_engine, udp.DOMAIN_NAME, udp.UdpTransport().open_server_mode(("127.0.0.1", port)))
    for user, (auth, priv) in USERS.items():
        config.add_v3_user(snmp_engine, user, auth, "authpass123", priv, "privpass123")
        config.add_vacm_user(snmp_engine, 3, user, "authPriv", (1, 3, 6, 1, 2, 1), (1, 3, 6, 1, 2, 1))
    ctx = context.SnmpContext(snmp_engine)
    cmdrsp.GetCommandResponder(snmp_engine, ctx)
    cmdrsp.NextCommandResponder(snmp_engine, ctx)
    cmdrsp.SetCommandResponder(snmp_engine, ctx)

    def watch_stdin():
        sys.stdin.read()
        loop.call_soon_threadsafe(loop.stop)

    threading.Thread(target=watch_stdin, daemon=True).start()
    # The UDP endpoint is created by a task on this loop: say "ready" once that has run.
    loop.call_later(0.2, lambda: print("ready", flush=True))
    snmp_engine.transport_dispatcher.job_started(1)
    loop.run_forever()


if __name__ == "__main__":
    main()
