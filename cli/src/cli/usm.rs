//! `snmpctl usm`: SNMPv3 users on an agent, as `snmpusm` manages them (RFC 3414's
//! usmUserTable): create (with createAndGo, or createAndWait under `-Cw`), cloneFrom,
//! activate, deactivate, delete, passwd (usmUserAuthKeyChange and usmUserPrivKeyChange, RFC
//! 3414 § 5, with the hash of every RFC 7860 protocol), changekey (a Diffie-Hellman exchange
//! through SNMP-USM-DH-OBJECTS-MIB, RFC 2786), and list.
//!
//! As snmpusm: the row is the agent's engine ID (discovered, or `-CE`) and the user's name; a
//! passphrase is turned into a key with the issuing session's authentication protocol (and
//! `-x` privacy protocol) and localized to that engine; without a USER, passwd changes the
//! issuing user's own keys through usmUserOwnAuthKeyChange and usmUserOwnPrivKeyChange.
//!
//! changekey agrees on new keys with the agent (usmDHParameters and the user's
//! usmDHUser…KeyChange objects), prints them as snmpusm does (`new auth key: 0x…`), and Sets
//! the exchange. One departure: the keys printed have the length of the changed user's
//! protocols, read from its usmUserTable row. snmpusm prints the length of the issuing
//! session's protocols, so for a user of another protocol (SHA-256 changed by a SHA-1 user) it
//! prints a key the agent does not use (the right-most 20 octets of the 32 it took). And for a
//! user without privacy it changes the authentication key alone, unless `-Cx` asks.

use super::snmp::{self, SnmpArgs};
use super::{EXIT_AGENT_ERROR, EXIT_FAILURE, EXIT_OK, GlobalArgs};
use anyhow::{Context as _, bail};
use snmpctl::client::{Operation, Request};
use snmpctl::usm::{AuthProtocol, Password, PrivProtocol, Secret};
use snmpctl::value::{Oid, Value, VarBind};
use std::io::Write as _;
use std::process::ExitCode;

// Arguments of `snmpctl usm`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub(super) snmp: SnmpArgs,
    /// Command options, as snmpusm's -C: w (create with createAndWait), a (passwd: the
    /// authentication key only), x (the privacy key only), k (OLD and NEW may be localized keys,
    /// 0x…), o (passwd: the usmUserOwn…KeyChange objects, for the issuing user), E ENGINE-ID
    /// (the row's usmUserEngineID, hex, as -CE8000…), p STRING (usmUserPublic, as -Cpfoo).
    #[arg(short = 'C', long = "command-options", value_name = "OPTS")]
    command_options: Vec<String>,
    /// The agent: [udp:|udp6:|tcp:|tcp6:]host[:port].
    agent: String,
    /// create USER [CLONEFROM-USER] | delete USER | activate USER | deactivate USER |
    /// cloneFrom USER CLONEFROM-USER | passwd OLD NEW [USER] | changekey [USER] | list.
    #[arg(required = true, num_args = 1.., allow_hyphen_values = true)]
    command: Vec<String>,
}

