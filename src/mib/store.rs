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
//!
//! ```
//! use snmpctl::mib::{shipped, store};
//! let tree = shipped(); // itself opened from the compiled-in store
//! let bytes = store::encode(tree);
//! let again = store::open_owned(bytes)?;
//! assert_eq!(again.node_count(), tree.node_count());
//! assert_eq!(again.node_named("ifDescr"), tree.node_named("ifDescr"));
//! # Ok::<(), store::StoreError>(())
//! ```

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

struct Writer<'t> {
    buf: Vec<u8>,
    /// Where the next DESCRIPTION or REFERENCE goes in the documentation section, which
    /// [`docs_section`] writes (on another thread) in the same order.
    docs_at: usize,
    /// The string section, written in front of the records at the end.
    strings: Vec<u8>,
    /// Where each distinct string already is in `strings`.
    /// `None` to write each string where it is used, for a store written once and read once
    /// or twice (the cache of compiled modules), where hashing every string costs more than
    /// the space it saves.
    placed: Option<rustc_hash::FxHashMap<&'t str, u32>>,
}

impl<'t> Writer<'t> {
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
    fn str(&mut self, s: &'t str) {
        let known = self.placed.as_ref().and_then(|p| p.get(s).copied());
        let offset = match known {
            Some(offset) => offset,
            None => {
                let offset = u32::try_from(self.strings.len()).unwrap_or(NONE);
                self.strings.extend_from_slice(s.as_bytes());
                if let Some(p) = self.placed.as_mut() {
                    p.insert(s, offset);
                }
                offset
            }
        };
        self.u32(offset);
        self.len(s.len());
    }
    fn opt(&mut self, s: &'t Option<Text>) {
        match s {
            Some(s) => self.str(s),
            None => self.u32(NONE),
        }
    }
    fn doc(&mut self, d: &Option<Doc>) {
        match d {
            Some(d) => {
                let len = doc_bytes(d).len();
                self.len(self.docs_at);
                self.len(len);
                self.docs_at = self.docs_at.saturating_add(len);
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
    fn syntax(&mut self, s: &'t Syntax) {
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
fn string_at(strings: &[u8], offset: u32, len: u32) -> Option<&str> {
    std::str::from_utf8(strings.get(span(offset, len)?)?).ok()
}

/// A section as a reader sees it: strings of a compiled-in store are borrowed, those of a store
/// read from a file are copied out (a node owns its strings, so it outlives the bytes' borrow).
#[derive(Clone, Copy)]
enum Src<'b> {
    Static(&'static [u8]),
    Owned(&'b [u8]),
}

impl<'b> Src<'b> {
    fn text(self, offset: u32, len: u32) -> Option<Text> {
        match self {
            Src::Static(b) => string_at(b, offset, len).map(Cow::Borrowed),
            Src::Owned(b) => string_at(b, offset, len).map(|s| Cow::Owned(s.to_owned())),
        }
    }

    fn doc(self, offset: u32, len: u32) -> Option<Doc> {
        let range = span(offset, len)?;
        match self {
            Src::Static(b) => b.get(range).map(Doc::Stored),
            Src::Owned(b) => {
                b.get(range).map(|d| Doc::Text(Cow::Owned(String::from_utf8_lossy(d).into_owned())))
            }
        }
    }
}

/// The bytes of a store: compiled in, or read from a file.
enum Bytes {
    Static(&'static [u8]),
    Owned(Box<[u8]>),
}

impl Bytes {
    fn get(&self) -> &[u8] {
        match self {
            Bytes::Static(b) => b,
            Bytes::Owned(b) => b,
        }
    }

    fn src(&self, range: &std::ops::Range<usize>) -> Src<'_> {
        match self {
            Bytes::Static(b) => Src::Static(b.get(range.clone()).unwrap_or_default()),
            Bytes::Owned(b) => Src::Owned(b.get(range.clone()).unwrap_or_default()),
        }
    }
}

struct Reader<'b> {
    buf: &'b [u8],
    pos: usize,
    /// The documentation section.
    docs: Src<'b>,
    /// The string section.
    strings: Src<'b>,
}

type R<T> = Result<T, StoreError>;

impl<'b> Reader<'b> {
    fn fail<T>(&self, what: &'static str) -> R<T> {
        Err(StoreError { offset: self.pos, what })
    }
    fn take(&mut self, n: usize) -> R<&'b [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        match end.and_then(|e| self.buf.get(self.pos..e)) {
            Some(s) => {
                self.pos = self.pos.saturating_add(n);
                Ok(s)
            }
            None => self.fail("truncated"),
        }
    }
    /// Skips `n` bytes and returns where they are.
    fn skip(&mut self, n: usize) -> R<std::ops::Range<usize>> {
        let start = self.pos;
        self.take(n)?;
        Ok(start..self.pos)
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
    /// Where a section of `count` fixed records of `size` bytes is, after its u32 count.
    fn table(&mut self, size: usize) -> R<std::ops::Range<usize>> {
        let n = self.count()?;
        self.skip(n.saturating_mul(size))
    }
    /// The string at `offset` in the string section, its length read next.
    fn str_at(&mut self, offset: u32) -> R<Text> {
        let len = self.u32()?;
        match self.strings.text(offset, len) {
            Some(s) => Ok(s),
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
    /// A DESCRIPTION or REFERENCE: a span of the documentation section, not read here (in a
    /// compiled-in store).
    fn doc(&mut self) -> R<Option<Doc>> {
        let offset = self.u32()?;
        if offset == NONE {
            return Ok(None);
        }
        let len = self.u32()?;
        match self.docs.doc(offset, len) {
            Some(doc) => Ok(Some(doc)),
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
        let c = self.count()?;
        let mut index_written = Vec::with_capacity(c);
        for _ in 0..c {
            let label = self.str()?;
            index_written.push((label, self.u8()? != 0));
        }
        let augments = self.opt_u32()?;
        let defval = self.opt()?;
        let objects = self.u32s()?;
        let c = self.count()?;
        let mut objects_written = Vec::with_capacity(c);
        for _ in 0..c {
            objects_written.push(self.str()?);
        }
        let line = self.u32()?;
        let defined = self.u8()? != 0;
        let c = self.count()?;
        let mut also = Vec::with_capacity(c);
        for _ in 0..c {
            also.push(self.u16()?);
        }
        let twins = self.u32s()?;
        Ok(Node {
            also,
            twins,
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
            index_written,
            augments,
            defval,
            objects,
            objects_written,
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
    let sections = encode_sections(tree, true);
    let mut out = Vec::with_capacity(sections.iter().map(Vec::len).sum());
    for s in &sections {
        out.extend_from_slice(s);
    }
    out
}

/// Writes a tree as the consecutive pieces of one store (to be written out one after another
/// without joining them in memory first); `dedupe` writes each distinct string once.
pub(crate) fn encode_sections(tree: &Tree, dedupe: bool) -> Vec<Vec<u8>> {
    if tree.stored.is_some() {
        // A tree read in place keeps its nodes in the store: the clone holds them all.
        return encode_sections(&tree.clone(), dedupe);
    }
    std::thread::scope(|scope| {
        // The documentation (most of the bytes) and the sorted label index are made on threads
        // of their own while the records are written here (a thread that fails is redone here).
        let docs = scope.spawn(|| docs_section(tree));
        let labels = scope.spawn(|| label_index(tree));
        let mut w = Writer {
            buf: Vec::with_capacity(tree.nodes.len().saturating_mul(80)),
            docs_at: 0,
            strings: Vec::with_capacity(tree.nodes.len().saturating_mul(if dedupe { 16 } else { 96 })),
            placed: dedupe.then(|| {
                rustc_hash::FxHashMap::with_capacity_and_hasher(tree.nodes.len(), Default::default())
            }),
        };
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
            w.len(n.index_written.len());
            for (label, implied) in &n.index_written {
                w.str(label.as_ref());
                w.u8(u8::from(*implied));
            }
            w.u32(n.augments.unwrap_or(NONE));
            w.opt(&n.defval);
            w.len(n.objects.len());
            for &o in &n.objects {
                w.u32(o);
            }
            w.len(n.objects_written.len());
            for o in &n.objects_written {
                w.str(o.as_ref());
            }
            w.u32(n.line);
            w.u8(u8::from(n.defined));
            w.len(n.also.len());
            for &m in &n.also {
                w.u16(m);
            }
            w.len(n.twins.len());
            for &t in &n.twins {
                w.u32(t);
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
        let labels = labels.join().unwrap_or_else(|_| label_index(tree));
        w.len(labels.len());
        for (_, label, id) in labels {
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

        let len = |section: &[u8]| u32::try_from(section.len()).unwrap_or(NONE).to_le_bytes().to_vec();
        let strings = std::mem::take(&mut w.strings);
        let docs = docs.join().unwrap_or_else(|_| docs_section(tree));
        let mut head = MAGIC.to_vec();
        head.extend_from_slice(&len(&docs));
        let mut middle = len(&strings);
        middle.extend_from_slice(&strings);
        middle.extend_from_slice(&tables);
        middle.extend_from_slice(&len(&records));
        vec![head, docs, middle, records]
    })
}

/// The bytes of a DESCRIPTION or REFERENCE (stored documentation is copied as it is: it was
/// written from a `str`).
fn doc_bytes(d: &Doc) -> &[u8] {
    match d {
        Doc::Text(t) => t.as_bytes(),
        Doc::Stored(b) => b,
    }
}

/// The documentation section: every node's DESCRIPTION and REFERENCE, then every type's, in
/// the order [`Writer::doc`] numbers them.
fn docs_section(tree: &Tree) -> Vec<u8> {
    let all = || {
        let nodes = tree.nodes.iter().flat_map(|n| [&n.description, &n.reference]);
        nodes.chain(tree.types.iter().flat_map(|t| [&t.description, &t.reference])).flatten().map(doc_bytes)
    };
    let mut out = Vec::with_capacity(all().map(<[u8]>::len).fold(0usize, usize::saturating_add));
    for d in all() {
        out.extend_from_slice(d);
    }
    out
}

/// One record per distinct label, naming the first node of that label in tree order, sorted by
/// label bytes; the first eight bytes, as a number, settle most comparisons without reading
/// the labels themselves.
fn label_index(tree: &Tree) -> Vec<(u64, &str, NodeId)> {
    let prefix = |s: &str| {
        let mut p = [0u8; 8];
        for (d, b) in p.iter_mut().zip(s.as_bytes()) {
            *d = *b;
        }
        u64::from_be_bytes(p)
    };
    let mut labels: Vec<(u64, &str, NodeId)> = Vec::with_capacity(tree.nodes.len());
    let mut seen: rustc_hash::FxHashSet<&str> =
        rustc_hash::FxHashSet::with_capacity_and_hasher(tree.nodes.len(), Default::default());
    let mut stack: Vec<NodeId> = tree.roots.iter().rev().copied().collect();
    while let Some(id) = stack.pop() {
        let Some(n) = tree.nodes.get(usize::try_from(id).unwrap_or(usize::MAX)) else { continue };
        if seen.insert(n.label.as_ref()) {
            labels.push((prefix(&n.label), n.label.as_ref(), id));
        }
        tree.push_children(&mut stack, n);
    }
    labels.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.as_bytes().cmp(b.1.as_bytes())));
    labels
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
    bytes: Bytes,
    docs: std::ops::Range<usize>,
    strings: std::ops::Range<usize>,
    node_offsets: std::ops::Range<usize>,
    type_offsets: std::ops::Range<usize>,
    labels: std::ops::Range<usize>,
    symbols: std::ops::Range<usize>,
    records: std::ops::Range<usize>,
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
    fn part(&self, range: &std::ops::Range<usize>) -> &[u8] {
        self.bytes.get().get(range.clone()).unwrap_or_default()
    }

    pub(crate) fn node_count(&self) -> usize {
        self.node_offsets.len().checked_div(4).unwrap_or(0)
    }

    pub(crate) fn type_count(&self) -> usize {
        self.type_offsets.len().checked_div(4).unwrap_or(0)
    }

    fn symbol_count(&self) -> usize {
        self.symbols.len().checked_div(SYMBOL_RECORD).unwrap_or(0)
    }

    fn reader_at(&self, offsets: &std::ops::Range<usize>, i: usize) -> Option<Reader<'_>> {
        let offset = le_u32(self.part(offsets), i.checked_mul(4)?)?;
        Some(Reader {
            buf: self.part(&self.records),
            pos: usize::try_from(offset).ok()?,
            docs: self.bytes.src(&self.docs),
            strings: self.bytes.src(&self.strings),
        })
    }

    fn read_node(&self, id: NodeId) -> R<Node> {
        let i = usize::try_from(id).unwrap_or(usize::MAX);
        match self.reader_at(&self.node_offsets, i) {
            Some(mut r) => r.node().map_err(|e| self.at_records(e)),
            None => Err(StoreError { offset: self.records.start, what: "node number past the end" }),
        }
    }

    fn read_type(&self, id: TypeId) -> R<TypeDef> {
        let i = usize::try_from(id).unwrap_or(usize::MAX);
        match self.reader_at(&self.type_offsets, i) {
            Some(mut r) => r.type_def().map_err(|e| self.at_records(e)),
            None => Err(StoreError { offset: self.records.start, what: "type number past the end" }),
        }
    }

    fn at_records(&self, e: StoreError) -> StoreError {
        StoreError { offset: self.records.start.saturating_add(e.offset), what: e.what }
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
        let offset = le_u32(self.part(&self.node_offsets), usize::try_from(id).ok()?.checked_mul(4)?)?;
        le_u32(self.part(&self.records), usize::try_from(offset).ok()?)
    }

    fn label_record(&self, i: usize) -> Option<(&str, NodeId)> {
        let (labels, strings) = (self.part(&self.labels), self.part(&self.strings));
        let at = i.checked_mul(LABEL_RECORD)?;
        let s = string_at(strings, le_u32(labels, at)?, le_u32(labels, at.checked_add(4)?)?)?;
        Some((s, le_u32(labels, at.checked_add(8)?)?))
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

    /// Symbol record `i`: its module, its name's place in the string section, and the symbol.
    fn symbol_record(&self, i: usize) -> Option<(u16, (u32, u32), Symbol)> {
        let symbols = self.part(&self.symbols);
        let at = i.checked_mul(SYMBOL_RECORD)?;
        let module = le_u16(symbols, at)?;
        let name = (le_u32(symbols, at.checked_add(2)?)?, le_u32(symbols, at.checked_add(6)?)?);
        let kind = *symbols.get(at.checked_add(10)?)?;
        let n = le_u32(symbols, at.checked_add(11)?)?;
        Some((module, name, if kind == 0 { Symbol::Node(n) } else { Symbol::Type(n) }))
    }

    /// Every symbol `name` of `module`, in stored order.
    pub(crate) fn symbols_named(&self, module: u16, name: &str) -> impl Iterator<Item = Symbol> + '_ {
        let key = (module, name.as_bytes());
        let strings = self.part(&self.strings);
        let below = |i: usize, or_equal: bool| {
            self.symbol_record(i).is_some_and(|(m, (offset, len), _)| {
                let Some(n) = string_at(strings, offset, len) else { return false };
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
        let strings = self.bytes.src(&self.strings);
        (0..self.symbol_count()).filter_map(move |i| {
            let (m, (offset, len), s) = self.symbol_record(i)?;
            Some((m, strings.text(offset, len)?, s))
        })
    }

    /// Every symbol, decoded, or the first corrupt record.
    fn all_symbols(&self) -> R<Vec<(u16, Text, Symbol)>> {
        let all: Vec<_> = self.symbols().collect();
        if all.len() != self.symbol_count() {
            return Err(StoreError {
                offset: self.records.start,
                what: "a symbol record is outside its section or not UTF-8",
            });
        }
        Ok(all)
    }
}

/// Opens a store written by [`encode`] and compiled in: reads the modules and roots and checks
/// the tables' sizes; nodes and types are decoded when asked for, their strings borrowed.
pub fn open(buf: &'static [u8]) -> Result<Tree, StoreError> {
    open_bytes(Bytes::Static(buf))
}

/// Opens a store written by [`encode`] that was read from a file (a cache of compiled
/// modules), as [`open`] does; the tree keeps the bytes, and a node copies its strings out
/// when it is first asked for.
pub fn open_owned(buf: Vec<u8>) -> Result<Tree, StoreError> {
    open_bytes(Bytes::Owned(buf.into_boxed_slice()))
}

fn open_bytes(bytes: Bytes) -> Result<Tree, StoreError> {
    let buf = bytes.get();
    let mut r = Reader { buf, pos: 0, docs: Src::Owned(&[]), strings: Src::Owned(&[]) };
    if r.take(MAGIC.len())? != MAGIC {
        return r.fail("not compiled MIB data");
    }
    let docs_len = r.count()?;
    let docs = r.skip(docs_len)?;
    let strings_len = r.count()?;
    let strings = r.skip(strings_len)?;
    r.docs = bytes.src(&docs);
    r.strings = bytes.src(&strings);
    let mut tree = Tree::default();
    let n = r.count()?;
    tree.modules.reserve(n);
    for _ in 0..n {
        tree.modules.push(Module { name: r.str()?, file: r.str()?, smiv2: r.u8()? != 0 });
    }
    tree.roots = r.u32s()?;
    let node_offsets = r.table(4)?;
    let type_offsets = r.table(4)?;
    let labels = r.table(LABEL_RECORD)?;
    let symbols = r.table(SYMBOL_RECORD)?;
    let records_len = r.count()?;
    let records = r.skip(records_len)?;
    if r.pos != buf.len() {
        return r.fail("trailing bytes");
    }
    let lazy = Lazy {
        nodes: Cache::new(node_offsets.len().checked_div(4).unwrap_or(0)),
        types: Cache::new(type_offsets.len().checked_div(4).unwrap_or(0)),
        bytes,
        docs,
        strings,
        node_offsets,
        type_offsets,
        labels,
        symbols,
        records,
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

    /// A store read from a file answers as the compiled-in one, with owned strings.
    #[test]
    fn an_owned_store_answers_as_the_compiled_one() {
        let owned = open_owned(compiled().to_vec()).unwrap();
        let stat = open(compiled()).unwrap();
        assert_eq!(owned.node_count(), stat.node_count());
        for id in (0..stat.node_count()).step_by(11) {
            let id = NodeId::try_from(id).unwrap();
            let (a, b) = (owned.node(id).unwrap(), stat.node(id).unwrap());
            assert!(matches!(a.label, Cow::Owned(_)));
            assert_eq!((&a.label, a.subid, &a.children), (&b.label, b.subid, &b.children));
            let text = |d: &Option<Doc>| d.as_ref().map(|d| d.text().into_owned());
            assert_eq!(text(&a.description), text(&b.description));
            assert_eq!(owned.node_named(&a.label), stat.node_named(&b.label));
        }
        let symbols: Vec<_> = owned.stored.as_ref().unwrap().symbols().collect();
        assert_eq!(symbols, stat.stored.as_ref().unwrap().symbols().collect::<Vec<_>>());
        assert_eq!(encode(&owned.clone()), compiled());
        assert!(open_owned(compiled()[..100].to_vec()).is_err());
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
        let offsets_at = lazy.node_offsets.start;
        bad[offsets_at..offsets_at + 4]
            .copy_from_slice(&u32::try_from(records_len - 2).unwrap().to_le_bytes());
        let bad: &'static [u8] = Box::leak(bad.into_boxed_slice());
        assert!(open(bad).unwrap().node(0).is_none());
        assert_eq!(decode(bad).unwrap_err().what, "truncated");
    }
}
