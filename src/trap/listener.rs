//! The tokio listener: [`super::Session`] on UDP sockets and TCP listeners (RFC 3430).
//!
//! The receive loops never wait on output: every record goes to a [`Sink`], which must not
//! block (the binary's sink formats the record and appends it to a bounded buffer that its
//! writer thread empties); when the sink has no room the record is counted in
//! [`Summary::queue_drops`], never lost silently. Problems (malformed datagrams, unknown
//! users, bad digests…) go to the same sink, at most [`PROBLEMS_PER_SECOND`] a second; the
//! rest are counted and the count rides on the next problem that passes. When the sockets
//! have nothing more queued the sink hears [`Sink::idle`], so it can hand a whole burst to
//! its writer at once. UDP sockets get a [`RECV_BUFFER`] receive buffer for bursts.
//!
//! A sink that counts what arrives, on a socket of its own (what [`super::Receiver`] does with
//! a queue, and `snmpctl listen` with a formatter and a writer thread):
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use snmpctl::trap::listener::{self, Event, Sink};
//! use snmpctl::trap::{ReceiverConfig, Session};
//! use snmpctl::usm::LocalEngine;
//!
//! struct Count(u64);
//! impl Sink for Count {
//!     fn push(&mut self, event: Event) -> bool {
//!         if let Event::Notification { .. } = event {
//!             self.0 += 1;
//!         }
//!         true
//!     }
//! }
//! let socket = listener::bind_udp("127.0.0.1:0".parse()?)?;
//! let at = socket.local_addr()?;
//! let engine = LocalEngine::new(b"\x80\0\0\0\x05doc".to_vec(), 1, std::time::Instant::now());
//! let (stop, stopped) = tokio::sync::watch::channel(false);
//! let run = tokio::spawn(listener::run(vec![socket], Session::new(ReceiverConfig::new(engine), 1), Count(0), stopped));
//! // A v1 Trap as snmptrap sent it (a recorded fixture).
//! let trap = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/v1/trap-coldstart.bin"))?;
//! std::net::UdpSocket::bind("127.0.0.1:0")?.send_to(&trap, at)?;
//! tokio::time::sleep(std::time::Duration::from_millis(100)).await;
//! stop.send(true)?;
//! let summary = run.await?;
//! assert_eq!(summary.counters.notifications, 1);
//! # Ok(())
//! # }
//! ```

use super::{Counters, Notification, Problem, Session};
use crate::format::notification::Via;
use crate::msg::{Frame, frame_len};
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::watch;

/// The receive buffer asked for on UDP sockets (the kernel caps it at `net.core.rmem_max`).
pub const RECV_BUFFER: usize = 8 << 20;
/// Problems logged per second at most.
pub const PROBLEMS_PER_SECOND: u32 = 10;
/// The largest SNMP message accepted over TCP.
const MAX_TCP_MESSAGE: usize = 1 << 20;

/// One thing for the output.
#[derive(Debug)]
// Events go by value from the receiver to the sink, one at a time, and are never queued as
// they are: boxing the notification would be an allocation per record for nothing.
#[allow(clippy::large_enum_variant)]
pub enum Event {
    /// A notification arrived.
    Notification {
        /// When.
        time: SystemTime,
        /// On which socket.
        via: Via,
        /// What.
        notification: Notification,
    },
    /// A datagram was dropped.
    Problem {
        /// When.
        time: SystemTime,
        /// From whom.
        from: SocketAddr,
        /// Why.
        problem: Problem,
        /// Problems not logged since the last one that was (the rate limit).
        suppressed: u64,
    },
}

/// Where the receive loops put what they saw. It is called on the receive loop, with the
/// receiver's lock held, so it must never block: a sink that cannot take an event says so and
/// the listener counts the loss.
pub trait Sink: Send + 'static {
    /// Takes one event; `false` when there was no room (counted in [`Summary::queue_drops`]).
    fn push(&mut self, event: Event) -> bool;
    /// The sockets have nothing more queued for now: a good moment to hand what was pushed
    /// since the last call to whatever writes it.
    fn idle(&mut self) {}
    /// Every receive loop has stopped: nothing more will be pushed.
    fn close(&mut self) {}
    /// v3 users to take instead of the receiver's (a configuration read again), if any;
    /// asked whenever the sockets have nothing more queued, after [`Sink::idle`].
    fn take_users(&mut self) -> Option<Vec<crate::trap::TrapUser>> {
        None
    }
}

