//! Receiving notifications: SNMPv1 Traps, SNMPv2 Traps and Informs, over v1, v2c and v3.
//!
//! [`Session`] is sans-IO: [`Session::handle`] takes one datagram, the sender's address and
//! the time, and returns what arrived ([`Notification`]), the datagram to send back (the
//! Response to an Inform, or a Report), and, for a datagram that was dropped, why
//! ([`Problem`]). The tokio listener (`trap::listener`, feature `tokio`) puts it on sockets.
//!
//! What it does, with the RFC that says so:
//! - v1 Traps are kept as received and also given in SNMPv2 form ([RFC 3584 § 3.1]):
//!   sysUpTime.0, snmpTrapOID.0, the varbinds, then snmpTrapAddress.0, snmpTrapCommunity.0 and
//!   snmpTrapEnterprise.0.
//! - Informs are acknowledged with a Response carrying the same request-id and varbinds
//!   ([RFC 3416 § 4.2.7]). A retransmitted Inform (same sender, security and request-id within
//!   [`ReceiverConfig::duplicate_window`]) is acknowledged again but reported once.
//! - v3 Traps come from an engine that is authoritative itself: the user's keys are localized
//!   to the engine ID in the message, on first use, and cached, so no per-device engine ID
//!   needs configuring. A user may also be bound to one engine ID (`createUser -e`), and the
//!   same user name may have different credentials on different engines. The sender's boots
//!   and time are tracked per engine ([RFC 3414 § 3.2 step 7b]).
//! - For v3 Informs the receiver is the authoritative engine ([RFC 3414 § 4]): it answers
//!   discovery with a usmStatsUnknownEngineIDs Report carrying its engine ID, boots and time,
//!   and checks the time window against its own clock.
//! - Every message is verified at the security level the user is configured for; a message at
//!   a lower level is dropped.
//!
//! Contracts: no I/O, no clocks (time is passed in), no panics on any input, bounded memory
//! (the key, engine and duplicate caches have fixed ceilings).
//!
//! [RFC 3584 § 3.1]: https://www.rfc-editor.org/rfc/rfc3584#section-3.1
//! [RFC 3416 § 4.2.7]: https://www.rfc-editor.org/rfc/rfc3416#section-4.2.7
//! [RFC 3414 § 3.2 step 7b]: https://www.rfc-editor.org/rfc/rfc3414#section-3.2
//! [RFC 3414 § 4]: https://www.rfc-editor.org/rfc/rfc3414#section-4
//!
//! Receiving on a socket ([`Receiver`], feature `tokio`):
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use snmpctl::trap::Receiver;
//! let mut traps = Receiver::bind("127.0.0.1:0").await?;
//! let at = traps.local_addrs()[0];
//! // A v2c linkDown as a device sends it (snmptrap -v2c -c public … linkDown ifIndex.3 i 3).
//! use snmpctl::msg::{CommunityMessage, ErrorStatus, GenericPdu, Message, Pdu, PduType, Version};
//! use snmpctl::value::{Value, VarBind};
//! let linkdown = Message::Community(CommunityMessage {
//!     version: Version::V2c,
//!     community: b"public".to_vec(),
//!     pdu: Pdu::Generic(GenericPdu {
//!         pdu_type: PduType::TRAP_V2,
//!         request_id: 1,
//!         error_status: ErrorStatus::NO_ERROR,
//!         error_index: 0,
//!         varbinds: vec![
//!             VarBind::new("1.3.6.1.2.1.1.3.0".parse()?, Value::TimeTicks(200)),
//!             VarBind::new("1.3.6.1.6.3.1.1.4.1.0".parse()?, Value::ObjectIdentifier("1.3.6.1.6.3.1.1.5.3".parse()?)),
//!             VarBind::new("1.3.6.1.2.1.2.2.1.1.3".parse()?, Value::Integer(3)),
//!         ],
//!     }),
//! });
//! let device = std::net::UdpSocket::bind("127.0.0.1:0")?;
//! device.send_to(&linkdown.encode()?, at)?;
//! let n = traps.recv().await.expect("the trap");
//! assert_eq!(n.trap_oid().map(|o| snmpctl::Mib::shipped().name(&o)).as_deref(), Some("IF-MIB::linkDown"));
//! assert_eq!(n.uptime(), Some(200));
//! let summary = traps.close().await;
//! assert_eq!(summary.queue_drops, 0);
//! # Ok(())
//! # }
//! ```

