//! `snmpctl listen`: receive Traps and Informs, log them as snmptrapd does or as JSON lines.
//!
//! Threads: the tokio loop receives, decodes, verifies, acknowledges and formats each record
//! into a bounded buffer ([`Outbox`], `--queue` records); a writer thread takes the whole
//! buffer at once and writes it. The receive loop never waits on the writer: what does not
//! fit is counted and reported at exit. The writer is woken when the sockets have nothing
//! more queued (or a batch has built up), and flushes after every batch, so a record is never
//! held back while the listener is idle.
//!
//! Formatting on the receive side keeps each notification's allocations on the thread that
//! made them: handing owned notifications to a formatting thread cost a cross-thread `free`
//! for every piece of every record (malloc and free were the top entries of the listener's
//! profile).

use super::mib::MibArgs;
use super::snmp::UsmKeyArgs;
use super::{EXIT_FAILURE, EXIT_OK, Format, GlobalArgs};
use anyhow::{Context as _, bail};
use snmpctl::format::notification;
use snmpctl::format::output::OutputOptions;
use snmpctl::format::trap_format::{Civil, TrapFormat};
use snmpctl::transport::Target;
use snmpctl::trap::listener::{self, Bound, Event, Sink};
use snmpctl::trap::trapd::TrapdConfig;
use snmpctl::trap::{Receiver, TrapUser, parse_users};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Instant, SystemTime};
use tokio::sync::watch;

// Arguments of `snmpctl listen`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to listen: [udp:|udp6:|tcp:|tcp6:]address[:port], port 162 by default; repeatable
    /// [default: udp:0.0.0.0:162 and udp6:[::]:162].
    #[arg(long = "listen", value_name = "ADDR")]
    listen: Vec<String>,
    /// Accept only this community (v1, v2c); repeatable [default: any].
    #[arg(short = 'c', long = "community")]
    community: Vec<String>,
    /// v3 users, in snmptrapd.conf syntax (createUser [-e ENGINEID] NAME AUTH PASS [PRIV [PASS]],
    /// authUser log NAME LEVEL); repeatable. A whole snmptrapd.conf may be given.
    #[arg(long = "users", value_name = "FILE")]
    users: Vec<PathBuf>,
    /// One more v3 user from the command line (-u, -l, -a, -A, -x, -X).
    #[command(flatten)]
    keys: UsmKeyArgs,
    /// Our engine ID for v3 Informs, hex [default: kept in the state directory].
    #[arg(long = "engine-id", value_name = "HEX")]
    engine_id: Option<String>,
    /// Where the engine ID and boots are kept [default: $SNMPCTL_STATE_DIR,
    /// $XDG_STATE_HOME/snmpctl or ~/.local/state/snmpctl].
    #[arg(long = "state-dir", value_name = "DIR")]
    state_dir: Option<PathBuf>,
    /// Output options, as Net-SNMP's -O (n f s S q Q v a x t e U 0 T b X E).
    #[arg(short = 'O', long = "output-options", value_name = "OPTS")]
    output_options: Vec<String>,
    #[command(flatten)]
    mib: MibArgs,
    /// Append records to this file (one per line for JSON, flushed as they come); repeatable.
    #[arg(long = "output", value_name = "FILE")]
    output: Vec<PathBuf>,
    /// With --output or --syslog, write to standard output as well (snmptrapd's -Lo).
    #[arg(long)]
    stdout: bool,
    /// Write records to standard error (snmptrapd's -Le).
    #[arg(long = "log-stderr")]
    log_stderr: bool,
    /// Send records to syslog with this facility, as snmptrapd -Ls does: d (daemon), u (user)
    /// or 0 to 7 (local0 to local7); each record one message at priority info.
    #[arg(long = "syslog", value_name = "FACILITY")]
    syslog: Vec<String>,
    /// Log notifications nowhere: snmptrapd's -Ln, or an -LO, -LE, -LF or -LS priority that
    /// leaves out info, where snmptrapd logs them (Debian's unit runs snmptrapd -LOw).
    /// traphandle programs and forward lines still run.
    #[arg(long = "log-nowhere")]
    log_nowhere: bool,
    /// What snmptrapd sends to syslog when it has no -L option: one message per notification
    /// at priority warning with this facility (d, u, 0 to 7), in the `format syslog` of
    /// --config or else snmptrapd's `%a: %W Trap (%q) Uptime: %#T%#v` (v1) and
    /// `%B [%b]: Trap %#v` (SNMPv2); `doNotLogTraps 1` stops it, as in snmptrapd.
    #[arg(long = "syslog-traps", value_name = "FACILITY")]
    syslog_traps: Option<String>,
    /// The syslog tag [default: snmptrapd, so that rules written for snmptrapd's messages match].
    #[arg(long = "syslog-tag", default_value = "snmptrapd", value_name = "TAG")]
    syslog_tag: String,
    /// The syslog socket.
    #[arg(long = "syslog-socket", default_value = "/dev/log", value_name = "PATH")]
    syslog_socket: PathBuf,
    /// With --output: when the file reaches this size (bytes, or with K, M, G), rename it to
    /// FILE.1 (FILE.1 to FILE.2, …) and start a new one.
    #[arg(long = "rotate-size", value_name = "SIZE")]
    rotate_size: Option<String>,
    /// Rotated files to keep.
    #[arg(long = "rotate-keep", default_value_t = 5, value_name = "N")]
    rotate_keep: u32,
    /// Records the queue between the receive loop and the writer holds.
    #[arg(long = "queue", default_value_t = 262_144, value_name = "RECORDS")]
    queue: usize,
    /// Stop after this many notifications.
    #[arg(long = "count", value_name = "N")]
    count: Option<u64>,
    /// An snmptrapd.conf (repeatable): its authCommunity/authUser rules (or
    /// disableAuthorization) decide what is logged, what runs its traphandle programs and what
    /// its forward lines send on, as in snmptrapd; createUser, format…, doNotLogTraps,
    /// ignoreAuthFailure, addForwarderInfo, snmpTrapdAddr and outputOption apply too. Lines
    /// not applied are named. Without it, everything is logged.
    #[arg(long = "config", value_name = "FILE")]
    config: Vec<PathBuf>,
    /// One snmptrapd.conf line, read after the --config files (repeatable), as snmptrapd reads
    /// its `--TOKEN=VALUE` options: `--config-line 'authCommunity log public'`.
    #[arg(long = "config-line", value_name = "LINE")]
    config_line: Vec<String>,
    /// Write the process ID to this file once listening, and remove it at exit (snmptrapd -p).
    #[arg(long = "pid-file", value_name = "FILE")]
    pid_file: Option<PathBuf>,
    /// Once listening, with its files open, run as this user (a name or a number), as
    /// snmptrapd -u: handlers run as it too. Without --run-as-group, its own group is taken (and
    /// no other), where snmptrapd -u alone would keep root's groups.
    #[arg(long = "run-as-user", value_name = "USER")]
    run_as_user: Option<String>,
    /// Once listening, run in this group (a name or a number) and no other, as snmptrapd -g.
    #[arg(long = "run-as-group", value_name = "GROUP")]
    run_as_group: Option<String>,
    /// Empty the --output files at start, as snmptrapd's -Lf does without -A (by default they
    /// are appended to; a SIGHUP opens them again for appending either way).
    #[arg(long = "truncate-output")]
    truncate_output: bool,
    /// traphandle programs running at once.
    #[arg(long = "handler-workers", default_value_t = 16, value_name = "N")]
    handler_workers: usize,
    /// traphandle runs waiting at most; beyond, a run is counted and not made (the
    /// notification is still logged).
    #[arg(long = "handler-queue", default_value_t = 10_000, value_name = "N")]
    handler_queue: usize,
    /// A traphandle program still running after this many seconds is killed.
    #[arg(long = "handler-timeout", default_value_t = 30.0, value_name = "SECONDS")]
    handler_timeout: f64,
    /// Messages waiting to be forwarded at most (`forward` lines); beyond, counted and not sent.
    #[arg(long = "forward-queue", default_value_t = 100_000, value_name = "N")]
    forward_queue: usize,
    /// The log format for every notification, as snmptrapd's -F (it wins over format1,
    /// format2 and format print… in --config): `%` fields and `\` escapes as snmptrapd reads them.
    #[arg(short = 'F', long = "format-string", value_name = "FORMAT")]
    format_string: Option<String>,
    /// Look up no host names: traphandle programs get the transport address on their first
    /// line, as snmptrapd -n gives it.
    #[arg(short = 'n', long = "numeric-hosts")]
    numeric_hosts: bool,
}

