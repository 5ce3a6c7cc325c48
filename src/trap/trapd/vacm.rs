//! RFC 3415's View-based Access Control, as snmptrapd applies it to the notifications it
//! receives: `com2sec` and `com2sec6` map a community and its sender to a security name (and a
//! context), `group` puts a security name in a group, access entries give a group one view for
//! each kind of processing (log, execute, net), and `view` lines say which snmpTrapOIDs a view
//! holds.
//!
//! `authCommunity`, `authUser` and `authGroup` are shorthands that Net-SNMP 5.9 turns into
//! entries of those same tables; they are turned into the same entries here, with the same
//! names (`comm1`, `grpcomm1`, `viewComm1`, `grpUSER`, `viewUSM2`, …). So what a file grants
//! is what snmptrapd grants, with the consequences that RFC 3415 and Net-SNMP's tables give:
//!
//! - a community message gets the security name of the **first** `com2sec` entry that matches
//!   its community and sender, so a second `authCommunity` line for the same community and
//!   sender adds nothing;
//! - of the access entries for a group, the one RFC 3415 § 4 prefers is used (its own security
//!   model over `any`, an exact context over a prefix, the longer prefix, the higher level);
//! - `setAccess`, `authAccess`, `authUser` and `authGroup` add their views to the access entry
//!   that would be chosen for their model and level when there is one, as Net-SNMP's parsers
//!   do, so that `authUser execute ops priv` after `authUser log ops` also lets ops execute at
//!   authNoPriv.
//!
//! ```
//! use snmpctl::trap::trapd::TrapdConfig;
//! use snmpctl::usm::SecurityLevel;
//! let text = "com2sec -Cn lab labnet 10.0.0.0/8 public\n\
//!             group operators v2c labnet\n\
//!             group operators usm ops\n\
//!             view linkEvents included .1.3.6.1.6.3.1.1.5\n\
//!             authAccess log,execute operators -s v2c linkEvents noauth lab\n\
//!             authAccess log operators linkEvents priv\n";
//! let config = TrapdConfig::parse(text, "snmptrapd.conf", &|o| o.trim_start_matches('.').parse().map_err(|e| format!("{e}")));
//! assert!(config.ignored.is_empty(), "{:?}", config.ignored);
//! let link_down = "1.3.6.1.6.3.1.1.5.3".parse()?;
//! let v2c = snmpctl::msg::Version::V2c;
//! let p = config.permitted_community(v2c, b"public", "10.1.2.3:1024".parse().unwrap(), Some(&link_down));
//! assert!(p.log && p.execute && !p.net);
//! assert!(!config.permitted_community(v2c, b"public", "192.0.2.1:1024".parse().unwrap(), Some(&link_down)).log);
//! assert!(config.permitted_user(b"ops", SecurityLevel::AuthPriv, b"", Some(&link_down)).log);
//! assert!(!config.permitted_user(b"ops", SecurityLevel::AuthNoPriv, b"", Some(&link_down)).log);
//! # Ok::<(), snmpctl::value::OidError>(())
//! ```

use super::{Permitted, Source};
use crate::usm::SecurityLevel;
use crate::value::Oid;
use std::net::IpAddr;

/// A security model, as VACM numbers them (RFC 3411): the order is the tables' order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SecurityModel {
    /// `any`: every model.
    Any,
    /// SNMPv1 communities.
    V1,
    /// SNMPv2c communities.
    V2c,
    /// SNMPv3's User-based Security Model.
    Usm,
}

impl SecurityModel {
    fn parse(word: &str) -> Result<SecurityModel, String> {
        match word.to_ascii_lowercase().as_str() {
            "any" => Ok(SecurityModel::Any),
            "v1" => Ok(SecurityModel::V1),
            "v2c" => Ok(SecurityModel::V2c),
            "usm" => Ok(SecurityModel::Usm),
            _ => Err(format!("security model {word:?}: v1, v2c, usm or any (snmpctl speaks no other)")),
        }
    }
}

/// A security level word of VACM's lines (`noauth`, `auth`, `priv` and their long forms).
pub fn parse_level(word: &str) -> Result<SecurityLevel, String> {
    match word.to_ascii_lowercase().as_str() {
        "noauth" | "noauthnopriv" => Ok(SecurityLevel::NoAuthNoPriv),
        "auth" | "authnopriv" => Ok(SecurityLevel::AuthNoPriv),
        "priv" | "authpriv" => Ok(SecurityLevel::AuthPriv),
        _ => Err(format!(
            "security level {word:?}: noauth, auth or priv (or noauthnopriv, authnopriv, authpriv)"
        )),
    }
}

