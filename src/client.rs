//! The sans-IO request engine: one [`Session`] per agent, many requests in flight.
//!
//! Push and pull, as quinn-proto: the driver pushes [`Session::send`],
//! [`Session::handle_datagram`] and [`Session::handle_timeout`], and pulls
//! [`Session::poll_transmit`], [`Session::poll_timeout`] and [`Session::poll_event`]. Time is
//! the `now` argument and randomness the seed given to [`Session::new`]; nothing here reads a
//! clock or touches a socket, so retries, discovery and time windows are tested with a
//! simulated clock.
//!
//! SNMPv3 (RFC 3414 § 4, RFC 3412 § 7): the first request triggers engine discovery (an empty
//! noAuthNoPriv Get that the agent answers with a usmStatsUnknownEngineIDs Report carrying its
//! engine ID, boots and time). Requests wait for it, then go out with keys localized to that
//! engine. A notInTimeWindows Report (the agent rebooted, or its clock moved) resynchronises
//! and resends once; an unknownEngineIDs Report rediscovers and resends once. Other Reports
//! end the request with [`Error::Report`]. Responses must meet the user's configured security
//! level, whatever the packet's flags say.
//!
//! A Get driven by hand, with a simulated clock (what [`crate::Client`] does on a socket):
//!
//! ```
//! use snmpctl::client::{Config, Operation, Request, Security, Session};
//! use snmpctl::msg::{Message, Pdu, PduType, Version};
//! use snmpctl::value::{Value, VarBind};
//! use std::time::Instant;
//!
//! let config = Config::new(Security::Community { version: Version::V2c, community: b"public".to_vec() });
//! let mut session = Session::new(config, 42);
//! let now = Instant::now();
//! let oid = "1.3.6.1.2.1.1.5.0".parse()?;
//! let handle = session.send(Request { operation: Operation::Get, varbinds: vec![VarBind::null(oid)] }, now);
//! let sent = session.poll_transmit().expect("the Get");
//!
//! // The agent's answer: the same message as a Response with a value.
//! let mut answer = Message::decode(&sent)?;
//! if let Message::Community(m) = &mut answer
//!     && let Pdu::Generic(p) = &mut m.pdu
//! {
//!     p.pdu_type = PduType::RESPONSE;
//!     p.varbinds[0].value = Value::from("core-rtr-1");
//! }
//! session.handle_datagram(&answer.encode()?, now);
//! let (done, outcome) = session.poll_event().expect("the outcome");
//! assert_eq!(done, handle);
//! assert_eq!(outcome?.varbinds[0].value.as_str(), Some("core-rtr-1"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::msg::{
    BulkPdu, CommunityMessage, EncodeError, ErrorStatus, GenericPdu, Message, Pdu, PduType, ScopedPdu,
    Version,
};
use crate::usm::{
    self, EngineState, KeyError, LocalizedKeys, Outgoing, PrivProtocol, ReportKind, SaltCounter,
    SecurityLevel, UserKeys, UsmError, WrapError,
};
use crate::value::VarBind;

mod table;
mod walk;

/// Helpers the walk and table tests share.
#[cfg(test)]
mod test_support {
    use crate::msg::{ErrorStatus, GenericPdu, PduType};
    use crate::value::{Oid, VarBind};

    pub fn oid(s: &str) -> Oid {
        s.parse().unwrap()
    }

    /// A Response with this error-status and these varbinds.
    pub fn response(status: i64, varbinds: Vec<VarBind>) -> GenericPdu {
        GenericPdu {
            pdu_type: PduType::RESPONSE,
            request_id: 1,
            error_status: ErrorStatus(status),
            error_index: 0,
            varbinds,
        }
    }
}
use rustc_hash::FxHashMap;
use std::collections::VecDeque;
use std::time::{Duration, Instant};
pub use table::{Row, Table, TableMethod, TableOptions, TableRow, TableWalk};
pub use walk::{Walk, WalkEnd, WalkError, WalkOptions};

