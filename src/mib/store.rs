//! A compact binary form of a [`Tree`], written by the build script for the shipped modules and
//! read at run time without parsing MIB text. Strings are borrowed from the stored bytes.
//!
//! Layout: the magic `SNMPCTL-MIB 1\n`, then the sections modules, types, nodes, roots, symbols,
//! each a u32 count followed by records. Integers are little-endian; strings are a u32 length and
//! UTF-8 bytes; optional strings carry length `u32::MAX` when absent.

use std::borrow::Cow;

use super::parse::Macro;
use super::tree::{Base, Module, Node, Symbol, Syntax, Text, Tree, TypeDef};

const MAGIC: &[u8] = b"SNMPCTL-MIB 1\n";
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
        self.len(s.len());
        self.buf.extend_from_slice(s.as_bytes());
    }
    fn opt(&mut self, s: &Option<Text>) {
        match s {
            Some(s) => self.str(s),
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

struct Reader {
    buf: &'static [u8],
    pos: usize,
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
    fn str_of(&mut self, n: u32) -> R<Text> {
        let bytes = self.take(usize::try_from(n).unwrap_or(usize::MAX))?;
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(Cow::Borrowed(s)),
            Err(_) => self.fail("string is not UTF-8"),
        }
    }
    fn str(&mut self) -> R<Text> {
        let n = self.u32()?;
        self.str_of(n)
    }
    fn opt(&mut self) -> R<Option<Text>> {
        match self.u32()? {
            NONE => Ok(None),
            n => self.str_of(n).map(Some),
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
    let mut w = Writer { buf: MAGIC.to_vec() };
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
        w.opt(&t.description);
        w.opt(&t.reference);
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
        w.opt(&n.description);
        w.opt(&n.reference);
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
    w.buf
}

/// Reads a tree written by [`encode`], borrowing its strings.
pub fn decode(buf: &'static [u8]) -> Result<Tree, StoreError> {
    let mut r = Reader { buf, pos: 0 };
    if r.take(MAGIC.len())? != MAGIC {
        return r.fail("not compiled MIB data");
    }
    let mut tree = Tree::default();
    let n = r.count()?;
    for _ in 0..n {
        tree.modules.push(Module { name: r.str()?, file: r.str()?, smiv2: r.u8()? != 0 });
    }
    let n = r.count()?;
    for _ in 0..n {
        tree.types.push(TypeDef {
            name: r.str()?,
            module: r.u16()?,
            textual_convention: r.u8()? != 0,
            status: r.opt()?,
            description: r.opt()?,
            reference: r.opt()?,
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
        let description = r.opt()?;
        let reference = r.opt()?;
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
