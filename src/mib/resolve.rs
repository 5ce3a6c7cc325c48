//! Parsed modules to one resolved [`Tree`], in Net-SNMP's load order.
//!
//! Modules load depth-first: a module's imports are loaded (in the order their FROM clauses
//! appear) before its own definitions are placed. When two modules define the same node, the node
//! keeps the first definition loaded, as Net-SNMP's tree does; the later module's symbol still
//! names it. [`Resolver::load_all`] loads every available module in Net-SNMP's `-m ALL` order:
//! file names sorted, then read from the last to the first.
//!
//! ```
//! use snmpctl::mib::{parse, resolve::Resolver, shipped};
//! let text = br#"FOO-MIB DEFINITIONS ::= BEGIN
//! IMPORTS enterprises, OBJECT-TYPE, Integer32 FROM SNMPv2-SMI;
//! foo OBJECT IDENTIFIER ::= { enterprises 99999 }
//! fooLevel OBJECT-TYPE
//!     SYNTAX Integer32 (0..100)
//!     MAX-ACCESS read-only
//!     STATUS current
//!     DESCRIPTION "How full."
//!     ::= { foo 1 }
//! END"#;
//! let mut resolver = Resolver::new(shipped().clone()); // on top of the shipped modules
//! resolver.add_source("FOO-MIB.txt", parse::parse(text).modules);
//! resolver.load("FOO-MIB", None);
//! let (tree, diagnostics) = resolver.finish();
//! assert!(diagnostics.is_empty(), "{diagnostics:?}");
//! let (id, _) = tree.find(&[1, 3, 6, 1, 4, 1, 99999, 1]).expect("placed");
//! assert_eq!(tree.node(id).map(|n| n.label.as_ref()), Some("fooLevel"));
//! ```

use std::borrow::Cow;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::parse::{Macro, ModuleAst, SyntaxAst, TypeAst};
use super::tree::{Base, Doc, Module, NO_MODULE, Node, NodeId, Symbol, Syntax, Text, Tree, TypeDef, TypeId};

/// A problem found while loading: which module, file and line, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The module the problem is in (empty when none).
    pub module: String,
    /// The file (empty when none).
    pub file: String,
    /// The line (0 when unknown).
    pub line: u32,
    /// What was wrong.
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if !self.module.is_empty() {
            write!(f, ": {}", self.module)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Where a module's text came from.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file it was read from.
    pub file: String,
    /// What the parser made of it.
    pub module: ModuleAst,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Loading,
    Done,
}

/// Loads modules into a tree.
pub struct Resolver {
    /// The resolved tree.
    pub tree: Tree,
    /// Each module's place in the order found, and its text.
    /// A module leaves this map when it loads: its text moves into the tree.
    available: HashMap<String, (usize, Source)>,
    state: HashMap<String, State>,
    /// Where modules were looked for, for "cannot find module" messages.
    pub searched: Vec<String>,
    /// Problems met while resolving.
    pub diagnostics: Vec<Diagnostic>,
    /// Old module names answered by their successors.
    alias: HashMap<String, String>,
    /// Anonymous nodes made so far (their labels are numbered).
    anonymous: u32,
    /// What the tree finds by scanning, kept as maps while modules load.
    index: Index,
    /// The syntax trees of the modules loaded, freed with the rest in [`Resolver::finish`].
    spent: Vec<Source>,
}

/// Lookups by name that a [`Tree`] answers by scanning (fine for one lookup, not for the
/// hundreds of thousands a directory of vendor modules makes).
#[derive(Default)]
struct Index {
    /// Module numbers by name.
    modules: HashMap<String, u16>,
    /// Every node of each label, by a hash of the label (candidates are checked against the
    /// tree): no copy of 140,000 labels to make and free.
    labels: HashMap<u64, Nodes>,
}

/// The nodes of one label: nearly always one.
enum Nodes {
    One(NodeId),
    Many(Vec<NodeId>),
}

fn label_hash(label: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(label)
}

