//! The JSON schema of a decoded message, shared by `snmpctl decode` and `snmpctl listen`.
//!
//! ```text
//! { "version": "v1" | "v2c" | "v3",
//!   "community": string,                                   (v1, v2c)
//!   "header": {"msg_id","msg_max_size","msg_flags","security_model"},   (v3)
//!   "usm": {"engine_id" (hex), "engine_boots", "engine_time", "user_name",
//!           "auth_params" (hex), "priv_params" (hex)},     (v3 with USM)
//!   "encrypted": bool, "encrypted_pdu": hex | null,        (v3)
//!   "context_engine_id": hex | null, "context_name": string | null,   (v3)
//!   "pdu": PDU | null (still encrypted),
//!   "deviations": [ {"offset": n, "message": string} ] }
//! PDU = {"type", "request_id", "error_status", "error_index", "varbinds"}
//!     | {"type": "GetBulkRequest", "request_id", "non_repeaters", "max_repetitions", "varbinds"}
//!     | {"type": "Trap", "enterprise", "agent_addr", "generic_trap", "specific_trap",
//!        "time_stamp", "varbinds"}
//! varbind = {"oid": dotted, "type": RFC 2578 name, "value": …, "hex": … (OCTET STRING, Opaque,
//!            Unknown), "tag": n (Unknown),
//!            "name", "display" (with a MIB loaded: the name as -O prints it, the value as -Oqv)}
//! ```
//!
//! Integers are JSON numbers; OIDs dotted without a leading dot; IpAddress dotted-quad; NULL and
//! the exceptions `null`. An OCTET STRING's `value` is its text when Net-SNMP would print it as
//! text, otherwise spaced upper-case hex; `hex` always holds the exact octets.

use super::text::{is_printable, spaced_hex};
use crate::hex;
use crate::msg::{Decoded, Deviation, Message, Pdu, ScopedPduData, SecurityParameters};
use crate::value::{Oid, Value, VarBind};
use serde_json::{Map, Value as Json, json};

/// A decoded message with its deviations, as one JSON object.
pub fn decoded(d: &Decoded) -> Json {
    let mut obj = message(&d.message);
    if let Json::Object(map) = &mut obj {
        map.insert("deviations".into(), deviations(&d.deviations));
    }
    obj
}

/// A message as one JSON object (without `deviations`).
pub fn message(m: &Message) -> Json {
    let mut out = Map::new();
    out.insert("version".into(), json!(m.version().as_str()));
    match m {
        Message::Community(c) => {
            out.insert("community".into(), json!(String::from_utf8_lossy(&c.community)));
            out.insert("pdu".into(), pdu(&c.pdu));
        }
        Message::V3(v3) => {
            let h = &v3.header;
            out.insert(
                "header".into(),
                json!({
                    "msg_id": h.msg_id,
                    "msg_max_size": h.msg_max_size,
                    "msg_flags": h.msg_flags.0,
                    "security_model": h.security_model.0,
                }),
            );
            match &v3.security {
                SecurityParameters::Usm(u) => {
                    out.insert(
                        "usm".into(),
                        json!({
                            "engine_id": hex::encode(&u.engine_id),
                            "engine_boots": u.engine_boots,
                            "engine_time": u.engine_time,
                            "user_name": String::from_utf8_lossy(&u.user_name),
                            "auth_params": hex::encode(&u.auth_params),
                            "priv_params": hex::encode(&u.priv_params),
                        }),
                    );
                }
                SecurityParameters::Other(raw) => {
                    out.insert("security_parameters".into(), json!(hex::encode(raw)));
                }
            }
            match &v3.data {
                ScopedPduData::Plaintext(s) => {
                    out.insert("encrypted".into(), json!(false));
                    out.insert("context_engine_id".into(), json!(hex::encode(&s.context_engine_id)));
                    out.insert("context_name".into(), json!(String::from_utf8_lossy(&s.context_name)));
                    out.insert("pdu".into(), pdu(&s.pdu));
                }
                ScopedPduData::Encrypted(e) => {
                    out.insert("encrypted".into(), json!(true));
                    out.insert("encrypted_pdu".into(), json!(hex::encode(e)));
                    out.insert("context_engine_id".into(), Json::Null);
                    out.insert("context_name".into(), Json::Null);
                    out.insert("pdu".into(), Json::Null);
                }
            }
        }
    }
    Json::Object(out)
}

/// A PDU as a JSON object.
pub fn pdu(p: &Pdu) -> Json {
    let varbinds_json = Json::Array(p.varbinds().iter().map(varbind).collect());
    match p {
        Pdu::Generic(g) => json!({
            "type": g.pdu_type.label(),
            "request_id": g.request_id,
            "error_status": g.error_status.0,
            "error_index": g.error_index,
            "varbinds": varbinds_json,
        }),
        Pdu::Bulk(b) => json!({
            "type": "GetBulkRequest",
            "request_id": b.request_id,
            "non_repeaters": b.non_repeaters,
            "max_repetitions": b.max_repetitions,
            "varbinds": varbinds_json,
        }),
        Pdu::TrapV1(t) => {
            let [a, b, c, d] = t.agent_addr;
            json!({
                "type": "Trap",
                "enterprise": t.enterprise.to_string(),
                "agent_addr": format!("{a}.{b}.{c}.{d}"),
                "generic_trap": t.generic_trap.0,
                "specific_trap": t.specific_trap,
                "time_stamp": t.time_stamp,
                "varbinds": varbinds_json,
            })
        }
    }
}

