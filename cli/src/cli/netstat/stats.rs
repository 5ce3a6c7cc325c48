//! The protocol counters (`-Cs`): TCP-MIB's and UDP-MIB's scalars, IP-MIB's
//! ipSystemStatsTable (the 64-bit columns where the agent has them) for ip and ip6, its
//! icmpStatsTable and icmpMsgStatsTable for icmp and icmp6; with `-CL`, RFC 1213's ip and icmp
//! scalars instead.

use super::{Failed, Family, OK, Options, Session, Shown, c_int, integer, oid, write_json};
use snmpctl::client::Operation;
use snmpctl::msg::ErrorStatus;
use snmpctl::value::{Oid, Value, VarBind};

/// A scalar group's line: the object's number under the group, and its text, `%s` where the
/// plural's `s` goes (a number first, in 14 columns), or a label the number follows.
enum Line {
    Count(u32, &'static str),
    Labeled(u32, &'static str),
}

const TCP: [Line; 10] = [
    Line::Count(5, "active open%s"),
    Line::Count(6, "passive open%s"),
    Line::Count(7, "failed attempt%s"),
    Line::Count(8, "reset%s of established connections"),
    Line::Count(9, "currently established connection%s"),
    Line::Count(10, "segment%s received"),
    Line::Count(11, "segment%s sent"),
    Line::Count(12, "segment%s retransmitted"),
    Line::Count(14, "invalid segment%s received"),
    Line::Count(15, "reset%s sent"),
];

const UDP: [Line; 4] = [
    Line::Count(1, "total datagram%s received"),
    Line::Count(2, "datagram%s to invalid port"),
    Line::Count(3, "datagram%s dropped due to errors"),
    Line::Count(4, "output datagram request%s"),
];

const IP: [Line; 17] = [
    Line::Count(3, "total datagram%s received"),
    Line::Count(4, "datagram%s with header errors"),
    Line::Count(5, "datagram%s with an invalid destination address"),
    Line::Count(6, "datagram%s forwarded"),
    Line::Count(7, "datagram%s with unknown protocol"),
    Line::Count(8, "datagram%s discarded"),
    Line::Count(9, "datagram%s delivered"),
    Line::Count(10, "output datagram request%s"),
    Line::Count(11, "output datagram%s discarded"),
    Line::Count(12, "datagram%s with no route"),
    Line::Count(14, "fragment%s received"),
    Line::Count(15, "datagram%s reassembled"),
    Line::Count(16, "reassembly failure%s"),
    Line::Count(17, "datagram%s fragmented"),
    Line::Count(18, "fragmentation failure%s"),
    Line::Count(19, "fragment%s created"),
    Line::Count(23, "route%s discarded"),
];

const ICMP: [Line; 4] = [
    Line::Count(1, "total message%s received"),
    Line::Count(2, "message%s dropped due to errors"),
    Line::Count(14, "ouput message request%s"),
    Line::Count(15, "output message%s discarded"),
];

const ICMP_KINDS: [&str; 11] = [
    "Destination unreachable",
    "Time Exceeded",
    "Parameter Problem",
    "Source Quench",
    "Redirect",
    "Echo Request",
    "Echo Reply",
    "Timestamp Request",
    "Timestamp Reply",
    "Address Mask Request",
    "Address Mask Reply",
];

/// ipSystemStatsTable's lines: the 32-bit column, the 64-bit one (0: none), the text.
const SYSTEM_STATS: [(u32, u32, &str); 23] = [
    (3, 4, "datagrams input"),
    (5, 6, "octets received"),
    (7, 0, "hdr errors input"),
    (8, 0, "no routes input"),
    (9, 0, "address errors input"),
    (10, 0, "unknown protocol input"),
    (12, 13, "input datagrams forwarded"),
    (11, 0, "truncated datagrams input"),
    (14, 0, "input reassembly required"),
    (15, 0, "input reassemled OK"),
    (16, 0, "input reassembly failed"),
    (17, 0, "input datagrams discarded"),
    (18, 19, "input datagrams received"),
    (20, 21, "output datagram requests"),
    (22, 0, "output no route"),
    (23, 24, "datagrams forwarded"),
    (25, 0, "output datagrams discarded"),
    (26, 0, "output datagrams fragmentation required"),
    (27, 0, "output datagrams fragmented"),
    (28, 0, "output fragmentation failed"),
    (29, 0, "fragments created"),
    (30, 31, "datagrams transmitted"),
    (32, 33, "octets transmitted"),
];

const ICMP_STATS: [(u32, u32, &str); 4] =
    [(2, 0, "input messages"), (3, 0, "input errors"), (4, 0, "output messages"), (5, 0, "output errors")];

const ICMP_CODES: [(u32, &str); 16] = [
    (0, "Echo reply"),
    (3, "Destination unreachable"),
    (4, "Source quench"),
    (5, "Redirect"),
    (6, "Alternate host address"),
    (8, "Echo request"),
    (9, "Router advertisement"),
    (10, "Router selection"),
    (11, "Time exceeded"),
    (12, "Parameter problem"),
    (13, "Timestamp request"),
    (14, "Timestamp reply"),
    (15, "Information request"),
    (16, "Information reply"),
    (17, "Address mask request"),
    (18, "Address mask reply"),
];

const ICMP6_CODES: [(u32, &str); 34] = [
    (1, "Destination Unreachable"),
    (2, "Packet Too Big"),
    (3, "Time Exceeded"),
    (4, "Parameter Problem"),
    (100, "Private experimentation 100"),
    (101, "Private experimentation 101"),
    (127, "Reserved for expansion of ICMPv6 error messages"),
    (128, "Echo Request"),
    (129, "Echo Reply"),
    (130, "Multicast Listener Query"),
    (131, "Multicast Listener Report"),
    (132, "Multicast Listener Done"),
    (133, "Router Solicitation"),
    (134, "Router Advertisement"),
    (135, "Neighbor Solicitation"),
    (136, "Neighbor Advertisement"),
    (137, "Redirect Message"),
    (138, "Router Renumbering"),
    (139, "ICMP Node Information Query"),
    (140, "ICMP Node Information Response"),
    (141, "Inverse Neighbor Discovery Solicitation Message"),
    (142, "Inverse Neighbor Discovery Advertisement Message"),
    (143, "Version 2 Multicast Listener Report"),
    (144, "Home Agent Address Discovery Request Message"),
    (145, "Home Agent Address Discovery Reply Message"),
    (146, "Mobile Prefix Solicitation"),
    (147, "Mobile Prefix Advertisement"),
    (148, "Certification Path Solicitation Message"),
    (149, "Certification Path Advertisement Message"),
    (151, "Multicast Router Advertisement"),
    (152, "Multicast Router Solicitation"),
    (153, "Multicast Router Termination"),
    (154, "FMIPv6 Messages"),
    (155, "RPL Control Message"),
];

/// ipSystemStatsEntry, icmpStatsEntry, icmpMsgStatsEntry.
const IP_SYSTEM_STATS_ENTRY: [u32; 10] = [1, 3, 6, 1, 2, 1, 4, 31, 1, 1];
const ICMP_STATS_ENTRY: [u32; 9] = [1, 3, 6, 1, 2, 1, 5, 29, 1];
const ICMP_MSG_STATS_ENTRY: [u32; 9] = [1, 3, 6, 1, 2, 1, 5, 30, 1];

/// The text and JSON being written.
struct Report<'a> {
    o: &'a Options,
    text: String,
    doc: serde_json::Map<String, serde_json::Value>,
}

impl Report<'_> {
    fn key(label: &str) -> String {
        label.replace("%s", "s").trim().replace([' ', ':'], "_").to_lowercase()
    }

