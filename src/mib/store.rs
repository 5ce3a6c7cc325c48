//! A compact binary form of a [`Tree`], written by the build script for the shipped modules and
//! read at run time without parsing MIB text. Strings are borrowed from the stored bytes.
//!
//! Layout: the magic `SNMPCTL-MIB 2\n`; two text sections, each a u32 length and UTF-8 bytes:
//! documentation (every DESCRIPTION and REFERENCE) and strings (every other string, each
//! distinct one once); then the sections modules, types, nodes, roots, symbols, each a u32
//! count followed by records. Integers are little-endian. A record names a string by its
//! offset and length in its section, both u32; an absent optional string has offset
//! `u32::MAX` and no length.
//!
//! Reading the records checks the string section as UTF-8 once, as a whole: checking some
//! 25,000 strings one by one had been a quarter of the time a `get` spends reading the store.
//! It never touches the documentation, which is 70 % of the store: that is checked when read
//! ([`Doc`]).

use std::borrow::Cow;

use super::parse::Macro;
use super::tree::{Base, Doc, Module, Node, Symbol, Syntax, Text, Tree, TypeDef};

const MAGIC: &[u8] = b"SNMPCTL-MIB 2\n";
const NONE: u32 = u32::MAX;

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
}

/// The byte range a record's offset and length name in a section (not yet checked against it).
fn span(offset: u32, len: u32) -> Option<std::ops::Range<usize>> {
    let start = usize::try_from(offset).ok()?;
    Some(start..start.checked_add(usize::try_from(len).ok()?)?)
}

