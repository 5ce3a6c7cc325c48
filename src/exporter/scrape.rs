//! A scrape: the modules' gets and walks against one target, concurrently, then samples.
//!
//! Unlike snmp_exporter, which opens a session and a socket per scrape and walks one subtree
//! after the other, a [`Scraper`] keeps one client per target and auth between scrapes (so an
//! SNMPv3 agent's engine ID, boots, time and the localized keys are learned once), all of them
//! on one UDP socket per address family (a [`crate::transport::Hub`]), runs up to
//! [`Scraper::per_target`] requests of a scrape at once, walks a subtree that two modules
//! share (or that lies inside another walked subtree) once, and stops at the scrape's
//! deadline with what it has.

use super::config::{Auth, Module, WalkParams, auth_protocol, priv_protocol};
use super::samples::{Chunks, Collector, Extra};
use crate::client::WalkOptions;
use crate::msg::ErrorStatus;
use crate::value::{Oid, VarBind};
use crate::{Client, Error, SecurityLevel, Usm};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What to scrape.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The target as snmp_exporter takes it: `[udp://|tcp://]host[:port]`.
    pub target: &'a str,
    /// The auth's name (part of the client's identity) and the auth.
    pub auth: (&'a str, &'a Auth),
    /// The modules, by name.
    pub modules: Vec<(&'a str, &'a Module)>,
    /// `snmp_context`: overrides the auth's context.
    pub context: Option<&'a str>,
    /// `snmp_engineid`: the agent's engine ID in hex, skipping discovery.
    pub engine_id: Option<Vec<u8>>,
    /// When the answer must be ready.
    pub deadline: Instant,
}

/// What a scrape found: the varbinds turned into samples so far, to be written out with
/// [`Outcome::into_chunks`].
#[derive(Debug)]
pub struct Outcome<'m> {
    collector: Collector<'m>,
    /// Requests or walks that failed (timeouts, error-status, the deadline).
    pub errors: Vec<String>,
    /// Varbinds returned.
    pub pdus: u64,
    started: Instant,
    walk_seconds: f64,
    sent: u64,
    retried: u64,
}

impl<'m> Outcome<'m> {
    /// The exposition text a family at a time, the `snmp_scrape_*` series and
    /// `snmpctl_scrape_errors` among them.
    #[allow(clippy::cast_precision_loss)]
    pub fn into_chunks(self) -> Chunks<'m> {
        let extra =
            |name: &str, help: &str, value: f64| Extra { name: name.into(), help: help.into(), value };
        let extras = vec![
            extra("snmp_scrape_walk_duration_seconds", "Time SNMP walk/bulkwalk took.", self.walk_seconds),
            extra(
                "snmp_scrape_packets_sent",
                "Packets sent for get, bulkget, and walk; including retries.",
                self.sent as f64,
            ),
            extra(
                "snmp_scrape_packets_retried",
                "Packets retried for get, bulkget, and walk.",
                self.retried as f64,
            ),
            extra(
                "snmp_scrape_pdus_returned",
                "PDUs returned from get, bulkget, and walk.",
                self.pdus as f64,
            ),
            extra(
                "snmpctl_scrape_errors",
                "Requests and walks of this scrape that failed or were cut short by the scrape timeout (their varbinds so far are kept).",
                self.errors.len() as f64,
            ),
            extra(
                "snmp_scrape_duration_seconds",
                "Total SNMP time scrape took (walk and processing).",
                self.started.elapsed().as_secs_f64(),
            ),
        ];
        self.collector.into_chunks(extras)
    }
}

/// Why nothing could be scraped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ScrapeError(pub String);

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    target: String,
    auth: String,
    /// What the auth holds: a reload that changes a password or community gets a new client.
    credentials: u64,
    context: Option<String>,
    engine_id: Option<Vec<u8>>,
    timeout: Duration,
    retries: u32,
}

struct Cached {
    client: Client,
    used: Instant,
}

/// Runs scrapes, keeping a client per target and auth between them.
pub struct Scraper {
    clients: Mutex<HashMap<Key, Cached>>,
    /// One UDP socket per address family for every target (made on the first scrape, inside
    /// the runtime; `None` if it could not be bound, and clients get sockets of their own).
    hub: std::sync::OnceLock<Option<crate::transport::Hub>>,
    /// Requests of one scrape in flight at once.
    pub per_target: usize,
    /// A client unused this long is closed.
    pub idle: Duration,
}

impl std::fmt::Debug for Scraper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scraper").field("per_target", &self.per_target).finish_non_exhaustive()
    }
}

