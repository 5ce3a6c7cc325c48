//! The front door's one error type: everything a [`Client`](crate::Client) call can fail with.
//!
//! The agent's own refusals ([`Error::Agent`]: an error-status such as `noSuchName` or
//! `notWritable`) are errors like any other, so `?` stops at them; the layers below keep
//! their own types ([`client::Error`], [`WalkError`], [`NameError`]) for those who drive them
//! directly, and convert into this one.

use crate::client::{self, WalkError};
use crate::mib::NameError;
use crate::msg::{ErrorStatus, GenericPdu};
use crate::value::Oid;

/// Why a call failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No answer after every attempt (Net-SNMP's "Timeout: No Response").
    #[error("no response after {attempts} attempts")]
    Timeout {
        /// Attempts made (1 + retries).
        attempts: u32,
    },
    /// The agent answered with an error-status (RFC 3416 § 3): `noSuchName`, `tooBig`,
    /// `notWritable`, `wrongType`, …
    #[error("the agent answered {status}{}", at(*index, oid.as_ref()))]
    Agent {
        /// The error-status.
        status: ErrorStatus,
        /// The error-index: the position (from 1) of the varbind at fault, 0 for none.
        index: u32,
        /// That varbind's OID, when the index names one.
        oid: Option<Oid>,
    },
    /// A name that does not resolve, or a value that does not fit the MIB's type.
    #[error("{0}")]
    Name(#[from] NameError),
    /// An agent address that cannot be used (`host:port`, `udp6:[::1]:161`, …).
    #[error("{0}")]
    Target(#[from] crate::transport::TargetError),
    /// The name did not resolve, or the socket could not be opened.
    #[error("{context}: {message}")]
    Io {
        /// What was being done.
        context: String,
        /// The system's message.
        message: String,
        /// Its kind.
        kind: std::io::ErrorKind,
    },
    /// A walk stopped (the agent's OIDs did not increase, or it went round in circles), or
    /// the agent answered without the varbinds asked for.
    #[error("{0}")]
    Walk(Box<WalkError>),
    /// SNMPv3 security, Reports, bad credentials or a request that cannot be built.
    #[error("{0}")]
    Session(client::Error),
}

fn at(index: u32, oid: Option<&Oid>) -> String {
    match (index, oid) {
        (0, _) => String::new(),
        (i, Some(oid)) => format!(" at varbind {i} ({oid})"),
        (i, None) => format!(" at varbind {i}"),
    }
}

impl Error {
    /// The agent's error-status, for [`Error::Agent`].
    pub fn status(&self) -> Option<ErrorStatus> {
        match self {
            Error::Agent { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether nothing answered (after every retry).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// A random seed for request-ids and salts, from the system.
    pub(crate) fn random_seed(context: &str) -> Result<u64, Error> {
        getrandom::u64().map_err(|e| Error::Io {
            context: context.to_owned(),
            message: format!("no random seed: {e}"),
            kind: std::io::ErrorKind::Other,
        })
    }

    pub(crate) fn io(context: impl Into<String>, e: &std::io::Error) -> Error {
        Error::Io { context: context.into(), message: e.to_string(), kind: e.kind() }
    }

    /// [`Error::Agent`] for a Response with an error-status.
    pub(crate) fn agent(pdu: &GenericPdu) -> Error {
        let index = u32::try_from(pdu.error_index).unwrap_or(0);
        let oid = usize::try_from(index)
            .ok()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| pdu.varbinds.get(i))
            .map(|vb| vb.oid.clone());
        Error::Agent { status: pdu.error_status, index, oid }
    }
}

impl From<client::Error> for Error {
    fn from(e: client::Error) -> Error {
        match e {
            client::Error::Timeout { attempts } => Error::Timeout { attempts },
            other => Error::Session(other),
        }
    }
}

impl From<WalkError> for Error {
    fn from(e: WalkError) -> Error {
        match e {
            WalkError::Agent { pdu } => Error::agent(&pdu),
            WalkError::Request { error, .. } => error.into(),
            other => Error::Walk(Box::new(other)),
        }
    }
}
