//! The tokio driver for [`crate::client::Session`]: one UDP socket (or one TCP connection,
//! RFC 3430), many requests in flight.
//!
//! [`Client`] is a cheap handle that any number of tasks may clone and use at once; protocol
//! decisions all live in the session ([`crate::client::Session`]). Over UDP the session and
//! the socket are shared under a lock: a request goes on the wire from the task that makes it,
//! and a driver task receives and keeps time. Over TCP a driver task owns the connection and
//! the session and moves bytes and time between them (quinn's `ConnectionDriver`).
//!
//! A whole round trip on loopback, against the simulated agent of [`crate::agent`]:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use snmpctl::agent::{self, Responder};
//! use snmpctl::{Client, Value};
//!
//! let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
//! let addr = socket.local_addr()?;
//! let device = Responder::new([("1.3.6.1.2.1.1.5.0".parse()?, Value::from("edge-1"))]);
//! let (_stop, stopped) = tokio::sync::watch::channel(false);
//! tokio::spawn(agent::run(socket, device, stopped));
//!
//! let client = Client::v2c(addr.to_string(), "public").connect().await?;
//! assert_eq!(client.get_value("sysName.0").await?.as_str(), Some("edge-1"));
//! // `public` only reads here: the agent's refusal is an error like any other.
//! let refused = client.set([("sysName.0", "edge-2")]).await.unwrap_err();
//! assert_eq!(refused.status(), Some(snmpctl::msg::ErrorStatus::NO_ACCESS));
//! let writer = Client::v2c(addr.to_string(), "private").connect().await?;
//! writer.set([("sysName.0", "edge-2")]).await?;
//! assert_eq!(client.get_value("sysName.0").await?.as_str(), Some("edge-2"));
//! # Ok(())
//! # }
//! ```

use crate::client::{
    Config, Error, Operation, Outcome, Procedure, Request, RequestHandle, Row, Security, Session, Stats,
    Table, TableOptions, TableWalk, Walk, WalkError, WalkOptions,
};
use crate::mib::Mib;
use crate::msg::Version;
use crate::msg::{ErrorStatus, Frame, frame_len};
use crate::usm::EngineState;
use crate::value::{Oid, VarBind};
use rustc_hash::FxHashMap;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};

mod builder;
mod calls;
mod fleet;
mod hub;
pub mod poll;

pub use builder::{ClientBuilder, Usm};
pub use calls::PartialWalk;
pub use fleet::Fleet;
pub use hub::Hub;

/// Where the agent is: Net-SNMP's `[udp:|udp6:|tcp:|tcp6:]host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Host name or address (IPv6 without brackets).
    pub host: String,
    /// Port (default 161).
    pub port: u16,
    /// `udp6:`/`tcp6:` was given, or the host is an IPv6 address: resolve to IPv6 only.
    pub ipv6: bool,
    /// `tcp:`/`tcp6:`: SNMP over TCP (RFC 3430).
    pub tcp: bool,
}

/// An agent address that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad agent address {input:?}: {problem}")]
pub struct TargetError {
    input: String,
    problem: &'static str,
}

impl Target {
    /// Parses `host`, `host:port`, `udp:host:port`, `udp6:[::1]:port`, `[::1]:161`, `::1`.
    ///
    /// # Errors
    /// [`TargetError`] for a bad port or an empty host.
    pub fn parse(input: &str, default_port: u16) -> Result<Target, TargetError> {
        let err = |problem| TargetError { input: input.to_owned(), problem };
        let is = |t: &str, names: &[&str]| names.iter().any(|n| t.eq_ignore_ascii_case(n));
        let (ipv6, tcp, rest) = match input.split_once(':') {
            Some((t, rest)) if is(t, &["udp"]) => (false, false, rest),
            Some((t, rest)) if is(t, &["udp6", "udpv6", "udpipv6"]) => (true, false, rest),
            Some((t, rest)) if is(t, &["tcp"]) => (false, true, rest),
            Some((t, rest)) if is(t, &["tcp6", "tcpv6", "tcpipv6"]) => (true, true, rest),
            _ => (false, false, input),
        };
        let (host, port) = if let Some(inner) = rest.strip_prefix('[') {
            let (h, after) = inner.split_once(']').ok_or_else(|| err("unclosed '['"))?;
            let port = match after.strip_prefix(':') {
                Some(p) => p.parse().map_err(|_| err("the port is not a number 0-65535"))?,
                None if after.is_empty() => default_port,
                None => return Err(err("unexpected text after ']'")),
            };
            (h.to_owned(), port)
        } else if rest.matches(':').count() > 1 {
            // A bare IPv6 address: Net-SNMP takes a trailing :port only in brackets.
            (rest.to_owned(), default_port)
        } else if let Some((h, p)) = rest.rsplit_once(':') {
            (h.to_owned(), p.parse().map_err(|_| err("the port is not a number 0-65535"))?)
        } else {
            (rest.to_owned(), default_port)
        };
        if host.is_empty() {
            return Err(err("no host"));
        }
        let ipv6 = ipv6 || host.contains(':');
        Ok(Target { host, port, ipv6, tcp })
    }

