//! `snmpctl netstat`: a device's sockets, routes, interfaces and protocol counters, as
//! `snmpnetstat` prints them.
//!
//! - By default, the TCP connections (tcpConnectionTable) and UDP endpoints
//!   (udpEndpointTable), with `-Ca` the TCP listeners (tcpListenerTable) too; `-Cp tcp|udp`
//!   picks one protocol, `-Cf inet|inet6` one address family.
//! - `-Cr`: the routes, from inetCidrRouteTable, else ipCidrRouteTable, ipRouteTable (with
//!   `-Cf inet`) and ipv6RouteTable, as snmpnetstat falls back.
//! - `-Ci`: the interfaces (ifTable, ifXTable's ifName, the first ipAddrTable address);
//!   `-Cb` adds octets, `-Co` shows only octets, `-Cd` adds output discards, `-CI NAME` keeps
//!   one interface. `-Cw N` prints, every N seconds, what moved since the poll before: the total
//!   over the interfaces, or that of `-CI NAME`.
//! - `-Cs`: the protocols' counters (tcp, udp, ip, ip6, icmp, icmp6, with the ICMP message
//!   histograms); `-Css` leaves out those at zero; `-Cp PROTO` picks one.
//! - `-CL`: the IPv4 tables of RFC 1213 instead (tcpConnTable, udpTable, the ip and icmp
//!   scalars, ipCidrRouteTable and ipRouteTable), for agents without the newer ones.
//!
//! Names: addresses are looked up in the system's host database (`/etc/hosts`, DNS), ports in
//! its services, network numbers in `/etc/networks`, unless `-Cn`; `-Cv` lets long names widen
//! their column instead of being cut.
//!
//! The text is snmpnetstat's byte for byte on the same agent, with four exceptions, where
//! snmpnetstat's output does not come from the agent: for an empty table snmpnetstat (v2c)
//! prints one row of zeros that the agent never sent (this prints none); its `-Cw` total walks
//! past the end of ifTable and adds columns more than once (this adds each interface's counters
//! once); over SNMPv1 it prints nothing of a table that ends the agent's MIB (this prints the
//! rows); and over SNMPv1, when a group of counters lacks an object, it prints a line of
//! whatever its memory held for it (this prints none). JSON (`--format json`) gives the same tables with numbers and numeric addresses.

mod interfaces;
mod names;
mod routes;
mod sockets;
mod stats;

use super::snmp::{self, SnmpArgs};
use super::{EXIT_FAILURE, EXIT_OK, Format, GlobalArgs};
use anyhow::bail;
use names::Names;
use snmpctl::client::{Operation, Request, WalkEnd, WalkError, WalkOptions};
use snmpctl::msg::ErrorStatus;
use snmpctl::msg::GenericPdu;
use snmpctl::transport::Client;
use snmpctl::value::{Oid, Value, VarBind};
use std::io::Write as _;
use std::process::ExitCode;

// Arguments of `snmpctl netstat`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub(super) snmp: SnmpArgs,
    /// Command options, as snmpnetstat's -C: a (TCP listeners too), n (numbers, no names),
    /// v (long names widen their column), f FAMILY (inet or inet6), p PROTO (tcp, udp; with s:
    /// ip, ip6, icmp, icmp6), s (protocol counters; ss: without zeros), r (routes),
    /// i (interfaces), b (and octets), o (octets only), d (and drops), I NAME (one interface),
    /// w N (what moved, every N seconds), L (RFC 1213's tables), R N (GetBulk repetitions).
    #[arg(short = 'C', long = "command-options", value_name = "OPTS")]
    command_options: Vec<String>,
    /// With -Cw: print this many lines, then stop [default: until interrupted, as snmpnetstat].
    #[arg(long = "count", value_name = "N")]
    count: Option<u64>,
    /// The agent: [udp:|udp6:|tcp:|tcp6:]host[:port].
    agent: String,
}

/// An address family, as `-Cf` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    Inet,
    Inet6,
}

/// The `-C` options, as snmpnetstat reads them.
#[derive(Debug, Default)]
pub(super) struct Options {
    all: bool,
    bytes: bool,
    drops: bool,
    family: Option<Family>,
    interface: Option<String>,
    interfaces: bool,
    legacy: bool,
    numeric: bool,
    octets: bool,
    protocol: Option<&'static str>,
    routes: bool,
    /// How many times `s` was given.
    stats: u8,
    verbose: bool,
    interval: Option<u64>,
    repetitions: Option<u32>,
}

