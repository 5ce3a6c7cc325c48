//! Keys: password → key ([RFC 3414 § A.2](https://www.rfc-editor.org/rfc/rfc3414#appendix-A.2),
//! [RFC 7860 § 4.1](https://www.rfc-editor.org/rfc/rfc7860#section-4.1)), key localization
//! (RFC 3414 § 2.6), and privacy key extension (Blumenthal and Reeder drafts).
//!
//! Password → key hashes one mebibyte and costs milliseconds, so [`UserKeys`] derives the master
//! keys once per user and [`UserKeys::localize`] derives the per-engine keys once per engine;
//! callers cache the result.

use super::protocol::{AuthProtocol, KeyExtension, PrivProtocol, SecurityLevel};
use super::secret::Secret;
use super::{KeyError, auth::MacKey};
use sha2::Digest;
use zeroize::Zeroizing;

/// RFC 3414 § 11.2: "the minimum password length is 8 characters".
pub const MIN_PASSWORD_LEN: usize = 8;

/// Runs `$body` with `$D` bound to the digest type of `$proto`.
macro_rules! with_digest {
    ($proto:expr, $D:ident => $body:expr) => {
        match $proto {
            AuthProtocol::Md5 => {
                type $D = md5::Md5;
                $body
            }
            AuthProtocol::Sha1 => {
                type $D = sha1::Sha1;
                $body
            }
            AuthProtocol::Sha224 => {
                type $D = sha2::Sha224;
                $body
            }
            AuthProtocol::Sha256 => {
                type $D = sha2::Sha256;
                $body
            }
            AuthProtocol::Sha384 => {
                type $D = sha2::Sha384;
                $body
            }
            AuthProtocol::Sha512 => {
                type $D = sha2::Sha512;
                $body
            }
        }
    };
}

/// A USM password (`-A`, `-X`): at least 8 bytes.
#[derive(Clone, Debug)]
pub struct Password(Secret);

impl Password {
    /// Checks the length (RFC 3414 § 11.2).
    ///
    /// # Errors
    /// [`KeyError::PasswordTooShort`] below 8 bytes.
    pub fn new(bytes: impl Into<Box<[u8]>>) -> Result<Password, KeyError> {
        let secret = Secret::new(bytes);
        if secret.len() < MIN_PASSWORD_LEN {
            return Err(KeyError::PasswordTooShort { len: secret.len() });
        }
        Ok(Password(secret))
    }

    /// The password bytes.
    pub fn expose(&self) -> &[u8] {
        self.0.expose()
    }
}

/// Ku: the digest of one mebibyte of the repeated password (RFC 3414 § A.2.1, § A.2.2).
pub fn password_to_key(proto: AuthProtocol, password: &Password) -> Secret {
    with_digest!(proto, D => password_to_key_with::<D>(password.expose()))
}

fn password_to_key_with<D: Digest>(password: &[u8]) -> Secret {
    const TOTAL: usize = 1 << 20;
    const CHUNK: usize = 4096;
    // The repeated password, long enough that every chunk can start at any phase of it.
    let len = password.len();
    let buf: Zeroizing<Vec<u8>> =
        Zeroizing::new(password.iter().copied().cycle().take(CHUNK.saturating_add(len)).collect());
    let mut hasher = D::new();
    let mut phase = 0usize;
    for _ in 0..TOTAL / CHUNK {
        if let Some(chunk) = buf.get(phase..phase.saturating_add(CHUNK)) {
            hasher.update(chunk);
        }
        // CHUNK ≡ CHUNK mod len, so the next chunk starts at (phase + CHUNK) mod len.
        phase = phase.wrapping_add(CHUNK).checked_rem(len).unwrap_or(0);
    }
    let out = hasher.finalize();
    Secret::new(out.as_slice())
}

/// Kul = H(Ku ‖ snmpEngineID ‖ Ku) (RFC 3414 § 2.6).
pub fn localize(proto: AuthProtocol, master: &[u8], engine_id: &[u8]) -> Secret {
    with_digest!(proto, D => {
        let mut h = D::new();
        h.update(master);
        h.update(engine_id);
        h.update(master);
        Secret::new(h.finalize().as_slice())
    })
}