    /// Resolves the address (the first of the right family).
    ///
    /// # Errors
    /// The resolver's error, or `NotFound` when no address of the family exists.
    pub async fn resolve(&self) -> io::Result<SocketAddr> {
        // An address needs no resolver (which would start a blocking thread).
        if let Ok(ip) = self.host.parse::<std::net::IpAddr>() {
            return Ok(SocketAddr::new(ip, self.port));
        }
        let addrs = tokio::net::lookup_host((self.host.as_str(), self.port)).await?;
        let mut fallback = None;
        for a in addrs {
            if a.is_ipv6() == self.ipv6 {
                return Ok(a);
            }
            fallback.get_or_insert(a);
        }
        match fallback {
            Some(a) if !self.ipv6 => Ok(a),
            _ => Err(io::Error::new(io::ErrorKind::NotFound, format!("no address for {}", self.host))),
        }
    }
}

impl std::fmt::Display for Target {
    /// Net-SNMP's form, as used in "Timeout: No Response from udp:127.0.0.1:161."
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = if self.tcp { "tcp" } else { "udp" };
        if self.host.contains(':') {
            write!(f, "{t}6:[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{t}:{}:{}", self.host, self.port)
        }
    }
}

enum Command {
    Request(Request, oneshot::Sender<Outcome>),
    Stats(oneshot::Sender<Stats>),
    Engine(oneshot::Sender<Option<EngineState>>),
}

/// An SNMP client for one agent. Clone it freely; every clone shares one socket and session.
///
/// Start one with [`Client::v2c`], [`Client::v1`], [`Client::v3`] or [`Client::builder`]
/// (see [`ClientBuilder`]), or from a [`Config`] with [`Client::connect`]. The everyday
/// calls ([`Client::get`], [`Client::walk`], [`Client::set`], [`Client::table`]) take names
/// or OIDs ([`IntoOid`](crate::IntoOid)) and fail with [`crate::Error`], the agent's error-status included;
/// the `…_pdu` calls and [`Client::request`] give the raw Response.
#[derive(Debug, Clone)]
pub struct Client {
    tx: mpsc::UnboundedSender<Command>,
    shared: std::sync::Arc<Shared>,
    /// UDP: the session and socket, which a request goes through on the caller's own task.
    direct: Option<std::sync::Arc<Direct>>,
}

/// A UDP client's session and socket, shared by the caller's tasks (which send) and the
/// driver task (which receives and keeps time). A request goes on the wire from the task that
/// makes it, with no hand-off to the driver first: a walk's next request leaves as soon as the
/// answer before it is read, at one system call. The lock is never held across an await.
struct Direct {
    core: std::sync::Mutex<Core>,
    socket: UdpLink,
    /// Tells the driver a request was started (its deadline may be the nearest now).
    started: tokio::sync::Notify,
}

impl std::fmt::Debug for Direct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Direct")
    }
}

/// Where a UDP client's datagrams go: its own connected socket, or a [`Hub`]'s, shared.
enum UdpLink {
    Own(UdpIo),
    Hub { sockets: std::sync::Arc<hub::Sockets>, agent: SocketAddr },
}

impl UdpLink {
    fn send(&self, bytes: &[u8]) {
        match self {
            UdpLink::Own(socket) => {
                let _ = udp_send(socket, bytes);
            }
            UdpLink::Hub { sockets, agent } => sockets.send(bytes, *agent),
        }
    }
}

/// The UDP socket of a client. On Unix it is registered for reading only: a socket registered
/// for writing too reports "writable" again after every send, which wakes the reactor once
/// more per round trip for nothing. Sends go straight to the non-blocking socket.
#[cfg(unix)]
type UdpIo = tokio::io::unix::AsyncFd<std::net::UdpSocket>;
#[cfg(not(unix))]
type UdpIo = UdpSocket;

#[cfg(unix)]
// tokio 1.54 deprecates its safe constructors in favour of `unsafe` ones (which this crate
// forbids) because an arbitrary `T` might change the descriptor `as_raw_fd` returns; a
// `std::net::UdpSocket` owns its descriptor and always returns the same one.
#[allow(deprecated)]
fn udp_io(socket: UdpSocket) -> io::Result<UdpIo> {
    tokio::io::unix::AsyncFd::with_interest(socket.into_std()?, tokio::io::Interest::READABLE)
}

#[cfg(not(unix))]
fn udp_io(socket: UdpSocket) -> io::Result<UdpIo> {
    Ok(socket)
}

#[cfg(unix)]
fn udp_send(socket: &UdpIo, bytes: &[u8]) -> io::Result<usize> {
    socket.get_ref().send(bytes)
}

#[cfg(not(unix))]
fn udp_send(socket: &UdpIo, bytes: &[u8]) -> io::Result<usize> {
    socket.try_send(bytes)
}

/// The session and the callers waiting on it.
struct Core {
    session: Session,
    waiting: FxHashMap<RequestHandle, oneshot::Sender<Outcome>>,
    /// [`Client::receive_blocking`]: the socket blocks, and the receive timeout it was last
    /// given.
    blocking: Option<Option<Duration>>,
}

