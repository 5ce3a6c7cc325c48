//! A compact binary form of a [`Tree`], written by the build script for the shipped modules and
//! read at run time without parsing MIB text, lazily: opening it reads the modules and the
//! three roots, and a node or type is decoded the first time it is asked for (then kept).
//! Strings are borrowed from the stored bytes.
//!
//! Layout: the magic `SNMPCTL-MIB 3\n`; two text sections, each a u32 length and bytes:
//! documentation (every DESCRIPTION and REFERENCE) and strings (every other string, each
//! distinct one once); then
//! - modules: a u32 count and records (name, file, SMIv2 flag);
//! - roots: a u32 count and node numbers;
//! - nodes and types: each a u32 count and one u32 offset per entry into the records section;
//! - labels: a u32 count and fixed records (string, node) sorted by label bytes, one per
//!   distinct node label, naming the first node of that label in tree order (what a bare name
//!   resolves to);
//! - symbols: a u32 count and fixed records (module u16, string, kind u8, number u32) sorted by
//!   module then name;
//! - records: a u32 length and the node and type records.
//!
//! Integers are little-endian. A record names a string by its offset and length in its
//! section, both u32; an absent optional string has offset `u32::MAX` and no length. A string
//! is checked as UTF-8 when read; the documentation is checked only when printed ([`Doc`]).
//!
//! With every IETF, IANA and IEEE module shipped the store holds some 33,600 nodes: decoding
//! them all took longer than a whole `get`, which uses a dozen.

use std::borrow::Cow;
use std::sync::OnceLock;

use super::parse::Macro;
use super::tree::{Base, Doc, Module, Node, NodeId, Symbol, Syntax, Text, Tree, TypeDef, TypeId};

const MAGIC: &[u8] = b"SNMPCTL-MIB 3\n";
const NONE: u32 = u32::MAX;
/// Bytes of one label record: string offset, length, node.
const LABEL_RECORD: usize = 12;
/// Bytes of one symbol record: module, string offset, length, kind, number.
const SYMBOL_RECORD: usize = 15;

/// Why stored bytes could not be read (only a corrupt build could cause it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    /// Where reading stopped.
    pub offset: usize,
    /// What was wrong.
    pub what: &'static str,
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "compiled MIB data is corrupt at byte {}: {}", self.offset, self.what)
    }
}

struct Writer {
    buf: Vec<u8>,
    /// The documentation section, written in front of the records at the end.
    docs: Vec<u8>,
    /// The string section, written in front of the records at the end.
    strings: Vec<u8>,
    /// Where each distinct string already is in `strings`.
    placed: std::collections::HashMap<String, u32>,
}

impl Writer {
    fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(NONE));
    }
    fn str(&mut self, s: &str) {
        let offset = match self.placed.get(s) {
            Some(&offset) => offset,
            None => {
                let offset = u32::try_from(self.strings.len()).unwrap_or(NONE);
                self.strings.extend_from_slice(s.as_bytes());
                self.placed.insert(s.to_owned(), offset);
                offset
            }
        };
        self.u32(offset);
        self.len(s.len());
    }
    fn opt(&mut self, s: &Option<Text>) {
        match s {
            Some(s) => self.str(s),
            None => self.u32(NONE),
        }
    }
    fn doc(&mut self, d: &Option<Doc>) {
        match d {
            Some(d) => {
                let text = d.text();
                self.len(self.docs.len());
                self.len(text.len());
                self.docs.extend_from_slice(text.as_bytes());
            }
            None => self.u32(NONE),
        }
    }
    fn ranges(&mut self, r: &[(i64, i64)]) {
        self.len(r.len());
        for &(a, b) in r {
            self.i64(a);
            self.i64(b);
        }
    }
    fn syntax(&mut self, s: &Syntax) {
        self.u8(s.base.code());
        self.u32(s.named.unwrap_or(NONE));
        self.opt(&s.hint);
        self.len(s.enums.len());
        for (v, l) in &s.enums {
            self.i64(*v);
            self.str(l);
        }
        self.ranges(&s.ranges);
        self.ranges(&s.sizes);
    }
    /// Moves what was written so far out, as a finished section.
    fn section(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }
}