/// A bound socket.
#[derive(Debug)]
pub enum Bound {
    /// UDP.
    Udp(UdpSocket),
    /// TCP (RFC 3430: one BER message after another on the stream).
    Tcp(TcpListener),
}

impl Bound {
    /// The local address.
    ///
    /// # Errors
    /// The socket's error.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        match self {
            Bound::Udp(s) => s.local_addr(),
            Bound::Tcp(l) => l.local_addr(),
        }
    }

    /// For UDP, the receive buffer the kernel granted.
    pub fn recv_buffer(&self) -> Option<usize> {
        match self {
            Bound::Udp(s) => socket2::SockRef::from(s).recv_buffer_size().ok(),
            Bound::Tcp(_) => None,
        }
    }
}

/// Binds a UDP socket with a large receive buffer (IPv6 sockets are IPv6-only, so `[::]:162`
/// and `0.0.0.0:162` can both be bound).
///
/// # Errors
/// The bind error (`PermissionDenied` for a privileged port without privilege).
pub fn bind_udp(addr: SocketAddr) -> io::Result<Bound> {
    use socket2::{Domain, Protocol, Socket, Type};
    let s = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    if addr.is_ipv6() {
        s.set_only_v6(true)?;
    }
    // Best effort: the kernel grants at most net.core.rmem_max (callers report what it gave).
    let _ = s.set_recv_buffer_size(RECV_BUFFER);
    s.bind(&addr.into())?;
    s.set_nonblocking(true)?;
    Ok(Bound::Udp(UdpSocket::from_std(s.into())?))
}

/// Binds a TCP listener.
///
/// # Errors
/// The bind error.
pub async fn bind_tcp(addr: SocketAddr) -> io::Result<Bound> {
    Ok(Bound::Tcp(TcpListener::bind(addr).await?))
}

/// What a run saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// The receiver's counters.
    pub counters: Counters,
    /// Records (notifications and problem lines) dropped because the writer fell behind.
    pub queue_drops: u64,
    /// Problems not logged because of the rate limit.
    pub problems_suppressed: u64,
}

struct Limiter {
    window: Instant,
    in_window: u32,
    suppressed: u64,
    total_suppressed: u64,
}

struct State<S> {
    receiver: Session,
    limiter: Limiter,
    sink: S,
    queue_drops: u64,
}

impl<S: Sink> State<S> {
    fn push(&mut self, event: Event) {
        if !self.sink.push(event) {
            self.queue_drops = self.queue_drops.saturating_add(1);
        }
    }

    /// Handles one message; returns the reply to send.
    fn handle(&mut self, data: &[u8], from: SocketAddr, via: Via) -> Option<Vec<u8>> {
        let now = Instant::now();
        let handled = self.receiver.handle(data, from, now);
        if let Some(notification) = handled.notification {
            self.push(Event::Notification { time: SystemTime::now(), via, notification });
        }
        if let Some(problem) = handled.problem {
            let l = &mut self.limiter;
            if now.saturating_duration_since(l.window) >= Duration::from_secs(1) {
                l.window = now;
                l.in_window = 0;
            }
            if l.in_window < PROBLEMS_PER_SECOND {
                l.in_window = l.in_window.saturating_add(1);
                let suppressed = std::mem::take(&mut l.suppressed);
                self.push(Event::Problem { time: SystemTime::now(), from, problem, suppressed });
            } else {
                l.suppressed = l.suppressed.saturating_add(1);
                l.total_suppressed = l.total_suppressed.saturating_add(1);
            }
        }
        handled.reply
    }
}

/// The state every receive loop shares. Each socket and TCP connection is a task of its own;
/// on the binary's single-threaded runtime the lock is never contended.
struct Shared<S>(Mutex<State<S>>);

