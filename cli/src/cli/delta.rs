//! `snmpctl delta`: how counters move, period by period, as `snmpdelta` prints it.
//!
//! A Get of the OIDs every `-Cp` seconds (1 by default); after each, per OID, the change since
//! the one before (`IF-MIB::ifInOctets.1 /1 sec: 1000`), Counter32 and Counter64 wrapping as
//! counters do. `-Cs` puts the local time first (`[20:15:43 6/14]`), `-Cm` adds the highest
//! change seen (`(Max: N)`), `-CS` a line with the sum of the changes, `-Ct` divides by the time
//! the agent's sysUpTime says passed (`/sec: 1000.00`), `-CP N` reports every N polls the
//! average and the peak, `-CT` prints a table, a row per poll. snmpdelta runs until stopped;
//! so does this, unless `--count N` reports N times.

use super::snmp::{self, SnmpArgs};
use super::{EXIT_AGENT_ERROR, EXIT_FAILURE, EXIT_OK, Format, GlobalArgs};
use anyhow::{Context as _, bail};
use snmpctl::client::{Operation, Request};
use snmpctl::format::output;
use snmpctl::msg::ErrorStatus;
use snmpctl::value::{Oid, Value, VarBind};
use std::io::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

// Arguments of `snmpctl delta`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub(super) snmp: SnmpArgs,
    /// Command options, as snmpdelta's -C: s (timestamps), S (a sum line), m (the maximum),
    /// t (per second of the agent's sysUpTime), T (a table), k (seconds in timestamps when the
    /// period is whole minutes), f (do not drop a variable the agent refuses), pN (seconds
    /// between polls), PN (report every N polls: the average and the peak), vN (variables per
    /// request, default 60).
    #[arg(short = 'C', long = "command-options", value_name = "OPTS")]
    command_options: Vec<String>,
    /// Report this many times, then stop [default: until interrupted, as snmpdelta].
    #[arg(long = "count", value_name = "N")]
    count: Option<u64>,
    /// The agent: [udp:|udp6:|tcp:|tcp6:]host[:port].
    agent: String,
    /// Integer-valued objects (counters, gauges), names or numeric OIDs (after those of -CF).
    oids: Vec<String>,
}

/// snmpdelta's `-Cp N`, `-CP N`, `-Cv N` and `-CF FILE` take their value from the next word
/// too: `-CP 3` reads as `-CP3`.
pub fn split_delta_options(args: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut words = args.into_iter().peekable();
    while let Some(a) = words.next() {
        let needs_number = a.strip_prefix("-C").is_some_and(|l| l.ends_with(['p', 'P', 'v']));
        let needs_file = a.strip_prefix("-C").is_some_and(|l| l.ends_with('F'));
        match words.peek() {
            Some(next)
                if (needs_number && next.parse::<u64>().is_ok())
                    || (needs_file && !next.starts_with('-')) =>
            {
                let number = words.next().unwrap_or_default();
                out.push(format!("{a}{number}"));
            }
            _ => out.push(a),
        }
    }
    out
}

/// The `-C` options of delta.
#[derive(Debug, Default)]
struct Options {
    flags: Vec<char>,
    period: u64,
    peaks: u64,
    per_packet: usize,
    /// `-CF FILE`: more OIDs, one a line.
    file: Option<String>,
}

impl Options {
    fn parse(values: &[String]) -> anyhow::Result<Options> {
        let mut o = Options { period: 1, peaks: 0, per_packet: 60, ..Options::default() };
        for v in values {
            let mut chars = v.chars();
            while let Some(c) = chars.next() {
                match c {
                    's' | 'S' | 'm' | 't' | 'T' | 'k' | 'f' | 'l' => o.flags.push(c),
                    'F' => {
                        let file: String = chars.by_ref().collect();
                        if file.is_empty() {
                            bail!("-CF needs a FILE");
                        }
                        o.file = Some(file);
                    }
                    'p' | 'P' | 'v' => {
                        let n: String = chars.by_ref().collect();
                        let n: u64 = n
                            .trim()
                            .parse()
                            .with_context(|| format!("-C{c} needs a number, as in -C{c}5"))?;
                        match c {
                            'p' => o.period = n.max(1),
                            'P' => o.peaks = n,
                            _ => o.per_packet = usize::try_from(n.max(1))?,
                        }
                    }
                    other => {
                        bail!("-C{other}: not an option of delta (it takes -C with s S m t T k f l p P v F)")
                    }
                }
            }
        }
        Ok(o)
    }