#[cfg(feature = "tokio")]
pub mod listener;
#[cfg(feature = "tokio")]
mod receiver;
#[cfg(feature = "tokio")]
pub mod state;
pub mod trapd;
mod users;

#[cfg(feature = "tokio")]
pub use receiver::{Receiver, ReceiverBuilder};

pub use users::{UsersFileError, config_words, parse_users};

use crate::msg::{
    CommunityMessage, DecodeError, Decoded, Deviation, ErrorStatus, GenericPdu, GenericTrap, Message, Pdu,
    PduType, ScopedPdu, ScopedPduData, SecurityParameters, TrapV1Pdu, Version,
};
use crate::usm::{
    self, EngineState, LocalEngine, LocalizedKeys, Outgoing, ReportKind, SaltCounter, SecurityLevel,
    UserKeys, UsmError,
};
use crate::value::{Oid, Value, VarBind};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// sysUpTime.0.
pub const SYS_UP_TIME: [u32; 9] = [1, 3, 6, 1, 2, 1, 1, 3, 0];
/// snmpTrapOID.0.
pub const SNMP_TRAP_OID: [u32; 11] = [1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0];
/// snmpTrapEnterprise.0.
pub const SNMP_TRAP_ENTERPRISE: [u32; 11] = [1, 3, 6, 1, 6, 3, 1, 1, 4, 3, 0];
/// snmpTrapAddress.0 (RFC 3584).
pub const SNMP_TRAP_ADDRESS: [u32; 10] = [1, 3, 6, 1, 6, 3, 18, 1, 3, 0];
/// snmpTrapCommunity.0 (RFC 3584).
pub const SNMP_TRAP_COMMUNITY: [u32; 10] = [1, 3, 6, 1, 6, 3, 18, 1, 4, 0];
/// snmpTraps: the generic traps' OIDs are `snmpTraps.(generic-trap + 1)`.
pub const SNMP_TRAPS: [u32; 9] = [1, 3, 6, 1, 6, 3, 1, 1, 5];

/// Ceilings on the caches, so a sender inventing engine IDs cannot grow memory without bound.
const MAX_CACHED_KEYS: usize = 16_384;
const MAX_ENGINES: usize = 16_384;
const MAX_RECENT_INFORMS: usize = 65_536;

fn oid(arcs: &[u32]) -> Oid {
    Oid::new(arcs).unwrap_or_default()
}

/// A v3 user notifications are accepted from.
#[derive(Debug, Clone)]
pub struct TrapUser {
    /// The user's keys (master keys, localized per engine as messages arrive).
    pub keys: UserKeys,
    /// Only for this engine (`createUser -e`); `None`: any engine.
    pub engine_id: Option<Vec<u8>>,
    /// The lowest security level accepted from this user (default: the level its keys allow).
    pub min_level: SecurityLevel,
}

impl TrapUser {
    /// A user accepted from any engine at the level its keys allow.
    pub fn new(keys: UserKeys) -> TrapUser {
        let min_level = keys.level();
        TrapUser { keys, engine_id: None, min_level }
    }
}

/// What the receiver accepts.
#[derive(Debug, Clone)]
pub struct ReceiverConfig {
    /// Communities accepted for v1 and v2c; empty: any.
    pub communities: Vec<Vec<u8>>,
    /// v3 users.
    pub users: Vec<TrapUser>,
    /// Our engine, authoritative for v3 Informs.
    pub engine: LocalEngine,
    /// How long a retransmitted Inform is recognised as one.
    pub duplicate_window: Duration,
    /// msgMaxSize we announce in v3 replies.
    pub msg_max_size: i32,
}

impl ReceiverConfig {
    /// Any community, no v3 users, duplicates recognised for 60 s.
    pub fn new(engine: LocalEngine) -> ReceiverConfig {
        ReceiverConfig {
            communities: Vec::new(),
            users: Vec::new(),
            engine,
            duplicate_window: Duration::from_secs(60),
            msg_max_size: 65507,
        }
    }
}

