//! `snmpctl exporter`: a Prometheus exporter that takes snmp_exporter's URLs and `snmp.yml`.
//!
//! `GET /snmp?target=…&module=a,b&auth=NAME` (also `snmp_context`, `snmp_engineid`), `/metrics`
//! (the exporter's own), `POST /-/reload` and SIGHUP, `/-/healthy`, `/config` (secrets as
//! `<secret>`). A broken file on reload keeps the old configuration serving.

use anyhow::{Context as _, bail};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt as _, Full};
use hyper::body::{Bytes, Frame};
use hyper::{Method, Request, Response, StatusCode};
use snmpctl::exporter::config::{Auth, Config};
use snmpctl::exporter::scrape::{self, Scraper};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

// Arguments of `snmpctl exporter`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    action: Option<Action>,
    /// snmp.yml files, in snmp_exporter's 0.21 or 0.23+ format; repeatable (modules and auths
    /// are merged) [default: the built-in `if_mib` and `system` modules, `public_v1` and
    /// `public_v2` auths].
    #[arg(long = "config", visible_alias = "config.file", value_name = "FILE")]
    config: Vec<PathBuf>,
    /// Where to listen for HTTP: [HOST]:PORT (`:9116` is every address).
    #[arg(
        long = "listen",
        visible_alias = "web.listen-address",
        default_value = ":9116",
        value_name = "ADDR"
    )]
    listen: String,
    /// Only scrape targets whose address is in one of these networks (CIDR, comma-separated),
    /// e.g. 10.0.0.0/8,192.168.0.0/16 [default: any target].
    #[arg(long = "allow-targets", value_delimiter = ',', value_name = "CIDR")]
    allow_targets: Vec<String>,
    /// Requests of one scrape in flight at once (gets and walks of all its modules).
    #[arg(long = "target-concurrency", default_value_t = 4, value_name = "N")]
    per_target: usize,
    /// Seconds to subtract from Prometheus's scrape timeout
    /// (X-Prometheus-Scrape-Timeout-Seconds) to answer in time.
    #[arg(long = "timeout-offset", default_value_t = 0.5, value_name = "SECONDS")]
    timeout_offset: f64,
    /// Threads that scrape and render. One core renders a 10,000-interface if_mib scrape in
    /// about half a second; each further thread lets scrapes use another core, at the cost of
    /// memory (each thread's allocations stay with it between scrapes).
    #[arg(long = "threads", default_value_t = 1, value_name = "N")]
    threads: usize,
    /// Load the configuration, report what it holds, and exit.
    #[arg(long = "dry-run")]
    dry_run: bool,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Write snmp.yml from a generator.yml, as snmp_exporter's generator does, on snmpctl's
    /// MIB compiler: the shipped MIBs plus -M directories (every module in them), no Net-SNMP.
    Generate(GenerateArgs),
}

#[derive(Debug, clap::Args)]
struct GenerateArgs {
    /// The generator.yml (snmp_exporter 0.21's format, or 0.23+'s with `auths:`).
    #[arg(default_value = "generator.yml")]
    input: PathBuf,
    /// Where to write [default: snmp.yml; `-` for standard output].
    #[arg(short = 'o', long = "output", default_value = "snmp.yml")]
    output: PathBuf,
    /// Directories of MIB files to load besides the shipped ones, `:`-separated; repeatable
    /// (also from $MIBDIRS, as snmp_exporter's generator takes them).
    #[arg(short = 'M', long = "mib-dirs", env = "MIBDIRS", value_delimiter = ':')]
    mib_dirs: Vec<PathBuf>,
}

