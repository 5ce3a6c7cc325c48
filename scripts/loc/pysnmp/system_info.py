import asyncio, sys
from pysnmp.hlapi.v3arch.asyncio import *


async def main(agent="127.0.0.1:1161", community="public"):
    host, port = agent.rsplit(":", 1)
    target = await UdpTransportTarget.create((host, int(port)))
    names = ["sysDescr", "sysObjectID", "sysUpTime", "sysContact", "sysName", "sysLocation"]
    objects = [ObjectType(ObjectIdentity("SNMPv2-MIB", n, 0)) for n in names]
    error, status, index, varbinds = await get_cmd(SnmpEngine(), CommunityData(community), target, ContextData(), *objects)
    if error or status:
        sys.exit(f"{error or status.prettyPrint()}")
    for varbind in varbinds:
        print(varbind.prettyPrint())


asyncio.run(main(*sys.argv[1:]))