impl Default for Scraper {
    fn default() -> Scraper {
        Scraper {
            clients: Mutex::new(HashMap::new()),
            hub: std::sync::OnceLock::new(),
            per_target: 4,
            idle: Duration::from_secs(600),
        }
    }
}

/// snmp_exporter's target form to Net-SNMP's: `udp://h:p` → `udp:h:p`.
pub fn net_snmp_target(target: &str) -> String {
    for (from, to) in [("udp://", "udp:"), ("tcp://", "tcp:"), ("udp6://", "udp6:"), ("tcp6://", "tcp6:")] {
        if let Some(rest) = target.strip_prefix(from) {
            return format!("{to}{rest}");
        }
    }
    target.to_owned()
}

fn builder(
    target: &str,
    auth: &Auth,
    context: Option<&str>,
    engine_id: Option<&[u8]>,
) -> crate::ClientBuilder {
    match auth.version {
        1 => Client::v1(target, auth.community.expose()),
        2 => Client::v2c(target, auth.community.expose()),
        _ => {
            let mut user = Usm::user(&auth.username);
            let level = match auth.security_level.as_str() {
                "authPriv" => SecurityLevel::AuthPriv,
                "authNoPriv" => SecurityLevel::AuthNoPriv,
                _ => SecurityLevel::NoAuthNoPriv,
            };
            if level != SecurityLevel::NoAuthNoPriv
                && let Some(p) = auth_protocol(&auth.auth_protocol)
            {
                user = user.auth(p, auth.password.expose());
            }
            if level == SecurityLevel::AuthPriv
                && let Some(p) = priv_protocol(&auth.priv_protocol)
            {
                user = user.privacy(p, auth.priv_password.expose());
            }
            user = user.level(level);
            let context = context.unwrap_or(&auth.context_name);
            if !context.is_empty() || engine_id.is_some() {
                user = user.context(context, engine_id);
            }
            if let Some(id) = engine_id {
                user = user.engine_id(id);
            }
            Client::v3(target, user)
        }
    }
}

/// The gets and walks of a scrape after filters, without repeats.
#[derive(Debug, Default, PartialEq, Eq)]
struct Plan {
    /// Instances to get (in requests of max-repetitions OIDs, one at a time on v1).
    get: Vec<Oid>,
    /// Subtrees, each with its module's walk parameters.
    walk: Vec<(Oid, WalkParams)>,
}

/// Subtrees to walk: sorted, and none inside another.
fn merge_walks(mut walks: Vec<(Oid, WalkParams)>) -> Vec<(Oid, WalkParams)> {
    walks.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<(Oid, WalkParams)> = Vec::with_capacity(walks.len());
    for w in walks {
        if out.last().is_some_and(|(root, _)| w.0.starts_with(root)) {
            continue;
        }
        out.push(w);
    }
    out
}

impl Scraper {
    /// A scraper that runs up to `per_target` requests of a scrape at once.
    pub fn new(per_target: usize) -> Scraper {
        Scraper { per_target: per_target.max(1), ..Scraper::default() }
    }

    fn client_for(&self, key: &Key) -> Option<Client> {
        let mut clients = self.clients.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        let idle = self.idle;
        clients.retain(|_, c| now.saturating_duration_since(c.used) < idle);
        clients.get_mut(key).map(|c| {
            c.used = now;
            c.client.clone()
        })
    }

    /// Datagrams from addresses no client talks to (late answers, strangers), dropped.
    pub fn strays(&self) -> u64 {
        self.hub.get().and_then(Option::as_ref).map_or(0, crate::transport::Hub::strays)
    }

    /// Clients kept now.
    pub fn clients(&self) -> usize {
        self.clients.lock().unwrap_or_else(std::sync::PoisonError::into_inner).len()
    }