fn generate(args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let text =
        std::fs::read_to_string(&args.input).with_context(|| format!("reading {}", args.input.display()))?;
    let mib = if args.mib_dirs.is_empty() {
        snmpctl::Mib::shipped()
    } else {
        let (mib, diagnostics) = snmpctl::Mib::with_dirs(&args.mib_dirs);
        let problems = diagnostics.len();
        if problems > 0 {
            log(
                "warn",
                "some MIB files have problems (the modules that resolve are loaded)",
                &[("problems", &problems.to_string())],
            );
        }
        mib
    };
    let (yml, warnings) = snmpctl::exporter::generator::generate(&args.input, &text, mib.tree())?;
    for w in &warnings {
        log("warn", w, &[]);
    }
    if args.output.as_os_str() == "-" {
        use std::io::Write as _;
        std::io::stdout().write_all(yml.as_bytes())?;
    } else {
        std::fs::write(&args.output, yml).with_context(|| format!("writing {}", args.output.display()))?;
        log("info", "config written", &[("file", &args.output.display().to_string())]);
    }
    Ok(ExitCode::SUCCESS)
}

/// A network that targets may be in.
#[derive(Debug, Clone, Copy)]
struct Cidr {
    net: IpAddr,
    bits: u8,
}

impl Cidr {
    fn parse(text: &str) -> anyhow::Result<Cidr> {
        let (ip, bits) = text.split_once('/').unwrap_or((text, ""));
        let net: IpAddr = ip.parse().with_context(|| format!("{text:?} is not an address/prefix"))?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let bits = if bits.is_empty() {
            max
        } else {
            bits.parse().with_context(|| format!("bad prefix length in {text:?}"))?
        };
        if bits > max {
            bail!("prefix length {bits} is longer than {max} in {text:?}");
        }
        Ok(Cidr { net, bits })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32u32.saturating_sub(u32::from(self.bits))).unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX.checked_shl(128u32.saturating_sub(u32::from(self.bits))).unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// The built-in configuration's generator.yml: `if_mib` and `system` modules and two auths,
/// generated over the shipped MIBs when the exporter starts without --config.
const BUILTIN: &str = include_str!("exporter/generator.yml");

struct State {
    config: RwLock<Arc<Config>>,
    paths: Vec<PathBuf>,
    scraper: Scraper,
    allow: Vec<Cidr>,
    timeout_offset: f64,
    stats: Stats,
}

#[derive(Default)]
struct Stats {
    label_values_repaired: AtomicU64,
    samples_dropped: AtomicU64,
    scrapes: AtomicU64,
    scrape_failures: AtomicU64,
    request_errors: AtomicU64,
    scrape_micros: AtomicU64,
    reloads: AtomicU64,
    reload_failures: AtomicU64,
    last_reload_ok: AtomicU64,
    last_reload_time: AtomicU64,
}

fn load(paths: &[PathBuf]) -> anyhow::Result<Config> {
    if paths.is_empty() {
        let tree = snmpctl::Mib::shipped();
        let (yml, _) =
            snmpctl::exporter::generator::generate("built-in generator.yml".as_ref(), BUILTIN, tree.tree())?;
        let (c, _) = Config::parse("built-in snmp.yml".as_ref(), &yml)?;
        return Ok(c);
    }
    Ok(Config::load(paths)?)
}

fn log(level: &str, msg: &str, fields: &[(&str, &str)]) {
    let mut line = format!("level={level} msg={msg:?}");
    for (k, v) in fields {
        line.push_str(&format!(" {k}={v:?}"));
    }
    eprintln!("{line}");
}

/// Runs the exporter.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if let Some(Action::Generate(g)) = &args.action {
        return generate(g);
    }
    let config = load(&args.config)?;
    let allow = args.allow_targets.iter().map(|c| Cidr::parse(c)).collect::<anyhow::Result<Vec<_>>>()?;
    if args.dry_run {
        log(
            "info",
            "configuration is valid",
            &[
                ("modules", &config.modules.keys().cloned().collect::<Vec<_>>().join(",")),
                ("auths", &config.auths.keys().cloned().collect::<Vec<_>>().join(",")),
            ],
        );
        return Ok(ExitCode::SUCCESS);
    }
    let listen = match args.listen.strip_prefix(':') {
        Some(port) => format!("0.0.0.0:{port}"),
        None => args.listen.clone(),
    };
    let state = Arc::new(State {
        config: RwLock::new(Arc::new(config)),
        paths: args.config.clone(),
        scraper: Scraper::new(args.per_target),
        allow,
        timeout_offset: args.timeout_offset.max(0.0),
        stats: Stats::default(),
    });
    state.stats.last_reload_ok.store(1, Ordering::Relaxed);
    state.stats.last_reload_time.store(unix_now(), Ordering::Relaxed);
    let runtime = if args.threads <= 1 {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    } else {
        tokio::runtime::Builder::new_multi_thread().worker_threads(args.threads).enable_all().build()
    }
    .context("starting the async runtime")?;
    runtime.block_on(serve(state, &listen))
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

