//! SNMP messages: v1 and v2c community messages, v3 messages, every PDU.
//!
//! Two levels, one vocabulary. Sending writes BER directly (`encode`), held byte for byte to
//! rasn-snmp's encoder (`encode_with_rasn`, the reference) by differential tests. Receiving
//! goes through a hand-written, bounded reader that records where the sender departed from the
//! standard ([`Deviation`]) instead of failing, and fails with an offset-carrying [`DecodeError`]
//! only where reading on would be unsafe or meaningless. The reader yields [`MessageRef`], which
//! borrows from the datagram (no allocation but the varbind list); [`Message::decode`] turns that
//! into owned values.
//!
//! Contract: no function here panics on any input.
//!
//! ```
//! use snmpctl::msg::{Message, Pdu, PduType};
//! // A v2c GetRequest for sysDescr.0, as snmpget sends it.
//! let datagram = snmpctl::hex::decode("302602010104067075626c6963a019020101020100020100300e300c06082b060102010101000500")?;
//! let message = Message::decode(&datagram)?;
//! let Message::Community(m) = &message else { unreachable!() };
//! assert_eq!(m.community, b"public");
//! let Pdu::Generic(pdu) = &m.pdu else { unreachable!() };
//! assert_eq!(pdu.pdu_type, PduType::GET_REQUEST);
//! assert_eq!(pdu.varbinds[0].oid.to_string(), "1.3.6.1.2.1.1.1.0");
//! assert_eq!(message.encode()?, datagram);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod ber;
mod decode;
mod encode;
mod error;
mod message;
mod reference;
mod types;
mod view;

#[cfg(feature = "tokio")]
pub(crate) use ber::{Frame, frame_len};
pub(crate) use decode::locate_auth_params;
pub use error::{DecodeError, DecodeErrorKind, Deviation, DeviationKind, EncodeError, OidProblem};
pub use message::{
    BulkPdu, CommunityMessage, Decoded, GenericPdu, HeaderData, Message, Pdu, ScopedPdu, ScopedPduData,
    SecurityParameters, TrapV1Pdu, UsmSecurityParameters, V3Message,
};
pub use types::{ErrorStatus, GenericTrap, MsgFlags, PduType, SecurityModel, Version};
pub use view::{
    BulkPduRef, CommunityMessageRef, DecodedRef, GenericPduRef, MessageRef, PduRef, ScopedPduDataRef,
    ScopedPduRef, SecurityParametersRef, TrapV1PduRef, UsmSecurityParametersRef, V3MessageRef,
};

impl Message {
    /// Decodes one datagram.
    ///
    /// # Errors
    /// [`DecodeError`] with the byte offset, when the datagram is not an SNMP message: truncated
    /// or overlong TLVs, indefinite lengths, a wrong type where the grammar needs another, OID arcs
    /// above 2³²−1, an unknown version, or trailing bytes.
    pub fn decode(data: &[u8]) -> Result<Message, DecodeError> {
        decode::decode_message(data).map(|d| d.message.to_message())
    }

    /// Decodes one datagram, keeping the deviations and the v3 authentication-parameter range.
    ///
    /// # Errors
    /// As [`Message::decode`].
    pub fn decode_detailed(data: &[u8]) -> Result<Decoded, DecodeError> {
        decode::decode_message(data).map(DecodedRef::into_decoded)
    }

    /// Encodes the message as BER.
    ///
    /// # Errors
    /// [`EncodeError`] for values the wire format cannot carry: a request-id outside Integer32,
    /// a [`crate::value::Value::Unknown`] value, an SNMPv1 Trap in a v3 message, and so on.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        encode::encode_message(self)
    }

    /// Encodes the message through rasn-snmp's types and rasn's BER encoder: the reference the
    /// direct writer behind [`Message::encode`] is tested against (same bytes, same refusals),
    /// a few times slower.
    ///
    /// # Errors
    /// As [`Message::encode`].
    pub fn encode_with_rasn(&self) -> Result<Vec<u8>, EncodeError> {
        reference::encode_message(self)
    }
}

impl<'a> MessageRef<'a> {
    /// Decodes one datagram without copying: strings, OIDs and values point into `data`.
    /// The same reader as [`Message::decode`], which is this plus [`MessageRef::to_message`].
    ///
    /// # Errors
    /// As [`Message::decode`].
    pub fn decode(data: &'a [u8]) -> Result<MessageRef<'a>, DecodeError> {
        decode::decode_message(data).map(|d| d.message)
    }

    /// Decodes one datagram without copying, keeping the deviations and the v3
    /// authentication-parameter range.
    ///
    /// # Errors
    /// As [`Message::decode`].
    pub fn decode_detailed(data: &'a [u8]) -> Result<DecodedRef<'a>, DecodeError> {
        decode::decode_message(data)
    }
}

impl<'a> ScopedPduRef<'a> {
    /// Decodes a plaintext `ScopedPDU` without copying. Trailing padding is ignored.
    ///
    /// # Errors
    /// As [`Message::decode`]; offsets count from the start of `data`.
    pub fn decode(data: &'a [u8]) -> Result<(ScopedPduRef<'a>, Vec<Deviation>), DecodeError> {
        decode::decode_scoped_pdu(data)
    }
}

impl ScopedPdu {
    /// Decodes a plaintext `ScopedPDU` (what decryption yields). Trailing padding is ignored.
    ///
    /// # Errors
    /// As [`Message::decode`]; offsets count from the start of `data`.
    pub fn decode(data: &[u8]) -> Result<(ScopedPdu, Vec<Deviation>), DecodeError> {
        decode::decode_scoped_pdu(data).map(|(s, dev)| (s.to_scoped_pdu(), dev))
    }

    /// Encodes the scoped PDU as BER (what encryption takes).
    ///
    /// # Errors
    /// As [`Message::encode`].
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        encode::encode_scoped_pdu(self)
    }

    /// Encodes the scoped PDU through rasn-snmp's types (see [`Message::encode_with_rasn`]).
    ///
    /// # Errors
    /// As [`Message::encode`].
    pub fn encode_with_rasn(&self) -> Result<Vec<u8>, EncodeError> {
        reference::encode_scoped_pdu(self)
    }
}
