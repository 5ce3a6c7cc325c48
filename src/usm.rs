//! The User-based Security Model: [RFC 3414](https://www.rfc-editor.org/rfc/rfc3414),
//! [RFC 3826](https://www.rfc-editor.org/rfc/rfc3826) (AES),
//! [RFC 7860](https://www.rfc-editor.org/rfc/rfc7860) (SHA-2), and the AES-192/256 and 3DES
//! drafts that real agents implement.
//!
//! Contracts:
//! - No I/O and no clocks: time (`now`) and randomness (the [`SaltCounter`] seed) come from the
//!   caller.
//! - Only [`unwrap`], after the MAC check (constant-time), builds an [`Authenticated`] value at
//!   an authenticated level; an encrypted scoped PDU stays opaque until [`unwrap`] decrypts it.
//! - Passwords and keys are [`Secret`]s: zeroized on drop, redacted in `Debug`.
//! - No function here panics on any input.
//!
//! Sending: build an [`Outgoing`] and call [`wrap`]. Receiving: [`crate::msg::Message::decode_detailed`],
//! then [`unwrap`] with the user's [`LocalizedKeys`], then (for authenticated messages)
//! [`EngineState::check_and_update`] for the time window.
//!
//! ```
//! use snmpctl::usm::{AuthProtocol, Password, localize, password_to_key};
//! // RFC 3414 A.3.1: "maplesyrup", localized to engine 00..02 with MD5.
//! let master = password_to_key(AuthProtocol::Md5, &Password::new(&b"maplesyrup"[..])?);
//! let engine = snmpctl::hex::decode("000000000000000000000002")?;
//! let key = localize(AuthProtocol::Md5, master.expose(), &engine);
//! assert_eq!(snmpctl::hex::encode(key.expose()), "526f5eed9fcce26f8964c2930787d82b");
//! assert!(!format!("{key:?}").contains("526f")); // secrets never print
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod auth;
mod dh;
mod engine;
mod key;
mod privacy;
mod protocol;
mod report;
mod secret;

pub use dh::{DhAgreement, DhError, DhParameters, MAX_DRAWS, MAX_PRIME_LEN};
pub use engine::{EngineState, LocalEngine, MAX_ENGINE_BOOTS, Report, TIME_WINDOW};
pub use key::{
    Credentials, KeySource, LocalizedKeys, MIN_PASSWORD_LEN, Password, UserKeys, apply_key_change,
    key_change, localize, password_to_key, privacy_key,
};
pub use privacy::SaltCounter;
pub use protocol::{AuthProtocol, KeyExtension, PrivProtocol, SecurityLevel, UnknownProtocol};
pub use report::ReportKind;
pub use secret::Secret;

use crate::hex;
use crate::msg::{
    DecodeError, Decoded, Deviation, EncodeError, HeaderData, Message, MsgFlags, ScopedPdu, ScopedPduData,
    SecurityModel, SecurityParameters, UsmSecurityParameters, V3Message,
};
use privacy::DecryptProblem;

/// A received message failed USM processing. Each variant is one of the counters of RFC 3414
/// § 3.2 (usmStats*) or RFC 3412 § 7.2 (snmpInvalidMsgs, snmpUnknownSecurityModels).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsmError {
    /// usmStatsUnsupportedSecLevels: the message's level needs keys the user does not have.
    #[error(
        "message is {found} but user {user:?} is configured for {configured} (usmStatsUnsupportedSecLevels)"
    )]
    UnsupportedSecurityLevel {
        /// The user name from the message.
        user: String,
        /// The level msgFlags asked for.
        found: SecurityLevel,
        /// The user's level.
        configured: SecurityLevel,
    },
    /// usmStatsNotInTimeWindows.
    #[error(
        "message outside the 150-second time window: it says boots {msg_boots} time {msg_time}, \
         expected boots {local_boots} time {local_time} (usmStatsNotInTimeWindows)"
    )]
    NotInTimeWindow {
        /// msgAuthoritativeEngineBoots.
        msg_boots: u32,
        /// msgAuthoritativeEngineTime.
        msg_time: u32,
        /// Our notion of snmpEngineBoots.
        local_boots: u32,
        /// Our notion of snmpEngineTime.
        local_time: u32,
    },
    /// usmStatsUnknownUserNames: no credentials for this user name.
    #[error("no credentials for user {user:?} (usmStatsUnknownUserNames)")]
    UnknownUserName {
        /// The user name from the message.
        user: String,
    },
    /// usmStatsUnknownEngineIDs: the keys belong to another engine.
    #[error(
        "message is from engine {found}, keys are localized for engine {expected} (usmStatsUnknownEngineIDs)"
    )]
    UnknownEngineId {
        /// msgAuthoritativeEngineID, hex.
        found: String,
        /// The engine the keys are for, hex.
        expected: String,
    },
    /// usmStatsWrongDigests: the MAC does not verify.
    #[error(
        "authentication failed (wrong digest): the {protocol} MAC does not match; check the \
         authentication password and protocol (usmStatsWrongDigests)"
    )]
    WrongDigest {
        /// The protocol the check used.
        protocol: AuthProtocol,
    },
    /// usmStatsDecryptionErrors.
    #[error("decryption failed ({protocol}): {detail} (usmStatsDecryptionErrors)")]
    DecryptionError {
        /// The protocol decryption used.
        protocol: PrivProtocol,
        /// What went wrong.
        detail: String,
    },
    /// snmpUnknownSecurityModels: not a USM message.
    #[error("msgSecurityModel {0} is not USM (3) (snmpUnknownSecurityModels)")]
    UnknownSecurityModel(i64),
    /// snmpInvalidMsgs: a message that cannot be processed at all.
    #[error("invalid message: {0} (snmpInvalidMsgs)")]
    InvalidMsg(String),
}

