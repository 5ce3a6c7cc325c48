//! snmp_exporter's `snmp.yml`, in both formats users have:
//!
//! - 0.21 and 0.22 (what Debian 12 ships): a map of modules, each with its own `version` and
//!   `auth`;
//! - 0.23 and later: `auths:` and `modules:` apart, the version inside each auth, and several
//!   files merged.
//!
//! Both load into one [`Config`]; a 0.21 module keeps its own auth ([`Module::auth`]), which a
//! scrape uses when the query names none. Errors name the file, line, column and key. Secrets
//! ([`Secret`]) never print: `Debug`, `Display` and the YAML of [`Config::to_yaml`] show
//! `<secret>`, as snmp_exporter's `/config` page does.

use crate::value::Oid;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A community string or password: kept, used, never shown.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `text`.
    pub fn new(text: impl Into<String>) -> Secret {
        Secret(text.into())
    }

    /// The secret itself, for the one place that needs it (the SNMP session).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// No secret was given.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<secret>")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("<secret>")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        Ok(Secret(String::deserialize(d)?))
    }
}

/// How to reach an agent: version and credentials (`auths:` entries; a 0.21 module's `auth:`
/// with its `version:`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Auth {
    /// v1/v2c community (`public`).
    pub community: Secret,
    /// `noAuthNoPriv`, `authNoPriv` or `authPriv`.
    pub security_level: String,
    /// v3 user.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub username: String,
    /// v3 authentication password.
    #[serde(skip_serializing_if = "Secret::is_empty")]
    pub password: Secret,
    /// `MD5`, `SHA`, `SHA224`, `SHA256`, `SHA384`, `SHA512`.
    pub auth_protocol: String,
    /// `DES`, `AES`, `AES192`, `AES256`, `AES192C`, `AES256C`.
    pub priv_protocol: String,
    /// v3 privacy password.
    #[serde(skip_serializing_if = "Secret::is_empty")]
    pub priv_password: Secret,
    /// v3 context.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub context_name: String,
    /// 1, 2 (v2c) or 3.
    #[serde(deserialize_with = "version")]
    pub version: u8,
}

impl Default for Auth {
    fn default() -> Auth {
        Auth {
            community: Secret::new("public"),
            security_level: "noAuthNoPriv".into(),
            username: String::new(),
            password: Secret::default(),
            auth_protocol: "MD5".into(),
            priv_protocol: "DES".into(),
            priv_password: Secret::default(),
            context_name: String::new(),
            version: 2,
        }
    }
}

fn some_version<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u8>, D::Error> {
    version(d).map(Some)
}

fn version<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    let v = i64::deserialize(d)?;
    match v {
        1..=3 => u8::try_from(v).map_err(de::Error::custom),
        _ => Err(de::Error::custom(format!("SNMP version must be 1, 2 or 3, not {v}"))),
    }
}

impl Auth {
    /// Checks what serde cannot: v3 needs a user, passwords for the level, known protocols.
    fn check(&self) -> Result<(), String> {
        let levels = ["noAuthNoPriv", "authNoPriv", "authPriv"];
        if !levels.contains(&self.security_level.as_str()) {
            return Err(format!(
                "security_level must be noAuthNoPriv, authNoPriv or authPriv, not {:?}",
                self.security_level
            ));
        }
        if self.version != 3 {
            return Ok(());
        }
        if self.username.is_empty() {
            return Err("username is missing, required for SNMPv3".into());
        }
        let auth = self.security_level != "noAuthNoPriv";
        if auth && self.password.is_empty() {
            return Err("password is missing, required for SNMPv3 with authentication".into());
        }
        if auth && auth_protocol(&self.auth_protocol).is_none() {
            return Err(format!(
                "auth_protocol must be MD5, SHA, SHA224, SHA256, SHA384 or SHA512, not {:?}",
                self.auth_protocol
            ));
        }
        if self.security_level == "authPriv" {
            if self.priv_password.is_empty() {
                return Err("priv_password is missing, required for SNMPv3 with privacy".into());
            }
            if priv_protocol(&self.priv_protocol).is_none() {
                return Err(format!(
                    "priv_protocol must be DES, AES, AES192, AES256, AES192C or AES256C, not {:?}",
                    self.priv_protocol
                ));
            }
        }
        Ok(())
    }
}

