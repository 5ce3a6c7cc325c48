//! The interfaces display (`-Ci`): ifTable's counters by interface, its name from ifXTable
//! when the agent has one, and its first address and network from ipAddrTable; and with
//! `-Cw N`, what moved every N seconds.

use super::names::{Names, octets};
use super::{Failed, OK, Options, Session, Shown, c_int, c_ulong, integer, oid, write_json};
use snmpctl::client::Operation;
use snmpctl::value::{Oid, Value, VarBind};
use std::time::{Duration, Instant};

/// ifEntry.
const IF_ENTRY: [u32; 9] = [1, 3, 6, 1, 2, 1, 2, 2, 1];
/// ifXEntry.
const IF_X_ENTRY: [u32; 10] = [1, 3, 6, 1, 2, 1, 31, 1, 1, 1];
/// ipAdEntIfIndex, ipAdEntNetMask.
const IP_AD_ENT_IF_INDEX: [u32; 10] = [1, 3, 6, 1, 2, 1, 4, 20, 1, 2];
const IP_AD_ENT_NET_MASK: [u32; 10] = [1, 3, 6, 1, 2, 1, 4, 20, 1, 3];

/// What snmpnetstat keeps of an interface: its texts as they will be printed.
#[derive(Debug, Default)]
struct Interface {
    index: u32,
    name: Vec<u8>,
    descr: Vec<u8>,
    mtu: i32,
    drops: i32,
    in_packets: Option<u64>,
    out_packets: Option<u64>,
    in_errors: Option<u64>,
    out_errors: Option<u64>,
    in_octets: Option<u64>,
    out_octets: Option<u64>,
    queue: Option<u64>,
    address: String,
    network: String,
}

/// A C string's bytes: up to the first NUL, at most 127.
fn c_string(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().take(127).take_while(|&&b| b != 0).copied().collect()
}

/// The octets snmpnetstat copies out of a value it takes for a string: a string's own, the
/// `long` of an integer type.
fn raw(v: &Value) -> Vec<u8> {
    match v {
        Value::OctetString(b) | Value::Opaque(b) => b.clone(),
        Value::IpAddress(a) => a.to_vec(),
        other => integer(other).to_le_bytes().to_vec(),
    }
}

