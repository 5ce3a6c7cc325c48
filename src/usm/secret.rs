//! Secret bytes: zeroized on drop, redacted in `Debug`, never `Display`ed.

use core::fmt;
use zeroize::Zeroize;

/// Bytes that must not leak: a password or a key.
///
/// The memory is overwritten with zeros when the value is dropped, and `Debug` prints only the
/// length. There is deliberately no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Box<[u8]>);

impl Secret {
    /// Wraps `bytes`; the caller's copy is not zeroized, so pass an owned buffer when possible.
    pub fn new(bytes: impl Into<Box<[u8]>>) -> Self {
        Secret(bytes.into())
    }

    /// The secret bytes, for the crypto code.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Number of bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<{} bytes redacted>)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts() {
        let s = Secret::new(b"maplesyrup".to_vec());
        let shown = format!("{s:?}");
        assert!(!shown.contains("maple"), "{shown}");
        assert_eq!(shown, "Secret(<10 bytes redacted>)");
    }
}