impl<S: Sink> Shared<S> {
    fn lock(&self) -> std::sync::MutexGuard<'_, State<S>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn handle(&self, data: &[u8], from: SocketAddr, via: Via) -> Option<Vec<u8>> {
        self.lock().handle(data, from, via)
    }

    fn idle(&self) {
        let mut state = self.lock();
        state.sink.idle();
        if let Some(users) = state.sink.take_users() {
            state.receiver.set_users(users);
        }
    }
}

/// Runs the receiver on `sockets` until `shutdown` turns true; events go to `sink`.
/// Returns the counters once every loop has stopped and the sink has been closed.
pub async fn run<S: Sink>(
    sockets: Vec<Bound>,
    receiver: Session,
    sink: S,
    shutdown: watch::Receiver<bool>,
) -> Summary {
    let shared = Arc::new(Shared(Mutex::new(State {
        receiver,
        limiter: Limiter { window: Instant::now(), in_window: 0, suppressed: 0, total_suppressed: 0 },
        sink,
        queue_drops: 0,
    })));
    let mut tasks = tokio::task::JoinSet::new();
    for socket in sockets {
        let Ok(local) = socket.local_addr() else { continue };
        let shared = Arc::clone(&shared);
        let stop = shutdown.clone();
        match socket {
            Bound::Udp(s) => tasks.spawn(udp_loop(s, Via { local, tcp: false }, shared, stop)),
            Bound::Tcp(l) => tasks.spawn(tcp_loop(l, Via { local, tcp: true }, shared, stop)),
        };
    }
    while tasks.join_next().await.is_some() {}
    let mut state = shared.lock();
    state.sink.close();
    Summary {
        counters: state.receiver.counters().clone(),
        queue_drops: state.queue_drops,
        problems_suppressed: state.limiter.total_suppressed,
    }
}