/// Who sent the notification, as the message says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sender {
    /// v1 or v2c.
    Community(Vec<u8>),
    /// v3 USM.
    Usm {
        /// msgUserName.
        user: Vec<u8>,
        /// msgAuthoritativeEngineID: the sender's engine for a Trap, ours for an Inform.
        engine_id: Vec<u8>,
        /// msgAuthoritativeEngineBoots, as the message said.
        engine_boots: u32,
        /// msgAuthoritativeEngineTime, as the message said.
        engine_time: u32,
        /// The level the message was verified at.
        level: SecurityLevel,
        /// contextEngineID.
        context_engine_id: Vec<u8>,
        /// contextName.
        context_name: Vec<u8>,
    },
}

/// A received notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Where it came from.
    pub from: SocketAddr,
    /// The message version.
    pub version: Version,
    /// Community or v3 user.
    pub sender: Sender,
    /// Trap (v1), SNMPv2-Trap or InformRequest.
    pub pdu_type: PduType,
    /// request-id (v2 PDUs).
    pub request_id: Option<i64>,
    /// The v1 Trap's own fields (its varbinds are in `varbinds`).
    pub trap_v1: Option<TrapV1Pdu>,
    /// The varbinds as received.
    pub varbinds: Vec<VarBind>,
    /// Departures from the standard the decoder worked around.
    pub deviations: Vec<Deviation>,
}

impl Notification {
    /// The varbinds in SNMPv2 form: as received for v2 PDUs; for a v1 Trap, translated as
    /// RFC 3584 § 3.1 says.
    pub fn v2_varbinds(&self) -> Vec<VarBind> {
        let Some(t) = &self.trap_v1 else { return self.varbinds.clone() };
        let mut out = Vec::with_capacity(self.varbinds.len().saturating_add(5));
        out.push(VarBind::new(oid(&SYS_UP_TIME), Value::TimeTicks(t.time_stamp)));
        out.push(VarBind::new(oid(&SNMP_TRAP_OID), Value::ObjectIdentifier(v1_trap_oid(t))));
        out.extend(self.varbinds.iter().cloned());
        let present = |o: &Oid| self.varbinds.iter().any(|vb| &vb.oid == o);
        let address = oid(&SNMP_TRAP_ADDRESS);
        // Net-SNMP (convert_v1pdu_to_v2) adds none for agent-addr 0.0.0.0, "unknown".
        if !present(&address) && t.agent_addr != [0; 4] {
            out.push(VarBind::new(address, Value::IpAddress(t.agent_addr)));
        }
        let community = oid(&SNMP_TRAP_COMMUNITY);
        if let Sender::Community(c) = &self.sender
            && !present(&community)
        {
            out.push(VarBind::new(community, Value::OctetString(c.clone())));
        }
        let enterprise = oid(&SNMP_TRAP_ENTERPRISE);
        if !present(&enterprise) {
            out.push(VarBind::new(enterprise, Value::ObjectIdentifier(t.enterprise.clone())));
        }
        out
    }

    /// The notification as snmptrapd hands it to a `traphandle -F` format: a v1 Trap becomes
    /// an SNMPv2-Trap with its varbinds in SNMPv2 form ([`Notification::v2_varbinds`]), keeping
    /// its version, community and v1 fields (which the `%N`, `%w`, `%q`, `%a` codes print); any
    /// other notification is as it is.
    pub fn as_v2(&self) -> Notification {
        match &self.trap_v1 {
            None => self.clone(),
            Some(_) => {
                Notification { pdu_type: PduType::TRAP_V2, varbinds: self.v2_varbinds(), ..self.clone() }
            }
        }
    }

    /// snmpTrapOID: the second varbind of a v2 notification, or the v1 Trap's translation.
    pub fn trap_oid(&self) -> Option<Oid> {
        if let Some(t) = &self.trap_v1 {
            return Some(v1_trap_oid(t));
        }
        let want = oid(&SNMP_TRAP_OID);
        self.varbinds.iter().find(|vb| vb.oid == want).and_then(|vb| match &vb.value {
            Value::ObjectIdentifier(o) => Some(o.clone()),
            _ => None,
        })
    }

