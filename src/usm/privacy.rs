//! Privacy: DES-CBC ([RFC 3414 § 8](https://www.rfc-editor.org/rfc/rfc3414#section-8)),
//! AES-CFB ([RFC 3826 § 3](https://www.rfc-editor.org/rfc/rfc3826#section-3), and the same
//! construction for 192- and 256-bit keys) and 3DES-EDE-CBC (draft-reeder-snmpv3-usm-3desede).

use super::protocol::PrivProtocol;
use cbc::cipher::{
    BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, KeyInit, KeyIvInit,
};
use zeroize::Zeroizing;

/// The per-message salt source: starts at a random value (the caller's seed) and increments
/// for every encrypted message, so an (engine, key) pair never sees the same IV twice
/// (RFC 3414 § 8.1.1.1, RFC 3826 § 3.1.2.1).
#[derive(Debug, Clone)]
pub struct SaltCounter(u64);

impl SaltCounter {
    /// A counter starting at `seed` (take it from a random source).
    pub fn new(seed: u64) -> SaltCounter {
        SaltCounter(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(1);
        self.0
    }
}

/// Why decryption failed: each of these is usmStatsDecryptionErrors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecryptProblem {
    /// msgPrivacyParameters is not 8 bytes (RFC 3414 § 8.3.2 step 1, RFC 3826 § 3.2.2).
    SaltLength(usize),
    /// A CBC ciphertext whose length is not a multiple of 8 (RFC 3414 § 8.3.2 step 2).
    NotBlockAligned(usize),
    /// The key is shorter than the protocol needs.
    KeyLength,
}

fn split(key: &[u8], at: usize, end: usize) -> Option<(&[u8], &[u8])> {
    Some((key.get(..at)?, key.get(at..end)?))
}

/// Encrypts the encoded scoped PDU; returns (encryptedPDU, msgPrivacyParameters).
pub(crate) fn encrypt(
    proto: PrivProtocol,
    key: &[u8],
    engine_boots: u32,
    engine_time: u32,
    salt: &mut SaltCounter,
    plaintext: &[u8],
) -> Option<(Vec<u8>, [u8; 8])> {
    let n = salt.next();
    if proto.is_cbc() {
        // RFC 3414 § 8.1.1.1: salt = snmpEngineBoots ‖ a local 32-bit integer.
        let mut salt_bytes = [0u8; 8];
        let (boots_half, counter_half) = salt_bytes.split_at_mut(4);
        boots_half.copy_from_slice(&engine_boots.to_be_bytes());
        let [_, _, _, _, c0, c1, c2, c3] = n.to_be_bytes();
        counter_half.copy_from_slice(&[c0, c1, c2, c3]);
        let mut data = plaintext.to_vec();
        // § 8.1.1.2: pad to a multiple of the block size (the value of the padding is irrelevant).
        let padded = data.len().div_ceil(8).saturating_mul(8);
        data.resize(padded, 0);
        cbc(proto, key, &salt_bytes, &mut data, true)?;
        Some((data, salt_bytes))
    } else {
        let salt_bytes = n.to_be_bytes();
        let mut data = plaintext.to_vec();
        aes_cfb(proto, key, engine_boots, engine_time, &salt_bytes, &mut data, true)?;
        Some((data, salt_bytes))
    }
}

