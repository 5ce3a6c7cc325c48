//! snmp_exporter's generator on snmpctl's own MIB compiler: `generator.yml` in, `snmp.yml` out,
//! with no Net-SNMP and no cgo.
//!
//! It follows the rules of snmp_exporter's generator, so that the same `generator.yml` over the
//! same MIB files gives the same `snmp.yml` (as YAML data):
//! - every object under a walked subtree whose type it can map becomes a metric, named after
//!   its label, helped by its DESCRIPTION's first sentence and its OID;
//! - integers are gauges, Counter32/Counter64 counters; OCTET STRINGs with a `…a`/`…t` hint
//!   or the DisplayString convention are DisplayString, with `1x:` PhysAddress48; Float,
//!   Double, DateAndTime, InetAddress* and LldpPortId conventions keep their names; OBJECT
//!   IDENTIFIERs are OctetString, BITS Bits, IpAddress InetAddressIPv4;
//! - a walked name or OID that is a scalar is a Get of `.0`, a table instance a Get of it;
//! - indexes come from the row's INDEX (or the row it AUGMENTS); an InetAddressType index
//!   before an InetAddress one merges into it;
//! - `lookups` add a label read from another column for metrics that have all the source
//!   indexes, and walk it; `drop_source_indexes` deletes the source labels;
//! - `overrides` change a type, drop a metric (`ignore`) or add `regex_extracts`.

use super::config::{Auth, Filters, MetricType, RegexExtract, parse_go_duration};
use super::config::{Index, Lookup, Metric};
use crate::mib::tree::{Base, Node, NodeId, Tree};
use crate::value::Oid;
use serde::Deserialize;
use serde_yaml_ng::{Mapping, Value as Yaml};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Why a generator.yml could not be turned into a snmp.yml.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct GenerateError(pub String);

/// What the generator says besides its result (a metric left out, a type it cannot map).
pub type Warnings = Vec<String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    auths: Option<BTreeMap<String, Auth>>,
    #[serde(default)]
    modules: BTreeMap<String, ModuleConfig>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModuleConfig {
    #[serde(default)]
    walk: Vec<Scalar>,
    #[serde(default)]
    lookups: Vec<LookupConfig>,
    #[serde(default)]
    overrides: BTreeMap<String, Override>,
    // 0.21: the walk parameters and auth are the module's.
    version: Option<i64>,
    max_repetitions: Option<u32>,
    retries: Option<u32>,
    timeout: Option<Scalar>,
    auth: Option<serde_yaml_ng::Value>,
    // 0.23+.
    #[serde(default)]
    allow_nonincreasing_oids: bool,
    #[serde(default)]
    use_unconnected_udp_socket: bool,
    #[serde(default)]
    filters: Option<Filters>,
}