    /// sysUpTime: the v1 time-stamp, or the value of sysUpTime.0 in a v2 notification.
    pub fn uptime(&self) -> Option<u32> {
        if let Some(t) = &self.trap_v1 {
            return Some(t.time_stamp);
        }
        let want = oid(&SYS_UP_TIME);
        self.varbinds.iter().find(|vb| vb.oid == want).and_then(|vb| match vb.value {
            Value::TimeTicks(t) => Some(t),
            _ => None,
        })
    }
}

/// RFC 3584 § 3.1 (2): snmpTraps.(generic + 1) for generic traps, enterprise.0.specific for
/// enterpriseSpecific.
pub fn v1_trap_oid(t: &TrapV1Pdu) -> Oid {
    match u32::try_from(t.generic_trap.0) {
        Ok(g @ 0..=5) => oid(&SNMP_TRAPS).join(&[g.saturating_add(1)]).unwrap_or_default(),
        _ => {
            let specific = u32::try_from(t.specific_trap).unwrap_or(0);
            t.enterprise.join(&[0, specific]).unwrap_or_else(|_| t.enterprise.clone())
        }
    }
}

/// Why a datagram was dropped. Each variant is one counter of [`Counters`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// Not an SNMP message.
    #[error("malformed message: {0}")]
    Malformed(DecodeError),
    /// A community outside `--community`.
    #[error("community {0:?} is not accepted (snmpInBadCommunityNames)")]
    BadCommunity(String),
    /// USM processing failed.
    #[error("{0}")]
    Usm(UsmError),
    /// The message verified at a lower level than its user is configured for.
    #[error("user {user:?} sent at {found}, but is configured for at least {configured}")]
    LevelTooLow {
        /// The user.
        user: String,
        /// The message's level.
        found: SecurityLevel,
        /// The user's minimum.
        configured: SecurityLevel,
    },
    /// A PDU that is not a notification (a Get sent to the trap port, a Response, …).
    #[error("{0} is not a notification; dropped")]
    NotANotification(String),
}

/// What happened to every datagram, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    /// Datagrams handled.
    pub datagrams: u64,
    /// Notifications accepted (retransmitted Informs counted once).
    pub notifications: u64,
    /// Informs acknowledged (retransmissions included).
    pub informs_acknowledged: u64,
    /// Retransmitted Informs, acknowledged again but not reported.
    pub duplicates: u64,
    /// v3 discovery requests answered.
    pub discoveries: u64,
    /// Reports sent.
    pub reports: u64,
    /// Not SNMP.
    pub malformed: u64,
    /// Community not accepted.
    pub bad_community: u64,
    /// usmStatsUnknownUserNames.
    pub unknown_users: u64,
    /// usmStatsWrongDigests.
    pub wrong_digests: u64,
    /// usmStatsDecryptionErrors.
    pub decryption_errors: u64,
    /// usmStatsNotInTimeWindows.
    pub not_in_time_window: u64,
    /// usmStatsUnknownEngineIDs (other than discovery).
    pub unknown_engine_ids: u64,
    /// usmStatsUnsupportedSecLevels, and messages below the user's configured level.
    pub unsupported_levels: u64,
    /// Other security failures (unknown security model, invalid message).
    pub other_security: u64,
    /// PDUs that are not notifications.
    pub not_notifications: u64,
}

impl Counters {
    /// Dropped datagrams, all kinds.
    pub fn dropped(&self) -> u64 {
        [
            self.malformed,
            self.bad_community,
            self.unknown_users,
            self.wrong_digests,
            self.decryption_errors,
            self.not_in_time_window,
            self.unknown_engine_ids,
            self.unsupported_levels,
            self.other_security,
            self.not_notifications,
        ]
        .iter()
        .fold(0u64, |a, b| a.saturating_add(*b))
    }

    /// `name=value` pairs, non-zero drops only, for a summary line.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} datagrams, {} notifications, {} informs acknowledged, {} retransmitted informs",
            self.datagrams, self.notifications, self.informs_acknowledged, self.duplicates
        );
        let drops = [
            ("malformed", self.malformed),
            ("bad community", self.bad_community),
            ("unknown user", self.unknown_users),
            ("wrong digest", self.wrong_digests),
            ("decryption error", self.decryption_errors),
            ("not in time window", self.not_in_time_window),
            ("unknown engine ID", self.unknown_engine_ids),
            ("security level", self.unsupported_levels),
            ("other security", self.other_security),
            ("not a notification", self.not_notifications),
        ];
        s.push_str(&format!("; dropped {}", self.dropped()));
        let parts: Vec<String> =
            drops.iter().filter(|(_, n)| *n > 0).map(|(what, n)| format!("{what} {n}")).collect();
        if !parts.is_empty() {
            s.push_str(&format!(" ({})", parts.join(", ")));
        }
        s
    }
}

