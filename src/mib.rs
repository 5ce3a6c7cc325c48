//! MIB modules: parsing (SMIv1/SMIv2), resolution into one OID tree, and the compiled-in set of
//! shipped modules (`mibs/`), which the build script resolves so that no command parses MIB text
//! unless the user adds modules of their own.
//!
//! ```
//! use snmpctl::mib::Mib;
//! let mib = Mib::shipped(); // the IETF, IANA and IEEE set, compiled in
//! let oid = mib.oid("IF-MIB::ifOperStatus.3")?;
//! let node = mib.find(oid.arcs()).and_then(|(id, _)| mib.node(id)).expect("in IF-MIB");
//! assert_eq!(node.access.as_deref(), Some("read-only"));
//! assert_eq!(mib.name(&oid), "IF-MIB::ifOperStatus.3");
//! # Ok::<(), snmpctl::mib::NameError>(())
//! ```
//!
//! A vendor's files load as Net-SNMP loads them (`-M +DIR -m ALL`), problems reported, not fatal:
//!
//! ```
//! let dir = std::env::temp_dir().join(format!("snmpctl-doc-mibs-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! std::fs::write(dir.join("FOO-MIB.txt"), r#"FOO-MIB DEFINITIONS ::= BEGIN
//! IMPORTS enterprises, OBJECT-TYPE, Integer32 FROM SNMPv2-SMI;
//! foo OBJECT IDENTIFIER ::= { enterprises 99999 }
//! fooLevel OBJECT-TYPE
//!     SYNTAX Integer32 (0..100)
//!     MAX-ACCESS read-only
//!     STATUS current
//!     DESCRIPTION "How full."
//!     ::= { foo 1 }
//! END"#)?;
//! let (mib, problems) = snmpctl::Mib::with_dirs([&dir]);
//! assert!(problems.is_empty(), "{problems:?}");
//! assert_eq!(mib.oid("FOO-MIB::fooLevel.0")?.to_string(), "1.3.6.1.4.1.99999.1.0");
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod cache;
pub mod input;
mod lex;
pub mod parse;
pub mod resolve;
pub mod store;
pub mod tree;

use std::sync::OnceLock;

pub use resolve::Diagnostic;
pub use tree::{Base, Doc, Macro, Node, NodeId, Symbol, Syntax, TableShape, Tree, TypeDef, TypeId};

/// A set of modules to resolve names and render values with: the shipped set
/// ([`Mib::shipped`], compiled in, nothing parsed) or the shipped set plus modules read from
/// directories ([`Mib::load`]). Cheap to clone: clones share one tree.
///
/// ```
/// use snmpctl::mib::Mib;
/// let mib = Mib::shipped();
/// let oid = mib.oid("IF-MIB::ifDescr.3")?;
/// assert_eq!(oid.to_string(), "1.3.6.1.2.1.2.2.1.2.3");
/// assert_eq!(mib.name(&oid), "IF-MIB::ifDescr.3");
/// assert!(mib.oid("ifDescrr.3").is_err());
/// # Ok::<(), snmpctl::mib::NameError>(())
/// ```
#[derive(Clone)]
pub struct Mib(MibTree);

#[derive(Clone)]
enum MibTree {
    Shipped(&'static Tree),
    Loaded(std::sync::Arc<Tree>),
}

impl std::fmt::Debug for Mib {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mib({} modules)", self.tree().modules.len())
    }
}

/// A name that does not resolve, or an OID that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name:?}: {problem}")]
pub struct NameError {
    /// The text given.
    pub name: String,
    /// What was wrong with it.
    pub problem: String,
}

impl Mib {
    /// The shipped modules (`mibs/`: the IETF, IANA and IEEE set), compiled in and read lazily.
    pub fn shipped() -> Mib {
        Mib(MibTree::Shipped(shipped()))
    }

