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

#[path = "common/cases.rs"]
mod cases;

use cases::{bulk50, mixed10, v3_authpriv};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rasn_snmp::{v2, v2c, v3};
use snmpctl::msg::{Message, MessageRef};
use std::hint::black_box;

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
