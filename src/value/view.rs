//! Borrowed forms of [`Oid`], [`Value`] and [`VarBind`]: what the zero-copy decoder
//! ([`crate::msg::MessageRef`]) yields. They point into the received datagram, cost no
//! allocation, and turn into the owned types with `to_oid`, `to_value` and `to_varbind`.

use super::oid::{Oid, write_dotted};
use super::syntax::{Value, VarBind, tag};
use core::cmp::Ordering;
use core::fmt;

/// An OBJECT IDENTIFIER as received: its BER contents octets
/// ([X.690 § 8.19](https://www.itu.int/rec/T-REC-X.690)), checked by the decoder.
///
/// Invariant: the octets end on a whole sub-identifier, every arc fits in 32 bits and there are
/// at most [`super::MAX_ARCS`] of them, or the octets are empty (a zero-length OID value, which
/// the decoder records as a deviation).
#[derive(Clone, Copy)]
pub struct OidRef<'a> {
    ber: &'a [u8],
}

impl<'a> OidRef<'a> {
    /// Wraps contents octets already checked by `msg::ber::check_oid`.
    pub(crate) fn new_unchecked(ber: &'a [u8]) -> Self {
        OidRef { ber }
    }

    /// The BER contents octets, as received.
    pub fn as_ber(&self) -> &'a [u8] {
        self.ber
    }

    /// The sub-identifiers, decoded as they are read.
    pub fn arcs(&self) -> Arcs<'a> {
        Arcs { rest: self.ber, second: None, first: true }
    }

    /// True for the zero-length OID.
    pub fn is_empty(&self) -> bool {
        self.ber.is_empty()
    }

    /// True if this OID lies in the subtree rooted at `root` (equal counts as inside).
    pub fn starts_with(&self, root: &Oid) -> bool {
        let mut arcs = self.arcs();
        root.arcs().iter().all(|want| arcs.next() == Some(*want))
    }

    /// The owned OID.
    pub fn to_oid(&self) -> Oid {
        // At most one arc per octet, and the first octet holds two: a name of at most 14
        // octets (a MIB-2 column's rows) fits inline and is decoded straight into place.
        if self.ber.len() < crate::value::oid::INLINE {
            let mut arcs = [0u32; crate::value::oid::INLINE];
            let n = decode_arcs(self.ber, &mut arcs);
            return Oid::from_inline(arcs, n);
        }
        // Longer: into a stack buffer, then one allocation of the right size.
        let mut buf = [0u32; crate::value::MAX_ARCS];
        let n = decode_arcs(self.ber, &mut buf);
        Oid::from_slice_unchecked(buf.get(..n).unwrap_or(&[]))
    }
}

/// The arcs of BER sub-identifiers into `out`, one pass; how many were written. They are the
/// ones [`OidRef::arcs`] yields: a trailing unfinished sub-identifier is dropped, and no more
/// than `out` holds are kept.
fn decode_arcs(ber: &[u8], out: &mut [u32]) -> usize {
    // The usual start: sub-identifiers of one octet each (every arc of a MIB-2 column's name
    // is below 128), copied with no accumulator. The first one packs two arcs.
    let (mut n, mut taken) = (0usize, 0usize);
    if let (Some(&lead), [x, y, tail @ ..]) = (ber.first(), &mut *out)
        && lead < 0x80
    {
        (*x, *y) = match lead {
            0..=39 => (0, u32::from(lead)),
            40..=79 => (1, u32::from(lead).saturating_sub(40)),
            _ => (2, u32::from(lead).saturating_sub(80)),
        };
        // At most `tail.len()` (fewer than MAX_ARCS) one-octet arcs: the count cannot wrap.
        let mut run = 0usize;
        for (slot, &b) in tail.iter_mut().zip(ber.get(1..).unwrap_or(&[])) {
            if b & 0x80 != 0 {
                break;
            }
            *slot = u32::from(b);
            run = run.wrapping_add(1);
        }
        n = run.saturating_add(2);
        taken = run.saturating_add(1);
        if taken == ber.len() {
            return n;
        }
    }
    decode_arcs_from(ber.get(taken..).unwrap_or(&[]), out, n, taken == 0)
}

