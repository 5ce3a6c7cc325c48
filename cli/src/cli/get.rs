//! `snmpctl get`, `snmpctl getnext` and `snmpctl set`: one request, Net-SNMP's output.

use super::snmp::{self, SnmpArgs};
use super::{EXIT_AGENT_ERROR, EXIT_FAILURE, EXIT_OK, Format, GlobalArgs};
use anyhow::{Context as _, bail};
use snmpctl::client::{Operation, Request};
use snmpctl::format::{json, output};
use snmpctl::msg::{ErrorStatus, GenericPdu};
use snmpctl::value::{Oid, OpaqueValue, Value, VarBind};
use std::io::Write as _;
use std::net::Ipv4Addr;
use std::process::ExitCode;

// Arguments of `snmpctl get`, `snmpctl getnext` and `snmpctl bulkget`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub(super) snmp: SnmpArgs,
    /// Command options, as Net-SNMP's -C: f (get, getnext: do not retry without the failing
    /// variable); nN, rN (bulkget: non-repeaters, default 0; max-repetitions, default 10).
    #[arg(short = 'C', long = "command-options", value_name = "OPTS")]
    command_options: Vec<String>,
    /// The agent: [udp:|udp6:|tcp:|tcp6:]host[:port].
    agent: String,
    /// Objects: names (`sysDescr.0`, `IF-MIB::ifDescr.1`) or numeric OIDs (`.1.3.6…`); for bulkget the first
    /// non-repeaters are asked once, the others repeated.
    #[arg(required = true)]
    oids: Vec<String>,
}

// Arguments of `snmpctl set`.
#[derive(Debug, clap::Args)]
pub struct SetArgs {
    #[command(flatten)]
    pub(super) snmp: SnmpArgs,
    /// The agent: [udp:|udp6:|tcp:|tcp6:]host[:port].
    agent: String,
    /// OID TYPE VALUE triples, as snmpset: TYPE is = (the type from the MIB, the value checked
    /// against its enumerations, ranges and sizes), one of i u c t a o s x d n b, or U I F D
    /// (unsigned and signed 64-bit, float, double, wrapped in Opaque as Net-SNMP does).
    #[arg(required = true, num_args = 3.., allow_hyphen_values = true)]
    assignments: Vec<String>,
}

/// Which Net-SNMP tool a request command stands for: its messages differ in small ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// snmpget.
    Get,
    /// snmpgetnext.
    GetNext,
    /// snmpbulkget.
    BulkGet,
    /// snmpset.
    Set,
}

impl Tool {
    /// "Error in packet." (snmpgetnext, snmpset) or "Error in packet".
    fn error_period(self) -> bool {
        matches!(self, Tool::GetNext | Tool::Set)
    }

    /// "Timeout: No Response from X." (snmpget, snmpgetnext) or without the period.
    fn timeout_period(self) -> bool {
        matches!(self, Tool::Get | Tool::GetNext)
    }
}

/// The `-C` letters, with the numbers that follow `n` and `r`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CommandOptions {
    /// Letters given without a value.
    pub flags: Vec<char>,
    /// `-Cn N`.
    pub non_repeaters: Option<u32>,
    /// `-Cr N`.
    pub max_repetitions: Option<u32>,
    /// `-CE OID`.
    pub end: Option<String>,
}

impl CommandOptions {
    /// Parses each `-C` value; `allowed` lists the letters this command takes.
    pub fn parse(values: &[String], allowed: &str) -> anyhow::Result<CommandOptions> {
        let mut o = CommandOptions::default();
        for v in values {
            let mut chars = v.chars();
            while let Some(c) = chars.next() {
                if !allowed.contains(c) {
                    bail!("-C{c}: not an option of this command (it takes -C with {allowed})");
                }
                match c {
                    'n' | 'r' => {
                        let rest: String = chars.by_ref().collect();
                        let n = rest
                            .trim()
                            .parse()
                            .with_context(|| format!("-C{c} needs a number, as in -C{c}10"))?;
                        if c == 'n' {
                            o.non_repeaters = Some(n);
                        } else {
                            o.max_repetitions = Some(n);
                        }
                    }
                    'E' => {
                        let rest: String = chars.by_ref().collect();
                        if rest.is_empty() {
                            bail!("-CE needs an OID");
                        }
                        o.end = Some(rest);
                    }
                    other => o.flags.push(other),
                }
            }
        }
        Ok(o)
    }

    /// Whether a plain letter was given.
    pub fn has(&self, c: char) -> bool {
        self.flags.contains(&c)
    }
}