    /// Scrapes `request`'s modules from its target.
    ///
    /// # Errors
    /// When nothing could be read: the target does not parse or resolve, the credentials are
    /// unusable, or no request was answered.
    pub async fn scrape<'m>(&self, request: &Request<'m>) -> Result<Outcome<'m>, ScrapeError> {
        let start = Instant::now();
        let (auth_name, auth) = request.auth;
        let params = request.modules.first().map(|(_, m)| m.walk_params.clone()).unwrap_or_default();
        let key = Key {
            target: request.target.to_owned(),
            auth: auth_name.to_owned(),
            credentials: fingerprint(auth),
            context: request.context.map(str::to_owned),
            engine_id: request.engine_id.clone(),
            timeout: params.timeout,
            retries: params.retries,
        };
        let client = match self.client_for(&key) {
            Some(c) => c,
            None => {
                let target = net_snmp_target(request.target);
                let b = builder(&target, auth, request.context, request.engine_id.as_deref())
                    .timeout(params.timeout)
                    .retries(params.retries);
                let connected = match self.hub.get_or_init(|| crate::transport::Hub::bind().ok()) {
                    Some(hub) => b.connect_via(hub).await,
                    None => b.connect().await,
                };
                let c = connected.map_err(|e| {
                    ScrapeError(format!("error connecting to target {}: {e}", request.target))
                })?;
                let mut clients = self.clients.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                clients.insert(key, Cached { client: c.clone(), used: Instant::now() });
                c
            }
        };
        let before = client.stats().await.unwrap_or_default();
        let v1 = auth.version == 1;
        let collector =
            Mutex::new(Collector::new(request.modules.iter().flat_map(|(_, m)| m.metrics.iter())));
        let errors = Mutex::new(Vec::<String>::new());
        let limit = tokio::sync::Semaphore::new(self.per_target.max(1));
        let deadline = tokio::time::Instant::from_std(request.deadline);

        let work = async {
            // Dynamic filters first: their walks choose the instances that are fetched.
            let mut plan = Plan::default();
            let mut walks = Vec::new();
            for (_, module) in &request.modules {
                let mut get = module.get.clone();
                let mut walk: Vec<Oid> = module.walk.clone();
                for f in &module.filters.fixed {
                    walk.retain(|w| !f.targets.contains(w));
                    get.retain(|g| !f.targets.iter().any(|t| g.starts_with(t)));
                    for t in &f.targets {
                        for i in &f.indices {
                            if let Ok(o) = format!("{t}.{i}").parse() {
                                get.push(o);
                            }
                        }
                    }
                }
                for f in &module.filters.dynamic {
                    let (vbs, error) = walk_all(&client, &f.oid, &module.walk_params, v1, &limit).await;
                    if let Some(e) = error {
                        lock(&errors).push(format!("filter walk of {}: {e}", f.oid));
                        continue;
                    }
                    let mut allowed: Vec<u32> = Vec::new();
                    for vb in &vbs {
                        let mut repaired = 0;
                        let text = super::samples::display_text(&vb.value, &mut repaired);
                        if f.values.iter().any(|r| r.is_match(&text))
                            && let Some(last) = vb.oid.arcs().last()
                        {
                            allowed.push(*last);
                        }
                    }
                    walk.retain(|w| !f.targets.contains(w));
                    get.retain(|g| !f.targets.iter().any(|t| g.starts_with(t)));
                    for t in &f.targets {
                        for i in &allowed {
                            if let Ok(o) = t.join(&[*i]) {
                                get.push(o);
                            }
                        }
                    }
                }
                for g in get {
                    if !plan.get.contains(&g) {
                        plan.get.push(g);
                    }
                }
                walks.extend(walk.into_iter().map(|w| (w, module.walk_params.clone())));
            }
            plan.walk = merge_walks(walks);
            plan.get.retain(|g| !plan.walk.iter().any(|(root, _)| g.starts_with(root)));

            // Every get and walk at once (the semaphore bounds how many are on the wire), in
            // this task: they borrow the collector and the configuration.
            let max = if v1 { 1 } else { usize::try_from(params.max_repetitions).unwrap_or(1).max(1) };
            let mut tasks: Vec<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>>> =
                Vec::new();
            for chunk in plan.get.chunks(max) {
                let (client, collector, errors, limit) = (&client, &collector, &errors, &limit);
                tasks.push(Box::pin(async move {
                    let Ok(_permit) = limit.acquire().await else { return };
                    match client.get_pdu(chunk).await {
                        Ok(pdu) if pdu.error_status == ErrorStatus::NO_ERROR => {
                            let mut c = lock(collector);
                            for vb in pdu.varbinds {
                                c.add(vb.oid, vb.value);
                            }
                        }
                        // SNMPv1: an OID the agent lacks is noSuchName; the get goes one OID at a time.
                        Ok(pdu) if v1 && pdu.error_status == ErrorStatus::NO_SUCH_NAME => {}
                        Ok(pdu) => lock(errors).push(format!(
                            "error reported by target: {}",
                            pdu.error_status.name().unwrap_or("an unknown error-status")
                        )),
                        Err(e) => lock(errors).push(format!("error getting target: {e}")),
                    }
                }));
            }
            for (root, params) in &plan.walk {
                let (client, collector, errors, limit) = (&client, &collector, &errors, &limit);
                tasks.push(Box::pin(async move {
                    if let Err(e) = walk_into(client, root, params, v1, limit, collector).await {
                        lock(errors).push(format!("error walking target at {root}: {e}"));
                    }
                }));
            }
            join_all(tasks).await;
        };
        let walk_start = Instant::now();
        let timed_out = tokio::time::timeout_at(deadline, work).await.is_err();
        if timed_out {
            lock(&errors).push(format!(
                "scrape stopped after {:.3}s at the scrape timeout",
                start.elapsed().as_secs_f64()
            ));
        }
        let walk_seconds = walk_start.elapsed().as_secs_f64();
        let after = client.stats().await.unwrap_or_default();
        let collector = collector.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        let errors = errors.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        let pdus = collector.counts().varbinds;
        if pdus == 0 && !errors.is_empty() {
            return Err(ScrapeError(errors.join("; ")));
        }
        Ok(Outcome {
            collector,
            errors,
            pdus,
            started: start,
            walk_seconds,
            sent: after.sent.saturating_sub(before.sent),
            retried: after.retransmitted.saturating_sub(before.retransmitted),
        })
    }
}