impl Index {
    fn add_label(&mut self, label: &str, id: NodeId) {
        match self.labels.entry(label_hash(label)) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(Nodes::One(id));
            }
            std::collections::hash_map::Entry::Occupied(mut e) => {
                let nodes = e.get_mut();
                match nodes {
                    Nodes::One(first) => *nodes = Nodes::Many(vec![*first, id]),
                    Nodes::Many(list) => list.push(id),
                }
            }
        }
    }

    fn remove_label(&mut self, label: &str, id: NodeId) {
        let key = label_hash(label);
        match self.labels.get_mut(&key) {
            Some(Nodes::One(n)) if *n == id => {
                self.labels.remove(&key);
            }
            Some(Nodes::Many(list)) => list.retain(|&n| n != id),
            _ => {}
        }
    }

    /// The nodes that may carry `label` (a hash shared with another label adds others).
    fn candidates(&self, label: &str) -> &[NodeId] {
        match self.labels.get(&label_hash(label)) {
            Some(Nodes::One(n)) => std::slice::from_ref(n),
            Some(Nodes::Many(list)) => list,
            None => &[],
        }
    }

    fn of(tree: &Tree) -> Index {
        let mut index = Index::default();
        for (i, m) in tree.modules.iter().enumerate() {
            if let Ok(i) = u16::try_from(i) {
                index.modules.entry(m.name.to_string()).or_insert(i);
            }
        }
        for id in 0..tree.node_count() {
            let Ok(id) = NodeId::try_from(id) else { break };
            if let Some(n) = tree.node(id) {
                index.add_label(&n.label, id);
            }
        }
        index
    }

    fn relabel(&mut self, id: NodeId, old: &str, new: &str) {
        self.remove_label(old, id);
        self.add_label(new, id);
    }
}

/// The label prefix of nodes that no definition names (Net-SNMP's).
pub const ANONYMOUS: &str = "anonymous#";

/// Names Net-SNMP's lexer knows as keywords (macros, base types, clause words): importing
/// only these from a module does not read it.
fn is_builtin_symbol(name: &str) -> bool {
    matches!(
        name,
        "MODULE-IDENTITY"
            | "MODULE-COMPLIANCE"
            | "OBJECT-TYPE"
            | "OBJECT-IDENTITY"
            | "OBJECT-GROUP"
            | "NOTIFICATION-TYPE"
            | "NOTIFICATION-GROUP"
            | "TRAP-TYPE"
            | "TEXTUAL-CONVENTION"
            | "AGENT-CAPABILITIES"
            | "NsapAddress"
            | "BITS"
            | "Counter64"
            | "TimeTicks"
            | "NetworkAddress"
            | "Gauge"
            | "Gauge32"
            | "Unsigned32"
            | "IpAddress"
            | "UInteger32"
            | "INTEGER"
            | "Integer32"
            | "Counter"
            | "Counter32"
            | "Opaque"
            | "ObjectSyntax"
            | "SimpleSyntax"
            | "ApplicationSyntax"
            | "ObjectName"
            | "NotificationName"
    )
}

/// The successor of a module name older modules import from (RFC numbers that were replaced).
fn renamed(name: &str) -> Option<&'static str> {
    Some(match name {
        "RFC1065-SMI" => "RFC1155-SMI",
        "RFC1066-MIB" | "RFC1156-MIB" | "RFC1158-MIB" | "RFC-1213" => "RFC1213-MIB",
        "RFC1271-MIB" => "RMON-MIB",
        "RFC1286-MIB" => "BRIDGE-MIB",
        "RFC1315-MIB" => "FRAME-RELAY-DTE-MIB",
        "RFC1316-MIB" => "CHARACTER-MIB",
        "RFC1406-MIB" => "DS1-MIB",
        _ => return None,
    })
}

/// One parent-child step of an OID value: the parent by label, the child's number and label.
struct Step<'a> {
    parent: Cow<'a, str>,
    subid: u32,
    label: Cow<'a, str>,
    /// The value this step defines (the last step of its OID value).
    value: Option<usize>,
    anonymous: bool,
    line: u32,
}

impl<'a> Step<'a> {
    fn new(
        parent: Cow<'a, str>,
        subid: u32,
        label: Cow<'a, str>,
        value: Option<usize>,
        anonymous: bool,
        line: u32,
    ) -> Step<'a> {
        Step { parent, subid, label, value, anonymous, line }
    }
}

/// What a module's definitions resolve against while it loads.
struct Scope<'a> {
    module: u16,
    ast: &'a ModuleAst,
    file: &'a str,
    imports: HashMap<&'a str, &'a str>,
    own_values: HashMap<&'a str, usize>,
    own_types: HashMap<&'a str, usize>,
    placed: HashMap<String, NodeId>,
    types: HashMap<String, TypeId>,
    defined_here: HashSet<NodeId>,
    /// Each value's texts, taken when the value defines its node.
    docs: Vec<ValueDocs>,
    type_docs: Vec<TypeDocs>,
}

/// The texts of a value definition, moved out of its syntax tree.
#[derive(Default)]
struct ValueDocs {
    units: Option<String>,
    access: Option<String>,
    status: Option<String>,
    description: Option<String>,
    reference: Option<String>,
    defval: Option<String>,
}