/// [`decode_arcs`] from `ber`, which starts on a sub-identifier, with `n` arcs already in
/// `out`; `first` when `ber` starts with the packed first sub-identifier.
fn decode_arcs_from(ber: &[u8], out: &mut [u32], mut n: usize, mut first: bool) -> usize {
    let mut push = |arc: u32| {
        if let Some(slot) = out.get_mut(n) {
            *slot = arc;
            n = n.saturating_add(1);
        }
    };
    let mut acc: u64 = 0;
    for &b in ber {
        // As in `Arcs::next`: the mask only keeps unchecked input from overflowing.
        acc = ((acc << 7) | u64::from(b & 0x7f)) & 0x0000_ffff_ffff_ffff;
        if b & 0x80 != 0 {
            continue;
        }
        if first {
            // X.690 § 8.19.4: the first sub-identifier is X·40 + Y, X in 0..=2.
            first = false;
            let (x, y) = match acc {
                0..=39 => (0, acc),
                40..=79 => (1, acc.saturating_sub(40)),
                _ => (2, acc.saturating_sub(80)),
            };
            push(x);
            push(u32::try_from(y).unwrap_or(u32::MAX));
        } else {
            push(u32::try_from(acc).unwrap_or(u32::MAX));
        }
        acc = 0;
    }
    n
}

impl PartialEq for OidRef<'_> {
    /// Equal arcs (two encodings of one OID can differ in redundant 0x80 octets).
    fn eq(&self, other: &Self) -> bool {
        self.ber == other.ber || self.arcs().eq(other.arcs())
    }
}

impl Eq for OidRef<'_> {}

impl PartialEq<Oid> for OidRef<'_> {
    fn eq(&self, other: &Oid) -> bool {
        self.arcs().eq(other.arcs().iter().copied())
    }
}

impl PartialOrd for OidRef<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OidRef<'_> {
    /// SNMP's lexicographic order by arc, as [`Oid`]'s.
    fn cmp(&self, other: &Self) -> Ordering {
        self.arcs().cmp(other.arcs())
    }
}

impl fmt::Display for OidRef<'_> {
    /// Dotted form without a leading dot, as [`Oid`] prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_dotted(f, self.arcs())
    }
}

impl fmt::Debug for OidRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OidRef({self})")
    }
}

/// The arcs of an [`OidRef`], decoded one sub-identifier at a time.
#[derive(Clone, Debug)]
pub struct Arcs<'a> {
    rest: &'a [u8],
    /// The second arc, which shares the first sub-identifier with the first (X·40 + Y).
    second: Option<u32>,
    first: bool,
}

impl Iterator for Arcs<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        if let Some(second) = self.second.take() {
            return Some(second);
        }
        let mut acc: u64 = 0;
        loop {
            let (&b, rest) = self.rest.split_first()?;
            self.rest = rest;
            // Checked contents keep a sub-identifier within u32::MAX + 80; the mask only keeps
            // unchecked input from overflowing.
            acc = ((acc << 7) | u64::from(b & 0x7f)) & 0x0000_ffff_ffff_ffff;
            if b & 0x80 == 0 {
                break;
            }
        }
        if !self.first {
            return Some(u32::try_from(acc).unwrap_or(u32::MAX));
        }
        // X.690 § 8.19.4: the first sub-identifier is X·40 + Y, X in 0..=2.
        self.first = false;
        let (x, y) = match acc {
            0..=39 => (0, acc),
            40..=79 => (1, acc.saturating_sub(40)),
            _ => (2, acc.saturating_sub(80)),
        };
        self.second = Some(u32::try_from(y).unwrap_or(u32::MAX));
        Some(x)
    }
}