async fn serve(state: Arc<State>, listen: &str) -> anyhow::Result<ExitCode> {
    let listener =
        tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
    let local = listener.local_addr()?;
    log("info", "listening", &[("address", &local.to_string())]);
    #[cfg(unix)]
    {
        let state = state.clone();
        tokio::spawn(async move {
            use tokio::signal::unix::{SignalKind, signal};
            let Ok(mut hup) = signal(SignalKind::hangup()) else { return };
            while hup.recv().await.is_some() {
                let _ = reload(&state);
            }
        });
    }
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let state = state.clone();
                tokio::spawn(async move {
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let service = hyper::service::service_fn(move |req| {
                        let state = state.clone();
                        async move { Ok::<_, std::convert::Infallible>(handle(&state, &req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
                });
            }
            () = super::listen::signalled() => {
                log("info", "stopping", &[]);
                return Ok(ExitCode::SUCCESS);
            }
        }
    }
}

fn reload(state: &State) -> Result<(), String> {
    state.stats.reloads.fetch_add(1, Ordering::Relaxed);
    match load(&state.paths) {
        Ok(c) => {
            *state.config.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(c);
            state.stats.last_reload_ok.store(1, Ordering::Relaxed);
            state.stats.last_reload_time.store(unix_now(), Ordering::Relaxed);
            log("info", "loaded config file", &[]);
            Ok(())
        }
        Err(e) => {
            state.stats.reload_failures.fetch_add(1, Ordering::Relaxed);
            state.stats.last_reload_ok.store(0, Ordering::Relaxed);
            let e = format!("{e:#}");
            log("error", "error reloading config, keeping the previous one", &[("err", &e)]);
            Err(e)
        }
    }
}

type Body = BoxBody<Bytes, std::convert::Infallible>;

/// A response body fed a family at a time by the task that renders the scrape.
struct Chunked(tokio::sync::mpsc::Receiver<Bytes>);

impl hyper::body::Body for Chunked {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        self.0.poll_recv(cx).map(|chunk| chunk.map(|b| Ok(Frame::data(b))))
    }
}

fn text(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    let mut r = Response::new(Full::new(body.into()).boxed());
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

async fn handle<B>(state: &Arc<State>, req: &Request<B>) -> Response<Body> {
    match (req.method(), req.uri().path()) {
        (&Method::GET | &Method::HEAD, "/snmp") => probe(state, req).await,
        (_, "/-/reload") if req.method() == Method::POST || req.method() == Method::PUT => {
            match reload(state) {
                Ok(()) => text(StatusCode::OK, ""),
                Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, format!("failed to reload config: {e}\n")),
            }
        }
        (_, "/-/reload") => text(StatusCode::BAD_REQUEST, "POST method expected\n"),
        (_, "/-/healthy") => text(StatusCode::OK, "Healthy"),
        (_, "/config") => {
            let config = state.config.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
            match config.to_yaml() {
                Ok(y) => text(StatusCode::OK, y),
                Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
            }
        }
        (_, "/metrics") => {
            let mut r = text(StatusCode::OK, own_metrics(state));
            r.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            r
        }
        (_, "/") => {
            let mut r = text(StatusCode::OK, LANDING);
            r.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("text/html; charset=utf-8"),
            );
            r
        }
        _ => text(StatusCode::NOT_FOUND, "404 page not found\n"),
    }
}

