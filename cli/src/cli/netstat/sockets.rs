//! The sockets display: TCP connections, listeners and UDP endpoints (TCP-MIB, UDP-MIB of RFC
//! 4022 and 4113), or with `-CL` RFC 1213's tcpConnTable and udpTable.

use super::names::{Names, ntop6, octets};
use super::{Failed, OK, Options, Session, Shown, c_int, integer, oid, write_json};
use std::collections::HashMap;

/// tcpConnectionState, tcpConnectionProcess.
const TCP_CONNECTION_STATE: [u32; 10] = [1, 3, 6, 1, 2, 1, 6, 19, 1, 7];
const TCP_CONNECTION_PROCESS: [u32; 10] = [1, 3, 6, 1, 2, 1, 6, 19, 1, 8];
/// tcpListenerProcess.
const TCP_LISTENER_PROCESS: [u32; 10] = [1, 3, 6, 1, 2, 1, 6, 20, 1, 4];
/// udpEndpointProcess.
const UDP_ENDPOINT_PROCESS: [u32; 10] = [1, 3, 6, 1, 2, 1, 7, 7, 1, 8];
/// RFC 1213: tcpConnState, udpLocalAddress.
const TCP_CONN_STATE: [u32; 10] = [1, 3, 6, 1, 2, 1, 6, 13, 1, 1];
const UDP_LOCAL_ADDRESS: [u32; 10] = [1, 3, 6, 1, 2, 1, 7, 5, 1, 1];

/// TCP states, from closed(1) to timeWait(11), as snmpnetstat names them.
const STATES: [&str; 11] = [
    "CLOSED",
    "LISTEN",
    "SYNSENT",
    "SYNRECEIVED",
    "ESTABLISHED",
    "FINWAIT1",
    "FINWAIT2",
    "CLOSEWAIT",
    "LASTACK",
    "CLOSING",
    "TIMEWAIT",
];

/// One end of a socket: InetAddressType (0 unknown, 1 IPv4, 2 IPv6), its octets, the port.
#[derive(Debug, Clone)]
struct End {
    kind: u32,
    octets: Vec<u8>,
    port: u32,
}

impl End {
    /// Reads `type, length, octets…, port` from an index, advancing it.
    fn read(index: &mut std::slice::Iter<'_, u32>) -> Option<End> {
        let kind = *index.next()?;
        let len = usize::try_from(*index.next()?).ok()?;
        let octets = (0..len)
            .map(|_| index.next().and_then(|&a| u8::try_from(a).ok()))
            .collect::<Option<Vec<u8>>>()?;
        let port = *index.next()?;
        Some(End { kind, octets, port })
    }

    fn family(&self) -> &'static str {
        match self.kind {
            1 => "ipv4",
            2 => "ipv6",
            _ => "unknown",
        }
    }

    fn numeric(&self) -> String {
        match self.kind {
            1 => std::net::Ipv4Addr::from(octets::<4>(&self.octets)).to_string(),
            2 => ntop6(octets::<16>(&self.octets)),
            _ => String::new(),
        }
    }

    /// As snmpnetstat's `inetxprint`: `host.port` in a column of 27 (wider with `-Cv`), the
    /// host cut to 18 characters and the service name to 8; an IPv6 end names its port only
    /// when it is the local one.
    fn print(&self, names: &mut Names, verbose: bool, udp: bool, local: bool) -> String {
        let cut = |s: &str, n: usize| if verbose { s.to_owned() } else { s.chars().take(n).collect() };
        let line = match self.kind {
            1 | 2 => {
                let host = if self.kind == 1 {
                    names.inet(octets::<4>(&self.octets))
                } else {
                    names.inet6(octets::<16>(&self.octets))
                };
                let service = if self.port != 0 && (self.kind == 1 || local) {
                    names.service(self.port, udp)
                } else {
                    None
                };
                let port = match (service, self.port) {
                    (Some(s), _) => cut(&s, 8),
                    (None, 0) => "*".to_owned(),
                    (None, p) => c_int(i64::from(p)).to_string(),
                };
                format!("{}.{port}", cut(&host, 18))
            }
            _ => "*.*".to_owned(),
        };
        let width = if verbose { line.chars().count().max(27) } else { 27 };
        format!(" {line:<width$.width$}")
    }
}

/// A connection or endpoint row.
#[derive(Debug)]
struct Socket {
    local: End,
    remote: Option<End>,
    state: Option<i64>,
    pid: Option<i64>,
}

impl Socket {
    /// Both ends as snmpnetstat prints them. It names the remote port of a UDP endpoint as a
    /// local one (an IPv6 TCP connection's remote port stays a number).
    fn ends(&self, names: &mut Names, verbose: bool, udp: bool) -> String {
        let mut line = self.local.print(names, verbose, udp, true);
        if let Some(r) = &self.remote {
            line.push_str(&r.print(names, verbose, udp, udp));
        }
        line
    }