/// The letters whose value is the rest of the word or else the next word.
const VALUE_LETTERS: [char; 5] = ['f', 'I', 'p', 'w', 'R'];

/// snmpnetstat's `-Cf inet`, `-Cp tcp`, `-CI eth0`, `-Cw 5` and `-CR 10` take their value from
/// the next word when the letter ends its word: `-Cp tcp` reads as `-Cptcp`.
pub fn join_option_values(args: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut words = args.into_iter().peekable();
    while let Some(word) = words.next() {
        let wants_next = word.strip_prefix("-C").is_some_and(|letters| {
            // The first value letter takes the rest of the word: only one that ends it wants
            // the next word.
            letters
                .char_indices()
                .find(|(_, c)| VALUE_LETTERS.contains(c))
                .is_some_and(|(i, c)| i.checked_add(c.len_utf8()) == Some(letters.len()))
        });
        match words.peek() {
            Some(next) if wants_next && !next.starts_with('-') => {
                let value = words.next().unwrap_or_default();
                out.push(format!("{word}{value}"));
            }
            _ => out.push(word),
        }
    }
    out
}

impl Options {
    fn parse(values: &[String]) -> anyhow::Result<Options> {
        let mut o = Options::default();
        for v in values {
            let mut chars = v.chars();
            while let Some(c) = chars.next() {
                match c {
                    'a' => o.all = true,
                    'b' => o.bytes = true,
                    'd' => o.drops = true,
                    'i' => o.interfaces = true,
                    'L' => o.legacy = true,
                    'n' => o.numeric = true,
                    'o' => o.octets = true,
                    'r' => o.routes = true,
                    's' => o.stats = o.stats.saturating_add(1),
                    'v' => o.verbose = true,
                    'f' | 'I' | 'p' | 'w' | 'R' => {
                        let value: String = chars.by_ref().collect();
                        if value.is_empty() {
                            bail!("-C{c} needs a value");
                        }
                        match c {
                            'f' => {
                                o.family = Some(match value.as_str() {
                                    "inet" => Family::Inet,
                                    "inet6" => Family::Inet6,
                                    _ => bail!("{value}: unknown address family"),
                                });
                            }
                            'I' => {
                                o.interfaces = true;
                                o.interface = Some(value);
                            }
                            'p' => {
                                o.protocol = Some(
                                    names::protocol(&value)
                                        .ok_or_else(|| anyhow::anyhow!("{value}: unknown protocol"))?,
                                );
                            }
                            'w' => {
                                o.interfaces = true;
                                // snmpnetstat reads it with atoi: 0 means no interval.
                                o.interval = Some(value.trim().parse().unwrap_or(0)).filter(|&n| n > 0);
                            }
                            _ => {
                                let n: u32 = value.trim().parse().unwrap_or(0);
                                if n == 0 {
                                    bail!("Bad -CR option: {value}");
                                }
                                o.repetitions = Some(n);
                            }
                        }
                    }
                    other => bail!("-C{other}: not an option of netstat (see --help)"),
                }
            }
        }
        Ok(o)
    }

    /// Whether a row of this address type (InetAddressType: 2 is IPv6) is shown.
    fn shows(&self, address_type: u32) -> bool {
        match self.family {
            Some(Family::Inet) => address_type != 2,
            Some(Family::Inet6) => address_type == 2,
            None => true,
        }
    }
}

/// The agent, asked as snmpnetstat asks it.
pub(super) struct Session {
    runtime: tokio::runtime::Runtime,
    client: Client,
    agent: String,
    v1: bool,
    repetitions: u32,
    /// Notes for stderr: what the agent refused.
    notes: Vec<String>,
}

/// A request that got no answer (a timeout, a security failure): the command stops.
#[derive(Debug)]
pub(super) struct Failed(snmpctl::client::Error);

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Failed {}

impl Session {
    /// One request of these OIDs.
    pub(super) fn request(&self, operation: Operation, oids: &[Oid]) -> Result<GenericPdu, Failed> {
        let request = Request { operation, varbinds: oids.iter().cloned().map(VarBind::null).collect() };
        self.runtime.block_on(self.client.request(request)).map_err(Failed)
    }

