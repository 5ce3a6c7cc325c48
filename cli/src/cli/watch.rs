//! `snmpctl watch`: a device's interfaces, live: bits per second in and out, errors and
//! discards per second, status, and a graph of the traffic over the last minutes.
//!
//! Each period it asks sysUpTime.0 and then only the columns shown, with GetBulk (or Get, for
//! the interfaces named on the command line): ifOperStatus, the octet counters (ifXTable's
//! 64-bit ifHCInOctets/ifHCOutOctets, or ifTable's 32-bit ones, wrapping, where the agent has
//! no ifXTable), ifInDiscards, ifInErrors, ifOutDiscards, ifOutErrors. Rates use the time the
//! agent's sysUpTime says passed. When sysUpTime goes back (the agent restarted) or a 64-bit
//! counter does, that period has no rate: a reset is never drawn as a spike.
//!
//! On a terminal it draws a table (ratatui): ↑/↓ select, space picks an interface, `p` shows
//! only the picked ones, `s` changes the sort, `q` quits. Otherwise, or with `--format ndjson`,
//! it writes a JSON line per interface per period.

use super::snmp::{self, SnmpArgs};
use super::{EXIT_FAILURE, EXIT_OK, Format, GlobalArgs};
use anyhow::{Context as _, bail};
use snmpctl::client::{Operation, Request, WalkOptions};
use snmpctl::value::{Oid, Value, VarBind};
use std::collections::{BTreeMap, VecDeque};
use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::time::{Duration, Instant};

// Arguments of `snmpctl watch`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub(super) snmp: SnmpArgs,
    /// Seconds between polls.
    #[arg(short = 'i', long = "interval", default_value_t = 5.0, value_name = "SECONDS")]
    interval: f64,
    /// Minutes of history the graphs show.
    #[arg(long = "minutes", default_value_t = 5, value_name = "N")]
    minutes: u32,
    /// Stop after this many polls [default: until q or interrupted].
    #[arg(long = "count", value_name = "N")]
    count: Option<u64>,
    /// The agent: [udp:|udp6:|tcp:|tcp6:]host[:port].
    agent: String,
    /// Interfaces to show, by ifIndex or name (ifName, or ifDescr) [default: all].
    interfaces: Vec<String>,
}

const SYS_UP_TIME: [u32; 9] = [1, 3, 6, 1, 2, 1, 1, 3, 0];
const IF_ENTRY: [u32; 9] = [1, 3, 6, 1, 2, 1, 2, 2, 1];
const IFX_ENTRY: [u32; 10] = [1, 3, 6, 1, 2, 1, 31, 1, 1, 1];

/// What one poll read of one interface.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sample {
    pub status: Option<i32>,
    pub in_octets: Option<u64>,
    pub out_octets: Option<u64>,
    pub in_errors: Option<u64>,
    pub out_errors: Option<u64>,
    pub in_discards: Option<u64>,
    pub out_discards: Option<u64>,
}

/// Per second, since the poll before.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rates {
    pub in_bps: f64,
    pub out_bps: f64,
    pub in_errors: f64,
    pub out_errors: f64,
    pub in_discards: f64,
    pub out_discards: f64,
}

/// One interface being watched.
#[derive(Debug, Clone)]
pub struct Interface {
    pub index: u32,
    pub name: String,
    pub last: Option<Sample>,
    pub status: Option<i32>,
    pub rates: Option<Rates>,
    /// In and out bits per second, oldest first (a `None` where a period had no rate).
    pub history: VecDeque<Option<(f64, f64)>>,
    pub picked: bool,
}

/// The counters' changes into rates: `wide` counters are 64-bit (a decrease is a reset),
/// others 32-bit (a decrease is a wrap, unless the agent restarted).
pub struct Tracker {
    pub wide: bool,
    pub interfaces: Vec<Interface>,
    last_uptime: Option<u32>,
    keep: usize,
}

impl Tracker {
    pub fn new(wide: bool, interfaces: Vec<(u32, String)>, keep: usize) -> Tracker {
        let interfaces = interfaces
            .into_iter()
            .map(|(index, name)| Interface {
                index,
                name,
                last: None,
                status: None,
                rates: None,
                history: VecDeque::new(),
                picked: false,
            })
            .collect();
        Tracker { wide, interfaces, last_uptime: None, keep: keep.max(1) }
    }