async fn stopped(stop: &mut watch::Receiver<bool>) {
    while !*stop.borrow_and_update() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

async fn udp_loop<S: Sink>(
    socket: UdpSocket,
    via: Via,
    shared: Arc<Shared<S>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut datagrams = Datagrams::new();
    let handle = |datagrams: &Datagrams| {
        for (data, from) in datagrams.iter() {
            if let Some(reply) = shared.handle(data, from, via) {
                // Replies (Inform acknowledgements, Reports) are small; a full send buffer
                // loses one, and the sender retries.
                let _ = socket.try_send_to(&reply, from);
            }
        }
    };
    loop {
        tokio::select! {
            biased;
            () = stopped(&mut stop) => break,
            r = socket.readable() => if r.is_err() { break },
        }
        // Drain everything queued before waiting again. Errors other than WouldBlock (ICMP
        // errors from earlier replies and the like) end the drain, not the listener.
        while datagrams.recv(&socket).is_ok() {
            handle(&datagrams);
        }
        shared.idle();
    }
    // On shutdown, what the kernel already holds is still processed.
    while datagrams.recv(&socket).is_ok() {
        handle(&datagrams);
    }
    shared.idle();
}

/// The largest UDP payload.
const MAX_DATAGRAM: usize = 65_536;

/// Datagrams read from a socket in one go: up to [`Datagrams::BATCH`] per system call with
/// `recvmmsg` on Linux (at 200,000 Traps/s a system call per datagram was a tenth of the
/// listener's time), one at a time elsewhere.
struct Datagrams {
    /// [`Datagrams::BATCH`] buffers of [`MAX_DATAGRAM`] bytes, one after another.
    buffers: Vec<u8>,
    /// Length and sender of each datagram read by the last [`Datagrams::recv`].
    got: Vec<(usize, SocketAddr)>,
}

impl Datagrams {
    #[cfg(target_os = "linux")]
    const BATCH: usize = 32;
    #[cfg(not(target_os = "linux"))]
    const BATCH: usize = 1;

    fn new() -> Datagrams {
        Datagrams {
            buffers: vec![0; MAX_DATAGRAM.saturating_mul(Self::BATCH)],
            got: Vec::with_capacity(Self::BATCH),
        }
    }

    /// Reads what the socket holds, up to a batch, without waiting: `WouldBlock` when it
    /// holds nothing (and tokio's readiness is cleared).
    #[cfg(target_os = "linux")]
    fn recv(&mut self, socket: &UdpSocket) -> io::Result<()> {
        use nix::sys::socket::{MsgFlags, MultiHeaders, SockaddrLike as _, SockaddrStorage, recvmmsg};
        use std::os::fd::AsRawFd as _;
        let Datagrams { buffers, got } = self;
        got.clear();
        socket.try_io(tokio::io::Interest::READABLE, || {
            // Made for each call: the headers hold raw pointers, so they cannot be kept in a
            // task that may move between threads.
            let mut headers = MultiHeaders::<SockaddrStorage>::preallocate(Self::BATCH, None);
            let mut slices: Vec<[io::IoSliceMut<'_>; 1]> =
                buffers.chunks_exact_mut(MAX_DATAGRAM).map(|b| [io::IoSliceMut::new(b)]).collect();
            let received =
                recvmmsg(socket.as_raw_fd(), &mut headers, slices.iter_mut(), MsgFlags::MSG_DONTWAIT, None)
                    .map_err(io::Error::from)?;
            for message in received {
                let from = message.address.and_then(|a| match a.family() {
                    Some(nix::sys::socket::AddressFamily::Inet) => {
                        a.as_sockaddr_in().map(|a| SocketAddr::from(*a))
                    }
                    Some(nix::sys::socket::AddressFamily::Inet6) => {
                        a.as_sockaddr_in6().map(|a| SocketAddr::from(*a))
                    }
                    _ => None,
                });
                // A datagram without an IP sender cannot be answered or logged; it takes
                // its slot so the others keep their buffers.
                got.push((message.bytes, from.unwrap_or(SocketAddr::from(([0, 0, 0, 0], 0)))));
            }
            Ok(())
        })
    }

    #[cfg(not(target_os = "linux"))]
    fn recv(&mut self, socket: &UdpSocket) -> io::Result<()> {
        self.got.clear();
        let (n, from) = socket.try_recv_from(&mut self.buffers)?;
        self.got.push((n, from));
        Ok(())
    }

    /// The datagrams of the last [`Datagrams::recv`], with their senders.
    fn iter(&self) -> impl Iterator<Item = (&[u8], SocketAddr)> {
        self.buffers
            .chunks_exact(MAX_DATAGRAM)
            .zip(&self.got)
            .map(|(b, &(n, from))| (b.get(..n).unwrap_or(b), from))
    }
}

async fn tcp_loop<S: Sink>(
    listener: TcpListener,
    via: Via,
    shared: Arc<Shared<S>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut conns = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            biased;
            () = stopped(&mut stop) => break,
            r = listener.accept() => match r {
                Ok((stream, from)) => {
                    conns.spawn(tcp_conn(stream, from, via, Arc::clone(&shared), stop.clone()));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    conns.shutdown().await;
}

async fn tcp_conn<S: Sink>(
    mut stream: TcpStream,
    from: SocketAddr,
    via: Via,
    shared: Arc<Shared<S>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut chunk = [0u8; 8192];
    loop {
        // Every complete message in the buffer.
        loop {
            match frame_len(&buf) {
                // A message over the limit is never buffered whole: what there is of it is
                // counted as malformed (it does not decode) and the connection is closed.
                Frame::Partial if buf.len() > MAX_TCP_MESSAGE => {
                    let _ = shared.handle(&buf, from, via);
                    shared.idle();
                    return;
                }
                Frame::Whole(len) => {
                    let reply = shared.handle(buf.get(..len).unwrap_or_default(), from, via);
                    buf.drain(..len.min(buf.len()));
                    if let Some(r) = reply {
                        // The record is handed over before waiting on the peer.
                        shared.idle();
                        if stream.write_all(&r).await.is_err() {
                            return;
                        }
                    }
                }
                Frame::Partial => {
                    shared.idle();
                    break;
                }
                Frame::Invalid => {
                    // Not BER: hand it to the receiver once (it is counted as malformed) and
                    // close, as the stream cannot be resynchronised.
                    let _ = shared.handle(&buf, from, via);
                    shared.idle();
                    return;
                }
            }
        }
        tokio::select! {
            biased;
            () = stopped(&mut stop) => return,
            r = stream.read(&mut chunk) => match r {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            },
        }
    }
}
