//! The reference send path: [`Message`] → BER through rasn-snmp's types and rasn's BER encoder.
//! `encode.rs` writes the same bytes directly; a differential test holds the two to each other.

use super::encode::{community_version, int32, uint32};
use super::error::EncodeError;
use super::message::*;
use super::types::{PduType, Version};
use crate::value::{Oid, Value, VarBind};
use rasn::prelude::*;
use rasn::types::{Any, FixedOctetString};
use rasn_smi::v1::ToOpaque;
use rasn_smi::{v1 as smi1, v2 as smi2};
use rasn_snmp::{v1, v2, v2c, v3};

/// Every PDU a community message can carry: rasn-snmp's v2 PDUs plus the v1 Trap.
#[derive(AsnType, Debug, Clone, Encode, Decode, PartialEq)]
#[rasn(choice)]
pub(crate) enum AnyPdu {
    GetRequest(v2::GetRequest),
    GetNextRequest(v2::GetNextRequest),
    Response(v2::Response),
    SetRequest(v2::SetRequest),
    Trap(v1::Trap),
    GetBulkRequest(v2::GetBulkRequest),
    InformRequest(v2::InformRequest),
    TrapV2(v2::Trap),
    Report(v2::Report),
}

pub(crate) fn encode_message(message: &Message) -> Result<Vec<u8>, EncodeError> {
    match message {
        Message::Community(m) => {
            let version = community_version(m.version)?;
            let msg = v2c::Message {
                version: Integer::from(version),
                community: OctetString::from(m.community.clone()),
                data: any_pdu(&m.pdu)?,
            };
            ber(&msg)
        }
        Message::V3(m) => ber(&v3_message(m)?),
    }
}

pub(crate) fn encode_scoped_pdu(scoped: &ScopedPdu) -> Result<Vec<u8>, EncodeError> {
    ber(&scoped_pdu(scoped)?)
}

fn ber<T: Encode>(value: &T) -> Result<Vec<u8>, EncodeError> {
    rasn::ber::encode(value).map_err(|e| EncodeError::Ber(e.to_string()))
}

fn v3_message(m: &V3Message) -> Result<v3::Message, EncodeError> {
    let security_parameters = match &m.security {
        SecurityParameters::Usm(usm) => ber(&v3::USMSecurityParameters {
            authoritative_engine_id: OctetString::from(usm.engine_id.clone()),
            authoritative_engine_boots: Integer::from(usm.engine_boots),
            authoritative_engine_time: Integer::from(usm.engine_time),
            user_name: OctetString::from(usm.user_name.clone()),
            authentication_parameters: OctetString::from(usm.auth_params.clone()),
            privacy_parameters: OctetString::from(usm.priv_params.clone()),
        })?,
        SecurityParameters::Other(raw) => raw.clone(),
    };
    let scoped_data = match &m.data {
        ScopedPduData::Plaintext(s) => v3::ScopedPduData::CleartextPdu(scoped_pdu(s)?),
        ScopedPduData::Encrypted(e) => v3::ScopedPduData::EncryptedPdu(OctetString::from(e.clone())),
    };
    Ok(v3::Message {
        version: Integer::from(Version::V3.wire()),
        global_data: v3::HeaderData {
            message_id: Integer::from(m.header.msg_id),
            max_size: Integer::from(m.header.msg_max_size),
            flags: OctetString::from(vec![m.header.msg_flags.0]),
            security_model: Integer::from(m.header.security_model.0),
        },
        security_parameters: OctetString::from(security_parameters),
        scoped_data,
    })
}

fn scoped_pdu(s: &ScopedPdu) -> Result<v3::ScopedPdu, EncodeError> {
    let data = match any_pdu(&s.pdu)? {
        AnyPdu::GetRequest(p) => v2::Pdus::GetRequest(p),
        AnyPdu::GetNextRequest(p) => v2::Pdus::GetNextRequest(p),
        AnyPdu::Response(p) => v2::Pdus::Response(p),
        AnyPdu::SetRequest(p) => v2::Pdus::SetRequest(p),
        AnyPdu::GetBulkRequest(p) => v2::Pdus::GetBulkRequest(p),
        AnyPdu::InformRequest(p) => v2::Pdus::InformRequest(p),
        AnyPdu::TrapV2(p) => v2::Pdus::Trap(p),
        AnyPdu::Report(p) => v2::Pdus::Report(p),
        AnyPdu::Trap(_) => {
            return Err(EncodeError::Unsupported("an SNMPv1 Trap cannot travel in SNMPv3".into()));
        }
    };
    Ok(v3::ScopedPdu {
        engine_id: OctetString::from(s.context_engine_id.clone()),
        name: OctetString::from(s.context_name.clone()),
        data,
    })
}

