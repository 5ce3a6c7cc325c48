//! Starting a [`Client`]: the agent, the version and credentials, and Net-SNMP's defaults for
//! the rest (1 s timeout, 5 retries, max-repetitions 10, port 161, the shipped MIBs).

use super::{Client, Link, Target};
use crate::Error;
use crate::client::{Config, Security, UsmConfig};
use crate::mib::Mib;
use crate::msg::Version;
use crate::usm::{AuthProtocol, Credentials, KeySource, Password, PrivProtocol, SecurityLevel, UserKeys};
use std::time::Duration;

/// How to reach an agent; [`ClientBuilder::connect`] starts the client.
///
/// ```no_run
/// # async fn run() -> Result<(), snmpctl::Error> {
/// use snmpctl::{AuthProtocol, Client, PrivProtocol, Usm};
/// use std::time::Duration;
/// let router = Client::v2c("10.0.0.1", "public").timeout(Duration::from_secs(2)).connect().await?;
/// let switch = Client::v3(
///     "udp6:[2001:db8::2]:1161",
///     Usm::user("admin").auth(AuthProtocol::Sha256, "auth-pass").privacy(PrivProtocol::Aes128, "priv-pass"),
/// )
/// .connect()
/// .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until connect() is called"]
pub struct ClientBuilder {
    target: String,
    security: Credentials2,
    timeout: Duration,
    retries: u32,
    max_repetitions: u32,
    mib: Option<Mib>,
}

/// The version and credentials as given, checked at `connect`.
#[derive(Debug, Clone)]
enum Credentials2 {
    Community { version: Version, community: Vec<u8> },
    Usm(Usm),
}

impl Client {
    /// SNMPv2c with a community. `target` is Net-SNMP's `[udp:|udp6:|tcp:|tcp6:]host[:port]`
    /// (`"10.0.0.1"`, `"router.example.net:1161"`, `"udp6:[::1]"`); names are resolved at
    /// `connect`.
    pub fn v2c(target: impl Into<String>, community: impl AsRef<[u8]>) -> ClientBuilder {
        ClientBuilder::new(target.into(), Version::V2c, community.as_ref().to_vec())
    }

    /// SNMPv1 with a community. Walks and tables use GetNext.
    pub fn v1(target: impl Into<String>, community: impl AsRef<[u8]>) -> ClientBuilder {
        ClientBuilder::new(target.into(), Version::V1, community.as_ref().to_vec())
    }

    /// SNMPv3 with a USM user; the agent's engine is discovered on the first request.
    pub fn v3(target: impl Into<String>, user: Usm) -> ClientBuilder {
        ClientBuilder {
            security: Credentials2::Usm(user),
            ..ClientBuilder::new(target.into(), Version::V3, Vec::new())
        }
    }

    /// A builder for `target`, SNMPv2c with community `public` until told otherwise.
    pub fn builder(target: impl Into<String>) -> ClientBuilder {
        Client::v2c(target, "public")
    }
}

impl ClientBuilder {
    fn new(target: String, version: Version, community: Vec<u8>) -> ClientBuilder {
        ClientBuilder {
            target,
            security: Credentials2::Community { version, community },
            timeout: Duration::from_secs(1),
            retries: 5,
            max_repetitions: super::DEFAULT_MAX_REPETITIONS,
            mib: None,
        }
    }

    /// SNMPv1 or v2c with this community.
    pub fn community(mut self, version: Version, community: impl AsRef<[u8]>) -> ClientBuilder {
        self.security = Credentials2::Community { version, community: community.as_ref().to_vec() };
        self
    }

    /// SNMPv3 with this user.
    pub fn usm(mut self, user: Usm) -> ClientBuilder {
        self.security = Credentials2::Usm(user);
        self
    }

