//! Names and values as Net-SNMP 5.9 prints them with MIBs loaded.
//!
//! Names: the labels down to the deepest known node, then the rest of the OID. When a node on
//! the way is a table row (INDEX or AUGMENTS), the rest is broken down by its index objects:
//! integers (enumeration labels where defined), IpAddress as `a.b.c.d`, length-prefixed strings
//! in double quotes, IMPLIED and fixed-size strings in single quotes (octets that are not
//! printable as `.`), InetAddress as an address, OIDs as names. `-Ob` turns the breakdown off,
//! `-OX` brackets each index.
//!
//! ```
//! use snmpctl::format::output::{MibRef, OutputOptions};
//! let options = OutputOptions { mib: Some(MibRef(snmpctl::mib::shipped())), ..OutputOptions::default() };
//! let mut name = String::new();
//! snmpctl::format::mib::write_name(&mut name, snmpctl::mib::shipped(), &[1, 3, 6, 1, 2, 1, 4, 20, 1, 2, 10, 0, 0, 1], &options);
//! assert_eq!(name, "IP-MIB::ipAdEntIfIndex.10.0.0.1");
//! ```

use core::fmt::Write as _;

use crate::format::output::{OidFormat, OutputOptions, push_text_octets};
use crate::mib::tree::{Base, NO_MODULE, Node, NodeId, Tree};
use crate::value::Value;

/// Appends `arcs` as a name under `options` (not for `-On`, which needs no MIB).
pub fn write_name(out: &mut String, tree: &Tree, arcs: &[u32], options: &OutputOptions) {
    let mut path: Vec<NodeId> = Vec::new();
    let mut at = None;
    let mut index_of: Option<NodeId> = None;
    for &arc in arcs {
        let Some(c) = tree.child(at, arc) else { break };
        path.push(c);
        at = Some(c);
        if let Some(n) = tree.node(c) {
            if !n.index.is_empty() {
                index_of = Some(c);
            } else if n.augments.and_then(|a| tree.node(a)).is_some_and(|a| !a.index.is_empty()) {
                index_of = n.augments;
            }
        }
    }
    // Anonymous nodes (no definition names them) print as their numbers; the module printed is
    // still the deepest node's, as Net-SNMP prints it (`SFLOW-MIB::enterprises.4300`).
    let deepest = path.last().copied();
    while path.last().and_then(|&id| tree.node(id)).is_some_and(Node::is_anonymous) {
        path.pop();
    }
    let depth = path.len();
    let rest = arcs.get(depth..).unwrap_or_default();
    let Some(&last) = path.last() else {
        // Nothing known: numbers only.
        if matches!(options.oid_format, OidFormat::Full) {
            out.push('.');
        }
        push_arcs(out, arcs, false);
        return;
    };
    match options.oid_format {
        OidFormat::Full | OidFormat::Ucd => {
            let mut full = String::new();
            for &id in &path {
                full.push('.');
                match tree.node(id) {
                    Some(n) if n.is_anonymous() => {
                        let _ = write!(full, "{}", n.subid);
                    }
                    Some(n) => full.push_str(&n.label),
                    None => {}
                }
            }
            if options.oid_format == OidFormat::Ucd {
                const PREFIXES: [&str; 5] = [
                    ".iso.org.dod.internet.mgmt.mib-2",
                    ".iso.org.dod.internet.experimental",
                    ".iso.org.dod.internet.private",
                    ".iso.org.dod.internet.snmpParties",
                    ".iso.org.dod.internet.snmpSecrets",
                ];
                let cut = PREFIXES
                    .iter()
                    .find(|p| full.len() > p.len() && full.starts_with(*p))
                    .map_or(0, |p| p.len().saturating_add(1));
                out.push_str(full.get(cut..).unwrap_or_default());
            } else {
                out.push_str(&full);
            }
        }
        _ => {
            let node = tree.node(last);
            let module_of = deepest.and_then(|d| tree.node(d)).filter(|d| d.module != NO_MODULE).or(node);
            if options.oid_format == OidFormat::Module
                && let Some(m) =
                    module_of.and_then(|n| if n.module == NO_MODULE { None } else { tree.module(n.module) })
            {
                out.push_str(&m.name);
                out.push_str("::");
            }
            out.push_str(node.map_or("", |n| n.label.as_ref()));
        }
    }
    // A column the MIB does not define, under a row: its number, then the index broken down
    // by the row's INDEX, as Net-SNMP prints it (`IP-MIB::ipIfStatsEntry.22.ipv4.1`).
    let mut rest = rest;
    if index_of.is_some()
        && tree.node(last).is_some_and(|n| !n.index.is_empty() || n.augments.is_some())
        && let Some((column, after)) = rest.split_first()
    {
        let _ = write!(out, ".{column}");
        rest = after;
    }
    write_index(out, tree, index_of, rest, options);
}