/// The result of one datagram.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Handled {
    /// The notification, unless the datagram was dropped or repeats an Inform already reported.
    pub notification: Option<Notification>,
    /// A datagram to send back to the sender: a Response or a Report.
    pub reply: Option<Vec<u8>>,
    /// Why the datagram was dropped.
    pub problem: Option<Problem>,
}

/// The sans-IO notification receiver. See the module docs.
#[derive(Debug)]
pub struct Session {
    config: ReceiverConfig,
    /// (user index, engine ID) → keys.
    keys: HashMap<(usize, Vec<u8>), LocalizedKeys>,
    /// Sender engines' boots and time (v3 Traps).
    engines: HashMap<Vec<u8>, EngineState>,
    recent: HashMap<InformKey, Instant>,
    recent_order: VecDeque<(Instant, InformKey)>,
    salt: SaltCounter,
    counters: Counters,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct InformKey {
    from: SocketAddr,
    sender: Vec<u8>,
    request_id: i64,
}

impl Session {
    /// A receiver; `seed` starts the salt sequence of encrypted replies.
    pub fn new(config: ReceiverConfig, seed: u64) -> Session {
        Session {
            config,
            keys: HashMap::new(),
            engines: HashMap::new(),
            recent: HashMap::new(),
            recent_order: VecDeque::new(),
            salt: SaltCounter::new(seed),
            counters: Counters::default(),
        }
    }

    /// The counters so far.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Takes `users` instead of the v3 users it has (keys localized so far are dropped).
    pub fn set_users(&mut self, users: Vec<TrapUser>) {
        self.config.users = users;
        self.keys.clear();
    }

    /// Our engine.
    pub fn engine(&self) -> &LocalEngine {
        &self.config.engine
    }

    /// Handles one datagram from `from` at `now`.
    pub fn handle(&mut self, data: &[u8], from: SocketAddr, now: Instant) -> Handled {
        self.counters.datagrams = self.counters.datagrams.saturating_add(1);
        let decoded = match Message::decode_detailed(data) {
            Ok(d) => d,
            Err(e) => return self.drop(Problem::Malformed(e)),
        };
        match decoded.message {
            Message::Community(m) => self.community(m, decoded.deviations, from, now),
            Message::V3(_) => self.v3(data, decoded, from, now),
        }
    }

    fn count(&mut self, problem: &Problem) {
        let c = &mut self.counters;
        let slot = match problem {
            Problem::Malformed(_) => &mut c.malformed,
            Problem::BadCommunity(_) => &mut c.bad_community,
            Problem::LevelTooLow { .. } => &mut c.unsupported_levels,
            Problem::NotANotification(_) => &mut c.not_notifications,
            Problem::Usm(e) => match e {
                UsmError::UnknownUserName { .. } => &mut c.unknown_users,
                UsmError::WrongDigest { .. } => &mut c.wrong_digests,
                UsmError::DecryptionError { .. } => &mut c.decryption_errors,
                UsmError::NotInTimeWindow { .. } => &mut c.not_in_time_window,
                UsmError::UnknownEngineId { .. } => &mut c.unknown_engine_ids,
                UsmError::UnsupportedSecurityLevel { .. } => &mut c.unsupported_levels,
                _ => &mut c.other_security,
            },
        };
        *slot = slot.saturating_add(1);
    }

    fn drop(&mut self, problem: Problem) -> Handled {
        self.count(&problem);
        Handled { notification: None, reply: None, problem: Some(problem) }
    }

