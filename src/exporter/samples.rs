//! From a scrape's varbinds to Prometheus samples, as snmp_exporter maps them, and the text
//! exposition format (0.0.4) they are served in.
//!
//! Each varbind is matched to the metric whose OID is the shortest prefix of its own; the rest
//! of its OID is the instance, read into labels by the metric's `indexes`, then `lookups` add
//! labels read from other varbinds. The metric's `type` says how the value becomes samples.
//! Where snmp_exporter fails a whole scrape, this keeps the rest and counts what it repaired
//! or dropped ([`Counts::repaired`], [`Counts::dropped`]):
//! - a label value that is not UTF-8 has each bad sequence replaced by U+FFFD (snmp_exporter
//!   0.21 fails the scrape with HTTP 500; later versions replace as here);
//! - two samples with the same name and labels: the first is kept (0.21: HTTP 500).

use super::config::{Index, Lookup, Metric, MetricType};
use crate::value::{Oid, Value};
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A scrape's varbinds by OID.
pub type Pdus = FxHashMap<Oid, Value>;

/// Counter or gauge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `# TYPE … gauge`.
    Gauge,
    /// `# TYPE … counter`.
    Counter,
}

fn escape_help(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

fn escape_label(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
}

/// A float as Go's `strconv.FormatFloat(f, 'g', -1, 64)` writes it (Prometheus's text format):
/// the shortest digits that read back, in exponent form below 1e-4 or from 1e21 on… and from
/// 1e6 on, as `'g'` with shortest precision decides with precision 6 (`1e+06`, `1.5e+07`).
pub fn go_float(out: &mut String, f: f64) {
    if f.is_nan() {
        out.push_str("NaN");
        return;
    }
    if f.is_infinite() {
        out.push_str(if f > 0.0 { "+Inf" } else { "-Inf" });
        return;
    }
    // Rust's `{:e}` gives the shortest round-trip digits too: "d.ddddde[-]x".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = if digits.chars().all(|c| c == '0') { "0".to_owned() } else { digits };
    if negative {
        out.push('-');
    }
    let nd = i32::try_from(digits.len()).unwrap_or(1);
    if digits == "0" {
        out.push('0');
        return;
    }
    if !(-4..6).contains(&exp) {
        let mut chars = digits.chars();
        if let Some(first) = chars.next() {
            out.push(first);
        }
        let rest: String = chars.collect();
        if !rest.is_empty() {
            out.push('.');
            out.push_str(&rest);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let _ = write!(out, "{:02}", exp.unsigned_abs());
        return;
    }
    // Fixed: the decimal point after `exp + 1` digits.
    let dp = exp.saturating_add(1);
    if dp <= 0 {
        out.push_str("0.");
        for _ in 0..dp.unsigned_abs() {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let dpu = usize::try_from(dp).unwrap_or(0);
        if nd <= dp {
            out.push_str(&digits);
            for _ in 0..dp.saturating_sub(nd) {
                out.push('0');
            }
        } else {
            out.push_str(digits.get(..dpu).unwrap_or_default());
            out.push('.');
            out.push_str(digits.get(dpu..).unwrap_or_default());
        }
    }
}

/// 2^53: Counter64 values wrap here so a float holds them exactly (snmp_exporter's
/// `--snmp.wrap-large-counters`, on by default).
const FLOAT64_MANTISSA: u64 = 1 << 53;

/// A value as a number, as snmp_exporter reads it.
#[allow(clippy::cast_precision_loss)]
pub fn number(value: &Value) -> f64 {
    match value {
        Value::Counter64(n) => (n % FLOAT64_MANTISSA) as f64,
        Value::Integer(i) => f64::from(*i),
        Value::Counter32(n) | Value::Gauge32(n) | Value::TimeTicks(n) => f64::from(*n),
        Value::Opaque(bytes) => match crate::value::OpaqueValue::parse(bytes) {
            Some(crate::value::OpaqueValue::Float(f)) => f64::from(f),
            Some(crate::value::OpaqueValue::Double(d)) => d,
            _ => 0.0,
        },
        _ => 0.0,
    }
}

/// A value as an integer (Go's `int(float64)`), for enums and chained lookups.
#[allow(clippy::cast_possible_truncation)]
fn integer(value: &Value) -> i64 {
    match value {
        Value::Counter64(n) => i64::try_from(*n).unwrap_or(i64::MAX),
        v => number(v) as i64,
    }
}

/// The three types whose real type is given by the object before them (an InetAddressType,
/// an LldpPortIdSubtype).
fn combined(kind: MetricType, subtype: i64) -> Option<MetricType> {
    match (kind, subtype) {
        (MetricType::InetAddress | MetricType::InetAddressMissingSize, 1) => {
            Some(MetricType::InetAddressIPv4)
        }
        (MetricType::InetAddress | MetricType::InetAddressMissingSize, 2) => {
            Some(MetricType::InetAddressIPv6)
        }
        (MetricType::LldpPortId, 1 | 2 | 5 | 7) => Some(MetricType::DisplayString),
        (MetricType::LldpPortId, 3) => Some(MetricType::PhysAddress48),
        _ => None,
    }
}

fn is_combined(kind: MetricType) -> bool {
    matches!(kind, MetricType::InetAddress | MetricType::InetAddressMissingSize | MetricType::LldpPortId)
}

/// The first `count` arcs (padded with zeros: some agents drop trailing zeros) and the rest.
fn split(arcs: &[u32], count: usize) -> (Vec<u32>, &[u32]) {
    let mut head: Vec<u32> = arcs.iter().copied().take(count).collect();
    head.resize(count, 0);
    (head, arcs.get(count..).unwrap_or_default())
}

fn low_byte(arc: u32) -> u8 {
    let [b, ..] = arc.to_le_bytes();
    b
}

/// Repairs text that is not UTF-8 (each bad sequence becomes U+FFFD) and counts it.
fn text(bytes: &[u8], repaired: &mut u64) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => {
            *repaired = repaired.saturating_add(1);
            String::from_utf8_lossy(bytes).into_owned()
        }
    }
}

/// Reads one index of type `kind` from `arcs`: its text, the arcs it used, the rest.
fn index_text<'a>(
    arcs: &'a [u32],
    kind: MetricType,
    fixed_size: usize,
    implied: bool,
    enums: &BTreeMap<i64, String>,
    repaired: &mut u64,
) -> (String, Vec<u32>, &'a [u32]) {
    if is_combined(kind) {
        let missing_size = kind == MetricType::InetAddressMissingSize;
        let (sub, rest) = split(arcs, if missing_size { 1 } else { 2 });
        let subtype = sub.first().copied().map_or(0, i64::from);
        if let Some(real) = combined(kind, subtype) {
            let (s, used, rest) = index_text(rest, real, 0, false, enums, repaired);
            let mut all = sub;
            all.extend(used);
            return (s, all, rest);
        }
        if missing_size {
            return index_text(arcs, MetricType::OctetString, 0, true, enums, repaired);
        }
        let len = sub.get(1).map_or(0, |&n| usize::try_from(n).unwrap_or(usize::MAX)).saturating_add(2);
        return index_text(arcs, MetricType::OctetString, len, false, enums, repaired);
    }
    match kind {
        MetricType::PhysAddress48 => {
            let (sub, rest) = split(arcs, 6);
            let s = sub.iter().map(|o| format!("{o:02X}")).collect::<Vec<_>>().join(":");
            (s, sub, rest)
        }
        MetricType::OctetString | MetricType::DisplayString => {
            let mut used = Vec::new();
            let mut rest = arcs;
            let mut length = fixed_size;
            if implied {
                length = rest.len();
            }
            if length == 0 {
                let (sub, r) = split(rest, 1);
                length = sub.first().map_or(0, |&n| usize::try_from(n).unwrap_or(usize::MAX));
                used = sub;
                rest = r;
            }
            // An absurd length arc reads what there is (padded as Go pads).
            let length = length.min(rest.len().saturating_add(128));
            let (content, rest) = split(rest, length);
            let bytes: Vec<u8> = content.iter().map(|&o| low_byte(o)).collect();
            used.extend(content);
            let s = if kind == MetricType::DisplayString {
                text(&bytes, repaired)
            } else if bytes.is_empty() {
                String::new()
            } else {
                format!("0x{}", crate::hex::encode(&bytes).to_ascii_uppercase())
            };
            (s, used, rest)
        }
        MetricType::InetAddressIPv4 => {
            let (sub, rest) = split(arcs, 4);
            let s = sub.iter().map(u32::to_string).collect::<Vec<_>>().join(".");
            (s, sub, rest)
        }
        MetricType::InetAddressIPv6 => {
            let (sub, rest) = split(arcs, 16);
            let mut s = String::new();
            for (i, o) in sub.iter().enumerate() {
                if i > 0 && i % 2 == 0 {
                    s.push(':');
                }
                let _ = write!(s, "{o:02X}");
            }
            (s, sub, rest)
        }
        MetricType::EnumAsInfo => {
            let (sub, rest) = split(arcs, 1);
            let n = sub.first().copied().map_or(0, i64::from);
            let s = enums.get(&n).cloned().unwrap_or_else(|| n.to_string());
            (s, sub, rest)
        }
        // Integers, and any other type given as an index: one arc, in decimal.
        _ => {
            let (sub, rest) = split(arcs, 1);
            let s = sub.first().map(u32::to_string).unwrap_or_default();
            (s, sub, rest)
        }
    }
}

