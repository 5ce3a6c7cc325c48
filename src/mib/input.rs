//! Object names typed by people, to OIDs: `sysDescr.0`, `SNMPv2-MIB::sysDescr.0`,
//! `.iso.org.dod.internet.mgmt.mib-2.system`, `ifTable`, `IF-MIB::ifDescr.3`, and index syntax
//! such as `IP-MIB::ipAddressIfIndex.ipv4."127.0.0.1"` (enumeration labels of integer indexes,
//! `"…"` strings with their length, `'…'` strings without).

use super::tree::{Base, NodeId, Symbol, Tree};

enum Part {
    Number(u32),
    Label(String),
    /// A quoted string; `true` for double quotes (length-prefixed unless IMPLIED).
    Quoted(Vec<u8>, bool),
}

fn split(text: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            '.' => {
                chars.next();
            }
            '"' | '\'' => {
                chars.next();
                let mut s = String::new();
                let mut closed = false;
                while let Some(n) = chars.next() {
                    if n == '\\' {
                        if let Some(e) = chars.next() {
                            s.push(e);
                        }
                        continue;
                    }
                    if n == c {
                        closed = true;
                        break;
                    }
                    s.push(n);
                }
                if !closed {
                    return Err(format!("unterminated {c} string"));
                }
                parts.push(Part::Quoted(s.into_bytes(), c == '"'));
            }
            _ => {
                let mut word = String::new();
                while let Some(&n) = chars.peek() {
                    if n == '.' || n == '"' || n == '\'' {
                        break;
                    }
                    word.push(n);
                    chars.next();
                }
                if word.chars().all(|d| d.is_ascii_digit()) {
                    let n = word
                        .parse::<u32>()
                        .map_err(|_| format!("sub-identifier {word} is above 4294967295"))?;
                    parts.push(Part::Number(n));
                } else {
                    parts.push(Part::Label(word));
                }
            }
        }
    }
    Ok(parts)
}

/// Resolves a name to OID arcs. Errors say which part was not found.
pub fn parse_name(tree: &Tree, text: &str) -> Result<Vec<u32>, String> {
    let (module, rest) = match text.split_once("::") {
        Some((m, r)) => (Some(m), r),
        None => (None, text),
    };
    let absolute = module.is_none() && rest.starts_with('.');
    let parts = split(rest)?;
    let mut arcs: Vec<u32> = Vec::new();
    let mut at: Option<NodeId> = None;
    let mut iter = parts.into_iter().peekable();
    // The starting node.
    match (module, iter.peek()) {
        (Some(m), Some(Part::Label(label))) => {
            let Some(mid) = tree.module_id(m) else {
                return Err(format!("Cannot find module ({m})"));
            };
            let found = match tree.symbol(mid, label) {
                Some(Symbol::Node(n)) => Some(n),
                _ => None,
            };
            let Some(n) = found else {
                return Err(format!("Unknown Object Identifier ({m}::{label})"));
            };
            at = Some(n);
            arcs = tree.oid_of(n);
            iter.next();
        }
        (Some(m), _) => return Err(format!("{m}:: must be followed by an object name")),
        (None, Some(Part::Label(label))) if !absolute => {
            let Some(n) = tree.node_named(label) else {
                return Err(format!("Unknown Object Identifier ({label})"));
            };
            at = Some(n);
            arcs = tree.oid_of(n);
            iter.next();
        }
        _ => {}
    }
    // The row whose INDEX the rest is read by, once the rest leaves the tree.
    let mut index: Option<(NodeId, usize)> = None;
    let mut in_tree = true;
    for part in iter {
        if in_tree {
            match &part {
                Part::Number(n) => {
                    if let Some(c) = tree.child(at, *n) {
                        at = Some(c);
                        arcs.push(*n);
                        continue;
                    }
                }
                Part::Label(l) => {
                    let list = match at {
                        None => &tree.roots,
                        Some(a) => tree.node(a).map(|n| &n.children).unwrap_or(&tree.roots),
                    };
                    if let Some(&c) = list.iter().find(|&&c| tree.node(c).is_some_and(|n| n.label == *l)) {
                        at = Some(c);
                        arcs.push(tree.node(c).map_or(0, |n| n.subid));
                        continue;
                    }
                }
                Part::Quoted(..) => {}
            }
            in_tree = false;
            index = at.and_then(|a| tree.row_of(a)).map(|r| (r, 0));
        }
        let object = index.and_then(|(row, i)| tree.node(row).and_then(|r| r.index.get(i)).copied());
        let syntax = object.and_then(|(o, _)| tree.node(o)).and_then(|n| n.syntax.as_ref());
        match part {
            Part::Number(n) => arcs.push(n),
            Part::Label(l) => {
                let value =
                    syntax.and_then(|s| s.enums.iter().find(|(_, label)| *label == l)).map(|(v, _)| *v);
                match value.and_then(|v| u32::try_from(v).ok()) {
                    Some(v) => arcs.push(v),
                    None => {
                        return Err(format!(
                            "Unknown Object Identifier ({text}): {l} is not a known name here"
                        ));
                    }
                }
            }
            Part::Quoted(bytes, double) => {
                // An InetAddress index written as an address, as Net-SNMP prints it.
                let inet = syntax
                    .and_then(|s| s.named)
                    .and_then(|t| tree.type_def(t))
                    .is_some_and(|t| t.name == "InetAddress");
                let bytes = if inet { inet_bytes(&bytes).unwrap_or(bytes) } else { bytes };
                let implied = object.is_some_and(|(_, implied)| implied);
                let fixed = syntax.is_some_and(|s| {
                    s.base == Base::OctetString && matches!(s.sizes.as_slice(), [(a, b)] if a == b)
                });
                if double && !implied && !fixed {
                    arcs.push(u32::try_from(bytes.len()).unwrap_or(u32::MAX));
                }
                arcs.extend(bytes.iter().map(|&b| u32::from(b)));
            }
        }
        if let Some((row, i)) = index {
            index = Some((row, i.saturating_add(1)));
        }
    }
    if arcs.is_empty() {
        return Err(format!("{text}: no object identifier"));
    }
    Ok(arcs)
}

/// `127.0.0.1`, `fe:80:00:…` (16 hex octets, as printed) or any IPv6 text, as address octets.
fn inet_bytes(text: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(text).ok()?;
    if let Ok(v4) = text.parse::<std::net::Ipv4Addr>() {
        return Some(v4.octets().to_vec());
    }
    let hex: Option<Vec<u8>> =
        text.split(':').map(|p| u8::from_str_radix(p, 16).ok().filter(|_| p.len() <= 2)).collect();
    if let Some(octets) = hex.filter(|o| o.len() == 16) {
        return Some(octets);
    }
    text.parse::<std::net::Ipv6Addr>().ok().map(|v6| v6.octets().to_vec())
}