struct Reader {
    buf: &'static [u8],
    pos: usize,
    /// The documentation section.
    docs: &'static [u8],
    /// The string section, checked as UTF-8.
    strings: &'static str,
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
    /// The string at `offset` in the string section, its length read next.
    fn str_at(&mut self, offset: u32) -> R<Text> {
        let len = self.u32()?;
        let span = span(offset, len).and_then(|r| self.strings.get(r));
        match span {
            Some(s) => Ok(Cow::Borrowed(s)),
            None => self.fail("string span outside its section or not on character boundaries"),
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
    w.len(tree.modules.len());
    for m in &tree.modules {
        w.str(&m.name);
        w.str(&m.file);
        w.u8(u8::from(m.smiv2));
    }
    w.len(tree.types.len());
    for t in &tree.types {
        w.str(&t.name);
        w.u16(t.module);
        w.u8(u8::from(t.textual_convention));
        w.opt(&t.status);
        w.doc(&t.description);
        w.doc(&t.reference);
        w.opt(&t.own_hint);
        w.syntax(&t.syntax);
    }
    w.len(tree.nodes.len());
    for n in &tree.nodes {
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
    w.len(tree.roots.len());
    for &r in &tree.roots {
        w.u32(r);
    }
    w.len(tree.symbols.len());
    for (m, name, s) in &tree.symbols {
        w.u16(*m);
        w.str(name);
        match s {
            Symbol::Node(n) => {
                w.u8(0);
                w.u32(*n);
            }
            Symbol::Type(t) => {
                w.u8(1);
                w.u32(*t);
            }
        }
    }
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&u32::try_from(w.docs.len()).unwrap_or(NONE).to_le_bytes());
    out.extend_from_slice(&w.docs);
    out.extend_from_slice(&u32::try_from(w.strings.len()).unwrap_or(NONE).to_le_bytes());
    out.extend_from_slice(&w.strings);
    out.extend_from_slice(&w.buf);
    out
}

/// Reads a tree written by [`encode`], borrowing its strings.
pub fn decode(buf: &'static [u8]) -> Result<Tree, StoreError> {
    let mut r = Reader { buf, pos: 0, docs: &[], strings: "" };
    if r.take(MAGIC.len())? != MAGIC {
        return r.fail("not compiled MIB data");
    }
    let docs_len = r.u32()?;
    r.docs = r.take(usize::try_from(docs_len).unwrap_or(usize::MAX))?;
    let strings_len = r.u32()?;
    let strings = r.take(usize::try_from(strings_len).unwrap_or(usize::MAX))?;
    r.strings = match std::str::from_utf8(strings) {
        Ok(s) => s,
        Err(_) => return r.fail("the string section is not UTF-8"),
    };
    let mut tree = Tree::default();
    let n = r.count()?;
    tree.modules.reserve(n);
    for _ in 0..n {
        tree.modules.push(Module { name: r.str()?, file: r.str()?, smiv2: r.u8()? != 0 });
    }
    let n = r.count()?;
    tree.types.reserve(n);
    for _ in 0..n {
        tree.types.push(TypeDef {
            name: r.str()?,
            module: r.u16()?,
            textual_convention: r.u8()? != 0,
            status: r.opt()?,
            description: r.doc()?,
            reference: r.doc()?,
            own_hint: r.opt()?,
            syntax: r.syntax()?,
        });
    }
    let n = r.count()?;
    tree.nodes.reserve(n);
    for _ in 0..n {
        let subid = r.u32()?;
        let parent = r.opt_u32()?;
        let c = r.count()?;
        let mut children = Vec::with_capacity(c);
        for _ in 0..c {
            children.push(r.u32()?);
        }
        let label = r.str()?;
        let module = r.u16()?;
        let kind = macro_from(r.u8()?);
        let syntax = if r.u8()? == 1 { Some(r.syntax()?) } else { None };
        let units = r.opt()?;
        let access = r.opt()?;
        let status = r.opt()?;
        let description = r.doc()?;
        let reference = r.doc()?;
        let c = r.count()?;
        let mut index = Vec::with_capacity(c);
        for _ in 0..c {
            let i = r.u32()?;
            index.push((i, r.u8()? != 0));
        }
        let augments = r.opt_u32()?;
        let defval = r.opt()?;
        let c = r.count()?;
        let mut objects = Vec::with_capacity(c);
        for _ in 0..c {
            objects.push(r.u32()?);
        }
        let line = r.u32()?;
        let defined = r.u8()? != 0;
        let c = r.count()?;
        let mut also = Vec::with_capacity(c);
        for _ in 0..c {
            also.push(r.u16()?);
        }
        tree.nodes.push(Node {
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
        });
    }
    let n = r.count()?;
    for _ in 0..n {
        tree.roots.push(r.u32()?);
    }
    let n = r.count()?;
    tree.symbols.reserve(n);
    for _ in 0..n {
        let m = r.u16()?;
        let name = r.str()?;
        let s = match r.u8()? {
            0 => Symbol::Node(r.u32()?),
            _ => Symbol::Type(r.u32()?),
        };
        tree.symbols.push((m, name, s));
    }
    if r.pos != buf.len() {
        return r.fail("trailing bytes");
    }
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

    #[test]
    fn documentation_is_read_on_demand() {
        let tree = decode(compiled()).unwrap();
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
        }
        let docs_len = u32::from_le_bytes(good[MAGIC.len()..MAGIC.len() + 4].try_into().unwrap()) as usize;
        let strings_at = MAGIC.len() + 4 + docs_len + 4;
        let strings_len = u32::from_le_bytes(good[strings_at - 4..strings_at].try_into().unwrap()) as usize;
        // A byte that cannot start UTF-8 in the string section.
        let mut bad = good.to_vec();
        bad[strings_at + 1] = 0xff;
        let e = decode(Box::leak(bad.into_boxed_slice())).unwrap_err();
        assert_eq!(e.what, "the string section is not UTF-8");
        // The first module's name pointed past the end of the string section.
        let mut bad = good.to_vec();
        let first_name = strings_at + strings_len + 4;
        bad[first_name..first_name + 4].copy_from_slice(&u32::try_from(strings_len).unwrap().to_le_bytes());
        let e = decode(Box::leak(bad.into_boxed_slice())).unwrap_err();
        assert_eq!(e.what, "string span outside its section or not on character boundaries");
        assert_eq!(e.offset, first_name + 8);
    }
}