    /// The TCP state's name, or its number as `%d` prints it.
    fn state_text(&self) -> String {
        let state = self.state.unwrap_or(0);
        state_name(state).map_or_else(|| c_int(state).to_string(), str::to_owned)
    }

    fn json(&self) -> serde_json::Value {
        let mut o = serde_json::Map::new();
        o.insert("family".into(), self.local.family().into());
        o.insert("local_address".into(), self.local.numeric().into());
        o.insert("local_port".into(), self.local.port.into());
        if let Some(r) = &self.remote {
            o.insert("remote_address".into(), r.numeric().into());
            o.insert("remote_port".into(), r.port.into());
        }
        if let Some(s) = self.state {
            let state = match state_name(s) {
                Some(name) => name.to_lowercase().into(),
                None => s.into(),
            };
            o.insert("state".into(), state);
        }
        if let Some(p) = self.pid {
            o.insert("pid".into(), p.into());
        }
        serde_json::Value::Object(o)
    }
}

/// A TCP state's name.
fn state_name(state: i64) -> Option<&'static str> {
    usize::try_from(state).ok().and_then(|s| s.checked_sub(1)).and_then(|i| STATES.get(i)).copied()
}

/// The rows of a walk, by the index after `column`.
fn rows(varbinds: Vec<snmpctl::value::VarBind>, column: &[u32]) -> Vec<(Vec<u32>, snmpctl::value::Value)> {
    varbinds
        .into_iter()
        .filter_map(|vb| vb.oid.arcs().strip_prefix(column).map(|index| (index.to_vec(), vb.value)))
        .collect()
}

/// The TCP connections, and whether the listeners come after them (snmpnetstat stops at the
/// first row whose process it cannot read over SNMPv1, and then shows no listeners).
fn tcp_connections(s: &mut Session, skipped: &mut u64) -> Result<(Vec<Socket>, bool), Failed> {
    let states = rows(s.walk(&oid(&TCP_CONNECTION_STATE))?, &TCP_CONNECTION_STATE);
    if states.is_empty() {
        return Ok((Vec::new(), true));
    }
    let pids: HashMap<Vec<u32>, snmpctl::value::Value> =
        rows(s.walk(&oid(&TCP_CONNECTION_PROCESS))?, &TCP_CONNECTION_PROCESS).into_iter().collect();
    let mut out = Vec::new();
    // snmpnetstat keeps the process of the row before when an agent has none for a row.
    let mut pid = 0;
    for (index, state) in states {
        match pids.get(&index) {
            Some(v) => pid = integer(v),
            None if s.v1 => return Ok((out, false)),
            None => {}
        }
        let mut it = index.iter();
        match (End::read(&mut it), End::read(&mut it)) {
            (Some(local), Some(remote)) => {
                out.push(Socket {
                    local,
                    remote: Some(remote),
                    state: Some(integer(&state)),
                    pid: Some(pid),
                });
            }
            _ => *skipped = skipped.saturating_add(1),
        }
    }
    Ok((out, true))
}

/// The rows of a process column whose index is one end (listeners) or two ends and an
/// instance (UDP endpoints).
fn endpoints(s: &mut Session, column: &[u32], two: bool, skipped: &mut u64) -> Result<Vec<Socket>, Failed> {
    let mut out = Vec::new();
    for (index, value) in rows(s.walk(&oid(column))?, column) {
        let mut it = index.iter();
        let local = End::read(&mut it);
        let remote = if two { End::read(&mut it).map(Some) } else { Some(None) };
        match (local, remote) {
            (Some(local), Some(remote)) => {
                out.push(Socket { local, remote, state: None, pid: Some(integer(&value)) });
            }
            _ => *skipped = skipped.saturating_add(1),
        }
    }
    Ok(out)
}

/// RFC 1213's tables: tcpConnTable (address, port, address, port) and udpTable (address,
/// port).
fn legacy(s: &mut Session, column: &[u32], tcp: bool, skipped: &mut u64) -> Result<Vec<Socket>, Failed> {
    let mut out = Vec::new();
    for (index, value) in rows(s.walk(&oid(column))?, column) {
        let end = |at: usize| -> Option<End> {
            let o = index
                .get(at..at.checked_add(4)?)?
                .iter()
                .map(|&a| u8::try_from(a & 0xff).ok())
                .collect::<Option<Vec<u8>>>()?;
            Some(End { kind: 1, octets: o, port: *index.get(at.checked_add(4)?)? })
        };
        match (end(0), if tcp { end(5).map(Some) } else { Some(None) }) {
            (Some(local), Some(remote)) => {
                out.push(Socket { local, remote, state: tcp.then(|| integer(&value)), pid: None })
            }
            _ => *skipped = skipped.saturating_add(1),
        }
    }
    Ok(out)
}

