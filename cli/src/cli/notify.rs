//! `snmpctl trap` and `snmpctl inform`: snmptrap's and snmpinform's argument shapes.
//!
//! ```text
//! snmpctl trap -v 1 -c public HOST ENTERPRISE AGENT-ADDR GENERIC SPECIFIC UPTIME [OID TYPE VALUE]...
//! snmpctl trap -v 2c -c public HOST UPTIME TRAP-OID [OID TYPE VALUE]...
//! snmpctl inform -v 3 -u USER ... HOST UPTIME TRAP-OID [OID TYPE VALUE]...
//! ```
//!
//! As in snmptrap, an empty UPTIME is the host's uptime, an empty ENTERPRISE is
//! `enterprises.3.1.1`, and an empty AGENT-ADDR is this host's address toward the receiver.
//! v3 Traps are sent as snmpctl's own engine (or `-e`); v3 Informs discover the receiver's.
//! `--count N --rate R` sends N Traps at R a second, with request-ids counting up from 1
//! (load tests of a receiver).

use super::snmp::{self, SnmpArgs, SnmpVersion};
use super::{EXIT_FAILURE, EXIT_OK, Format, GlobalArgs};
use anyhow::{Context as _, bail};
use snmpctl::client::{Operation, Request, Security};
use snmpctl::msg::{
    CommunityMessage, ErrorStatus, GenericPdu, GenericTrap, Message, Pdu, PduType, ScopedPdu, TrapV1Pdu,
};
use snmpctl::transport::Target;
use snmpctl::trap::{SNMP_TRAP_OID, SYS_UP_TIME};
use snmpctl::usm::{self, Outgoing, SaltCounter};
use snmpctl::value::{Oid, Value, VarBind};
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

// Arguments of `snmpctl trap` and `snmpctl inform`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub(super) snmp: SnmpArgs,
    /// Command options, as snmptrap's -C: i (send an Inform).
    #[arg(short = 'C', long = "command-options", value_name = "OPTS")]
    command_options: Vec<String>,
    /// Send this many Traps (request-ids 1, 2, …), for load tests.
    #[arg(long, default_value_t = 1, value_name = "N")]
    count: u64,
    /// With --count: Traps per second (0: as fast as possible).
    #[arg(long, default_value_t = 0, value_name = "PER_SECOND")]
    rate: u64,
    /// Where snmpctl keeps its engine ID and boots (v3 Traps) [default: $SNMPCTL_STATE_DIR,
    /// $XDG_STATE_HOME/snmpctl or ~/.local/state/snmpctl].
    #[arg(long = "state-dir", value_name = "DIR")]
    state_dir: Option<PathBuf>,
    /// The receiver: [udp:|udp6:|tcp:|tcp6:]host[:port], port 162 by default.
    receiver: String,
    /// v1: ENTERPRISE AGENT-ADDR GENERIC SPECIFIC UPTIME, v2c/v3: UPTIME TRAP-OID; then
    /// OID TYPE VALUE triples as snmpset takes them.
    #[arg(required = true, num_args = 1.., allow_hyphen_values = true)]
    parameters: Vec<String>,
}

/// The host's uptime in hundredths of a second (/proc/uptime), as snmptrap uses for ''.
fn host_uptime() -> u32 {
    let text = std::fs::read_to_string("/proc/uptime").unwrap_or_default();
    let secs: f64 = text.split_whitespace().next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let ticks = (secs * 100.0).clamp(0.0, f64::from(u32::MAX));
    // In range after the clamp; fractions of a tick are dropped.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let t = ticks as u32;
    t
}

fn uptime_arg(text: &str) -> anyhow::Result<u32> {
    if text.is_empty() {
        return Ok(host_uptime());
    }
    text.trim().parse().with_context(|| format!("uptime {text:?}: not a number of hundredths of a second"))
}

fn varbinds(words: &[String]) -> anyhow::Result<Vec<VarBind>> {
    if !words.len().is_multiple_of(3) {
        bail!("variables are OID TYPE VALUE triples; {} words are left over", words.len() % 3);
    }
    let mut out = Vec::new();
    for t in words.chunks(3) {
        if let [name, ty, value] = t {
            let oid = super::get::parse_oid(name)?;
            let value =
                super::get::set_value(&oid, ty, value).map_err(|e| anyhow::anyhow!("{name}: {e:#}"))?;
            out.push(VarBind::new(oid, value));
        }
    }
    Ok(out)
}

/// What to send, from the positional parameters.
enum Notice {
    V1(TrapV1Pdu),
    V2 { varbinds: Vec<VarBind> },
}

