//! Diffie-Hellman key change for USM users: [RFC 2786](https://www.rfc-editor.org/rfc/rfc2786),
//! SNMP-USM-DH-OBJECTS-MIB.
//!
//! The agent publishes its parameters (usmDHParameters, a PKCS #3 `DHParameter`) and, for each
//! key of each user, a public value `y = g^xa mod p` (usmDHUserAuthKeyChange,
//! usmDHUserPrivKeyChange and their "Own" twins). The manager picks its own private value `xr`,
//! Sets the object to `y` followed by `z = g^xr mod p`, and both ends compute the shared secret
//! `sk = y^xr = z^xa mod p`. The new key is the key length's right-most octets of `sk` (the
//! MIB's description of both objects). Neither key travels on the wire, old or new.
//!
//! Sans-IO, as the rest of [`crate::usm`]: randomness comes from the caller. The arithmetic is
//! constant-time in the private value (RustCrypto's `crypto-bigint`); the private value and the
//! shared secret are zeroized when dropped.
//!
//! ```
//! use snmpctl::usm::DhParameters;
//! // The textbook group p = 23, g = 5: the agent's private value 6 gives y = 8.
//! let params = DhParameters::new(&[23], &[5], None)?;
//! let mut ours = [15u8].into_iter(); // the manager's private value, from the caller's RNG
//! let agreement = params.agree(&[8], |buf: &mut [u8]| {
//!     buf.fill(ours.next().unwrap_or(0));
//!     Ok::<(), std::convert::Infallible>(())
//! })?;
//! assert_eq!(agreement.key_change_value(), &[8, 19]); // y, then z = 5^15 mod 23
//! assert_eq!(agreement.key(1)?.expose(), &[2]); // sk = 8^15 mod 23 = 19^6 mod 23
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::Secret;
use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, Odd};
use rasn::Decoder as _;
use rasn::types::Integer;
use zeroize::Zeroizing;

/// PKCS #3 § 9: `DHParameter ::= SEQUENCE { prime INTEGER, base INTEGER, privateValueLength
/// INTEGER OPTIONAL }`.
#[derive(rasn::AsnType, rasn::Decode, rasn::Encode)]
struct DhParameter {
    prime: Integer,
    base: Integer,
    private_value_length: Option<Integer>,
}

/// The largest prime taken, in octets (16,384 bits): bounds the work an agent's parameters can ask for.
pub const MAX_PRIME_LEN: usize = 2048;

/// How many private values are drawn before giving up. A draw is drawn again when its public
/// value is shorter than the agent's (255 in 256 when the agent's is one octet short of the
/// prime, so about 256 draws then), or when the shared secret is shorter than the prime (1 in
/// 256).
pub const MAX_DRAWS: u32 = 4096;

/// Diffie-Hellman parameters that cannot be used, or an exchange that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DhError {
    /// usmDHParameters is not a DER `DHParameter`.
    #[error("usmDHParameters is not a DER-encoded PKCS #3 DHParameter: {0}")]
    Encoding(String),
    /// The parameters are not a group one can agree in.
    #[error("usmDHParameters: {0}")]
    Parameters(&'static str),
    /// The agent's public value is not in 2..p-2, or not written as RFC 2786 writes it.
    #[error("the agent's public value {0}")]
    PublicValue(&'static str),
    /// More key octets asked for than the shared secret has.
    #[error("a key of {wanted} octets was asked for; the shared secret has {available}")]
    KeyLength {
        /// Octets asked for.
        wanted: usize,
        /// Octets of the shared secret (the prime's length).
        available: usize,
    },
    /// The caller's random source failed.
    #[error("no random octets for the private value: {0}")]
    Random(String),
    /// No usable private value in [`MAX_DRAWS`] draws: none gave a public value as long as the
    /// agent's and a shared secret as long as the prime (or the random source repeats itself).
    #[error("no usable private value in {MAX_DRAWS} draws")]
    Draws,
}

/// An agent's public Diffie-Hellman parameters (usmDHParameters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DhParameters {
    /// The prime, big-endian, without leading zeros.
    prime: Vec<u8>,
    /// The base, big-endian, without leading zeros.
    base: Vec<u8>,
    /// privateValueLength, in bits.
    private_bits: Option<u32>,
}