fn any_pdu(pdu: &Pdu) -> Result<AnyPdu, EncodeError> {
    Ok(match pdu {
        Pdu::Generic(p) => {
            let inner = v2::Pdu {
                request_id: int32(p.request_id, "request-id")?,
                error_status: uint32(p.error_status.0, "error-status")?,
                error_index: uint32(p.error_index, "error-index")?,
                variable_bindings: varbinds_v2(&p.varbinds)?,
            };
            match p.pdu_type {
                PduType::GET_REQUEST => AnyPdu::GetRequest(v2::GetRequest(inner)),
                PduType::GET_NEXT_REQUEST => AnyPdu::GetNextRequest(v2::GetNextRequest(inner)),
                PduType::RESPONSE => AnyPdu::Response(v2::Response(inner)),
                PduType::SET_REQUEST => AnyPdu::SetRequest(v2::SetRequest(inner)),
                PduType::INFORM_REQUEST => AnyPdu::InformRequest(v2::InformRequest(inner)),
                PduType::TRAP_V2 => AnyPdu::TrapV2(v2::Trap(inner)),
                PduType::REPORT => AnyPdu::Report(v2::Report(inner)),
                other => {
                    return Err(EncodeError::Unsupported(format!(
                        "{} has no common-layout encoding",
                        other.label()
                    )));
                }
            }
        }
        Pdu::Bulk(p) => AnyPdu::GetBulkRequest(v2::GetBulkRequest(v2::BulkPdu {
            request_id: int32(p.request_id, "request-id")?,
            non_repeaters: uint32(p.non_repeaters, "non-repeaters")?,
            max_repetitions: uint32(p.max_repetitions, "max-repetitions")?,
            variable_bindings: varbinds_v2(&p.varbinds)?,
        })),
        Pdu::TrapV1(t) => AnyPdu::Trap(v1::Trap {
            enterprise: oid(&t.enterprise)?,
            agent_addr: smi1::NetworkAddress::Internet(smi1::IpAddress(FixedOctetString::from(t.agent_addr))),
            generic_trap: Integer::from(t.generic_trap.0),
            specific_trap: Integer::from(t.specific_trap),
            time_stamp: smi1::TimeTicks(t.time_stamp),
            variable_bindings: t
                .varbinds
                .iter()
                .map(|vb| Ok(v1::VarBind { name: oid(&vb.oid)?, value: value_v1(&vb.value)? }))
                .collect::<Result<_, EncodeError>>()?,
        }),
    })
}

fn oid(o: &Oid) -> Result<ObjectIdentifier, EncodeError> {
    ObjectIdentifier::new(o.arcs().to_vec()).ok_or_else(|| {
        EncodeError::Unsupported(format!("OID {o:?} cannot be BER-encoded (needs two arcs, first 0..2)"))
    })
}

fn opaque(raw: &[u8]) -> Result<smi1::Opaque, EncodeError> {
    Any::new(raw.to_vec()).to_opaque().map_err(|e| EncodeError::Ber(e.to_string()))
}

fn varbinds_v2(vbs: &[VarBind]) -> Result<Vec<v2::VarBind>, EncodeError> {
    vbs.iter().map(|vb| Ok(v2::VarBind { name: oid(&vb.oid)?, value: value_v2(&vb.value)? })).collect()
}

fn value_v2(v: &Value) -> Result<v2::VarBindValue, EncodeError> {
    use smi2::{ApplicationSyntax as A, ObjectSyntax as O, SimpleSyntax as S};
    Ok(match v {
        Value::Integer(i) => v2::VarBindValue::Value(O::Simple(S::Integer(Integer::from(*i)))),
        Value::OctetString(b) => v2::VarBindValue::Value(O::Simple(S::String(OctetString::from(b.clone())))),
        Value::Null => v2::VarBindValue::Unspecified,
        Value::ObjectIdentifier(o) => v2::VarBindValue::Value(O::Simple(S::ObjectId(oid(o)?))),
        Value::IpAddress(a) => v2::VarBindValue::Value(O::ApplicationWide(A::Address(smi1::IpAddress(
            FixedOctetString::from(*a),
        )))),
        Value::Counter32(c) => v2::VarBindValue::Value(O::ApplicationWide(A::Counter(smi1::Counter(*c)))),
        Value::Gauge32(g) => v2::VarBindValue::Value(O::ApplicationWide(A::Unsigned(smi1::Gauge(*g)))),
        Value::TimeTicks(t) => v2::VarBindValue::Value(O::ApplicationWide(A::Ticks(smi1::TimeTicks(*t)))),
        Value::Opaque(b) => v2::VarBindValue::Value(O::ApplicationWide(A::Arbitrary(opaque(b)?))),
        Value::Counter64(c) => {
            v2::VarBindValue::Value(O::ApplicationWide(A::BigCounter(smi2::Counter64(*c))))
        }
        Value::NoSuchObject => v2::VarBindValue::NoSuchObject,
        Value::NoSuchInstance => v2::VarBindValue::NoSuchInstance,
        Value::EndOfMibView => v2::VarBindValue::EndOfMibView,
        Value::Unknown { tag, .. } => {
            return Err(EncodeError::Unsupported(format!(
                "value with unknown tag 0x{tag:02x} cannot be encoded"
            )));
        }
    })
}

fn value_v1(v: &Value) -> Result<smi1::ObjectSyntax, EncodeError> {
    use smi1::{ApplicationSyntax as A, ObjectSyntax as O, SimpleSyntax as S};
    Ok(match v {
        Value::Integer(i) => O::Simple(S::Number(Integer::from(*i))),
        Value::OctetString(b) => O::Simple(S::String(OctetString::from(b.clone()))),
        Value::Null => O::Simple(S::Empty),
        Value::ObjectIdentifier(o) => O::Simple(S::Object(oid(o)?)),
        Value::IpAddress(a) => O::ApplicationWide(A::Address(smi1::NetworkAddress::Internet(
            smi1::IpAddress(FixedOctetString::from(*a)),
        ))),
        Value::Counter32(c) => O::ApplicationWide(A::Counter(smi1::Counter(*c))),
        Value::Gauge32(g) => O::ApplicationWide(A::Gauge(smi1::Gauge(*g))),
        Value::TimeTicks(t) => O::ApplicationWide(A::Ticks(smi1::TimeTicks(*t))),
        Value::Opaque(b) => O::ApplicationWide(A::Arbitrary(opaque(b)?)),
        other => {
            return Err(EncodeError::Unsupported(format!(
                "{} cannot be sent in an SNMPv1 Trap",
                other.type_name()
            )));
        }
    })
}
