//! The resolved MIB: one OID tree of every loaded module, textual conventions, and each module's
//! symbols. Built by [`super::resolve`], stored compactly by [`super::store`].
//!
//! ```
//! let tree = snmpctl::mib::shipped();
//! let id = tree.node_named("ifTable").expect("IF-MIB is shipped");
//! assert_eq!(tree.oid_of(id), [1, 3, 6, 1, 2, 1, 2, 2]);
//! let shape = tree.table_shape(&tree.oid_of(id)).expect("a table");
//! assert_eq!(shape.entry, [1, 3, 6, 1, 2, 1, 2, 2, 1]);
//! assert_eq!(shape.columns[1], (2, "ifDescr".to_string()));
//! ```

use std::borrow::Cow;

pub use super::parse::Macro;

/// Text borrowed from the compiled-in set or owned when parsed at run time.
pub type Text = Cow<'static, str>;

/// The number of a node of a [`Tree`] ([`Tree::node`]).
pub type NodeId = u32;
/// The module of nodes no module defines (the top-level arcs).
pub const NO_MODULE: u16 = u16::MAX;

/// The number of a type of a [`Tree`] ([`Tree::type_def`]).
pub type TypeId = u32;

/// The primitive type a SYNTAX comes down to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Base {
    #[default]
    /// No syntax (or one that could not be resolved).
    None,
    /// INTEGER (with enumerations or ranges).
    Integer,
    /// Integer32.
    Integer32,
    /// OCTET STRING.
    OctetString,
    /// OBJECT IDENTIFIER.
    ObjectId,
    /// BITS.
    Bits,
    /// IpAddress.
    IpAddress,
    /// NetworkAddress (SMIv1).
    NetworkAddress,
    /// Counter32 (Counter in SMIv1).
    Counter32,
    /// Gauge32 (Gauge in SMIv1).
    Gauge32,
    /// Unsigned32.
    Unsigned32,
    /// TimeTicks.
    TimeTicks,
    /// Opaque.
    Opaque,
    /// Counter64.
    Counter64,
    /// SEQUENCE (a row type).
    Sequence,
    /// SEQUENCE OF (a table).
    SequenceOf,
    /// NULL.
    Null,
    /// SNMPv2's draft `UInteger32` (`[APPLICATION 7]`), which Net-SNMP keeps apart from
    /// Unsigned32 in what it prints of a MIB; its values are read as Unsigned32's.
    UInteger32,
}

impl Base {
    /// The built-in type a name stands for, when it is one.
    pub fn builtin(name: &str) -> Option<Base> {
        Some(match name {
            "INTEGER" => Base::Integer,
            "Integer32" => Base::Integer32,
            "OCTET STRING" => Base::OctetString,
            "OBJECT IDENTIFIER" => Base::ObjectId,
            "BITS" => Base::Bits,
            "IpAddress" => Base::IpAddress,
            "NetworkAddress" => Base::NetworkAddress,
            "Counter32" | "Counter" => Base::Counter32,
            "Gauge32" | "Gauge" => Base::Gauge32,
            "Unsigned32" => Base::Unsigned32,
            "UInteger32" => Base::UInteger32,
            "TimeTicks" => Base::TimeTicks,
            "Opaque" => Base::Opaque,
            "Counter64" => Base::Counter64,
            "SEQUENCE" => Base::Sequence,
            "SEQUENCE OF" => Base::SequenceOf,
            "NULL" => Base::Null,
            _ => return None,
        })
    }

    pub(crate) fn code(self) -> u8 {
        self as u8
    }

    pub(crate) fn from_code(c: u8) -> Base {
        const ALL: [Base; 18] = [
            Base::None,
            Base::Integer,
            Base::Integer32,
            Base::OctetString,
            Base::ObjectId,
            Base::Bits,
            Base::IpAddress,
            Base::NetworkAddress,
            Base::Counter32,
            Base::Gauge32,
            Base::Unsigned32,
            Base::TimeTicks,
            Base::Opaque,
            Base::Counter64,
            Base::Sequence,
            Base::SequenceOf,
            Base::Null,
            Base::UInteger32,
        ];
        ALL.get(usize::from(c)).copied().unwrap_or_default()
    }

    /// Whether values of this type are octet strings.
    pub fn is_string(self) -> bool {
        matches!(self, Base::OctetString | Base::Bits | Base::Opaque)
    }