fn push_arcs(out: &mut String, arcs: &[u32], leading_dot: bool) {
    for (i, a) in arcs.iter().enumerate() {
        if i > 0 || leading_dot {
            out.push('.');
        }
        let _ = write!(out, "{a}");
    }
}

/// The rest of an OID after the deepest known node, broken down by `row`'s INDEX.
fn write_index(
    out: &mut String,
    tree: &Tree,
    row: Option<NodeId>,
    mut rest: &[u32],
    options: &OutputOptions,
) {
    let breakdown = !options.no_index_breakdown;
    let mut pieces = String::new();
    if let (Some(row), true) = (row.and_then(|r| tree.node(r)), breakdown) {
        for &(object, implied) in &row.index {
            if rest.is_empty() {
                break;
            }
            let Some(obj) = tree.node(object) else { break };
            let Some(used) = index_piece(&mut pieces, tree, obj, implied, rest, options) else {
                break;
            };
            rest = rest.get(used..).unwrap_or_default();
        }
    }
    out.push_str(&pieces);
    push_arcs(out, rest, true);
}

/// One index value; returns how many arcs it took, or `None` when they do not fit its type.
fn index_piece(
    out: &mut String,
    tree: &Tree,
    obj: &Node,
    implied: bool,
    arcs: &[u32],
    options: &OutputOptions,
) -> Option<usize> {
    let extended = options.extended_index;
    let syntax = obj.syntax.as_ref()?;
    let mut piece = String::new();
    let used = match syntax.base {
        Base::OctetString => {
            let fixed = match syntax.sizes.as_slice() {
                [(lo, hi)] if lo == hi => usize::try_from(*lo).ok(),
                _ => None,
            };
            let (start, len): (usize, usize) = if implied {
                (0, arcs.len())
            } else if let Some(n) = fixed {
                (0, n)
            } else {
                (1, usize::try_from(*arcs.first()?).ok()?)
            };
            let end = start.checked_add(len)?;
            let bytes = arcs.get(start..end)?;
            let inet = syntax.named.and_then(|t| tree.type_def(t)).is_some_and(|t| t.name == "InetAddress");
            let hint = syntax.hint.as_deref().filter(|_| extended);
            let octets: Option<Vec<u8>> = bytes.iter().map(|&b| u8::try_from(b).ok()).collect();
            if let (Some(hint), Some(octets)) = (hint, octets) {
                // -OX prints a hinted string index as its value would print.
                if !(options.quick || options.quick_equals) {
                    piece.push_str("STRING: ");
                }
                hinted_octets(&mut piece, &octets, hint, options);
            } else if inet && start == 1 && inet_address(&mut piece, bytes) {
            } else {
                let quote = if start == 1 { '"' } else { '\'' };
                oid_to_string(&mut piece, bytes, quote, options.escape_quotes);
            }
            end
        }
        Base::Integer
        | Base::Integer32
        | Base::Unsigned32
        | Base::UInteger32
        | Base::Gauge32
        | Base::Counter32 => {
            let v = *arcs.first()?;
            match syntax.enums.iter().find(|(n, _)| *n == i64::from(v)) {
                Some((_, label)) => piece.push_str(label),
                None => {
                    let _ = write!(piece, "{v}");
                }
            }
            1
        }
        Base::TimeTicks => {
            let _ = write!(piece, "{}", arcs.first()?);
            1
        }
        Base::ObjectId => {
            let (start, len): (usize, usize) =
                if implied { (0, arcs.len()) } else { (1, usize::try_from(*arcs.first()?).ok()?) };
            let end = start.checked_add(len)?;
            let sub = arcs.get(start..end)?;
            if extended {
                // -OX names what an OID index points to, in the chosen style.
                write_name(&mut piece, tree, sub, &OutputOptions { extended_index: false, ..*options });
            } else {
                // Otherwise Net-SNMP prints its arcs, with the length first.
                push_arcs(&mut piece, arcs.get(..end)?, false);
            }
            end
        }
        Base::IpAddress => {
            let a = arcs.get(..4)?;
            let _ = write!(piece, "{}.{}.{}.{}", a.first()?, a.get(1)?, a.get(2)?, a.get(3)?);
            4
        }
        Base::NetworkAddress => {
            let kind = *arcs.first()?;
            let a = arcs.get(1..5).filter(|_| kind == 1)?;
            let _ = write!(piece, "{kind}.{}.{}.{}.{}", a.first()?, a.get(1)?, a.get(2)?, a.get(3)?);
            5
        }
        _ => return None,
    };
    if extended {
        out.push('[');
        out.push_str(&piece);
        out.push(']');
    } else {
        out.push('.');
        out.push_str(&piece);
    }
    Some(used)
}

