//! `snmpctl status`: a device at a glance, as `snmpstatus` prints it.
//!
//! One Get of sysDescr.0, sysUpTime.0, ipInReceives.0 and ipOutRequests.0 (a variable the agent
//! refuses is dropped and the rest asked again, unless `-Cf`), then GetNext rounds over five
//! ifTable columns (ifOperStatus, ifInUCastPkts, ifInNUCastPkts, ifOutUCastPkts,
//! ifOutNUCastPkts) for as long as all five answers stay in their columns.
//!
//! The text is snmpstatus's byte for byte, its arithmetic included: the sums are C `int`s, so
//! they wrap past 2³¹, and the last round, where some columns have run into the next one, still
//! adds what came back in a column it knows. JSON gives the sums of the whole rows only, as
//! 64-bit numbers.

use super::snmp::{self, SnmpArgs};
use super::{EXIT_AGENT_ERROR, EXIT_FAILURE, EXIT_OK, Format, GlobalArgs};
use snmpctl::client::{Operation, Request};
use snmpctl::format::output;
use snmpctl::msg::ErrorStatus;
use snmpctl::value::{Oid, Value, VarBind};
use std::io::Write as _;
use std::process::ExitCode;

// Arguments of `snmpctl status`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub(super) snmp: SnmpArgs,
    /// Command options, as snmpstatus's -C: f (do not drop a variable the agent refuses and
    /// ask again).
    #[arg(short = 'C', long = "command-options", value_name = "OPTS")]
    command_options: Vec<String>,
    /// The agent: [udp:|udp6:|tcp:|tcp6:]host[:port].
    agent: String,
}

const SYS_DESCR: [u32; 9] = [1, 3, 6, 1, 2, 1, 1, 1, 0];
const SYS_UP_TIME: [u32; 9] = [1, 3, 6, 1, 2, 1, 1, 3, 0];
const IP_IN_RECEIVES: [u32; 9] = [1, 3, 6, 1, 2, 1, 4, 3, 0];
const IP_OUT_REQUESTS: [u32; 9] = [1, 3, 6, 1, 2, 1, 4, 10, 0];
/// ifEntry's columns 8 (ifOperStatus), 11, 12 (in), 17, 18 (out).
const COLUMNS: [u32; 5] = [8, 11, 12, 17, 18];
const IF_ENTRY: [u32; 9] = [1, 3, 6, 1, 2, 1, 2, 2, 1];

/// What the walk of the interface columns found.
#[derive(Debug, Default)]
struct Interfaces {
    /// Rows all five columns answered.
    count: u64,
    /// Rows whose ifOperStatus is not up(1), counted as snmpstatus counts them.
    down: u64,
    /// Sums over whole rows.
    received: u64,
    sent: u64,
    /// snmpstatus's `int` sums: every answer in a known column, wrapped.
    received_c: i32,
    sent_c: i32,
}

fn oid(arcs: &[u32]) -> Oid {
    Oid::new(arcs).unwrap_or_default()
}

/// A counter's or integer's value as snmpstatus reads it (`*val.integer`: a Counter64 above
/// `i64::MAX` keeps its bits).
fn number(v: &Value) -> i64 {
    v.as_i64().or_else(|| v.as_u64().map(|n| i64::from_ne_bytes(n.to_ne_bytes()))).unwrap_or(0)
}

/// `n` as the C `int` snmpstatus keeps (and `%d` prints): the low 32 bits.
pub(super) fn c_int(n: i64) -> i32 {
    let [a, b, c, d, ..] = n.to_le_bytes();
    i32::from_le_bytes([a, b, c, d])
}

