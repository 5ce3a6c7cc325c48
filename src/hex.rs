//! Lower-case hex without separators, the form JSON output and sidecar files use.
//!
//! ```
//! assert_eq!(snmpctl::hex::encode(&[0x80, 0x00, 0x1f]), "80001f");
//! assert_eq!(snmpctl::hex::decode("80 00 1F")?, [0x80, 0x00, 0x1f]);
//! # Ok::<(), snmpctl::hex::HexError>(())
//! ```

/// Encodes bytes as lower-case hex.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(2));
    encode_into(&mut out, bytes);
    // Only hex digits were written.
    String::from_utf8(out).unwrap_or_default()
}

/// Appends `bytes` as lower-case hex digits to `out`.
pub fn encode_into(out: &mut Vec<u8>, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.reserve(bytes.len().saturating_mul(2));
    for &b in bytes {
        out.push(DIGITS.get(usize::from(b >> 4)).copied().unwrap_or(b'0'));
        out.push(DIGITS.get(usize::from(b & 0x0f)).copied().unwrap_or(b'0'));
    }
}

/// Why text is not hex.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HexError {
    /// A character that is not a hex digit.
    #[error("character {ch:?} at position {position} is not a hex digit")]
    BadDigit {
        /// The character.
        ch: char,
        /// Its position, counted from 0 in the input.
        position: usize,
    },
    /// An odd number of hex digits.
    #[error("odd number of hex digits ({0})")]
    OddLength(usize),
}

/// Decodes hex, ignoring white space, `:` and `-` separators and an optional `0x` prefix.
///
/// # Errors
/// [`HexError`] on a non-hex character or an odd digit count.
pub fn decode(text: &str) -> Result<Vec<u8>, HexError> {
    let body = text.trim();
    let body = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")).unwrap_or(body);
    let offset = text.len().saturating_sub(body.len());
    let mut out = Vec::with_capacity(body.len() / 2);
    let mut high: Option<u8> = None;
    let mut digits = 0usize;
    for (i, ch) in body.char_indices() {
        if ch.is_whitespace() || ch == ':' || ch == '-' {
            continue;
        }
        let nibble = ch
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
            .ok_or(HexError::BadDigit { ch, position: offset.saturating_add(i) })?;
        digits = digits.saturating_add(1);
        match high.take() {
            None => high = Some(nibble),
            Some(h) => out.push(h << 4 | nibble),
        }
    }
    if high.is_some() {
        return Err(HexError::OddLength(digits));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip() {
        assert_eq!(super::encode(&[0x00, 0xab, 0x1f]), "00ab1f");
        assert_eq!(super::decode("00ab1f").unwrap(), vec![0x00, 0xab, 0x1f]);
        assert_eq!(super::decode(" 0x30 0A:ff-01\n").unwrap(), vec![0x30, 0x0a, 0xff, 0x01]);
        assert!(super::decode("abc").is_err());
        assert!(matches!(super::decode("zz"), Err(super::HexError::BadDigit { position: 0, .. })));
    }
}
