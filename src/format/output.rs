//! Net-SNMP's command-line output: varbind lines under `-O` options, error reports.
//!
//! The rules are Net-SNMP 5.9's `sprint_realloc_*` family as observed against its tools: OCTET
//! STRINGs print as `STRING: "…"` when every octet is printable or white space (with `"` and `\`
//! escaped), otherwise as `Hex-STRING:` with a space after every octet and a line break after
//! each 16; quick print (`-Oq`) drops the type prefixes and quotes hex; TimeTicks print as
//! `(n) d:hh:mm:ss.cc`, `d:h:mm:ss.cc` under `-Oq` and the bare number under `-Ot`. Until MIBs
//! are loaded, names print as Net-SNMP prints them with none: `iso.3.6.1…`.
//!
//! ```
//! use snmpctl::format::output::{OutputOptions, write_varbind};
//! use snmpctl::{Value, VarBind};
//! let mut out = String::new();
//! let octets = VarBind::new("1.3.6.1.2.1.2.2.1.6.2".parse()?, Value::from(&[0u8, 0x0c, 0x29, 0x1a, 0x2b, 0x3c][..]));
//! write_varbind(&mut out, &octets, &OutputOptions::default());
//! assert_eq!(out, "iso.3.6.1.2.1.2.2.1.6.2 = Hex-STRING: 00 0C 29 1A 2B 3C \n");
//! # Ok::<(), snmpctl::value::OidError>(())
//! ```

use crate::mib::Tree;
use crate::msg::{ErrorStatus, GenericPdu};
use crate::value::{Oid, OpaqueValue, Value, VarBind};
use core::fmt::Write as _;

/// How OIDs print (`-On`, `-Of`, `-Os`, `-OS`, `-Ou`; the last given wins, as in Net-SNMP).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OidFormat {
    /// `MODULE::name.index` (Net-SNMP's default, `-OS`).
    #[default]
    Module,
    /// `name.index` (`-Os`).
    Suffix,
    /// `.iso.org.dod…` (`-Of`).
    Full,
    /// `.1.3.6.1…` (`-On`).
    Numeric,
    /// UCD style `system.sysDescr.0` (`-Ou`).
    Ucd,
}

/// How OCTET STRINGs print (`-Oa`, `-Ox`; the last given wins).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StringFormat {
    /// Text if every octet is printable or white space, hex otherwise.
    #[default]
    Guess,
    /// Always text, unprintable octets as `.` (`-Oa`).
    Ascii,
    /// Always hex (`-Ox`).
    Hex,
}

/// Net-SNMP output options (`-O`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutputOptions<'m> {
    /// OID style.
    pub oid_format: OidFormat,
    /// OCTET STRING style.
    pub string_format: StringFormat,
    /// `q`: quick print: no `=`, no type prefixes.
    pub quick: bool,
    /// `Q`: quick print with `=`.
    pub quick_equals: bool,
    /// `v`: the value only.
    pub value_only: bool,
    /// `t`: TimeTicks as a bare number.
    pub raw_timeticks: bool,
    /// `e`: enumerations as numbers (takes effect with MIBs).
    pub numeric_enums: bool,
    /// `U`: no UNITS suffix (takes effect with MIBs).
    pub no_units: bool,
    /// `0`: zero-pad single hex digits in DISPLAY-HINT output (takes effect with MIBs).
    pub zero_pad_hex: bool,
    /// `T`: the text of hex strings after them, in brackets.
    pub hex_text: bool,
    /// `b`: do not break OID indexes down (takes effect with MIBs).
    pub no_index_breakdown: bool,
    /// `X`: indexes in brackets, `ifDescr[1]`.
    pub extended_index: bool,
    /// `E`: a backslash before the quotes around string indexes, for shells.
    pub escape_quotes: bool,
    /// Text octets that are not UTF-8 (a DisplayString in GBK or Latin-1) are kept as they
    /// came, as Net-SNMP prints them: each such octet is carried through the `String` as one
    /// private character that [`raw_bytes`] turns back into the octet when the text is
    /// written out. Off (the default), they are replaced with U+FFFD, as
    /// `String::from_utf8_lossy` does.
    pub raw_octets: bool,
    /// The MIB names and values are printed with; `None` prints as Net-SNMP with no MIBs.
    pub mib: Option<MibRef<'m>>,
}

/// A loaded MIB for output options (compared by identity).
#[derive(Clone, Copy)]
pub struct MibRef<'m>(pub &'m Tree);

impl PartialEq for MibRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        core::ptr::eq(self.0, other.0)
    }
}

impl Eq for MibRef<'_> {}

impl core::fmt::Debug for MibRef<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "MibRef({} modules)", self.0.modules.len())
    }
}

