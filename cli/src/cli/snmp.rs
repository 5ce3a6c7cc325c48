//! Flags every agent-talking command shares (Net-SNMP's `snmpcmd` options), and turning them
//! into a client.

use anyhow::{Context as _, bail};
use snmpctl::client::{Config, Error as ClientError, Security, UsmConfig};
use snmpctl::format::output::OutputOptions;
use snmpctl::hex;
use snmpctl::msg::Version;
use snmpctl::transport::{Client, Target};
use snmpctl::usm::{
    AuthProtocol, Credentials, KeySource, Password, PrivProtocol, Secret, SecurityLevel, UserKeys,
};
use std::path::PathBuf;
use std::time::Duration;

/// SNMP version (`-v`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SnmpVersion {
    /// SNMPv1.
    #[value(name = "1")]
    V1,
    /// SNMPv2c.
    #[value(name = "2c")]
    V2c,
    /// SNMPv3.
    #[value(name = "3")]
    V3,
}

// Net-SNMP's common flags.
#[derive(Debug, Clone, clap::Args)]
pub struct SnmpArgs {
    /// SNMP version.
    #[arg(short = 'v', long = "snmp-version", value_enum, default_value = "2c")]
    pub snmp_version: SnmpVersion,
    /// Community string (v1, v2c).
    #[arg(short = 'c', long, env = "SNMPCTL_COMMUNITY", hide_env_values = true, default_value = "public")]
    pub community: String,
    #[command(flatten)]
    pub keys: UsmKeyArgs,
    /// The agent's engine ID, hex: skips discovery.
    #[arg(short = 'e', long = "engine-id", value_name = "HEX")]
    pub engine_id: Option<String>,
    /// Context engine ID, hex [default: the agent's engine ID].
    #[arg(short = 'E', long = "context-engine-id", value_name = "HEX")]
    pub context_engine_id: Option<String>,
    /// Context name.
    #[arg(short = 'n', long = "context", default_value = "")]
    pub context: String,
    /// Retries after the first attempt.
    #[arg(short = 'r', long = "retries", default_value_t = 5)]
    pub retries: u32,
    /// Seconds to wait for each attempt.
    #[arg(short = 't', long = "timeout", default_value_t = 1.0)]
    pub timeout: f64,
    /// Output options, as Net-SNMP's -O: n f s S u (OID style), q Q v (quick, value only),
    /// a x (strings as text or hex), t (raw timeticks), T (hex with text), e U 0 b. May be given more than once.
    #[arg(short = 'O', long = "output", value_name = "OPTS")]
    pub output: Vec<String>,
    #[command(flatten)]
    pub mib: super::mib::MibArgs,
    /// The agent's port when the address names none (snmp.conf's `defaultPort`).
    #[arg(skip = 161u16)]
    pub default_port: u16,
}

/// A password or key given on the command line: redacted in `Debug`, zeroized on drop.
#[derive(Clone)]
pub struct SecretArg(String);

impl std::str::FromStr for SecretArg {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(SecretArg(s.to_owned()))
    }
}

impl From<String> for SecretArg {
    fn from(s: String) -> Self {
        SecretArg(s)
    }
}

