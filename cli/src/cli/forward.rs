//! `forward` lines: notifications sent on to other receivers, off the receive loop, as
//! snmptrapd 5.9 forwards them: a v1 Trap as a v1 Trap and a v2c Trap as a v2c Trap with the
//! community they came with (a new request-id), a v2c Inform as an Inform, retried until the
//! next receiver acknowledges it; with `addForwarderInfo`, snmpTrapAddress.x says who sent
//! it. An SNMPv3 Trap goes on as snmptrapd sends it: as the same user at the same level under
//! the sending engine's ID, boots and time, authenticated and encrypted anew with the keys of
//! the `createUser` line it was received with (so a next receiver that knows the sender's
//! users takes it as from the sender). An SNMPv3 Inform goes on as an Inform from the same
//! user, keys localized to the next receiver's engine, found by discovery. The receive side encodes each message and offers it to a bounded queue; a thread of
//! its own sends them (UDP from one socket per address family, TCP on a connection per
//! destination, opened again after an error). What could not be queued or sent is counted.

use snmpctl::client::{Config, Operation, Request, Security};
use snmpctl::transport::{Client, Target};
use snmpctl::value::VarBind;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::io::AsyncWriteExt as _;
use tokio::sync::mpsc;

/// Forwarded Informs waiting for their acknowledgement at once.
const INFORMS_IN_FLIGHT: usize = 1024;

/// One message for one destination.
#[derive(Debug)]
pub enum Job {
    /// A Trap, encoded.
    Trap { to: Arc<Destination>, message: Vec<u8> },
    /// An Inform: sent and retried by a client until acknowledged.
    Inform {
        /// Where.
        to: Arc<Destination>,
        /// As which community or v3 user.
        security: Security,
        /// Names `security` among the clients kept (a community, or a user, a level and a
        /// context).
        client: Vec<u8>,
        /// The varbinds.
        varbinds: Vec<VarBind>,
    },
}

/// What the forwarder did.
#[derive(Debug, Default)]
pub struct Counters {
    /// Traps sent.
    pub sent: AtomicU64,
    /// Informs the next receiver acknowledged.
    pub acknowledged: AtomicU64,
    /// Messages that could not be sent (a socket error, an Inform never acknowledged).
    pub failed: AtomicU64,
    /// Messages that found the queue full.
    pub dropped: AtomicU64,
    /// SNMPv3 notifications a `forward` line matched whose user's keys are not known here (a
    /// user of `--users` given without them), so they could not be sent on.
    pub v3_skipped: AtomicU64,
}

impl Counters {
    /// One line for the listener's summary.
    pub fn summary(&self) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        format!(
            "forwarded: {} Traps sent, {} Informs acknowledged, {} failed, {} not sent (queue full), {} SNMPv3 not forwarded (no keys for the user)",
            get(&self.sent),
            get(&self.acknowledged),
            get(&self.failed),
            get(&self.dropped),
            get(&self.v3_skipped)
        )
    }
}

/// Where the receive side offers messages.
#[derive(Clone)]
pub struct Handle {
    queue: mpsc::Sender<Job>,
    /// The counters, shared with the forwarder.
    pub counters: Arc<Counters>,
}

impl Handle {
    /// Offers a message; `false` (and counted) when the queue is full.
    pub fn submit(&self, job: Job) -> bool {
        let taken = self.queue.try_send(job).is_ok();
        if !taken {
            self.counters.dropped.fetch_add(1, Ordering::Relaxed);
        }
        taken
    }
}

/// The forwarder's thread.
pub struct Forwarder {
    handle: Handle,
    thread: std::thread::JoinHandle<()>,
}

/// A `forward` line's destination, resolved when the configuration is read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Destination {
    text: String,
    addr: SocketAddr,
    tcp: bool,
}

impl Destination {
    /// Resolves `text` (`[udp:|tcp:|udp6:|tcp6:]host[:port]`, port 162 by default).
    ///
    /// # Errors
    /// It does not parse or resolve.
    pub async fn resolve(text: &str) -> anyhow::Result<Destination> {
        let target = Target::parse(text, 162).map_err(|e| anyhow::anyhow!("forward {text}: {e}"))?;
        let addr = target.resolve().await.map_err(|e| anyhow::anyhow!("forward {text}: {e}"))?;
        Ok(Destination { text: text.to_owned(), addr, tcp: target.tcp })
    }
}