    fn community(
        &mut self,
        m: CommunityMessage,
        deviations: Vec<Deviation>,
        from: SocketAddr,
        now: Instant,
    ) -> Handled {
        if !self.config.communities.is_empty() && !self.config.communities.contains(&m.community) {
            return self.drop(Problem::BadCommunity(String::from_utf8_lossy(&m.community).into_owned()));
        }
        let CommunityMessage { version, community, pdu } = m;
        let (pdu_type, request_id, trap_v1, varbinds) = match pdu {
            Pdu::TrapV1(mut t) => {
                let varbinds = std::mem::take(&mut t.varbinds);
                (PduType::TRAP_V1, None, Some(t), varbinds)
            }
            Pdu::Generic(g) if g.pdu_type == PduType::TRAP_V2 || g.pdu_type == PduType::INFORM_REQUEST => {
                (g.pdu_type, Some(g.request_id), None, g.varbinds)
            }
            other => return self.drop(Problem::NotANotification(other.pdu_type().label())),
        };
        let mut handled = Handled::default();
        if pdu_type == PduType::INFORM_REQUEST {
            let response = Message::Community(CommunityMessage {
                version,
                community: community.clone(),
                pdu: Pdu::Generic(response_to(request_id.unwrap_or(0), &varbinds)),
            });
            handled.reply = response.encode().ok();
            let key = InformKey { from, sender: community.clone(), request_id: request_id.unwrap_or(0) };
            if self.acknowledged_again(key, now) {
                return handled;
            }
        }
        self.counters.notifications = self.counters.notifications.saturating_add(1);
        handled.notification = Some(Notification {
            from,
            version,
            sender: Sender::Community(community),
            pdu_type,
            request_id,
            trap_v1,
            varbinds,
            deviations,
        });
        handled
    }

    /// Counts an acknowledged Inform; true when it repeats one reported within the duplicate
    /// window (it is then counted as a duplicate and not reported again).
    fn acknowledged_again(&mut self, key: InformKey, now: Instant) -> bool {
        self.counters.informs_acknowledged = self.counters.informs_acknowledged.saturating_add(1);
        let repeat = self.seen_before(key, now);
        if repeat {
            self.counters.duplicates = self.counters.duplicates.saturating_add(1);
        }
        repeat
    }

    /// Whether this Inform was reported within the duplicate window; records it if not.
    fn seen_before(&mut self, key: InformKey, now: Instant) -> bool {
        let window = self.config.duplicate_window;
        while let Some((t, _)) = self.recent_order.front() {
            if now.saturating_duration_since(*t) <= window && self.recent_order.len() < MAX_RECENT_INFORMS {
                break;
            }
            if let Some((t, k)) = self.recent_order.pop_front()
                && self.recent.get(&k) == Some(&t)
            {
                self.recent.remove(&k);
            }
        }
        if let Some(t) = self.recent.get(&key)
            && now.saturating_duration_since(*t) <= window
        {
            return true;
        }
        self.recent.insert(key.clone(), now);
        self.recent_order.push_back((now, key));
        false
    }