/// A value as DisplayString text (what dynamic filters match), non-UTF-8 repaired and counted.
pub fn display_text(value: &Value, repaired: &mut u64) -> String {
    value_text(value, Some(MetricType::DisplayString), repaired)
}

/// A value as label text for type `kind` (snmp_exporter's `pduValueAsString`).
fn value_text(value: &Value, kind: Option<MetricType>, repaired: &mut u64) -> String {
    match value {
        Value::Integer(i) => i.to_string(),
        Value::Counter32(n) | Value::Gauge32(n) | Value::TimeTicks(n) => n.to_string(),
        Value::Counter64(n) => n.to_string(),
        Value::ObjectIdentifier(oid) => oid.to_string(),
        Value::IpAddress(a) => std::net::Ipv4Addr::from(*a).to_string(),
        Value::Opaque(bytes) => match crate::value::OpaqueValue::parse(bytes) {
            Some(crate::value::OpaqueValue::Float(f)) => f.to_string(),
            Some(crate::value::OpaqueValue::Double(d)) => d.to_string(),
            _ => bytes_text(bytes, kind, repaired),
        },
        Value::OctetString(bytes) | Value::Unknown { bytes, .. } => bytes_text(bytes, kind, repaired),
        _ => String::new(),
    }
}

fn bytes_text(bytes: &[u8], kind: Option<MetricType>, repaired: &mut u64) -> String {
    let kind = match kind {
        None | Some(MetricType::Bits) => MetricType::OctetString,
        Some(k) => k,
    };
    let mut arcs: Vec<u32> = Vec::with_capacity(bytes.len().saturating_add(1));
    if matches!(kind, MetricType::OctetString | MetricType::DisplayString) {
        arcs.push(u32::try_from(bytes.len()).unwrap_or(u32::MAX));
    }
    arcs.extend(bytes.iter().map(|&b| u32::from(b)));
    index_text(&arcs, kind, 0, false, &BTreeMap::new(), repaired).0
}

/// An instance (the arcs after a metric's OID), without a heap allocation up to three arcs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Inst {
    Short {
        len: u8,
        arcs: [u32; 3],
    },
    // Boxed twice on purpose: a thin pointer keeps `Inst` at 16 bytes, and a record at 24.
    #[allow(clippy::box_collection)]
    Long(Box<Vec<u32>>),
}

impl Inst {
    fn new(arcs: &[u32]) -> Inst {
        match arcs {
            [] => Inst::Short { len: 0, arcs: [0; 3] },
            [a] => Inst::Short { len: 1, arcs: [*a, 0, 0] },
            [a, b] => Inst::Short { len: 2, arcs: [*a, *b, 0] },
            [a, b, c] => Inst::Short { len: 3, arcs: [*a, *b, *c] },
            _ => Inst::Long(Box::new(arcs.to_vec())),
        }
    }

    fn arcs(&self) -> &[u32] {
        match self {
            Inst::Short { len, arcs } => arcs.get(..usize::from(*len)).unwrap_or_default(),
            Inst::Long(v) => v,
        }
    }
}

/// A varbind's value as a metric needs it: a number already, or the value itself.
#[derive(Debug, Clone)]
enum PreVal {
    Num(f64),
    Int(i64),
    Raw(Box<Value>),
}

/// A varbind that matched a metric, as the samples are made from it.
#[derive(Debug, Clone)]
struct Pre {
    inst: Inst,
    val: PreVal,
}

/// The records of one metric, in blocks: no reallocation while a walk streams in, little
/// slack, and a number takes 24 bytes with its instance.
#[derive(Debug, Clone)]
enum Records {
    Num(Vec<Vec<(Inst, f64)>>),
    Int(Vec<Vec<(Inst, i64)>>),
    Raw(Vec<Vec<(Inst, Box<Value>)>>),
}

/// Blocks grow from 8 records to this many (a small device takes little, a large one no
/// more than a block of slack per metric).
const BLOCK: usize = 4096;