/// snmp_exporter's auth protocol names.
pub fn auth_protocol(name: &str) -> Option<crate::usm::AuthProtocol> {
    use crate::usm::AuthProtocol as A;
    Some(match name {
        "MD5" => A::Md5,
        "SHA" => A::Sha1,
        "SHA224" => A::Sha224,
        "SHA256" => A::Sha256,
        "SHA384" => A::Sha384,
        "SHA512" => A::Sha512,
        _ => return None,
    })
}

/// snmp_exporter's privacy protocol names (`AES192C`/`AES256C`: Cisco's key extension).
pub fn priv_protocol(name: &str) -> Option<crate::usm::PrivProtocol> {
    use crate::usm::PrivProtocol as P;
    Some(match name {
        "DES" => P::Des,
        "AES" => P::Aes128,
        "AES192" => P::Aes192,
        "AES256" => P::Aes256,
        "AES192C" => P::Aes192C,
        "AES256C" => P::Aes256C,
        _ => return None,
    })
}

/// How a module's requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkParams {
    /// GetBulk max-repetitions (25).
    pub max_repetitions: u32,
    /// Retransmissions (3).
    pub retries: u32,
    /// Time for each attempt (5 s).
    pub timeout: Duration,
    /// Accept OIDs that do not increase (buggy agents).
    pub allow_nonincreasing_oids: bool,
}

impl Default for WalkParams {
    fn default() -> WalkParams {
        WalkParams {
            max_repetitions: 25,
            retries: 3,
            timeout: Duration::from_secs(5),
            allow_nonincreasing_oids: false,
        }
    }
}

/// How a value becomes samples (a metric's `type`; an index's or lookup's too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum MetricType {
    #[serde(rename = "gauge")]
    Gauge,
    #[serde(rename = "counter")]
    Counter,
    Float,
    Double,
    OctetString,
    DisplayString,
    PhysAddress48,
    InetAddressIPv4,
    InetAddressIPv6,
    InetAddress,
    InetAddressMissingSize,
    LldpPortId,
    DateAndTime,
    ParseDateAndTime,
    NTPTimeStamp,
    EnumAsInfo,
    EnumAsStateSet,
    Bits,
    Integer32,
    Integer,
}

impl MetricType {
    /// The name as snmp.yml spells it.
    pub fn name(self) -> &'static str {
        match self {
            MetricType::Gauge => "gauge",
            MetricType::Counter => "counter",
            MetricType::Float => "Float",
            MetricType::Double => "Double",
            MetricType::OctetString => "OctetString",
            MetricType::DisplayString => "DisplayString",
            MetricType::PhysAddress48 => "PhysAddress48",
            MetricType::InetAddressIPv4 => "InetAddressIPv4",
            MetricType::InetAddressIPv6 => "InetAddressIPv6",
            MetricType::InetAddress => "InetAddress",
            MetricType::InetAddressMissingSize => "InetAddressMissingSize",
            MetricType::LldpPortId => "LldpPortId",
            MetricType::DateAndTime => "DateAndTime",
            MetricType::ParseDateAndTime => "ParseDateAndTime",
            MetricType::NTPTimeStamp => "NTPTimeStamp",
            MetricType::EnumAsInfo => "EnumAsInfo",
            MetricType::EnumAsStateSet => "EnumAsStateSet",
            MetricType::Bits => "Bits",
            MetricType::Integer32 => "Integer32",
            MetricType::Integer => "Integer",
        }
    }
}

