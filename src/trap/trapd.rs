//! snmptrapd.conf as snmptrapd reads it: who may send, and what each notification may trigger
//! (log, execute, net), by VACM as snmptrapd applies it ([`vacm`]: `authCommunity`, `authUser`,
//! `authGroup`, `authAccess`, `setAccess`, `com2sec`, `group`, `access`, `view`,
//! `disableAuthorization`); the users (`createUser`), the handlers (`traphandle`), forwarding
//! and the listener's settings, so that an existing configuration carries over.
//!
//! ```
//! use snmpctl::trap::trapd::{Action, TrapdConfig};
//! let text = "authCommunity log,execute public 127.0.0.0/8\n\
//!             traphandle .1.3.6.1.6.3.1.1.5.3 /usr/local/bin/link-down --page\n\
//!             traphandle default /usr/bin/logger -t trap\n";
//! let config = TrapdConfig::parse(text, "snmptrapd.conf", &|name| name.parse().map_err(|e| format!("{e}")));
//! assert!(config.ignored.is_empty());
//! let link_down = "1.3.6.1.6.3.1.1.5.3".parse()?;
//! let from = "127.0.0.1:40000".parse().unwrap();
//! let v2c = snmpctl::msg::Version::V2c;
//! let allowed = config.permitted_community(v2c, b"public", from, Some(&link_down));
//! assert!(allowed.log && allowed.execute && !allowed.net);
//! assert!(!config.permitted_community(v2c, b"private", from, Some(&link_down)).log);
//! let handlers: Vec<_> = config.handlers_for(Some(&link_down)).map(|h| h.program.as_str()).collect();
//! assert_eq!(handlers, ["/usr/local/bin/link-down"]);
//! # let _ = Action::Log;
//! # Ok::<(), snmpctl::value::OidError>(())
//! ```
//!
//! As in snmptrapd since 5.3, with a configuration and no `disableAuthorization yes`, a
//! notification is processed only as far as its access entry's views hold its snmpTrapOID
//! (snmptrapd matches only that, not the payload). Directives are read whatever their case, as
//! snmptrapd reads them. A directive snmpctl does not apply is listed in
//! [`TrapdConfig::ignored`] with its file, line and why; so is a line that cannot be used.

pub mod vacm;

use super::TrapUser;
use crate::usm::SecurityLevel;
use crate::value::Oid;
use std::net::{IpAddr, SocketAddr};

/// What a notification may trigger.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Permitted {
    /// Be logged.
    pub log: bool,
    /// Run the `traphandle` programs.
    pub execute: bool,
    /// Be forwarded.
    pub net: bool,
}

impl Permitted {
    /// Everything (`disableAuthorization yes`, or no configuration).
    pub const ALL: Permitted = Permitted { log: true, execute: true, net: true };

    /// Whether anything at all is permitted.
    pub fn any(self) -> bool {
        self.log || self.execute || self.net
    }
}

/// One kind of processing, as the TYPES of a rule name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `log`.
    Log,
    /// `execute`.
    Execute,
    /// `net`.
    Net,
}

/// Where a rule applies: `default` (anywhere), or an address with a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Any sender.
    Any,
    /// Senders in this network.
    Net(IpAddr, u8),
}

