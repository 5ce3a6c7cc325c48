//! The routes display (`-Cr`): inetCidrRouteTable (IP-FORWARD-MIB of RFC 4292), and as
//! snmpnetstat falls back when it has no routes (or with `-CL`): ipCidrRouteTable (RFC 2096),
//! ipRouteTable (RFC 1213, with `-Cf inet` only) and IPV6-MIB's ipv6RouteTable.

use super::names::{Address, Names, octets};
use super::{Failed, Family, OK, Options, Session, Shown, c_int, integer, oid, write_json};
use snmpctl::client::Operation;
use snmpctl::value::{Value, VarBind};
use std::collections::HashMap;

/// inetCidrRouteEntry: columns 7 (ifIndex), 8 (type), 9 (proto), 10 (age), 11 (nextHopAS),
/// 12 (metric1).
const INET_CIDR_ROUTE_ENTRY: [u32; 10] = [1, 3, 6, 1, 2, 1, 4, 24, 7, 1];
/// ipCidrRouteEntry: columns 5 (ifIndex), 6 (type), 7 (proto).
const IP_CIDR_ROUTE_ENTRY: [u32; 10] = [1, 3, 6, 1, 2, 1, 4, 24, 4, 1];
/// ipRouteEntry: columns 2 (ifIndex), 7 (nextHop), 8 (type), 9 (proto), 11 (mask).
const IP_ROUTE_ENTRY: [u32; 9] = [1, 3, 6, 1, 2, 1, 4, 21, 1];
/// ipv6RouteEntry: columns 4 (ifIndex), 5 (nextHop), 6 (type), 7 (protocol), 11 (metric),
/// 14 (valid).
const IPV6_ROUTE_ENTRY: [u32; 10] = [1, 3, 6, 1, 2, 1, 55, 1, 11, 1];
/// ifXTable's ifName, ifTable's ifDescr.
const IF_NAME: [u32; 11] = [1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1];
const IF_DESCR: [u32; 10] = [1, 3, 6, 1, 2, 1, 2, 2, 1, 2];

/// Which table a route came from: it sets the header and the column widths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    InetCidr,
    IpCidr,
    IpRoute,
    Ipv6Route,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::InetCidr => "inetCidrRouteTable",
            Table::IpCidr => "ipCidrRouteTable",
            Table::IpRoute => "ipRouteTable",
            Table::Ipv6Route => "ipv6RouteTable",
        }
    }
}

#[derive(Debug, Clone)]
struct Route {
    table: Table,
    destination: Address,
    /// The prefix length (inetCidr, ipv6Route) or the mask (ipCidr, ipRoute).
    prefix: u32,
    mask: [u8; 4],
    next_hop: Address,
    if_index: i64,
    kind: i64,
    proto: i64,
    age: i64,
    next_hop_as: i64,
    metric1: i64,
}

impl Route {
    fn is_host(&self) -> bool {
        match self.table {
            Table::InetCidr | Table::Ipv6Route => match self.destination {
                Address::V4(_) => self.prefix == 32,
                Address::V6(_) => self.prefix == 128,
            },
            Table::IpCidr | Table::IpRoute => self.mask == [255; 4],
        }
    }

    /// `<U…>`: up, H a host route, D made by an ICMP redirect (proto 4), G through a gateway
    /// (type remote(4)).
    fn flags(&self) -> String {
        let mut f = String::from("<U");
        if self.is_host() {
            f.push('H');
        }
        if self.proto == 4 {
            f.push('D');
        }
        if self.kind == 4 {
            f.push('G');
        }
        f.push('>');
        f
    }

    fn json(&self, interface: &[u8]) -> serde_json::Value {
        let prefix = match self.table {
            Table::IpCidr | Table::IpRoute => u32::from_be_bytes(self.mask).leading_ones(),
            _ => self.prefix,
        };
        serde_json::json!({
            "table": self.table.name(),
            "family": if matches!(self.destination, Address::V4(_)) { "ipv4" } else { "ipv6" },
            "destination": self.destination.numeric(),
            "prefix_length": prefix,
            "next_hop": self.next_hop.numeric(),
            "if_index": self.if_index,
            "interface": String::from_utf8_lossy(interface),
            "flags": self.flags().trim_matches(['<', '>']),
            "type": self.kind,
            "protocol": self.proto,
            "age": self.age,
            "next_hop_as": self.next_hop_as,
            "metric1": self.metric1,
        })
    }
}

/// What a table walk found: the routes, and an address type snmpnetstat refuses.
struct Walked {
    routes: Vec<Route>,
    bad_type: Option<u32>,
}