    /// Takes one poll: the agent's sysUpTime and each interface's sample.
    pub fn update(&mut self, uptime: u32, samples: &BTreeMap<u32, Sample>) {
        // The agent restarted (sysUpTime went back): counters started again; no rate now.
        let elapsed =
            self.last_uptime.and_then(|t| uptime.checked_sub(t)).map(|ticks| f64::from(ticks) / 100.0);
        self.last_uptime = Some(uptime);
        let wide = self.wide;
        for i in &mut self.interfaces {
            let Some(s) = samples.get(&i.index) else { continue };
            let delta = |old: Option<u64>, new: Option<u64>, wide: bool| -> Option<f64> {
                let (old, new) = (old?, new?);
                if wide {
                    new.checked_sub(old).map(|d| d as f64)
                } else {
                    let (old, new) = (u32::try_from(old).ok()?, u32::try_from(new).ok()?);
                    Some(f64::from(new.wrapping_sub(old)))
                }
            };
            i.rates = match (&i.last, elapsed) {
                (Some(last), Some(secs)) if secs > 0.0 => {
                    let per = |old, new, w| delta(old, new, w).map(|d| d / secs);
                    let octets_in = per(last.in_octets, s.in_octets, wide);
                    let octets_out = per(last.out_octets, s.out_octets, wide);
                    match (octets_in, octets_out) {
                        (Some(a), Some(b)) => Some(Rates {
                            in_bps: a * 8.0,
                            out_bps: b * 8.0,
                            in_errors: per(last.in_errors, s.in_errors, false).unwrap_or(0.0),
                            out_errors: per(last.out_errors, s.out_errors, false).unwrap_or(0.0),
                            in_discards: per(last.in_discards, s.in_discards, false).unwrap_or(0.0),
                            out_discards: per(last.out_discards, s.out_discards, false).unwrap_or(0.0),
                        }),
                        _ => None,
                    }
                }
                _ => None,
            };
            if i.last.is_some() {
                i.history.push_back(i.rates.map(|r| (r.in_bps, r.out_bps)));
                while i.history.len() > self.keep {
                    i.history.pop_front();
                }
            }
            i.status = s.status;
            i.last = Some(s.clone());
        }
    }
}

/// Bits per second as people read them: `8.00 kb/s`, `1.25 Gb/s`.
pub fn human_bps(bps: f64) -> String {
    let units = ["b/s", "kb/s", "Mb/s", "Gb/s", "Tb/s"];
    let mut v = bps;
    let mut unit = units[0];
    for u in &units[1..] {
        if v < 1000.0 {
            break;
        }
        v /= 1000.0;
        unit = u;
    }
    format!("{v:.2} {unit}")
}

/// ifOperStatus's name.
fn status_name(s: Option<i32>) -> &'static str {
    match s {
        Some(1) => "up",
        Some(2) => "down",
        Some(3) => "testing",
        Some(4) => "unknown",
        Some(5) => "dormant",
        Some(6) => "notPresent",
        Some(7) => "lowerLayerDown",
        _ => "?",
    }
}

/// A line of block characters for `values` (the oldest first), scaled to their maximum.
pub fn sparkline(values: impl Iterator<Item = Option<f64>>) -> String {
    let values: Vec<Option<f64>> = values.collect();
    let max = values.iter().flatten().copied().fold(0.0f64, f64::max);
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(_) if max <= 0.0 => BARS[0],
            Some(v) => {
                let scaled = (v / max) * 7.0;
                let level = (0u8..8).rev().find(|l| f64::from(*l) <= scaled + 0.5).unwrap_or(0);
                BARS.get(usize::from(level)).copied().unwrap_or('█')
            }
        })
        .collect()
}

/// A column a poll reads.
#[derive(Debug, Clone, Copy)]
enum Field {
    Status,
    InOctets,
    OutOctets,
    InDiscards,
    InErrors,
    OutDiscards,
    OutErrors,
}

impl Sample {
    /// Takes a column's value (an exception, such as the endOfMibView a walk's last column
    /// ends with on the last instance's OID, is no value).
    fn set(&mut self, field: Field, v: &Value) {
        if v.is_exception() {
            return;
        }
        let n = v.as_u64();
        match field {
            Field::Status => self.status = n.and_then(|n| i32::try_from(n).ok()),
            Field::InOctets => self.in_octets = n,
            Field::OutOctets => self.out_octets = n,
            Field::InDiscards => self.in_discards = n,
            Field::InErrors => self.in_errors = n,
            Field::OutDiscards => self.out_discards = n,
            Field::OutErrors => self.out_errors = n,
        }
    }
}

