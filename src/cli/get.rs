//! `snmpctl get`, `snmpctl getnext` and `snmpctl set`: one request, Net-SNMP's output.

use super::snmp::{self, SnmpArgs};
use super::{EXIT_AGENT_ERROR, EXIT_FAILURE, EXIT_OK, Format, GlobalArgs};
use anyhow::{Context as _, bail};
use snmpctl::client::{Operation, Request};
use snmpctl::format::{json, output};
use snmpctl::msg::{ErrorStatus, GenericPdu};
use snmpctl::value::{Oid, Value, VarBind};
use std::io::Write as _;
use std::net::Ipv4Addr;
use std::process::ExitCode;

/// Arguments of `snmpctl get` and `snmpctl getnext`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    snmp: SnmpArgs,
    /// The agent: [udp:|udp6:]host[:port].
    agent: String,
    /// OIDs, numeric (`1.3.6.1.2.1.1.1.0`, `.1.3.6…`, `iso.3.6…`).
    #[arg(required = true)]
    oids: Vec<String>,
}

/// Arguments of `snmpctl set`.
#[derive(Debug, clap::Args)]
pub struct SetArgs {
    #[command(flatten)]
    snmp: SnmpArgs,
    /// The agent: [udp:|udp6:]host[:port].
    agent: String,
    /// OID TYPE VALUE triples, as snmpset: TYPE is one of i u c t a o s x d n b.
    #[arg(required = true, num_args = 3.., allow_hyphen_values = true)]
    assignments: Vec<String>,
}

/// A numeric OID, also in Net-SNMP's no-MIB form (`iso.3.6.1…`).
pub fn parse_oid(text: &str) -> anyhow::Result<Oid> {
    let t = text.strip_prefix('.').unwrap_or(text);
    let t = if let Some(rest) = t.strip_prefix("iso") { format!("1{rest}") } else { t.to_owned() };
    t.parse().map_err(|e| anyhow::anyhow!("{text}: not a numeric OID ({e}); MIB names are not supported yet"))
}

pub fn run_get(global: &GlobalArgs, args: &Args, next: bool) -> anyhow::Result<ExitCode> {
    let oids = args.oids.iter().map(|o| parse_oid(o)).collect::<anyhow::Result<Vec<_>>>()?;
    let operation = if next { Operation::GetNext } else { Operation::Get };
    let request = Request { operation, varbinds: oids.into_iter().map(VarBind::null).collect() };
    run_request(global, &args.snmp, &args.agent, request, false)
}

pub fn run_set(global: &GlobalArgs, args: &SetArgs) -> anyhow::Result<ExitCode> {
    if !args.assignments.len().is_multiple_of(3) {
        bail!("set takes OID TYPE VALUE triples; got {} words", args.assignments.len());
    }
    let mut varbinds = Vec::new();
    for t in args.assignments.chunks(3) {
        if let [oid, ty, value] = t {
            let oid = parse_oid(oid)?;
            let value = parse_value(ty, value).with_context(|| format!("{oid}: {ty} {value:?}"))?;
            varbinds.push(VarBind::new(oid, value));
        }
    }
    run_request(global, &args.snmp, &args.agent, Request { operation: Operation::Set, varbinds }, true)
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
            let mut bytes: Vec<u8> = Vec::new();
            for part in text.split([',', ' ']).filter(|p| !p.is_empty()) {
                let bit: u16 = part.trim().parse().context("BITS are bit numbers 0-65535")?;
                let (i, shift) = (usize::from(bit / 8), 7u16.saturating_sub(bit % 8));
                if bytes.len() <= i {
                    bytes.resize(i.saturating_add(1), 0);
                }
                if let Some(b) = bytes.get_mut(i) {
                    *b |= 1 << shift;
                }
            }
            Value::OctetString(bytes)
        }
        "U" | "I" | "F" | "D" => {
            bail!("type {ty} (Opaque-wrapped 64-bit and floating types) is not supported yet")
        }
        "=" => bail!("type '=' needs the MIB, which is not supported yet"),
        other => bail!("unknown type {other:?}: use one of i u c t a o s x d n b"),
    })
}

fn run_request(
    global: &GlobalArgs,
    snmp_args: &SnmpArgs,
    agent: &str,
    request: Request,
    set: bool,
) -> anyhow::Result<ExitCode> {
    let options = snmp_args.output_options()?;
    let outcome = snmp::runtime()?.block_on(async {
        let (client, _target) = snmp::connect(agent, snmp_args).await?;
        anyhow::Ok(client.request(request).await)
    })?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let code = match outcome {
        Ok(pdu) => {
            let code = exit_code(&pdu);
            match global.format {
                Format::Json => {
                    serde_json::to_writer(&mut out, &response_json(&pdu))?;
                    writeln!(out)?;
                }
                Format::Text if pdu.error_status != ErrorStatus::NO_ERROR => {
                    out.flush()?;
                    eprint!("{}", output::error_report(&pdu, options, set));
                }
                Format::Text => {
                    for vb in &pdu.varbinds {
                        writeln!(out, "{}", output::varbind_line(vb, options))?;
                    }
                }
            }
            code
        }
        Err(e) => {
            if global.format == Format::Json {
                serde_json::to_writer(&mut out, &serde_json::json!({"error": e.to_string()}))?;
                writeln!(out)?;
            }
            eprintln!("{}", snmp::describe(&e, agent));
            EXIT_FAILURE
        }
    };
    out.flush()?;
    Ok(ExitCode::from(code))
}

/// 0, or 1 when the agent answered with an error-status or an exception.
fn exit_code(pdu: &GenericPdu) -> u8 {
    if pdu.error_status != ErrorStatus::NO_ERROR || pdu.varbinds.iter().any(|vb| vb.value.is_exception()) {
        EXIT_AGENT_ERROR
    } else {
        EXIT_OK
    }
}

fn response_json(pdu: &GenericPdu) -> serde_json::Value {
    serde_json::json!({
        "error_status": pdu.error_status.0,
        "error_status_name": pdu.error_status.name(),
        "error_index": pdu.error_index,
        "varbinds": pdu.varbinds.iter().map(json::varbind).collect::<Vec<_>>(),
    })
}