/// The localized privacy key, extended to `privacy.key_len()` bytes when the hash is too short.
///
/// `localized` is the privacy password's key localized with the authentication protocol's hash
/// (RFC 3826 § 1.2).
pub fn privacy_key(auth: AuthProtocol, privacy: PrivProtocol, localized: &[u8], engine_id: &[u8]) -> Secret {
    let need = privacy.key_len();
    let mut key: Zeroizing<Vec<u8>> = Zeroizing::new(localized.to_vec());
    while key.len() < need {
        let more = match privacy.extension() {
            // Unreachable for these protocols (16-byte keys from ≥16-byte digests); stop anyway.
            KeyExtension::None => break,
            KeyExtension::Blumenthal => {
                with_digest!(auth, D => Secret::new(D::digest(key.as_slice()).as_slice()))
            }
            KeyExtension::Reeder => {
                let ku = with_digest!(auth, D => password_to_key_with::<D>(&key));
                localize(auth, ku.expose(), engine_id)
            }
        };
        key.extend_from_slice(more.expose());
    }
    key.truncate(need);
    Secret::new(key.as_slice())
}

/// RFC 3414 § 5's KeyChange value that turns the key `old` into `new` (as long as `old`): the
/// `random` octets (as long as the key; use a good random source), then the new key XORed with
/// a chain of digests of the old key and `random`, with the hash of `proto` (RFC 7860's SHA-2
/// ones included). An agent applies it with [`apply_key_change`]; usmUserAuthKeyChange and
/// usmUserPrivKeyChange take it.
pub fn key_change(proto: AuthProtocol, old: &[u8], new: &[u8], random: &[u8]) -> Vec<u8> {
    let mut out = random.to_vec();
    out.extend(xor_chain(proto, old, random, new));
    out
}

/// The new key a KeyChange `value` (random octets, then delta) gives from the key `old`, as an
/// agent computes it (RFC 3414 § 5); `None` when `value` is not twice the key's length.
pub fn apply_key_change(proto: AuthProtocol, old: &[u8], value: &[u8]) -> Option<Secret> {
    let len = old.len();
    if value.len() != len.checked_mul(2)? {
        return None;
    }
    let (random, delta) = value.split_at(len);
    Some(Secret::new(xor_chain(proto, old, random, delta)))
}

/// `data` XORed with H(old ‖ random), H(H(old ‖ random) ‖ random), …, a digest per digest-sized
/// block, the last one cut to what is left.
fn xor_chain(proto: AuthProtocol, old: &[u8], random: &[u8], data: &[u8]) -> Vec<u8> {
    let mut temp: Zeroizing<Vec<u8>> = Zeroizing::new(old.to_vec());
    let mut out = Vec::with_capacity(data.len());
    for block in data.chunks(proto.digest_len().max(1)) {
        let next = with_digest!(proto, D => {
            let mut h = D::new();
            h.update(temp.as_slice());
            h.update(random);
            Secret::new(h.finalize().as_slice())
        });
        temp = Zeroizing::new(next.expose().to_vec());
        out.extend(block.iter().zip(temp.iter()).map(|(a, b)| a ^ b));
    }
    out
}

/// Where a user's key comes from.
#[derive(Clone, Debug)]
pub enum KeySource {
    /// A password, hashed to a master key (Net-SNMP `-A`/`-X`).
    Password(Password),
    /// A master key Ku (Net-SNMP `-3m`/`-3M`), localized per engine.
    Master(Secret),
    /// A key already localized to the agent's engine (Net-SNMP `-3k`/`-3K`), used as is.
    Localized(Secret),
}

/// A user's credentials: name, level, protocols and keys (RFC 3414 § 2.1 usmUserEntry).
#[derive(Clone, Debug)]
pub struct Credentials {
    /// usmUserName / msgUserName.
    pub user_name: Vec<u8>,
    /// The security level requests use and responses must meet.
    pub level: SecurityLevel,
    /// The authentication protocol and key (required for authNoPriv and authPriv).
    pub auth: Option<(AuthProtocol, KeySource)>,
    /// The privacy protocol and key (required for authPriv).
    pub privacy: Option<(PrivProtocol, KeySource)>,
}

/// A user with master keys derived: the expensive password hashing done once.
#[derive(Clone, Debug)]
pub struct UserKeys {
    user_name: Vec<u8>,
    level: SecurityLevel,
    auth: Option<(AuthProtocol, MasterOrLocal)>,
    privacy: Option<(PrivProtocol, MasterOrLocal)>,
}

#[derive(Clone, Debug)]
enum MasterOrLocal {
    Master(Secret),
    Localized(Secret),
}

