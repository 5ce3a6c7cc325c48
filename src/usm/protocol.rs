//! Authentication and privacy protocol identifiers, security levels, and the names tools use
//! for them.
//!
//! These are configuration values, not wire values: USM never carries the protocol on the wire
//! (the receiver knows it from the user's entry), so they are closed enums of what snmpctl
//! implements rather than open newtypes.

use core::fmt;
use core::str::FromStr;

/// An HMAC authentication protocol: RFC 3414 § 6–7 (MD5, SHA-1) and RFC 7860 § 4 (SHA-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthProtocol {
    /// usmHMACMD5AuthProtocol: HMAC-MD5-96 (RFC 3414 § 6).
    Md5,
    /// usmHMACSHAAuthProtocol: HMAC-SHA-96 (RFC 3414 § 7).
    Sha1,
    /// usmHMAC128SHA224AuthProtocol: 16-byte MAC (RFC 7860).
    Sha224,
    /// usmHMAC192SHA256AuthProtocol: 24-byte MAC (RFC 7860).
    Sha256,
    /// usmHMAC256SHA384AuthProtocol: 32-byte MAC (RFC 7860).
    Sha384,
    /// usmHMAC384SHA512AuthProtocol: 48-byte MAC (RFC 7860).
    Sha512,
}

impl AuthProtocol {
    /// Every protocol, in Net-SNMP's order.
    pub const ALL: [AuthProtocol; 6] = [
        AuthProtocol::Md5,
        AuthProtocol::Sha1,
        AuthProtocol::Sha224,
        AuthProtocol::Sha256,
        AuthProtocol::Sha384,
        AuthProtocol::Sha512,
    ];

    /// Length of msgAuthenticationParameters: the truncated MAC (RFC 3414 § 6.3.1, RFC 7860 § 4.2.1).
    pub fn mac_len(self) -> usize {
        match self {
            AuthProtocol::Md5 | AuthProtocol::Sha1 => 12,
            AuthProtocol::Sha224 => 16,
            AuthProtocol::Sha256 => 24,
            AuthProtocol::Sha384 => 32,
            AuthProtocol::Sha512 => 48,
        }
    }

    /// Length of the digest, which is also the length of master and localized keys.
    pub fn digest_len(self) -> usize {
        match self {
            AuthProtocol::Md5 => 16,
            AuthProtocol::Sha1 => 20,
            AuthProtocol::Sha224 => 28,
            AuthProtocol::Sha256 => 32,
            AuthProtocol::Sha384 => 48,
            AuthProtocol::Sha512 => 64,
        }
    }

    /// Net-SNMP's name (`-a`).
    pub fn name(self) -> &'static str {
        match self {
            AuthProtocol::Md5 => "MD5",
            AuthProtocol::Sha1 => "SHA",
            AuthProtocol::Sha224 => "SHA-224",
            AuthProtocol::Sha256 => "SHA-256",
            AuthProtocol::Sha384 => "SHA-384",
            AuthProtocol::Sha512 => "SHA-512",
        }
    }

    /// The protocol's identity as usmUserAuthProtocol holds it: snmpAuthProtocols.N (RFC 3414
    /// § 6–7, RFC 7860 § 4).
    pub fn oid(self) -> [u32; 10] {
        let n = match self {
            AuthProtocol::Md5 => 2,
            AuthProtocol::Sha1 => 3,
            AuthProtocol::Sha224 => 4,
            AuthProtocol::Sha256 => 5,
            AuthProtocol::Sha384 => 6,
            AuthProtocol::Sha512 => 7,
        };
        [1, 3, 6, 1, 6, 3, 10, 1, 1, n]
    }

    /// The protocol a usmUserAuthProtocol value names; `None` for usmNoAuthProtocol and
    /// identities snmpctl does not implement.
    pub fn from_oid(arcs: &[u32]) -> Option<AuthProtocol> {
        AuthProtocol::ALL.into_iter().find(|p| p.oid() == arcs)
    }

    /// The MAC algorithm as the RFCs name it.
    pub fn mac_name(self) -> &'static str {
        match self {
            AuthProtocol::Md5 => "HMAC-MD5-96",
            AuthProtocol::Sha1 => "HMAC-SHA-96",
            AuthProtocol::Sha224 => "HMAC-SHA-224 (128-bit MAC)",
            AuthProtocol::Sha256 => "HMAC-SHA-256 (192-bit MAC)",
            AuthProtocol::Sha384 => "HMAC-SHA-384 (256-bit MAC)",
            AuthProtocol::Sha512 => "HMAC-SHA-512 (384-bit MAC)",
        }
    }
}

impl fmt::Display for AuthProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Lower-case with `-`, `_` and spaces removed, for name matching.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !matches!(c, '-' | '_' | ' ')).flat_map(char::to_lowercase).collect()
}