impl DhParameters {
    /// Oakley Group 2 (RFC 2409 § 6.2, the 1024-bit MODP group, generator 2), the default RFC
    /// 2786 suggests and the one Net-SNMP's agent starts with.
    pub fn oakley_group_2() -> DhParameters {
        DhParameters { prime: OAKLEY_GROUP_2.to_vec(), base: vec![2], private_bits: None }
    }

    /// Parameters from their big-endian octets and the optional private value length in bits.
    pub fn new(prime: &[u8], base: &[u8], private_bits: Option<u32>) -> Result<DhParameters, DhError> {
        let trim = |b: &[u8]| {
            b.iter().position(|&o| o != 0).map_or_else(Vec::new, |i| b.get(i..).unwrap_or(&[]).to_vec())
        };
        let (prime, base) = (trim(prime), trim(base));
        if prime.len() > MAX_PRIME_LEN {
            return Err(DhError::Parameters("the prime is longer than 16,384 bits"));
        }
        if prime.last().is_none_or(|o| o & 1 == 0) || prime == [1] || prime == [3] {
            return Err(DhError::Parameters("the prime is not an odd number above 3"));
        }
        if base.len() > prime.len() {
            return Err(DhError::Parameters("the base is not in 2..p-2"));
        }
        let params = DhParameters { prime, base, private_bits };
        let p = params.uint(&params.prime)?;
        let g = params.uint(&params.base)?;
        let two = params.uint(&[2])?;
        let p_minus_one = p.wrapping_sub(&params.uint(&[1])?);
        if g < two || g >= p_minus_one {
            return Err(DhError::Parameters("the base is not in 2..p-2"));
        }
        if let Some(l) = private_bits
            && (l < 2 || l >= params.prime_bits())
        {
            return Err(DhError::Parameters("privateValueLength is not in 2..bits(p)-1"));
        }
        Ok(params)
    }

