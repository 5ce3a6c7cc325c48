//! Report PDUs: which counter the agent incremented, and what a person should do about it.
//!
//! A Report carries the counter that the agent bumped when it discarded a request (RFC 3412
//! § 7.1 step 3(c), RFC 3414 § 3.2): usmStats for security failures (RFC 3414 § 5),
//! snmpMPDStats for message-processing failures (RFC 3412 § 5) and snmpTargetObjects'
//! context counters (RFC 3413 § 4.1.2).

use crate::value::{Oid, VarBind};
use core::fmt;

/// The counter a Report names.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReportKind {
    /// usmStatsUnsupportedSecLevels: the user is not configured for the requested level.
    UnsupportedSecLevel,
    /// usmStatsNotInTimeWindows: our engine boots/time are stale (time synchronization).
    NotInTimeWindow,
    /// usmStatsUnknownUserNames.
    UnknownUserName,
    /// usmStatsUnknownEngineIDs: the answer to discovery, or a wrong `-e`.
    UnknownEngineId,
    /// usmStatsWrongDigests: wrong authentication password or protocol.
    WrongDigest,
    /// usmStatsDecryptionErrors: wrong privacy password or protocol.
    DecryptionError,
    /// snmpUnknownSecurityModels.
    UnknownSecurityModel,
    /// snmpInvalidMsgs.
    InvalidMsg,
    /// snmpUnknownPDUHandlers.
    UnknownPduHandler,
    /// snmpUnavailableContexts.
    UnavailableContext,
    /// snmpUnknownContexts.
    UnknownContext,
    /// A counter snmpctl does not know.
    Other(Oid),
}

const USM_STATS: [u32; 9] = [1, 3, 6, 1, 6, 3, 15, 1, 1];
const MPD_STATS: [u32; 9] = [1, 3, 6, 1, 6, 3, 11, 2, 1];
const TARGET_OBJECTS: [u32; 9] = [1, 3, 6, 1, 6, 3, 12, 1, 0];

impl ReportKind {
    /// Classifies a Report's first varbind name (`usmStatsWrongDigests.0` and so on).
    pub fn from_oid(oid: &Oid) -> ReportKind {
        let arcs = oid.arcs();
        let (Some(prefix), Some(rest)) = (arcs.get(..9), arcs.get(9..)) else {
            return ReportKind::Other(oid.clone());
        };
        let leaf = match rest {
            [n] | [n, 0] => *n,
            _ => return ReportKind::Other(oid.clone()),
        };
        let target = arcs.get(..8) == TARGET_OBJECTS.get(..8);
        match (prefix, leaf) {
            (p, 1) if p == USM_STATS => ReportKind::UnsupportedSecLevel,
            (p, 2) if p == USM_STATS => ReportKind::NotInTimeWindow,
            (p, 3) if p == USM_STATS => ReportKind::UnknownUserName,
            (p, 4) if p == USM_STATS => ReportKind::UnknownEngineId,
            (p, 5) if p == USM_STATS => ReportKind::WrongDigest,
            (p, 6) if p == USM_STATS => ReportKind::DecryptionError,
            (p, 1) if p == MPD_STATS => ReportKind::UnknownSecurityModel,
            (p, 2) if p == MPD_STATS => ReportKind::InvalidMsg,
            (p, 3) if p == MPD_STATS => ReportKind::UnknownPduHandler,
            _ if target && arcs.get(8) == Some(&4) => ReportKind::UnavailableContext,
            _ if target && arcs.get(8) == Some(&5) => ReportKind::UnknownContext,
            _ => ReportKind::Other(oid.clone()),
        }
    }

    /// The counter's instance OID, as a Report names it (`usmStatsWrongDigests.0`, …); the
    /// inverse of [`ReportKind::from_oid`].
    pub fn oid(&self) -> Oid {
        let (base, leaf) = match self {
            ReportKind::UnsupportedSecLevel => (&USM_STATS[..], 1),
            ReportKind::NotInTimeWindow => (&USM_STATS[..], 2),
            ReportKind::UnknownUserName => (&USM_STATS[..], 3),
            ReportKind::UnknownEngineId => (&USM_STATS[..], 4),
            ReportKind::WrongDigest => (&USM_STATS[..], 5),
            ReportKind::DecryptionError => (&USM_STATS[..], 6),
            ReportKind::UnknownSecurityModel => (&MPD_STATS[..], 1),
            ReportKind::InvalidMsg => (&MPD_STATS[..], 2),
            ReportKind::UnknownPduHandler => (&MPD_STATS[..], 3),
            ReportKind::UnavailableContext => (&TARGET_OBJECTS[..8], 4),
            ReportKind::UnknownContext => (&TARGET_OBJECTS[..8], 5),
            ReportKind::Other(oid) => return oid.clone(),
        };
        Oid::new(base).and_then(|o| o.join(&[leaf, 0])).unwrap_or_default()
    }

