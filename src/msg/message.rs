//! The message model: community (v1/v2c) and v3 messages and every PDU.

use super::types::{ErrorStatus, GenericTrap, MsgFlags, PduType, SecurityModel, Version};
use crate::value::{Oid, VarBind};
use core::ops::Range;

/// An SNMP message of any version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// SNMPv1 ([RFC 1157 § 4](https://www.rfc-editor.org/rfc/rfc1157#section-4)) or SNMPv2c
    /// ([RFC 1901 § 3](https://www.rfc-editor.org/rfc/rfc1901#section-3)).
    Community(CommunityMessage),
    /// SNMPv3 ([RFC 3412 § 6](https://www.rfc-editor.org/rfc/rfc3412#section-6)).
    V3(V3Message),
}

impl Message {
    /// The message version.
    pub fn version(&self) -> Version {
        match self {
            Message::Community(m) => m.version,
            Message::V3(_) => Version::V3,
        }
    }

    /// The PDU, unless it is still encrypted.
    pub fn pdu(&self) -> Option<&Pdu> {
        match self {
            Message::Community(m) => Some(&m.pdu),
            Message::V3(m) => match &m.data {
                ScopedPduData::Plaintext(s) => Some(&s.pdu),
                ScopedPduData::Encrypted(_) => None,
            },
        }
    }
}

/// A v1 or v2c message: `SEQUENCE { version, community, data }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunityMessage {
    /// [`Version::V1`] or [`Version::V2c`].
    pub version: Version,
    /// The community string.
    pub community: Vec<u8>,
    /// The PDU.
    pub pdu: Pdu,
}

/// An SNMPv3 message ([RFC 3412 § 6](https://www.rfc-editor.org/rfc/rfc3412#section-6), `SNMPv3Message`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V3Message {
    /// msgGlobalData.
    pub header: HeaderData,
    /// msgSecurityParameters, read as USM parameters when the security model is USM.
    pub security: SecurityParameters,
    /// msgData.
    pub data: ScopedPduData,
}

/// `HeaderData` ([RFC 3412 § 6](https://www.rfc-editor.org/rfc/rfc3412#section-6)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderData {
    /// msgID, `INTEGER (0..2147483647)`.
    pub msg_id: i64,
    /// msgMaxSize, `INTEGER (484..2147483647)`.
    pub msg_max_size: i64,
    /// msgFlags.
    pub msg_flags: MsgFlags,
    /// msgSecurityModel.
    pub security_model: SecurityModel,
}

/// msgSecurityParameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityParameters {
    /// USM parameters ([RFC 3414 § 2.4](https://www.rfc-editor.org/rfc/rfc3414#section-2.4)).
    Usm(UsmSecurityParameters),
    /// Another security model's parameters, as received.
    Other(Vec<u8>),
}

/// `UsmSecurityParameters` ([RFC 3414 § 2.4](https://www.rfc-editor.org/rfc/rfc3414#section-2.4)).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UsmSecurityParameters {
    /// msgAuthoritativeEngineID.
    pub engine_id: Vec<u8>,
    /// msgAuthoritativeEngineBoots, `INTEGER (0..2147483647)`.
    pub engine_boots: i64,
    /// msgAuthoritativeEngineTime, `INTEGER (0..2147483647)`.
    pub engine_time: i64,
    /// msgUserName.
    pub user_name: Vec<u8>,
    /// msgAuthenticationParameters: the MAC, or empty.
    pub auth_params: Vec<u8>,
    /// msgPrivacyParameters: the salt, or empty.
    pub priv_params: Vec<u8>,
}

/// msgData: `CHOICE { plaintext ScopedPDU, encryptedPDU OCTET STRING }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopedPduData {
    /// A readable scoped PDU.
    Plaintext(ScopedPdu),
    /// An encrypted scoped PDU, opaque until decrypted by the USM layer.
    Encrypted(Vec<u8>),
}

/// `ScopedPDU` ([RFC 3412 § 6](https://www.rfc-editor.org/rfc/rfc3412#section-6)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedPdu {
    /// contextEngineID.
    pub context_engine_id: Vec<u8>,
    /// contextName.
    pub context_name: Vec<u8>,
    /// The PDU.
    pub pdu: Pdu,
}

/// Any PDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pdu {
    /// Every PDU with the common layout: Get, GetNext, Response, Set, Inform, SNMPv2-Trap, Report.
    Generic(GenericPdu),
    /// GetBulkRequest.
    Bulk(BulkPdu),
    /// SNMPv1 Trap.
    TrapV1(TrapV1Pdu),
}

impl Pdu {
    /// The PDU's tag.
    pub fn pdu_type(&self) -> PduType {
        match self {
            Pdu::Generic(p) => p.pdu_type,
            Pdu::Bulk(_) => PduType::GET_BULK_REQUEST,
            Pdu::TrapV1(_) => PduType::TRAP_V1,
        }
    }

    /// The variable bindings.
    pub fn varbinds(&self) -> &[VarBind] {
        match self {
            Pdu::Generic(p) => &p.varbinds,
            Pdu::Bulk(p) => &p.varbinds,
            Pdu::TrapV1(p) => &p.varbinds,
        }
    }

    /// The request-id (none for a v1 Trap).
    pub fn request_id(&self) -> Option<i64> {
        match self {
            Pdu::Generic(p) => Some(p.request_id),
            Pdu::Bulk(p) => Some(p.request_id),
            Pdu::TrapV1(_) => None,
        }
    }
}

/// The common PDU layout ([RFC 3416 § 3](https://www.rfc-editor.org/rfc/rfc3416#section-3), `PDU`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenericPdu {
    /// Which PDU (never GetBulkRequest or v1 Trap).
    pub pdu_type: PduType,
    /// request-id, `Integer32`.
    pub request_id: i64,
    /// error-status.
    pub error_status: ErrorStatus,
    /// error-index, counted from 1; 0 when no varbind is at fault.
    pub error_index: i64,
    /// variable-bindings.
    pub varbinds: Vec<VarBind>,
}

/// GetBulkRequest ([RFC 3416 § 3](https://www.rfc-editor.org/rfc/rfc3416#section-3), `BulkPDU`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkPdu {
    /// request-id.
    pub request_id: i64,
    /// non-repeaters, `INTEGER (0..max-bindings)`.
    pub non_repeaters: i64,
    /// max-repetitions, `INTEGER (0..max-bindings)`.
    pub max_repetitions: i64,
    /// variable-bindings.
    pub varbinds: Vec<VarBind>,
}

/// SNMPv1 Trap-PDU ([RFC 1157 § 4.1.6](https://www.rfc-editor.org/rfc/rfc1157#section-4.1.6)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrapV1Pdu {
    /// enterprise: sysObjectID of the sender.
    pub enterprise: Oid,
    /// agent-addr.
    pub agent_addr: [u8; 4],
    /// generic-trap.
    pub generic_trap: GenericTrap,
    /// specific-trap.
    pub specific_trap: i64,
    /// time-stamp: sysUpTime at the event, hundredths of a second.
    pub time_stamp: u32,
    /// variable-bindings.
    pub varbinds: Vec<VarBind>,
}

/// A received message with what the lenient reader noticed about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The message.
    pub message: Message,
    /// Departures from the standard that were worked around, in datagram order.
    pub deviations: Vec<super::Deviation>,
    /// For a v3 USM message, the byte range of msgAuthenticationParameters' contents in the
    /// datagram: HMAC verification zeroes exactly these bytes.
    pub auth_params_range: Option<Range<usize>>,
}