    /// The shipped modules plus those in `options`' directories, read as Net-SNMP reads `-M`
    /// and `-m`. Problems in the files are returned beside the result (the modules that resolve
    /// are loaded, as Net-SNMP loads them); `None` when the module list is empty (`-m ""`).
    pub fn load(options: &LoadOptions) -> (Option<Mib>, Vec<Diagnostic>) {
        let (tree, diagnostics) = load(options);
        let mib = tree.map(|t| match t {
            std::borrow::Cow::Borrowed(t) => Mib(MibTree::Shipped(t)),
            std::borrow::Cow::Owned(t) => Mib(MibTree::Loaded(std::sync::Arc::new(t))),
        });
        (mib, diagnostics)
    }

    /// The shipped modules plus every module in `dirs` (Net-SNMP's `-M +DIR -m ALL`).
    pub fn with_dirs<P: AsRef<std::path::Path>>(dirs: impl IntoIterator<Item = P>) -> (Mib, Vec<Diagnostic>) {
        let joined: Vec<String> =
            dirs.into_iter().map(|d| d.as_ref().to_string_lossy().into_owned()).collect();
        let options = LoadOptions {
            modules: Some("ALL".into()),
            dirs: Some(format!("+{}", joined.join(":"))),
            ..LoadOptions::default()
        };
        let (mib, diagnostics) = Mib::load(&options);
        (mib.unwrap_or_else(Mib::shipped), diagnostics)
    }

    /// The resolved tree.
    pub fn tree(&self) -> &Tree {
        match &self.0 {
            MibTree::Shipped(t) => t,
            MibTree::Loaded(t) => t,
        }
    }

    /// The OID of a name as Net-SNMP's tools take it: `sysName.0`, `SNMPv2-MIB::sysName.0`,
    /// `IF-MIB::ifDescr.3`, `.1.3.6.1.2.1.1.5.0`, index syntax such as
    /// `IP-MIB::ipAddressIfIndex.ipv4."10.0.0.1"`.
    ///
    /// # Errors
    /// [`NameError`] naming the part that did not resolve.
    pub fn oid(&self, name: &str) -> Result<crate::value::Oid, NameError> {
        let error = |problem: String| NameError { name: name.to_owned(), problem };
        let arcs = input::parse_name(self.tree(), name).map_err(error)?;
        crate::value::Oid::new(&arcs).map_err(|e| error(e.to_string()))
    }

    /// A value for the object `oid` from text, typed by the MIB as `snmpset`'s `=` type does
    /// (enumeration labels, DISPLAY-HINT text, OID names) and checked against its
    /// enumerations, ranges and sizes.
    ///
    /// # Errors
    /// [`NameError`] when the MIB gives the object no type or the text does not fit it.
    pub fn value(&self, oid: &crate::value::Oid, text: &str) -> Result<crate::value::Value, NameError> {
        input::typed_value(self.tree(), oid.arcs(), text)
            .map_err(|problem| NameError { name: text.to_owned(), problem })
    }
}

/// Anything that names an object: an [`Oid`](crate::value::Oid) or the text of a name or a
/// numeric OID, resolved with the MIB of the call (the shipped set unless the client was given
/// another). Every method of [`Client`](crate::Client) that takes OIDs takes these.
///
/// ```
/// use snmpctl::mib::{IntoOid, Mib};
/// let mib = Mib::shipped();
/// assert_eq!("sysName.0".into_oid(&mib)?, snmpctl::oid!("1.3.6.1.2.1.1.5.0"));
/// assert_eq!(".1.3.6.1.2.1.1.5.0".into_oid(&mib)?, snmpctl::oid!("1.3.6.1.2.1.1.5.0"));
/// assert_eq!([1, 3, 6].into_oid(&mib)?.to_string(), "1.3.6");
/// # Ok::<(), snmpctl::mib::NameError>(())
/// ```
pub trait IntoOid {
    /// The OID.
    ///
    /// # Errors
    /// [`NameError`] for a name the MIB does not have or text that is no OID.
    fn into_oid(self, mib: &Mib) -> Result<crate::value::Oid, NameError>;
}

