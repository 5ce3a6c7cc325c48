//! `snmpctl agent`: serve recordings as simulated devices, on one port or thousands.
//!
//! Every port is one device with its own engine (engine ID, boots, time) and its own copy of
//! what a Set changed; the recordings are shared. Ports are spread over `--threads` threads,
//! each a single-threaded runtime whose tasks own their devices, so nothing is locked.

use super::progress::Progress;
use super::snmp::UsmKeyArgs;
use super::{EXIT_OK, GlobalArgs};
use anyhow::{Context as _, bail};
pub use snmpctl::agent::ROUTER;
use snmpctl::agent::{Access, Faults, Recording, Responder, Setup, Stats};
use snmpctl::hex;
use snmpctl::transport::Target;
use snmpctl::value::Oid;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The engine ID every device's is built from unless `--engine-id`: RFC 3411 format 5
/// (octets) under enterprise 0, then "snmpctl".
const ENGINE_ID_BASE: &[u8] = b"\x80\x00\x00\x00\x05snmpctl";

// Arguments of `snmpctl agent`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Recordings to serve: .snmprec files (the community is the file name without
    /// .snmprec), directories of them (the community is the path below the directory, as
    /// snmpsim names them) or NAME=FILE [default: the shipped router recording, as `public`].
    recordings: Vec<String>,
    /// Where to listen: [udp:]address[:port].
    #[arg(long = "listen", value_name = "ADDR", default_value = "udp:127.0.0.1:1161")]
    listen: String,
    /// Serve one device per port of this range on the --listen address, e.g. 20000-29999.
    #[arg(long = "ports", value_name = "FIRST-LAST")]
    ports: Option<String>,
    /// v3 users, in snmpd.conf's createUser syntax (createUser NAME AUTH PASS [PRIV [PASS]]);
    /// repeatable. The v3 context name selects the recording as the community does; the
    /// empty context selects `public` (or the only recording).
    #[arg(long = "users", value_name = "FILE")]
    users: Vec<PathBuf>,
    /// One more v3 user from the command line (-u, -a, -A, -x, -X).
    #[command(flatten)]
    keys: UsmKeyArgs,
    /// The engine ID, hex; with --ports each device's is this plus its port (2 octets)
    /// [default: 80000000 05 "snmpctl" + port].
    #[arg(long = "engine-id", value_name = "HEX")]
    engine_id: Option<String>,
    /// Communities may read only (Set answers noAccess).
    #[arg(long = "read-only")]
    read_only: bool,
    /// Fault: ignore requests at random with this probability (0–1, or a percentage: 5%).
    #[arg(long = "loss", value_name = "P")]
    loss: Option<String>,
    /// Fault: answer after this long (e.g. 50ms, 1.5s).
    #[arg(long = "delay", value_name = "TIME")]
    delay: Option<String>,
    /// Fault: answer every request twice.
    #[arg(long = "duplicate")]
    duplicate: bool,
    /// Fault: send a response with a wrong request-id before each right one.
    #[arg(long = "wrong-request-id")]
    wrong_request_id: bool,
    /// Fault: GetNext/GetBulk from this OID goes back to the first object instead of forward.
    #[arg(long = "non-increasing", value_name = "OID")]
    non_increasing: Option<String>,
    /// Fault: answer tooBig when a response would exceed this many bytes (GetBulk included).
    #[arg(long = "too-big", value_name = "BYTES")]
    too_big: Option<usize>,
    /// Fault: answer GetBulk with at most this many repetitions.
    #[arg(long = "bulk-cap", value_name = "N")]
    bulk_cap: Option<usize>,
    /// Fault: reboot every so often (snmpEngineBoots + 1, snmpEngineTime from 0), e.g. 60s.
    #[arg(long = "reboot-every", value_name = "TIME")]
    reboot_every: Option<String>,
    /// Threads to serve on.
    #[arg(long = "threads", default_value_t = 1, value_name = "N")]
    threads: usize,
    /// Stop after this long (e.g. 30s) [default: run until interrupted].
    #[arg(long = "exit-after", value_name = "TIME")]
    exit_after: Option<String>,
}