/// A procedure of several requests, one after the other ([`Walk`], [`TableWalk`]): it says
/// what to send next and takes each answer, sans-IO. [`crate::transport::Walker`] drives one.
pub trait Procedure {
    /// What the answers yield: varbinds for a walk, rows for a table.
    type Item;
    /// The request to send next, or `None` when the procedure is over.
    fn request(&self) -> Option<Request>;
    /// Takes the Response to the last request; returns what it completed.
    fn on_response(&mut self, pdu: GenericPdu) -> Vec<Self::Item>;
    /// Takes the failure of the last request; the procedure ends.
    fn on_failure(&mut self, error: Error);
    /// The error that ended the procedure, once.
    fn take_error(&mut self) -> Option<WalkError>;
}

/// How to reach the agent and what to say: version and security.
#[derive(Debug, Clone)]
pub enum Security {
    /// SNMPv1 or SNMPv2c with a community string.
    Community {
        /// [`Version::V1`] or [`Version::V2c`].
        version: Version,
        /// The community (`-c`).
        community: Vec<u8>,
    },
    /// SNMPv3 with USM.
    Usm(Box<UsmConfig>),
}

/// SNMPv3 settings.
#[derive(Debug, Clone)]
pub struct UsmConfig {
    /// The user and master keys.
    pub user: UserKeys,
    /// The agent's engine ID, if known (`-e`): skips discovery.
    pub engine_id: Option<Vec<u8>>,
    /// contextEngineID (`-E`); default: the agent's engine ID.
    pub context_engine_id: Option<Vec<u8>>,
    /// contextName (`-n`).
    pub context_name: Vec<u8>,
}

/// Session settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Version and security.
    pub security: Security,
    /// Time to wait for each attempt (Net-SNMP `-t`, default 1 s).
    pub timeout: Duration,
    /// Retransmissions after the first attempt (Net-SNMP `-r`, default 5).
    pub retries: u32,
    /// msgMaxSize we announce (v3): the largest message we accept.
    pub msg_max_size: i32,
}

impl Config {
    /// Net-SNMP's defaults: 1 s timeout, 5 retries, msgMaxSize 65507.
    pub fn new(security: Security) -> Config {
        Config { security, timeout: Duration::from_secs(1), retries: 5, msg_max_size: 65507 }
    }
}

/// What to ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// GetRequest.
    Get,
    /// GetNextRequest.
    GetNext,
    /// GetBulkRequest (v2c, v3).
    GetBulk {
        /// non-repeaters.
        non_repeaters: u32,
        /// max-repetitions.
        max_repetitions: u32,
    },
    /// SetRequest.
    Set,
    /// InformRequest (v2c, v3): a notification the receiver acknowledges. For v3 the
    /// receiver is the authoritative engine, so it is discovered like an agent.
    Inform,
}

/// A request: an operation and its varbinds (values are ignored except for Set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The operation.
    pub operation: Operation,
    /// The varbinds.
    pub varbinds: Vec<VarBind>,
}

