//! Protocol numbers as open enums: named constants over the wire integer, so unknown values
//! round-trip and `Debug` shows the name or the number.

use core::fmt;

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident($repr:ty) { $( $(#[$vmeta:meta])* $konst:ident = $value:expr => $text:literal, )* }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub $repr);

        impl $name {
            $( $(#[$vmeta])* pub const $konst: $name = $name($value); )*

            /// The standard name, if the value has one.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( v if v == $value => Some($text), )*
                    _ => None,
                }
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.name() {
                    Some(name) => f.write_str(name),
                    None => write!(f, "{}({:#x})", stringify!($name), self.0),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.name() {
                    Some(name) => write!(f, "{name}({})", self.0),
                    None => write!(f, "{}", self.0),
                }
            }
        }

        impl From<$repr> for $name {
            fn from(v: $repr) -> Self {
                $name(v)
            }
        }
    };
}

open_enum! {
    /// The PDU's context tag ([RFC 3416 § 3](https://www.rfc-editor.org/rfc/rfc3416#section-3),
    /// [RFC 1157 § 4.1](https://www.rfc-editor.org/rfc/rfc1157#section-4.1)).
    PduType(u8) {
        /// GetRequest-PDU `[0]`.
        GET_REQUEST = 0xa0 => "GetRequest",
        /// GetNextRequest-PDU `[1]`.
        GET_NEXT_REQUEST = 0xa1 => "GetNextRequest",
        /// Response-PDU `[2]` (GetResponse in v1).
        RESPONSE = 0xa2 => "Response",
        /// SetRequest-PDU `[3]`.
        SET_REQUEST = 0xa3 => "SetRequest",
        /// Trap-PDU `[4]` (SNMPv1 only).
        TRAP_V1 = 0xa4 => "Trap",
        /// GetBulkRequest-PDU `[5]`.
        GET_BULK_REQUEST = 0xa5 => "GetBulkRequest",
        /// InformRequest-PDU `[6]`.
        INFORM_REQUEST = 0xa6 => "InformRequest",
        /// SNMPv2-Trap-PDU `[7]`.
        TRAP_V2 = 0xa7 => "SNMPv2-Trap",
        /// Report-PDU `[8]`.
        REPORT = 0xa8 => "Report",
    }
}

impl PduType {
    /// The name, or `PDU(0xNN)` for an unknown tag.
    pub fn label(self) -> String {
        self.name().map_or_else(|| format!("PDU(0x{:02x})", self.0), str::to_owned)
    }
}

open_enum! {
    /// error-status ([RFC 3416 § 3](https://www.rfc-editor.org/rfc/rfc3416#section-3)).
    ErrorStatus(i64) {
        /// noError(0).
        NO_ERROR = 0 => "noError",
        /// tooBig(1).
        TOO_BIG = 1 => "tooBig",
        /// noSuchName(2), SNMPv1.
        NO_SUCH_NAME = 2 => "noSuchName",
        /// badValue(3), SNMPv1.
        BAD_VALUE = 3 => "badValue",
        /// readOnly(4), SNMPv1.
        READ_ONLY = 4 => "readOnly",
        /// genErr(5).
        GEN_ERR = 5 => "genErr",
        /// noAccess(6).
        NO_ACCESS = 6 => "noAccess",
        /// wrongType(7).
        WRONG_TYPE = 7 => "wrongType",
        /// wrongLength(8).
        WRONG_LENGTH = 8 => "wrongLength",
        /// wrongEncoding(9).
        WRONG_ENCODING = 9 => "wrongEncoding",
        /// wrongValue(10).
        WRONG_VALUE = 10 => "wrongValue",
        /// noCreation(11).
        NO_CREATION = 11 => "noCreation",
        /// inconsistentValue(12).
        INCONSISTENT_VALUE = 12 => "inconsistentValue",
        /// resourceUnavailable(13).
        RESOURCE_UNAVAILABLE = 13 => "resourceUnavailable",
        /// commitFailed(14).
        COMMIT_FAILED = 14 => "commitFailed",
        /// undoFailed(15).
        UNDO_FAILED = 15 => "undoFailed",
        /// authorizationError(16).
        AUTHORIZATION_ERROR = 16 => "authorizationError",
        /// notWritable(17).
        NOT_WRITABLE = 17 => "notWritable",
        /// inconsistentName(18).
        INCONSISTENT_NAME = 18 => "inconsistentName",
    }
}

open_enum! {
    /// generic-trap of an SNMPv1 Trap-PDU ([RFC 1157 § 4.1.6](https://www.rfc-editor.org/rfc/rfc1157#section-4.1.6)).
    GenericTrap(i64) {
        /// coldStart(0).
        COLD_START = 0 => "coldStart",
        /// warmStart(1).
        WARM_START = 1 => "warmStart",
        /// linkDown(2).
        LINK_DOWN = 2 => "linkDown",
        /// linkUp(3).
        LINK_UP = 3 => "linkUp",
        /// authenticationFailure(4).
        AUTHENTICATION_FAILURE = 4 => "authenticationFailure",
        /// egpNeighborLoss(5).
        EGP_NEIGHBOR_LOSS = 5 => "egpNeighborLoss",
        /// enterpriseSpecific(6).
        ENTERPRISE_SPECIFIC = 6 => "enterpriseSpecific",
    }
}

open_enum! {
    /// msgSecurityModel ([RFC 3411 § 5](https://www.rfc-editor.org/rfc/rfc3411#section-5), `SnmpSecurityModel`).
    SecurityModel(i64) {
        /// SNMPv1 community (1).
        V1 = 1 => "SNMPv1",
        /// SNMPv2c community (2).
        V2C = 2 => "SNMPv2c",
        /// User-based Security Model (3).
        USM = 3 => "USM",
        /// Transport Security Model (4), RFC 5591.
        TSM = 4 => "TSM",
    }
}

/// msgFlags ([RFC 3412 § 6.4](https://www.rfc-editor.org/rfc/rfc3412#section-6.4)): authFlag,
/// privFlag, reportableFlag; other bits are kept as received.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MsgFlags(pub u8);

impl MsgFlags {
    /// authFlag.
    pub const AUTH: u8 = 0x01;
    /// privFlag.
    pub const PRIV: u8 = 0x02;
    /// reportableFlag.
    pub const REPORTABLE: u8 = 0x04;

    /// The message is authenticated.
    pub fn auth(self) -> bool {
        self.0 & Self::AUTH != 0
    }
    /// The scoped PDU is encrypted.
    pub fn privacy(self) -> bool {
        self.0 & Self::PRIV != 0
    }
    /// The receiver should send a Report on failure.
    pub fn reportable(self) -> bool {
        self.0 & Self::REPORTABLE != 0
    }
    /// The security level these flags ask for.
    pub fn level(self) -> &'static str {
        match (self.auth(), self.privacy()) {
            (false, false) => "noAuthNoPriv",
            (true, false) => "authNoPriv",
            (true, true) => "authPriv",
            (false, true) => "invalid (priv without auth)",
        }
    }
}

impl fmt::Debug for MsgFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "MsgFlags({:#04x} {}{})",
            self.0,
            self.level(),
            if self.reportable() { ", reportable" } else { "" }
        )
    }
}

/// The message version ([RFC 3584 § 2](https://www.rfc-editor.org/rfc/rfc3584#section-2)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// SNMPv1, wire value 0.
    V1,
    /// SNMPv2c, wire value 1.
    V2c,
    /// SNMPv3, wire value 3.
    V3,
}

impl Version {
    /// The msgVersion integer.
    pub fn wire(self) -> i64 {
        match self {
            Version::V1 => 0,
            Version::V2c => 1,
            Version::V3 => 3,
        }
    }

    /// `v1`, `v2c` or `v3`, as the JSON schema spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V1 => "v1",
            Version::V2c => "v2c",
            Version::V3 => "v3",
        }
    }

    /// The version a wire integer stands for.
    pub fn from_wire(v: i64) -> Option<Version> {
        match v {
            0 => Some(Version::V1),
            1 => Some(Version::V2c),
            3 => Some(Version::V3),
            _ => None,
        }
    }
}

impl fmt::Display for Version {
    /// `v1`, `v2c` or `v3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