impl UsmError {
    /// The usmStats counter an authoritative engine names in its Report for this refusal
    /// (RFC 3414 § 3.2); `None` for refusals it drops without one.
    pub fn report_kind(&self) -> Option<ReportKind> {
        Some(match self {
            UsmError::UnsupportedSecurityLevel { .. } => ReportKind::UnsupportedSecLevel,
            UsmError::NotInTimeWindow { .. } => ReportKind::NotInTimeWindow,
            UsmError::UnknownUserName { .. } => ReportKind::UnknownUserName,
            UsmError::UnknownEngineId { .. } => ReportKind::UnknownEngineId,
            UsmError::WrongDigest { .. } => ReportKind::WrongDigest,
            UsmError::DecryptionError { .. } => ReportKind::DecryptionError,
            UsmError::UnknownSecurityModel(_) | UsmError::InvalidMsg(_) => return None,
        })
    }
}

/// Caller faults: credentials that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// RFC 3414 § 11.2.
    #[error("password is {len} characters; USM requires at least 8 (RFC 3414 § 11.2)")]
    PasswordTooShort {
        /// The password's length.
        len: usize,
    },
    /// A master or localized key of the wrong length.
    #[error("{which} key is {found} bytes; {expected} bytes expected for this protocol")]
    KeyLength {
        /// "authentication" or "privacy".
        which: &'static str,
        /// Expected length.
        expected: usize,
        /// Given length.
        found: usize,
    },
    /// authNoPriv or authPriv without an authentication protocol and key.
    #[error("security level {level} needs an authentication protocol and password (-a, -A)")]
    MissingAuth {
        /// The level asked for.
        level: SecurityLevel,
    },
    /// authPriv without a privacy protocol and key.
    #[error("security level authPriv needs a privacy protocol and password (-x, -X)")]
    MissingPrivacy,
    /// An empty user name.
    #[error("SNMPv3 needs a user name (-u)")]
    EmptyUserName,
}

/// A message could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WrapError {
    /// The level needs keys that were not given.
    #[error("cannot send at {level}: the user has no {missing} key")]
    MissingKey {
        /// The level asked for.
        level: SecurityLevel,
        /// "authentication" or "privacy".
        missing: &'static str,
    },
    /// The message does not encode.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// The encoder's output could not be parsed back to place the MAC (a bug).
    #[error("internal error: msgAuthenticationParameters not found in the encoded message")]
    MacPlacement,
}

/// A message that passed USM processing at [`Authenticated::level`]: for authNoPriv and
/// authPriv, the MAC verified; for authPriv, the scoped PDU was decrypted. Only [`unwrap`]
/// builds one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated<T> {
    level: SecurityLevel,
    inner: T,
}

impl<T> Authenticated<T> {
    /// The level that was verified (noAuthNoPriv: nothing was).
    pub fn level(&self) -> SecurityLevel {
        self.level
    }

    /// The message.
    pub fn get(&self) -> &T {
        &self.inner
    }

    /// The message, consuming the wrapper.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

/// A v3 message after USM processing: header, security parameters and the plaintext scoped PDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unwrapped {
    /// msgGlobalData.
    pub header: HeaderData,
    /// The USM security parameters as received.
    pub usm: UsmSecurityParameters,
    /// The scoped PDU (decrypted if it was encrypted).
    pub scoped_pdu: ScopedPdu,
    /// Departures from the standard seen while decoding (including the decrypted part).
    pub deviations: Vec<Deviation>,
}

