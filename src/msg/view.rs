//! The zero-copy message model: [`MessageRef`] and its parts borrow every octet string, OID and
//! value from the datagram. It is what the decoder produces; [`crate::msg::Message::decode`] is
//! this plus `to_message`, so both levels read a datagram the same way.
//!
//! The shapes mirror the owned model in `message.rs` field for field.

use super::message::*;
use super::types::{ErrorStatus, GenericTrap, PduType, Version};
use crate::value::{OidRef, VarBindRef};
use core::ops::Range;

/// A message of any version, borrowed from its datagram (see [`Message`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageRef<'a> {
    /// SNMPv1 or SNMPv2c.
    Community(CommunityMessageRef<'a>),
    /// SNMPv3.
    V3(V3MessageRef<'a>),
}

impl<'a> MessageRef<'a> {
    /// The message version.
    pub fn version(&self) -> Version {
        match self {
            MessageRef::Community(m) => m.version,
            MessageRef::V3(_) => Version::V3,
        }
    }

    /// The PDU, unless it is still encrypted.
    pub fn pdu(&self) -> Option<&PduRef<'a>> {
        match self {
            MessageRef::Community(m) => Some(&m.pdu),
            MessageRef::V3(m) => match &m.data {
                ScopedPduDataRef::Plaintext(s) => Some(&s.pdu),
                ScopedPduDataRef::Encrypted(_) => None,
            },
        }
    }

    /// The owned message.
    pub fn to_message(&self) -> Message {
        match self {
            MessageRef::Community(m) => Message::Community(CommunityMessage {
                version: m.version,
                community: m.community.to_vec(),
                pdu: m.pdu.to_pdu(),
            }),
            MessageRef::V3(m) => Message::V3(V3Message {
                header: m.header.clone(),
                security: match &m.security {
                    SecurityParametersRef::Usm(u) => SecurityParameters::Usm(u.to_usm()),
                    SecurityParametersRef::Other(b) => SecurityParameters::Other(b.to_vec()),
                },
                data: match &m.data {
                    ScopedPduDataRef::Plaintext(s) => ScopedPduData::Plaintext(s.to_scoped_pdu()),
                    ScopedPduDataRef::Encrypted(b) => ScopedPduData::Encrypted(b.to_vec()),
                },
            }),
        }
    }
}

/// A v1 or v2c message (see [`CommunityMessage`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunityMessageRef<'a> {
    /// [`Version::V1`] or [`Version::V2c`].
    pub version: Version,
    /// The community string.
    pub community: &'a [u8],
    /// The PDU.
    pub pdu: PduRef<'a>,
}

/// An SNMPv3 message (see [`V3Message`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V3MessageRef<'a> {
    /// msgGlobalData.
    pub header: HeaderData,
    /// msgSecurityParameters.
    pub security: SecurityParametersRef<'a>,
    /// msgData.
    pub data: ScopedPduDataRef<'a>,
}

/// msgSecurityParameters (see [`SecurityParameters`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityParametersRef<'a> {
    /// USM parameters.
    Usm(UsmSecurityParametersRef<'a>),
    /// Another security model's parameters, as received.
    Other(&'a [u8]),
}

/// `UsmSecurityParameters` (see [`UsmSecurityParameters`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsmSecurityParametersRef<'a> {
    /// msgAuthoritativeEngineID.
    pub engine_id: &'a [u8],
    /// msgAuthoritativeEngineBoots.
    pub engine_boots: i64,
    /// msgAuthoritativeEngineTime.
    pub engine_time: i64,
    /// msgUserName.
    pub user_name: &'a [u8],
    /// msgAuthenticationParameters.
    pub auth_params: &'a [u8],
    /// msgPrivacyParameters.
    pub priv_params: &'a [u8],
}

impl UsmSecurityParametersRef<'_> {
    /// The owned parameters.
    pub fn to_usm(&self) -> UsmSecurityParameters {
        UsmSecurityParameters {
            engine_id: self.engine_id.to_vec(),
            engine_boots: self.engine_boots,
            engine_time: self.engine_time,
            user_name: self.user_name.to_vec(),
            auth_params: self.auth_params.to_vec(),
            priv_params: self.priv_params.to_vec(),
        }
    }
}

/// msgData (see [`ScopedPduData`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopedPduDataRef<'a> {
    /// A readable scoped PDU.
    Plaintext(ScopedPduRef<'a>),
    /// An encrypted scoped PDU.
    Encrypted(&'a [u8]),
}

/// `ScopedPDU` (see [`ScopedPdu`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedPduRef<'a> {
    /// contextEngineID.
    pub context_engine_id: &'a [u8],
    /// contextName.
    pub context_name: &'a [u8],
    /// The PDU.
    pub pdu: PduRef<'a>,
}