/// What `--config` files give the receive side: the rules and handlers, the formats (`-F`
/// winning), and the forward destinations, resolved.
struct Loaded {
    config: TrapdConfig,
    print: [Option<TrapFormat>; 2],
    /// `format syslog…`, for `--syslog-traps`.
    syslog: [Option<TrapFormat>; 2],
    execute: [Option<TrapFormat>; 2],
    destinations: Vec<Arc<super::forward::Destination>>,
}

/// Reads the snmptrapd.conf files of `--config`, OIDs resolved with the loaded MIB; what is
/// not applied is said on stderr. A file that cannot be read, or a forward destination that
/// does not resolve, is an error (at a reload, the configuration in force stays).
async fn load_trapd(sources: &TrapdSources) -> anyhow::Result<Loaded> {
    let TrapdSources { files, lines, format_string } = sources;
    let format_string = format_string.as_deref();
    let mut config = TrapdConfig::default();
    let resolve = |name: &str| super::get::parse_oid(name).map_err(|e| format!("{e:#}"));
    for path in files {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        config.add(&text, &path.display().to_string(), &resolve);
    }
    // --config-line: after the files, as snmptrapd reads its --TOKEN=VALUE options.
    config.add(&lines.join("\n"), "--config-line", &resolve);
    let mut destinations = Vec::with_capacity(config.forwards.len());
    for f in &config.forwards {
        destinations.push(Arc::new(super::forward::Destination::resolve(&f.destination).await?));
    }
    for i in &config.ignored {
        eprintln!("snmpctl listen: {i}");
    }
    if !config.disable_authorization && !config.vacm.is_configured() {
        eprintln!(
            "snmpctl listen: warning: no access configuration (authCommunity, authUser, group or \
             authAccess lines) and no disableAuthorization: as for snmptrapd, no notification will \
             be processed"
        );
    }
    let print = |file: Option<&String>| format_string.or(file.map(String::as_str)).map(TrapFormat::parse);
    Ok(Loaded {
        print: [print(config.print1.as_ref()), print(config.print2.as_ref())],
        syslog: [
            config.syslog1.as_deref().map(TrapFormat::parse),
            config.syslog2.as_deref().map(TrapFormat::parse),
        ],
        execute: [
            config.execute1.as_deref().map(TrapFormat::parse),
            config.execute2.as_deref().map(TrapFormat::parse),
        ],
        destinations,
        config,
    })
}

/// Where the snmptrapd.conf configuration comes from: `--config` files, then `--config-line`
/// lines; `-F` wins over the formats they set.
#[derive(Clone)]
struct TrapdSources {
    files: Vec<PathBuf>,
    lines: Vec<String>,
    format_string: Option<String>,
}

impl TrapdSources {
    fn of(args: &Args) -> TrapdSources {
        TrapdSources {
            files: args.config.clone(),
            lines: args.config_line.clone(),
            format_string: args.format_string.clone(),
        }
    }

    /// No file and no line: snmptrapd.conf plays no part.
    fn is_empty(&self) -> bool {
        self.files.is_empty() && self.lines.is_empty()
    }
}

/// A configuration read again on SIGHUP, waiting for the receive side to take it.
#[derive(Default)]
struct Reload {
    /// Counts the configurations published; the receive side compares it with the last it took.
    generation: std::sync::atomic::AtomicU64,
    next: Mutex<Option<Loaded>>,
}

/// On every SIGHUP, as snmptrapd does: has the writer open its `--output` files again (so that
/// logrotate can move them away), and re-reads the `--config` files, publishing what was read;
/// a configuration that cannot be read is reported and the one in force stays.
async fn on_hangup(sources: TrapdSources, reload: Arc<Reload>, reopen: Arc<AtomicU64>) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut hangups) = signal(SignalKind::hangup()) else { return };
    while hangups.recv().await.is_some() {
        reopen.fetch_add(1, std::sync::atomic::Ordering::Release);
        if sources.is_empty() {
            continue;
        }
        match load_trapd(&sources).await {
            Ok(loaded) => {
                *reload.next.lock().unwrap_or_else(PoisonError::into_inner) = Some(loaded);
                reload.generation.fetch_add(1, std::sync::atomic::Ordering::Release);
                eprintln!("snmpctl listen: SIGHUP: the configuration was read again");
            }
            Err(e) => eprintln!("snmpctl listen: SIGHUP: {e:#}; the configuration in force stays"),
        }
    }
}

/// Where one snmptrapd `-L` option sends the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum LogTarget {
    Stdout,
    Stderr,
    File(String),
    Syslog(String),
    Nowhere,
}

impl LogTarget {
    /// listen's own options for it.
    pub(super) fn args(self) -> Vec<String> {
        match self {
            LogTarget::Stdout => vec!["--stdout".into()],
            LogTarget::Stderr => vec!["--log-stderr".into()],
            LogTarget::File(f) => vec!["--output".into(), f],
            LogTarget::Syslog(f) => vec!["--syslog".into(), f],
            LogTarget::Nowhere => vec!["--log-nowhere".into()],
        }
    }
}

/// The syslog priority of a log record: snmptrapd logs notifications at info.
const LOG_INFO: u8 = 6;

/// A Net-SNMP priority at the start of `text` (`0`–`7` or `! a c e w n i d`, or a range
/// `A-B`): whether it takes priority info, and how many characters it used.
fn priority_takes_info(text: &str) -> Result<(bool, usize), String> {
    let level = |c: char| match c.to_ascii_lowercase() {
        '0' | '!' => Some(0u8),
        '1' | 'a' => Some(1),
        '2' | 'c' => Some(2),
        '3' | 'e' => Some(3),
        '4' | 'w' => Some(4),
        '5' | 'n' => Some(5),
        '6' | 'i' => Some(6),
        '7' | 'd' => Some(7),
        _ => None,
    };
    let mut chars = text.chars();
    let first = chars.next().and_then(level).ok_or_else(|| format!("invalid priority: {text:?}"))?;
    let rest = chars.as_str();
    if let Some(second) = rest.strip_prefix('-').and_then(|r| r.chars().next()).and_then(level) {
        let (lo, hi) = (first.min(second), first.max(second));
        return Ok(((lo..=hi).contains(&LOG_INFO), 3));
    }
    Ok((LOG_INFO <= first, 1))
}

/// What is left of `rest` (spaces skipped), or else the next word.
fn log_word(rest: &str, next: &mut dyn Iterator<Item = String>, what: &str) -> Result<String, String> {
    let rest = rest.trim_start();
    if rest.is_empty() { next.next().ok_or_else(|| format!("needs {what}")) } else { Ok(rest.to_owned()) }
}

/// Reads one snmptrapd `-L` option, `spec` what follows `-L` in its word and `next` the words
/// after it: `e`, `o`, `f FILE`, `s FACILITY`, `n`, and `E`, `O`, `F`, `S` with a priority
/// before the rest. snmptrapd logs notifications at info, so a priority that leaves info out
/// (`-LOw`) logs them nowhere.
pub(super) fn log_target(spec: &str, next: &mut dyn Iterator<Item = String>) -> Result<LogTarget, String> {
    let mut chars = spec.chars();
    let letter = chars.next().ok_or("-L needs e, o, f, s or n (E, O, F, S with a priority)")?;
    let mut rest = chars.as_str().to_owned();
    let mut takes_info = true;
    if matches!(letter, 'E' | 'O' | 'F' | 'S') {
        let p = log_word(&rest, next, "a priority")?;
        let (info, used) = priority_takes_info(&p)?;
        takes_info = info;
        rest = p.get(used..).unwrap_or("").to_owned();
    }
    let target = match letter.to_ascii_lowercase() {
        'e' => LogTarget::Stderr,
        'o' => LogTarget::Stdout,
        'f' => LogTarget::File(log_word(&rest, next, "a FILE")?),
        's' => LogTarget::Syslog(log_word(&rest, next, "a FACILITY")?),
        'n' => LogTarget::Nowhere,
        other => return Err(format!("-L{other}: not e, o, f, s or n")),
    };
    Ok(if takes_info { target } else { LogTarget::Nowhere })
}