    /// Parameters from usmDHParameters' value (DER).
    pub fn from_der(der: &[u8]) -> Result<DhParameters, DhError> {
        let p: DhParameter = rasn::der::decode(der).map_err(|e| DhError::Encoding(e.to_string()))?;
        let unsigned = |i: Integer, what: &'static str| {
            num_bigint::BigInt::from(i).to_biguint().map(|u| u.to_bytes_be()).ok_or(DhError::Parameters(what))
        };
        let prime = unsigned(p.prime, "the prime is negative")?;
        let base = unsigned(p.base, "the base is negative")?;
        let private_bits = match p.private_value_length {
            None => None,
            Some(l) => Some(
                u32::try_from(&l)
                    .map_err(|_| DhError::Parameters("privateValueLength is not in 2..bits(p)-1"))?,
            ),
        };
        DhParameters::new(&prime, &base, private_bits)
    }

    /// The parameters as usmDHParameters holds them (DER).
    pub fn to_der(&self) -> Vec<u8> {
        let int = |b: &[u8]| Integer::from(num_bigint::BigInt::from_bytes_be(num_bigint::Sign::Plus, b));
        let p = DhParameter {
            prime: int(&self.prime),
            base: int(&self.base),
            private_value_length: self.private_bits.map(Integer::from),
        };
        // A SEQUENCE of three INTEGERs always encodes.
        rasn::der::encode(&p).unwrap_or_default()
    }

    /// The prime's length in octets: the length of public values and of the shared secret.
    pub fn prime_len(&self) -> usize {
        self.prime.len()
    }

    /// privateValueLength, in bits, when the agent gives one.
    pub fn private_bits(&self) -> Option<u32> {
        self.private_bits
    }

    /// Agrees on a shared secret with an agent whose public value (the GET of a DHKeyChange
    /// object) is `agent_public`. `random` fills buffers with random octets, for the private
    /// value.
    ///
    /// The private value is drawn as RFC 2786 says (in 2^(l-1)..2^l with privateValueLength
    /// `l`, else in 2..p-2), and drawn again while its public value is shorter than the
    /// agent's (both are written without leading zeros, and an agent splits the Set value in
    /// the middle, as Net-SNMP's does), or while the shared secret is shorter than the prime
    /// (Net-SNMP's agent then takes a key from past the secret's end). Each redraw happens for
    /// about one exchange in 256.
    pub fn agree<E: core::fmt::Display>(
        &self,
        agent_public: &[u8],
        mut random: impl FnMut(&mut [u8]) -> Result<(), E>,
    ) -> Result<DhAgreement, DhError> {
        if agent_public.first().is_none_or(|&o| o == 0) {
            return Err(DhError::PublicValue("is empty or starts with a zero octet (RFC 2786: PV1 <> 0)"));
        }
        if agent_public.len() > self.prime.len() {
            return Err(DhError::PublicValue("is longer than the prime"));
        }
        if agent_public.len().saturating_add(1) < self.prime.len() {
            // Ours must be as long, which one draw in 65,536 or fewer would give.
            return Err(DhError::PublicValue("is more than one octet shorter than the prime"));
        }
        let p = self.uint(&self.prime)?;
        let y = self.uint(agent_public)?;
        let p_minus_one = p.wrapping_sub(&self.uint(&[1])?);
        if y < self.uint(&[2])? || y >= p_minus_one {
            return Err(DhError::PublicValue("is not in 2..p-2"));
        }
        let modulus =
            Odd::new(p).into_option().ok_or(DhError::Parameters("the prime is not an odd number above 3"))?;
        let monty = BoxedMontyParams::new(modulus);
        let g = BoxedMontyForm::new(self.uint(&self.base)?, &monty);
        let y_form = BoxedMontyForm::new(y, &monty);
        for _ in 0..MAX_DRAWS {
            let x = self.private_value(&mut random, &p_minus_one)?;
            let z = g.pow(&x).retrieve().to_be_bytes_trimmed_vartime();
            if z.len() != agent_public.len() {
                continue;
            }
            let sk_form = Zeroizing::new(y_form.pow(&x));
            let sk = Zeroizing::new(Zeroizing::new(sk_form.retrieve()).to_be_bytes());
            // to_be_bytes gives the precision's length (whole limbs): keep the prime's length.
            let start = sk.len().saturating_sub(self.prime.len());
            let sk = sk.get(start..).unwrap_or(&[]);
            if sk.first().is_none_or(|&o| o == 0) {
                // OpenSSL's DH_compute_key, which Net-SNMP's agent uses, drops a secret's
                // leading zeros and the agent then takes its key from the end of a buffer of
                // the prime's length: it would not hold the key this gives.
                continue;
            }
            let shared = Secret::new(sk.to_vec());
            let mut value = Vec::with_capacity(agent_public.len().saturating_mul(2));
            value.extend_from_slice(agent_public);
            value.extend_from_slice(&z);
            return Ok(DhAgreement { value, shared });
        }
        Err(DhError::Draws)
    }

    /// One private value: l random bits with the top one set, or a value in 2..p-2 by
    /// rejection (random octets masked to the prime's bit length).
    fn private_value<E: core::fmt::Display>(
        &self,
        random: &mut impl FnMut(&mut [u8]) -> Result<(), E>,
        p_minus_one: &BoxedUint,
    ) -> Result<Zeroizing<BoxedUint>, DhError> {
        let bits = self.private_bits.unwrap_or_else(|| self.prime_bits());
        let len = usize::try_from(bits.div_ceil(8)).map_err(|_| DhError::Parameters("too long"))?;
        let mut buf = Zeroizing::new(vec![0u8; len]);
        let excess = u32::try_from(len).unwrap_or(u32::MAX).saturating_mul(8).saturating_sub(bits);
        let two = self.uint(&[2])?;
        for _ in 0..MAX_DRAWS {
            random(&mut buf).map_err(|e| DhError::Random(e.to_string()))?;
            if let Some(first) = buf.first_mut() {
                *first &= 0xffu8.checked_shr(excess).unwrap_or(0);
                if self.private_bits.is_some() {
                    *first |= 0x80u8.checked_shr(excess).unwrap_or(0);
                }
            }
            let x = Zeroizing::new(self.uint(&buf)?);
            if *x >= two && *x < *p_minus_one {
                return Ok(x);
            }
        }
        Err(DhError::Draws)
    }

    /// The prime's length in bits.
    fn prime_bits(&self) -> u32 {
        let top = self.prime.first().map_or(0, |o| 8u32.saturating_sub(o.leading_zeros()));
        let rest = u32::try_from(self.prime.len().saturating_sub(1)).unwrap_or(u32::MAX).saturating_mul(8);
        rest.saturating_add(top)
    }

    /// `bytes` (big-endian) at the precision of the prime.
    fn uint(&self, bytes: &[u8]) -> Result<BoxedUint, DhError> {
        let precision = self.prime_bits().div_ceil(64).saturating_mul(64).max(64);
        BoxedUint::from_be_slice(bytes, precision)
            .map_err(|_| DhError::PublicValue("is longer than the prime"))
    }
}