fn push_block<T>(blocks: &mut Vec<Vec<T>>, item: T) {
    let full = blocks.last().is_none_or(|b| b.len() == b.capacity());
    if full {
        let size = blocks.last().map_or(8, |b| b.capacity().saturating_mul(2).min(BLOCK));
        blocks.push(Vec::with_capacity(size));
    }
    if let Some(b) = blocks.last_mut() {
        b.push(item);
    }
}

impl Records {
    fn for_kind(kind: MetricType) -> Records {
        if numeric(kind) {
            Records::Num(Vec::new())
        } else if matches!(kind, MetricType::EnumAsInfo | MetricType::EnumAsStateSet) {
            Records::Int(Vec::new())
        } else {
            Records::Raw(Vec::new())
        }
    }

    fn push(&mut self, inst: Inst, value: Value) {
        match self {
            Records::Num(b) => push_block(b, (inst, number(&value))),
            Records::Int(b) => push_block(b, (inst, integer(&value))),
            Records::Raw(b) => push_block(b, (inst, Box::new(value))),
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Records::Num(b) => b.is_empty(),
            Records::Int(b) => b.is_empty(),
            Records::Raw(b) => b.is_empty(),
        }
    }

    fn into_pre(self) -> Box<dyn Iterator<Item = Pre>> {
        match self {
            Records::Num(b) => {
                Box::new(b.into_iter().flatten().map(|(inst, v)| Pre { inst, val: PreVal::Num(v) }))
            }
            Records::Int(b) => {
                Box::new(b.into_iter().flatten().map(|(inst, v)| Pre { inst, val: PreVal::Int(v) }))
            }
            Records::Raw(b) => {
                Box::new(b.into_iter().flatten().map(|(inst, v)| Pre { inst, val: PreVal::Raw(v) }))
            }
        }
    }

    fn take(&mut self) -> Records {
        let empty = match self {
            Records::Num(_) => Records::Num(Vec::new()),
            Records::Int(_) => Records::Int(Vec::new()),
            Records::Raw(_) => Records::Raw(Vec::new()),
        };
        std::mem::replace(self, empty)
    }
}

/// The labels of one instance for one label plan: values in name order, and their text.
#[derive(Debug)]
struct Row {
    values: Vec<String>,
    /// `name="value",` for each label, in name order.
    text: String,
    /// Where each label's text starts (and, last, the end).
    cuts: Vec<usize>,
}

/// A metric's index and lookup configuration, shared by metrics that have the same one.
#[derive(Debug)]
struct Plan {
    metric: usize,
    /// The labels it makes, sorted.
    names: Vec<String>,
}

/// What the collector was told (counted for the `snmpctl_scrape_*` series).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Varbinds taken (exceptions aside).
    pub varbinds: u64,
    /// Label values that were not UTF-8, repaired.
    pub repaired: u64,
    /// Samples dropped: a name and labels seen before, or a value its type cannot read.
    pub dropped: u64,
}

/// A sample made from outside the metrics (the `snmp_scrape_*` series): name, help, value.
#[derive(Debug, Clone)]
pub struct Extra {
    /// Metric name.
    pub name: String,
    /// HELP.
    pub help: String,
    /// The value.
    pub value: f64,
}

/// Turns a scrape's varbinds into samples as they arrive, then writes the exposition text a
/// family at a time.
///
/// Varbinds are not kept as such: each one a metric covers becomes a small record (its
/// instance arcs and, for numeric types, the number), and only the objects that lookups or
/// InetAddress/LldpPortId types read are kept whole. Labels are made once per instance and
/// shared by every metric with the same indexes and lookups. On a 1,000-interface if_mib
/// scrape the exporter peaked at 11.5 MiB this way, against 35 MiB with a map of every varbind
/// and a label list per sample (BENCHMARKS.md, issue 20).
#[derive(Debug)]
pub struct Collector<'m> {
    metrics: Vec<&'m Metric>,
    by_oid: FxHashMap<&'m [u32], usize>,
    lengths: Vec<usize>,
    keep: rustc_hash::FxHashSet<Vec<u32>>,
    keep_lengths: Vec<usize>,
    kept: Pdus,
    pre: Vec<Records>,
    /// The plan of each metric.
    plan_of: Vec<usize>,
    plans: Vec<Plan>,
    counts: Counts,
    /// Families still to be written from each metric.
    uses: Vec<usize>,
}

fn numeric(kind: MetricType) -> bool {
    matches!(kind, MetricType::Counter | MetricType::Gauge | MetricType::Float | MetricType::Double)
}

