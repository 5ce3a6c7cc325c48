//! The Opaque-wrapped types Net-SNMP and others use for values SMIv2 lacks (the expired
//! draft-perkins-opaque): an Opaque whose contents are BER with the two-octet tag `9F 7x`
//! holding a float (`9F 78`, 4 octets IEEE 754), a double (`9F 79`, 8 octets), a Counter64
//! (`9F 76`), a signed 64-bit (`9F 7A`) or an unsigned 64-bit integer (`9F 7B`).

use super::Value;

/// A value carried inside an Opaque.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OpaqueValue {
    /// `9F 78`: IEEE 754 single precision.
    Float(f32),
    /// `9F 79`: IEEE 754 double precision.
    Double(f64),
    /// `9F 76`: Counter64.
    Counter64(u64),
    /// `9F 7A`: signed 64-bit integer.
    I64(i64),
    /// `9F 7B`: unsigned 64-bit integer.
    U64(u64),
}

const TAG1: u8 = 0x9f;
const COUNTER64: u8 = 0x76;
const FLOAT: u8 = 0x78;
const DOUBLE: u8 = 0x79;
const I64: u8 = 0x7a;
const U64: u8 = 0x7b;

impl OpaqueValue {
    /// Reads the contents of an Opaque; `None` for anything but a well-formed wrapped value.
    pub fn parse(contents: &[u8]) -> Option<OpaqueValue> {
        let (&[t1, t2, len], body) = contents.split_first_chunk::<3>()?;
        if t1 != TAG1 || usize::from(len) != body.len() {
            return None;
        }
        match t2 {
            FLOAT => Some(OpaqueValue::Float(f32::from_be_bytes(body.try_into().ok()?))),
            DOUBLE => Some(OpaqueValue::Double(f64::from_be_bytes(body.try_into().ok()?))),
            COUNTER64 | U64 => {
                let v = unsigned(body)?;
                Some(if t2 == U64 { OpaqueValue::U64(v) } else { OpaqueValue::Counter64(v) })
            }
            I64 => {
                if body.is_empty() || body.len() > 8 {
                    return None;
                }
                let fill = if body.first().is_some_and(|b| b & 0x80 != 0) { 0xff } else { 0 };
                let mut be = [fill; 8];
                be.get_mut(8usize.saturating_sub(body.len())..)?.copy_from_slice(body);
                Some(OpaqueValue::I64(i64::from_be_bytes(be)))
            }
            _ => None,
        }
    }

    /// The Opaque value carrying this one.
    pub fn to_value(self) -> Value {
        let (tag, body) = match self {
            OpaqueValue::Float(f) => (FLOAT, f.to_be_bytes().to_vec()),
            OpaqueValue::Double(d) => (DOUBLE, d.to_be_bytes().to_vec()),
            OpaqueValue::Counter64(v) => (COUNTER64, unsigned_bytes(v)),
            OpaqueValue::U64(v) => (U64, unsigned_bytes(v)),
            OpaqueValue::I64(v) => (I64, signed_bytes(v)),
        };
        let mut out = vec![TAG1, tag, u8::try_from(body.len()).unwrap_or(0)];
        out.extend(body);
        Value::Opaque(out)
    }
}

/// A BER INTEGER's contents read as unsigned (up to 9 octets, a leading zero allowed).
fn unsigned(body: &[u8]) -> Option<u64> {
    let body = match body {
        [0, rest @ ..] if body.len() == 9 => rest,
        _ if body.len() > 8 || body.is_empty() => return None,
        _ => body,
    };
    Some(body.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
}

/// Minimal contents of a non-negative INTEGER (a leading zero when the top bit is set).
fn unsigned_bytes(v: u64) -> Vec<u8> {
    let be = v.to_be_bytes();
    let skip = be.iter().take_while(|b| **b == 0).count().min(7);
    let mut out = Vec::with_capacity(9);
    if be.get(skip).is_some_and(|b| b & 0x80 != 0) {
        out.push(0);
    }
    out.extend_from_slice(be.get(skip..).unwrap_or_default());
    out
}

/// Minimal two's-complement contents.
fn signed_bytes(v: i64) -> Vec<u8> {
    let be = v.to_be_bytes();
    let mut start = 0;
    while start < 7 {
        let (Some(&b), Some(&next)) = (be.get(start), be.get(start.saturating_add(1))) else { break };
        if (b == 0 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
            start = start.saturating_add(1);
        } else {
            break;
        }
    }
    be.get(start..).unwrap_or_default().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_net_snmp_bytes() {
        // From snmpd's laTable (UCD-SNMP-MIB laLoadFloat): 9F 78 04 3F 06 C0 00 = 0.526367.
        assert_eq!(
            OpaqueValue::parse(&[0x9f, 0x78, 4, 0x3f, 0x06, 0xc0, 0]),
            Some(OpaqueValue::Float(f32::from_bits(0x3f06_c000)))
        );
        for v in [
            OpaqueValue::Float(-1.5),
            OpaqueValue::Double(1e300),
            OpaqueValue::Counter64(u64::MAX),
            OpaqueValue::U64(0),
            OpaqueValue::U64(128),
            OpaqueValue::I64(i64::MIN),
            OpaqueValue::I64(-1),
            OpaqueValue::I64(127),
            OpaqueValue::I64(128),
        ] {
            let Value::Opaque(bytes) = v.to_value() else { panic!() };
            assert_eq!(OpaqueValue::parse(&bytes), Some(v), "{bytes:02x?}");
        }
        let Value::Opaque(b) = OpaqueValue::I64(-1).to_value() else { panic!() };
        assert_eq!(b, [0x9f, 0x7a, 1, 0xff]);
        let Value::Opaque(b) = OpaqueValue::U64(u64::MAX).to_value() else { panic!() };
        assert_eq!(b.len(), 3 + 9);
        assert_eq!(OpaqueValue::parse(&[0x9f, 0x78, 3, 0, 0, 0]), None);
        assert_eq!(OpaqueValue::parse(&[0x04, 0x01, 0x41]), None);
        assert_eq!(OpaqueValue::parse(&[]), None);
    }
}
