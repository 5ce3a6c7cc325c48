//! Object identifiers ([RFC 2578 § 3.5](https://www.rfc-editor.org/rfc/rfc2578#section-3.5)).

use core::cmp::Ordering;
use core::fmt;
use core::str::FromStr;

/// The most sub-identifiers an OID may have
/// ([RFC 2578 § 3.5](https://www.rfc-editor.org/rfc/rfc2578#section-3.5): "at most 128 sub-identifiers").
pub const MAX_ARCS: usize = 128;

/// Arcs stored inline before spilling to the heap: every OID in a normal MIB-2 walk fits.
pub(crate) const INLINE: usize = 15;

/// An SNMP object identifier: up to [`MAX_ARCS`] sub-identifiers of 32 bits each.
///
/// Ordering is lexicographic by arc, as SNMP's GetNext ordering requires (a prefix sorts first).
/// Short OIDs are stored inline, so decoding a typical varbind does not allocate for its name.
#[derive(Clone)]
pub struct Oid {
    repr: Repr,
}

#[derive(Clone)]
enum Repr {
    Inline { len: u8, arcs: [u32; INLINE] },
    Heap(Box<[u32]>),
}

/// Why a text or arc list is not an OID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OidError {
    /// More than [`MAX_ARCS`] sub-identifiers.
    #[error("an OID has at most {MAX_ARCS} sub-identifiers, this one has {0}")]
    TooLong(usize),
    /// A sub-identifier that is not a number in 0..=4294967295.
    #[error("sub-identifier {index} ({text:?}) is not a number from 0 to 4294967295")]
    BadArc {
        /// Position of the arc, counted from 1.
        index: usize,
        /// The text found there.
        text: String,
    },
    /// The text has no arcs at all.
    #[error("empty OID")]
    Empty,
}

impl Oid {
    /// The zero-length OID (only ever seen as a malformed value on the wire).
    pub const fn empty() -> Self {
        Oid { repr: Repr::Inline { len: 0, arcs: [0; INLINE] } }
    }

    /// Builds an OID from its arcs.
    ///
    /// # Errors
    /// [`OidError::TooLong`] above [`MAX_ARCS`] arcs.
    pub fn new(arcs: &[u32]) -> Result<Self, OidError> {
        if arcs.len() > MAX_ARCS {
            return Err(OidError::TooLong(arcs.len()));
        }
        Ok(Self::from_slice_unchecked(arcs))
    }

    /// Builds an OID from arcs already known to number at most [`MAX_ARCS`].
    /// The first `len` arcs of `arcs`, inline (for the decoder; `len` is at most INLINE).
    pub(crate) fn from_inline(arcs: [u32; INLINE], len: usize) -> Self {
        let len = u8::try_from(len.min(INLINE)).unwrap_or(0);
        Oid { repr: Repr::Inline { len, arcs } }
    }

    pub(crate) fn from_slice_unchecked(arcs: &[u32]) -> Self {
        if arcs.len() <= INLINE {
            let mut inline = [0u32; INLINE];
            inline.iter_mut().zip(arcs).for_each(|(slot, arc)| *slot = *arc);
            // `arcs.len() <= INLINE` (15), so it fits in a u8.
            let len = u8::try_from(arcs.len()).unwrap_or(u8::MAX);
            Oid { repr: Repr::Inline { len, arcs: inline } }
        } else {
            Oid { repr: Repr::Heap(arcs.into()) }
        }
    }

    /// The sub-identifiers.
    pub fn arcs(&self) -> &[u32] {
        match &self.repr {
            Repr::Inline { len, arcs } => arcs.get(..usize::from(*len)).unwrap_or(&[]),
            Repr::Heap(arcs) => arcs,
        }
    }

    /// Number of sub-identifiers.
    pub fn len(&self) -> usize {
        self.arcs().len()
    }

    /// True for the zero-length OID.
    pub fn is_empty(&self) -> bool {
        self.arcs().is_empty()
    }

    /// True if `self` lies in the subtree rooted at `root` (equal counts as inside).
    pub fn starts_with(&self, root: &Oid) -> bool {
        self.arcs().starts_with(root.arcs())
    }

    /// A new OID with `arcs` appended.
    ///
    /// # Errors
    /// [`OidError::TooLong`] if the result would exceed [`MAX_ARCS`] arcs.
    pub fn join(&self, arcs: &[u32]) -> Result<Oid, OidError> {
        let mut all = Vec::with_capacity(self.len().saturating_add(arcs.len()));
        all.extend_from_slice(self.arcs());
        all.extend_from_slice(arcs);
        Oid::new(&all)
    }
}

impl Default for Oid {
    fn default() -> Self {
        Oid::empty()
    }
}

impl PartialEq for Oid {
    fn eq(&self, other: &Self) -> bool {
        self.arcs() == other.arcs()
    }
}

impl Eq for Oid {}

impl core::hash::Hash for Oid {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.arcs().hash(state);
    }
}

impl PartialOrd for Oid {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Oid {
    fn cmp(&self, other: &Self) -> Ordering {
        self.arcs().cmp(other.arcs())
    }
}

impl fmt::Display for Oid {
    /// Dotted form without a leading dot: `1.3.6.1.2.1.1.1.0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_dotted(f, self.arcs().iter().copied())
    }
}