impl UserKeys {
    /// Checks the credentials against their level and hashes passwords into master keys.
    ///
    /// # Errors
    /// [`KeyError`] when the level needs a protocol or key that is missing, or a given key has
    /// the wrong length for its protocol.
    pub fn new(creds: Credentials) -> Result<UserKeys, KeyError> {
        let Credentials { user_name, level, auth, privacy } = creds;
        if user_name.is_empty() {
            return Err(KeyError::EmptyUserName);
        }
        let auth = match (level, auth) {
            (SecurityLevel::NoAuthNoPriv, _) => None,
            (_, None) => return Err(KeyError::MissingAuth { level }),
            (_, Some((proto, source))) => Some((proto, master_or_local(proto, source, "authentication")?)),
        };
        let privacy = match (level, privacy, &auth) {
            (SecurityLevel::AuthPriv, None, _) => return Err(KeyError::MissingPrivacy),
            (SecurityLevel::AuthPriv, Some((pp, source)), Some((ap, _))) => {
                // RFC 3826 § 1.2: the privacy key is derived with the authentication hash.
                Some((pp, master_or_local(*ap, source, "privacy")?))
            }
            _ => None,
        };
        Ok(UserKeys { user_name, level, auth, privacy })
    }

    /// The user name.
    pub fn user_name(&self) -> &[u8] {
        &self.user_name
    }

    /// The configured security level.
    pub fn level(&self) -> SecurityLevel {
        self.level
    }

    /// The same user at `level` or its configured level, the lower of the two: the keys the
    /// lower level does not use are left out (a forwarder repeating a message at the level it
    /// came with).
    pub fn at_level(&self, level: SecurityLevel) -> UserKeys {
        let level = level.min(self.level);
        UserKeys {
            user_name: self.user_name.clone(),
            level,
            auth: if level >= SecurityLevel::AuthNoPriv { self.auth.clone() } else { None },
            privacy: if level == SecurityLevel::AuthPriv { self.privacy.clone() } else { None },
        }
    }

    /// The authentication protocol, if the level uses one.
    pub fn auth_protocol(&self) -> Option<AuthProtocol> {
        self.auth.as_ref().map(|(p, _)| *p)
    }

    /// The privacy protocol, if the level uses one.
    pub fn priv_protocol(&self) -> Option<PrivProtocol> {
        self.privacy.as_ref().map(|(p, _)| *p)
    }

    /// The keys for one authoritative engine: cheap (two hashes), but cache them per engine.
    pub fn localize(&self, engine_id: &[u8]) -> LocalizedKeys {
        let auth = self.auth.as_ref().map(|(proto, k)| {
            let kul = match k {
                MasterOrLocal::Master(ku) => localize(*proto, ku.expose(), engine_id),
                MasterOrLocal::Localized(kul) => kul.clone(),
            };
            (*proto, MacKey::new(*proto, kul.expose()))
        });
        let privacy = match (&self.privacy, &self.auth) {
            (Some((pp, k)), Some((ap, _))) => {
                let kul = match k {
                    MasterOrLocal::Master(ku) => localize(*ap, ku.expose(), engine_id),
                    MasterOrLocal::Localized(kul) => kul.clone(),
                };
                Some((*pp, privacy_key(*ap, *pp, kul.expose(), engine_id)))
            }
            _ => None,
        };
        LocalizedKeys { engine_id: engine_id.to_vec(), level: self.level, auth, privacy }
    }
}

fn master_or_local(
    proto: AuthProtocol,
    source: KeySource,
    which: &'static str,
) -> Result<MasterOrLocal, KeyError> {
    let length = |k: &Secret| KeyError::KeyLength { which, expected: proto.digest_len(), found: k.len() };
    Ok(match source {
        KeySource::Password(p) => MasterOrLocal::Master(password_to_key(proto, &p)),
        KeySource::Master(k) if k.len() == proto.digest_len() => MasterOrLocal::Master(k),
        // A localized privacy key may be given already extended, or shorter and extended here.
        KeySource::Localized(k) if k.len() == proto.digest_len() || (which == "privacy" && k.len() >= 16) => {
            MasterOrLocal::Localized(k)
        }
        KeySource::Master(k) | KeySource::Localized(k) => return Err(length(&k)),
    })
}

/// A user's keys localized to one engine: what message processing needs.
#[derive(Clone, Debug)]
pub struct LocalizedKeys {
    engine_id: Vec<u8>,
    level: SecurityLevel,
    pub(crate) auth: Option<(AuthProtocol, MacKey)>,
    pub(crate) privacy: Option<(PrivProtocol, Secret)>,
}

impl LocalizedKeys {
    /// The engine these keys belong to.
    pub fn engine_id(&self) -> &[u8] {
        &self.engine_id
    }

    /// The user's configured security level.
    pub fn level(&self) -> SecurityLevel {
        self.level
    }

