//! MIB flags (`-m`, `-M`, as Net-SNMP), the process's loaded MIB, and `snmpctl translate`.

use snmpctl::mib::{self, Tree};
use std::sync::OnceLock;

// Which MIB modules to use.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct MibArgs {
    /// MIB modules to load, colon-separated: ALL (the default) loads every module found in the
    /// MIB directories besides the shipped ones; "" loads none, so names print as numbers.
    #[arg(short = 'm', long = "mibs", env = "MIBS", value_name = "MODULES")]
    pub mibs: Option<String>,
    /// Directories of MIB files, colon-separated; a leading + adds to the default,
    /// ~/.snmp/mibs. The shipped modules are always available.
    #[arg(short = 'M', long = "mib-dirs", env = "MIBDIRS", value_name = "DIRS")]
    pub mib_dirs: Option<String>,
}

static LOADED: OnceLock<Option<&'static Tree>> = OnceLock::new();

impl MibArgs {
    /// Loads the MIB once per process; problems in user modules go to stderr, one line each.
    /// The command line and the environment (`MIBS`, `MIBDIRS`, `MIBFILES`) win over
    /// snmp.conf's `mibs`, `mibdirs` and `mibfile`, as for Net-SNMP.
    pub fn load(&self) -> Option<&'static Tree> {
        *LOADED.get_or_init(|| {
            let conf = super::snmpconf::get();
            let files = match std::env::var_os("MIBFILES") {
                Some(f) => std::env::split_paths(&f).filter(|p| !p.as_os_str().is_empty()).collect(),
                None => conf.value("mibfile").map(std::path::PathBuf::from).into_iter().collect(),
            };
            if self.mibs.is_none()
                && let Some(at) = conf.mibs_origin()
            {
                let _ = MIBS_FROM.set(at.to_string());
            }
            let options = mib::LoadOptions {
                modules: self.mibs.clone().or_else(|| conf.mibs().map(str::to_owned)),
                dirs: self.mib_dirs.clone().or_else(|| conf.mibdirs().map(str::to_owned)),
                home: std::env::var_os("HOME").map(Into::into),
                files,
                cache: cache_dir(),
            };
            let (tree, diagnostics) = mib::load(&options);
            if conf.show_mib_errors() {
                for d in diagnostics {
                    eprintln!("MIB: {d}");
                }
            }
            tree.map(|t| match t {
                std::borrow::Cow::Borrowed(t) => t,
                // Loaded once and kept for the life of the process.
                std::borrow::Cow::Owned(t) => &*Box::leak(Box::new(t)),
            })
        })
    }
}

/// Where compiled modules are cached: `SNMPCTL_MIB_CACHE` names a directory, or turns the
/// cache off when it is empty or `off`; by default `$XDG_CACHE_HOME/snmpctl/mibs`, else
/// `~/.cache/snmpctl/mibs`.
fn cache_dir() -> Option<std::path::PathBuf> {
    match std::env::var_os("SNMPCTL_MIB_CACHE") {
        Some(v) if v.is_empty() || v == "off" => None,
        Some(v) => Some(v.into()),
        None => mib::cache::default_dir(
            std::env::var_os("XDG_CACHE_HOME").as_deref(),
            std::env::var_os("HOME").as_deref().map(std::path::Path::new),
        ),
    }
}

/// Where the modules list came from when snmp.conf gave it.
static MIBS_FROM: OnceLock<String> = OnceLock::new();

/// Why no MIB is loaded, for messages: the flag, or the snmp.conf line that said so.
pub fn why_none() -> String {
    match MIBS_FROM.get() {
        Some(at) => format!("`mibs` in {at} loads none; -m ALL loads them"),
        None => "-m \"\"".to_owned(),
    }
}

/// The MIB loaded for this process, if any.
pub fn loaded() -> Option<&'static Tree> {
    LOADED.get().copied().flatten()
}