    fn has(&self, c: char) -> bool {
        self.flags.contains(&c)
    }
}

/// One object: its name as printed, the last value, and what was reported of it.
#[derive(Debug)]
struct Watched {
    oid: Oid,
    name: String,
    last: Option<Value>,
    max: Option<f64>,
    /// Changes within the current reporting period (-CP).
    window: Vec<f64>,
}

/// The change from `old` to `new`: counters wrap.
fn change(old: &Value, new: &Value) -> Option<f64> {
    Some(match (old, new) {
        (Value::Counter32(a), Value::Counter32(b)) => f64::from(b.wrapping_sub(*a)),
        (Value::Counter64(a), Value::Counter64(b)) => b.wrapping_sub(*a) as f64,
        (Value::Gauge32(a) | Value::TimeTicks(a), Value::Gauge32(b) | Value::TimeTicks(b)) => {
            f64::from(*b) - f64::from(*a)
        }
        (Value::Integer(a), Value::Integer(b)) => f64::from(*b) - f64::from(*a),
        _ => return None,
    })
}

/// `[20:15:43 6/14]`, or without seconds when the period is whole minutes (unless `-Ck`).
fn timestamp(opts: &Options) -> String {
    let now = chrono::Local::now();
    if opts.period.is_multiple_of(60) && !opts.has('k') {
        now.format("[%H:%M %-m/%-d]").to_string()
    } else {
        now.format("[%H:%M:%S %-m/%-d]").to_string()
    }
}

