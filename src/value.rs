//! The SNMP data model shared by every layer: [`Oid`], [`Value`] and [`VarBind`].
//!
//! Nothing here knows about messages or I/O. The main types are owned, so a decoded message can
//! outlive the datagram it came from; the `…Ref` forms borrow from the datagram instead, for the
//! zero-copy decoder.

mod oid;
mod opaque;
mod syntax;
mod view;

pub use oid::{MAX_ARCS, Oid, OidError, is_dotted};
pub use opaque::OpaqueValue;
pub use syntax::{Value, VarBind, tag};
pub use view::{Arcs, OidRef, ValueRef, VarBindRef};

/// The octets of a BITS value with these bits set: bit 0 is the most significant bit of the
/// first octet (RFC 2578 § 7.1.4); the value is as long as the highest bit needs.
pub fn bits_octets(bits: impl IntoIterator<Item = u16>) -> Vec<u8> {
    let mut bytes: Vec<u8> = Vec::new();
    for bit in bits {
        let (i, shift) = (usize::from(bit / 8), 7u16.saturating_sub(bit % 8));
        if bytes.len() <= i {
            bytes.resize(i.saturating_add(1), 0);
        }
        if let Some(b) = bytes.get_mut(i) {
            *b |= 1 << shift;
        }
    }
    bytes
}

#[cfg(test)]
mod tests {
    #[test]
    fn bits() {
        assert_eq!(super::bits_octets([0, 9]), [0x80, 0x40]);
        assert_eq!(super::bits_octets([]), Vec::<u8>::new());
    }
}