    /// Whether values of this type are integers of some kind.
    pub fn is_integer(self) -> bool {
        matches!(
            self,
            Base::Integer
                | Base::Integer32
                | Base::Counter32
                | Base::Gauge32
                | Base::Unsigned32
                | Base::UInteger32
                | Base::TimeTicks
                | Base::Counter64
        )
    }
}

/// A resolved SYNTAX.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Syntax {
    /// The base type.
    pub base: Base,
    /// The named type (textual convention or type assignment) written in SYNTAX.
    pub named: Option<TypeId>,
    /// The display hint in effect: the textual convention's, inherited along its chain.
    pub hint: Option<Text>,
    /// Enumeration labels or BITS positions in effect.
    pub enums: Vec<(i64, Text)>,
    /// Value ranges `(lo..hi)`, inclusive; empty: the base type's.
    pub ranges: Vec<(i64, i64)>,
    /// SIZE ranges, inclusive; empty: any size.
    pub sizes: Vec<(i64, i64)>,
}

/// A DESCRIPTION or REFERENCE text. The compiled-in store keeps them as bytes in a section of
/// their own, checked as UTF-8 only when one is read: they are 70 % of the store (about 1 MB),
/// and most commands never print one, so reading the store neither checks nor touches them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Doc {
    /// Parsed from a module's text.
    Text(Text),
    /// A span of the compiled store (written from a `str`, so valid UTF-8 unless corrupt).
    Stored(&'static [u8]),
}

impl Doc {
    /// The text (a corrupt stored span reads with replacement characters).
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Doc::Text(t) => Cow::Borrowed(t),
            Doc::Stored(bytes) => String::from_utf8_lossy(bytes),
        }
    }
}

/// A named type: a TEXTUAL-CONVENTION or a plain type assignment.
#[derive(Debug, Clone, Default)]
pub struct TypeDef {
    /// The type's name.
    pub name: Text,
    /// The module that defines it.
    pub module: u16,
    /// Defined with TEXTUAL-CONVENTION.
    pub textual_convention: bool,
    /// STATUS.
    pub status: Option<Text>,
    /// DESCRIPTION.
    pub description: Option<Doc>,
    /// REFERENCE.
    pub reference: Option<Doc>,
    /// The hint written in this definition (not inherited).
    pub own_hint: Option<Text>,
    /// The resolved syntax.
    pub syntax: Syntax,
}

/// One node of the OID tree.
#[derive(Debug, Clone, Default)]
pub struct Node {
    /// The last sub-identifier of the node's OID.
    pub subid: u32,
    /// The parent node; `None` for a root (`iso`, `ccitt`, `joint-iso-ccitt`).
    pub parent: Option<NodeId>,
    /// Children in sub-identifier order.
    pub children: Vec<NodeId>,
    /// The label (`ifDescr`).
    pub label: Text,
    /// The module whose definition the node carries (the first one loaded, as Net-SNMP keeps).
    pub module: u16,
    /// The macro that defined the node.
    pub kind: Macro,
    /// SYNTAX, resolved.
    pub syntax: Option<Syntax>,
    /// UNITS.
    pub units: Option<Text>,
    /// MAX-ACCESS (ACCESS in SMIv1).
    pub access: Option<Text>,
    /// STATUS.
    pub status: Option<Text>,
    /// DESCRIPTION.
    pub description: Option<Doc>,
    /// REFERENCE.
    pub reference: Option<Doc>,
    /// INDEX objects and their IMPLIED flag (for rows).
    pub index: Vec<(NodeId, bool)>,
    /// The INDEX as the module writes it, kept only where that differs from the labels of
    /// `index` (an object not defined, or another module's label for its OID): Net-SNMP
    /// prints it as written. [`Node::index_labels`] gives whichever applies.
    pub index_written: Vec<(Text, bool)>,
    /// AUGMENTS: the row whose INDEX this one shares.
    pub augments: Option<NodeId>,
    /// DEFVAL, as written.
    pub defval: Option<Text>,
    /// OBJECTS/VARIABLES of notifications, as nodes.
    pub objects: Vec<NodeId>,
    /// The OBJECTS as the module writes them, kept only where that differs from the labels of
    /// `objects` (a label not defined, or another module's label for the same OID): Net-SNMP
    /// prints them as written. [`Node::object_labels`] gives whichever applies.
    pub objects_written: Vec<Text>,
    /// Line of the definition in its module's file.
    pub line: u32,
    /// Whether a definition has been placed here (rather than only passed through).
    pub defined: bool,
    /// Other modules that define this node too, in load order.
    pub also: Vec<u16>,
    /// Nodes at this same OID under other labels, in the order made: where modules give one
    /// OID different labels, Net-SNMP keeps a node per label side by side (IEEE8021-CFM-MIB's
    /// and IEEE8021-SECY-MIB's 1.0.8802.1.1.3, RFC1253-MIB's and OSPF-MIB's spellings). This
    /// node, the first made, carries the children, answers for the OID and prints its name;
    /// a twin carries its own definition, has no children and is not in any `children` list.
    /// A module passing through under a label that is not the newest one's makes another
    /// twin (Net-SNMP meets the newest node first), so `also` lists only the modules that
    /// came before the first twin.
    pub twins: Vec<NodeId>,
}

