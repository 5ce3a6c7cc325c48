//! Value text in Net-SNMP's style (`STRING: "…"`, `Timeticks: (n) d:hh:mm:ss.cc`, …).

use crate::value::Value;
use core::fmt::Write as _;

/// Net-SNMP's test for showing an OCTET STRING as text: every octet printable or white space.
pub fn is_printable(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| matches!(b, 0x20..=0x7e | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
}

/// TimeTicks as Net-SNMP prints them: `(123456) 0:20:34.56`, `1 day, 2:03:04.05`.
pub fn timeticks(ticks: u32) -> String {
    let centis = ticks % 100;
    let secs = ticks / 100;
    let (days, hours, minutes, seconds) = (secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    match days {
        0 => format!("({ticks}) {hours}:{minutes:02}:{seconds:02}.{centis:02}"),
        1 => format!("({ticks}) 1 day, {hours}:{minutes:02}:{seconds:02}.{centis:02}"),
        d => format!("({ticks}) {d} days, {hours}:{minutes:02}:{seconds:02}.{centis:02}"),
    }
}

/// Upper-case hex octets separated by spaces (`80 00 1F 88`).
pub(crate) fn spaced_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len().saturating_mul(3));
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        let _ = write!(s, "{b:02X}");
    }
    s
}

/// A value with its Net-SNMP type prefix, as `snmpget` prints it with no MIB loaded.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::Integer(v) => format!("INTEGER: {v}"),
        Value::OctetString(b) if b.is_empty() => "\"\"".to_owned(),
        Value::OctetString(b) if is_printable(b) => {
            format!("STRING: \"{}\"", String::from_utf8_lossy(b))
        }
        Value::OctetString(b) => format!("Hex-STRING: {}", spaced_hex(b)),
        Value::Null => "NULL".to_owned(),
        Value::ObjectIdentifier(o) => format!("OID: .{o}"),
        Value::IpAddress([a, b, c, d]) => format!("IpAddress: {a}.{b}.{c}.{d}"),
        Value::Counter32(v) => format!("Counter32: {v}"),
        Value::Gauge32(v) => format!("Gauge32: {v}"),
        Value::TimeTicks(v) => format!("Timeticks: {}", timeticks(*v)),
        Value::Opaque(b) => format!("Opaque: {}", spaced_hex(b)),
        Value::Counter64(v) => format!("Counter64: {v}"),
        Value::NoSuchObject => "No Such Object available on this agent at this OID".to_owned(),
        Value::NoSuchInstance => "No Such Instance currently exists at this OID".to_owned(),
        Value::EndOfMibView => {
            "No more variables left in this MIB View (It is past the end of the MIB tree)".to_owned()
        }
        Value::Unknown { tag, bytes } => format!("Unknown tag 0x{tag:02x}: {}", spaced_hex(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks() {
        assert_eq!(timeticks(0), "(0) 0:00:00.00");
        assert_eq!(timeticks(123456), "(123456) 0:20:34.56");
        assert_eq!(timeticks(8640000), "(8640000) 1 day, 0:00:00.00");
        assert_eq!(timeticks(u32::MAX), "(4294967295) 497 days, 2:27:52.95");
    }

    #[test]
    fn values() {
        assert_eq!(value_text(&Value::OctetString(b"Linux".to_vec())), "STRING: \"Linux\"");
        assert_eq!(value_text(&Value::OctetString(vec![0x80, 0x00, 0x1f])), "Hex-STRING: 80 00 1F");
        assert_eq!(value_text(&Value::ObjectIdentifier("1.3.6".parse().unwrap())), "OID: .1.3.6");
    }
}