    /// A scalar group, as snmpnetstat's `_dump_stats`: one Get of every object; nothing when
    /// the agent answers with an error, else the title and each number it has (those above 0
    /// with `-Css`).
    fn scalars(&mut self, s: &Session, title: &str, group: &[u32], lines: &[Line]) -> Result<(), Failed> {
        let number = |l: &Line| match l {
            Line::Count(n, _) | Line::Labeled(n, _) => *n,
        };
        let mut list: Vec<VarBind> = lines
            .iter()
            .map(|l| VarBind::null(oid(&group.iter().copied().chain([number(l), 0]).collect::<Vec<_>>())))
            .collect();
        // Over SNMPv1 an object the agent lacks fails the Get: asked again without it, as
        // snmpnetstat's query layer does (which then prints a line of garbage for the slot the
        // answer left: this prints nothing there).
        if !s.round(Operation::Get, &mut list)? {
            return Ok(());
        }
        self.text.push_str(&format!("{title}:\n"));
        let mut json = serde_json::Map::new();
        for line in lines {
            let Some(vb) = list.iter().find(|vb| vb.oid.arcs().get(group.len()) == Some(&number(line)))
            else {
                continue;
            };
            // An exception, or a slot the answer did not fill (SNMPv1, asked again without
            // an object).
            if vb.value.is_exception() || vb.value == Value::Null {
                continue;
            }
            let n = integer(&vb.value);
            if n <= 0 && self.o.stats != 1 {
                continue;
            }
            // `%14lu`, with `plural(int)`.
            let (c, plural) = (super::c_ulong(n), if c_int(n) != 1 { "s" } else { "" });
            match line {
                Line::Count(_, text) => {
                    self.text.push_str(&format!("{c:>14} {}\n", text.replace("%s", plural)));
                    json.insert(Self::key(text), n.into());
                }
                Line::Labeled(_, label) => {
                    self.text.push_str(&format!("        {label}: {c}\n"));
                    json.insert(Self::key(label), n.into());
                }
            }
        }
        self.merge(title, json);
        Ok(())
    }

