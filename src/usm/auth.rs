//! Message authentication: HMAC-MD5-96 and HMAC-SHA-96 (RFC 3414 § 6.3, § 7.3) and the SHA-2
//! HMACs of RFC 7860 § 4.2, computed over the whole message with msgAuthenticationParameters
//! set to zeros, truncated to [`AuthProtocol::mac_len`] bytes.

use super::protocol::AuthProtocol;
use core::fmt;
use hmac::{Hmac, KeyInit, Mac};

/// An HMAC keyed with a localized key, prepared once (inner and outer pads hashed) and cloned
/// per message.
#[derive(Clone)]
pub(crate) enum MacKey {
    Md5(Hmac<md5::Md5>),
    Sha1(Hmac<sha1::Sha1>),
    Sha224(Hmac<sha2::Sha224>),
    Sha256(Hmac<sha2::Sha256>),
    Sha384(Hmac<sha2::Sha384>),
    Sha512(Hmac<sha2::Sha512>),
}

impl fmt::Debug for MacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MacKey(<redacted>)")
    }
}

/// The longest MAC (HMAC-SHA-512 truncated to 48 bytes).
pub(crate) const MAX_MAC_LEN: usize = 48;

impl MacKey {
    pub(crate) fn new(proto: AuthProtocol, key: &[u8]) -> MacKey {
        // HMAC accepts keys of any length (RFC 2104 § 2), so `new_from_slice` cannot fail here;
        // the fallback keeps the no-panic rule without an unwrap.
        fn make<M: KeyInit>(key: &[u8]) -> M {
            M::new_from_slice(key).unwrap_or_else(|_| M::new(&Default::default()))
        }
        match proto {
            AuthProtocol::Md5 => MacKey::Md5(make(key)),
            AuthProtocol::Sha1 => MacKey::Sha1(make(key)),
            AuthProtocol::Sha224 => MacKey::Sha224(make(key)),
            AuthProtocol::Sha256 => MacKey::Sha256(make(key)),
            AuthProtocol::Sha384 => MacKey::Sha384(make(key)),
            AuthProtocol::Sha512 => MacKey::Sha512(make(key)),
        }
    }

    pub(crate) fn protocol(&self) -> AuthProtocol {
        match self {
            MacKey::Md5(_) => AuthProtocol::Md5,
            MacKey::Sha1(_) => AuthProtocol::Sha1,
            MacKey::Sha224(_) => AuthProtocol::Sha224,
            MacKey::Sha256(_) => AuthProtocol::Sha256,
            MacKey::Sha384(_) => AuthProtocol::Sha384,
            MacKey::Sha512(_) => AuthProtocol::Sha512,
        }
    }

    /// The truncated MAC of `message` (whose authentication parameters are zeros), written into
    /// `out`; returns the MAC length.
    pub(crate) fn sign(&self, message: &[u8], out: &mut [u8; MAX_MAC_LEN]) -> usize {
        fn run<M: Mac + Clone>(m: &M, message: &[u8], out: &mut [u8], n: usize) {
            let mut m = m.clone();
            m.update(message);
            let tag = m.finalize().into_bytes();
            for (o, t) in out.iter_mut().zip(tag.iter().take(n)) {
                *o = *t;
            }
        }
        let n = self.protocol().mac_len();
        match self {
            MacKey::Md5(m) => run(m, message, out, n),
            MacKey::Sha1(m) => run(m, message, out, n),
            MacKey::Sha224(m) => run(m, message, out, n),
            MacKey::Sha256(m) => run(m, message, out, n),
            MacKey::Sha384(m) => run(m, message, out, n),
            MacKey::Sha512(m) => run(m, message, out, n),
        }
        n
    }

    /// Whether `mac` is the MAC of `message` (authentication parameters zeroed). The comparison
    /// is constant-time (`Mac::verify_truncated_left`); a MAC of the wrong length fails.
    pub(crate) fn verify(&self, message: &[u8], mac: &[u8]) -> bool {
        fn run<M: Mac + Clone>(m: &M, message: &[u8], mac: &[u8]) -> bool {
            let mut m = m.clone();
            m.update(message);
            m.verify_truncated_left(mac).is_ok()
        }
        if mac.len() != self.protocol().mac_len() {
            return false;
        }
        if cfg!(fuzzing) {
            // As smoltcp skips checksums: let the fuzzer reach the code behind the MAC check.
            return true;
        }
        match self {
            MacKey::Md5(m) => run(m, message, mac),
            MacKey::Sha1(m) => run(m, message, mac),
            MacKey::Sha224(m) => run(m, message, mac),
            MacKey::Sha256(m) => run(m, message, mac),
            MacKey::Sha384(m) => run(m, message, mac),
            MacKey::Sha512(m) => run(m, message, mac),
        }
    }
}