/// Runs `futures` together in the calling task until all are done.
async fn join_all(mut futures: Vec<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>>>) {
    std::future::poll_fn(|cx| {
        futures.retain_mut(|f| f.as_mut().poll(cx).is_pending());
        if futures.is_empty() { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
}

/// A hash of everything an auth holds (kept in memory only, as part of a cache key).
fn fingerprint(auth: &Auth) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (
        auth.version,
        auth.community.expose(),
        &auth.security_level,
        &auth.username,
        auth.password.expose(),
        &auth.auth_protocol,
        &auth.priv_protocol,
        auth.priv_password.expose(),
        &auth.context_name,
    )
        .hash(&mut h);
    h.finish()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn options(params: &WalkParams, v1: bool) -> WalkOptions {
    let mut o = if v1 { WalkOptions::get_next() } else { WalkOptions::bulk(params.max_repetitions.max(1)) };
    o.check_increasing = !params.allow_nonincreasing_oids;
    o
}

/// Walks `root` into `pdus` as batches arrive (so a scrape cut short keeps them).
async fn walk_into(
    client: &Client,
    root: &Oid,
    params: &WalkParams,
    v1: bool,
    limit: &tokio::sync::Semaphore,
    collector: &Mutex<Collector<'_>>,
) -> Result<(), String> {
    let Ok(_permit) = limit.acquire().await else { return Ok(()) };
    let mut walker = client.walk_with(root.clone(), options(params, v1));
    while let Some(batch) = walker.next_batch().await {
        match batch {
            Ok(vbs) => {
                let mut c = lock(collector);
                for vb in vbs {
                    c.add(vb.oid, vb.value);
                }
            }
            Err(e) => return Err(Error::from(e).to_string()),
        }
    }
    Ok(())
}

/// Walks `root`: its varbinds, and the error that stopped it early.
async fn walk_all(
    client: &Client,
    root: &Oid,
    params: &WalkParams,
    v1: bool,
    limit: &tokio::sync::Semaphore,
) -> (Vec<VarBind>, Option<String>) {
    let Ok(_permit) = limit.acquire().await else { return (Vec::new(), None) };
    let mut walker = client.walk_with(root.clone(), options(params, v1));
    let mut out = Vec::new();
    while let Some(batch) = walker.next_batch().await {
        match batch {
            Ok(vbs) => out.extend(vbs.into_iter().filter(|vb| !vb.value.is_exception())),
            Err(e) => return (out, Some(Error::from(e).to_string())),
        }
    }
    (out, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_inside_walks_go_once() {
        let p = WalkParams::default();
        let o = |s: &str| s.parse::<Oid>().unwrap();
        let merged = merge_walks(vec![
            (o("1.3.6.1.2.1.31.1.1"), p.clone()),
            (o("1.3.6.1.2.1.2"), p.clone()),
            (o("1.3.6.1.2.1.2.2.1.2"), p.clone()),
            (o("1.3.6.1.2.1.2"), p.clone()),
        ]);
        let roots: Vec<String> = merged.iter().map(|(r, _)| r.to_string()).collect();
        assert_eq!(roots, ["1.3.6.1.2.1.2", "1.3.6.1.2.1.31.1.1"]);
        assert_eq!(net_snmp_target("udp://10.0.0.1:161"), "udp:10.0.0.1:161");
        assert_eq!(net_snmp_target("[::1]:1161"), "[::1]:1161");
        let a = Auth::default();
        let b = Auth { community: super::super::config::Secret::new("other"), ..Auth::default() };
        assert_ne!(fingerprint(&a), fingerprint(&b), "a changed community is another client");
        assert_eq!(fingerprint(&a), fingerprint(&Auth::default()));
    }
}