/// usmUserEntry.
const USM_USER_ENTRY: [u32; 10] = [1, 3, 6, 1, 6, 3, 15, 1, 2, 2];
const SECURITY_NAME: u32 = 3;
const CLONE_FROM: u32 = 4;
const AUTH_PROTOCOL: u32 = 5;
const AUTH_KEY_CHANGE: u32 = 6;
const OWN_AUTH_KEY_CHANGE: u32 = 7;
const PRIV_PROTOCOL: u32 = 8;
const PRIV_KEY_CHANGE: u32 = 9;
const OWN_PRIV_KEY_CHANGE: u32 = 10;
const PUBLIC: u32 = 11;
const STATUS: u32 = 13;
/// usmDHUserKeyTable (RFC 2786) and its columns; usmDHParameters.0.
const DH_USER_KEY_TABLE: [u32; 9] = [1, 3, 6, 1, 3, 101, 1, 1, 2];
const DH_AUTH_KEY_CHANGE: u32 = 1;
const DH_OWN_AUTH_KEY_CHANGE: u32 = 2;
const DH_PRIV_KEY_CHANGE: u32 = 3;
const DH_OWN_PRIV_KEY_CHANGE: u32 = 4;
const DH_PARAMETERS: [u32; 10] = [1, 3, 6, 1, 3, 101, 1, 1, 1, 0];
/// usmNoAuthProtocol and usmNoPrivProtocol (RFC 3414).
const NO_AUTH: [u32; 10] = [1, 3, 6, 1, 6, 3, 10, 1, 1, 1];
const NO_PRIV: [u32; 10] = [1, 3, 6, 1, 6, 3, 10, 1, 2, 1];
/// RowStatus values.
const ACTIVE: i32 = 1;
const NOT_IN_SERVICE: i32 = 2;
const CREATE_AND_GO: i32 = 4;
const CREATE_AND_WAIT: i32 = 5;
const DESTROY: i32 = 6;

/// `-C` for this command: letters, and the values of E and p.
#[derive(Debug, Default)]
struct Options {
    flags: Vec<char>,
    engine_id: Option<Vec<u8>>,
    public: Option<String>,
}

impl Options {
    fn parse(values: &[String]) -> anyhow::Result<Options> {
        let mut o = Options::default();
        for v in values {
            let mut chars = v.chars();
            while let Some(c) = chars.next() {
                match c {
                    'w' | 'a' | 'x' | 'k' | 'o' => o.flags.push(c),
                    'E' => {
                        let hex: String = chars.by_ref().collect();
                        let hex = hex.trim_start_matches("0x");
                        o.engine_id =
                            Some(snmpctl::hex::decode(hex).context("-CE needs an engine ID in hex")?);
                    }
                    'p' => o.public = Some(chars.by_ref().collect()),
                    other => bail!("-C{other}: not an option of usm (it takes -C with w a x k o E p)"),
                }
            }
        }
        Ok(o)
    }

    fn has(&self, c: char) -> bool {
        self.flags.contains(&c)
    }
}

/// The column `column` of usmUserTable's row for `engine_id` and `user`.
fn cell(column: u32, engine_id: &[u8], user: &[u8]) -> anyhow::Result<Oid> {
    table_cell(&USM_USER_ENTRY, column, engine_id, user)
}

/// The column `column` of `table`'s row for `engine_id` and `user` (usmUserTable, or a table
/// that augments it).
fn table_cell(table: &[u32], column: u32, engine_id: &[u8], user: &[u8]) -> anyhow::Result<Oid> {
    let mut arcs = table.to_vec();
    arcs.extend([1, column]);
    for part in [engine_id, user] {
        arcs.push(u32::try_from(part.len())?);
        arcs.extend(part.iter().map(|b| u32::from(*b)));
    }
    Ok(Oid::new(&arcs)?)
}