impl Source {
    fn parse(text: &str) -> Result<Source, String> {
        if text == "default" {
            return Ok(Source::Any);
        }
        let (addr, bits) = match text.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (text, None),
        };
        let ip: IpAddr = addr
            .parse()
            .map_err(|_| format!("source {text:?}: an address, a network (10.0.0.0/8) or default"))?;
        let max: u8 = if ip.is_ipv4() { 32 } else { 128 };
        let prefix = match bits {
            None => max,
            Some(b) => match (b.parse::<u8>(), b.parse::<std::net::Ipv4Addr>()) {
                (Ok(n), _) if n <= max => n,
                (_, Ok(mask)) if ip.is_ipv4() => {
                    let m = u32::from(mask);
                    if m.leading_ones().saturating_add(m.trailing_zeros()) != 32 {
                        return Err(format!("source {text:?}: the mask is not contiguous"));
                    }
                    u8::try_from(m.leading_ones()).unwrap_or(32)
                }
                _ => return Err(format!("source {text:?}: bad prefix length or mask")),
            },
        };
        if let IpAddr::V4(v4) = ip
            && u32::from(v4) & u32::MAX.checked_shr(u32::from(prefix)).unwrap_or(0) != 0
        {
            // Net-SNMP refuses an IPv4 network with bits outside its mask.
            return Err(format!("source {text:?}: the address has bits outside the mask"));
        }
        Ok(Source::Net(ip, prefix))
    }

    /// Whether `addr` is in it.
    pub fn contains(&self, addr: IpAddr) -> bool {
        let addr = match addr {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 => v4,
        };
        match (*self, addr) {
            (Source::Any, _) => true,
            (Source::Net(IpAddr::V4(net), bits), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32u32.saturating_sub(u32::from(bits))).unwrap_or(0);
                u32::from(net) & mask == u32::from(a) & mask
            }
            (Source::Net(IpAddr::V6(net), bits), IpAddr::V6(a)) => {
                let mask = u128::MAX.checked_shl(128u32.saturating_sub(u32::from(bits))).unwrap_or(0);
                u128::from(net) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// Which notifications a `traphandle` (or `forward`) line is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// `default`: those no OID-specific line matches.
    Default,
    /// `OID`: that snmpTrapOID exactly.
    Exact(Oid),
    /// `OID*`: that OID and everything below it.
    Subtree(Oid),
    /// `OID.*`: everything strictly below it.
    Below(Oid),
}

impl Match {
    fn parse(text: &str, resolve: &dyn Fn(&str) -> Result<Oid, String>) -> Result<Match, String> {
        if text == "default" {
            return Ok(Match::Default);
        }
        if let Some(root) = text.strip_suffix(".*") {
            return resolve(root).map(Match::Below);
        }
        if let Some(root) = text.strip_suffix('*') {
            return resolve(root).map(Match::Subtree);
        }
        resolve(text).map(Match::Exact)
    }

    /// Whether the OID-specific form matches `oid` (`Default` never does here).
    pub fn matches(&self, oid: &Oid) -> bool {
        match self {
            Match::Default => false,
            Match::Exact(o) => o == oid,
            Match::Subtree(root) => oid.starts_with(root),
            Match::Below(root) => oid.starts_with(root) && oid.len() > root.len(),
        }
    }
}

/// One `traphandle [-F FORMAT] OID|default COMMAND` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handler {
    /// Which notifications it runs for.
    pub matches: Match,
    /// The command as written, the rest of the line: `/bin/sh -c` runs it, as snmptrapd's
    /// popen(3) does, so quotes, `$VARIABLES`, pipes and redirections mean what they mean there.
    pub command: String,
    /// The command's first word, to name it in messages.
    pub program: String,
    /// `-F FORMAT`: what the command reads instead of the `format execute` text. snmptrapd
    /// formats it from the notification in SNMPv2 form ([`crate::trap::Notification::as_v2`]).
    pub format: Option<crate::format::trap_format::TrapFormat>,
    /// Where it was read: `file:line`.
    pub at: String,
}

/// One `forward` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forward {
    /// Which notifications it forwards.
    pub matches: Match,
    /// Where to: `[udp:|tcp:|udp6:|tcp6:]host[:port]`, port 162 by default.
    pub destination: String,
    /// Where it was read: `file:line`.
    pub at: String,
}

/// A line snmpctl does not apply, or applies only in part (as snmptrapd does), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignored {
    /// `file:line`.
    pub at: String,
    /// The directive.
    pub directive: String,
    /// Why.
    pub why: String,
    /// Whether the line was applied all the same, but for what `why` names.
    pub applied: bool,
}

impl std::fmt::Display for Ignored {
    /// `FILE:LINE: DIRECTIVE: WHY; ignored` (or `…; applied`, for a line that still was).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let outcome = if self.applied { "applied" } else { "ignored" };
        write!(f, "{}: {}: {}; {outcome}", self.at, self.directive, self.why)
    }
}

/// What snmptrapd.conf files say.
#[derive(Debug, Default)]
pub struct TrapdConfig {
    /// `createUser` lines.
    pub users: Vec<TrapUser>,
    /// The access control tables the lines fill (VACM, as snmptrapd applies it).
    pub vacm: vacm::Vacm,
    /// `disableAuthorization yes`: everything is permitted.
    pub disable_authorization: bool,
    /// `traphandle` lines, in order.
    pub handlers: Vec<Handler>,
    /// `forward` lines, in order.
    pub forwards: Vec<Forward>,
    /// `addForwarderInfo yes`: a forwarded notification carries snmpTrapAddress.x, the IPv4
    /// address it came from (x the lowest index the payload does not use).
    pub add_forwarder_info: bool,
    /// `doNotLogTraps N`, N a number above 0: as in snmptrapd 5.9, only what it sends to
    /// syslog when it has no `-L` option stops (`snmpctl listen --syslog-traps`); the log
    /// (`-L` targets) is written all the same. snmptrapd reads the word as a number, so
    /// `doNotLogTraps yes` changes nothing (and is reported as not applied).
    pub do_not_log: bool,
    /// `ignoreAuthFailure yes`: SNMPv1 authenticationFailure Traps (generic-trap 4) are not
    /// logged; as in snmptrapd 5.9, an SNMPv2 authenticationFailure still is.
    pub ignore_auth_failure: bool,
    /// `snmpTrapdAddr` addresses, in order.
    pub listen: Vec<String>,
    /// `outputOption` letters, in order.
    pub output_options: String,
    /// The log format for v1 Traps (`format1`, `format print1`, `format print`).
    pub print1: Option<String>,
    /// The log format for SNMPv2 notifications (`format2`, `format print2`, `format print`).
    pub print2: Option<String>,
    /// The syslog line for v1 Traps when snmptrapd logs with no `-L` option (`format syslog1`,
    /// `format syslog`).
    pub syslog1: Option<String>,
    /// The same for SNMPv2 notifications (`format syslog2`, `format syslog`).
    pub syslog2: Option<String>,
    /// What traphandle programs read for v1 Traps (`format execute1`, `format execute`).
    pub execute1: Option<String>,
    /// What traphandle programs read for SNMPv2 notifications (`format execute2`, `format execute`).
    pub execute2: Option<String>,
    /// `engineID TEXT` (Net-SNMP's text form: 80 00 1f 88 04 and the text) or `exactEngineID`:
    /// the receiver's engine ID, which v3 Informs are sent to.
    pub engine_id: Option<Vec<u8>>,
    /// `oldEngineID`, from snmptrapd's persistent store (/var/lib/snmp/snmptrapd.conf): the
    /// engine ID snmptrapd made for itself, which it keeps when the files set none.
    pub old_engine_id: Option<Vec<u8>>,
    /// Lines not applied, or applied in part as snmptrapd applies them ([`Ignored::applied`]),
    /// with why.
    pub ignored: Vec<Ignored>,
}