/// The kinds of processing a notification's access entry has a view for: log, execute, net.
const KINDS: usize = 3;

/// One TYPES word: `Some(kind)` for log, execute and net; `None` for read, write and notify,
/// which VACM knows and which decide nothing about a received notification.
fn kind(word: &str) -> Result<Option<usize>, String> {
    match word {
        "log" => Ok(Some(0)),
        "execute" => Ok(Some(1)),
        "net" => Ok(Some(2)),
        "read" | "write" | "notify" => Ok(None),
        other => Err(format!("type {other:?} is not log, execute or net")),
    }
}

/// A TYPES field (`log,execute`; `|` and `:` separate too): the kinds it names, each with
/// its view slot (none for read, write and notify), whether `read` (and `write`) were all it
/// named (Net-SNMP then makes one plain `access` entry), and the words it did not know
/// (snmptrapd says so and applies the others).
struct Types {
    kinds: Vec<Option<usize>>,
    read_only: bool,
    unknown: Vec<String>,
}

fn types(field: &str) -> Types {
    let mut t = Types { kinds: Vec::new(), read_only: false, unknown: Vec::new() };
    let (mut read, mut other) = (false, false);
    for word in field.split([',', '|', ':']).filter(|w| !w.is_empty()) {
        match kind(word) {
            Ok(k) => {
                read |= word == "read";
                other |= word != "read" && word != "write";
                t.kinds.push(k);
            }
            Err(why) => {
                t.unknown.push(format!("{why}: snmptrapd skips it too, and the line's other types apply"))
            }
        }
    }
    t.read_only = read && !other;
    t
}

/// One `com2sec` or `com2sec6` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Com2Sec {
    /// The community, exactly.
    pub community: Vec<u8>,
    /// The senders it is for (`default`: every sender of its address family).
    pub source: Source,
    /// `!SOURCE`: a match ends the search with no security name.
    pub negate: bool,
    /// `com2sec6`: for IPv6 senders; else for IPv4 senders.
    pub ipv6: bool,
    /// The security name it gives.
    pub sec_name: String,
    /// The context it gives (`-Cn CONTEXT`), else the default context "".
    pub context: String,
}

/// One `group` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The security model it is for.
    pub model: SecurityModel,
    /// The security name.
    pub sec_name: String,
    /// The group.
    pub group: String,
}

/// One access entry (`access`, `setAccess`, `authAccess`, or made by an `auth…` line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// The group.
    pub group: String,
    /// The context, or the context prefix.
    pub context: String,
    /// The security model.
    pub model: SecurityModel,
    /// The lowest security level it serves.
    pub level: SecurityLevel,
    /// Whether `context` is a prefix (`prefix`, `CONTEXT*`) rather than the exact context.
    pub prefix: bool,
    /// The view for logging, for running handlers, and for forwarding ("" for none).
    pub views: [String; KINDS],
}

/// One `view NAME included|excluded SUBTREE [MASK]` family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// The view's name.
    pub name: String,
    /// The subtree's sub-identifiers.
    pub subtree: Vec<u32>,
    /// One bit per sub-identifier of the subtree, from the top bit of the first octet: 1 must
    /// match, 0 matches anything; bits past the mask are 1.
    pub mask: Vec<u8>,
    /// Included or excluded.
    pub included: bool,
}

impl View {
    fn matches(&self, arcs: &[u32]) -> bool {
        arcs.len() >= self.subtree.len()
            && self.subtree.iter().zip(arcs).enumerate().all(|(i, (s, a))| {
                let bit = self.mask.get(i / 8).is_none_or(|m| m & (0x80 >> (i % 8)) != 0);
                !bit || s == a
            })
    }
}

/// VACM's tables, as snmptrapd.conf lines fill them.
#[derive(Debug, Clone)]
pub struct Vacm {
    /// `com2sec` and `com2sec6` entries, in order: the first that matches decides.
    pub com2sec: Vec<Com2Sec>,
    /// Group entries, in Net-SNMP's order (by model, then security name, then as read).
    pub groups: Vec<Group>,
    /// Access entries, in Net-SNMP's order (by group, context, model and level, then as read).
    pub access: Vec<Access>,
    /// View families, in order; `_all_` and `_none_` are there from the start, as in Net-SNMP.
    pub views: Vec<View>,
    /// How many `auth…` shorthand lines were read: their entries' names count with it.
    shorthands: u32,
}

