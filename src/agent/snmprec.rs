//! snmpsim's `.snmprec` recording format: one object per line, `OID|TAG|VALUE`.
//!
//! TAG is the value's BER tag in decimal (2 INTEGER, 4 OCTET STRING, 5 NULL, 6 OBJECT
//! IDENTIFIER, 64 IpAddress, 65 Counter32, 66 Gauge32, 67 TimeTicks, 68 Opaque, 70 Counter64,
//! 128–130 the exceptions). A trailing `x` means VALUE is hex, a trailing `e` that it holds
//! Python-style escapes (`\n`, `\\`, `\xHH`). After a `:` comes a snmpsim variation module
//! whose parameters replace VALUE: `numeric` (a value that grows with time) and `writecache`
//! (a writable value) are understood; the objects of other modules (SQL, subprocess, …) are
//! skipped and reported, so a recording that uses them still loads.
//!
//! [`write_line`] writes what [`parse`] reads, choosing plain text for printable strings and
//! hex otherwise, as snmpsim's recorder does.
//!
//! ```
//! use snmpctl::agent::snmprec;
//! use snmpctl::Value;
//! let text = "1.3.6.1.2.1.1.5.0|4|edge-1\n1.3.6.1.2.1.2.2.1.6.2|4x|000c291a2b3c\n1.3.6.1.2.1.1.9.1.2.1|6|1.3.6.1.6.3.1\n";
//! let parsed = snmprec::parse(text)?;
//! assert_eq!(parsed.records[0].value, Value::from("edge-1"));
//! assert_eq!(parsed.records[1].value.as_bytes(), Some(&[0, 0x0c, 0x29, 0x1a, 0x2b, 0x3c][..]));
//! let mut again = String::new();
//! for r in &parsed.records {
//!     snmprec::write_line(&mut again, &r.oid, &r.value);
//! }
//! assert_eq!(again, text);
//! # Ok::<(), snmprec::SnmprecError>(())
//! ```

use crate::hex;
use crate::value::{Oid, Value, tag};
use std::fmt::Write as _;

/// A line that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct SnmprecError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// A value that changes with time (snmpsim's `numeric` variation): `initial + rate × seconds`
/// since the agent started, wrapped (counters) or held (others) within the type's range.
#[derive(Debug, Clone, PartialEq)]
pub struct Numeric {
    /// The value at start.
    pub initial: f64,
    /// Growth per second.
    pub rate: f64,
}

impl Numeric {
    /// The value of an object of type `template` after `seconds`.
    pub fn at(&self, template: &Value, seconds: f64) -> Value {
        let v = self.initial + self.rate * seconds;
        let v = if v.is_finite() { v } else { 0.0 };
        // Float-to-int `as` saturates; the wraps below are the counters' own arithmetic.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        match template {
            Value::Integer(_) => Value::Integer(v as i32),
            Value::Counter32(_) => Value::Counter32((v.max(0.0) as u64 & 0xFFFF_FFFF) as u32),
            Value::Gauge32(_) => Value::Gauge32(v.max(0.0) as u32),
            Value::TimeTicks(_) => Value::TimeTicks((v.max(0.0) as u64 & 0xFFFF_FFFF) as u32),
            Value::Counter64(_) => Value::Counter64(v.max(0.0) as u64),
            other => other.clone(),
        }
    }
}

/// One object of a recording.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The object instance.
    pub oid: Oid,
    /// Its value (for a `numeric` object, the value at start).
    pub value: Value,
    /// Set for a `numeric` object.
    pub numeric: Option<Numeric>,
}

/// What [`parse`] read: the records in file order, and the lines it skipped with the reason.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    /// The objects.
    pub records: Vec<Record>,
    /// (line, reason) for each object left out (a variation module this agent does not run).
    pub skipped: Vec<(usize, String)>,
}