/// snmptrapd's logging options as listen's: `-Lo` (`--stdout`), `-Le` (`--log-stderr`),
/// `-Lf FILE` (`--output FILE`), `-Ls FACILITY` (`--syslog FACILITY`), `-Ln`
/// (`--log-nowhere`), and the forms with a priority (`-LOw`, `-LF 6 FILE`, `-LS 5 d`). An
/// option that cannot be read is left for the parser to refuse.
pub fn logging_options(args: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut words = args.into_iter();
    while let Some(a) = words.next() {
        match a.strip_prefix("-L").filter(|s| !s.is_empty()) {
            Some(spec) => match log_target(spec, &mut words) {
                Ok(t) => out.extend(t.args()),
                Err(_) => out.push(a),
            },
            None => out.push(a),
        }
    }
    out
}

/// Records sent to syslog as snmptrapd sends them (`syslog(3)`: `<PRI>Mmm dd hh:mm:ss
/// TAG[PID]: record`, one datagram each).
struct Syslog {
    socket: std::os::unix::net::UnixDatagram,
    path: PathBuf,
    priority: u8,
    tag: String,
    pid: u32,
    message: Vec<u8>,
    /// Messages the socket would not take (no syslog daemon, a full queue).
    failed: u64,
}

impl Syslog {
    fn open(facility: &str, severity: u8, tag: &str, path: &Path) -> anyhow::Result<Syslog> {
        let code: u8 = match facility {
            "d" | "daemon" => 3,
            "u" | "user" => 1,
            f => match f.strip_prefix("local").unwrap_or(f).parse::<u8>() {
                Ok(n) if n <= 7 => n.saturating_add(16),
                _ => bail!("--syslog {facility:?}: d (daemon), u (user) or 0 to 7 (local0 to local7)"),
            },
        };
        let socket = std::os::unix::net::UnixDatagram::unbound().context("a syslog socket")?;
        Ok(Syslog {
            socket,
            path: path.to_path_buf(),
            priority: code.saturating_mul(8).saturating_add(severity),
            tag: tag.to_owned(),
            pid: std::process::id(),
            message: Vec::new(),
            failed: 0,
        })
    }

    fn send(&mut self, record: &[u8]) {
        self.message.clear();
        let stamp = chrono::Local::now().format("%b %e %H:%M:%S");
        let _ = write!(self.message, "<{}>{stamp} {}[{}]: ", self.priority, self.tag, self.pid);
        self.message.extend_from_slice(record);
        if self.socket.send_to(&self.message, &self.path).is_err() {
            self.failed = self.failed.saturating_add(1);
        }
    }
}

fn parse_size(text: &str) -> anyhow::Result<u64> {
    let t = text.trim();
    let (num, mult) = match t.char_indices().last() {
        Some((i, c)) if c.eq_ignore_ascii_case(&'k') => (t.get(..i).unwrap_or(""), 1u64 << 10),
        Some((i, c)) if c.eq_ignore_ascii_case(&'m') => (t.get(..i).unwrap_or(""), 1 << 20),
        Some((i, c)) if c.eq_ignore_ascii_case(&'g') => (t.get(..i).unwrap_or(""), 1 << 30),
        _ => (t, 1),
    };
    let n: u64 =
        num.trim().parse().with_context(|| format!("--rotate-size {text:?}: a size such as 100M"))?;
    let size = n.checked_mul(mult).context("--rotate-size: too large")?;
    if size == 0 {
        bail!("--rotate-size must be above 0");
    }
    Ok(size)
}

/// Why a bind failed, and what to do about it.
fn bind_error(what: &str, addr: SocketAddr, e: &std::io::Error) -> anyhow::Error {
    let hint = match e.kind() {
        std::io::ErrorKind::PermissionDenied if addr.port() < 1024 => format!(
            "\nPort {} is privileged. Run snmpctl as root, or grant it the capability once:\n    \
             sudo setcap cap_net_bind_service=+ep {}\nor listen on a high port: --listen udp:0.0.0.0:1162",
            addr.port(),
            std::env::current_exe()
                .map_or_else(|_| "$(command -v snmpctl)".into(), |p| p.display().to_string())
        ),
        std::io::ErrorKind::AddrInUse => {
            "\nAnother program has it (snmptrapd? try: systemctl stop snmptrapd), \
                                          or choose another port with --listen"
                .to_string()
        }
        _ => String::new(),
    };
    anyhow::anyhow!("cannot listen on {what}: {e}{hint}")
}

async fn bind_all(listen: &[String]) -> anyhow::Result<Vec<(Bound, String)>> {
    let mut out = Vec::new();
    if listen.is_empty() {
        let v4: SocketAddr = SocketAddr::from(([0, 0, 0, 0], 162));
        let v6: SocketAddr = SocketAddr::from(([0u16; 8], 162));
        let b = listener::bind_udp(v4).map_err(|e| bind_error("udp:0.0.0.0:162", v4, &e))?;
        out.push((b, "udp:0.0.0.0:162".to_string()));
        match listener::bind_udp(v6) {
            Ok(b) => out.push((b, "udp6:[::]:162".to_string())),
            Err(e) => eprintln!("snmpctl listen: warning: not listening on udp6:[::]:162: {e}"),
        }
        return Ok(out);
    }
    for text in listen {
        // Net-SNMP's `udp:1162` (a port alone) is that port on every IPv4 address.
        let (proto, rest) = text
            .split_once(':')
            .filter(|(p, _)| matches!(*p, "udp" | "tcp" | "udp6" | "tcp6"))
            .unwrap_or(("", text));
        let spelled = match (proto, rest.parse::<u16>()) {
            ("udp6" | "tcp6", Ok(port)) => format!("{proto}:[::]:{port}"),
            (_, Ok(port)) => format!(
                "{}0.0.0.0:{port}",
                if proto.is_empty() { String::new() } else { format!("{proto}:") }
            ),
            _ => text.clone(),
        };
        let target = Target::parse(&spelled, 162)?;
        let addr = target.resolve().await.with_context(|| format!("--listen {text}"))?;
        let bound = if target.tcp { listener::bind_tcp(addr).await } else { listener::bind_udp(addr) }
            .map_err(|e| bind_error(text, addr, &e))?;
        let local = bound.local_addr().unwrap_or(addr);
        let name = match (target.tcp, local) {
            (false, SocketAddr::V4(a)) => format!("udp:{a}"),
            (true, SocketAddr::V4(a)) => format!("tcp:{a}"),
            (false, SocketAddr::V6(a)) => format!("udp6:{a}"),
            (true, SocketAddr::V6(a)) => format!("tcp6:{a}"),
        };
        out.push((bound, name));
    }
    Ok(out)
}

/// The v3 users of `--users` files (createUser/authUser lines) and of `-u -a -A -x -X`; the
/// listener's and the agent's.
pub(super) fn users(files: &[PathBuf], keys: &UsmKeyArgs) -> anyhow::Result<Vec<TrapUser>> {
    let mut users = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        users.extend(parse_users(&text).with_context(|| format!("{}", path.display()))?);
    }
    if let Some(name) = &keys.user {
        users.push(TrapUser::new(keys.user_keys(name)?));
    }
    Ok(users)
}