impl ValueDocs {
    fn take(v: &mut super::parse::ValueAst) -> Self {
        ValueDocs {
            units: v.units.take(),
            access: v.access.take(),
            status: v.status.take(),
            description: v.description.take(),
            reference: v.reference.take(),
            defval: v.defval.take(),
        }
    }
}

/// The texts of a type definition, moved out of its syntax tree.
#[derive(Default)]
struct TypeDocs {
    status: Option<String>,
    description: Option<String>,
    reference: Option<String>,
}

impl TypeDocs {
    fn take(t: &mut TypeAst) -> Self {
        TypeDocs { status: t.status.take(), description: t.description.take(), reference: t.reference.take() }
    }
}

impl Resolver {
    /// A resolver that adds to `tree` (empty, or the compiled-in set).
    pub fn new(mut tree: Tree) -> Self {
        if tree.roots.is_empty() {
            // The three top-level arcs exist before any module, owned by none.
            for (subid, label) in [(0, "ccitt"), (1, "iso"), (2, "joint-iso-ccitt")] {
                let id = NodeId::try_from(tree.nodes.len()).unwrap_or(NodeId::MAX);
                tree.nodes.push(Node {
                    subid,
                    label: Text::Borrowed(label),
                    module: NO_MODULE,
                    defined: true,
                    ..Node::default()
                });
                tree.roots.push(id);
            }
        }
        Resolver {
            available: HashMap::default(),
            state: HashMap::default(),
            searched: Vec::new(),
            diagnostics: Vec::new(),
            alias: HashMap::default(),
            anonymous: 0,
            index: Index::of(&tree),
            spent: Vec::new(),
            tree,
        }
    }

    /// Makes modules available for loading, in the order Net-SNMP finds them (directories in
    /// search-path order, each one's files sorted by name). A module found again replaces the
    /// one found before, as in Net-SNMP, where the later directory wins; it keeps its place
    /// in the load order.
    pub fn add_source(&mut self, file: &str, modules: Vec<ModuleAst>) {
        for module in modules {
            let seq = self.available.len();
            let name = module.name.clone();
            let source = Source { file: file.to_string(), module };
            match self.available.get_mut(&name) {
                Some(known) => known.1 = source,
                None => {
                    self.available.insert(name, (seq, source));
                }
            }
        }
    }

    /// Names of all available modules in Net-SNMP's `-m ALL` order: the reverse of the order
    /// they were found in.
    pub fn all_in_load_order(&self) -> Vec<String> {
        let mut found: Vec<(usize, &str)> =
            self.available.values().map(|(seq, s)| (*seq, s.module.name.as_str())).collect();
        found.sort_unstable();
        found.iter().rev().map(|(_, m)| (*m).to_string()).collect()
    }

    /// Loads every available module.
    pub fn load_all(&mut self) {
        // About one node per value, and some for the steps between: reserved at once, the
        // nodes (a few hundred bytes each) are not copied again and again as the list grows.
        let values =
            self.available.values().map(|(_, s)| s.module.values.len()).fold(0usize, usize::saturating_add);
        self.tree.nodes.reserve(values.saturating_add(values / 8));
        for name in self.all_in_load_order() {
            self.load(&name, None);
        }
    }

    /// Loads one module and what it imports. `by` names the importer for error messages.
    pub fn load(&mut self, name: &str, by: Option<(&str, &str, u32)>) {
        if self.module_id(name).is_some() || self.state.contains_key(name) {
            return;
        }
        let source = self.available.remove(name).map(|(_, s)| s);
        // Old module names that newer modules replaced, as Net-SNMP maps them.
        let source = source.or_else(|| {
            let newer = renamed(name)?;
            self.load(newer, by);
            self.alias.insert(name.to_string(), newer.to_string());
            None
        });
        if self.alias.contains_key(name) {
            return;
        }
        let Some(source) = source else {
            let searched =
                if self.searched.is_empty() { "(none)".to_string() } else { self.searched.join(", ") };
            let (module, file, line) = by.unwrap_or(("", "", 0));
            self.diagnostics.push(Diagnostic {
                module: module.to_string(),
                file: file.to_string(),
                line,
                message: format!("cannot find module {name}; searched: {searched}"),
            });
            return;
        };
        self.state.insert(name.to_string(), State::Loading);
        let mut seen: Vec<&str> = Vec::new();
        for (symbol, from, line) in &source.module.imports {
            // As Net-SNMP: a module is read for its imports only when something other than a
            // macro or built-in type name is imported from it.
            if is_builtin_symbol(symbol) {
                continue;
            }
            if !seen.contains(&from.as_str()) {
                seen.push(from);
                self.load(from, Some((&source.module.name, &source.file, *line)));
            }
        }
        self.place_module(source);
        self.state.insert(name.to_string(), State::Done);
    }