/// Reads a `.snmprec` file's text. snmpsim reads its files as ISO-8859-1, so an unescaped
/// value's octets are its characters' code points: give the file's bytes through [`latin1`]
/// to keep every octet as it was. Blank lines and lines starting with `#` are ignored.
///
/// # Errors
/// The first line that is not `OID|TAG|VALUE` with a value of that type.
pub fn parse(text: &str) -> Result<Parsed, SnmprecError> {
    let mut out = Parsed::default();
    for (i, line) in text.lines().enumerate() {
        let n = i.saturating_add(1);
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |message: String| SnmprecError { line: n, message };
        let mut parts = line.splitn(3, '|');
        let (Some(oid), Some(tag_text), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(err("expected OID|TAG|VALUE".into()));
        };
        let oid: Oid = oid.trim_start_matches('.').parse().map_err(|e| err(format!("OID {oid:?}: {e}")))?;
        let (tag_text, module) = match tag_text.split_once(':') {
            Some((t, m)) => (t, Some(m)),
            None => (tag_text, None),
        };
        if let Some(m) = module.filter(|m| !matches!(*m, "numeric" | "writecache")) {
            out.skipped.push((n, format!("{oid}: variation module {m:?} is not supported")));
            continue;
        }
        let (number, encoding) = match tag_text.strip_suffix('x') {
            Some(t) => (t, Some('x')),
            None => match tag_text.strip_suffix('e') {
                Some(t) => (t, Some('e')),
                None => (tag_text, None),
            },
        };
        let tag: u8 = number.parse().map_err(|_| err(format!("tag {tag_text:?} is not a number")))?;
        let (value, numeric) = match module {
            None => (value_of(tag, encoding, value).map_err(err)?, None),
            Some("writecache") => {
                let v = param(value, "value").unwrap_or_default();
                (value_of(tag, encoding, v).map_err(err)?, None)
            }
            Some("numeric") => {
                let number = |name: &str, default: f64| -> Result<f64, SnmprecError> {
                    param(value, name).map_or(Ok(default), |v| {
                        v.parse().map_err(|_| err(format!("numeric {name}={v:?} is not a number")))
                    })
                };
                let numeric = Numeric { initial: number("initial", 0.0)?, rate: number("rate", 1.0)? };
                let template = value_of(tag, None, "0").map_err(err)?;
                (numeric.at(&template, 0.0), Some(numeric))
            }
            Some(_) => continue,
        };
        out.records.push(Record { oid, value, numeric });
    }
    Ok(out)
}

/// A file's bytes as ISO-8859-1 text (one character per octet), as snmpsim reads them.
pub fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|b| char::from(*b)).collect()
}

/// The octets of ISO-8859-1 text (characters above U+00FF, which [`latin1`] never makes,
/// are kept as UTF-8).
fn octets(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(b) => out.push(b),
            Err(_) => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    out
}

/// `name=value` from a variation's comma-separated parameters.
fn param<'a>(params: &'a str, name: &str) -> Option<&'a str> {
    params.split(',').find_map(|kv| kv.split_once('=').filter(|(k, _)| k.trim() == name).map(|(_, v)| v))
}

fn value_of(tag: u8, encoding: Option<char>, text: &str) -> Result<Value, String> {
    let bytes = || -> Result<Vec<u8>, String> {
        match encoding {
            Some('x') => hex::decode(text).map_err(|_| format!("{text:?} is not hex")),
            Some(_) => unescape(text),
            None => Ok(octets(text)),
        }
    };
    let number = |what: &str| -> Result<u64, String> {
        text.trim().parse::<u64>().map_err(|_| format!("{what} {text:?} is not a number"))
    };
    let u32_of = |what: &str| -> Result<u32, String> {
        u32::try_from(number(what)?).map_err(|_| format!("{what} {text:?} is out of range"))
    };
    Ok(match tag {
        tag::INTEGER => {
            Value::Integer(text.trim().parse().map_err(|_| format!("INTEGER {text:?} is not a number"))?)
        }
        tag::OCTET_STRING => Value::OctetString(bytes()?),
        tag::NULL => Value::Null,
        tag::OBJECT_IDENTIFIER => Value::ObjectIdentifier(
            text.trim().trim_start_matches('.').parse().map_err(|e| format!("OID value {text:?}: {e}"))?,
        ),
        tag::IP_ADDRESS => {
            let b = if encoding.is_none() {
                // Dotted, or (as snmpsim also reads it) the four octets themselves.
                match text.trim().parse::<std::net::Ipv4Addr>() {
                    Ok(ip) => ip.octets().to_vec(),
                    Err(_) if octets(text).len() == 4 => octets(text),
                    Err(_) => return Err(format!("IpAddress {text:?} is not a.b.c.d")),
                }
            } else {
                bytes()?
            };
            Value::IpAddress(
                <[u8; 4]>::try_from(b.as_slice()).map_err(|_| "IpAddress must be 4 octets".to_owned())?,
            )
        }
        tag::COUNTER32 => Value::Counter32(u32_of("Counter32")?),
        tag::GAUGE32 => Value::Gauge32(u32_of("Gauge32")?),
        tag::TIMETICKS => Value::TimeTicks(u32_of("TimeTicks")?),
        tag::OPAQUE => Value::Opaque(bytes()?),
        tag::COUNTER64 => Value::Counter64(number("Counter64")?),
        tag::NO_SUCH_OBJECT => Value::NoSuchObject,
        tag::NO_SUCH_INSTANCE => Value::NoSuchInstance,
        tag::END_OF_MIB_VIEW => Value::EndOfMibView,
        other => Value::Unknown { tag: other, bytes: bytes()? },
    })
}