/// GetNext rounds over `columns` of `entry`, as snmpnetstat walks them: every varbind moves on
/// from where it stood; the walk ends when the first leaves its column, or on an error or an
/// exception; a row is kept only when every column answered. `read` makes a route of the
/// first varbind's index and each column's value.
fn walk(
    s: &mut Session,
    entry: &[u32],
    columns: &[u32],
    mut read: impl FnMut(&[u32], &HashMap<u32, Value>) -> Result<Option<Route>, u32>,
) -> Result<Walked, Failed> {
    let first_column: Vec<u32> = entry.iter().copied().chain(columns.first().copied()).collect();
    let mut list: Vec<VarBind> = columns
        .iter()
        .map(|c| VarBind::null(oid(&entry.iter().copied().chain([*c]).collect::<Vec<_>>())))
        .collect();
    let mut out = Walked { routes: Vec::new(), bad_type: None };
    // Bounded: each round moves the first OID forward (`getnext_round` stops where it does not).
    for _ in 0..1_000_000 {
        if !s.getnext_round(&mut list)? {
            break;
        }
        let Some(first) = list.first() else { break };
        let Some(index) = first.oid.arcs().strip_prefix(first_column.as_slice()) else { break };
        if first.value.is_exception() {
            break;
        }
        let index = index.to_vec();
        let mut cells = HashMap::new();
        for vb in &list {
            if let Some(&c) = vb.oid.arcs().get(entry.len()) {
                cells.insert(c, vb.value.clone());
            }
        }
        match read(&index, &cells) {
            Ok(Some(r)) => out.routes.push(r),
            Ok(None) => {}
            Err(t) => {
                out.bad_type = Some(t);
                break;
            }
        }
    }
    Ok(out)
}

/// An InetAddress of a route's index: the octets after a length, as a v4 or v6 address.
fn address(v6: bool, bytes: &[u8]) -> Address {
    if v6 { Address::V6(octets::<16>(bytes)) } else { Address::V4(octets::<4>(bytes)) }
}

/// The index octets `start..start+len` (each arc's low byte, as snmpnetstat copies them).
fn index_octets(index: &[u32], start: usize, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| {
            start
                .checked_add(i)
                .and_then(|at| index.get(at))
                .map_or(0, |&a| u8::try_from(a & 0xff).unwrap_or(0))
        })
        .collect()
}

fn inet_cidr(s: &mut Session) -> Result<Walked, Failed> {
    walk(s, &INET_CIDR_ROUTE_ENTRY, &[7, 8, 9, 10, 11, 12], |index, cells| {
        let kind = index.first().copied().unwrap_or(0);
        if kind != 1 && kind != 2 {
            return Err(kind);
        }
        // type, length, destination, prefix length, policy (length, arcs), next hop type,
        // next hop length, next hop: snmpnetstat reads as many next hop octets as the
        // destination has.
        let len = index.get(1).copied().and_then(|l| usize::try_from(l).ok()).unwrap_or(0).min(16);
        let destination = index_octets(index, 2, len);
        let at = 2usize.saturating_add(len);
        let prefix = index.get(at).copied().unwrap_or(0);
        let policy_len =
            index.get(at.saturating_add(1)).copied().and_then(|l| usize::try_from(l).ok()).unwrap_or(0);
        let hop_at = at.saturating_add(2).saturating_add(policy_len).saturating_add(2);
        let next_hop = index_octets(index, hop_at, len);
        let v6 = kind == 2;
        Ok(complete(cells, &[7, 8, 9, 10, 11, 12]).then(|| Route {
            table: Table::InetCidr,
            destination: address(v6, &destination),
            prefix,
            mask: [0; 4],
            next_hop: address(v6, &next_hop),
            if_index: cell(cells, 7),
            kind: cell(cells, 8),
            proto: cell(cells, 9),
            age: cell(cells, 10),
            next_hop_as: cell(cells, 11),
            metric1: cell(cells, 12),
        }))
    })
}

fn ip_cidr(s: &mut Session) -> Result<Walked, Failed> {
    walk(s, &IP_CIDR_ROUTE_ENTRY, &[5, 6, 7], |index, cells| {
        // destination, mask, tos, next hop.
        Ok(complete(cells, &[5, 6, 7]).then(|| Route {
            table: Table::IpCidr,
            destination: Address::V4(octets::<4>(&index_octets(index, 0, 4))),
            prefix: 0,
            mask: octets::<4>(&index_octets(index, 4, 4)),
            next_hop: Address::V4(octets::<4>(&index_octets(index, 9, 4))),
            if_index: cell(cells, 5),
            kind: cell(cells, 6),
            proto: cell(cells, 7),
            age: 0,
            next_hop_as: 0,
            metric1: 0,
        }))
    })
}