/// A number as `%lu` prints it; empty when the agent did not give it.
fn text(n: Option<u64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

fn column(entry: &[u32], c: u32) -> Oid {
    oid(&entry.iter().copied().chain([c]).collect::<Vec<_>>())
}

/// ipAddrTable's interface index and mask columns (index, value), in the walk's order.
type Addresses = (Vec<i64>, Vec<(Vec<u32>, Value)>);

/// Reads [`Addresses`].
fn addresses(s: &mut Session) -> Result<Addresses, Failed> {
    let indexes = s.walk(&oid(&IP_AD_ENT_IF_INDEX))?.iter().map(|vb| integer(&vb.value)).collect();
    let masks = s
        .walk(&oid(&IP_AD_ENT_NET_MASK))?
        .into_iter()
        .map(|vb| (vb.oid.arcs().get(IP_AD_ENT_NET_MASK.len()..).unwrap_or_default().to_vec(), vb.value))
        .collect();
    Ok((indexes, masks))
}

/// GetNext rounds over ifTable's columns (and ifXTable's ifName) as snmpnetstat reads them.
fn read(s: &mut Session, o: &Options, names: &mut Names) -> Result<(Vec<Interface>, Widths), Failed> {
    let mut columns: Vec<u32> = vec![2, 4, 8];
    if o.bytes || o.octets {
        columns.extend([10, 16]);
    }
    if !o.octets {
        columns.extend([11, 12, 14, 17, 18, 20, 21]);
    }
    if o.drops {
        columns.push(19);
    }
    let mut list: Vec<VarBind> = columns.iter().map(|&c| VarBind::null(column(&IF_ENTRY, c))).collect();
    list.push(VarBind::null(column(&IF_X_ENTRY, 1)));
    let descr = column(&IF_ENTRY, 2);
    let mut w = Widths::default();
    let mut out = Vec::new();
    let mut addresses_read: Option<Addresses> = None;
    // Bounded: each round moves the first OID forward (`getnext_round` stops where it does not).
    for _ in 0..1_000_000 {
        if !s.getnext_round(&mut list)? {
            break;
        }
        let Some(first) = list.first() else { break };
        if first.value.is_exception() || !first.oid.starts_with(&descr) {
            break;
        }
        let arcs = first.oid.arcs();
        let mut i = Interface { index: arcs.last().copied().unwrap_or(0), ..Interface::default() };
        // The column is read at the same place in every OID as in the first one.
        let at = arcs.len().saturating_sub(2);
        for vb in &list {
            if vb.value.is_exception() {
                continue;
            }
            let n = c_ulong(integer(&vb.value));
            let widen = |width: &mut usize, s: &Option<u64>| *width = (*width).max(text(*s).len());
            match vb.oid.arcs().get(at) {
                Some(2) => {
                    i.name = c_string(&raw(&vb.value));
                    i.descr = i.name.clone();
                }
                Some(4) => i.mtu = c_int(integer(&vb.value)),
                Some(10) => {
                    i.in_octets = Some(n);
                    widen(&mut w.in_octets, &i.in_octets);
                }
                Some(11 | 12) => {
                    i.in_packets = Some(i.in_packets.unwrap_or(0).wrapping_add(n));
                    widen(&mut w.in_packets, &i.in_packets);
                }
                Some(14) => {
                    i.in_errors = Some(n);
                    widen(&mut w.in_errors, &i.in_errors);
                }
                Some(16) => {
                    i.out_octets = Some(n);
                    widen(&mut w.out_octets, &i.out_octets);
                }
                Some(17 | 18) => {
                    i.out_packets = Some(i.out_packets.unwrap_or(0).wrapping_add(n));
                    widen(&mut w.out_packets, &i.out_packets);
                }
                Some(19) => i.drops = c_int(integer(&vb.value)),
                Some(20) => {
                    i.out_errors = Some(n);
                    widen(&mut w.out_errors, &i.out_errors);
                }
                Some(21) => {
                    i.queue = Some(n);
                    widen(&mut w.queue, &i.queue);
                }
                Some(1) => {
                    i.name = c_string(&raw(&vb.value));
                    w.name = w.name.max(i.name.len().saturating_add(1));
                }
                _ => {}
            }
        }
        if let Some(want) = &o.interface
            && i.name != want.as_bytes()
            && i.descr != want.as_bytes()
        {
            continue;
        }
        w.name = w.name.max(i.name.len().saturating_add(1));
        if addresses_read.is_none() {
            addresses_read = Some(addresses(s)?);
        }
        if let Some((indexes, masks)) = &addresses_read
            && let Some(at) = indexes.iter().position(|&x| c_int(x) == c_int(i64::from(i.index)))
            && let Some((index, mask)) = masks.get(at)
        {
            let quad: Vec<String> = index.iter().take(4).map(u32::to_string).collect();
            i.address = quad.join(".");
            let a = octets::<4>(
                &index.iter().take(4).map(|&x| u8::try_from(x & 0xff).unwrap_or(0)).collect::<Vec<_>>(),
            );
            i.network = names.net(a, octets::<4>(&raw(mask)));
        }
        w.address = w.address.max(i.address.len());
        w.network = w.network.max(i.network.len());
        out.push(i);
    }
    Ok((out, w))
}

/// Column widths, grown to fit, from snmpnetstat's minimums.
#[derive(Debug)]
struct Widths {
    name: usize,
    address: usize,
    network: usize,
    queue: usize,
    in_packets: usize,
    in_errors: usize,
    out_packets: usize,
    out_errors: usize,
    in_octets: usize,
    out_octets: usize,
}

impl Default for Widths {
    fn default() -> Widths {
        Widths {
            name: 4,
            address: 7,
            network: 7,
            queue: 5,
            in_packets: 5,
            in_errors: 5,
            out_packets: 5,
            out_errors: 5,
            in_octets: 6,
            out_octets: 6,
        }
    }
}

pub(super) fn show(
    s: &mut Session,
    o: &Options,
    names: &mut Names,
    json: bool,
    out: &mut dyn std::io::Write,
) -> Shown {
    let (interfaces, w) = read(s, o, names)?;
    if json {
        let rows: Vec<serde_json::Value> = interfaces
            .iter()
            .filter(|i| !i.name.is_empty())
            .map(|i| {
                serde_json::json!({
                    "index": i.index,
                    "name": String::from_utf8_lossy(&i.name),
                    "description": String::from_utf8_lossy(&i.descr),
                    "mtu": i.mtu,
                    "network": i.network,
                    "address": i.address,
                    "in_packets": i.in_packets,
                    "in_errors": i.in_errors,
                    "in_octets": i.in_octets,
                    "out_packets": i.out_packets,
                    "out_errors": i.out_errors,
                    "out_octets": i.out_octets,
                    "out_queue": i.queue,
                    "out_discards": o.drops.then_some(i.drops),
                })
            })
            .collect();
        write_json(out, &serde_json::Value::Array(rows))?;
        return Ok(OK);
    }
    let mut t: Vec<u8> = Vec::new();
    let (nw, rw, aw) = (w.name, w.network, w.address);
    let header: Vec<(&str, usize)> = if o.octets {
        vec![("Ibytes", w.in_octets), ("Obytes", w.out_octets)]
    } else {
        let mut h = vec![("Ipkts", w.in_packets), ("Ierrs", w.in_errors)];
        if o.bytes {
            h.push(("Ibytes", w.in_octets));
        }
        h.extend([("Opkts", w.out_packets), ("Oerrs", w.out_errors)]);
        if o.bytes {
            h.push(("Obytes", w.out_octets));
        }
        h.push(("Queue", w.queue));
        h
    };
    t.extend_from_slice(
        format!("{:<nw$.nw$} {:>5.5} {:<rw$.rw$} {:<aw$.aw$}", "Name", "Mtu", "Network", "Address")
            .as_bytes(),
    );
    for (label, width) in &header {
        t.extend_from_slice(format!(" {label:>width$}").as_bytes());
    }
    if o.drops {
        t.extend_from_slice(b" Drop");
    }
    t.push(b'\n');
    for i in interfaces.iter().filter(|i| !i.name.is_empty()) {
        t.extend_from_slice(&i.name);
        t.extend(std::iter::repeat_n(b' ', nw.saturating_sub(i.name.len())));
        t.extend_from_slice(format!(" {:>5}", i.mtu).as_bytes());
        t.extend_from_slice(format!(" {:<rw$.rw$} {:<aw$.aw$}", i.network, i.address).as_bytes());
        let cells: Vec<(Option<u64>, usize)> = if o.octets {
            vec![(i.in_octets, w.in_octets), (i.out_octets, w.out_octets)]
        } else {
            let mut c = vec![(i.in_packets, w.in_packets), (i.in_errors, w.in_errors)];
            if o.bytes {
                c.push((i.in_octets, w.in_octets));
            }
            c.extend([(i.out_packets, w.out_packets), (i.out_errors, w.out_errors)]);
            if o.bytes {
                c.push((i.out_octets, w.out_octets));
            }
            c.push((i.queue, w.queue));
            c
        };
        for (value, width) in cells {
            t.extend_from_slice(format!(" {:>width$}", text(value)).as_bytes());
        }
        if o.drops {
            t.extend_from_slice(format!(" {:>4}", i.drops).as_bytes());
        }
        t.push(b'\n');
    }
    out.write_all(&t)?;
    Ok(OK)
}

/// One poll's totals: packets, errors and octets in and out, the output queue ("colls", as
/// snmpnetstat labels it) and output discards.
#[derive(Debug, Default, Clone, Copy)]
struct Totals {
    in_packets: u64,
    in_errors: u64,
    in_octets: u64,
    out_packets: u64,
    out_errors: u64,
    out_octets: u64,
    queue: u64,
    drops: u64,
}

impl Totals {
    fn add(&mut self, column: u32, n: u64) {
        let field = match column {
            10 => &mut self.in_octets,
            11 | 12 => &mut self.in_packets,
            14 => &mut self.in_errors,
            16 => &mut self.out_octets,
            17 | 18 => &mut self.out_packets,
            19 => &mut self.drops,
            20 => &mut self.out_errors,
            21 => &mut self.queue,
            _ => return,
        };
        *field = field.wrapping_add(n);
    }

    fn since(&self, before: &Totals) -> Totals {
        Totals {
            in_packets: self.in_packets.wrapping_sub(before.in_packets),
            in_errors: self.in_errors.wrapping_sub(before.in_errors),
            in_octets: self.in_octets.wrapping_sub(before.in_octets),
            out_packets: self.out_packets.wrapping_sub(before.out_packets),
            out_errors: self.out_errors.wrapping_sub(before.out_errors),
            out_octets: self.out_octets.wrapping_sub(before.out_octets),
            queue: self.queue.wrapping_sub(before.queue),
            drops: self.drops.wrapping_sub(before.drops),
        }
    }
}

/// The columns `-Cw` reads.
fn moving_columns(drops: bool) -> Vec<u32> {
    let mut c = vec![10, 16, 11, 12, 14, 17, 18, 20, 21];
    if drops {
        c.push(19);
    }
    c
}

/// The ifIndex of `-CI NAME`: the first row whose ifDescr, else ifName, else ifAlias is
/// exactly the name.
fn find(s: &mut Session, name: &str) -> Result<Option<u32>, Failed> {
    for root in [column(&IF_ENTRY, 2), column(&IF_X_ENTRY, 1), column(&IF_X_ENTRY, 18)] {
        for vb in s.walk(&root)? {
            if matches!(&vb.value, Value::OctetString(b) if b == name.as_bytes()) {
                return Ok(vb.oid.arcs().last().copied());
            }
        }
    }
    Ok(None)
}

fn poll(s: &mut Session, o: &Options, index: Option<u32>) -> Result<Totals, Failed> {
    let mut t = Totals::default();
    let columns = moving_columns(o.drops);
    match index {
        Some(index) => {
            let mut list: Vec<VarBind> = columns
                .iter()
                .map(|&c| VarBind::null(oid(&IF_ENTRY.iter().copied().chain([c, index]).collect::<Vec<_>>())))
                .collect();
            // snmpnetstat skips every value when the first is an exception; over SNMPv1 a
            // column the agent lacks is asked again without it.
            if s.round(Operation::Get, &mut list)? && list.first().is_some_and(|vb| !vb.value.is_exception())
            {
                for vb in list.iter().filter(|vb| !vb.value.is_exception() && vb.value != Value::Null) {
                    if let Some(&c) = vb.oid.arcs().get(IF_ENTRY.len()) {
                        t.add(c, c_ulong(integer(&vb.value)));
                    }
                }
            }
        }
        None => {
            for c in columns {
                for vb in s.walk(&column(&IF_ENTRY, c))? {
                    t.add(c, c_ulong(integer(&vb.value)));
                }
            }
        }
    }
    Ok(t)
}

/// `-Cw N`: a banner, then every N seconds a line of what moved since the poll before (the
/// first poll prints nothing), the banner again every 21 lines; `count` lines, or for ever.
pub(super) fn every(
    s: &mut Session,
    o: &Options,
    seconds: u64,
    count: Option<u64>,
    json: bool,
    out: &mut dyn std::io::Write,
) -> Shown {
    let index = match &o.interface {
        Some(name) => match find(s, name)? {
            Some(i) => Some(i),
            None => {
                eprintln!("{name}: unknown interface");
                return Ok(super::USAGE);
            }
        },
        None => None,
    };
    let banner = |out: &mut dyn std::io::Write| -> std::io::Result<()> {
        writeln!(
            out,
            "{:>17} {:>14} {:>16}",
            "input",
            o.interface.as_deref().unwrap_or("(Total)"),
            "output"
        )?;
        write!(
            out,
            "{:>10} {:>5} {:>10} {:>10} {:>5} {:>10} {:>5}",
            "packets", "errs", "bytes", "packets", "errs", "bytes", "colls"
        )?;
        if o.drops {
            write!(out, " {:>5.5}", "drops")?;
        }
        writeln!(out)?;
        out.flush()
    };
    if !json {
        banner(out)?;
    }
    let period = Duration::from_secs(seconds);
    let start = Instant::now();
    let mut before: Option<Totals> = None;
    let (mut lines, mut since_banner) = (0u64, 0u32);
    for polls in 1u32.. {
        let now = poll(s, o, index)?;
        if let Some(b) = before {
            let d = now.since(&b);
            if json {
                let mut v = serde_json::json!({
                    "interface": o.interface,
                    "seconds": seconds,
                    "in_packets": d.in_packets,
                    "in_errors": d.in_errors,
                    "in_octets": d.in_octets,
                    "out_packets": d.out_packets,
                    "out_errors": d.out_errors,
                    "out_octets": d.out_octets,
                    "out_queue": d.queue,
                });
                if o.drops
                    && let Some(m) = v.as_object_mut()
                {
                    m.insert("out_discards".into(), d.drops.into());
                }
                write_json(out, &v)?;
            } else {
                write!(
                    out,
                    "{:>10} {:>5} {:>10} {:>10} {:>5} {:>10} {:>5}",
                    d.in_packets,
                    d.in_errors,
                    d.in_octets,
                    d.out_packets,
                    d.out_errors,
                    d.out_octets,
                    d.queue
                )?;
                if o.drops {
                    write!(out, " {:>5}", d.drops)?;
                }
                writeln!(out)?;
            }
            out.flush()?;
            lines = lines.saturating_add(1);
            if count.is_some_and(|c| lines >= c) {
                break;
            }
        }
        before = Some(now);
        // snmpnetstat counts the first poll as a line too: the banner comes back after 21.
        since_banner = since_banner.saturating_add(1);
        if since_banner == 21 {
            since_banner = 0;
            if !json {
                banner(out)?;
            }
        }
        let next = start.checked_add(period.saturating_mul(polls)).unwrap_or(start);
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
    Ok(OK)
}

#[cfg(test)]
mod tests {
    use super::Totals;

    #[test]
    fn what_moved_adds_each_column_once_and_wraps_as_a_counter() {
        let mut before = Totals::default();
        for (column, n) in
            [(11, 10), (12, 5), (14, 1), (10, u64::MAX), (17, 7), (18, 3), (21, 2), (19, 4), (5, 99)]
        {
            before.add(column, n);
        }
        let mut now = Totals::default();
        for (column, n) in [(11, 20), (12, 6), (14, 1), (10, 9), (17, 7), (18, 13), (21, 2), (19, 6), (5, 1)]
        {
            now.add(column, n);
        }
        let d = now.since(&before);
        assert_eq!((d.in_packets, d.in_errors, d.in_octets), (11, 0, 10));
        assert_eq!((d.out_packets, d.out_errors, d.out_octets, d.queue, d.drops), (10, 0, 0, 0, 2));
    }
}