/// The byte range a record's offset and length name in a section (not yet checked against it).
fn span(offset: u32, len: u32) -> Option<std::ops::Range<usize>> {
    let start = usize::try_from(offset).ok()?;
    Some(start..start.checked_add(usize::try_from(len).ok()?)?)
}

fn le_u32(b: &[u8], at: usize) -> Option<u32> {
    let bytes = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(bytes.try_into().ok()?))
}

fn le_u16(b: &[u8], at: usize) -> Option<u16> {
    let bytes = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes(bytes.try_into().ok()?))
}

/// A string of the string section, checked as UTF-8.
fn string_at(strings: &'static [u8], offset: u32, len: u32) -> Option<&'static str> {
    std::str::from_utf8(strings.get(span(offset, len)?)?).ok()
}

struct Reader {
    buf: &'static [u8],
    pos: usize,
    /// The documentation section.
    docs: &'static [u8],
    /// The string section.
    strings: &'static [u8],
}

type R<T> = Result<T, StoreError>;

impl Reader {
    fn fail<T>(&self, what: &'static str) -> R<T> {
        Err(StoreError { offset: self.pos, what })
    }
    fn take(&mut self, n: usize) -> R<&'static [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        match end.and_then(|e| self.buf.get(self.pos..e)) {
            Some(s) => {
                self.pos = self.pos.saturating_add(n);
                Ok(s)
            }
            None => self.fail("truncated"),
        }
    }
    fn u8(&mut self) -> R<u8> {
        Ok(self.take(1)?.first().copied().unwrap_or(0))
    }
    fn u16(&mut self) -> R<u16> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes(b.try_into().unwrap_or([0; 2])))
    }
    fn u32(&mut self) -> R<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes(b.try_into().unwrap_or([0; 4])))
    }
    fn i64(&mut self) -> R<i64> {
        let b = self.take(8)?;
        Ok(i64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    }
    fn count(&mut self) -> R<usize> {
        let n = usize::try_from(self.u32()?).unwrap_or(usize::MAX);
        // Every record takes at least one byte: a larger count is corrupt.
        if n > self.buf.len().saturating_sub(self.pos) {
            return self.fail("count past the end");
        }
        Ok(n)
    }
    /// A section of `count` fixed records of `size` bytes, after its u32 count.
    fn table(&mut self, size: usize) -> R<(usize, &'static [u8])> {
        let n = self.count()?;
        let bytes = self.take(n.saturating_mul(size))?;
        Ok((n, bytes))
    }
    /// The string at `offset` in the string section, its length read next.
    fn str_at(&mut self, offset: u32) -> R<Text> {
        let len = self.u32()?;
        match string_at(self.strings, offset, len) {
            Some(s) => Ok(Cow::Borrowed(s)),
            None => self.fail("string span outside its section or not UTF-8"),
        }
    }
    fn str(&mut self) -> R<Text> {
        let offset = self.u32()?;
        self.str_at(offset)
    }
    fn opt(&mut self) -> R<Option<Text>> {
        match self.u32()? {
            NONE => Ok(None),
            offset => self.str_at(offset).map(Some),
        }
    }
    /// A DESCRIPTION or REFERENCE: a span of the documentation section, not read here.
    fn doc(&mut self) -> R<Option<Doc>> {
        let offset = self.u32()?;
        if offset == NONE {
            return Ok(None);
        }
        let len = self.u32()?;
        let span = span(offset, len).and_then(|r| self.docs.get(r));
        match span {
            Some(bytes) => Ok(Some(Doc::Stored(bytes))),
            None => self.fail("documentation span past the end of its section"),
        }
    }
    fn opt_u32(&mut self) -> R<Option<u32>> {
        Ok(match self.u32()? {
            NONE => None,
            v => Some(v),
        })
    }
    fn u32s(&mut self) -> R<Vec<u32>> {
        let n = self.count()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(self.u32()?);
        }
        Ok(out)
    }
    fn ranges(&mut self) -> R<Vec<(i64, i64)>> {
        let n = self.count()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push((self.i64()?, self.i64()?));
        }
        Ok(out)
    }
    fn syntax(&mut self) -> R<Syntax> {
        let base = Base::from_code(self.u8()?);
        let named = self.opt_u32()?;
        let hint = self.opt()?;
        let n = self.count()?;
        let mut enums = Vec::with_capacity(n);
        for _ in 0..n {
            let v = self.i64()?;
            enums.push((v, self.str()?));
        }
        Ok(Syntax { base, named, hint, enums, ranges: self.ranges()?, sizes: self.ranges()? })
    }
    fn node(&mut self) -> R<Node> {
        let subid = self.u32()?;
        let parent = self.opt_u32()?;
        let children = self.u32s()?;
        let label = self.str()?;
        let module = self.u16()?;
        let kind = macro_from(self.u8()?);
        let syntax = if self.u8()? == 1 { Some(self.syntax()?) } else { None };
        let units = self.opt()?;
        let access = self.opt()?;
        let status = self.opt()?;
        let description = self.doc()?;
        let reference = self.doc()?;
        let c = self.count()?;
        let mut index = Vec::with_capacity(c);
        for _ in 0..c {
            let i = self.u32()?;
            index.push((i, self.u8()? != 0));
        }
        let augments = self.opt_u32()?;
        let defval = self.opt()?;
        let objects = self.u32s()?;
        let line = self.u32()?;
        let defined = self.u8()? != 0;
        let c = self.count()?;
        let mut also = Vec::with_capacity(c);
        for _ in 0..c {
            also.push(self.u16()?);
        }
        Ok(Node {
            also,
            subid,
            parent,
            children,
            label,
            module,
            kind,
            syntax,
            units,
            access,
            status,
            description,
            reference,
            index,
            augments,
            defval,
            objects,
            line,
            defined,
        })
    }
    fn type_def(&mut self) -> R<TypeDef> {
        Ok(TypeDef {
            name: self.str()?,
            module: self.u16()?,
            textual_convention: self.u8()? != 0,
            status: self.opt()?,
            description: self.doc()?,
            reference: self.doc()?,
            own_hint: self.opt()?,
            syntax: self.syntax()?,
        })
    }
}