fn ip_route(s: &mut Session) -> Result<Walked, Failed> {
    walk(s, &IP_ROUTE_ENTRY, &[2, 7, 8, 9, 11], |index, cells| {
        let ip = |c: u32| match cells.get(&c) {
            Some(Value::IpAddress(a)) => *a,
            Some(Value::OctetString(b)) => octets::<4>(b),
            _ => [0; 4],
        };
        Ok(complete(cells, &[2, 7, 8, 9, 11]).then(|| Route {
            table: Table::IpRoute,
            destination: Address::V4(octets::<4>(&index_octets(index, 0, 4))),
            prefix: 0,
            mask: ip(11),
            next_hop: Address::V4(ip(7)),
            if_index: cell(cells, 2),
            kind: cell(cells, 8),
            proto: cell(cells, 9),
            age: 0,
            next_hop_as: 0,
            metric1: 0,
        }))
    })
}

fn ipv6_route(s: &mut Session) -> Result<Walked, Failed> {
    walk(s, &IPV6_ROUTE_ENTRY, &[4, 5, 6, 7, 11, 14], |index, cells| {
        let hop = match cells.get(&5) {
            Some(Value::OctetString(b)) => octets::<16>(b),
            _ => [0; 16],
        };
        let valid = !matches!(cells.get(&14), Some(v) if integer(v) == 2);
        Ok((complete(cells, &[4, 5, 6, 7, 11]) && valid).then(|| Route {
            table: Table::Ipv6Route,
            destination: Address::V6(octets::<16>(&index_octets(index, 0, 16))),
            prefix: index.get(16).copied().unwrap_or(0),
            mask: [0; 4],
            next_hop: Address::V6(hop),
            if_index: cell(cells, 4),
            kind: cell(cells, 6),
            proto: cell(cells, 7),
            age: 0,
            next_hop_as: 0,
            metric1: cell(cells, 11),
        }))
    })
}

/// Whether every column answered (an exception counts: snmpnetstat does not look).
fn complete(cells: &HashMap<u32, Value>, columns: &[u32]) -> bool {
    columns.iter().all(|c| cells.contains_key(c))
}

fn cell(cells: &HashMap<u32, Value>, column: u32) -> i64 {
    cells.get(&column).map_or(0, integer)
}

/// Interface names by ifIndex, as snmpnetstat's `get_ifname` finds them: ifName (empty when
/// the agent answers with an exception; ifDescr over SNMPv1 when it has none), else `ifN`.
struct Interfaces(HashMap<i64, Vec<u8>>);

impl Interfaces {
    fn name(&mut self, s: &Session, index: i64) -> Result<Vec<u8>, Failed> {
        if let Some(n) = self.0.get(&index) {
            return Ok(n.clone());
        }
        let arc = u32::try_from(index).unwrap_or(0);
        let name_oid = oid(&IF_NAME.iter().copied().chain([arc]).collect::<Vec<_>>());
        let descr_oid = oid(&IF_DESCR.iter().copied().chain([arc]).collect::<Vec<_>>());
        // As snmpnetstat's `get_ifname`: a Get of ifName, else of ifName and ifDescr together,
        // of which it reads the first slot. Over SNMPv1, where an agent without ifName fails
        // the Get, the query layer asks again without it and copies ifDescr's answer into that
        // first slot: the interface is named by its ifDescr.
        let mut one = vec![VarBind::null(name_oid.clone())];
        let mut two = vec![VarBind::null(name_oid), VarBind::null(descr_oid)];
        let first = if s.round(Operation::Get, &mut one)? {
            one.first()
        } else if s.round(Operation::Get, &mut two)? {
            two.first()
        } else {
            None
        };
        let mut name = match first.map(|vb| &vb.value) {
            Some(Value::OctetString(b)) => b.clone(),
            Some(_) => Vec::new(),
            None => format!("if{}", c_int(index)).into_bytes(),
        };
        name.truncate(63);
        self.0.insert(index, name.clone());
        Ok(name)
    }
}