pub(super) fn show(
    s: &mut Session,
    o: &Options,
    names: &mut Names,
    json: bool,
    out: &mut dyn std::io::Write,
) -> Shown {
    let mut skipped = 0u64;
    let mut doc = serde_json::Map::new();
    let mut text = String::new();
    let wants = |p: &str| o.protocol.is_none_or(|w| w == p);
    let order: Vec<&str> = if o.legacy { super::names::legacy_order() } else { vec!["tcp", "udp"] };
    for protocol in order {
        if !o.legacy && !wants(protocol) {
            continue;
        }
        match (protocol, o.legacy) {
            ("tcp", false) => {
                let (conns, listeners) = tcp_connections(s, &mut skipped)?;
                let shown: Vec<&Socket> = conns.iter().filter(|c| o.shows(c.local.kind)).collect();
                if !shown.is_empty() {
                    text.push_str("Active Internet (tcp) Connections\n");
                    text.push_str(&format!(
                        "{:<5.5} {:<27.27} {:<27.27} {:>11.11} {:>5.5}\n",
                        "Proto", "Local Address", "Remote Address", "State", "PID"
                    ));
                }
                for c in &shown {
                    text.push_str(if c.local.kind == 2 { "tcp6 " } else { "tcp4 " });
                    text.push_str(&c.ends(names, o.verbose, false));
                    let pid = c_int(c.pid.unwrap_or(0));
                    text.push_str(&format!(" {:>11} {pid:>5}\n", c.state_text()));
                }
                doc.insert("tcp".into(), shown.iter().map(|c| c.json()).collect());
                if o.all && listeners {
                    let ls = endpoints(s, &TCP_LISTENER_PROCESS, false, &mut skipped)?;
                    if !ls.is_empty() {
                        text.push_str("Listening Internet (tcp) Connections\n");
                        text.push_str(&format!("{:<5.5} {:<27.27} {:>5}\n", "Proto", "Local Address", "PID"));
                    }
                    let shown: Vec<&Socket> = ls.iter().filter(|c| o.shows(c.local.kind)).collect();
                    for l in &shown {
                        text.push_str(if l.local.kind == 2 { "tcp6 " } else { "tcp4 " });
                        text.push_str(&l.local.print(names, o.verbose, false, true));
                        text.push_str(&format!(" {:>5}\n", c_int(l.pid.unwrap_or(0))));
                    }
                    doc.insert("tcp_listeners".into(), shown.iter().map(|c| c.json()).collect());
                }
            }
            ("udp", false) => {
                let us = endpoints(s, &UDP_ENDPOINT_PROCESS, true, &mut skipped)?;
                if !us.is_empty() {
                    text.push_str("Active Internet (udp) Connections\n");
                    text.push_str(&format!(
                        "{:<5.5} {:<27.27} {:<27.27} {:>5}\n",
                        "Proto", "Local Address", "Remote Address", "PID"
                    ));
                }
                let shown: Vec<&Socket> = us.iter().filter(|c| o.shows(c.local.kind)).collect();
                for u in &shown {
                    text.push_str(if u.local.kind == 2 { "udp6 " } else { "udp4 " });
                    text.push_str(&u.ends(names, o.verbose, true));
                    text.push_str(&format!(" {:>5}\n", c_int(u.pid.unwrap_or(0))));
                }
                doc.insert("udp".into(), shown.iter().map(|c| c.json()).collect());
            }
            ("tcp", true) => {
                let conns = legacy(s, &TCP_CONN_STATE, true, &mut skipped)?;
                // Listeners (state listen(2)) only with -Ca.
                let shown: Vec<&Socket> = conns.iter().filter(|c| o.all || c.state != Some(2)).collect();
                if !shown.is_empty() {
                    text.push_str("Active Internet (tcp) Connections");
                    if o.all {
                        text.push_str(" (including servers)");
                    }
                    text.push('\n');
                    text.push_str(&format!(
                        "{:<5.5} {:<27.27} {:<27.27} {}\n",
                        "Proto", "Local Address", "Remote Address", "(state)"
                    ));
                }
                for c in &shown {
                    text.push_str("tcp  ");
                    text.push_str(&c.ends(names, o.verbose, false));
                    text.push_str(&format!(" {}\n", c.state_text()));
                }
                doc.insert("tcp".into(), shown.iter().map(|c| c.json()).collect());
            }
            ("udp", true) => {
                let us = legacy(s, &UDP_LOCAL_ADDRESS, false, &mut skipped)?;
                if !us.is_empty() {
                    text.push_str("Active Internet (udp) Connections\n");
                    text.push_str(&format!("{:<5.5} {:<27.27}\n", "Proto", "Local Address"));
                }
                for u in &us {
                    text.push_str("udp  ");
                    text.push_str(&u.local.print(names, o.verbose, true, true));
                    text.push('\n');
                }
                doc.insert("udp".into(), us.iter().map(|c| c.json()).collect());
            }
            _ => {}
        }
    }
    if skipped > 0 {
        s.notes.push(format!("{skipped} rows whose index is not an address and port were left out"));
    }
    if json {
        write_json(out, &serde_json::Value::Object(doc))?;
    } else {
        out.write_all(text.as_bytes())?;
    }
    Ok(OK)
}