/// A protocol name that is not known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} protocol {name:?}; expected one of {expected}")]
pub struct UnknownProtocol {
    what: &'static str,
    name: String,
    expected: &'static str,
}

impl FromStr for AuthProtocol {
    type Err = UnknownProtocol;

    /// Accepts Net-SNMP's names and the usual spellings: `MD5`, `SHA`, `SHA1`, `SHA-1`,
    /// `SHA-224`, `SHA224`, `sha256`, `HMAC-SHA-384`, …
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let n = squash(s);
        let n = n.strip_prefix("hmac").unwrap_or(&n);
        Ok(match n {
            "md5" | "md596" => AuthProtocol::Md5,
            "sha" | "sha1" | "sha96" | "sha196" => AuthProtocol::Sha1,
            "sha224" => AuthProtocol::Sha224,
            "sha256" => AuthProtocol::Sha256,
            "sha384" => AuthProtocol::Sha384,
            "sha512" => AuthProtocol::Sha512,
            _ => {
                return Err(UnknownProtocol {
                    what: "authentication",
                    name: s.to_owned(),
                    expected: "MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512",
                });
            }
        })
    }
}

/// How a privacy key longer than the localized authentication key is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyExtension {
    /// The key is a prefix of the localized key; no extension (DES, AES-128).
    None,
    /// draft-blumenthal-aes-usm-04 § 3.1.2.1: append H(key so far) until long enough.
    Blumenthal,
    /// draft-reeder-snmpv3-usm-3desede-00 § 2.1: append Localize(PasswordToKey(key so far)).
    Reeder,
}

/// A privacy protocol: RFC 3414 § 8 (DES), RFC 3826 (AES-128), draft-blumenthal-aes-usm-04
/// (AES-192/256), draft-reeder-snmpv3-usm-3desede-00 (3DES-EDE and the key extension that
/// Cisco and Net-SNMP's `-C` variants use for AES-192/256).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PrivProtocol {
    /// usmDESPrivProtocol: DES-CBC.
    Des,
    /// usmAesCfb128Protocol: AES-128-CFB.
    Aes128,
    /// AES-192-CFB with the Blumenthal key extension (Net-SNMP `AES-192`).
    Aes192,
    /// AES-256-CFB with the Blumenthal key extension (Net-SNMP `AES-256`).
    Aes256,
    /// AES-192-CFB with the Reeder key extension (Net-SNMP `AES-192-C`, Cisco).
    Aes192C,
    /// AES-256-CFB with the Reeder key extension (Net-SNMP `AES-256-C`, Cisco).
    Aes256C,
    /// usm3DESEDEPrivProtocol: 3DES-EDE in CBC mode, Reeder key extension.
    TripleDes,
}

impl PrivProtocol {
    /// Every protocol.
    pub const ALL: [PrivProtocol; 7] = [
        PrivProtocol::Des,
        PrivProtocol::Aes128,
        PrivProtocol::Aes192,
        PrivProtocol::Aes256,
        PrivProtocol::Aes192C,
        PrivProtocol::Aes256C,
        PrivProtocol::TripleDes,
    ];

    /// Bytes of localized privacy key the protocol uses (cipher key plus, for the CBC
    /// protocols, the 8-byte pre-IV).
    pub fn key_len(self) -> usize {
        match self {
            PrivProtocol::Des | PrivProtocol::Aes128 => 16,
            PrivProtocol::Aes192 | PrivProtocol::Aes192C => 24,
            PrivProtocol::Aes256 | PrivProtocol::Aes256C | PrivProtocol::TripleDes => 32,
        }
    }