impl IntoOid for crate::value::Oid {
    fn into_oid(self, _: &Mib) -> Result<crate::value::Oid, NameError> {
        Ok(self)
    }
}

impl IntoOid for &crate::value::Oid {
    fn into_oid(self, _: &Mib) -> Result<crate::value::Oid, NameError> {
        Ok(self.clone())
    }
}

impl IntoOid for &str {
    fn into_oid(self, mib: &Mib) -> Result<crate::value::Oid, NameError> {
        // Numbers need no MIB (and resolve even with none loaded).
        match self.parse::<crate::value::Oid>() {
            Ok(oid) => Ok(oid),
            Err(_) => mib.oid(self),
        }
    }
}

impl IntoOid for String {
    fn into_oid(self, mib: &Mib) -> Result<crate::value::Oid, NameError> {
        self.as_str().into_oid(mib)
    }
}

impl IntoOid for &String {
    fn into_oid(self, mib: &Mib) -> Result<crate::value::Oid, NameError> {
        self.as_str().into_oid(mib)
    }
}

impl IntoOid for &[u32] {
    fn into_oid(self, _: &Mib) -> Result<crate::value::Oid, NameError> {
        crate::value::Oid::new(self)
            .map_err(|e| NameError { name: format!("{self:?}"), problem: e.to_string() })
    }
}

impl<const N: usize> IntoOid for [u32; N] {
    fn into_oid(self, mib: &Mib) -> Result<crate::value::Oid, NameError> {
        self.as_slice().into_oid(mib)
    }
}

impl std::ops::Deref for Mib {
    type Target = Tree;
    fn deref(&self) -> &Tree {
        self.tree()
    }
}

static COMPILED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/mibs.bin"));
include!(concat!(env!("OUT_DIR"), "/mibs_src.rs"));

/// The text of the shipped module `name`, when one is shipped.
fn shipped_text(tree: &Tree, name: &str) -> Option<&'static [u8]> {
    let file = &tree.module(tree.module_id(name)?)?.file;
    SHIPPED_SOURCES.iter().find(|(f, _)| *f == file.as_ref()).map(|(_, t)| *t)
}

/// Reads the whole compiled-in shipped set, checking every record (for benchmarks and tests;
/// [`shipped`] opens it lazily instead).
///
/// # Errors
/// Only if the build produced corrupt data.
pub fn decode_shipped() -> Result<Tree, store::StoreError> {
    store::decode(COMPILED)
}

/// Opens the compiled-in shipped set anew, as [`shipped`] does once per process (for
/// benchmarks).
///
/// # Errors
/// Only if the build produced corrupt data.
pub fn open_shipped() -> Result<Tree, store::StoreError> {
    store::open(COMPILED)
}

/// The shipped modules, resolved at build time and read once per process.
pub fn shipped() -> &'static Tree {
    static TREE: OnceLock<Tree> = OnceLock::new();
    TREE.get_or_init(|| open_shipped().unwrap_or_default())
}

/// Which modules to load and where to look for more, as Net-SNMP's `-m`/`MIBS` and
/// `-M`/`MIBDIRS` say it.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Colon-separated module names; `ALL` (the default) loads every module in the directories;
    /// a leading `+` adds to the default; an empty list loads no MIB at all, not even the shipped
    /// set (names then print as numbers, as Net-SNMP with `-m ""`).
    pub modules: Option<String>,
    /// Colon-separated directories; a leading `+` adds to the default, `~/.snmp/mibs`.
    pub dirs: Option<String>,
    /// The home directory for the default `~/.snmp/mibs`.
    pub home: Option<std::path::PathBuf>,
    /// Single MIB files to load besides the modules named (Net-SNMP's `mibfile` and
    /// `MIBFILES`): every module they hold is loaded.
    pub files: Vec<std::path::PathBuf>,
    /// A directory for the cache of compiled modules ([`cache`]; `None`, the default, for none):
    /// a second load of the same files opens what the first one made instead of parsing them.
    /// [`cache::default_dir`] is where the command-line tool keeps it.
    pub cache: Option<std::path::PathBuf>,
}