// `snmpctl translate`: names to OIDs and back, and what the MIB says of an object.
#[derive(Debug, clap::Args)]
pub struct TranslateArgs {
    #[command(flatten)]
    mib: MibArgs,
    /// Output options for names, as Net-SNMP's -O: n (numeric), f (full), s, S (default), u.
    #[arg(short = 'O', long = "output", value_name = "OPTS")]
    output: Vec<String>,
    /// Translation options, as snmptranslate's -T: d (details of the object), p (the subtree
    /// as a tree).
    #[arg(short = 'T', long = "translate-options", default_value = "")]
    translate: String,
    /// Width that -Tp wraps long Index and Values lines at, as snmptranslate's -w.
    #[arg(short = 'w', long = "width", default_value_t = 1_000_000)]
    width: usize,
    /// Names (`IF-MIB::ifDescr`, `sysDescr.0`) or OIDs (`.1.3.6.1.2.1.1.1.0`); with -Tp and
    /// none, the whole tree under `iso`, as snmptranslate draws it.
    #[arg(required_unless_present = "translate")]
    names: Vec<String>,
}

/// Net-SNMP's name for a base type in `-Td` output.
fn base_name(base: snmpctl::mib::Base) -> &'static str {
    use snmpctl::mib::Base;
    match base {
        Base::Integer => "INTEGER",
        Base::Integer32 => "Integer32",
        Base::OctetString => "OCTET STRING",
        Base::ObjectId => "OBJECT IDENTIFIER",
        Base::Bits => "BITS",
        Base::IpAddress => "IpAddress",
        Base::NetworkAddress => "NetworkAddress",
        Base::Counter32 => "Counter32",
        Base::Gauge32 => "Gauge32",
        Base::Unsigned32 => "Unsigned32",
        Base::UInteger32 => "UInteger32",
        Base::TimeTicks => "TimeTicks",
        Base::Opaque => "Opaque",
        Base::Counter64 => "Counter64",
        Base::Null => "NULL",
        Base::None | Base::Sequence | Base::SequenceOf => "",
    }
}

fn bound(v: i64) -> String {
    match v {
        i64::MIN => "MIN".into(),
        i64::MAX => "MAX".into(),
        v => v.to_string(),
    }
}