impl OutputOptions<'_> {
    /// Parses the letters after `-O`.
    ///
    /// # Errors
    /// The first letter that is not a Net-SNMP output option.
    pub fn parse(letters: &str) -> Result<OutputOptions<'static>, char> {
        let mut o = OutputOptions::default();
        for c in letters.chars() {
            match c {
                'n' => o.oid_format = OidFormat::Numeric,
                'f' => o.oid_format = OidFormat::Full,
                's' => o.oid_format = OidFormat::Suffix,
                'S' => o.oid_format = OidFormat::Module,
                'u' => o.oid_format = OidFormat::Ucd,
                'a' => o.string_format = StringFormat::Ascii,
                'x' => o.string_format = StringFormat::Hex,
                'q' => o.quick = true,
                'Q' => o.quick_equals = true,
                'v' => o.value_only = true,
                't' => o.raw_timeticks = true,
                'e' => o.numeric_enums = true,
                'U' => o.no_units = true,
                '0' => o.zero_pad_hex = true,
                'T' => o.hex_text = true,
                'b' => o.no_index_breakdown = true,
                'X' => o.extended_index = true,
                'E' => o.escape_quotes = true,
                other => return Err(other),
            }
        }
        Ok(o)
    }

    /// `-On`.
    pub fn numeric() -> OutputOptions<'static> {
        OutputOptions { oid_format: OidFormat::Numeric, ..OutputOptions::default() }
    }

    fn is_quick(&self) -> bool {
        self.quick || self.quick_equals
    }
}

/// The first of the 256 private characters (U+10FF00 to U+10FFFF, in Unicode's plane 16
/// private use area) that carry octets through a `String` under
/// [`OutputOptions::raw_octets`]: octet `b` is `U+10FF00 + b`.
const RAW_BASE: u32 = 0x10_FF00;

/// Appends text octets: valid UTF-8 as it is, other octets replaced with U+FFFD or, under
/// `raw`, each carried as a private character for [`raw_bytes`]. A character of that private
/// range in the octets themselves is carried octet by octet too, so that [`raw_bytes`] gives
/// back exactly the octets that came.
pub(crate) fn push_text_octets(out: &mut String, bytes: &[u8], raw: bool) {
    if !raw {
        out.push_str(&String::from_utf8_lossy(bytes));
        return;
    }
    let carry =
        |out: &mut String, b: u8| out.push(char::from_u32(RAW_BASE | u32::from(b)).unwrap_or('\u{fffd}'));
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        if valid.as_bytes().contains(&0xf4) {
            for c in valid.chars() {
                if u32::from(c) >= RAW_BASE {
                    c.encode_utf8(&mut [0; 4]).bytes().for_each(|b| carry(out, b));
                } else {
                    out.push(c);
                }
            }
        } else {
            out.push_str(valid);
        }
        chunk.invalid().iter().for_each(|&b| carry(out, b));
    }
}