pub fn run(global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    let mib = args.mib.load();
    let runtime = super::snmp::runtime()?;
    let sources = TrapdSources::of(args);
    let trapd = if sources.is_empty() { None } else { Some(runtime.block_on(load_trapd(&sources))?) };
    // outputOption lines are read after the command line, as snmptrapd reads them.
    let letters =
        args.output_options.concat() + trapd.as_ref().map_or("", |l| l.config.output_options.as_str());
    let mut options =
        OutputOptions::parse(&letters).map_err(|c| anyhow::anyhow!("-O {c}: output option not supported"))?;
    options.mib = mib.map(snmpctl::format::output::MibRef);
    super::snmpconf::get().override_output(&mut options);
    // Text keeps octets that are not UTF-8 as they came, as snmptrapd logs them.
    options.raw_octets = global.format == Format::Text;
    let rotate = args.rotate_size.as_deref().map(parse_size).transpose()?;
    let targets = LogTargets::from_args(args);
    if rotate.is_some() && targets.files.is_empty() {
        bail!("--rotate-size needs --output FILE");
    }
    let mut users = users(&args.users, &args.keys)?;
    let base_users = users.clone();
    if let Some(l) = &trapd {
        users.extend(l.config.users.iter().cloned());
    }
    let user_count = users.len();
    // --engine-id, else the files' engineID or exactEngineID, else the oldEngineID of
    // snmptrapd's persistent store when it is given, else the one kept in the state.
    let engine_id = engine_id(args)?.or_else(|| {
        trapd.as_ref().and_then(|l| l.config.engine_id.clone().or_else(|| l.config.old_engine_id.clone()))
    });
    // Bind before touching the engine state: a listener that cannot start counts no boot.
    let listen: Vec<String> = match &trapd {
        Some(l) if args.listen.is_empty() => l.config.listen.clone(),
        _ => args.listen.clone(),
    };
    let bound = runtime.block_on(bind_all(&listen))?;
    // What to accept and the engine, as the library's receiver takes them; the sockets and
    // the output (a formatter and a writer thread) are this command's own.
    let mut builder = Receiver::builder().trap_users(users.clone());
    for c in &args.community {
        builder = builder.community(c);
    }
    if let Some(id) = engine_id {
        builder = builder.engine_id(id);
    }
    match args.state_dir.clone().or_else(snmpctl::trap::state::default_dir) {
        Some(dir) => builder = builder.state_file(dir.join("engine")),
        None => eprintln!(
            "snmpctl: warning: no state directory (set SNMPCTL_STATE_DIR); the engine ID is not kept"
        ),
    }
    let (receiver, problem) = builder.session()?;
    if let Some(e) = problem {
        eprintln!("snmpctl: warning: the engine state is not kept: {e}");
    }
    let engine_hex = snmpctl::hex::encode(receiver.engine().engine_id());
    let mut sinks = Sinks::open(&targets, args, rotate)?;
    let names: Vec<String> = bound
        .iter()
        .map(|(b, n)| match b.recv_buffer() {
            Some(size) => format!("{n} (receive buffer {} KiB)", size / 1024),
            None => n.clone(),
        })
        .collect();
    // Before the line that says it listens, so that whoever waits for that line finds the file.
    if let Some(path) = &args.pid_file {
        std::fs::write(path, format!("{}\n", std::process::id()))
            .with_context(|| format!("--pid-file {}", path.display()))?;
    }
    drop_privileges(args.run_as_user.as_deref(), args.run_as_group.as_deref())?;
    eprintln!(
        "snmpctl listen: listening on {}; engine ID {engine_hex}; {user_count} v3 user{}",
        names.join(", "),
        if user_count == 1 { "" } else { "s" }
    );
    let outbox = Arc::new(Outbox::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    // With a configuration, the handler pool and the forwarder run from the start (idle until
    // used), so that a configuration read again on SIGHUP can add handlers and forwards.
    let handlers = match &trapd {
        Some(_) => Some(super::handlers::Pool::start(super::handlers::Settings {
            workers: args.handler_workers,
            queue: args.handler_queue,
            timeout: std::time::Duration::try_from_secs_f64(args.handler_timeout)
                .ok()
                .filter(|t| !t.is_zero())
                .context("--handler-timeout: a number of seconds above 0")?,
            numeric: args.numeric_hosts,
        })?),
        None => None,
    };
    let forwarder = match &trapd {
        Some(_) => {
            // An Inform is retried as Net-SNMP's tools retry: 1 s, 5 retries.
            let config = snmpctl::client::Config::new(snmpctl::client::Security::Community {
                version: snmpctl::msg::Version::V2c,
                community: Vec::new(),
            });
            Some(super::forward::Forwarder::start(args.forward_queue, &config)?)
        }
        None => None,
    };
    let refused = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let reload = Arc::new(Reload::default());
    let mut formatter =
        Formatter::new(global.format, options, args.queue.max(1), args.count, &outbox, stop_tx.clone());
    formatter.records.logs = targets.logs();
    if targets.traps.is_some() {
        formatter.records.syslog = Some(SYSLOG_FORMATS.map(TrapFormat::parse));
    }
    formatter.records.print = [
        args.format_string.as_deref().map(TrapFormat::parse),
        args.format_string.as_deref().map(TrapFormat::parse),
    ];
    if let Some(loaded) = trapd {
        let mut t = Trapd {
            execute: [None, None],
            config: TrapdConfig::default(),
            destinations: Vec::new(),
            handlers: handlers.as_ref().map(super::handlers::Pool::handle),
            forward: forwarder.as_ref().map(super::forward::Forwarder::handle),
            request_id: getrandom::u32().map_or(1, |r| i64::from(r & 0x7fff_ffff)),
            base_users: base_users.clone(),
            users: users.clone(),
            new_users: None,
            msg_id: getrandom::u32().map_or(1, |r| i32::try_from(r & 0x3fff_ffff).unwrap_or(1)),
            salt: snmpctl::usm::SaltCounter::new(getrandom::u64().unwrap_or(0x5eed)),
            localized: std::collections::HashMap::new(),
            refused: Arc::clone(&refused),
            input: String::new(),
            reload: Arc::clone(&reload),
            generation: 0,
        };
        let formats = t.take(loaded);
        formatter.records.apply(formats);
        formatter.trapd = Some(t);
    }
    let reopen = Arc::new(AtomicU64::new(0));
    let writer = std::thread::spawn({
        let (outbox, reopen) = (Arc::clone(&outbox), Arc::clone(&reopen));
        move || sinks.drain(&outbox, &reopen)
    });
    let started = Instant::now();
    let summary = runtime.block_on(async {
        tokio::spawn(on_hangup(sources, Arc::clone(&reload), reopen));
        let run = listener::run(bound.into_iter().map(|(b, _)| b).collect(), receiver, formatter, stop_rx);
        tokio::pin!(run);
        tokio::select! {
            s = &mut run => s,
            () = signalled() => {
                let _ = stop_tx.send(true);
                run.await
            }
        }
    });
    let written = writer.join().map_err(|_| anyhow::anyhow!("the writer thread failed"))?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!("snmpctl listen: {} in {secs:.1} s", summary.counters.summary());
    let refused = refused.load(std::sync::atomic::Ordering::Relaxed);
    if refused > 0 {
        eprintln!(
            "snmpctl listen: {refused} notifications not processed: no access rule (authCommunity, authUser, …) grants them"
        );
    }
    if let Some(pool) = handlers {
        // Queued runs get one handler timeout more to start; what is still queued then is
        // counted, so SIGTERM ends the listener within a bound.
        let drain = std::time::Duration::try_from_secs_f64(args.handler_timeout).unwrap_or_default();
        eprintln!("snmpctl listen: {}", pool.finish(drain).summary());
    }
    if let Some(f) = forwarder {
        eprintln!("snmpctl listen: {}", f.finish().summary());
    }
    if summary.queue_drops > 0 {
        eprintln!(
            "snmpctl listen: {} records LOST: the output did not keep up (raise --queue, or write to a faster disk)",
            summary.queue_drops
        );
    }
    if summary.problems_suppressed > 0 {
        eprintln!("snmpctl listen: {} problem lines not shown (rate limit)", summary.problems_suppressed);
    }
    if let Some(path) = &args.pid_file {
        let _ = std::fs::remove_file(path);
    }
    match written {
        Ok(_) => Ok(ExitCode::from(if summary.queue_drops > 0 { EXIT_FAILURE } else { EXIT_OK })),
        Err(e) => Err(e.context("writing records")),
    }
}

/// `--run-as-group` then `--run-as-user` (snmptrapd's -g and -u), once the sockets are bound and
/// the files open: the group (given, else the user's own) as the only group, then the user.
/// Names are looked up in /etc/passwd and /etc/group themselves: the binary is linked
/// statically, and glibc's NSS modules (systemd, sss) cannot be loaded into it.
fn drop_privileges(user: Option<&str>, group: Option<&str>) -> anyhow::Result<()> {
    use nix::unistd::{Gid, Uid, setgid, setgroups, setuid};
    // NAME:PASSWORD:ID:… lines; a name or a number finds one, and its third and fourth fields.
    let find = |file: &str, key: &str| -> anyhow::Result<Option<(u32, Option<u32>)>> {
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
        Ok(text.lines().find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            let id = f.get(2)?.parse::<u32>().ok()?;
            (f.first() == Some(&key) || key.parse::<u32>() == Ok(id))
                .then(|| (id, f.get(3).and_then(|g| g.parse::<u32>().ok())))
        }))
    };
    let user = match user {
        None => None,
        Some(u) => Some(match (find("/etc/passwd", u)?, u.parse::<u32>()) {
            (Some((uid, gid)), _) => (uid, gid),
            (None, Ok(uid)) => (uid, None),
            (None, Err(_)) => bail!("--run-as-user {u:?}: no such user in /etc/passwd"),
        }),
    };
    let gid = match (group, user) {
        (Some(g), _) => Some(match (find("/etc/group", g)?, g.parse::<u32>()) {
            (Some((gid, _)), _) | (None, Ok(gid)) => gid,
            (None, Err(_)) => bail!("--run-as-group {g:?}: no such group in /etc/group"),
        }),
        (None, Some((_, Some(primary)))) => Some(primary),
        // A number no passwd line names: root's groups would stay.
        (None, Some((_, None))) => {
            bail!("--run-as-user: this user has no group of its own; give --run-as-group")
        }
        (None, None) => None,
    };
    if let Some(gid) = gid.map(Gid::from_raw) {
        setgroups(&[gid]).context("setgroups (--run-as-group needs root)")?;
        setgid(gid).context("setgid")?;
    }
    if let Some((uid, _)) = user {
        setuid(Uid::from_raw(uid)).context("setuid (--run-as-user needs root)")?;
    }
    Ok(())
}