impl Forwarder {
    /// Starts the thread; `config` gives an Inform's timeout and retries.
    ///
    /// # Errors
    /// The thread or its runtime could not be made.
    pub fn start(queue: usize, config: &Config) -> anyhow::Result<Forwarder> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let (queue, jobs) = mpsc::channel(queue.max(1));
        let counters = Arc::new(Counters::default());
        let (timeout, retries) = (config.timeout, config.retries);
        let thread = std::thread::Builder::new().name("forward".into()).spawn({
            let counters = Arc::clone(&counters);
            move || runtime.block_on(run(jobs, timeout, retries, counters))
        })?;
        Ok(Forwarder { handle: Handle { queue, counters }, thread })
    }

    /// Where messages are offered.
    pub fn handle(&self) -> Handle {
        self.handle.clone()
    }

    /// Once every [`Handle`] is gone, sends what is queued (Informs within their retries),
    /// then returns the counters.
    pub fn finish(self) -> Arc<Counters> {
        let counters = Arc::clone(&self.handle.counters);
        drop(self.handle);
        let _ = self.thread.join();
        counters
    }
}

async fn run(
    mut jobs: mpsc::Receiver<Job>,
    timeout: std::time::Duration,
    retries: u32,
    counters: Arc<Counters>,
) {
    let mut udp4: Option<tokio::net::UdpSocket> = None;
    let mut udp6: Option<tokio::net::UdpSocket> = None;
    let mut tcp: HashMap<SocketAddr, tokio::net::TcpStream> = HashMap::new();
    let mut clients: HashMap<(Destination, Vec<u8>), Client> = HashMap::new();
    let mut informs = tokio::task::JoinSet::new();
    // Informs waiting for their acknowledgement at once (each up to its retries): beyond, the
    // queue waits, and what does not fit in it is counted.
    let in_flight = Arc::new(tokio::sync::Semaphore::new(INFORMS_IN_FLIGHT));
    let fail = |what: &str, d: &Destination, e: &dyn std::fmt::Display| {
        counters.failed.fetch_add(1, Ordering::Relaxed);
        eprintln!("snmpctl listen: forward to {}: {what}: {e}", d.text);
    };
    while let Some(job) = jobs.recv().await {
        match job {
            Job::Trap { to, message } => {
                let d = &*to;
                if d.tcp {
                    if let std::collections::hash_map::Entry::Vacant(slot) = tcp.entry(d.addr) {
                        match tokio::net::TcpStream::connect(d.addr).await {
                            Ok(s) => {
                                slot.insert(s);
                            }
                            Err(e) => {
                                fail("connecting", d, &e);
                                continue;
                            }
                        }
                    }
                    if let Some(s) = tcp.get_mut(&d.addr)
                        && let Err(e) = s.write_all(&message).await
                    {
                        tcp.remove(&d.addr);
                        fail("sending", d, &e);
                        continue;
                    }
                } else {
                    let slot = if d.addr.is_ipv4() { &mut udp4 } else { &mut udp6 };
                    if slot.is_none() {
                        let local: SocketAddr =
                            if d.addr.is_ipv4() { ([0, 0, 0, 0], 0).into() } else { ([0u16; 8], 0).into() };
                        match tokio::net::UdpSocket::bind(local).await {
                            Ok(s) => *slot = Some(s),
                            Err(e) => {
                                fail("opening a socket", d, &e);
                                continue;
                            }
                        }
                    }
                    if let Some(s) = slot.as_ref()
                        && let Err(e) = s.send_to(&message, d.addr).await
                    {
                        fail("sending", d, &e);
                        continue;
                    }
                }
                counters.sent.fetch_add(1, Ordering::Relaxed);
            }
            Job::Inform { to, security, client, varbinds } => {
                let d = (*to).clone();
                let key = (d.clone(), client);
                if let std::collections::hash_map::Entry::Vacant(slot) = clients.entry(key.clone()) {
                    let mut config = Config::new(security);
                    config.timeout = timeout;
                    config.retries = retries;
                    let made = if d.tcp {
                        Client::connect_tcp(d.addr, config).await
                    } else {
                        Client::connect(d.addr, config).await
                    };
                    match made {
                        Ok(c) => {
                            slot.insert(c);
                        }
                        Err(e) => {
                            fail("connecting", &d, &e);
                            continue;
                        }
                    }
                }
                let Some(client) = clients.get(&key).cloned() else { continue };
                let Ok(permit) = Arc::clone(&in_flight).acquire_owned().await else { continue };
                let counters = Arc::clone(&counters);
                informs.spawn(async move {
                    let _permit = permit;
                    match client.request(Request { operation: Operation::Inform, varbinds }).await {
                        Ok(_) => {
                            counters.acknowledged.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            counters.failed.fetch_add(1, Ordering::Relaxed);
                            eprintln!("snmpctl listen: forward to {}: an Inform: {e}", d.text);
                        }
                    }
                });
                while informs.try_join_next().is_some() {}
            }
        }
    }
    while informs.join_next().await.is_some() {}
}