/// The octets of text written under [`OutputOptions::raw_octets`]: each carried octet back
/// as it came, everything else as UTF-8. Text without carried octets is returned as it is.
///
/// ```
/// use snmpctl::format::output::{OutputOptions, raw_bytes, write_value_of};
/// use snmpctl::{Mib, Value};
/// let mib = Mib::shipped();
/// let mut options = mib.output_options(&OutputOptions::default());
/// options.raw_octets = true;
/// let mut text = String::new();
/// // sysLocation.0 in Latin-1, as a device in Köln might hold it.
/// let oid = mib.oid("SNMPv2-MIB::sysLocation.0")?;
/// write_value_of(&mut text, &oid, &Value::from(&b"K\xf6ln"[..]), &options);
/// assert_eq!(&*raw_bytes(&text), b"STRING: K\xf6ln");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn raw_bytes(text: &str) -> std::borrow::Cow<'_, [u8]> {
    if memchr::memchr(0xf4, text.as_bytes()).is_none() {
        return std::borrow::Cow::Borrowed(text.as_bytes());
    }
    let mut bytes = Vec::with_capacity(text.len());
    for c in text.chars() {
        match u32::from(c).checked_sub(RAW_BASE).and_then(|b| u8::try_from(b).ok()) {
            Some(b) => bytes.push(b),
            None => bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    std::borrow::Cow::Owned(bytes)
}

/// How many octets [`raw_bytes`] gives for `text`: its length in UTF-8, each carried octet
/// counting one (the width Net-SNMP's tools give a cell).
pub fn raw_len(text: &str) -> usize {
    if memchr::memchr(0xf4, text.as_bytes()).is_none() {
        return text.len();
    }
    text.chars().map(|c| if u32::from(c) >= RAW_BASE { 1 } else { c.len_utf8() }).sum()
}

/// Appends an OID in the chosen style.
pub fn write_oid(out: &mut String, oid: &Oid, options: &OutputOptions) {
    let arcs = oid.arcs();
    if let (Some(MibRef(tree)), false) = (options.mib, options.oid_format == OidFormat::Numeric) {
        super::mib::write_name(out, tree, arcs, options);
        return;
    }
    let Some((&first, rest)) = arcs.split_first() else { return };
    push_first_arc(out, first, options);
    for &arc in rest {
        push_arc(out, arc);
    }
}

/// The first arc in the chosen style, with the leading `.` of the numeric and full styles.
fn push_first_arc(out: &mut String, first: u32, options: &OutputOptions) {
    let top = match (options.oid_format, first) {
        (OidFormat::Numeric, _) => None,
        (_, 0) => Some("ccitt"),
        (_, 1) => Some("iso"),
        (_, 2) => Some("joint-iso-ccitt"),
        _ => None,
    };
    if matches!(options.oid_format, OidFormat::Numeric | OidFormat::Full) {
        out.push('.');
    }
    match top {
        Some(name) => out.push_str(name),
        None => push_u64(out, u64::from(first)),
    }
}

/// `.` and an arc's digits.
fn push_arc(out: &mut String, arc: u32) {
    out.push('.');
    out.push_str(itoa::Buffer::new().format(arc));
}

/// Writes varbind lines as [`write_varbind`] does, faster for OIDs that share a prefix with the
/// one before (a walk, a table): the numeric text of the previous OID is kept, and only the
/// arcs that differ are written anew. OIDs named through a MIB are written as
/// [`write_oid`] writes them.
#[derive(Debug, Default, Clone)]
pub struct LineWriter {
    /// The previous OID's first arc, and the form it was written in.
    first: Option<(u32, OidFormat)>,
    /// The previous OID's arcs after the first.
    arcs: Vec<u32>,
    /// Its whole text: the first arc's, then `.N` for each of `arcs`.
    text: String,
    /// The length of the first arc's text.
    head: usize,
    /// `ends[i]`: the length of `text` through `arcs[i]`.
    ends: Vec<usize>,
}

impl LineWriter {
    /// A writer with nothing kept.
    pub fn new() -> LineWriter {
        LineWriter::default()
    }

    /// Appends one varbind line, with its newline, as [`write_varbind`].
    pub fn write_varbind(&mut self, out: &mut String, vb: &VarBind, options: &OutputOptions) {
        if !options.value_only {
            self.write_oid(out, &vb.oid, options);
            out.push_str(if options.quick && !options.quick_equals { " " } else { " = " });
        }
        write_value_of(out, &vb.oid, &vb.value, options);
        out.push('\n');
    }

    /// Appends an OID, as [`write_oid`].
    pub fn write_oid(&mut self, out: &mut String, oid: &Oid, options: &OutputOptions) {
        if options.mib.is_some() && options.oid_format != OidFormat::Numeric {
            write_oid(out, oid, options);
            return;
        }
        let Some((&first, rest)) = oid.arcs().split_first() else { return };
        if self.first != Some((first, options.oid_format)) {
            self.first = Some((first, options.oid_format));
            self.arcs.clear();
            self.ends.clear();
            self.text.clear();
            push_first_arc(&mut self.text, first, options);
            self.head = self.text.len();
        }
        let same = self.arcs.iter().zip(rest).take_while(|(a, b)| a == b).count();
        let kept = same.checked_sub(1).and_then(|i| self.ends.get(i)).copied().unwrap_or(self.head);
        self.arcs.truncate(same);
        self.ends.truncate(same);
        self.text.truncate(kept);
        for &arc in rest.get(same..).unwrap_or_default() {
            push_arc(&mut self.text, arc);
            self.arcs.push(arc);
            self.ends.push(self.text.len());
        }
        out.push_str(&self.text);
    }
}

/// An OID in the chosen style.
pub fn oid_name(oid: &Oid, options: &OutputOptions) -> String {
    let mut s = String::new();
    write_oid(&mut s, oid, options);
    s
}

/// Decimal digits without `core::fmt` (this is the hot path of a large walk).
fn push_u64(out: &mut String, v: u64) {
    out.push_str(itoa::Buffer::new().format(v));
}

fn push_i64(out: &mut String, v: i64) {
    if v < 0 {
        out.push('-');
    }
    push_u64(out, v.unsigned_abs());
}

/// C's `printf("%f")`: six decimals; `inf`, `-inf`, `nan`, `-nan` as glibc spells them.
fn write_c_float(out: &mut String, v: f64) {
    let sign = if v.is_sign_negative() { "-" } else { "" };
    let _ = if v.is_nan() {
        write!(out, "{sign}nan")
    } else if v.is_infinite() {
        write!(out, "{sign}inf")
    } else {
        write!(out, "{v:.6}")
    };
}

/// C's `isprint || isspace` in the C locale: the octets Net-SNMP shows as text.
fn is_text(b: u8) -> bool {
    matches!(b, 0x20..=0x7e | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn hex_digit(n: u8) -> char {
    char::from(b"0123456789ABCDEF".get(usize::from(n)).copied().unwrap_or(b'?'))
}

/// Net-SNMP's hex string: `XX ` per octet, a line break after every 16 when more follow; under
/// `-OT` each line's text follows, two spaces on, in brackets.
pub(crate) fn write_hex(out: &mut String, bytes: &[u8], options: &OutputOptions) {
    for (i, line) in bytes.chunks(16).enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for b in line {
            out.push(hex_digit(b >> 4));
            out.push(hex_digit(b & 0x0f));
            out.push(' ');
        }
        if options.hex_text {
            out.push_str("  [");
            for b in line {
                out.push(if is_text(*b) { char::from(*b) } else { '.' });
            }
            out.push(']');
        }
    }
}

/// Net-SNMP's text of an OCTET STRING: printable octets as they are (`"` and `\` escaped),
/// white space kept, anything else as `.`.
fn write_ascii(out: &mut String, bytes: &[u8], plain: bool) {
    // The common case, plain text, goes in one piece.
    if plain && let Ok(text) = std::str::from_utf8(bytes) {
        out.push_str(text);
        return;
    }
    for &b in bytes {
        if b == b'"' || b == b'\\' {
            out.push('\\');
        }
        out.push(if is_text(b) { char::from(b) } else { '.' });
    }
}

/// What an OCTET STRING's octets are, found in one pass that does not stop early (the
/// compiler turns it into wide compares): `text` when every octet is printable or white space
/// (Net-SNMP prints it as a STRING), `plain` when every one is printable and needs no escape.
struct OctetClass {
    text: bool,
    plain: bool,
}

fn classify(bytes: &[u8]) -> OctetClass {
    let (mut not_text, mut not_plain) = (false, false);
    for &b in bytes {
        let printable = b.wrapping_sub(0x20) < 0x5f;
        // \t \n \v \f \r: 0x09..=0x0d.
        let space = b.wrapping_sub(0x09) < 5;
        not_text |= !(printable | space);
        not_plain |= !printable | (b == b'"') | (b == b'\\');
    }
    OctetClass { text: !not_text, plain: !not_plain }
}

fn write_octets(out: &mut String, bytes: &[u8], options: &OutputOptions) {
    if bytes.is_empty() {
        out.push_str("\"\"");
        return;
    }
    let class = classify(bytes);
    let hex = match options.string_format {
        StringFormat::Guess => !class.text,
        StringFormat::Ascii => false,
        StringFormat::Hex => true,
    };
    let quick = options.is_quick();
    if hex {
        out.push_str(if quick { "\"" } else { "Hex-STRING: " });
        write_hex(out, bytes, options);
        if quick {
            out.push('"');
        }
    } else {
        if !quick {
            out.push_str("STRING: ");
        }
        out.push('"');
        write_ascii(out, bytes, class.plain);
        out.push('"');
    }
}

/// TimeTicks as Net-SNMP prints them: `(123456) 0:20:34.56`, `(8640000) 1 day, 0:00:00.00`.
pub fn timeticks(ticks: u32) -> String {
    let mut s = String::new();
    write_timeticks(&mut s, ticks, false);
    s
}

fn write_timeticks(out: &mut String, ticks: u32, quick: bool) {
    let centis = ticks % 100;
    let secs = ticks / 100;
    let (days, hours, minutes, seconds) = (secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    // Pieces pushed one by one, not through `core::fmt` (an ifTable walk has a column of them).
    if quick {
        push_u64(out, u64::from(days));
        out.push(':');
    } else {
        out.push('(');
        push_u64(out, u64::from(ticks));
        out.push_str(") ");
        match days {
            0 => {}
            1 => out.push_str("1 day, "),
            d => {
                push_u64(out, u64::from(d));
                out.push_str(" days, ");
            }
        }
    }
    push_u64(out, u64::from(hours));
    out.push(':');
    push_two_digits(out, minutes);
    out.push(':');
    push_two_digits(out, seconds);
    out.push('.');
    push_two_digits(out, centis);
}

/// `n` (below 100) in two digits, as `%02d`.
fn push_two_digits(out: &mut String, n: u32) {
    out.push(char::from(b'0'.saturating_add(u8::try_from(n / 10 % 10).unwrap_or(0))));
    out.push(char::from(b'0'.saturating_add(u8::try_from(n % 10).unwrap_or(0))));
}

/// Appends a value as Net-SNMP prints it under `options`, by its own type (no MIB knowledge).
pub fn write_plain_value(out: &mut String, value: &Value, options: &OutputOptions) {
    let quick = options.is_quick();
    let prefix = |out: &mut String, p: &str| {
        if !quick {
            out.push_str(p);
        }
    };
    match value {
        Value::Integer(v) => {
            prefix(out, "INTEGER: ");
            push_i64(out, i64::from(*v));
        }
        Value::OctetString(b) => write_octets(out, b, options),
        Value::Null => out.push_str("NULL"),
        Value::ObjectIdentifier(o) => {
            prefix(out, "OID: ");
            write_oid(out, o, options);
        }
        Value::IpAddress([a, b, c, d]) => {
            prefix(out, "IpAddress: ");
            let _ = write!(out, "{a}.{b}.{c}.{d}");
        }
        Value::Counter32(v) => {
            prefix(out, "Counter32: ");
            push_u64(out, u64::from(*v));
        }
        Value::Gauge32(v) => {
            prefix(out, "Gauge32: ");
            push_u64(out, u64::from(*v));
        }
        Value::TimeTicks(v) if options.raw_timeticks => push_u64(out, u64::from(*v)),
        Value::TimeTicks(v) => {
            prefix(out, "Timeticks: ");
            write_timeticks(out, *v, quick);
        }
        Value::Opaque(b) => match OpaqueValue::parse(b) {
            Some(OpaqueValue::Float(f)) => {
                prefix(out, "Opaque: Float: ");
                write_c_float(out, f64::from(f));
            }
            Some(OpaqueValue::Double(d)) => {
                prefix(out, "Opaque: Float: ");
                write_c_float(out, d);
            }
            Some(OpaqueValue::Counter64(v)) => {
                prefix(out, "Opaque: Counter64: ");
                push_u64(out, v);
            }
            Some(OpaqueValue::U64(v)) => {
                prefix(out, "Opaque: UInt64: ");
                push_u64(out, v);
            }
            Some(OpaqueValue::I64(v)) => {
                prefix(out, "Opaque: Int64: ");
                push_i64(out, v);
            }
            None => {
                prefix(out, "OPAQUE: ");
                write_hex(out, b, options);
            }
        },
        Value::Counter64(v) => {
            prefix(out, "Counter64: ");
            push_u64(out, *v);
        }
        Value::NoSuchObject => out.push_str("No Such Object available on this agent at this OID"),
        Value::NoSuchInstance => out.push_str("No Such Instance currently exists at this OID"),
        Value::EndOfMibView => {
            out.push_str("No more variables left in this MIB View (It is past the end of the MIB tree)")
        }
        Value::Unknown { tag, bytes } => {
            let _ = write!(out, "Unknown tag 0x{tag:02x}: ");
            write_hex(out, bytes, options);
        }
    }
}

/// Appends the value of `oid` as Net-SNMP prints it under `options`: by the object's MIB type
/// when a MIB is loaded and knows it, else by the value's own type.
pub fn write_value_of(out: &mut String, oid: &Oid, value: &Value, options: &OutputOptions) {
    if let Some(MibRef(tree)) = options.mib
        && let Some(node) = tree.find(oid.arcs()).and_then(|(id, _)| tree.node(id))
        && super::mib::write_value(out, node, value, options)
    {
        return;
    }
    write_plain_value(out, value, options);
}

/// A value as Net-SNMP prints it under `options`, by its own type: the MIB in `options` is
/// not consulted, as there is no OID to look up (with one, [`write_value_of`] or
/// [`crate::mib::Mib::render_value`] print enumerations, hints and units).
pub fn value_string(value: &Value, options: &OutputOptions) -> String {
    let mut s = String::new();
    write_plain_value(&mut s, value, options);
    s
}

/// Appends one varbind line, as `snmpget` prints it, with its newline.
pub fn write_varbind(out: &mut String, vb: &VarBind, options: &OutputOptions) {
    if !options.value_only {
        write_oid(out, &vb.oid, options);
        out.push_str(if options.quick && !options.quick_equals { " " } else { " = " });
    }
    write_value_of(out, &vb.oid, &vb.value, options);
    out.push('\n');
}

/// One varbind line, as `snmpget` prints it, without the newline.
pub fn varbind_line(vb: &VarBind, options: &OutputOptions) -> String {
    let mut s = String::new();
    write_varbind(&mut s, vb, options);
    s.pop();
    s
}

/// Net-SNMP's reason text for an error-status (`snmp_errstring`).
pub fn error_reason(status: ErrorStatus) -> String {
    let text = match status.0 {
        0 => "(noError) No Error",
        1 => "(tooBig) Response message would have been too large.",
        2 => "(noSuchName) There is no such variable name in this MIB.",
        3 => "(badValue) The value given has the wrong type or length.",
        4 => "(readOnly) The two parties used do not have access to use the specified SNMP PDU.",
        5 => "(genError) A general failure occured",
        6 => "noAccess",
        7 => "wrongType (The set datatype does not match the data type the agent expects)",
        8 => "wrongLength (The set value has an illegal length from what the agent expects)",
        9 => "wrongEncoding",
        10 => "wrongValue (The set value is illegal or unsupported in some way)",
        11 => "noCreation (That table does not support row creation or that object can not ever be created)",
        12 => "inconsistentValue (The set value is illegal or unsupported in some way)",
        13 => "resourceUnavailable (This is likely a out-of-memory failure within the agent)",
        14 => "commitFailed",
        15 => "undoFailed",
        16 => "authorizationError (access denied to that object)",
        17 => "notWritable (That object does not support modification)",
        18 => "inconsistentName (That object can not currently be created)",
        n => return format!("Unknown Error {n}"),
    };
    text.to_owned()
}

/// The report for a Response with a non-zero error-status. `snmpget`, `snmpbulkget` and the
/// walks print "Error in packet", `snmpgetnext` and `snmpset` "Error in packet." (`period`
/// selects); the failed object is followed by an empty line, as Net-SNMP prints it.
pub fn error_report(pdu: &GenericPdu, options: &OutputOptions, period: bool) -> String {
    let mut s = format!(
        "Error in packet{}\nReason: {}\n",
        if period { "." } else { "" },
        error_reason(pdu.error_status)
    );
    if pdu.error_index != 0 {
        s.push_str("Failed object: ");
        let failed = usize::try_from(pdu.error_index)
            .ok()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| pdu.varbinds.get(i));
        if let Some(vb) = failed {
            write_oid(&mut s, &vb.oid, options);
            s.push('\n');
        }
        s.push('\n');
    }
    s
}

/// Net-SNMP's form of a value by its own type, as `snmpget` prints it after `=`:
/// `STRING: "core-rtr-1"`, `INTEGER: 3`, `Timeticks: (4242) 0:00:42.42`. The alternate form
/// (`{:#}`) is quick print's (`-Oqv`): `"core-rtr-1"`, `3`, `0:0:00:42.42`. With a MIB's
/// types and names: [`crate::mib::Mib::render_value`].
///
/// ```
/// use snmpctl::value::Value;
/// assert_eq!(Value::from("up").to_string(), "STRING: \"up\"");
/// assert_eq!(format!("{:#}", Value::Gauge32(7)), "7");
/// ```
impl core::fmt::Display for Value {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let options = OutputOptions { quick: f.alternate(), ..OutputOptions::default() };
        let mut s = String::new();
        write_plain_value(&mut s, self, &options);
        f.write_str(&s)
    }
}

/// A varbind as `snmpget` prints it with the shipped MIBs: `SNMPv2-MIB::sysName.0 = STRING:
/// core-rtr-1` (names, enumerations, DISPLAY-HINTs and units). For other modules or `-O`
/// options: [`crate::mib::Mib::render`].
impl core::fmt::Display for VarBind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let options = OutputOptions { mib: Some(MibRef(crate::mib::shipped())), ..OutputOptions::default() };
        f.write_str(&varbind_line(self, &options))
    }
}