    /// The varbinds of the subtree under `root` (GetBulk, or GetNext over SNMPv1), without the
    /// exception that may end it. An error status ends it where it stands, noted for stderr.
    pub(super) fn walk(&mut self, root: &Oid) -> Result<Vec<VarBind>, Failed> {
        Ok(self.walk_to_end(root)?.0)
    }

    /// [`Session::walk`], and whether it ended in SNMPv1's noSuchName (the end of the agent's
    /// MIB), which snmpnetstat takes for a failed walk.
    pub(super) fn walk_to_end(&mut self, root: &Oid) -> Result<(Vec<VarBind>, bool), Failed> {
        let options = if self.v1 { WalkOptions::get_next() } else { WalkOptions::bulk(self.repetitions) };
        let mut walker = self.client.walk_with(root.clone(), options);
        let mut varbinds = Vec::new();
        while let Some(batch) = self.runtime.block_on(walker.next_batch()) {
            match batch {
                Ok(b) => varbinds.extend(b),
                Err(WalkError::Request { error, .. }) => return Err(Failed(error)),
                Err(other) => {
                    self.notes.push(format!("the walk of {root} stopped: {other}"));
                    break;
                }
            }
        }
        let no_such_name = walker.state().end() == Some(&WalkEnd::NoSuchName);
        Ok((varbinds.into_iter().filter(|vb| !vb.value.is_exception()).collect(), no_such_name))
    }

    /// One GetNext round over `list`: [`Session::round`].
    /// `false` too when the first varbind did not move forward: an agent that answers a GetNext
    /// with the OID it was asked (or one before it) would keep a table walk going for ever
    /// (snmpnetstat's does); noted for stderr.
    pub(super) fn getnext_round(&mut self, list: &mut [VarBind]) -> Result<bool, Failed> {
        let before = list.first().map(|vb| vb.oid.clone());
        if !self.round(Operation::GetNext, list)? {
            return Ok(false);
        }
        match (before, list.first()) {
            (Some(b), Some(now)) if now.oid <= b => {
                self.notes
                    .push(format!("the agent answered a GetNext of {b} with {}: stopped there", now.oid));
                Ok(false)
            }
            _ => Ok(true),
        }
    }

    /// One request of `list`'s OIDs, as Net-SNMP's `netsnmp_query_get` and `…_getnext` make
    /// it: an answer with an error status and an index is asked again without the varbind it
    /// names, and the answer is copied back into the list by position (so over SNMPv1 the
    /// last varbinds keep what they held). `false` when no answer came without an error.
    pub(super) fn round(&self, operation: Operation, list: &mut [VarBind]) -> Result<bool, Failed> {
        let mut ask: Vec<Oid> = list.iter().map(|vb| vb.oid.clone()).collect();
        // Bounded: every retry asks one varbind fewer.
        while !ask.is_empty() {
            let pdu = self.request(operation.clone(), &ask)?;
            if pdu.error_status == ErrorStatus::NO_ERROR {
                for (slot, vb) in list.iter_mut().zip(pdu.varbinds) {
                    *slot = vb;
                }
                return Ok(true);
            }
            let Some(at) = usize::try_from(pdu.error_index).ok().and_then(|i| i.checked_sub(1)) else {
                return Ok(false);
            };
            if at >= ask.len() {
                return Ok(false);
            }
            ask.remove(at);
        }
        Ok(false)
    }
}

/// An OID from arcs known to be valid.
pub(super) fn oid(arcs: &[u32]) -> Oid {
    Oid::new(arcs).unwrap_or_default()
}

/// A number as snmpnetstat reads `*val.integer`: the integer types' value, 0 for the others.
pub(super) fn integer(v: &Value) -> i64 {
    v.as_i64().or_else(|| v.as_u64().map(|n| i64::from_ne_bytes(n.to_ne_bytes()))).unwrap_or(0)
}

/// `n` as a C `int` (`%d` of a `long`): the low 32 bits.
pub(super) use super::status::c_int;

/// `n` as a C `unsigned long` (`%lu`).
pub(super) fn c_ulong(n: i64) -> u64 {
    u64::from_ne_bytes(n.to_ne_bytes())
}