/// The columns a poll reads: (field, entry, column).
fn columns(wide: bool) -> [(Field, &'static [u32], u32); 7] {
    let (entry, inc, outc): (&'static [u32], u32, u32) =
        if wide { (&IFX_ENTRY, 6, 10) } else { (&IF_ENTRY, 10, 16) };
    [
        (Field::Status, &IF_ENTRY, 8),
        (Field::InOctets, entry, inc),
        (Field::OutOctets, entry, outc),
        (Field::InDiscards, &IF_ENTRY, 13),
        (Field::InErrors, &IF_ENTRY, 14),
        (Field::OutDiscards, &IF_ENTRY, 19),
        (Field::OutErrors, &IF_ENTRY, 20),
    ]
}

fn column_oid(entry: &[u32], column: u32) -> anyhow::Result<Oid> {
    let mut a = entry.to_vec();
    a.push(column);
    Ok(Oid::new(&a)?)
}

struct Poller {
    runtime: tokio::runtime::Runtime,
    client: snmpctl::Client,
    bulk: WalkOptions,
    wide: bool,
    /// The interfaces named on the command line (Get), or none (GetBulk of whole columns).
    only: Option<Vec<u32>>,
}

impl Poller {
    fn walk(&self, oid: Oid) -> anyhow::Result<Vec<VarBind>> {
        self.runtime
            .block_on(self.client.walk_with(oid, self.bulk.clone()).collect())
            .map_err(|p| anyhow::anyhow!("{}", p.error))
    }

    /// sysUpTime.0 and the samples of every interface shown.
    fn poll(&self) -> anyhow::Result<(u32, BTreeMap<u32, Sample>)> {
        let up = self
            .runtime
            .block_on(self.client.request(Request {
                operation: Operation::Get,
                varbinds: vec![VarBind::null(Oid::new(&SYS_UP_TIME)?)],
            }))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let uptime = match up.varbinds.first().map(|vb| &vb.value) {
            Some(Value::TimeTicks(t)) => *t,
            _ => bail!("the agent gave no sysUpTime.0"),
        };
        let mut samples: BTreeMap<u32, Sample> = BTreeMap::new();
        let cols = columns(self.wide);
        match &self.only {
            Some(indices) => {
                // Each column of each interface named; the answers come in the same order.
                let mut asked = Vec::new();
                let mut varbinds = Vec::new();
                for (field, entry, column) in cols {
                    for i in indices {
                        let mut a = entry.to_vec();
                        a.extend([column, *i]);
                        varbinds.push(VarBind::null(Oid::new(&a)?));
                        asked.push((field, *i));
                    }
                }
                let pdu = self
                    .runtime
                    .block_on(self.client.request(Request { operation: Operation::Get, varbinds }))
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                for ((field, i), vb) in asked.into_iter().zip(&pdu.varbinds) {
                    samples.entry(i).or_default().set(field, &vb.value);
                }
            }
            None => {
                for (field, entry, column) in cols {
                    let root = column_oid(entry, column)?;
                    for vb in self.walk(root.clone())? {
                        if let Some(i) = vb.oid.arcs().get(root.arcs().len()) {
                            samples.entry(*i).or_default().set(field, &vb.value);
                        }
                    }
                }
            }
        }
        Ok((uptime, samples))
    }
}

pub fn run(global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    args.snmp.mib.load();
    let interval = Duration::try_from_secs_f64(args.interval)
        .ok()
        .filter(|d| !d.is_zero())
        .context("--interval: a number of seconds above 0")?;
    let runtime = snmp::runtime()?;
    let client = runtime.block_on(snmp::connect(&args.agent, &args.snmp))?.0;
    let bulk = if args.snmp.snmp_version == snmp::SnmpVersion::V1 {
        WalkOptions::get_next()
    } else {
        WalkOptions::bulk(25)
    };
    let mut poller = Poller { runtime, client, bulk, wide: false, only: None };
    // The interfaces: ifName where the agent has ifXTable (and its 64-bit counters), ifDescr.
    let name_of = |vbs: Vec<VarBind>, root: &[u32]| -> BTreeMap<u32, String> {
        vbs.into_iter()
            .filter_map(|vb| {
                let i = *vb.oid.arcs().get(root.len().saturating_add(1))?;
                match vb.value {
                    Value::OctetString(s) => Some((i, String::from_utf8_lossy(&s).into_owned())),
                    _ => None,
                }
            })
            .collect()
    };
    let names = match poller.walk(column_oid(&IFX_ENTRY, 1)?) {
        Ok(v) if !v.is_empty() => name_of(v, &IFX_ENTRY),
        Ok(_) => BTreeMap::new(),
        Err(e) => {
            eprintln!("snmpctl watch: {}: {e}", args.agent);
            return Ok(ExitCode::from(EXIT_FAILURE));
        }
    };
    let names =
        if names.is_empty() { name_of(poller.walk(column_oid(&IF_ENTRY, 2)?)?, &IF_ENTRY) } else { names };
    poller.wide = poller.walk(column_oid(&IFX_ENTRY, 6)?)?.iter().any(|vb| !vb.value.is_exception());
    let mut chosen: Vec<(u32, String)> = Vec::new();
    for want in &args.interfaces {
        let found = names.iter().find(|(i, n)| want.parse::<u32>().ok() == Some(**i) || *n == want);
        match found {
            Some((i, n)) => chosen.push((*i, n.clone())),
            None => bail!("no interface {want:?} on {} (by ifIndex, ifName or ifDescr)", args.agent),
        }
    }
    if !chosen.is_empty() {
        poller.only = Some(chosen.iter().map(|(i, _)| *i).collect());
    }
    let list = if chosen.is_empty() { names.into_iter().collect() } else { chosen };
    let keep = (u128::from(args.minutes).saturating_mul(60_000))
        .checked_div(interval.as_millis())
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(60);
    let mut tracker = Tracker::new(poller.wide, list, keep);
    let tui = global.format == Format::Text && std::io::stdout().is_terminal();
    if tui {
        tui::run(&poller, &mut tracker, interval, args)
    } else {
        stream(&poller, &mut tracker, interval, args.count)
    }
}

/// A JSON line per interface per poll (the first poll's rates are null).
fn stream(
    poller: &Poller,
    tracker: &mut Tracker,
    interval: Duration,
    count: Option<u64>,
) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut polls = 0u64;
    let mut next = Instant::now();
    loop {
        let (uptime, samples) = poller.poll()?;
        tracker.update(uptime, &samples);
        let time = chrono::Local::now().to_rfc3339();
        for i in &tracker.interfaces {
            let r = i.rates;
            let line = serde_json::json!({
                "time": time,
                "sysUpTime": uptime,
                "ifIndex": i.index,
                "name": i.name,
                "status": status_name(i.status),
                "in_bps": r.map(|r| r.in_bps),
                "out_bps": r.map(|r| r.out_bps),
                "in_errors_per_s": r.map(|r| r.in_errors),
                "out_errors_per_s": r.map(|r| r.out_errors),
                "in_discards_per_s": r.map(|r| r.in_discards),
                "out_discards_per_s": r.map(|r| r.out_discards),
            });
            serde_json::to_writer(&mut out, &line)?;
            writeln!(out)?;
        }
        out.flush()?;
        polls = polls.saturating_add(1);
        if count.is_some_and(|c| polls >= c) {
            return Ok(ExitCode::from(EXIT_OK));
        }
        next = next.checked_add(interval).unwrap_or(next);
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
}

mod tui {
    use super::{Args, EXIT_OK, Poller, Tracker, human_bps, sparkline, status_name};
    use crossterm::event::{self, Event, KeyCode, KeyEventKind};
    use ratatui::layout::{Constraint, Layout};
    use ratatui::style::{Modifier, Style};
    use ratatui::text::Line;
    use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Sparkline, Table, TableState};
    use std::process::ExitCode;
    use std::time::{Duration, Instant};

    const SORTS: [&str; 4] = ["index", "in", "out", "errors"];

    /// A rate as the graph's bar height (bits per second, whole, never negative).
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    fn whole(v: f64) -> u64 {
        // `as` saturates: negative and NaN give 0, too large gives u64::MAX.
        v.round() as u64
    }

    pub(super) fn run(
        poller: &Poller,
        tracker: &mut Tracker,
        interval: Duration,
        args: &Args,
    ) -> anyhow::Result<ExitCode> {
        let mut terminal = ratatui::init();
        let result = draw_loop(&mut terminal, poller, tracker, interval, args);
        ratatui::restore();
        result
    }

    fn draw_loop(
        terminal: &mut ratatui::DefaultTerminal,
        poller: &Poller,
        tracker: &mut Tracker,
        interval: Duration,
        args: &Args,
    ) -> anyhow::Result<ExitCode> {
        let mut state = TableState::default().with_selected(Some(0));
        let (mut sort, mut only_picked, mut polls) = (0usize, false, 0u64);
        let mut problem = String::new();
        let mut next = Instant::now();
        loop {
            if Instant::now() >= next {
                match poller.poll() {
                    Ok((uptime, samples)) => {
                        tracker.update(uptime, &samples);
                        problem.clear();
                    }
                    Err(e) => problem = format!("{e}"),
                }
                polls = polls.saturating_add(1);
                next = next.checked_add(interval).unwrap_or(next);
            }
            let mut shown: Vec<&super::Interface> =
                tracker.interfaces.iter().filter(|i| !only_picked || i.picked).collect();
            let key = |i: &&super::Interface| -> f64 {
                let r = i.rates.unwrap_or_default();
                match sort {
                    1 => -r.in_bps,
                    2 => -r.out_bps,
                    3 => -(r.in_errors + r.out_errors + r.in_discards + r.out_discards),
                    _ => f64::from(i.index),
                }
            };
            shown.sort_by(|a, b| key(a).total_cmp(&key(b)));
            let selected = state.selected().unwrap_or(0).min(shown.len().saturating_sub(1));
            state.select(Some(selected));
            let chosen_index = shown.get(selected).map(|i| i.index);
            terminal.draw(|frame| {
                let [head, body, graph] =
                    Layout::vertical([Constraint::Length(1), Constraint::Min(3), Constraint::Length(8)])
                        .areas(frame.area());
                let title = format!(
                    " snmpctl watch {} · every {:.1} s · sort: {} (s) · space picks, p: {} · q quits {}",
                    args.agent,
                    interval.as_secs_f64(),
                    SORTS.get(sort).copied().unwrap_or("index"),
                    if only_picked { "picked only" } else { "all" },
                    problem
                );
                frame.render_widget(Paragraph::new(Line::from(title)), head);
                let width = usize::from(body.width.saturating_sub(95)).max(10);
                let rows = shown.iter().map(|i| {
                    let r = i.rates;
                    let rate =
                        |f: fn(&super::Rates) -> f64| r.as_ref().map_or("-".to_owned(), |r| human_bps(f(r)));
                    let per = |f: fn(&super::Rates) -> f64| {
                        r.as_ref().map_or("-".to_owned(), |r| format!("{:.1}", f(r)))
                    };
                    let graph: String =
                        sparkline(i.history.iter().rev().take(width).rev().map(|h| h.map(|(a, b)| a + b)));
                    Row::new(vec![
                        Cell::from(format!("{}{}", if i.picked { "*" } else { " " }, i.index)),
                        Cell::from(i.name.clone()),
                        Cell::from(status_name(i.status)),
                        Cell::from(rate(|r| r.in_bps)),
                        Cell::from(rate(|r| r.out_bps)),
                        Cell::from(per(|r| r.in_errors)),
                        Cell::from(per(|r| r.out_errors)),
                        Cell::from(per(|r| r.in_discards)),
                        Cell::from(per(|r| r.out_discards)),
                        Cell::from(graph),
                    ])
                });
                let header = Row::new([
                    "ifIndex",
                    "Name",
                    "Status",
                    "In",
                    "Out",
                    "InErr/s",
                    "OutErr/s",
                    "InDisc/s",
                    "OutDisc/s",
                    "Traffic",
                ])
                .style(Style::default().add_modifier(Modifier::BOLD));
                let table = Table::new(
                    rows,
                    [
                        Constraint::Length(8),
                        Constraint::Length(16),
                        Constraint::Length(8),
                        Constraint::Length(12),
                        Constraint::Length(12),
                        Constraint::Length(8),
                        Constraint::Length(9),
                        Constraint::Length(9),
                        Constraint::Length(10),
                        Constraint::Min(10),
                    ],
                )
                .header(header)
                .row_highlight_style(Style::default().add_modifier(Modifier::REVERSED))
                .block(Block::default().borders(Borders::ALL).title(" interfaces "));
                frame.render_stateful_widget(table, body, &mut state);
                if let Some(i) = tracker.interfaces.iter().find(|i| Some(i.index) == chosen_index) {
                    let [inside, outside] =
                        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                            .areas(graph);
                    let series = |f: fn((f64, f64)) -> f64| -> Vec<u64> {
                        i.history.iter().map(|h| h.map_or(0, |v| whole(f(v)))).collect()
                    };
                    let ins = series(|(a, _)| a);
                    let outs = series(|(_, b)| b);
                    let now_in = i.rates.map_or("-".to_owned(), |r| human_bps(r.in_bps));
                    let now_out = i.rates.map_or("-".to_owned(), |r| human_bps(r.out_bps));
                    frame.render_widget(
                        Sparkline::default().data(&ins).block(
                            Block::default()
                                .borders(Borders::ALL)
                                .title(format!(" {} in: {now_in} ", i.name)),
                        ),
                        inside,
                    );
                    frame.render_widget(
                        Sparkline::default().data(&outs).block(
                            Block::default()
                                .borders(Borders::ALL)
                                .title(format!(" {} out: {now_out} ", i.name)),
                        ),
                        outside,
                    );
                }
            })?;
            if args.count.is_some_and(|c| polls >= c) {
                return Ok(ExitCode::from(EXIT_OK));
            }
            let wait = next.saturating_duration_since(Instant::now()).min(Duration::from_millis(250));
            if event::poll(wait)?
                && let Event::Key(k) = event::read()?
                && k.kind == KeyEventKind::Press
            {
                match k.code {
                    KeyCode::Char('q') | KeyCode::Esc => return Ok(ExitCode::from(EXIT_OK)),
                    KeyCode::Down | KeyCode::Char('j') => state.select(Some(selected.saturating_add(1))),
                    KeyCode::Up | KeyCode::Char('k') => state.select(Some(selected.saturating_sub(1))),
                    KeyCode::Char('s') => sort = sort.saturating_add(1).checked_rem(SORTS.len()).unwrap_or(0),
                    KeyCode::Char('p') => only_picked = !only_picked,
                    KeyCode::Char(' ') => {
                        if let Some(i) = tracker.interfaces.iter_mut().find(|i| Some(i.index) == chosen_index)
                        {
                            i.picked = !i.picked;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(status: i32, inn: u64, out: u64) -> Sample {
        Sample { status: Some(status), in_octets: Some(inn), out_octets: Some(out), ..Sample::default() }
    }

    #[test]
    fn rates_wraps_and_resets() {
        let mut t = Tracker::new(false, vec![(1, "eth0".into())], 10);
        let poll = |t: &mut Tracker, up: u32, s: Sample| {
            t.update(up, &BTreeMap::from([(1, s)]));
            t.interfaces[0].rates
        };
        assert_eq!(poll(&mut t, 1000, sample(1, 0, 0)), None);
        // 2,000 octets in 2 s: 8,000 b/s.
        assert_eq!(
            poll(&mut t, 1200, sample(1, 2000, 500)).map(|r| (r.in_bps, r.out_bps)),
            Some((8000.0, 2000.0))
        );
        // A 32-bit counter wraps.
        let r = poll(&mut t, 1300, sample(1, 999, 500)).unwrap();
        assert_eq!(r.in_bps, f64::from(u32::MAX - 2000 + 1000) * 8.0);
        // The agent restarted: no rate, then rates again.
        assert_eq!(poll(&mut t, 100, sample(1, 10, 10)), None);
        assert_eq!(poll(&mut t, 200, sample(1, 20, 10)).map(|r| r.in_bps), Some(80.0));
        assert_eq!(t.interfaces[0].history.iter().filter(|h| h.is_none()).count(), 1);
        // A 64-bit counter that goes back is a reset too.
        let mut w = Tracker::new(true, vec![(1, "eth0".into())], 10);
        w.update(100, &BTreeMap::from([(1, sample(1, 5000, 0))]));
        w.update(200, &BTreeMap::from([(1, sample(1, 100, 0))]));
        assert_eq!(w.interfaces[0].rates, None);
    }

    #[test]
    fn human_rates_and_graphs() {
        assert_eq!(human_bps(8000.0), "8.00 kb/s");
        assert_eq!(human_bps(999.0), "999.00 b/s");
        assert_eq!(human_bps(1.25e9), "1.25 Gb/s");
        assert_eq!(sparkline([Some(0.0), Some(7.0), None, Some(3.5)].into_iter()), "▁█ ▅");
    }
}