impl ScopedPduRef<'_> {
    /// The owned scoped PDU.
    pub fn to_scoped_pdu(&self) -> ScopedPdu {
        ScopedPdu {
            context_engine_id: self.context_engine_id.to_vec(),
            context_name: self.context_name.to_vec(),
            pdu: self.pdu.to_pdu(),
        }
    }
}

/// Any PDU (see [`Pdu`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PduRef<'a> {
    /// Get, GetNext, Response, Set, Inform, SNMPv2-Trap, Report.
    Generic(GenericPduRef<'a>),
    /// GetBulkRequest.
    Bulk(BulkPduRef<'a>),
    /// SNMPv1 Trap.
    TrapV1(TrapV1PduRef<'a>),
}

impl<'a> PduRef<'a> {
    /// The PDU's tag.
    pub fn pdu_type(&self) -> PduType {
        match self {
            PduRef::Generic(p) => p.pdu_type,
            PduRef::Bulk(_) => PduType::GET_BULK_REQUEST,
            PduRef::TrapV1(_) => PduType::TRAP_V1,
        }
    }

    /// The variable bindings.
    pub fn varbinds(&self) -> &[VarBindRef<'a>] {
        match self {
            PduRef::Generic(p) => &p.varbinds,
            PduRef::Bulk(p) => &p.varbinds,
            PduRef::TrapV1(p) => &p.varbinds,
        }
    }

    /// The request-id (none for a v1 Trap).
    pub fn request_id(&self) -> Option<i64> {
        match self {
            PduRef::Generic(p) => Some(p.request_id),
            PduRef::Bulk(p) => Some(p.request_id),
            PduRef::TrapV1(_) => None,
        }
    }

    /// The owned PDU.
    pub fn to_pdu(&self) -> Pdu {
        let varbinds = self.varbinds().iter().map(VarBindRef::to_varbind).collect();
        match self {
            PduRef::Generic(p) => Pdu::Generic(GenericPdu {
                pdu_type: p.pdu_type,
                request_id: p.request_id,
                error_status: p.error_status,
                error_index: p.error_index,
                varbinds,
            }),
            PduRef::Bulk(p) => Pdu::Bulk(BulkPdu {
                request_id: p.request_id,
                non_repeaters: p.non_repeaters,
                max_repetitions: p.max_repetitions,
                varbinds,
            }),
            PduRef::TrapV1(p) => Pdu::TrapV1(TrapV1Pdu {
                enterprise: p.enterprise.to_oid(),
                agent_addr: p.agent_addr,
                generic_trap: p.generic_trap,
                specific_trap: p.specific_trap,
                time_stamp: p.time_stamp,
                varbinds,
            }),
        }
    }
}

/// The common PDU layout (see [`GenericPdu`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenericPduRef<'a> {
    /// Which PDU.
    pub pdu_type: PduType,
    /// request-id.
    pub request_id: i64,
    /// error-status.
    pub error_status: ErrorStatus,
    /// error-index.
    pub error_index: i64,
    /// variable-bindings.
    pub varbinds: Vec<VarBindRef<'a>>,
}

/// GetBulkRequest (see [`BulkPdu`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkPduRef<'a> {
    /// request-id.
    pub request_id: i64,
    /// non-repeaters.
    pub non_repeaters: i64,
    /// max-repetitions.
    pub max_repetitions: i64,
    /// variable-bindings.
    pub varbinds: Vec<VarBindRef<'a>>,
}

/// SNMPv1 Trap-PDU (see [`TrapV1Pdu`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrapV1PduRef<'a> {
    /// enterprise.
    pub enterprise: OidRef<'a>,
    /// agent-addr.
    pub agent_addr: [u8; 4],
    /// generic-trap.
    pub generic_trap: GenericTrap,
    /// specific-trap.
    pub specific_trap: i64,
    /// time-stamp.
    pub time_stamp: u32,
    /// variable-bindings.
    pub varbinds: Vec<VarBindRef<'a>>,
}

/// A received message, borrowed, with what the lenient reader noticed (see [`Decoded`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedRef<'a> {
    /// The message.
    pub message: MessageRef<'a>,
    /// Departures from the standard that were worked around, in datagram order.
    pub deviations: Vec<super::Deviation>,
    /// For a v3 USM message, the byte range of msgAuthenticationParameters' contents.
    pub auth_params_range: Option<Range<usize>>,
}

impl DecodedRef<'_> {
    /// The owned form.
    pub fn into_decoded(self) -> Decoded {
        Decoded {
            message: self.message.to_message(),
            deviations: self.deviations,
            auth_params_range: self.auth_params_range,
        }
    }
}
