#!/usr/bin/env python3
"""Writes mibs/NOTICE: for every shipped module file, who publishes it, under which terms, the
RFC its text says it is part of, and the copyright lines its text carries, as found.

    python3 scripts/mibs-notice.py [MIBS_DIR]      (default: mibs/ of this repository)

The publisher comes from the module's name and ORGANIZATION clause; everything else is read
from the file. Run it after scripts/fetch-mibs.sh changes the set.
"""
import re
import sys
from pathlib import Path

SOURCE = ("the netdisco-mibs collection (https://github.com/netdisco/netdisco-mibs, commit "
          "27ee78736ffec9b2171eddefafd3f7caa8cb7c4b), unmodified")

TERMS = {
    "IETF": """IETF: modules published in RFCs (code components of IETF documents). The IETF Trust
  licenses code components of RFCs under the BSD licence given in full in Section 4 of its Trust
  Legal Provisions (TLP, https://trustee.ietf.org/license-info). The TLP calls it the
  "Simplified BSD License"; its text is the three-clause (Revised) BSD licence, as the Trust's
  correction of 21 September 2021 says. RFCs published from 10 November 2008 on say so in the
  module itself ("Copyright (c) YEAR IETF Trust and the persons identified as authors of the
  code"). Older RFCs carry the copyright notice of the Internet Society or the IETF Trust of
  their time (BCP 78, RFC 2026 section 10), which lets the document and works that help
  implement it be copied and distributed; the Trust offers the TLP's licence for the code
  components of those RFCs to the extent it holds the rights (RFC 5378, RFC 8721).""",
    "IANA": """IANA: registry modules that IANA maintains (https://www.iana.org/protocols), each
  first published in an RFC and then updated by IANA as the registry changes. The same terms as
  the IETF modules apply to the RFC text they come from.""",
    "IEEE": """IEEE: modules of IEEE 802 standards, published by the IEEE 802.1 and 802.3 working
  groups as machine-readable files (https://www.ieee802.org/1/files/public/MIBs/). Copyright
  IEEE; each module refers to its standard for the full legal notices. They are shipped
  unmodified, with those notices, for use with equipment that implements the standards.""",
    "TIA": """TIA: LLDP-EXT-MED-MIB, of ANSI/TIA-1057 (LLDP for Media Endpoint Devices), copyright
  TIA, published with the standard; it refers to the standard for the full legal notices.""",
    "CISCO-COPY": """CISCO-COPY: Cisco's published copies of IETF or IEEE modules (the `.my` files of
  Cisco's MIB repository, https://github.com/cisco/cisco-mibs), whose header comment carries a
  Cisco copyright line; the module text is the standard's, under the terms of its publisher
  above.""",
    "NET-SNMP": """NET-SNMP: modules of the Net-SNMP project (NET-SNMP-*, UCD-*, LM-SENSORS-MIB), under
  Net-SNMP's BSD-style licences (the COPYING file of Net-SNMP: http://www.net-snmp.org/about/license.html).""",
    "BEGEMOT": """BEGEMOT: modules of FreeBSD's bsnmp daemon (BEGEMOT-*, FOKUS-MIB), copyright Fraunhofer
  FOKUS, the German Aerospace Center and their named authors, under the two-clause BSD licence
  that BEGEMOT-MIB states in full.""",
}


def publisher(name, text):
    org = re.search(r'ORGANIZATION\s*"([^"]*)"', text)
    org = " ".join(org.group(1).split()) if org else ""
    head = text[:3000]
    if name.startswith(("NET-SNMP-", "UCD-")) or name == "LM-SENSORS-MIB.txt":
        return "NET-SNMP"
    if name.startswith("BEGEMOT-") or name == "FOKUS-MIB.txt":
        return "BEGEMOT"
    if re.search(r"Copyright \(c\) \d{4}(-\d{4})? by cisco Systems", head, re.I) and name.endswith(".my"):
        return "CISCO-COPY"
    if name.startswith("IANA") or org == "IANA":
        return "IANA"
    if "Copyright (C) TIA" in text:
        return "TIA"
    if org.startswith("IEEE 802") or name.startswith(("IEEE8021", "IEEE8023", "LLDP-", "lldp")):
        return "IEEE"
    return "IETF"


def main():
    root = Path(__file__).resolve().parent.parent
    mibs = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "mibs"
    files = sorted(p for p in mibs.iterdir() if p.is_file() and p.name not in ("NOTICE", "README"))
    counts, lines = {}, []
    for path in files:
        text = path.read_bytes().decode("latin-1")
        module = re.search(r"^\s*([A-Za-z][\w-]*)\s+DEFINITIONS\s*::=", text, re.M)
        who = publisher(path.name, text)
        counts[who] = counts.get(who, 0) + 1
        rfc = re.search(r"part of RFC ?(\d+)|RFC ?(\d+); see the RFC", text, re.I)
        rfc = next(g for g in rfc.groups() if g) if rfc else None
        copyrights = []
        for m in re.finditer(r"Copyright\s*\([cC]\)[^.\n\"]*", text):
            line = " ".join(m.group(0).split()).rstrip(" .")
            if line not in copyrights:
                copyrights.append(line)
        entry = f"{path.name} ({module.group(1) if module else '?'}): {who}"
        if rfc:
            entry += f", RFC {rfc}"
        entry += "; " + ("; ".join(copyrights[:3]) if copyrights else "no copyright line in the module")
        lines.append(entry)
    out = [
        f"The {len(files)} module files in this directory are copied from {SOURCE}.",
        "snmpctl compiles them in (build.rs) so that names resolve without set-up. Each file keeps",
        "the copyright and licence text it carries. The terms, by publisher:",
        "",
    ]
    for who, text in TERMS.items():
        if who in counts:
            out += [f"- {text} ({counts[who]} files)", ""]
    out += [
        "Three module files of the collection's standards folder are not shipped, being vendors'",
        "modules that state no terms: VELOCITY-MIB and VELOCITY-TYPES (Velocity Software, Inc.),",
        "which also do not resolve (they use types and a parent node that nothing defines), and",
        "ipx.mib (Novell's IPX MIB, under enterprises 23).",
        "",
        "Every file: name (module): publisher, the RFC its text names, its copyright lines.",
        "",
    ]
    out += lines
    (mibs / "NOTICE").write_text("\n".join(out) + "\n")
    print(f"mibs/NOTICE: {len(files)} files, " + ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