/// generic-trap authenticationFailure (RFC 1157).
const AUTHENTICATION_FAILURE_GENERIC: i64 = 4;

fn boolean(word: Option<&String>) -> Option<bool> {
    match word.map(|w| w.to_ascii_lowercase()).as_deref() {
        None | Some("1" | "yes" | "true") => Some(true),
        Some("0" | "no" | "false") => Some(false),
        _ => None,
    }
}

impl TrapdConfig {
    /// Reads one file's text into a configuration (see [`TrapdConfig::add`]).
    pub fn parse(text: &str, file: &str, resolve: &dyn Fn(&str) -> Result<Oid, String>) -> TrapdConfig {
        let mut c = TrapdConfig::default();
        c.add(text, file, resolve);
        c
    }

    /// Adds one file's directives; `resolve` turns an OID or a name in the file into an OID.
    pub fn add(&mut self, text: &str, file: &str, resolve: &dyn Fn(&str) -> Result<Oid, String>) {
        for (n, raw) in text.lines().enumerate() {
            let at = format!("{file}:{}", n.saturating_add(1));
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let words = super::config_words(line);
            let Some(directive) = words.first().cloned() else { continue };
            let rest = words.get(1..).unwrap_or(&[]);
            match self.directive(&directive, rest, line, &at, resolve) {
                Ok(notes) => {
                    for why in notes {
                        let (at, directive) = (at.clone(), directive.clone());
                        self.ignored.push(Ignored { at, directive, why, applied: true });
                    }
                }
                Err(why) => self.ignored.push(Ignored { at, directive, why, applied: false }),
            }
        }
    }

