//! A bounded BER reader over one datagram.
//!
//! Contract: every read is checked against the end of the enclosing element, so no method panics
//! on any input, and every error carries the absolute byte offset of the element concerned.

use super::error::{DecodeError, DecodeErrorKind as K, Deviation, DeviationKind as D, OidProblem};
use crate::value::{MAX_ARCS, OidRef};

/// One TLV: identifier, where it starts, and its contents.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    /// Offset of the identifier octet.
    pub offset: usize,
    /// Offset of the first contents octet.
    pub content_offset: usize,
    pub content: &'a [u8],
}

/// Reads TLVs from `data[pos..end]`; offsets are `base + position in data`.
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    end: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    /// A reader over a whole buffer whose first byte is at absolute offset `base`.
    pub fn new(data: &'a [u8], base: usize) -> Self {
        Reader { data, pos: 0, end: data.len(), base }
    }

    /// Absolute offset of the next byte.
    pub fn offset(&self) -> usize {
        self.base.saturating_add(self.pos)
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.end.saturating_sub(self.pos)
    }

    /// The bytes not yet read.
    pub fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..self.end).unwrap_or(&[])
    }

    /// Moves past `count` bytes (at most what is left).
    pub fn skip(&mut self, count: usize) {
        self.pos = self.pos.saturating_add(count).min(self.end);
    }

    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// A reader over a TLV's contents (offsets stay absolute).
    #[inline]
    pub fn enter(&self, tlv: &Tlv<'a>) -> Reader<'a> {
        Reader { data: tlv.content, pos: 0, end: tlv.content.len(), base: tlv.content_offset }
    }

    /// Fails with `TrailingData` if anything is left (rustls `Reader::all`, der `finish`).
    pub fn finish(&self, what: &'static str) -> Result<(), DecodeError> {
        match self.remaining() {
            0 => Ok(()),
            count => Err(DecodeError::new(self.offset(), K::TrailingData { what, count })),
        }
    }

    /// The next byte of the element that starts at `start` (errors name `start`).
    #[inline]
    fn byte(&mut self, start: usize, what: &'static str, needed: usize) -> Result<u8, DecodeError> {
        let b = self
            .data
            .get(self.pos)
            .copied()
            .filter(|_| self.pos < self.end)
            .ok_or_else(|| DecodeError::new(start, K::Truncated { what, needed, available: 0 }))?;
        self.pos = self.pos.saturating_add(1);
        Ok(b)
    }

    /// Reads one TLV with a definite length.
    #[inline]
    pub fn read(&mut self, what: &'static str, dev: &mut Vec<Deviation>) -> Result<Tlv<'a>, DecodeError> {
        // The usual element: a one-octet tag and a short length, all within bounds.
        if let Some(&[tag, len]) =
            self.data.get(self.pos..self.pos.saturating_add(2)).filter(|_| self.pos < self.end)
            && len < 0x80
            && tag & 0x1f != 0x1f
        {
            let start = self.pos.saturating_add(2);
            let stop = start.saturating_add(usize::from(len));
            if stop <= self.end
                && let Some(content) = self.data.get(start..stop)
            {
                let offset = self.offset();
                self.pos = stop;
                return Ok(Tlv { tag, offset, content_offset: self.base.saturating_add(start), content });
            }
        }
        self.read_general(what, dev)
    }

    /// [`Reader::read`] for every form: long lengths, and the errors.
    fn read_general(&mut self, what: &'static str, dev: &mut Vec<Deviation>) -> Result<Tlv<'a>, DecodeError> {
        let offset = self.offset();
        let tag = self.byte(offset, what, 2)?;
        if tag & 0x1f == 0x1f {
            return Err(DecodeError::new(offset, K::MultiByteTag { what, tag }));
        }
        let first = self.byte(offset, what, 1)?;
        let length = if first < 0x80 {
            usize::from(first)
        } else if first == 0x80 {
            return Err(DecodeError::new(offset, K::IndefiniteLength { what }));
        } else {
            let octets = usize::from(first & 0x7f);
            if octets > 4 {
                return Err(DecodeError::new(offset, K::LengthTooLarge { what, octets }));
            }
            let mut length: usize = 0;
            let mut leading_zero = false;
            for i in 0..octets {
                let b = self.byte(offset, what, octets.saturating_sub(i))?;
                leading_zero |= i == 0 && b == 0;
                length = (length << 8) | usize::from(b);
            }
            // Minimal would be the short form below 0x80, and no leading zero octet.
            if length < 0x80 || leading_zero {
                dev.push(Deviation { offset, kind: D::NonMinimalLength { what } });
            }
            length
        };
        let available = self.remaining();
        if length > available {
            return Err(DecodeError::new(offset, K::LengthPastEnd { what, length, available }));
        }
        let start = self.pos;
        let stop = start.saturating_add(length);
        let content = self.data.get(start..stop).unwrap_or(&[]);
        self.pos = stop;
        Ok(Tlv { tag, offset, content_offset: self.base.saturating_add(start), content })
    }

    /// Reads a TLV that must carry `tag`.
    #[inline]
    pub fn expect(
        &mut self,
        tag: u8,
        what: &'static str,
        dev: &mut Vec<Deviation>,
    ) -> Result<Tlv<'a>, DecodeError> {
        // The tag is checked before the length, so a datagram that is not SNMP at all is
        // reported as the wrong type rather than as a bad length.
        if let Some(&found) = self.data.get(self.pos).filter(|_| self.pos < self.end) {
            if found & 0x1f == 0x1f {
                return Err(DecodeError::new(self.offset(), K::MultiByteTag { what, tag: found }));
            }
            if found != tag {
                return Err(DecodeError::new(self.offset(), K::UnexpectedTag { what, expected: tag, found }));
            }
        }
        // The tag was checked above, so the TLV read is the one required.
        self.read(what, dev)
    }

    /// Reads an INTEGER that must fit in i64.
    pub fn integer(&mut self, what: &'static str, dev: &mut Vec<Deviation>) -> Result<i64, DecodeError> {
        let tlv = self.expect(crate::value::tag::INTEGER, what, dev)?;
        integer_i64(&tlv, what, dev)
    }
}

/// A two's-complement integer read from contents octets.
pub(crate) struct Int {
    pub value: i128,
    pub non_minimal: bool,
}

/// Reads contents octets as a signed integer.
///
/// Returns `None` for zero octets or more than 16 significant octets.
#[inline]
pub(crate) fn parse_int(content: &[u8]) -> Option<Int> {
    let (&first, rest) = content.split_first()?;
    // Up to 8 octets (every value SNMP sends but an unsigned 64-bit one with a 00 prefix):
    // one pass in 64 bits. Redundant sign octets can only be told from the first two.
    if rest.len() < 8 {
        let non_minimal = rest.first().is_some_and(|&second| {
            (first == 0x00 && second & 0x80 == 0) || (first == 0xff && second & 0x80 != 0)
        });
        let mut value = i64::from(i8::from_be_bytes([first]));
        for &b in rest {
            value = (value << 8) | i64::from(b);
        }
        return Some(Int { value: i128::from(value), non_minimal });
    }
    // Strip redundant sign octets: 00 followed by a clear high bit, ff followed by a set one.
    let mut body = content;
    let mut non_minimal = false;
    while let [a, b, ..] = body {
        let redundant = (*a == 0x00 && b & 0x80 == 0) || (*a == 0xff && b & 0x80 != 0);
        if !redundant {
            break;
        }
        non_minimal = true;
        body = body.get(1..).unwrap_or(&[]);
    }
    // One extra octet is normal for an unsigned value with the high bit set (00 ff ff ff ff).
    if body.len() > 16 {
        return None;
    }
    let mut value: i128 = if first & 0x80 != 0 { -1 } else { 0 };
    for b in body {
        value = (value << 8) | i128::from(*b);
    }
    Some(Int { value, non_minimal })
}

/// An INTEGER TLV as i64; non-minimal forms are recorded.
pub(crate) fn integer_i64(
    tlv: &Tlv<'_>,
    what: &'static str,
    dev: &mut Vec<Deviation>,
) -> Result<i64, DecodeError> {
    let int = parse_int(tlv.content).ok_or_else(|| {
        let kind = if tlv.content.is_empty() {
            K::EmptyInteger { what }
        } else {
            K::IntegerOverflow { what, bits: 64 }
        };
        DecodeError::new(tlv.offset, kind)
    })?;
    if int.non_minimal {
        dev.push(Deviation { offset: tlv.offset, kind: D::NonMinimalInteger { what } });
    }
    i64::try_from(int.value).map_err(|_| DecodeError::new(tlv.offset, K::IntegerOverflow { what, bits: 64 }))
}

/// Checks the contents octets of an OBJECT IDENTIFIER
/// ([X.690 § 8.19](https://www.itu.int/rec/T-REC-X.690)) without copying them: whole
/// sub-identifiers, arcs within 32 bits, at most [`MAX_ARCS`]. `non_minimal` reports sub-identifiers
/// that start with a redundant 0x80 octet.
#[inline]
pub(crate) fn check_oid(content: &[u8]) -> Result<(OidRef<'_>, bool), OidProblem> {
    if content.is_empty() {
        return Err(OidProblem::Empty);
    }
    // Every arc below 128, the usual case: one octet per sub-identifier, nothing to overflow.
    if content.len() < MAX_ARCS && content.iter().fold(0u8, |acc, b| acc | b) & 0x80 == 0 {
        return Ok((OidRef::new_unchecked(content), false));
    }
    // The one-octet sub-identifiers before the first octet with bit 8 need no check (a MIB-2
    // row whose index passed 127: only that last arc has two octets).
    let ones = content.iter().position(|b| b & 0x80 != 0).unwrap_or(content.len());
    let mut arcs: usize = ones.saturating_add(1);
    if arcs > MAX_ARCS {
        return Err(OidProblem::TooLong(count_arcs(content)));
    }
    // One sub-identifier at a time: its octets run up to the first one without bit 8.
    let mut rest = content.get(ones..).unwrap_or_default();
    let mut non_minimal = false;
    // The first sub-identifier packs two arcs (X*40+Y) and may exceed 32 bits by 80.
    let mut limit = if ones == 0 { u64::from(u32::MAX) + 80 } else { u64::from(u32::MAX) };
    while let Some(&lead) = rest.first() {
        let len = rest.iter().position(|b| b & 0x80 == 0).ok_or(OidProblem::Truncated)?.saturating_add(1);
        let (sub, tail) = rest.split_at_checked(len).ok_or(OidProblem::Truncated)?;
        non_minimal |= lead == 0x80;
        // Four octets hold 28 bits, always within the limit; longer ones are added up.
        if len > 4 {
            let mut acc: u64 = 0;
            for &b in sub {
                acc = (acc << 7) | u64::from(b & 0x7f);
                if acc > limit {
                    return Err(OidProblem::ArcOverflow);
                }
            }
        }
        arcs = arcs.saturating_add(1);
        if arcs > MAX_ARCS {
            return Err(OidProblem::TooLong(count_arcs(content)));
        }
        limit = u64::from(u32::MAX);
        rest = tail;
    }
    Ok((OidRef::new_unchecked(content), non_minimal))
}

/// How many arcs an OID encoding holds (for the error message only).
fn count_arcs(content: &[u8]) -> usize {
    content.iter().filter(|b| *b & 0x80 == 0).count().saturating_add(1)
}

/// Where a BER stream (SNMP over TCP, RFC 3430) stands.
#[cfg(feature = "tokio")]
pub(crate) enum Frame {
    /// A whole message of this many bytes, header included, starts the buffer.
    Whole(usize),
    /// More bytes are needed.
    Partial,
    /// Not a BER SEQUENCE: the stream cannot be resynchronised.
    Invalid,
}

/// The length of the BER SEQUENCE at the start of `buf` (RFC 3430 framing).
#[cfg(feature = "tokio")]
pub(crate) fn frame_len(buf: &[u8]) -> Frame {
    let (Some(&tag), Some(&first)) = (buf.first(), buf.get(1)) else { return Frame::Partial };
    if tag != 0x30 {
        return Frame::Invalid;
    }
    let (header, len) = if first < 0x80 {
        (2usize, usize::from(first))
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return Frame::Invalid;
        }
        let Some(bytes) = buf.get(2..2usize.saturating_add(n)) else { return Frame::Partial };
        (2usize.saturating_add(n), bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b)))
    };
    let total = header.saturating_add(len);
    if buf.len() >= total { Frame::Whole(total) } else { Frame::Partial }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        for (bytes, value, non_minimal) in [
            (&[0x00][..], 0i128, false),
            (&[0x7f][..], 127, false),
            (&[0x00, 0x80][..], 128, false),
            (&[0xff][..], -1, false),
            (&[0x80][..], -128, false),
            (&[0xff, 0x7f][..], -129, false),
            (&[0x00, 0xff, 0xff, 0xff, 0xff][..], 4294967295, false),
            (&[0x00, 0x00, 0x05][..], 5, true),
            (&[0xff, 0xff, 0xff][..], -1, true),
        ] {
            let int = parse_int(bytes).unwrap();
            assert_eq!((int.value, int.non_minimal), (value, non_minimal), "{bytes:02x?}");
        }
        assert!(parse_int(&[]).is_none());
        assert!(parse_int(&[0x01; 17]).is_none());
    }

    #[test]
    fn oids() {
        let parse_oid = |c| check_oid(c).map(|(oid, nm)| (oid.to_oid(), nm));
        let (oid, nm) = parse_oid(&[0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00]).unwrap();
        assert_eq!((oid.to_string().as_str(), nm), ("1.3.6.1.2.1.1.1.0", false));
        let (oid, _) = parse_oid(&[0x2b, 0x8f, 0xff, 0xff, 0xff, 0x7f]).unwrap();
        assert_eq!(oid.arcs(), &[1, 3, u32::MAX]);
        assert_eq!(parse_oid(&[0x2b, 0x90, 0x80, 0x80, 0x80, 0x00]), Err(OidProblem::ArcOverflow));
        assert_eq!(parse_oid(&[0x2b, 0x86]), Err(OidProblem::Truncated));
        assert_eq!(parse_oid(&[]), Err(OidProblem::Empty));
        let (oid, nm) = parse_oid(&[0x2b, 0x80, 0x01]).unwrap();
        assert_eq!((oid.arcs(), nm), (&[1u32, 3, 1][..], true));
        let (oid, _) = parse_oid(&[0x88, 0x37, 0x01]).unwrap(); // 2.999.1
        assert_eq!(oid.arcs(), &[2, 999, 1]);
        assert_eq!(parse_oid(&[0x01; 128]), Err(OidProblem::TooLong(129)));
        assert!(parse_oid(&[0x01; 127]).is_ok());
        // Past a run of one-octet arcs: a first arc of 0x90 80 80 80 4f (2^32 + 79, within the
        // first sub-identifier's extra 80) is fine, the same as a later arc is not.
        assert!(parse_oid(&[0x90, 0x80, 0x80, 0x80, 0x4f]).is_ok());
        assert_eq!(parse_oid(&[0x2b, 6, 0x90, 0x80, 0x80, 0x80, 0x4f]), Err(OidProblem::ArcOverflow));
        let (oid, nm) = parse_oid(&[0x2b, 6, 1, 0x81, 0x48]).unwrap();
        assert_eq!((oid.arcs(), nm), (&[1u32, 3, 6, 1, 200][..], false));
        assert_eq!(parse_oid(&[0x2b, 6, 1, 0x80, 0x48]).map(|(_, nm)| nm), Ok(true));
        assert_eq!(parse_oid(&[0x2b, 6, 1, 0x81]), Err(OidProblem::Truncated));
        let long: Vec<u8> = [0x01; 127].into_iter().chain([0x81, 0x00]).collect();
        assert_eq!(parse_oid(&long), Err(OidProblem::TooLong(129)));
    }

    #[test]
    fn lengths() {
        let mut dev = Vec::new();
        let data = [0x04, 0x81, 0x02, 0xaa, 0xbb];
        let tlv = Reader::new(&data, 0).read("x", &mut dev).unwrap();
        assert_eq!(tlv.content, &[0xaa, 0xbb]);
        assert_eq!(dev.len(), 1);
        let e = Reader::new(&[0x04, 0x80, 0x00, 0x00], 0).read("x", &mut dev).unwrap_err();
        assert!(matches!(e.kind, K::IndefiniteLength { .. }));
        let e = Reader::new(&[0x30, 0x05, 0x00], 7).read("x", &mut dev).unwrap_err();
        assert_eq!(e.offset, 7);
        assert!(matches!(e.kind, K::LengthPastEnd { length: 5, available: 1, .. }));
        let e = Reader::new(&[0x30, 0x85, 1, 1, 1, 1, 1], 0).read("x", &mut dev).unwrap_err();
        assert!(matches!(e.kind, K::LengthTooLarge { octets: 5, .. }));
        let e = Reader::new(&[0x30, 0x82, 0x01], 0).read("x", &mut dev).unwrap_err();
        assert!(matches!(e.kind, K::Truncated { .. }));
        let e = Reader::new(&[0x30], 0).read("x", &mut dev).unwrap_err();
        assert!(matches!(e.kind, K::Truncated { .. }));
    }
}