/// `--engine-id`, checked.
fn engine_id(args: &Args) -> anyhow::Result<Option<Vec<u8>>> {
    let Some(h) = &args.engine_id else { return Ok(None) };
    let h = h.strip_prefix("0x").or_else(|| h.strip_prefix("0X")).unwrap_or(h);
    let id = snmpctl::hex::decode(h).context("--engine-id: not hex")?;
    if !(5..=32).contains(&id.len()) {
        bail!("--engine-id: an engine ID is 5 to 32 octets (RFC 3411)");
    }
    Ok(Some(id))
}

pub(super) async fn signalled() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// An output file, rotated by size.
struct LogFile {
    path: PathBuf,
    file: BufWriter<File>,
    size: u64,
    rotate: Option<u64>,
    keep: u32,
}

impl LogFile {
    fn open(path: &Path, rotate: Option<u64>, keep: u32) -> anyhow::Result<LogFile> {
        LogFile::open_with(path, rotate, keep, false)
    }

    /// As [`LogFile::open`]; `truncate` empties the file first.
    fn open_with(path: &Path, rotate: Option<u64>, keep: u32, truncate: bool) -> anyhow::Result<LogFile> {
        let file = OpenOptions::new()
            .create(true)
            .append(!truncate)
            .write(true)
            .truncate(truncate)
            .open(path)
            .with_context(|| format!("opening {}", path.display()))?;
        let size = file.metadata().map_or(0, |m| m.len());
        Ok(LogFile {
            path: path.to_path_buf(),
            file: BufWriter::with_capacity(1 << 16, file),
            size,
            rotate,
            keep,
        })
    }

    fn write(&mut self, record: &[u8]) -> anyhow::Result<()> {
        self.file.write_all(record)?;
        self.size = self.size.saturating_add(u64::try_from(record.len()).unwrap_or(u64::MAX));
        if self.rotate.is_some_and(|r| self.size >= r) {
            self.rotate_now()?;
        }
        Ok(())
    }

    fn rotate_now(&mut self) -> anyhow::Result<()> {
        self.file.flush()?;
        let numbered = |n: u32| {
            let mut p = self.path.clone().into_os_string();
            p.push(format!(".{n}"));
            PathBuf::from(p)
        };
        if self.keep == 0 {
            std::fs::remove_file(&self.path)?;
        } else {
            for n in (1..self.keep).rev() {
                let from = numbered(n);
                if from.exists() {
                    std::fs::rename(&from, numbered(n.saturating_add(1)))?;
                }
            }
            std::fs::rename(&self.path, numbered(1))?;
        }
        *self = LogFile::open(&self.path.clone(), self.rotate, self.keep)?;
        Ok(())
    }
}

/// Where the log goes.
#[derive(Debug, Default)]
struct LogTargets {
    stdout: bool,
    stderr: bool,
    files: Vec<PathBuf>,
    syslog: Vec<String>,
    nowhere: bool,
    /// `--syslog-traps`: snmptrapd's messages without -L.
    traps: Option<String>,
}

impl LogTargets {
    fn from_args(args: &Args) -> LogTargets {
        LogTargets {
            stdout: args.stdout,
            stderr: args.log_stderr,
            files: args.output.clone(),
            syslog: args.syslog.clone(),
            nowhere: args.log_nowhere,
            traps: args.syslog_traps.clone(),
        }
    }

    /// Standard output takes the log when it is named, or when nothing else is.
    fn stdout(&self) -> bool {
        self.stdout
            || !(self.stderr
                || !self.files.is_empty()
                || !self.syslog.is_empty()
                || self.nowhere
                || self.traps.is_some())
    }

    /// Whether the log record goes anywhere (when not, it is not even formatted).
    fn logs(&self) -> bool {
        self.stdout() || self.stderr || !self.files.is_empty() || !self.syslog.is_empty()
    }
}

/// Where records go.
struct Sinks {
    stdout: Option<BufWriter<std::io::Stdout>>,
    stderr: Option<BufWriter<std::io::Stderr>>,
    files: Vec<LogFile>,
    syslog: Vec<Syslog>,
    /// `--syslog-traps`.
    traps: Option<Syslog>,
}

impl Sinks {
    fn open(targets: &LogTargets, args: &Args, rotate: Option<u64>) -> anyhow::Result<Sinks> {
        let files = targets
            .files
            .iter()
            .map(|p| LogFile::open_with(p, rotate, args.rotate_keep, args.truncate_output))
            .collect::<Result<_, _>>()?;
        let syslog = |f: &String, severity| Syslog::open(f, severity, &args.syslog_tag, &args.syslog_socket);
        Ok(Sinks {
            stdout: targets.stdout().then(|| BufWriter::with_capacity(1 << 16, std::io::stdout())),
            stderr: targets.stderr.then(|| BufWriter::with_capacity(1 << 16, std::io::stderr())),
            files,
            syslog: targets.syslog.iter().map(|f| syslog(f, LOG_INFO)).collect::<Result<_, _>>()?,
            // snmptrapd's syslog(LOG_WARNING, …).
            traps: targets.traps.as_ref().map(|f| syslog(f, 4)).transpose()?,
        })
    }

    /// Whether records must be written one by one (rotation, syslog).
    fn by_record(&self) -> bool {
        !self.syslog.is_empty() || self.files.iter().any(|f| f.rotate.is_some())
    }

    fn write(&mut self, record: &[u8]) -> anyhow::Result<()> {
        if let Some(s) = &mut self.stdout {
            s.write_all(record)?;
        }
        if let Some(s) = &mut self.stderr {
            s.write_all(record)?;
        }
        for f in &mut self.files {
            f.write(record)?;
        }
        for s in &mut self.syslog {
            s.send(record);
        }
        Ok(())
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        if let Some(s) = &mut self.stdout {
            s.flush()?;
        }
        if let Some(s) = &mut self.stderr {
            s.flush()?;
        }
        for f in &mut self.files {
            f.file.flush()?;
        }
        Ok(())
    }

    /// Writes every batch the receive side hands over until it closes; flushes after each.
    /// Returns the number of records written.
    fn drain(&mut self, outbox: &Outbox, reopen: &AtomicU64) -> anyhow::Result<u64> {
        let result = self.drain_until_closed(outbox, reopen);
        for s in self.syslog.iter().chain(&self.traps).filter(|s| s.failed > 0) {
            eprintln!(
                "snmpctl listen: {} records not taken by syslog at {} (is a syslog daemon running?)",
                s.failed,
                s.path.display()
            );
        }
        // A writer that failed takes no more records: the receive side counts them as lost.
        outbox.lock().writer_gone = true;
        result
    }