    fn diag(&mut self, scope: &Scope<'_>, line: u32, message: String) {
        self.diagnostics.push(Diagnostic {
            module: scope.ast.name.clone(),
            file: scope.file.to_string(),
            line,
            message,
        });
    }

    fn place_module(&mut self, mut source: Source) {
        self.place_source(&mut source);
        self.spent.push(source);
    }

    fn place_source(&mut self, source: &mut Source) {
        // The texts move into the tree rather than being copied.
        let docs = source.module.values.iter_mut().map(ValueDocs::take).collect();
        let type_docs = source.module.types.iter_mut().map(TypeDocs::take).collect();
        let ast = &source.module;
        let Ok(module) = u16::try_from(self.tree.modules.len()) else {
            return;
        };
        self.index.modules.entry(ast.name.clone()).or_insert(module);
        self.tree.modules.push(Module {
            name: Text::Owned(ast.name.clone()),
            file: Text::Owned(source.file.clone()),
            smiv2: ast.smiv2,
        });
        let mut scope = Scope {
            module,
            ast,
            file: &source.file,
            imports: ast.imports.iter().map(|(s, f, _)| (s.as_str(), f.as_str())).collect(),
            own_values: ast.values.iter().enumerate().map(|(i, v)| (v.name.as_str(), i)).collect(),
            own_types: ast.types.iter().enumerate().map(|(i, t)| (t.name.as_str(), i)).collect(),
            placed: HashMap::default(),
            types: HashMap::default(),
            defined_here: HashSet::default(),
            docs,
            type_docs,
        };
        for t in &ast.types {
            self.resolve_type(&mut scope, &t.name, 0);
        }
        let value_node = self.place_values(&mut scope);
        // Second pass: what refers to other nodes (INDEX, AUGMENTS, OBJECTS) and syntaxes.
        for (v, id) in ast.values.iter().zip(value_node) {
            let Some(id) = id else { continue };
            if !scope.defined_here.contains(&id) {
                continue; // An earlier module's definition stands.
            }
            let syntax = v.syntax.as_ref().map(|s| self.resolve_syntax(&mut scope, s, v.line));
            let mut index = Vec::new();
            for (name, implied) in &v.index {
                match self.lookup_node(&scope, name) {
                    Some(n) => index.push((n, *implied)),
                    None => {
                        self.diag(&scope, v.line, format!("{}: INDEX object {name} is not defined", v.name))
                    }
                }
            }
            let augments = v.augments.as_ref().and_then(|a| {
                let found = self.lookup_node(&scope, a);
                if found.is_none() {
                    self.diag(&scope, v.line, format!("{}: AUGMENTS {a} is not defined", v.name));
                }
                found
            });
            let mut objects: Vec<NodeId> = Vec::with_capacity(v.objects.len());
            for name in &v.objects {
                match self.lookup_node(&scope, name) {
                    Some(n) => objects.push(n),
                    None => self.diag(&scope, v.line, format!("{}: object {name} is not defined", v.name)),
                }
            }
            let objects_written = if self.labelled_as_written(&objects, v.objects.iter().map(String::as_str))
            {
                Vec::new()
            } else {
                v.objects.iter().map(|o| Text::Owned(o.clone())).collect()
            };
            let index_nodes: Vec<NodeId> = index.iter().map(|&(n, _)| n).collect();
            let index_written =
                if self.labelled_as_written(&index_nodes, v.index.iter().map(|(l, _)| l.as_str())) {
                    Vec::new()
                } else {
                    v.index.iter().map(|(l, implied)| (Text::Owned(l.clone()), *implied)).collect()
                };
            if let Some(n) = usize::try_from(id).ok().and_then(|i| self.tree.nodes.get_mut(i)) {
                n.syntax = syntax;
                n.index = index;
                n.index_written = index_written;
                n.augments = augments;
                n.objects = objects;
                n.objects_written = objects_written;
            }
        }
        let mut symbols: Vec<(u16, Text, Symbol)> = Vec::new();
        for (name, id) in scope.placed {
            symbols.push((module, Text::Owned(name), Symbol::Node(id)));
        }
        for (name, id) in scope.types {
            if scope.own_types.contains_key(name.as_str()) {
                symbols.push((module, Text::Owned(name), Symbol::Type(id)));
            }
        }
        // The symbols are sorted by module, then name, and this module's number is the
        // highest so far: sorting its own and appending them keeps the whole list sorted.
        symbols.sort_by(|a, b| a.1.cmp(&b.1));
        if self.tree.symbols.last().is_some_and(|last| last.0 > module) {
            self.tree.symbols.extend(symbols);
            self.tree.symbols.sort_by(|a, b| (a.0, a.1.as_ref()).cmp(&(b.0, b.1.as_ref())));
        } else {
            self.tree.symbols.extend(symbols);
        }
    }