    /// The protocol's identity as usmUserPrivProtocol holds it, as Net-SNMP writes it:
    /// snmpPrivProtocols.2 (DES), .3 (3DES), .4 (AES); the ESO consortium's 14832.1.3 and .4 for
    /// the Blumenthal AES-192 and AES-256; Cisco's 9.12.6.1.1 and .2 for the Reeder ones.
    pub fn oid(self) -> &'static [u32] {
        match self {
            PrivProtocol::Des => &[1, 3, 6, 1, 6, 3, 10, 1, 2, 2],
            PrivProtocol::TripleDes => &[1, 3, 6, 1, 6, 3, 10, 1, 2, 3],
            PrivProtocol::Aes128 => &[1, 3, 6, 1, 6, 3, 10, 1, 2, 4],
            PrivProtocol::Aes192 => &[1, 3, 6, 1, 4, 1, 14832, 1, 3],
            PrivProtocol::Aes256 => &[1, 3, 6, 1, 4, 1, 14832, 1, 4],
            PrivProtocol::Aes192C => &[1, 3, 6, 1, 4, 1, 9, 12, 6, 1, 1],
            PrivProtocol::Aes256C => &[1, 3, 6, 1, 4, 1, 9, 12, 6, 1, 2],
        }
    }

    /// The protocol a usmUserPrivProtocol value names (also pysnmp's 9.12.6.1.101 and .102 for
    /// the Reeder AES-192 and AES-256); `None` for usmNoPrivProtocol and unknown identities.
    pub fn from_oid(arcs: &[u32]) -> Option<PrivProtocol> {
        match arcs {
            [1, 3, 6, 1, 4, 1, 9, 12, 6, 1, 101] => Some(PrivProtocol::Aes192C),
            [1, 3, 6, 1, 4, 1, 9, 12, 6, 1, 102] => Some(PrivProtocol::Aes256C),
            _ => PrivProtocol::ALL.into_iter().find(|p| p.oid() == arcs),
        }
    }

    /// How the localized key is extended to [`PrivProtocol::key_len`] bytes.
    pub fn extension(self) -> KeyExtension {
        match self {
            PrivProtocol::Des | PrivProtocol::Aes128 => KeyExtension::None,
            PrivProtocol::Aes192 | PrivProtocol::Aes256 => KeyExtension::Blumenthal,
            PrivProtocol::Aes192C | PrivProtocol::Aes256C | PrivProtocol::TripleDes => KeyExtension::Reeder,
        }
    }

    /// Net-SNMP's name (`-x`); 3DES, which Net-SNMP lacks, is named as pysnmp names it.
    pub fn name(self) -> &'static str {
        match self {
            PrivProtocol::Des => "DES",
            PrivProtocol::Aes128 => "AES",
            PrivProtocol::Aes192 => "AES-192",
            PrivProtocol::Aes256 => "AES-256",
            PrivProtocol::Aes192C => "AES-192-C",
            PrivProtocol::Aes256C => "AES-256-C",
            PrivProtocol::TripleDes => "3DES",
        }
    }

    /// Which wire variant this is, in words (cipher, mode, key extension), for `--verbose`
    /// output and error messages.
    pub fn wire_variant(self) -> &'static str {
        match self {
            PrivProtocol::Des => "DES-CBC (RFC 3414)",
            PrivProtocol::Aes128 => "AES-128-CFB (RFC 3826)",
            PrivProtocol::Aes192 => "AES-192-CFB, Blumenthal key extension (Net-SNMP AES-192)",
            PrivProtocol::Aes256 => "AES-256-CFB, Blumenthal key extension (Net-SNMP AES-256)",
            PrivProtocol::Aes192C => "AES-192-CFB, Reeder key extension (Net-SNMP AES-192-C, Cisco)",
            PrivProtocol::Aes256C => "AES-256-CFB, Reeder key extension (Net-SNMP AES-256-C, Cisco)",
            PrivProtocol::TripleDes => "3DES-EDE-CBC, Reeder key extension",
        }
    }

    /// Whether the cipher is a CBC-mode block cipher (DES, 3DES): salt = engineBoots ‖ counter,
    /// IV = pre-IV ⊕ salt, plaintext padded to 8 bytes.
    pub(crate) fn is_cbc(self) -> bool {
        matches!(self, PrivProtocol::Des | PrivProtocol::TripleDes)
    }
}

impl fmt::Display for PrivProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PrivProtocol {
    type Err = UnknownProtocol;

    /// Accepts the names other tools use: `DES`, `AES`, `AES128`, `AES-192`, `AES256`,
    /// `aes256b` (Blumenthal), `AES-256-C`, `AES256C`, `aes256r` (Reeder), `3DES`, `DES-EDE`, …
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match squash(s).as_str() {
            "des" | "descbc" | "cbcdes" => PrivProtocol::Des,
            "aes" | "aes128" | "aescfb" | "aescfb128" | "aes128cfb" => PrivProtocol::Aes128,
            "aes192" | "aes192b" | "aes192cfb" | "aescfb192" | "aes192blumenthal" => PrivProtocol::Aes192,
            "aes256" | "aes256b" | "aes256cfb" | "aescfb256" | "aes256blumenthal" => PrivProtocol::Aes256,
            "aes192c" | "aes192r" | "aes192cisco" | "aes192reeder" => PrivProtocol::Aes192C,
            "aes256c" | "aes256r" | "aes256cisco" | "aes256reeder" => PrivProtocol::Aes256C,
            "3des" | "3desede" | "des3" | "desede" | "desede3" | "tripledes" => PrivProtocol::TripleDes,
            _ => {
                return Err(UnknownProtocol {
                    what: "privacy",
                    name: s.to_owned(),
                    expected: "DES, AES, AES-192, AES-256, AES-192-C, AES-256-C, 3DES",
                });
            }
        })
    }
}

