//! The sans-IO session against simulated agents and a simulated clock: retries and timeouts,
//! stray and late answers, SNMPv3 discovery, time resynchronisation after an agent reboot,
//! and the specific errors for silence after discovery, downgraded answers and stale times.

use snmpctl::client::{Config, Error, Operation, Request, Security, Session, UsmConfig};
use snmpctl::msg::{
    CommunityMessage, ErrorStatus, GenericPdu, Message, Pdu, PduType, ScopedPdu, SecurityParameters, Version,
};
use snmpctl::usm::{
    self, AuthProtocol, Credentials, KeySource, LocalizedKeys, Outgoing, PrivProtocol, SaltCounter, Secret,
    SecurityLevel, UserKeys, UsmError,
};
use snmpctl::value::{Oid, Value, VarBind};
use std::time::{Duration, Instant};

fn oid(s: &str) -> Oid {
    s.parse().unwrap()
}

fn get(o: &str) -> Request {
    Request { operation: Operation::Get, varbinds: vec![VarBind::null(oid(o))] }
}

fn v2c() -> Config {
    let mut c = Config::new(Security::Community { version: Version::V2c, community: b"public".to_vec() });
    c.retries = 2;
    c
}

fn respond_v2c(request: &[u8], value: &[u8]) -> Vec<u8> {
    let Message::Community(m) = Message::decode(request).unwrap() else { panic!() };
    let Pdu::Generic(mut pdu) = m.pdu else { panic!() };
    pdu.pdu_type = PduType::RESPONSE;
    pdu.varbinds[0].value = Value::OctetString(value.to_vec());
    Message::Community(CommunityMessage {
        version: m.version,
        community: m.community,
        pdu: Pdu::Generic(pdu),
    })
    .encode()
    .unwrap()
}

#[test]
fn retries_then_times_out_and_late_answers_are_dropped() {
    let t0 = Instant::now();
    let mut s = Session::new(v2c(), 7);
    let h = s.send(get("1.3.6.1.2.1.1.1.0"), t0);
    let first = s.poll_transmit().unwrap();
    assert!(s.poll_transmit().is_none());
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(1)));
    // Nothing happens before the deadline.
    s.handle_timeout(t0 + Duration::from_millis(999));
    assert!(s.poll_transmit().is_none());
    for i in 1..=2u64 {
        s.handle_timeout(t0 + Duration::from_secs(i));
        let again = s.poll_transmit().expect("a retransmission");
        assert_eq!(again, first, "a retry resends the same request-id");
    }
    s.handle_timeout(t0 + Duration::from_secs(3));
    assert_eq!(s.poll_event(), Some((h, Err(Error::Timeout { attempts: 3 }))));
    assert_eq!(s.in_flight(), 0);
    // The answer arrives late: counted and dropped.
    s.handle_datagram(&respond_v2c(&first, b"late"), t0 + Duration::from_secs(4));
    assert!(s.poll_event().is_none());
    assert_eq!((s.stats().sent, s.stats().retransmitted, s.stats().unmatched), (3, 2, 1));
}

#[test]
fn many_in_flight_matched_by_request_id_in_any_order() {
    let t0 = Instant::now();
    let mut s = Session::new(v2c(), 1);
    let handles: Vec<_> = (0..50).map(|i| s.send(get(&format!("1.3.6.1.2.1.2.2.1.2.{i}")), t0)).collect();
    let mut sent: Vec<Vec<u8>> = std::iter::from_fn(|| s.poll_transmit()).collect();
    assert_eq!(sent.len(), 50);
    sent.reverse();
    // A stray answer (unknown request-id) and garbage are dropped without harm.
    let mut stray = respond_v2c(&sent[0], b"x");
    let Message::Community(mut m) = Message::decode(&stray).unwrap() else { panic!() };
    if let Pdu::Generic(p) = &mut m.pdu {
        p.request_id = 12345;
    }
    stray = Message::Community(m).encode().unwrap();
    s.handle_datagram(&stray, t0);
    s.handle_datagram(b"\x30\x03garbage", t0);
    for (i, req) in sent.iter().enumerate() {
        s.handle_datagram(&respond_v2c(req, format!("if{i}").as_bytes()), t0);
        if i == 0 {
            // A duplicate of an answered request: dropped.
            s.handle_datagram(&respond_v2c(req, b"dup"), t0);
        }
    }
    let mut done = Vec::new();
    while let Some((h, r)) = s.poll_event() {
        let pdu = r.unwrap();
        done.push((h, pdu.varbinds[0].oid.clone()));
    }
    assert_eq!(done.len(), 50);
    for (h, o) in done {
        let i = handles.iter().position(|x| *x == h).unwrap();
        assert_eq!(o, oid(&format!("1.3.6.1.2.1.2.2.1.2.{i}")), "answers reach the request that asked");
    }
    assert_eq!((s.stats().unmatched, s.stats().malformed), (2, 1));
}

