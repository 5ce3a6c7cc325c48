//! Values a variable binding can carry: every SMIv2 type
//! ([RFC 2578 § 7.1](https://www.rfc-editor.org/rfc/rfc2578#section-7.1)), the three exceptions of
//! [RFC 3416 § 3](https://www.rfc-editor.org/rfc/rfc3416#section-3), and anything else as raw bytes.

use super::Oid;
use core::fmt;

/// BER identifier octets of the value types SNMP uses.
pub mod tag {
    /// INTEGER / Integer32.
    pub const INTEGER: u8 = 0x02;
    /// OCTET STRING.
    pub const OCTET_STRING: u8 = 0x04;
    /// NULL.
    pub const NULL: u8 = 0x05;
    /// OBJECT IDENTIFIER.
    pub const OBJECT_IDENTIFIER: u8 = 0x06;
    /// SEQUENCE (constructed).
    pub const SEQUENCE: u8 = 0x30;
    /// IpAddress, `[APPLICATION 0]`.
    pub const IP_ADDRESS: u8 = 0x40;
    /// Counter32, `[APPLICATION 1]`.
    pub const COUNTER32: u8 = 0x41;
    /// Gauge32 / Unsigned32, `[APPLICATION 2]`.
    pub const GAUGE32: u8 = 0x42;
    /// TimeTicks, `[APPLICATION 3]`.
    pub const TIMETICKS: u8 = 0x43;
    /// Opaque, `[APPLICATION 4]`.
    pub const OPAQUE: u8 = 0x44;
    /// NsapAddress, `[APPLICATION 5]` (SMIv2 draft, still sent by some agents).
    pub const NSAP_ADDRESS: u8 = 0x45;
    /// Counter64, `[APPLICATION 6]`.
    pub const COUNTER64: u8 = 0x46;
    /// UInteger32, `[APPLICATION 7]` (obsolete).
    pub const UINTEGER32: u8 = 0x47;
    /// noSuchObject exception, `[0] IMPLICIT NULL`.
    pub const NO_SUCH_OBJECT: u8 = 0x80;
    /// noSuchInstance exception, `[1] IMPLICIT NULL`.
    pub const NO_SUCH_INSTANCE: u8 = 0x81;
    /// endOfMibView exception, `[2] IMPLICIT NULL`.
    pub const END_OF_MIB_VIEW: u8 = 0x82;
}

/// The value of a variable binding.
#[derive(Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Value {
    /// INTEGER / Integer32.
    Integer(i32),
    /// OCTET STRING (text or binary).
    OctetString(Vec<u8>),
    /// NULL: the value of every varbind in a request.
    Null,
    /// OBJECT IDENTIFIER.
    ObjectIdentifier(Oid),
    /// IpAddress: four octets, network order.
    IpAddress([u8; 4]),
    /// Counter32.
    Counter32(u32),
    /// Gauge32, also Unsigned32 (same tag).
    Gauge32(u32),
    /// TimeTicks: hundredths of a second.
    TimeTicks(u32),
    /// Opaque: BER of another value, kept as the raw contents octets.
    Opaque(Vec<u8>),
    /// Counter64.
    Counter64(u64),
    /// The agent has no such object (v2c/v3 Response).
    NoSuchObject,
    /// The object exists but not this instance (v2c/v3 Response).
    NoSuchInstance,
    /// Nothing follows in the agent's MIB view (v2c/v3 Response).
    EndOfMibView,
    /// Anything else (an unknown tag, or a known one whose contents could not be read as that type),
    /// kept as received so nothing is lost.
    Unknown {
        /// The identifier octet.
        tag: u8,
        /// The contents octets.
        bytes: Vec<u8>,
    },
}

