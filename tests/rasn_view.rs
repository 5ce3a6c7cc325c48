//! rasn-snmp's decode of a datagram, converted into snmpctl's model: the other half of the
//! differential test. `None` when rasn-snmp rejects the datagram.

use rasn::types::{Integer, ObjectIdentifier};
use rasn_smi::{v1 as smi1, v2 as smi2};
use rasn_snmp::{v1, v2, v2c, v3};
use snmpctl::msg::*;
use snmpctl::value::{Oid, Value, VarBind};

fn int(i: &Integer) -> i64 {
    i64::try_from(i).expect("integer fits i64")
}

fn oid(o: &ObjectIdentifier) -> Oid {
    Oid::new(o).expect("at most 128 arcs")
}

pub fn decode(bytes: &[u8], version: Version) -> Option<Message> {
    match version {
        Version::V1 => {
            let m: v1::Message<v1::Pdus> = rasn::ber::decode(bytes).ok()?;
            let pdu = match m.data {
                v1::Pdus::GetRequest(p) => v1_pdu(PduType::GET_REQUEST, p.0),
                v1::Pdus::GetNextRequest(p) => v1_pdu(PduType::GET_NEXT_REQUEST, p.0),
                v1::Pdus::GetResponse(p) => v1_pdu(PduType::RESPONSE, p.0),
                v1::Pdus::SetRequest(p) => v1_pdu(PduType::SET_REQUEST, p.0),
                v1::Pdus::Trap(t) => Pdu::TrapV1(TrapV1Pdu {
                    enterprise: oid(&t.enterprise),
                    agent_addr: match t.agent_addr {
                        smi1::NetworkAddress::Internet(a) => *a.0,
                    },
                    generic_trap: GenericTrap(int(&t.generic_trap)),
                    specific_trap: int(&t.specific_trap),
                    time_stamp: t.time_stamp.0,
                    varbinds: t.variable_bindings.iter().map(v1_varbind).collect(),
                }),
            };
            Some(Message::Community(CommunityMessage { version, community: m.community.to_vec(), pdu }))
        }
        Version::V2c => {
            let m: v2c::Message<v2::Pdus> = rasn::ber::decode(bytes).ok()?;
            Some(Message::Community(CommunityMessage {
                version,
                community: m.community.to_vec(),
                pdu: v2_pdus(m.data),
            }))
        }
        Version::V3 => {
            let m: v3::Message = rasn::ber::decode(bytes).ok()?;
            let usm: v3::USMSecurityParameters = m.decode_security_parameters(rasn::Codec::Ber).ok()?;
            let g = &m.global_data;
            Some(Message::V3(V3Message {
                header: HeaderData {
                    msg_id: int(&g.message_id),
                    msg_max_size: int(&g.max_size),
                    msg_flags: MsgFlags(*g.flags.first()?),
                    security_model: SecurityModel(int(&g.security_model)),
                },
                security: SecurityParameters::Usm(UsmSecurityParameters {
                    engine_id: usm.authoritative_engine_id.to_vec(),
                    engine_boots: int(&usm.authoritative_engine_boots),
                    engine_time: int(&usm.authoritative_engine_time),
                    user_name: usm.user_name.to_vec(),
                    auth_params: usm.authentication_parameters.to_vec(),
                    priv_params: usm.privacy_parameters.to_vec(),
                }),
                data: match m.scoped_data {
                    v3::ScopedPduData::CleartextPdu(s) => ScopedPduData::Plaintext(ScopedPdu {
                        context_engine_id: s.engine_id.to_vec(),
                        context_name: s.name.to_vec(),
                        pdu: v2_pdus(s.data),
                    }),
                    v3::ScopedPduData::EncryptedPdu(e) => ScopedPduData::Encrypted(e.to_vec()),
                },
            }))
        }
    }
}

fn v1_pdu(pdu_type: PduType, p: v1::Pdu) -> Pdu {
    Pdu::Generic(GenericPdu {
        pdu_type,
        request_id: int(&p.request_id),
        error_status: ErrorStatus(int(&p.error_status)),
        error_index: int(&p.error_index),
        varbinds: p.variable_bindings.iter().map(v1_varbind).collect(),
    })
}