impl<'m> Collector<'m> {
    /// A collector for `metrics` (a metric whose OID came before is left out: the first wins).
    pub fn new(metrics: impl IntoIterator<Item = &'m Metric>) -> Collector<'m> {
        let mut c = Collector {
            metrics: Vec::new(),
            by_oid: FxHashMap::default(),
            lengths: Vec::new(),
            keep: rustc_hash::FxHashSet::default(),
            keep_lengths: Vec::new(),
            kept: Pdus::default(),
            pre: Vec::new(),
            plan_of: Vec::new(),
            plans: Vec::new(),
            counts: Counts::default(),
            uses: Vec::new(),
        };
        for m in metrics {
            if c.by_oid.contains_key(m.oid.arcs()) {
                continue;
            }
            let i = c.metrics.len();
            c.by_oid.insert(m.oid.arcs(), i);
            c.lengths.push(m.oid.len());
            c.metrics.push(m);
            c.pre.push(Records::for_kind(m.kind));
            if is_combined(m.kind) {
                c.keep_object(previous(&m.oid, &[]));
            }
            for l in &m.lookups {
                if let (Some(oid), Some(kind)) = (&l.oid, l.kind) {
                    c.keep_object(Some(oid.clone()));
                    if is_combined(kind) {
                        c.keep_object(previous(oid, &[]));
                    }
                }
            }
            let same = c.plans.iter().position(|p| {
                c.metrics.get(p.metric).is_some_and(|o| o.indexes == m.indexes && o.lookups == m.lookups)
            });
            let plan = same.unwrap_or_else(|| {
                let mut names: Vec<String> = Vec::new();
                for x in &m.indexes {
                    if !names.contains(&x.labelname) {
                        names.push(x.labelname.clone());
                    }
                }
                for l in &m.lookups {
                    if l.labels.is_empty() {
                        names.retain(|n| *n != l.labelname);
                    } else if l.oid.is_some() && l.kind.is_some() && !names.contains(&l.labelname) {
                        names.push(l.labelname.clone());
                    }
                }
                names.sort();
                c.plans.push(Plan { metric: i, names });
                c.plans.len().saturating_sub(1)
            });
            c.plan_of.push(plan);
        }
        c.lengths.sort_unstable();
        c.lengths.dedup();
        c
    }

    fn keep_object(&mut self, oid: Option<Oid>) {
        if let Some(oid) = oid {
            self.keep_lengths.push(oid.len());
            self.keep_lengths.sort_unstable();
            self.keep_lengths.dedup();
            self.keep.insert(oid.arcs().to_vec());
        }
    }

    /// What was counted so far.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// Takes one varbind (exceptions and NULLs are not values and are skipped).
    pub fn add(&mut self, oid: Oid, value: Value) {
        if value.is_exception() || value == Value::Null {
            return;
        }
        self.counts.varbinds = self.counts.varbinds.saturating_add(1);
        let arcs = oid.arcs();
        let found = self.lengths.iter().find_map(|&n| {
            let (prefix, rest) = (arcs.get(..n)?, arcs.get(n..)?);
            self.by_oid.get(prefix).map(|&m| (m, rest))
        });
        let kept = self.keep_lengths.iter().any(|&n| arcs.get(..n).is_some_and(|p| self.keep.contains(p)));
        let record = found.and_then(|(m, rest)| Some((self.pre.get_mut(m)?, Inst::new(rest))));
        match (record, kept) {
            (Some((records, inst)), true) => {
                records.push(inst, value.clone());
                self.kept.insert(oid, value);
            }
            (Some((records, inst)), false) => records.push(inst, value),
            (None, true) => {
                self.kept.insert(oid, value);
            }
            (None, false) => {}
        }
    }

    /// Writes every family, sorted by name, each with its samples sorted by label values,
    /// and `extras` among them; `emit` gets the text a family at a time.
    pub fn render(self, extras: Vec<Extra>, mut emit: impl FnMut(String)) -> Counts {
        let mut chunks = self.into_chunks(extras);
        for chunk in chunks.by_ref() {
            emit(chunk);
        }
        chunks.counts()
    }

    /// The exposition text a family at a time, families sorted by name, `extras` among them.
    pub fn into_chunks(self, extras: Vec<Extra>) -> Chunks<'m> {
        let mut families: BTreeMap<String, Vec<Source>> = BTreeMap::new();
        for (i, m) in self.metrics.iter().enumerate() {
            if self.pre.get(i).is_none_or(Records::is_empty) {
                continue;
            }
            let is_string = !numeric(m.kind)
                && !matches!(
                    m.kind,
                    MetricType::DateAndTime
                        | MetricType::ParseDateAndTime
                        | MetricType::NTPTimeStamp
                        | MetricType::EnumAsInfo
                        | MetricType::EnumAsStateSet
                        | MetricType::Bits
                );
            if is_string && !m.regex_extracts.is_empty() {
                for suffix in m.regex_extracts.keys() {
                    families
                        .entry(format!("{}{suffix}", m.name))
                        .or_default()
                        .push(Source::Metric(i, Some(suffix.clone())));
                }
            } else if m.kind == MetricType::EnumAsInfo {
                families.entry(format!("{}_info", m.name)).or_default().push(Source::Metric(i, None));
            } else {
                families.entry(m.name.clone()).or_default().push(Source::Metric(i, None));
            }
        }
        for (i, e) in extras.iter().enumerate() {
            families.entry(e.name.clone()).or_default().push(Source::Extra(i));
        }
        let mut uses = vec![0usize; self.metrics.len()];
        for sources in families.values() {
            for s in sources {
                if let Source::Metric(i, _) = s
                    && let Some(u) = uses.get_mut(*i)
                {
                    *u = u.saturating_add(1);
                }
            }
        }
        Chunks {
            collector: Collector { uses, ..self },
            extras,
            families: families.into_iter().collect::<Vec<_>>().into_iter(),
            rows: FxHashMap::default(),
        }
    }

    /// One family's text, or `None` when it has no samples.
    fn family(
        &mut self,
        name: &str,
        sources: Vec<Source>,
        extras: &[Extra],
        rows: &mut FxHashMap<(usize, Inst), std::sync::Arc<Row>>,
    ) -> Option<String> {
        let mut samples: Vec<Sample> = Vec::new();
        let mut head: Option<(String, Kind)> = None;
        for source in sources {
            match source {
                Source::Extra(i) => {
                    let Some(e) = extras.get(i) else { continue };
                    head.get_or_insert_with(|| (e.help.clone(), Kind::Gauge));
                    samples.push(Sample { row: None, extra: None, value: e.value, plan: usize::MAX });
                }
                Source::Metric(i, suffix) => {
                    let Some(m) = self.metrics.get(i).copied() else { continue };
                    let plan = self.plan_of.get(i).copied().unwrap_or(0);
                    // A metric with several regex extracts feeds several families: the last
                    // one takes its records, the others copy them.
                    let left = self.uses.get_mut(i).map_or(0, |u| {
                        *u = u.saturating_sub(1);
                        *u
                    });
                    let pre = match self.pre.get_mut(i) {
                        Some(p) if left > 0 => p.clone(),
                        Some(p) => p.take(),
                        None => Records::Raw(Vec::new()),
                    };
                    self.samples(m, plan, suffix.as_deref(), pre, rows, &mut head, &mut samples);
                }
            }
        }
        let (help, kind) = head?;
        if samples.is_empty() {
            return None;
        }
        samples.sort_by(|a, b| a.cmp_values(b));
        let before = samples.len();
        samples.dedup_by(|b, a| a.plan == b.plan && a.cmp_values(b) == std::cmp::Ordering::Equal);
        self.counts.dropped =
            self.counts.dropped.saturating_add((before.saturating_sub(samples.len())) as u64);
        let mut out = String::with_capacity(samples.len().saturating_mul(96).saturating_add(128));
        out.push_str("# HELP ");
        out.push_str(name);
        out.push(' ');
        escape_help(&mut out, &help);
        out.push_str("\n# TYPE ");
        out.push_str(name);
        out.push_str(match kind {
            Kind::Gauge => " gauge\n",
            Kind::Counter => " counter\n",
        });
        for s in &samples {
            s.write(name, &mut out);
        }
        Some(out)
    }