/// Rendering with a MIB's names and types: the one entry point for MIB-aware text.
///
/// ```
/// use snmpctl::format::output::OutputOptions;
/// use snmpctl::mib::Mib;
/// use snmpctl::value::{Value, VarBind};
/// let mib = Mib::shipped();
/// let vb = VarBind::new(mib.oid("IF-MIB::ifOperStatus.3")?, Value::Integer(1));
/// assert_eq!(mib.render(&vb), "IF-MIB::ifOperStatus.3 = INTEGER: up(1)");
/// assert_eq!(mib.render_value(&vb), "up");
/// let options = OutputOptions::parse("nq").expect("-O letters");
/// assert_eq!(mib.render_with(&vb, &options), ".1.3.6.1.2.1.2.2.1.8.3 up");
/// # Ok::<(), snmpctl::mib::NameError>(())
/// ```
impl crate::mib::Mib {
    /// `options` with this MIB's names and types.
    pub fn output_options<'m>(&'m self, options: &OutputOptions<'_>) -> OutputOptions<'m> {
        OutputOptions { mib: Some(MibRef(self.tree())), ..*options }
    }

    /// The name of an OID as Net-SNMP prints it by default: `IF-MIB::ifDescr.3`.
    pub fn name(&self, oid: &Oid) -> String {
        oid_name(oid, &self.output_options(&OutputOptions::default()))
    }

