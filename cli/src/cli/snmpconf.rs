//! Net-SNMP's `snmp.conf`, read as its tools read it, so that users' defaults and
//! credentials carry over: `snmp.conf` then `snmp.local.conf` in each directory of
//! `SNMPCONFPATH` (by default `/etc/snmp`, `/usr/share/snmp`, the library directory's `snmp`
//! and `~/.snmp`), then `snmpapp.conf` and `snmpapp.local.conf` the same way; a later setting
//! replaces an earlier one. The command line wins over the environment (`MIBS`, `MIBDIRS`,
//! `MIBFILES`, `SNMPCTL_*`), which wins over the files, as for Net-SNMP.
//!
//! Tokens are matched without regard to case. A token Net-SNMP does not know gets its
//! warning, word for word; one it knows and snmpctl does not apply is named with its file and
//! line. A file that holds SNMPv3 passphrases or keys and that others can read gets a warning.

use super::snmp::{SecretArg, SnmpArgs, SnmpVersion};
use clap::parser::ValueSource;
use snmpctl::format::output::{OidFormat, OutputOptions};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The tokens snmpctl applies.
const APPLIED: &[&str] = &[
    "defversion",
    "defcommunity",
    "defsecurityname",
    "defsecuritylevel",
    "defcontext",
    "defsecuritymodel",
    "defauthtype",
    "defprivtype",
    "defpassphrase",
    "defauthpassphrase",
    "defprivpassphrase",
    "defauthmasterkey",
    "defprivmasterkey",
    "defauthlocalizedkey",
    "defprivlocalizedkey",
    "defaultport",
    "timeout",
    "retries",
    "mibs",
    "mibdirs",
    "mibfile",
    "showmiberrors",
    "printnumericoids",
    "printnumericenums",
    "dontbreakdownoids",
    "escapequotes",
    "quickprinting",
    "printvalueonly",
    "dontprintunits",
    "numerictimeticks",
    "printhextext",
    "suffixprinting",
    "oidoutputformat",
    "extendedindex",
    "notokenwarnings",
];

/// Tokens of snmp.conf(5) that Net-SNMP knows and snmpctl does not apply.
const NOT_APPLIED: &[&str] = &[
    "defdomain",
    "deftarget",
    "transport",
    "alias",
    "dumppacket",
    "dodebugging",
    "debugtokens",
    "debugloglevel",
    "16bitids",
    "clientaddr",
    "clientaddrusesport",
    "clientrecvbuf",
    "clientsendbuf",
    "norangecheck",
    "reverseencodeber",
    "dontloadhostconfig",
    "disablesnmpv1",
    "disablesnmpv2c",
    "disablesnmpv3",
    "sshtosnmpsocket",
    "sshtosnmpsocketperms",
    "sshusername",
    "sshpubkey",
    "sshprivkey",
    "persistentdir",
    "nopersistentload",
    "nopersistentsave",
    "tempfilepattern",
    "serverrecvbuf",
    "serversendbuf",
    "sourcefiltertype",
    "sourcefilteraddress",
    "commenttoeol",
    "strictcommentterm",
    "miballowunderline",
    "mibwarninglevel",
    "mibreplacewithlatest",
    "logtimestamp",
    "hexoutputlength",
    "nodisplayhint",
    "outputprecision",
    "defsecurityengineid",
];

/// Tokens whose values are secrets: never shown, and their files checked for who can read them.
const SECRETS: &[&str] = &[
    "defpassphrase",
    "defauthpassphrase",
    "defprivpassphrase",
    "defauthmasterkey",
    "defprivmasterkey",
    "defauthlocalizedkey",
    "defprivlocalizedkey",
];

/// Where a setting was read.
#[derive(Debug, Clone)]
pub struct Origin {
    pub file: PathBuf,
    pub line: usize,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: line {}", self.file.display(), self.line)
    }
}