/// A table as the MIB describes it ([`Tree::table_shape`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableShape {
    /// The entry's OID (the table's, plus 1).
    pub entry: Vec<u32>,
    /// The accessible columns: sub-identifier under the entry, and label.
    pub columns: Vec<(u32, String)>,
}

impl Node {
    /// The INDEX objects' labels and IMPLIED flags, as the module writes them.
    pub fn index_labels<'t>(&'t self, tree: &'t Tree) -> Vec<(&'t str, bool)> {
        if self.index_written.is_empty() {
            self.index
                .iter()
                .map(|&(i, implied)| (tree.node(i).map_or("", |n| n.label.as_ref()), implied))
                .collect()
        } else {
            self.index_written.iter().map(|(l, implied)| (l.as_ref(), *implied)).collect()
        }
    }

    /// The labels of a notification's OBJECTS (or a trap's VARIABLES), as the module writes
    /// them.
    pub fn object_labels<'t>(&'t self, tree: &'t Tree) -> Vec<&'t str> {
        if self.objects_written.is_empty() {
            self.objects.iter().map(|&o| tree.node(o).map_or("", |n| n.label.as_ref())).collect()
        } else {
            self.objects_written.iter().map(AsRef::as_ref).collect()
        }
    }

    /// Whether this node is a table's row (an `…Entry`): it has an INDEX or AUGMENTS another row.
    pub fn is_row(&self) -> bool {
        !self.index.is_empty() || self.augments.is_some()
    }

    /// Whether no definition names this node: a step of an OID value written as a bare number
    /// (`{ parent 5 6 }`), labelled as Net-SNMP labels it (`anonymous#N`) and printed as its
    /// number.
    pub fn is_anonymous(&self) -> bool {
        self.label.starts_with(super::resolve::ANONYMOUS)
    }
}

/// A loaded module.
#[derive(Debug, Clone, Default)]
pub struct Module {
    /// The module name.
    pub name: Text,
    /// The file it was read from (relative to the shipped `mibs/` for the compiled-in set).
    pub file: Text,
    /// Written in SMIv2 (imports SNMPv2-SMI), which changes how some types print.
    pub smiv2: bool,
}

/// What a module-level symbol names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symbol {
    /// An OID node.
    Node(NodeId),
    /// A type.
    Type(TypeId),
}

/// The whole resolved MIB: owned vectors when resolved at run time, or a store read in place
/// (the compiled-in one, [`super::store::open`], or a cache entry,
/// [`super::store::open_owned`]), whose nodes and types are decoded on first use.
/// Read it through the methods: the vectors of a stored tree are empty but for `modules` and
/// `roots`. A clone is always owned and whole (the resolver adds to it).
#[derive(Debug, Default)]
pub struct Tree {
    /// The modules loaded, numbered in load order (a node's `module`).
    pub modules: Vec<Module>,
    pub(crate) nodes: Vec<Node>,
    /// Top-level nodes (ccitt, iso, joint-iso-ccitt) in sub-identifier order.
    pub roots: Vec<NodeId>,
    pub(crate) types: Vec<TypeDef>,
    /// Every module's own definitions: `(module, name, what)`, sorted by module then name.
    pub(crate) symbols: Vec<(u16, Text, Symbol)>,
    /// The store this tree reads in place, when it is one.
    pub(crate) stored: Option<Box<super::store::Lazy>>,
}