pub fn run(global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    args.snmp.mib.load();
    let o = match Options::parse(&args.command_options) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("snmpctl netstat: {e}");
            return Ok(ExitCode::from(USAGE));
        }
    };
    if o.legacy && o.family == Some(Family::Inet6) {
        bail!("-CL with -Cf inet6 would read IPV6-MIB's tables, which netstat does not read");
    }
    let runtime = snmp::runtime()?;
    let client = runtime.block_on(snmp::connect_sequential(&args.agent, &args.snmp))?.0;
    let mut session = Session {
        runtime,
        client,
        agent: args.agent.clone(),
        v1: args.snmp.snmp_version == snmp::SnmpVersion::V1,
        repetitions: o.repetitions.unwrap_or(32),
        notes: Vec::new(),
    };
    let mut names = Names::new(o.numeric);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let json = global.format != Format::Text;
    let result = if o.interfaces {
        match o.interval {
            Some(seconds) => interfaces::every(&mut session, &o, seconds, args.count, json, &mut out),
            None => interfaces::show(&mut session, &o, &mut names, json, &mut out),
        }
    } else if o.routes {
        routes::show(&mut session, &o, &mut names, json, &mut out)
    } else if o.stats > 0 {
        stats::show(&mut session, &o, json, &mut out)
    } else {
        sockets::show(&mut session, &o, &mut names, json, &mut out)
    };
    out.flush()?;
    for note in &session.notes {
        eprintln!("snmpctl netstat: {note}");
    }
    match result {
        Ok(code) => Ok(ExitCode::from(code)),
        Err(e) => match e.downcast_ref::<Failed>() {
            Some(Failed(failure)) => {
                eprintln!("{}", snmp::describe(failure, &session.agent, true));
                Ok(ExitCode::from(EXIT_FAILURE))
            }
            None => Err(e),
        },
    }
}

/// What each display returns: an exit code; an error, [`Failed`] when a request got no
/// answer.
pub(super) type Shown = anyhow::Result<u8>;

/// Writes a JSON document, or one line per element of its top-level array with `ndjson`.
pub(super) fn write_json(out: &mut dyn std::io::Write, value: &serde_json::Value) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    writeln!(out)
}

/// Success.
pub(super) const OK: u8 = EXIT_OK;

/// snmpnetstat's exit for what it refuses (an unknown protocol, interface or address type).
pub(super) const USAGE: u8 = 1;

#[cfg(test)]
mod tests {
    use super::{Family, Options, join_option_values};

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn values_come_from_the_next_word_only_when_their_letter_ends_the_word() {
        assert_eq!(
            join_option_values(words("snmpctl netstat -Cp tcp -Cnf inet6 -Cpudp host")),
            words("snmpctl netstat -Cptcp -Cnfinet6 -Cpudp host")
        );
        assert_eq!(
            join_option_values(words("netstat -Ci -CI eth0 -Cw 5 h")),
            words("netstat -Ci -CIeth0 -Cw5 h")
        );
        assert_eq!(join_option_values(words("netstat -Cs -Cp -v1")), words("netstat -Cs -Cp -v1"));
    }

    #[test]
    fn options_as_snmpnetstat_reads_them() {
        let o = Options::parse(&["ssn".into(), "finet6".into(), "ptcp".into()]).unwrap();
        assert_eq!((o.stats, o.numeric, o.family, o.protocol), (2, true, Some(Family::Inet6), Some("tcp")));
        assert!(Options::parse(&["pfoo".into()]).is_err());
        assert!(Options::parse(&["fnone".into()]).is_err());
        assert!(Options::parse(&["R0".into()]).is_err());
        let o = Options::parse(&["w2".into()]).unwrap();
        assert_eq!((o.interfaces, o.interval), (true, Some(2)));
        assert!(o.shows(1) && o.shows(2) && o.family.is_none());
        let v6 = Options::parse(&["finet6".into()]).unwrap();
        assert!(v6.shows(2) && !v6.shows(1) && !v6.shows(0));
        let v4 = Options::parse(&["finet".into()]).unwrap();
        assert!(v4.shows(1) && v4.shows(0) && !v4.shows(2));
    }
}
