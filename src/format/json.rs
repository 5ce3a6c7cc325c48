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
use crate::value::{Value, VarBind};
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

/// A varbind as a JSON object.
pub fn varbind(vb: &VarBind) -> Json {
    let mut out = Map::new();
    out.insert("oid".into(), json!(vb.oid.to_string()));
    out.insert("type".into(), json!(vb.value.type_name()));
    let value = match &vb.value {
        Value::Integer(v) => json!(v),
        Value::OctetString(b) | Value::Opaque(b) => {
            out.insert("hex".into(), json!(hex::encode(b)));
            if is_printable(b) { json!(String::from_utf8_lossy(b)) } else { json!(spaced_hex(b)) }
        }
        Value::Null | Value::NoSuchObject | Value::NoSuchInstance | Value::EndOfMibView => Json::Null,
        Value::ObjectIdentifier(o) => json!(o.to_string()),
        Value::IpAddress([a, b, c, d]) => json!(format!("{a}.{b}.{c}.{d}")),
        Value::Counter32(v) | Value::Gauge32(v) | Value::TimeTicks(v) => json!(v),
        Value::Counter64(v) => json!(v),
        Value::Unknown { tag, bytes } => {
            out.insert("tag".into(), json!(tag));
            out.insert("hex".into(), json!(hex::encode(bytes)));
            Json::Null
        }
    };
    out.insert("value".into(), value);
    Json::Object(out)
}

/// A varbind as [`varbind`] gives it, plus, when `options` carry a MIB, its `"name"` as the
/// `-O` options print it (`IF-MIB::ifOperStatus.1`) and the value as `snmpget -Oqv` prints it
/// (`"display"`: `up`, `0:c:29:1a:2b:3c`, `1024 Bytes`).
pub fn varbind_named(vb: &VarBind, options: &super::output::OutputOptions) -> Json {
    let mut obj = varbind(vb);
    if options.mib.is_some()
        && let Json::Object(map) = &mut obj
    {
        map.insert("name".into(), json!(super::output::oid_name(&vb.oid, options)));
        if !vb.value.is_exception() && vb.value != Value::Null {
            let quick = super::output::OutputOptions {
                quick: true,
                quick_equals: false,
                value_only: true,
                ..*options
            };
            let mut text = String::new();
            super::output::write_value_of(&mut text, &vb.oid, &vb.value, &quick);
            map.insert("display".into(), json!(text));
        }
    }
    obj
}

/// Deviations as a JSON array.
pub fn deviations(devs: &[Deviation]) -> Json {
    Json::Array(devs.iter().map(|d| json!({"offset": d.offset, "message": d.kind.to_string()})).collect())
}