/// One table index of a metric: a label made from arcs of the instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Index {
    /// The label.
    pub labelname: String,
    /// How its arcs read.
    #[serde(rename = "type")]
    pub kind: MetricType,
    /// Octets of a fixed-size string index (no length arc).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub fixed_size: usize,
    /// The last index, IMPLIED (no length arc; the rest of the instance).
    #[serde(default, skip_serializing_if = "is_false")]
    pub implied: bool,
    /// Names of an enumerated index.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub enum_values: BTreeMap<i64, String>,
}

/// A label read from another object, indexed by some labels of this one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lookup {
    /// The labels whose arcs index the looked-up object; empty: delete `labelname`.
    #[serde(default)]
    pub labels: Vec<String>,
    /// The label written.
    pub labelname: String,
    /// The object read.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_oid")]
    pub oid: Option<Oid>,
    /// How its value reads.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<MetricType>,
    /// Names of an enumerated value (with type EnumAsInfo).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub enum_values: BTreeMap<i64, String>,
}

/// One `regex_extracts` rule: the first that matches and parses as a number wins.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegexExtract {
    /// Matched against the value as text (anchored at both ends, as Prometheus anchors).
    #[serde(with = "anchored")]
    pub regex: regex::Regex,
    /// What the match expands to (`$1` by default), then read as a number.
    #[serde(default = "dollar_one")]
    pub value: String,
}

impl PartialEq for RegexExtract {
    fn eq(&self, other: &Self) -> bool {
        self.regex.as_str() == other.regex.as_str() && self.value == other.value
    }
}

fn dollar_one() -> String {
    "$1".into()
}

/// A metric: an object (column or scalar) and how its values become samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    /// The metric's name.
    pub name: String,
    /// The object (without instance).
    #[serde(with = "oid_text")]
    pub oid: Oid,
    /// How values become samples.
    #[serde(rename = "type")]
    pub kind: MetricType,
    /// HELP text.
    #[serde(default)]
    pub help: String,
    /// Table indexes, in INDEX order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    /// Labels looked up in other objects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lookups: Vec<Lookup>,
    /// Numbers read out of a string value: one metric per key, named metric + key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub regex_extracts: BTreeMap<String, Vec<RegexExtract>>,
    /// strptime pattern of a ParseDateAndTime value.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub date_time_pattern: String,
    /// Names of an enumerated value (EnumAsInfo, EnumAsStateSet, Bits).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub enum_values: BTreeMap<i64, String>,
    /// Added after scaling.
    #[serde(default, skip_serializing_if = "is_zero_f")]
    pub offset: f64,
    /// Multiplies the value (0: not set).
    #[serde(default, skip_serializing_if = "is_zero_f")]
    pub scale: f64,
}

/// `filters:` of a module.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Filters {
    /// Fixed instances: only these indexes of these objects are fetched (by Get).
    #[serde(rename = "static", skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<StaticFilter>,
    /// Instances chosen at scrape time by the values of another object.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dynamic: Vec<DynamicFilter>,
}

/// A static filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticFilter {
    /// Objects (walked otherwise).
    #[serde(with = "oid_list")]
    pub targets: Vec<Oid>,
    /// Instances to get of each.
    pub indices: Vec<String>,
}

/// A dynamic filter: walk `oid`, keep the instances whose value matches one of `values`, and
/// get only those instances of `targets`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DynamicFilter {
    /// The object whose values choose.
    #[serde(with = "oid_text")]
    pub oid: Oid,
    /// Objects fetched for the chosen instances.
    #[serde(with = "oid_list")]
    pub targets: Vec<Oid>,
    /// Regular expressions (unanchored, as Go's MatchString).
    #[serde(with = "regex_list")]
    pub values: Vec<regex::Regex>,
}

impl PartialEq for DynamicFilter {
    fn eq(&self, other: &Self) -> bool {
        self.oid == other.oid
            && self.targets == other.targets
            && self.values.iter().map(regex::Regex::as_str).eq(other.values.iter().map(regex::Regex::as_str))
    }
}