impl Value {
    /// The BER identifier octet this value is encoded with.
    pub fn tag(&self) -> u8 {
        match self {
            Value::Integer(_) => tag::INTEGER,
            Value::OctetString(_) => tag::OCTET_STRING,
            Value::Null => tag::NULL,
            Value::ObjectIdentifier(_) => tag::OBJECT_IDENTIFIER,
            Value::IpAddress(_) => tag::IP_ADDRESS,
            Value::Counter32(_) => tag::COUNTER32,
            Value::Gauge32(_) => tag::GAUGE32,
            Value::TimeTicks(_) => tag::TIMETICKS,
            Value::Opaque(_) => tag::OPAQUE,
            Value::Counter64(_) => tag::COUNTER64,
            Value::NoSuchObject => tag::NO_SUCH_OBJECT,
            Value::NoSuchInstance => tag::NO_SUCH_INSTANCE,
            Value::EndOfMibView => tag::END_OF_MIB_VIEW,
            Value::Unknown { tag, .. } => *tag,
        }
    }

    /// The type's name as RFC 2578 and RFC 3416 spell it (`Integer32`, `OCTET STRING`, …);
    /// `Unknown` for [`Value::Unknown`].
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Integer(_) => "Integer32",
            Value::OctetString(_) => "OCTET STRING",
            Value::Null => "NULL",
            Value::ObjectIdentifier(_) => "OBJECT IDENTIFIER",
            Value::IpAddress(_) => "IpAddress",
            Value::Counter32(_) => "Counter32",
            Value::Gauge32(_) => "Gauge32",
            Value::TimeTicks(_) => "TimeTicks",
            Value::Opaque(_) => "Opaque",
            Value::Counter64(_) => "Counter64",
            Value::NoSuchObject => "noSuchObject",
            Value::NoSuchInstance => "noSuchInstance",
            Value::EndOfMibView => "endOfMibView",
            Value::Unknown { .. } => "Unknown",
        }
    }

    /// True for noSuchObject, noSuchInstance and endOfMibView.
    pub fn is_exception(&self) -> bool {
        matches!(self, Value::NoSuchObject | Value::NoSuchInstance | Value::EndOfMibView)
    }

    /// The name a BER identifier octet has in SNMP, if it has one.
    pub fn tag_name(tag: u8) -> Option<&'static str> {
        Some(match tag {
            tag::INTEGER => "INTEGER",
            tag::OCTET_STRING => "OCTET STRING",
            tag::NULL => "NULL",
            tag::OBJECT_IDENTIFIER => "OBJECT IDENTIFIER",
            tag::SEQUENCE => "SEQUENCE",
            tag::IP_ADDRESS => "IpAddress",
            tag::COUNTER32 => "Counter32",
            tag::GAUGE32 => "Gauge32",
            tag::TIMETICKS => "TimeTicks",
            tag::OPAQUE => "Opaque",
            tag::NSAP_ADDRESS => "NsapAddress",
            tag::COUNTER64 => "Counter64",
            tag::UINTEGER32 => "UInteger32",
            tag::NO_SUCH_OBJECT => "noSuchObject",
            tag::NO_SUCH_INSTANCE => "noSuchInstance",
            tag::END_OF_MIB_VIEW => "endOfMibView",
            _ => return None,
        })
    }
}

/// Typed access, for code that knows what it asked for.
///
/// ```
/// use snmpctl::value::Value;
/// assert_eq!(Value::from("core-rtr-1").as_str(), Some("core-rtr-1"));
/// assert_eq!(Value::Counter64(1 << 40).as_u64(), Some(1 << 40));
/// assert_eq!(Value::Integer(-3).as_u64(), None);
/// assert_eq!(Value::TimeTicks(150).as_duration(), Some(std::time::Duration::from_millis(1500)));
/// assert_eq!(Value::IpAddress([10, 0, 0, 1]).as_ip(), Some("10.0.0.1".parse().unwrap()));
/// ```
impl Value {
    /// The text of an OCTET STRING that is valid UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::OctetString(b) => core::str::from_utf8(b).ok(),
            _ => None,
        }
    }

    /// The octets of an OCTET STRING or an Opaque.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::OctetString(b) | Value::Opaque(b) => Some(b),
            _ => None,
        }
    }

    /// Any integer type as an unsigned number: Counter32, Gauge32/Unsigned32, TimeTicks,
    /// Counter64, and an INTEGER that is not negative.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::Integer(v) => u64::try_from(v).ok(),
            Value::Counter32(v) | Value::Gauge32(v) | Value::TimeTicks(v) => Some(u64::from(v)),
            Value::Counter64(v) => Some(v),
            _ => None,
        }
    }

    /// Any integer type as a signed number (a Counter64 above `i64::MAX` gives `None`).
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Integer(v) => Some(i64::from(v)),
            Value::Counter32(v) | Value::Gauge32(v) | Value::TimeTicks(v) => Some(i64::from(v)),
            Value::Counter64(v) => i64::try_from(v).ok(),
            _ => None,
        }
    }

    /// The OID of an OBJECT IDENTIFIER value.
    pub fn as_oid(&self) -> Option<&Oid> {
        match self {
            Value::ObjectIdentifier(o) => Some(o),
            _ => None,
        }
    }

    /// The address of an IpAddress value.
    pub fn as_ip(&self) -> Option<std::net::Ipv4Addr> {
        match *self {
            Value::IpAddress(a) => Some(std::net::Ipv4Addr::from(a)),
            _ => None,
        }
    }

    /// TimeTicks (hundredths of a second) as a duration.
    pub fn as_duration(&self) -> Option<std::time::Duration> {
        match *self {
            Value::TimeTicks(t) => Some(std::time::Duration::from_millis(u64::from(t).saturating_mul(10))),
            _ => None,
        }
    }
}