    /// The samples of metric `m`'s varbinds (of one family: `suffix` picks a regex extract).
    #[allow(clippy::too_many_arguments)]
    fn samples(
        &mut self,
        m: &Metric,
        plan: usize,
        suffix: Option<&str>,
        pre: Records,
        rows: &mut FxHashMap<(usize, Inst), std::sync::Arc<Row>>,
        head: &mut Option<(String, Kind)>,
        out: &mut Vec<Sample>,
    ) {
        let names: &[String] = self.plans.get(plan).map(|p| p.names.as_slice()).unwrap_or_default();
        // Where the metric's own label goes among the plan's, and whether it is one of them.
        let own_at = names.partition_point(|n| n.as_str() < m.name.as_str());
        let own_taken = names.get(own_at).is_some_and(|n| *n == m.name);
        let help_kind = match m.kind {
            MetricType::Counter => (m.help.clone(), Kind::Counter),
            MetricType::EnumAsInfo => (format!("{} (EnumAsInfo)", m.help), Kind::Gauge),
            MetricType::EnumAsStateSet => (format!("{} (EnumAsStateSet)", m.help), Kind::Gauge),
            MetricType::Bits => (format!("{} (Bits)", m.help), Kind::Gauge),
            _ if suffix.is_some() => (format!("{} (regex extracted)", m.help), Kind::Gauge),
            _ => (m.help.clone(), Kind::Gauge),
        };
        let mut repaired = 0u64;
        for Pre { inst, val } in pre.into_pre() {
            let row = match rows.get(&(plan, inst.clone())) {
                Some(r) => r.clone(),
                None => {
                    let r = std::sync::Arc::new(self.row(m, names, inst.arcs(), &mut repaired));
                    rows.insert((plan, inst.clone()), r.clone());
                    r
                }
            };
            let mut push = |extra: Option<String>, value: f64| {
                head.get_or_insert_with(|| help_kind.clone());
                out.push(Sample {
                    row: Some(row.clone()),
                    extra: extra.map(|v| (own_at, m.name.as_str().into(), v)),
                    value,
                    plan,
                });
            };
            match (m.kind, val) {
                (k, PreVal::Num(v)) if numeric(k) => push(None, scaled(m, v)),
                (MetricType::EnumAsInfo, PreVal::Int(n)) => {
                    if own_taken {
                        continue;
                    }
                    let state = m.enum_values.get(&n).cloned().unwrap_or_else(|| n.to_string());
                    push(Some(state), 1.0);
                }
                (MetricType::EnumAsStateSet, PreVal::Int(n)) => {
                    if own_taken {
                        self.counts.dropped = self.counts.dropped.saturating_add(1);
                        continue;
                    }
                    let state = m.enum_values.get(&n).cloned().unwrap_or_else(|| n.to_string());
                    push(Some(state), 1.0);
                    for (k, state) in &m.enum_values {
                        if *k != n {
                            push(Some(state.clone()), 0.0);
                        }
                    }
                }
                (kind, PreVal::Raw(value)) => {
                    let value = *value;
                    match kind {
                        MetricType::DateAndTime => {
                            if let Some(t) = value.as_bytes().and_then(date_and_time) {
                                push(None, scaled(m, t));
                            }
                        }
                        MetricType::ParseDateAndTime => {
                            let s = value_text(&value, Some(MetricType::DisplayString), &mut repaired);
                            if let Some(t) = strptime(&s, &m.date_time_pattern) {
                                push(None, scaled(m, t));
                            }
                        }
                        MetricType::NTPTimeStamp => {
                            if let Some(t) = value.as_bytes().and_then(ntp_timestamp) {
                                push(None, scaled(m, t));
                            }
                        }
                        MetricType::Bits => {
                            let Value::OctetString(bytes) = &value else {
                                self.counts.dropped = self.counts.dropped.saturating_add(1);
                                continue;
                            };
                            if own_taken {
                                self.counts.dropped = self.counts.dropped.saturating_add(1);
                                continue;
                            }
                            for (k, state) in &m.enum_values {
                                let set = usize::try_from(*k).ok().and_then(|k| {
                                    let byte = bytes.get(k / 8)?;
                                    let bit = 0x80u8.checked_shr(u32::try_from(k % 8).ok()?)?;
                                    Some(byte & bit != 0)
                                });
                                push(Some(state.clone()), if set == Some(true) { 1.0 } else { 0.0 });
                            }
                        }
                        string_kind => {
                            let mut real = Some(string_kind);
                            if is_combined(string_kind) {
                                let subtype = previous(&m.oid, inst.arcs())
                                    .and_then(|p| self.kept.get(&p))
                                    .map(integer);
                                real = Some(
                                    subtype
                                        .and_then(|s| combined(string_kind, s))
                                        .unwrap_or(MetricType::OctetString),
                                );
                            }
                            let s = value_text(&value, real, &mut repaired);
                            match suffix {
                                Some(suffix) => {
                                    let Some(rules) = m.regex_extracts.get(suffix) else { continue };
                                    for rule in rules {
                                        let Some(caps) = rule.regex.captures(&s) else { continue };
                                        let mut expanded = String::new();
                                        caps.expand(&rule.value, &mut expanded);
                                        let Ok(x) = expanded.trim().parse::<f64>() else { continue };
                                        push(None, scaled(m, x));
                                        break;
                                    }
                                }
                                None if own_taken => push(None, scaled(m, 1.0)),
                                None => push(Some(s), scaled(m, 1.0)),
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        self.counts.repaired = self.counts.repaired.saturating_add(repaired);
    }

    /// The labels of one instance: indexes read from its arcs, then lookups in what was kept.
    fn row(&self, m: &Metric, names: &[String], instance: &[u32], repaired: &mut u64) -> Row {
        let labels = labels(m, instance, &self.kept, repaired);
        let mut values = Vec::with_capacity(names.len());
        let mut text = String::new();
        let mut cuts = Vec::with_capacity(names.len().saturating_add(1));
        for n in names {
            let v = labels.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()).unwrap_or_default();
            cuts.push(text.len());
            text.push_str(n);
            text.push_str("=\"");
            escape_label(&mut text, &v);
            text.push_str("\",");
            values.push(v);
        }
        cuts.push(text.len());
        Row { values, text, cuts }
    }
}

/// Where a family's samples come from: a metric (with the regex extract it is for), or one
/// of the extras.
#[derive(Debug)]
enum Source {
    Metric(usize, Option<String>),
    Extra(usize),
}

/// The exposition text of a [`Collector`], a family at a time ([`Collector::into_chunks`]).
#[derive(Debug)]
pub struct Chunks<'m> {
    collector: Collector<'m>,
    extras: Vec<Extra>,
    families: std::vec::IntoIter<(String, Vec<Source>)>,
    rows: FxHashMap<(usize, Inst), std::sync::Arc<Row>>,
}

impl Chunks<'_> {
    /// What was counted (complete once every chunk was taken).
    pub fn counts(&self) -> Counts {
        self.collector.counts
    }
}

impl Iterator for Chunks<'_> {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        loop {
            let (name, sources) = self.families.next()?;
            if let Some(text) = self.collector.family(&name, sources, &self.extras, &mut self.rows) {
                return Some(text);
            }
        }
    }
}

/// One sample of a family being written.
struct Sample {
    row: Option<std::sync::Arc<Row>>,
    /// The metric's own label: where it goes among the row's, its name, its value.
    extra: Option<(usize, Box<str>, String)>,
    value: f64,
    plan: usize,
}