    /// The authentication protocol, if any.
    pub fn auth_protocol(&self) -> Option<AuthProtocol> {
        self.auth.as_ref().map(|(p, _)| *p)
    }

    /// The privacy protocol, if any.
    pub fn priv_protocol(&self) -> Option<PrivProtocol> {
        self.privacy.as_ref().map(|(p, _)| *p)
    }

    /// The localized privacy key (after extension), for tests against published vectors.
    pub fn privacy_key(&self) -> Option<&Secret> {
        self.privacy.as_ref().map(|(_, k)| k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;

    const ENGINE: &str = "000000000000000000000002";

    fn maplesyrup() -> Password {
        Password::new(b"maplesyrup".to_vec()).unwrap()
    }

    /// RFC 3414 A.3.1 (MD5), A.3.2 (SHA-1); SHA-224/256 as pysnmp and async-snmp compute them.
    #[test]
    fn rfc3414_a3_and_sha2_vectors() {
        let engine = hex::decode(ENGINE).unwrap();
        let cases = [
            (AuthProtocol::Md5, Some("9faf3283884e92834ebc9847d8edd963"), "526f5eed9fcce26f8964c2930787d82b"),
            (
                AuthProtocol::Sha1,
                Some("9fb5cc0381497b3793528939ff788d5d79145211"),
                "6695febc9288e36282235fc7151f128497b38f3f",
            ),
            (AuthProtocol::Sha224, None, "0bd8827c6e29f8065e08e09237f177e410f69b90e1782be682075674"),
            (AuthProtocol::Sha256, None, "8982e0e549e866db361a6b625d84cccc11162d453ee8ce3a6445c2d6776f0f8b"),
        ];
        for (proto, ku_hex, kul_hex) in cases {
            let ku = password_to_key(proto, &maplesyrup());
            if let Some(ku_hex) = ku_hex {
                assert_eq!(hex::encode(ku.expose()), ku_hex, "{proto} Ku");
            }
            assert_eq!(ku.len(), proto.digest_len());
            let kul = localize(proto, ku.expose(), &engine);
            assert_eq!(hex::encode(kul.expose()), kul_hex, "{proto} Kul");
        }
    }

    #[test]
    fn aes256_key_extensions() {
        let engine = hex::decode(ENGINE).unwrap();
        let kul = localize(
            AuthProtocol::Sha1,
            password_to_key(AuthProtocol::Sha1, &maplesyrup()).expose(),
            &engine,
        );
        let blumenthal = privacy_key(AuthProtocol::Sha1, PrivProtocol::Aes256, kul.expose(), &engine);
        assert_eq!(
            hex::encode(blumenthal.expose()),
            "6695febc9288e36282235fc7151f128497b38f3f505e07eb9af25568fa1f5dbe"
        );
        let reeder = privacy_key(AuthProtocol::Sha1, PrivProtocol::Aes256C, kul.expose(), &engine);
        assert_eq!(
            hex::encode(reeder.expose()),
            "6695febc9288e36282235fc7151f128497b38f3f9b8b6d78936ba6e7d19dfd9c"
        );
        // AES-192 and 3DES take prefixes of the same extensions.
        let b192 = privacy_key(AuthProtocol::Sha1, PrivProtocol::Aes192, kul.expose(), &engine);
        assert_eq!(b192.expose(), &blumenthal.expose()[..24]);
        let tdes = privacy_key(AuthProtocol::Sha1, PrivProtocol::TripleDes, kul.expose(), &engine);
        assert_eq!(tdes.expose(), reeder.expose());
        // No extension when the digest is long enough.
        let k512 = localize(AuthProtocol::Sha512, &[1; 64], &engine);
        let p = privacy_key(AuthProtocol::Sha512, PrivProtocol::Aes256C, k512.expose(), &engine);
        assert_eq!(p.expose(), &k512.expose()[..32]);
    }

    #[test]
    fn short_passwords_and_missing_keys_are_refused() {
        let e = Password::new(b"seven77".to_vec()).unwrap_err();
        assert_eq!(e, KeyError::PasswordTooShort { len: 7 });
        assert!(e.to_string().contains("at least 8"));
        let creds = |level, auth, privacy| Credentials { user_name: b"u".to_vec(), level, auth, privacy };
        let err = UserKeys::new(creds(SecurityLevel::AuthNoPriv, None, None)).unwrap_err();
        assert!(matches!(err, KeyError::MissingAuth { .. }));
        let auth = Some((AuthProtocol::Sha1, KeySource::Password(maplesyrup())));
        let err = UserKeys::new(creds(SecurityLevel::AuthPriv, auth.clone(), None)).unwrap_err();
        assert_eq!(err, KeyError::MissingPrivacy);
        let bad = Some((AuthProtocol::Sha1, KeySource::Master(Secret::new(vec![0; 16]))));
        assert!(matches!(
            UserKeys::new(creds(SecurityLevel::AuthNoPriv, bad, None)),
            Err(KeyError::KeyLength { expected: 20, found: 16, .. })
        ));
    }

    #[test]
    fn master_and_localized_keys_match_the_password_path() {
        let engine = hex::decode(ENGINE).unwrap();
        let ku = password_to_key(AuthProtocol::Sha256, &maplesyrup());
        let kul = localize(AuthProtocol::Sha256, ku.expose(), &engine);
        let make = |src: KeySource, psrc: KeySource| {
            UserKeys::new(Credentials {
                user_name: b"u".to_vec(),
                level: SecurityLevel::AuthPriv,
                auth: Some((AuthProtocol::Sha256, src)),
                privacy: Some((PrivProtocol::Aes256, psrc)),
            })
            .unwrap()
            .localize(&engine)
        };
        let from_pw = make(KeySource::Password(maplesyrup()), KeySource::Password(maplesyrup()));
        let from_master = make(KeySource::Master(ku.clone()), KeySource::Master(ku.clone()));
        let from_local = make(KeySource::Localized(kul.clone()), KeySource::Localized(kul.clone()));
        assert_eq!(from_pw.privacy_key(), from_master.privacy_key());
        assert_eq!(from_pw.privacy_key(), from_local.privacy_key());
        assert!(!format!("{from_pw:?}").contains(&hex::encode(&kul.expose()[..4])));
    }

    #[test]
    fn a_lower_level_leaves_the_keys_it_does_not_use_out() {
        let engine = hex::decode(ENGINE).unwrap();
        let user = UserKeys::new(Credentials {
            user_name: b"u".to_vec(),
            level: SecurityLevel::AuthPriv,
            auth: Some((AuthProtocol::Sha1, KeySource::Password(maplesyrup()))),
            privacy: Some((PrivProtocol::Aes128, KeySource::Password(maplesyrup()))),
        })
        .unwrap();
        let auth = user.at_level(SecurityLevel::AuthNoPriv);
        assert_eq!(
            (auth.level(), auth.auth_protocol(), auth.priv_protocol()),
            (SecurityLevel::AuthNoPriv, Some(AuthProtocol::Sha1), None)
        );
        assert!(auth.localize(&engine).privacy_key().is_none());
        let none = user.at_level(SecurityLevel::NoAuthNoPriv);
        assert_eq!((none.level(), none.auth_protocol()), (SecurityLevel::NoAuthNoPriv, None));
        // Never above the configured level.
        assert_eq!(auth.at_level(SecurityLevel::AuthPriv).level(), SecurityLevel::AuthNoPriv);
        assert_eq!(
            user.at_level(SecurityLevel::AuthPriv).localize(&engine).privacy_key(),
            user.localize(&engine).privacy_key()
        );
    }

    #[test]
    fn key_change_turns_the_old_key_into_the_new_one() {
        let engine = hex::decode(ENGINE).unwrap();
        for proto in [AuthProtocol::Md5, AuthProtocol::Sha1, AuthProtocol::Sha224, AuthProtocol::Sha512] {
            let old = localize(proto, password_to_key(proto, &maplesyrup()).expose(), &engine);
            let new_pw = Password::new(b"newsyrup".to_vec()).unwrap();
            let new = localize(proto, password_to_key(proto, &new_pw).expose(), &engine);
            let random: Vec<u8> = (0..old.len()).map(|i| u8::try_from(i * 7 % 256).unwrap()).collect();
            let value = key_change(proto, old.expose(), new.expose(), &random);
            assert_eq!(value.len(), 2 * old.len());
            assert_eq!(&value[..old.len()], random.as_slice());
            assert_eq!(apply_key_change(proto, old.expose(), &value).unwrap().expose(), new.expose());
            // Applied to another key, it gives something else.
            assert_ne!(apply_key_change(proto, new.expose(), &value).unwrap().expose(), new.expose());
        }
        // A key longer than the digest (a 32-byte AES-256 key under MD5) takes two blocks.
        let old = vec![1u8; 32];
        let new = vec![2u8; 32];
        let value = key_change(AuthProtocol::Md5, &old, &new, &[3u8; 32]);
        assert_eq!(apply_key_change(AuthProtocol::Md5, &old, &value).unwrap().expose(), new.as_slice());
        assert!(apply_key_change(AuthProtocol::Md5, &old, &value[1..]).is_none());
    }
}
