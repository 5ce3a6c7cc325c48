//! The SNMP data model shared by every layer: [`Oid`], [`Value`] and [`VarBind`].
//!
//! Nothing here knows about messages or I/O. The types are owned, so a decoded message can outlive
//! the datagram it came from.

// Input path: no panics on any bytes (STYLE.md convention 3).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

mod oid;
mod syntax;

pub use oid::{MAX_ARCS, Oid, OidError};
pub use syntax::{Value, VarBind, tag};
