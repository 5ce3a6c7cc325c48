//! Object names typed by people, to OIDs: `sysDescr.0`, `SNMPv2-MIB::sysDescr.0`,
//! `.iso.org.dod.internet.mgmt.mib-2.system`, `ifTable`, `IF-MIB::ifDescr.3`, and index syntax
//! such as `IP-MIB::ipAddressIfIndex.ipv4."127.0.0.1"` (enumeration labels of integer indexes,
//! `"…"` strings with their length, `'…'` strings without).
//!
//! ```
//! use snmpctl::mib::{input, shipped};
//! let arcs = input::parse_name(shipped(), r#"IP-MIB::ipAddressIfIndex.ipv4."10.0.0.1""#)?;
//! assert_eq!(arcs, [1, 3, 6, 1, 2, 1, 4, 34, 1, 3, 1, 4, 10, 0, 0, 1]);
//! let value = input::typed_value(shipped(), &[1, 3, 6, 1, 2, 1, 2, 2, 1, 7, 3], "down")?;
//! assert_eq!(value, snmpctl::Value::Integer(2)); // ifAdminStatus: down(2)
//! # Ok::<(), String>(())
//! ```

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

/// The object a value for `oid` is typed by: the deepest node on its path that has a simple
/// SYNTAX.
fn typed_node<'t>(tree: &'t Tree, oid: &[u32]) -> Option<&'t super::tree::Node> {
    let (id, _) = tree.find(oid)?;
    tree.node(id).filter(|n| {
        n.syntax
            .as_ref()
            .is_some_and(|s| !matches!(s.base, Base::None | Base::Sequence | Base::SequenceOf | Base::Null))
    })
}

fn ranges_text(ranges: &[(i64, i64)]) -> String {
    ranges
        .iter()
        .map(|&(a, b)| if a == b { a.to_string() } else { format!("{a}..{b}") })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// An INTEGER from its enumeration label (`down`, or `down(2)`) or its number; the number must
/// be one of the labels when there are labels, and inside the ranges when there are ranges.
fn integer(syntax: &super::tree::Syntax, text: &str) -> Result<i64, String> {
    let t = text.trim();
    let bare = t.split_once('(').map_or(t, |(l, _)| l);
    if let Some((v, _)) = syntax.enums.iter().find(|(_, l)| l.as_ref() == bare) {
        return Ok(*v);
    }
    let v: i64 = t.parse().map_err(|_| {
        if syntax.enums.is_empty() {
            format!("{t:?} is not a number")
        } else {
            let labels: Vec<String> = syntax.enums.iter().map(|(v, l)| format!("{l}({v})")).collect();
            format!("{t:?} is not one of {}", labels.join(", "))
        }
    })?;
    if !syntax.enums.is_empty() && !syntax.enums.iter().any(|(e, _)| *e == v) {
        let labels: Vec<String> = syntax.enums.iter().map(|(v, l)| format!("{l}({v})")).collect();
        return Err(format!("{v} is not one of {}", labels.join(", ")));
    }
    if !syntax.ranges.is_empty() && !syntax.ranges.iter().any(|&(a, b)| a <= v && v <= b) {
        return Err(format!("{v} is outside {}", ranges_text(&syntax.ranges)));
    }
    Ok(v)
}

/// Octets from text for an OCTET STRING: as typed for text (no DISPLAY-HINT, or one that
/// prints text such as `255a`), or hex octets separated by `:`, `-`, `.` or spaces for hints
/// that print numbers (`1x:` MAC addresses); `0x…` is hex in either case.
fn octets(syntax: &super::tree::Syntax, text: &str) -> Result<Vec<u8>, String> {
    if let Some(h) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        return crate::hex::decode(h).map_err(|_| format!("{text:?} is not hex"));
    }
    let numeric_hint = syntax.hint.as_deref().is_some_and(|h| {
        let mut digits = h.trim_start_matches(|c: char| c == '*' || c.is_ascii_digit()).chars();
        matches!(digits.next(), Some('x' | 'd' | 'o'))
    });
    if !numeric_hint {
        return Ok(text.as_bytes().to_vec());
    }
    let decimal = syntax.hint.as_deref().is_some_and(|h| h.contains('d'));
    text.split([':', '-', '.', ' '])
        .filter(|p| !p.is_empty())
        .map(|p| {
            if decimal { p.parse::<u8>().ok() } else { u8::from_str_radix(p, 16).ok() }
                .ok_or_else(|| format!("{p:?} is not an octet ({})", if decimal { "0-255" } else { "hex" }))
        })
        .collect()
}