/// What [`wrap`] needs for one outgoing message (RFC 3414 § 3.1).
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    /// msgID.
    pub msg_id: i32,
    /// msgMaxSize: the largest message we accept.
    pub msg_max_size: i32,
    /// The level to send at (a discovery probe uses noAuthNoPriv whatever the user's level).
    pub level: SecurityLevel,
    /// reportableFlag: set on requests, clear on responses, traps and reports.
    pub reportable: bool,
    /// msgAuthoritativeEngineID (empty for discovery).
    pub engine_id: &'a [u8],
    /// msgAuthoritativeEngineBoots.
    pub engine_boots: u32,
    /// msgAuthoritativeEngineTime.
    pub engine_time: u32,
    /// msgUserName.
    pub user_name: &'a [u8],
    /// The scoped PDU to send.
    pub scoped_pdu: &'a ScopedPdu,
}

/// Builds, encrypts and authenticates one v3 message (RFC 3414 § 3.1): the scoped PDU is
/// encrypted for authPriv, the message encoded with zeroed msgAuthenticationParameters, and
/// the MAC of the whole message written into them.
///
/// # Errors
/// [`WrapError`] when the level needs keys `keys` lacks, or the PDU does not encode.
pub fn wrap(
    out: &Outgoing<'_>,
    keys: Option<&LocalizedKeys>,
    salt: &mut SaltCounter,
) -> Result<Vec<u8>, WrapError> {
    let mac_key = match out.level {
        SecurityLevel::NoAuthNoPriv => None,
        level => match keys.and_then(|k| k.auth.as_ref()) {
            Some((_, m)) => Some(m),
            None => return Err(WrapError::MissingKey { level, missing: "authentication" }),
        },
    };
    let mut priv_params = Vec::new();
    let data = if out.level == SecurityLevel::AuthPriv {
        let Some((proto, key)) = keys.and_then(|k| k.privacy.as_ref()) else {
            return Err(WrapError::MissingKey { level: out.level, missing: "privacy" });
        };
        let plain = zeroize::Zeroizing::new(out.scoped_pdu.encode()?);
        let (cipher, salt_bytes) =
            privacy::encrypt(*proto, key.expose(), out.engine_boots, out.engine_time, salt, &plain)
                .ok_or(WrapError::MissingKey { level: out.level, missing: "privacy" })?;
        priv_params = salt_bytes.to_vec();
        ScopedPduData::Encrypted(cipher)
    } else {
        ScopedPduData::Plaintext(out.scoped_pdu.clone())
    };
    let mut flags = out.level.flag_bits();
    if out.reportable {
        flags |= MsgFlags::REPORTABLE;
    }
    let message = Message::V3(V3Message {
        header: HeaderData {
            msg_id: i64::from(out.msg_id),
            msg_max_size: i64::from(out.msg_max_size),
            msg_flags: MsgFlags(flags),
            security_model: SecurityModel::USM,
        },
        security: SecurityParameters::Usm(UsmSecurityParameters {
            engine_id: out.engine_id.to_vec(),
            engine_boots: i64::from(out.engine_boots),
            engine_time: i64::from(out.engine_time),
            user_name: out.user_name.to_vec(),
            auth_params: vec![0; mac_key.map_or(0, |m| m.protocol().mac_len())],
            priv_params,
        }),
        data,
    });
    let mut bytes = message.encode()?;
    if let Some(mac_key) = mac_key {
        let range = crate::msg::locate_auth_params(&bytes).ok_or(WrapError::MacPlacement)?;
        let mut mac = [0u8; auth::MAX_MAC_LEN];
        let n = mac_key.sign(&bytes, &mut mac);
        let slot = bytes.get_mut(range).ok_or(WrapError::MacPlacement)?;
        let src = mac.get(..n).ok_or(WrapError::MacPlacement)?;
        if slot.len() != src.len() {
            return Err(WrapError::MacPlacement);
        }
        slot.copy_from_slice(src);
    }
    Ok(bytes)
}