impl std::fmt::Debug for SecretArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Drop for SecretArg {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

// SNMPv3 user and keys (also used by `decode` to verify and decrypt).
#[derive(Debug, Clone, clap::Args)]
pub struct UsmKeyArgs {
    /// Security name (v3).
    #[arg(short = 'u', long = "user", env = "SNMPCTL_USER")]
    pub user: Option<String>,
    /// Security level: noAuthNoPriv, authNoPriv, authPriv [default: the highest the given keys allow].
    #[arg(short = 'l', long = "level")]
    pub level: Option<SecurityLevel>,
    /// Authentication protocol: MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512 [default: MD5, as Net-SNMP].
    #[arg(short = 'a', long = "auth-protocol")]
    pub auth_protocol: Option<AuthProtocol>,
    /// Authentication password (prefer SNMPCTL_AUTH_PASSWORD or --auth-password-file).
    #[arg(short = 'A', long = "auth-password", env = "SNMPCTL_AUTH_PASSWORD", hide_env_values = true)]
    pub auth_password: Option<SecretArg>,
    /// Read the authentication password from the first line of a file.
    #[arg(long = "auth-password-file", value_name = "FILE")]
    pub auth_password_file: Option<PathBuf>,
    /// Authentication master key Ku, hex (Net-SNMP -3m).
    #[arg(long = "auth-master-key", value_name = "HEX")]
    pub auth_master_key: Option<SecretArg>,
    /// Authentication key localized to the agent's engine, hex (Net-SNMP -3k).
    #[arg(long = "auth-localized-key", value_name = "HEX")]
    pub auth_localized_key: Option<SecretArg>,
    /// Privacy protocol: DES, AES, AES-192, AES-256, AES-192-C, AES-256-C, 3DES [default: DES, as Net-SNMP].
    #[arg(short = 'x', long = "priv-protocol")]
    pub priv_protocol: Option<PrivProtocol>,
    /// Privacy password (prefer SNMPCTL_PRIV_PASSWORD or --priv-password-file).
    #[arg(short = 'X', long = "priv-password", env = "SNMPCTL_PRIV_PASSWORD", hide_env_values = true)]
    pub priv_password: Option<SecretArg>,
    /// Read the privacy password from the first line of a file.
    #[arg(long = "priv-password-file", value_name = "FILE")]
    pub priv_password_file: Option<PathBuf>,
    /// Privacy master key, hex (Net-SNMP -3M).
    #[arg(long = "priv-master-key", value_name = "HEX")]
    pub priv_master_key: Option<SecretArg>,
    /// Privacy key localized to the agent's engine, hex (Net-SNMP -3K).
    #[arg(long = "priv-localized-key", value_name = "HEX")]
    pub priv_localized_key: Option<SecretArg>,
}

/// Net-SNMP's `-3m HEX` style flags, which clap cannot express, become long flags, and
/// `-CE OID` (the end OID takes the next word) becomes `-CEOID`.
pub fn rewrite_net_snmp_flags(args: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut join_next = false;
    for a in args {
        if join_next {
            if let Some(last) = out.last_mut() {
                last.push_str(&a);
            }
            join_next = false;
            continue;
        }
        out.push(match a.as_str() {
            "-3m" => "--auth-master-key".to_owned(),
            "-3k" => "--auth-localized-key".to_owned(),
            "-3M" => "--priv-master-key".to_owned(),
            "-3K" => "--priv-localized-key".to_owned(),
            "-CE" => {
                join_next = true;
                a
            }
            _ => a,
        });
    }
    out
}

fn read_secret_file(path: &PathBuf) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text.lines().next().unwrap_or_default().to_owned())
}

fn hex_arg(what: &str, value: &str) -> anyhow::Result<Vec<u8>> {
    let v = value.strip_prefix("0x").or_else(|| value.strip_prefix("0X")).unwrap_or(value);
    hex::decode(v).with_context(|| format!("{what}: not hex"))
}

/// A key in hex; the error does not quote any of it.
fn secret_hex(what: &str, value: &str) -> anyhow::Result<Vec<u8>> {
    let v = value.strip_prefix("0x").or_else(|| value.strip_prefix("0X")).unwrap_or(value);
    hex::decode(v).map_err(|_| anyhow::anyhow!("{what} key: not an even number of hex digits"))
}

/// A key from a password, a password file, a master key or a localized key (at most one).
fn key_source(
    what: &str,
    password: &Option<SecretArg>,
    file: &Option<PathBuf>,
    master: &Option<SecretArg>,
    localized: &Option<SecretArg>,
) -> anyhow::Result<Option<KeySource>> {
    let given = [password.is_some(), file.is_some(), master.is_some(), localized.is_some()];
    if given.iter().filter(|g| **g).count() > 1 {
        bail!("give the {what} key one way only: password, password file, master key or localized key");
    }
    let password = match (password, file) {
        (Some(p), _) => Some(p.0.clone()),
        (None, Some(f)) => Some(read_secret_file(f)?),
        (None, None) => None,
    };
    if let Some(p) = password {
        let p = Password::new(p.into_bytes()).with_context(|| format!("{what} password"))?;
        return Ok(Some(KeySource::Password(p)));
    }
    if let Some(m) = master {
        return Ok(Some(KeySource::Master(Secret::new(secret_hex(what, &m.0)?))));
    }
    if let Some(k) = localized {
        return Ok(Some(KeySource::Localized(Secret::new(secret_hex(what, &k.0)?))));
    }
    Ok(None)
}