impl Default for Vacm {
    fn default() -> Vacm {
        let mut views = Vec::with_capacity(6);
        for (name, included) in [("_all_", true), ("_none_", false)] {
            for top in 0..3 {
                views.push(View { name: name.into(), subtree: vec![top], mask: Vec::new(), included });
            }
        }
        Vacm { com2sec: Vec::new(), groups: Vec::new(), access: Vec::new(), views, shorthands: 0 }
    }
}

/// Net-SNMP's order of names in its tables: by length, then octet by octet.
fn name_key(name: &str) -> (usize, &[u8]) {
    (name.len(), name.as_bytes())
}

/// A context word: `""` and `''` are the default context.
fn context_word(word: &str) -> &str {
    if word == "''" || word == "\"\"" { "" } else { word }
}

/// The words of a line, and a cursor over them.
struct Words<'a> {
    words: &'a [String],
}

impl<'a> Words<'a> {
    fn next(&mut self) -> Option<&'a str> {
        let (first, rest) = self.words.split_first()?;
        self.words = rest;
        Some(first.as_str())
    }

    fn need(&mut self, what: &str) -> Result<&'a str, String> {
        self.next().ok_or_else(|| format!("missing {what}"))
    }
}

impl Vacm {
    /// Whether any group or access entry exists: without one, snmptrapd processes nothing
    /// ("No access configuration - dropping trap").
    pub fn is_configured(&self) -> bool {
        !self.groups.is_empty() || !self.access.is_empty()
    }

    /// `com2sec [-Cn CONTEXT] NAME SOURCE COMMUNITY` (`ipv6`: `com2sec6`). SOURCE is
    /// `default`, an address, a network (`/bits` or, for IPv4, `/mask`) or a host name, with `!`
    /// to deny. An address of the other family is an error here.
    pub fn com2sec(&mut self, words: &[String], ipv6: bool) -> Result<(), String> {
        match self.add_com2sec(words, ipv6)? {
            0 if ipv6 => Err("the SOURCE is no IPv6 address, network or name: com2sec takes IPv4".into()),
            0 => Err("the SOURCE is no IPv4 address, network or name: com2sec6 takes IPv6".into()),
            _ => Ok(()),
        }
    }

    /// The entries of a com2sec line, added; how many (none for an address of the other
    /// family, which an authCommunity line gives both lists and each parser skips).
    fn add_com2sec(&mut self, words: &[String], ipv6: bool) -> Result<usize, String> {
        let mut w = Words { words };
        let mut name = w.need("NAME")?;
        let mut context = "";
        if name == "-Cn" {
            context = w.need("CONTEXT")?;
            name = w.need("NAME")?;
        }
        let source = w.need("SOURCE")?;
        let community = w.need("COMMUNITY")?;
        if name.is_empty() || community.is_empty() {
            return Err("empty NAME or COMMUNITY".into());
        }
        let sources = sources(source, ipv6)?;
        let added = sources.len();
        for (source, negate) in sources {
            self.com2sec.push(Com2Sec {
                community: community.as_bytes().to_vec(),
                source,
                negate,
                ipv6,
                sec_name: name.to_owned(),
                context: context.to_owned(),
            });
        }
        Ok(added)
    }

    /// `group NAME MODEL SECURITYNAME`.
    pub fn group(&mut self, words: &[String]) -> Result<(), String> {
        let mut w = Words { words };
        let group = w.need("GROUP")?.to_owned();
        let model = SecurityModel::parse(w.need("MODEL")?)?;
        let sec_name = w.need("SECURITY name")?.to_owned();
        // After the entries it sorts with, and after equal ones.
        let at = self
            .groups
            .iter()
            .position(|g| (g.model, name_key(&g.sec_name)) > (model, name_key(&sec_name)))
            .unwrap_or(self.groups.len());
        self.groups.insert(at, Group { model, sec_name, group });
        Ok(())
    }

    /// `access GROUP CONTEXT MODEL LEVEL exact|prefix READ WRITE NOTIFY`: an entry with no view
    /// for notifications, which can still be the one chosen for its group.
    pub fn access_line(&mut self, words: &[String]) -> Result<(), String> {
        let mut w = Words { words };
        let (group, context, model, level, prefix) = access_common(&mut w)?;
        for view in ["readView", "writeView", "notifyView"] {
            w.need(view)?;
        }
        self.create_access(group, context, model, level, prefix);
        Ok(())
    }