impl Clone for Tree {
    fn clone(&self) -> Self {
        let Some(lazy) = &self.stored else {
            return Tree {
                modules: self.modules.clone(),
                nodes: self.nodes.clone(),
                roots: self.roots.clone(),
                types: self.types.clone(),
                symbols: self.symbols.clone(),
                stored: None,
            };
        };
        // A record that cannot be read (only a corrupt build could make one) becomes an empty
        // entry, so that every other keeps its number.
        let nodes = (0..lazy.node_count())
            .map(|i| NodeId::try_from(i).ok().and_then(|i| lazy.node(i)).cloned().unwrap_or_default())
            .collect();
        let types = (0..lazy.type_count())
            .map(|i| TypeId::try_from(i).ok().and_then(|i| lazy.type_def(i)).cloned().unwrap_or_default())
            .collect();
        Tree {
            modules: self.modules.clone(),
            nodes,
            roots: self.roots.clone(),
            types,
            symbols: lazy.symbols().collect(),
            stored: None,
        }
    }
}

/// The symbols of one module and name: from the owned list or from the store.
enum SymbolsNamed<'a, L> {
    Owned(std::slice::Iter<'a, (u16, Text, Symbol)>),
    Stored(L),
}

impl<L: Iterator<Item = Symbol>> Iterator for SymbolsNamed<'_, L> {
    type Item = Symbol;
    fn next(&mut self) -> Option<Symbol> {
        match self {
            SymbolsNamed::Owned(i) => i.next().map(|s| s.2),
            SymbolsNamed::Stored(i) => i.next(),
        }
    }
}