/// Whether a file in a MIB directory is named as documentation (README, NOTICE, LICENSE,
/// COPYING, CHANGES, `*.md`, `*.html`, `*.pdf`, Makefile): such files are skipped without a
/// report; any other file that is not a module is reported.
fn is_documentation(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["README", "NOTICE", "LICENSE", "LICENCE", "COPYING", "CHANGES", "CHANGELOG", "MAKEFILE", "INDEX"]
        .iter()
        .any(|p| upper.starts_with(p))
        || [".MD", ".HTML", ".HTM", ".PDF", ".TGZ", ".ZIP", ".GZ"].iter().any(|e| upper.ends_with(e))
}

/// What one file of a MIB directory holds.
enum Read {
    Failed(std::io::Error),
    NotModule,
    /// The same text as a shipped module's: the compiled-in definitions stand.
    Shipped(&'static [u8]),
    /// Parsed; `replaces` when a shipped module of that name exists with other text.
    Parsed {
        module: String,
        replaces: bool,
        parsed: parse::Parsed,
    },
}

/// Reads and parses one file.
fn read_one(base: &Tree, path: &std::path::Path) -> Read {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) => return Read::Failed(e),
    };
    let Some(module) = parse::module_name(&text) else { return Read::NotModule };
    // A file with the very text of a shipped module needs no parsing: the compiled-in
    // definitions are the same.
    let shipped = shipped_text(base, &module);
    if let Some(shipped) = shipped
        && shipped == text.as_slice()
    {
        return Read::Shipped(shipped);
    }
    Read::Parsed { module, replaces: shipped.is_some(), parsed: parse::parse(&text) }
}

/// Reads and parses `files` on up to as many threads as there are cores (8 at most), each
/// taking the next file when done with one; the results are in the order of `files`.
fn read_all(base: &Tree, files: &[std::path::PathBuf]) -> Vec<Read> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let workers = cores.min(8).min(files.len().div_ceil(4)).max(1);
    if workers == 1 {
        return files.iter().map(|path| read_one(base, path)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, Read)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(path) = files.get(i) else { break };
                        mine.push((i, read_one(base, path)));
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    // A worker that panicked lost its files: they are read again here.
    let mut done = done.into_iter().peekable();
    files
        .iter()
        .enumerate()
        .map(|(i, path)| done.next_if(|(k, _)| *k == i).map_or_else(|| read_one(base, path), |(_, r)| r))
        .collect()
}

