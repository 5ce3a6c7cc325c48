//! Polling many agents from one socket: the fleet driver behind `snmpctl poll`.
//!
//! Each [`Job`] is one agent and what to ask it: a Get of some OIDs, then walks of some
//! subtrees, in order. At most `concurrency` jobs are active at a time; each active job has its
//! own [`Session`] (request-ids, retries, and for v3 the agent's engine ID, boots, time and the
//! keys localized to it, kept for the whole job), and all of them share one UDP socket per
//! address family. Datagrams are routed to sessions by source address; timeouts come from a
//! heap of deadlines. Results are handed to a callback as they arrive, so output streams and
//! memory stays flat however many agents there are.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use snmpctl::agent::{self, Responder};
//! use snmpctl::client::{Config, Security, WalkOptions};
//! use snmpctl::msg::Version;
//! use snmpctl::transport::poll::{self, Event, Job, Options};
//! use snmpctl::Value;
//!
//! let mut jobs = Vec::new();
//! let mut stops = Vec::new();
//! for name in ["edge-1", "edge-2", "edge-3"] {
//!     let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
//!     let agent = socket.local_addr()?;
//!     let (stop, stopped) = tokio::sync::watch::channel(false);
//!     tokio::spawn(agent::run(socket, Responder::new([("1.3.6.1.2.1.1.5.0".parse()?, Value::from(name))]), stopped));
//!     stops.push(stop);
//!     let config = Config::new(Security::Community { version: Version::V2c, community: b"public".to_vec() });
//!     jobs.push(Job { agent, config, get: vec!["1.3.6.1.2.1.1.5.0".parse()?], walk: vec![], walk_options: WalkOptions::bulk(10) });
//! }
//! let mut names = Vec::new();
//! let options = Options { concurrency: 100, min_interval: std::time::Duration::ZERO };
//! let summary = poll::run(&jobs, options, 7, |event| {
//!     if let Event::Varbinds { varbinds, .. } = event {
//!         names.extend(varbinds.iter().filter_map(|vb| vb.value.as_str().map(str::to_owned)));
//!     }
//! })
//! .await?;
//! names.sort();
//! assert_eq!(names, ["edge-1", "edge-2", "edge-3"]);
//! assert_eq!(summary.ok, 3);
//! # Ok(())
//! # }
//! ```

use crate::client::{Config, Error, Operation, Request, Session, Walk, WalkError, WalkOptions};
use crate::msg::{ErrorStatus, GenericPdu};
use crate::value::{Oid, VarBind};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::net::UdpSocket;

/// One agent and what to ask it.
#[derive(Debug, Clone)]
pub struct Job {
    /// The agent.
    pub agent: SocketAddr,
    /// Version, security, timeout and retries.
    pub config: Config,
    /// OIDs to Get, in one request.
    pub get: Vec<Oid>,
    /// Subtrees to walk after the Get, one after the other.
    pub walk: Vec<Oid>,
    /// How to walk (GetBulk with max-repetitions, or GetNext for v1).
    pub walk_options: WalkOptions,
}

/// How to poll.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Jobs active at once.
    pub concurrency: usize,
    /// The least time between two requests to one agent (retransmissions aside).
    pub min_interval: Duration,
}

/// How a job went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Every request was answered without an error.
    Ok,
    /// The agent did not answer (the job stopped there).
    Timeout,
    /// Answered without an error-status, but the agent has no such object or instance for
    /// some of the OIDs (noSuchObject, noSuchInstance: the exception values are among the
    /// varbinds given to the callback).
    Missing,
    /// An error-status, a failed walk or a security failure.
    Error,
}

/// Why part of a job failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The Get's request failed (timeout, security).
    Request(Error),
    /// The agent answered the Get with an error-status.
    Agent(GenericPdu),
    /// A walk stopped early.
    Walk(WalkError),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Request(e) => write!(f, "{e}"),
            Failure::Agent(pdu) => write!(
                f,
                "the agent answered {} (error-index {})",
                pdu.error_status.name().unwrap_or("an unknown error-status"),
                pdu.error_index
            ),
            Failure::Walk(e) => write!(f, "{e}"),
        }
    }
}