/// A scalar that YAML may read as a number (`1.3.6.1.2.1.2`).
#[derive(Debug, Clone)]
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Int(i64),
            Float(f64),
        }
        Ok(Scalar(match Raw::deserialize(d)? {
            Raw::Text(t) => t,
            Raw::Int(n) => n.to_string(),
            Raw::Float(f) => f.to_string(),
        }))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LookupConfig {
    source_indexes: Vec<String>,
    lookup: Scalar,
    #[serde(default)]
    drop_source_indexes: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Override {
    #[serde(default)]
    ignore: bool,
    #[serde(default)]
    regex_extracts: BTreeMap<String, Vec<RegexExtract>>,
    #[serde(rename = "type")]
    kind: Option<MetricType>,
    #[serde(default)]
    offset: f64,
    #[serde(default)]
    scale: f64,
    #[serde(default, alias = "date_time_pattern")]
    datetime_pattern: String,
    #[serde(default)]
    help: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// The mapped type of a node, snmp_exporter's names; `None` where it has none.
fn node_type(tree: &Tree, node: &Node) -> Option<&'static str> {
    let syntax = node.syntax.as_ref()?;
    let tc = syntax.named.and_then(|t| tree.type_def(t)).map(|t| t.name.as_ref());
    let mut t = match syntax.base {
        Base::Integer
        | Base::Integer32
        | Base::Gauge32
        | Base::Unsigned32
        | Base::UInteger32
        | Base::TimeTicks => "gauge",
        Base::Counter32 | Base::Counter64 => "counter",
        Base::OctetString => "OctetString",
        Base::ObjectId => "OctetString",
        Base::Bits => "Bits",
        Base::IpAddress | Base::NetworkAddress => "InetAddressIPv4",
        Base::Opaque => "",
        _ => return None,
    };
    if let Some(hint) = syntax.hint.as_deref() {
        if hint == "1x:" {
            t = "PhysAddress48";
        }
        let digits = hint.trim_end_matches(['a', 't']);
        if hint.len() == digits.len().saturating_add(1)
            && !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
        {
            t = "DisplayString";
        }
    }
    match tc {
        Some("DisplayString") => t = "DisplayString",
        Some("PhysAddress") => t = "PhysAddress48",
        Some("Float") => t = "Float",
        Some("Double") => t = "Double",
        Some("DateAndTime") => t = "DateAndTime",
        Some("InetAddressIPv4") => t = "InetAddressIPv4",
        Some("InetAddressIPv6") => t = "InetAddressIPv6",
        Some("InetAddress") => t = "InetAddress",
        Some("LldpPortId") => t = "LldpPortId",
        _ => {}
    }
    (!t.is_empty()).then_some(t)
}

fn metric_type(name: &str) -> Option<MetricType> {
    serde_yaml_ng::from_str::<MetricType>(name).ok()
}

fn accessible(node: &Node) -> bool {
    matches!(node.access.as_deref(), Some("read-only" | "read-write" | "read-create" | "not-accessible"))
}

fn tc_name<'t>(tree: &'t Tree, node: &'t Node) -> Option<&'t str> {
    let named = node.syntax.as_ref()?.named?;
    tree.type_def(named).map(|t| t.name.as_ref())
}

fn sanitize(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect()
}

fn oid_text(arcs: &[u32]) -> String {
    arcs.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
}

/// The first sentence of a description, whitespace collapsed.
fn first_sentence(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match collapsed.split_once(". ") {
        Some((first, _)) => first.to_owned(),
        None => collapsed,
    }
}

/// The generator's view of the tree: types (after overrides), indexes, names.
struct View<'t> {
    tree: &'t Tree,
    types: BTreeMap<NodeId, &'static str>,
    /// Label to node, the last in tree order winning (the generator's name map over
    /// Net-SNMP's tree).
    names: std::collections::HashMap<&'t str, NodeId>,
}

/// Every label of `tree`, the last node in tree order winning.
fn name_map(tree: &Tree) -> std::collections::HashMap<&str, NodeId> {
    let mut names = std::collections::HashMap::new();
    let mut stack: Vec<NodeId> = tree.roots.iter().rev().copied().collect();
    while let Some(id) = stack.pop() {
        let Some(n) = tree.node(id) else { continue };
        names.insert(n.label.as_ref(), id);
        for &c in n.children.iter().rev() {
            stack.push(c);
        }
    }
    names
}