    /// A varbind as `snmpget` prints it: `IF-MIB::ifOperStatus.3 = INTEGER: up(1)`.
    pub fn render(&self, varbind: &VarBind) -> String {
        self.render_with(varbind, &OutputOptions::default())
    }

    /// A varbind as `snmpget` prints it under `options` (Net-SNMP's `-O` letters:
    /// [`OutputOptions::parse`]); this MIB replaces `options.mib`.
    pub fn render_with(&self, varbind: &VarBind, options: &OutputOptions<'_>) -> String {
        varbind_line(varbind, &self.output_options(options))
    }

    /// The value alone as `snmpget -Oqv` prints it: `up`, `0:c:29:1a:2b:3c`, `1024 Bytes`.
    pub fn render_value(&self, varbind: &VarBind) -> String {
        let options = OutputOptions { quick: true, value_only: true, ..OutputOptions::default() };
        let mut s = String::new();
        write_value_of(&mut s, &varbind.oid, &varbind.value, &self.output_options(&options));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(s: &str) -> OutputOptions<'static> {
        OutputOptions::parse(s).unwrap()
    }

    #[test]
    fn lines_like_snmpget() {
        let vb =
            VarBind::new("1.3.6.1.2.1.1.1.0".parse().unwrap(), Value::OctetString(b"test agent".to_vec()));
        assert_eq!(varbind_line(&vb, &o("")), "iso.3.6.1.2.1.1.1.0 = STRING: \"test agent\"");
        assert_eq!(varbind_line(&vb, &o("n")), ".1.3.6.1.2.1.1.1.0 = STRING: \"test agent\"");
        assert_eq!(varbind_line(&vb, &o("f")), ".iso.3.6.1.2.1.1.1.0 = STRING: \"test agent\"");
        assert_eq!(varbind_line(&vb, &o("fn")), ".1.3.6.1.2.1.1.1.0 = STRING: \"test agent\"");
        assert_eq!(varbind_line(&vb, &o("q")), "iso.3.6.1.2.1.1.1.0 \"test agent\"");
        assert_eq!(varbind_line(&vb, &o("Q")), "iso.3.6.1.2.1.1.1.0 = \"test agent\"");
        assert_eq!(varbind_line(&vb, &o("v")), "STRING: \"test agent\"");
        assert_eq!(OutputOptions::parse("nZ"), Err('Z'));
    }

