import asyncio, sys
from pysnmp.hlapi.v3arch.asyncio import *


async def main(span="127.0.0.1:20000-20049", community="public"):
    host, ports = span.rsplit(":", 1)
    first, last = (int(p) for p in ports.split("-"))
    engine = SnmpEngine()

    async def ask(port):
        target = await UdpTransportTarget.create((host, port))
        error, status, index, varbinds = await get_cmd(
            engine, CommunityData(community), target, ContextData(), ObjectType(ObjectIdentity("SNMPv2-MIB", "sysName", 0)))
        if error or status:
            print(f"{host}:{port}: {error or status.prettyPrint()}", file=sys.stderr)
            return None
        return f"{host}:{port}", varbinds[0][1].prettyPrint()

    answers = [a for a in await asyncio.gather(*(ask(p) for p in range(first, last + 1))) if a]
    for agent, name in sorted(answers):
        print(agent, name)
    print(f"{len(answers)} of {last - first + 1} agents answered")


asyncio.run(main(*sys.argv[1:]))