    fn directive(
        &mut self,
        directive: &str,
        rest: &[String],
        line: &str,
        at: &str,
        resolve: &dyn Fn(&str) -> Result<Oid, String>,
    ) -> Result<Vec<String>, String> {
        let flag = || boolean(rest.first()).ok_or_else(|| "expects yes or no".to_string());
        // snmptrapd matches directives whatever their case.
        let lowered = directive.to_ascii_lowercase();
        match lowered.as_str() {
            "authcommunity" => return self.vacm.shorthand(vacm::Shorthand::Community, rest, resolve),
            "authuser" => return self.vacm.shorthand(vacm::Shorthand::User, rest, resolve),
            // snmptrapd 5.9 takes GROUP as a group only when the line says `authgroup`, in
            // lower case (it compares the word as written); otherwise it is authUser's USER.
            "authgroup" if directive == "authgroup" => {
                return self.vacm.shorthand(vacm::Shorthand::Group, rest, resolve);
            }
            "authgroup" => {
                let mut notes = self.vacm.shorthand(vacm::Shorthand::User, rest, resolve)?;
                notes.push(format!(
                    "snmptrapd 5.9 reads {directive} as authUser (only `authgroup`, in lower case, names a \
                     group), so the GROUP is taken as a user name, here as there; write authgroup"
                ));
                return Ok(notes);
            }
            "authaccess" => return self.vacm.auth_access(rest),
            "setaccess" => self.vacm.set_access(rest)?,
            "access" => self.vacm.access_line(rest)?,
            "group" => self.vacm.group(rest)?,
            "com2sec" => self.vacm.com2sec(rest, false)?,
            "com2sec6" => self.vacm.com2sec(rest, true)?,
            "disableauthorization" => self.disable_authorization = flag()?,
            "donotlogtraps" => {
                // snmptrapd 5.9 reads the value with atoi(): only a number above 0 counts.
                let word = rest.first().map_or("", String::as_str);
                let digits = word.trim_start_matches(['+', '-']);
                let digits = &digits[..digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len())];
                let number = digits.parse::<u64>().unwrap_or(if digits.is_empty() { 0 } else { u64::MAX });
                self.do_not_log = number > 0 && !word.starts_with('-');
                if digits.is_empty() {
                    return Err(format!(
                        "snmptrapd reads a number here, so {word:?} turns nothing off; doNotLogTraps 1 \
                         stops what it sends to syslog without -L (--syslog-traps)"
                    ));
                }
            }
            "ignoreauthfailure" => self.ignore_auth_failure = flag()?,
            "donotretainnotificationlogs" | "donotfork" => {
                // snmpctl keeps no NOTIFICATION-LOG-MIB table and never forks: nothing to do.
                flag()?;
            }
            // A user from a createUser line, or from a usmUser line of snmptrapd's persistent
            // store (keys localized, passwords gone).
            "createuser" | "usmuser" => {
                let mut user = if lowered == "createuser" {
                    super::users::create_user(rest)
                } else {
                    super::users::usm_user(rest)
                }?;
                // What a user may trigger, and at which level, is the authUser rules' to say.
                user.min_level = SecurityLevel::NoAuthNoPriv;
                self.users.push(user);
            }
            "traphandle" => {
                let (format, skip) = format_option(rest)?;
                let target = rest.get(skip).ok_or("needs an OID (or default) and a COMMAND")?;
                let command = rest_of(line, skip.saturating_add(2));
                let program = super::users::next_word(&command).map(|(w, _)| w).ok_or("needs a COMMAND")?;
                let matches = Match::parse(target, resolve)?;
                let format = format.map(|f| crate::format::trap_format::TrapFormat::parse(&f));
                self.handlers.push(Handler { matches, command, program, format, at: at.to_owned() });
            }
            "snmptrapdaddr" => {
                let list = line.split_once(char::is_whitespace).map_or("", |(_, r)| r.trim());
                self.listen
                    .extend(list.split(',').map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned));
            }
            "outputoption" => self.output_options.push_str(rest.first().map_or("", String::as_str)),
            "forward" => {
                // snmptrapd reads a `-F FORMAT` here too, and forwards the message unformatted.
                let (_, skip) = format_option(rest)?;
                let target = rest.get(skip).ok_or("needs an OID (or default) and a DESTINATION")?;
                let destination = rest.get(skip.saturating_add(1)).ok_or("needs a DESTINATION")?;
                let matches = Match::parse(target, resolve)?;
                self.forwards.push(Forward { matches, destination: destination.clone(), at: at.to_owned() });
            }
            "addforwarderinfo" => self.add_forwarder_info = flag()?,
            "format1" | "format2" => {
                let fmt = rest_of(line, 1);
                if directive.eq_ignore_ascii_case("format1") {
                    self.print1 = Some(fmt)
                } else {
                    self.print2 = Some(fmt)
                }
            }
            "format" => {
                let destination = rest.first().ok_or("needs a DESTINATION and a FORMAT")?;
                let fmt = rest_of(line, 2);
                let (one, two) = match destination.as_str() {
                    "print" => (&mut self.print1, Some(&mut self.print2)),
                    "print1" => (&mut self.print1, None),
                    "print2" => (&mut self.print2, None),
                    "execute" => (&mut self.execute1, Some(&mut self.execute2)),
                    "execute1" => (&mut self.execute1, None),
                    "execute2" => (&mut self.execute2, None),
                    "syslog" => (&mut self.syslog1, Some(&mut self.syslog2)),
                    "syslog1" => (&mut self.syslog1, None),
                    "syslog2" => (&mut self.syslog2, None),
                    other => {
                        return Err(format!("{other:?} is not print, print1, print2, syslog…, execute…"));
                    }
                };
                match two {
                    Some(two) => {
                        *one = Some(fmt.clone());
                        *two = Some(fmt);
                    }
                    None => *one = Some(fmt),
                }
            }
            "logoption" => {
                return Err("snmptrapd 5.9 logs nowhere new for it (its log targets are set before the \
                            file is read); give the target on the command line (-Lf FILE, -Ls d, -Lo)"
                    .into());
            }
            "view" => {
                let name = rest.first().ok_or("needs a NAME, included or excluded, and a SUBTREE")?;
                let included = rest.get(1).ok_or("needs included or excluded, and a SUBTREE")?;
                let subtree = resolve(rest.get(2).ok_or("needs a SUBTREE")?.trim_end_matches('.'))?;
                self.vacm.view(name, included, &subtree, rest.get(3..).unwrap_or(&[]))?;
            }
            "engineid" => {
                let text = rest_of(line, 1);
                if text.is_empty() {
                    return Err("needs a TEXT".into());
                }
                // Net-SNMP's enterprise (8072) with the top bit set, format 4 (text), the text.
                let mut id = vec![0x80, 0x00, 0x1f, 0x88, 0x04];
                id.extend_from_slice(text.as_bytes());
                self.engine_id = Some(engine_id(id)?);
            }
            "exactengineid" => self.engine_id = Some(engine_id(octet_string(&rest_of(line, 1))?)?),
            "oldengineid" => self.old_engine_id = Some(engine_id(octet_string(&rest_of(line, 1))?)?),
            "engineidtype" | "engineidnic" => {
                return Err("an engine ID from this host's address is not made; give engineID TEXT or \
                            exactEngineID (or listen --engine-id)"
                    .into());
            }
            "engineboots" => return Err("snmpctl counts its engine's boots in its state directory".into()),
            "vacmview" | "vacmgroup" | "vacmaccess" | "vacmauthaccess" => {
                return Err("a line of snmptrapd's persistent store (/var/lib/snmp); write it as \
                            view, group or authAccess"
                    .into());
            }
            "perl" => return Err("embedded Perl is not supported".into()),
            "sqlmaxqueue" | "sqlsaveinterval" => return Err("MySQL logging is not supported".into()),
            "pidfile" => return Err("not supported; the service manager keeps the process ID".into()),
            _ => return Err(format!("{directive} is not an snmptrapd.conf directive snmpctl knows")),
        }
        Ok(Vec::new())
    }

    /// What a v1 or v2c notification with `community` from `from` may trigger.
    pub fn permitted_community(
        &self,
        version: crate::msg::Version,
        community: &[u8],
        from: SocketAddr,
        trap_oid: Option<&Oid>,
    ) -> Permitted {
        if self.disable_authorization {
            return Permitted::ALL;
        }
        let model = match version {
            crate::msg::Version::V1 => vacm::SecurityModel::V1,
            _ => vacm::SecurityModel::V2c,
        };
        match (self.vacm.community_name(community, from.ip()), trap_oid) {
            (Some((name, context)), Some(oid)) => self.vacm.permitted(
                model,
                name.as_bytes(),
                context.as_bytes(),
                SecurityLevel::NoAuthNoPriv,
                oid,
            ),
            _ => Permitted::default(),
        }
    }

    /// What a v3 notification from `user` at `level`, in `context`, may trigger.
    pub fn permitted_user(
        &self,
        user: &[u8],
        level: SecurityLevel,
        context: &[u8],
        trap_oid: Option<&Oid>,
    ) -> Permitted {
        if self.disable_authorization {
            return Permitted::ALL;
        }
        trap_oid.map_or_else(Permitted::default, |oid| {
            self.vacm.permitted(vacm::SecurityModel::Usm, user, context, level, oid)
        })
    }

    /// What `n` may trigger.
    pub fn permitted(&self, n: &super::Notification) -> Permitted {
        let oid = n.trap_oid();
        match &n.sender {
            super::Sender::Community(c) => self.permitted_community(n.version, c, n.from, oid.as_ref()),
            super::Sender::Usm { user, level, context_name, .. } => {
                self.permitted_user(user, *level, context_name, oid.as_ref())
            }
        }
    }

    /// Whether `n` is logged, given what it may trigger: `log` granted, and not a v1
    /// authenticationFailure Trap under `ignoreAuthFailure`.
    pub fn logs(&self, permitted: Permitted, n: &super::Notification) -> bool {
        permitted.log
            && !(self.ignore_auth_failure
                && n.trap_v1.as_ref().is_some_and(|t| t.generic_trap.0 == AUTHENTICATION_FAILURE_GENERIC))
    }

    /// The handlers for a notification: every OID-specific line that matches, in order, or
    /// else the `default` lines.
    pub fn handlers_for<'a>(&'a self, trap_oid: Option<&'a Oid>) -> impl Iterator<Item = &'a Handler> + 'a {
        matching(&self.handlers, |h| &h.matches, trap_oid)
    }

    /// The `forward` lines for a notification, matched as [`TrapdConfig::handlers_for`] matches.
    pub fn forwards_for<'a>(&'a self, trap_oid: Option<&'a Oid>) -> impl Iterator<Item = &'a Forward> + 'a {
        matching(&self.forwards, |f| &f.matches, trap_oid)
    }
}