/// A JSON object written straight into a byte buffer, for the outputs that write a record per
/// varbind or per notification (listener records, NDJSON): no tree of maps, keys written as
/// the literals they are, strings escaped only when they need it. Through serde_json, the key
/// and value escaping and the many small writes were 45 % of the listener's time per Trap.
///
/// Keys must be given in sorted order, as a [`Json`] object prints them; the tests check that
/// each record reads back as a [`Json`] value that prints to the same bytes. The [`Json`]
/// forms ([`varbind`], [`varbind_named`], `notification::to_json`) are parsed from what this
/// writes, so there is one schema and one writer.
#[derive(Debug)]
pub struct ObjectWriter<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> ObjectWriter<'a> {
    /// Opens an object.
    pub fn new(out: &'a mut Vec<u8>) -> ObjectWriter<'a> {
        out.push(b'{');
        ObjectWriter { out, first: true }
    }

    /// Writes `"key":` and returns the buffer for its value. `key` is a literal: it is not
    /// escaped.
    #[inline]
    pub fn key(&mut self, key: &str) -> &mut Vec<u8> {
        self.out.reserve(key.len().saturating_add(4));
        if !std::mem::replace(&mut self.first, false) {
            self.out.push(b',');
        }
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.push(b'"');
        self.out.push(b':');
        self.out
    }

    /// A string member.
    #[inline]
    pub fn str(&mut self, key: &str, value: &str) {
        write_str(self.key(key), value);
    }

    /// A string member from octets, invalid UTF-8 replaced as `String::from_utf8_lossy` does.
    #[inline]
    pub fn lossy(&mut self, key: &str, value: &[u8]) {
        write_lossy(self.key(key), value);
    }

    /// An unsigned member.
    #[inline]
    pub fn u64(&mut self, key: &str, value: u64) {
        write_u64(self.key(key), value);
    }

    /// A signed member.
    #[inline]
    pub fn i64(&mut self, key: &str, value: i64) {
        self.key(key).extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
    }

    /// A `null` member.
    #[inline]
    pub fn null(&mut self, key: &str) {
        self.key(key).extend_from_slice(b"null");
    }

    /// An OID member, dotted.
    #[inline]
    pub fn oid(&mut self, key: &str, oid: &Oid) {
        write_oid(self.key(key), oid);
    }

    /// Closes the object.
    pub fn end(self) {
        self.out.push(b'}');
    }
}

/// A JSON string, escaped exactly as serde_json escapes it (`\"`, `\\`, `\b \f \n \r \t`,
/// other control characters as `\u00XX`); text that needs no escape is copied whole.
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    let bytes = text.as_bytes();
    // No early exit, so the check runs over whole vectors.
    let special = bytes.iter().fold(false, |any, &b| any | (b < 0x20) | (b == b'"') | (b == b'\\'));
    if special {
        for &b in bytes {
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                0x08 => out.extend_from_slice(b"\\b"),
                0x0c => out.extend_from_slice(b"\\f"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0..0x20 => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    out.extend_from_slice(b"\\u00");
                    out.push(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'));
                    out.push(HEX.get(usize::from(b & 0x0f)).copied().unwrap_or(b'0'));
                }
                _ => out.push(b),
            }
        }
    } else {
        out.extend_from_slice(bytes);
    }
    out.push(b'"');
}

/// [`write_str`] of octets, invalid UTF-8 replaced as `String::from_utf8_lossy` does.
pub fn write_lossy(out: &mut Vec<u8>, bytes: &[u8]) {
    write_str(out, &String::from_utf8_lossy(bytes));
}

/// A number in decimal. Numbers below 100 (most OID arcs) are pushed digit by digit: through
/// itoa and a copy of one or two bytes, the copy's call cost more than the digits.
#[inline]
pub fn write_u64(out: &mut Vec<u8>, value: u64) {
    match u8::try_from(value) {
        Ok(v @ 0..10) => out.push(b'0'.saturating_add(v)),
        Ok(v @ 10..100) => {
            out.push(b'0'.saturating_add(v / 10));
            out.push(b'0'.saturating_add(v % 10));
        }
        _ => out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes()),
    }
}

/// An OID as a JSON string, dotted (nothing in it needs escaping).
pub fn write_oid(out: &mut Vec<u8>, oid: &Oid) {
    let arcs = oid.arcs();
    // Room for the common case (arcs below 100) up front.
    out.reserve(arcs.len().saturating_mul(3).saturating_add(2));
    out.push(b'"');
    for (i, arc) in arcs.iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        write_u64(out, u64::from(*arc));
    }
    out.push(b'"');
}