    fn merge(&mut self, title: &str, json: serde_json::Map<String, serde_json::Value>) {
        let key = Self::key(title);
        match self.doc.get_mut(&key) {
            Some(serde_json::Value::Object(m)) => m.extend(json),
            _ => {
                self.doc.insert(key, serde_json::Value::Object(json));
            }
        }
    }

    /// A row of a statistics table, as snmpnetstat's `statsprint`: each line's 64-bit column
    /// where the Get of it succeeds, else the 32-bit one; `-` for what the agent does not have.
    fn table(
        &mut self,
        s: &Session,
        title: &str,
        entry: &[u32],
        row: u32,
        lines: &[(u32, u32, &str)],
    ) -> Result<(), Failed> {
        let at = |c: u32| oid(&entry.iter().copied().chain([c, row]).collect::<Vec<_>>());
        let first: Vec<Option<VarBind>> = get_each(
            s,
            &lines.iter().map(|&(c, hc, _)| at(if hc != 0 { hc } else { c })).collect::<Vec<_>>(),
        )?;
        self.text.push_str(&format!("{title}:\n"));
        let mut json = serde_json::Map::new();
        for (&(c, hc, label), got) in lines.iter().zip(first) {
            let got = match got {
                None if hc != 0 => get_each(s, &[at(c)])?.pop().flatten(),
                other => other,
            };
            let key = Self::key(label);
            match got.map(|vb| vb.value) {
                Some(Value::Counter32(n)) => {
                    if n > 0 || self.o.stats == 1 {
                        self.text.push_str(&format!("{n:>14} {label}\n"));
                        json.insert(key, n.into());
                    }
                }
                Some(Value::Counter64(n)) => {
                    if n > 0 || self.o.stats == 1 {
                        self.text.push_str(&format!("{n:>14} {label}\n"));
                        json.insert(key, n.into());
                    }
                }
                _ => {
                    self.text.push_str(&format!("{:>14} {label}\n", "-"));
                    json.insert(key, serde_json::Value::Null);
                }
            }
        }
        self.merge(title, json);
        Ok(())
    }

    /// icmpMsgStatsTable's counts of one IP version by message type, as snmpnetstat's
    /// `prhisto`: the types the agent has, those with a count (or all, without `-Css`).
    fn histogram(&mut self, title: &str, walked: &[VarBind], version: u32, codes: &[(u32, &str)]) {
        self.text.push_str(&format!("     {title} histogram:\n"));
        self.text.push_str(&format!("     {:>10} {:>10} {}\n", "input", "output", "type"));
        let mut rows = Vec::new();
        for code in 0..256u32 {
            let (mut input, mut output, mut found) = (0u64, 0u64, 0u8);
            for vb in walked {
                if found == 2 {
                    break;
                }
                let a = vb.oid.arcs();
                if a.get(11) == Some(&code) && a.get(10) == Some(&version) {
                    let n = super::c_ulong(integer(&vb.value));
                    if a.get(9) == Some(&3) {
                        input = n;
                    } else {
                        output = n;
                    }
                    found = found.saturating_add(1);
                }
            }
            if found > 0 && (input != 0 || output != 0 || self.o.stats == 1) {
                let name = codes
                    .iter()
                    .find(|(c, _)| *c == code)
                    .map_or_else(|| format!("type {code}"), |(_, n)| (*n).to_owned());
                self.text.push_str(&format!("     {input:>10} {output:>10} {name}\n"));
                rows.push(
                    serde_json::json!({ "type": code, "name": name, "input": input, "output": output }),
                );
            }
        }
        self.merge(
            title,
            serde_json::Map::from_iter([("histogram".to_owned(), serde_json::Value::Array(rows))]),
        );
    }
}

