"""BER by hand for the scripts: TLVs, INTEGERs, OBJECT IDENTIFIERs and community messages, written
octet by octet (fixtures that must be exactly these bytes, and bare requests for benchmarks)."""


def tlv(tag, content, long_len=None):
    n = len(content)
    if long_len:  # non-minimal long form with `long_len` length octets
        ln = bytes([0x80 | long_len]) + n.to_bytes(long_len, "big")
    elif n < 0x80:
        ln = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        ln = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + ln + content


def integer(v, tag=0x02):
    n = max(1, (v.bit_length() + 8) // 8)
    return tlv(tag, v.to_bytes(n, "big", signed=True))


def oid_body(arcs):
    out = bytearray([arcs[0] * 40 + arcs[1]])
    for a in arcs[2:]:
        chunk = [a & 0x7F]
        a >>= 7
        while a:
            chunk.append(0x80 | (a & 0x7F))
            a >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


def oid(text):
    return tlv(0x06, oid_body([int(x) for x in text.strip(".").split(".")]))


def message(varbinds, pdu_tag=0xA2, request_id=integer(1234), es=integer(0), ei=integer(0), version=1,
            community=b"public"):
    pdu = tlv(pdu_tag, request_id + es + ei + tlv(0x30, b"".join(varbinds)))
    return tlv(0x30, integer(version) + tlv(0x04, community) + pdu)
