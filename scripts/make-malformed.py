#!/usr/bin/env python3
"""Write fixtures/malformed/: packets real agents get wrong, and packets that must be refused.

Each <name>.bin has a <name>.json saying what snmpctl must do, worked out by hand from the bytes:
  {"expect_error": {"offset": N, "kind": "LengthPastEnd"}}          -- refuse, naming byte N
  {"expect_deviations": [[N, "NegativeUnsigned"], ...],             -- decode, record these,
   "expect_varbinds": [{"oid": ..., "type": ..., "value": ...}]}     -- and yield these values
    python3 scripts/make-malformed.py
"""
import json
from pathlib import Path

from ber import integer, message, oid, oid_body, tlv

OUT = Path(__file__).resolve().parent.parent / "fixtures" / "malformed"

SYSUP = "1.3.6.1.2.1.1.3.0"


def vb(name, value):
    return tlv(0x30, oid(name) + value)


# Offsets: a v2c message "30 LL 02 01 01 04 06 public" puts the PDU at 13 when LL is one octet;
# inside it "a2 LL 02 02 04 d2 02 01 00 02 01 00" puts the varbind list at 25, the first varbind at
# 27, and its value right after the name (OID of sysUpTime.0 is 10 bytes) at 39.
FIRST_VALUE = 39
cases = {}


def deviates(name, what, data, deviations, varbinds):
    cases[name] = (what, data, {"expect_deviations": deviations, "expect_varbinds": varbinds})


def refuses(name, what, data, offset, kind):
    cases[name] = (what, data, {"expect_error": {"offset": offset, "kind": kind}})


one = lambda value: message([vb(SYSUP, value)])
deviates("counter32-negative", "Counter32 encoded as -1", one(tlv(0x41, b"\xff")),
         [[FIRST_VALUE, "NegativeUnsigned"]], [{"oid": SYSUP, "type": "Counter32", "value": 4294967295}])
deviates("gauge32-negative", "Gauge32 encoded as -2", one(tlv(0x42, b"\xfe")),
         [[FIRST_VALUE, "NegativeUnsigned"]], [{"oid": SYSUP, "type": "Gauge32", "value": 4294967294}])
deviates("timeticks-negative", "TimeTicks encoded as -100 (9c)", one(tlv(0x43, b"\x9c")),
         [[FIRST_VALUE, "NegativeUnsigned"]], [{"oid": SYSUP, "type": "TimeTicks", "value": 4294967196}])
deviates("counter64-negative", "Counter64 encoded as -1", one(tlv(0x46, b"\xff")),
         [[FIRST_VALUE, "NegativeUnsigned"]], [{"oid": SYSUP, "type": "Counter64", "value": 18446744073709551615}])
deviates("counter32-leading-zeros", "Counter32 5 with four extra leading zero octets",
         one(tlv(0x41, b"\x00\x00\x00\x00\x05")), [[FIRST_VALUE, "NonMinimalInteger"]],
         [{"oid": SYSUP, "type": "Counter32", "value": 5}])
deviates("counter64-leading-zeros", "Counter64 7 in 9 octets", one(tlv(0x46, b"\x00" * 8 + b"\x07")),
         [[FIRST_VALUE, "NonMinimalInteger"]], [{"oid": SYSUP, "type": "Counter64", "value": 7}])
deviates("counter32-too-wide", "Counter32 holding 2^32 + 1", one(tlv(0x41, b"\x01\x00\x00\x00\x01")),
         [[FIRST_VALUE, "UnsignedOverflow"]], [{"oid": SYSUP, "type": "Counter32", "value": 1}])
deviates("ipaddress-3-octets", "IpAddress of 3 octets", one(tlv(0x40, b"\x0a\x00\x01")),
         [[FIRST_VALUE, "IpAddressLength"]], [{"oid": SYSUP, "type": "Unknown", "tag": 64, "hex": "0a0001"}])
deviates("ipaddress-empty", "IpAddress of 0 octets", one(tlv(0x40, b"")),
         [[FIRST_VALUE, "IpAddressLength"]], [{"oid": SYSUP, "type": "Unknown", "tag": 64, "hex": ""}])
deviates("oid-value-empty", "zero-length OBJECT IDENTIFIER value", one(tlv(0x06, b"")),
         [[FIRST_VALUE, "EmptyOid"]], [{"oid": SYSUP, "type": "OBJECT IDENTIFIER", "value": ""}])
deviates("nsapaddress", "NsapAddress (0x45), not an SMIv2 type", one(tlv(0x45, b"\x47\x00\x05")),
         [[FIRST_VALUE, "UnknownValueTag"]], [{"oid": SYSUP, "type": "Unknown", "tag": 69, "hex": "470005"}])
deviates("uinteger32", "UInteger32 (0x47), obsolete", one(tlv(0x47, b"\x2a")),
         [[FIRST_VALUE, "UnknownValueTag"]], [{"oid": SYSUP, "type": "Unknown", "tag": 71, "hex": "2a"}])
deviates("exception-with-payload", "noSuchInstance carrying one octet", one(tlv(0x81, b"\x00")),
         [[FIRST_VALUE, "NullWithPayload"]], [{"oid": SYSUP, "type": "noSuchInstance", "value": None}])
deviates("null-with-payload", "NULL carrying two octets", one(tlv(0x05, b"\x00\x00")),
         [[FIRST_VALUE, "NullWithPayload"]], [{"oid": SYSUP, "type": "NULL", "value": None}])
