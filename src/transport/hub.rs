//! Many clients, one socket: a [`Hub`] owns one UDP socket per address family and routes each
//! datagram to the clients of the agent that sent it.
//!
//! A [`Client`](super::Client) made with [`ClientBuilder::connect_via`](super::ClientBuilder::connect_via)
//! keeps its own session (request-ids, retries, the agent's v3 engine and keys), exactly as a
//! client of its own socket does; only the socket is shared. A program that talks to
//! thousands of agents (an exporter, a poller) then holds two sockets instead of thousands.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use snmpctl::agent::{self, Responder};
//! use snmpctl::transport::Hub;
//! use snmpctl::{Client, Value};
//!
//! let hub = Hub::bind()?;
//! let mut clients = Vec::new();
//! let mut stops = Vec::new();
//! for name in ["edge-1", "edge-2"] {
//!     let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
//!     let addr = socket.local_addr()?;
//!     let (stop, stopped) = tokio::sync::watch::channel(false);
//!     tokio::spawn(agent::run(socket, Responder::new([("1.3.6.1.2.1.1.5.0".parse()?, Value::from(name))]), stopped));
//!     stops.push(stop);
//!     clients.push(Client::v2c(addr.to_string(), "public").connect_via(&hub).await?);
//! }
//! assert_eq!(clients[1].get_value("sysName.0").await?.as_str(), Some("edge-2"));
//! assert_eq!(clients[0].get_value("sysName.0").await?.as_str(), Some("edge-1"));
//! assert_eq!(hub.strays(), 0);
//! # Ok(())
//! # }
//! ```

use super::{Direct, UdpIo, now, udp_io};
use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

/// The sockets and the routes, shared by the hub, its reader tasks and its clients.
pub(super) struct Sockets {
    v4: Option<UdpIo>,
    v6: Option<UdpIo>,
    routes: Mutex<HashMap<SocketAddr, Vec<Weak<Direct>>>>,
    strays: AtomicU64,
}

impl Sockets {
    /// Sends `bytes` to `agent` (a failed send is a lost datagram: the retry timer covers it).
    pub(super) fn send(&self, bytes: &[u8], agent: SocketAddr) {
        let socket = if agent.is_ipv4() { self.v4.as_ref() } else { self.v6.as_ref() };
        if let Some(s) = socket {
            let _ = send_to(s, bytes, agent);
        }
    }

    /// Routes datagrams from `agent` to `direct`'s session.
    pub(super) fn register(&self, agent: SocketAddr, direct: &Arc<Direct>) {
        let mut routes = self.routes.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let list = routes.entry(agent).or_default();
        list.retain(|w| w.strong_count() > 0);
        list.push(Arc::downgrade(direct));
    }

    fn deliver(&self, data: &[u8], from: SocketAddr) {
        let targets: Vec<Arc<Direct>> = {
            let mut routes = self.routes.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let Some(list) = routes.get_mut(&from) else {
                self.strays.fetch_add(1, Ordering::Relaxed);
                return;
            };
            list.retain(|w| w.strong_count() > 0);
            let live: Vec<Arc<Direct>> = list.iter().filter_map(Weak::upgrade).collect();
            if list.is_empty() {
                routes.remove(&from);
            }
            live
        };
        if targets.is_empty() {
            self.strays.fetch_add(1, Ordering::Relaxed);
        }
        // Several clients of one agent (other credentials): each session takes the datagrams
        // whose request-id or msgID it is waiting for and counts the others.
        // The answer goes to its caller from here, and what the session sends next (a request
        // that waited for discovery) leaves at once; the driver is woken only to re-arm its
        // timer.
        for direct in targets {
            let mut core = direct.lock();
            core.session.handle_datagram(data, now());
            core.flush(&direct.socket);
            core.dispatch();
            drop(core);
            direct.started.notify_one();
        }
    }
}

#[cfg(unix)]
fn send_to(socket: &UdpIo, bytes: &[u8], to: SocketAddr) -> io::Result<usize> {
    socket.get_ref().send_to(bytes, to)
}

#[cfg(not(unix))]
fn send_to(socket: &UdpIo, bytes: &[u8], to: SocketAddr) -> io::Result<usize> {
    socket.try_send_to(bytes, to)
}