    /// `setAccess GROUP CONTEXT MODEL LEVEL exact|prefix TYPE VIEW`.
    pub fn set_access(&mut self, words: &[String]) -> Result<(), String> {
        let mut w = Words { words };
        let (group, context, model, level, prefix) = access_common(&mut w)?;
        let which = kind(w.need("TYPE")?)?;
        let view = w.need("VIEW")?;
        let i = self.access_entry(group, context, model, level);
        if let Some(a) = self.access.get_mut(i) {
            if let Some(slot) = which.and_then(|k| a.views.get_mut(k)) {
                *slot = view.to_owned();
            }
            a.prefix = prefix;
        }
        Ok(())
    }

    /// `authAccess TYPES GROUP [-s MODEL] VIEW [LEVEL [CONTEXT[*]]]`: `-s` comes after the
    /// group, where snmptrapd 5.9 reads it (its manual puts it before). The level is by default
    /// noauth for `-s v1` and `-s v2c`, else auth; the context the default one, exactly.
    pub fn auth_access(&mut self, words: &[String]) -> Result<Vec<String>, String> {
        let mut w = Words { words };
        let types = types(w.need("TYPES")?);
        let group = w.need("GROUP")?;
        let mut model = SecurityModel::Any;
        let mut view = w.need("VIEW")?;
        if view.eq_ignore_ascii_case("-s") {
            model = SecurityModel::parse(w.need("SECMODEL")?)?;
            view = w.need("VIEW")?;
        }
        let level = match w.next() {
            Some(l) => parse_level(l)?,
            None if matches!(model, SecurityModel::V1 | SecurityModel::V2c) => SecurityLevel::NoAuthNoPriv,
            None => SecurityLevel::AuthNoPriv,
        };
        let (context, prefix) = match w.next() {
            Some(c) => c.strip_suffix('*').map_or((c, false), |c| (c, true)),
            None => ("", false),
        };
        let i = self.access_entry(group, context, model, level);
        if let Some(a) = self.access.get_mut(i) {
            for k in types.kinds.iter().flatten() {
                if let Some(slot) = a.views.get_mut(*k) {
                    *slot = view.to_owned();
                }
            }
            a.prefix = prefix;
        }
        Ok(types.unknown)
    }

    /// `view NAME included|excluded SUBTREE [MASK]`, the subtree already resolved. MASK is
    /// hex octets separated by `.`, `:` or blanks, each read as a number (its low octet kept).
    pub fn view(&mut self, name: &str, included: &str, subtree: &Oid, mask: &[String]) -> Result<(), String> {
        let included = match included {
            "included" => true,
            "excluded" => false,
            _ => return Err("the second word is included or excluded".into()),
        };
        let mut octets = Vec::new();
        for word in mask.iter().flat_map(|m| m.split(['.', ':'])).filter(|w| !w.is_empty()) {
            let hex = word.strip_prefix("0x").or_else(|| word.strip_prefix("0X")).unwrap_or(word);
            let digits =
                hex.find(|c: char| !c.is_ascii_hexdigit()).map_or(hex, |end| hex.get(..end).unwrap_or(""));
            let value =
                u64::from_str_radix(digits.get(digits.len().saturating_sub(2)..).unwrap_or(digits), 16)
                    .map_err(|_| format!("mask {word:?} is not hex"))?;
            octets.push(u8::try_from(value & 0xff).unwrap_or(0));
        }
        self.views.push(View {
            name: name.to_owned(),
            subtree: subtree.arcs().to_vec(),
            mask: octets,
            included,
        });
        Ok(())
    }