fn macro_code(m: Macro) -> u8 {
    m as u8
}

fn macro_from(c: u8) -> Macro {
    const ALL: [Macro; 10] = [
        Macro::ObjectIdentifier,
        Macro::ObjectType,
        Macro::ModuleIdentity,
        Macro::ObjectIdentity,
        Macro::NotificationType,
        Macro::TrapType,
        Macro::ObjectGroup,
        Macro::NotificationGroup,
        Macro::ModuleCompliance,
        Macro::AgentCapabilities,
    ];
    ALL.get(usize::from(c)).copied().unwrap_or_default()
}

/// Writes a tree.
pub fn encode(tree: &Tree) -> Vec<u8> {
    let mut w = Writer { buf: Vec::new(), docs: Vec::new(), strings: Vec::new(), placed: Default::default() };
    // The node and type records first, to know their offsets.
    let mut node_offsets = Vec::with_capacity(tree.nodes.len());
    for n in &tree.nodes {
        node_offsets.push(w.buf.len());
        w.u32(n.subid);
        w.u32(n.parent.unwrap_or(NONE));
        w.len(n.children.len());
        for &c in &n.children {
            w.u32(c);
        }
        w.str(&n.label);
        w.u16(n.module);
        w.u8(macro_code(n.kind));
        match &n.syntax {
            Some(s) => {
                w.u8(1);
                w.syntax(s);
            }
            None => w.u8(0),
        }
        w.opt(&n.units);
        w.opt(&n.access);
        w.opt(&n.status);
        w.doc(&n.description);
        w.doc(&n.reference);
        w.len(n.index.len());
        for &(i, implied) in &n.index {
            w.u32(i);
            w.u8(u8::from(implied));
        }
        w.u32(n.augments.unwrap_or(NONE));
        w.opt(&n.defval);
        w.len(n.objects.len());
        for &o in &n.objects {
            w.u32(o);
        }
        w.u32(n.line);
        w.u8(u8::from(n.defined));
        w.len(n.also.len());
        for &m in &n.also {
            w.u16(m);
        }
    }
    let mut type_offsets = Vec::with_capacity(tree.types.len());
    for t in &tree.types {
        type_offsets.push(w.buf.len());
        w.str(&t.name);
        w.u16(t.module);
        w.u8(u8::from(t.textual_convention));
        w.opt(&t.status);
        w.doc(&t.description);
        w.doc(&t.reference);
        w.opt(&t.own_hint);
        w.syntax(&t.syntax);
    }
    let records = w.section();

    w.len(tree.modules.len());
    for m in &tree.modules {
        w.str(&m.name);
        w.str(&m.file);
        w.u8(u8::from(m.smiv2));
    }
    w.len(tree.roots.len());
    for &r in &tree.roots {
        w.u32(r);
    }
    for offsets in [&node_offsets, &type_offsets] {
        w.len(offsets.len());
        for &o in offsets {
            w.len(o);
        }
    }
    // One label record per distinct label: the node a bare name resolves to.
    let mut labels: Vec<(&str, NodeId)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<NodeId> = tree.roots.iter().rev().copied().collect();
    while let Some(id) = stack.pop() {
        let Some(n) = tree.nodes.get(usize::try_from(id).unwrap_or(usize::MAX)) else { continue };
        if seen.insert(n.label.as_ref()) {
            labels.push((n.label.as_ref(), id));
        }
        stack.extend(n.children.iter().rev());
    }
    labels.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    w.len(labels.len());
    for (label, id) in labels {
        w.str(label);
        w.u32(id);
    }
    w.len(tree.symbols.len());
    for (m, name, s) in &tree.symbols {
        w.u16(*m);
        w.str(name);
        let (kind, n) = match s {
            Symbol::Node(n) => (0, *n),
            Symbol::Type(t) => (1, *t),
        };
        w.u8(kind);
        w.u32(n);
    }
    let tables = w.section();

    let mut out = MAGIC.to_vec();
    for section in [&w.docs, &w.strings] {
        out.extend_from_slice(&u32::try_from(section.len()).unwrap_or(NONE).to_le_bytes());
        out.extend_from_slice(section);
    }
    out.extend_from_slice(&tables);
    out.extend_from_slice(&u32::try_from(records.len()).unwrap_or(NONE).to_le_bytes());
    out.extend_from_slice(&records);
    out
}