    /// Classifies a Report PDU by its first varbind; `None` for an empty Report.
    pub fn from_varbinds(varbinds: &[VarBind]) -> Option<ReportKind> {
        varbinds.first().map(|vb| ReportKind::from_oid(&vb.oid))
    }

    /// The counter's MIB name.
    pub fn counter(&self) -> &'static str {
        match self {
            ReportKind::UnsupportedSecLevel => "usmStatsUnsupportedSecLevels",
            ReportKind::NotInTimeWindow => "usmStatsNotInTimeWindows",
            ReportKind::UnknownUserName => "usmStatsUnknownUserNames",
            ReportKind::UnknownEngineId => "usmStatsUnknownEngineIDs",
            ReportKind::WrongDigest => "usmStatsWrongDigests",
            ReportKind::DecryptionError => "usmStatsDecryptionErrors",
            ReportKind::UnknownSecurityModel => "snmpUnknownSecurityModels",
            ReportKind::InvalidMsg => "snmpInvalidMsgs",
            ReportKind::UnknownPduHandler => "snmpUnknownPDUHandlers",
            ReportKind::UnavailableContext => "snmpUnavailableContexts",
            ReportKind::UnknownContext => "snmpUnknownContexts",
            ReportKind::Other(_) => "an unknown counter",
        }
    }
}

impl fmt::Display for ReportKind {
    /// What happened and what to check, in plain words.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            ReportKind::UnsupportedSecLevel => {
                "the agent does not allow this security level for the user: use a level the user \
                 has (-l), or configure the user with authentication/privacy keys"
            }
            ReportKind::NotInTimeWindow => {
                "the request was outside the agent's time window even after resynchronising: \
                 the agent's clock or engineBoots is unstable"
            }
            ReportKind::UnknownUserName => "the agent does not know this user name: check -u",
            ReportKind::UnknownEngineId => "the agent does not answer to this engine ID: check -e",
            ReportKind::WrongDigest => {
                "authentication failed at the agent (wrong digest): check the authentication \
                 password and protocol (-A, -a)"
            }
            ReportKind::DecryptionError => {
                "the agent could not decrypt the request: check the privacy password and \
                 protocol (-X, -x)"
            }
            ReportKind::UnknownSecurityModel => "the agent does not support this security model",
            ReportKind::InvalidMsg => "the agent found the message invalid",
            ReportKind::UnknownPduHandler => "the agent has no handler for this PDU type",
            ReportKind::UnavailableContext => "the context is unavailable at the agent: check -n",
            ReportKind::UnknownContext => "the agent does not know this context: check -n",
            ReportKind::Other(oid) => return write!(f, "the agent sent a Report naming {oid}"),
        };
        write!(f, "{text} ({})", self.counter())
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn oid_and_from_oid_are_inverses() {
        for k in [
            ReportKind::UnsupportedSecLevel,
            ReportKind::NotInTimeWindow,
            ReportKind::UnknownUserName,
            ReportKind::UnknownEngineId,
            ReportKind::WrongDigest,
            ReportKind::DecryptionError,
            ReportKind::UnknownSecurityModel,
            ReportKind::InvalidMsg,
            ReportKind::UnknownPduHandler,
            ReportKind::UnavailableContext,
            ReportKind::UnknownContext,
        ] {
            assert_eq!(ReportKind::from_oid(&k.oid()), k);
        }
        assert_eq!(ReportKind::WrongDigest.oid().to_string(), "1.3.6.1.6.3.15.1.1.5.0");
        assert_eq!(ReportKind::UnknownContext.oid().to_string(), "1.3.6.1.6.3.12.1.5.0");
    }

    use super::*;

    #[test]
    fn classifies_counters() {
        let k = |s: &str| ReportKind::from_oid(&s.parse().unwrap());
        assert_eq!(k("1.3.6.1.6.3.15.1.1.4.0"), ReportKind::UnknownEngineId);
        assert_eq!(k("1.3.6.1.6.3.15.1.1.5.0"), ReportKind::WrongDigest);
        assert_eq!(k("1.3.6.1.6.3.15.1.1.2"), ReportKind::NotInTimeWindow);
        assert_eq!(k("1.3.6.1.6.3.11.2.1.3.0"), ReportKind::UnknownPduHandler);
        assert_eq!(k("1.3.6.1.6.3.12.1.5.0"), ReportKind::UnknownContext);
        assert!(matches!(k("1.3.6.1.6.3.15.1.1.9.0"), ReportKind::Other(_)));
        assert!(matches!(k("1.3"), ReportKind::Other(_)));
        assert!(k("1.3.6.1.6.3.15.1.1.5.0").to_string().contains("-A"));
    }
}