impl Sample {
    fn value_at(&self, k: usize) -> Option<&str> {
        let values = self.row.as_ref().map(|r| r.values.as_slice()).unwrap_or_default();
        match &self.extra {
            Some((at, _, v)) if k == *at => Some(v),
            Some((at, _, _)) if k > *at => values.get(k.saturating_sub(1)).map(String::as_str),
            _ => values.get(k).map(String::as_str),
        }
    }

    /// client_golang's order: label values compared in label-name order.
    fn cmp_values(&self, other: &Sample) -> std::cmp::Ordering {
        let mut k = 0usize;
        loop {
            match (self.value_at(k), other.value_at(k)) {
                (None, None) => return std::cmp::Ordering::Equal,
                (a, b) => match a.cmp(&b) {
                    std::cmp::Ordering::Equal => k = k.saturating_add(1),
                    o => return o,
                },
            }
        }
    }

    fn write(&self, name: &str, out: &mut String) {
        out.push_str(name);
        let text = self.row.as_ref().map_or("", |r| r.text.as_str());
        let start = out.len();
        match (&self.extra, &self.row) {
            (Some((at, label, v)), row) => {
                out.push('{');
                let cut = row.as_ref().and_then(|r| r.cuts.get(*at).copied()).unwrap_or(0);
                out.push_str(text.get(..cut).unwrap_or_default());
                out.push_str(label);
                out.push_str("=\"");
                escape_label(out, v);
                out.push_str("\",");
                out.push_str(text.get(cut..).unwrap_or_default());
            }
            (None, _) if !text.is_empty() => {
                out.push('{');
                out.push_str(text);
            }
            _ => {}
        }
        if out.len() > start {
            out.pop();
            out.push('}');
        }
        out.push(' ');
        go_float(out, self.value);
        out.push('\n');
    }
}

/// The exposition text of `varbinds` for `metrics` (no `snmp_scrape_*` series): the whole of
/// [`Collector`] in one call.
pub fn render_text<'m>(
    metrics: impl IntoIterator<Item = &'m Metric>,
    varbinds: impl IntoIterator<Item = crate::value::VarBind>,
) -> (String, Counts) {
    let mut c = Collector::new(metrics);
    for vb in varbinds {
        c.add(vb.oid, vb.value);
    }
    let mut text = String::new();
    let counts = c.render(Vec::new(), |chunk| text.push_str(&chunk));
    (text, counts)
}

/// The OID of the object before `oid` (last arc minus one), followed by `instance`.
fn previous(oid: &Oid, instance: &[u32]) -> Option<Oid> {
    let arcs = oid.arcs();
    let (last, head) = arcs.split_last()?;
    let mut v: Vec<u32> = head.to_vec();
    v.push(last.checked_sub(1)?);
    v.extend_from_slice(instance);
    Oid::new(&v).ok()
}

fn join(oid: &Oid, parts: &[&[u32]]) -> Option<Oid> {
    let mut v = oid.arcs().to_vec();
    for p in parts {
        v.extend_from_slice(p);
    }
    Oid::new(&v).ok()
}

/// Labels from the instance's indexes, then lookups (in `kept`).
fn labels(metric: &Metric, instance: &[u32], pdus: &Pdus, repaired: &mut u64) -> Vec<(String, String)> {
    let mut labels: Vec<(String, String)> =
        Vec::with_capacity(metric.indexes.len().saturating_add(metric.lookups.len()));
    let mut label_arcs: Vec<(&str, Vec<u32>)> = Vec::with_capacity(labels.capacity());
    let mut rest = instance;
    for Index { labelname, kind, fixed_size, implied, enum_values } in &metric.indexes {
        let (s, used, r) = index_text(rest, *kind, *fixed_size, *implied, enum_values, repaired);
        set(&mut labels, labelname, s);
        set_arcs(&mut label_arcs, labelname, used);
        rest = r;
    }
    for Lookup { labels: sources, labelname, oid, kind, enum_values } in &metric.lookups {
        if sources.is_empty() {
            labels.retain(|(k, _)| k != labelname);
            continue;
        }
        let (Some(oid), Some(kind)) = (oid, kind) else { continue };
        let parts: Vec<&[u32]> = sources
            .iter()
            .map(|l| label_arcs.iter().find(|(k, _)| k == l).map_or(&[][..], |(_, a)| a.as_slice()))
            .collect();
        let found = join(oid, &parts).and_then(|o| pdus.get(&o));
        let Some(value) = found else {
            set(&mut labels, labelname, String::new());
            continue;
        };
        let mut kind = *kind;
        if is_combined(kind) {
            let all: Vec<u32> = parts.concat();
            let subtype = previous(oid, &all).and_then(|p| pdus.get(&p)).map(integer);
            if let Some(real) = subtype.and_then(|s| combined(kind, s)) {
                kind = real;
            }
        }
        let s = if kind == MetricType::EnumAsInfo && !enum_values.is_empty() {
            let n = integer(value);
            enum_values.get(&n).cloned().unwrap_or_else(|| n.to_string())
        } else {
            value_text(value, Some(kind), repaired)
        };
        set(&mut labels, labelname, s);
        let chained = u32::try_from(integer(value)).unwrap_or(0);
        set_arcs(&mut label_arcs, labelname, vec![chained]);
    }
    labels
}

fn set(labels: &mut Vec<(String, String)>, name: &str, value: String) {
    match labels.iter_mut().find(|(k, _)| k == name) {
        Some(slot) => slot.1 = value,
        None => labels.push((name.to_owned(), value)),
    }
}

fn set_arcs<'a>(labels: &mut Vec<(&'a str, Vec<u32>)>, name: &'a str, arcs: Vec<u32>) {
    match labels.iter_mut().find(|(k, _)| *k == name) {
        Some(slot) => slot.1 = arcs,
        None => labels.push((name, arcs)),
    }
}

fn scaled(metric: &Metric, value: f64) -> f64 {
    let v = if metric.scale == 0.0 { value } else { value * metric.scale };
    v + metric.offset
}

/// Days from 1970-01-01 to the given date (proleptic Gregorian; any month and day, normalized).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Normalize the month into 1..=12 first, as Go's time.Date does.
    let m0 = month.saturating_sub(1);
    let year = year.saturating_add(m0.div_euclid(12));
    let month = m0.rem_euclid(12).saturating_add(1);
    let y = if month <= 2 { year.saturating_sub(1) } else { year };
    let era = y.div_euclid(400);
    let yoe = y.saturating_sub(era.saturating_mul(400));
    let mp = (month.saturating_add(9)).rem_euclid(12);
    let doy =
        (153i64.saturating_mul(mp).saturating_add(2)).div_euclid(5).saturating_add(day).saturating_sub(1);
    let doe = yoe
        .saturating_mul(365)
        .saturating_add(yoe.div_euclid(4))
        .saturating_sub(yoe.div_euclid(100))
        .saturating_add(doy);
    era.saturating_mul(146_097).saturating_add(doe).saturating_sub(719_468)
}