/// A value for `oid` from text, typed by the MIB (snmpset's `=` type), checked against the
/// object's enumerations, ranges and sizes before anything is sent. Errors say what was wrong,
/// in words that follow Net-SNMP's "Value out of range (…)".
///
/// # Errors
/// The object has no type in the MIB, or the text does not fit it.
pub fn typed_value(tree: &Tree, oid: &[u32], text: &str) -> Result<crate::value::Value, String> {
    use crate::value::Value;
    let node = typed_node(tree, oid).ok_or("Bad variable type (\"=\"): the MIB gives this object no type")?;
    let syntax = node.syntax.as_ref().ok_or("no SYNTAX")?;
    let out_of_range = |detail: String| format!("Value out of range ({detail})");
    let unsigned = |t: &str| -> Result<u32, String> {
        let v: u32 = t
            .trim()
            .parse()
            .map_err(|_| out_of_range(format!("{t:?} is not a number from 0 to 4294967295")))?;
        let wide = i64::from(v);
        if !syntax.ranges.is_empty() && !syntax.ranges.iter().any(|&(a, b)| a <= wide && wide <= b) {
            return Err(out_of_range(format!("{v} is outside {}", ranges_text(&syntax.ranges))));
        }
        Ok(v)
    };
    Ok(match syntax.base {
        Base::Integer | Base::Integer32 => {
            let v = integer(syntax, text).map_err(out_of_range)?;
            Value::Integer(
                i32::try_from(v).map_err(|_| out_of_range(format!("{v} does not fit in 32 bits")))?,
            )
        }
        Base::Unsigned32 | Base::UInteger32 | Base::Gauge32 => Value::Gauge32(unsigned(text)?),
        Base::Counter32 => Value::Counter32(unsigned(text)?),
        Base::TimeTicks => Value::TimeTicks(unsigned(text)?),
        Base::Counter64 => Value::Counter64(
            text.trim()
                .parse()
                .map_err(|_| out_of_range(format!("{text:?} is not an unsigned 64-bit number")))?,
        ),
        Base::IpAddress | Base::NetworkAddress => Value::IpAddress(
            text.trim()
                .parse::<std::net::Ipv4Addr>()
                .map_err(|_| out_of_range(format!("{text:?} is not an IPv4 address")))?
                .octets(),
        ),
        Base::ObjectId => {
            let t = text.trim();
            let arcs = if t.trim_start_matches('.').chars().all(|c| c.is_ascii_digit() || c == '.') {
                t.trim_start_matches('.')
                    .split('.')
                    .filter(|p| !p.is_empty())
                    .map(|p| p.parse::<u32>().map_err(|_| format!("{p:?}")))
                    .collect::<Result<Vec<_>, _>>()
            } else {
                parse_name(tree, t)
            }
            .map_err(|e| format!("Unknown Object Identifier ({e})"))?;
            Value::ObjectIdentifier(crate::value::Oid::new(&arcs).map_err(|e| e.to_string())?)
        }
        Base::OctetString => {
            let bytes = octets(syntax, text).map_err(out_of_range)?;
            let len = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
            if !syntax.sizes.is_empty() && !syntax.sizes.iter().any(|&(a, b)| a <= len && len <= b) {
                return Err(out_of_range(format!("{len} octets, SIZE {}", ranges_text(&syntax.sizes))));
            }
            Value::OctetString(bytes)
        }
        Base::Bits => {
            let mut bits = Vec::new();
            for part in text.split([',', ' ']).filter(|p| !p.is_empty()) {
                let bare = part.split_once('(').map_or(part, |(l, _)| l);
                let bit = match syntax.enums.iter().find(|(_, l)| l.as_ref() == bare) {
                    Some((v, _)) => *v,
                    None => part
                        .trim()
                        .parse::<i64>()
                        .map_err(|_| out_of_range(format!("{part:?} is not a bit of this object")))?,
                };
                bits.push(u16::try_from(bit).map_err(|_| out_of_range(format!("bit {bit}")))?);
            }
            Value::OctetString(crate::value::bits_octets(bits))
        }
        Base::Opaque => return Err("Bad variable type (\"=\"): Opaque needs a type (U I F D)".into()),
        Base::None | Base::Sequence | Base::SequenceOf | Base::Null => {
            return Err("Bad variable type (\"=\"): the MIB gives this object no type".into());
        }
    })
}