    /// Time to wait for each attempt (Net-SNMP `-t`, 1 s by default).
    pub fn timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.timeout = timeout;
        self
    }

    /// Retransmissions after the first attempt (Net-SNMP `-r`, 5 by default).
    pub fn retries(mut self, retries: u32) -> ClientBuilder {
        self.retries = retries;
        self
    }

    /// max-repetitions of the GetBulk requests of walks and tables (`-Cr`, 10 by default).
    pub fn max_repetitions(mut self, max_repetitions: u32) -> ClientBuilder {
        self.max_repetitions = max_repetitions.max(1);
        self
    }

    /// The MIB names are resolved and values typed with (the shipped modules by default; see
    /// [`Mib::with_dirs`] for your vendors' files).
    pub fn mib(mut self, mib: Mib) -> ClientBuilder {
        self.mib = Some(mib);
        self
    }

    /// The MIB given to the builder, or the shipped one.
    pub(crate) fn mib_or_shipped(&self) -> Mib {
        self.mib.clone().unwrap_or_else(Mib::shipped)
    }

    /// The session settings this builder describes (keys derived from passwords here).
    ///
    /// # Errors
    /// [`Error::Session`] for unusable credentials (a password under 8 characters, a level
    /// without its protocol).
    pub fn config(&self) -> Result<Config, Error> {
        let security = match &self.security {
            Credentials2::Community { version, community } => {
                Security::Community { version: *version, community: community.clone() }
            }
            Credentials2::Usm(u) => Security::Usm(Box::new(u.usm_config()?)),
        };
        let mut config = Config::new(security);
        config.timeout = self.timeout;
        config.retries = self.retries;
        Ok(config)
    }

    /// Resolves the target, opens the socket (or TCP connection) and starts the client.
    ///
    /// # Errors
    /// [`Error::Target`] for a bad address, [`Error::Io`] when the name does not resolve or
    /// the socket cannot be opened, [`Error::Session`] for unusable credentials.
    pub async fn connect(self) -> Result<Client, Error> {
        self.start(None).await
    }

    /// Like [`ClientBuilder::connect`], over a [`Hub`](super::Hub)'s shared UDP sockets
    /// instead of a socket of the client's own (a `tcp:` target still gets its connection).
    ///
    /// # Errors
    /// As [`ClientBuilder::connect`].
    pub async fn connect_via(self, hub: &super::Hub) -> Result<Client, Error> {
        self.start(Some(hub)).await
    }

    async fn start(self, hub: Option<&super::Hub>) -> Result<Client, Error> {
        let config = self.config()?;
        let target = Target::parse(&self.target, 161)?;
        let addr = target.resolve().await.map_err(|e| Error::io(format!("resolving {}", target.host), &e))?;
        let link = match hub {
            Some(hub) if !target.tcp => Ok(Link::Hub(std::sync::Arc::clone(hub.sockets()), addr)),
            _ if target.tcp => Link::tcp(addr, &config).await,
            _ => Link::udp(addr).await,
        }
        .map_err(|e| Error::io(format!("connecting to {target}"), &e))?;
        Client::spawn_with(link, config, self.mib.unwrap_or_else(Mib::shipped), self.max_repetitions)
            .map_err(|e| Error::io("starting the client", &e))
    }
}

/// An SNMPv3 user (USM, RFC 3414): name, protocols and passwords. The level is the highest
/// the given keys allow unless [`Usm::level`] says otherwise; passwords are hashed into keys
/// once, at `connect`, and never printed.
///
/// ```
/// use snmpctl::{AuthProtocol, PrivProtocol, Usm};
/// let user = Usm::user("admin").auth(AuthProtocol::Sha256, "auth-pass").privacy(PrivProtocol::Aes256, "priv-pass");
/// assert!(!format!("{user:?}").contains("auth-pass"));
/// ```
#[derive(Clone)]
pub struct Usm {
    name: Vec<u8>,
    auth: Option<(AuthProtocol, KeySource)>,
    privacy: Option<(PrivProtocol, KeySource)>,
    level: Option<SecurityLevel>,
    engine_id: Option<Vec<u8>>,
    context_engine_id: Option<Vec<u8>>,
    context: Vec<u8>,
    /// The first password that could not be used, reported at `connect`.
    problem: Option<crate::usm::KeyError>,
}

