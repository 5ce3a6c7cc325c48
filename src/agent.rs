//! A simulated agent: recorded devices served from memory, with the faults real agents have.
//!
//! A [`Recording`] is one device's objects (read from snmpsim's `.snmprec` format by
//! [`snmprec`], or built in code). A [`Setup`] says which recordings there are and how they
//! are reached: a community string selects a recording (v1/v2c, as in snmpsim), a context
//! name does for v3, whose users it also holds. A [`Responder`] is one simulated device: its
//! own SNMP engine (engine ID, boots, time), its own copy of any object a Set changed, and the
//! [`Faults`] in force. It is sans-IO: [`Responder::handle`] takes a request datagram and the
//! time and returns the replies to send, each with a delay. [`serve`] and [`run`] (feature
//! `tokio`) drive it on a UDP socket.
//!
//! It answers Get, GetNext, GetBulk and Set as RFC 3416 says: noSuchObject / noSuchInstance /
//! endOfMibView on v2c and v3, noSuchName on v1; GetBulk trimmed to fit the manager's
//! msgMaxSize; a Set that fails on one varbind changes nothing. v3 requests go through USM as
//! the authoritative engine (RFC 3414 § 3.2): discovery and refusals are answered with
//! Reports, responses go out at the request's level.
//!
//! The faults ([`Faults`]) are what `snmpd` will not do on request: lose requests, delay and
//! duplicate responses, answer with a wrong request-id, return OIDs that do not increase,
//! refuse large responses with tooBig, reboot (snmpEngineBoots + 1) and fail every request
//! with an error status.
//!
//! ```
//! use snmpctl::agent::Responder;
//! use snmpctl::msg::{Message, Pdu};
//! use snmpctl::value::Value;
//! use std::time::Instant;
//!
//! let mut device = Responder::new([("1.3.6.1.2.1.1.5.0".parse()?, Value::from("edge-1"))]);
//! // snmpget -v2c -c public … sysName.0
//! let get = snmpctl::hex::decode("302602010104067075626c6963a019020101020100020100300e300c06082b060102010105000500")?;
//! let replies = device.handle(&get, Instant::now());
//! let Message::Community(m) = Message::decode(&replies[0].bytes)? else { unreachable!() };
//! let Pdu::Generic(response) = m.pdu else { unreachable!() };
//! assert_eq!(response.varbinds[0].value, Value::from("edge-1"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod snmprec;

/// A router recorded from a real Net-SNMP `snmpd` (`.snmprec`, 1,344 objects, by the
/// repository's `scripts/record-router.sh`): what `snmpctl agent` and `snmpctl demo` serve by
/// default, and a device for tests.
pub const ROUTER: &str = include_str!("../fixtures/snmprec/router.snmprec");

use crate::msg::{
    BulkPdu, CommunityMessage, Decoded, ErrorStatus, GenericPdu, Message, Pdu, PduType, ScopedPdu,
    SecurityParameters, Version,
};
use crate::usm::{
    self, LocalEngine, LocalizedKeys, Outgoing, ReportKind, SaltCounter, SecurityLevel, UserKeys,
};
use crate::value::{Oid, Value, VarBind};
pub use snmprec::{Numeric, Record};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The largest UDP payload over IPv4.
const MAX_DATAGRAM: usize = 65_507;
/// GetBulk never builds more varbinds than this before trimming to the message size.
const MAX_BULK_VARBINDS: usize = 8_192;

/// One device's objects, in OID order (one value per OID).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recording {
    objects: Vec<Record>,
}

impl Recording {
    /// A recording of `records`; of two records for one OID the later wins.
    pub fn new(records: impl IntoIterator<Item = Record>) -> Recording {
        let mut objects: Vec<Record> = records.into_iter().collect();
        objects.reverse();
        objects.sort_by(|a, b| a.oid.cmp(&b.oid));
        objects.dedup_by(|later, earlier| later.oid == earlier.oid);
        Recording { objects }
    }

    /// A recording of fixed values.
    pub fn from_values(objects: impl IntoIterator<Item = (Oid, Value)>) -> Recording {
        Recording::new(objects.into_iter().map(|(oid, value)| Record { oid, value, numeric: None }))
    }

    /// Reads snmpsim's `.snmprec` text; also returns the lines left out (see [`snmprec::parse`]).
    ///
    /// # Errors
    /// The first line that cannot be read.
    pub fn from_snmprec(text: &str) -> Result<(Recording, Vec<(usize, String)>), snmprec::SnmprecError> {
        let parsed = snmprec::parse(text)?;
        Ok((Recording::new(parsed.records), parsed.skipped))
    }