/// The number an enumeration label of `oid`'s INTEGER stands for (snmpset's `i down`).
pub fn enum_number(tree: &Tree, oid: &[u32], label: &str) -> Option<i64> {
    let syntax = typed_node(tree, oid)?.syntax.as_ref()?;
    let bare = label.trim().split_once('(').map_or(label.trim(), |(l, _)| l);
    syntax.enums.iter().find(|(_, l)| l.as_ref() == bare).map(|(v, _)| *v)
}

#[cfg(test)]
mod value_tests {
    use super::*;
    use crate::value::Value;

    fn t() -> &'static Tree {
        crate::mib::shipped()
    }

    fn oid(name: &str) -> Vec<u32> {
        parse_name(t(), name).unwrap()
    }

    #[test]
    fn values_typed_by_the_mib() {
        assert_eq!(typed_value(t(), &oid("IF-MIB::ifAdminStatus.2"), "down"), Ok(Value::Integer(2)));
        assert_eq!(typed_value(t(), &oid("IF-MIB::ifAdminStatus.2"), "1"), Ok(Value::Integer(1)));
        assert!(
            typed_value(t(), &oid("IF-MIB::ifAdminStatus.2"), "7")
                .unwrap_err()
                .contains("7 is not one of up(1)")
        );
        assert!(
            typed_value(t(), &oid("IF-MIB::ifAdminStatus.2"), "bogus")
                .unwrap_err()
                .starts_with("Value out of range")
        );
        assert_eq!(
            typed_value(t(), &oid("SNMPv2-MIB::sysContact.0"), "me"),
            Ok(Value::OctetString(b"me".to_vec()))
        );
        let long = "x".repeat(256);
        assert_eq!(
            typed_value(t(), &oid("SNMPv2-MIB::sysContact.0"), &long),
            Err("Value out of range (256 octets, SIZE 0..255)".into())
        );
        assert_eq!(
            typed_value(t(), &oid("SNMPv2-MIB::sysServices.0"), "200"),
            Err("Value out of range (200 is outside 0..127)".into())
        );
        assert_eq!(
            typed_value(t(), &oid("IF-MIB::ifPhysAddress.1"), "0:c:29:1a:2b:3c"),
            Ok(Value::OctetString(vec![0, 0x0c, 0x29, 0x1a, 0x2b, 0x3c]))
        );
        assert_eq!(
            typed_value(t(), &oid("SNMPv2-MIB::sysORID.1"), "IF-MIB::ifMIB"),
            Ok(Value::ObjectIdentifier(crate::value::Oid::new(&oid("IF-MIB::ifMIB")).unwrap()))
        );
        assert!(
            typed_value(t(), &oid("SNMPv2-MIB::sysUpTime.0"), "5").is_err(),
            "sysUpTimeInstance has no type"
        );
        assert_eq!(typed_value(t(), &[1, 3, 6, 1, 2, 1, 1, 3], "5"), Ok(Value::TimeTicks(5)));
        assert_eq!(enum_number(t(), &oid("IF-MIB::ifAdminStatus.2"), "testing"), Some(3));
    }
}