    fn drain_until_closed(&mut self, outbox: &Outbox, reopen: &AtomicU64) -> anyhow::Result<u64> {
        let mut batch = Batch::default();
        let mut written = 0u64;
        let mut hangups = 0;
        loop {
            {
                let mut pending = outbox.lock();
                while pending.batch.is_empty() && !pending.closed {
                    pending.writer_waiting = true;
                    pending = outbox.ready.wait(pending).unwrap_or_else(PoisonError::into_inner);
                    pending.writer_waiting = false;
                }
                if pending.batch.is_empty() {
                    break;
                }
                std::mem::swap(&mut pending.batch, &mut batch);
            }
            if !batch.problems.is_empty() {
                eprint!("{}", batch.problems);
            }
            // A SIGHUP since the last batch: the files are opened again, by name, before this
            // batch is written.
            let now = reopen.load(std::sync::atomic::Ordering::Acquire);
            if now != hangups {
                hangups = now;
                for f in &mut self.files {
                    f.file.flush()?;
                    // A file that cannot be opened again (its folder gone, no permission) is
                    // said, and the one open is kept: records are not lost for it.
                    match LogFile::open(&f.path.clone(), f.rotate, f.keep) {
                        Ok(new) => *f = new,
                        Err(e) => {
                            eprintln!("snmpctl listen: SIGHUP: {e:#}; still writing to the file open before")
                        }
                    }
                }
            }
            if self.by_record() {
                // Rotation happens between records; syslog takes one message per record.
                let mut start = 0;
                for &end in &batch.ends {
                    self.write(batch.records.get(start..end).unwrap_or_default())?;
                    start = end;
                }
            } else {
                self.write(&batch.records)?;
            }
            if let Some(s) = &mut self.traps {
                let mut start = 0;
                for &end in &batch.trap_ends {
                    s.send(batch.traps.get(start..end).unwrap_or_default());
                    start = end;
                }
            }
            self.flush()?;
            written = written.saturating_add(u64::try_from(batch.ends.len()).unwrap_or(u64::MAX));
            batch.clear();
        }
        self.flush()?;
        Ok(written)
    }
}

/// Records formatted on the receive side, waiting for the writer.
#[derive(Default)]
struct Batch {
    /// The records, one after another.
    records: Vec<u8>,
    /// Where each record in `records` ends.
    ends: Vec<usize>,
    /// `--syslog-traps` messages, one after another.
    traps: Vec<u8>,
    /// Where each message in `traps` ends.
    trap_ends: Vec<usize>,
    /// Problem lines, for standard error.
    problems: String,
    /// Problem lines in `problems`.
    problem_count: usize,
}

impl Batch {
    fn is_empty(&self) -> bool {
        self.ends.is_empty() && self.trap_ends.is_empty() && self.problems.is_empty()
    }

    fn len(&self) -> usize {
        self.ends.len().max(self.trap_ends.len()).saturating_add(self.problem_count)
    }

    fn clear(&mut self) {
        self.records.clear();
        self.ends.clear();
        self.traps.clear();
        self.trap_ends.clear();
        self.problems.clear();
        self.problem_count = 0;
    }
}

/// The buffer between the receive side and the writer thread.
#[derive(Default)]
struct Outbox {
    pending: Mutex<Pending>,
    ready: Condvar,
}

#[derive(Default)]
struct Pending {
    batch: Batch,
    /// The writer sleeps on `ready` until there is a batch.
    writer_waiting: bool,
    /// The receive side has stopped.
    closed: bool,
    /// The writer has stopped (an output error).
    writer_gone: bool,
}

impl Pending {
    /// Whether one more record is taken: the writer is there and the batch is under `capacity`.
    fn has_room(&self, capacity: usize) -> bool {
        !self.writer_gone && self.batch.len() < capacity
    }
}

impl Outbox {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Records handed to a sleeping writer at once when the sockets stay busy.
const WAKE_BATCH: usize = 256;

/// What an snmptrapd.conf decides on the receive side.
struct Trapd {
    config: TrapdConfig,
    /// `format execute…`: what handlers read instead of snmptrapd's default input.
    execute: [Option<TrapFormat>; 2],
    /// The `forward` lines' destinations, in order.
    destinations: Vec<Arc<super::forward::Destination>>,
    /// Where a configuration read again on SIGHUP waits.
    reload: Arc<Reload>,
    /// The last configuration taken from `reload`.
    generation: u64,
    /// Where traphandle runs are offered.
    handlers: Option<super::handlers::Handle>,
    /// Where forwarded messages are offered.
    forward: Option<super::forward::Handle>,
    /// The request-id of the next forwarded Trap.
    request_id: i64,
    /// The v3 users of `--users` and `-u`, which a configuration read again keeps.
    base_users: Vec<TrapUser>,
    /// The v3 users notifications are received from (`base_users`, then the configuration's
    /// `createUser` lines): a forwarded v3 Trap is authenticated (and encrypted) anew with its
    /// user's keys.
    users: Vec<TrapUser>,
    /// Users of a configuration read again, for the receiver to take.
    new_users: Option<Vec<TrapUser>>,
    /// msgID of the next forwarded v3 Trap.
    msg_id: i32,
    /// Salts for forwarded v3 Traps' encryption.
    salt: snmpctl::usm::SaltCounter,
    /// Keys of `users` localized to the engines forwarded v3 Traps came from, by user index.
    localized: std::collections::HashMap<(usize, Vec<u8>), snmpctl::usm::LocalizedKeys>,
    /// Notifications no rule grants anything.
    refused: Arc<std::sync::atomic::AtomicU64>,
    /// A handler's input, built here and copied into each job.
    input: String,
}

impl Trapd {
    /// Takes a configuration; returns its log and syslog formats, for the records.
    fn take(&mut self, loaded: Loaded) -> Formats {
        self.users = self.base_users.iter().chain(&loaded.config.users).cloned().collect();
        self.localized.clear();
        self.config = loaded.config;
        self.execute = loaded.execute;
        self.destinations = loaded.destinations;
        Formats { print: loaded.print, syslog: loaded.syslog }
    }

    /// A configuration read again since the last call, if any.
    fn reloaded(&mut self) -> Option<Loaded> {
        let now = self.reload.generation.load(std::sync::atomic::Ordering::Acquire);
        if now == self.generation {
            return None;
        }
        self.generation = now;
        self.reload.next.lock().unwrap_or_else(PoisonError::into_inner).take()
    }

    /// Applies the rules: offers the traphandle runs and forwards `n` is granted, and says
    /// whether it is logged and whether `--syslog-traps` sends it.
    fn process(
        &mut self,
        n: &snmpctl::trap::Notification,
        via: notification::Via,
        options: &OutputOptions,
        epoch: (i64, (Civil, Civil)),
    ) -> Logged {
        let permitted = self.config.permitted(n);
        if !permitted.any() {
            self.refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return Logged { log: false, syslog: false };
        }
        let trap_oid = n.trap_oid();
        if permitted.execute
            && let Some(pool) = &self.handlers
        {
            self.input.clear();
            let raw = OutputOptions { raw_octets: true, ..*options };
            // snmptrapd prints a handler's varbinds in quick mode.
            let quick = OutputOptions { quick: true, quick_equals: false, ..raw };
            let (now, (local, utc)) = epoch;
            let cx = snmpctl::format::trap_format::Context { via, now, local, utc, options: &quick };
            let [v1, v2] = &self.execute;
            let custom = if n.trap_v1.is_some() { v1 } else { v2 }.as_ref();
            for h in self.config.handlers_for(trap_oid.as_ref()) {
                // The line's own -F format, from the notification in SNMPv2 form (as snmptrapd
                // formats it); else `format execute…`, else snmptrapd's default input, once.
                let (input, host_line) = match &h.format {
                    Some(f) => {
                        let mut text = String::new();
                        f.write(&mut text, &n.as_v2(), &cx);
                        (text, false)
                    }
                    None => {
                        if self.input.is_empty() {
                            match custom {
                                Some(f) => f.write(&mut self.input, n, &cx),
                                None => notification::write_execute(&mut self.input, n, via, &raw),
                            }
                        }
                        (self.input.clone(), custom.is_none())
                    }
                };
                pool.submit(super::handlers::Job {
                    command: h.command.clone(),
                    program: h.program.clone(),
                    at: h.at.clone(),
                    from: n.from.ip(),
                    input,
                    host_line,
                });
            }
        }
        if permitted.net && self.forward.is_some() {
            let to: Vec<Arc<super::forward::Destination>> = self
                .config
                .forwards_for(trap_oid.as_ref())
                .filter_map(|f| self.config.forwards.iter().position(|x| std::ptr::eq(x, f)))
                .filter_map(|i| self.destinations.get(i).cloned())
                .collect();
            for to in &to {
                self.forward_one(to, n);
            }
        }
        // snmptrapd's syslog handler needs the log grant; ignoreAuthFailure is not its concern
        // (as in snmptrapd 5.9), doNotLogTraps is.
        Logged { log: self.config.logs(permitted, n), syslog: permitted.log && !self.config.do_not_log }
    }