/// A key for passwd: with `-Ck`, a localized key given as `0x…` (used as it is, `true`);
/// otherwise the passphrase's key localized to `engine_id` with `auth` (`false`), from which
/// the privacy key is derived too (RFC 3826 § 1.2), so each passphrase is hashed once.
fn passwd_key(
    text: &str,
    keys_allowed: bool,
    auth: AuthProtocol,
    engine_id: &[u8],
) -> anyhow::Result<(Secret, bool)> {
    if keys_allowed && let Some(hex) = text.strip_prefix("0x") {
        return Ok((
            Secret::new(snmpctl::hex::decode(hex).context("a localized key in hex after 0x")?),
            true,
        ));
    }
    let password = Password::new(text.as_bytes().to_vec()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let ku = snmpctl::usm::password_to_key(auth, &password);
    Ok((snmpctl::usm::localize(auth, ku.expose(), engine_id), false))
}

pub fn run(_global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    args.snmp.mib.load();
    let (late, command_words) = snmp::late_command_options(&args.command);
    let opts = Options::parse(&[args.command_options.as_slice(), late.as_slice()].concat())?;
    if args.snmp.snmp_version != snmp::SnmpVersion::V3 {
        bail!("usm manages SNMPv3 users and works over SNMPv3 only (-v 3)");
    }
    let options = args.snmp.output_options_for(super::Format::Text)?;
    let runtime = snmp::runtime()?;
    let client = runtime.block_on(snmp::connect_sequential(&args.agent, &args.snmp))?.0;
    let words: Vec<&str> = command_words.iter().map(String::as_str).collect();
    let Some((&command, rest)) = words.split_first() else { bail!("usm needs a COMMAND") };

    // The agent's engine ID: -CE, or discovered by a first request.
    let engine_id = match &opts.engine_id {
        Some(e) => e.clone(),
        None => {
            let probe = Request {
                operation: Operation::Get,
                varbinds: vec![VarBind::null(Oid::new(&[1, 3, 6, 1, 6, 3, 10, 2, 1, 1, 0])?)],
            };
            if let Err(e) = runtime.block_on(client.request(probe)) {
                eprintln!("{}", snmp::describe(&e, &args.agent, false));
                return Ok(ExitCode::from(EXIT_FAILURE));
            }
            match runtime.block_on(client.engine())? {
                Some(state) => state.engine_id().to_vec(),
                None => bail!("the agent's engine ID was not discovered (give it with -CE)"),
            }
        }
    };
    let own_name = args.snmp.keys.user.clone().unwrap_or_default();
    let status = |user: &str, value: i32| -> anyhow::Result<VarBind> {
        Ok(VarBind::new(cell(STATUS, &engine_id, user.as_bytes())?, Value::Integer(value)))
    };
    let clone_from = |user: &str, from: &str| -> anyhow::Result<VarBind> {
        let pointer = cell(SECURITY_NAME, &engine_id, from.as_bytes())?;
        Ok(VarBind::new(cell(CLONE_FROM, &engine_id, user.as_bytes())?, Value::ObjectIdentifier(pointer)))
    };
    let public = |user: &str| -> anyhow::Result<Option<VarBind>> {
        opts.public
            .as_ref()
            .map(|p| Ok(VarBind::new(cell(PUBLIC, &engine_id, user.as_bytes())?, Value::from(p.as_str()))))
            .transpose()
    };

    let (varbinds, done) = match (command, rest) {
        ("create" | "createAndWait", [user, from @ ..]) if from.len() <= 1 => {
            let go =
                if opts.has('w') || command == "createAndWait" { CREATE_AND_WAIT } else { CREATE_AND_GO };
            let mut v = vec![status(user, go)?];
            if let Some(from) = from.first() {
                v.push(clone_from(user, from)?);
            }
            v.extend(public(user)?);
            (v, "User successfully created.")
        }
        ("cloneFrom" | "clone", [user, from]) => {
            let mut v = vec![status(user, ACTIVE)?, clone_from(user, from)?];
            v.extend(public(user)?);
            (v, "User successfully cloned.")
        }
        ("activate", [user]) => (vec![status(user, ACTIVE)?], "User successfully activated."),
        ("deactivate", [user]) => (vec![status(user, NOT_IN_SERVICE)?], "User successfully deactivated."),
        ("delete", [user]) => (vec![status(user, DESTROY)?], "User successfully deleted."),
        ("passwd", [old, new, user @ ..]) if user.len() <= 1 => {
            let own = user.is_empty() || opts.has('o');
            let user = user.first().copied().unwrap_or(own_name.as_str());
            let (mut auth_key, mut priv_key) = (opts.has('a'), opts.has('x'));
            if !auth_key && !priv_key {
                (auth_key, priv_key) = (true, true);
            }
            if opts.has('k') && auth_key && priv_key {
                bail!("passwd with -Ck changes one key: give -Ca or -Cx");
            }
            let auth = args.snmp.keys.auth_protocol.unwrap_or(AuthProtocol::Md5);
            let privacy = args.snmp.keys.priv_protocol;
            let mut v = Vec::new();
            let random = |len: usize| -> anyhow::Result<Vec<u8>> {
                let mut r = vec![0u8; len];
                getrandom::fill(&mut r).map_err(|e| anyhow::anyhow!("no random octets: {e}"))?;
                Ok(r)
            };
            let old = passwd_key(old, opts.has('k'), auth, &engine_id)?;
            let new = passwd_key(new, opts.has('k'), auth, &engine_id)?;
            let mut change = |column: u32, old: &Secret, new: &Secret| -> anyhow::Result<()> {
                let value = snmpctl::usm::key_change(auth, old.expose(), new.expose(), &random(old.len())?);
                v.push(VarBind::new(cell(column, &engine_id, user.as_bytes())?, Value::OctetString(value)));
                Ok(())
            };
            if auth_key {
                change(if own { OWN_AUTH_KEY_CHANGE } else { AUTH_KEY_CHANGE }, &old.0, &new.0)?;
            }
            if priv_key {
                let Some(p) = privacy else {
                    bail!(
                        "no encryption type specified, which I need in order to know to change the key (-x)"
                    );
                };
                let privacy_key = |(key, given): &(Secret, bool)| {
                    if *given {
                        key.clone()
                    } else {
                        snmpctl::usm::privacy_key(auth, p, key.expose(), &engine_id)
                    }
                };
                change(
                    if own { OWN_PRIV_KEY_CHANGE } else { PRIV_KEY_CHANGE },
                    &privacy_key(&old),
                    &privacy_key(&new),
                )?;
            }
            (v, "SNMPv3 Key(s) successfully changed.")
        }
        ("list", []) => return list(&runtime, &client, args),
        ("changekey", user) if user.len() <= 1 => {
            let which = (opts.has('a') || !opts.has('x'), opts.has('x') || !opts.has('a'));
            let user = user.first().copied();
            let target = user.unwrap_or(own_name.as_str());
            let exchange = Exchange {
                engine_id: &engine_id,
                user: target,
                own: user.is_none(),
                which,
                priv_asked: opts.has('x'),
            };
            match changekey(&runtime, &client, args, &exchange)? {
                Ok(v) => (v, "SNMPv3 Key(s) successfully changed."),
                Err(code) => return Ok(code),
            }
        }
        _ => bail!(
            "usm COMMAND: create USER [CLONEFROM-USER], delete USER, activate USER, deactivate USER, \
             cloneFrom USER CLONEFROM-USER, passwd OLD NEW [USER], changekey [USER], list"
        ),
    };
    snmp::set_and_report(&runtime, &client, &args.agent, varbinds, done, &options)
}

/// The keys `changekey` changes.
struct Exchange<'a> {
    engine_id: &'a [u8],
    /// The user whose keys change.
    user: &'a str,
    /// Through the usmDHUserOwn…KeyChange objects (no USER given).
    own: bool,
    /// (authentication key, privacy key).
    which: (bool, bool),
    /// `-Cx` given: the privacy key even of a user without privacy.
    priv_asked: bool,
}