/// A minimal authoritative SNMPv3 agent built from the usm module.
struct FakeAgent {
    engine_id: Vec<u8>,
    boots: u32,
    started: Instant,
    keys: LocalizedKeys,
    salt: SaltCounter,
}

const USER: &[u8] = b"simuser";

fn user_keys(level: SecurityLevel) -> UserKeys {
    UserKeys::new(Credentials {
        user_name: USER.to_vec(),
        level,
        auth: Some((AuthProtocol::Sha256, KeySource::Master(Secret::new(vec![0x11; 32])))),
        privacy: Some((PrivProtocol::Aes256C, KeySource::Master(Secret::new(vec![0x22; 32])))),
    })
    .unwrap()
}

fn v3(level: SecurityLevel) -> Config {
    let mut c = Config::new(Security::Usm(Box::new(UsmConfig {
        user: user_keys(level),
        engine_id: None,
        context_engine_id: None,
        context_name: Vec::new(),
    })));
    c.retries = 1;
    c
}

enum Answer {
    Normal,
    /// Answer at noAuthNoPriv whatever was asked.
    Downgraded,
    /// Claim an engine time this many seconds behind.
    StaleBy(u32),
}

impl FakeAgent {
    fn new(t0: Instant) -> FakeAgent {
        let engine_id = b"\x80\x00\x1f\x88\x04simulated".to_vec();
        let keys = user_keys(SecurityLevel::AuthPriv).localize(&engine_id);
        FakeAgent { engine_id, boots: 5, started: t0, keys, salt: SaltCounter::new(99) }
    }

    fn time(&self, now: Instant) -> u32 {
        now.duration_since(self.started).as_secs() as u32 + 1000
    }

    fn reply(&mut self, msg_id: i32, level: SecurityLevel, time: u32, pdu: Pdu) -> Vec<u8> {
        let scoped = ScopedPdu { context_engine_id: self.engine_id.clone(), context_name: Vec::new(), pdu };
        let out = Outgoing {
            msg_id,
            msg_max_size: 65507,
            level,
            reportable: false,
            engine_id: &self.engine_id,
            engine_boots: self.boots,
            engine_time: time,
            user_name: if level == SecurityLevel::NoAuthNoPriv { b"" } else { USER },
            scoped_pdu: &scoped,
        };
        usm::wrap(&out, Some(&self.keys), &mut self.salt).unwrap()
    }

    fn report(&mut self, msg_id: i32, counter: &str, level: SecurityLevel, now: Instant) -> Vec<u8> {
        let pdu = Pdu::Generic(GenericPdu {
            pdu_type: PduType::REPORT,
            request_id: 0,
            error_status: ErrorStatus::NO_ERROR,
            error_index: 0,
            varbinds: vec![VarBind::new(oid(counter), Value::Counter32(1))],
        });
        let t = self.time(now);
        self.reply(msg_id, level, t, pdu)
    }

    /// Answers one datagram the way RFC 3414 § 3.2 says an authoritative engine does.
    fn handle(&mut self, data: &[u8], now: Instant, answer: &Answer) -> Vec<u8> {
        let decoded = Message::decode_detailed(data).unwrap();
        let Message::V3(m) = &decoded.message else { panic!("not v3") };
        let msg_id = m.header.msg_id as i32;
        let SecurityParameters::Usm(u) = &m.security else { panic!() };
        if u.engine_id.is_empty() {
            return self.report(msg_id, "1.3.6.1.6.3.15.1.1.4.0", SecurityLevel::NoAuthNoPriv, now);
        }
        let a = usm::unwrap(data, decoded.clone(), Some(&self.keys)).expect("the session's request verifies");
        assert_eq!(a.level(), SecurityLevel::AuthPriv);
        let engine = usm::LocalEngine::new(
            self.engine_id.clone(),
            self.boots,
            self.started - Duration::from_secs(1000),
        );
        let u = &a.get().usm;
        if engine.check(u.engine_boots as u32, u.engine_time as u32, now).is_err() {
            return self.report(msg_id, "1.3.6.1.6.3.15.1.1.2.0", SecurityLevel::AuthNoPriv, now);
        }
        let Pdu::Generic(mut pdu) = a.into_inner().scoped_pdu.pdu else { panic!() };
        pdu.pdu_type = PduType::RESPONSE;
        for vb in &mut pdu.varbinds {
            vb.value = Value::OctetString(b"simulated".to_vec());
        }
        let (level, time) = match answer {
            Answer::Normal => (SecurityLevel::AuthPriv, self.time(now)),
            Answer::Downgraded => (SecurityLevel::NoAuthNoPriv, self.time(now)),
            Answer::StaleBy(s) => (SecurityLevel::AuthPriv, self.time(now) - s),
        };
        self.reply(msg_id, level, time, Pdu::Generic(pdu))
    }
}

