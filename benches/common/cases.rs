//! The messages both codec benchmarks use: (a) a 10-varbind v2c Response of mixed types, (b) a
//! 50-varbind GetBulk Response (ifTable-like rows), (c) a recorded v3 authPriv Response.

use snmpctl::msg::{CommunityMessage, ErrorStatus, GenericPdu, Message, Pdu, PduType, Version};
use snmpctl::value::{Oid, Value, VarBind};

fn oid(s: &str) -> Oid {
    s.parse().unwrap()
}

fn response(varbinds: Vec<VarBind>) -> Message {
    Message::Community(CommunityMessage {
        version: Version::V2c,
        community: b"public".to_vec(),
        pdu: Pdu::Generic(GenericPdu {
            pdu_type: PduType::RESPONSE,
            request_id: 1_876_543_210,
            error_status: ErrorStatus::NO_ERROR,
            error_index: 0,
            varbinds,
        }),
    })
}

pub fn mixed10() -> Message {
    response(vec![
        VarBind::new(
            oid("1.3.6.1.2.1.1.1.0"),
            Value::OctetString(b"Cisco IOS Software, C2960 Software".to_vec()),
        ),
        VarBind::new(oid("1.3.6.1.2.1.1.2.0"), Value::ObjectIdentifier(oid("1.3.6.1.4.1.9.1.1208"))),
        VarBind::new(oid("1.3.6.1.2.1.1.3.0"), Value::TimeTicks(123_456_789)),
        VarBind::new(oid("1.3.6.1.2.1.2.2.1.3.10101"), Value::Integer(6)),
        VarBind::new(oid("1.3.6.1.2.1.2.2.1.5.10101"), Value::Gauge32(1_000_000_000)),
        VarBind::new(
            oid("1.3.6.1.2.1.2.2.1.6.10101"),
            Value::OctetString(vec![0x00, 0x1b, 0x54, 0xc2, 0x9a, 0x01]),
        ),
        VarBind::new(oid("1.3.6.1.2.1.2.2.1.10.10101"), Value::Counter32(3_987_654_321)),
        VarBind::new(oid("1.3.6.1.2.1.4.20.1.1.192.0.2.1"), Value::IpAddress([192, 0, 2, 1])),
        VarBind::new(oid("1.3.6.1.2.1.31.1.1.1.6.10101"), Value::Counter64(98_765_432_109_876)),
        VarBind::new(
            oid("1.3.6.1.4.1.2021.10.1.6.1"),
            Value::Opaque(vec![0x9f, 0x78, 0x04, 0x3e, 0xb3, 0x80, 0x00]),
        ),
    ])
}

pub fn bulk50() -> Message {
    let mut vbs = Vec::with_capacity(50);
    for row in 1..=10u32 {
        let col = |c: u32| oid(&format!("1.3.6.1.2.1.2.2.1.{c}.{row}"));
        vbs.push(VarBind::new(col(1), Value::Integer(i32::try_from(row).unwrap())));
        vbs.push(VarBind::new(col(2), Value::OctetString(format!("GigabitEthernet0/{row}").into_bytes())));
        vbs.push(VarBind::new(col(5), Value::Gauge32(1_000_000_000)));
        vbs.push(VarBind::new(col(10), Value::Counter32(row * 1_234_567)));
        vbs.push(VarBind::new(col(16), Value::Counter32(row * 7_654_321)));
    }
    response(vbs)
}

pub fn v3_authpriv() -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/v3/encrypted-response-authpriv-sha-aes.bin");
    std::fs::read(path).unwrap()
}