pub fn run(global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    args.snmp.mib.load();
    let opts = Options::parse(&args.command_options)?;
    let options = args.snmp.output_options_for(global.format)?;
    // -CF's OIDs (one a line; blank lines and # comments skipped), then the command line's.
    let mut names: Vec<String> = Vec::new();
    if let Some(file) = &opts.file {
        let text = std::fs::read_to_string(file).with_context(|| format!("-CF {file}"))?;
        names.extend(
            text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_owned),
        );
    }
    names.extend(args.oids.iter().cloned());
    if names.is_empty() {
        bail!("delta needs an OID (on the command line or in -CF FILE)");
    }
    let mut watched: Vec<Watched> = names
        .iter()
        .map(|o| {
            let oid = super::get::parse_oid(o)?;
            Ok(Watched {
                name: output::oid_name(&oid, &options),
                oid,
                last: None,
                max: None,
                window: Vec::new(),
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let runtime = snmp::runtime()?;
    let client = runtime.block_on(snmp::connect_sequential(&args.agent, &args.snmp))?.0;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let uptime_oid = Oid::new(&snmpctl::trap::SYS_UP_TIME)?;
    let mut last_uptime: Option<u32> = None;
    let mut sum_max: Option<f64> = None;
    let mut sum_window: Vec<f64> = Vec::new();
    let mut polls: u64 = 0;
    let mut reports: u64 = 0;
    let period = Duration::from_secs(opts.period);
    // As snmpdelta, the first poll falls on a whole multiple of the reporting period (the poll
    // period times -CP) of the wall clock, and the others a poll period apart.
    let unit = period.saturating_mul(u32::try_from(opts.peaks.max(1)).unwrap_or(1));
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let into = Duration::from_nanos(
        u64::try_from(since_epoch.as_nanos().checked_rem(unit.as_nanos()).unwrap_or(0)).unwrap_or(0),
    );
    std::thread::sleep(unit.saturating_sub(into));
    let mut next = Instant::now();
    let table = opts.has('T') && global.format == Format::Text;
    if table {
        // The header: the agent (with timestamps), then each name; rows start on a new line.
        let first = if opts.has('s') { args.agent.as_str() } else { "" };
        write!(out, "{first}")?;
        for w in &watched {
            write!(out, "\t{}", w.name)?;
        }
        out.flush()?;
    }
    loop {
        // The Get, in requests of at most -Cv variables; a variable refused is dropped (-Cf: not).
        let mut values: Vec<Option<Value>> = vec![None; watched.len()];
        let mut uptime = None;
        let indices: Vec<usize> = (0..watched.len()).collect();
        for chunk in indices.chunks(opts.per_packet) {
            let mut asked: Vec<usize> = chunk.to_vec();
            loop {
                let mut varbinds: Vec<VarBind> = asked
                    .iter()
                    .filter_map(|i| watched.get(*i))
                    .map(|w| VarBind::null(w.oid.clone()))
                    .collect();
                if opts.has('t') {
                    varbinds.push(VarBind::null(uptime_oid.clone()));
                }
                let pdu =
                    match runtime.block_on(client.request(Request { operation: Operation::Get, varbinds })) {
                        Ok(p) => p,
                        Err(e) => {
                            eprintln!("{}", snmp::describe(&e, &args.agent, false));
                            return Ok(ExitCode::from(EXIT_FAILURE));
                        }
                    };
                if pdu.error_status == ErrorStatus::NO_ERROR {
                    for (at, vb) in pdu.varbinds.into_iter().enumerate() {
                        match asked.get(at) {
                            Some(i) => {
                                if let Some(slot) = values.get_mut(*i) {
                                    *slot = Some(vb.value);
                                }
                            }
                            None => {
                                if let Value::TimeTicks(t) = vb.value {
                                    uptime = Some(t);
                                }
                            }
                        }
                    }
                    break;
                }
                out.flush()?;
                eprint!("{}", output::error_report(&pdu, &options, true));
                let failed = usize::try_from(pdu.error_index).ok().and_then(|i| i.checked_sub(1));
                match failed {
                    Some(i) if !opts.has('f') && i < asked.len() => {
                        asked.remove(i);
                        if asked.is_empty() {
                            break;
                        }
                    }
                    _ => return Ok(ExitCode::from(EXIT_AGENT_ERROR)),
                }
            }
        }
        // The changes since the last poll (the first poll only sets the baseline).
        let seconds = match (opts.has('t'), last_uptime, uptime) {
            (true, Some(a), Some(b)) => f64::from(b.wrapping_sub(a)) / 100.0,
            _ => opts.period as f64,
        };
        let baseline = watched.iter().all(|w| w.last.is_none());
        let mut changes: Vec<Option<f64>> = Vec::with_capacity(watched.len());
        for (w, value) in watched.iter_mut().zip(values) {
            let c = match (&w.last, &value) {
                (Some(old), Some(new)) => change(old, new),
                _ => None,
            };
            let c = c.map(|c| if opts.has('t') && seconds > 0.0 { c / seconds } else { c });
            if let Some(v) = value {
                w.last = Some(v);
            }
            changes.push(c);
        }
        last_uptime = uptime.or(last_uptime);
        if !baseline {
            polls = polls.saturating_add(1);
            let report = opts.peaks == 0 || polls.is_multiple_of(opts.peaks);
            let stamp = if opts.has('s') { timestamp(&opts) } else { String::new() };
            let prefix = if opts.has('s') { format!("{stamp} ") } else { String::new() };
            let mut sum = 0.0;
            let mut json = Vec::new();
            let mut text = String::new();
            if table {
                text.push('\n');
                text.push_str(&stamp);
            }
            for (w, c) in watched.iter_mut().zip(&changes) {
                let Some(c) = *c else { continue };
                sum += c;
                w.window.push(c);
                if !report {
                    continue;
                }
                let (value, peak) = average_and_peak(&w.window, opts.peaks);
                w.window.clear();
                w.max = Some(w.max.map_or(value, |m: f64| m.max(value)));
                json.push(serde_json::json!({"name": w.name, "oid": w.oid.to_string(), "change": value, "peak": peak, "max": w.max}));
                if table {
                    text.push_str(&format!("\t{value:.2}"));
                } else {
                    let l = line(&prefix, &w.name, value, peak, w.max, &opts);
                    if opts.has('l') {
                        log_line(&args.agent, &w.name, &l)?;
                    } else {
                        text.push_str(&l);
                    }
                }
            }
            sum_window.push(sum);
            if report {
                let (sum, peak) = average_and_peak(&sum_window, opts.peaks);
                sum_window.clear();
                sum_max = Some(sum_max.map_or(sum, |m: f64| m.max(sum)));
                if opts.has('S') && !table {
                    let l = line(&prefix, "Sum", sum, peak, sum_max, &opts);
                    if opts.has('l') {
                        log_line(&args.agent, "Sum", &l)?;
                    } else {
                        text.push_str(&l);
                    }
                }
                match global.format {
                    Format::Text => {
                        out.write_all(text.as_bytes())?;
                        out.flush()?;
                    }
                    Format::Json | Format::Ndjson => {
                        let record = serde_json::json!({
                            "time": chrono::Local::now().to_rfc3339(),
                            "seconds": seconds,
                            "objects": json,
                            "sum": sum,
                        });
                        serde_json::to_writer(&mut out, &record)?;
                        writeln!(out)?;
                        out.flush()?;
                    }
                }
                reports = reports.saturating_add(1);
                if args.count.is_some_and(|n| reports >= n) {
                    if table {
                        writeln!(out)?;
                    }
                    return Ok(ExitCode::from(EXIT_OK));
                }
            }
        }
        next = next.checked_add(period).unwrap_or(next);
        let now = Instant::now();
        if next > now {
            std::thread::sleep(next.saturating_duration_since(now));
        } else {
            next = now;
        }
    }
}

/// `-Cl`: a line appended to the file `AGENT-NAME` in the working directory, as snmpdelta
/// writes them.
fn log_line(agent: &str, name: &str, line: &str) -> anyhow::Result<()> {
    let path = format!("{agent}-{name}");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("-Cl: {path}"))?;
    f.write_all(line.as_bytes()).with_context(|| format!("-Cl: {path}"))?;
    Ok(())
}

/// The average of a reporting period's changes (or the one change, without -CP) and its peak.
fn average_and_peak(window: &[f64], peaks: u64) -> (f64, Option<f64>) {
    let total: f64 = window.iter().sum();
    let n = window.len().max(1) as f64;
    if peaks == 0 { (total, None) } else { (total / n, window.iter().copied().reduce(f64::max)) }
}

/// One line: `[time] NAME /P sec: N`, or with -Ct `NAME /sec: N.NN`, then the peak and max.
fn line(prefix: &str, name: &str, value: f64, peak: Option<f64>, max: Option<f64>, opts: &Options) -> String {
    let mut s = if opts.has('t') {
        format!("{prefix}{name} /sec: {value:.2}")
    } else {
        format!("{prefix}{name} /{} sec: {value:.0}", opts.period)
    };
    if let Some(p) = peak {
        s.push_str(&format!("\t({} sec Peak: {p:.0})", opts.period));
    }
    if opts.has('m')
        && let Some(m) = max
    {
        if opts.has('t') {
            s.push_str(&format!("\t(Max: {m:.2})"));
        } else {
            s.push_str(&format!("\t(Max: {m:.0})"));
        }
    }
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use snmpctl::value::Value;

    #[test]
    fn counters_wrap_and_gauges_go_down() {
        use super::change;
        assert_eq!(change(&Value::Counter32(u32::MAX - 9), &Value::Counter32(5)), Some(15.0));
        assert_eq!(change(&Value::Counter64(u64::MAX), &Value::Counter64(1)), Some(2.0));
        assert_eq!(change(&Value::Gauge32(10), &Value::Gauge32(4)), Some(-6.0));
        assert_eq!(change(&Value::Integer(-5), &Value::Integer(5)), Some(10.0));
        assert_eq!(change(&Value::Counter32(1), &Value::NoSuchObject), None);
    }

    #[test]
    fn numbers_after_c_letters_come_from_the_next_word() {
        let words = |l: &str| l.split(' ').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(
            super::split_delta_options(words("delta -Cs -CP 3 -Cp 2 -CT a")).join(" "),
            "delta -Cs -CP3 -Cp2 -CT a"
        );
        assert_eq!(super::split_delta_options(words("delta -Cp agent")).join(" "), "delta -Cp agent");
        assert_eq!(
            super::split_delta_options(words("delta -CF oids -Cl agent")).join(" "),
            "delta -CFoids -Cl agent"
        );
    }
}