/// A value as received, borrowing its octets from the datagram. Variants match [`Value`]'s.
// A 4-byte discriminant puts every payload on an aligned offset. With the default layout the
// IpAddress octets sit at offset 1, and moving a value into the varbind list then reads across
// two earlier stores, which stalls store forwarding (a third of the decode time, measured).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
#[repr(u32)]
pub enum ValueRef<'a> {
    /// INTEGER / Integer32.
    Integer(i32),
    /// OCTET STRING.
    OctetString(&'a [u8]),
    /// NULL.
    Null,
    /// OBJECT IDENTIFIER.
    ObjectIdentifier(OidRef<'a>),
    /// IpAddress.
    IpAddress([u8; 4]),
    /// Counter32.
    Counter32(u32),
    /// Gauge32 / Unsigned32.
    Gauge32(u32),
    /// TimeTicks.
    TimeTicks(u32),
    /// Opaque: the raw contents octets.
    Opaque(&'a [u8]),
    /// Counter64.
    Counter64(u64),
    /// noSuchObject.
    NoSuchObject,
    /// noSuchInstance.
    NoSuchInstance,
    /// endOfMibView.
    EndOfMibView,
    /// Anything else, as received (see [`Value::Unknown`]).
    Unknown {
        /// The identifier octet.
        tag: u8,
        /// The contents octets.
        bytes: &'a [u8],
    },
}

impl ValueRef<'_> {
    /// The owned value.
    pub fn to_value(&self) -> Value {
        match *self {
            ValueRef::Integer(v) => Value::Integer(v),
            ValueRef::OctetString(b) => Value::OctetString(b.to_vec()),
            ValueRef::Null => Value::Null,
            ValueRef::ObjectIdentifier(o) => Value::ObjectIdentifier(o.to_oid()),
            ValueRef::IpAddress(a) => Value::IpAddress(a),
            ValueRef::Counter32(v) => Value::Counter32(v),
            ValueRef::Gauge32(v) => Value::Gauge32(v),
            ValueRef::TimeTicks(v) => Value::TimeTicks(v),
            ValueRef::Opaque(b) => Value::Opaque(b.to_vec()),
            ValueRef::Counter64(v) => Value::Counter64(v),
            ValueRef::NoSuchObject => Value::NoSuchObject,
            ValueRef::NoSuchInstance => Value::NoSuchInstance,
            ValueRef::EndOfMibView => Value::EndOfMibView,
            ValueRef::Unknown { tag, bytes } => Value::Unknown { tag, bytes: bytes.to_vec() },
        }
    }

    /// The BER identifier octet, as [`Value::tag`].
    pub fn tag(&self) -> u8 {
        match self {
            ValueRef::Integer(_) => tag::INTEGER,
            ValueRef::OctetString(_) => tag::OCTET_STRING,
            ValueRef::Null => tag::NULL,
            ValueRef::ObjectIdentifier(_) => tag::OBJECT_IDENTIFIER,
            ValueRef::IpAddress(_) => tag::IP_ADDRESS,
            ValueRef::Counter32(_) => tag::COUNTER32,
            ValueRef::Gauge32(_) => tag::GAUGE32,
            ValueRef::TimeTicks(_) => tag::TIMETICKS,
            ValueRef::Opaque(_) => tag::OPAQUE,
            ValueRef::Counter64(_) => tag::COUNTER64,
            ValueRef::NoSuchObject => tag::NO_SUCH_OBJECT,
            ValueRef::NoSuchInstance => tag::NO_SUCH_INSTANCE,
            ValueRef::EndOfMibView => tag::END_OF_MIB_VIEW,
            ValueRef::Unknown { tag, .. } => *tag,
        }
    }

    /// True for noSuchObject, noSuchInstance and endOfMibView.
    pub fn is_exception(&self) -> bool {
        matches!(self, ValueRef::NoSuchObject | ValueRef::NoSuchInstance | ValueRef::EndOfMibView)
    }
}

/// A variable binding as received.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct VarBindRef<'a> {
    /// The object instance.
    pub oid: OidRef<'a>,
    /// Its value.
    pub value: ValueRef<'a>,
}