impl UsmKeyArgs {
    /// Whether any privacy key was given.
    pub fn any_priv_key(&self) -> bool {
        self.priv_password.is_some()
            || self.priv_password_file.is_some()
            || self.priv_master_key.is_some()
            || self.priv_localized_key.is_some()
    }

    /// Whether any authentication key was given.
    pub fn any_key(&self) -> bool {
        self.auth_password.is_some()
            || self.auth_password_file.is_some()
            || self.auth_master_key.is_some()
            || self.auth_localized_key.is_some()
    }

    /// The user's keys (passwords hashed once, here). The level defaults to the highest the
    /// given keys allow.
    pub fn user_keys(&self, user: &str) -> anyhow::Result<UserKeys> {
        let auth_key = key_source(
            "authentication",
            &self.auth_password,
            &self.auth_password_file,
            &self.auth_master_key,
            &self.auth_localized_key,
        )?;
        let priv_key = key_source(
            "privacy",
            &self.priv_password,
            &self.priv_password_file,
            &self.priv_master_key,
            &self.priv_localized_key,
        )?;
        let level = self.level.unwrap_or(match (&auth_key, &priv_key) {
            (Some(_), Some(_)) => SecurityLevel::AuthPriv,
            (Some(_), None) => SecurityLevel::AuthNoPriv,
            _ => SecurityLevel::NoAuthNoPriv,
        });
        let auth = auth_key.map(|k| (self.auth_protocol.unwrap_or(AuthProtocol::Md5), k));
        let privacy = priv_key.map(|k| (self.priv_protocol.unwrap_or(PrivProtocol::Des), k));
        Ok(UserKeys::new(Credentials { user_name: user.as_bytes().to_vec(), level, auth, privacy })?)
    }
}

impl SnmpArgs {
    /// Every `-O` letter given, in order.
    pub fn output_letters(&self) -> String {
        self.output.concat()
    }

    /// The `-O` options.
    pub fn output_options(&self) -> anyhow::Result<OutputOptions<'static>> {
        let mut o = OutputOptions::parse(&self.output_letters())
            .map_err(|c| anyhow::anyhow!("-O {c}: output option not supported yet"))?;
        o.mib = self.mib.load().map(snmpctl::format::output::MibRef);
        super::snmpconf::get().override_output(&mut o);
        Ok(o)
    }

    /// [`Self::output_options`] for output in `format`: text keeps octets that are not UTF-8
    /// as they came, as Net-SNMP prints them (the text then goes out through
    /// `output::raw_bytes`); JSON, which is UTF-8, has them replaced.
    pub fn output_options_for(&self, format: super::Format) -> anyhow::Result<OutputOptions<'static>> {
        let mut o = self.output_options()?;
        o.raw_octets = format == super::Format::Text;
        Ok(o)
    }

    /// The session configuration these flags describe.
    pub fn config(&self) -> anyhow::Result<Config> {
        let security = match self.snmp_version {
            SnmpVersion::V1 | SnmpVersion::V2c => Security::Community {
                version: if self.snmp_version == SnmpVersion::V1 { Version::V1 } else { Version::V2c },
                community: self.community.clone().into_bytes(),
            },
            SnmpVersion::V3 => Security::Usm(Box::new(self.usm()?)),
        };
        if !(self.timeout > 0.0 && self.timeout < 3600.0) {
            bail!("-t {}: the timeout must be between 0 and 3600 seconds", self.timeout);
        }
        let mut config = Config::new(security);
        config.timeout = Duration::from_secs_f64(self.timeout);
        config.retries = self.retries;
        Ok(config)
    }

    fn usm(&self) -> anyhow::Result<UsmConfig> {
        let user = self.keys.user.clone().context("SNMPv3 needs a user name (-u)")?;
        Ok(UsmConfig {
            user: self.keys.user_keys(&user)?,
            engine_id: self.engine_id.as_deref().map(|e| hex_arg("-e", e)).transpose()?,
            context_engine_id: self.context_engine_id.as_deref().map(|e| hex_arg("-E", e)).transpose()?,
            context_name: self.context.clone().into_bytes(),
        })
    }
}