#[allow(clippy::cast_precision_loss)]
fn unix(year: i64, month: i64, day: i64, hour: i64, minute: i64, second: i64, offset: i64) -> f64 {
    let days = days_from_civil(year, month, day);
    let secs = days
        .saturating_mul(86_400)
        .saturating_add(hour.saturating_mul(3600))
        .saturating_add(minute.saturating_mul(60))
        .saturating_add(second)
        .saturating_sub(offset);
    secs as f64
}

/// RFC 2579 DateAndTime (8 octets, UTC; or 11 with the offset) as Unix seconds.
pub fn date_and_time(v: &[u8]) -> Option<f64> {
    let offset = match v.len() {
        8 => 0,
        11 => {
            let (sign, h, m) = (*v.get(8)?, i64::from(*v.get(9)?), i64::from(*v.get(10)?));
            if h > 99 || m > 59 {
                return None;
            }
            let secs = h.saturating_mul(3600).saturating_add(m.saturating_mul(60));
            match sign {
                b'+' => secs,
                b'-' => secs.saturating_neg(),
                _ => return None,
            }
        }
        _ => return None,
    };
    let year = i64::from(u16::from_be_bytes([*v.first()?, *v.get(1)?]));
    let f = |i: usize| v.get(i).map(|&b| i64::from(b));
    // Deci-seconds over 9 carry into seconds, as Go's time.Date normalizes them.
    let second = f(6)?.saturating_add(f(7)?.div_euclid(10));
    Some(unix(year, f(2)?, f(3)?, f(4)?, f(5)?, second, offset))
}

/// An NTP timestamp (seconds since 1900, then a fraction) as whole Unix seconds.
#[allow(clippy::cast_precision_loss)]
pub fn ntp_timestamp(v: &[u8]) -> Option<f64> {
    let secs = u32::from_be_bytes([*v.first()?, *v.get(1)?, *v.get(2)?, *v.get(3)?]);
    v.get(7)?;
    Some((i64::from(secs).saturating_sub(2_208_988_800)) as f64)
}