/// Decrypts an encryptedPDU; the result may carry padding after the ScopedPDU.
pub(crate) fn decrypt(
    proto: PrivProtocol,
    key: &[u8],
    engine_boots: u32,
    engine_time: u32,
    priv_params: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, DecryptProblem> {
    let salt: [u8; 8] = priv_params.try_into().map_err(|_| DecryptProblem::SaltLength(priv_params.len()))?;
    let mut data = Zeroizing::new(ciphertext.to_vec());
    if proto.is_cbc() {
        if !data.len().is_multiple_of(8) {
            return Err(DecryptProblem::NotBlockAligned(data.len()));
        }
        cbc(proto, key, &salt, &mut data, false).ok_or(DecryptProblem::KeyLength)?;
    } else {
        aes_cfb(proto, key, engine_boots, engine_time, &salt, &mut data, false)
            .ok_or(DecryptProblem::KeyLength)?;
    }
    Ok(data)
}

/// IV = pre-IV ⊕ salt (RFC 3414 § 8.1.1.1).
fn cbc_iv(pre_iv: &[u8], salt: &[u8; 8]) -> [u8; 8] {
    let mut iv = [0u8; 8];
    for ((o, p), s) in iv.iter_mut().zip(pre_iv).zip(salt) {
        *o = p ^ s;
    }
    iv
}

/// DES-CBC or 3DES-EDE-CBC in place: the key is the first 8 (24) bytes of the privacy key, the
/// pre-IV the next 8 (RFC 3414 § 8.1.1.1; Reeder draft § 5.1.1.1).
fn cbc(proto: PrivProtocol, key: &[u8], salt: &[u8; 8], data: &mut [u8], encrypt: bool) -> Option<()> {
    fn run<C: BlockCipherEncrypt + BlockCipherDecrypt + KeyInit>(
        k: &[u8],
        iv: &[u8; 8],
        data: &mut [u8],
        encrypt: bool,
    ) -> Option<()> {
        let blocks = data.chunks_exact_mut(8);
        if encrypt {
            let mut enc = cbc::Encryptor::<C>::new_from_slices(k, iv).ok()?;
            for block in blocks {
                enc.encrypt_block(block.try_into().ok()?);
            }
        } else {
            let mut dec = cbc::Decryptor::<C>::new_from_slices(k, iv).ok()?;
            for block in blocks {
                dec.decrypt_block(block.try_into().ok()?);
            }
        }
        Some(())
    }
    let key_len = if proto == PrivProtocol::Des { 8 } else { 24 };
    let (k, pre_iv) = split(key, key_len, key_len.saturating_add(8))?;
    let iv = cbc_iv(pre_iv, salt);
    if proto == PrivProtocol::Des {
        run::<des::Des>(k, &iv, data, encrypt)
    } else {
        run::<des::TdesEde3>(k, &iv, data, encrypt)
    }
}

/// AES-CFB128 with IV = snmpEngineBoots ‖ snmpEngineTime ‖ salt (RFC 3826 § 3.1.2.1).
fn aes_cfb(
    proto: PrivProtocol,
    key: &[u8],
    boots: u32,
    time: u32,
    salt: &[u8; 8],
    data: &mut [u8],
    encrypt: bool,
) -> Option<()> {
    fn run<C: BlockCipherEncrypt + KeyInit>(
        k: &[u8],
        iv: &[u8; 16],
        data: &mut [u8],
        encrypt: bool,
    ) -> Option<()> {
        if encrypt {
            cfb_mode::Encryptor::<C>::new_from_slices(k, iv).ok()?.encrypt(data);
        } else {
            cfb_mode::Decryptor::<C>::new_from_slices(k, iv).ok()?.decrypt(data);
        }
        Some(())
    }
    let mut iv = [0u8; 16];
    let (b, rest) = iv.split_at_mut(4);
    let (t, s) = rest.split_at_mut(4);
    b.copy_from_slice(&boots.to_be_bytes());
    t.copy_from_slice(&time.to_be_bytes());
    s.copy_from_slice(salt);
    let k = key.get(..proto.key_len())?;
    match proto.key_len() {
        16 => run::<aes::Aes128>(k, &iv, data, encrypt),
        24 => run::<aes::Aes192>(k, &iv, data, encrypt),
        _ => run::<aes::Aes256>(k, &iv, data, encrypt),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_protocol_round_trips_and_salts_differ() {
        let key: Vec<u8> = (0u8..32).collect();
        let plain = b"0\x1a\x04\x00\x04\x00\xa0\x14\x02\x01\x01\x02\x01\x00\x02\x01\x000\x090\x07\x06\x03+\x06\x01\x05\x00";
        for proto in PrivProtocol::ALL {
            let mut salt = SaltCounter::new(u64::MAX);
            let (c1, s1) = encrypt(proto, &key, 3, 1000, &mut salt, plain).unwrap();
            let (c2, s2) = encrypt(proto, &key, 3, 1000, &mut salt, plain).unwrap();
            assert_ne!(s1, s2, "{proto}: salt must change per message");
            assert_ne!(c1, c2, "{proto}: ciphertext must change with the salt");
            let p = decrypt(proto, &key, 3, 1000, &s1, &c1).unwrap();
            assert_eq!(&p[..plain.len()], plain, "{proto}");
            if proto.is_cbc() {
                assert_eq!(c1.len() % 8, 0);
                assert_eq!(&s1[..4], &3u32.to_be_bytes(), "{proto}: DES salt starts with engineBoots");
            } else {
                assert_eq!(c1.len(), plain.len(), "{proto}: CFB does not pad");
            }
        }
    }

    #[test]
    fn bad_salt_and_alignment_are_errors() {
        let key = [7u8; 32];
        assert_eq!(
            decrypt(PrivProtocol::Aes128, &key, 0, 0, &[0; 7], &[0; 16]),
            Err(DecryptProblem::SaltLength(7))
        );
        assert_eq!(
            decrypt(PrivProtocol::Des, &key, 0, 0, &[0; 8], &[0; 15]),
            Err(DecryptProblem::NotBlockAligned(15))
        );
        assert_eq!(
            decrypt(PrivProtocol::TripleDes, &key[..16], 0, 0, &[0; 8], &[0; 16]),
            Err(DecryptProblem::KeyLength)
        );
    }
}