impl std::fmt::Debug for Usm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Usm")
            .field("name", &String::from_utf8_lossy(&self.name))
            .field("auth", &self.auth.as_ref().map(|(p, _)| p))
            .field("privacy", &self.privacy.as_ref().map(|(p, _)| p))
            .field("level", &self.level)
            .finish_non_exhaustive()
    }
}

impl Usm {
    /// The user `name`, noAuthNoPriv until keys are given.
    pub fn user(name: impl AsRef<[u8]>) -> Usm {
        Usm {
            name: name.as_ref().to_vec(),
            auth: None,
            privacy: None,
            level: None,
            engine_id: None,
            context_engine_id: None,
            context: Vec::new(),
            problem: None,
        }
    }

    fn password(&mut self, password: impl AsRef<[u8]>) -> Option<KeySource> {
        match Password::new(password.as_ref()) {
            Ok(p) => Some(KeySource::Password(p)),
            Err(e) => {
                self.problem.get_or_insert(e);
                None
            }
        }
    }

    /// Authentication with a password (Net-SNMP `-a` and `-A`).
    pub fn auth(mut self, protocol: AuthProtocol, password: impl AsRef<[u8]>) -> Usm {
        self.auth = self.password(password).map(|k| (protocol, k));
        self
    }

    /// Privacy with a password (Net-SNMP `-x` and `-X`).
    pub fn privacy(mut self, protocol: PrivProtocol, password: impl AsRef<[u8]>) -> Usm {
        self.privacy = self.password(password).map(|k| (protocol, k));
        self
    }

    /// Authentication with a key instead of a password: a master key (`-3m`) or one already
    /// localized to the agent (`-3k`).
    pub fn auth_key(mut self, protocol: AuthProtocol, key: KeySource) -> Usm {
        self.auth = Some((protocol, key));
        self
    }

    /// Privacy with a key instead of a password (`-3M`, `-3K`).
    pub fn privacy_key(mut self, protocol: PrivProtocol, key: KeySource) -> Usm {
        self.privacy = Some((protocol, key));
        self
    }

    /// The security level (`-l`); by default the highest the keys allow.
    pub fn level(mut self, level: SecurityLevel) -> Usm {
        self.level = Some(level);
        self
    }

    /// The agent's engine ID (`-e`), which skips discovery.
    pub fn engine_id(mut self, id: impl AsRef<[u8]>) -> Usm {
        self.engine_id = Some(id.as_ref().to_vec());
        self
    }

    /// The context (`-n`) and, if given, its engine ID (`-E`).
    pub fn context(mut self, name: impl AsRef<[u8]>, engine_id: Option<&[u8]>) -> Usm {
        self.context = name.as_ref().to_vec();
        self.context_engine_id = engine_id.map(<[u8]>::to_vec);
        self
    }

    /// The session settings of this user (keys derived from the passwords).
    pub(crate) fn usm_config(&self) -> Result<UsmConfig, Error> {
        if let Some(problem) = &self.problem {
            return Err(Error::Session(problem.clone().into()));
        }
        let level = self.level.unwrap_or(match (&self.auth, &self.privacy) {
            (Some(_), Some(_)) => SecurityLevel::AuthPriv,
            (Some(_), None) => SecurityLevel::AuthNoPriv,
            _ => SecurityLevel::NoAuthNoPriv,
        });
        let user = UserKeys::new(Credentials {
            user_name: self.name.clone(),
            level,
            auth: self.auth.clone(),
            privacy: self.privacy.clone(),
        })
        .map_err(|e| Error::Session(e.into()))?;
        Ok(UsmConfig {
            user,
            engine_id: self.engine_id.clone(),
            context_engine_id: self.context_engine_id.clone(),
            context_name: self.context.clone(),
        })
    }
}
