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
use serde::ser::{Serialize, SerializeMap as _, Serializer};
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

/// Serializes any `Display` value as a JSON string, written straight into the output (no
/// intermediate `String`).
#[derive(Debug, Clone, Copy)]
pub struct AsText<T>(pub T);

impl<T: core::fmt::Display> Serialize for AsText<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// An OID as a JSON string, its text built with itoa in one stack buffer. Through `Display`
/// and `collect_str`, every arc and dot would be escaped as a separate piece: that was the
/// listener's largest cost per Trap.
#[derive(Debug, Clone, Copy)]
pub struct OidText<'a>(pub &'a Oid);

impl Serialize for OidText<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 240];
        let mut len = 0usize;
        let mut digits = itoa::Buffer::new();
        for (i, arc) in self.0.arcs().iter().enumerate() {
            let text = digits.format(*arc).as_bytes();
            let end = len.saturating_add(text.len()).saturating_add(usize::from(i > 0));
            // Longer than the buffer (rare: dozens of long arcs): the general path.
            let Some(slot) = buf.get_mut(len..end) else { return s.collect_str(self.0) };
            let slot = match slot.split_first_mut() {
                Some((dot, rest)) if i > 0 => {
                    *dot = b'.';
                    rest
                }
                _ => slot,
            };
            slot.copy_from_slice(text);
            len = end;
        }
        // Only ASCII digits and dots were written.
        s.serialize_str(core::str::from_utf8(buf.get(..len).unwrap_or(&[])).unwrap_or(""))
    }
}

/// A varbind as JSON, serialized straight to the output (`serde_json::to_writer`) without
/// building a tree of maps; [`varbind`] and [`varbind_named`] give the same object as a
/// [`Json`] value. With `options` carrying a MIB, `"name"` and `"display"` are added. Keys are
/// written in sorted order, as a [`Json`] object prints them.
#[derive(Debug, Clone, Copy)]
pub struct VarBindJson<'a> {
    /// The varbind.
    pub vb: &'a VarBind,
    /// Output options for `name` and `display` (used only when they carry a MIB).
    pub options: Option<&'a super::output::OutputOptions>,
}

impl Serialize for VarBindJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let vb = self.vb;
        let named = self.options.filter(|o| o.mib.is_some());
        let mut m = s.serialize_map(None)?;
        if let Some(options) = named
            && !vb.value.is_exception()
            && vb.value != Value::Null
        {
            let quick = super::output::OutputOptions {
                quick: true,
                quick_equals: false,
                value_only: true,
                ..*options
            };
            let mut text = String::new();
            super::output::write_value_of(&mut text, &vb.oid, &vb.value, &quick);
            m.serialize_entry("display", &text)?;
        }
        match &vb.value {
            Value::OctetString(b) | Value::Opaque(b) | Value::Unknown { bytes: b, .. } => {
                m.serialize_entry("hex", &hex::encode(b))?;
            }
            _ => {}
        }
        if let Some(options) = named {
            m.serialize_entry("name", &super::output::oid_name(&vb.oid, options))?;
        }
        m.serialize_entry("oid", &OidText(&vb.oid))?;
        if let Value::Unknown { tag, .. } = &vb.value {
            m.serialize_entry("tag", tag)?;
        }
        m.serialize_entry("type", vb.value.type_name())?;
        match &vb.value {
            Value::Integer(v) => m.serialize_entry("value", v)?,
            Value::OctetString(b) | Value::Opaque(b) => {
                if is_printable(b) {
                    m.serialize_entry("value", &String::from_utf8_lossy(b))?;
                } else {
                    m.serialize_entry("value", &spaced_hex(b))?;
                }
            }
            Value::Null
            | Value::NoSuchObject
            | Value::NoSuchInstance
            | Value::EndOfMibView
            | Value::Unknown { .. } => {
                m.serialize_entry("value", &())?;
            }
            Value::ObjectIdentifier(o) => m.serialize_entry("value", &OidText(o))?,
            Value::IpAddress(a) => m.serialize_entry("value", &AsText(std::net::Ipv4Addr::from(*a)))?,
            Value::Counter32(v) | Value::Gauge32(v) | Value::TimeTicks(v) => m.serialize_entry("value", v)?,
            Value::Counter64(v) => m.serialize_entry("value", v)?,
        }
        m.end()
    }
}

/// A varbind as a JSON object.
pub fn varbind(vb: &VarBind) -> Json {
    serde_json::to_value(VarBindJson { vb, options: None }).unwrap_or(Json::Null)
}

/// A varbind as [`varbind`] gives it, plus, when `options` carry a MIB, its `"name"` as the
/// `-O` options print it (`IF-MIB::ifOperStatus.1`) and the value as `snmpget -Oqv` prints it
/// (`"display"`: `up`, `0:c:29:1a:2b:3c`, `1024 Bytes`).
pub fn varbind_named(vb: &VarBind, options: &super::output::OutputOptions) -> Json {
    serde_json::to_value(VarBindJson { vb, options: Some(options) }).unwrap_or(Json::Null)
}

/// Deviations as a JSON array.
pub fn deviations(devs: &[Deviation]) -> Json {
    Json::Array(devs.iter().map(|d| json!({"offset": d.offset, "message": d.kind.to_string()})).collect())
}