fn notice(version: SnmpVersion, params: &[String], receiver: SocketAddr) -> anyhow::Result<Notice> {
    if version == SnmpVersion::V1 {
        let [enterprise, agent, generic, specific, uptime, rest @ ..] = params else {
            bail!("SNMPv1 Traps take ENTERPRISE AGENT-ADDR GENERIC SPECIFIC UPTIME [OID TYPE VALUE]...");
        };
        let enterprise = if enterprise.is_empty() {
            "1.3.6.1.4.1.3.1.1".parse()?
        } else {
            super::get::parse_oid(enterprise)?
        };
        let agent_addr = if agent.is_empty() {
            local_address(receiver)
        } else {
            agent
                .parse::<Ipv4Addr>()
                .with_context(|| format!("agent address {agent:?}: not an IPv4 address"))?
        };
        let generic: i64 = generic.trim().parse().context("generic trap: a number 0-6")?;
        if !(0..=6).contains(&generic) {
            bail!("generic trap {generic}: must be 0-6 (6: enterprise specific)");
        }
        let specific: i64 = specific.trim().parse().context("specific trap: a number")?;
        return Ok(Notice::V1(TrapV1Pdu {
            enterprise,
            agent_addr: agent_addr.octets(),
            generic_trap: GenericTrap(generic),
            specific_trap: specific,
            time_stamp: uptime_arg(uptime)?,
            varbinds: varbinds(rest)?,
        }));
    }
    let [uptime, trap_oid, rest @ ..] = params else {
        bail!("Traps and Informs take UPTIME TRAP-OID [OID TYPE VALUE]...");
    };
    let mut list = vec![
        VarBind::new(Oid::new(&SYS_UP_TIME)?, Value::TimeTicks(uptime_arg(uptime)?)),
        VarBind::new(Oid::new(&SNMP_TRAP_OID)?, Value::ObjectIdentifier(super::get::parse_oid(trap_oid)?)),
    ];
    list.extend(varbinds(rest)?);
    Ok(Notice::V2 { varbinds: list })
}

/// This host's IPv4 address toward `receiver` (127.0.0.1 for a loopback receiver).
fn local_address(receiver: SocketAddr) -> Ipv4Addr {
    let probe = UdpSocket::bind("0.0.0.0:0").and_then(|s| {
        s.connect(receiver)?;
        s.local_addr()
    });
    match probe.map(|a| a.ip()) {
        Ok(IpAddr::V4(ip)) if !ip.is_unspecified() => ip,
        _ => Ipv4Addr::LOCALHOST,
    }
}