/// Entries decoded on first use and kept, in chunks made on first use: a `get` that reads a
/// dozen of 33,600 nodes neither decodes nor allocates a slot for the rest.
struct Cache<T> {
    chunks: Box<[OnceLock<Chunk<T>>]>,
}

/// [`CHUNK`] slots, each decoded once (`None` for a corrupt record).
type Chunk<T> = Box<[OnceLock<Option<Box<T>>>]>;

const CHUNK: usize = 64;

impl<T> Cache<T> {
    fn new(len: usize) -> Self {
        Cache { chunks: (0..len.div_ceil(CHUNK)).map(|_| OnceLock::new()).collect() }
    }

    fn get(&self, i: usize, make: impl FnOnce() -> Option<T>) -> Option<&T> {
        let chunk = self.chunks.get(i.checked_div(CHUNK)?)?;
        let slots = chunk.get_or_init(|| (0..CHUNK).map(|_| OnceLock::new()).collect());
        slots.get(i.checked_rem(CHUNK)?)?.get_or_init(|| make().map(Box::new)).as_deref()
    }
}

/// The stored tree, read in place: see the module documentation for the layout.
pub struct Lazy {
    docs: &'static [u8],
    strings: &'static [u8],
    node_offsets: &'static [u8],
    type_offsets: &'static [u8],
    labels: &'static [u8],
    symbols: &'static [u8],
    records: &'static [u8],
    /// Where the records section starts in the whole store (for error offsets).
    records_at: usize,
    nodes: Cache<Node>,
    types: Cache<TypeDef>,
}

impl std::fmt::Debug for Lazy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lazy")
            .field("nodes", &self.node_count())
            .field("types", &self.type_count())
            .field("symbols", &self.symbol_count())
            .finish_non_exhaustive()
    }
}

impl Lazy {
    pub(crate) fn node_count(&self) -> usize {
        self.node_offsets.len().checked_div(4).unwrap_or(0)
    }

    pub(crate) fn type_count(&self) -> usize {
        self.type_offsets.len().checked_div(4).unwrap_or(0)
    }