    #[test]
    fn a_line_writer_writes_what_write_varbind_writes() {
        let oids = [
            "1.3.6.1.4.1.8072.1.3.2.4.1.2.4.100.101.109.111.1",
            "1.3.6.1.4.1.8072.1.3.2.4.1.2.4.100.101.109.111.2",
            "1.3.6.1.4.1.8072.1.3.2.4.1.2.4.100.101.109.111.10",
            "1.3.6.1.4.1.8072.1.3.2.4.1.2.4.100.101.109.112.1",
            "1.3.6.1.4.1.8072.1.3.2.4.1.2.4.100.101.109",
            "1.3.6.1.4.1.8072.1.3.2.4.1.2.4.100.101.109.4294967295",
            "1.3.6.1.2.1.2.2.1.10.1",
            "1.3",
            "0.0",
            "2.999.1",
            "1.3.6.1.2.1.2.2.1.10.1",
            "1.3.6.1.2.1.2.2.1.10.12",
            "1.3.6.1.2.1.2.2.1.1.12",
        ];
        for opts in ["n", "", "f", "fn", "q", "v"] {
            let mut writer = LineWriter::new();
            for oid in oids {
                let vb = VarBind::new(oid.parse().unwrap(), Value::Integer(7));
                let (mut ours, mut plain) = (String::new(), String::new());
                writer.write_varbind(&mut ours, &vb, &o(opts));
                write_varbind(&mut plain, &vb, &o(opts));
                assert_eq!(ours, plain, "-O{opts} {oid}");
            }
        }
        // One writer, the form changing from line to line.
        let mut writer = LineWriter::new();
        for (i, oid) in oids.iter().enumerate() {
            let opts = o(["n", "f", "", "n"][i % 4]);
            let vb = VarBind::new(oid.parse().unwrap(), Value::Integer(7));
            let (mut ours, mut plain) = (String::new(), String::new());
            writer.write_varbind(&mut ours, &vb, &opts);
            write_varbind(&mut plain, &vb, &opts);
            assert_eq!(ours, plain, "{oid}");
        }
    }