impl VarBindRef<'_> {
    /// The owned varbind.
    pub fn to_varbind(&self) -> VarBind {
        VarBind { oid: self.oid.to_oid(), value: self.value.to_value() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arcs_and_order() {
        let sys_descr = OidRef::new_unchecked(&[0x2b, 6, 1, 2, 1, 1, 1, 0]);
        assert_eq!(sys_descr.arcs().collect::<Vec<_>>(), [1, 3, 6, 1, 2, 1, 1, 1, 0]);
        assert_eq!(sys_descr.to_string(), "1.3.6.1.2.1.1.1.0");
        let oid: Oid = "1.3.6.1.2.1.1.1.0".parse().unwrap();
        assert!(sys_descr == oid && sys_descr.to_oid() == oid);
        assert!(sys_descr.starts_with(&"1.3.6.1.2.1".parse().unwrap()));
        assert!(!sys_descr.starts_with(&"1.3.6.1.2.1.1.1.0.0".parse().unwrap()));
        // A redundant 0x80 octet still means the same arcs.
        let padded = OidRef::new_unchecked(&[0x2b, 6, 1, 2, 1, 1, 0x80, 1, 0]);
        assert_eq!(padded, sys_descr);
        let next = OidRef::new_unchecked(&[0x2b, 6, 1, 2, 1, 1, 2, 0]);
        assert!(sys_descr < next);
        // 2.999.4294967295: a first sub-identifier above 127, a last arc of 32 bits.
        let big = OidRef::new_unchecked(&[0x88, 0x37, 0x8f, 0xff, 0xff, 0xff, 0x7f]);
        assert_eq!(big.arcs().collect::<Vec<_>>(), [2, 999, u32::MAX]);
        assert_eq!(OidRef::new_unchecked(&[]).to_oid(), Oid::empty());
        // One-octet arcs and then longer ones (ifInOctets.200), and a first sub-identifier
        // of two octets.
        let row = OidRef::new_unchecked(&[0x2b, 6, 1, 2, 1, 2, 2, 1, 10, 0x81, 0x48]);
        assert_eq!(row.to_oid().arcs(), [1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 200]);
        let wide = OidRef::new_unchecked(&[0x88, 0x37, 5, 0x81, 0x00, 7]);
        assert_eq!(wide.to_oid().arcs(), [2, 999, 5, 128, 7]);
        // Either side of the inline limit (15 arcs) gives the same arcs.
        for len in [12u8, 13, 14] {
            let ber: Vec<u8> = [0x2b].into_iter().chain(1..=len).collect();
            let view = OidRef::new_unchecked(&ber);
            assert_eq!(view.to_oid().arcs(), view.arcs().collect::<Vec<_>>(), "{len}");
            assert_eq!(view.to_oid().len(), usize::from(len) + 2);
        }
        // Counted for one allocation: arcs of several octets, redundant 0x80 octets, inline
        // and heap lengths up to the limit.
        for (arcs, extra) in [(5usize, 0usize), (15, 3), (19, 1), (40, 7), (127, 2)] {
            let mut ber = vec![0x2b];
            let mut want = vec![1u32, 3];
            for i in 0..arcs.saturating_sub(2) {
                let arc = u32::try_from(i).unwrap() * 1000;
                if i < extra {
                    ber.push(0x80);
                }
                // Base 128, most significant group first, every octet but the last marked.
                let mut groups = vec![u8::try_from(arc & 0x7f).unwrap()];
                let mut rest = arc >> 7;
                while rest > 0 {
                    groups.push(u8::try_from(rest & 0x7f).unwrap() | 0x80);
                    rest >>= 7;
                }
                ber.extend(groups.iter().rev());
                want.push(arc);
            }
            let oid = OidRef::new_unchecked(&ber).to_oid();
            assert_eq!(oid.arcs(), want, "{arcs} arcs");
            assert_eq!(oid, Oid::from_slice_unchecked(&want));
        }
        // Unchecked octets give what `arcs()` gives: an unfinished last sub-identifier dropped,
        // at most MAX_ARCS arcs, a first sub-identifier past 32 bits saturated.
        let long: Vec<u8> =
            [0x2b].into_iter().chain((0..200).map(|i| u8::try_from(i % 100).unwrap())).collect();
        for ber in [&[0x2b, 6, 0x81][..], &[0x81], &long, &[0x8f, 0xff, 0xff, 0xff, 0xff, 0x7f, 5]] {
            let view = OidRef::new_unchecked(ber);
            let want: Vec<u32> = view.arcs().take(crate::value::MAX_ARCS).collect();
            assert_eq!(view.to_oid().arcs(), want, "{ber:?}");
        }
    }
}