/// A handle for one request, returned by [`Session::send`] and echoed by [`Session::poll_event`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestHandle(u64);

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No answer after every attempt.
    #[error("no response after {attempts} attempts")]
    Timeout {
        /// Attempts made (1 + retries).
        attempts: u32,
    },
    /// authPriv: the agent answered discovery but never the encrypted request. Agents drop
    /// what they cannot decrypt without a Report, so this is what a wrong privacy password or
    /// protocol looks like.
    #[error(
        "no answer to an encrypted request after {attempts} attempts (the agent answered engine discovery): \
         check the privacy protocol and password (-x, -X){}",
        variant_hint(*protocol)
    )]
    NoAnswerToEncrypted {
        /// Attempts made.
        attempts: u32,
        /// The privacy protocol the requests were encrypted with.
        protocol: Option<PrivProtocol>,
    },
    /// The agent refused the request with a Report. For usmStatsDecryptionErrors, `privacy`
    /// is the protocol the request was encrypted with (the message names the wire variant).
    #[error("{kind}{}", if *kind == ReportKind::DecryptionError { variant_hint(*privacy) } else { String::new() })]
    Report {
        /// The counter the Report names.
        kind: ReportKind,
        /// The privacy protocol in use, when it matters for the advice.
        privacy: Option<PrivProtocol>,
    },
    /// The agent's answers failed our security checks (and nothing better came before the
    /// timeout).
    #[error("{0}")]
    Security(UsmError),
    /// The request cannot be built (bad value, too-big message, missing key).
    #[error("cannot build the request: {0}")]
    Build(String),
    /// Unusable credentials.
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// Which wire variant was sent and, for AES-192/256, the other key extension to try.
fn variant_hint(protocol: Option<PrivProtocol>) -> String {
    let Some(p) = protocol else { return String::new() };
    let other = match p {
        PrivProtocol::Aes192 => Some(PrivProtocol::Aes192C),
        PrivProtocol::Aes256 => Some(PrivProtocol::Aes256C),
        PrivProtocol::Aes192C => Some(PrivProtocol::Aes192),
        PrivProtocol::Aes256C => Some(PrivProtocol::Aes256),
        _ => None,
    };
    match other {
        Some(o) => format!(
            "; sent {}; an agent using the other key extension needs -x {}",
            p.wire_variant(),
            o.name()
        ),
        None => format!("; sent {}", p.wire_variant()),
    }
}

impl From<WrapError> for Error {
    fn from(e: WrapError) -> Self {
        Error::Build(e.to_string())
    }
}

impl From<EncodeError> for Error {
    fn from(e: EncodeError) -> Self {
        Error::Build(e.to_string())
    }
}

/// A finished request.
pub type Outcome = Result<GenericPdu, Error>;

/// Counters of what arrived and was dropped (late, duplicate, stray, malformed, insecure).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Datagrams sent (including retransmissions and discovery).
    pub sent: u64,
    /// Retransmissions.
    pub retransmitted: u64,
    /// Datagrams received.
    pub received: u64,
    /// Dropped: not an SNMP message.
    pub malformed: u64,
    /// Dropped: no request waits for this ID (late, duplicate or stray).
    pub unmatched: u64,
    /// Dropped: failed USM processing, the time window or the level check.
    pub insecure: u64,
}

#[derive(Debug)]
struct Pending {
    request: Request,
    request_id: i32,
    /// Every msgID (v3) or the request-id (v1/v2c) this request went out under.
    wire_ids: Vec<i32>,
    waiting_for_engine: bool,
    attempts: u32,
    deadline: Option<Instant>,
    /// One resynchronisation (time window or engine ID) is allowed per request.
    resynced: bool,
    /// The last security failure of an answer, reported instead of a bare timeout.
    last_failure: Option<UsmError>,
}

#[derive(Debug, Default)]
struct Discovery {
    msg_ids: Vec<i32>,
    attempts: u32,
    deadline: Option<Instant>,
}

/// The v3 state of a session.
#[derive(Debug)]
struct V3 {
    config: UsmConfig,
    engine: Option<EngineState>,
    keys: Option<LocalizedKeys>,
    discovery: Option<Discovery>,
    /// An authenticated answer has arrived from this engine since discovery.
    confirmed: bool,
    salt: SaltCounter,
    /// The agent's msgMaxSize, from its messages.
    agent_max_size: Option<usize>,
}

/// One agent's request engine. See the module docs.
#[derive(Debug)]
pub struct Session {
    config: Config,
    v3: Option<V3>,
    // FxHash: the keys are handles and request IDs this session made, not the network's.
    pending: FxHashMap<RequestHandle, Pending>,
    by_wire_id: FxHashMap<i32, RequestHandle>,
    next_handle: u64,
    next_request_id: u32,
    next_msg_id: u32,
    transmit: VecDeque<Vec<u8>>,
    events: VecDeque<(RequestHandle, Outcome)>,
    stats: Stats,
}