const LANDING: &str = "<html><head><title>snmpctl exporter</title></head><body><h1>snmpctl exporter</h1>\
<form action=\"/snmp\">Target: <input name=\"target\" value=\"127.0.0.1\"> Auth: <input name=\"auth\" value=\"public_v2\"> \
Module: <input name=\"module\" value=\"if_mib\"> <input type=\"submit\" value=\"Scrape\"></form>\
<p><a href=\"/config\">Config</a> <a href=\"/metrics\">Metrics</a></p></body></html>\n";

/// Query parameters, percent-decoded, in order.
fn query(uri: &hyper::Uri) -> Vec<(String, String)> {
    let decode = |s: &str| -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0usize;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'+' => out.push(b' '),
                b'%' => {
                    let hex = bytes
                        .get(i.saturating_add(1)..i.saturating_add(3))
                        .and_then(|h| std::str::from_utf8(h).ok());
                    match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        Some(v) => {
                            out.push(v);
                            i = i.saturating_add(2);
                        }
                        None => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i = i.saturating_add(1);
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    uri.query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

async fn probe<B>(state: &Arc<State>, req: &Request<B>) -> Response<Body> {
    let bad = |msg: String| {
        state.stats.request_errors.fetch_add(1, Ordering::Relaxed);
        log("warn", "bad request", &[("err", &msg)]);
        text(StatusCode::BAD_REQUEST, format!("{msg}\n"))
    };
    let params = query(req.uri());
    let all =
        |name: &str| params.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect::<Vec<_>>();
    let targets = all("target");
    let target = match targets.as_slice() {
        [t] if !t.is_empty() => (*t).to_owned(),
        _ => return bad("'target' parameter must be specified once".into()),
    };
    let auths = all("auth");
    if auths.len() > 1 {
        return bad("'auth' parameter must only be specified once".into());
    }
    let contexts = all("snmp_context");
    if contexts.len() > 1 {
        return bad("'snmp_context' parameter must only be specified once".into());
    }
    let engine_ids = all("snmp_engineid");
    if engine_ids.len() > 1 {
        return bad("'snmp_engineid' parameter must only be specified once".into());
    }
    let engine_id = match engine_ids.first() {
        Some(hex) => match snmpctl::hex::decode(hex.trim_start_matches("0x").trim_start_matches("0X")) {
            Ok(id) if !id.is_empty() => Some(id),
            _ => return bad(format!("'snmp_engineid' {hex:?} is not an engine ID in hex")),
        },
        None => None,
    };
    let mut names: Vec<String> = Vec::new();
    for m in all("module").iter().flat_map(|m| m.split(',')).filter(|m| !m.is_empty()) {
        if !names.iter().any(|n| n == m) {
            names.push(m.to_owned());
        }
    }
    if all("module").is_empty() {
        names.push("if_mib".into());
    }
    if names.is_empty() {
        return bad("'module' parameter must contain at least one module name".into());
    }
    let config = state.config.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    for n in &names {
        if !config.modules.contains_key(n) {
            return bad(format!("Unknown module '{n}'"));
        }
    }
    // A 0.21 module carries its own auth, used unless the query names one.
    let own = names.iter().filter_map(|n| config.modules.get(n)).find_map(|m| m.auth.as_ref());
    let auth_name = match (auths.first(), own) {
        (Some(a), _) if config.auths.contains_key(*a) => (*a).to_owned(),
        (Some(a), _) => return bad(format!("Unknown auth '{a}'")),
        (None, Some(_)) => String::new(),
        (None, None) if config.auths.contains_key("public_v2") => "public_v2".into(),
        (None, None) => return bad("Unknown auth 'public_v2'".into()),
    };
    if !state.allow.is_empty() {
        let parsed = snmpctl::transport::Target::parse(&scrape::net_snmp_target(&target), 161);
        let addr = match parsed {
            Ok(t) => t.resolve().await.ok(),
            Err(_) => None,
        };
        match addr {
            Some(a) if state.allow.iter().any(|c| c.contains(a.ip())) => {}
            Some(a) => {
                state.stats.request_errors.fetch_add(1, Ordering::Relaxed);
                return text(
                    StatusCode::FORBIDDEN,
                    format!("target {target} ({}) is not in --allow-targets\n", a.ip()),
                );
            }
            None => return bad(format!("target {target:?} does not parse or resolve")),
        }
    }
    let timeout = req
        .headers()
        .get("X-Prometheus-Scrape-Timeout-Seconds")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|t| t.is_finite() && *t > 0.0)
        .and_then(|t| Duration::try_from_secs_f64((t - state.timeout_offset).max(0.05)).ok())
        .map_or(Duration::from_secs(120), |t| t.min(Duration::from_secs(3600)));
    let context = contexts.first().map(|c| (*c).to_owned());

    // The scrape and its rendering run in a task of their own, which owns what they borrow;
    // the body is fed a family at a time, so the whole text is never held at once.
    let (status_tx, status_rx) = tokio::sync::oneshot::channel::<Result<(), String>>();
    let (chunk_tx, chunk_rx) = tokio::sync::mpsc::channel::<Bytes>(2);
    let state2 = state.clone();
    let target2 = target.clone();
    tokio::spawn(async move {
        let state = state2;
        let target = target2;
        let start = Instant::now();
        let modules: Vec<(&str, &snmpctl::exporter::config::Module)> = names
            .iter()
            .filter_map(|n| config.modules.get_key_value(n))
            .map(|(k, m)| (k.as_str(), m))
            .collect();
        let own_auth = modules.iter().find_map(|(_, m)| m.auth.as_ref());
        let (auth_key, auth): (String, &Auth) = match config.auths.get(&auth_name) {
            Some(a) => (auth_name.clone(), a),
            None => match own_auth {
                Some(a) => (format!("module:{}", names.join(",")), a),
                None => return,
            },
        };
        let request = scrape::Request {
            target: &target,
            auth: (&auth_key, auth),
            modules,
            context: context.as_deref(),
            engine_id,
            deadline: start.checked_add(timeout).unwrap_or(start),
        };
        let result = state.scraper.scrape(&request).await;
        state.stats.scrapes.fetch_add(1, Ordering::Relaxed);
        match result {
            Ok(outcome) => {
                for e in &outcome.errors {
                    log(
                        "info",
                        "error scraping target (partial result served)",
                        &[("target", &target), ("err", e)],
                    );
                }
                let _ = status_tx.send(Ok(()));
                let mut chunks = outcome.into_chunks();
                for chunk in chunks.by_ref() {
                    if chunk_tx.send(Bytes::from(chunk)).await.is_err() {
                        break;
                    }
                }
                let counts = chunks.counts();
                state.stats.label_values_repaired.fetch_add(counts.repaired, Ordering::Relaxed);
                state.stats.samples_dropped.fetch_add(counts.dropped, Ordering::Relaxed);
            }
            Err(e) => {
                state.stats.scrape_failures.fetch_add(1, Ordering::Relaxed);
                log("info", "error scraping target", &[("target", &target), ("err", &e.to_string())]);
                let _ = status_tx.send(Err(e.to_string()));
            }
        }
        let micros = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX);
        state.stats.scrape_micros.fetch_add(micros, Ordering::Relaxed);
    });
    match status_rx.await {
        Ok(Ok(())) => {
            let mut r = Response::new(Chunked(chunk_rx).boxed());
            r.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            r
        }
        Ok(Err(e)) => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!(
                "An error has occurred while serving metrics:\n\nerror collecting metric snmp_error: {e}\n"
            ),
        ),
        Err(_) => text(StatusCode::INTERNAL_SERVER_ERROR, "the scrape stopped\n"),
    }
}