/// "1.5s", "50ms", "2m", "3" (seconds).
pub fn parse_duration(text: &str) -> anyhow::Result<Duration> {
    let t = text.trim();
    let (num, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    let v: f64 =
        num.trim().parse().with_context(|| format!("{text:?} is not a duration (50ms, 1.5s, 2m)"))?;
    Duration::try_from_secs_f64(v * scale).with_context(|| format!("{text:?} is not a duration"))
}

fn parse_probability(text: &str) -> anyhow::Result<f64> {
    let (num, scale) = match text.trim().strip_suffix('%') {
        Some(n) => (n, 0.01),
        None => (text.trim(), 1.0),
    };
    let p = num.parse::<f64>().with_context(|| format!("--loss {text:?}: not a number"))? * scale;
    if !(0.0..=1.0).contains(&p) {
        bail!("--loss {text}: must be between 0 and 1 (or 0% and 100%)");
    }
    Ok(p)
}

/// The port range of `--ports`.
fn parse_ports(text: &str) -> anyhow::Result<std::ops::RangeInclusive<u16>> {
    let (a, b) = text.split_once('-').unwrap_or((text, text));
    let first: u16 = a.trim().parse().with_context(|| format!("--ports {text}: not a port"))?;
    let last: u16 = b.trim().parse().with_context(|| format!("--ports {text}: not a port"))?;
    if first == 0 || last < first {
        bail!("--ports {text}: give FIRST-LAST with 0 < FIRST <= LAST");
    }
    Ok(first..=last)
}

/// A named recording and where it came from.
struct Loaded {
    name: String,
    recording: Recording,
}

fn load_file(name: String, path: &Path, progress: &Progress) -> anyhow::Result<Loaded> {
    let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let text = snmpctl::agent::snmprec::latin1(&text);
    let (recording, skipped) =
        Recording::from_snmprec(&text).with_context(|| format!("{}", path.display()))?;
    for (line, why) in skipped.iter().take(3) {
        progress.note(&format!("snmpctl agent: {}:{line}: {why}; left out\n", path.display()));
    }
    if skipped.len() > 3 {
        progress.note(&format!(
            "snmpctl agent: {}: {} more objects left out\n",
            path.display(),
            skipped.len().saturating_sub(3)
        ));
    }
    progress.inc(1);
    Ok(Loaded { name, recording })
}

fn load_dir(root: &Path, dir: &Path, out: &mut Vec<Loaded>, progress: &Progress) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            load_dir(root, &path, out, progress)?;
        } else if let Some(stem) = path.to_str().and_then(|p| p.strip_suffix(".snmprec")) {
            let rel = Path::new(stem).strip_prefix(root).unwrap_or(Path::new(stem));
            let name =
                rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            out.push(load_file(name, &path, progress)?);
        }
    }
    Ok(())
}

fn load(args: &Args, progress: &Progress) -> anyhow::Result<Vec<Loaded>> {
    let mut out = Vec::new();
    if args.recordings.is_empty() {
        let (recording, _) = Recording::from_snmprec(ROUTER).context("the shipped router recording")?;
        out.push(Loaded { name: "public".into(), recording });
    }
    for arg in &args.recordings {
        let (name, path) = match arg.split_once('=') {
            Some((n, p)) if !Path::new(arg).exists() => (Some(n.to_owned()), PathBuf::from(p)),
            _ => (None, PathBuf::from(arg)),
        };
        if path.is_dir() {
            if name.is_some() {
                bail!("{arg}: NAME=... takes a file, not a directory");
            }
            load_dir(&path, &path, &mut out, progress)?;
        } else {
            let stem = path.file_name().and_then(|f| f.to_str()).unwrap_or("public");
            let stem = stem.strip_suffix(".snmprec").unwrap_or(stem).to_owned();
            out.push(load_file(name.unwrap_or(stem), &path, progress)?);
        }
    }
    if out.is_empty() {
        bail!("no .snmprec recordings found in {}", args.recordings.join(", "));
    }
    Ok(out)
}