/// Loads the MIB `options` describe: the shipped set (compiled in, no parsing) plus modules
/// from the directories. Returns `None` for an empty module list. Problems in user modules are
/// returned as diagnostics (Net-SNMP prints such warnings and goes on); the modules that resolve
/// are loaded.
pub fn load(options: &LoadOptions) -> (Option<std::borrow::Cow<'static, Tree>>, Vec<Diagnostic>) {
    let modules = options.modules.as_deref().unwrap_or("ALL");
    // An empty list, or one of separators only (Debian's snmp.conf says `mibs :`), loads
    // nothing, as it does for Net-SNMP; a lone `+` adds nothing to the default.
    if !modules.trim_start().starts_with('+')
        && modules.split(':').all(|m| m.trim().is_empty())
        && options.files.is_empty()
    {
        return (None, Vec::new());
    }
    let modules = if modules.split(':').all(|m| m.trim().is_empty()) { "+" } else { modules };
    let base = shipped();
    let mut dirs: Vec<std::path::PathBuf> = Vec::new();
    let default_dir = options.home.as_ref().map(|h| h.join(".snmp").join("mibs"));
    match options.dirs.as_deref() {
        Some(d) if !d.starts_with('+') => dirs.extend(d.split(':').filter(|s| !s.is_empty()).map(Into::into)),
        other => {
            if let Some(extra) = other.and_then(|d| d.strip_prefix('+')) {
                dirs.extend(extra.split(':').filter(|s| !s.is_empty()).map(Into::into));
            }
            dirs.extend(default_dir);
        }
    }
    let mut diagnostics = Vec::new();
    let mut files: Vec<(std::path::PathBuf, std::fs::Metadata)> = Vec::new();
    for dir in &dirs {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            // A directory that does not exist is skipped quietly, as Net-SNMP skips it (the
            // default ~/.snmp/mibs rarely exists).
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                diagnostics.push(Diagnostic {
                    module: String::new(),
                    file: dir.display().to_string(),
                    line: 0,
                    message: format!("cannot read the directory: {e}"),
                });
                continue;
            }
        };
        let mut found: Vec<std::path::PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        found.sort();
        for path in found {
            if path.file_name().is_some_and(|n| n.as_encoded_bytes().starts_with(b".")) {
                continue;
            }
            // As `is_file`, following links; the size and time of change key the cache.
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_file() => files.push((path, meta)),
                _ => {}
            }
        }
    }
    let mut extra: Vec<std::path::PathBuf> = Vec::new();
    for path in &options.files {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_file() => {
                extra.push(path.clone());
                files.push((path.clone(), meta));
            }
            Ok(_) => diagnostics.push(Diagnostic {
                module: String::new(),
                file: path.display().to_string(),
                line: 0,
                message: "not a file".into(),
            }),
            Err(e) => diagnostics.push(Diagnostic {
                module: String::new(),
                file: path.display().to_string(),
                line: 0,
                message: format!("cannot read the file: {e}"),
            }),
        }
    }
    // With files to read, a cache entry for exactly these files may stand in for them.
    let cache = options.cache.as_deref().filter(|_| !files.is_empty()).map(|dir| {
        let stamps: Vec<cache::FileStamp<'_>> =
            files.iter().map(|(path, meta)| cache::FileStamp::new(path, meta)).collect();
        (dir, cache::key(modules, &dirs, &stamps))
    });
    if let Some((dir, key)) = &cache
        && let Some((tree, mut found)) = cache::read(dir, key)
    {
        diagnostics.append(&mut found);
        return (Some(tree.map_or(std::borrow::Cow::Borrowed(base), std::borrow::Cow::Owned)), diagnostics);
    }
    let paths: Vec<std::path::PathBuf> = files.into_iter().map(|(path, _)| path).collect();
    let (tree, mut found) = load_files(base, modules, &dirs, &paths, &extra);
    if let Some((dir, key)) = &cache {
        let made = match &tree {
            std::borrow::Cow::Borrowed(_) => None,
            std::borrow::Cow::Owned(t) => Some(t),
        };
        cache::write(dir, key, made, &found);
    }
    diagnostics.append(&mut found);
    (Some(tree), diagnostics)
}

