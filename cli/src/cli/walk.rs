//! `snmpctl walk`: a subtree with GetNext (SNMPv1) or GetBulk (v2c, v3), streamed as it
//! arrives, printed as `snmpwalk` / `snmpbulkwalk` print it.

use super::get::{CommandOptions, parse_oid};
use super::progress::Progress;
use super::snmp::{self, SnmpArgs};
use super::{EXIT_AGENT_ERROR, EXIT_FAILURE, EXIT_OK, Format, GlobalArgs};
use anyhow::Context as _;
use snmpctl::client::{WalkEnd, WalkError, WalkOptions};
use snmpctl::format::{json, output};
use snmpctl::value::{Oid, VarBind};
use std::io::{IsTerminal as _, Write};
use std::process::ExitCode;

// Arguments of `snmpctl walk`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub(super) snmp: SnmpArgs,
    /// Command options, as snmpwalk / snmpbulkwalk's -C: c (do not check that OIDs increase),
    /// i (get the root first), I (no Get of the root when the walk is empty), p (print the
    /// count), E OID (stop before this OID), rN (max-repetitions, default 10), nN
    /// (non-repeaters), g (GetNext even on v2c/v3, as snmpwalk).
    #[arg(short = 'C', long = "command-options", value_name = "OPTS")]
    command_options: Vec<String>,
    /// Also save what the agent returned to FILE in snmpsim's .snmprec format (OID|TYPE|VALUE),
    /// which `snmpctl agent` serves.
    #[arg(long = "record", value_name = "FILE")]
    record: Option<std::path::PathBuf>,
    /// The agent: [udp:|udp6:|tcp:|tcp6:]host[:port].
    agent: String,
    /// The subtree, a name or a numeric OID [default: .1.3.6.1.2.1, as Net-SNMP].
    oid: Option<String>,
}

/// The default root of a walk: mib-2.
const MIB_2: &str = "1.3.6.1.2.1";

/// Where output goes: a buffer flushed in large writes, and progress on stderr.
struct Sink<W: Write> {
    out: W,
    buf: String,
    format: Format,
    options: output::OutputOptions<'static>,
    /// Text lines: the OID text of the line before, kept for the next (a walk's OIDs share
    /// most of their arcs).
    lines: output::LineWriter,
    rows: u64,
    progress: Progress,
    /// stdout is a terminal: each answer is shown as it arrives, not in large writes.
    flush_each: bool,
    /// JSON: whether a varbind has been written into the array yet.
    first: bool,
    /// JSON: one varbind object, written here and then appended to `buf`.
    json: Vec<u8>,
    /// stdout was closed by the reader (`| head`): stop quietly, exit 0.
    closed: bool,
    /// `--record`: the .snmprec file and the lines not yet written to it.
    record: Option<Recorder>,
}

/// Writes the varbinds of a walk as .snmprec lines.
struct Recorder {
    file: std::io::BufWriter<std::fs::File>,
    line: String,
    path: std::path::PathBuf,
}

impl Recorder {
    fn write(&mut self, vbs: &[VarBind]) -> anyhow::Result<()> {
        for vb in vbs.iter().filter(|vb| !vb.value.is_exception()) {
            self.line.clear();
            snmpctl::agent::snmprec::write_line(&mut self.line, &vb.oid, &vb.value);
            self.file
                .write_all(self.line.as_bytes())
                .with_context(|| format!("writing {}", self.path.display()))?;
        }
        Ok(())
    }
}

impl<W: Write> Sink<W> {
    fn write(&mut self, vbs: &[VarBind]) {
        for vb in vbs {
            match self.format {
                Format::Text => self.lines.write_varbind(&mut self.buf, vb, &self.options),
                Format::Ndjson | Format::Json => {
                    if self.format == Format::Json && !std::mem::take(&mut self.first) {
                        self.buf.push(',');
                    }
                    self.json.clear();
                    json::VarBindJson { vb, options: Some(&self.options) }.write(&mut self.json);
                    // The writer writes UTF-8 (strings come from `str`s or lossy decoding).
                    self.buf.push_str(std::str::from_utf8(&self.json).unwrap_or_default());
                    if self.format == Format::Ndjson {
                        self.buf.push('\n');
                    }
                }
            }
        }
        let n = u64::try_from(vbs.len()).unwrap_or(0);
        self.rows = self.rows.saturating_add(n);
        self.progress.inc(n);
        if self.buf.len() >= 1 << 16 || self.flush_each {
            self.flush();
        }
    }

    fn raw(&mut self, text: &str) {
        self.buf.push_str(text);
    }

    fn flush(&mut self) {
        if !self.closed && !self.progress.write_out(&mut self.out, &self.buf) {
            self.closed = true;
        }
        self.buf.clear();
    }
}