/// Splits a seed into independent-looking streams (splitmix64).
fn mix(seed: u64, stream: u64) -> u64 {
    let mut z = seed.wrapping_add(stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The next ID in 1..=2³¹−1 (request-id and msgID are non-negative Integer32s; 0 is avoided).
fn next_id(counter: &mut u32) -> i32 {
    *counter = counter.wrapping_add(1) & 0x7FFF_FFFF;
    if *counter == 0 {
        *counter = 1;
    }
    i32::try_from(*counter).unwrap_or(1)
}

fn low31(x: u64) -> u32 {
    u32::try_from(x & 0x7FFF_FFFF).unwrap_or(1)
}

impl Session {
    /// A session; `seed` (take it from a random source) starts the request-id, msgID and salt
    /// sequences.
    pub fn new(config: Config, seed: u64) -> Session {
        let v3 = match &config.security {
            Security::Usm(u) => Some(V3 {
                config: (**u).clone(),
                engine: None,
                keys: None,
                discovery: None,
                confirmed: false,
                salt: SaltCounter::new(mix(seed, 3)),
                agent_max_size: None,
            }),
            Security::Community { .. } => None,
        };
        Session {
            config,
            v3,
            pending: FxHashMap::default(),
            by_wire_id: FxHashMap::default(),
            next_handle: 0,
            next_request_id: low31(mix(seed, 1)),
            next_msg_id: low31(mix(seed, 2)),
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            stats: Stats::default(),
        }
    }

    /// The counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The agent's engine as known now (v3).
    pub fn engine(&self) -> Option<&EngineState> {
        self.v3.as_ref().and_then(|v| v.engine.as_ref())
    }

    /// Number of requests not yet finished.
    pub fn in_flight(&self) -> usize {
        self.pending.len()
    }

    /// Starts a request; its outcome comes out of [`Session::poll_event`].
    pub fn send(&mut self, request: Request, now: Instant) -> RequestHandle {
        let handle = RequestHandle(self.next_handle);
        self.next_handle = self.next_handle.wrapping_add(1);
        let request_id = next_id(&mut self.next_request_id);
        let mut p = Pending {
            request,
            request_id,
            wire_ids: Vec::new(),
            waiting_for_engine: false,
            attempts: 0,
            deadline: None,
            resynced: false,
            last_failure: None,
        };
        if let Some(v3) = &mut self.v3
            && v3.engine.is_none()
        {
            if let Some(id) = v3.config.engine_id.clone() {
                // -e: the engine is known; boots and time come from the first Report if needed.
                v3.keys = Some(v3.config.user.localize(&id));
                v3.engine = Some(EngineState::new(id, 0, 0, now));
            } else {
                p.waiting_for_engine = true;
                self.pending.insert(handle, p);
                self.start_discovery(now);
                return handle;
            }
        }
        self.pending.insert(handle, p);
        self.transmit_request(handle, now);
        handle
    }

    /// The next datagram to send to the agent.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmit.pop_front()
    }

    /// The next finished request.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<(RequestHandle, Outcome)> {
        self.events.pop_front()
    }

    /// When [`Session::handle_timeout`] should next be called.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let requests = self.pending.values().filter_map(|p| p.deadline);
        let discovery = self.v3.as_ref().and_then(|v| v.discovery.as_ref()).and_then(|d| d.deadline);
        requests.chain(discovery).min()
    }

    /// Retransmits or fails what is overdue at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        let discovery_due = self
            .v3
            .as_ref()
            .and_then(|v| v.discovery.as_ref())
            .and_then(|d| d.deadline)
            .is_some_and(|d| d <= now);
        if discovery_due {
            let attempts = self.v3.as_ref().and_then(|v| v.discovery.as_ref()).map_or(0, |d| d.attempts);
            if attempts <= self.config.retries {
                self.stats.retransmitted = self.stats.retransmitted.saturating_add(1);
                self.send_discovery_probe(now);
            } else {
                if let Some(v3) = &mut self.v3 {
                    v3.discovery = None;
                }
                let waiting: Vec<RequestHandle> =
                    self.pending.iter().filter(|(_, p)| p.waiting_for_engine).map(|(h, _)| *h).collect();
                for h in waiting {
                    self.finish(h, Err(Error::Timeout { attempts }));
                }
            }
        }
        let due: Vec<RequestHandle> = self
            .pending
            .iter()
            .filter(|(_, p)| p.deadline.is_some_and(|d| d <= now))
            .map(|(h, _)| *h)
            .collect();
        for h in due {
            let Some(p) = self.pending.get(&h) else { continue };
            if p.attempts <= self.config.retries {
                self.stats.retransmitted = self.stats.retransmitted.saturating_add(1);
                self.transmit_request(h, now);
                continue;
            }
            let attempts = p.attempts;
            let error = match (&p.last_failure, &self.v3) {
                (Some(f), _) => Error::Security(f.clone()),
                (None, Some(v3))
                    if v3.config.user.level() == SecurityLevel::AuthPriv
                        && v3.engine.is_some()
                        && !v3.confirmed =>
                {
                    Error::NoAnswerToEncrypted { attempts, protocol: v3.config.user.priv_protocol() }
                }
                _ => Error::Timeout { attempts },
            };
            self.finish(h, Err(error));
        }
    }

    /// Processes one datagram from the agent.
    pub fn handle_datagram(&mut self, data: &[u8], now: Instant) {
        self.stats.received = self.stats.received.saturating_add(1);
        let Ok(decoded) = Message::decode_detailed(data) else {
            self.stats.malformed = self.stats.malformed.saturating_add(1);
            return;
        };
        if self.v3.is_none() {
            let Message::Community(m) = decoded.message else {
                self.stats.unmatched = self.stats.unmatched.saturating_add(1);
                return;
            };
            let handle = m
                .pdu
                .request_id()
                .and_then(|id| i32::try_from(id).ok())
                .and_then(|id| self.by_wire_id.get(&id).copied());
            match (handle, m.pdu) {
                (Some(h), Pdu::Generic(pdu)) if pdu.pdu_type == PduType::RESPONSE => self.finish(h, Ok(pdu)),
                _ => self.stats.unmatched = self.stats.unmatched.saturating_add(1),
            }
            return;
        }
        match &decoded.message {
            Message::V3(m) => {
                let msg_id = i32::try_from(m.header.msg_id).unwrap_or(-1);
                if let Ok(size) = usize::try_from(m.header.msg_max_size)
                    && let Some(v3) = &mut self.v3
                {
                    v3.agent_max_size = Some(size.max(484));
                }
                let is_discovery = self
                    .v3
                    .as_ref()
                    .and_then(|v| v.discovery.as_ref())
                    .is_some_and(|d| d.msg_ids.contains(&msg_id));
                if is_discovery {
                    self.discovered(data, decoded, now);
                } else if let Some(h) = self.by_wire_id.get(&msg_id).copied() {
                    self.v3_answer(h, data, decoded, now);
                } else {
                    self.stats.unmatched = self.stats.unmatched.saturating_add(1);
                }
            }
            _ => self.stats.unmatched = self.stats.unmatched.saturating_add(1),
        }
    }

    fn finish(&mut self, handle: RequestHandle, outcome: Outcome) {
        if let Some(p) = self.pending.remove(&handle) {
            for id in p.wire_ids {
                self.by_wire_id.remove(&id);
            }
            self.events.push_back((handle, outcome));
        }
    }

    fn start_discovery(&mut self, now: Instant) {
        let Some(v3) = &mut self.v3 else { return };
        if v3.discovery.is_some() {
            return;
        }
        v3.discovery = Some(Discovery::default());
        self.send_discovery_probe(now);
    }

    /// RFC 3414 § 4: an empty, reportable, noAuthNoPriv request with an empty engine ID and
    /// user name.
    fn send_discovery_probe(&mut self, now: Instant) {
        let msg_id = next_id(&mut self.next_msg_id);
        let request_id = next_id(&mut self.next_request_id);
        let timeout = self.config.timeout;
        let max = self.config.msg_max_size;
        let Some(v3) = &mut self.v3 else { return };
        let scoped = ScopedPdu {
            context_engine_id: Vec::new(),
            context_name: Vec::new(),
            pdu: Pdu::Generic(GenericPdu {
                pdu_type: PduType::GET_REQUEST,
                request_id: i64::from(request_id),
                error_status: ErrorStatus::NO_ERROR,
                error_index: 0,
                varbinds: Vec::new(),
            }),
        };
        let out = Outgoing {
            msg_id,
            msg_max_size: max,
            level: SecurityLevel::NoAuthNoPriv,
            reportable: true,
            engine_id: &[],
            engine_boots: 0,
            engine_time: 0,
            user_name: &[],
            scoped_pdu: &scoped,
        };
        let Ok(bytes) = usm::wrap(&out, None, &mut v3.salt) else { return };
        if let Some(d) = &mut v3.discovery {
            d.msg_ids.push(msg_id);
            d.attempts = d.attempts.saturating_add(1);
            d.deadline = now.checked_add(timeout);
        }
        self.stats.sent = self.stats.sent.saturating_add(1);
        self.transmit.push_back(bytes);
    }

    /// The answer to discovery: learn the engine and release the waiting requests.
    fn discovered(&mut self, data: &[u8], decoded: crate::msg::Decoded, now: Instant) {
        // The Report is unauthenticated (noAuthNoPriv); only its engine fields are used.
        let Ok(a) = usm::unwrap(data, decoded, None) else {
            self.stats.insecure = self.stats.insecure.saturating_add(1);
            return;
        };
        let u = &a.get().usm;
        if u.engine_id.is_empty() {
            self.stats.malformed = self.stats.malformed.saturating_add(1);
            return;
        }
        let boots = u32::try_from(u.engine_boots).unwrap_or(0);
        let time = u32::try_from(u.engine_time).unwrap_or(0);
        let Some(v3) = &mut self.v3 else { return };
        v3.keys = Some(v3.config.user.localize(&u.engine_id));
        v3.engine = Some(EngineState::new(u.engine_id.clone(), boots, time, now));
        v3.discovery = None;
        v3.confirmed = false;
        let waiting: Vec<RequestHandle> =
            self.pending.iter().filter(|(_, p)| p.waiting_for_engine).map(|(h, _)| *h).collect();
        for h in waiting {
            if let Some(p) = self.pending.get_mut(&h) {
                p.waiting_for_engine = false;
            }
            self.transmit_request(h, now);
        }
    }

    fn v3_answer(&mut self, handle: RequestHandle, data: &[u8], decoded: crate::msg::Decoded, now: Instant) {
        let Some(v3) = &mut self.v3 else { return };
        let configured = v3.config.user.level();
        let result = usm::unwrap(data, decoded, v3.keys.as_ref());
        let a = match result {
            Ok(a) => a,
            Err(e) => {
                self.stats.insecure = self.stats.insecure.saturating_add(1);
                if let Some(p) = self.pending.get_mut(&handle) {
                    p.last_failure = Some(e);
                }
                return;
            }
        };
        let level = a.level();
        let msg = a.into_inner();
        let boots = u32::try_from(msg.usm.engine_boots).unwrap_or(0);
        let time = u32::try_from(msg.usm.engine_time).unwrap_or(0);
        if msg.scoped_pdu.pdu.pdu_type() == PduType::REPORT {
            // RFC 3412 § 7.2.13: a Report may come at a lower level than the request.
            let kind = ReportKind::from_varbinds(msg.scoped_pdu.pdu.varbinds())
                .unwrap_or(ReportKind::Other(crate::value::Oid::default()));
            let resynced = self.pending.get(&handle).is_none_or(|p| p.resynced);
            match kind {
                ReportKind::NotInTimeWindow if !resynced => {
                    // RFC 3414 § 4: the Report carries the agent's boots and time. With
                    // authentication configured, only an authenticated Report may move them.
                    if configured == SecurityLevel::NoAuthNoPriv || level >= SecurityLevel::AuthNoPriv {
                        if let Some(e) = &mut v3.engine {
                            e.resync(boots, time, now);
                        }
                        v3.confirmed = v3.confirmed || level >= SecurityLevel::AuthNoPriv;
                        self.resend(handle, now);
                        return;
                    }
                    let privacy = v3.config.user.priv_protocol();
                    self.finish(handle, Err(Error::Report { kind, privacy }));
                }
                ReportKind::UnknownEngineId if !resynced => {
                    // The agent's engine changed (replaced, or re-keyed): discover again.
                    v3.engine = None;
                    v3.keys = None;
                    if let Some(p) = self.pending.get_mut(&handle) {
                        p.resynced = true;
                        p.waiting_for_engine = true;
                        p.deadline = None;
                    }
                    self.start_discovery(now);
                }
                _ => {
                    let privacy = v3.config.user.priv_protocol();
                    self.finish(handle, Err(Error::Report { kind, privacy }));
                }
            }
            return;
        }
        // "never only the packet's msgFlags": the answer must meet the user's level.
        if level != configured {
            self.stats.insecure = self.stats.insecure.saturating_add(1);
            if let Some(p) = self.pending.get_mut(&handle) {
                p.last_failure = Some(UsmError::UnsupportedSecurityLevel {
                    user: String::from_utf8_lossy(&msg.usm.user_name).into_owned(),
                    found: level,
                    configured,
                });
            }
            return;
        }
        if level >= SecurityLevel::AuthNoPriv {
            if let Some(e) = &mut v3.engine
                && let Err(err) = e.check_and_update(boots, time, now)
            {
                self.stats.insecure = self.stats.insecure.saturating_add(1);
                if let Some(p) = self.pending.get_mut(&handle) {
                    p.last_failure = Some(err);
                }
                return;
            }
            v3.confirmed = true;
        }
        let Pdu::Generic(pdu) = msg.scoped_pdu.pdu else {
            self.stats.unmatched = self.stats.unmatched.saturating_add(1);
            return;
        };
        let expected = self.pending.get(&handle).map(|p| i64::from(p.request_id));
        if pdu.pdu_type != PduType::RESPONSE || Some(pdu.request_id) != expected {
            self.stats.unmatched = self.stats.unmatched.saturating_add(1);
            return;
        }
        self.finish(handle, Ok(pdu));
    }

    /// Sends again at once after a resynchronisation; counts as the same attempt.
    fn resend(&mut self, handle: RequestHandle, now: Instant) {
        if let Some(p) = self.pending.get_mut(&handle) {
            p.resynced = true;
            p.attempts = p.attempts.saturating_sub(1);
        }
        self.transmit_request(handle, now);
    }

    /// Encodes and queues one attempt of a request.
    fn transmit_request(&mut self, handle: RequestHandle, now: Instant) {
        let built = self.build(handle, now);
        match built {
            Ok((bytes, wire_id)) => {
                self.by_wire_id.insert(wire_id, handle);
                if let Some(p) = self.pending.get_mut(&handle) {
                    p.wire_ids.push(wire_id);
                    p.attempts = p.attempts.saturating_add(1);
                    p.deadline = now.checked_add(self.config.timeout);
                }
                self.stats.sent = self.stats.sent.saturating_add(1);
                self.transmit.push_back(bytes);
            }
            Err(e) => self.finish(handle, Err(e)),
        }
    }

    fn build(&mut self, handle: RequestHandle, now: Instant) -> Result<(Vec<u8>, i32), Error> {
        let Some(p) = self.pending.get(&handle) else { return Err(Error::Build("unknown request".into())) };
        let pdu = build_pdu(&p.request, p.request_id)?;
        match (&self.config.security, &mut self.v3) {
            (Security::Community { version, community }, _) => {
                if *version == Version::V1 && matches!(pdu, Pdu::Bulk(_)) {
                    return Err(Error::Build("GetBulk needs SNMPv2c or SNMPv3 (-v 2c)".into()));
                }
                if *version == Version::V1 && pdu.pdu_type() == PduType::INFORM_REQUEST {
                    return Err(Error::Build("Inform needs SNMPv2c or SNMPv3 (-v 2c)".into()));
                }
                let message = Message::Community(CommunityMessage {
                    version: *version,
                    community: community.clone(),
                    pdu,
                });
                Ok((message.encode()?, p.request_id))
            }
            (Security::Usm(_), Some(v3)) => {
                let msg_id = next_id(&mut self.next_msg_id);
                let Some(engine) = &v3.engine else {
                    return Err(Error::Build("engine not discovered".into()));
                };
                let scoped = ScopedPdu {
                    context_engine_id: v3
                        .config
                        .context_engine_id
                        .clone()
                        .unwrap_or_else(|| engine.engine_id().to_vec()),
                    context_name: v3.config.context_name.clone(),
                    pdu,
                };
                let out = Outgoing {
                    msg_id,
                    msg_max_size: self.config.msg_max_size,
                    level: v3.config.user.level(),
                    reportable: true,
                    engine_id: engine.engine_id(),
                    engine_boots: engine.boots(),
                    engine_time: engine.time(now),
                    user_name: v3.config.user.user_name(),
                    scoped_pdu: &scoped,
                };
                let bytes = usm::wrap(&out, v3.keys.as_ref(), &mut v3.salt)?;
                if let Some(max) = v3.agent_max_size
                    && bytes.len() > max
                {
                    return Err(Error::Build(format!(
                        "the request is {} bytes, more than the agent's msgMaxSize {max}",
                        bytes.len()
                    )));
                }
                Ok((bytes, msg_id))
            }
            (Security::Usm(_), None) => Err(Error::Build("no v3 state".into())),
        }
    }
}

fn build_pdu(request: &Request, request_id: i32) -> Result<Pdu, Error> {
    let varbinds = request.varbinds.clone();
    let generic = |pdu_type| {
        Pdu::Generic(GenericPdu {
            pdu_type,
            request_id: i64::from(request_id),
            error_status: ErrorStatus::NO_ERROR,
            error_index: 0,
            varbinds,
        })
    };
    Ok(match request.operation {
        Operation::Get => generic(PduType::GET_REQUEST),
        Operation::GetNext => generic(PduType::GET_NEXT_REQUEST),
        Operation::Set => generic(PduType::SET_REQUEST),
        Operation::Inform => generic(PduType::INFORM_REQUEST),
        Operation::GetBulk { non_repeaters, max_repetitions } => {
            if max_repetitions > i32::MAX as u32 || non_repeaters > i32::MAX as u32 {
                return Err(Error::Build(
                    "non-repeaters and max-repetitions must be at most 2147483647".into(),
                ));
            }
            Pdu::Bulk(BulkPdu {
                request_id: i64::from(request_id),
                non_repeaters: i64::from(non_repeaters),
                max_repetitions: i64::from(max_repetitions),
                varbinds: request.varbinds.clone(),
            })
        }
    })
}