impl<'t> View<'t> {
    fn kind(&self, id: NodeId) -> Option<&'static str> {
        if let Some(t) = self.types.get(&id) {
            return Some(t);
        }
        node_type(self.tree, self.tree.node(id)?)
    }

    /// A name or an OID to its node: names as Net-SNMP looks up a bare label, OIDs exactly.
    fn lookup(&self, text: &str) -> Option<NodeId> {
        if let Ok(oid) = text.parse::<Oid>() {
            let (id, depth) = self.tree.find(oid.arcs())?;
            return (depth == oid.len()).then_some(id);
        }
        let name = text.rsplit("::").next().unwrap_or(text);
        self.names.get(name).copied()
    }

    /// The INDEX of a column's row (or of the row it AUGMENTS), by name as the module writes
    /// it: `None` for a name that no module defines (the column is left out, as snmp_exporter
    /// leaves it out), `INTEGER` standing for the row itself (LANOPTICS-HUB-MIB).
    fn indexes(&self, id: NodeId) -> Vec<(Option<NodeId>, String, bool)> {
        let Some(node) = self.tree.node(id) else { return Vec::new() };
        let row = |n: &'t Node| -> Vec<(Option<NodeId>, String, bool)> {
            // AUGMENTS by name, as the generator resolves it (the last row of that label).
            let augmented = n
                .augments
                .and_then(|a| self.tree.node(a))
                .and_then(|a| self.names.get(a.label.as_ref()))
                .and_then(|&a| self.tree.node(a));
            let source = match augmented {
                Some(aug) if n.index.is_empty() && n.index_written.is_empty() => aug,
                _ => n,
            };
            let labels = source.index_labels(self.tree);
            // Labels as the module writes them (Net-SNMP keeps INDEX names as written); the
            // nodes as they resolved when every object did, by label otherwise.
            let resolved = source.index.len() == labels.len();
            labels
                .into_iter()
                .enumerate()
                .map(|(i, (label, implied))| {
                    let label = if label == "INTEGER" { n.label.as_ref() } else { label };
                    let id = match source.index.get(i) {
                        Some(&(id, _)) if resolved => Some(id),
                        _ => self.names.get(label).copied(),
                    };
                    (id, label.to_owned(), implied)
                })
                .collect()
        };
        let own = row(node);
        if !own.is_empty() {
            return own;
        }
        node.parent.and_then(|p| self.tree.node(p)).map(row).unwrap_or_default()
    }

    /// `id` and everything under it, in tree order; a node's twins (the same OID under
    /// other modules' labels, which Net-SNMP keeps side by side) right after its subtree.
    fn pre_order(&self, id: NodeId, out: &mut Vec<NodeId>) {
        out.push(id);
        if let Some(n) = self.tree.node(id) {
            for &c in &n.children {
                self.pre_order(c, out);
                if let Some(child) = self.tree.node(c) {
                    out.extend(child.twins.iter().copied());
                }
            }
        }
    }
}

/// Generates from `text` (a generator.yml; `path` names it in errors) over `tree`: the
/// snmp.yml text and the warnings.
///
/// # Errors
/// A generator.yml that does not parse, a name that the MIBs do not define.
pub fn generate(path: &Path, text: &str, tree: &Tree) -> Result<(String, Warnings), GenerateError> {
    let file: File = serde_yaml_ng::from_str(text).map_err(|e| {
        let at = e.location().map(|l| format!(":{}:{}", l.line(), l.column())).unwrap_or_default();
        let mut message = e.to_string();
        if let Some(cut) = message.rfind(" at line ") {
            message.truncate(cut);
        }
        GenerateError(format!("{}{at}: {message}", path.display()))
    })?;
    let mut warnings = Vec::new();
    let mut modules = Mapping::new();
    for (name, module) in &file.modules {
        let out = module_yaml(name, module, tree, &mut warnings)?;
        modules.insert(Yaml::String(name.clone()), out);
    }
    let doc = match &file.auths {
        Some(auths) => {
            let mut top = Mapping::new();
            let auths = serde_yaml_ng::to_value(auths).map_err(|e| GenerateError(e.to_string()))?;
            top.insert("auths".into(), reveal(auths, &file));
            top.insert("modules".into(), Yaml::Mapping(modules));
            Yaml::Mapping(top)
        }
        None => Yaml::Mapping(modules),
    };
    let body = yaml11_safe(&serde_yaml_ng::to_string(&doc).map_err(|e| GenerateError(e.to_string()))?);
    Ok((
        format!(
            "# WARNING: This file was auto-generated using snmpctl exporter generate, manual changes will be lost.\n{body}"
        ),
        warnings,
    ))
}

