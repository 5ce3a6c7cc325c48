//! Receiving notifications in a program: bind, then [`Receiver::recv`] each one.
//!
//! The receiver runs the same listener as `snmpctl listen` (large receive buffers, many
//! datagrams per system call, Informs acknowledged, v3 keys localized per sender) on its own
//! task, and queues what arrives for the caller. A queue that overflows while the caller is
//! busy loses notifications, and says how many ([`Summary::queue_drops`] from
//! [`Receiver::close`], [`Receiver::dropped`] while running).

use super::listener::{self, Event, Sink, Summary};
use super::{Notification, ReceiverConfig, Session, TrapUser};
use crate::Error;
use crate::transport::Usm;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{mpsc, watch};

/// Notifications queued for the caller unless [`ReceiverBuilder::queue`] says otherwise.
const DEFAULT_QUEUE: usize = 65_536;

/// A running notification receiver.
///
/// ```no_run
/// # async fn run() -> Result<(), snmpctl::Error> {
/// use snmpctl::trap::Receiver;
/// let mut traps = Receiver::bind("0.0.0.0:1162").await?;
/// while let Some(n) = traps.recv().await {
///     let name = n.trap_oid().map(|o| snmpctl::Mib::shipped().name(&o));
///     println!("{} from {}: {:?}", n.pdu_type, n.from, name);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Receiver {
    events: mpsc::Receiver<Event>,
    local: Vec<SocketAddr>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Summary>,
    dropped: Arc<AtomicU64>,
}

/// What to accept and where to keep the engine; [`ReceiverBuilder::bind`] starts receiving.
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until bind() is called"]
pub struct ReceiverBuilder {
    communities: Vec<Vec<u8>>,
    users: Vec<(Usm, Option<Vec<u8>>)>,
    users_text: Vec<String>,
    trap_users: Vec<TrapUser>,
    engine_id: Option<Vec<u8>>,
    state_file: Option<std::path::PathBuf>,
    queue: Option<usize>,
}

impl Receiver {
    /// Receives on `addr` (`"0.0.0.0:162"`, `"[::]:1162"`, `"127.0.0.1:0"`) from any
    /// community, SNMPv1 and v2c; SNMPv3 needs users ([`Receiver::builder`]).
    ///
    /// # Errors
    /// As [`ReceiverBuilder::bind`].
    pub async fn bind(addr: &str) -> Result<Receiver, Error> {
        Receiver::builder().bind(addr).await
    }

    /// A builder: communities, v3 users, the engine ID and where to keep it.
    pub fn builder() -> ReceiverBuilder {
        ReceiverBuilder::default()
    }

    /// The next notification; `None` once the receiver has stopped. Datagrams that were
    /// dropped (malformed, unknown community or user, bad digest) are skipped here and
    /// counted ([`Receiver::close`]); [`Receiver::recv_event`] gives them too.
    pub async fn recv(&mut self) -> Option<Notification> {
        loop {
            match self.events.recv().await? {
                Event::Notification { notification, .. } => return Some(notification),
                Event::Problem { .. } => {}
            }
        }
    }

    /// The next notification or dropped datagram (with why it was dropped), with the time it
    /// arrived.
    pub async fn recv_event(&mut self) -> Option<Event> {
        self.events.recv().await
    }

    /// The addresses bound (with the port the system chose for port 0).
    pub fn local_addrs(&self) -> &[SocketAddr] {
        &self.local
    }

    /// Notifications lost so far because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Stops receiving: what the sockets already hold is still taken in; returns what the
    /// run saw (notifications, drops by cause, queue losses).
    pub async fn close(self) -> Summary {
        let _ = self.stop.send(true);
        drop(self.events);
        self.task.await.unwrap_or_default()
    }
}

impl ReceiverBuilder {
    /// Accepts v1 and v2c only with this community (repeatable); by default any community.
    pub fn community(mut self, community: impl AsRef<[u8]>) -> ReceiverBuilder {
        self.communities.push(community.as_ref().to_vec());
        self
    }

    /// Accepts SNMPv3 from this user, from any engine (keys are localized to each sender's
    /// engine ID as its first message arrives), at the level its keys allow.
    pub fn user(mut self, user: Usm) -> ReceiverBuilder {
        self.users.push((user, None));
        self
    }

    /// Accepts SNMPv3 from this user only from the engine `engine_id` (`createUser -e`).
    pub fn user_for_engine(mut self, user: Usm, engine_id: impl AsRef<[u8]>) -> ReceiverBuilder {
        self.users.push((user, Some(engine_id.as_ref().to_vec())));
        self
    }

    /// Accepts SNMPv3 from users already built ([`super::parse_users`], keys given as master
    /// or localized keys).
    pub fn trap_users(mut self, users: impl IntoIterator<Item = TrapUser>) -> ReceiverBuilder {
        self.trap_users.extend(users);
        self
    }

