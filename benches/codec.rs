//! Codec benchmarks: snmpctl against rasn-snmp, async-snmp and snmp-parser on the same bytes, in
//! one run, so the ratios are visible. `scripts/bench-table.py` turns the results into the table
//! in BENCHMARKS.md.
//!
//! (a) a 10-varbind v2c Response of mixed types, (b) a 50-varbind GetBulk Response (ifTable-like
//! rows), (c) the outer layers of a recorded v3 authPriv Response (Net-SNMP, SHA + AES).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)] // test harness code: failing loudly is the point

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rasn_snmp::{v2, v2c, v3};
use snmpctl::msg::{CommunityMessage, ErrorStatus, GenericPdu, Message, MessageRef, Pdu, PduType, Version};
use snmpctl::value::{Oid, Value, VarBind};
use std::hint::black_box;

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

fn mixed10() -> Message {
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

fn bulk50() -> Message {
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

fn v3_authpriv() -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/v3/encrypted-response-authpriv-sha-aes.bin");
    std::fs::read(path).unwrap()
}

fn decode(c: &mut Criterion) {
    let cases = [
        ("a_response_10vb", mixed10().encode().unwrap()),
        ("b_bulk_response_50vb", bulk50().encode().unwrap()),
        ("c_v3_authpriv_outer", v3_authpriv()),
    ];
    for (name, bytes) in &cases {
        let mut g = c.benchmark_group(format!("decode/{name}"));
        g.throughput(criterion::Throughput::Bytes(bytes.len() as u64));
        let is_v3 = name.starts_with('c');
        g.bench_function(BenchmarkId::from_parameter("snmpctl"), |b| {
            b.iter(|| MessageRef::decode(black_box(bytes)).unwrap())
        });
        g.bench_function(BenchmarkId::from_parameter("snmpctl-owned"), |b| {
            b.iter(|| Message::decode(black_box(bytes)).unwrap())
        });
        if is_v3 {
            g.bench_function(BenchmarkId::from_parameter("rasn-snmp"), |b| {
                b.iter(|| {
                    let m: v3::Message = rasn::ber::decode(black_box(bytes)).unwrap();
                    let usm: v3::USMSecurityParameters =
                        m.decode_security_parameters(rasn::Codec::Ber).ok().unwrap();
                    (m, usm)
                })
            });
            g.bench_function(BenchmarkId::from_parameter("snmp-parser"), |b| {
                b.iter(|| snmp_parser::parse_snmp_v3(black_box(bytes)).unwrap())
            });
        } else {
            g.bench_function(BenchmarkId::from_parameter("rasn-snmp"), |b| {
                b.iter(|| rasn::ber::decode::<v2c::Message<v2::Pdus>>(black_box(bytes)).unwrap())
            });
            g.bench_function(BenchmarkId::from_parameter("snmp-parser"), |b| {
                b.iter(|| snmp_parser::parse_snmp_v2c(black_box(bytes)).unwrap())
            });
        }
        let shared = bytes::Bytes::copy_from_slice(bytes);
        g.bench_function(BenchmarkId::from_parameter("async-snmp"), |b| {
            b.iter(|| {
                async_snmp::message::Message::decode(
                    black_box(shared.clone()),
                    async_snmp::compatibility::DecodeConfig::default(),
                )
                .unwrap()
            })
        });
        g.finish();
    }
}

fn encode(c: &mut Criterion) {
    for (name, msg) in [("a_response_10vb", mixed10()), ("b_bulk_response_50vb", bulk50())] {
        let bytes = msg.encode().unwrap();
        let theirs: v2c::Message<v2::Pdus> = rasn::ber::decode(&bytes).unwrap();
        assert_eq!(rasn::ber::encode(&theirs).unwrap(), bytes, "same bytes from both encoders");
        assert_eq!(msg.encode_with_rasn().unwrap(), bytes, "same bytes through rasn-snmp's types");
        let mut g = c.benchmark_group(format!("encode/{name}"));
        g.bench_function(BenchmarkId::from_parameter("snmpctl"), |b| {
            b.iter(|| black_box(&msg).encode().unwrap())
        });
        g.bench_function(BenchmarkId::from_parameter("snmpctl-via-rasn"), |b| {
            b.iter(|| black_box(&msg).encode_with_rasn().unwrap())
        });
        g.bench_function(BenchmarkId::from_parameter("rasn-snmp"), |b| {
            b.iter(|| rasn::ber::encode(black_box(&theirs)).unwrap())
        });
        g.finish();
    }
    let v3 = v3_authpriv();
    let msg = Message::decode(&v3).unwrap();
    let theirs: v3::Message = rasn::ber::decode(&v3).unwrap();
    assert_eq!(msg.encode().unwrap(), v3, "the recorded bytes again");
    let mut g = c.benchmark_group("encode/c_v3_authpriv_outer");
    g.bench_function(BenchmarkId::from_parameter("snmpctl"), |b| {
        b.iter(|| black_box(&msg).encode().unwrap())
    });
    g.bench_function(BenchmarkId::from_parameter("rasn-snmp"), |b| {
        b.iter(|| rasn::ber::encode(black_box(&theirs)).unwrap())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = decode, encode
}
criterion_main!(benches);
