//! Engine state and time windows
//! ([RFC 3414 § 2.2–2.3](https://www.rfc-editor.org/rfc/rfc3414#section-2.2), § 3.2 step 7).
//!
//! Time is a parameter (`now`), never read from a clock here.

use super::UsmError;
use std::time::{Duration, Instant};

/// RFC 3414 § 2.2.2: "the time window ... is 150 seconds".
pub const TIME_WINDOW: Duration = Duration::from_secs(150);

/// snmpEngineBoots' ceiling: at 2147483647 the engine is unusable until re-keyed (§ 2.2.2).
pub const MAX_ENGINE_BOOTS: u32 = 2_147_483_647;

/// What a non-authoritative engine (a manager) knows of an authoritative one: its ID and its
/// notion of snmpEngineBoots and snmpEngineTime (RFC 3414 § 2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineState {
    engine_id: Vec<u8>,
    boots: u32,
    /// snmpEngineTime at `at`.
    time: u32,
    at: Instant,
    /// latestReceivedEngineTime.
    latest_received: u32,
}

fn secs(d: Duration) -> u32 {
    u32::try_from(d.as_secs()).unwrap_or(u32::MAX)
}

impl EngineState {
    /// An engine as learned from discovery (the Report's msgAuthoritativeEngine fields).
    pub fn new(engine_id: Vec<u8>, boots: u32, time: u32, now: Instant) -> EngineState {
        EngineState { engine_id, boots, time, at: now, latest_received: time }
    }

    /// snmpEngineID.
    pub fn engine_id(&self) -> &[u8] {
        &self.engine_id
    }

    /// Our notion of snmpEngineBoots.
    pub fn boots(&self) -> u32 {
        self.boots
    }

    /// Our notion of snmpEngineTime at `now`: the last synchronised value plus the seconds since
    /// (capped at 2³¹−1, the largest value on the wire).
    pub fn time(&self, now: Instant) -> u32 {
        let elapsed = secs(now.saturating_duration_since(self.at));
        self.time.saturating_add(elapsed).min(MAX_ENGINE_BOOTS)
    }

    /// RFC 3414 § 3.2 step 7(b), for an authenticated message from this engine: update the
    /// notion of boots and time when the message is newer, then refuse it if it lies outside
    /// the time window.
    ///
    /// # Errors
    /// [`UsmError::NotInTimeWindow`] when snmpEngineBoots is at its ceiling, the message's boots
    /// are older, or its time is more than 150 seconds behind our notion.
    pub fn check_and_update(&mut self, msg_boots: u32, msg_time: u32, now: Instant) -> Result<(), UsmError> {
        // "if ... msgAuthoritativeEngineBoots is greater than the local notion of the value of
        // snmpEngineBoots; or ... equal ... and msgAuthoritativeEngineTime is greater than the
        // value of latestReceivedEngineTime, then the local notion ... MUST be updated"
        if msg_boots > self.boots || (msg_boots == self.boots && msg_time > self.latest_received) {
            self.boots = msg_boots;
            self.time = msg_time;
            self.at = now;
            self.latest_received = msg_time;
        }
        let local_time = self.time(now);
        let window = secs(TIME_WINDOW);
        if self.boots >= MAX_ENGINE_BOOTS
            || msg_boots < self.boots
            || (msg_boots == self.boots && msg_time.saturating_add(window) < local_time)
        {
            return Err(UsmError::NotInTimeWindow {
                msg_boots,
                msg_time,
                local_boots: self.boots,
                local_time,
            });
        }
        Ok(())
    }

    /// Takes the engine's boots and time as given, unconditionally: after an authenticated
    /// notInTimeWindows Report (RFC 3414 § 4, time synchronization) or a re-discovery.
    pub fn resync(&mut self, boots: u32, time: u32, now: Instant) {
        self.boots = boots;
        self.time = time;
        self.at = now;
        self.latest_received = time;
    }
}

/// The local engine when snmpctl is authoritative (it receives Informs): its ID, boots and
/// start time (RFC 3414 § 2.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalEngine {
    engine_id: Vec<u8>,
    boots: u32,
    started: Instant,
}

impl LocalEngine {
    /// An engine that started at `started` after `boots` boots.
    pub fn new(engine_id: Vec<u8>, boots: u32, started: Instant) -> LocalEngine {
        LocalEngine { engine_id, boots, started }
    }

    /// snmpEngineID.
    pub fn engine_id(&self) -> &[u8] {
        &self.engine_id
    }

    /// snmpEngineBoots.
    pub fn boots(&self) -> u32 {
        self.boots
    }

    /// snmpEngineTime at `now`.
    pub fn time(&self, now: Instant) -> u32 {
        secs(now.saturating_duration_since(self.started)).min(MAX_ENGINE_BOOTS)
    }