impl Core {
    /// Puts what the session has to send on the wire. A send error (a full socket buffer, or
    /// an ICMP port unreachable reported on the connected socket) counts as a lost datagram:
    /// the retry timer covers it.
    fn flush(&mut self, socket: &UdpLink) {
        while let Some(bytes) = self.session.poll_transmit() {
            socket.send(&bytes);
        }
    }

    /// Starts `request` on the session; `tx` hears its outcome.
    fn start(&mut self, request: Request, tx: oneshot::Sender<Outcome>) {
        let handle = self.session.send(request, now());
        self.waiting.insert(handle, tx);
    }

    /// Hands finished requests to their callers.
    fn dispatch(&mut self) {
        while let Some((handle, outcome)) = self.session.poll_event() {
            if let Some(tx) = self.waiting.remove(&handle) {
                let _ = tx.send(outcome);
            }
        }
    }
}

#[cfg(unix)]
impl Core {
    /// Whether a blocking receive should wait now: `None` when nothing is in flight, `false`
    /// when the deadline has passed (or the socket refused a receive timeout, and the client
    /// went back to the readiness wait), `true` when it is ahead. Sets the socket's receive timeout
    /// to the time left when the one it has would end the wait more than 5 ms late or before
    /// half the time left.
    fn ready_to_block(&mut self, socket: &UdpIo) -> Option<bool> {
        let deadline = self.session.poll_timeout().filter(|_| self.session.in_flight() > 0)?;
        let left = deadline.saturating_duration_since(now());
        if left.is_zero() {
            return Some(false);
        }
        let stale = self.blocking.flatten().is_none_or(|t| {
            t > left.saturating_add(Duration::from_millis(5)) || t < left.checked_div(2).unwrap_or_default()
        });
        if stale {
            let t = left.max(Duration::from_millis(1));
            if socket.get_ref().set_read_timeout(Some(t)).is_err() {
                // Without a receive timeout a blocking receive could wait for ever: back to the
                // readiness wait (the driver's next turn arms its timer again).
                if socket.get_ref().set_nonblocking(true).is_ok() {
                    self.blocking = None;
                }
                return Some(false);
            }
            self.blocking = Some(Some(t));
        }
        Some(true)
    }
}

impl Direct {
    fn lock(&self) -> std::sync::MutexGuard<'_, Core> {
        self.core.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// What every clone of a client shares besides the driver.
#[derive(Debug)]
struct Shared {
    /// Names are resolved and values typed with it.
    mib: Mib,
    /// max-repetitions of walks and tables on v2c and v3.
    max_repetitions: u32,
    /// SNMPv1: walks and tables use GetNext.
    v1: bool,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Command")
    }
}

/// The largest UDP payload.
const MAX_DATAGRAM: usize = 65535;

/// max-repetitions of walks and tables unless the builder says otherwise (`snmpbulkwalk`'s).
const DEFAULT_MAX_REPETITIONS: u32 = 10;

impl Client {
    /// Binds a UDP socket, connects it to `agent` and spawns the driver task on the current
    /// tokio runtime. Request-id, msgID and salt sequences start from a random seed.
    ///
    /// # Errors
    /// Socket errors, or no randomness from the OS.
    pub async fn connect(agent: SocketAddr, config: Config) -> io::Result<Client> {
        Client::spawn(Link::udp(agent).await?, config)
    }

    /// Connects over TCP (RFC 3430: each message is one BER SEQUENCE on the stream) and spawns
    /// the driver task.
    ///
    /// # Errors
    /// Connection errors, or no randomness from the OS.
    pub async fn connect_tcp(agent: SocketAddr, config: Config) -> io::Result<Client> {
        let link = Link::tcp(agent, &config).await?;
        Client::spawn(link, config)
    }

    /// Connects to `target` over its transport, resolving the name first.
    ///
    /// # Errors
    /// Resolution, socket or connection errors.
    pub async fn connect_target(target: &Target, config: Config) -> io::Result<Client> {
        let addr = target.resolve().await?;
        if target.tcp { Client::connect_tcp(addr, config).await } else { Client::connect(addr, config).await }
    }

    fn spawn(link: Link, config: Config) -> io::Result<Client> {
        Client::spawn_with(link, config, Mib::shipped(), DEFAULT_MAX_REPETITIONS)
    }

    fn spawn_with(link: Link, config: Config, mib: Mib, max_repetitions: u32) -> io::Result<Client> {
        let seed = getrandom::u64().map_err(|e| io::Error::other(format!("no random seed: {e}")))?;
        let v1 = matches!(config.security, Security::Community { version: Version::V1, .. });
        let (tx, rx) = mpsc::unbounded_channel();
        let session = Session::new(config, seed);
        let udp = |socket: UdpLink, session: Session, rx| {
            let direct = std::sync::Arc::new(Direct {
                core: std::sync::Mutex::new(Core { session, waiting: FxHashMap::default(), blocking: None }),
                socket,
                started: tokio::sync::Notify::new(),
            });
            tokio::spawn(drive_udp(std::sync::Arc::clone(&direct), rx));
            direct
        };
        let direct = match link {
            Link::Udp(socket) => Some(udp(UdpLink::Own(udp_io(socket)?), session, rx)),
            Link::Hub(sockets, agent) => {
                let direct =
                    udp(UdpLink::Hub { sockets: std::sync::Arc::clone(&sockets), agent }, session, rx);
                sockets.register(agent, &direct);
                Some(direct)
            }
            tcp => {
                tokio::spawn(drive(tcp, session, rx));
                None
            }
        };
        let shared = std::sync::Arc::new(Shared { mib, max_repetitions: max_repetitions.max(1), v1 });
        Ok(Client { tx, shared, direct })
    }

