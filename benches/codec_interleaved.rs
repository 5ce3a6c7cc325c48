//! The codec benchmark, interleaved: on a shared machine whose speed drifts for seconds at a
//! time, criterion's one-implementation-after-another runs can give one implementation a slow
//! spell and the next a fast one. Here every implementation runs in short batches (about 2 ms),
//! in turn, round after round, so all of them see the same drift; each one's figure is the
//! median of its batches, and the ratio is taken between those medians.
//!
//!     cargo bench --bench codec_interleaved [-- ROUNDS]
//!
//! Prints a Markdown table (BENCHMARKS.md).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss,
    clippy::print_stdout
)] // benchmark harness code: failing loudly is the point

#[path = "common/cases.rs"]
mod cases;

use rasn_snmp::{v2, v2c, v3};
use snmpctl::msg::{Message, MessageRef};
use std::hint::black_box;
use std::time::Instant;

type Job<'a> = (&'static str, Box<dyn Fn() + 'a>);

/// Iterations per batch so that one batch takes about `target_ns`.
fn batch_size(job: &dyn Fn(), target_ns: f64) -> u64 {
    let mut n = 1u64;
    loop {
        let t = Instant::now();
        for _ in 0..n {
            job();
        }
        let ns = t.elapsed().as_nanos() as f64;
        if ns > target_ns / 4.0 {
            return ((n as f64) * target_ns / ns).ceil().max(1.0) as u64;
        }
        n *= 2;
    }
}

/// Median ns per iteration of each job, measured in interleaved batches.
fn measure(jobs: &[Job<'_>], rounds: usize) -> Vec<f64> {
    let sizes: Vec<u64> = jobs.iter().map(|(_, f)| batch_size(f.as_ref(), 2e6)).collect();
    let mut samples = vec![Vec::with_capacity(rounds); jobs.len()];
    for round in 0..rounds {
        // Rotate the starting job, so none always follows the same neighbour.
        for k in 0..jobs.len() {
            let i = (round + k) % jobs.len();
            let t = Instant::now();
            for _ in 0..sizes[i] {
                (jobs[i].1)();
            }
            samples[i].push(t.elapsed().as_nanos() as f64 / sizes[i] as f64);
        }
    }
    samples
        .into_iter()
        .map(|mut s| {
            s.sort_by(f64::total_cmp);
            s[s.len() / 2]
        })
        .collect()
}

fn fmt(ns: f64) -> String {
    if ns >= 1000.0 { format!("{:.2} µs", ns / 1000.0) } else { format!("{ns:.0} ns") }
}

fn report(name: &str, jobs: &[Job<'_>], rounds: usize) {
    let medians = measure(jobs, rounds);
    let ours = medians[0];
    let mut rows: Vec<(&str, f64)> = jobs.iter().map(|(n, _)| *n).zip(medians).collect();
    rows.sort_by(|a, b| a.1.total_cmp(&b.1));
    for (impl_name, ns) in rows {
        println!("| {name} | {impl_name} | {} | {:.2} |", fmt(ns), ns / ours);
    }
}

/// Every implementation decoding `bytes` (a v2c message, or the outer layers of a v3 one).
fn decode_jobs(bytes: &[u8], v3: bool) -> Vec<Job<'_>> {
    let shared = bytes::Bytes::copy_from_slice(bytes);
    let peer: Job<'_> = if v3 {
        (
            "rasn-snmp",
            Box::new(move || {
                let m: v3::Message = rasn::ber::decode(black_box(bytes)).unwrap();
                let usm: v3::USMSecurityParameters =
                    m.decode_security_parameters(rasn::Codec::Ber).ok().unwrap();
                drop(black_box((m, usm)));
            }),
        )
    } else {
        (
            "rasn-snmp",
            Box::new(move || {
                drop(black_box(rasn::ber::decode::<v2c::Message<v2::Pdus>>(black_box(bytes)).unwrap()))
            }),
        )
    };
    vec![
        ("snmpctl", Box::new(move || drop(black_box(MessageRef::decode(black_box(bytes)).unwrap())))),
        ("snmpctl-owned", Box::new(move || drop(black_box(Message::decode(black_box(bytes)).unwrap())))),
        peer,
        (
            "snmp-parser",
            Box::new(move || {
                if v3 {
                    drop(black_box(snmp_parser::parse_snmp_v3(black_box(bytes)).unwrap()));
                } else {
                    drop(black_box(snmp_parser::parse_snmp_v2c(black_box(bytes)).unwrap()));
                }
            }),
        ),
        (
            "async-snmp",
            Box::new(move || {
                let config = async_snmp::compatibility::DecodeConfig::default();
                drop(black_box(
                    async_snmp::message::Message::decode(black_box(shared.clone()), config).unwrap(),
                ));
            }),
        ),
    ]
}

fn main() {
    // `cargo bench` passes `--bench`; a bare number is the round count.
    let rounds = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(300);
    println!("| benchmark | implementation | median of {rounds} interleaved batches | × snmpctl |");
    println!("|---|---|---:|---:|");

    for (name, msg) in
        [("decode/a_response_10vb", cases::mixed10()), ("decode/b_bulk_response_50vb", cases::bulk50())]
    {
        let bytes = msg.encode().unwrap();
        report(name, &decode_jobs(&bytes, false), rounds);
    }
    let v3_bytes = cases::v3_authpriv();
    report("decode/c_v3_authpriv_outer", &decode_jobs(&v3_bytes, true), rounds);

    for (name, msg) in
        [("encode/a_response_10vb", cases::mixed10()), ("encode/b_bulk_response_50vb", cases::bulk50())]
    {
        let bytes = msg.encode().unwrap();
        let theirs: v2c::Message<v2::Pdus> = rasn::ber::decode(&bytes).unwrap();
        assert_eq!(rasn::ber::encode(&theirs).unwrap(), bytes, "same bytes from both encoders");
        let jobs: Vec<Job<'_>> = vec![
            ("snmpctl", Box::new(|| drop(black_box(black_box(&msg).encode().unwrap())))),
            ("snmpctl-via-rasn", Box::new(|| drop(black_box(black_box(&msg).encode_with_rasn().unwrap())))),
            ("rasn-snmp", Box::new(|| drop(black_box(rasn::ber::encode(black_box(&theirs)).unwrap())))),
        ];
        report(name, &jobs, rounds);
    }
    let msg = Message::decode(&v3_bytes).unwrap();
    let theirs: v3::Message = rasn::ber::decode(&v3_bytes).unwrap();
    let jobs: Vec<Job<'_>> = vec![
        ("snmpctl", Box::new(|| drop(black_box(black_box(&msg).encode().unwrap())))),
        ("rasn-snmp", Box::new(|| drop(black_box(rasn::ber::encode(black_box(&theirs)).unwrap())))),
    ];
    report("encode/c_v3_authpriv_outer", &jobs, rounds);
}