/// Loads `modules` from `files` (found in `dirs`, in order) onto the shipped set, and every
/// module of the files in `whole` (`mibfile`).
fn load_files(
    base: &'static Tree,
    modules: &str,
    dirs: &[std::path::PathBuf],
    files: &[std::path::PathBuf],
    whole: &[std::path::PathBuf],
) -> (std::borrow::Cow<'static, Tree>, Vec<Diagnostic>) {
    let mut from_whole: Vec<String> = Vec::new();
    let wanted: Vec<&str> = modules.trim_start_matches('+').split(':').filter(|s| !s.is_empty()).collect();
    let all = modules.starts_with('+') || wanted.contains(&"ALL");
    // The user's modules in the order found; `Err` holds a file whose text is a shipped
    // module's, read only if the tree must be resolved anew.
    type Found = Result<Vec<parse::ModuleAst>, &'static [u8]>;
    let mut sources: Vec<(String, Found)> = Vec::new();
    // Shipped modules that a user's module of the same name replaces.
    let mut replaced: Vec<String> = Vec::new();
    let mut diagnostics = Vec::new();
    // Files are read and parsed on every core; what they hold is taken in file order.
    for (read, path) in read_all(base, files).into_iter().zip(files) {
        let file = path.display().to_string();
        let problem =
            |message: String| Diagnostic { module: String::new(), file: file.clone(), line: 0, message };
        match read {
            Read::Failed(e) => diagnostics.push(problem(format!("cannot read the file: {e}"))),
            Read::NotModule => {
                let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
                if !is_documentation(&name) {
                    diagnostics.push(problem(
                        "not a MIB module (no 'NAME DEFINITIONS ::= BEGIN' at its start), skipped".into(),
                    ));
                }
            }
            Read::Shipped(text) => sources.push((file, Err(text))),
            Read::Parsed { module, replaces, parsed } => {
                if replaces {
                    replaced.push(module.clone());
                }
                diagnostics.extend(parsed.errors.into_iter().map(|e| Diagnostic {
                    module: if e.module.is_empty() { module.clone() } else { e.module },
                    file: file.clone(),
                    line: e.line,
                    message: e.message,
                }));
                if whole.contains(path) {
                    from_whole.extend(parsed.modules.iter().map(|m| m.name.clone()));
                }
                if !parsed.modules.is_empty() {
                    sources.push((file, Ok(parsed.modules)));
                }
            }
        }
    }
    let named_extra: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|m| *m != "ALL" && (base.module_id(m).is_none() || replaced.iter().any(|r| r == m)))
        .collect();
    if sources.iter().all(|(_, m)| m.is_err()) && named_extra.is_empty() && from_whole.is_empty() {
        return (std::borrow::Cow::Borrowed(base), diagnostics);
    }
    // Resolve the user's modules on top of the shipped set; when one replaces a shipped
    // module, everything anew from the texts, the shipped modules loaded first as before
    // (they are found after the user's, so `-m ALL` reads them first) but for those replaced.
    let mut resolver = if replaced.is_empty() {
        resolve::Resolver::new(base.clone())
    } else {
        resolve::Resolver::new(Tree::default())
    };
    let mut found_in_dirs: Vec<String> = Vec::new();
    for (file, asts) in sources {
        let asts = match asts {
            Ok(asts) => asts,
            // A copy of a shipped module, needed only when resolving anew: read where found.
            Err(text) if !replaced.is_empty() => parse::parse(text).modules,
            Err(_) => continue,
        };
        found_in_dirs.extend(asts.iter().map(|m| m.name.clone()));
        resolver.add_source(&file, asts);
    }
    resolver.searched = dirs.iter().map(|d| d.display().to_string()).collect();
    resolver.searched.push("(the shipped modules)".to_string());
    if !replaced.is_empty() {
        // The shipped modules the directories do not hold, as if found in a last directory
        // (so `-m ALL` reads them first, as the compiled set is read first).
        for (file, text) in SHIPPED_SOURCES {
            let mut parsed = parse::parse(text).modules;
            parsed.retain(|m| !found_in_dirs.contains(&m.name));
            resolver.add_source(file, parsed);
        }
        // The shipped set is always loaded, whatever `-m` names (with ALL, in its turn).
        if !all {
            let shipped: Vec<String> = base.modules.iter().map(|m| m.name.to_string()).collect();
            for m in resolver.all_in_load_order() {
                if shipped.contains(&m) {
                    resolver.load(&m, None);
                }
            }
        }
    }
    if all {
        resolver.load_all();
    }
    for m in named_extra {
        resolver.load(m, None);
    }
    for m in &from_whole {
        resolver.load(m, None);
    }
    let (tree, mut found) = resolver.finish();
    // What the build accepted in the shipped modules (types they use without importing them,
    // see build.rs) is not the user's to hear about when they are resolved anew.
    found.retain(|d| !SHIPPED_SOURCES.iter().any(|(file, _)| *file == d.file));
    diagnostics.append(&mut found);
    (std::borrow::Cow::Owned(tree), diagnostics)
}
