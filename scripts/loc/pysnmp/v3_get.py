import asyncio, os, sys
from pysnmp.hlapi.v3arch.asyncio import *


async def main(agent="127.0.0.1:1161", user="admin"):
    host, port = agent.rsplit(":", 1)
    target = await UdpTransportTarget.create((host, int(port)))
    usm = UsmUserData(user, os.environ.get("SNMP_AUTH_PASSWORD", ""), os.environ.get("SNMP_PRIV_PASSWORD", ""),
                      authProtocol=usmHMAC192SHA256AuthProtocol, privProtocol=usmAesCfb128Protocol)
    error, status, index, varbinds = await get_cmd(
        SnmpEngine(), usm, target, ContextData(),
        ObjectType(ObjectIdentity("SNMPv2-MIB", "sysDescr", 0)), ObjectType(ObjectIdentity("SNMPv2-MIB", "sysUpTime", 0)))
    if error or status:
        sys.exit(f"{error or status.prettyPrint()}")
    for varbind in varbinds:
        print(varbind.prettyPrint())


asyncio.run(main(*sys.argv[1:]))
