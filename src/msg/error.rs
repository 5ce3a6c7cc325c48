//! Decode errors, encode errors and the deviations the lenient reader records.

use core::fmt;

/// A datagram that cannot be read as an SNMP message: what was wrong and where.
///
/// `offset` counts bytes from the start of the datagram (for a decrypted scoped PDU, from the
/// start of the plaintext).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset of the element that failed.
    pub offset: usize,
    /// What failed.
    pub kind: DecodeErrorKind,
}

impl DecodeError {
    pub(crate) fn new(offset: usize, kind: DecodeErrorKind) -> Self {
        DecodeError { offset, kind }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.kind)
    }
}

impl std::error::Error for DecodeError {}

/// The kinds of [`DecodeError`]. `what` names the field the reader expected there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The datagram ends inside an element.
    #[error("{what}: truncated, needs {needed} more byte(s) but {available} remain")]
    Truncated {
        /// Field being read.
        what: &'static str,
        /// Bytes the element needs.
        needed: usize,
        /// Bytes left in the enclosing element.
        available: usize,
    },
    /// A different type was found where the grammar requires one type.
    #[error("{what}: expected {} (tag 0x{expected:02x}), found tag 0x{found:02x}{}", tag_label(*.expected), found_label(*.found))]
    UnexpectedTag {
        /// Field being read.
        what: &'static str,
        /// Identifier octet required.
        expected: u8,
        /// Identifier octet found.
        found: u8,
    },
    /// A high-tag-number identifier (low five bits all set); SNMP never uses one.
    #[error("{what}: multi-byte tag 0x{tag:02x} is not used by SNMP")]
    MultiByteTag {
        /// Field being read.
        what: &'static str,
        /// The first identifier octet.
        tag: u8,
    },
    /// Indefinite length (0x80): BER allows it, SNMP forbids it (RFC 3417 § 8).
    #[error("{what}: indefinite length is not allowed in SNMP (RFC 3417 section 8)")]
    IndefiniteLength {
        /// Field being read.
        what: &'static str,
    },
    /// A length field of more than four octets.
    #[error("{what}: length field of {octets} octets is too large")]
    LengthTooLarge {
        /// Field being read.
        what: &'static str,
        /// Number of length octets.
        octets: usize,
    },
    /// A length pointing past the end of the enclosing element or datagram.
    #[error("{what}: length {length} runs past the end ({available} byte(s) remain)")]
    LengthPastEnd {
        /// Field being read.
        what: &'static str,
        /// The declared length.
        length: usize,
        /// Bytes that remain.
        available: usize,
    },
    /// An INTEGER with no contents octets.
    #[error("{what}: INTEGER with no contents")]
    EmptyInteger {
        /// Field being read.
        what: &'static str,
    },
    /// An INTEGER too large for the field.
    #[error("{what}: INTEGER does not fit in {bits} bits")]
    IntegerOverflow {
        /// Field being read.
        what: &'static str,
        /// Width of the field.
        bits: u32,
    },
    /// An OBJECT IDENTIFIER that cannot be read.
    #[error("{what}: {problem}")]
    BadOid {
        /// Field being read.
        what: &'static str,
        /// What is wrong with it.
        problem: OidProblem,
    },
    /// A version other than 0 (v1), 1 (v2c) or 3 (v3).
    #[error("unsupported SNMP version {0} (known: 0 = v1, 1 = v2c, 3 = v3)")]
    UnsupportedVersion(i64),
    /// A PDU tag outside the context-specific constructed range.
    #[error("unknown PDU tag 0x{0:02x}")]
    UnknownPdu(u8),
    /// Bytes left over after an element that should have ended.
    #[error("{count} trailing byte(s) after the {what}")]
    TrailingData {
        /// What should have ended.
        what: &'static str,
        /// How many bytes follow it.
        count: usize,
    },
}

/// Problems an OBJECT IDENTIFIER can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OidProblem {
    /// Zero contents octets.
    Empty,
    /// The last octet has its continuation bit set.
    Truncated,
    /// A sub-identifier above 4294967295.
    ArcOverflow,
    /// More than 128 sub-identifiers.
    TooLong(usize),
}

impl fmt::Display for OidProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OidProblem::Empty => f.write_str("zero-length OBJECT IDENTIFIER"),
            OidProblem::Truncated => f.write_str("OBJECT IDENTIFIER ends inside a sub-identifier"),
            OidProblem::ArcOverflow => f.write_str("OBJECT IDENTIFIER sub-identifier exceeds 4294967295"),
            OidProblem::TooLong(n) => {
                write!(f, "OBJECT IDENTIFIER has {n} sub-identifiers (at most 128)")
            }
        }
    }
}

fn tag_label(tag: u8) -> &'static str {
    crate::value::Value::tag_name(tag).unwrap_or("a PDU")
}

fn found_label(tag: u8) -> String {
    match crate::value::Value::tag_name(tag) {
        Some(name) => format!(" ({name})"),
        None => String::new(),
    }
}

/// Something the sender got wrong that the reader worked around. Recorded, not fatal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deviation {
    /// Byte offset of the element concerned.
    pub offset: usize,
    /// What was wrong and how it was read.
    pub kind: DeviationKind,
}

impl fmt::Display for Deviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.kind)
    }
}

