//! The annotated, human-readable decode printed by `snmpctl decode`.
//!
//! Like a packet analyser's detail view: one line per field, the PDU's varbinds with their types,
//! then every deviation with its byte offset. A datagram that cannot be decoded is shown as the
//! error and a hex dump with the failing byte marked, never as a bare failure.
//!
//! ```
//! let get = snmpctl::hex::decode("302602010104067075626c6963a019020101020100020100300e300c06082b060102010101000500")?;
//! let decoded = snmpctl::msg::Message::decode_detailed(&get)?;
//! let text = snmpctl::format::dump::decoded(&decoded);
//! assert!(text.contains("community: \"public\""), "{text}");
//! assert!(text.contains("GetRequest"), "{text}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::output::timeticks;
use super::text::{is_printable, value_text};
use crate::msg::{DecodeError, Decoded, Message, Pdu, ScopedPduData, SecurityParameters};
use core::fmt::Write as _;

/// A decoded message as indented text, ending in a newline.
pub fn decoded(d: &Decoded) -> String {
    let mut s = String::new();
    message(&mut s, &d.message);
    if d.deviations.is_empty() {
        s.push_str("  deviations: none\n");
    } else {
        let _ = writeln!(s, "  deviations ({}):", d.deviations.len());
        for dev in &d.deviations {
            let _ = writeln!(s, "    {dev}");
        }
    }
    s
}

fn octets(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        "\"\" (empty)".to_owned()
    } else if is_printable(bytes) {
        format!("{:?}", String::from_utf8_lossy(bytes))
    } else {
        format!("0x{}", crate::hex::encode(bytes))
    }
}

fn message(s: &mut String, m: &Message) {
    match m {
        Message::Community(c) => {
            let _ = writeln!(s, "SNMP{} message", m.version().as_str());
            let _ = writeln!(s, "  version: {} ({})", m.version().as_str(), m.version().wire());
            let _ = writeln!(s, "  community: {}", octets(&c.community));
            pdu(s, &c.pdu, "  ");
        }
        Message::V3(v3) => {
            let h = &v3.header;
            s.push_str("SNMPv3 message\n  version: v3 (3)\n");
            let _ = writeln!(s, "  msgID: {}", h.msg_id);
            let _ = writeln!(s, "  msgMaxSize: {}", h.msg_max_size);
            let _ = writeln!(
                s,
                "  msgFlags: 0x{:02x} ({}{})",
                h.msg_flags.0,
                h.msg_flags.level(),
                if h.msg_flags.reportable() { ", reportable" } else { "" }
            );
            let _ = writeln!(s, "  msgSecurityModel: {}", h.security_model);
            match &v3.security {
                SecurityParameters::Usm(u) => {
                    s.push_str("  USM security parameters:\n");
                    let _ = writeln!(s, "    msgAuthoritativeEngineID: {}", hex_or_empty(&u.engine_id));
                    let _ = writeln!(s, "    msgAuthoritativeEngineBoots: {}", u.engine_boots);
                    let _ = writeln!(s, "    msgAuthoritativeEngineTime: {}", u.engine_time);
                    let _ = writeln!(s, "    msgUserName: {}", octets(&u.user_name));
                    let _ = writeln!(s, "    msgAuthenticationParameters: {}", hex_or_empty(&u.auth_params));
                    let _ = writeln!(s, "    msgPrivacyParameters: {}", hex_or_empty(&u.priv_params));
                }
                SecurityParameters::Other(raw) => {
                    let _ = writeln!(s, "  msgSecurityParameters: {}", hex_or_empty(raw));
                }
            }
            match &v3.data {
                ScopedPduData::Plaintext(sp) => {
                    let _ = writeln!(s, "  contextEngineID: {}", hex_or_empty(&sp.context_engine_id));
                    let _ = writeln!(s, "  contextName: {}", octets(&sp.context_name));
                    pdu(s, &sp.pdu, "  ");
                }
                ScopedPduData::Encrypted(e) => {
                    let _ = writeln!(s, "  encryptedPDU: {} bytes (needs the user's privacy key)", e.len());
                }
            }
        }
    }
}

fn hex_or_empty(bytes: &[u8]) -> String {
    if bytes.is_empty() { "(empty)".to_owned() } else { format!("0x{}", crate::hex::encode(bytes)) }
}

fn pdu(s: &mut String, p: &Pdu, indent: &str) {
    let _ = writeln!(s, "{indent}PDU: {}", p.pdu_type().label());
    match p {
        Pdu::Generic(g) => {
            let _ = writeln!(s, "{indent}  request-id: {}", g.request_id);
            let _ = writeln!(s, "{indent}  error-status: {}", g.error_status);
            let _ = writeln!(s, "{indent}  error-index: {}", g.error_index);
        }
        Pdu::Bulk(b) => {
            let _ = writeln!(s, "{indent}  request-id: {}", b.request_id);
            let _ = writeln!(s, "{indent}  non-repeaters: {}", b.non_repeaters);
            let _ = writeln!(s, "{indent}  max-repetitions: {}", b.max_repetitions);
        }
        Pdu::TrapV1(t) => {
            let [a, b, c, d] = t.agent_addr;
            let _ = writeln!(s, "{indent}  enterprise: .{}", t.enterprise);
            let _ = writeln!(s, "{indent}  agent-addr: {a}.{b}.{c}.{d}");
            let _ = writeln!(s, "{indent}  generic-trap: {}", t.generic_trap);
            let _ = writeln!(s, "{indent}  specific-trap: {}", t.specific_trap);
            let _ = writeln!(s, "{indent}  time-stamp: {}", timeticks(t.time_stamp));
        }
    }
    let vbs = p.varbinds();
    let _ = writeln!(s, "{indent}  variable-bindings ({}):", vbs.len());
    for vb in vbs {
        let _ = writeln!(s, "{indent}    .{} = {}", vb.oid, value_text(&vb.value));
    }
}

/// A datagram that failed to decode: the error, then a hex dump with the failing byte marked.
pub fn error(data: &[u8], e: &DecodeError) -> String {
    let mut s = format!("malformed SNMP message ({} bytes): {e}\n", data.len());
    s.push_str(&hexdump(data, Some(e.offset)));
    s
}

/// Offset-prefixed hex lines of 16 bytes; the byte at `mark` is bracketed.
pub fn hexdump(data: &[u8], mark: Option<usize>) -> String {
    let mut s = String::new();
    for (row, chunk) in data.chunks(16).enumerate() {
        let base = row.saturating_mul(16);
        let _ = write!(s, "  {base:04x} ");
        for (i, b) in chunk.iter().enumerate() {
            if mark == Some(base.saturating_add(i)) {
                let _ = write!(s, "[{b:02x}]");
            } else {
                let _ = write!(s, " {b:02x} ");
            }
        }
        s.push('\n');
    }
    if mark.is_some_and(|m| m >= data.len()) {
        let _ = writeln!(s, "  (the error is at the end of the data, byte {})", data.len());
    }
    s
}
