import asyncio, sys
from pysnmp.hlapi.v3arch.asyncio import *


async def main(agent="127.0.0.1:1161", community="public"):
    host, port = agent.rsplit(":", 1)
    target = await UdpTransportTarget.create((host, int(port)))
    columns = ["ifDescr", "ifOperStatus", "ifInOctets", "ifOutOctets"]
    rows = {}
    async for error, status, index, varbinds in bulk_walk_cmd(
        SnmpEngine(), CommunityData(community), target, ContextData(), 0, 25,
        ObjectType(ObjectIdentity("IF-MIB", "ifTable").add_asn1_mib_source("file:///work/main/mibs")),
        lexicographicMode=False,
    ):
        if error or status:
            sys.exit(f"{error or status.prettyPrint()}")
        for name, value in varbinds:
            column, row = name.get_mib_symbol()[1], name.get_mib_symbol()[2][0].prettyPrint()
            if column in columns:
                rows.setdefault(int(row), {})[column] = value.prettyPrint()
    for index, row in sorted(rows.items()):
        print(f"{index:>4} {row.get('ifDescr', '?'):<24} {row.get('ifOperStatus', '?'):<6} "
              f"in {row.get('ifInOctets', 0):>12} out {row.get('ifOutOctets', 0):>12} octets")


asyncio.run(main(*sys.argv[1:]))