    /// The recording as `.snmprec` text.
    pub fn to_snmprec(&self) -> String {
        let mut out = String::new();
        for r in &self.objects {
            snmprec::write_line(&mut out, &r.oid, &r.value);
        }
        out
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// The objects in OID order.
    pub fn records(&self) -> &[Record] {
        &self.objects
    }

    /// The value of `oid` at `elapsed` after start (for `numeric` objects), if recorded.
    pub fn get(&self, oid: &Oid, elapsed: Duration) -> Option<Value> {
        let i = self.objects.binary_search_by(|r| r.oid.cmp(oid)).ok()?;
        self.value_at(i, elapsed)
    }

    fn value_at(&self, i: usize, elapsed: Duration) -> Option<Value> {
        let r = self.objects.get(i)?;
        Some(match &r.numeric {
            Some(n) => n.at(&r.value, elapsed.as_secs_f64()),
            None => r.value.clone(),
        })
    }

    /// The index of the first object after `oid`.
    fn after(&self, oid: &Oid) -> usize {
        self.objects.partition_point(|r| r.oid <= *oid)
    }
}

/// How a community string reaches a recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    /// Index into [`Setup::recordings`].
    pub recording: usize,
    /// Whether Set is allowed.
    pub write: bool,
}

/// What every simulated device of one agent shares: the recordings, the community strings and
/// v3 context names that select them, and the v3 users.
#[derive(Debug, Default)]
pub struct Setup {
    /// The recordings.
    pub recordings: Vec<Arc<Recording>>,
    /// Community (v1/v2c) → recording.
    pub communities: HashMap<Vec<u8>, Access>,
    /// contextName (v3) → index into `recordings`; every v3 user may Set.
    pub contexts: HashMap<Vec<u8>, usize>,
    /// v3 users, with master keys (localized to each device's engine ID on first use).
    pub users: Vec<UserKeys>,
}

impl Setup {
    /// One recording, read with community `public`, written with `private`, and the
    /// recording of the empty v3 context.
    pub fn single(recording: Recording) -> Setup {
        Setup {
            recordings: vec![Arc::new(recording)],
            communities: HashMap::from([
                (b"public".to_vec(), Access { recording: 0, write: false }),
                (b"private".to_vec(), Access { recording: 0, write: true }),
            ]),
            contexts: HashMap::from([(Vec::new(), 0)]),
            users: Vec::new(),
        }
    }
}

/// What the agent does wrong, on purpose.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Ignore the first N requests (a lost request or response).
    pub drop_first: u32,
    /// Ignore every Nth request (1-based count; 0 = never).
    pub drop_every: u32,
    /// Ignore every request after the first N (the agent goes away mid-walk).
    pub drop_after: Option<u64>,
    /// Ignore each request with this probability (0.0–1.0), at random.
    pub loss: f64,
    /// Wait this long before each response.
    pub delay: Duration,
    /// Send every response twice.
    pub duplicate: bool,
    /// Send a response with a wrong request-id before the right one.
    pub wrong_request_id_first: bool,
    /// GetNext / GetBulk from this OID returns the second OID (going back) instead of the
    /// true successor: `(from, back_to)`.
    pub jump_back: Option<(Oid, Oid)>,
    /// Answer tooBig when a response would carry more than this many varbinds.
    pub too_big_over: Option<usize>,
    /// Answer tooBig when a response would be larger than this many bytes (GetBulk too: an
    /// agent that does not trim).
    pub too_big_bytes: Option<usize>,
    /// Answer GetBulk with at most this many repetitions (an agent that truncates).
    pub bulk_cap: Option<usize>,
    /// Answer every request with this error status (and error-index 1).
    pub error_status: Option<ErrorStatus>,
    /// Reboot this often: snmpEngineBoots + 1 and snmpEngineTime from zero.
    pub reboot_every: Option<Duration>,
}

/// The varbinds of an answer, or an error-status and the index of the varbind it names.
type Answer = Result<Vec<VarBind>, (ErrorStatus, usize)>;

/// One reply: the bytes and how long to wait before sending them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The datagram.
    pub bytes: Vec<u8>,
    /// Wait before sending.
    pub delay: Duration,
}

/// What one device has seen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Datagrams that decoded as SNMP messages.
    pub requests: u64,
    /// Responses sent (a duplicated response counts once).
    pub responses: u64,
    /// Requests ignored by a loss fault.
    pub lost: u64,
    /// v1/v2c requests with a community that selects no recording.
    pub bad_communities: u64,
    /// Reports sent (discovery included).
    pub reports: u64,
    /// Reboots.
    pub reboots: u64,
    /// usmStats counters, leaves 1–6: unsupportedSecLevels, notInTimeWindows, unknownUserNames,
    /// unknownEngineIDs, wrongDigests, decryptionErrors.
    pub usm: [u32; 6],
    /// v3 requests naming a context with no recording.
    pub unknown_contexts: u32,
}

impl Stats {
    /// Adds another device's counters to these.
    pub fn add(&mut self, o: &Stats) {
        self.requests = self.requests.saturating_add(o.requests);
        self.responses = self.responses.saturating_add(o.responses);
        self.lost = self.lost.saturating_add(o.lost);
        self.bad_communities = self.bad_communities.saturating_add(o.bad_communities);
        self.reports = self.reports.saturating_add(o.reports);
        self.reboots = self.reboots.saturating_add(o.reboots);
        for (a, b) in self.usm.iter_mut().zip(o.usm) {
            *a = a.saturating_add(b);
        }
        self.unknown_contexts = self.unknown_contexts.saturating_add(o.unknown_contexts);
    }
}