fn setup(args: &Args, loaded: Vec<Loaded>) -> anyhow::Result<Setup> {
    let mut s = Setup::default();
    let default = loaded.iter().position(|l| l.name == "public").unwrap_or(0);
    for (i, l) in loaded.into_iter().enumerate() {
        let name = l.name.into_bytes();
        s.communities.insert(name.clone(), Access { recording: i, write: !args.read_only });
        s.contexts.insert(name, i);
        s.recordings.push(Arc::new(l.recording));
    }
    s.contexts.insert(Vec::new(), default);
    s.users = super::listen::users(&args.users, &args.keys)?.into_iter().map(|u| u.keys).collect();
    Ok(s)
}

fn faults(args: &Args, setup: &Setup) -> anyhow::Result<Faults> {
    let mut f = Faults {
        duplicate: args.duplicate,
        wrong_request_id_first: args.wrong_request_id,
        too_big_bytes: args.too_big,
        bulk_cap: args.bulk_cap,
        ..Faults::default()
    };
    if let Some(p) = &args.loss {
        f.loss = parse_probability(p)?;
    }
    if let Some(d) = &args.delay {
        f.delay = parse_duration(d)?;
    }
    if let Some(r) = &args.reboot_every {
        f.reboot_every = Some(parse_duration(r)?);
    }
    if let Some(o) = &args.non_increasing {
        let from: Oid = o.trim_start_matches('.').parse().with_context(|| format!("--non-increasing {o}"))?;
        let first = setup.recordings.first().and_then(|r| r.records().first()).map(|r| r.oid.clone());
        f.jump_back = first.map(|to| (from, to));
    }
    Ok(f)
}

fn bind(addr: SocketAddr) -> anyhow::Result<std::net::UdpSocket> {
    let socket = std::net::UdpSocket::bind(addr).map_err(|e| {
        let hint = match e.raw_os_error() {
            Some(24) => "; too many open files: raise the limit (ulimit -n) above the number of ports",
            Some(13) => "; ports below 1024 need root or cap_net_bind_service",
            Some(98) => "; the port is in use",
            _ => "",
        };
        anyhow::anyhow!("binding udp:{addr}: {e}{hint}")
    })?;
    socket.set_nonblocking(true).with_context(|| format!("udp:{addr}"))?;
    Ok(socket)
}