/// securityLevel ([RFC 3411 § 3.4.3](https://www.rfc-editor.org/rfc/rfc3411#section-3.4.3)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SecurityLevel {
    /// Neither authenticated nor encrypted.
    NoAuthNoPriv,
    /// Authenticated, not encrypted.
    AuthNoPriv,
    /// Authenticated and encrypted.
    AuthPriv,
}

impl SecurityLevel {
    /// The level msgFlags asks for, or `None` for the invalid priv-without-auth combination.
    pub fn from_flags(flags: crate::msg::MsgFlags) -> Option<SecurityLevel> {
        match (flags.auth(), flags.privacy()) {
            (false, false) => Some(SecurityLevel::NoAuthNoPriv),
            (true, false) => Some(SecurityLevel::AuthNoPriv),
            (true, true) => Some(SecurityLevel::AuthPriv),
            (false, true) => None,
        }
    }

    /// The authFlag and privFlag bits for this level.
    pub fn flag_bits(self) -> u8 {
        use crate::msg::MsgFlags;
        match self {
            SecurityLevel::NoAuthNoPriv => 0,
            SecurityLevel::AuthNoPriv => MsgFlags::AUTH,
            SecurityLevel::AuthPriv => MsgFlags::AUTH | MsgFlags::PRIV,
        }
    }

    /// Net-SNMP's name (`-l`).
    pub fn name(self) -> &'static str {
        match self {
            SecurityLevel::NoAuthNoPriv => "noAuthNoPriv",
            SecurityLevel::AuthNoPriv => "authNoPriv",
            SecurityLevel::AuthPriv => "authPriv",
        }
    }
}

impl fmt::Display for SecurityLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SecurityLevel {
    type Err = UnknownProtocol;

    /// `noAuthNoPriv`, `authNoPriv`, `authPriv` in any case; also Net-SNMP's short forms
    /// `noauth`, `auth`, `priv` and the digits `1`, `2`, `3`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match squash(s).as_str() {
            "noauthnopriv" | "noauth" | "nanp" | "1" => SecurityLevel::NoAuthNoPriv,
            "authnopriv" | "auth" | "anp" | "2" => SecurityLevel::AuthNoPriv,
            "authpriv" | "priv" | "ap" | "3" => SecurityLevel::AuthPriv,
            _ => {
                return Err(UnknownProtocol {
                    what: "security level",
                    name: s.to_owned(),
                    expected: "noAuthNoPriv, authNoPriv, authPriv",
                });
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_round_trip() {
        for p in AuthProtocol::ALL {
            assert_eq!(AuthProtocol::from_oid(&p.oid()), Some(p));
        }
        for p in PrivProtocol::ALL {
            assert_eq!(PrivProtocol::from_oid(p.oid()), Some(p));
        }
        // RFC 7860's usmHMAC192SHA256AuthProtocol; usmNoAuthProtocol and usmNoPrivProtocol.
        assert_eq!(AuthProtocol::from_oid(&[1, 3, 6, 1, 6, 3, 10, 1, 1, 5]), Some(AuthProtocol::Sha256));
        assert_eq!(AuthProtocol::from_oid(&[1, 3, 6, 1, 6, 3, 10, 1, 1, 1]), None);
        assert_eq!(PrivProtocol::from_oid(&[1, 3, 6, 1, 6, 3, 10, 1, 2, 1]), None);
        assert_eq!(
            PrivProtocol::from_oid(&[1, 3, 6, 1, 4, 1, 9, 12, 6, 1, 102]),
            Some(PrivProtocol::Aes256C)
        );
    }

    #[test]
    fn names_round_trip_and_aliases() {
        for p in AuthProtocol::ALL {
            assert_eq!(p.name().parse::<AuthProtocol>(), Ok(p));
        }
        for p in PrivProtocol::ALL {
            assert_eq!(p.name().parse::<PrivProtocol>(), Ok(p));
        }
        let cases = [
            ("AES256", PrivProtocol::Aes256),
            ("aes256b", PrivProtocol::Aes256),
            ("AES256C", PrivProtocol::Aes256C),
            ("aes256r", PrivProtocol::Aes256C),
            ("AES-192-C", PrivProtocol::Aes192C),
            ("aes128", PrivProtocol::Aes128),
            ("3DESEDE", PrivProtocol::TripleDes),
        ];
        for (name, p) in cases {
            assert_eq!(name.parse::<PrivProtocol>(), Ok(p), "{name}");
        }
        assert_eq!("sha1".parse::<AuthProtocol>(), Ok(AuthProtocol::Sha1));
        assert_eq!("HMAC-SHA-256".parse::<AuthProtocol>(), Ok(AuthProtocol::Sha256));
        assert!("AES-512".parse::<PrivProtocol>().unwrap_err().to_string().contains("AES-256-C"));
        assert_eq!("authpriv".parse::<SecurityLevel>(), Ok(SecurityLevel::AuthPriv));
    }
}
