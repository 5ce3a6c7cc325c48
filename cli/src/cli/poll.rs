//! `snmpctl poll`: many agents at once from one socket, results streamed as they arrive.
//!
//! Targets come from the command line and from `--targets FILE`:
//!
//! ```text
//! # a profile is a name and Net-SNMP flags; targets name one, or take the command line's
//! profile core -v3 -u netops -l authPriv -a SHA-256 -A "auth secret" -x AES -X "priv secret"
//! profile legacy -v1 -c oldcommunity
//! 10.0.0.1 core
//! udp6:[2001:db8::1]:1161 legacy
//! 10.0.0.2
//! ```

use super::get::parse_oid;
use super::progress::Progress;
use super::snmp::{self, SnmpArgs};
use super::{EXIT_AGENT_ERROR, EXIT_FAILURE, EXIT_OK, Format, GlobalArgs};
use anyhow::{Context as _, bail};
use snmpctl::client::{Config, WalkOptions};
use snmpctl::format::{json, output};
use snmpctl::transport::Target;
use snmpctl::transport::poll::{self, Event, Job, Status};
use snmpctl::trap::config_words;
use snmpctl::value::{Oid, VarBind};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

// Arguments of `snmpctl poll`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Flags for targets without a profile.
    #[command(flatten)]
    pub(super) snmp: SnmpArgs,
    /// Targets, one per line: `AGENT [PROFILE]`, and `profile NAME FLAGS...` lines (see --help).
    #[arg(short = 'f', long = "targets", value_name = "FILE")]
    targets_file: Option<PathBuf>,
    /// OIDs to Get from every target, in one request; repeatable or comma-separated
    /// [default, with no --walk: sysDescr.0, sysObjectID.0, sysUpTime.0, sysName.0].
    #[arg(short = 'g', long = "get", value_name = "OID", value_delimiter = ',')]
    get: Vec<String>,
    /// Subtrees to walk on every target, after the Get; repeatable or comma-separated.
    #[arg(short = 'w', long = "walk", value_name = "OID", value_delimiter = ',')]
    walk: Vec<String>,
    /// Targets polled at once.
    #[arg(long = "concurrency", default_value_t = 1000, value_name = "N")]
    concurrency: usize,
    /// At most this many requests per second to one target (retransmissions aside) [default: no limit].
    #[arg(long = "rate", value_name = "PER_SECOND")]
    rate: Option<f64>,
    /// max-repetitions of the walks' GetBulk requests (v1 walks use GetNext).
    #[arg(long = "max-repetitions", default_value_t = 10, value_name = "N")]
    max_repetitions: u32,
    /// Write CSV (target,oid,type,value; errors as target,,error,message) instead of --format.
    #[arg(long)]
    csv: bool,
    /// Agents: [udp:|udp6:]host[:port].
    targets: Vec<String>,
}

const DEFAULT_GET: [&str; 4] =
    ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.5.0"];

/// A profile line's flags, parsed as the command line's are.
#[derive(Debug, clap::Parser)]
#[command(name = "profile", no_binary_name = true, disable_help_flag = true)]
struct Profile {
    #[command(flatten)]
    pub(super) snmp: SnmpArgs,
}

/// The targets of the file and the command line: (what was written, the profile's name, the
/// profile's config).
fn targets(args: &Args, default: &Config) -> anyhow::Result<Vec<(String, Option<String>, Config)>> {
    let mut out: Vec<(String, Option<String>, Config)> =
        args.targets.iter().map(|t| (t.clone(), None, default.clone())).collect();
    let Some(path) = &args.targets_file else { return Ok(out) };
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut profiles: HashMap<String, Config> = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let at = || format!("{}:{}", path.display(), n.saturating_add(1));
        let words = config_words(line.split('#').next().unwrap_or(""));
        match words.as_slice() {
            [] => {}
            [p, name, flags @ ..] if p == "profile" => {
                let flags = snmp::rewrite_net_snmp_flags(flags.iter().cloned());
                let profile = <Profile as clap::Parser>::try_parse_from(flags)
                    .map_err(|e| anyhow::anyhow!("{}: profile {name}: {}", at(), e.kind()))?;
                let config = profile.snmp.config().with_context(|| format!("{}: profile {name}", at()))?;
                profiles.insert(name.clone(), config);
            }
            [target] => out.push((target.clone(), None, default.clone())),
            [target, profile] => {
                let config = profiles
                    .get(profile)
                    .with_context(|| format!("{}: no profile {profile:?} defined above this line", at()))?;
                out.push((target.clone(), Some(profile.clone()), config.clone()));
            }
            _ => bail!("{}: expected `AGENT [PROFILE]` or `profile NAME FLAGS...`", at()),
        }
    }
    Ok(out)
}

