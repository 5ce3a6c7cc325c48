//! The SNMP data model shared by every layer: [`Oid`], [`Value`] and [`VarBind`].
//!
//! Nothing here knows about messages or I/O. The main types are owned, so a decoded message can
//! outlive the datagram it came from; the `…Ref` forms borrow from the datagram instead, for the
//! zero-copy decoder.
//!
//! ```
//! use snmpctl::value::{Oid, Value, VarBind};
//! let oid: Oid = "1.3.6.1.2.1.1.5.0".parse()?;
//! assert!(oid.starts_with(&"1.3.6.1.2.1.1".parse()?));
//! let vb = VarBind::new(oid, Value::from("core-rtr-1"));
//! assert_eq!(vb.value.as_str(), Some("core-rtr-1"));
//! assert_eq!(vb.to_string(), "SNMPv2-MIB::sysName.0 = STRING: core-rtr-1");
//! # Ok::<(), snmpctl::value::OidError>(())
//! ```

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