    fn symbol_count(&self) -> usize {
        self.symbols.len().checked_div(SYMBOL_RECORD).unwrap_or(0)
    }

    fn reader_at(&self, offsets: &[u8], i: usize) -> Option<Reader> {
        let offset = le_u32(offsets, i.checked_mul(4)?)?;
        Some(Reader {
            buf: self.records,
            pos: usize::try_from(offset).ok()?,
            docs: self.docs,
            strings: self.strings,
        })
    }

    fn read_node(&self, id: NodeId) -> R<Node> {
        let i = usize::try_from(id).unwrap_or(usize::MAX);
        match self.reader_at(self.node_offsets, i) {
            Some(mut r) => r.node().map_err(|e| self.at_records(e)),
            None => Err(StoreError { offset: self.records_at, what: "node number past the end" }),
        }
    }

    fn read_type(&self, id: TypeId) -> R<TypeDef> {
        let i = usize::try_from(id).unwrap_or(usize::MAX);
        match self.reader_at(self.type_offsets, i) {
            Some(mut r) => r.type_def().map_err(|e| self.at_records(e)),
            None => Err(StoreError { offset: self.records_at, what: "type number past the end" }),
        }
    }

    fn at_records(&self, e: StoreError) -> StoreError {
        StoreError { offset: self.records_at.saturating_add(e.offset), what: e.what }
    }

    /// Node `id`, decoded on first use (`None` past the end or if its record is corrupt).
    pub(crate) fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(usize::try_from(id).ok()?, || self.read_node(id).ok())
    }

    /// Type `id`, decoded on first use.
    pub(crate) fn type_def(&self, id: TypeId) -> Option<&TypeDef> {
        self.types.get(usize::try_from(id).ok()?, || self.read_type(id).ok())
    }

    /// A node's sub-identifier, read from its record without decoding it.
    pub(crate) fn subid(&self, id: NodeId) -> Option<u32> {
        let offset = le_u32(self.node_offsets, usize::try_from(id).ok()?.checked_mul(4)?)?;
        le_u32(self.records, usize::try_from(offset).ok()?)
    }

    fn label_record(&self, i: usize) -> Option<(&'static str, NodeId)> {
        let at = i.checked_mul(LABEL_RECORD)?;
        let s = string_at(self.strings, le_u32(self.labels, at)?, le_u32(self.labels, at.checked_add(4)?)?)?;
        Some((s, le_u32(self.labels, at.checked_add(8)?)?))
    }

    /// The first node in tree order labelled `name`.
    pub(crate) fn node_named(&self, name: &str) -> Option<NodeId> {
        let (mut lo, mut hi) = (0usize, self.labels.len().checked_div(LABEL_RECORD)?);
        while lo < hi {
            let mid = lo.midpoint(hi);
            let (label, id) = self.label_record(mid)?;
            match label.as_bytes().cmp(name.as_bytes()) {
                std::cmp::Ordering::Less => lo = mid.checked_add(1)?,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(id),
            }
        }
        None
    }

    fn symbol_record(&self, i: usize) -> Option<(u16, &'static str, Symbol)> {
        let at = i.checked_mul(SYMBOL_RECORD)?;
        let module = le_u16(self.symbols, at)?;
        let name = string_at(
            self.strings,
            le_u32(self.symbols, at.checked_add(2)?)?,
            le_u32(self.symbols, at.checked_add(6)?)?,
        )?;
        let kind = *self.symbols.get(at.checked_add(10)?)?;
        let n = le_u32(self.symbols, at.checked_add(11)?)?;
        Some((module, name, if kind == 0 { Symbol::Node(n) } else { Symbol::Type(n) }))
    }

    /// Every symbol `name` of `module`, in stored order.
    pub(crate) fn symbols_named(&self, module: u16, name: &str) -> impl Iterator<Item = Symbol> + '_ {
        let key = (module, name.as_bytes());
        let below = |i: usize, or_equal: bool| {
            self.symbol_record(i).is_some_and(|(m, n, _)| {
                let k = (m, n.as_bytes());
                if or_equal { k <= key } else { k < key }
            })
        };
        let partition = |or_equal: bool| {
            let (mut lo, mut hi) = (0usize, self.symbol_count());
            while lo < hi {
                let mid = lo.midpoint(hi);
                if below(mid, or_equal) {
                    lo = mid.saturating_add(1);
                } else {
                    hi = mid;
                }
            }
            lo
        };
        let (start, end) = (partition(false), partition(true));
        (start..end).filter_map(|i| self.symbol_record(i).map(|(_, _, s)| s))
    }

    /// Every symbol (those whose record is corrupt left out).
    pub(crate) fn symbols(&self) -> impl Iterator<Item = (u16, Text, Symbol)> + '_ {
        (0..self.symbol_count())
            .filter_map(|i| self.symbol_record(i).map(|(m, n, s)| (m, Cow::Borrowed(n), s)))
    }

    /// Every symbol, decoded, or the first corrupt record.
    fn all_symbols(&self) -> R<Vec<(u16, Text, Symbol)>> {
        let all: Vec<_> = self.symbols().collect();
        if all.len() != self.symbol_count() {
            return Err(StoreError {
                offset: self.records_at,
                what: "a symbol record is outside its section or not UTF-8",
            });
        }
        Ok(all)
    }
}

