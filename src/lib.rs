//! snmpctl: an SNMP manager toolkit.
//!
//! Layers (an arrow means "may use"), as in `DESIGN.md`:
//!
//! ```text
//! cli ──► everything below (binary only)
//! transport (tokio) ──► client ──► usm ──► msg ──► value
//! format ──► msg, value          capture ──► (nothing: pcap bytes → datagrams)
//! ```
//!
//! - [`value`]: [`value::Oid`], [`value::Value`], [`value::VarBind`].
//! - [`msg`]: every SNMP message and PDU; a direct BER writer (held to rasn-snmp's encoder), a
//!   lenient bounded decoder with a zero-copy view ([`msg::MessageRef`]).
//! - [`usm`]: SNMPv3 security: keys, authentication, privacy, engine time windows, Reports.
//! - [`client`]: the sans-IO request engine (retries, v3 discovery and resynchronisation).
//! - `transport` (feature `tokio`): the tokio UDP driver, [`Client`](crate::client) handles.
//! - [`format`](mod@format): annotated text and JSON renderings of decoded messages.
//! - [`capture`]: SNMP datagrams out of pcap and pcapng files.
//!
//! A round trip:
//!
//! ```
//! use snmpctl::msg::{CommunityMessage, ErrorStatus, GenericPdu, Message, Pdu, PduType, Version};
//! use snmpctl::value::VarBind;
//!
//! let get = Message::Community(CommunityMessage {
//!     version: Version::V2c,
//!     community: b"public".to_vec(),
//!     pdu: Pdu::Generic(GenericPdu {
//!         pdu_type: PduType::GET_REQUEST,
//!         request_id: 42,
//!         error_status: ErrorStatus::NO_ERROR,
//!         error_index: 0,
//!         varbinds: vec![VarBind::null("1.3.6.1.2.1.1.1.0".parse()?)],
//!     }),
//! });
//! let bytes = get.encode()?;
//! assert_eq!(bytes[..2], [0x30, 0x26]); // SEQUENCE of 38 bytes
//! assert_eq!(Message::decode(&bytes)?, get);
//! assert_eq!(get.encode_with_rasn()?, bytes); // rasn-snmp's encoder agrees
//!
//! // Without copying: the OID points into `bytes`.
//! let view = snmpctl::msg::MessageRef::decode(&bytes)?;
//! let name = view.pdu().map(|p| p.varbinds()[0].oid.to_string());
//! assert_eq!(name.as_deref(), Some("1.3.6.1.2.1.1.1.0"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod agent;
pub mod capture;
pub mod client;
#[cfg(feature = "tokio")]
mod error;
#[cfg(feature = "exporter")]
pub mod exporter;
pub mod format;
pub mod hex;
pub mod mib;
pub mod msg;
#[cfg(feature = "tokio")]
pub mod transport;
pub mod trap;
pub mod usm;
pub mod value;

#[cfg(feature = "tokio")]
pub use error::Error;
pub use mib::{IntoOid, Mib};
#[cfg(feature = "tokio")]
pub use transport::{Client, ClientBuilder, Fleet, PartialWalk, Usm, Walker};
pub use usm::{AuthProtocol, PrivProtocol, SecurityLevel};
pub use value::{Oid, Value, VarBind};

/// The README's code, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