/// Writes arcs in dotted form. itoa, not the formatting machinery: OIDs are printed for every
/// varbind of a walk and every listener record.
pub(super) fn write_dotted(f: &mut fmt::Formatter<'_>, arcs: impl Iterator<Item = u32>) -> fmt::Result {
    let mut digits = itoa::Buffer::new();
    for (i, arc) in arcs.enumerate() {
        if i > 0 {
            f.write_str(".")?;
        }
        f.write_str(digits.format(arc))?;
    }
    Ok(())
}

impl fmt::Debug for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({self})")
    }
}

impl FromStr for Oid {
    type Err = OidError;

    /// Parses `1.3.6.1…` or `.1.3.6.1…`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let body = s.strip_prefix('.').unwrap_or(s);
        if body.is_empty() {
            return Err(OidError::Empty);
        }
        let mut arcs = Vec::with_capacity(16);
        for (i, part) in body.split('.').enumerate() {
            let arc = part
                .parse::<u32>()
                .ok()
                .filter(|_| part.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| OidError::BadArc { index: i.saturating_add(1), text: part.to_owned() })?;
            arcs.push(arc);
        }
        Oid::new(&arcs)
    }
}

/// Whether `text` is an OID that [`Oid::from_str`] accepts (`1.3.6.1…` or `.1.3.6.1…`, each
/// arc a number up to 4294967295, at most [`MAX_ARCS`] arcs), decided at compile time for
/// [`oid!`](crate::oid!).
// A const fn cannot use iterators or `get`: every index is below `b.len()`, `value` stays
// under 10 × 2³² and `arcs`, `digits` under the text's length.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
pub const fn is_dotted(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = if !b.is_empty() && b[0] == b'.' { 1 } else { 0 };
    if i >= b.len() {
        return false;
    }
    let (mut arcs, mut digits, mut value) = (1usize, 0usize, 0u64);
    while i < b.len() {
        let c = b[i];
        if c == b'.' {
            if digits == 0 {
                return false;
            }
            arcs += 1;
            digits = 0;
            value = 0;
        } else if c.is_ascii_digit() {
            digits += 1;
            value = value * 10 + (c - b'0') as u64;
            if value > u32::MAX as u64 || digits > 10 {
                return false;
            }
        } else {
            return false;
        }
        i += 1;
    }
    digits > 0 && arcs <= MAX_ARCS
}

/// A numeric OID from a literal, checked when the program compiles:
/// `oid!("1.3.6.1.2.1.1.5.0")`. A literal that is not an OID does not compile:
///
/// ```compile_fail
/// let bad = snmpctl::oid!("1.3.6.x");
/// ```
///
/// ```
/// let sys_name = snmpctl::oid!("1.3.6.1.2.1.1.5.0");
/// assert_eq!(sys_name.arcs(), [1, 3, 6, 1, 2, 1, 1, 5, 0]);
/// ```
#[macro_export]
macro_rules! oid {
    ($text:literal) => {{
        const _: () = assert!($crate::value::is_dotted($text), concat!("not a numeric OID: ", $text));
        // Checked above, so the parse cannot fail.
        $text.parse::<$crate::value::Oid>().unwrap_or_default()
    }};
}

impl TryFrom<&[u32]> for Oid {
    type Error = OidError;
    fn try_from(arcs: &[u32]) -> Result<Self, OidError> {
        Oid::new(arcs)
    }
}

impl<const N: usize> TryFrom<[u32; N]> for Oid {
    type Error = OidError;
    fn try_from(arcs: [u32; N]) -> Result<Self, OidError> {
        Oid::new(&arcs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print() {
        for (text, arcs, printed) in [
            ("1.3.6.1.2.1.1.1.0", &[1u32, 3, 6, 1, 2, 1, 1, 1, 0][..], "1.3.6.1.2.1.1.1.0"),
            (".1.3.6", &[1, 3, 6][..], "1.3.6"),
            ("0", &[0][..], "0"),
            ("1.3.4294967295", &[1, 3, u32::MAX][..], "1.3.4294967295"),
        ] {
            let oid: Oid = text.parse().unwrap();
            assert_eq!(oid.arcs(), arcs);
            assert_eq!(oid.to_string(), printed);
        }
    }

    #[test]
    fn parse_rejects() {
        assert_eq!("".parse::<Oid>(), Err(OidError::Empty));
        assert_eq!(".".parse::<Oid>(), Err(OidError::Empty));
        assert!(matches!("1..3".parse::<Oid>(), Err(OidError::BadArc { index: 2, .. })));
        assert!(matches!("1.3.4294967296".parse::<Oid>(), Err(OidError::BadArc { index: 3, .. })));
        assert!(matches!("1.+3".parse::<Oid>(), Err(OidError::BadArc { index: 2, .. })));
        let long = vec!["1"; 129].join(".");
        assert_eq!(long.parse::<Oid>(), Err(OidError::TooLong(129)));
        assert!(vec!["1"; 128].join(".").parse::<Oid>().is_ok());
    }

    #[test]
    fn ordering_and_prefix() {
        let a: Oid = "1.3.6.1.2".parse().unwrap();
        let b: Oid = "1.3.6.1.2.1".parse().unwrap();
        let c: Oid = "1.3.6.1.10".parse().unwrap();
        assert!(a < b && b < c);
        assert!(b.starts_with(&a) && !c.starts_with(&a) && a.starts_with(&a));
        // Inline and heap forms compare equal by arcs.
        let long: Vec<u32> = (0..40).collect();
        let x = Oid::new(&long).unwrap();
        let y = Oid::new(&long[..10]).unwrap();
        assert!(y < x && x.starts_with(&y));
        assert_eq!(x.join(&[]).unwrap(), x);
    }
}