/// `changekey`: Gets usmDHParameters, the agent's public values for the keys, and the user's
/// protocols; agrees on new keys; prints them; returns the Set that completes the exchange, or
/// the exit code (1, as snmpusm's) when the exchange could not be had.
fn changekey(
    runtime: &tokio::runtime::Runtime,
    client: &snmpctl::Client,
    args: &Args,
    x: &Exchange<'_>,
) -> anyhow::Result<Result<Vec<VarBind>, ExitCode>> {
    let user = x.user.as_bytes();
    let (auth_column, priv_column) = if x.own {
        (DH_OWN_AUTH_KEY_CHANGE, DH_OWN_PRIV_KEY_CHANGE)
    } else {
        (DH_AUTH_KEY_CHANGE, DH_PRIV_KEY_CHANGE)
    };
    let mut keys = Vec::new();
    if x.which.0 {
        keys.push(("auth", table_cell(&DH_USER_KEY_TABLE, auth_column, x.engine_id, user)?));
    }
    if x.which.1 {
        keys.push(("priv", table_cell(&DH_USER_KEY_TABLE, priv_column, x.engine_id, user)?));
    }
    let mut asked = vec![
        VarBind::null(Oid::new(&DH_PARAMETERS)?),
        VarBind::null(cell(AUTH_PROTOCOL, x.engine_id, user)?),
        VarBind::null(cell(PRIV_PROTOCOL, x.engine_id, user)?),
    ];
    asked.extend(keys.iter().map(|(_, oid)| VarBind::null(oid.clone())));
    let options = args.snmp.output_options_for(super::Format::Text)?;
    let pdu = match runtime.block_on(client.request(Request { operation: Operation::Get, varbinds: asked })) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}", snmp::describe(&e, &args.agent, false));
            return Ok(Err(ExitCode::from(EXIT_AGENT_ERROR)));
        }
    };
    if pdu.error_status != snmpctl::msg::ErrorStatus::NO_ERROR {
        eprint!("{}", snmpctl::format::output::error_report(&pdu, &options, true));
        return Ok(Err(ExitCode::from(EXIT_AGENT_ERROR)));
    }
    let [params, auth_protocol, priv_protocol, publics @ ..] = pdu.varbinds.as_slice() else {
        bail!(
            "the agent answered {} varbinds to a Get of {}",
            pdu.varbinds.len(),
            keys.len().saturating_add(3)
        );
    };
    let Value::OctetString(params) = &params.value else {
        // snmpusm's words (it also prints its session's empty error first).
        eprintln!("Can't get diffie-helman exchange from the agent");
        eprintln!("  (maybe it doesn't support the SNMP-USM-DH-OBJECTS-MIB MIB)");
        return Ok(Err(ExitCode::from(EXIT_AGENT_ERROR)));
    };
    let params = snmpctl::usm::DhParameters::from_der(params)?;
    // The key lengths: the user's protocols when the agent shows them, else the session's.
    let identity = |vb: &VarBind| match &vb.value {
        Value::ObjectIdentifier(o) => Some(o.arcs().to_vec()),
        _ => None,
    };
    let auth = identity(auth_protocol)
        .and_then(|o| AuthProtocol::from_oid(&o))
        .or(args.snmp.keys.auth_protocol)
        .unwrap_or(AuthProtocol::Md5);
    let privacy =
        identity(priv_protocol).and_then(|o| PrivProtocol::from_oid(&o)).or(args.snmp.keys.priv_protocol);
    // A user without privacy (usmNoPrivProtocol) has no privacy key to change, unless -Cx
    // asks for it.
    let no_privacy = identity(priv_protocol).is_some_and(|o| o == NO_PRIV);
    // Every exchange is agreed before anything is printed: a key is shown only when the Set
    // that makes it will be sent.
    let mut set = Vec::new();
    let mut new_keys = Vec::new();
    for ((name, oid), public) in keys.into_iter().zip(publics) {
        if name == "priv" && no_privacy && !x.priv_asked {
            continue;
        }
        let Value::OctetString(y) = &public.value else {
            eprintln!(
                "no Diffie-Hellman {name} key exchange for user {:?}: {}",
                x.user,
                snmpctl::format::output::varbind_line(public, &options)
            );
            return Ok(Err(ExitCode::from(EXIT_AGENT_ERROR)));
        };
        let len = if name == "auth" {
            auth.digest_len()
        } else {
            privacy
                .context(
                    "no encryption type specified, which I need in order to know to change the key (-x)",
                )?
                .key_len()
        };
        let agreement = params.agree(y, getrandom::fill)?;
        new_keys.push((name, agreement.key(len)?));
        set.push(VarBind::new(oid, Value::OctetString(agreement.key_change_value().to_vec())));
    }
    let mut out = std::io::stdout().lock();
    for (name, key) in new_keys {
        writeln!(out, "new {name} key: 0x{}", snmpctl::hex::encode(key.expose()))?;
    }
    out.flush()?;
    Ok(Ok(set))
}