/// An OID: a name the loaded MIB knows (`sysDescr.0`, `IF-MIB::ifDescr.1`), or numeric, also
/// in Net-SNMP's no-MIB form (`iso.3.6.1…`).
pub fn parse_oid(text: &str) -> anyhow::Result<Oid> {
    if let Some(tree) = super::mib::loaded() {
        let numeric = text.trim_start_matches('.').chars().all(|c| c.is_ascii_digit() || c == '.');
        if !numeric {
            let arcs =
                snmpctl::mib::input::parse_name(tree, text).map_err(|e| anyhow::anyhow!("{text}: {e}"))?;
            return Oid::new(&arcs).map_err(|e| anyhow::anyhow!("{text}: {e}"));
        }
    }
    let t = text.strip_prefix('.').unwrap_or(text);
    let t = if let Some(rest) = t.strip_prefix("iso") { format!("1{rest}") } else { t.to_owned() };
    t.parse().map_err(|e| {
        anyhow::anyhow!(
            "{text}: not a numeric OID ({e}); no MIB is loaded for names ({})",
            super::mib::why_none()
        )
    })
}

pub fn run_get(global: &GlobalArgs, args: &Args, next: bool) -> anyhow::Result<ExitCode> {
    args.snmp.mib.load();
    let copts = CommandOptions::parse(&args.command_options, "f")?;
    let oids = args.oids.iter().map(|o| parse_oid(o)).collect::<anyhow::Result<Vec<_>>>()?;
    let operation = if next { Operation::GetNext } else { Operation::Get };
    let request = Request { operation, varbinds: oids.into_iter().map(VarBind::null).collect() };
    let tool = if next { Tool::GetNext } else { Tool::Get };
    run_request(global, &args.snmp, &args.agent, request, tool, !copts.has('f'))
}

pub fn run_bulkget(global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    args.snmp.mib.load();
    let copts = CommandOptions::parse(&args.command_options, "nr")?;
    let oids = args.oids.iter().map(|o| parse_oid(o)).collect::<anyhow::Result<Vec<_>>>()?;
    let operation = Operation::GetBulk {
        non_repeaters: copts.non_repeaters.unwrap_or(0),
        max_repetitions: copts.max_repetitions.unwrap_or(10),
    };
    let request = Request { operation, varbinds: oids.into_iter().map(VarBind::null).collect() };
    run_request(global, &args.snmp, &args.agent, request, Tool::BulkGet, false)
}

pub fn run_set(global: &GlobalArgs, args: &SetArgs) -> anyhow::Result<ExitCode> {
    args.snmp.mib.load();
    if !args.assignments.len().is_multiple_of(3) {
        bail!("set takes OID TYPE VALUE triples; got {} words", args.assignments.len());
    }
    let mut varbinds = Vec::new();
    for t in args.assignments.chunks(3) {
        if let [oid, ty, value] = t {
            let name = oid;
            let oid = parse_oid(oid)?;
            let value = set_value(&oid, ty, value).map_err(|e| anyhow::anyhow!("{name}: {e:#}"))?;
            varbinds.push(VarBind::new(oid, value));
        }
    }
    let request = Request { operation: Operation::Set, varbinds };
    run_request(global, &args.snmp, &args.agent, request, Tool::Set, false)
}

/// A value for `oid` as snmpset reads it: with a MIB loaded, `=` takes the type from the MIB
/// and checks enumerations, ranges and sizes, and `i` also takes enumeration labels
/// (`i down`).
pub fn set_value(oid: &Oid, ty: &str, text: &str) -> anyhow::Result<Value> {
    let tree = super::mib::loaded();
    match (ty, tree) {
        ("=", Some(tree)) => {
            snmpctl::mib::input::typed_value(tree, oid.arcs(), text).map_err(anyhow::Error::msg)
        }
        ("=", None) => bail!("type '=' takes the type from the MIB, and none is loaded (-m \"\")"),
        ("i", Some(tree)) if text.trim().parse::<i32>().is_err() => {
            match snmpctl::mib::input::enum_number(tree, oid.arcs(), text) {
                Some(v) => {
                    Ok(Value::Integer(i32::try_from(v).context("the label's number is above 32 bits")?))
                }
                None => bail!("Value out of range ({text})"),
            }
        }
        _ => parse_value(ty, text).with_context(|| format!("{ty} {text:?}")),
    }
}