    #[test]
    fn octet_strings_as_net_snmp_5_9() {
        let v = |b: &[u8], opts: &str| value_string(&Value::OctetString(b.to_vec()), &o(opts));
        assert_eq!(v(b"A\tB\nC\rD", ""), "STRING: \"A\tB\nC\rD\"");
        assert_eq!(v(b"A\"BB\"\\C", ""), "STRING: \"A\\\"BB\\\"\\\\C\"");
        let sixteen: Vec<u8> = (1..=16).collect();
        assert_eq!(v(&sixteen, ""), "Hex-STRING: 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10 ");
        let seventeen: Vec<u8> = (1..=17).collect();
        assert_eq!(v(&seventeen, "q"), "\"01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10 \n11 \"");
        assert_eq!(v(&[0x41, 0x42, 0xff], ""), "Hex-STRING: 41 42 FF ");
        assert_eq!(v(&[0x80, 0x09, 0x5c, 0x02], "a"), "STRING: \".\t\\\\.\"");
        assert_eq!(v(b"AB", "x"), "Hex-STRING: 41 42 ");
        assert_eq!(v(b"AB", "xa"), "STRING: \"AB\"");
        assert_eq!(v(b"", "q"), "\"\"");
    }

    #[test]
    fn the_one_pass_classes_agree_with_the_octet_rules() {
        for b in 0..=u8::MAX {
            // Alone, and at each end of a plain string (the pass must look at every octet).
            for bytes in
                [vec![b], [b"plain text ".as_slice(), &[b]].concat(), [&[b], b" plain".as_slice()].concat()]
            {
                let class = classify(&bytes);
                assert_eq!(class.text, bytes.iter().all(|c| is_text(*c)), "{bytes:?}");
                let plain = bytes.iter().all(|c| matches!(c, 0x20..=0x7e) && *c != b'"' && *c != b'\\');
                assert_eq!(class.plain, plain, "{bytes:?}");
            }
        }
    }