/// Gets of these OIDs, each `None` where the agent answers with an error: all in one request
/// over SNMPv2c and v3 (where a missing object is an exception, not an error), one by one
/// over SNMPv1 or when that request fails.
fn get_each(s: &Session, oids: &[Oid]) -> Result<Vec<Option<VarBind>>, Failed> {
    if !s.v1 && oids.len() > 1 {
        let pdu = s.request(Operation::Get, oids)?;
        if pdu.error_status == ErrorStatus::NO_ERROR && pdu.varbinds.len() == oids.len() {
            return Ok(pdu.varbinds.into_iter().map(Some).collect());
        }
    }
    let mut out = Vec::with_capacity(oids.len());
    for o in oids {
        let pdu = s.request(Operation::Get, std::slice::from_ref(o))?;
        out.push(
            (pdu.error_status == ErrorStatus::NO_ERROR).then(|| pdu.varbinds.into_iter().next()).flatten(),
        );
    }
    Ok(out)
}

pub(super) fn show(s: &mut Session, o: &Options, json: bool, out: &mut dyn std::io::Write) -> Shown {
    let mut r = Report { o, text: String::new(), doc: serde_json::Map::new() };
    report(s, o, &mut r)?;
    if json {
        write_json(out, &serde_json::Value::Object(r.doc))?;
    } else {
        out.write_all(r.text.as_bytes())?;
    }
    Ok(OK)
}

fn report(s: &mut Session, o: &Options, r: &mut Report<'_>) -> Result<(), Failed> {
    const TCP_GROUP: [u32; 7] = [1, 3, 6, 1, 2, 1, 6];
    const UDP_GROUP: [u32; 7] = [1, 3, 6, 1, 2, 1, 7];
    const IP_GROUP: [u32; 7] = [1, 3, 6, 1, 2, 1, 4];
    const ICMP_GROUP: [u32; 7] = [1, 3, 6, 1, 2, 1, 5];
    if o.legacy {
        let order = if o.family == Some(Family::Inet) {
            vec!["tcp", "udp", "ip", "icmp"]
        } else {
            super::names::legacy_order()
        };
        for p in order {
            match p {
                "tcp" => r.scalars(s, "tcp", &TCP_GROUP, &TCP)?,
                "udp" => r.scalars(s, "udp", &UDP_GROUP, &UDP)?,
                "ip" => r.scalars(s, "ip", &IP_GROUP, &IP)?,
                _ => {
                    r.scalars(s, "icmp", &ICMP_GROUP, &ICMP)?;
                    let input: Vec<Line> =
                        ICMP_KINDS.iter().zip(3u32..).map(|(k, n)| Line::Labeled(n, k)).collect();
                    let output: Vec<Line> =
                        ICMP_KINDS.iter().zip(16u32..).map(|(k, n)| Line::Labeled(n, k)).collect();
                    r.scalars(s, "    Input Histogram", &ICMP_GROUP, &input)?;
                    r.scalars(s, "    Output Histogram", &ICMP_GROUP, &output)?;
                }
            }
        }
        return Ok(());
    }
    let wants = |p: &str| o.protocol.is_none_or(|w| w == p);
    if wants("tcp") {
        r.scalars(s, "tcp", &TCP_GROUP, &TCP)?;
    }
    if wants("udp") {
        r.scalars(s, "udp", &UDP_GROUP, &UDP)?;
    }
    for (name, version) in [("ip", 1), ("ip6", 2)] {
        if wants(name) {
            r.table(s, name, &IP_SYSTEM_STATS_ENTRY, version, &SYSTEM_STATS)?;
        }
    }
    if wants("icmp") || wants("icmp6") {
        let (walked, end_of_mib) = s.walk_to_end(&oid(&ICMP_MSG_STATS_ENTRY))?;
        // snmpnetstat takes a walk that ends in SNMPv1's noSuchName for a failure: it shows no
        // histogram, not even its title (this does when there were rows).
        let histogram = !(end_of_mib && walked.is_empty());
        if wants("icmp") {
            r.table(s, "icmp", &ICMP_STATS_ENTRY, 1, &ICMP_STATS)?;
            if histogram {
                r.histogram("icmp", &walked, 1, &ICMP_CODES);
            }
        }
        if wants("icmp6") {
            r.table(s, "icmp6", &ICMP_STATS_ENTRY, 2, &ICMP_STATS)?;
            if histogram {
                r.histogram("icmp6", &walked, 2, &ICMP6_CODES);
            }
        }
    }
    Ok(())
}