/// snmptranslate -Td: the object's definition as Net-SNMP prints it.
pub fn details(tree: &Tree, id: snmpctl::mib::NodeId) -> String {
    use snmpctl::mib::Macro;
    use std::fmt::Write as _;
    let Some(n) = tree.node(id) else { return String::new() };
    let mut s = String::new();
    // Net-SNMP gives TRAP-TYPE to the `enterprise#` node it makes for a trap, and prints the
    // trap itself as an OBJECT-TYPE.
    let enterprise_zero = n.label.ends_with('#') && n.subid == 0;
    let kind = match n.kind {
        _ if enterprise_zero => "TRAP-TYPE",
        Macro::TrapType => "OBJECT-TYPE",
        Macro::ModuleIdentity => "MODULE-IDENTITY",
        Macro::ObjectIdentity => "OBJECT-IDENTITY",
        Macro::NotificationType => "NOTIFICATION-TYPE",
        Macro::ObjectGroup => "OBJECT-GROUP",
        Macro::NotificationGroup => "NOTIFICATION-GROUP",
        Macro::ModuleCompliance => "MODULE-COMPLIANCE",
        Macro::AgentCapabilities => "AGENT-CAPABILITIES",
        Macro::ObjectIdentifier | Macro::ObjectType => "OBJECT-TYPE",
    };
    let _ = writeln!(s, "{} {kind}", n.label);
    let modules: Vec<&str> = std::iter::once(n.module)
        .chain(n.also.iter().copied())
        .filter_map(|m| tree.module(m).map(|m| m.name.as_ref()))
        .collect();
    if !modules.is_empty() {
        let _ = writeln!(s, "  -- FROM\t{}", modules.join(", "));
    }
    if let Some(syntax) = n.syntax.as_ref().filter(|s| !base_name(s.base).is_empty()) {
        if let Some(t) = syntax.named.and_then(|t| tree.type_def(t)) {
            let _ = writeln!(s, "  -- TEXTUAL CONVENTION {}", t.name);
        }
        let _ = write!(s, "  SYNTAX\t{}", base_name(syntax.base));
        if !syntax.enums.is_empty() {
            let labels: Vec<String> = syntax.enums.iter().map(|(v, l)| format!("{l}({v})")).collect();
            let _ = write!(s, " {{{}}} ", labels.join(", "));
        } else {
            let ranges = if syntax.sizes.is_empty() { &syntax.ranges } else { &syntax.sizes };
            if !ranges.is_empty() {
                let parts: Vec<String> = ranges
                    .iter()
                    .map(|&(a, b)| if a == b { bound(a) } else { format!("{}..{}", bound(a), bound(b)) })
                    .collect();
                let _ = write!(s, " ({}) ", parts.join(" | "));
            }
        }
        s.push('\n');
        if let Some(hint) = &syntax.hint {
            let _ = writeln!(s, "  DISPLAY-HINT\t\"{hint}\"");
        }
    }
    if let Some(units) = &n.units {
        let _ = writeln!(s, "  UNITS\t\t\"{units}\"");
    }
    if matches!(n.kind, Macro::ObjectType) {
        if let Some(access) = &n.access {
            let _ = writeln!(s, "  MAX-ACCESS\t{access}");
        }
        if let Some(status) = &n.status {
            let _ = writeln!(s, "  STATUS\t{status}");
        }
    }
    let index = n.index_labels(tree);
    if !index.is_empty() {
        let names: Vec<String> = index
            .iter()
            .map(|&(label, implied)| if implied { format!("IMPLIED {label}") } else { label.to_string() })
            .collect();
        let _ = writeln!(s, "  INDEX\t\t{{ {} }}", names.join(", "));
    }
    if let Some(a) = n.augments.and_then(|a| tree.node(a)) {
        let _ = writeln!(s, "  AUGMENTS\t{{ {} }}", a.label);
    }
    if !(n.objects.is_empty() && n.objects_written.is_empty())
        && matches!(n.kind, Macro::NotificationType | Macro::TrapType)
    {
        let names = n.object_labels(tree);
        let _ = writeln!(s, "  OBJECTS\t{{ {} }}", names.join(", "));
    }
    if let Some(d) = n.description.as_ref().map(|d| d.text()) {
        // Net-SNMP keeps at most 4095 bytes of a quoted string.
        let mut end = d.len().min(4095);
        while !d.is_char_boundary(end) {
            end = end.saturating_sub(1);
        }
        let _ = writeln!(s, "  DESCRIPTION\t\"{}\"", d.get(..end).unwrap_or_default());
    }
    if let Some(d) = &n.defval {
        let _ = writeln!(s, "  DEFVAL\t{{ {d} }}");
    }
    let oid = tree.oid_of(id);
    let mut parts = Vec::new();
    let mut at = n.parent;
    while let Some(p) = at.and_then(|p| tree.node(p)) {
        parts.push(if p.is_anonymous() { p.subid.to_string() } else { format!("{}({})", p.label, p.subid) });
        at = p.parent;
    }
    parts.reverse();
    parts.push(oid.last().map_or(String::new(), u32::to_string));
    let _ = writeln!(s, "::= {{ {} }}", parts.join(" "));
    s
}

/// snmptranslate -Tp: the subtree under `id` drawn as a tree, each object with its access,
/// type, textual convention, enumerations and ranges.
pub fn drawing(tree: &Tree, id: snmpctl::mib::NodeId, width: usize) -> String {
    let mut d = Drawing { tree, width, out: String::new(), indent: String::from(" "), simple: true };
    d.node(id);
    d.out
}

/// The state of one drawing: the indentation of the current level (its last character is
/// the one that becomes `+` on the node's own line) and whether the last thing drawn was a
/// node with a type and no children, after which no spacer line is drawn.
struct Drawing<'a> {
    tree: &'a Tree,
    width: usize,
    out: String,
    indent: String,
    simple: bool,
}

/// What snmptranslate calls a node's type: an object with a simple SYNTAX, another macro
/// (notification, group, identity: drawn plain, but spaced as objects), or nothing.
#[derive(PartialEq, Eq)]
enum Shape<'a> {
    Object(&'a snmpctl::mib::Syntax),
    OtherMacro,
    Plain,
}