/// The lines of `lines` for `trap_oid`: the OID-specific ones that match, or else the defaults.
fn matching<'a, T>(
    lines: &'a [T],
    of: impl Fn(&T) -> &Match + 'a,
    trap_oid: Option<&'a Oid>,
) -> impl Iterator<Item = &'a T> + 'a {
    let specific = trap_oid.is_some_and(|o| lines.iter().any(|l| of(l).matches(o)));
    lines.iter().filter(move |l| match (of(l), trap_oid) {
        (Match::Default, _) => !specific,
        (m, Some(o)) => m.matches(o),
        (_, None) => false,
    })
}

/// The varbinds a forwarded notification carries: `varbinds` and, for `addForwarderInfo`, an
/// snmpTrapAddress.x of the IPv4 address `from`, x the lowest index ≥ 0 not yet in them (an
/// IPv6 sender adds none: snmpTrapAddress is an IpAddress).
pub fn forwarded_varbinds(varbinds: &[crate::value::VarBind], from: IpAddr) -> Vec<crate::value::VarBind> {
    let mut out = varbinds.to_vec();
    let v4 = match from {
        IpAddr::V4(a) => Some(a),
        IpAddr::V6(a) => a.to_ipv4_mapped(),
    };
    if let Some(a) = v4 {
        // snmpTrapAddress (the column), without the instance's .0.
        let column = super::SNMP_TRAP_ADDRESS.get(..9).unwrap_or(&[]);
        let used = |x: u32| {
            varbinds.iter().any(|vb| {
                let arcs = vb.oid.arcs();
                arcs.len() == column.len().saturating_add(1)
                    && arcs.starts_with(column)
                    && arcs.last() == Some(&x)
            })
        };
        let x = (0u32..).find(|x| !used(*x)).unwrap_or(0);
        let mut arcs = column.to_vec();
        arcs.push(x);
        if let Ok(oid) = Oid::new(&arcs) {
            out.push(crate::value::VarBind::new(oid, crate::value::Value::IpAddress(a.octets())));
        }
    }
    out
}