pub fn run(global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    args.snmp.mib.load();
    let copts = super::get::CommandOptions::parse(&args.command_options, "f")?;
    let options = args.snmp.output_options_for(global.format)?;
    let runtime = snmp::runtime()?;
    let client = runtime.block_on(snmp::connect_sequential(&args.agent, &args.snmp))?.0;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let fail = |e: &snmpctl::client::Error| {
        eprintln!("{}", snmp::describe(e, &args.agent, false));
        Ok(ExitCode::from(EXIT_FAILURE))
    };

    // The Get, fixed and asked again while the agent refuses a variable.
    let mut request = Request {
        operation: Operation::Get,
        varbinds: [SYS_DESCR, SYS_UP_TIME, IP_IN_RECEIVES, IP_OUT_REQUESTS]
            .iter()
            .map(|a| VarBind::null(oid(a)))
            .collect(),
    };
    let (mut descr, mut uptime, mut ip_in, mut ip_out) = (None, 0u32, 0i64, 0i64);
    loop {
        let pdu = match runtime.block_on(client.request(request.clone())) {
            Ok(p) => p,
            Err(e) => return fail(&e),
        };
        if pdu.error_status == ErrorStatus::NO_ERROR {
            for vb in &pdu.varbinds {
                let a = vb.oid.arcs();
                if a == SYS_DESCR {
                    // snmpstatus copies the value's octets: none for an exception.
                    descr = Some(match &vb.value {
                        Value::OctetString(s) => s.clone(),
                        _ => Vec::new(),
                    });
                } else if a == SYS_UP_TIME {
                    uptime = u32::try_from(number(&vb.value)).unwrap_or(0);
                } else if a == IP_IN_RECEIVES {
                    ip_in = number(&vb.value);
                } else if a == IP_OUT_REQUESTS {
                    ip_out = number(&vb.value);
                }
            }
            break;
        }
        out.flush()?;
        eprint!("{}", output::error_report(&pdu, &options, true));
        let failed = usize::try_from(pdu.error_index).ok().and_then(|i| i.checked_sub(1));
        match failed {
            Some(i) if !copts.has('f') && i < request.varbinds.len() => {
                request.varbinds.remove(i);
                if request.varbinds.is_empty() {
                    break;
                }
            }
            _ => break,
        }
    }

    // The interface columns, a GetNext round at a time.
    let mut interfaces = Interfaces::default();
    let mut code = EXIT_OK;
    let mut names: Vec<Oid> = COLUMNS
        .iter()
        .map(|c| {
            let mut a = IF_ENTRY.to_vec();
            a.push(*c);
            oid(&a)
        })
        .collect();
    loop {
        let request = Request {
            operation: Operation::GetNext,
            varbinds: names.iter().cloned().map(VarBind::null).collect(),
        };
        let pdu = match runtime.block_on(client.request(request)) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{}", snmp::describe(&e, &args.agent, false));
                code = EXIT_FAILURE;
                break;
            }
        };
        if pdu.error_status != ErrorStatus::NO_ERROR {
            out.flush()?;
            eprint!("{}", output::error_report(&pdu, &options, true));
            code = EXIT_AGENT_ERROR;
            break;
        }
        let mut next = Vec::with_capacity(COLUMNS.len());
        let (mut down, mut received, mut sent) = (0u64, 0i64, 0i64);
        for vb in &pdu.varbinds {
            // An exception (endOfMibView) ends the walk: snmpstatus would read no number there.
            if vb.value.is_exception() {
                continue;
            }
            let a = vb.oid.arcs();
            let Some(column) = COLUMNS.iter().find(|c| {
                a.len() > IF_ENTRY.len() && a.starts_with(&IF_ENTRY) && a.get(IF_ENTRY.len()) == Some(c)
            }) else {
                continue;
            };
            let n = number(&vb.value);
            match column {
                8 if n != 1 => down = down.saturating_add(1),
                11 | 12 => received = received.wrapping_add(n),
                17 | 18 => sent = sent.wrapping_add(n),
                _ => {}
            }
            next.push(vb.oid.clone());
        }
        interfaces.down = interfaces.down.saturating_add(down);
        interfaces.received_c = interfaces.received_c.wrapping_add(c_int(received));
        interfaces.sent_c = interfaces.sent_c.wrapping_add(c_int(sent));
        if next.len() != COLUMNS.len() {
            break;
        }
        interfaces.count = interfaces.count.saturating_add(1);
        interfaces.received = interfaces.received.wrapping_add(received as u64);
        interfaces.sent = interfaces.sent.wrapping_add(sent as u64);
        names = next;
    }

    match global.format {
        Format::Text => {
            // "[UDP: [agent]:port->[0.0.0.0]:ours]": the agent, then our wildcard-bound socket.
            let target = snmpctl::transport::Target::parse(&args.agent, args.snmp.default_port)?;
            let peer = runtime.block_on(target.resolve())?;
            let local = client.local_addr().map_or(0, |a| a.port());
            let address = match (target.tcp, peer) {
                (false, std::net::SocketAddr::V4(p)) => {
                    format!("UDP: [{}]:{}->[0.0.0.0]:{local}", p.ip(), p.port())
                }
                (false, std::net::SocketAddr::V6(p)) => format!("UDP/IPv6: [{}]:{}", p.ip(), p.port()),
                (true, std::net::SocketAddr::V4(p)) => format!("TCP: [{}]:{}", p.ip(), p.port()),
                (true, std::net::SocketAddr::V6(p)) => format!("TCP/IPv6: [{}]:{}", p.ip(), p.port()),
            };
            let up = output::timeticks(uptime);
            let up = up.split_once(") ").map_or(up.as_str(), |(_, t)| t);
            let mut text = Vec::new();
            text.extend_from_slice(format!("[{address}]=>[").as_bytes());
            // snmpstatus prints sysDescr as the octets came, and "(null)" without one.
            text.extend_from_slice(descr.as_deref().unwrap_or(b"(null)"));
            text.extend_from_slice(format!("] Up: {up}\n").as_bytes());
            text.extend_from_slice(
                format!(
                    "Interfaces: {}, Recv/Trans packets: {}/{} | IP: {}/{}\n",
                    interfaces.count,
                    interfaces.received_c,
                    interfaces.sent_c,
                    c_int(ip_in),
                    c_int(ip_out)
                )
                .as_bytes(),
            );
            match interfaces.down {
                0 => {}
                1 => text.extend_from_slice(b"1 interface is down!\n"),
                n => text.extend_from_slice(format!("{n} interfaces are down!\n").as_bytes()),
            }
            out.write_all(&text)?;
        }
        Format::Json | Format::Ndjson => {
            let json = serde_json::json!({
                "agent": args.agent,
                "sysDescr": descr.as_deref().map(|d| String::from_utf8_lossy(d).into_owned()),
                "sysUpTime": uptime,
                "interfaces": interfaces.count,
                "interfaces_down": interfaces.down,
                "received_packets": interfaces.received,
                "sent_packets": interfaces.sent,
                "ip_in_receives": ip_in,
                "ip_out_requests": ip_out,
            });
            serde_json::to_writer(&mut out, &json)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::from(code))
}