    /// Users in snmptrapd.conf's syntax (`createUser [-e ID] NAME SHA-256 PASS AES PASS`,
    /// `authUser log NAME authPriv`); other lines are ignored.
    pub fn users_text(mut self, text: impl Into<String>) -> ReceiverBuilder {
        self.users_text.push(text.into());
        self
    }

    /// Our engine ID (5 to 32 octets), authoritative for v3 Informs; by default the one kept
    /// in the state file, else a random one.
    pub fn engine_id(mut self, id: impl AsRef<[u8]>) -> ReceiverBuilder {
        self.engine_id = Some(id.as_ref().to_vec());
        self
    }

    /// Keeps the engine ID and boots in this file (created if missing; a boot is counted at
    /// each `bind`), so v3 senders of Informs need not rediscover it. By default they live in
    /// memory only.
    pub fn state_file(mut self, path: impl Into<std::path::PathBuf>) -> ReceiverBuilder {
        self.state_file = Some(path.into());
        self
    }

    /// How many notifications wait for [`Receiver::recv`] at most (65,536 by default).
    pub fn queue(mut self, notifications: usize) -> ReceiverBuilder {
        self.queue = Some(notifications.max(1));
        self
    }

    /// The receiver this builder describes, sans-IO, for a program that runs it on sockets of
    /// its own ([`listener::run`] with its own [`Sink`]; `snmpctl listen` does): a boot is
    /// counted in the state file, and a state file that could not be written comes back beside
    /// the receiver (its engine ID then lives in memory only).
    ///
    /// # Errors
    /// [`Error::Session`] for unusable user credentials, [`Error::Io`] for users text that does
    /// not parse or no randomness from the system.
    pub fn session(self) -> Result<(Session, Option<std::io::Error>), Error> {
        // Everything that can fail first: a receiver that cannot start counts no boot.
        let mut users = Vec::new();
        for (user, engine_id) in &self.users {
            let usm = user.usm_config()?;
            users.push(TrapUser { engine_id: engine_id.clone(), ..TrapUser::new(usm.user) });
        }
        for text in &self.users_text {
            users.extend(super::parse_users(text).map_err(|e| Error::Io {
                context: "reading the users".into(),
                message: e.to_string(),
                kind: std::io::ErrorKind::InvalidData,
            })?);
        }
        users.extend(self.trap_users);
        let seed = Error::random_seed("starting the receiver")?;
        let (mut engine, problem) = super::state::load(self.state_file.as_deref(), true);
        if let Some(id) = self.engine_id {
            engine.engine_id = id;
        }
        let mut config = ReceiverConfig::new(engine.local_engine());
        config.communities = self.communities;
        config.users = users;
        Ok((Session::new(config, seed), problem))
    }

    /// Binds `addr` (UDP; `tcp:ADDR` for TCP, RFC 3430) and starts receiving.
    ///
    /// # Errors
    /// [`Error::Target`] for an address that is not `IP:port`, [`Error::Io`] when it cannot
    /// be bound (port 162 needs privilege) or the state file cannot be kept, [`Error::Session`]
    /// for unusable user credentials.
    pub async fn bind(self, addr: &str) -> Result<Receiver, Error> {
        let (tcp, text) = match addr.strip_prefix("tcp:") {
            Some(rest) => (true, rest),
            None => (false, addr.strip_prefix("udp:").unwrap_or(addr)),
        };
        let target = crate::transport::Target::parse(text, 162)?;
        let ip: std::net::IpAddr = target.host.parse().map_err(|_| Error::Io {
            context: format!("binding {addr}"),
            message: "a receiver binds an IP address, not a name".into(),
            kind: std::io::ErrorKind::InvalidInput,
        })?;
        let at = SocketAddr::new(ip, target.port);
        let socket = if tcp { listener::bind_tcp(at).await } else { listener::bind_udp(at) }
            .map_err(|e| Error::io(format!("binding {addr}"), &e))?;
        let local = vec![socket.local_addr().map_err(|e| Error::io("binding", &e))?];

        let queue = self.queue.unwrap_or(DEFAULT_QUEUE);
        let (session, problem) = self.session()?;
        if let Some(e) = problem {
            return Err(Error::io("keeping the engine state", &e));
        }
        let (tx, events) = mpsc::channel(queue);
        let dropped = Arc::new(AtomicU64::new(0));
        let sink = Queue { tx, dropped: Arc::clone(&dropped) };
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(listener::run(vec![socket], session, sink, stopped));
        Ok(Receiver { events, local, stop, task, dropped })
    }
}

/// The sink that queues events for [`Receiver::recv`].
struct Queue {
    tx: mpsc::Sender<Event>,
    dropped: Arc<AtomicU64>,
}

impl Sink for Queue {
    fn push(&mut self, event: Event) -> bool {
        let ok = self.tx.try_send(event).is_ok();
        if !ok {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        ok
    }
}