# request-id 2^31 needs 5 octets: the error-status moves 3 bytes later than usual.
deviates("request-id-above-i32", "request-id 2147483648", message([vb(SYSUP, tlv(0x43, b"\x01"))],
         request_id=integer(2**31)), [[15, "OutOfRange"]], [{"oid": SYSUP, "type": "TimeTicks", "value": 1}])
deviates("negative-error-fields", "error-status -1 and error-index -3",
         message([vb(SYSUP, tlv(0x43, b"\x01"))], es=integer(-1), ei=integer(-3)),
         [[19, "OutOfRange"], [22, "OutOfRange"]], [{"oid": SYSUP, "type": "TimeTicks", "value": 1}])
deviates("bulk-negative-repetitions", "GetBulkRequest with non-repeaters -1 and max-repetitions -10",
         message([vb(SYSUP, tlv(0x05, b""))], pdu_tag=0xA5, es=integer(-1), ei=integer(-10)),
         [[19, "OutOfRange"], [22, "OutOfRange"]], [{"oid": SYSUP, "type": "NULL", "value": None}])
# Non-minimal outer length: 30 82 00 LL shifts everything by 2.
inner = message([vb(SYSUP, tlv(0x43, b"\x07"))])
deviates("non-minimal-length", "message SEQUENCE length as 82 00 xx", tlv(0x30, inner[2:], long_len=2),
         [[0, "NonMinimalLength"]], [{"oid": SYSUP, "type": "TimeTicks", "value": 7}])
deviates("one-bad-varbind", "a 20-octet INTEGER between two good varbinds",
         message([vb("1.3.6.1.2.1.1.7.0", integer(72)), vb(SYSUP, tlv(0x02, b"\x01" * 20)),
                  vb("1.3.6.1.2.1.1.5.0", tlv(0x04, b"rtr"))]),
         [[54, "UnreadableValue"]],
         [{"oid": "1.3.6.1.2.1.1.7.0", "type": "Integer32", "value": 72},
          {"oid": SYSUP, "type": "Unknown", "tag": 2, "hex": "01" * 20},
          {"oid": "1.3.6.1.2.1.1.5.0", "type": "OCTET STRING", "hex": "727472"}])
deviates("integer32-too-wide", "INTEGER 2^31 (outside Integer32)", one(integer(2**31)),
         [[FIRST_VALUE, "UnreadableValue"]], [{"oid": SYSUP, "type": "Unknown", "tag": 2, "hex": "0080000000"}])

good = message([vb(SYSUP, tlv(0x43, b"\x07"))])
refuses("empty", "zero bytes", b"", 0, "Truncated")
refuses("truncated-datagram", "a Response cut 10 bytes short", good[:-10], 0, "LengthPastEnd")
refuses("truncated-header", "only the first byte", good[:1], 0, "Truncated")
broken_list = bytearray(good)
broken_list[26] += 5  # variable-bindings SEQUENCE claims 5 more bytes than the PDU holds
refuses("varbind-list-past-end", "variable-bindings longer than its PDU", bytes(broken_list), 25, "LengthPastEnd")
refuses("indefinite-length", "message SEQUENCE with length 0x80", b"\x30\x80" + good[2:] + b"\x00\x00", 0,
        "IndefiniteLength")
refuses("length-field-too-large", "length in 5 octets", b"\x30\x85\x00\x00\x00\x00\x03\x02\x01\x01", 0,
        "LengthTooLarge")
nest = b""
for _ in range(40):
    nest = tlv(0x30, nest)
refuses("deep-nesting", "40 nested SEQUENCEs", nest, 2, "UnexpectedTag")
big_arc = tlv(0x06, oid_body([1, 3, 6]) + b"\x90\x80\x80\x80\x00")  # 2^32
refuses("oid-arc-above-u32", "a varbind name with arc 4294967296",
        message([tlv(0x30, big_arc + tlv(0x05, b""))]), 27 + 2, "BadOid")
refuses("oid-name-truncated", "a varbind name ending inside a sub-identifier",
        message([tlv(0x30, tlv(0x06, b"\x2b\x06\x81") + tlv(0x05, b""))]), 29, "BadOid")
refuses("trailing-bytes", "two bytes after the message", good + b"\x00\x00", len(good), "TrailingData")
refuses("version-2", "msgVersion 2 (SNMPv2u, never deployed)", message([], version=2), 2, "UnsupportedVersion")
refuses("multi-byte-tag", "high-tag-number form where the version belongs", tlv(0x30, b"\x1f\x81\x00\x01\x00"), 2,
        "MultiByteTag")
refuses("not-snmp", "a DNS query", bytes.fromhex("1234010000010000000000000377777700000100 01".replace(" ", "")), 0,
        "UnexpectedTag")
refuses("pdu-wrong-class", "a universal SEQUENCE where the PDU belongs",
        tlv(0x30, integer(1) + tlv(0x04, b"public") + tlv(0x30, b"")), 13, "UnknownPdu")

OUT.mkdir(parents=True, exist_ok=True)
for f in OUT.glob("*"):
    f.unlink()
for name, (what, data, expect) in sorted(cases.items()):
    (OUT / f"{name}.bin").write_bytes(data)
    (OUT / f"{name}.json").write_text(json.dumps(dict(description=what, **expect), indent=1) + "\n")
print(f"{len(cases)} malformed fixtures written")