/// What the files say.
#[derive(Default)]
pub struct Conf {
    /// The last value of each applied token (lower case), where it was read, and when (a
    /// count of the settings read before it).
    values: HashMap<&'static str, (String, Origin, usize)>,
    /// `mibs` and `mibdirs`, with Net-SNMP's `+` (append) and `-` (prepend) applied in order.
    mibs: Option<String>,
    mibdirs: Option<String>,
    /// What to say on stderr: unknown and unapplied tokens, bad values, readable secrets.
    pub warnings: Vec<String>,
    /// Errors (a `[type]` Net-SNMP does not know), counted as Net-SNMP counts them.
    errors: usize,
    /// Settings read so far, to order them.
    seq: usize,
}

impl std::fmt::Debug for Conf {
    // Values may be passphrases: only the tokens are shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut tokens: Vec<&&str> = self.values.keys().collect();
        tokens.sort();
        f.debug_struct("Conf").field("tokens", &tokens).finish_non_exhaustive()
    }
}

/// The directories searched: `SNMPCONFPATH`, or Net-SNMP's default.
pub fn search_path() -> Vec<PathBuf> {
    if let Some(path) = std::env::var_os("SNMPCONFPATH") {
        return std::env::split_paths(&path).filter(|p| !p.as_os_str().is_empty()).collect();
    }
    let mut dirs: Vec<PathBuf> = vec![
        "/etc/snmp".into(),
        "/usr/share/snmp".into(),
        format!("/usr/lib/{}-linux-gnu/snmp", std::env::consts::ARCH).into(),
        "/usr/lib/snmp".into(),
    ];
    dirs.extend(std::env::var_os("HOME").map(|h| Path::new(&h).join(".snmp")));
    dirs
}

/// The files read, in order (in the directories that exist).
pub fn files(dirs: &[PathBuf]) -> Vec<PathBuf> {
    // One look per directory rather than four opens in each that is not there (most of the
    // default path, usually): this runs at the start of every command.
    let dirs: Vec<&PathBuf> = dirs.iter().filter(|d| d.is_dir()).collect();
    let mut out = Vec::new();
    for kind in ["snmp", "snmpapp"] {
        for dir in &dirs {
            out.push(dir.join(format!("{kind}.conf")));
            out.push(dir.join(format!("{kind}.local.conf")));
        }
    }
    out
}

/// The process's configuration, read once.
pub fn get() -> &'static Conf {
    static CONF: OnceLock<Conf> = OnceLock::new();
    CONF.get_or_init(|| {
        let conf = Conf::read(&files(&search_path()));
        for w in &conf.warnings {
            eprintln!("{w}");
        }
        conf
    })
}

/// A Net-SNMP boolean: `1|yes|true` or `0|no|false`.
fn boolean(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "yes" | "true" => Some(true),
        "0" | "no" | "false" => Some(false),
        _ => None,
    }
}

