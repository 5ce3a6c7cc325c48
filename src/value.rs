//! The SNMP data model shared by every layer: [`Oid`], [`Value`] and [`VarBind`].
//!
//! Nothing here knows about messages or I/O. The types are owned, so a decoded message can outlive
//! the datagram it came from.

mod oid;
mod opaque;
mod syntax;

pub(crate) use oid::OidBuilder;
pub use oid::{MAX_ARCS, Oid, OidError};
pub use opaque::OpaqueValue;
pub use syntax::{Value, VarBind, tag};