/// Opens a store written by [`encode`]: reads the modules and roots and checks the tables'
/// sizes; nodes and types are decoded when asked for.
pub fn open(buf: &'static [u8]) -> Result<Tree, StoreError> {
    let mut r = Reader { buf, pos: 0, docs: &[], strings: &[] };
    if r.take(MAGIC.len())? != MAGIC {
        return r.fail("not compiled MIB data");
    }
    let docs_len = r.count()?;
    r.docs = r.take(docs_len)?;
    let strings_len = r.count()?;
    r.strings = r.take(strings_len)?;
    let mut tree = Tree::default();
    let n = r.count()?;
    tree.modules.reserve(n);
    for _ in 0..n {
        tree.modules.push(Module { name: r.str()?, file: r.str()?, smiv2: r.u8()? != 0 });
    }
    tree.roots = r.u32s()?;
    let (_, node_offsets) = r.table(4)?;
    let (_, type_offsets) = r.table(4)?;
    let (_, labels) = r.table(LABEL_RECORD)?;
    let (_, symbols) = r.table(SYMBOL_RECORD)?;
    let records_len = r.count()?;
    let records_at = r.pos;
    let records = r.take(records_len)?;
    if r.pos != buf.len() {
        return r.fail("trailing bytes");
    }
    let lazy = Lazy {
        docs: r.docs,
        strings: r.strings,
        node_offsets,
        type_offsets,
        labels,
        symbols,
        records,
        records_at,
        nodes: Cache::new(node_offsets.len().checked_div(4).unwrap_or(0)),
        types: Cache::new(type_offsets.len().checked_div(4).unwrap_or(0)),
    };
    tree.stored = Some(Box::new(lazy));
    Ok(tree)
}