/// Runs the session against the agent until the request finishes, advancing a simulated clock.
fn exchange(
    s: &mut Session,
    agent: &mut FakeAgent,
    now: &mut Instant,
    answer: impl Fn(usize) -> Option<Answer>,
) -> Result<GenericPdu, Error> {
    let h = s.send(get("1.3.6.1.2.1.1.1.0"), *now);
    let mut n = 0;
    for _ in 0..100 {
        while let Some(dgram) = s.poll_transmit() {
            if let Some(a) = answer(n) {
                let reply = agent.handle(&dgram, *now, &a);
                *now += Duration::from_millis(2);
                s.handle_datagram(&reply, *now);
            }
            n += 1;
        }
        if let Some((got, r)) = s.poll_event() {
            assert_eq!(got, h);
            return r;
        }
        *now = s.poll_timeout().expect("a timer while waiting");
        s.handle_timeout(*now);
    }
    panic!("no outcome");
}

#[test]
fn v3_discovery_then_reboot_resync_is_transparent() {
    let t0 = Instant::now();
    let mut now = t0;
    let mut agent = FakeAgent::new(t0);
    let mut s = Session::new(v3(SecurityLevel::AuthPriv), 42);
    let r = exchange(&mut s, &mut agent, &mut now, |_| Some(Answer::Normal)).unwrap();
    assert_eq!(r.varbinds[0].value, Value::OctetString(b"simulated".to_vec()));
    assert_eq!(s.engine().unwrap().boots(), 5);
    assert_eq!(s.stats().sent, 2, "one discovery probe, one request");

    // The agent reboots: boots 6, time restarts. The next request is answered after one
    // notInTimeWindows Report and one resend, with no timeout.
    now += Duration::from_secs(600);
    agent.boots = 6;
    agent.started = now;
    let r = exchange(&mut s, &mut agent, &mut now, |_| Some(Answer::Normal)).unwrap();
    assert_eq!(r.error_status, ErrorStatus::NO_ERROR);
    assert_eq!(s.engine().unwrap().boots(), 6);
    assert_eq!(s.stats().retransmitted, 0);
    assert_eq!(s.stats().sent, 4);
}

#[test]
fn silence_after_discovery_is_a_privacy_error() {
    let mut now = Instant::now();
    let mut agent = FakeAgent::new(now);
    let mut s = Session::new(v3(SecurityLevel::AuthPriv), 3);
    // The agent answers discovery, then drops everything (as snmpd does with what it cannot decrypt).
    let e = exchange(&mut s, &mut agent, &mut now, |n| (n == 0).then_some(Answer::Normal)).unwrap_err();
    assert_eq!(e, Error::NoAnswerToEncrypted { attempts: 2, protocol: Some(PrivProtocol::Aes256C) });
    let text = e.to_string();
    assert!(text.contains("Reeder key extension") && text.contains("-x AES-256"), "{text}");
}

#[test]
fn no_discovery_answer_is_a_timeout() {
    let mut now = Instant::now();
    let mut agent = FakeAgent::new(now);
    let mut s = Session::new(v3(SecurityLevel::AuthPriv), 3);
    let e = exchange(&mut s, &mut agent, &mut now, |_| None).unwrap_err();
    assert_eq!(e, Error::Timeout { attempts: 2 });
}

#[test]
fn answers_below_the_users_level_or_out_of_window_are_refused() {
    let mut now = Instant::now();
    let mut agent = FakeAgent::new(now);
    let mut s = Session::new(v3(SecurityLevel::AuthPriv), 5);
    let e = exchange(&mut s, &mut agent, &mut now, |n| {
        Some(if n == 0 { Answer::Normal } else { Answer::Downgraded })
    })
    .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Security(UsmError::UnsupportedSecurityLevel { found: SecurityLevel::NoAuthNoPriv, .. })
        ),
        "{e}"
    );

    let mut s = Session::new(v3(SecurityLevel::AuthPriv), 6);
    let _ = exchange(&mut s, &mut agent, &mut now, |_| Some(Answer::Normal)).unwrap();
    let e = exchange(&mut s, &mut agent, &mut now, |_| Some(Answer::StaleBy(151))).unwrap_err();
    assert!(matches!(e, Error::Security(UsmError::NotInTimeWindow { .. })), "{e}");
    // 150 seconds behind is still inside the window.
    let r = exchange(&mut s, &mut agent, &mut now, |_| Some(Answer::StaleBy(150)));
    assert!(r.is_ok(), "{r:?}");
}