/// How a response goes back: the request's community, or its v3 user and level.
#[derive(Debug, Clone)]
enum Envelope {
    Community {
        version: Version,
        community: Vec<u8>,
    },
    Usm {
        msg_id: i64,
        max_size: usize,
        level: SecurityLevel,
        user: Vec<u8>,
        keys: Box<LocalizedKeys>,
        context_name: Vec<u8>,
    },
}

/// One simulated device. See the module docs.
#[derive(Debug, Clone)]
pub struct Responder {
    setup: Arc<Setup>,
    /// This device's recordings: shared with the setup until a Set copies one.
    views: Vec<Arc<Recording>>,
    /// The faults in force.
    pub faults: Faults,
    engine: LocalEngine,
    keys: Vec<Option<LocalizedKeys>>,
    salt: SaltCounter,
    rng: u64,
    started: Instant,
    stats: Stats,
}

impl Responder {
    /// A device serving `objects`, with communities `public` (read) and `private` (write),
    /// started now.
    pub fn new(objects: impl IntoIterator<Item = (Oid, Value)>) -> Responder {
        let setup = Arc::new(Setup::single(Recording::from_values(objects)));
        Responder::device(setup, b"\x80\0\0\0\x05snmpctl".to_vec(), 1, Instant::now())
    }

    /// A device of `setup` with its own engine: `engine_id`, started at `now`; `seed` starts
    /// its salt and loss sequences.
    pub fn device(setup: Arc<Setup>, engine_id: Vec<u8>, seed: u64, now: Instant) -> Responder {
        Responder {
            views: setup.recordings.clone(),
            keys: vec![None; setup.users.len()],
            setup,
            faults: Faults::default(),
            engine: LocalEngine::new(engine_id, 1, now),
            salt: SaltCounter::new(seed),
            rng: seed | 1,
            started: now,
            stats: Stats::default(),
        }
    }

    /// Requests seen so far (dropped ones included).
    pub fn requests(&self) -> u64 {
        self.stats.requests
    }

    /// The counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The device's engine (v3).
    pub fn engine(&self) -> &LocalEngine {
        &self.engine
    }

    /// Reboots the device: snmpEngineBoots + 1, snmpEngineTime from zero.
    pub fn reboot(&mut self, now: Instant) {
        self.engine.reboot(now);
        self.stats.reboots = self.stats.reboots.saturating_add(1);
    }

    /// The value of an object in the first recording (as this device now holds it).
    pub fn value(&self, oid: &Oid) -> Option<Value> {
        self.views.first()?.get(oid, Duration::ZERO)
    }