/// RFC 3414 § 3.2 steps 1–8 for a received v3 message: checks the security model, the user's
/// keys against the level in msgFlags, verifies the MAC on the received bytes (with
/// msgAuthenticationParameters zeroed, compared in constant time) and decrypts.
///
/// `data` is the datagram `decoded` came from; `keys` are the keys of the user the message
/// names, localized to the authoritative engine (`None`: the user has none). Whether the level
/// is acceptable for the user is the caller's rule (a Report may arrive at a lower level than
/// the request); the time window is checked by [`EngineState::check_and_update`] or
/// [`LocalEngine::check`] after this.
///
/// # Errors
/// [`UsmError`], one variant per counter.
pub fn unwrap(
    data: &[u8],
    decoded: Decoded,
    keys: Option<&LocalizedKeys>,
) -> Result<Authenticated<Unwrapped>, UsmError> {
    let Decoded { message, mut deviations, auth_params_range } = decoded;
    let Message::V3(v3) = message else {
        return Err(UsmError::InvalidMsg("not an SNMPv3 message".into()));
    };
    let V3Message { header, security, data: scoped } = v3;
    let usm = match security {
        SecurityParameters::Usm(usm) => usm,
        SecurityParameters::Other(_) => return Err(UsmError::UnknownSecurityModel(header.security_model.0)),
    };
    let Some(level) = SecurityLevel::from_flags(header.msg_flags) else {
        return Err(UsmError::InvalidMsg(
            "msgFlags sets privFlag without authFlag (RFC 3412 § 7.2 step 5)".into(),
        ));
    };
    let user = || String::from_utf8_lossy(&usm.user_name).into_owned();
    let unsupported = |keys: Option<&LocalizedKeys>| UsmError::UnsupportedSecurityLevel {
        user: user(),
        found: level,
        configured: keys.map_or(SecurityLevel::NoAuthNoPriv, LocalizedKeys::level),
    };
    if level >= SecurityLevel::AuthNoPriv {
        let Some((proto, mac_key)) = keys.and_then(|k| k.auth.as_ref()) else {
            return Err(unsupported(keys));
        };
        if let Some(k) = keys
            && k.engine_id() != usm.engine_id.as_slice()
        {
            return Err(UsmError::UnknownEngineId {
                found: hex::encode(&usm.engine_id),
                expected: hex::encode(k.engine_id()),
            });
        }
        let range =
            auth_params_range.ok_or_else(|| UsmError::InvalidMsg("no msgAuthenticationParameters".into()))?;
        if usm.auth_params.len() != proto.mac_len() {
            // RFC 3414 § 6.3.2 step 1 / RFC 7860 § 4.2.2 step 1: wrong length is a wrong digest.
            return Err(UsmError::WrongDigest { protocol: *proto });
        }
        let mut zeroed = data.to_vec();
        match zeroed.get_mut(range) {
            Some(slot) => slot.fill(0),
            None => return Err(UsmError::InvalidMsg("msgAuthenticationParameters out of range".into())),
        }
        if !mac_key.verify(&zeroed, &usm.auth_params) {
            return Err(UsmError::WrongDigest { protocol: *proto });
        }
    }
    let scoped_pdu = match (level, scoped) {
        (SecurityLevel::AuthPriv, ScopedPduData::Encrypted(cipher)) => {
            let Some((proto, key)) = keys.and_then(|k| k.privacy.as_ref()) else {
                return Err(unsupported(keys));
            };
            let failed = |detail: String| UsmError::DecryptionError { protocol: *proto, detail };
            let boots = u32::try_from(usm.engine_boots).unwrap_or(0);
            let time = u32::try_from(usm.engine_time).unwrap_or(0);
            let plain = privacy::decrypt(*proto, key.expose(), boots, time, &usm.priv_params, &cipher)
                .map_err(|p| match p {
                    DecryptProblem::SaltLength(n) => {
                        failed(format!("msgPrivacyParameters is {n} bytes, not 8"))
                    }
                    DecryptProblem::NotBlockAligned(n) => {
                        failed(format!("encryptedPDU is {n} bytes, not a multiple of 8"))
                    }
                    DecryptProblem::KeyLength => failed("privacy key too short".into()),
                })?;
            let (pdu, devs) = ScopedPdu::decode(&plain).map_err(|e: DecodeError| {
                failed(format!(
                    "the decrypted data is not a ScopedPDU ({e}): wrong privacy password or protocol (-X, -x)"
                ))
            })?;
            deviations.extend(devs);
            pdu
        }
        (SecurityLevel::AuthPriv, ScopedPduData::Plaintext(_)) => {
            return Err(UsmError::InvalidMsg("privFlag is set but the scoped PDU is not encrypted".into()));
        }
        (_, ScopedPduData::Encrypted(_)) => {
            return Err(UsmError::InvalidMsg("the scoped PDU is encrypted but privFlag is clear".into()));
        }
        (_, ScopedPduData::Plaintext(pdu)) => pdu,
    };
    Ok(Authenticated { level, inner: Unwrapped { header, usm, scoped_pdu, deviations } })
}