    /// RFC 3414 § 3.2 step 7(a): an authenticated message to this (authoritative) engine is in
    /// the window if boots match and times differ by at most 150 seconds.
    ///
    /// # Errors
    /// [`UsmError::NotInTimeWindow`].
    pub fn check(&self, msg_boots: u32, msg_time: u32, now: Instant) -> Result<(), UsmError> {
        let local_time = self.time(now);
        let window = secs(TIME_WINDOW);
        if self.boots >= MAX_ENGINE_BOOTS || msg_boots != self.boots || msg_time.abs_diff(local_time) > window
        {
            return Err(UsmError::NotInTimeWindow {
                msg_boots,
                msg_time,
                local_boots: self.boots,
                local_time,
            });
        }
        Ok(())
    }

    /// A reboot: snmpEngineBoots + 1 and snmpEngineTime from zero at `now` (RFC 3414 § 2.2.2).
    pub fn reboot(&mut self, now: Instant) {
        self.boots = self.boots.saturating_add(1).min(MAX_ENGINE_BOOTS);
        self.started = now;
    }

    /// The Report this engine sends when it refuses a message (RFC 3412 § 7.1 step 3,
    /// RFC 3414 § 3.2): one varbind, the counter that counted the refusal. It goes out at
    /// noAuthNoPriv, or at authNoPriv with `keys` (a notInTimeWindow Report to a known user,
    /// so the user can resynchronise; RFC 3414 § 3.2 step 7a).
    pub fn report(
        &self,
        report: &Report<'_>,
        msg_max_size: i32,
        salt: &mut super::SaltCounter,
        now: Instant,
    ) -> Option<Vec<u8>> {
        use crate::msg::{ErrorStatus, GenericPdu, Pdu, PduType, ScopedPdu};
        let scoped = ScopedPdu {
            context_engine_id: self.engine_id.clone(),
            context_name: Vec::new(),
            pdu: Pdu::Generic(GenericPdu {
                pdu_type: PduType::REPORT,
                request_id: report.request_id.unwrap_or(0),
                error_status: ErrorStatus::NO_ERROR,
                error_index: 0,
                varbinds: vec![crate::value::VarBind::new(
                    report.counter.oid(),
                    crate::value::Value::Counter32(report.value),
                )],
            }),
        };
        let keys = report.keys;
        let out = super::Outgoing {
            msg_id: i32::try_from(report.msg_id).unwrap_or(0),
            msg_max_size,
            level: if keys.is_some() {
                super::SecurityLevel::AuthNoPriv
            } else {
                super::SecurityLevel::NoAuthNoPriv
            },
            reportable: false,
            engine_id: &self.engine_id,
            engine_boots: self.boots,
            engine_time: self.time(now),
            user_name: if keys.is_some() { report.user } else { &[] },
            scoped_pdu: &scoped,
        };
        super::wrap(&out, keys, salt).ok()
    }
}

/// What a Report says and to whom; see [`LocalEngine::report`].
#[derive(Debug, Clone)]
pub struct Report<'a> {
    /// The refused message's msgID.
    pub msg_id: i64,
    /// Its request-id, when it could be read (a plaintext or decrypted scoped PDU).
    pub request_id: Option<i64>,
    /// The counter that counted the refusal.
    pub counter: super::ReportKind,
    /// The counter's value.
    pub value: u32,
    /// The user the message named.
    pub user: &'a [u8],
    /// That user's keys, for an authenticated Report.
    pub keys: Option<&'a super::LocalizedKeys>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_authoritative_window() {
        let t0 = Instant::now();
        let mut e = EngineState::new(b"e".to_vec(), 5, 1000, t0);
        let at = |s| t0 + Duration::from_secs(s);
        // Our notion advances with the clock.
        assert_eq!(e.time(at(60)), 1060);
        // A message 150 s behind our notion is still in the window; 151 s is not.
        assert!(e.check_and_update(5, 910, at(60)).is_ok());
        assert!(matches!(e.check_and_update(5, 908, at(60)), Err(UsmError::NotInTimeWindow { .. })));
        // Older boots: refused. Newer boots (the agent rebooted): adopted.
        assert!(e.check_and_update(4, 5000, at(60)).is_err());
        assert!(e.check_and_update(6, 3, at(70)).is_ok());
        assert_eq!((e.boots(), e.time(at(80))), (6, 13));
        // A newer time for the same boots moves the notion forward.
        assert!(e.check_and_update(6, 500, at(80)).is_ok());
        assert_eq!(e.time(at(80)), 500);
        // Boots at the ceiling: nothing is in the window.
        e.resync(MAX_ENGINE_BOOTS, 1, at(90));
        assert!(e.check_and_update(MAX_ENGINE_BOOTS, 1, at(90)).is_err());
    }

    #[test]
    fn authoritative_window() {
        let t0 = Instant::now();
        let e = LocalEngine::new(b"me".to_vec(), 2, t0);
        let now = t0 + Duration::from_secs(1000);
        assert!(e.check(2, 1000, now).is_ok());
        assert!(e.check(2, 850, now).is_ok());
        assert!(e.check(2, 1150, now).is_ok());
        assert!(e.check(2, 849, now).is_err());
        assert!(e.check(2, 1151, now).is_err());
        assert!(e.check(1, 1000, now).is_err());
    }
}
