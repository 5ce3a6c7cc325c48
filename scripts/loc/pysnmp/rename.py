import asyncio, sys
from pysnmp.hlapi.v3arch.asyncio import *


async def main(agent="127.0.0.1:1161", community="public", name="core-rtr-1"):
    host, port = agent.rsplit(":", 1)
    engine, auth = SnmpEngine(), CommunityData(community)
    target = await UdpTransportTarget.create((host, int(port)))
    sys_name = ObjectIdentity("SNMPv2-MIB", "sysName", 0)

    async def get():
        error, status, index, varbinds = await get_cmd(engine, auth, target, ContextData(), ObjectType(sys_name))
        if error or status:
            sys.exit(f"{error or status.prettyPrint()}")
        return varbinds[0][1].prettyPrint()

    before = await get()
    error, status, index, _ = await set_cmd(engine, auth, target, ContextData(), ObjectType(sys_name, OctetString(name)))
    if error or status:
        sys.exit(f"{error or status.prettyPrint()}")
    print(f"sysName: {before} -> {await get()}")


asyncio.run(main(*sys.argv[1:]))