    fn v3(&mut self, data: &[u8], decoded: Decoded, from: SocketAddr, now: Instant) -> Handled {
        let Message::V3(m) = &decoded.message else { return Handled::default() };
        let msg_id = m.header.msg_id;
        let reportable = m.header.msg_flags.reportable();
        let SecurityParameters::Usm(u) = &m.security else {
            return self.drop(Problem::Usm(UsmError::UnknownSecurityModel(m.header.security_model.0)));
        };
        let user = u.user_name.clone();
        let engine_id = u.engine_id.clone();
        let plaintext_request_id = match &m.data {
            ScopedPduData::Plaintext(s) => s.pdu.request_id(),
            ScopedPduData::Encrypted(_) => None,
        };
        let ours = engine_id == self.config.engine.engine_id();
        if !ours && reportable {
            // A request or Inform for an engine that is not ours: discovery (empty engine ID)
            // or a sender that must learn our engine ID (RFC 3414 § 3.2 step 3).
            let discovery = engine_id.is_empty();
            if discovery {
                self.counters.discoveries = self.counters.discoveries.saturating_add(1);
            } else {
                self.counters.unknown_engine_ids = self.counters.unknown_engine_ids.saturating_add(1);
            }
            let reply =
                self.report(msg_id, plaintext_request_id, ReportKind::UnknownEngineId, &[], None, now);
            return Handled { notification: None, reply, problem: None };
        }
        let candidates: Vec<usize> = self.candidates(&user, &engine_id);
        if candidates.is_empty() {
            let e = UsmError::UnknownUserName { user: String::from_utf8_lossy(&user).into_owned() };
            let reply = if reportable {
                self.report(msg_id, plaintext_request_id, ReportKind::UnknownUserName, &[], None, now)
            } else {
                None
            };
            let mut h = self.drop(Problem::Usm(e));
            h.reply = reply;
            return h;
        }
        let mut first_error = None;
        let mut verified = None;
        let last = candidates.len().saturating_sub(1);
        let mut decoded = Some(decoded);
        for (i, index) in candidates.into_iter().enumerate() {
            let Some(keys) = self.localized(index, &engine_id) else { continue };
            // The message is cloned only when another candidate may need it.
            let Some(d) = (if i == last { decoded.take() } else { decoded.clone() }) else { break };
            match usm::unwrap(data, d, Some(&keys)) {
                Ok(a) => {
                    verified = Some((index, keys, a));
                    break;
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        let Some((index, keys, a)) = verified else {
            let e = first_error.unwrap_or(UsmError::InvalidMsg("no keys".into()));
            let reply = if reportable {
                e.report_kind().and_then(|k| self.report(msg_id, plaintext_request_id, k, &user, None, now))
            } else {
                None
            };
            let mut h = self.drop(Problem::Usm(e));
            h.reply = reply;
            return h;
        };
        let level = a.level();
        let min_level = self.config.users.get(index).map_or(SecurityLevel::NoAuthNoPriv, |u| u.min_level);
        let msg = a.into_inner();
        if level < min_level {
            return self.drop(Problem::LevelTooLow {
                user: String::from_utf8_lossy(&user).into_owned(),
                found: level,
                configured: min_level,
            });
        }
        let boots = u32::try_from(msg.usm.engine_boots).unwrap_or(u32::MAX);
        let time = u32::try_from(msg.usm.engine_time).unwrap_or(u32::MAX);
        let request_id = msg.scoped_pdu.pdu.request_id();
        if level >= SecurityLevel::AuthNoPriv {
            let window = if ours {
                self.config.engine.check(boots, time, now)
            } else {
                self.sender_window(&engine_id, boots, time, now)
            };
            if let Err(e) = window {
                let reply = if reportable && ours {
                    self.report(msg_id, request_id, ReportKind::NotInTimeWindow, &user, Some(&keys), now)
                } else {
                    None
                };
                let mut h = self.drop(Problem::Usm(e));
                h.reply = reply;
                return h;
            }
        }
        let ScopedPdu { context_engine_id, context_name, pdu } = msg.scoped_pdu;
        let (pdu_type, varbinds) = match pdu {
            Pdu::Generic(g) if g.pdu_type == PduType::TRAP_V2 || g.pdu_type == PduType::INFORM_REQUEST => {
                (g.pdu_type, g.varbinds)
            }
            other => return self.drop(Problem::NotANotification(other.pdu_type().label())),
        };
        let mut handled = Handled::default();
        if pdu_type == PduType::INFORM_REQUEST {
            let scoped = ScopedPdu {
                context_engine_id: context_engine_id.clone(),
                context_name: context_name.clone(),
                pdu: Pdu::Generic(response_to(request_id.unwrap_or(0), &varbinds)),
            };
            let out = Outgoing {
                msg_id: i32::try_from(msg_id).unwrap_or(0),
                msg_max_size: self.config.msg_max_size,
                level,
                reportable: false,
                engine_id: self.config.engine.engine_id(),
                engine_boots: self.config.engine.boots(),
                engine_time: self.config.engine.time(now),
                user_name: &user,
                scoped_pdu: &scoped,
            };
            handled.reply = usm::wrap(&out, Some(&keys), &mut self.salt).ok();
            let mut sender = user.clone();
            sender.push(0);
            sender.extend_from_slice(&engine_id);
            let key = InformKey { from, sender, request_id: request_id.unwrap_or(0) };
            if self.acknowledged_again(key, now) {
                return handled;
            }
        }
        self.counters.notifications = self.counters.notifications.saturating_add(1);
        handled.notification = Some(Notification {
            from,
            version: Version::V3,
            sender: Sender::Usm {
                user,
                engine_id,
                engine_boots: boots,
                engine_time: time,
                level,
                context_engine_id,
                context_name,
            },
            pdu_type,
            request_id,
            trap_v1: None,
            varbinds,
            deviations: msg.deviations,
        });
        handled
    }

    /// The users that may have sent a message as `user` from `engine_id`: those bound to this
    /// engine first, then those accepted from any engine.
    fn candidates(&self, user: &[u8], engine_id: &[u8]) -> Vec<usize> {
        let named = || self.config.users.iter().enumerate().filter(|(_, u)| u.keys.user_name() == user);
        let bound = named().filter(|(_, u)| u.engine_id.as_deref() == Some(engine_id)).map(|(i, _)| i);
        let any = named().filter(|(_, u)| u.engine_id.is_none()).map(|(i, _)| i);
        bound.chain(any).collect()
    }

    /// The keys of user `index` for `engine_id`, localized once and cached.
    fn localized(&mut self, index: usize, engine_id: &[u8]) -> Option<LocalizedKeys> {
        let key = (index, engine_id.to_vec());
        if let Some(k) = self.keys.get(&key) {
            return Some(k.clone());
        }
        let k = self.config.users.get(index)?.keys.localize(engine_id);
        if self.keys.len() >= MAX_CACHED_KEYS {
            self.keys.clear();
        }
        self.keys.insert(key, k.clone());
        Some(k)
    }

    /// RFC 3414 § 3.2 step 7b for a Trap's sender: the first authenticated message sets our
    /// notion of its boots and time; later ones must fall in the window.
    fn sender_window(
        &mut self,
        engine_id: &[u8],
        boots: u32,
        time: u32,
        now: Instant,
    ) -> Result<(), UsmError> {
        if let Some(e) = self.engines.get_mut(engine_id) {
            return e.check_and_update(boots, time, now);
        }
        if self.engines.len() >= MAX_ENGINES {
            self.engines.clear();
        }
        self.engines.insert(engine_id.to_vec(), EngineState::new(engine_id.to_vec(), boots, time, now));
        Ok(())
    }

    /// A Report naming usmStats counter `counter` (RFC 3414 § 3.2): noAuthNoPriv, or
    /// authNoPriv with `keys` (a notInTimeWindows Report to a known user, so it can
    /// resynchronise).
    fn report(
        &mut self,
        msg_id: i64,
        request_id: Option<i64>,
        counter: ReportKind,
        user: &[u8],
        keys: Option<&LocalizedKeys>,
        now: Instant,
    ) -> Option<Vec<u8>> {
        let c = &self.counters;
        let value = match counter {
            ReportKind::UnsupportedSecLevel => c.unsupported_levels,
            ReportKind::NotInTimeWindow => c.not_in_time_window,
            ReportKind::UnknownUserName => c.unknown_users,
            ReportKind::UnknownEngineId => c.unknown_engine_ids.saturating_add(c.discoveries),
            ReportKind::WrongDigest => c.wrong_digests,
            _ => c.decryption_errors,
        };
        let report = usm::Report {
            msg_id,
            request_id,
            counter,
            value: u32::try_from(value & 0xFFFF_FFFF).unwrap_or(0),
            user,
            keys,
        };
        let bytes = self.config.engine.report(&report, self.config.msg_max_size, &mut self.salt, now)?;
        self.counters.reports = self.counters.reports.saturating_add(1);
        Some(bytes)
    }
}

/// The Response to an Inform: same request-id and varbinds, noError (RFC 3416 § 4.2.7).
fn response_to(request_id: i64, varbinds: &[VarBind]) -> GenericPdu {
    GenericPdu {
        pdu_type: PduType::RESPONSE,
        request_id,
        error_status: ErrorStatus::NO_ERROR,
        error_index: 0,
        varbinds: varbinds.to_vec(),
    }
}

/// The name snmptrapd prints for a generic trap.
pub fn generic_trap_text(g: GenericTrap) -> &'static str {
    match g.0 {
        0 => "Cold Start Trap",
        1 => "Warm Start Trap",
        2 => "Link Down Trap",
        3 => "Link Up Trap",
        4 => "Authentication Failure Trap",
        5 => "EGP Neighbor Loss Trap",
        6 => "Enterprise Specific Trap",
        _ => "Unknown Trap Type",
    }
}