/// One UDP socket per address family for any number of clients (see the module's text).
/// Clones share the sockets; the reader tasks stop when the last clone is dropped.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<HubInner>,
}

struct HubInner {
    sockets: Arc<Sockets>,
    readers: Vec<tokio::task::AbortHandle>,
}

impl Drop for HubInner {
    fn drop(&mut self) {
        for r in &self.readers {
            r.abort();
        }
    }
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("ipv4", &self.inner.sockets.v4.is_some())
            .field("ipv6", &self.inner.sockets.v6.is_some())
            .field("strays", &self.strays())
            .finish()
    }
}

fn bind(addr: SocketAddr) -> io::Result<UdpIo> {
    udp_io(super::poll::bind(addr)?)
}

impl Hub {
    /// Binds a UDP socket on any IPv4 address and one on any IPv6 address (where the machine
    /// has IPv6), and starts a task per socket that reads and routes. Needs a tokio runtime.
    ///
    /// # Errors
    /// Neither socket could be bound.
    pub fn bind() -> io::Result<Hub> {
        let v4 = bind(SocketAddr::from(([0, 0, 0, 0], 0)));
        let v6 = bind(SocketAddr::from(([0u16; 8], 0))).ok();
        let v4 = match (v4, &v6) {
            (Ok(s), _) => Some(s),
            (Err(_), Some(_)) => None,
            (Err(e), None) => return Err(e),
        };
        let sockets =
            Arc::new(Sockets { v4, v6, routes: Mutex::new(HashMap::new()), strays: AtomicU64::new(0) });
        let mut readers = Vec::new();
        for v6 in [false, true] {
            let has = if v6 { sockets.v6.is_some() } else { sockets.v4.is_some() };
            if has {
                readers.push(tokio::spawn(read(Arc::clone(&sockets), v6)).abort_handle());
            }
        }
        Ok(Hub { inner: Arc::new(HubInner { sockets, readers }) })
    }

    pub(super) fn sockets(&self) -> &Arc<Sockets> {
        &self.inner.sockets
    }

    /// Datagrams that came from an address no client of the hub talks to (late answers to
    /// clients that are gone, or strangers), dropped.
    pub fn strays(&self) -> u64 {
        self.inner.sockets.strays.load(Ordering::Relaxed)
    }

    /// The local addresses of the sockets (IPv4, IPv6).
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        let s = &self.inner.sockets;
        [s.v4.as_ref(), s.v6.as_ref()].into_iter().flatten().filter_map(|io| local_addr(io).ok()).collect()
    }
}

#[cfg(unix)]
fn local_addr(io: &UdpIo) -> io::Result<SocketAddr> {
    io.get_ref().local_addr()
}

#[cfg(not(unix))]
fn local_addr(io: &UdpIo) -> io::Result<SocketAddr> {
    io.local_addr()
}

/// Reads the socket of one family and routes what comes.
async fn read(sockets: Arc<Sockets>, v6: bool) {
    let mut buf = vec![0u8; super::MAX_DATAGRAM];
    loop {
        let socket = if v6 { sockets.v6.as_ref() } else { sockets.v4.as_ref() };
        let Some(socket) = socket else { return };
        if !receive(socket, &sockets, &mut buf).await {
            return;
        }
    }
}

/// Waits until the socket is readable and reads what is there; `false` when it failed for good.
#[cfg(unix)]
async fn receive(socket: &UdpIo, sockets: &Sockets, buf: &mut [u8]) -> bool {
    let Ok(mut ready) = socket.readable().await else { return false };
    for _ in 0..1024 {
        match ready.try_io(|s| s.get_ref().recv_from(buf)) {
            Ok(Ok((n, from))) => sockets.deliver(buf.get(..n).unwrap_or_default(), from),
            // An error from an earlier send (ICMP unreachable): read on.
            Ok(Err(_)) => {}
            // Empty: the readiness is cleared, wait again.
            Err(_) => return true,
        }
    }
    true
}

#[cfg(not(unix))]
async fn receive(socket: &UdpIo, sockets: &Sockets, buf: &mut [u8]) -> bool {
    if socket.readable().await.is_err() {
        return false;
    }
    for _ in 0..1024 {
        match socket.try_recv_from(buf) {
            Ok((n, from)) => sockets.deliver(buf.get(..n).unwrap_or_default(), from),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return true,
            Err(_) => {}
        }
    }
    true
}