/// A dotted-quad IPv4 address as a JSON string.
pub fn write_ipv4(out: &mut Vec<u8>, [a, b, c, d]: [u8; 4]) {
    out.reserve(17);
    out.push(b'"');
    for (i, octet) in [a, b, c, d].into_iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        write_u64(out, u64::from(octet));
    }
    out.push(b'"');
}

/// A socket address as a JSON string, as `SocketAddr`'s `Display` writes it
/// (`192.0.2.1:162`, `[2001:db8::1]:162`).
pub fn write_socket_addr(out: &mut Vec<u8>, addr: std::net::SocketAddr) {
    match addr {
        std::net::SocketAddr::V4(a) => {
            write_ipv4(out, a.ip().octets());
            // Back over the closing quote for the port.
            out.pop();
            out.push(b':');
            write_u64(out, u64::from(a.port()));
            out.push(b'"');
        }
        std::net::SocketAddr::V6(a) => write_str(out, &a.to_string()),
    }
}

/// Parses what an [`ObjectWriter`] wrote back into a [`Json`] value.
pub(crate) fn parse(bytes: &[u8]) -> Json {
    serde_json::from_slice(bytes).unwrap_or(Json::Null)
}

/// A varbind as JSON, written straight to the output ([`VarBindJson::write`]) without
/// building a tree of maps; [`varbind`] and [`varbind_named`] give the same object as a
/// [`Json`] value. With `options` carrying a MIB, `"name"` and `"display"` are added.
#[derive(Debug, Clone, Copy)]
pub struct VarBindJson<'a> {
    /// The varbind.
    pub vb: &'a VarBind,
    /// Output options for `name` and `display` (used only when they carry a MIB).
    pub options: Option<&'a super::output::OutputOptions<'a>>,
}

impl VarBindJson<'_> {
    /// Appends the object to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        let vb = self.vb;
        let named = self.options.filter(|o| o.mib.is_some());
        let mut m = ObjectWriter::new(out);
        if let Some(options) = named
            && !vb.value.is_exception()
            && vb.value != Value::Null
        {
            let quick = super::output::OutputOptions {
                quick: true,
                quick_equals: false,
                value_only: true,
                raw_octets: false,
                ..*options
            };
            let mut text = String::new();
            super::output::write_value_of(&mut text, &vb.oid, &vb.value, &quick);
            m.str("display", &text);
        }
        match &vb.value {
            Value::OctetString(b) | Value::Opaque(b) | Value::Unknown { bytes: b, .. } => {
                let out = m.key("hex");
                out.push(b'"');
                hex::encode_into(out, b);
                out.push(b'"');
            }
            _ => {}
        }
        if let Some(options) = named {
            m.str("name", &super::output::oid_name(&vb.oid, options));
        }
        m.oid("oid", &vb.oid);
        if let Value::Unknown { tag, .. } = &vb.value {
            m.u64("tag", u64::from(*tag));
        }
        m.str("type", vb.value.type_name());
        match &vb.value {
            Value::Integer(v) => m.i64("value", i64::from(*v)),
            Value::OctetString(b) | Value::Opaque(b) => {
                if is_printable(b) {
                    // Printable octets are ASCII.
                    m.lossy("value", b);
                } else {
                    m.str("value", &spaced_hex(b));
                }
            }
            Value::Null
            | Value::NoSuchObject
            | Value::NoSuchInstance
            | Value::EndOfMibView
            | Value::Unknown { .. } => m.null("value"),
            Value::ObjectIdentifier(o) => m.oid("value", o),
            Value::IpAddress(a) => write_ipv4(m.key("value"), *a),
            Value::Counter32(v) | Value::Gauge32(v) | Value::TimeTicks(v) => m.u64("value", u64::from(*v)),
            Value::Counter64(v) => m.u64("value", *v),
        }
        m.end();
    }
}

/// A varbind as a JSON object.
pub fn varbind(vb: &VarBind) -> Json {
    let mut out = Vec::new();
    VarBindJson { vb, options: None }.write(&mut out);
    parse(&out)
}

/// A varbind as [`varbind`] gives it, plus, when `options` carry a MIB, its `"name"` as the
/// `-O` options print it (`IF-MIB::ifOperStatus.1`) and the value as `snmpget -Oqv` prints it
/// (`"display"`: `up`, `0:c:29:1a:2b:3c`, `1024 Bytes`).
pub fn varbind_named(vb: &VarBind, options: &super::output::OutputOptions) -> Json {
    let mut out = Vec::new();
    VarBindJson { vb, options: Some(options) }.write(&mut out);
    parse(&out)
}

/// Deviations as a JSON array, written to `out`.
pub fn write_deviations(out: &mut Vec<u8>, devs: &[Deviation]) {
    out.push(b'[');
    for (i, d) in devs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let mut m = ObjectWriter::new(out);
        m.str("message", &d.kind.to_string());
        m.u64("offset", u64::try_from(d.offset).unwrap_or(u64::MAX));
        m.end();
    }
    out.push(b']');
}

/// Deviations as a JSON array.
pub fn deviations(devs: &[Deviation]) -> Json {
    let mut out = Vec::new();
    write_deviations(&mut out, devs);
    parse(&out)
}
