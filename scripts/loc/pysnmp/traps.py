import asyncio, os, sys
from pysnmp.carrier.asyncio.dgram import udp
from pysnmp.entity import config, engine
from pysnmp.entity.rfc3413 import ntfrcv
from pysnmp.proto.rfc1902 import OctetString
from pysnmp.smi import view, rfc1902


def main(addr="127.0.0.1:1162", count="0"):
    host, port = addr.rsplit(":", 1)
    snmp = engine.SnmpEngine()
    mib = view.MibViewController(snmp.get_mib_builder())
    config.add_transport(snmp, udp.DOMAIN_NAME, udp.UdpTransport().open_server_mode((host, int(port))))
    config.add_v1_system(snmp, "any", "public")
    if "SNMP_AUTH_PASSWORD" in os.environ and "SNMP_PRIV_PASSWORD" in os.environ:
        config.add_v3_user(snmp, "netops", config.USM_AUTH_HMAC192_SHA256, os.environ["SNMP_AUTH_PASSWORD"],
                           config.USM_PRIV_CFB128_AES, os.environ["SNMP_PRIV_PASSWORD"],
                           securityEngineId=OctetString(hexValue=os.environ["SNMP_SENDER_ENGINE_ID"]))
    seen = [0]

    def on_notification(snmp, state, context_engine, context_name, varbinds, cb_ctx):
        resolved = [rfc1902.ObjectType(rfc1902.ObjectIdentity(n), v).resolve_with_mib(mib) for n, v in varbinds]
        print(f"notification: {resolved[1].prettyPrint()}")
        for varbind in resolved[2:]:
            print(f"  {varbind.prettyPrint()}")
        seen[0] += 1
        if int(count) and seen[0] >= int(count):
            snmp.transport_dispatcher.job_finished(1)

    ntfrcv.NotificationReceiver(snmp, on_notification)
    print(f"listening on {addr}", file=sys.stderr)
    snmp.transport_dispatcher.job_started(1)
    snmp.open_dispatcher()


main(*sys.argv[1:])