impl Tree {
    /// The node `id`.
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        match &self.stored {
            Some(lazy) => lazy.node(id),
            None => self.nodes.get(usize::try_from(id).ok()?),
        }
    }

    /// How many nodes the tree has (node numbers run from 0 to this).
    pub fn node_count(&self) -> usize {
        self.stored.as_ref().map_or(self.nodes.len(), |lazy| lazy.node_count())
    }

    /// The type `id`.
    pub fn type_def(&self, id: TypeId) -> Option<&TypeDef> {
        match &self.stored {
            Some(lazy) => lazy.type_def(id),
            None => self.types.get(usize::try_from(id).ok()?),
        }
    }

    /// Module number `id`.
    pub fn module(&self, id: u16) -> Option<&Module> {
        self.modules.get(usize::from(id))
    }

    /// The number of the module `name`.
    pub fn module_id(&self, name: &str) -> Option<u16> {
        self.modules.iter().position(|m| m.name == name).and_then(|i| u16::try_from(i).ok())
    }

    /// A node's sub-identifier (read in place from the store, without decoding the node).
    fn subid(&self, id: NodeId) -> Option<u32> {
        match &self.stored {
            Some(lazy) => lazy.subid(id),
            None => self.node(id).map(|n| n.subid),
        }
    }

    /// The child of `parent` (or a root, for `None`) with sub-identifier `subid`.
    pub fn child(&self, parent: Option<NodeId>, subid: u32) -> Option<NodeId> {
        let list = match parent {
            None => &self.roots,
            Some(p) => &self.node(p)?.children,
        };
        let i = list.binary_search_by(|&c| self.subid(c).unwrap_or(0).cmp(&subid)).ok()?;
        list.get(i).copied()
    }

    /// The deepest node on the path of `oid` and how many arcs it covers.
    pub fn find(&self, oid: &[u32]) -> Option<(NodeId, usize)> {
        let mut at = None;
        let mut depth: usize = 0;
        for &arc in oid {
            match self.child(at, arc) {
                Some(c) => {
                    at = Some(c);
                    depth = depth.saturating_add(1);
                }
                None => break,
            }
        }
        at.map(|n| (n, depth))
    }

    /// The OID of a node.
    pub fn oid_of(&self, id: NodeId) -> Vec<u32> {
        let mut arcs = Vec::new();
        let mut at = Some(id);
        while let Some(n) = at.and_then(|i| self.node(i)) {
            arcs.push(n.subid);
            at = n.parent;
            if arcs.len() > 128 {
                break;
            }
        }
        arcs.reverse();
        arcs
    }

    /// A symbol defined in `module` (an object when a type has the same name).
    pub fn symbol(&self, module: u16, name: &str) -> Option<Symbol> {
        let mut first = None;
        for s in self.symbols_named(module, name) {
            if matches!(s, Symbol::Node(_)) {
                return Some(s);
            }
            first = first.or(Some(s));
        }
        first
    }

    /// The object `name` of `module`.
    pub fn node_symbol(&self, module: u16, name: &str) -> Option<NodeId> {
        self.symbols_named(module, name).find_map(|s| match s {
            Symbol::Node(n) => Some(n),
            Symbol::Type(_) => None,
        })
    }

    /// The type `name` of `module`.
    pub fn type_symbol(&self, module: u16, name: &str) -> Option<TypeId> {
        self.symbols_named(module, name).find_map(|s| match s {
            Symbol::Type(t) => Some(t),
            Symbol::Node(_) => None,
        })
    }

    /// Every symbol `name` of `module`: a module may name a type and an object alike
    /// (`velocityAppEntry OBJECT-TYPE` and `velocityAppEntry ::= SEQUENCE`).
    fn symbols_named<'a>(&'a self, module: u16, name: &'a str) -> impl Iterator<Item = Symbol> + 'a {
        match &self.stored {
            Some(lazy) => SymbolsNamed::Stored(lazy.symbols_named(module, name)),
            None => {
                let key = (module, name);
                let start = self.symbols.partition_point(|(m, n, _)| (*m, n.as_ref()) < key);
                let end = self.symbols.partition_point(|(m, n, _)| (*m, n.as_ref()) <= key);
                SymbolsNamed::Owned(self.symbols.get(start..end).unwrap_or_default().iter())
            }
        }
    }

    /// The first node, in tree order, labelled `name` (Net-SNMP's lookup of a bare name).
    pub fn node_named(&self, name: &str) -> Option<NodeId> {
        if let Some(lazy) = &self.stored {
            return lazy.node_named(name);
        }
        // Nodes are numbered in load order; a depth-first search gives tree order, but any node
        // with a unique label is found the same way, so try the cheap scan first.
        let mut found = self.nodes.iter().enumerate().filter(|(_, n)| n.label == name).map(|(i, _)| i);
        let first = found.next()?;
        let first = NodeId::try_from(first).ok()?;
        if found.next().is_none() {
            return Some(first);
        }
        let mut stack: Vec<NodeId> = self.roots.iter().rev().copied().collect();
        while let Some(id) = stack.pop() {
            let n = self.node(id)?;
            if n.label == name {
                return Some(id);
            }
            self.push_children(&mut stack, n);
        }
        Some(first)
    }

    /// Pushes `n`'s children on a depth-first `stack` so that they pop in tree order, each
    /// child's twins right after the child's own subtree (as `-Tp` draws them).
    pub(crate) fn push_children(&self, stack: &mut Vec<NodeId>, n: &Node) {
        for &c in n.children.iter().rev() {
            if let Some(child) = self.nodes.get(usize::try_from(c).unwrap_or(usize::MAX)) {
                stack.extend(child.twins.iter().rev());
            }
            stack.push(c);
        }
    }

    /// What the MIB says of the table at `oid` (the table, or its entry): the entry and its
    /// accessible columns, as `snmptable` takes them. `None` when `oid` names no node of a
    /// table.
    pub fn table_shape(&self, oid: &[u32]) -> Option<TableShape> {
        let (id, depth) = self.find(oid)?;
        if depth != oid.len() {
            return None;
        }
        let is_entry = |id: NodeId| self.node(id).is_some_and(Node::is_row);
        let entry =
            if is_entry(id) { id } else { self.node(id)?.children.iter().copied().find(|&c| is_entry(c))? };
        let columns = self
            .node(entry)?
            .children
            .iter()
            .filter_map(|&c| self.node(c))
            .filter(|n| n.access.as_deref() != Some("not-accessible"))
            .map(|n| (n.subid, n.label.to_string()))
            .collect();
        Some(TableShape { entry: self.oid_of(entry), columns })
    }

    /// The row node (the `…Entry`) whose INDEX applies to a column node: its parent, following
    /// AUGMENTS.
    pub fn row_of(&self, column: NodeId) -> Option<NodeId> {
        let row = self.node(column)?.parent?;
        let mut at = row;
        for _ in 0..8 {
            let n = self.node(at)?;
            match n.augments {
                Some(a) if n.index.is_empty() => at = a,
                _ => break,
            }
        }
        self.node(at).filter(|n| !n.index.is_empty()).map(|_| at)
    }
}