pub fn run(global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    let copts = CommandOptions::parse(&args.command_options, "ciIpEnrg")?;
    args.snmp.mib.load();
    let root = parse_oid(args.oid.as_deref().unwrap_or(MIB_2))?;
    let end = copts.end.as_deref().map(parse_oid).transpose()?;
    let v1 = args.snmp.snmp_version == snmp::SnmpVersion::V1;
    let mut options = if v1 || copts.has('g') {
        WalkOptions::get_next()
    } else {
        WalkOptions::bulk(copts.max_repetitions.unwrap_or(10))
    };
    options.non_repeaters = copts.non_repeaters.unwrap_or(0);
    options.check_increasing = !copts.has('c');
    options.include_root = copts.has('i');
    options.fallback_get = !copts.has('I');
    options.end = end;

    let stdout = std::io::stdout();
    let flush_each = stdout.is_terminal();
    let progress = Progress::start(!global.no_progress, "varbinds", None);
    let mut sink = Sink {
        out: stdout,
        buf: String::with_capacity(1 << 17),
        format: global.format,
        options: args.snmp.output_options_for(global.format)?,
        lines: output::LineWriter::new(),
        rows: 0,
        flush_each,
        progress,
        first: true,
        json: Vec::new(),
        closed: false,
        record: match &args.record {
            Some(path) => Some(Recorder {
                file: std::io::BufWriter::new(
                    std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
                ),
                line: String::new(),
                path: path.clone(),
            }),
            None => None,
        },
    };
    if global.format == Format::Json {
        sink.raw(&format!("{{\"root\":\"{root}\",\"varbinds\":["));
    }
    let runtime = snmp::runtime()?;
    let format = global.format;
    let (failure, end_seen, returned) = runtime.block_on(async {
        let (client, _) = snmp::connect_sequential(&args.agent, &args.snmp).await?;
        let walker = client.walk_with(root.clone(), options);
        // The walk runs as a task of its own: the answers wake it directly, where waking the
        // runtime's main future costs a system call (an eventfd write) per round trip.
        tokio::spawn(walk_into(walker, sink, format)).await.context("the walk task")?
    })?;
    let mut sink = returned;
    sink.progress.finish();

    if let Some(r) = &mut sink.record {
        r.file.flush().with_context(|| format!("writing {}", r.path.display()))?;
    }
    // A walk that ends at an exception, or finds nothing and prints the Get of its root's
    // noSuchObject (a subtree the agent does not have), exits 0, as snmpwalk does: scripts
    // test that status.
    let code = exit_code(failure.as_ref());
    match global.format {
        Format::Text => {
            if copts.has('p') {
                sink.raw(&format!("Variables found: {}\n", sink.rows));
            }
            sink.flush();
            if let Some(e) = &failure {
                eprint!("{}", report(e, &args.agent, &sink.options));
            }
        }
        Format::Json => {
            let summary = serde_json::json!({
                "end": end_seen.as_ref().map(end_name),
                "error": failure.as_ref().map(ToString::to_string),
                "count": sink.rows,
            });
            // Close the array and add the summary fields to the object.
            let tail = summary.to_string();
            sink.raw(&format!("],{}\n", tail.strip_prefix('{').unwrap_or(&tail)));
            sink.flush();
        }
        Format::Ndjson => {
            if let Some(e) = &failure {
                sink.raw(&format!("{}\n", serde_json::json!({"error": e.to_string()})));
            }
            sink.flush();
        }
    }
    if sink.closed {
        return Ok(ExitCode::from(EXIT_OK));
    }
    Ok(ExitCode::from(code))
}

/// What [`walk_into`] gives back: how the walk failed, how it ended, and the sink.
type Walked = (Option<WalkError>, Option<WalkEnd>, Sink<std::io::Stdout>);

/// Writes every batch of the walk to the sink as it arrives.
async fn walk_into(
    mut walker: snmpctl::Walker,
    mut sink: Sink<std::io::Stdout>,
    format: Format,
) -> anyhow::Result<Walked> {
    let mut end_of_mib_printed = false;
    let mut failure = None;
    while let Some(batch) = walker.next_batch().await {
        if walker.state().end() == Some(&WalkEnd::NoSuchName) && !end_of_mib_printed {
            end_of_mib_printed = true;
            if format == Format::Text {
                sink.raw("End of MIB\n");
            }
        }
        match batch {
            Ok(vbs) => {
                if let Some(r) = &mut sink.record {
                    r.write(&vbs)?;
                }
                sink.write(&vbs);
                if sink.closed {
                    break;
                }
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    if walker.state().end() == Some(&WalkEnd::NoSuchName) && !end_of_mib_printed && format == Format::Text {
        sink.raw("End of MIB\n");
    }
    Ok((failure, walker.state().end().cloned(), sink))
}

/// The exit status of a walk or table: 0, 2 when a request failed (timeout, security), 1 for
/// the agent's errors (an error-status, OIDs that do not increase).
pub(super) fn exit_code(failure: Option<&WalkError>) -> u8 {
    match failure {
        None => EXIT_OK,
        Some(WalkError::Request { .. }) => EXIT_FAILURE,
        Some(_) => EXIT_AGENT_ERROR,
    }
}

pub(super) fn end_name(e: &WalkEnd) -> &'static str {
    match e {
        WalkEnd::SubtreeEnd => "subtree_end",
        WalkEnd::Exception => "exception",
        WalkEnd::NoSuchName => "no_such_name",
        WalkEnd::EndOid => "end_oid",
    }
}

/// What snmpwalk / snmpbulkwalk print on stderr when a walk fails.
pub(super) fn report(e: &WalkError, agent: &str, options: &output::OutputOptions) -> String {
    let name = |o: &Oid| output::oid_name(o, options);
    match e {
        WalkError::NotIncreasing { previous, next } => {
            format!("Error: OID not increasing: {}\n >= {}\n\n", name(previous), name(next))
        }
        WalkError::Agent { pdu } => output::error_report(pdu, options, true),
        WalkError::Request { error, last } => {
            let text = snmp::describe(error, agent, false);
            if matches!(error, snmpctl::client::Error::Timeout { .. }) {
                format!("{text}\n")
            } else {
                format!("{text} (the walk stopped after {})\n", name(last))
            }
        }
        other => format!("snmpctl: {other}\n"),
    }
}