    /// `authCommunity TYPES [-v 1|2c] COMMUNITY [SOURCE [OID | -V VIEW [CONTEXT]]]`,
    /// `authUser TYPES [-s MODEL] USER [LEVEL [OID | -V VIEW [CONTEXT]]]` and `authGroup`
    /// (the same with a GROUP), made into the entries Net-SNMP makes of them. `resolve` reads
    /// the OID. Returns what the line had that was not applied (an unknown type).
    pub fn shorthand(
        &mut self,
        directive: Shorthand,
        words: &[String],
        resolve: &dyn Fn(&str) -> Result<Oid, String>,
    ) -> Result<Vec<String>, String> {
        let mut w = Words { words };
        let types = types(w.need("TYPES")?);
        if w.words.is_empty() {
            return Err("missing fields after TYPES".into());
        }
        let mut who = w.need("a name")?;
        let mut models = Vec::with_capacity(2);
        let (model, level, source) = if directive == Shorthand::Community {
            let mut model = SecurityModel::Any;
            if who == "-v" {
                model = match w.need("a version")?.to_ascii_lowercase().as_str() {
                    "1" | "v1" => SecurityModel::V1,
                    "2c" | "v2c" => SecurityModel::V2c,
                    other => return Err(format!("-v {other:?}: 1 or 2c")),
                };
                who = w.need("COMMUNITY")?;
            }
            models.extend(match model {
                SecurityModel::Any => vec![SecurityModel::V1, SecurityModel::V2c],
                m => vec![m],
            });
            (model, SecurityLevel::NoAuthNoPriv, Some(w.next().unwrap_or("default")))
        } else {
            let mut model = SecurityModel::Usm;
            if who == "-s" {
                model = SecurityModel::parse(w.need("a security model")?)?;
                who = w.need("a name")?;
            }
            let level = w.next().map_or(Ok(SecurityLevel::AuthNoPriv), parse_level)?;
            (model, level, None)
        };
        let mut notes = types.unknown;
        let (only, view) = match w.next() {
            Some("-V") => (None, Some(w.need("VIEW")?.to_owned())),
            Some(oid) => match resolve(oid.trim_end_matches('.')) {
                Ok(oid) => (Some(oid), None),
                Err(e) => {
                    // Net-SNMP makes the line's entries all the same, with a view it could
                    // not make: they grant nothing, and a community's still comes first.
                    notes.push(format!(
                        "{e}: as in snmptrapd, the line grants nothing (and its community and \
                         source get no other line's rights)"
                    ));
                    (None, None)
                }
            },
            None => (None, Some("_all_".to_owned())),
        };
        let (context, prefix) = match w.next() {
            // No context: every context; "CONTEXT*": those it begins; "CONTEXT": that one.
            None => ("", true),
            Some(c) => c.strip_suffix('*').map_or((c, false), |c| (c, true)),
        };
        self.shorthands = self.shorthands.saturating_add(1);
        let n = self.shorthands;
        let group = match directive {
            Shorthand::Community => {
                let sec_name = format!("comm{n}");
                let words = |family_source: &str| {
                    let mut v = Vec::with_capacity(5);
                    if !context.is_empty() {
                        v.extend(["-Cn".to_owned(), context.to_owned()]);
                    }
                    v.extend([sec_name.clone(), family_source.to_owned(), who.to_owned()]);
                    v
                };
                let source = source.unwrap_or("default");
                // Both lists, as Net-SNMP fills them: an address of one family is skipped by
                // the other's parser. Neither taking it is this line's error.
                let v4 = self.add_com2sec(&words(source), false);
                let v6 = self.add_com2sec(&words(source), true);
                if let (Err(e), Err(_)) = (&v4, &v6) {
                    return Err(e.clone());
                }
                let group = group_name(&sec_name);
                for m in models {
                    self.group(&[group.clone(), model_word(m).into(), sec_name.clone()])?;
                }
                group
            }
            Shorthand::User => {
                let group = group_name(who);
                self.group(&[group.clone(), model_word(model).into(), who.to_owned()])?;
                group
            }
            Shorthand::Group => who.to_owned(),
        };
        let view = match view {
            Some(v) => v,
            None => {
                let name = match directive {
                    Shorthand::Community => format!("viewComm{n}"),
                    _ => format!("viewUSM{n}"),
                };
                if let Some(oid) = only {
                    self.view(&name, "included", &oid, &[])?;
                }
                name
            }
        };
        if types.read_only {
            self.create_access(&group, context, model, level, prefix);
        } else {
            // One `setaccess` per type, as Net-SNMP passes them on.
            for k in &types.kinds {
                let i = self.access_entry(&group, context, model, level);
                if let Some(a) = self.access.get_mut(i) {
                    a.prefix = prefix;
                    if let Some(slot) = k.and_then(|k| a.views.get_mut(k)) {
                        *slot = view.clone();
                    }
                }
            }
        }
        Ok(notes)
    }

    /// A new access entry, placed as Net-SNMP places it: after those it sorts with.
    fn create_access(
        &mut self,
        group: &str,
        context: &str,
        model: SecurityModel,
        level: SecurityLevel,
        prefix: bool,
    ) -> usize {
        let key = (name_key(group), name_key(context), model, level);
        let at = self
            .access
            .iter()
            .position(|a| (name_key(&a.group), name_key(&a.context), a.model, a.level) > key)
            .unwrap_or(self.access.len());
        let views = Default::default();
        let entry =
            Access { group: group.to_owned(), context: context.to_owned(), model, level, prefix, views };
        self.access.insert(at, entry);
        at
    }