/// A token's value as Net-SNMP takes a string: a quoted word unquoted, else the rest of the line.
fn unquote(value: &str) -> String {
    let Some(rest) = value.strip_prefix('"') else { return value.to_owned() };
    let mut out = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

/// A list setting with Net-SNMP's `+` (after the current list) and `-` (before it).
fn merge(current: Option<String>, value: &str) -> String {
    match (current, value.chars().next()) {
        (Some(c), Some('+')) => format!("{c}:{}", &value[1..]),
        (Some(c), Some('-')) => format!("{}:{c}", &value[1..]),
        // The first list with `+` or `-` adds to snmpctl's default.
        (None, Some('-')) => format!("+{}", &value[1..]),
        _ => value.to_owned(),
    }
}

impl Conf {
    /// Reads `files` in order; a file that is not there is skipped, as Net-SNMP skips it.
    pub fn read(files: &[PathBuf]) -> Conf {
        let mut conf = Conf::default();
        for file in files {
            let Ok(bytes) = std::fs::read(file) else { continue };
            let app = file.file_name().is_some_and(|n| n.to_string_lossy().starts_with("snmpapp."));
            conf.read_text(file, &String::from_utf8_lossy(&bytes), app);
        }
        if conf.errors > 0 {
            conf.warnings.push(format!("snmpctl: {} error(s) in config file(s)", conf.errors));
        }
        if conf.flag("notokenwarnings") == Some(true) {
            conf.warnings.retain(|w| !w.contains(": Warning: Unknown token: "));
        }
        conf
    }

    /// Reads one file; `app` for snmpapp.conf, whose lines are snmp.conf's only after `[snmp]`.
    fn read_text(&mut self, file: &Path, text: &str, app: bool) {
        // `[snmp]` on a line of its own switches the type of what follows; `[snmp] token`
        // applies to one line. snmp lines are ours; snmpapp lines hold no token snmpctl's
        // commands (or Net-SNMP's) know; another type is an error, as for Net-SNMP's tools.
        let mut ours = !app;
        let mut secrets: Vec<&'static str> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = || format!("{}: line {}", file.display(), i.saturating_add(1));
            let mut rest = line;
            let mut this_line = ours;
            if let Some(after) = line.strip_prefix('[') {
                let Some((kind, tail)) = after.split_once(']') else { continue };
                let kind = kind.trim();
                if !matches!(kind, "snmp" | "snmpapp") {
                    self.errors = self.errors.saturating_add(1);
                    self.warnings.push(format!("{}: Error: No handlers regestered for type {kind}.", at()));
                    continue;
                }
                if tail.trim().is_empty() {
                    ours = kind == "snmp";
                    continue;
                }
                this_line = kind == "snmp";
                rest = tail.trim();
            }
            if !this_line {
                let token = rest.split_whitespace().next().unwrap_or(rest);
                self.warnings.push(format!("{}: Warning: Unknown token: {token}.", at()));
                continue;
            }
            let origin = Origin { file: file.to_path_buf(), line: i.saturating_add(1) };
            let (token, value) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let value = value.trim();
            let lower = token.to_ascii_lowercase();
            if let Some(&known) = APPLIED.iter().find(|t| **t == lower) {
                if SECRETS.contains(&known) && !secrets.contains(&known) {
                    secrets.push(known);
                }
                match known {
                    "mibs" => self.mibs = Some(merge(self.mibs.take(), value)),
                    "mibdirs" => self.mibdirs = Some(merge(self.mibdirs.take(), value)),
                    _ => {}
                }
                self.seq = self.seq.saturating_add(1);
                self.values.insert(known, (unquote(value), origin, self.seq));
            } else if NOT_APPLIED.contains(&lower.as_str()) {
                self.warnings.push(format!(
                    "snmpctl: {origin}: {token} is a Net-SNMP setting snmpctl does not apply; ignored"
                ));
            } else {
                // Net-SNMP's own words.
                self.warnings.push(format!("{origin}: Warning: Unknown token: {token}."));
            }
        }
        if !secrets.is_empty() {
            self.check_readers(file, &secrets);
        }
    }

    /// Warns when a file with secrets can be read by its group or by anyone.
    #[cfg(unix)]
    fn check_readers(&mut self, file: &Path, secrets: &[&str]) {
        use std::os::unix::fs::PermissionsExt as _;
        let Ok(meta) = std::fs::metadata(file) else { return };
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o044 != 0 {
            self.warnings.push(format!(
                "snmpctl: warning: {} holds SNMPv3 secrets ({}) and others can read it (mode {mode:04o}): chmod 600 {}",
                file.display(),
                secrets.join(", "),
                file.display()
            ));
        }
    }

    #[cfg(not(unix))]
    fn check_readers(&mut self, _file: &Path, _secrets: &[&str]) {}

    /// A token's value.
    pub fn value(&self, token: &str) -> Option<&str> {
        self.values.get(token).map(|(v, ..)| v.as_str())
    }

    fn origin(&self, token: &str) -> Option<&Origin> {
        self.values.get(token).map(|(_, o, _)| o)
    }

    /// A boolean token: `Some` when set to a valid boolean.
    fn flag(&self, token: &str) -> Option<bool> {
        self.value(token).and_then(boolean)
    }

    /// `mibs`, merged.
    pub fn mibs(&self) -> Option<&str> {
        self.mibs.as_deref()
    }

    /// Where the last `mibs` was read.
    pub fn mibs_origin(&self) -> Option<&Origin> {
        self.origin("mibs")
    }

    /// `mibdirs`, merged.
    pub fn mibdirs(&self) -> Option<&str> {
        self.mibdirs.as_deref()
    }

    /// `showMibErrors` (shown unless set false).
    pub fn show_mib_errors(&self) -> bool {
        self.flag("showmiberrors").unwrap_or(true)
    }

    /// Applies the output tokens to `options` parsed from `-O`. They are read after the
    /// command line, as Net-SNMP's tools read them, so they win over `-O` (`quickPrinting no`
    /// turns `-Oq` off; `oidOutputFormat 3` beats `-On`).
    pub fn override_output(&self, o: &mut OutputOptions<'_>) {
        for (token, field) in [
            ("printnumericenums", &mut o.numeric_enums),
            ("dontbreakdownoids", &mut o.no_index_breakdown),
            ("escapequotes", &mut o.escape_quotes),
            ("quickprinting", &mut o.quick),
            ("printvalueonly", &mut o.value_only),
            ("dontprintunits", &mut o.no_units),
            ("numerictimeticks", &mut o.raw_timeticks),
            ("printhextext", &mut o.hex_text),
            ("extendedindex", &mut o.extended_index),
        ] {
            if let Some(v) = self.flag(token) {
                *field = v;
            }
        }
        let styles =
            [OidFormat::Suffix, OidFormat::Module, OidFormat::Full, OidFormat::Numeric, OidFormat::Ucd];
        let number = |token: &str| self.value(token).and_then(|v| v.parse::<usize>().ok());
        let seq = |token: &str| self.values.get(token).map_or(0, |(.., n)| *n);
        let by_format = number("oidoutputformat").and_then(|i| styles.get(i.checked_sub(1)?).copied());
        let by_suffix = match number("suffixprinting") {
            Some(1) => Some(OidFormat::Suffix),
            Some(2) => Some(OidFormat::Module),
            _ => None,
        };
        // printNumericOids yes, oidOutputFormat and suffixPrinting each set the style where
        // they are read: the last of them wins.
        let by_numeric = (self.flag("printnumericoids") == Some(true)).then_some(OidFormat::Numeric);
        let chosen = [
            (by_numeric, seq("printnumericoids")),
            (by_format, seq("oidoutputformat")),
            (by_suffix, seq("suffixprinting")),
        ]
        .into_iter()
        .filter_map(|(style, at)| style.map(|s| (at, s)))
        .max_by_key(|(at, _)| *at);
        if let Some((_, style)) = chosen {
            o.oid_format = style;
        }
    }

    /// Fills what the command line and the environment left at its default in `snmp` from
    /// the files (`matches`: the subcommand's, which say where each value came from).
    pub fn apply(&self, snmp: &mut SnmpArgs, matches: &clap::ArgMatches) -> anyhow::Result<()> {
        let unset = |id: &str| {
            matches.try_get_raw(id).is_ok()
                && matches!(matches.value_source(id), None | Some(ValueSource::DefaultValue))
        };
        let bad = |token: &str, what: &str| {
            let at = self.origin(token).map(ToString::to_string).unwrap_or_default();
            anyhow::anyhow!("{at}: {token}: {what}")
        };
        if unset("snmp_version")
            && let Some(v) = self.value("defversion")
        {
            snmp.snmp_version = match v {
                "1" => SnmpVersion::V1,
                "2c" | "2" => SnmpVersion::V2c,
                "3" => SnmpVersion::V3,
                other => return Err(bad("defVersion", &format!("{other:?} is not 1, 2c or 3"))),
            };
        }
        if unset("community")
            && let Some(c) = self.value("defcommunity")
        {
            snmp.community = c.to_owned();
        }
        if unset("context")
            && let Some(c) = self.value("defcontext")
        {
            snmp.context = c.to_owned();
        }
        if unset("timeout")
            && let Some(t) = self.value("timeout")
        {
            snmp.timeout =
                t.parse().map_err(|_| bad("timeout", &format!("{t:?} is not a number of seconds")))?;
        }
        if unset("retries")
            && let Some(r) = self.value("retries")
        {
            snmp.retries = r.parse().map_err(|_| bad("retries", &format!("{r:?} is not a number")))?;
        }
        if let Some(p) = self.value("defaultport") {
            snmp.default_port = p.parse().map_err(|_| bad("defaultPort", &format!("{p:?} is not a port")))?;
        }
        if let Some(m) = self.value("defsecuritymodel")
            && !m.eq_ignore_ascii_case("usm")
        {
            return Err(bad(
                "defSecurityModel",
                &format!("{m:?}: snmpctl speaks the user-based model (usm) only"),
            ));
        }
        let keys = &mut snmp.keys;
        if keys.user.is_none() {
            keys.user = self.value("defsecurityname").map(str::to_owned);
        }
        if keys.level.is_none()
            && let Some(l) = self.value("defsecuritylevel")
        {
            keys.level = Some(l.parse().map_err(|e| bad("defSecurityLevel", &format!("{e}")))?);
        }
        if keys.auth_protocol.is_none()
            && let Some(a) = self.value("defauthtype")
        {
            keys.auth_protocol = Some(a.parse().map_err(|e| bad("defAuthType", &format!("{e}")))?);
        }
        if keys.priv_protocol.is_none()
            && let Some(x) = self.value("defprivtype")
        {
            keys.priv_protocol = Some(x.parse().map_err(|e| bad("defPrivType", &format!("{e}")))?);
        }
        let secret = |token: &str| self.value(token).map(|v| SecretArg::from(v.to_owned()));
        if !keys.any_key() {
            keys.auth_password = secret("defauthpassphrase").or_else(|| secret("defpassphrase"));
            if keys.auth_password.is_none() {
                keys.auth_master_key = secret("defauthmasterkey");
            }
            if keys.auth_password.is_none() && keys.auth_master_key.is_none() {
                keys.auth_localized_key = secret("defauthlocalizedkey");
            }
        }
        if !keys.any_priv_key() {
            keys.priv_password = secret("defprivpassphrase").or_else(|| secret("defpassphrase"));
            if keys.priv_password.is_none() {
                keys.priv_master_key = secret("defprivmasterkey");
            }
            if keys.priv_password.is_none() && keys.priv_master_key.is_none() {
                keys.priv_localized_key = secret("defprivlocalizedkey");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(text: &str) -> Conf {
        let mut c = Conf::default();
        c.read_text(Path::new("/x/snmp.conf"), text, false);
        c
    }

    #[test]
    fn tokens_values_and_warnings() {
        let c = conf(
            "# a comment\n  defCommunity  s3cret word \nDEFVERSION 1\nfooBar 1\nclientaddr 10.0.0.1\n\
             defAuthPassphrase \"two words\"\n[snmpapp]\nrocommunity x\n[snmp]\nquickPrinting yes\n\
             [snmpd] defContext no\nprintNumericOids 0\noidOutputFormat 3\n",
        );
        assert_eq!(c.value("defcommunity"), Some("s3cret word"));
        assert_eq!(c.value("defversion"), Some("1"));
        assert_eq!(c.value("defauthpassphrase"), Some("two words"));
        assert_eq!(c.value("defcontext"), None);
        let mut o = OutputOptions::parse("nQ").unwrap();
        c.override_output(&mut o);
        assert!(o.quick && o.quick_equals);
        assert_eq!(o.oid_format, OidFormat::Full);
        assert_eq!(
            c.warnings,
            [
                "/x/snmp.conf: line 4: Warning: Unknown token: fooBar.",
                "snmpctl: /x/snmp.conf: line 5: clientaddr is a Net-SNMP setting snmpctl does not apply; ignored",
                "/x/snmp.conf: line 8: Warning: Unknown token: rocommunity.",
                "/x/snmp.conf: line 11: Error: No handlers regestered for type snmpd.",
            ]
        );
        assert!(!format!("{c:?}").contains("two words"), "no secret in Debug");
    }

    #[test]
    fn lists_merge_as_net_snmp_merges_them() {
        let c = conf("mibs :\nmibdirs /a\nmibdirs +/b\nmibdirs -/c\n");
        assert_eq!(c.mibs(), Some(":"));
        assert_eq!(c.mibdirs(), Some("/c:/a:/b"));
        let c = conf("mibs +IF-MIB\nmibs +FOO-MIB\n");
        assert_eq!(c.mibs(), Some("+IF-MIB:FOO-MIB"));
    }
}