/// `list`: the agent's users, a line each: engine ID, name, authentication and privacy
/// protocols, status.
fn list(
    runtime: &tokio::runtime::Runtime,
    client: &snmpctl::Client,
    args: &Args,
) -> anyhow::Result<ExitCode> {
    let mut rows: std::collections::BTreeMap<Vec<u32>, [String; 3]> = std::collections::BTreeMap::new();
    for (slot, column) in [AUTH_PROTOCOL, PRIV_PROTOCOL, STATUS].into_iter().enumerate() {
        let mut arcs = USM_USER_ENTRY.to_vec();
        arcs.extend([1, column]);
        let vbs = match runtime.block_on(client.walk(Oid::new(&arcs)?)?.collect()) {
            Ok(v) => v,
            Err(partial) => {
                let options = args.snmp.output_options_for(super::Format::Text)?;
                eprint!("{}", super::walk::report(&partial.error, &args.agent, &options));
                return Ok(ExitCode::from(super::walk::exit_code(Some(&partial.error))));
            }
        };
        for vb in vbs.into_iter().filter(|vb| !vb.value.is_exception()) {
            let index = vb.oid.arcs().get(arcs.len()..).unwrap_or(&[]).to_vec();
            let text = match (&vb.value, column) {
                (Value::ObjectIdentifier(o), AUTH_PROTOCOL) => auth_name(o),
                (Value::ObjectIdentifier(o), _) => priv_name(o),
                (Value::Integer(s), _) => row_status(*s),
                (other, _) => other.to_string(),
            };
            if let Some(cells) = rows.entry(index).or_default().get_mut(slot) {
                *cells = text;
            }
        }
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(out, "{:<26} {:<24} {:<8} {:<10} STATUS", "ENGINE ID", "USER", "AUTH", "PRIVACY")?;
    for (index, [auth, privacy, status]) in rows {
        // The index: engine ID (length, octets), then the name (length, octets).
        let mut parts = index.iter().copied();
        let mut take = || -> Vec<u8> {
            let n = parts.next().unwrap_or(0) as usize;
            parts.by_ref().take(n).map(|a| u8::try_from(a).unwrap_or(b'?')).collect()
        };
        let (engine, name) = (take(), take());
        writeln!(
            out,
            "{:<26} {:<24} {auth:<8} {privacy:<10} {status}",
            snmpctl::hex::encode(&engine),
            String::from_utf8_lossy(&name)
        )?;
    }
    out.flush()?;
    Ok(ExitCode::from(EXIT_OK))
}

fn auth_name(o: &Oid) -> String {
    match AuthProtocol::from_oid(o.arcs()) {
        Some(p) => p.name().to_owned(),
        None if o.arcs() == NO_AUTH => "none".into(),
        None => o.to_string(),
    }
}

fn priv_name(o: &Oid) -> String {
    match PrivProtocol::from_oid(o.arcs()) {
        Some(p) => p.name().to_owned(),
        None if o.arcs() == NO_PRIV => "none".into(),
        None => o.to_string(),
    }
}

fn row_status(s: i32) -> String {
    match s {
        ACTIVE => "active".into(),
        NOT_IN_SERVICE => "notInService".into(),
        3 => "notReady".into(),
        other => other.to_string(),
    }
}