    #[test]
    fn other_values() {
        let v = |val: Value, opts: &str| value_string(&val, &o(opts));
        assert_eq!(v(Value::TimeTicks(3042), ""), "Timeticks: (3042) 0:00:30.42");
        assert_eq!(v(Value::TimeTicks(3042), "q"), "0:0:00:30.42");
        assert_eq!(v(Value::TimeTicks(3042), "t"), "3042");
        assert_eq!(v(Value::TimeTicks(8640000), ""), "Timeticks: (8640000) 1 day, 0:00:00.00");
        assert_eq!(v(Value::TimeTicks(u32::MAX), ""), "Timeticks: (4294967295) 497 days, 2:27:52.95");
        assert_eq!(v(Value::TimeTicks(u32::MAX), "q"), "497:2:27:52.95");
        assert_eq!(
            v(Value::TimeTicks(17_280_000 + 3_600_000 + 90_005), ""),
            "Timeticks: (20970005) 2 days, 10:15:00.05"
        );
        assert_eq!(v(Value::TimeTicks(0), ""), "Timeticks: (0) 0:00:00.00");
        let oid = Value::ObjectIdentifier("1.3.6.1.4.1.8072.3.2.10".parse().unwrap());
        assert_eq!(v(oid.clone(), ""), "OID: iso.3.6.1.4.1.8072.3.2.10");
        assert_eq!(v(oid.clone(), "f"), "OID: .iso.3.6.1.4.1.8072.3.2.10");
        assert_eq!(v(oid, "Q"), "iso.3.6.1.4.1.8072.3.2.10");
        assert_eq!(v(Value::Integer(-5), ""), "INTEGER: -5");
        assert_eq!(v(Value::Integer(i32::MIN), "q"), "-2147483648");
        assert_eq!(v(Value::Counter64(u64::MAX), ""), "Counter64: 18446744073709551615");
        assert_eq!(v(Value::IpAddress([127, 0, 0, 1]), "q"), "127.0.0.1");
    }

    #[test]
    fn error_reports() {
        let pdu = GenericPdu {
            pdu_type: crate::msg::PduType::RESPONSE,
            request_id: 1,
            error_status: ErrorStatus(2),
            error_index: 1,
            varbinds: vec![VarBind::null("1.3.6.1.9".parse().unwrap())],
        };
        assert_eq!(
            error_report(&pdu, &o(""), true),
            "Error in packet.\nReason: (noSuchName) There is no such variable name in this MIB.\n\
             Failed object: iso.3.6.1.9\n\n"
        );
    }
}