    /// The MIB names are resolved and values rendered with.
    pub fn mib(&self) -> &Mib {
        &self.shared.mib
    }

    /// The local address of the client's own UDP socket (bound to the wildcard address, so the
    /// port is what tells it apart); `None` over TCP or a [`Hub`]'s shared sockets.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        match &self.direct.as_deref()?.socket {
            UdpLink::Own(socket) => socket.get_ref().local_addr().ok(),
            UdpLink::Hub { .. } => None,
        }
    }

    /// Waits for answers in a blocking receive on the socket (one system call a round trip)
    /// instead of the runtime's readiness wait and a receive (two): for a client that is the
    /// only thing its current-thread runtime drives, as a command-line tool's sequential walk
    /// or get. While a request is in flight the thread is blocked, up to the request's timeout:
    /// other tasks on the thread do not run meanwhile. Retries and timeouts work as before.
    ///
    /// Over UDP on Unix, with the client's own socket; elsewhere it changes nothing and
    /// returns `false`.
    ///
    /// # Errors
    /// The socket refused blocking mode.
    pub fn receive_blocking(&self) -> io::Result<bool> {
        #[cfg(unix)]
        if let Some(direct) = self.direct.as_deref()
            && let UdpLink::Own(socket) = &direct.socket
        {
            socket.get_ref().set_nonblocking(false)?;
            direct.lock().blocking = Some(None);
            direct.started.notify_one();
            return Ok(true);
        }
        Ok(false)
    }

    /// Sends a request and waits for its outcome.
    ///
    /// # Errors
    /// [`Error`] from the session; [`Error::Build`] if the driver has stopped.
    /// A Get or GetNext of several variables that the agent refuses with tooBig is asked
    /// again in halves (recursively), and the answers are joined in order.
    pub async fn request(&self, request: Request) -> Outcome {
        self.request_split(request).await
    }

    fn request_split(
        &self,
        request: Request,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Outcome> + Send + '_>> {
        Box::pin(async move {
            let splittable = matches!(request.operation, Operation::Get | Operation::GetNext)
                && request.varbinds.len() > 1;
            if !splittable {
                return self.start(request).await;
            }
            let pdu = self.start(request.clone()).await?;
            if pdu.error_status != ErrorStatus::TOO_BIG {
                return Ok(pdu);
            }
            let Request { operation, mut varbinds } = request;
            let mid = varbinds.len() / 2;
            let second = varbinds.split_off(mid);
            let mut left = self.request_split(Request { operation: operation.clone(), varbinds }).await?;
            if left.error_status != ErrorStatus::NO_ERROR {
                return Ok(left);
            }
            let right = self.request_split(Request { operation, varbinds: second }).await?;
            if right.error_status != ErrorStatus::NO_ERROR {
                left.error_status = right.error_status;
                if right.error_index != 0 {
                    left.error_index = right.error_index.saturating_add(i64::try_from(mid).unwrap_or(0));
                }
            }
            left.varbinds.extend(right.varbinds);
            Ok(left)
        })
    }

    /// Hands a request to the driver at once; the returned future yields its outcome. This
    /// lets a caller put the next request on the wire before it processes the last answer.
    fn start(&self, request: Request) -> impl std::future::Future<Output = Outcome> + use<> {
        let (tx, rx) = oneshot::channel();
        let sent = match &self.direct {
            Some(direct) if !self.tx.is_closed() => {
                let mut core = direct.lock();
                core.start(request, tx);
                core.flush(&direct.socket);
                core.dispatch();
                drop(core);
                direct.started.notify_one();
                Ok(())
            }
            _ => self.tx.send(Command::Request(request, tx)).map_err(|_| ()),
        };
        async move {
            sent.map_err(|_| Error::Build("the client has stopped".into()))?;
            rx.await.map_err(|_| Error::Build("the client has stopped".into()))?
        }
    }

    /// GetRequest, the Response as it came (an error-status is `Ok`).
    ///
    /// # Errors
    /// As [`Client::request`].
    pub async fn get_pdu(&self, oids: &[Oid]) -> Outcome {
        self.request(Request { operation: Operation::Get, varbinds: nulls(oids) }).await
    }

    /// GetNextRequest, the Response as it came.
    ///
    /// # Errors
    /// As [`Client::request`].
    pub async fn get_next_pdu(&self, oids: &[Oid]) -> Outcome {
        self.request(Request { operation: Operation::GetNext, varbinds: nulls(oids) }).await
    }

    /// GetBulkRequest, the Response as it came.
    ///
    /// # Errors
    /// As [`Client::request`].
    pub async fn get_bulk_pdu(&self, non_repeaters: u32, max_repetitions: u32, oids: &[Oid]) -> Outcome {
        let operation = Operation::GetBulk { non_repeaters, max_repetitions };
        self.request(Request { operation, varbinds: nulls(oids) }).await
    }

    /// SetRequest, the Response as it came.
    ///
    /// # Errors
    /// As [`Client::request`].
    pub async fn set_pdu(&self, varbinds: Vec<VarBind>) -> Outcome {
        self.request(Request { operation: Operation::Set, varbinds }).await
    }

    /// The session's counters (sent, retransmitted, dropped …).
    ///
    /// # Errors
    /// [`Error::Build`] if the driver has stopped.
    pub async fn stats(&self) -> Result<Stats, Error> {
        let (tx, rx) = oneshot::channel();
        self.tx.send(Command::Stats(tx)).map_err(|_| Error::Build("the client has stopped".into()))?;
        rx.await.map_err(|_| Error::Build("the client has stopped".into()))
    }
}