/// The text of `line` after its first `words` words (read as snmptrapd reads them, quotes and
/// all) and the blanks after them: a format or a command keeps its own spacing.
fn rest_of(line: &str, words: usize) -> String {
    let mut rest = line.trim_start();
    for _ in 0..words {
        rest = super::users::next_word(rest).map_or("", |(_, after)| after);
    }
    rest.to_owned()
}

/// A value as Net-SNMP's `read_config_read_octet_string` reads it: `0x` and hex digits, else
/// a word (quoted or not).
fn octet_string(value: &str) -> Result<Vec<u8>, String> {
    match value.get(..2) {
        Some(x) if x.eq_ignore_ascii_case("0x") => {
            let hex = value.get(2..).unwrap_or("").split_whitespace().next().unwrap_or("");
            crate::hex::decode(hex).map_err(|_| format!("{hex:?} is not an even number of hex digits"))
        }
        _ => Ok(super::users::next_word(value).map(|(w, _)| w.into_bytes()).unwrap_or_default()),
    }
}

/// An engine ID from the file, checked: 5 to 32 octets (RFC 3411).
fn engine_id(id: Vec<u8>) -> Result<Vec<u8>, String> {
    if (5..=32).contains(&id.len()) {
        Ok(id)
    } else {
        Err(format!("an engine ID is 5 to 32 octets (RFC 3411), and this is {}", id.len()))
    }
}