/// Parses `text` with a strftime pattern (`%Y %m %d %H %M %S %y %b %B %e %j %p %I %z %Z %F
/// %T %s %%`); Unix seconds.
pub fn strptime(text: &str, pattern: &str) -> Option<f64> {
    const MONTHS: [&str; 12] =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let (mut year, mut month, mut day, mut hour, mut minute, mut second, mut offset) =
        (1900i64, 1i64, 1i64, 0i64, 0i64, 0i64, 0i64);
    let mut pm: Option<bool> = None;
    let mut epoch: Option<i64> = None;
    let mut s = text;
    let mut p = pattern.chars();
    fn num(s: &mut &str, max_digits: usize) -> Option<i64> {
        let t = s.trim_start_matches(' ');
        let (sign, body) = match t.strip_prefix('-') {
            Some(b) => (-1, b),
            None => (1, t.strip_prefix('+').unwrap_or(t)),
        };
        let n = body.chars().take(max_digits).take_while(char::is_ascii_digit).count();
        let v: i64 = body.get(..n)?.parse().ok()?;
        *s = body.get(n..)?;
        Some(v.saturating_mul(sign))
    }
    while let Some(c) = p.next() {
        if c != '%' {
            if c.is_whitespace() {
                s = s.trim_start();
                continue;
            }
            s = s.strip_prefix(c)?;
            continue;
        }
        match p.next()? {
            'Y' => year = num(&mut s, 4)?,
            'y' => {
                let y = num(&mut s, 2)?;
                year = if y < 69 { y.saturating_add(2000) } else { y.saturating_add(1900) };
            }
            'm' => month = num(&mut s, 2)?,
            'd' | 'e' => day = num(&mut s, 2)?,
            'j' => {
                month = 1;
                day = num(&mut s, 3)?;
            }
            'H' | 'I' => hour = num(&mut s, 2)?,
            'M' => minute = num(&mut s, 2)?,
            'S' => second = num(&mut s, 2)?,
            's' => epoch = Some(num(&mut s, 20)?),
            'p' => {
                let t = s.get(..2)?.to_ascii_lowercase();
                pm = Some(t == "pm");
                if t != "am" && t != "pm" {
                    return None;
                }
                s = s.get(2..)?;
            }
            'b' | 'B' | 'h' => {
                let lower = s.to_ascii_lowercase();
                let (i, _) = MONTHS.iter().enumerate().find(|(_, m)| lower.starts_with(*m))?;
                month = i64::try_from(i).ok()?.saturating_add(1);
                let full = [
                    "january",
                    "february",
                    "march",
                    "april",
                    "may",
                    "june",
                    "july",
                    "august",
                    "september",
                    "october",
                    "november",
                    "december",
                ];
                let used = full.get(i).filter(|f| lower.starts_with(*f)).map_or(3, |f| f.len());
                s = s.get(used..)?;
            }
            'z' => {
                let t = s.trim_start();
                if let Some(r) = t.strip_prefix('Z') {
                    s = r;
                    continue;
                }
                let sign = match t.get(..1)? {
                    "+" => 1,
                    "-" => -1,
                    _ => return None,
                };
                let body = t.get(1..)?;
                let body = body.replacen(':', "", 1);
                let h: i64 = body.get(..2)?.parse().ok()?;
                let m: i64 = body.get(2..4)?.parse().ok()?;
                offset = h.saturating_mul(3600).saturating_add(m.saturating_mul(60)).saturating_mul(sign);
                let consumed: usize = if t.get(3..4) == Some(":") { 6 } else { 5 };
                s = t.get(consumed..)?;
            }
            'Z' => {
                let t = s.trim_start();
                let n = t.chars().take_while(char::is_ascii_alphabetic).count();
                s = t.get(n..)?;
            }
            'F' => {
                year = num(&mut s, 4)?;
                s = s.strip_prefix('-')?;
                month = num(&mut s, 2)?;
                s = s.strip_prefix('-')?;
                day = num(&mut s, 2)?;
            }
            'T' => {
                hour = num(&mut s, 2)?;
                s = s.strip_prefix(':')?;
                minute = num(&mut s, 2)?;
                s = s.strip_prefix(':')?;
                second = num(&mut s, 2)?;
            }
            '%' => s = s.strip_prefix('%')?,
            'n' | 't' => s = s.trim_start(),
            _ => return None,
        }
    }
    #[allow(clippy::cast_precision_loss)]
    if let Some(e) = epoch {
        return Some(e as f64);
    }
    match pm {
        Some(true) if hour < 12 => hour = hour.saturating_add(12),
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    Some(unix(year, month, day, hour, minute, second, offset))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporter::config::Config;
    use std::path::Path;

    fn float(f: f64) -> String {
        let mut s = String::new();
        go_float(&mut s, f);
        s
    }

    #[test]
    fn floats_as_go_writes_them() {
        for (f, want) in [
            (0.0, "0"),
            (1.0, "1"),
            (200.0, "200"),
            (999_999.0, "999999"),
            (1_000_000.0, "1e+06"),
            (123_456_789.0, "1.23456789e+08"),
            (0.000_874_711, "0.000874711"),
            (0.000_01, "1e-05"),
            (-2.5, "-2.5"),
            (4_294_967_295.0, "4.294967295e+09"),
            (9_007_199_254_740_991.0, "9.007199254740991e+15"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
        ] {
            assert_eq!(float(f), want, "{f}");
        }
    }

    #[test]
    fn dates() {
        // 2024-02-29 13:45:30.5 +02:00 = 11:45:30 UTC.
        let v = [0x07, 0xE8, 2, 29, 13, 45, 30, 5, b'+', 2, 0];
        assert_eq!(date_and_time(&v), Some(1_709_207_130.0));
        assert_eq!(date_and_time(&v[..8]), Some(1_709_214_330.0));
        assert_eq!(date_and_time(&v[..7]), None);
        assert_eq!(
            ntp_timestamp(&[0xE9, 0x8F, 0xC2, 0x80, 0, 0, 0, 0]),
            Some(1_709_214_336.0 - 1_709_214_336.0 + f64::from(0xE98F_C280u32) - 2_208_988_800.0)
        );
        assert_eq!(strptime("2024-02-29 11:45:30", "%Y-%m-%d %H:%M:%S"), Some(1_709_207_130.0));
        assert_eq!(
            strptime("Feb 29 2024 01:45:30 PM +0200", "%b %d %Y %I:%M:%S %p %z"),
            Some(1_709_207_130.0)
        );
        assert_eq!(strptime("garbage", "%Y"), None);
    }

    const CONFIG: &str = r#"
auths:
  public_v2: {community: public, version: 2}
modules:
  m:
    walk: [1.3.6.1.2.1.2]
    metrics:
    - name: ifMtu
      oid: 1.3.6.1.2.1.2.2.1.4
      type: gauge
      help: MTU
      indexes: [{labelname: ifIndex, type: gauge}]
      lookups:
      - {labels: [ifIndex], labelname: ifDescr, oid: 1.3.6.1.2.1.2.2.1.2, type: DisplayString}
    - name: ifType
      oid: 1.3.6.1.2.1.2.2.1.3
      type: EnumAsInfo
      help: type
      indexes: [{labelname: ifIndex, type: gauge}]
      enum_values: {6: ethernetCsmacd, 24: softwareLoopback}
    - name: ifOperStatus
      oid: 1.3.6.1.2.1.2.2.1.8
      type: EnumAsStateSet
      help: status
      indexes: [{labelname: ifIndex, type: gauge}]
      enum_values: {1: up, 2: down}
    - name: ifPhysAddress
      oid: 1.3.6.1.2.1.2.2.1.6
      type: PhysAddress48
      help: mac
      indexes: [{labelname: ifIndex, type: gauge}]
    - name: ifDescr
      oid: 1.3.6.1.2.1.2.2.1.2
      type: DisplayString
      help: descr
      indexes: [{labelname: ifIndex, type: gauge}]
      regex_extracts:
        Number: [{regex: 'eth(\d+)', value: '$1'}]
    - name: ipAddr
      oid: 1.3.6.1.2.1.4.34.1.3
      type: gauge
      help: addr
      indexes:
      - {labelname: ipAddressAddr, type: InetAddress}
"#;

    #[test]
    fn a_table_becomes_samples() {
        let (config, _) = Config::parse(Path::new("t.yml"), CONFIG).unwrap();
        let module = &config.modules["m"];
        let mut pdus = Pdus::default();
        let o = |s: &str| s.parse::<Oid>().unwrap();
        pdus.insert(o("1.3.6.1.2.1.2.2.1.4.1"), Value::Integer(65536));
        pdus.insert(o("1.3.6.1.2.1.2.2.1.4.2"), Value::Integer(1500));
        pdus.insert(o("1.3.6.1.2.1.2.2.1.2.1"), Value::OctetString(b"lo".to_vec()));
        pdus.insert(o("1.3.6.1.2.1.2.2.1.2.2"), Value::OctetString(b"eth0\xff".to_vec()));
        pdus.insert(o("1.3.6.1.2.1.2.2.1.3.2"), Value::Integer(6));
        pdus.insert(o("1.3.6.1.2.1.2.2.1.8.2"), Value::Integer(2));
        pdus.insert(o("1.3.6.1.2.1.2.2.1.6.2"), Value::OctetString(vec![0, 0x1b, 0x21, 0xaa, 0xbb, 0xcc]));
        pdus.insert(o("1.3.6.1.2.1.4.34.1.3.1.4.10.0.0.1"), Value::Integer(2));
        pdus.insert(o("1.3.6.1.2.1.4.34.1.3.2.16.254.128.0.0.0.0.0.0.0.0.0.0.0.0.0.1"), Value::Integer(3));
        let varbinds = pdus.into_iter().map(|(o, v)| crate::value::VarBind::new(o, v));
        let (text, out) = render_text(&module.metrics, varbinds);
        let want = r#"# HELP ifMtu MTU
# TYPE ifMtu gauge
ifMtu{ifDescr="eth0�",ifIndex="2"} 1500
ifMtu{ifDescr="lo",ifIndex="1"} 65536
# HELP ifOperStatus status (EnumAsStateSet)
# TYPE ifOperStatus gauge
ifOperStatus{ifIndex="2",ifOperStatus="down"} 1
ifOperStatus{ifIndex="2",ifOperStatus="up"} 0
# HELP ifPhysAddress mac
# TYPE ifPhysAddress gauge
ifPhysAddress{ifIndex="2",ifPhysAddress="00:1B:21:AA:BB:CC"} 1
# HELP ifType_info type (EnumAsInfo)
# TYPE ifType_info gauge
ifType_info{ifIndex="2",ifType="ethernetCsmacd"} 1
# HELP ipAddr addr
# TYPE ipAddr gauge
ipAddr{ipAddressAddr="10.0.0.1"} 2
ipAddr{ipAddressAddr="FE80:0000:0000:0000:0000:0000:0000:0001"} 3
"#;
        // ifDescr has regex_extracts, so only they make samples, and neither value matches
        // `eth(\d+)` whole ("eth0\xff" is "eth0\u{FFFD}" once repaired).
        assert_eq!(text, want);
        assert_eq!(out.repaired, 2, "the non-UTF-8 ifDescr: read by its regex and by ifMtu's lookup");
    }
}
