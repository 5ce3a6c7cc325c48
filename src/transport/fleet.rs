//! Many agents at once: one request to each, all from one socket ([`super::poll`] underneath,
//! which `snmpctl poll` runs over tens of thousands of agents).

use super::Target;
use super::builder::ClientBuilder;
use super::poll::{self, Event, Failure, Job, Options};
use crate::Error;
use crate::client::WalkOptions;
use crate::mib::IntoOid;
use crate::value::VarBind;
use std::time::Duration;

/// The same question to many agents, with one set of credentials.
///
/// ```no_run
/// # async fn run() -> Result<(), snmpctl::Error> {
/// let agents = (1..=50).map(|i| format!("10.0.1.{i}"));
/// for (agent, answer) in snmpctl::Fleet::v2c("public").get(agents, ["sysName.0"]).await? {
///     match answer {
///         Ok(varbinds) => println!("{agent} {}", varbinds[0]),
///         Err(e) => eprintln!("{agent}: {e}"),
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a fleet does nothing until asked"]
pub struct Fleet {
    template: ClientBuilder,
    concurrency: usize,
}

impl Fleet {
    /// SNMPv2c with `community` for every agent.
    pub fn v2c(community: impl AsRef<[u8]>) -> Fleet {
        Fleet::from(super::Client::v2c(String::new(), community))
    }

    /// SNMPv3 with `user` for every agent (each agent's engine is discovered and its keys
    /// localized once).
    pub fn v3(user: super::Usm) -> Fleet {
        Fleet::from(super::Client::v3(String::new(), user))
    }

    /// Time to wait for each attempt (1 s by default).
    pub fn timeout(mut self, timeout: Duration) -> Fleet {
        self.template = self.template.timeout(timeout);
        self
    }

    /// Retransmissions after the first attempt (5 by default).
    pub fn retries(mut self, retries: u32) -> Fleet {
        self.template = self.template.retries(retries);
        self
    }

    /// Agents asked at once at most (1,000 by default).
    pub fn concurrency(mut self, agents: usize) -> Fleet {
        self.concurrency = agents.max(1);
        self
    }

    /// Gets `oids` from every agent (`"10.0.0.1"`, `"switch-3:1161"`, …), one socket for all,
    /// and returns each agent's answer in the order given: its varbinds, or why it failed
    /// (no answer, the agent's error-status, security).
    ///
    /// # Errors
    /// Before anything is sent: [`Error::Name`] for an OID, [`Error::Target`] or [`Error::Io`]
    /// for an agent address that does not parse or resolve, [`Error::Session`] for
    /// credentials. After: [`Error::Io`] if the socket fails.
    pub async fn get<A, S, I>(
        &self,
        agents: A,
        oids: I,
    ) -> Result<Vec<(String, Result<Vec<VarBind>, Error>)>, Error>
    where
        A: IntoIterator<Item = S>,
        S: Into<String>,
        I: IntoIterator,
        I::Item: IntoOid,
    {
        let mib = self.template.mib_or_shipped();
        let oids = oids.into_iter().map(|o| o.into_oid(&mib)).collect::<Result<Vec<_>, _>>()?;
        let config = self.template.config()?;
        let mut names = Vec::new();
        let mut jobs = Vec::new();
        for agent in agents {
            let name: String = agent.into();
            let target = Target::parse(&name, 161)?;
            let addr =
                target.resolve().await.map_err(|e| Error::io(format!("resolving {}", target.host), &e))?;
            jobs.push(Job {
                agent: addr,
                config: config.clone(),
                get: oids.clone(),
                walk: Vec::new(),
                walk_options: WalkOptions::get_next(),
            });
            names.push(name);
        }
        let mut answers: Vec<Option<Result<Vec<VarBind>, Error>>> = vec![None; jobs.len()];
        let seed = Error::random_seed("polling")?;
        let options = Options { concurrency: self.concurrency, min_interval: Duration::ZERO };
        poll::run(&jobs, options, seed, |event| match event {
            Event::Varbinds { job, varbinds } => {
                if let Some(slot) = answers.get_mut(job) {
                    *slot = Some(Ok(varbinds.to_vec()));
                }
            }
            Event::Failed { job, failure } => {
                if let Some(slot) = answers.get_mut(job) {
                    *slot = Some(Err(match failure {
                        Failure::Request(e) => e.clone().into(),
                        Failure::Agent(pdu) => Error::agent(pdu),
                        Failure::Walk(e) => e.clone().into(),
                    }));
                }
            }
            Event::Done { .. } => {}
        })
        .await
        .map_err(|e| Error::io("polling", &e))?;
        Ok(names
            .into_iter()
            .zip(answers)
            .map(|(name, answer)| (name, answer.unwrap_or(Err(Error::Timeout { attempts: 0 }))))
            .collect())
    }
}

impl From<ClientBuilder> for Fleet {
    /// Every agent with the builder's credentials, timeout and retries (its target is not
    /// used).
    fn from(template: ClientBuilder) -> Fleet {
        Fleet { template, concurrency: 1000 }
    }
}