pub fn run(global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    let target =
        Target::parse(&args.listen, 1161).map_err(|e| anyhow::anyhow!("--listen {}: {e}", args.listen))?;
    if target.tcp {
        bail!("--listen {}: the agent serves UDP only", args.listen);
    }
    let runtime = super::snmp::runtime()?;
    let base: SocketAddr =
        runtime.block_on(target.resolve()).with_context(|| format!("--listen {}", args.listen))?;
    let ports: Vec<u16> = match &args.ports {
        Some(p) => parse_ports(p)?.collect(),
        None => vec![base.port()],
    };
    let loaded = load(args, &Progress::start(!global.no_progress, "recordings loaded", None))?;
    let summary: Vec<String> =
        loaded.iter().take(5).map(|l| format!("{} ({} objects)", l.name, l.recording.len())).collect();
    let more = loaded.len().saturating_sub(5);
    let setup = Arc::new(setup(args, loaded)?);
    let faults = faults(args, &setup)?;
    let engine_base = match &args.engine_id {
        Some(h) => hex::decode(h.trim_start_matches("0x")).context("--engine-id: not hex")?,
        None => ENGINE_ID_BASE.to_vec(),
    };
    let range = args.ports.is_some() || args.engine_id.is_none();
    let now = Instant::now();
    let seed = getrandom::u64().unwrap_or(0x5eed);
    let mut devices: Vec<(std::net::UdpSocket, Responder)> = Vec::with_capacity(ports.len());
    let progress = Progress::start(!global.no_progress, "devices bound", u64::try_from(ports.len()).ok());
    for port in &ports {
        let addr = SocketAddr::new(base.ip(), *port);
        let socket = bind(addr)?;
        let mut engine_id = engine_base.clone();
        if range {
            engine_id.extend_from_slice(&port.to_be_bytes());
        }
        let mut device = Responder::device(setup.clone(), engine_id, seed ^ u64::from(*port), now);
        device.faults = faults.clone();
        devices.push((socket, device));
        progress.inc(1);
    }
    progress.finish();
    let first_engine = devices.first().map(|(_, d)| hex::encode(d.engine().engine_id())).unwrap_or_default();
    let where_ = match (ports.first(), ports.last()) {
        (Some(a), Some(b)) if a != b => {
            format!("udp:{} ports {a}-{b} ({} devices)", ip_text(base.ip()), ports.len())
        }
        _ => format!("udp:{base}"),
    };
    eprintln!(
        "snmpctl agent: serving {}{} on {where_}; engine ID {first_engine}{}; {} v3 user(s)",
        summary.join(", "),
        if more > 0 { format!(" and {more} more") } else { String::new() },
        if ports.len() > 1 { " (+ port)" } else { "" },
        setup.users.len(),
    );
    let stats =
        serve(devices, args.threads.max(1), args.exit_after.as_deref().map(parse_duration).transpose()?)?;
    eprintln!(
        "snmpctl agent: {} requests, {} responses, {} reports, {} lost (fault), {} with an unknown community",
        stats.requests, stats.responses, stats.reports, stats.lost, stats.bad_communities
    );
    Ok(ExitCode::from(EXIT_OK))
}

fn ip_text(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => format!("[{v6}]"),
        IpAddr::V4(v4) => v4.to_string(),
    }
}

/// Runs the devices on `threads` threads until interrupted or `exit_after`; sums their counters.
fn serve(
    devices: Vec<(std::net::UdpSocket, Responder)>,
    threads: usize,
    exit_after: Option<Duration>,
) -> anyhow::Result<Stats> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut groups: Vec<Vec<(std::net::UdpSocket, Responder)>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, d) in devices.into_iter().enumerate() {
        if let Some(g) = groups.get_mut(i.checked_rem(threads).unwrap_or(0)) {
            g.push(d);
        }
    }
    let mut handles = Vec::new();
    for group in groups.into_iter().filter(|g| !g.is_empty()) {
        let stop = stop_rx.clone();
        handles.push(std::thread::spawn(move || -> anyhow::Result<Stats> {
            let rt = super::snmp::runtime()?;
            rt.block_on(async move {
                let mut tasks = Vec::with_capacity(group.len());
                for (socket, device) in group {
                    let socket = tokio::net::UdpSocket::from_std(socket).context("registering a socket")?;
                    tasks.push(tokio::spawn(snmpctl::agent::run(socket, device, stop.clone())));
                }
                let mut stats = Stats::default();
                for t in tasks {
                    if let Ok(device) = t.await {
                        stats.add(device.stats());
                    }
                }
                anyhow::Ok(stats)
            })
        }));
    }
    let runtime = super::snmp::runtime()?;
    runtime.block_on(async {
        match exit_after {
            Some(d) => tokio::select! {
                () = tokio::time::sleep(d) => {}
                () = super::listen::signalled() => {}
            },
            None => super::listen::signalled().await,
        }
    });
    let _ = stop_tx.send(true);
    let mut total = Stats::default();
    for h in handles {
        match h.join() {
            Ok(Ok(s)) => total.add(&s),
            Ok(Err(e)) => return Err(e),
            Err(_) => bail!("a serving thread failed"),
        }
    }
    Ok(total)
}