/// A `traphandle` or `forward` line's `-F FORMAT` (snmptrapd takes any first word that begins
/// with `-F`), and how many words it took.
fn format_option(words: &[String]) -> Result<(Option<String>, usize), String> {
    match words.first() {
        Some(w) if w.starts_with("-F") => Ok((Some(words.get(1).ok_or("-F needs a FORMAT")?.clone()), 2)),
        _ => Ok((None, 0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(s: &str) -> Result<Oid, String> {
        s.trim_start_matches('.').parse().map_err(|e| format!("{e}"))
    }

    fn oid(s: &str) -> Oid {
        numeric(s).unwrap()
    }

    #[test]
    fn rules_grant_what_snmptrapd_grants() {
        let c = TrapdConfig::parse(
            "authCommunity log public\nauthCommunity execute,net public 10.0.0.0/8\n\
             authCommunity log,execute lab 192.168.1.0/255.255.255.0 .1.3.6.1.6.3.1.1.5\n\
             AUTHCOMMUNITY net,log -v 1 old\n\
             authUser log,net ops\nauthUser execute ops priv\n",
            "t.conf",
            &numeric,
        );
        assert!(c.ignored.is_empty(), "{:?}", c.ignored);
        let down = oid("1.3.6.1.6.3.1.1.5.3");
        let ent = oid("1.3.6.1.4.1.9.0.1");
        let local: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let ten: SocketAddr = "10.1.2.3:1".parse().unwrap();
        let lab: SocketAddr = "[::ffff:192.168.1.9]:1".parse().unwrap();
        let p = |log, execute, net| Permitted { log, execute, net };
        let (v1, v2c) = (crate::msg::Version::V1, crate::msg::Version::V2c);
        assert_eq!(c.permitted_community(v2c, b"public", local, Some(&down)), p(true, false, false));
        // The first line that matches the community and the sender decides: the second adds
        // nothing for 10.0.0.0/8.
        assert_eq!(c.permitted_community(v2c, b"public", ten, Some(&down)), p(true, false, false));
        assert_eq!(c.permitted_community(v2c, b"lab", lab, Some(&down)), p(true, true, false));
        assert_eq!(c.permitted_community(v2c, b"lab", lab, Some(&ent)), p(false, false, false));
        assert_eq!(c.permitted_community(v2c, b"other", ten, Some(&down)), p(false, false, false));
        assert_eq!(c.permitted_community(v1, b"old", ten, Some(&down)), p(true, false, true));
        assert_eq!(c.permitted_community(v2c, b"old", ten, Some(&down)), p(false, false, false));
        assert_eq!(c.permitted_community(v2c, b"public", local, None), p(false, false, false));
        let user = |level| c.permitted_user(b"ops", level, b"", Some(&down));
        assert_eq!(user(SecurityLevel::NoAuthNoPriv), p(false, false, false));
        // The second authUser line adds its view to the access entry the first made (the one
        // a lookup at priv finds), so ops may execute at authNoPriv too, as in snmptrapd.
        assert_eq!(user(SecurityLevel::AuthNoPriv), p(true, true, true));
        assert_eq!(user(SecurityLevel::AuthPriv), p(true, true, true));
        let open = TrapdConfig::parse("disableAuthorization yes\n", "t.conf", &numeric);
        assert_eq!(open.permitted_community(v2c, b"x", local, None), Permitted::ALL);
    }

    #[test]
    fn handlers_match_as_snmptrapd_matches_them() {
        let c = TrapdConfig::parse(
            "traphandle .1.3.6.1.6.3.1.1.5.3 /bin/down\ntraphandle .1.3.6.1.4.1* /bin/ent a \"b c\"\n\
             traphandle .1.3.6.1.4.1.* /bin/below\ntraphandle default /bin/other\n",
            "t.conf",
            &numeric,
        );
        let names = |o: &str| -> Vec<String> {
            let o = oid(o);
            c.handlers_for(Some(&o)).map(|h| h.program.clone()).collect()
        };
        assert_eq!(names("1.3.6.1.6.3.1.1.5.3"), ["/bin/down"]);
        assert_eq!(names("1.3.6.1.4.1"), ["/bin/ent"]);
        assert_eq!(names("1.3.6.1.4.1.9.0.1"), ["/bin/ent", "/bin/below"]);
        assert_eq!(names("1.3.6.1.6.3.1.1.5.1"), ["/bin/other"]);
        assert_eq!(c.handlers[1].command, "/bin/ent a \"b c\"");
        let c = TrapdConfig::parse(
            "traphandle -F '%B %v' .1.3.6.1.4.1* /bin/sh -c 'cat >> \"$DIR/x\"'\n\
             traphandle -F\n",
            "t.conf",
            &numeric,
        );
        assert_eq!(c.ignored.len(), 1, "{:?}", c.ignored);
        let h = &c.handlers[0];
        assert_eq!((h.program.as_str(), h.command.as_str()), ("/bin/sh", "/bin/sh -c 'cat >> \"$DIR/x\"'"));
        assert_eq!(h.format, Some(crate::format::trap_format::TrapFormat::parse("%B %v")));
    }

    #[test]
    fn what_is_not_applied_is_named_with_its_line() {
        let c = TrapdConfig::parse(
            "# comment\nforward default udp:10.0.0.1:162\nauthCommunity log public default -v\n\
             authCommunity bogus public\nfrobnicate 1\nformat syslog %v\nformat2  %B  %v\\n\n\
             doNotLogTraps yes\n",
            "/etc/snmp/snmptrapd.conf",
            &numeric,
        );
        assert_eq!(c.forwards.len(), 1);
        assert_eq!(c.print2.as_deref(), Some("%B  %v\\n"));
        let at: Vec<&str> = c.ignored.iter().map(|i| i.at.as_str()).collect();
        assert_eq!(
            at,
            [
                "/etc/snmp/snmptrapd.conf:3",
                "/etc/snmp/snmptrapd.conf:4",
                "/etc/snmp/snmptrapd.conf:5",
                "/etc/snmp/snmptrapd.conf:8"
            ]
        );
        assert_eq!(c.syslog2.as_deref(), Some("%v"));
        assert!(!c.do_not_log, "doNotLogTraps yes is atoi(\"yes\"): 0");
        let c = TrapdConfig::parse("doNotLogTraps 1\n", "t.conf", &numeric);
        assert!(c.do_not_log && c.ignored.is_empty());
    }

    #[test]
    fn a_rule_with_a_bad_oid_grants_nothing_and_still_comes_first() {
        let c = TrapdConfig::parse(
            "authCommunity log public default -v\nauthCommunity log,execute,net public\n\
             authCommunity log,bogus lab\n",
            "t.conf",
            &numeric,
        );
        let at: Vec<&str> = c.ignored.iter().map(|i| i.at.as_str()).collect();
        assert_eq!(at, ["t.conf:1", "t.conf:3"]);
        let from: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let down = oid("1.3.6.1.6.3.1.1.5.3");
        let v2c = crate::msg::Version::V2c;
        assert!(!c.permitted_community(v2c, b"public", from, Some(&down)).any());
        assert!(c.permitted_community(v2c, b"lab", from, Some(&down)).log);
        let said: Vec<String> = c.ignored.iter().map(ToString::to_string).collect();
        assert!(said[0].ends_with("; applied") && said[1].ends_with("; applied"), "{said:?}");
        // authGroup, written so, is authUser to snmptrapd 5.9: said, and applied as such.
        let c = TrapdConfig::parse("authGroup log admins\nauthgroup log staff\n", "t.conf", &numeric);
        assert_eq!(c.ignored.len(), 1, "{:?}", c.ignored);
        assert!(c.ignored[0].applied && c.ignored[0].why.contains("write authgroup"));
        let names: Vec<&str> = c.vacm.groups.iter().map(|g| g.sec_name.as_str()).collect();
        assert_eq!(names, ["admins"]);
        assert!(c.vacm.access.iter().any(|a| a.group == "staff"));
    }

    #[test]
    fn every_access_control_form_reads() {
        let c = TrapdConfig::parse(include_str!("../../fixtures/trapd/vacm.conf"), "vacm.conf", &numeric);
        let said: Vec<(&str, bool)> = c.ignored.iter().map(|i| (i.at.as_str(), i.applied)).collect();
        assert_eq!(said, [("vacm.conf:23", true), ("vacm.conf:26", true)], "{:?}", c.ignored);
        let from: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let p =
            c.permitted_community(crate::msg::Version::V2c, b"lab", from, Some(&oid("1.3.6.1.6.3.1.1.5.4")));
        assert_eq!(p, Permitted { log: true, execute: true, net: false });
        assert!(c.vacm.com2sec.iter().any(|e| e.ipv6 && e.sec_name == "v6sec"));
    }

    #[test]
    fn engine_ids_as_net_snmp_makes_them() {
        let id = |text: &str| {
            TrapdConfig::parse(text, "t.conf", &numeric).engine_id.map(|i| crate::hex::encode(&i))
        };
        assert_eq!(id("engineID lab trapd\n").as_deref(), Some("80001f88046c6162207472617064"));
        assert_eq!(id("exactEngineID 0x8000000001020304\n").as_deref(), Some("8000000001020304"));
        assert_eq!(id("exactEngineID \"abcde\"\n").as_deref(), Some("6162636465"));
        let c = TrapdConfig::parse("exactEngineID 0x0102\nengineIDType 3\nengineID x\n", "t.conf", &numeric);
        assert_eq!(c.ignored.len(), 2, "{:?}", c.ignored);
        assert_eq!(c.engine_id.as_deref(), Some(&[0x80, 0, 0x1f, 0x88, 4, b'x'][..]));
        let c = TrapdConfig::parse("oldEngineID 0x80001f8803525400123456\n", "t.conf", &numeric);
        assert!(c.ignored.is_empty() && c.engine_id.is_none());
        assert_eq!(
            c.old_engine_id.map(|i| crate::hex::encode(&i)).as_deref(),
            Some("80001f8803525400123456")
        );
    }

    #[test]
    fn views_as_rfc_3415_defines_them() {
        let c = TrapdConfig::parse(
            "view traps included .1.3.6.1.6.3.1.1.5\nview traps excluded .1.3.6.1.6.3.1.1.5.3\n\
             view masked included .1.3.6.1.4.1.9.0.1 ff:00\n\
             authCommunity log public default -V traps\nauthCommunity log lab default -V masked\n\
             authCommunity log other default -V nosuch\n",
            "t.conf",
            &numeric,
        );
        assert!(c.ignored.is_empty(), "{:?}", c.ignored);
        let from: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let v2c = crate::msg::Version::V2c;
        let logged =
            |community: &[u8], o: &str| c.permitted_community(v2c, community, from, Some(&oid(o))).log;
        assert!(logged(b"public", "1.3.6.1.6.3.1.1.5.1"));
        assert!(!logged(b"public", "1.3.6.1.6.3.1.1.5.3"));
        assert!(!logged(b"public", "1.3.6.1.4.1.9.0.1"));
        // Mask ff:00: the first 8 sub-identifiers must match, the 9th is free.
        assert!(logged(b"lab", "1.3.6.1.4.1.9.0.1.7"));
        assert!(logged(b"lab", "1.3.6.1.4.1.9.0.1"));
        assert!(logged(b"lab", "1.3.6.1.4.1.9.0.2"));
        assert!(!logged(b"lab", "1.3.6.1.4.1.9.1.1"));
        assert!(!logged(b"other", "1.3.6.1.6.3.1.1.5.1"));
    }

    #[test]
    fn forwarder_info_takes_the_lowest_free_index() {
        use crate::value::{Value, VarBind};
        let vb = |o: &str| VarBind::new(oid(o), Value::Integer(1));
        let from: IpAddr = "192.0.2.9".parse().unwrap();
        let out = forwarded_varbinds(&[vb("1.3.6.1.2.1.1.3.0"), vb("1.3.6.1.6.3.18.1.3.0")], from);
        assert_eq!(out.last().map(|v| v.oid.to_string()), Some("1.3.6.1.6.3.18.1.3.1".into()));
        assert_eq!(out.last().map(|v| v.value.clone()), Some(Value::IpAddress([192, 0, 2, 9])));
        assert_eq!(forwarded_varbinds(&[], "::1".parse().unwrap()).len(), 0);
    }
}