/// How each target is named in the output: as written, and where the same agent is polled
/// more than once (other communities, contexts or users), with its profile, or its place in
/// the list when it has none: `10.0.0.1 [ro-v2]`, `10.0.0.1 [3]`.
fn target_names(targets: &[(String, Option<String>, Config)]) -> Vec<String> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (text, _, _) in targets {
        let n = seen.entry(text.as_str()).or_default();
        *n = n.saturating_add(1);
    }
    targets
        .iter()
        .enumerate()
        .map(|(i, (text, profile, _))| match (seen.get(text.as_str()), profile) {
            (Some(&n), Some(p)) if n > 1 => format!("{text} [{p}]"),
            (Some(&n), None) if n > 1 => format!("{text} [{}]", i.saturating_add(1)),
            _ => text.clone(),
        })
        .collect()
}

/// Where the results go, in the chosen format.
struct Writer {
    out: std::io::StdoutLock<'static>,
    buf: String,
    format: Format,
    csv: bool,
    options: output::OutputOptions<'static>,
    closed: bool,
    progress: Progress,
}

fn csv_field(out: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

impl Writer {
    fn varbinds(&mut self, target: &str, varbinds: &[VarBind]) {
        for vb in varbinds {
            if self.csv {
                let j = json::varbind_named(vb, &self.options);
                let field = |k: &str| match j.get(k) {
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(v) => v.to_string(),
                    None => String::new(),
                };
                csv_field(&mut self.buf, target);
                self.buf.push(',');
                csv_field(&mut self.buf, &field("oid"));
                self.buf.push(',');
                csv_field(&mut self.buf, &field("type"));
                self.buf.push(',');
                csv_field(&mut self.buf, &field("value"));
                self.buf.push('\n');
            } else if self.format == Format::Text {
                self.buf.push_str(target);
                self.buf.push(' ');
                output::write_varbind(&mut self.buf, vb, &self.options);
            } else {
                let mut object = serde_json::Map::new();
                object.insert("target".into(), target.into());
                if let serde_json::Value::Object(rest) = json::varbind_named(vb, &self.options) {
                    object.extend(rest);
                }
                self.buf.push_str(&serde_json::Value::Object(object).to_string());
                self.buf.push('\n');
            }
        }
        if self.buf.len() >= 1 << 16 {
            self.flush();
        }
    }

    fn failure(&mut self, target: &str, message: &str) {
        if self.csv {
            csv_field(&mut self.buf, target);
            self.buf.push_str(",,error,");
            csv_field(&mut self.buf, message);
            self.buf.push('\n');
        } else if self.format == Format::Text {
            self.flush();
            self.progress.note(&format!("snmpctl poll: {target}: {message}\n"));
        } else {
            self.buf.push_str(&serde_json::json!({"target": target, "error": message}).to_string());
            self.buf.push('\n');
        }
    }

    fn flush(&mut self) {
        if !self.closed && !self.progress.write_out(&mut self.out, &self.buf) {
            self.closed = true;
        }
        self.buf.clear();
    }
}

pub fn run(global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    if global.format == Format::Json && !args.csv {
        bail!("poll streams its results: use --format ndjson (one JSON object per line) or --csv");
    }
    args.snmp.mib.load();
    let default = args.snmp.config()?;
    let mut get: Vec<Oid> = args.get.iter().map(|o| parse_oid(o)).collect::<anyhow::Result<_>>()?;
    let walk: Vec<Oid> = args.walk.iter().map(|o| parse_oid(o)).collect::<anyhow::Result<_>>()?;
    if get.is_empty() && walk.is_empty() {
        get = DEFAULT_GET.iter().map(|o| parse_oid(o)).collect::<anyhow::Result<_>>()?;
    }
    let targets = targets(args, &default)?;
    if targets.is_empty() {
        bail!("no targets: give agents as arguments or in --targets FILE");
    }
    let runtime = snmp::runtime()?;
    let mut jobs = Vec::with_capacity(targets.len());
    let names = target_names(&targets);
    for (text, _, config) in targets {
        let target =
            Target::parse(&text, args.snmp.default_port).map_err(|e| anyhow::anyhow!("{text}: {e}"))?;
        if target.tcp {
            bail!("{text}: poll uses UDP");
        }
        let agent = runtime.block_on(target.resolve()).with_context(|| text.clone())?;
        let v1 = matches!(&config.security, snmpctl::client::Security::Community { version, .. } if *version == snmpctl::msg::Version::V1);
        let walk_options =
            if v1 { WalkOptions::get_next() } else { WalkOptions::bulk(args.max_repetitions.max(1)) };
        jobs.push(Job { agent, config, get: get.clone(), walk: walk.clone(), walk_options });
    }
    let min_interval = match args.rate {
        Some(r) if r > 0.0 && r.is_finite() => Duration::from_secs_f64(1.0 / r),
        Some(r) => bail!("--rate {r}: give a positive number of requests per second"),
        None => Duration::ZERO,
    };
    let options = poll::Options { concurrency: args.concurrency.max(1), min_interval };
    let mut writer = Writer {
        out: std::io::stdout().lock(),
        buf: String::with_capacity(1 << 17),
        format: global.format,
        csv: args.csv,
        options: args.snmp.output_options_for(global.format)?,
        closed: false,
        progress: Progress::start(!global.no_progress, "targets", u64::try_from(jobs.len()).ok()),
    };
    if args.csv {
        writer.buf.push_str("target,oid,type,value\n");
    }
    let total = jobs.len();
    let started = Instant::now();
    let (mut timeouts, mut errors) = (0usize, 0usize);
    let seed = getrandom::u64().unwrap_or(0x5eed);
    let summary = runtime.block_on(poll::run(&jobs, options, seed, |event| match event {
        Event::Varbinds { job, varbinds } => {
            writer.varbinds(names.get(job).map_or("", String::as_str), varbinds);
        }
        Event::Failed { job, failure } => {
            writer.failure(names.get(job).map_or("", String::as_str), &failure.to_string())
        }
        Event::Done { status, .. } => {
            match status {
                Status::Ok | Status::Missing => {}
                Status::Timeout => timeouts = timeouts.saturating_add(1),
                Status::Error => errors = errors.saturating_add(1),
            }
            if matches!(status, Status::Timeout | Status::Error) {
                writer.progress.set_message(format!(", {timeouts} timeouts, {errors} errors"));
            }
            writer.progress.inc(1);
        }
    }))?;
    writer.flush();
    writer.progress.finish();
    let elapsed = started.elapsed().as_secs_f64();
    eprintln!(
        "snmpctl poll: {total} targets in {elapsed:.2} s: {} ok, {} with missing objects, {} timeout, {} error; {} values; {} requests sent, {} retransmitted",
        summary.ok,
        summary.missing,
        summary.timeout,
        summary.error,
        summary.varbinds,
        summary.sent,
        summary.retransmitted
    );
    Ok(ExitCode::from(if summary.timeout > 0 {
        EXIT_FAILURE
    } else if summary.error > 0 {
        EXIT_AGENT_ERROR
    } else {
        EXIT_OK
    }))
}