    /// A uniform draw in [0, 1) (xorshift64*).
    fn random(&mut self) -> f64 {
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        #[allow(clippy::cast_precision_loss)]
        let r = (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64;
        r
    }

    /// Handles one datagram received at `now`; returns what to send back (nothing for
    /// garbage, an unknown community or a dropped request).
    pub fn handle(&mut self, datagram: &[u8], now: Instant) -> Vec<Reply> {
        let Ok(decoded) = Message::decode_detailed(datagram) else { return Vec::new() };
        self.stats.requests = self.stats.requests.saturating_add(1);
        let n = self.stats.requests;
        let f = &self.faults;
        if u64::from(f.drop_first) >= n
            || (f.drop_every > 0 && n.is_multiple_of(u64::from(f.drop_every)))
            || f.drop_after.is_some_and(|d| n > d)
        {
            return Vec::new();
        }
        if self.faults.loss > 0.0 && self.random() < self.faults.loss {
            self.stats.lost = self.stats.lost.saturating_add(1);
            return Vec::new();
        }
        if let Some(every) = self.faults.reboot_every
            && !every.is_zero()
            && now.saturating_duration_since(self.engine_started(now)) >= every
        {
            self.reboot(now);
        }
        match decoded.message {
            Message::Community(m) => {
                let Some(access) = self.setup.communities.get(&m.community).copied() else {
                    self.stats.bad_communities = self.stats.bad_communities.saturating_add(1);
                    return Vec::new();
                };
                let env = Envelope::Community { version: m.version, community: m.community };
                self.respond(&env, &m.pdu, access, now)
            }
            Message::V3(_) => self.v3(datagram, decoded, now),
        }
    }

    /// When the engine last (re)started.
    fn engine_started(&self, now: Instant) -> Instant {
        now.checked_sub(Duration::from_secs(u64::from(self.engine.time(now)))).unwrap_or(now)
    }

    /// RFC 3414 § 3.2 as the authoritative engine, then the request.
    fn v3(&mut self, data: &[u8], decoded: Decoded, now: Instant) -> Vec<Reply> {
        let Message::V3(m) = &decoded.message else { return Vec::new() };
        let msg_id = m.header.msg_id;
        let reportable = m.header.msg_flags.reportable();
        let SecurityParameters::Usm(u) = &m.security else { return Vec::new() };
        let user = u.user_name.clone();
        let plaintext_request_id = match &m.data {
            crate::msg::ScopedPduData::Plaintext(s) => s.pdu.request_id(),
            crate::msg::ScopedPduData::Encrypted(_) => None,
        };
        let refuse = |this: &mut Responder, kind: ReportKind, keys: Option<&LocalizedKeys>, request_id| {
            if let Some(c) = this.counter(&kind) {
                *c = c.saturating_add(1);
            }
            if reportable { this.report(msg_id, request_id, kind, &user, keys, now) } else { Vec::new() }
        };
        if u.engine_id.as_slice() != self.engine.engine_id() {
            // Discovery (an empty engine ID) or a manager that must learn ours (step 3).
            return refuse(self, ReportKind::UnknownEngineId, None, plaintext_request_id);
        }
        let Some(index) = self.setup.users.iter().position(|k| k.user_name() == user.as_slice()) else {
            return refuse(self, ReportKind::UnknownUserName, None, plaintext_request_id);
        };
        let Some(keys) = self.localized(index) else { return Vec::new() };
        let authenticated = match usm::unwrap(data, decoded, Some(&keys)) {
            Ok(a) => a,
            Err(e) => match e.report_kind() {
                Some(kind) => return refuse(self, kind, None, plaintext_request_id),
                None => return Vec::new(),
            },
        };
        let level = authenticated.level();
        let msg = authenticated.into_inner();
        let request_id = msg.scoped_pdu.pdu.request_id();
        // Reports to an authenticated request are authenticated too, so the manager trusts them.
        let report_keys = (level >= SecurityLevel::AuthNoPriv).then_some(&keys);
        if level >= SecurityLevel::AuthNoPriv {
            let boots = u32::try_from(msg.usm.engine_boots).unwrap_or(u32::MAX);
            let time = u32::try_from(msg.usm.engine_time).unwrap_or(u32::MAX);
            if self.engine.check(boots, time, now).is_err() {
                return refuse(self, ReportKind::NotInTimeWindow, report_keys, request_id);
            }
        }
        let ScopedPdu { context_name, pdu, .. } = msg.scoped_pdu;
        let Some(&recording) = self.setup.contexts.get(&context_name) else {
            return refuse(self, ReportKind::UnknownContext, report_keys, request_id);
        };
        let max_size = usize::try_from(msg.header.msg_max_size).unwrap_or(MAX_DATAGRAM);
        let env = Envelope::Usm { msg_id, max_size, level, user, keys: Box::new(keys), context_name };
        self.respond(&env, &pdu, Access { recording, write: true }, now)
    }

    /// The counter that counts refusals of `kind`, if this agent keeps one.
    fn counter(&mut self, kind: &ReportKind) -> Option<&mut u32> {
        let usm = match kind {
            ReportKind::UnsupportedSecLevel => 0,
            ReportKind::NotInTimeWindow => 1,
            ReportKind::UnknownUserName => 2,
            ReportKind::UnknownEngineId => 3,
            ReportKind::WrongDigest => 4,
            ReportKind::DecryptionError => 5,
            ReportKind::UnknownContext => return Some(&mut self.stats.unknown_contexts),
            _ => return None,
        };
        self.stats.usm.get_mut(usm)
    }

    /// A Report naming the counter of `kind` (RFC 3412 § 7.1 step 3).
    fn report(
        &mut self,
        msg_id: i64,
        request_id: Option<i64>,
        counter: ReportKind,
        user: &[u8],
        keys: Option<&LocalizedKeys>,
        now: Instant,
    ) -> Vec<Reply> {
        let value = self.counter(&counter).map_or(0, |c| *c);
        let report = usm::Report { msg_id, request_id, counter, value, user, keys };
        let max = i32::try_from(MAX_DATAGRAM).unwrap_or(i32::MAX);
        let Some(bytes) = self.engine.report(&report, max, &mut self.salt, now) else { return Vec::new() };
        self.stats.reports = self.stats.reports.saturating_add(1);
        vec![Reply { bytes, delay: self.faults.delay }]
    }

    /// User `index`'s keys for this device's engine, localized once.
    fn localized(&mut self, index: usize) -> Option<LocalizedKeys> {
        if let Some(Some(k)) = self.keys.get(index) {
            return Some(k.clone());
        }
        let k = self.setup.users.get(index)?.localize(self.engine.engine_id());
        if let Some(slot) = self.keys.get_mut(index) {
            *slot = Some(k.clone());
        }
        Some(k)
    }

    /// Encodes a response for the manager that sent the request.
    fn seal(&mut self, env: &Envelope, pdu: GenericPdu, now: Instant) -> Option<Vec<u8>> {
        match env {
            Envelope::Community { version, community } => Message::Community(CommunityMessage {
                version: *version,
                community: community.clone(),
                pdu: Pdu::Generic(pdu),
            })
            .encode()
            .ok(),
            Envelope::Usm { msg_id, level, user, keys, context_name, .. } => {
                let scoped = ScopedPdu {
                    context_engine_id: self.engine.engine_id().to_vec(),
                    context_name: context_name.clone(),
                    pdu: Pdu::Generic(pdu),
                };
                let out = Outgoing {
                    msg_id: i32::try_from(*msg_id).unwrap_or(0),
                    msg_max_size: i32::try_from(MAX_DATAGRAM).unwrap_or(i32::MAX),
                    level: *level,
                    reportable: false,
                    engine_id: self.engine.engine_id(),
                    engine_boots: self.engine.boots(),
                    engine_time: self.engine.time(now),
                    user_name: user,
                    scoped_pdu: &scoped,
                };
                usm::wrap(&out, Some(keys), &mut self.salt).ok()
            }
        }
    }

    fn respond(&mut self, env: &Envelope, pdu: &Pdu, access: Access, now: Instant) -> Vec<Reply> {
        let version = match env {
            Envelope::Community { version, .. } => *version,
            Envelope::Usm { .. } => Version::V3,
        };
        let Some(mut response) = self.answer(version, pdu, access, now) else { return Vec::new() };
        if let Some(status) = self.faults.error_status {
            response.error_status = status;
            response.error_index = 1;
        }
        let limit = match env {
            Envelope::Usm { max_size, .. } => (*max_size).min(MAX_DATAGRAM),
            Envelope::Community { .. } => MAX_DATAGRAM,
        };
        let too_big = |r: &GenericPdu| GenericPdu {
            error_status: ErrorStatus::TOO_BIG,
            error_index: 0,
            // RFC 3416 § 4.2.1: an empty varbind list; RFC 1157 § 4.1.2: the request's.
            varbinds: if version == Version::V1 { pdu.varbinds().to_vec() } else { Vec::new() },
            ..r.clone()
        };
        let Some(mut bytes) = self.seal(env, response.clone(), now) else { return Vec::new() };
        if self.faults.too_big_bytes.is_some_and(|max| bytes.len() > max) {
            response = too_big(&response);
            bytes = self.seal(env, response.clone(), now).unwrap_or_default();
        } else if bytes.len() > limit {
            if matches!(pdu, Pdu::Bulk(_)) {
                // RFC 3416 § 4.2.3: GetBulk answers with as many varbinds as fit.
                while bytes.len() > limit && response.varbinds.len() > 1 {
                    let keep =
                        response.varbinds.len().saturating_mul(limit).checked_div(bytes.len()).unwrap_or(1);
                    let keep = keep.saturating_sub(1).clamp(1, response.varbinds.len().saturating_sub(1));
                    response.varbinds.truncate(keep);
                    bytes = self.seal(env, response.clone(), now).unwrap_or_default();
                }
            }
            if bytes.len() > limit {
                response = too_big(&response);
                bytes = self.seal(env, response.clone(), now).unwrap_or_default();
            }
        }
        let delay = self.faults.delay;
        let mut replies = Vec::new();
        if self.faults.wrong_request_id_first {
            let mut wrong = response.clone();
            wrong.request_id = wrong.request_id.wrapping_add(1) & 0x7FFF_FFFF;
            wrong.varbinds.iter_mut().for_each(|vb| vb.value = Value::OctetString(b"WRONG".to_vec()));
            replies.extend(self.seal(env, wrong, now).map(|bytes| Reply { bytes, delay }));
        }
        if bytes.is_empty() {
            return replies;
        }
        self.stats.responses = self.stats.responses.saturating_add(1);
        if self.faults.duplicate {
            replies.push(Reply { bytes: bytes.clone(), delay });
        }
        replies.push(Reply { bytes, delay });
        replies
    }

    fn answer(&mut self, version: Version, pdu: &Pdu, access: Access, now: Instant) -> Option<GenericPdu> {
        let v1 = version == Version::V1;
        let (request_id, varbinds) = match pdu {
            Pdu::Generic(p) => (p.request_id, self.generic(v1, p, access, now)),
            Pdu::Bulk(b) if !v1 => (b.request_id, self.bulk(b, access.recording, now)),
            _ => return None,
        };
        let (varbinds, error_status, error_index) = match varbinds {
            Ok(v) => (v, ErrorStatus::NO_ERROR, 0),
            Err((status, index)) => {
                (pdu.varbinds().to_vec(), status, i64::try_from(index.saturating_add(1)).unwrap_or(0))
            }
        };
        let mut response =
            GenericPdu { pdu_type: PduType::RESPONSE, request_id, error_status, error_index, varbinds };
        if let Some(max) = self.faults.too_big_over
            && response.varbinds.len() > max
        {
            response.error_status = ErrorStatus::TOO_BIG;
            response.error_index = 0;
            response.varbinds = pdu.varbinds().to_vec();
        }
        Some(response)
    }

    fn view(&self, recording: usize) -> Option<&Recording> {
        self.views.get(recording).map(|r| &**r)
    }

    /// Whether an instance of the object `oid` names exists (its parent has children): then a
    /// missing instance is noSuchInstance rather than noSuchObject.
    fn object_exists(&self, recording: usize, oid: &Oid) -> bool {
        let Some((_, parent)) = oid.arcs().split_last() else { return false };
        let Ok(parent) = Oid::new(parent) else { return false };
        let Some(view) = self.view(recording) else { return false };
        view.objects.get(view.after(&parent)).is_some_and(|r| r.oid.starts_with(&parent))
    }

    /// The successor of `oid` in the view (or the scripted jump back).
    fn next(&self, recording: usize, oid: &Oid, elapsed: Duration) -> Option<(Oid, Value)> {
        let view = self.view(recording)?;
        if let Some((from, to)) = &self.faults.jump_back
            && oid == from
        {
            return view.get(to, elapsed).map(|v| (to.clone(), v));
        }
        let i = view.after(oid);
        let r = view.objects.get(i)?;
        Some((r.oid.clone(), view.value_at(i, elapsed)?))
    }

    fn generic(&mut self, v1: bool, p: &GenericPdu, access: Access, now: Instant) -> Answer {
        let elapsed = now.saturating_duration_since(self.started);
        let rec = access.recording;
        if p.pdu_type == PduType::SET_REQUEST {
            return self.set(v1, p, access);
        }
        let mut out = Vec::with_capacity(p.varbinds.len());
        for (i, vb) in p.varbinds.iter().enumerate() {
            let value = match p.pdu_type {
                PduType::GET_REQUEST => match self.view(rec).and_then(|v| v.get(&vb.oid, elapsed)) {
                    Some(v) => v,
                    None if v1 => return Err((ErrorStatus::NO_SUCH_NAME, i)),
                    None if self.object_exists(rec, &vb.oid) => Value::NoSuchInstance,
                    None => Value::NoSuchObject,
                },
                PduType::GET_NEXT_REQUEST => match self.next(rec, &vb.oid, elapsed) {
                    Some((oid, value)) => {
                        out.push(VarBind::new(oid, value));
                        continue;
                    }
                    None if v1 => return Err((ErrorStatus::NO_SUCH_NAME, i)),
                    None => Value::EndOfMibView,
                },
                _ => return Err((ErrorStatus::GEN_ERR, i)),
            };
            out.push(VarBind::new(vb.oid.clone(), value));
        }
        Ok(out)
    }

    /// A Set: every varbind is checked before any is applied (RFC 3416 § 4.2.5: "as if
    /// simultaneously"); the first device to write a recording gets its own copy.
    fn set(&mut self, v1: bool, p: &GenericPdu, access: Access) -> Answer {
        let mut slots = Vec::with_capacity(p.varbinds.len());
        for (i, vb) in p.varbinds.iter().enumerate() {
            if !access.write {
                return Err((if v1 { ErrorStatus::NO_SUCH_NAME } else { ErrorStatus::NO_ACCESS }, i));
            }
            let view = self.view(access.recording).ok_or((ErrorStatus::GEN_ERR, i))?;
            match view.objects.binary_search_by(|r| r.oid.cmp(&vb.oid)) {
                Ok(slot) if view.objects.get(slot).is_some_and(|r| r.value.tag() == vb.value.tag()) => {
                    slots.push(slot);
                }
                Ok(_) => return Err((if v1 { ErrorStatus::BAD_VALUE } else { ErrorStatus::WRONG_TYPE }, i)),
                Err(_) => {
                    return Err((if v1 { ErrorStatus::NO_SUCH_NAME } else { ErrorStatus::NO_CREATION }, i));
                }
            }
        }
        if let Some(view) = self.views.get_mut(access.recording) {
            let view = Arc::make_mut(view);
            for (slot, vb) in slots.into_iter().zip(&p.varbinds) {
                if let Some(r) = view.objects.get_mut(slot) {
                    r.value = vb.value.clone();
                    r.numeric = None;
                }
            }
        }
        Ok(p.varbinds.clone())
    }

    fn bulk(&self, b: &BulkPdu, rec: usize, now: Instant) -> Answer {
        let elapsed = now.saturating_duration_since(self.started);
        let n = usize::try_from(b.non_repeaters.max(0)).unwrap_or(0).min(b.varbinds.len());
        let mut reps = usize::try_from(b.max_repetitions.max(0)).unwrap_or(0);
        if let Some(cap) = self.faults.bulk_cap {
            reps = reps.min(cap);
        }
        let (first, repeated) = b.varbinds.split_at(n);
        let mut out = Vec::new();
        for vb in first {
            out.push(match self.next(rec, &vb.oid, elapsed) {
                Some((o, v)) => VarBind::new(o, v),
                None => VarBind::new(vb.oid.clone(), Value::EndOfMibView),
            });
        }
        let mut cursor: Vec<Oid> = repeated.iter().map(|vb| vb.oid.clone()).collect();
        for _ in 0..reps {
            let mut all_end = true;
            for c in &mut cursor {
                match self.next(rec, c, elapsed) {
                    Some((o, v)) => {
                        all_end = false;
                        c.clone_from(&o);
                        out.push(VarBind::new(o, v));
                    }
                    None => out.push(VarBind::new(c.clone(), Value::EndOfMibView)),
                }
            }
            if all_end || out.len() >= MAX_BULK_VARBINDS {
                break;
            }
        }
        Ok(out)
    }
}

/// Sends `replies` to `peer`: at once, or after their delay without holding up later requests.
#[cfg(feature = "tokio")]
async fn send_replies(socket: &Arc<tokio::net::UdpSocket>, replies: Vec<Reply>, peer: std::net::SocketAddr) {
    for reply in replies {
        if reply.delay.is_zero() {
            let _ = socket.send_to(&reply.bytes, peer).await;
        } else {
            let socket = socket.clone();
            tokio::spawn(async move {
                tokio::time::sleep(reply.delay).await;
                let _ = socket.send_to(&reply.bytes, peer).await;
            });
        }
    }
}

/// Serves a shared `responder` on `socket` until `stop` resolves (the tests change its faults
/// while it runs).
#[cfg(feature = "tokio")]
pub async fn serve(
    socket: tokio::net::UdpSocket,
    responder: Arc<std::sync::Mutex<Responder>>,
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let socket = Arc::new(socket);
    let mut buf = vec![0u8; 65535];
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return Ok(()),
            got = socket.recv_from(&mut buf) => {
                let (n, peer) = got?;
                let replies = match (responder.lock(), buf.get(..n)) {
                    (Ok(mut r), Some(d)) => r.handle(d, Instant::now()),
                    _ => Vec::new(),
                };
                send_replies(&socket, replies, peer).await;
            }
        }
    }
}