pub(super) fn show(
    s: &mut Session,
    o: &Options,
    names: &mut Names,
    json: bool,
    out: &mut dyn std::io::Write,
) -> Shown {
    let family_ok = |r: &Route| match o.family {
        Some(Family::Inet) => matches!(r.destination, Address::V4(_)),
        Some(Family::Inet6) => matches!(r.destination, Address::V6(_)),
        None => true,
    };
    let mut routes: Vec<Route> = Vec::new();
    let mut bad_type = None;
    let mut ip_route_read = false;
    if !o.legacy {
        let w = inet_cidr(s)?;
        routes.extend(w.routes.into_iter().filter(family_ok));
        bad_type = w.bad_type;
    }
    if bad_type.is_none() && routes.is_empty() {
        if o.family != Some(Family::Inet6) {
            routes.extend(ip_cidr(s)?.routes);
            if routes.is_empty() && o.family == Some(Family::Inet) {
                ip_route_read = true;
                routes.extend(ip_route(s)?.routes);
            }
        }
        if o.family != Some(Family::Inet) {
            routes.extend(ipv6_route(s)?.routes);
        }
    }
    let mut interfaces = Interfaces(HashMap::new());
    let mut text: Vec<u8> = Vec::new();
    let mut rows = Vec::new();
    // snmpnetstat prints ipRouteTable's header even when it has no rows.
    if ip_route_read && routes.is_empty() {
        text.extend_from_slice(b"Routing tables (ipRouteTable)\n");
        text.extend_from_slice(
            format!("{:<26.26} {:<18.18} {:<6.6}  {}\n", "Destination", "Gateway", "Flags", "Interface")
                .as_bytes(),
        );
    }
    let mut header: Option<(Table, bool)> = None;
    for r in &routes {
        let v6 = matches!(r.destination, Address::V6(_));
        let interface = interfaces.name(s, r.if_index)?;
        if header != Some((r.table, v6)) {
            // A blank line between the families of one table (not between tables).
            if header.is_some_and(|(t, _)| t == r.table) {
                text.push(b'\n');
            }
            header = Some((r.table, v6));
            match (r.table, v6) {
                (Table::IpCidr | Table::IpRoute, _) => {
                    text.extend_from_slice(format!("Routing tables ({})\n", r.table.name()).as_bytes());
                    text.extend_from_slice(
                        format!(
                            "{:<26.26} {:<18.18} {:<6.6}  {}\n",
                            "Destination", "Gateway", "Flags", "Interface"
                        )
                        .as_bytes(),
                    );
                }
                (table, _) => {
                    let (label, name) = if v6 {
                        ("IPv6", if table == Table::Ipv6Route { "ip6RouteTable" } else { table.name() })
                    } else {
                        ("IPv4", table.name())
                    };
                    let (dw, gw) = widths(v6, names.numeric());
                    text.extend_from_slice(format!("{label} Routing tables ({name})\n").as_bytes());
                    text.extend_from_slice(
                        format!(
                            "{:<dw$.dw$} {:<gw$.gw$} {:<6.6}  {}\n",
                            "Destination", "Gateway", "Flags", "Interface"
                        )
                        .as_bytes(),
                    );
                }
            }
        }
        match r.table {
            Table::IpCidr | Table::IpRoute => {
                let Address::V4(d) = r.destination else { continue };
                let destination = if d == [0; 4] {
                    "default".to_owned()
                } else if r.mask == [255; 4] {
                    names.route(&r.destination)
                } else {
                    names.net(d, r.mask)
                };
                let gateway =
                    if r.next_hop.is_unspecified() { "*".to_owned() } else { names.route(&r.next_hop) };
                text.extend_from_slice(
                    format!("{destination:<26.26} {gateway:<18.18} {:<6.6}  ", r.flags()).as_bytes(),
                );
            }
            Table::InetCidr | Table::Ipv6Route => {
                let (dw, gw) = widths(v6, names.numeric());
                let full = if v6 { 128 } else { 32 };
                let destination = if r.destination.is_unspecified() {
                    "default".to_owned()
                } else if r.prefix == full {
                    names.route(&r.destination)
                } else {
                    format!("{}/{}", r.destination.numeric(), c_int(i64::from(r.prefix)))
                };
                let gateway = names.route(&r.next_hop);
                text.extend_from_slice(
                    format!("{destination:<dw$} {gateway:<gw$} {:<6.6}  ", r.flags()).as_bytes(),
                );
            }
        }
        text.extend_from_slice(&interface);
        if r.table == Table::InetCidr && r.next_hop_as != 0 {
            text.extend_from_slice(format!(" (AS {})", c_int(r.next_hop_as)).as_bytes());
        }
        text.push(b'\n');
        rows.push(r.json(&interface));
    }
    if json {
        write_json(out, &serde_json::Value::Array(rows))?;
    } else {
        out.write_all(&text)?;
    }
    match bad_type {
        Some(t) => {
            out.flush()?;
            eprintln!("Bad address type: {}", c_int(i64::from(t)));
            Ok(super::USAGE)
        }
        None => Ok(OK),
    }
}

/// The destination and gateway columns of inetCidrRouteTable and ipv6RouteTable: wider for
/// IPv6 with `-Cn`.
fn widths(v6: bool, numeric: bool) -> (usize, usize) {
    match (v6, numeric) {
        (true, true) => (34, 39),
        _ => (26, 26),
    }
}