/// Quotes the strings that YAML 1.1 readers (snmp_exporter's go-yaml v2, PyYAML) take for
/// booleans: serde_yaml writes YAML 1.2, where an enum label `off` or `yes` is a plain string.
/// Every scalar of the output sits on its own line (no folding), so a line-level rewrite of
/// a bare value is exact; real booleans are written `true`/`false`, which are left alone.
fn yaml11_safe(text: &str) -> String {
    const WORDS: [&str; 20] = [
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "True", "TRUE", "False", "FALSE", "on",
        "On", "ON", "off", "Off", "OFF",
    ];
    let mut out = String::with_capacity(text.len().saturating_add(64));
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let value_at = body.rfind(": ").map(|i| i.saturating_add(2)).or_else(|| {
            let t = body.trim_start();
            t.starts_with("- ").then(|| body.len().saturating_sub(t.len()).saturating_add(2))
        });
        match value_at.and_then(|i| Some((body.get(..i)?, body.get(i..)?))) {
            Some((head, value)) if WORDS.contains(&value) => {
                out.push_str(head);
                out.push('\'');
                out.push_str(value);
                out.push('\'');
                out.push_str(line.get(body.len()..).unwrap_or_default());
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// Puts the secrets back in (serializing an [`Auth`] hides them, as `/config` must; the
/// generator's output needs them).
fn reveal(mut auths: Yaml, file: &File) -> Yaml {
    if let (Some(map), Some(given)) = (auths.as_mapping_mut(), file.auths.as_ref()) {
        for (name, auth) in given {
            let Some(Yaml::Mapping(a)) = map.get_mut(name.as_str()) else { continue };
            for (key, secret) in [
                ("community", &auth.community),
                ("password", &auth.password),
                ("priv_password", &auth.priv_password),
            ] {
                if a.contains_key(key) {
                    a.insert(key.into(), Yaml::String(secret.expose().to_owned()));
                }
            }
        }
    }
    auths
}

fn module_yaml(
    name: &str,
    cfg: &ModuleConfig,
    tree: &Tree,
    warnings: &mut Warnings,
) -> Result<Yaml, GenerateError> {
    let err = |m: String| GenerateError(format!("module {name}: {m}"));
    let mut view = View { tree, types: BTreeMap::new(), names: name_map(tree) };
    for (target, o) in &cfg.overrides {
        let Some(kind) = o.kind else { continue };
        match view.lookup(target) {
            Some(id) => {
                view.types.insert(id, kind.name());
            }
            None => {
                warnings.push(format!("module {name}: could not find node {target} to override its type"))
            }
        }
    }
    let mut need: BTreeSet<String> = BTreeSet::new();
    let mut instances: BTreeMap<String, Vec<String>> = BTreeMap::new();

    // The walk list, names resolved, subtrees inside others dropped.
    let mut to_walk: Vec<String> = cfg
        .walk
        .iter()
        .map(|w| match view.lookup(&w.0) {
            Some(id) => oid_text(&tree.oid_of(id)),
            None => w.0.trim_start_matches('.').to_owned(),
        })
        .collect();
    to_walk = minimize(to_walk);
    let mut roots: Vec<(String, NodeId)> = Vec::new();
    for oid in &to_walk {
        let exact = view.lookup(oid);
        match exact {
            Some(id) => {
                let n = tree.node(id).ok_or_else(|| err(format!("cannot find oid '{oid}' to walk")))?;
                let metric = view.kind(id).and_then(metric_type).is_some() && accessible(n);
                if metric && view.indexes(id).is_empty() && !is_row_or_table(n) {
                    need.insert(format!("{oid}.0."));
                } else {
                    need.insert(oid.clone());
                }
                roots.push((oid_text(&tree.oid_of(id)), id));
            }
            None => {
                // An instance of a column: the longest match must be a column with indexes.
                let arcs: Vec<u32> = oid
                    .split('.')
                    .map(|a| a.parse().map_err(|_| err(format!("cannot find oid '{oid}' to walk"))))
                    .collect::<Result<_, _>>()?;
                let (id, _) =
                    tree.find(&arcs).ok_or_else(|| err(format!("cannot find oid '{oid}' to walk")))?;
                let n = tree.node(id).ok_or_else(|| err(format!("cannot find oid '{oid}' to walk")))?;
                let metric = view.kind(id).and_then(metric_type).is_some() && accessible(n);
                if !metric || view.indexes(id).is_empty() {
                    return Err(err(format!("cannot find oid '{oid}' to walk")));
                }
                let base = oid_text(&tree.oid_of(id));
                need.insert(format!("{oid}."));
                instances
                    .entry(base.clone())
                    .or_default()
                    .push(oid.get(base.len()..).unwrap_or_default().to_owned());
                roots.push((base, id));
            }
        }
    }
    roots.sort_by(|a, b| a.0.cmp(&b.0));
    roots.dedup_by(|a, b| a.1 == b.1);

    let mut metrics: Vec<Metric> = Vec::new();
    for (_, root) in &roots {
        let mut order = Vec::new();
        view.pre_order(*root, &mut order);
        for id in order {
            let Some(n) = tree.node(id) else { continue };
            let Some(kind) = view.kind(id).and_then(metric_type) else { continue };
            if !accessible(n) {
                continue;
            }
            let oid = oid_text(&tree.oid_of(id));
            let label = sanitize(&n.label);
            if cfg.overrides.get(&label).is_some_and(|o| o.ignore) {
                continue;
            }
            let description = n.description.as_ref().map(|d| first_sentence(&d.text())).unwrap_or_default();
            let mut metric = Metric {
                name: label,
                oid: oid.parse().map_err(|_| err(format!("bad OID {oid}")))?,
                kind,
                help: format!("{description} - {oid}"),
                indexes: Vec::new(),
                lookups: Vec::new(),
                regex_extracts: BTreeMap::new(),
                date_time_pattern: String::new(),
                enum_values: n
                    .syntax
                    .as_ref()
                    .map(|s| s.enums.iter().map(|(k, v)| (*k, v.to_string())).collect())
                    .unwrap_or_default(),
                offset: 0.0,
                scale: 0.0,
            };
            let mut prev_tc: Option<String> = None;
            let indexes = view.indexes(id);
            let count = indexes.len();
            let mut usable = true;
            for (i, (index_id, written, implied)) in indexes.iter().enumerate() {
                let Some((index_id, index_node)) = index_id.and_then(|x| Some((x, tree.node(x)?))) else {
                    warnings.push(format!("module {name}: could not find an index of node {}", n.label));
                    usable = false;
                    break;
                };
                let index_id = &index_id;
                let Some(index_kind) = view.kind(*index_id).and_then(metric_type) else {
                    warnings.push(format!(
                        "module {name}: can't handle index type on node {}: index {}",
                        n.label, index_node.label
                    ));
                    usable = false;
                    break;
                };
                let fixed_size = fixed_size(tree, index_node);
                let index = Index {
                    labelname: written.clone(),
                    kind: index_kind,
                    fixed_size,
                    implied: *implied && i.saturating_add(1) == count,
                    enum_values: index_node
                        .syntax
                        .as_ref()
                        .map(|s| s.enums.iter().map(|(k, v)| (*k, v.to_string())).collect())
                        .unwrap_or_default(),
                };
                let subtype = match index_kind {
                    MetricType::InetAddress | MetricType::InetAddressMissingSize => Some("InetAddressType"),
                    MetricType::LldpPortId => Some("LldpPortIdSubtype"),
                    _ => None,
                };
                if let Some(subtype) = subtype {
                    if prev_tc.as_deref() == Some(subtype) {
                        metric.indexes.pop();
                    } else {
                        warnings.push(format!(
                            "module {name}: can't handle index type on node {}, missing preceding {subtype}",
                            n.label
                        ));
                        usable = false;
                        break;
                    }
                }
                prev_tc = tc_name(tree, index_node).map(str::to_owned);
                metric.indexes.push(index);
            }
            if usable {
                metrics.push(metric);
            }
        }
    }

    // Lookups.
    for metric in &mut metrics {
        let mut drop: Vec<String> = Vec::new();
        for lookup in &cfg.lookups {
            let have: Vec<&str> = metric
                .indexes
                .iter()
                .map(|i| i.labelname.as_str())
                .chain(metric.lookups.iter().map(|l| l.labelname.as_str()))
                .collect();
            let found = lookup.source_indexes.iter().filter(|s| have.contains(&s.as_str())).count();
            if found != lookup.source_indexes.len() {
                continue;
            }
            let id = view
                .lookup(&lookup.lookup.0)
                .ok_or_else(|| err(format!("unknown index '{}'", lookup.lookup.0)))?;
            let n = tree.node(id).ok_or_else(|| err(format!("unknown index '{}'", lookup.lookup.0)))?;
            let kind = view
                .kind(id)
                .and_then(metric_type)
                .ok_or_else(|| err(format!("unknown index type for {}", lookup.lookup.0)))?;
            let oid = oid_text(&tree.oid_of(id));
            metric.lookups.push(Lookup {
                labels: lookup.source_indexes.iter().map(|s| sanitize(s)).collect(),
                labelname: sanitize(&n.label),
                oid: oid.parse().ok(),
                kind: Some(kind),
                enum_values: BTreeMap::new(),
            });
            need_object(&mut need, &instances, &metric.oid, oid);
            if lookup.drop_source_indexes {
                drop.extend(lookup.source_indexes.iter().cloned());
            }
        }
        for l in drop {
            metric.lookups.push(Lookup {
                labels: Vec::new(),
                labelname: sanitize(&l),
                oid: None,
                kind: None,
                enum_values: BTreeMap::new(),
            });
        }
    }
    for metric in &mut metrics {
        for index in &mut metric.indexes {
            index.labelname = sanitize(&index.labelname);
        }
    }

    // An InetAddress needs the InetAddressType before it.
    for metric in &mut metrics {
        if !matches!(metric.kind, MetricType::InetAddress | MetricType::InetAddressMissingSize) {
            continue;
        }
        let arcs = metric.oid.arcs();
        let prev = arcs.split_last().and_then(|(last, head)| {
            let mut v = head.to_vec();
            v.push(last.checked_sub(1)?);
            Some(v)
        });
        let prev_node =
            prev.as_ref().and_then(|p| tree.find(p).filter(|(_, d)| *d == p.len())).map(|(id, _)| id);
        let is_type = prev_node
            .and_then(|id| tree.node(id))
            .is_some_and(|n| tc_name(tree, n) == Some("InetAddressType"));
        match (is_type, prev) {
            (true, Some(p)) => need_object(&mut need, &instances, &metric.oid, oid_text(&p)),
            _ => metric.kind = MetricType::OctetString,
        }
    }

    // Overrides that add to metrics.
    for (target, o) in &cfg.overrides {
        for metric in &mut metrics {
            if *target == metric.name || *target == metric.oid.to_string() {
                metric.regex_extracts.clone_from(&o.regex_extracts);
                metric.offset = o.offset;
                metric.scale = o.scale;
                metric.date_time_pattern.clone_from(&o.datetime_pattern);
                if let Some(h) = &o.help {
                    metric.help.clone_from(h);
                }
                if let Some(n) = &o.name {
                    metric.name.clone_from(n);
                }
            }
        }
    }

    let (mut walk, mut get) = (Vec::new(), Vec::new());
    for k in minimize(need.into_iter().collect()) {
        match k.strip_suffix('.') {
            Some(g) => get.push(Yaml::String(g.to_owned())),
            None => walk.push(Yaml::String(k)),
        }
    }
    let mut out = Mapping::new();
    if !walk.is_empty() {
        out.insert("walk".into(), Yaml::Sequence(walk));
    }
    if !get.is_empty() {
        out.insert("get".into(), Yaml::Sequence(get));
    }
    out.insert("metrics".into(), serde_yaml_ng::to_value(&metrics).map_err(|e| err(e.to_string()))?);
    if let Some(v) = cfg.version {
        out.insert("version".into(), Yaml::Number(v.into()));
    }
    if let Some(n) = cfg.max_repetitions {
        out.insert("max_repetitions".into(), Yaml::Number(n.into()));
    }
    if let Some(n) = cfg.retries {
        out.insert("retries".into(), Yaml::Number(n.into()));
    }
    if let Some(t) = &cfg.timeout {
        let d = parse_go_duration(&t.0).ok_or_else(|| err(format!("timeout {:?} is not a duration", t.0)))?;
        out.insert("timeout".into(), Yaml::String(go_duration_text(d)));
    }
    if let Some(auth) = &cfg.auth {
        // As given: the exporter fills in the defaults when it loads the file.
        out.insert("auth".into(), auth.clone());
    }
    if cfg.allow_nonincreasing_oids {
        out.insert("allow_nonincreasing_oids".into(), true.into());
    }
    if cfg.use_unconnected_udp_socket {
        out.insert("use_unconnected_udp_socket".into(), true.into());
    }
    if let Some(f) = &cfg.filters {
        out.insert("filters".into(), serde_yaml_ng::to_value(f).map_err(|e| err(e.to_string()))?);
    }
    Ok(Yaml::Mapping(out))
}

/// Fetches `object` for `metric`: a walk of it, or, where the module gets only some
/// instances of the metric, a Get of the same instances of `object`.
fn need_object(
    need: &mut BTreeSet<String>,
    instances: &BTreeMap<String, Vec<String>>,
    metric: &Oid,
    object: String,
) {
    match instances.get(&metric.to_string()) {
        Some(list) => {
            for index in list {
                need.insert(format!("{object}{index}."));
            }
        }
        None => {
            need.insert(object);
        }
    }
}

fn is_row_or_table(n: &Node) -> bool {
    n.syntax.as_ref().is_some_and(|s| matches!(s.base, Base::Sequence | Base::SequenceOf))
}

/// A string index whose textual convention allows one size (`MacAddress`, `SIZE (6)`): its
/// arcs carry no length. As snmp_exporter's generator reads it from Net-SNMP, the size comes
/// from the convention only: `OCTET STRING (SIZE (6))` written on the object itself is not
/// taken as fixed.
fn fixed_size(tree: &Tree, n: &Node) -> usize {
    let Some(tc) = n.syntax.as_ref().and_then(|s| s.named).and_then(|t| tree.type_def(t)) else { return 0 };
    if !matches!(tc.syntax.base, Base::OctetString) {
        return 0;
    }
    match tc.syntax.sizes.as_slice() {
        [(lo, hi)] if lo == hi => usize::try_from(*lo).unwrap_or(0),
        _ => 0,
    }
}

/// Go's `time.Duration.String()`: `5s`, `1m30s`, `500ms`.
fn go_duration_text(d: std::time::Duration) -> String {
    let total = d.as_nanos();
    if total == 0 {
        return "0s".into();
    }
    if total < 1_000_000_000 {
        return match total {
            t if t % 1_000_000 == 0 => format!("{}ms", t / 1_000_000),
            t if t % 1_000 == 0 => format!("{}µs", t / 1_000),
            t => format!("{t}ns"),
        };
    }
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    let nanos = d.subsec_nanos();
    let mut sec = s.to_string();
    if nanos > 0 {
        let frac = format!("{nanos:09}");
        sec = format!("{s}.{}", frac.trim_end_matches('0'));
    }
    match (h, m) {
        (0, 0) => format!("{sec}s"),
        (0, m) => format!("{m}m{sec}s"),
        (h, m) => format!("{h}h{m}m{sec}s"),
    }
}

/// Sorts OIDs as text and drops those under another (a trailing `.` marks a Get).
fn minimize(mut oids: Vec<String>) -> Vec<String> {
    oids.sort();
    let mut prev = String::new();
    let mut out = Vec::new();
    for oid in oids {
        if prev.is_empty() || !format!("{oid}.").starts_with(&prev) {
            prev = format!("{oid}.");
            out.push(oid);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_mib_from_the_shipped_mibs() {
        let text = "modules:\n  if_mib:\n    walk: [sysUpTime, interfaces, ifXTable]\n    lookups:\n    - source_indexes: [ifIndex]\n      lookup: ifAlias\n    - source_indexes: [ifIndex]\n      lookup: 1.3.6.1.2.1.2.2.1.2\n    overrides:\n      ifAlias: {ignore: true}\n      ifDescr: {ignore: true}\n      ifType: {type: EnumAsInfo}\n";
        let (yml, warnings) = generate(Path::new("generator.yml"), text, crate::mib::shipped()).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let (config, format) = super::super::config::Config::parse(Path::new("snmp.yml"), &yml).unwrap();
        assert_eq!(format, super::super::config::Format::Modules);
        let m = &config.modules["if_mib"];
        let walks: Vec<String> = m.walk.iter().map(ToString::to_string).collect();
        assert_eq!(walks, ["1.3.6.1.2.1.2", "1.3.6.1.2.1.31.1.1"]);
        assert_eq!(m.get.iter().map(ToString::to_string).collect::<Vec<_>>(), ["1.3.6.1.2.1.1.3.0"]);
        let names: Vec<&str> = m.metrics.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names.first(), Some(&"sysUpTime"));
        assert!(!names.contains(&"ifAlias") && !names.contains(&"ifDescr") && names.contains(&"ifName"));
        let mtu = m.metrics.iter().find(|x| x.name == "ifMtu").unwrap();
        assert_eq!(
            mtu.help,
            "The size of the largest packet which can be sent/received on the interface, specified in octets - 1.3.6.1.2.1.2.2.1.4"
        );
        assert_eq!(
            mtu.lookups.iter().map(|l| l.labelname.as_str()).collect::<Vec<_>>(),
            ["ifAlias", "ifDescr"]
        );
        let if_type = m.metrics.iter().find(|x| x.name == "ifType").unwrap();
        assert_eq!(if_type.kind, MetricType::EnumAsInfo);
        assert_eq!(if_type.enum_values.get(&6).map(String::as_str), Some("ethernetCsmacd"));
        assert_eq!(
            m.metrics.iter().find(|x| x.name == "ifPhysAddress").unwrap().kind,
            MetricType::PhysAddress48
        );
        assert_eq!(m.metrics.iter().find(|x| x.name == "ifName").unwrap().kind, MetricType::DisplayString);
    }

    #[test]
    fn yaml_1_1_booleans_are_quoted() {
        let text =
            "a:\n  3: off\n  4: offline\n  implied: true\n  list:\n  - yes\n  - 'no'\n  help: says no\n";
        assert_eq!(
            yaml11_safe(text),
            "a:\n  3: 'off'\n  4: offline\n  implied: true\n  list:\n  - 'yes'\n  - 'no'\n  help: says no\n"
        );
    }

    #[test]
    fn durations_and_minimizing() {
        assert_eq!(go_duration_text(std::time::Duration::from_secs(5)), "5s");
        assert_eq!(go_duration_text(std::time::Duration::from_secs(90)), "1m30s");
        assert_eq!(go_duration_text(std::time::Duration::from_millis(500)), "500ms");
        assert_eq!(go_duration_text(std::time::Duration::from_secs(3600)), "1h0m0s");
        assert_eq!(
            minimize(vec![
                "1.3.6.1.2.1.2".into(),
                "1.3.6.1.2.1.2.2.1.2".into(),
                "1.3.6.1.2.1.20".into(),
                "1.3.6.1.2.1.1.3.0.".into()
            ]),
            ["1.3.6.1.2.1.1.3.0.", "1.3.6.1.2.1.2", "1.3.6.1.2.1.20"]
        );
    }
}