/// Python string escapes, as snmpsim writes them after an `e` tag.
fn unescape(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let c = bytes.next().ok_or("escape at the end of the value")?;
        out.push(match c {
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'0' => 0,
            b'a' => 7,
            b'b' => 8,
            b'f' => 12,
            b'v' => 11,
            b'\\' | b'\'' | b'"' => c,
            b'x' => {
                let hi = bytes.next().ok_or("short \\x escape")?;
                let lo = bytes.next().ok_or("short \\x escape")?;
                let pair = [hi, lo];
                let s = std::str::from_utf8(&pair).map_err(|_| "bad \\x escape")?;
                u8::from_str_radix(s, 16).map_err(|_| format!("bad \\x escape {s:?}"))?
            }
            other => return Err(format!("unknown escape \\{}", char::from(other))),
        });
    }
    Ok(out)
}

/// Whether an octet string can be written as plain text and read back unchanged.
fn plain(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| (0x20..0x7f).contains(b))
        && bytes.first().is_none_or(|b| *b != b' ')
        && bytes.last().is_none_or(|b| *b != b' ')
}

/// Appends one `OID|TAG|VALUE` line (with its newline) for `oid` = `value`.
pub fn write_line(out: &mut String, oid: &Oid, value: &Value) {
    let _ = write!(out, "{oid}|");
    let t = value.tag();
    let _ = match value {
        Value::Integer(v) => write!(out, "{t}|{v}"),
        Value::OctetString(b) if plain(b) => {
            out.push_str("4|");
            out.push_str(&String::from_utf8_lossy(b));
            Ok(())
        }
        Value::OctetString(b) | Value::Opaque(b) | Value::Unknown { bytes: b, .. } => {
            write!(out, "{t}x|{}", hex::encode(b))
        }
        Value::ObjectIdentifier(o) => write!(out, "{t}|{o}"),
        Value::IpAddress(a) => write!(out, "{t}|{}", std::net::Ipv4Addr::from(*a)),
        Value::Counter32(v) | Value::Gauge32(v) | Value::TimeTicks(v) => write!(out, "{t}|{v}"),
        Value::Counter64(v) => write!(out, "{t}|{v}"),
        Value::Null | Value::NoSuchObject | Value::NoSuchInstance | Value::EndOfMibView => {
            write!(out, "{t}|")
        }
    };
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(s: &str) -> Oid {
        s.parse().unwrap()
    }

    #[test]
    fn reads_snmpsim_lines() {
        let text = "# comment\n\
            1.3.6.1.2.1.1.1.0|4|Linux zeus 4.8.6.5-smp #2 SMP\n\
            1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10\n\
            1.3.6.1.2.1.1.3.0|67:numeric|rate=100,initial=123999999\n\
            1.3.6.1.2.1.1.5.0|4:writecache|value=zeus (you can change this!)\n\
            1.3.6.1.2.1.2.2.1.6.2|4x|0050569a3b7c\n\
            1.3.6.1.2.1.4.20.1.1.10.0.0.1|64x|0a000001\n\
            1.3.6.1.2.1.4.20.1.2.127.0.0.1|64|127.0.0.1\n\
            1.3.6.1.2.1.31.1.1.1.6.1|70|18446744073709551615\n\
            1.3.6.1.2.1.1.4.0|4e|a\\nb\\x00\\\\\n\
            1.3.6.1.2.1.1.8.0|2:sql|dbtype=sqlite3\n\
            1.3.6.1.2.1.1.9.0|2|-5\n\
            1.3.6.1.2.1.4.22.1.3.2.103.134.50.241|64|32VF\n";
        let p = parse(text).unwrap();
        assert_eq!(p.skipped.len(), 1);
        assert_eq!(p.skipped[0].0, 11);
        let v: Vec<Value> = p.records.iter().map(|r| r.value.clone()).collect();
        assert_eq!(v[0], Value::OctetString(b"Linux zeus 4.8.6.5-smp #2 SMP".to_vec()));
        assert_eq!(v[1], Value::ObjectIdentifier(oid("1.3.6.1.4.1.8072.3.2.10")));
        assert_eq!(v[2], Value::TimeTicks(123_999_999));
        assert_eq!(p.records[2].numeric.as_ref().unwrap().at(&v[2], 2.0), Value::TimeTicks(124_000_199));
        assert_eq!(v[3], Value::OctetString(b"zeus (you can change this!)".to_vec()));
        assert_eq!(v[4], Value::OctetString(vec![0, 0x50, 0x56, 0x9a, 0x3b, 0x7c]));
        assert_eq!(v[5], Value::IpAddress([10, 0, 0, 1]));
        assert_eq!(v[6], Value::IpAddress([127, 0, 0, 1]));
        assert_eq!(v[7], Value::Counter64(u64::MAX));
        assert_eq!(v[8], Value::OctetString(b"a\nb\0\\".to_vec()));
        assert_eq!(v[9], Value::Integer(-5));
        assert_eq!(v[10], Value::IpAddress(*b"32VF"));
        // ISO-8859-1: a byte above 0x7F is one octet, as in the file.
        let p = parse(&latin1(b"1.3.6.1|4|caf\xe9\n")).unwrap();
        assert_eq!(p.records[0].value, Value::OctetString(b"caf\xe9".to_vec()));
    }

    #[test]
    fn errors_name_the_line() {
        for (text, want) in [
            ("1.3.6|4\n", "line 1: expected OID|TAG|VALUE"),
            ("\n1.3.6.1|2|x\n", "line 2: INTEGER \"x\" is not a number"),
            ("1.3.6.1|4x|abc\n", "line 1: \"abc\" is not hex"),
            ("1.3.6.1|64|1.2.3\n", "line 1: IpAddress \"1.2.3\" is not a.b.c.d"),
            ("1.3.6.1|65|4294967296\n", "line 1: Counter32 \"4294967296\" is out of range"),
            ("x.y|2|1\n", "line 1: OID \"x.y\""),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.starts_with(want), "{e} / {want}");
        }
    }

    #[test]
    fn what_is_written_reads_back() {
        let values = [
            Value::Integer(-7),
            Value::OctetString(b"core-rtr-1".to_vec()),
            Value::OctetString(b" padded ".to_vec()),
            Value::OctetString(vec![0, 1, 0xff]),
            Value::OctetString(Vec::new()),
            Value::Null,
            Value::ObjectIdentifier(oid("1.3.6.1.4.1.9.1.1")),
            Value::IpAddress([192, 0, 2, 1]),
            Value::Counter32(4_294_967_295),
            Value::Gauge32(1_000_000_000),
            Value::TimeTicks(12345),
            Value::Opaque(vec![0x9f, 0x78, 4, 0x3f, 0x80, 0, 0]),
            Value::Counter64(1 << 40),
            Value::NoSuchObject,
            Value::Unknown { tag: 0x45, bytes: vec![1, 2] },
        ];
        let mut text = String::new();
        for (i, v) in values.iter().enumerate() {
            write_line(&mut text, &oid(&format!("1.3.6.1.{i}")), v);
        }
        assert!(text.contains("1.3.6.1.1|4|core-rtr-1\n"), "{text}");
        assert!(text.contains("1.3.6.1.7|64|192.0.2.1\n"), "{text}");
        let back: Vec<Value> = parse(&text).unwrap().records.into_iter().map(|r| r.value).collect();
        assert_eq!(back, values);
    }
}