    /// Offers `n` for one `forward` line, as snmptrapd forwards it (see the forward module).
    fn forward_one(&mut self, to: &Arc<super::forward::Destination>, n: &snmpctl::trap::Notification) {
        use super::forward::Job;
        use snmpctl::client::{Security, UsmConfig};
        use snmpctl::msg::{
            CommunityMessage, ErrorStatus, GenericPdu, Message, Pdu, PduType, ScopedPdu, TrapV1Pdu,
        };
        use snmpctl::trap::Sender;
        let Some(forward) = &self.forward else { return };
        self.request_id = (self.request_id % 0x7fff_ffff).saturating_add(1);
        let varbinds = if self.config.add_forwarder_info {
            snmpctl::trap::trapd::forwarded_varbinds(&n.varbinds, n.from.ip())
        } else {
            n.varbinds.clone()
        };
        let inform = n.trap_v1.is_none() && n.pdu_type == PduType::INFORM_REQUEST;
        let v2 = |varbinds| {
            Pdu::Generic(GenericPdu {
                pdu_type: PduType::TRAP_V2,
                request_id: self.request_id,
                error_status: ErrorStatus::NO_ERROR,
                error_index: 0,
                varbinds,
            })
        };
        let message = match &n.sender {
            Sender::Community(community) => {
                if inform {
                    let security = Security::Community { version: n.version, community: community.clone() };
                    let client = [b"c:".as_slice(), community].concat();
                    forward.submit(Job::Inform { to: Arc::clone(to), security, client, varbinds });
                    return;
                }
                let pdu = match &n.trap_v1 {
                    Some(t) => Pdu::TrapV1(TrapV1Pdu { varbinds, ..t.clone() }),
                    None => v2(varbinds),
                };
                Message::Community(CommunityMessage { version: n.version, community: community.clone(), pdu })
                    .encode()
                    .ok()
            }
            Sender::Usm {
                user,
                engine_id,
                engine_boots,
                engine_time,
                level,
                context_engine_id,
                context_name,
            } => {
                // The keys the message was received with: a user bound to its engine first.
                let found = self
                    .users
                    .iter()
                    .enumerate()
                    .filter(|(_, u)| {
                        u.keys.user_name() == user.as_slice()
                            && u.engine_id.as_deref().is_none_or(|e| e == engine_id.as_slice())
                    })
                    .min_by_key(|(_, u)| u.engine_id.is_none())
                    .map(|(i, u)| (i, &u.keys));
                let Some((index, keys)) = found.filter(|(_, k)| k.level() >= *level) else {
                    forward.counters.v3_skipped.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    return;
                };
                if inform {
                    let security = Security::Usm(Box::new(UsmConfig {
                        user: keys.at_level(*level),
                        engine_id: None,
                        context_engine_id: None,
                        context_name: context_name.clone(),
                    }));
                    let client = format!("u:{level:?}:{}:", context_name.len()).into_bytes();
                    let client = [client.as_slice(), context_name, user].concat();
                    forward.submit(Job::Inform { to: Arc::clone(to), security, client, varbinds });
                    return;
                }
                self.msg_id = self.msg_id.wrapping_add(1) & 0x7fff_ffff;
                let scoped = ScopedPdu {
                    context_engine_id: context_engine_id.clone(),
                    context_name: context_name.clone(),
                    pdu: v2(varbinds),
                };
                let out = snmpctl::usm::Outgoing {
                    msg_id: self.msg_id,
                    msg_max_size: 65507,
                    level: *level,
                    reportable: false,
                    engine_id,
                    engine_boots: *engine_boots,
                    engine_time: *engine_time,
                    user_name: user,
                    scoped_pdu: &scoped,
                };
                // Localized once per user and sending engine (two hashes each), as the receiver
                // does; the cache starts again past its ceiling, so invented engine IDs cannot
                // grow it without bound.
                if self.localized.len() >= LOCALIZED_KEYS_KEPT {
                    self.localized.clear();
                }
                let localized = self
                    .localized
                    .entry((index, engine_id.clone()))
                    .or_insert_with(|| keys.localize(engine_id));
                snmpctl::usm::wrap(&out, Some(localized), &mut self.salt).ok()
            }
        };
        match message {
            Some(message) => {
                forward.submit(Job::Trap { to: Arc::clone(to), message });
            }
            None => {
                forward.counters.failed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }
}

/// What a configuration's formats are for the records.
struct Formats {
    print: [Option<TrapFormat>; 2],
    syslog: [Option<TrapFormat>; 2],
}

/// Whether a notification is logged and whether `--syslog-traps` sends it.
#[derive(Debug, Clone, Copy)]
struct Logged {
    log: bool,
    syslog: bool,
}

/// snmptrapd's syslog messages without `format syslog`, for v1 Traps and for SNMPv2
/// notifications.
const SYSLOG_FORMATS: [&str; 2] = ["%a: %W Trap (%q) Uptime: %#T%#v\\n", "%B [%b]: Trap %#v\\n"];

/// Localized keys kept for forwarded v3 Traps, at most.
const LOCALIZED_KEYS_KEPT: usize = 4096;

/// The receive side's [`Sink`]: formats each record and appends it to the [`Outbox`].
struct Formatter {
    /// The `--syslog-traps` message being made.
    trap_line: Vec<u8>,
    trapd: Option<Trapd>,
    records: Records,
    capacity: usize,
    limit: Option<u64>,
    accepted: u64,
    stop: watch::Sender<bool>,
    outbox: Arc<Outbox>,
}

/// Formats records into buffers kept from one record to the next.
struct Records {
    format: Format,
    options: OutputOptions<'static>,
    clock: Clock,
    text: String,
    json: Vec<u8>,
    /// snmptrapd format strings for v1 Traps and for SNMPv2 notifications (text output).
    print: [Option<TrapFormat>; 2],
    /// Whether the log goes anywhere.
    logs: bool,
    /// With `--syslog-traps`: its formats (v1, SNMPv2).
    syslog: Option<[TrapFormat; 2]>,
}

impl Records {
    /// Takes a configuration's formats.
    fn apply(&mut self, formats: Formats) {
        self.print = formats.print;
        if let Some(active) = &mut self.syslog {
            let [v1, v2] = formats.syslog;
            *active = [
                v1.unwrap_or_else(|| TrapFormat::parse(SYSLOG_FORMATS[0])),
                v2.unwrap_or_else(|| TrapFormat::parse(SYSLOG_FORMATS[1])),
            ];
        }
    }

    /// The `--syslog-traps` message for a notification, into `out`; `false` without the option.
    fn syslog_line(
        &mut self,
        out: &mut Vec<u8>,
        time: SystemTime,
        via: notification::Via,
        n: &snmpctl::trap::Notification,
    ) -> bool {
        let Some([v1, v2]) = &self.syslog else { return false };
        let (now, (local, utc)) = self.clock.epoch(time);
        let cx = snmpctl::format::trap_format::Context { via, now, local, utc, options: &self.options };
        self.text.clear();
        (if n.trap_v1.is_some() { v1 } else { v2 }).write(&mut self.text, n, &cx);
        out.clear();
        out.extend_from_slice(&snmpctl::format::output::raw_bytes(&self.text));
        true
    }

    /// The record for a notification.
    fn notification(
        &mut self,
        time: SystemTime,
        via: notification::Via,
        n: &snmpctl::trap::Notification,
    ) -> &[u8] {
        match self.format {
            Format::Text => {
                self.text.clear();
                let [v1, v2] = &self.print;
                match if n.trap_v1.is_some() { v1 } else { v2 } {
                    Some(f) => {
                        let (now, (local, utc)) = self.clock.epoch(time);
                        let cx = snmpctl::format::trap_format::Context {
                            via,
                            now,
                            local,
                            utc,
                            options: &self.options,
                        };
                        f.write(&mut self.text, n, &cx);
                    }
                    None => {
                        notification::write_text(&mut self.text, n, self.clock.text(time), via, &self.options)
                    }
                }
                match snmpctl::format::output::raw_bytes(&self.text) {
                    std::borrow::Cow::Borrowed(bytes) => bytes,
                    std::borrow::Cow::Owned(bytes) => {
                        self.json = bytes;
                        &self.json
                    }
                }
            }
            Format::Json | Format::Ndjson => {
                let time = self.clock.rfc3339(time);
                let json =
                    notification::NotificationJson { notification: n, time, via, options: &self.options };
                self.json.clear();
                json.write(&mut self.json);
                self.json.push(b'\n');
                &self.json
            }
        }
    }
}

impl Formatter {
    /// Takes a configuration read again since the last call, if any: its rules, formats and
    /// (for the receiver) its users.
    fn reload(&mut self) {
        if let Some(t) = &mut self.trapd
            && let Some(loaded) = t.reloaded()
        {
            let formats = t.take(loaded);
            self.records.apply(formats);
            t.new_users = Some(t.users.clone());
        }
    }

    fn new(
        format: Format,
        options: OutputOptions<'static>,
        capacity: usize,
        limit: Option<u64>,
        outbox: &Arc<Outbox>,
        stop: watch::Sender<bool>,
    ) -> Formatter {
        let records = Records {
            format,
            options,
            clock: Clock::default(),
            text: String::new(),
            json: Vec::new(),
            print: [None, None],
            logs: true,
            syslog: None,
        };
        Formatter {
            trap_line: Vec::new(),
            trapd: None,
            records,
            capacity,
            limit,
            accepted: 0,
            stop,
            outbox: Arc::clone(outbox),
        }
    }
}

/// Wakes the writer if it sleeps and there is something for it.
fn wake(outbox: &Outbox, pending: &Pending) {
    if pending.writer_waiting && !pending.batch.is_empty() {
        outbox.ready.notify_one();
    }
}

impl Sink for Formatter {
    fn push(&mut self, event: Event) -> bool {
        match event {
            Event::Notification { time, via, notification: n } => {
                if self.limit.is_some_and(|l| self.accepted >= l) {
                    return true;
                }
                self.reload();
                let logged = match &mut self.trapd {
                    Some(t) => t.process(&n, via, &self.records.options, self.records.clock.epoch(time)),
                    None => Logged { log: true, syslog: true },
                };
                let log = logged.log && self.records.logs;
                let syslog = logged.syslog && self.records.syslog.is_some();
                if log || syslog {
                    // A full buffer is seen before the record is formatted: an overloaded
                    // listener spends nothing on records it drops.
                    if !self.outbox.lock().has_room(self.capacity) {
                        return false;
                    }
                    // Formatted without the lock, so the writer never waits on formatting.
                    let syslog = syslog && self.records.syslog_line(&mut self.trap_line, time, via, &n);
                    let record = if log { self.records.notification(time, via, &n) } else { &[] };
                    let mut pending = self.outbox.lock();
                    if !pending.has_room(self.capacity) {
                        return false;
                    }
                    if log {
                        pending.batch.records.extend_from_slice(record);
                        let end = pending.batch.records.len();
                        pending.batch.ends.push(end);
                    }
                    if syslog {
                        pending.batch.traps.extend_from_slice(&self.trap_line);
                        let end = pending.batch.traps.len();
                        pending.batch.trap_ends.push(end);
                    }
                    if pending.batch.len() >= WAKE_BATCH {
                        wake(&self.outbox, &pending);
                    }
                }
                self.accepted = self.accepted.saturating_add(1);
                if self.limit.is_some_and(|l| self.accepted >= l) {
                    let _ = self.stop.send(true);
                }
                true
            }
            Event::Problem { time, from, problem, suppressed } => {
                let more =
                    if suppressed > 0 { format!(" ({suppressed} more not shown)") } else { String::new() };
                let line = format!(
                    "{} snmpctl listen: dropped a message from {from}: {problem}{more}\n",
                    self.records.clock.text(time)
                );
                let mut pending = self.outbox.lock();
                if !pending.has_room(self.capacity) {
                    return false;
                }
                pending.batch.problems.push_str(&line);
                pending.batch.problem_count = pending.batch.problem_count.saturating_add(1);
                true
            }
        }
    }

    fn idle(&mut self) {
        wake(&self.outbox, &self.outbox.lock());
    }

    fn take_users(&mut self) -> Option<Vec<TrapUser>> {
        self.reload();
        self.trapd.as_mut()?.new_users.take()
    }

    fn close(&mut self) {
        self.outbox.lock().closed = true;
        self.outbox.ready.notify_one();
    }
}

/// Local time, formatted once per second.
#[derive(Default)]
struct Clock {
    second: u64,
    text: String,
    /// The calendar time, local and UTC, found once per second.
    civil_second: u64,
    civil: (Civil, Civil),
    rfc_second: u64,
    rfc_prefix: String,
    rfc_offset: String,
    rfc_text: String,
}

impl Clock {
    /// Seconds since the epoch, and the calendar time, local and UTC.
    fn epoch(&mut self, time: SystemTime) -> (i64, (Civil, Civil)) {
        use chrono::{Datelike as _, Timelike as _};
        let secs = time.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        if secs != self.civil_second || self.civil_second == 0 {
            fn civil<T: chrono::TimeZone>(t: &chrono::DateTime<T>) -> Civil {
                Civil {
                    year: t.year(),
                    month: t.month(),
                    day: t.day(),
                    hour: t.hour(),
                    minute: t.minute(),
                    second: t.second(),
                }
            }
            self.civil_second = secs;
            self.civil = (
                civil(&chrono::DateTime::<chrono::Local>::from(time)),
                civil(&chrono::DateTime::<chrono::Utc>::from(time)),
            );
        }
        (i64::try_from(secs).unwrap_or(i64::MAX), self.civil)
    }

    fn text(&mut self, time: SystemTime) -> &str {
        let secs = time.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        if secs != self.second || self.text.is_empty() {
            self.second = secs;
            self.text = chrono::DateTime::<chrono::Local>::from(time).format("%Y-%m-%d %H:%M:%S").to_string();
        }
        &self.text
    }

    /// RFC 3339 with microseconds: the seconds and offset formatted once per second, the text
    /// built in a buffer kept between records.
    fn rfc3339(&mut self, time: SystemTime) -> &str {
        let since = time.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
        if since.as_secs() != self.rfc_second || self.rfc_prefix.is_empty() {
            let local = chrono::DateTime::<chrono::Local>::from(time);
            self.rfc_second = since.as_secs();
            self.rfc_prefix = local.format("%Y-%m-%dT%H:%M:%S").to_string();
            self.rfc_offset = match local.offset().local_minus_utc() {
                0 => "Z".to_string(),
                _ => local.format("%:z").to_string(),
            };
        }
        let micros = since.subsec_micros();
        self.rfc_text.clear();
        self.rfc_text.push_str(&self.rfc_prefix);
        self.rfc_text.push('.');
        let mut digits = itoa::Buffer::new();
        let text = digits.format(micros);
        for _ in text.len()..6 {
            self.rfc_text.push('0');
        }
        self.rfc_text.push_str(text);
        self.rfc_text.push_str(&self.rfc_offset);
        &self.rfc_text
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn snmptrapd_logging_options() {
        let words = |line: &str| line.split(' ').map(str::to_owned).collect::<Vec<_>>();
        let rewrite = |line: &str| super::logging_options(words(line)).join(" ");
        assert_eq!(
            rewrite("listen -Lo -Le -Lf /tmp/a -Ls d"),
            "listen --stdout --log-stderr --output /tmp/a --syslog d"
        );
        assert_eq!(rewrite("listen -Lf/tmp/a -Lsd -Ln"), "listen --output /tmp/a --syslog d --log-nowhere");
        // Debian's unit: -LOw. Notifications are logged at info, which warning leaves out.
        assert_eq!(rewrite("listen -LOw -f"), "listen --log-nowhere -f");
        assert_eq!(
            rewrite("listen -LO i -LE 7 -LF 6 /tmp/a -LS5 d"),
            "listen --stdout --log-stderr --output /tmp/a --log-nowhere"
        );
        assert_eq!(
            rewrite("listen -LF6/tmp/a -LE0-7 -LEe-w"),
            "listen --output /tmp/a --log-stderr --log-nowhere"
        );
        // Left for the parser to refuse.
        assert_eq!(rewrite("listen -LOx -Lq"), "listen -LOx -Lq");
    }

    #[test]
    fn rfc3339_pads_microseconds() {
        use std::time::{Duration, SystemTime};
        let mut clock = super::Clock::default();
        for (nanos, fraction) in [(42_000, ".000042"), (123_456_789, ".123456"), (0, ".000000")] {
            let text = clock.rfc3339(SystemTime::UNIX_EPOCH + Duration::new(1_700_000_000, nanos)).to_owned();
            assert!(text.contains(fraction), "{text}");
            assert!(text.starts_with("2023-11-1"), "{text}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(super::parse_size("100").unwrap(), 100);
        assert_eq!(super::parse_size("4k").unwrap(), 4096);
        assert_eq!(super::parse_size("2M").unwrap(), 2 << 20);
        assert!(super::parse_size("0").is_err());
        assert!(super::parse_size("x").is_err());
    }
}