fn shape(n: &snmpctl::mib::Node) -> Shape<'_> {
    use snmpctl::mib::Macro;
    match (&n.syntax, n.kind) {
        (Some(syntax), _) if !base_name(syntax.base).is_empty() => Shape::Object(syntax),
        // Net-SNMP gives an SMIv1 trap no type of its own: spaced as a plain node.
        (_, Macro::ObjectIdentifier | Macro::ObjectType | Macro::TrapType) => Shape::Plain,
        _ => Shape::OtherMacro,
    }
}

impl Drawing<'_> {
    /// Items joined by ", ", wrapped where snmptranslate wraps them: an item that takes the
    /// line past `width` less the indentation and `reserve` starts a new line (Values: when
    /// it reaches that column; Index: when it passes it).
    fn wrapped(
        &mut self,
        items: impl Iterator<Item = String>,
        reserve: usize,
        wrap_at_column: bool,
        continuation: &str,
    ) {
        let max = i64::try_from(self.width)
            .unwrap_or(i64::MAX)
            .saturating_sub(i64::try_from(self.indent.len().saturating_add(reserve)).unwrap_or(i64::MAX));
        let mut pos: i64 = 0;
        for (i, item) in items.enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            let w = i64::try_from(item.len().saturating_add(2)).unwrap_or(i64::MAX);
            pos = pos.saturating_add(w);
            if pos > max || (wrap_at_column && pos == max) {
                self.out.push('\n');
                self.out.push_str(&self.indent);
                self.out.push_str(continuation);
                pos = w;
            }
            self.out.push_str(&item);
        }
        self.out.push('\n');
    }

    fn node(&mut self, id: snmpctl::mib::NodeId) {
        use std::fmt::Write as _;
        let Some(n) = self.tree.node(id) else { return };
        let tree = self.tree;
        let at = self.indent.len().saturating_sub(1);
        let head = self.indent.get(..at).unwrap_or_default().to_owned();
        let kind = shape(n);
        match &kind {
            Shape::Object(syntax) => {
                let access = match n.access.as_deref() {
                    Some("not-accessible") => "----",
                    Some("read-only") => "-R--",
                    Some("write-only") => "--W-",
                    Some("read-write") => "-RW-",
                    Some("accessible-for-notify") => "---N",
                    Some("read-create") => "CR--",
                    _ => "    ",
                };
                let _ = writeln!(
                    self.out,
                    "{head}+-- {access} {:<9} {}({})",
                    type_label(syntax),
                    n.label,
                    n.subid
                );
                if let Some(t) = syntax.named.and_then(|t| tree.type_def(t)) {
                    let _ = writeln!(self.out, "{}        Textual Convention: {}", self.indent, t.name);
                }
                if !syntax.enums.is_empty() {
                    let _ = write!(self.out, "{}        Values: ", self.indent);
                    let items: Vec<String> = syntax.enums.iter().map(|(v, l)| format!("{l}({v})")).collect();
                    self.wrapped(items.into_iter(), 16, true, "                ");
                }
                let string =
                    matches!(syntax.base, snmpctl::mib::Base::OctetString | snmpctl::mib::Base::Opaque);
                let ranges = if string { &syntax.sizes } else { &syntax.ranges };
                if !ranges.is_empty() {
                    let _ = write!(
                        self.out,
                        "{}        {}: ",
                        self.indent,
                        if string { "Size" } else { "Range" }
                    );
                    let printed = matches!(
                        syntax.base,
                        snmpctl::mib::Base::Integer
                            | snmpctl::mib::Base::Integer32
                            | snmpctl::mib::Base::Unsigned32
                            | snmpctl::mib::Base::UInteger32
                            | snmpctl::mib::Base::OctetString
                            | snmpctl::mib::Base::Gauge32
                    );
                    let parts: Vec<String> = ranges
                        .iter()
                        .map(|&(a, b)| match (printed, a == b) {
                            (false, _) => String::new(),
                            (true, true) => a.to_string(),
                            (true, false) => format!("{a}..{b}"),
                        })
                        .collect();
                    let _ = writeln!(self.out, "{}", parts.join(" | "));
                }
            }
            Shape::OtherMacro | Shape::Plain => {
                let _ = writeln!(self.out, "{head}+--{}({})", n.label, n.subid);
                let index = n.index_labels(tree);
                if !index.is_empty() {
                    let _ = write!(self.out, "{}  |  Index: ", self.indent);
                    let items: Vec<String> = index.iter().map(|&(label, _)| label.to_string()).collect();
                    self.wrapped(items.into_iter(), 12, false, "  |         ");
                }
            }
        }
        self.indent.push_str("  |");
        self.simple = kind != Shape::Plain;
        // Each child followed by its twins (other labels for its OID), drawn as leaves.
        let kids: Vec<snmpctl::mib::NodeId> = n
            .children
            .iter()
            .flat_map(|&c| {
                std::iter::once(c).chain(tree.node(c).map(|x| x.twins.clone()).unwrap_or_default())
            })
            .collect();
        let count = kids.len();
        for (i, &c) in kids.iter().enumerate() {
            let plain_child = tree.node(c).is_some_and(|x| shape(x) == Shape::Plain);
            if !self.simple || plain_child {
                let _ = writeln!(self.out, "{}", self.indent);
            }
            if i.saturating_add(1) == count {
                self.indent.pop();
                self.indent.push(' ');
            }
            self.node(c);
        }
        if count > 0 {
            self.simple = false;
        }
        self.indent.truncate(at.saturating_add(1));
    }
}