/// Runs one device on `socket` until `stop` changes (or its sender goes); returns it, with
/// its counters.
#[cfg(feature = "tokio")]
pub async fn run(
    socket: tokio::net::UdpSocket,
    mut responder: Responder,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Responder {
    let socket = Arc::new(socket);
    let mut buf = vec![0u8; 65535];
    loop {
        tokio::select! {
            _ = stop.changed() => return responder,
            got = socket.recv_from(&mut buf) => {
                // An ICMP error from an earlier send shows up here on some systems: keep going.
                let Ok((n, peer)) = got else { continue };
                let replies = buf.get(..n).map(|d| responder.handle(d, Instant::now())).unwrap_or_default();
                send_replies(&socket, replies, peer).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(s: &str) -> Oid {
        s.parse().unwrap()
    }

    fn request(version: Version, pdu: Pdu) -> Vec<u8> {
        Message::Community(CommunityMessage { version, community: b"public".to_vec(), pdu }).encode().unwrap()
    }

    fn answer(r: &mut Responder, bytes: &[u8]) -> GenericPdu {
        let replies = r.handle(bytes, Instant::now());
        match Message::decode(&replies[0].bytes).unwrap() {
            Message::Community(CommunityMessage { pdu: Pdu::Generic(p), .. }) => p,
            other => panic!("{other:?}"),
        }
    }

    fn get(t: PduType, o: &str) -> Pdu {
        Pdu::Generic(GenericPdu {
            pdu_type: t,
            request_id: 7,
            error_status: ErrorStatus::NO_ERROR,
            error_index: 0,
            varbinds: vec![VarBind::null(oid(o))],
        })
    }

    #[test]
    fn answers_like_an_agent() {
        let mut r = Responder::new([
            (oid("1.3.6.1.2.1.1.1.0"), Value::OctetString(b"fake".to_vec())),
            (oid("1.3.6.1.2.1.1.3.0"), Value::TimeTicks(5)),
        ]);
        let p = answer(&mut r, &request(Version::V2c, get(PduType::GET_REQUEST, "1.3.6.1.2.1.1.1.5")));
        assert_eq!(p.varbinds[0].value, Value::NoSuchInstance);
        let p = answer(&mut r, &request(Version::V2c, get(PduType::GET_REQUEST, "1.3.6.1.2.1.1.2.0")));
        assert_eq!(p.varbinds[0].value, Value::NoSuchObject);
        let p = answer(&mut r, &request(Version::V2c, get(PduType::GET_NEXT_REQUEST, "1.3.6.1.2.1.1.1.0")));
        assert_eq!(p.varbinds[0].oid, oid("1.3.6.1.2.1.1.3.0"));
        let p = answer(&mut r, &request(Version::V1, get(PduType::GET_NEXT_REQUEST, "1.3.6.1.2.1.1.3.0")));
        assert_eq!((p.error_status, p.error_index), (ErrorStatus::NO_SUCH_NAME, 1));
        let bulk = Pdu::Bulk(BulkPdu {
            request_id: 9,
            non_repeaters: 0,
            max_repetitions: 5,
            varbinds: vec![VarBind::null(oid("1.3.6.1.2.1.1"))],
        });
        let p = answer(&mut r, &request(Version::V2c, bulk));
        assert_eq!(p.varbinds.len(), 3);
        assert_eq!(p.varbinds[2].value, Value::EndOfMibView);
    }

    mod v3 {
        use super::super::*;
        use crate::client::{Config, Outcome, Request, Security, Session, UsmConfig};
        use crate::usm::{AuthProtocol, Credentials, KeySource, Password, PrivProtocol};

        fn oid(s: &str) -> Oid {
            s.parse().unwrap()
        }

        fn setup() -> Arc<Setup> {
            let mut s = Setup::single(Recording::from_values((1..=200u32).map(|i| {
                (
                    oid(&format!("1.3.6.1.2.1.2.2.1.2.{i}")),
                    Value::OctetString(format!("port-{i:03}").into_bytes()),
                )
            })));
            s.users.push(keys());
            Arc::new(s)
        }

        fn keys() -> UserKeys {
            let p = |t: &str| KeySource::Password(Password::new(t.as_bytes().to_vec()).unwrap());
            UserKeys::new(Credentials {
                user_name: b"ops".to_vec(),
                level: SecurityLevel::AuthPriv,
                auth: Some((AuthProtocol::Sha256, p("auth-pass-1"))),
                privacy: Some((PrivProtocol::Aes128, p("priv-pass-1"))),
            })
            .unwrap()
        }

        fn session(max_size: i32) -> Session {
            let mut c = Config::new(Security::Usm(Box::new(UsmConfig {
                user: keys(),
                engine_id: None,
                context_engine_id: None,
                context_name: Vec::new(),
            })));
            c.msg_max_size = max_size;
            Session::new(c, 42)
        }

        /// One request through the device, discovery and resynchronisation included.
        fn exchange(s: &mut Session, d: &mut Responder, request: Request, now: Instant) -> (Outcome, usize) {
            s.send(request, now);
            let mut largest = 0;
            for _ in 0..10 {
                while let Some(out) = s.poll_transmit() {
                    for reply in d.handle(&out, now) {
                        largest = largest.max(reply.bytes.len());
                        s.handle_datagram(&reply.bytes, now);
                    }
                }
                if let Some((_, outcome)) = s.poll_event() {
                    return (outcome, largest);
                }
            }
            panic!("no outcome");
        }

        fn get(o: &str) -> Request {
            Request { operation: crate::client::Operation::Get, varbinds: vec![VarBind::null(oid(o))] }
        }

        #[test]
        fn authpriv_get_set_and_reboot() {
            let t0 = Instant::now();
            let setup = setup();
            let mut d = Responder::device(setup.clone(), b"\x80\0\0\0\x05dev1".to_vec(), 1, t0);
            let other = Responder::device(setup, b"\x80\0\0\0\x05dev2".to_vec(), 2, t0);
            let mut s = session(65507);
            let (got, _) = exchange(&mut s, &mut d, get("1.3.6.1.2.1.2.2.1.2.7"), t0);
            assert_eq!(got.unwrap().varbinds[0].value, Value::OctetString(b"port-007".to_vec()));
            assert_eq!(d.stats().usm[3], 1, "one discovery (unknownEngineIDs)");
            let set = Request {
                operation: crate::client::Operation::Set,
                varbinds: vec![VarBind::new(
                    oid("1.3.6.1.2.1.2.2.1.2.7"),
                    Value::OctetString(b"uplink".to_vec()),
                )],
            };
            assert_eq!(exchange(&mut s, &mut d, set, t0).0.unwrap().error_status, ErrorStatus::NO_ERROR);
            assert_eq!(d.value(&oid("1.3.6.1.2.1.2.2.1.2.7")), Some(Value::OctetString(b"uplink".to_vec())));
            assert_eq!(
                other.value(&oid("1.3.6.1.2.1.2.2.1.2.7")),
                Some(Value::OctetString(b"port-007".to_vec()))
            );
            // A reboot: the manager's next request is out of the window; it resynchronises.
            let later = t0 + Duration::from_secs(30);
            d.reboot(later);
            assert_eq!(d.engine().boots(), 2);
            let (got, _) = exchange(&mut s, &mut d, get("1.3.6.1.2.1.2.2.1.2.7"), later);
            assert_eq!(got.unwrap().varbinds[0].value, Value::OctetString(b"uplink".to_vec()));
            assert_eq!(d.stats().usm[1], 1, "one notInTimeWindow Report");
        }

        #[test]
        fn getbulk_is_trimmed_to_the_managers_max_size_and_too_big_is_a_fault() {
            let t0 = Instant::now();
            let mut d = Responder::device(setup(), b"\x80\0\0\0\x05dev1".to_vec(), 1, t0);
            let mut s = session(1500);
            let bulk = Request {
                operation: crate::client::Operation::GetBulk { non_repeaters: 0, max_repetitions: 150 },
                varbinds: vec![VarBind::null(oid("1.3.6.1.2.1.2.2.1.2"))],
            };
            let (got, largest) = exchange(&mut s, &mut d, bulk.clone(), t0);
            let n = got.unwrap().varbinds.len();
            assert!(largest <= 1500 && n > 20 && n < 150, "{n} varbinds in {largest} bytes");
            d.faults.too_big_bytes = Some(600);
            let (got, _) = exchange(&mut s, &mut d, bulk, t0);
            let pdu = got.unwrap();
            assert_eq!((pdu.error_status, pdu.varbinds.len()), (ErrorStatus::TOO_BIG, 0));
        }
    }
}