pub fn run(global: &GlobalArgs, args: &Args, inform: bool) -> anyhow::Result<ExitCode> {
    args.snmp.mib.load();
    let copts = super::get::CommandOptions::parse(&args.command_options, "i")?;
    let inform = inform || copts.has('i');
    let target = Target::parse(&args.receiver, 162)?;
    let runtime = snmp::runtime()?;
    let addr = runtime.block_on(target.resolve()).with_context(|| format!("resolving {}", args.receiver))?;
    let notice = notice(args.snmp.snmp_version, &args.parameters, addr)?;
    if inform {
        let Notice::V2 { varbinds } = notice else { bail!("Informs need SNMPv2c or SNMPv3 (-v 2c)") };
        return send_inform(global, args, &runtime, varbinds);
    }
    if target.tcp {
        bail!("Traps go over UDP; use inform for TCP, or a udp: receiver");
    }
    // Not connected: a Trap is fire-and-forget, and ICMP port-unreachable from an earlier Trap
    // must not fail the next send.
    let socket = UdpSocket::bind(if addr.is_ipv6() { "[::]:0" } else { "0.0.0.0:0" })?;
    let mut builder = TrapBuilder::new(&args.snmp, args.state_dir.as_deref(), notice)?;
    let start = Instant::now();
    let mut sent = 0u64;
    while sent < args.count {
        if args.rate > 0 {
            // Pace in bursts: send what is due, then sleep a little.
            let due =
                u64::try_from(start.elapsed().as_micros().saturating_mul(u128::from(args.rate)) / 1_000_000)
                    .unwrap_or(u64::MAX);
            if sent >= due {
                std::thread::sleep(Duration::from_micros(200));
                continue;
            }
        }
        sent = sent.saturating_add(1);
        let bytes = builder.build(i64::try_from(sent).unwrap_or(i64::MAX))?;
        if let Err(e) = socket.send_to(&bytes, addr) {
            // A full socket buffer: wait and retry once rather than lose the Trap.
            if e.kind() == std::io::ErrorKind::WouldBlock {
                std::thread::sleep(Duration::from_millis(1));
                socket.send_to(&bytes, addr)?;
            } else {
                return Err(e).with_context(|| format!("sending to {}", args.receiver));
            }
        }
    }
    if args.count > 1 {
        let secs = start.elapsed().as_secs_f64().max(1e-9);
        #[allow(clippy::cast_precision_loss)]
        let rate = sent as f64 / secs;
        eprintln!("snmpctl trap: sent {sent} traps in {secs:.3} s ({rate:.0}/s)");
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// Encodes Traps, v1/v2c with the community, v3 as our engine (or `-e`).
struct TrapBuilder {
    notice: Notice,
    security: Security,
    v3: Option<V3Trap>,
    /// Per request-id length (1–4 octets): an encoded message and where its request-id is.
    templates: [Option<(Vec<u8>, usize)>; 4],
}

/// How many octets a request-id takes in minimal BER, for ids 1 to 2³¹−1.
fn id_octets(id: i64) -> Option<usize> {
    match id {
        1..=0x7f => Some(1),
        0x80..=0x7fff => Some(2),
        0x8000..=0x7f_ffff => Some(3),
        0x80_0000..=0x7fff_ffff => Some(4),
        _ => None,
    }
}

struct V3Trap {
    engine_id: Vec<u8>,
    boots: u32,
    time: u32,
    keys: usm::LocalizedKeys,
    salt: SaltCounter,
    msg_id: i32,
}

impl TrapBuilder {
    fn new(
        snmp_args: &SnmpArgs,
        state_dir: Option<&std::path::Path>,
        notice: Notice,
    ) -> anyhow::Result<TrapBuilder> {
        let config = snmp_args.config()?;
        let v3 = match &config.security {
            Security::Usm(u) => {
                // Boots and time always come from our engine's state, so they only grow from
                // run to run (a receiver tracks them per engine), also under -e.
                let state = engine_state(state_dir);
                let time = state.time();
                let engine_id = u.engine_id.clone().unwrap_or(state.engine_id);
                let boots = state.boots;
                let keys = u.user.localize(&engine_id);
                let seed = getrandom::u64().unwrap_or(0x5eed);
                Some(V3Trap {
                    engine_id,
                    boots,
                    time,
                    keys,
                    salt: SaltCounter::new(seed),
                    msg_id: i32::try_from(seed & 0x3fff_ffff).unwrap_or(1),
                })
            }
            Security::Community { .. } => None,
        };
        Ok(TrapBuilder { notice, security: config.security, v3, templates: Default::default() })
    }

    /// The datagram for `request_id`. v2c Traps differ only in the request-id, so for each
    /// encoded length of it (1 to 4 octets) one message is encoded and the others are copies
    /// with the request-id's octets replaced: still minimal BER, and no encoder per Trap.
    fn build(&mut self, request_id: i64) -> anyhow::Result<Vec<u8>> {
        let templated =
            matches!(self.notice, Notice::V2 { .. }) && matches!(self.security, Security::Community { .. });
        let Some(len) = id_octets(request_id).filter(|_| templated) else { return self.encode(request_id) };
        let slot = len.saturating_sub(1);
        if self.templates.get(slot).is_none_or(Option::is_none) {
            // Two ids of the same length differ in the last octet only: that locates the field.
            let first = self.encode(request_id)?;
            let second = self.encode(request_id ^ 1)?;
            let diff: Vec<usize> = (0..first.len()).filter(|i| first.get(*i) != second.get(*i)).collect();
            let at = match diff.as_slice() {
                [end] if first.len() == second.len() => end.saturating_add(1).checked_sub(len),
                _ => None,
            };
            let Some(at) = at else { return Ok(first) };
            if let Some(t) = self.templates.get_mut(slot) {
                *t = Some((first, at));
            }
        }
        let Some(Some((template, at))) = self.templates.get(slot) else { return self.encode(request_id) };
        let mut bytes = template.clone();
        let be = request_id.to_be_bytes();
        let (Some(dst), Some(src)) =
            (bytes.get_mut(*at..at.saturating_add(len)), be.get(8usize.saturating_sub(len)..))
        else {
            return self.encode(request_id);
        };
        dst.copy_from_slice(src);
        Ok(bytes)
    }

    fn encode(&mut self, request_id: i64) -> anyhow::Result<Vec<u8>> {
        let pdu = match &self.notice {
            Notice::V1(t) => Pdu::TrapV1(t.clone()),
            Notice::V2 { varbinds } => Pdu::Generic(GenericPdu {
                pdu_type: PduType::TRAP_V2,
                request_id,
                error_status: ErrorStatus::NO_ERROR,
                error_index: 0,
                varbinds: varbinds.clone(),
            }),
        };
        match (&self.security, &mut self.v3) {
            (Security::Community { version, community }, _) => {
                // `notice` gives the v1 form exactly when the version is 1.
                Ok(Message::Community(CommunityMessage {
                    version: *version,
                    community: community.clone(),
                    pdu,
                })
                .encode()?)
            }
            (Security::Usm(u), Some(v3)) => {
                v3.msg_id = v3.msg_id.wrapping_add(1) & 0x7fff_ffff;
                let scoped = ScopedPdu {
                    context_engine_id: u.context_engine_id.clone().unwrap_or_else(|| v3.engine_id.clone()),
                    context_name: u.context_name.clone(),
                    pdu,
                };
                let out = Outgoing {
                    msg_id: v3.msg_id,
                    msg_max_size: 65507,
                    level: u.user.level(),
                    reportable: false,
                    engine_id: &v3.engine_id,
                    engine_boots: v3.boots,
                    engine_time: v3.time,
                    user_name: u.user.user_name(),
                    scoped_pdu: &scoped,
                };
                Ok(usm::wrap(&out, Some(&v3.keys), &mut v3.salt)?)
            }
            (Security::Usm(_), None) => bail!("no v3 state"),
        }
    }
}

fn send_inform(
    global: &GlobalArgs,
    args: &Args,
    runtime: &tokio::runtime::Runtime,
    varbinds: Vec<VarBind>,
) -> anyhow::Result<ExitCode> {
    let options = args.snmp.output_options()?;
    let (client, _) = runtime.block_on(snmp::connect_port(&args.receiver, &args.snmp, 162))?;
    let outcome = runtime.block_on(client.request(Request { operation: Operation::Inform, varbinds }));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match outcome {
        Ok(pdu) => {
            if global.format != Format::Text {
                serde_json::to_writer(&mut out, &super::get::response_json(&pdu, &options))?;
                writeln!(out)?;
            }
            Ok(ExitCode::from(EXIT_OK))
        }
        Err(e) => {
            if global.format != Format::Text {
                serde_json::to_writer(&mut out, &serde_json::json!({"error": e.to_string()}))?;
                writeln!(out)?;
            }
            match e {
                snmpctl::client::Error::Timeout { .. } => eprintln!("snmpctl inform: Timeout"),
                other => eprintln!("snmpctl inform: {other}"),
            }
            Ok(ExitCode::from(EXIT_FAILURE))
        }
    }
}

/// snmpctl's engine as kept in `dir` (default: [`snmpctl::trap::state::default_dir`]),
/// created on first use. Problems keeping it are warnings: the v3 Traps still go out.
fn engine_state(dir: Option<&std::path::Path>) -> snmpctl::trap::state::EngineFile {
    let dir = dir.map(std::path::Path::to_path_buf).or_else(snmpctl::trap::state::default_dir);
    if dir.is_none() {
        eprintln!("snmpctl: warning: no state directory (set SNMPCTL_STATE_DIR); the engine ID is not kept");
    }
    let path = dir.map(|d| d.join("engine"));
    let (engine, problem) = snmpctl::trap::state::load(path.as_deref(), false);
    if let Some(e) = problem {
        eprintln!("snmpctl: warning: the engine state is not kept: {e}");
    }
    engine
}

#[cfg(test)]
mod tests {
    use super::*;
    use snmpctl::msg::Version;

    #[test]
    fn templated_traps_equal_encoded_ones() {
        let varbinds = vec![
            VarBind::new("1.3.6.1.2.1.1.3.0".parse().unwrap(), Value::TimeTicks(5)),
            VarBind::new(
                "1.3.6.1.6.3.1.1.4.1.0".parse().unwrap(),
                Value::ObjectIdentifier("1.3.6.1.6.3.1.1.5.1".parse().unwrap()),
            ),
        ];
        let mut b = TrapBuilder {
            notice: Notice::V2 { varbinds },
            security: Security::Community { version: Version::V2c, community: b"public".to_vec() },
            v3: None,
            templates: Default::default(),
        };
        for id in [
            1,
            2,
            0x7f,
            0x80,
            0x81,
            0xff,
            0x100,
            0x7fff,
            0x8000,
            0x12_3456,
            0x7f_ffff,
            0x80_0000,
            0x7fff_fffe,
            0x7fff_ffff,
        ] {
            let fast = b.build(id).unwrap();
            assert_eq!(fast, b.encode(id).unwrap(), "request-id {id:#x}");
        }
    }
}