/// The outcome of [`DhParameters::agree`]: the value to Set and the shared secret.
#[derive(Debug, Clone)]
pub struct DhAgreement {
    value: Vec<u8>,
    shared: Secret,
}

impl DhAgreement {
    /// The value to Set on the DHKeyChange object: the agent's public value, then ours.
    pub fn key_change_value(&self) -> &[u8] {
        &self.value
    }

    /// The new key of `len` octets: the right-most octets of the shared secret (written in the
    /// prime's length).
    pub fn key(&self, len: usize) -> Result<Secret, DhError> {
        let available = self.shared.len();
        let start = available.checked_sub(len).ok_or(DhError::KeyLength { wanted: len, available })?;
        Ok(Secret::new(self.shared.expose().get(start..).unwrap_or(&[]).to_vec()))
    }
}

/// RFC 2409 § 6.2: 2^1024 - 2^960 - 1 + 2^64 * { [2^894 pi] + 129093 }.
const OAKLEY_GROUP_2: [u8; 128] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc9, 0x0f, 0xda, 0xa2, 0x21, 0x68, 0xc2, 0x34, 0xc4,
    0xc6, 0x62, 0x8b, 0x80, 0xdc, 0x1c, 0xd1, 0x29, 0x02, 0x4e, 0x08, 0x8a, 0x67, 0xcc, 0x74, 0x02, 0x0b,
    0xbe, 0xa6, 0x3b, 0x13, 0x9b, 0x22, 0x51, 0x4a, 0x08, 0x79, 0x8e, 0x34, 0x04, 0xdd, 0xef, 0x95, 0x19,
    0xb3, 0xcd, 0x3a, 0x43, 0x1b, 0x30, 0x2b, 0x0a, 0x6d, 0xf2, 0x5f, 0x14, 0x37, 0x4f, 0xe1, 0x35, 0x6d,
    0x6d, 0x51, 0xc2, 0x45, 0xe4, 0x85, 0xb5, 0x76, 0x62, 0x5e, 0x7e, 0xc6, 0xf4, 0x4c, 0x42, 0xe9, 0xa6,
    0x37, 0xed, 0x6b, 0x0b, 0xff, 0x5c, 0xb6, 0xf4, 0x06, 0xb7, 0xed, 0xee, 0x38, 0x6b, 0xfb, 0x5a, 0x89,
    0x9f, 0xa5, 0xae, 0x9f, 0x24, 0x11, 0x7c, 0x4b, 0x1f, 0xe6, 0x49, 0x28, 0x66, 0x51, 0xec, 0xe6, 0x53,
    0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
];

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    /// A random source that hands out the given octets, then zeros.
    fn fixed(octets: Vec<u8>) -> impl FnMut(&mut [u8]) -> Result<(), Infallible> {
        let mut it = octets.into_iter();
        move |buf: &mut [u8]| {
            buf.iter_mut().for_each(|b| *b = it.next().unwrap_or(0));
            Ok(())
        }
    }

    #[test]
    fn the_textbook_exchange() {
        let params = DhParameters::new(&[23], &[5], None).unwrap();
        // xr = 15: z = 5^15 mod 23 = 19; sk = 8^15 mod 23 = 2 (= 19^6, the agent's side).
        let a = params.agree(&[8], fixed(vec![15])).unwrap();
        assert_eq!(a.key_change_value(), &[8, 19]);
        assert_eq!(a.key(1).unwrap().expose(), &[2]);
        assert_eq!(a.key(2), Err(DhError::KeyLength { wanted: 2, available: 1 }));
        // 0, 1 and 22 (= p-1) are not private values: drawn again until 15 comes.
        let a = params.agree(&[8], fixed(vec![0, 1, 22, 15])).unwrap();
        assert_eq!(a.key_change_value(), &[8, 19]);
    }

    /// b^e mod m, for the tests' small groups.
    fn pow_mod(b: u64, e: u64, m: u64) -> u64 {
        (0..e).fold(1, |acc, _| acc * b % m)
    }

    #[test]
    fn a_public_value_or_secret_shorter_than_the_prime_is_drawn_again() {
        // p = 65521 (two octets), g = 17, the agent's y = g^1234.
        let (p, g) = (65521u64, 17u64);
        let y = pow_mod(g, 1234, p);
        let params = DhParameters::new(&p.to_be_bytes(), &[17], None).unwrap();
        let two_octets = |v: u64| v >= 256;
        let fine = |x: u64| two_octets(pow_mod(g, x, p)) && two_octets(pow_mod(y, x, p));
        let short =
            (2..p - 1).find(|&x| two_octets(pow_mod(g, x, p)) && !two_octets(pow_mod(y, x, p))).unwrap();
        let good = (2..p - 1).find(|&x| fine(x)).unwrap();
        // And a private value whose public value is one octet: drawn again too.
        let short_z = (2..p - 1).find(|&x| !two_octets(pow_mod(g, x, p))).unwrap();
        let draws: Vec<u8> = [short, short_z, good].iter().flat_map(|x| (*x as u16).to_be_bytes()).collect();
        let a = params.agree(&(y as u16).to_be_bytes(), fixed(draws)).unwrap();
        let z = pow_mod(g, good, p) as u16;
        assert_eq!(a.key_change_value().get(2..), Some(&z.to_be_bytes()[..]));
        assert_eq!(a.key(2).unwrap().expose(), &(pow_mod(y, good, p) as u16).to_be_bytes());
    }

    #[test]
    fn both_ends_agree_on_oakley_group_2() {
        let params = DhParameters::oakley_group_2();
        assert_eq!(params.prime_len(), 128);
        // The agent's end, with the manager's machinery: its private value xa, y = g^xa.
        let xa: Vec<u8> = (1..=128u8).map(|i| i.wrapping_mul(37)).collect();
        // y = p-1 (of order 2) is refused.
        let mut p_minus_one = OAKLEY_GROUP_2;
        if let Some(last) = p_minus_one.last_mut() {
            *last -= 1;
        }
        assert_eq!(
            params.agree(&p_minus_one, fixed(xa.clone())).unwrap_err(),
            DhError::PublicValue("is not in 2..p-2")
        );
        let y = {
            let p = params.uint(&params.prime).unwrap();
            let m = BoxedMontyParams::new(Odd::new(p).unwrap());
            BoxedMontyForm::new(params.uint(&[2]).unwrap(), &m).pow(&params.uint(&xa).unwrap()).retrieve()
        };
        let y = y.to_be_bytes_trimmed_vartime().to_vec();
        let xr: Vec<u8> = (1..=128u8).map(|i| i.wrapping_mul(91) ^ 0x5a).collect();
        let ours = params.agree(&y, fixed(xr)).unwrap();
        let (y_part, z) = ours.key_change_value().split_at(y.len());
        assert_eq!(y_part, y.as_slice());
        assert_eq!(z.len(), y.len());
        // The agent computes sk = z^xa: the same secret.
        let theirs = {
            let p = params.uint(&params.prime).unwrap();
            let m = BoxedMontyParams::new(Odd::new(p).unwrap());
            BoxedMontyForm::new(params.uint(z).unwrap(), &m).pow(&params.uint(&xa).unwrap()).retrieve()
        };
        let theirs = theirs.to_be_bytes();
        assert_eq!(ours.key(128).unwrap().expose(), theirs.get(theirs.len() - 128..).unwrap());
        assert_eq!(ours.key(20).unwrap().expose(), theirs.get(theirs.len() - 20..).unwrap());
        assert!(!format!("{ours:?}").contains(&format!("{:?}", ours.key(4).unwrap().expose())));
    }

    #[test]
    fn der_round_trip_and_net_snmp_s_parameters() {
        let params = DhParameters::oakley_group_2();
        let der = params.to_der();
        // SEQUENCE { INTEGER (129 octets: a zero, then the prime), INTEGER 2 }.
        assert_eq!(der.get(..6), Some(&[0x30, 0x81, 0x87, 0x02, 0x81, 0x81][..]));
        assert_eq!(der.get(6), Some(&0));
        assert_eq!(der.get(135..), Some(&[0x02, 0x01, 0x02][..]));
        assert_eq!(DhParameters::from_der(&der).unwrap(), params);
        let with_l = DhParameters::new(&OAKLEY_GROUP_2, &[2], Some(160)).unwrap();
        assert_eq!(DhParameters::from_der(&with_l.to_der()).unwrap().private_bits(), Some(160));
    }

    #[test]
    fn a_private_value_length_bounds_the_draw() {
        let params = DhParameters::new(&OAKLEY_GROUP_2, &[2], Some(12)).unwrap();
        let p_minus_one = params.uint(&OAKLEY_GROUP_2).unwrap().wrapping_sub(params.uint(&[1]).unwrap());
        for first in [0u8, 0x0f, 0xff] {
            let x = params.private_value(&mut fixed(vec![first, 0x34]), &p_minus_one).unwrap();
            // 12 bits: the top nibble of the first octet cleared, bit 11 set.
            assert_eq!(x.to_be_bytes_trimmed_vartime().to_vec(), vec![(first & 0x0f) | 0x08, 0x34]);
        }
    }

    #[test]
    fn bad_parameters_and_values_are_errors() {
        for (p, g, l) in [
            (&[24u8][..], &[5u8][..], None),
            (&[3], &[2], None),
            (&[], &[2], None),
            (&[23], &[1], None),
            (&[23], &[22], None),
            (&[23], &[1, 5], None),
            (&[23], &[5], Some(5)),
            (&[23], &[5], Some(1)),
        ] {
            assert!(matches!(DhParameters::new(p, g, l), Err(DhError::Parameters(_))), "{p:?} {g:?} {l:?}");
        }
        assert!(matches!(DhParameters::new(&[1u8; 3000], &[2], None), Err(DhError::Parameters(_))));
        assert!(matches!(DhParameters::from_der(&[0x30, 0x03, 0x02, 0x01]), Err(DhError::Encoding(_))));
        assert!(matches!(
            DhParameters::from_der(&[0x30, 0x06, 0x02, 0x01, 0xe9, 0x02, 0x01, 0x05]),
            Err(DhError::Parameters(_))
        ));
        let params = DhParameters::new(&[23], &[5], None).unwrap();
        let oakley = DhParameters::oakley_group_2();
        assert_eq!(
            oakley.agree(&[7; 126], fixed(vec![])).unwrap_err(),
            DhError::PublicValue("is more than one octet shorter than the prime")
        );
        for y in [&[][..], &[0, 8], &[1], &[22], &[23], &[1, 0]] {
            assert!(matches!(params.agree(y, fixed(vec![15])), Err(DhError::PublicValue(_))), "{y:?}");
        }
        let failing = |_: &mut [u8]| Err::<(), _>("no entropy");
        assert_eq!(params.agree(&[8], failing).unwrap_err(), DhError::Random("no entropy".into()));
        // A source that only ever gives 0: no private value, ever.
        assert_eq!(params.agree(&[8], fixed(vec![])).unwrap_err(), DhError::Draws);
    }
}