impl Client {
    /// The agent's engine (ID, boots, time) as the session knows it now (SNMPv3).
    ///
    /// # Errors
    /// [`Error::Build`] if the driver has stopped.
    pub async fn engine(&self) -> Result<Option<EngineState>, Error> {
        let (tx, rx) = oneshot::channel();
        self.tx.send(Command::Engine(tx)).map_err(|_| Error::Build("the client has stopped".into()))?;
        rx.await.map_err(|_| Error::Build("the client has stopped".into()))
    }
}

impl Client {
    /// Walks the subtree under `root` as `options` say (see [`crate::client::Walk`]): the
    /// walk of [`Client::walk`] with every option of Net-SNMP's `snmpwalk` and
    /// `snmpbulkwalk`.
    pub fn walk_with(&self, root: Oid, options: WalkOptions) -> Walker {
        self.drive(Walk::new(root, options))
    }

    /// Reads the table whose entry is `entry` as `options` say (see
    /// [`crate::client::TableWalk`]): pull rows with [`Walker::next_batch`].
    pub fn table_with(&self, entry: Oid, options: TableOptions) -> Walker<TableWalk> {
        self.drive(TableWalk::new(entry, options))
    }

    /// Reads a whole table as `options` say. On an error, the rows read before it come back
    /// with it.
    pub async fn get_table(&self, entry: Oid, options: TableOptions) -> (Table, Option<WalkError>) {
        let mut walker = self.table_with(entry, options);
        let mut rows: Vec<Row> = Vec::new();
        let mut error = None;
        while let Some(batch) = walker.next_batch().await {
            match batch {
                Ok(r) => rows.extend(r),
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        (walker.procedure.into_table(rows), error)
    }

    /// A driver for any procedure of several requests.
    pub fn drive<P: Procedure + Unpin>(&self, procedure: P) -> Walker<P> {
        Walker {
            client: self.clone(),
            procedure,
            batch: std::collections::VecDeque::new(),
            next: None,
            held: None,
        }
    }
}

/// A walk (or table, or any [`Procedure`]) in progress: pull items with [`Walker::next`],
/// whole responses with [`Walker::next_batch`], everything with [`Walker::collect`], or use
/// it as a [`Stream`](futures_core::Stream). After the end, [`Walker::state`] tells how it
/// ended.
///
/// Each request goes out as soon as the answer before it has been read, so the agent works on
/// the next batch while the caller handles this one.
pub struct Walker<P: Procedure = Walk> {
    client: Client,
    procedure: P,
    batch: std::collections::VecDeque<P::Item>,
    /// The next request, already on its way while the caller handles the last answer.
    next: Option<std::pin::Pin<Box<dyn std::future::Future<Output = Outcome> + Send>>>,
    /// A batch held back for one turn, so that the driver puts the next request on the wire
    /// before the caller takes its time over this one.
    held: Option<Vec<P::Item>>,
}

impl<P: Procedure + std::fmt::Debug> std::fmt::Debug for Walker<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Walker")
            .field("procedure", &self.procedure)
            .field("buffered", &self.batch.len())
            .finish()
    }
}