fn v1_varbind(vb: &v1::VarBind) -> VarBind {
    use smi1::{ApplicationSyntax as A, ObjectSyntax as O, SimpleSyntax as S};
    let value = match &vb.value {
        O::Simple(S::Number(i)) => Value::Integer(i32::try_from(int(i)).expect("Integer32")),
        O::Simple(S::String(s)) => Value::OctetString(s.to_vec()),
        O::Simple(S::Object(o)) => Value::ObjectIdentifier(oid(o)),
        O::Simple(S::Empty) => Value::Null,
        O::ApplicationWide(A::Address(smi1::NetworkAddress::Internet(a))) => Value::IpAddress(*a.0),
        O::ApplicationWide(A::Counter(c)) => Value::Counter32(c.0),
        O::ApplicationWide(A::Gauge(g)) => Value::Gauge32(g.0),
        O::ApplicationWide(A::Ticks(t)) => Value::TimeTicks(t.0),
        O::ApplicationWide(A::Arbitrary(o)) => Value::Opaque(o.as_ref().to_vec()),
    };
    VarBind::new(oid(&vb.name), value)
}

fn v2_pdus(p: v2::Pdus) -> Pdu {
    let generic = |pdu_type, p: v2::Pdu| {
        Pdu::Generic(GenericPdu {
            pdu_type,
            request_id: i64::from(p.request_id),
            error_status: ErrorStatus(i64::from(p.error_status)),
            error_index: i64::from(p.error_index),
            varbinds: p.variable_bindings.iter().map(v2_varbind).collect(),
        })
    };
    match p {
        v2::Pdus::GetRequest(p) => generic(PduType::GET_REQUEST, p.0),
        v2::Pdus::GetNextRequest(p) => generic(PduType::GET_NEXT_REQUEST, p.0),
        v2::Pdus::Response(p) => generic(PduType::RESPONSE, p.0),
        v2::Pdus::SetRequest(p) => generic(PduType::SET_REQUEST, p.0),
        v2::Pdus::InformRequest(p) => generic(PduType::INFORM_REQUEST, p.0),
        v2::Pdus::Trap(p) => generic(PduType::TRAP_V2, p.0),
        v2::Pdus::Report(p) => generic(PduType::REPORT, p.0),
        v2::Pdus::GetBulkRequest(b) => Pdu::Bulk(BulkPdu {
            request_id: i64::from(b.0.request_id),
            non_repeaters: i64::from(b.0.non_repeaters),
            max_repetitions: i64::from(b.0.max_repetitions),
            varbinds: b.0.variable_bindings.iter().map(v2_varbind).collect(),
        }),
    }
}

fn v2_varbind(vb: &v2::VarBind) -> VarBind {
    use smi2::{ApplicationSyntax as A, ObjectSyntax as O, SimpleSyntax as S};
    let value = match &vb.value {
        v2::VarBindValue::Unspecified => Value::Null,
        v2::VarBindValue::NoSuchObject => Value::NoSuchObject,
        v2::VarBindValue::NoSuchInstance => Value::NoSuchInstance,
        v2::VarBindValue::EndOfMibView => Value::EndOfMibView,
        v2::VarBindValue::Value(O::Simple(S::Integer(i))) => {
            Value::Integer(i32::try_from(int(i)).expect("Integer32"))
        }
        v2::VarBindValue::Value(O::Simple(S::String(s))) => Value::OctetString(s.to_vec()),
        v2::VarBindValue::Value(O::Simple(S::ObjectId(o))) => Value::ObjectIdentifier(oid(o)),
        v2::VarBindValue::Value(O::ApplicationWide(A::Address(a))) => Value::IpAddress(*a.0),
        v2::VarBindValue::Value(O::ApplicationWide(A::Counter(c))) => Value::Counter32(c.0),
        v2::VarBindValue::Value(O::ApplicationWide(A::Unsigned(g))) => Value::Gauge32(g.0),
        v2::VarBindValue::Value(O::ApplicationWide(A::Ticks(t))) => Value::TimeTicks(t.0),
        v2::VarBindValue::Value(O::ApplicationWide(A::Arbitrary(o))) => Value::Opaque(o.as_ref().to_vec()),
        v2::VarBindValue::Value(O::ApplicationWide(A::BigCounter(c))) => Value::Counter64(c.0),
    };
    VarBind::new(oid(&vb.name), value)
}
