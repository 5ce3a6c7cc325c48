//! Value text in Net-SNMP's style (`STRING: "…"`, `Timeticks: (n) d:hh:mm:ss.cc`, …) with
//! numeric OIDs, as `snmpget -On` prints it: the form `decode` uses.

use super::output::{self, OutputOptions};
use crate::value::Value;
use core::fmt::Write as _;

/// Net-SNMP's test for showing an OCTET STRING as text: every octet printable or white space.
pub fn is_printable(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| matches!(b, 0x20..=0x7e | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
}

/// Upper-case hex octets separated by spaces (`80 00 1F 88`), on one line.
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

/// A value with its Net-SNMP type prefix, as `snmpget -On` prints it with no MIB loaded.
pub fn value_text(value: &Value) -> String {
    output::value_string(value, &OutputOptions::numeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert_eq!(value_text(&Value::OctetString(b"Linux".to_vec())), "STRING: \"Linux\"");
        assert_eq!(value_text(&Value::OctetString(vec![0x80, 0x00, 0x1f])), "Hex-STRING: 80 00 1F ");
        assert_eq!(value_text(&Value::ObjectIdentifier("1.3.6".parse().unwrap())), "OID: .1.3.6");
    }
}