/// An index string: each arc as a character, `.` for what is not printable, between quotes.
/// Net-SNMP escapes nothing inside (`"q"x"`); `-OE` puts a backslash before each enclosing
/// quote, for shells (`\"q"x\"`).
fn oid_to_string(out: &mut String, arcs: &[u32], quote: char, escape_quotes: bool) {
    if escape_quotes {
        out.push('\\');
    }
    out.push(quote);
    for &a in arcs {
        let c = u8::try_from(a).ok().filter(|b| b.is_ascii_graphic() || *b == b' ').map_or('.', char::from);
        out.push(c);
    }
    if escape_quotes {
        out.push('\\');
    }
    out.push(quote);
}

/// An InetAddress index: IPv4 dotted, IPv6 as colon-separated hex octets, in double quotes.
fn inet_address(out: &mut String, bytes: &[u32]) -> bool {
    let octets: Option<Vec<u8>> = bytes.iter().map(|&b| u8::try_from(b).ok()).collect();
    let Some(octets) = octets else { return false };
    // ipv4z and ipv6z carry a 4-octet zone index after the address (RFC 4001), printed after
    // a `%` as one big-endian number, as Net-SNMP prints it.
    let zone = |z: &[u8]| z.iter().fold(0u64, |n, &b| n.wrapping_mul(256).wrapping_add(u64::from(b)));
    match octets.as_slice() {
        [a, b, c, d] => {
            let _ = write!(out, "\"{a}.{b}.{c}.{d}\"");
        }
        [a, b, c, d, z @ ..] if z.len() == 4 => {
            let _ = write!(out, "\"{a}.{b}.{c}.{d}%{}\"", zone(z));
        }
        all if all.len() == 16 || all.len() == 20 => {
            out.push('"');
            for (i, o) in all.iter().take(16).enumerate() {
                if i > 0 {
                    out.push(':');
                }
                let _ = write!(out, "{o:02x}");
            }
            if let Some(z) = all.get(16..)
                && !z.is_empty()
            {
                let _ = write!(out, "%{}", zone(z));
            }
            out.push('"');
        }
        _ => return false,
    }
    true
}