/// What the callback is told.
#[derive(Debug)]
pub enum Event<'a> {
    /// Values from job `job`: the Get's answer, or a batch of a walk.
    Varbinds {
        /// Index into the jobs.
        job: usize,
        /// The values.
        varbinds: &'a [VarBind],
    },
    /// Part of job `job` failed.
    Failed {
        /// Index into the jobs.
        job: usize,
        /// What failed.
        failure: &'a Failure,
    },
    /// Job `job` is over.
    Done {
        /// Index into the jobs.
        job: usize,
        /// How it went.
        status: Status,
    },
}

/// Counters of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Jobs by status.
    pub ok: u64,
    /// Jobs answered with some objects missing ([`Status::Missing`]).
    pub missing: u64,
    /// Jobs whose agent did not answer.
    pub timeout: u64,
    /// Jobs with an error.
    pub error: u64,
    /// Varbinds received.
    pub varbinds: u64,
    /// Datagrams sent (retransmissions and discovery included).
    pub sent: u64,
    /// Retransmissions.
    pub retransmitted: u64,
    /// Datagrams from addresses no active job polls (late answers to finished jobs).
    pub stray: u64,
}

/// What an active job is doing.
enum Step {
    Get,
    Walk(Box<Walk>),
}

struct Active {
    job: usize,
    session: Session,
    step: Step,
    next_walk: usize,
    status: Status,
    /// When the next new request may go (the rate limit), and the request waiting for it.
    not_before: Option<Instant>,
    waiting: Option<Request>,
}