/// Resolves the agent and starts a client.
pub async fn connect(agent: &str, args: &SnmpArgs) -> anyhow::Result<(Client, Target)> {
    connect_port(agent, args, args.default_port).await
}

/// [`connect`] for a command that asks one request at a time and runs nothing else on its
/// runtime: answers are waited for in a blocking receive, one system call a round trip fewer
/// (see `Client::receive_blocking`).
pub async fn connect_sequential(agent: &str, args: &SnmpArgs) -> anyhow::Result<(Client, Target)> {
    let (client, target) = connect(agent, args).await?;
    client.receive_blocking().context("the socket's blocking mode")?;
    Ok((client, target))
}

/// Resolves a peer whose port defaults to `default_port` (162 for notification receivers) and
/// starts a client.
pub async fn connect_port(
    agent: &str,
    args: &SnmpArgs,
    default_port: u16,
) -> anyhow::Result<(Client, Target)> {
    let target = Target::parse(agent, default_port)?;
    let config = args.config()?;
    let client =
        Client::connect_target(&target, config).await.with_context(|| format!("connecting to {agent}"))?;
    Ok((client, target))
}

/// Net-SNMP's wording for a timeout (`snmpget` and `snmpgetnext` end it with a period, the
/// other tools do not), or our plain message for the others.
pub fn describe(error: &ClientError, agent: &str, period: bool) -> String {
    match error {
        ClientError::Timeout { .. } => {
            format!("Timeout: No Response from {agent}{}", if period { "." } else { "" })
        }
        other => format!("snmpctl: {other}"),
    }
}

/// A current-thread tokio runtime for one command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the async runtime")
}

/// snmpusm and snmpvacm read their `-C` options after the agent too, anywhere among the
/// command's words (`AGENT -Cw create USER`, `AGENT changekey -Cx USER`: getopt moves them to
/// the front): the letters of the `-C…` words in `command`, and the other words.
pub fn late_command_options(command: &[String]) -> (Vec<String>, Vec<String>) {
    let (late, rest): (Vec<&String>, Vec<&String>) =
        command.iter().partition(|w| w.starts_with("-C") && w.len() > 2);
    (late.iter().filter_map(|w| w.get(2..).map(str::to_owned)).collect(), rest.into_iter().cloned().collect())
}

/// One Set of an administration command (usm, vacm), reported as snmpusm and snmpvacm report
/// it: `done` on stdout, or Net-SNMP's error report (exit 1) or the failure (exit 2) on stderr.
pub fn set_and_report(
    runtime: &tokio::runtime::Runtime,
    client: &Client,
    agent: &str,
    varbinds: Vec<snmpctl::value::VarBind>,
    done: &str,
    options: &OutputOptions,
) -> anyhow::Result<std::process::ExitCode> {
    use std::io::Write as _;
    let request = snmpctl::client::Request { operation: snmpctl::client::Operation::Set, varbinds };
    let pdu = match runtime.block_on(client.request(request)) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}", describe(&e, agent, false));
            return Ok(std::process::ExitCode::from(super::EXIT_FAILURE));
        }
    };
    if pdu.error_status != snmpctl::msg::ErrorStatus::NO_ERROR {
        eprint!("{}", snmpctl::format::output::error_report(&pdu, options, true));
        return Ok(std::process::ExitCode::from(super::EXIT_AGENT_ERROR));
    }
    writeln!(std::io::stdout(), "{done}")?;
    Ok(std::process::ExitCode::from(super::EXIT_OK))
}