/// A module: what to fetch and how it maps to metrics.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Module {
    /// Subtrees to walk.
    pub walk: Vec<Oid>,
    /// Instances to get.
    pub get: Vec<Oid>,
    /// The metrics.
    pub metrics: Vec<Metric>,
    /// Requests.
    pub walk_params: WalkParams,
    /// Filters.
    pub filters: Filters,
    /// A 0.21 module's own version and credentials.
    pub auth: Option<Auth>,
}

/// Which format a file was in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// 0.21/0.22: modules at the top, each with `version` and `auth`.
    Modules,
    /// 0.23 and later: `auths:` and `modules:`.
    AuthsAndModules,
}

/// A loaded configuration (one or several files merged).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Config {
    /// Named credentials.
    pub auths: BTreeMap<String, Auth>,
    /// Named modules.
    pub modules: BTreeMap<String, Module>,
}

/// Why a configuration did not load: where, and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {message}", path.display(), location.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default())]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// Line and column (from 1), when known.
    pub location: Option<(usize, usize)>,
    /// What is wrong, with the key path (`modules.if_mib.metrics[3].type: …`).
    pub message: String,
}

impl ConfigError {
    fn new(path: &Path, location: Option<(usize, usize)>, message: impl Into<String>) -> ConfigError {
        ConfigError { path: path.to_owned(), location, message: message.into() }
    }

    fn yaml(path: &Path, e: &serde_yaml_ng::Error) -> ConfigError {
        let location = e.location().map(|l| (l.line(), l.column()));
        // serde_yaml puts " at line L column C" at the end; the location is in front already.
        let mut message = e.to_string();
        if let Some(at) = message.rfind(" at line ") {
            message.truncate(at);
        }
        ConfigError::new(path, location, message)
    }
}

/// A 0.23+ file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SplitFile {
    #[serde(default)]
    auths: BTreeMap<String, Auth>,
    #[serde(default)]
    modules: BTreeMap<String, RawModule>,
}

/// A module as written, in either format (`version` and `auth` are 0.21's only).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModule {
    #[serde(default, with = "oid_list")]
    walk: Vec<Oid>,
    #[serde(default, with = "oid_list")]
    get: Vec<Oid>,
    #[serde(default)]
    metrics: Vec<Metric>,
    #[serde(default, deserialize_with = "some_version")]
    version: Option<u8>,
    #[serde(default = "default_repetitions")]
    max_repetitions: u32,
    #[serde(default = "default_retries")]
    retries: u32,
    #[serde(default = "default_timeout", deserialize_with = "go_duration")]
    timeout: Duration,
    #[serde(default)]
    auth: Option<LegacyAuth>,
    #[serde(default)]
    allow_nonincreasing_oids: bool,
    #[serde(default)]
    use_unconnected_udp_socket: bool,
    #[serde(default)]
    filters: Filters,
}

impl RawModule {
    fn into_module(self, auth: Option<Auth>) -> Module {
        // UDP sockets are the exporter's to choose (one for every target).
        let _ = self.use_unconnected_udp_socket;
        Module {
            walk: self.walk,
            get: self.get,
            metrics: self.metrics,
            walk_params: WalkParams {
                max_repetitions: self.max_repetitions,
                retries: self.retries,
                timeout: self.timeout,
                allow_nonincreasing_oids: self.allow_nonincreasing_oids,
            },
            filters: self.filters,
            auth,
        }
    }
}

/// A 0.21 `auth:` (no version: the module has it).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct LegacyAuth {
    community: Secret,
    security_level: String,
    username: String,
    password: Secret,
    auth_protocol: String,
    priv_protocol: String,
    priv_password: Secret,
    context_name: String,
}

impl Default for LegacyAuth {
    fn default() -> LegacyAuth {
        let a = Auth::default();
        LegacyAuth {
            community: a.community.clone(),
            security_level: a.security_level.clone(),
            username: String::new(),
            password: Secret::default(),
            auth_protocol: a.auth_protocol.clone(),
            priv_protocol: a.priv_protocol.clone(),
            priv_password: Secret::default(),
            context_name: String::new(),
        }
    }
}