/// Values for a Set: text and bytes are OCTET STRINGs, `i32` an INTEGER, an [`Oid`] an OBJECT
/// IDENTIFIER, an address an IpAddress. Counters, gauges and time ticks are built with their
/// variants ([`Value::Gauge32`]); the MIB's type is used by
/// [`Client::set_text`](crate::Client::set_text).
impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::OctetString(s.as_bytes().to_vec())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::OctetString(s.into_bytes())
    }
}

impl From<&[u8]> for Value {
    fn from(b: &[u8]) -> Value {
        Value::OctetString(b.to_vec())
    }
}

impl From<Vec<u8>> for Value {
    fn from(b: Vec<u8>) -> Value {
        Value::OctetString(b)
    }
}

impl From<i32> for Value {
    fn from(v: i32) -> Value {
        Value::Integer(v)
    }
}

impl From<Oid> for Value {
    fn from(o: Oid) -> Value {
        Value::ObjectIdentifier(o)
    }
}

impl From<std::net::Ipv4Addr> for Value {
    fn from(a: std::net::Ipv4Addr) -> Value {
        Value::IpAddress(a.octets())
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Integer(v) => write!(f, "Integer({v})"),
            Value::OctetString(b) => write!(f, "OctetString({:?})", String::from_utf8_lossy(b)),
            Value::Null => f.write_str("Null"),
            Value::ObjectIdentifier(o) => write!(f, "ObjectIdentifier({o})"),
            Value::IpAddress([a, b, c, d]) => write!(f, "IpAddress({a}.{b}.{c}.{d})"),
            Value::Counter32(v) => write!(f, "Counter32({v})"),
            Value::Gauge32(v) => write!(f, "Gauge32({v})"),
            Value::TimeTicks(v) => write!(f, "TimeTicks({v})"),
            Value::Opaque(b) => write!(f, "Opaque({})", crate::hex::encode(b)),
            Value::Counter64(v) => write!(f, "Counter64({v})"),
            Value::NoSuchObject => f.write_str("NoSuchObject"),
            Value::NoSuchInstance => f.write_str("NoSuchInstance"),
            Value::EndOfMibView => f.write_str("EndOfMibView"),
            Value::Unknown { tag, bytes } => {
                write!(f, "Unknown {{ tag: {tag:#04x}, bytes: {} }}", crate::hex::encode(bytes))
            }
        }
    }
}

/// A variable binding: an object instance and its value
/// ([RFC 3416 § 3](https://www.rfc-editor.org/rfc/rfc3416#section-3), `VarBind`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VarBind {
    /// The object instance.
    pub oid: Oid,
    /// Its value (NULL in requests).
    pub value: Value,
}

impl VarBind {
    /// A varbind for a request: the OID with a NULL value.
    pub fn null(oid: Oid) -> Self {
        VarBind { oid, value: Value::Null }
    }

    /// A varbind with a value.
    pub fn new(oid: Oid, value: Value) -> Self {
        VarBind { oid, value }
    }
}
