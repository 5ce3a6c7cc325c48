//! The sans-IO notification receiver on hand-built v3 Traps: the sender's time window is
//! tracked per engine (RFC 3414 § 3.2 step 7b), messages below the user's level are dropped,
//! and discovery is answered with our engine's Report.

use snmpctl::msg::{ErrorStatus, GenericPdu, Message, Pdu, PduType, ScopedPdu};
use snmpctl::trap::{Problem, ReceiverConfig, Session, TrapUser};
use snmpctl::usm::{
    self, AuthProtocol, Credentials, KeySource, LocalEngine, Outgoing, Password, PrivProtocol, ReportKind,
    SaltCounter, SecurityLevel, UserKeys, UsmError,
};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

fn keys(level: SecurityLevel) -> UserKeys {
    let pw = |s: &str| KeySource::Password(Password::new(s.as_bytes().to_vec()).unwrap());
    UserKeys::new(Credentials {
        user_name: b"netops".to_vec(),
        level,
        auth: Some((AuthProtocol::Sha256, pw("authpass123"))),
        privacy: Some((PrivProtocol::Aes128, pw("privpass123"))),
    })
    .unwrap()
}

fn receiver(now: Instant) -> Session {
    let mut config = ReceiverConfig::new(LocalEngine::new(b"\x80\x00\x00\x00\x05ours".to_vec(), 3, now));
    config.users.push(TrapUser::new(keys(SecurityLevel::AuthPriv)));
    Session::new(config, 7)
}

const SENDER: &[u8] = b"\x80\x00\x00\x00\x05sender";

fn trap(level: SecurityLevel, boots: u32, time: u32, request_id: i64) -> Vec<u8> {
    let scoped = ScopedPdu {
        context_engine_id: SENDER.to_vec(),
        context_name: Vec::new(),
        pdu: Pdu::Generic(GenericPdu {
            pdu_type: PduType::TRAP_V2,
            request_id,
            error_status: ErrorStatus::NO_ERROR,
            error_index: 0,
            varbinds: Vec::new(),
        }),
    };
    let out = Outgoing {
        msg_id: 1,
        msg_max_size: 65507,
        level,
        reportable: false,
        engine_id: SENDER,
        engine_boots: boots,
        engine_time: time,
        user_name: b"netops",
        scoped_pdu: &scoped,
    };
    let k = keys(SecurityLevel::AuthPriv).localize(SENDER);
    usm::wrap(&out, Some(&k), &mut SaltCounter::new(1)).unwrap()
}

fn from() -> SocketAddr {
    "192.0.2.1:40000".parse().unwrap()
}

#[test]
fn sender_time_window_is_tracked_per_engine() {
    let t0 = Instant::now();
    let mut r = receiver(t0);
    let h = r.handle(&trap(SecurityLevel::AuthPriv, 5, 1000, 1), from(), t0);
    assert!(h.notification.is_some(), "{h:?}");
    assert!(h.reply.is_none());
    // 60 s later: a Trap 150 s behind our notion of the sender's clock is in, 160 s is out.
    let t1 = t0 + Duration::from_secs(60);
    assert!(r.handle(&trap(SecurityLevel::AuthPriv, 5, 910, 2), from(), t1).notification.is_some());
    let h = r.handle(&trap(SecurityLevel::AuthPriv, 5, 900, 3), from(), t1);
    assert!(matches!(h.problem, Some(Problem::Usm(UsmError::NotInTimeWindow { .. }))), "{h:?}");
    // A reboot (boots + 1) is accepted; the old boots are then refused (a replay).
    assert!(r.handle(&trap(SecurityLevel::AuthPriv, 6, 1, 4), from(), t1).notification.is_some());
    assert!(r.handle(&trap(SecurityLevel::AuthPriv, 5, 1100, 5), from(), t1).problem.is_some());
    assert_eq!(r.counters().not_in_time_window, 2);
    assert_eq!(r.counters().notifications, 3);
}

#[test]
fn below_the_users_level_is_dropped() {
    let t0 = Instant::now();
    let mut r = receiver(t0);
    let h = r.handle(&trap(SecurityLevel::AuthNoPriv, 1, 1, 1), from(), t0);
    assert!(
        matches!(
            h.problem,
            Some(Problem::LevelTooLow {
                found: SecurityLevel::AuthNoPriv,
                configured: SecurityLevel::AuthPriv,
                ..
            })
        ),
        "{h:?}"
    );
    assert!(h.notification.is_none());
    assert_eq!(r.counters().unsupported_levels, 1);
}

#[test]
fn discovery_is_answered_with_our_engine() {
    let t0 = Instant::now();
    let mut r = receiver(t0);
    let scoped = ScopedPdu {
        context_engine_id: Vec::new(),
        context_name: Vec::new(),
        pdu: Pdu::Generic(GenericPdu {
            pdu_type: PduType::GET_REQUEST,
            request_id: 99,
            error_status: ErrorStatus::NO_ERROR,
            error_index: 0,
            varbinds: Vec::new(),
        }),
    };
    let probe = usm::wrap(
        &Outgoing {
            msg_id: 12,
            msg_max_size: 65507,
            level: SecurityLevel::NoAuthNoPriv,
            reportable: true,
            engine_id: &[],
            engine_boots: 0,
            engine_time: 0,
            user_name: &[],
            scoped_pdu: &scoped,
        },
        None,
        &mut SaltCounter::new(1),
    )
    .unwrap();
    let h = r.handle(&probe, from(), t0 + Duration::from_secs(42));
    let reply = h.reply.expect("a Report");
    let Message::V3(m) = Message::decode(&reply).unwrap() else { panic!() };
    assert_eq!(m.header.msg_id, 12);
    let snmpctl::msg::SecurityParameters::Usm(u) = &m.security else { panic!() };
    assert_eq!(
        (u.engine_id.as_slice(), u.engine_boots, u.engine_time),
        (&b"\x80\x00\x00\x00\x05ours"[..], 3, 42)
    );
    let snmpctl::msg::ScopedPduData::Plaintext(s) = &m.data else { panic!() };
    assert_eq!(s.pdu.pdu_type(), PduType::REPORT);
    assert_eq!(s.pdu.request_id(), Some(99));
    assert_eq!(ReportKind::from_varbinds(s.pdu.varbinds()), Some(ReportKind::UnknownEngineId));
    assert_eq!(r.counters().discoveries, 1);
}