/// Appends `value` printed by `node`'s MIB type, as Net-SNMP does once it knows the object.
/// Returns false, having written nothing, when the MIB has no printer for it (no SYNTAX, or an
/// exception value); the caller then prints it by its own type.
pub fn write_value(out: &mut String, node: &Node, value: &Value, options: &OutputOptions) -> bool {
    let Some(syntax) = node.syntax.as_ref() else { return false };
    if matches!(value, Value::NoSuchObject | Value::NoSuchInstance | Value::EndOfMibView) {
        return false;
    }
    let quick = options.quick || options.quick_equals;
    let (fits, should_be) = match syntax.base {
        Base::Integer | Base::Integer32 => (matches!(value, Value::Integer(_)), "INTEGER"),
        Base::OctetString => (matches!(value, Value::OctetString(_)), "OCTET STRING"),
        Base::Bits => (matches!(value, Value::OctetString(_)), "BITS"),
        Base::ObjectId => (matches!(value, Value::ObjectIdentifier(_)), "OBJECT IDENTIFIER"),
        Base::IpAddress => (matches!(value, Value::IpAddress(_)), "IpAddress"),
        Base::NetworkAddress => (matches!(value, Value::IpAddress(_)), "NetworkAddress"),
        Base::Counter32 => (matches!(value, Value::Counter32(_)), "Counter32"),
        Base::Gauge32 | Base::Unsigned32 | Base::UInteger32 => {
            (matches!(value, Value::Gauge32(_)), "Gauge32 or Unsigned32")
        }
        Base::TimeTicks => (matches!(value, Value::TimeTicks(_)), "Timeticks"),
        Base::Opaque => (matches!(value, Value::Opaque(_)), "Opaque"),
        Base::Counter64 => (matches!(value, Value::Counter64(_)), "Counter64"),
        Base::Null => (matches!(value, Value::Null), "NULL"),
        Base::None | Base::Sequence | Base::SequenceOf => return false,
    };
    if !fits {
        if !options.quick_equals {
            out.push_str("Wrong Type (should be ");
            out.push_str(should_be);
            out.push_str("): ");
        }
        crate::format::output::write_plain_value(out, value, options);
        return true;
    }
    let units = node.units.as_deref().filter(|_| !options.no_units);
    let prefix = |out: &mut String, p: &str| {
        if !quick {
            out.push_str(p);
        }
    };
    match (syntax.base, value) {
        // SMIv1's NetworkAddress, as Net-SNMP prints it: `Network Address: 0A:01:64:01`.
        (Base::NetworkAddress, Value::IpAddress(octets)) => {
            prefix(out, "Network Address: ");
            for (i, b) in octets.iter().enumerate() {
                let _ = write!(out, "{}{b:02X}", if i == 0 { "" } else { ":" });
            }
        }
        (Base::Integer | Base::Integer32, Value::Integer(v)) => {
            prefix(out, "INTEGER: ");
            let label = syntax.enums.iter().find(|(n, _)| *n == i64::from(*v)).map(|(_, l)| l);
            match (label, options.numeric_enums) {
                (Some(label), false) if quick => out.push_str(label),
                (Some(label), false) => {
                    let _ = write!(out, "{label}({v})");
                }
                _ => match syntax.hint.as_deref() {
                    Some(hint) if hinted_integer(out, i64::from(*v), hint) => {}
                    _ => {
                        let _ = write!(out, "{v}");
                    }
                },
            }
        }
        (Base::Gauge32 | Base::Unsigned32 | Base::UInteger32, Value::Gauge32(v)) => {
            prefix(out, "Gauge32: ");
            match syntax.hint.as_deref() {
                Some(hint) if hinted_integer(out, i64::from(*v), hint) => {}
                _ => {
                    let _ = write!(out, "{v}");
                }
            }
        }
        (Base::OctetString, Value::OctetString(bytes)) => {
            // A DISPLAY-HINT wins over -Ox and -Oa, as in Net-SNMP.
            match syntax.hint.as_deref() {
                Some(hint) => {
                    prefix(out, "STRING: ");
                    hinted_octets(out, bytes, hint, options);
                }
                None => crate::format::output::write_plain_value(out, value, options),
            }
        }
        (Base::Bits, Value::OctetString(bytes)) if quick => {
            // Quick print: the octets in quotes, no labels, as Net-SNMP.
            out.push('"');
            for b in bytes.iter() {
                let _ = write!(out, "{b:02X} ");
            }
            out.push('"');
        }
        (Base::Bits, Value::OctetString(bytes)) => {
            out.push_str("BITS: ");
            for b in bytes.iter() {
                let _ = write!(out, "{b:02X} ");
            }
            // Net-SNMP searches the labels from where the last search stopped.
            let mut labels = syntax.enums.iter();
            for (i, b) in bytes.iter().enumerate() {
                for bit in 0..8u32 {
                    if b & (0x80u8 >> bit) == 0 {
                        continue;
                    }
                    let n = u64::try_from(i).unwrap_or(0).saturating_mul(8).saturating_add(u64::from(bit));
                    let found = labels.by_ref().find(|(v, _)| u64::try_from(*v).ok() == Some(n));
                    match found {
                        Some((_, label)) if !options.numeric_enums => {
                            let _ = write!(out, "{label}({n}) ");
                        }
                        _ => {
                            let _ = write!(out, "{n} ");
                        }
                    }
                }
            }
        }
        _ => crate::format::output::write_plain_value(out, value, options),
    }
    if let Some(units) = units {
        out.push(' ');
        out.push_str(units);
    }
    true
}