/// The kinds of [`Deviation`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeviationKind {
    /// A long-form length that a shorter form could express (e.g. `30 82 00 1a`).
    #[error("{what}: non-minimal length encoding")]
    NonMinimalLength {
        /// The field.
        what: &'static str,
    },
    /// An INTEGER with redundant leading octets.
    #[error("{what}: non-minimal INTEGER encoding (redundant leading octets)")]
    NonMinimalInteger {
        /// The field.
        what: &'static str,
    },
    /// An unsigned type (Counter32, Gauge32, TimeTicks, Counter64) encoded as a negative number.
    #[error("{what}: negative number {value} for an unsigned type, read as {read}")]
    NegativeUnsigned {
        /// The field or type.
        what: &'static str,
        /// The number as encoded.
        value: i128,
        /// The value it was read as (low bits, as Net-SNMP does).
        read: u64,
    },
    /// An unsigned value wider than its type.
    #[error("{what}: {value} does not fit in {bits} bits, read as {read}")]
    UnsignedOverflow {
        /// The field or type.
        what: &'static str,
        /// The number as encoded.
        value: i128,
        /// Width of the type.
        bits: u32,
        /// The low bits kept.
        read: u64,
    },
    /// A header number outside the range its ASN.1 definition gives.
    #[error("{what}: {value} is outside {range}")]
    OutOfRange {
        /// The field.
        what: &'static str,
        /// The number received.
        value: i64,
        /// The range the RFC gives.
        range: &'static str,
    },
    /// A value whose contents could not be read as its type; kept as raw bytes.
    #[error("{type_name} value could not be read ({problem}); kept as raw bytes")]
    UnreadableValue {
        /// The type's name.
        type_name: &'static str,
        /// What was wrong.
        problem: String,
    },
    /// An IpAddress (or agent-addr) whose length is not 4.
    #[error("{what}: IpAddress of {len} octet(s), expected 4")]
    IpAddressLength {
        /// The field.
        what: &'static str,
        /// The length received.
        len: usize,
    },
    /// An OBJECT IDENTIFIER value with no contents.
    #[error("zero-length OBJECT IDENTIFIER value")]
    EmptyOid,
    /// A sub-identifier with a leading 0x80 octet.
    #[error("{what}: non-minimal sub-identifier encoding (leading 0x80)")]
    NonMinimalOid {
        /// The field.
        what: &'static str,
    },
    /// A value tag SNMPv2 does not define (0x45 NsapAddress, 0x47 UInteger32, …).
    #[error("value tag 0x{tag:02x}{} is not an SMIv2 type; kept as raw bytes", tag_name_suffix(*.tag))]
    UnknownValueTag {
        /// The identifier octet.
        tag: u8,
    },
    /// NULL or an exception value carrying contents octets.
    #[error("{type_name} carries {len} contents octet(s), expected none")]
    NullWithPayload {
        /// The type's name.
        type_name: &'static str,
        /// How many octets it carried.
        len: usize,
    },
    /// msgFlags with a length other than 1.
    #[error("msgFlags of {len} octet(s), expected 1")]
    MsgFlagsLength {
        /// The length received.
        len: usize,
    },
    /// msgFlags asking for privacy without authentication (RFC 3412 § 7.2 step 5 forbids it).
    #[error("msgFlags 0x{0:02x} sets privFlag without authFlag")]
    PrivWithoutAuth(u8),
    /// msgFlags privFlag disagrees with the form of msgData.
    #[error("privFlag is {flag} but the scoped PDU is {form}")]
    PrivacyMismatch {
        /// The privFlag.
        flag: bool,
        /// `encrypted` or `plaintext`.
        form: &'static str,
    },
    /// A PDU type the message's version does not define.
    #[error("{pdu} is not defined in {version}")]
    PduNotInVersion {
        /// The PDU type.
        pdu: &'static str,
        /// The version.
        version: &'static str,
    },
    /// A value type SNMPv1 does not define (Counter64, exceptions) in a v1 message.
    #[error("{type_name} is not defined in SNMPv1")]
    TypeNotInV1 {
        /// The type's name.
        type_name: &'static str,
    },
    /// A PDU tag in the context range that no RFC defines; read with the common PDU layout.
    #[error("PDU tag 0x{0:02x} is not defined; read as a common PDU")]
    UnknownPduTag(u8),
    /// Bytes after the value inside a VarBind.
    #[error("{count} extra byte(s) after the value inside a VarBind, ignored")]
    VarBindTrailing {
        /// How many.
        count: usize,
    },
    /// Bytes after the USM security parameters inside msgSecurityParameters.
    #[error("{count} extra byte(s) after {what}, ignored")]
    Trailing {
        /// What they follow.
        what: &'static str,
        /// How many.
        count: usize,
    },
}

fn tag_name_suffix(tag: u8) -> String {
    match crate::value::Value::tag_name(tag) {
        Some(name) => format!(" ({name})"),
        None => String::new(),
    }
}

/// A message that cannot be encoded: always the caller's doing, never the peer's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A field holds a number outside what the wire format allows.
    #[error("{what}: {value} is outside {range}")]
    OutOfRange {
        /// The field.
        what: &'static str,
        /// The value given.
        value: i64,
        /// The range allowed.
        range: &'static str,
    },
    /// A value or PDU that the message's version cannot carry.
    #[error("{0}")]
    Unsupported(String),
    /// rasn refused the message.
    #[error("BER encoder: {0}")]
    Ber(String),
}