fn default_repetitions() -> u32 {
    25
}
fn default_retries() -> u32 {
    3
}
fn default_timeout() -> Duration {
    Duration::from_secs(5)
}
fn is_zero(n: &usize) -> bool {
    *n == 0
}
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_false(b: &bool) -> bool {
    !*b
}
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero_f(f: &f64) -> bool {
    *f == 0.0
}

impl Config {
    /// Loads and merges `paths` (later files add modules and auths; a name defined twice is an
    /// error, as in snmp_exporter).
    ///
    /// # Errors
    /// The first file that does not read or parse, with where and why.
    pub fn load(paths: &[PathBuf]) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        for path in paths {
            let text = std::fs::read_to_string(path)
                .map_err(|e| ConfigError::new(path, None, format!("cannot read: {e}")))?;
            let (one, _) = Config::parse(path, &text)?;
            config.merge(path, one)?;
        }
        Ok(config)
    }

    /// Parses one file's text; `path` names it in errors.
    ///
    /// # Errors
    /// Where the text is not a valid snmp.yml.
    pub fn parse(path: &Path, text: &str) -> Result<(Config, Format), ConfigError> {
        let format = detect(text).map_err(|e| ConfigError::yaml(path, &e))?;
        let config = match format {
            Format::AuthsAndModules => {
                let file: SplitFile =
                    serde_yaml_ng::from_str(text).map_err(|e| ConfigError::yaml(path, &e))?;
                let mut modules = BTreeMap::new();
                for (name, m) in file.modules {
                    if m.version.is_some() || m.auth.is_some() {
                        return Err(ConfigError::new(
                            path,
                            line_of(text, &name),
                            format!("modules.{name}: version and auth belong under auths: in this format"),
                        ));
                    }
                    modules.insert(name, m.into_module(None));
                }
                Config { auths: file.auths, modules }
            }
            Format::Modules => {
                let file: BTreeMap<String, RawModule> =
                    serde_yaml_ng::from_str(text).map_err(|e| ConfigError::yaml(path, &e))?;
                let modules = file
                    .into_iter()
                    .map(|(name, mut m)| {
                        let a = m.auth.take().unwrap_or_default();
                        let auth = Auth {
                            community: a.community,
                            security_level: a.security_level,
                            username: a.username,
                            password: a.password,
                            auth_protocol: a.auth_protocol,
                            priv_protocol: a.priv_protocol,
                            priv_password: a.priv_password,
                            context_name: a.context_name,
                            version: m.version.unwrap_or(2),
                        };
                        (name, m.into_module(Some(auth)))
                    })
                    .collect();
                Config { auths: BTreeMap::new(), modules }
            }
        };
        config.check(path, text)?;
        Ok((config, format))
    }

    fn check(&self, path: &Path, text: &str) -> Result<(), ConfigError> {
        let auths = self.auths.iter().map(|(n, a)| (format!("auths.{n}"), n, a));
        let own =
            self.modules.iter().filter_map(|(n, m)| m.auth.as_ref().map(|a| (format!("{n}.auth"), n, a)));
        for (key, name, auth) in auths.chain(own) {
            if let Err(e) = auth.check() {
                return Err(ConfigError::new(path, line_of(text, name), format!("{key}: {e}")));
            }
        }
        for (name, module) in &self.modules {
            for (i, metric) in module.metrics.iter().enumerate() {
                let labels: Vec<&str> = metric
                    .indexes
                    .iter()
                    .map(|x| x.labelname.as_str())
                    .chain(metric.lookups.iter().map(|l| l.labelname.as_str()))
                    .collect();
                for lookup in &metric.lookups {
                    if let Some(missing) = lookup.labels.iter().find(|l| !labels.contains(&l.as_str())) {
                        return Err(ConfigError::new(
                            path,
                            line_of(text, &metric.name),
                            format!(
                                "modules.{name}.metrics[{i}] ({}): lookup {} uses label {missing}, which no index or earlier lookup makes",
                                metric.name, lookup.labelname
                            ),
                        ));
                    }
                    if !lookup.labels.is_empty() && (lookup.oid.is_none() || lookup.kind.is_none()) {
                        return Err(ConfigError::new(
                            path,
                            line_of(text, &metric.name),
                            format!(
                                "modules.{name}.metrics[{i}] ({}): lookup {} needs an oid and a type",
                                metric.name, lookup.labelname
                            ),
                        ));
                    }
                }
                if metric.kind == MetricType::ParseDateAndTime && metric.date_time_pattern.is_empty() {
                    return Err(ConfigError::new(
                        path,
                        line_of(text, &metric.name),
                        format!(
                            "modules.{name}.metrics[{i}] ({}): type ParseDateAndTime needs a date_time_pattern",
                            metric.name
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    fn merge(&mut self, path: &Path, other: Config) -> Result<(), ConfigError> {
        for (name, auth) in other.auths {
            if self.auths.contains_key(&name) {
                return Err(ConfigError::new(
                    path,
                    None,
                    format!("auth {name} is defined in an earlier file too"),
                ));
            }
            self.auths.insert(name, auth);
        }
        for (name, module) in other.modules {
            if self.modules.contains_key(&name) {
                return Err(ConfigError::new(
                    path,
                    None,
                    format!("module {name} is defined in an earlier file too"),
                ));
            }
            self.modules.insert(name, module);
        }
        Ok(())
    }

    /// The configuration as 0.23+ YAML, secrets shown as `<secret>` (the `/config` page).
    ///
    /// # Errors
    /// Only if serialization fails (it does not for a loaded configuration).
    pub fn to_yaml(&self) -> Result<String, serde_yaml_ng::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            auths: &'a BTreeMap<String, Auth>,
            modules: BTreeMap<&'a str, OutModule<'a>>,
        }
        #[derive(Serialize)]
        struct OutModule<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            auth: Option<&'a Auth>,
            #[serde(with = "oid_list", skip_serializing_if = "<[Oid]>::is_empty")]
            walk: &'a [Oid],
            #[serde(with = "oid_list", skip_serializing_if = "<[Oid]>::is_empty")]
            get: &'a [Oid],
            metrics: &'a [Metric],
            max_repetitions: u32,
            retries: u32,
            timeout: String,
            #[serde(skip_serializing_if = "is_false")]
            allow_nonincreasing_oids: bool,
            #[serde(skip_serializing_if = "is_default_filters")]
            filters: &'a Filters,
        }
        fn is_default_filters(f: &&Filters) -> bool {
            f.fixed.is_empty() && f.dynamic.is_empty()
        }
        let modules = self
            .modules
            .iter()
            .map(|(name, m)| {
                (
                    name.as_str(),
                    OutModule {
                        auth: m.auth.as_ref(),
                        walk: &m.walk,
                        get: &m.get,
                        metrics: &m.metrics,
                        max_repetitions: m.walk_params.max_repetitions,
                        retries: m.walk_params.retries,
                        timeout: format!("{}s", m.walk_params.timeout.as_secs_f64()),
                        allow_nonincreasing_oids: m.walk_params.allow_nonincreasing_oids,
                        filters: &m.filters,
                    },
                )
            })
            .collect();
        serde_yaml_ng::to_string(&Out { auths: &self.auths, modules })
    }
}

/// The line (and column 1) where `key:` first appears, for errors found after parsing.
fn line_of(text: &str, key: &str) -> Option<(usize, usize)> {
    text.lines().enumerate().find_map(|(i, line)| {
        let t = line.trim_start().trim_start_matches("- ").trim_start_matches("name: ");
        (t.starts_with(key) && t.get(key.len()..).is_some_and(|r| r.is_empty() || r.starts_with(':'))).then(
            || (i.saturating_add(1), line.len().saturating_sub(line.trim_start().len()).saturating_add(1)),
        )
    })
}

/// 0.23+ when the top level has `auths:`, or `modules:` that is a map of modules; 0.21 otherwise.
fn detect(text: &str) -> Result<Format, serde_yaml_ng::Error> {
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(text)?;
    let Some(top) = value.as_mapping() else { return Ok(Format::Modules) };
    if top.contains_key("auths") {
        return Ok(Format::AuthsAndModules);
    }
    let module_keys = ["walk", "get", "metrics", "version", "auth", "max_repetitions", "retries", "timeout"];
    match top.get("modules").and_then(serde_yaml_ng::Value::as_mapping) {
        Some(m) if !m.keys().any(|k| k.as_str().is_some_and(|k| module_keys.contains(&k))) => {
            Ok(Format::AuthsAndModules)
        }
        _ => Ok(Format::Modules),
    }
}

/// A Go duration (`5s`, `1m30s`, `500ms`), or a number of seconds.
fn go_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Number(f64),
    }
    match Raw::deserialize(d)? {
        Raw::Number(n) => {
            Duration::try_from_secs_f64(n).map_err(|_| de::Error::custom(format!("{n} is not a duration")))
        }
        Raw::Text(t) => parse_go_duration(&t)
            .ok_or_else(|| de::Error::custom(format!("{t:?} is not a duration (like 5s, 500ms, 1m30s)"))),
    }
}

/// Parses Go's duration syntax: numbers with units h, m, s, ms, us, µs, ns.
pub fn parse_go_duration(text: &str) -> Option<Duration> {
    let mut rest = text.trim();
    if rest == "0" {
        return Some(Duration::ZERO);
    }
    let mut total = 0f64;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let (number, tail) = rest.split_at(digits);
        let n: f64 = number.parse().ok()?;
        let unit_len = tail.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let scale = match unit {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        total += n * scale;
        rest = tail;
    }
    // A huge number of hours does not fit a Duration: no duration, not a panic.
    Duration::try_from_secs_f64(total).ok()
}

mod oid_text {
    use super::*;
    pub fn serialize<S: Serializer>(oid: &Oid, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(oid)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Oid, D::Error> {
        let text = super::scalar_text(d)?;
        text.parse().map_err(|e| de::Error::custom(format!("{text:?} is not an OID: {e}")))
    }
}

mod opt_oid {
    use super::*;
    #[allow(clippy::ref_option)]
    pub fn serialize<S: Serializer>(oid: &Option<Oid>, s: S) -> Result<S::Ok, S::Error> {
        match oid {
            Some(o) => s.collect_str(o),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Oid>, D::Error> {
        super::oid_text::deserialize(d).map(Some)
    }
}

mod oid_list {
    use super::*;
    pub fn serialize<S: Serializer>(oids: &[Oid], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(oids.iter().map(ToString::to_string))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Oid>, D::Error> {
        #[derive(Deserialize)]
        struct One(#[serde(with = "super::oid_text")] Oid);
        Ok(Vec::<One>::deserialize(d)?.into_iter().map(|o| o.0).collect())
    }
}

/// A scalar as text: YAML reads `1.3` as a number.
fn scalar_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Int(u64),
        Float(f64),
    }
    Ok(match Raw::deserialize(d)? {
        Raw::Text(t) => t,
        Raw::Int(n) => n.to_string(),
        Raw::Float(f) => f.to_string(),
    })
}

mod anchored {
    use super::*;
    /// As snmp_exporter writes it: the anchored form (reading it anchors again, which means
    /// the same).
    pub fn serialize<S: Serializer>(r: &regex::Regex, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(r.as_str())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<regex::Regex, D::Error> {
        let text = String::deserialize(d)?;
        regex::Regex::new(&format!("^(?:{text})$"))
            .map_err(|e| de::Error::custom(format!("bad regex {text:?}: {e}")))
    }
}

mod regex_list {
    use super::*;
    pub fn serialize<S: Serializer>(r: &[regex::Regex], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(r.iter().map(regex::Regex::as_str))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<regex::Regex>, D::Error> {
        Vec::<String>::deserialize(d)?
            .into_iter()
            .map(|t| regex::Regex::new(&t).map_err(|e| de::Error::custom(format!("bad regex {t:?}: {e}"))))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEGACY: &str = "
if_mib:
  walk: [1.3.6.1.2.1.2, 1.3.6.1.2.1.31.1.1]
  get: [1.3.6.1.2.1.1.3.0]
  version: 3
  timeout: 10s
  auth:
    username: admin
    security_level: authPriv
    password: hunter22
    priv_password: swordfish
    auth_protocol: SHA
    priv_protocol: AES
  metrics:
  - name: ifMtu
    oid: 1.3.6.1.2.1.2.2.1.4
    type: gauge
    help: The size of the largest packet
    indexes:
    - labelname: ifIndex
      type: gauge
";

    #[test]
    fn legacy_modules_keep_their_auth() {
        let (c, f) = Config::parse(Path::new("snmp.yml"), LEGACY).unwrap();
        assert_eq!(f, Format::Modules);
        let m = &c.modules["if_mib"];
        assert_eq!(m.walk_params.timeout, Duration::from_secs(10));
        assert_eq!(m.walk_params.max_repetitions, 25);
        let a = m.auth.as_ref().unwrap();
        assert_eq!((a.version, a.username.as_str(), a.password.expose()), (3, "admin", "hunter22"));
        assert_eq!(m.metrics[0].indexes[0].kind, MetricType::Gauge);
        let shown = format!("{c:?}\n{}", c.to_yaml().unwrap());
        assert!(!shown.contains("hunter22") && !shown.contains("swordfish"), "{shown}");
        assert!(shown.contains("<secret>"));
    }

    #[test]
    fn split_format_and_errors_name_the_place() {
        let text = "auths:\n  v2:\n    community: s3cret\n    version: 2\nmodules:\n  m:\n    walk: [1.3.6.1.2.1.1]\n    metrics:\n    - name: x\n      oid: 1.3.6.1.2.1.1.3\n      type: gauge\n";
        let (c, f) = Config::parse(Path::new("a.yml"), text).unwrap();
        assert_eq!(f, Format::AuthsAndModules);
        assert_eq!(c.auths["v2"].community.expose(), "s3cret");
        assert!(!c.to_yaml().unwrap().contains("s3cret"));

        let bad = text.replace("type: gauge", "type: gauze");
        let e = Config::parse(Path::new("a.yml"), &bad).unwrap_err();
        assert_eq!(e.location.map(|l| l.0), Some(11), "{e}");
        assert!(e.message.contains("modules.m.metrics[0].type"), "{e}");
        assert!(e.to_string().starts_with("a.yml:11:"), "{e}");

        let bad = text.replace("version: 2", "version: 4");
        let e = Config::parse(Path::new("a.yml"), &bad).unwrap_err();
        assert!(e.message.contains("auths.v2") && e.message.contains("1, 2 or 3"), "{e}");

        let v3 = text
            .replace("community: s3cret", "username: ''\n    security_level: authNoPriv")
            .replace("version: 2", "version: 3");
        let e = Config::parse(Path::new("a.yml"), &v3).unwrap_err();
        assert!(e.message.contains("auths.v2: username is missing"), "{e}");
        assert_eq!(e.location, Some((2, 3)));
    }

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("5s"), Some(Duration::from_secs(5)));
        assert_eq!(parse_go_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_go_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_go_duration("1.5h"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_go_duration("5"), None);
        assert_eq!(parse_go_duration("s"), None);
        assert_eq!(parse_go_duration("99999999999999999999999h"), None);
        let huge = "auths: {}\nmodules:\n  m:\n    timeout: 1e300\n";
        assert!(Config::parse(Path::new("a.yml"), huge).unwrap_err().message.contains("not a duration"));
    }
}