fn own_metrics(state: &State) -> String {
    let s = &state.stats;
    let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
    #[allow(clippy::cast_precision_loss)]
    let secs = get(&s.scrape_micros) as f64 / 1e6;
    let rows: [(&str, &str, &str, String); 12] = [
        (
            "snmpctl_exporter_config_reload_failures_total",
            "counter",
            "Configuration reloads that failed (the previous configuration kept serving).",
            get(&s.reload_failures).to_string(),
        ),
        (
            "snmpctl_exporter_stray_datagrams_total",
            "counter",
            "Datagrams on the exporter's SNMP socket from addresses no target is at (late answers, strangers), dropped.",
            state.scraper.strays().to_string(),
        ),
        (
            "snmpctl_exporter_label_values_repaired_total",
            "counter",
            "Label values that were not UTF-8, each bad sequence replaced by U+FFFD (snmp_exporter 0.21 fails such a scrape).",
            get(&s.label_values_repaired).to_string(),
        ),
        (
            "snmpctl_exporter_samples_dropped_total",
            "counter",
            "Samples dropped: a name and labels seen before in the scrape, or a value its type cannot read.",
            get(&s.samples_dropped).to_string(),
        ),
        (
            "snmp_request_errors_total",
            "counter",
            "Errors in requests to the SNMP exporter",
            get(&s.request_errors).to_string(),
        ),
        ("snmpctl_exporter_scrapes_total", "counter", "Scrapes of /snmp.", get(&s.scrapes).to_string()),
        (
            "snmpctl_exporter_scrape_failures_total",
            "counter",
            "Scrapes of /snmp that read nothing (HTTP 500).",
            get(&s.scrape_failures).to_string(),
        ),
        ("snmpctl_exporter_scrape_seconds_total", "counter", "Time spent in scrapes of /snmp.", {
            let mut t = String::new();
            snmpctl::exporter::samples::go_float(&mut t, secs);
            t
        }),
        (
            "snmpctl_exporter_clients",
            "gauge",
            "SNMP clients kept between scrapes (one per target and auth).",
            state.scraper.clients().to_string(),
        ),
        (
            "snmpctl_exporter_config_reloads_total",
            "counter",
            "Configuration reloads (SIGHUP, /-/reload).",
            get(&s.reloads).to_string(),
        ),
        (
            "snmpctl_exporter_config_last_reload_successful",
            "gauge",
            "Whether the last configuration reload succeeded.",
            get(&s.last_reload_ok).to_string(),
        ),
        (
            "snmpctl_exporter_config_last_reload_success_timestamp_seconds",
            "gauge",
            "When the configuration last loaded.",
            get(&s.last_reload_time).to_string(),
        ),
    ];
    let mut out = String::new();
    for (name, kind, help, value) in rows {
        out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks() {
        let c = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(c.contains("10.1.2.3".parse().unwrap()));
        assert!(!c.contains("10.2.0.1".parse().unwrap()));
        assert!(c.contains("::ffff:10.1.0.9".parse().unwrap()));
        assert!(Cidr::parse("::1/128").unwrap().contains("::1".parse().unwrap()));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains("192.0.2.1".parse().unwrap()));
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        let q = query(&"/snmp?target=udp%3A%2F%2F127.0.0.1%3A1161&module=a,b&module=c".parse().unwrap());
        assert_eq!(q[0], ("target".into(), "udp://127.0.0.1:1161".into()));
        assert_eq!(q.len(), 3);
    }

    #[test]
    fn the_builtin_configuration_loads() {
        let c = load(&[]).unwrap();
        assert!(c.modules.contains_key("if_mib") && c.modules.contains_key("system"));
        assert!(c.auths.contains_key("public_v2") && c.auths.contains_key("public_v1"));
    }
}