/// Reads a whole store written by [`encode`] into an owned tree, checking every record.
pub fn decode(buf: &'static [u8]) -> Result<Tree, StoreError> {
    let mut tree = open(buf)?;
    let Some(lazy) = tree.stored.take() else { return Ok(tree) };
    for id in 0..lazy.node_count() {
        tree.nodes.push(lazy.read_node(NodeId::try_from(id).unwrap_or(NodeId::MAX))?);
    }
    for id in 0..lazy.type_count() {
        tree.types.push(lazy.read_type(TypeId::try_from(id).unwrap_or(TypeId::MAX))?);
    }
    tree.symbols = lazy.all_symbols()?;
    Ok(tree)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled() -> &'static [u8] {
        crate::mib::COMPILED
    }

    /// Reading and writing the compiled-in store gives back the same bytes: every string,
    /// documentation span and record survives, and strings are placed once each.
    #[test]
    fn the_compiled_store_round_trips() {
        let tree = decode(compiled()).unwrap();
        assert!(tree.nodes.len() > 2000);
        assert_eq!(encode(&tree), compiled());
    }

    /// The lazy tree answers every lookup as the whole decoded one does.
    #[test]
    fn the_lazy_tree_answers_as_the_decoded_one() {
        let lazy = open(compiled()).unwrap();
        let whole = decode(compiled()).unwrap();
        assert!(lazy.nodes.is_empty() && lazy.stored.is_some());
        assert_eq!(lazy.node_count(), whole.node_count());
        for id in (0..whole.nodes.len()).step_by(7) {
            let id = NodeId::try_from(id).unwrap();
            let (a, b) = (lazy.node(id).unwrap(), whole.node(id).unwrap());
            assert_eq!(
                (&a.label, a.subid, &a.children, a.module),
                (&b.label, b.subid, &b.children, b.module)
            );
            assert_eq!(lazy.oid_of(id), whole.oid_of(id));
            assert_eq!(lazy.node_named(&a.label), whole.node_named(&b.label), "{}", a.label);
        }
        for (m, name, _) in &whole.symbols {
            assert_eq!(lazy.symbol(*m, name), whole.symbol(*m, name), "{name}");
        }
        for id in 0..whole.types.len() {
            let id = TypeId::try_from(id).unwrap();
            assert_eq!(lazy.type_def(id).unwrap().name, whole.type_def(id).unwrap().name);
        }
        assert_eq!(lazy.node_named("no-such-label"), None);
        assert_eq!(lazy.node(NodeId::MAX).map(|n| n.subid), None);
        // A clone is owned and whole.
        let owned = lazy.clone();
        assert!(owned.stored.is_none());
        assert_eq!(encode(&owned), compiled());
    }

    #[test]
    fn documentation_is_read_on_demand() {
        let tree = open(compiled()).unwrap();
        let id = tree.node_named("ifDescr").unwrap();
        let doc = tree.node(id).unwrap().description.as_ref().unwrap();
        assert!(matches!(doc, Doc::Stored(_)));
        assert!(doc.text().starts_with("A textual string containing information about the"));
    }

    /// A store cut short, or with a span pointing outside its section, or with text that is not
    /// UTF-8, is an error naming where, never a panic.
    #[test]
    fn corrupt_stores_are_errors() {
        let good = compiled();
        for cut in [0, 5, MAGIC.len(), MAGIC.len() + 3, MAGIC.len() + 4, 1000, good.len() / 2, good.len() - 1]
        {
            let short: &'static [u8] = Box::leak(good[..cut].to_vec().into_boxed_slice());
            assert!(decode(short).is_err(), "cut at {cut}");
            assert!(open(short).is_err(), "cut at {cut}");
        }
        let docs_len = u32::from_le_bytes(good[MAGIC.len()..MAGIC.len() + 4].try_into().unwrap()) as usize;
        let strings_at = MAGIC.len() + 4 + docs_len + 4;
        let strings_len = u32::from_le_bytes(good[strings_at - 4..strings_at].try_into().unwrap()) as usize;
        // A byte that cannot start UTF-8 in the first module's name.
        let mut bad = good.to_vec();
        let first_name = strings_at + strings_len + 4;
        let name_at = u32::from_le_bytes(bad[first_name..first_name + 4].try_into().unwrap()) as usize;
        bad[strings_at + name_at] = 0xff;
        let e = open(Box::leak(bad.into_boxed_slice())).unwrap_err();
        assert_eq!(e.what, "string span outside its section or not UTF-8");
        // The first module's name pointed past the end of the string section.
        let mut bad = good.to_vec();
        bad[first_name..first_name + 4].copy_from_slice(&u32::try_from(strings_len).unwrap().to_le_bytes());
        let e = open(Box::leak(bad.into_boxed_slice())).unwrap_err();
        assert_eq!(e.what, "string span outside its section or not UTF-8");
        assert_eq!(e.offset, first_name + 8);
        // A node record cut by a wrong offset: the lazy tree answers None, decode an error.
        let tree = open(good).unwrap();
        let lazy = tree.stored.as_ref().unwrap();
        let records_len = lazy.records.len();
        let mut bad = good.to_vec();
        let offsets_at = lazy.node_offsets.as_ptr() as usize - good.as_ptr() as usize;
        bad[offsets_at..offsets_at + 4]
            .copy_from_slice(&u32::try_from(records_len - 2).unwrap().to_le_bytes());
        let bad: &'static [u8] = Box::leak(bad.into_boxed_slice());
        assert!(open(bad).unwrap().node(0).is_none());
        assert_eq!(decode(bad).unwrap_err().what, "truncated");
    }
}