    /// The entry a lookup for these would choose, else a new one: how Net-SNMP's `setaccess`
    /// and `authaccess` parsers find the entry to add a view to.
    fn access_entry(
        &mut self,
        group: &str,
        context: &str,
        model: SecurityModel,
        level: SecurityLevel,
    ) -> usize {
        match self.choose_access(group, context.as_bytes(), model, level) {
            Some(i) => i,
            None => self.create_access(group, context, model, level, false),
        }
    }

    /// RFC 3415 § 4's choice among the access entries of `group` that serve `context`, `model`
    /// and `level`, made as Net-SNMP makes it (one pass in table order, a later entry taken when
    /// it is preferred to the one held).
    fn choose_access(
        &self,
        group: &str,
        context: &[u8],
        model: SecurityModel,
        level: SecurityLevel,
    ) -> Option<usize> {
        let mut best: Option<(usize, &Access)> = None;
        for (i, a) in self.access.iter().enumerate() {
            let serves = (a.model == model || a.model == SecurityModel::Any)
                && level >= a.level
                && a.group == group
                && if a.prefix {
                    context.starts_with(a.context.as_bytes())
                } else {
                    context == a.context.as_bytes()
                };
            if !serves {
                continue;
            }
            let better = best.is_none_or(|(_, b)| {
                (b.model == SecurityModel::Any && a.model != SecurityModel::Any)
                    || (b.prefix && !a.prefix)
                    || (b.prefix && b.context.len() < a.context.len())
                    || b.level < a.level
            });
            if better {
                best = Some((i, a));
            }
        }
        best.map(|(i, _)| i)
    }

    /// Whether the view `name` holds `oid`: RFC 3415's longest matching family decides (of two
    /// as long, the greater subtree; of two the same, the first), and none holds nothing.
    pub fn in_view(&self, name: &str, oid: &Oid) -> bool {
        let arcs = oid.arcs();
        let mut best: Option<&View> = None;
        for v in self.views.iter().filter(|v| v.name == name && v.matches(arcs)) {
            if best.is_none_or(|b| {
                v.subtree.len() > b.subtree.len()
                    || (v.subtree.len() == b.subtree.len() && v.subtree > b.subtree)
            }) {
                best = Some(v);
            }
        }
        best.is_some_and(|v| v.included)
    }

    /// The security name and context a community message from `from` gets: the first entry of
    /// its address family that matches, unless that entry denies.
    pub fn community_name(&self, community: &[u8], from: IpAddr) -> Option<(&str, &str)> {
        let from = match from {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 => v4,
        };
        let entry = self
            .com2sec
            .iter()
            .find(|c| c.ipv6 == from.is_ipv6() && c.community == community && c.source.contains(from))?;
        (!entry.negate).then_some((entry.sec_name.as_str(), entry.context.as_str()))
    }

    /// What a notification with snmpTrapOID `trap_oid` may trigger, from `sec_name` under
    /// `model` at `level`, in `context`: its group's chosen access entry's views.
    pub fn permitted(
        &self,
        model: SecurityModel,
        sec_name: &[u8],
        context: &[u8],
        level: SecurityLevel,
        trap_oid: &Oid,
    ) -> Permitted {
        const MAX_CONTEXT: usize = 32;
        let mut p = Permitted::default();
        if context.len() > MAX_CONTEXT {
            return p;
        }
        let group = self.groups.iter().find(|g| {
            (g.model == model || g.model == SecurityModel::Any) && g.sec_name.as_bytes() == sec_name
        });
        let Some(group) = group else { return p };
        let Some(access) =
            self.choose_access(&group.group, context, model, level).and_then(|i| self.access.get(i))
        else {
            return p;
        };
        let [log, execute, net] = &access.views;
        p.log = self.in_view(log, trap_oid);
        p.execute = self.in_view(execute, trap_oid);
        p.net = self.in_view(net, trap_oid);
        p
    }
}

/// The shorthand lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shorthand {
    /// `authCommunity`.
    Community,
    /// `authUser`.
    User,
    /// `authGroup`.
    Group,
}

fn model_word(m: SecurityModel) -> &'static str {
    match m {
        SecurityModel::Any => "any",
        SecurityModel::V1 => "v1",
        SecurityModel::V2c => "v2c",
        SecurityModel::Usm => "usm",
    }
}

/// The group Net-SNMP makes for a security name: `grp` and its first 28 octets, each one that
/// is not an ASCII letter or digit made `_`.
fn group_name(sec_name: &str) -> String {
    let tail: String = sec_name
        .bytes()
        .take(28)
        .map(|b| if b.is_ascii_alphanumeric() { char::from(b) } else { '_' })
        .collect();
    format!("grp{tail}")
}