    /// A node named in the scope: own definitions, imports, then any module (Net-SNMP is as
    /// lenient).
    fn lookup_node(&self, scope: &Scope<'_>, name: &str) -> Option<NodeId> {
        if let Some(&id) = scope.placed.get(name) {
            return Some(id);
        }
        if scope.own_values.contains_key(name) {
            return None; // Defined here but not placed yet.
        }
        if let Some(from) = scope.imports.get(name) {
            let from = self.alias.get(*from).map_or(*from, String::as_str);
            if let Some(id) = self.module_id(from).and_then(|m| self.tree.node_symbol(m, name)) {
                return Some(id);
            }
        }
        match name {
            "ccitt" => return self.tree.child(None, 0),
            "iso" => return self.tree.child(None, 1),
            "joint-iso-ccitt" => return self.tree.child(None, 2),
            _ => {}
        }
        self.node_named(name)
    }

    /// Whether `found` are as many nodes as `written` names, each labelled as written.
    fn labelled_as_written<'w>(
        &self,
        found: &[NodeId],
        written: impl ExactSizeIterator<Item = &'w str>,
    ) -> bool {
        found.len() == written.len()
            && found
                .iter()
                .zip(written)
                .all(|(&o, w)| self.tree.node(o).is_some_and(|n| n.label.as_ref() == w))
    }

    fn module_id(&self, name: &str) -> Option<u16> {
        self.index.modules.get(name).copied()
    }

    /// The first node in tree order labelled `name`: of the nodes of that label, the one
    /// whose OID sorts first (a depth-first walk of children in sub-identifier order visits
    /// nodes in OID order).
    fn node_named(&self, name: &str) -> Option<NodeId> {
        let labelled = |id: &NodeId| self.tree.node(*id).is_some_and(|n| n.label == name);
        match self.index.candidates(name) {
            [] => None,
            [only] => Some(*only).filter(labelled),
            several => several.iter().copied().filter(labelled).min_by_key(|&id| self.tree.oid_of(id)),
        }
    }

    fn lookup_type(&mut self, scope: &mut Scope<'_>, name: &str, depth: u32) -> Option<TypeId> {
        if let Some(&id) = scope.types.get(name) {
            return Some(id);
        }
        if scope.own_types.contains_key(name) {
            return self.resolve_type(scope, name, depth.saturating_add(1));
        }
        if let Some(from) = scope.imports.get(name) {
            let from = self.alias.get(*from).map_or(*from, String::as_str);
            if let Some(id) = self.module_id(from).and_then(|m| self.tree.type_symbol(m, name)) {
                return Some(id);
            }
        }
        // Not another module's type of that name: Net-SNMP looks only in the module and in what
        // it imports, and an object of a type it did not import has no syntax.
        None
    }

    fn resolve_type(&mut self, scope: &mut Scope<'_>, name: &str, depth: u32) -> Option<TypeId> {
        if let Some(&id) = scope.types.get(name) {
            return Some(id);
        }
        if depth > 16 || Base::builtin(name).is_some() {
            return None;
        }
        let index = *scope.own_types.get(name)?;
        let ast: &TypeAst = scope.ast.types.get(index)?;
        // The SMI modules' own tagged base types and CHOICEs are built in.
        if ast.syntax.name.starts_with("APPLICATION") || ast.syntax.name == "CHOICE" {
            return None;
        }
        let mut syntax = self.resolve_syntax_at(scope, &ast.syntax, ast.line, depth);
        if Base::builtin(&ast.syntax.name).is_none() {
            // A type defined as another named type (`SnaSenseData ::= TEXTUAL-CONVENTION …
            // SYNTAX DisplayString (SIZE (8))`) takes that type's base and nothing else: its
            // DISPLAY-HINT and ranges are its own, as Net-SNMP records them.
            syntax.hint = None;
            syntax.ranges = ast.syntax.ranges.clone();
            syntax.sizes = ast.syntax.sizes.clone();
        }
        if ast.hint.is_some() {
            syntax.hint = ast.hint.clone().map(Text::Owned);
        }
        let docs = scope.type_docs.get_mut(index).map(std::mem::take).unwrap_or_default();
        let def = TypeDef {
            name: Text::Owned(ast.name.clone()),
            module: scope.module,
            textual_convention: ast.textual_convention,
            status: docs.status.map(Text::Owned),
            description: docs.description.map(|t| Doc::Text(Text::Owned(t))),
            reference: docs.reference.map(|t| Doc::Text(Text::Owned(t))),
            own_hint: ast.hint.clone().map(Text::Owned),
            syntax,
        };
        let id = TypeId::try_from(self.tree.types.len()).ok()?;
        self.tree.types.push(def);
        scope.types.insert(ast.name.clone(), id);
        Some(id)
    }

    fn resolve_syntax(&mut self, scope: &mut Scope<'_>, s: &SyntaxAst, line: u32) -> Syntax {
        self.resolve_syntax_at(scope, s, line, 0)
    }

    fn resolve_syntax_at(&mut self, scope: &mut Scope<'_>, s: &SyntaxAst, line: u32, depth: u32) -> Syntax {
        let own_enums: Vec<(i64, Text)> = s.named.iter().map(|(l, v)| (*v, Text::Owned(l.clone()))).collect();
        if let Some(base) = Base::builtin(&s.name) {
            return Syntax {
                base,
                named: None,
                hint: None,
                enums: own_enums,
                ranges: s.ranges.clone(),
                sizes: s.sizes.clone(),
            };
        }
        let Some(id) = self.lookup_type(scope, &s.name, depth) else {
            self.diag(scope, line, format!("type {} is not defined", s.name));
            return Syntax::default();
        };
        let Some(t) = self.tree.type_def(id) else {
            return Syntax::default();
        };
        let inherited = &t.syntax;
        Syntax {
            base: inherited.base,
            named: Some(id),
            hint: inherited.hint.clone(),
            enums: if own_enums.is_empty() { inherited.enums.clone() } else { own_enums },
            ranges: if s.ranges.is_empty() { inherited.ranges.clone() } else { s.ranges.clone() },
            sizes: if s.sizes.is_empty() { inherited.sizes.clone() } else { s.sizes.clone() },
        }
    }

    /// Places the module's values in the tree as Net-SNMP links a module: every OID value is
    /// split into parent-child steps (`{ iso org(3) dod(6) 1 }` is three), and the steps are
    /// placed depth-first from the imported nodes, then from the roots, then from any loaded
    /// node with the parent's label; a node's children in the reverse of the order written.
    /// The order decides what a label defined twice in one module means, as it does in
    /// Net-SNMP: the module's own children of that label hang under the first one placed, and
    /// its symbol (what `MODULE::label` and importers see) is the last one placed. Returns the
    /// node of each value.
    fn place_values(&mut self, scope: &mut Scope<'_>) -> Vec<Option<NodeId>> {
        let ast = scope.ast;
        let mut steps: Vec<Step> = Vec::new();
        let mut aliases: Vec<(usize, &str)> = Vec::new();
        for (vi, v) in ast.values.iter().enumerate() {
            if v.kind == Macro::TrapType {
                // A v1 trap sits at enterprise.0.N; the `enterprise#` node is Net-SNMP's.
                let Some(enterprise) = v.enterprise.as_deref() else {
                    self.diag(scope, v.line, format!("{}: TRAP-TYPE without ENTERPRISE", v.name));
                    continue;
                };
                let Some(&(_, Some(n))) = v.oid.first() else { continue };
                let zero = format!("{enterprise}#");
                steps.push(Step::new(enterprise.into(), 0, zero.clone().into(), None, false, v.line));
                steps.push(Step::new(zero.into(), n, v.name.as_str().into(), Some(vi), false, v.line));
                continue;
            }
            let Some((first, rest)) = v.oid.split_first() else { continue };
            let mut parent: Cow<'_, str> = match first {
                (Some(name), _) => name.as_str().into(),
                (None, Some(n)) => match n {
                    0 => "ccitt".into(),
                    1 => "iso".into(),
                    2 => "joint-iso-ccitt".into(),
                    _ => {
                        self.diag(scope, v.line, format!("{}: no top-level arc {n}", v.name));
                        continue;
                    }
                },
                (None, None) => continue,
            };
            if rest.is_empty() {
                // `{ parent }` alone: another name of the parent.
                aliases.push((vi, first.0.as_deref().unwrap_or("")));
                continue;
            }
            for (k, (label, number)) in rest.iter().enumerate() {
                let last = k.saturating_add(1) == rest.len();
                let Some(subid) = *number else {
                    let what = label.as_deref().unwrap_or("?");
                    self.diag(scope, v.line, format!("{}: OID component {what} has no number", v.name));
                    break;
                };
                let (label, anonymous): (Cow<'_, str>, bool) = match (last, label) {
                    (true, _) => (v.name.as_str().into(), false),
                    (false, Some(l)) => (l.as_str().into(), false),
                    (false, None) => {
                        // An unnamed step is an anonymous node, as Net-SNMP makes one: printed
                        // as its number, taken over by the first definition that names it.
                        // Numbered from 0, as Net-SNMP numbers them.
                        let label = format!("{ANONYMOUS}{}", self.anonymous);
                        self.anonymous = self.anonymous.saturating_add(1);
                        (label.into(), true)
                    }
                };
                steps.push(Step::new(parent, subid, label.clone(), last.then_some(vi), anonymous, v.line));
                parent = label;
            }
        }
        let mut by_parent: HashMap<&str, Vec<usize>> = HashMap::default();
        let mut first_seen: Vec<&str> = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            by_parent
                .entry(step.parent.as_ref())
                .or_insert_with(|| {
                    first_seen.push(step.parent.as_ref());
                    Vec::new()
                })
                .push(i);
        }
        let mut value_node: Vec<Option<NodeId>> = vec![None; ast.values.len()];
        // From the imported nodes, in the order imported.
        for (symbol, from, _) in &ast.imports {
            if !by_parent.contains_key(symbol.as_str()) {
                continue;
            }
            let from = self.alias.get(from.as_str()).map_or(from.as_str(), String::as_str);
            let node = self.module_id(from).and_then(|m| self.tree.node_symbol(m, symbol));
            if let Some(node) = node {
                self.descend(scope, &steps, &mut by_parent, &mut value_node, node, symbol, 0);
            }
        }
        // From the roots, then from any node already loaded that has the parent's label.
        for (subid, label) in [(1, "iso"), (0, "ccitt"), (2, "joint-iso-ccitt")] {
            if let Some(root) = self.tree.child(None, subid) {
                self.descend(scope, &steps, &mut by_parent, &mut value_node, root, label, 0);
            }
        }
        for label in first_seen {
            if !by_parent.contains_key(label) {
                continue;
            }
            if let Some(node) = self.node_named(label) {
                self.descend(scope, &steps, &mut by_parent, &mut value_node, node, label, 0);
            }
        }
        // What is left has no parent anywhere.
        let mut left: Vec<usize> = by_parent.into_values().flatten().collect();
        left.sort_unstable();
        for i in left {
            let Some(step) = steps.get(i) else { continue };
            if let Some(v) = step.value.and_then(|vi| ast.values.get(vi)) {
                let parent =
                    v.oid.first().and_then(|p| p.0.clone()).unwrap_or_else(|| step.parent.to_string());
                self.diag(scope, v.line, format!("unlinked OID {}: undefined identifier {parent}", v.name));
            }
        }
        for (vi, parent) in aliases {
            if let (Some(id), Some(v)) = (self.lookup_node(scope, parent), ast.values.get(vi)) {
                scope.placed.entry(v.name.clone()).or_insert(id);
            }
        }
        value_node
    }

    /// Places the steps whose parent is `label`, under `node`, each followed by its own
    /// children (depth-first, in the reverse of the order written, as Net-SNMP places them).
    #[allow(clippy::too_many_arguments)]
    fn descend(
        &mut self,
        scope: &mut Scope<'_>,
        steps: &[Step],
        by_parent: &mut HashMap<&str, Vec<usize>>,
        value_node: &mut [Option<NodeId>],
        node: NodeId,
        label: &str,
        depth: usize,
    ) {
        let Some(kids) = by_parent.remove(label) else { return };
        if depth > 128 {
            let line = kids.first().and_then(|&k| steps.get(k)).map_or(0, |s| s.line);
            self.diag(scope, line, format!("OID under {label} is longer than 128 sub-identifiers"));
            return;
        }
        // A twin's label leads to the node that carries the OID's children.
        let node = self.tree.node(node).and_then(|n| self.tree.child(n.parent, n.subid)).unwrap_or(node);
        for &k in kids.iter().rev() {
            let Some(step) = steps.get(k) else { continue };
            let (id, defined) = self.place_step(scope, step, node);
            if let Some(vi) = step.value
                && let Some(slot) = value_node.get_mut(vi)
            {
                *slot = Some(defined);
            }
            self.descend(scope, steps, by_parent, value_node, id, &step.label, depth.saturating_add(1));
        }
    }

    /// Places one step under `parent` and returns the node at its OID (which carries the
    /// children) and the node its label names there (that one, or a twin). An existing node
    /// at that OID is reused: an anonymous one takes the step's label; under the label of the
    /// newest node there (the node itself or its last twin), it is the same node, and this
    /// module is noted as defining it too; under another label the step gets a twin of its
    /// own, as Net-SNMP keeps one. The first definition placed on a node stands.
    fn place_step(&mut self, scope: &mut Scope<'_>, step: &Step, parent: NodeId) -> (NodeId, NodeId) {
        let value = step.value.and_then(|vi| Some((vi, scope.ast.values.get(vi)?)));
        let id = self.child_or_new(Some(parent), step.subid, &step.label, scope.module, step.line);
        let mut named = id;
        if !step.anonymous
            && let Some(n) = usize::try_from(id).ok().and_then(|i| self.tree.nodes.get_mut(i))
        {
            if n.is_anonymous() {
                let old = std::mem::replace(&mut n.label, Text::Owned(step.label.to_string()));
                self.index.relabel(id, &old, &step.label);
                n.module = scope.module;
            } else {
                named = n.twins.last().copied().unwrap_or(id);
                let newest = self.tree.node(named).map(|t| (t.label == step.label, t.module));
                match newest {
                    Some((true, module)) => {
                        if let Some(t) = usize::try_from(named).ok().and_then(|i| self.tree.nodes.get_mut(i))
                            && module != scope.module
                            && !t.also.contains(&scope.module)
                        {
                            t.also.push(scope.module);
                        }
                    }
                    _ => {
                        let twin = NodeId::try_from(self.tree.nodes.len()).unwrap_or(NodeId::MAX);
                        let (subid, up) = (step.subid, Some(parent));
                        if let Some(n) = usize::try_from(id).ok().and_then(|i| self.tree.nodes.get_mut(i)) {
                            n.twins.push(twin);
                        }
                        self.index.add_label(&step.label, twin);
                        self.tree.nodes.push(Node {
                            subid,
                            parent: up,
                            label: Text::Owned(step.label.to_string()),
                            module: scope.module,
                            line: step.line,
                            ..Node::default()
                        });
                        named = twin;
                    }
                }
            }
        }
        if let Some(n) = usize::try_from(named).ok().and_then(|i| self.tree.nodes.get_mut(i))
            && let Some((vi, v)) = value
            && !n.defined
        {
            {
                // The first definition loaded stands.
                n.defined = true;
                scope.defined_here.insert(named);
                let docs = scope.docs.get_mut(vi).map(std::mem::take).unwrap_or_default();
                n.kind = v.kind;
                n.units = docs.units.map(Text::Owned);
                n.access = docs.access.map(Text::Owned);
                n.status = docs.status.map(Text::Owned);
                n.description = docs.description.map(|t| Doc::Text(Text::Owned(t)));
                n.reference = docs.reference.map(|t| Doc::Text(Text::Owned(t)));
                n.defval = docs.defval.map(Text::Owned);
                n.line = v.line;
            }
        }
        if !step.anonymous {
            // The last placed of a label is the module's symbol.
            scope.placed.insert(step.label.to_string(), named);
        }
        (id, named)
    }

    /// The child of `parent` with `subid`, made (labelled `label`, owned by `module`) if missing.
    /// Child lists stay in sub-identifier order.
    fn child_or_new(
        &mut self,
        parent: Option<NodeId>,
        subid: u32,
        label: &str,
        module: u16,
        line: u32,
    ) -> NodeId {
        if let Some(id) = self.tree.child(parent, subid) {
            return id;
        }
        let id = NodeId::try_from(self.tree.nodes.len()).unwrap_or(NodeId::MAX);
        let list = match parent {
            None => &self.tree.roots,
            Some(p) => match self.tree.node(p) {
                Some(n) => &n.children,
                None => return id,
            },
        };
        let at = list.partition_point(|&c| self.tree.node(c).is_some_and(|n| n.subid < subid));
        self.index.add_label(label, id);
        self.tree.nodes.push(Node {
            subid,
            parent,
            label: Text::Owned(label.to_string()),
            module,
            line,
            ..Node::default()
        });
        let list = match parent {
            None => &mut self.tree.roots,
            Some(p) => match usize::try_from(p).ok().and_then(|i| self.tree.nodes.get_mut(i)) {
                Some(n) => &mut n.children,
                None => return id,
            },
        };
        list.insert(at.min(list.len()), id);
        id
    }

    /// The tree and every problem found. What else the resolver holds (every module's syntax
    /// tree, the maps) is freed on a thread of its own: hundreds of thousands of small
    /// allocations, whose freeing the caller need not wait for.
    pub fn finish(mut self) -> (Tree, Vec<Diagnostic>) {
        let tree = std::mem::take(&mut self.tree);
        let diagnostics = std::mem::take(&mut self.diagnostics);
        // Should no thread start, the closure (and so the rest) is freed here.
        let _ = std::thread::Builder::new().name("mib-free".into()).spawn(move || drop(self));
        (tree, diagnostics)
    }
}