/// snmpset's value syntax.
pub fn parse_value(ty: &str, text: &str) -> anyhow::Result<Value> {
    let num = |t: &str| -> anyhow::Result<u32> { t.trim().parse().context("not an unsigned 32-bit number") };
    Ok(match ty {
        "i" => Value::Integer(text.trim().parse().context("not a 32-bit integer")?),
        "u" => Value::Gauge32(num(text)?),
        "c" => Value::Counter32(num(text)?),
        "t" => Value::TimeTicks(num(text)?),
        "a" => Value::IpAddress(text.trim().parse::<Ipv4Addr>().context("not an IPv4 address")?.octets()),
        "o" => Value::ObjectIdentifier(parse_oid(text)?),
        "s" => Value::OctetString(text.as_bytes().to_vec()),
        "x" => Value::OctetString(snmpctl::hex::decode(text).context("not hex")?),
        "d" => Value::OctetString(
            text.split(|c: char| c == '.' || c.is_whitespace())
                .filter(|p| !p.is_empty())
                .map(|p| p.parse::<u8>().context("decimal bytes are 0-255"))
                .collect::<anyhow::Result<_>>()?,
        ),
        "n" => Value::Null,
        "b" => {
            // BITS: bit numbers, most significant bit of the first octet is bit 0.
            let bits: Vec<u16> = text
                .split([',', ' '])
                .filter(|p| !p.is_empty())
                .map(|p| p.trim().parse::<u16>().context("BITS are bit numbers 0-65535"))
                .collect::<anyhow::Result<_>>()?;
            Value::OctetString(snmpctl::value::bits_octets(bits))
        }
        "U" => OpaqueValue::U64(text.trim().parse().context("not an unsigned 64-bit number")?).to_value(),
        "I" => OpaqueValue::I64(text.trim().parse().context("not a signed 64-bit number")?).to_value(),
        "F" => OpaqueValue::Float(text.trim().parse().context("not a floating-point number")?).to_value(),
        "D" => OpaqueValue::Double(text.trim().parse().context("not a floating-point number")?).to_value(),
        other => bail!("unknown type {other:?}: use one of = i u c t a o s x d n b U I F D"),
    })
}

/// Sends one request and prints the answer as the Net-SNMP tool would. With `fix`, as
/// `snmpget` and `snmpgetnext` do, an error-status naming one of several variables prints the
/// error and asks again without that variable.
fn run_request(
    global: &GlobalArgs,
    snmp_args: &SnmpArgs,
    agent: &str,
    mut request: Request,
    tool: Tool,
    fix: bool,
) -> anyhow::Result<ExitCode> {
    let options = snmp_args.output_options_for(global.format)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let runtime = snmp::runtime()?;
    let client = runtime.block_on(async { snmp::connect_sequential(agent, snmp_args).await })?.0;
    let mut code = EXIT_OK;
    loop {
        let outcome = runtime.block_on(client.request(request.clone()));
        let pdu = match outcome {
            Ok(pdu) => pdu,
            Err(e) => {
                if global.format != Format::Text {
                    serde_json::to_writer(&mut out, &serde_json::json!({"error": e.to_string()}))?;
                    writeln!(out)?;
                }
                out.flush()?;
                eprintln!("{}", snmp::describe(&e, agent, tool.timeout_period()));
                return Ok(ExitCode::from(EXIT_FAILURE));
            }
        };
        code = code.max(exit_code(&pdu, tool));
        match global.format {
            Format::Json => {
                serde_json::to_writer(&mut out, &response_json(&pdu, &options))?;
                writeln!(out)?;
            }
            Format::Ndjson if pdu.error_status == ErrorStatus::NO_ERROR => {
                let mut line = Vec::new();
                for vb in &pdu.varbinds {
                    line.clear();
                    json::VarBindJson { vb, options: Some(&options) }.write(&mut line);
                    line.push(b'\n');
                    out.write_all(&line)?;
                }
            }
            Format::Ndjson => {
                serde_json::to_writer(&mut out, &response_json(&pdu, &options))?;
                writeln!(out)?;
            }
            Format::Text if pdu.error_status != ErrorStatus::NO_ERROR => {
                out.flush()?;
                eprint!("{}", output::error_report(&pdu, &options, tool.error_period()));
            }
            Format::Text => {
                let mut text = String::new();
                for vb in &pdu.varbinds {
                    output::write_varbind(&mut text, vb, &options);
                }
                out.write_all(&output::raw_bytes(&text))?;
            }
        }
        // snmp_fix_pdu: drop the failing variable and ask again while any remain.
        let failed = usize::try_from(pdu.error_index).ok().and_then(|i| i.checked_sub(1));
        match failed {
            Some(i) if fix && pdu.error_status != ErrorStatus::NO_ERROR && i < request.varbinds.len() => {
                request.varbinds.remove(i);
                if request.varbinds.is_empty() {
                    break;
                }
            }
            _ => break,
        }
    }
    out.flush()?;
    Ok(ExitCode::from(code))
}

/// 0, or 1 when the agent answered with an error-status or an exception.
/// endOfMibView in a GetBulk answer is the normal end of the data, not an error.
fn exit_code(pdu: &GenericPdu, tool: Tool) -> u8 {
    let exception = |v: &Value| v.is_exception() && !(tool == Tool::BulkGet && *v == Value::EndOfMibView);
    if pdu.error_status != ErrorStatus::NO_ERROR || pdu.varbinds.iter().any(|vb| exception(&vb.value)) {
        EXIT_AGENT_ERROR
    } else {
        EXIT_OK
    }
}

pub fn response_json(pdu: &GenericPdu, options: &output::OutputOptions) -> serde_json::Value {
    serde_json::json!({
        "error_status": pdu.error_status.0,
        "error_status_name": pdu.error_status.name(),
        "error_index": pdu.error_index,
        "varbinds": pdu.varbinds.iter().map(|vb| json::varbind_named(vb, options)).collect::<Vec<_>>(),
    })
}