/// An integer under an integer DISPLAY-HINT (`d`, `d-N`, `x`, `o`, `b`); false for other hints.
fn hinted_integer(out: &mut String, value: i64, hint: &str) -> bool {
    let mut chars = hint.chars();
    let code = chars.next();
    let mut text = match code {
        Some('d') => value.unsigned_abs().to_string(),
        Some('x') => format!("{value:x}"),
        Some('o') => format!("{value:o}"),
        Some('b') => format!("{value:b}"),
        _ => return false,
    };
    let shift = if code == Some('d') && hint.get(1..2) == Some("-") {
        hint.get(2..).and_then(|s| s.parse::<usize>().ok()).unwrap_or(0)
    } else {
        0
    };
    if shift > 0 {
        if shift <= text.len() {
            text.insert(text.len().saturating_sub(shift), '.');
        } else {
            let zeros = "0".repeat(shift.saturating_sub(text.len()));
            text = format!(".{zeros}{text}");
        }
    }
    if code == Some('d') && value < 0 {
        out.push('-');
    }
    out.push_str(&text);
    true
}

/// An octet string under an RFC 2579 DISPLAY-HINT, as Net-SNMP renders it: the last part of the
/// hint repeats while octets remain; single hex digits are padded to two when there is no
/// separator and no hint left, or under `-O0`. Text octets that are not UTF-8 are replaced
/// with U+FFFD or, under [`OutputOptions::raw_octets`], kept as they came.
pub fn hinted_octets(out: &mut String, bytes: &[u8], hint: &str, options: &OutputOptions) {
    let zero_pad = options.zero_pad_hex;
    let has_nul = bytes.contains(&0);
    let hint = hint.as_bytes();
    let mut h = 0usize;
    let mut data = bytes.iter().copied().peekable();
    let (mut width, mut code, mut separ, mut term): (usize, u8, Option<u8>, Option<u8>) =
        (1, b'd', None, None);
    let at = |i: usize| hint.get(i).copied();
    let is_part_end = |c: u8, width: usize| {
        c != b'*' && !c.is_ascii_digit() && (width != 0 || !matches!(c, b'x' | b'd' | b'o'))
    };
    while data.peek().is_some() {
        let mut repeat: u32 = 1;
        if at(h).is_some() {
            if at(h) == Some(b'*') {
                repeat = data.next().map_or(0, u32::from);
                h = h.saturating_add(1);
            }
            width = 0;
            while let Some(d) = at(h).filter(u8::is_ascii_digit) {
                width = width.saturating_mul(10).saturating_add(usize::from(d.saturating_sub(b'0')));
                h = h.saturating_add(1);
            }
            code = at(h).unwrap_or(b'd');
            h = h.saturating_add(1);
            separ = at(h).filter(|&c| is_part_end(c, width));
            if separ.is_some() {
                h = h.saturating_add(1);
            }
            term = at(h).filter(|&c| is_part_end(c, width));
            if term.is_some() {
                h = h.saturating_add(1);
            }
            if width == 0 {
                width = 1;
            }
        }
        while repeat > 0 && data.peek().is_some() {
            match code {
                b'a' | b't' => {
                    // As Net-SNMP: in a string that holds a NUL (a Windows ifDescr's last
                    // octet, an empty DateAndTime), every octet that is neither printable
                    // ASCII nor white space prints as `.`; without one, octets go out as they
                    // are.
                    let dots = |b: u8| {
                        let plain = b.is_ascii_graphic() || b == b' ' || matches!(b, b'\t'..=b'\r');
                        if has_nul && !plain { b'.' } else { b }
                    };
                    let chunk: Vec<u8> = data.by_ref().take(width).map(dots).collect();
                    push_text_octets(out, &chunk, options.raw_octets);
                }
                b'x' | b'd' | b'o' => {
                    let mut value: u64 = 0;
                    for _ in 0..width {
                        let Some(b) = data.next() else { break };
                        value = value.wrapping_mul(256).wrapping_add(u64::from(b));
                    }
                    let _ = match code {
                        b'x' if value < 16
                            && width == 1
                            && (zero_pad || (separ.is_none() && at(h).is_none())) =>
                        {
                            write!(out, "0{value:x}")
                        }
                        b'x' => write!(out, "{value:x}"),
                        b'd' => write!(out, "{value}"),
                        _ => write!(out, "{value:o}"),
                    };
                }
                _ => {
                    // Net-SNMP ignores a hint it cannot read and prints the octets plainly.
                    push_text_octets(out, &data.by_ref().collect::<Vec<u8>>(), options.raw_octets);
                    return;
                }
            }
            if let (Some(s), Some(_)) = (separ, data.peek()) {
                out.push(char::from(s));
            }
            repeat = repeat.saturating_sub(1);
        }
        if let (Some(t), Some(_)) = (term, data.peek()) {
            out.push(char::from(t));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hinted(bytes: &[u8], hint: &str) -> String {
        let mut s = String::new();
        hinted_octets(&mut s, bytes, hint, &OutputOptions::default());
        s
    }

    #[test]
    fn text_octets_kept_as_they_came() {
        use crate::format::output::raw_bytes;
        let raw = OutputOptions { raw_octets: true, ..OutputOptions::default() };
        let kept = |bytes: &[u8], hint: &str| {
            let mut s = String::new();
            hinted_octets(&mut s, bytes, hint, &raw);
            raw_bytes(&s).into_owned()
        };
        // Latin-1, GBK, UTF-8, a character of the carrying range itself, and a UTF-8
        // character cut by the 255-octet chunks of "255a".
        for bytes in [
            &b"K\xf6ln"[..],
            b"\xb1\xb1\xbe\xa9",
            "Zürich".as_bytes(),
            "x\u{10ff41}y".as_bytes(),
            b"\xf4\x8f\xbd",
        ] {
            assert_eq!(kept(bytes, "255a"), bytes);
        }
        let long = [&[b'a'; 254][..], "é".as_bytes(), b"z"].concat();
        assert_eq!(kept(&long, "255a"), long);
        assert_eq!(kept(b"K\xf6ln", "1x:"), b"4b:f6:6c:6e");
        assert_eq!(hinted(b"K\xf6ln", "255a"), "K\u{fffd}ln");
    }

    #[test]
    fn octet_string_hints() {
        assert_eq!(hinted(&[2, 0xfc, 0, 0, 0, 5], "1x:"), "2:fc:0:0:0:5");
        assert_eq!(hinted(b"Linux box", "255a"), "Linux box");
        assert_eq!(hinted(b"eth0\0", "255a"), "eth0.");
        assert_eq!(hinted(b"a\0\n\tb\x01\x7fc\r\n", "255a"), "a.\n\tb..c\r\n");
        assert_eq!(hinted(b"a\0\xc4b", "255a"), "a..b");
        // Without a NUL, control characters go out as they are.
        assert_eq!(hinted(b"\x01abc\x7f", "255a"), "\x01abc\x7f");
        assert_eq!(
            hinted(&[0x07, 0xe8, 1, 15, 10, 30, 0, 0, b'+', 2, 0], "2d-1d-1d,1d:1d:1d.1d,1a1d:1d"),
            "2024-1-15,10:30:0.0,+2:0"
        );
        assert_eq!(hinted(&[127, 0, 0, 1], "1d.1d.1d.1d"), "127.0.0.1");
        // No separator and no hint left: two hex digits each.
        assert_eq!(hinted(&[1, 0xab, 2], "1x"), "01ab02");
        // A repeat count taken from the data.
        assert_eq!(hinted(&[2, 1, 2, 3], "*1d."), "1.2.3");
    }

    #[test]
    fn integer_hints() {
        let h = |v: i64, hint: &str| {
            let mut s = String::new();
            assert!(hinted_integer(&mut s, v, hint));
            s
        };
        assert_eq!(h(1234, "d-2"), "12.34");
        assert_eq!(h(5, "d-2"), ".05");
        assert_eq!(h(-15, "d-1"), "-1.5");
        assert_eq!(h(255, "x"), "ff");
    }
}