/// Polls every job; calls `on_event` as results arrive. Returns the counters.
///
/// # Errors
/// An I/O error of the sockets (sends to one agent that fail count as that agent's timeout).
pub async fn run(
    jobs: &[Job],
    options: Options,
    seed: u64,
    mut on_event: impl FnMut(Event<'_>),
) -> io::Result<Summary> {
    let mut p = Poller {
        jobs,
        options,
        seed,
        v4: None,
        v6: None,
        active: Vec::new(),
        free: Vec::new(),
        by_addr: HashMap::new(),
        timers: BinaryHeap::new(),
        next_job: 0,
        deferred: VecDeque::new(),
        out: VecDeque::new(),
        summary: Summary::default(),
        generation: Vec::new(),
    };
    if jobs.iter().any(|j| j.agent.is_ipv4()) {
        p.v4 = Some(bind("0.0.0.0:0".parse().map_err(io::Error::other)?)?);
    }
    if jobs.iter().any(|j| j.agent.is_ipv6()) {
        p.v6 = Some(bind("[::]:0".parse().map_err(io::Error::other)?)?);
    }
    let mut buf4 = vec![0u8; 65_536];
    let mut buf6 = vec![0u8; 65_536];
    p.fill(Instant::now(), &mut on_event);
    p.flush().await;
    while !(p.active_count() == 0 && p.next_job >= jobs.len() && p.deferred.is_empty()) {
        let deadline = p.timers.peek().map(|Reverse((t, _, _))| *t);
        let sleep = async {
            match deadline {
                Some(t) => tokio::time::sleep_until(t.into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            got = recv(p.v4.as_ref(), &mut buf4) => {
                let (n, from) = got?;
                p.datagram(buf4.get(..n).unwrap_or_default(), from, Instant::now(), &mut on_event);
                p.drain(true, &mut buf4, &mut on_event);
            }
            got = recv(p.v6.as_ref(), &mut buf6) => {
                let (n, from) = got?;
                p.datagram(buf6.get(..n).unwrap_or_default(), from, Instant::now(), &mut on_event);
                p.drain(false, &mut buf6, &mut on_event);
            }
            () = sleep => p.timeouts(Instant::now(), &mut on_event),
        }
        p.fill(Instant::now(), &mut on_event);
        p.flush().await;
    }
    Ok(p.summary)
}

/// A UDP socket for many agents' answers at once: large buffers, IPv6-only for `[::]` (the
/// hub's sockets too).
pub(super) fn bind(addr: SocketAddr) -> io::Result<UdpSocket> {
    use socket2::{Domain, Protocol, Socket, Type};
    let s = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    if addr.is_ipv6() {
        s.set_only_v6(true)?;
    }
    // Thousands of answers can arrive at once: best effort, the kernel caps it at rmem_max.
    let _ = s.set_recv_buffer_size(8 << 20);
    let _ = s.set_send_buffer_size(4 << 20);
    s.bind(&addr.into())?;
    s.set_nonblocking(true)?;
    UdpSocket::from_std(s.into())
}

async fn recv(socket: Option<&UdpSocket>, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
    match socket {
        Some(s) => s.recv_from(buf).await,
        None => std::future::pending().await,
    }
}

struct Poller<'j> {
    jobs: &'j [Job],
    options: Options,
    seed: u64,
    v4: Option<UdpSocket>,
    v6: Option<UdpSocket>,
    active: Vec<Option<Active>>,
    free: Vec<usize>,
    by_addr: HashMap<SocketAddr, usize>,
    /// (deadline, slot, generation): stale entries are skipped.
    timers: BinaryHeap<Reverse<(Instant, usize, u64)>>,
    generation: Vec<u64>,
    next_job: usize,
    /// Jobs whose agent another active job is polling: they wait their turn.
    deferred: VecDeque<usize>,
    /// Datagrams to send.
    out: VecDeque<(SocketAddr, Vec<u8>)>,
    summary: Summary,
}

impl Poller<'_> {
    fn active_count(&self) -> usize {
        self.by_addr.len()
    }

    /// Starts jobs until `concurrency` are active.
    fn fill(&mut self, now: Instant, on_event: &mut impl FnMut(Event<'_>)) {
        let mut tries = self.deferred.len();
        while self.active_count() < self.options.concurrency.max(1) {
            let job = if tries > 0 {
                tries = tries.saturating_sub(1);
                match self.deferred.pop_front() {
                    Some(j) => j,
                    None => continue,
                }
            } else if self.next_job < self.jobs.len() {
                let j = self.next_job;
                self.next_job = self.next_job.saturating_add(1);
                j
            } else {
                break;
            };
            let Some(spec) = self.jobs.get(job) else { continue };
            if self.by_addr.contains_key(&spec.agent) {
                self.deferred.push_back(job);
                if tries == 0 && self.next_job >= self.jobs.len() {
                    break;
                }
                continue;
            }
            let slot = match self.free.pop() {
                Some(s) => s,
                None => {
                    self.active.push(None);
                    self.generation.push(0);
                    self.active.len().saturating_sub(1)
                }
            };
            if let Some(g) = self.generation.get_mut(slot) {
                *g = g.wrapping_add(1);
            }
            let session = Session::new(
                spec.config.clone(),
                self.seed ^ (job as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            );
            let a = Active {
                job,
                session,
                step: Step::Get,
                next_walk: 0,
                status: Status::Ok,
                not_before: None,
                waiting: None,
            };
            if let Some(s) = self.active.get_mut(slot) {
                *s = Some(a);
            }
            self.by_addr.insert(spec.agent, slot);
            if spec.get.is_empty() {
                // No Get: go straight to the first walk (or finish, with nothing to ask).
                self.next_step(slot, now, on_event);
            } else {
                let request = Request {
                    operation: Operation::Get,
                    varbinds: spec.get.iter().cloned().map(VarBind::null).collect(),
                };
                self.send(slot, request, now);
            }
        }
    }

    /// Sends `request` for the job in `slot` now, or when the rate limit allows.
    fn send(&mut self, slot: usize, request: Request, now: Instant) {
        let interval = self.options.min_interval;
        let epoch = self.generation.get(slot).copied().unwrap_or(0);
        let Some(Some(a)) = self.active.get_mut(slot) else { return };
        if let Some(t) = a.not_before
            && t > now
        {
            a.waiting = Some(request);
            self.timers.push(Reverse((t, slot, epoch)));
            return;
        }
        if !interval.is_zero() {
            a.not_before = now.checked_add(interval);
        }
        a.session.send(request, now);
        self.after_session(slot);
    }

    /// Queues what the session in `slot` wants to send and arms its timer.
    fn after_session(&mut self, slot: usize) {
        let epoch = self.generation.get(slot).copied().unwrap_or(0);
        let Some(Some(a)) = self.active.get_mut(slot) else { return };
        let Some(agent) = self.jobs.get(a.job).map(|j| j.agent) else { return };
        while let Some(bytes) = a.session.poll_transmit() {
            self.out.push_back((agent, bytes));
        }
        if let Some(t) = a.session.poll_timeout() {
            self.timers.push(Reverse((t, slot, epoch)));
        }
    }

    async fn flush(&mut self) {
        while let Some((to, bytes)) = self.out.pop_front() {
            let socket = if to.is_ipv4() { self.v4.as_ref() } else { self.v6.as_ref() };
            if let Some(s) = socket {
                // A failed send is a lost datagram: the session retransmits or times out.
                let _ = s.send_to(&bytes, to).await;
            }
        }
    }

    /// Reads what else is waiting on the socket without blocking.
    fn drain(&mut self, v4: bool, buf: &mut [u8], on_event: &mut impl FnMut(Event<'_>)) {
        for _ in 0..1024 {
            let socket = if v4 { self.v4.as_ref() } else { self.v6.as_ref() };
            let Some(Ok((n, from))) = socket.map(|s| s.try_recv_from(buf)) else { return };
            let now = Instant::now();
            self.datagram(buf.get(..n).unwrap_or_default(), from, now, on_event);
        }
    }

    fn datagram(
        &mut self,
        data: &[u8],
        from: SocketAddr,
        now: Instant,
        on_event: &mut impl FnMut(Event<'_>),
    ) {
        let Some(&slot) = self.by_addr.get(&from) else {
            self.summary.stray = self.summary.stray.saturating_add(1);
            return;
        };
        if let Some(Some(a)) = self.active.get_mut(slot) {
            a.session.handle_datagram(data, now);
        }
        // A Report may have released requests that waited for discovery: send them now.
        self.after_session(slot);
        self.events(slot, now, on_event);
    }

    fn timeouts(&mut self, now: Instant, on_event: &mut impl FnMut(Event<'_>)) {
        while let Some(Reverse((t, slot, epoch))) = self.timers.peek().copied() {
            if t > now {
                break;
            }
            self.timers.pop();
            if self.generation.get(slot) != Some(&epoch) {
                continue;
            }
            let Some(Some(a)) = self.active.get_mut(slot) else { continue };
            if let Some(request) = a.waiting.take_if(|_| a.not_before.is_none_or(|nb| nb <= now)) {
                a.not_before = None;
                self.send(slot, request, now);
                continue;
            }
            a.session.handle_timeout(now);
            self.after_session(slot);
            self.events(slot, now, on_event);
        }
    }

    /// Takes the finished requests of `slot` and moves its job on.
    fn events(&mut self, slot: usize, now: Instant, on_event: &mut impl FnMut(Event<'_>)) {
        loop {
            let Some(Some(a)) = self.active.get_mut(slot) else { return };
            let Some((_, outcome)) = a.session.poll_event() else { break };
            let job = a.job;
            match &mut a.step {
                Step::Get => {
                    match outcome {
                        Ok(pdu) if pdu.error_status == ErrorStatus::NO_ERROR => {
                            if a.status == Status::Ok && pdu.varbinds.iter().any(|vb| vb.value.is_exception())
                            {
                                a.status = Status::Missing;
                            }
                            self.summary.varbinds =
                                self.summary.varbinds.saturating_add(pdu.varbinds.len() as u64);
                            on_event(Event::Varbinds { job, varbinds: &pdu.varbinds });
                        }
                        Ok(pdu) => {
                            a.status = Status::Error;
                            on_event(Event::Failed { job, failure: &Failure::Agent(pdu) });
                        }
                        Err(e) => {
                            let timeout =
                                matches!(e, Error::Timeout { .. } | Error::NoAnswerToEncrypted { .. });
                            a.status = if timeout { Status::Timeout } else { Status::Error };
                            on_event(Event::Failed { job, failure: &Failure::Request(e) });
                            self.finish(slot, on_event);
                            return;
                        }
                    }
                    self.next_step(slot, now, on_event);
                }
                Step::Walk(walk) => {
                    let batch = match outcome {
                        Ok(pdu) => walk.on_response(pdu),
                        Err(e) => {
                            walk.on_failure(e);
                            Vec::new()
                        }
                    };
                    if !batch.is_empty() {
                        self.summary.varbinds = self.summary.varbinds.saturating_add(batch.len() as u64);
                        on_event(Event::Varbinds { job, varbinds: &batch });
                    }
                    if let Some(e) = walk.take_error() {
                        let timeout = matches!(
                            &e,
                            WalkError::Request {
                                error: Error::Timeout { .. } | Error::NoAnswerToEncrypted { .. },
                                ..
                            }
                        );
                        a.status = if timeout { Status::Timeout } else { Status::Error };
                        on_event(Event::Failed { job, failure: &Failure::Walk(e) });
                        if timeout {
                            self.finish(slot, on_event);
                            return;
                        }
                    }
                    match walk.request() {
                        Some(request) => self.send(slot, request, now),
                        None => self.next_step(slot, now, on_event),
                    }
                }
            }
        }
    }

    /// Starts the next walk of `slot`'s job, or finishes it.
    fn next_step(&mut self, slot: usize, now: Instant, on_event: &mut impl FnMut(Event<'_>)) {
        let Some(Some(a)) = self.active.get_mut(slot) else { return };
        let Some(spec) = self.jobs.get(a.job) else { return };
        let Some(root) = spec.walk.get(a.next_walk) else {
            self.finish(slot, on_event);
            return;
        };
        a.next_walk = a.next_walk.saturating_add(1);
        let walk = Walk::new(root.clone(), spec.walk_options.clone());
        let request = walk.request();
        a.step = Step::Walk(Box::new(walk));
        match request {
            Some(r) => self.send(slot, r, now),
            None => self.next_step(slot, now, on_event),
        }
    }

    fn finish(&mut self, slot: usize, on_event: &mut impl FnMut(Event<'_>)) {
        let Some(a) = self.active.get_mut(slot).and_then(Option::take) else { return };
        if let Some(spec) = self.jobs.get(a.job) {
            self.by_addr.remove(&spec.agent);
        }
        if let Some(g) = self.generation.get_mut(slot) {
            *g = g.wrapping_add(1);
        }
        self.free.push(slot);
        let s = a.session.stats();
        self.summary.sent = self.summary.sent.saturating_add(s.sent);
        self.summary.retransmitted = self.summary.retransmitted.saturating_add(s.retransmitted);
        let counter = match a.status {
            Status::Ok => &mut self.summary.ok,
            Status::Missing => &mut self.summary.missing,
            Status::Timeout => &mut self.summary.timeout,
            Status::Error => &mut self.summary.error,
        };
        *counter = counter.saturating_add(1);
        on_event(Event::Done { job: a.job, status: a.status });
    }
}
