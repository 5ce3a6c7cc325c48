//! USM costs: password → key per algorithm, and the per-message cost of authentication and
//! encryption (wrap) and of verification and decryption (unwrap) for a typical Get Response.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)] // benchmark harness code: failing loudly is the point

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use snmpctl::msg::{ErrorStatus, GenericPdu, Message, Pdu, PduType, ScopedPdu};
use snmpctl::usm::{
    self, AuthProtocol, Credentials, KeySource, Outgoing, Password, PrivProtocol, SaltCounter, SecurityLevel,
    UserKeys,
};
use snmpctl::value::{Value, VarBind};
use std::hint::black_box;

fn password_to_key(c: &mut Criterion) {
    let mut g = c.benchmark_group("usm/password_to_key");
    g.sample_size(20);
    let pw = Password::new(b"maplesyrup".to_vec()).unwrap();
    for proto in AuthProtocol::ALL {
        g.bench_with_input(BenchmarkId::from_parameter(proto.name()), &proto, |b, p| {
            b.iter(|| usm::password_to_key(*p, black_box(&pw)))
        });
    }
    g.finish();
}

fn scoped() -> ScopedPdu {
    ScopedPdu {
        context_engine_id: b"\x80\x00\x1f\x88\x80bench-engine".to_vec(),
        context_name: Vec::new(),
        pdu: Pdu::Generic(GenericPdu {
            pdu_type: PduType::RESPONSE,
            request_id: 1_234_567,
            error_status: ErrorStatus::NO_ERROR,
            error_index: 0,
            varbinds: vec![
                VarBind::new(
                    "1.3.6.1.2.1.1.1.0".parse().unwrap(),
                    Value::OctetString(b"Linux core-rtr-1 6.1.0-18-amd64 #1 SMP x86_64".to_vec()),
                ),
                VarBind::new("1.3.6.1.2.1.1.3.0".parse().unwrap(), Value::TimeTicks(123_456_789)),
            ],
        }),
    }
}

fn per_message(c: &mut Criterion) {
    let engine = b"\x80\x00\x1f\x88\x80bench-engine".to_vec();
    let cases: [(&str, AuthProtocol, Option<PrivProtocol>); 6] = [
        ("MD5", AuthProtocol::Md5, None),
        ("SHA", AuthProtocol::Sha1, None),
        ("SHA-256", AuthProtocol::Sha256, None),
        ("MD5+DES", AuthProtocol::Md5, Some(PrivProtocol::Des)),
        ("SHA+AES", AuthProtocol::Sha1, Some(PrivProtocol::Aes128)),
        ("SHA-512+AES-256-C", AuthProtocol::Sha512, Some(PrivProtocol::Aes256C)),
    ];
    let scoped = scoped();
    let mut wrap = c.benchmark_group("usm/wrap");
    let mut prepared = Vec::new();
    for (name, auth, privacy) in cases {
        let level = if privacy.is_some() { SecurityLevel::AuthPriv } else { SecurityLevel::AuthNoPriv };
        let keys = UserKeys::new(Credentials {
            user_name: b"bench".to_vec(),
            level,
            auth: Some((auth, KeySource::Password(Password::new(b"authpass123".to_vec()).unwrap()))),
            privacy: privacy
                .map(|p| (p, KeySource::Password(Password::new(b"privpass123".to_vec()).unwrap()))),
        })
        .unwrap()
        .localize(&engine);
        let out = Outgoing {
            msg_id: 77,
            msg_max_size: 65507,
            level,
            reportable: false,
            engine_id: &engine,
            engine_boots: 3,
            engine_time: 12345,
            user_name: b"bench",
            scoped_pdu: &scoped,
        };
        let mut salt = SaltCounter::new(1);
        wrap.bench_function(name, |b| b.iter(|| usm::wrap(black_box(&out), Some(&keys), &mut salt).unwrap()));
        prepared.push((name, usm::wrap(&out, Some(&keys), &mut salt).unwrap(), keys));
    }
    wrap.finish();
    let mut unwrap = c.benchmark_group("usm/unwrap");
    for (name, bytes, keys) in &prepared {
        unwrap.bench_function(*name, |b| {
            b.iter(|| {
                let decoded = Message::decode_detailed(black_box(bytes)).unwrap();
                usm::unwrap(bytes, decoded, Some(keys)).unwrap()
            })
        });
    }
    unwrap.finish();
}

/// RFC 2786's key change (`usm changekey`): one agreement in Oakley group 2, the manager's
/// side (a private value, z = g^x, the shared secret y^x), constant-time.
fn dh_key_change(c: &mut Criterion) {
    let mut g = c.benchmark_group("usm/dh_key_change");
    g.sample_size(20);
    let params = usm::DhParameters::oakley_group_2();
    // The agent's public value: g^x for some x, from one agreement with a fixed source.
    let mut seed = 7u8;
    let mut fixed = |buf: &mut [u8]| {
        buf.iter_mut().for_each(|b| {
            seed = seed.wrapping_mul(31).wrapping_add(11);
            *b = seed;
        });
        Ok::<(), std::convert::Infallible>(())
    };
    let first = params.agree(&[0x5a; 128], &mut fixed).unwrap();
    let y = first.key_change_value()[128..].to_vec();
    g.bench_function("oakley_group_2", |b| b.iter(|| params.agree(black_box(&y), &mut fixed).unwrap()));
    g.finish();
}

criterion_group!(benches, password_to_key, per_message, dh_key_change);
criterion_main!(benches);