/// `GROUP CONTEXT MODEL LEVEL exact|prefix`, the start of `access` and `setAccess`.
fn access_common<'a>(
    w: &mut Words<'a>,
) -> Result<(&'a str, &'a str, SecurityModel, SecurityLevel, bool), String> {
    let group = w.need("GROUP")?;
    let context = context_word(w.need("CONTEXT")?);
    let model = SecurityModel::parse(w.need("MODEL")?)?;
    let level = parse_level(w.need("LEVEL")?)?;
    let prefix = match w.need("PREFIX")? {
        "exact" | "0" => false,
        "prefix" => true,
        other => return Err(format!("{other:?} is not exact or prefix")),
    };
    Ok((group, context, model, level, prefix))
}

/// A com2sec SOURCE for one address family: the networks it names (a host name can give
/// several), each with whether it denies. Empty when it is an address of the other family.
fn sources(text: &str, ipv6: bool) -> Result<Vec<(Source, bool)>, String> {
    if text == "default" {
        return Ok(vec![(Source::Any, false)]);
    }
    let (negate, text) = text.strip_prefix('!').map_or((false, text), |t| (true, t));
    let (host, bits) = text.split_once('/').map_or((text, None), |(h, b)| (h, Some(b)));
    let addrs: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(a) if a.is_ipv6() == ipv6 => vec![a],
        Ok(_) => return Ok(Vec::new()),
        // The fuzzer's text never reaches a resolver (nor the network behind it).
        Err(_) if cfg!(fuzzing) => return Err(format!("source host {host:?}: not looked up when fuzzing")),
        Err(_) => {
            use std::net::ToSocketAddrs as _;
            let found: Vec<IpAddr> = (host, 0u16)
                .to_socket_addrs()
                .map_err(|e| format!("source host {host:?}: {e}"))?
                .map(|s| s.ip())
                .filter(|a| a.is_ipv6() == ipv6)
                .collect();
            // IPv4: the first address, as gethostbyname gives it; IPv6: every one.
            if ipv6 { found } else { found.into_iter().take(1).collect() }
        }
    };
    addrs
        .into_iter()
        .map(|a| {
            let text = bits.map_or_else(|| a.to_string(), |b| format!("{a}/{b}"));
            Source::parse(&text).map(|s| (s, negate))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn rfc_3415_prefers_model_then_exact_context_then_longer_prefix_then_level() {
        let mut v = Vacm::default();
        let (any, usm) = (SecurityModel::Any, SecurityModel::Usm);
        let (no, auth, privacy) =
            (SecurityLevel::NoAuthNoPriv, SecurityLevel::AuthNoPriv, SecurityLevel::AuthPriv);
        for (context, model, level, prefix, view) in [
            ("", any, no, true, "any_noauth"),
            ("", usm, auth, true, "usm_auth"),
            ("", usm, privacy, true, "usm_priv"),
            ("la", usm, no, true, "la_prefix"),
            ("lab", usm, no, true, "lab_prefix"),
            ("lab", usm, no, false, "lab_exact"),
        ] {
            let i = v.create_access("g", context, model, level, prefix);
            v.access[i].views[0] = view.into();
        }
        let chosen = |context: &[u8], model, level| {
            v.choose_access("g", context, model, level)
                .and_then(|i| v.access.get(i))
                .map(|a| a.views[0].as_str())
        };
        assert_eq!(chosen(b"", SecurityModel::V2c, no), Some("any_noauth"));
        assert_eq!(chosen(b"", usm, no), Some("any_noauth"));
        assert_eq!(chosen(b"", usm, auth), Some("usm_auth"));
        assert_eq!(chosen(b"", usm, privacy), Some("usm_priv"));
        assert_eq!(chosen(b"lab", usm, privacy), Some("lab_exact"));
        assert_eq!(chosen(b"lab2", usm, privacy), Some("lab_prefix"));
        assert_eq!(chosen(b"lax", usm, privacy), Some("la_prefix"));
        assert_eq!(chosen(b"x", usm, privacy), Some("usm_priv"));
        assert_eq!(v.choose_access("h", b"", usm, privacy), None);
        // setAccess adds to the entry such a lookup finds: here the `any` one, for usm.
        let line: Vec<String> =
            ["g", "", "usm", "noauth", "prefix", "execute", "e"].map(str::to_owned).into();
        v.set_access(&line).unwrap();
        assert_eq!(v.access.len(), 6);
        assert_eq!(v.access.iter().find(|a| a.model == any).map(|a| a.views[1].as_str()), Some("e"));
    }

    #[test]
    fn the_first_matching_com2sec_entry_decides_and_a_negative_one_denies() {
        let mut v = Vacm::default();
        v.com2sec(&words("-Cn ctx a 10.0.0.0/8 public"), false).unwrap();
        v.com2sec(&words("b default public"), false).unwrap();
        v.com2sec(&words("c !192.0.2.0/24 lab"), false).unwrap();
        v.com2sec(&words("d default lab"), false).unwrap();
        v.com2sec(&words("e default public"), true).unwrap();
        assert!(v.com2sec(&words("f 10.0.0.1 public"), true).is_err());
        let name = |c: &[u8], a: &str| v.community_name(c, a.parse().unwrap());
        assert_eq!(name(b"public", "10.1.1.1"), Some(("a", "ctx")));
        assert_eq!(name(b"public", "192.0.2.1"), Some(("b", "")));
        assert_eq!(name(b"lab", "192.0.2.1"), None);
        assert_eq!(name(b"lab", "198.51.100.1"), Some(("d", "")));
        assert_eq!(name(b"public", "::1"), Some(("e", "")));
        assert_eq!(name(b"public", "::ffff:10.0.0.1"), Some(("a", "ctx")));
        assert_eq!(name(b"other", "10.1.1.1"), None);
        assert!(v.com2sec.iter().all(|c| c.sec_name != "f"), "an IPv4 address is no com2sec6 source");
        assert_eq!(v.add_com2sec(&words("g 10.0.0.1 public"), true), Ok(0), "what authCommunity relies on");
        assert!(v.com2sec(&words("x 10.1.2.3/8 public"), false).is_err(), "source/mask mismatch");
        // A host name: its IPv4 address (the first), as gethostbyname gives it.
        let mut v = v.clone();
        v.com2sec(&words("h localhost hostc"), false).unwrap();
        assert_eq!(v.community_name(b"hostc", "127.0.0.1".parse().unwrap()), Some(("h", "")));
        assert!(v.com2sec(&words("y no-such-host.invalid public"), false).is_err());
    }

    #[test]
    fn masks_are_octets_of_hex_with_separators() {
        let mut v = Vacm::default();
        let root: Oid = "1.3.6.1.4.1.9.0.1".parse().unwrap();
        v.view("m", "included", &root, &words("ff:80")).unwrap();
        v.view("n", "included", &root, &words("0xff.0x00")).unwrap();
        assert_eq!(v.views.iter().rev().nth(1).map(|x| x.mask.clone()), Some(vec![0xff, 0x80]));
        assert_eq!(v.views.last().map(|x| x.mask.clone()), Some(vec![0xff, 0x00]));
        assert!(v.view("o", "included", &root, &words("zz")).is_err());
        assert!(v.in_view("m", &"1.3.6.1.4.1.9.0.1.5".parse().unwrap()));
        assert!(!v.in_view("m", &"1.3.6.1.4.1.9.0.7".parse().unwrap()));
        assert!(v.in_view("n", &"1.3.6.1.4.1.9.0.7".parse().unwrap()));
        assert!(!v.in_view("m", &"1.3.6.1.4.1.9.1.1".parse().unwrap()));
        assert!(v.in_view("_all_", &"2.5".parse().unwrap()));
        assert!(!v.in_view("_none_", &"1.3".parse().unwrap()));
    }

    #[test]
    fn shorthands_make_net_snmps_names() {
        let mut v = Vacm::default();
        let numeric = |s: &str| s.trim_start_matches('.').parse::<Oid>().map_err(|e| e.to_string());
        v.shorthand(Shorthand::Community, &words("log public default .1.3.6.1.6.3.1.1.5"), &numeric).unwrap();
        v.shorthand(Shorthand::User, &words("log,net ops-1 priv"), &numeric).unwrap();
        let unknown = v.shorthand(Shorthand::Group, &words("log,bogus admins"), &numeric).unwrap();
        assert_eq!(unknown.len(), 1);
        let groups: Vec<(&str, &str)> =
            v.groups.iter().map(|g| (g.group.as_str(), g.sec_name.as_str())).collect();
        assert_eq!(groups, [("grpcomm1", "comm1"), ("grpcomm1", "comm1"), ("grpops_1", "ops-1")]);
        assert!(v.views.iter().any(|x| x.name == "viewComm1"));
        let groups: Vec<&str> = v.access.iter().map(|a| a.group.as_str()).collect();
        assert_eq!(groups, ["admins", "grpcomm1", "grpops_1"]);
        assert!(v.shorthand(Shorthand::Community, &words("log"), &numeric).is_err());
    }
}