impl<P: Procedure + Unpin> Walker<P> {
    /// Polls for the items of the next response (never empty), `None` at the end.
    fn poll_batch(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Vec<P::Item>, WalkError>>> {
        use std::task::Poll;
        if !self.batch.is_empty() {
            return Poll::Ready(Some(Ok(self.batch.drain(..).collect())));
        }
        if let Some(batch) = self.held.take() {
            return Poll::Ready(Some(Ok(batch)));
        }
        loop {
            if let Some(e) = self.procedure.take_error() {
                return Poll::Ready(Some(Err(e)));
            }
            let pending = match &mut self.next {
                Some(p) => p,
                None => match self.procedure.request() {
                    Some(r) => self.next.insert(Box::pin(self.client.start(r))),
                    None => return Poll::Ready(None),
                },
            };
            let outcome = match pending.as_mut().poll(cx) {
                Poll::Ready(o) => o,
                Poll::Pending => return Poll::Pending,
            };
            self.next = None;
            let batch = match outcome {
                Ok(pdu) => self.procedure.on_response(pdu),
                Err(e) => {
                    self.procedure.on_failure(e);
                    Vec::new()
                }
            };
            if let Some(request) = self.procedure.request() {
                // Over UDP this puts the request on the wire at once; over TCP the driver task
                // sends it: yield once, as `tokio::task::yield_now` does, so that it runs first.
                self.next = Some(Box::pin(self.client.start(request)));
                if !batch.is_empty() && self.client.direct.is_none() {
                    self.held = Some(batch);
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
            }
            if !batch.is_empty() {
                return Poll::Ready(Some(Ok(batch)));
            }
        }
    }

    /// The items of the next response (never empty), `None` at the end.
    ///
    /// # Errors
    /// [`WalkError`]: what came before stays valid, and the state says where it stopped.
    pub async fn next_batch(&mut self) -> Option<Result<Vec<P::Item>, WalkError>> {
        std::future::poll_fn(|cx| self.poll_batch(cx)).await
    }

    /// The next item, `None` at the end.
    ///
    /// # Errors
    /// As [`Walker::next_batch`]; `?` turns it into [`crate::Error`].
    pub async fn next(&mut self) -> Option<Result<P::Item, WalkError>> {
        std::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    fn poll_item(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<P::Item, WalkError>>> {
        use std::task::Poll;
        if let Some(item) = self.batch.pop_front() {
            return Poll::Ready(Some(Ok(item)));
        }
        match self.poll_batch(cx) {
            Poll::Ready(Some(Ok(v))) => {
                self.batch.extend(v);
                Poll::Ready(self.batch.pop_front().map(Ok))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    /// Every item to the end. A walk that fails midway keeps what it read:
    /// [`PartialWalk`] holds the items and the error (and converts into [`crate::Error`]
    /// with `?`).
    ///
    /// # Errors
    /// [`PartialWalk`].
    pub async fn collect(mut self) -> Result<Vec<P::Item>, PartialWalk<P::Item>> {
        let mut items = Vec::new();
        while let Some(batch) = self.next_batch().await {
            match batch {
                Ok(b) => items.extend(b),
                Err(error) => return Err(PartialWalk { items, error }),
            }
        }
        Ok(items)
    }

    /// The procedure's state: how it ended, the last OID, counts.
    pub fn state(&self) -> &P {
        &self.procedure
    }
}

impl<P: Procedure + Unpin> futures_core::Stream for Walker<P>
where
    P::Item: Unpin,
{
    type Item = Result<P::Item, WalkError>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx)
    }
}

fn nulls(oids: &[Oid]) -> Vec<VarBind> {
    oids.iter().cloned().map(VarBind::null).collect()
}

fn now() -> std::time::Instant {
    tokio::time::Instant::now().into_std()
}

/// The connection the driver moves bytes over.
enum Link {
    Udp(UdpSocket),
    /// A hub's shared sockets and the agent (driven like `Udp`, never by [`drive`]).
    Hub(std::sync::Arc<hub::Sockets>, SocketAddr),
    Tcp {
        stream: tokio::net::TcpStream,
        /// Bytes read but not yet a whole message.
        buffer: Vec<u8>,
        /// The largest message accepted.
        max: usize,
        /// The agent closed the connection (or sent garbage): nothing more to read.
        closed: bool,
    },
}

impl Link {
    /// A UDP socket bound to any port and connected to `agent`.
    async fn udp(agent: SocketAddr) -> io::Result<Link> {
        let bind: SocketAddr = if agent.is_ipv6() { "[::]:0".parse() } else { "0.0.0.0:0".parse() }
            .map_err(|_| io::Error::other("bind address"))?;
        let socket = UdpSocket::bind(bind).await?;
        socket.connect(agent).await?;
        Ok(Link::Udp(socket))
    }

    /// A TCP connection to `agent`, taking messages up to the configured msgMaxSize.
    async fn tcp(agent: SocketAddr, config: &Config) -> io::Result<Link> {
        let stream = tokio::net::TcpStream::connect(agent).await?;
        stream.set_nodelay(true)?;
        let max = usize::try_from(config.msg_max_size).unwrap_or(65507).max(484);
        Ok(Link::Tcp { stream, buffer: Vec::new(), max, closed: false })
    }

    async fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Link::Udp(s) => s.send(bytes).await.map(|_| ()),
            Link::Hub(sockets, agent) => {
                sockets.send(bytes, *agent);
                Ok(())
            }
            Link::Tcp { stream, .. } => {
                use tokio::io::AsyncWriteExt as _;
                stream.write_all(bytes).await
            }
        }
    }

    /// Waits for input: a datagram in `buf` (UDP), or the whole messages the stream completed
    /// (TCP). `buf` is cleared and filled from its spare capacity: it is never zero-filled, so a
    /// 64 KiB buffer costs the pages a datagram actually covers (one, for most replies), not 16
    /// page faults and a 64 KiB memset on every start.
    async fn recv(&mut self, buf: &mut Vec<u8>) -> Received {
        buf.clear();
        match self {
            Link::Hub(..) => std::future::pending().await,
            Link::Udp(s) => match s.recv_buf(buf).await {
                Ok(n) => Received::Datagram(n),
                Err(_) => Received::Messages(Vec::new()),
            },
            Link::Tcp { stream, buffer, max, closed } => {
                if *closed {
                    return std::future::pending().await;
                }
                use tokio::io::AsyncReadExt as _;
                match stream.read_buf(buf).await {
                    Ok(0) | Err(_) => {
                        *closed = true;
                        Received::Messages(Vec::new())
                    }
                    Ok(n) => {
                        buffer.extend_from_slice(buf.get(..n).unwrap_or_default());
                        let mut out = Vec::new();
                        loop {
                            match frame_len(buffer) {
                                Frame::Whole(len) if len <= *max => out.push(buffer.drain(..len).collect()),
                                Frame::Partial => break,
                                _ => {
                                    // Not SNMP, or larger than we accept: the stream cannot
                                    // be resynchronised.
                                    *closed = true;
                                    buffer.clear();
                                    break;
                                }
                            }
                        }
                        Received::Messages(out)
                    }
                }
            }
        }
    }
}

/// What [`Link::recv`] got.
enum Received {
    /// A datagram of this many bytes, in the buffer.
    Datagram(usize),
    /// Whole messages from a stream.
    Messages(Vec<Vec<u8>>),
}

/// The driver: runs until every [`Client`] clone is dropped and nothing is in flight.
async fn drive(mut link: Link, mut session: Session, mut rx: mpsc::UnboundedReceiver<Command>) {
    let mut waiting: FxHashMap<RequestHandle, oneshot::Sender<Outcome>> = FxHashMap::default();
    let mut buf = Vec::with_capacity(MAX_DATAGRAM);
    let mut open = true;
    loop {
        while let Some(bytes) = session.poll_transmit() {
            // A send error (e.g. ICMP port unreachable reported on a connected socket) is
            // treated as a lost datagram: the retry timer covers it.
            let _ = link.send(&bytes).await;
        }
        while let Some((handle, outcome)) = session.poll_event() {
            if let Some(tx) = waiting.remove(&handle) {
                let _ = tx.send(outcome);
            }
        }
        if !open && waiting.is_empty() {
            return;
        }
        let deadline = session.poll_timeout().map(tokio::time::Instant::from_std);
        tokio::select! {
            cmd = rx.recv(), if open => match cmd {
                Some(Command::Request(req, tx)) => {
                    let h = session.send(req, now());
                    waiting.insert(h, tx);
                }
                Some(Command::Stats(tx)) => {
                    let _ = tx.send(session.stats().clone());
                }
                Some(Command::Engine(tx)) => {
                    let _ = tx.send(session.engine().cloned());
                }
                None => open = false,
            },
            received = link.recv(&mut buf) => match received {
                Received::Datagram(n) => {
                    if let Some(d) = buf.get(..n) {
                        session.handle_datagram(d, now());
                    }
                }
                Received::Messages(messages) => {
                    for m in messages {
                        session.handle_datagram(&m, now());
                    }
                }
            },
            () = sleep_until(deadline) => session.handle_timeout(now()),
        }
    }
}

/// The UDP driver: receives, keeps time and answers `stats`/`engine`; requests are sent by the
/// callers' tasks ([`Client::start`]). It runs until every [`Client`] clone is dropped and
/// nothing is in flight.
///
/// System calls per round trip: the caller's send; here, one wait for readiness and one
/// receive. After the datagram that answers the last request in flight, the socket's cached
/// readiness is cleared without another `recvfrom` that would only say "nothing more": the
/// next answer (or anything that came meanwhile) wakes the wait again, and every wake reads
/// until nothing is in flight or the socket is empty.
async fn drive_udp(direct: std::sync::Arc<Direct>, mut rx: mpsc::UnboundedReceiver<Command>) {
    let mut open = true;
    loop {
        let deadline = {
            let mut core = direct.lock();
            core.flush(&direct.socket);
            core.dispatch();
            if !open && core.waiting.is_empty() {
                return;
            }
            // A blocking receive keeps the time of what is in flight itself (a timer armed
            // anew every round trip would wake the runtime's driver with a system call).
            let blocking = core.blocking.is_some() && core.session.in_flight() > 0;
            core.session.poll_timeout().filter(|_| !blocking).map(tokio::time::Instant::from_std)
        };
        tokio::select! {
            () = direct.started.notified() => {}
            cmd = rx.recv(), if open => match cmd {
                Some(Command::Request(req, tx)) => direct.lock().start(req, tx),
                Some(Command::Stats(tx)) => {
                    let _ = tx.send(direct.lock().session.stats().clone());
                }
                Some(Command::Engine(tx)) => {
                    let _ = tx.send(direct.lock().session.engine().cloned());
                }
                None => open = false,
            },
            () = receive(&direct) => {}
            () = sleep_until(deadline) => direct.lock().session.handle_timeout(now()),
        }
    }
}

thread_local! {
    /// The receive buffer of every UDP client driven on this thread: a datagram is read and
    /// handed to its session before the next read, never across an await, so one buffer
    /// serves them all (a thousand clients would otherwise hold 64 MiB of buffers).
    static RECV_BUF: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0u8; MAX_DATAGRAM]);
}

/// Waits until the socket is readable, then reads until nothing is in flight or the socket is
/// empty. After the datagram that answers the last request in flight, the readiness is
/// forgotten without another `recvfrom` that would only say "nothing more": the next answer
/// (or anything that came meanwhile) wakes the wait again.
#[cfg(unix)]
async fn receive(direct: &Direct) {
    // A hub's client is fed by the hub's reader.
    let UdpLink::Own(socket) = &direct.socket else { return std::future::pending().await };
    if direct.lock().blocking.is_some() {
        return receive_blocking(direct, socket).await;
    }
    let Ok(mut ready) = socket.readable().await else {
        // The socket failed for good: what is in flight times out.
        return std::future::pending().await;
    };
    RECV_BUF.with_borrow_mut(|buf| {
        loop {
            match ready.try_io(|s| s.get_ref().recv(buf)) {
                Ok(Ok(n)) => {
                    let mut core = direct.lock();
                    if let Some(d) = buf.get(..n) {
                        core.session.handle_datagram(d, now());
                    }
                    if core.session.in_flight() == 0 {
                        ready.clear_ready();
                        return;
                    }
                }
                // An error from an earlier send (ICMP unreachable): read on.
                Ok(Err(_)) => {}
                // Empty: the readiness is cleared, wait again.
                Err(_) => return,
            }
        }
    });
}

/// [`Client::receive_blocking`]'s receive: nothing while nothing is in flight (the other
/// branches of the driver's wait run); else one blocking `recv`, which returns with the
/// answer, or at the request's deadline (the socket's receive timeout, changed only when it
/// would end the wait much too late or too early), or with an error an earlier send left.
#[cfg(unix)]
async fn receive_blocking(direct: &Direct, socket: &UdpIo) {
    let ready = direct.lock().ready_to_block(socket);
    match ready {
        None => return std::future::pending().await,
        Some(false) => {
            direct.lock().session.handle_timeout(now());
            return;
        }
        Some(true) => {}
    }
    RECV_BUF.with_borrow_mut(|buf| {
        let received = socket.get_ref().recv(buf);
        let mut core = direct.lock();
        match received {
            Ok(n) => {
                if let Some(d) = buf.get(..n) {
                    core.session.handle_datagram(d, now());
                }
            }
            // The receive timeout (the deadline), or an error an earlier send left (an ICMP
            // unreachable): retransmit or fail what is due.
            Err(_) => core.session.handle_timeout(now()),
        }
    });
}

#[cfg(not(unix))]
async fn receive(direct: &Direct) {
    if direct.socket.readable().await.is_err() {
        return std::future::pending().await;
    }
    RECV_BUF.with_borrow_mut(|buf| {
        loop {
            match direct.socket.try_recv(buf) {
                Ok(n) => {
                    let mut core = direct.lock();
                    if let Some(d) = buf.get(..n) {
                        core.session.handle_datagram(d, now());
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(_) => {}
            }
        }
    });
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_framing() {
        assert!(matches!(frame_len(&[0x30, 0x03, 1, 2, 3, 0x30]), Frame::Whole(5)));
        assert!(matches!(frame_len(&[0x30, 0x82, 0x01]), Frame::Partial));
        assert!(matches!(frame_len(&[0x30, 0x82, 0x01, 0x00]), Frame::Partial));
        let mut big = vec![0x30, 0x82, 0x01, 0x00];
        big.resize(4 + 256, 0);
        assert!(matches!(frame_len(&big), Frame::Whole(260)));
        assert!(matches!(frame_len(&[0x04, 0x00]), Frame::Invalid));
        assert!(matches!(frame_len(&[0x30, 0x80]), Frame::Invalid));
    }

    #[test]
    fn targets() {
        let t = |s| Target::parse(s, 161);
        assert_eq!(
            t("127.0.0.1").unwrap(),
            Target { host: "127.0.0.1".into(), port: 161, ipv6: false, tcp: false }
        );
        assert_eq!(t("udp:127.0.0.1:16161").unwrap().port, 16161);
        assert_eq!(t("localhost:1161").unwrap().host, "localhost");
        assert_eq!(
            t("udp6:[::1]:1161").unwrap(),
            Target { host: "::1".into(), port: 1161, ipv6: true, tcp: false }
        );
        assert_eq!(t("::1").unwrap(), Target { host: "::1".into(), port: 161, ipv6: true, tcp: false });
        assert_eq!(t("tcp:10.0.0.1:1161").unwrap().to_string(), "tcp:10.0.0.1:1161");
        assert_eq!(t("tcp6:[::1]").unwrap().to_string(), "tcp6:[::1]:161");
        assert_eq!(t("[::1]").unwrap().port, 161);
        assert!(t("router:99999").is_err());
        assert!(t("udp:").is_err());
        assert_eq!(t("udp:10.0.0.1:162").unwrap().to_string(), "udp:10.0.0.1:162");
    }
}