/// snmptranslate -Tp's name for an object's type.
fn type_label(syntax: &snmpctl::mib::Syntax) -> &'static str {
    use snmpctl::mib::Base;
    match syntax.base {
        Base::ObjectId => "ObjID",
        Base::OctetString => "String",
        Base::Integer if !syntax.enums.is_empty() => "EnumVal",
        Base::Integer => "INTEGER",
        Base::NetworkAddress => "NetAddr",
        Base::IpAddress => "IpAddr",
        Base::Counter32 => "Counter",
        Base::Gauge32 => "Gauge",
        Base::TimeTicks => "TimeTicks",
        Base::Opaque => "Opaque",
        Base::Null => "Null",
        Base::Counter64 => "Counter64",
        Base::Bits => "BitString",
        Base::Unsigned32 => "Unsigned",
        Base::UInteger32 => "UInteger",
        Base::Integer32 => "Integer32",
        Base::None | Base::Sequence | Base::SequenceOf => "",
    }
}

/// Runs `snmpctl translate`.
pub fn run_translate(args: &TranslateArgs) -> anyhow::Result<std::process::ExitCode> {
    use snmpctl::format::output::{MibRef, OutputOptions, write_oid};
    use std::io::Write as _;
    let Some(tree) = args.mib.load() else {
        anyhow::bail!("translate needs MIBs: -m \"\" loads none");
    };
    let mut options = OutputOptions::parse(&args.output.concat())
        .map_err(|c| anyhow::anyhow!("-O {c}: not an output option"))?;
    options.mib = Some(MibRef(tree));
    let details_wanted = args.translate.contains('d');
    let tree_wanted = args.translate.contains('p');
    let mut out = String::new();
    let mut failed = false;
    if args.names.is_empty() {
        if !tree_wanted {
            anyhow::bail!("translate needs names or OIDs (only -Tp draws the whole tree without one)");
        }
        if let Some((id, _)) = tree.find(&[1]) {
            out.push_str(&drawing(tree, id, args.width));
        }
    }
    for name in &args.names {
        let oid = match super::get::parse_oid(name) {
            Ok(o) => o,
            Err(e) => {
                eprintln!("{e}");
                failed = true;
                continue;
            }
        };
        if tree_wanted {
            if let Some((id, _)) = tree.find(oid.arcs()) {
                out.push_str(&drawing(tree, id, args.width));
            }
            continue;
        }
        write_oid(&mut out, &oid, &options);
        out.push('\n');
        if details_wanted && let Some((id, _)) = tree.find(oid.arcs()) {
            out.push_str(&details(tree, id));
        }
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(std::process::ExitCode::from(if failed { super::EXIT_FAILURE } else { super::EXIT_OK }))
}
