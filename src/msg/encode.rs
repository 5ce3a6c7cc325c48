//! The send path: [`Message`] → BER, written directly into one buffer.
//!
//! Every element is written forward with a one-octet length placeholder; when its contents turn
//! out to need the long form, the contents move up by the extra length octets (only ever for
//! the few outer SEQUENCEs of a large message). Output is DER-like, as rasn's BER encoder writes:
//! definite minimal lengths, minimal two's-complement INTEGERs, unsigned types with a leading
//! 00 octet when the high bit is set. `reference.rs` encodes through rasn-snmp's types; the
//! tests require both to produce the same bytes for every fixture and every generated message.

use super::error::EncodeError;
use super::message::*;
use super::types::{PduType, Version};
use crate::value::{Oid, Value, VarBind, tag};

/// The buffer being written.
struct Writer {
    out: Vec<u8>,
}

impl Writer {
    fn with_capacity(capacity: usize) -> Self {
        Writer { out: Vec::with_capacity(capacity) }
    }

    /// A constructed (or any) element whose contents `body` writes.
    #[inline]
    fn tlv(
        &mut self,
        tag: u8,
        body: impl FnOnce(&mut Self) -> Result<(), EncodeError>,
    ) -> Result<(), EncodeError> {
        self.out.push(tag);
        let at = self.out.len();
        self.out.push(0);
        body(self)?;
        let len = self.out.len().saturating_sub(at).saturating_sub(1);
        self.set_length(at, len);
        Ok(())
    }

    /// Fills in the length octet at `at` for `len` contents octets that follow it.
    #[inline]
    fn set_length(&mut self, at: usize, len: usize) {
        match u8::try_from(len) {
            Ok(short) if short < 0x80 => {
                if let Some(slot) = self.out.get_mut(at) {
                    *slot = short;
                }
            }
            _ => self.set_long_length(at, len),
        }
    }

    /// The long form: the contents move up to make room for the length octets.
    #[cold]
    fn set_long_length(&mut self, at: usize, len: usize) {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let long = bytes.get(skip..).unwrap_or(&[]);
        // At most 8 octets, so the count fits the 7 bits of the first length octet.
        let count = u8::try_from(long.len()).unwrap_or(8);
        if let Some(slot) = self.out.get_mut(at) {
            *slot = 0x80 | count;
        }
        let after = at.saturating_add(1);
        let end = self.out.len();
        self.out.resize(end.saturating_add(long.len()), 0);
        self.out.copy_within(after..end, after.saturating_add(long.len()));
        if let Some(slots) = self.out.get_mut(after..after.saturating_add(long.len())) {
            slots.copy_from_slice(long);
        }
    }

    /// A primitive element.
    #[inline]
    fn octets(&mut self, tag: u8, contents: &[u8]) {
        match u8::try_from(contents.len()) {
            Ok(short) if short < 0x80 => {
                self.out.extend_from_slice(&[tag, short]);
                self.out.extend_from_slice(contents);
            }
            _ => {
                self.out.extend_from_slice(&[tag, 0]);
                let at = self.out.len().saturating_sub(1);
                self.out.extend_from_slice(contents);
                self.set_long_length(at, contents.len());
            }
        }
    }

    /// An INTEGER-like element in minimal two's complement.
    #[inline]
    fn integer(&mut self, tag: u8, value: i64) {
        // Significant bits, not counting copies of the sign bit; one more for the sign itself.
        let bits = 64u32.saturating_sub((value ^ (value >> 63)).leading_zeros());
        let len = (bits.saturating_add(8) / 8).clamp(1, 8);
        let bytes = value.to_be_bytes();
        // 1..=8 octets: a short length.
        let short = u8::try_from(len).unwrap_or(8);
        self.out.extend_from_slice(&[tag, short]);
        self.out.extend_from_slice(bytes.get(8usize.saturating_sub(usize::from(short))..).unwrap_or(&[]));
    }

    /// An unsigned type (Counter32, Gauge32, TimeTicks, Counter64): a 00 octet leads when the
    /// high bit would otherwise read as a sign.
    #[inline]
    fn unsigned(&mut self, tag: u8, value: u64) {
        let bytes = value.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count().min(7);
        let body = bytes.get(skip..).unwrap_or(&[]);
        self.out.push(tag);
        if body.first().is_some_and(|b| b & 0x80 != 0) {
            // 1..=8 octets plus the 00: at most 9, a short length.
            self.out.push(u8::try_from(body.len()).unwrap_or(8).saturating_add(1));
            self.out.push(0);
        } else {
            self.out.push(u8::try_from(body.len()).unwrap_or(8));
        }
        self.out.extend_from_slice(body);
    }

    /// An OBJECT IDENTIFIER ([X.690 § 8.19](https://www.itu.int/rec/T-REC-X.690)).
    fn oid(&mut self, tag: u8, oid: &Oid) -> Result<(), EncodeError> {
        if let [only] = oid.arcs() {
            // One arc (`snmpwalk .1`, the usual "walk everything"): Net-SNMP sends the arc as
            // the only sub-identifier (`06 01 01` for `.1`), which agents read as 0.1 and
            // answer a GetNext of with their first object.
            self.out.push(tag);
            let at = self.out.len();
            self.out.push(0);
            self.arc(u64::from(*only));
            let len = self.out.len().saturating_sub(at).saturating_sub(1);
            self.set_length(at, len);
            return Ok(());
        }
        let (first, second, rest) = match oid.arcs() {
            [first @ 0..=1, second @ 0..=39, rest @ ..] | [first @ 2, second, rest @ ..] => {
                (*first, *second, rest)
            }
            _ => {
                return Err(EncodeError::Unsupported(format!(
                    "OID {oid:?} cannot be BER-encoded (needs two arcs, first 0..2)"
                )));
            }
        };
        self.out.push(tag);
        let at = self.out.len();
        self.out.push(0);
        // X·40 + Y can exceed 32 bits when X is 2.
        self.arc(u64::from(first).saturating_mul(40).saturating_add(u64::from(second)));
        if rest.iter().all(|arc| *arc < 0x80) {
            // One octet per arc, the usual case: one reservation, no per-octet capacity check.
            self.out.extend(rest.iter().map(|arc| u8::try_from(*arc).unwrap_or(0)));
        } else {
            self.out.reserve(rest.len().saturating_mul(5));
            for arc in rest {
                self.arc(u64::from(*arc));
            }
        }
        let len = self.out.len().saturating_sub(at).saturating_sub(1);
        self.set_length(at, len);
        Ok(())
    }

    /// One sub-identifier in base 128, most significant group first.
    #[inline]
    fn arc(&mut self, arc: u64) {
        if let Ok(small) = u8::try_from(arc)
            && small < 0x80
        {
            self.out.push(small);
            return;
        }
        // Up to 10 groups of 7 bits, built from the last (no continuation bit) backwards.
        let mut groups = [0u8; 10];
        let mut first = groups.len();
        let mut rest = arc;
        let mut continuation = 0;
        while let Some(slot) = first.checked_sub(1).and_then(|i| groups.get_mut(i)) {
            *slot = u8::try_from(rest & 0x7f).unwrap_or(0) | continuation;
            first = first.saturating_sub(1);
            continuation = 0x80;
            rest >>= 7;
            if rest == 0 {
                break;
            }
        }
        self.out.extend_from_slice(groups.get(first..).unwrap_or(&[]));
    }

    fn varbinds(&mut self, varbinds: &[VarBind], v1_trap: bool) -> Result<(), EncodeError> {
        self.tlv(tag::SEQUENCE, |w| {
            for vb in varbinds {
                w.tlv(tag::SEQUENCE, |w| {
                    w.oid(tag::OBJECT_IDENTIFIER, &vb.oid)?;
                    w.value(&vb.value, v1_trap)
                })?;
            }
            Ok(())
        })
    }

    fn value(&mut self, value: &Value, v1_trap: bool) -> Result<(), EncodeError> {
        match value {
            Value::Integer(i) => self.integer(tag::INTEGER, i64::from(*i)),
            Value::OctetString(b) => self.octets(tag::OCTET_STRING, b),
            Value::Null => self.octets(tag::NULL, &[]),
            Value::ObjectIdentifier(o) => self.oid(tag::OBJECT_IDENTIFIER, o)?,
            Value::IpAddress(a) => self.octets(tag::IP_ADDRESS, a),
            Value::Counter32(v) => self.unsigned(tag::COUNTER32, u64::from(*v)),
            Value::Gauge32(v) => self.unsigned(tag::GAUGE32, u64::from(*v)),
            Value::TimeTicks(v) => self.unsigned(tag::TIMETICKS, u64::from(*v)),
            Value::Opaque(b) => self.octets(tag::OPAQUE, b),
            // RFC 1157's ObjectSyntax has no Counter64 and no exceptions.
            Value::Counter64(_) | Value::NoSuchObject | Value::NoSuchInstance | Value::EndOfMibView
                if v1_trap =>
            {
                return Err(EncodeError::Unsupported(format!(
                    "{} cannot be sent in an SNMPv1 Trap",
                    value.type_name()
                )));
            }
            Value::Counter64(v) => self.unsigned(tag::COUNTER64, *v),
            Value::NoSuchObject => self.octets(tag::NO_SUCH_OBJECT, &[]),
            Value::NoSuchInstance => self.octets(tag::NO_SUCH_INSTANCE, &[]),
            Value::EndOfMibView => self.octets(tag::END_OF_MIB_VIEW, &[]),
            Value::Unknown { tag, .. } => {
                return Err(EncodeError::Unsupported(format!(
                    "value with unknown tag 0x{tag:02x} cannot be encoded"
                )));
            }
        }
        Ok(())
    }

    fn pdu(&mut self, pdu: &Pdu, version: Version) -> Result<(), EncodeError> {
        match pdu {
            Pdu::Generic(p) => {
                if matches!(p.pdu_type, PduType::GET_BULK_REQUEST | PduType::TRAP_V1)
                    || p.pdu_type.name().is_none()
                {
                    return Err(EncodeError::Unsupported(format!(
                        "{} has no common-layout encoding",
                        p.pdu_type.label()
                    )));
                }
                let request_id = i64::from(int32(p.request_id, "request-id")?);
                let error_status = i64::from(uint32(p.error_status.0, "error-status")?);
                let error_index = i64::from(uint32(p.error_index, "error-index")?);
                self.tlv(p.pdu_type.0, |w| {
                    w.integer(tag::INTEGER, request_id);
                    w.integer(tag::INTEGER, error_status);
                    w.integer(tag::INTEGER, error_index);
                    w.varbinds(&p.varbinds, false)
                })
            }
            Pdu::Bulk(p) => {
                let request_id = i64::from(int32(p.request_id, "request-id")?);
                let non_repeaters = i64::from(uint32(p.non_repeaters, "non-repeaters")?);
                let max_repetitions = i64::from(uint32(p.max_repetitions, "max-repetitions")?);
                self.tlv(PduType::GET_BULK_REQUEST.0, |w| {
                    w.integer(tag::INTEGER, request_id);
                    w.integer(tag::INTEGER, non_repeaters);
                    w.integer(tag::INTEGER, max_repetitions);
                    w.varbinds(&p.varbinds, false)
                })
            }
            Pdu::TrapV1(_) if version == Version::V3 => {
                Err(EncodeError::Unsupported("an SNMPv1 Trap cannot travel in SNMPv3".into()))
            }
            Pdu::TrapV1(t) => self.tlv(PduType::TRAP_V1.0, |w| {
                w.oid(tag::OBJECT_IDENTIFIER, &t.enterprise)?;
                w.octets(tag::IP_ADDRESS, &t.agent_addr);
                w.integer(tag::INTEGER, t.generic_trap.0);
                w.integer(tag::INTEGER, t.specific_trap);
                w.unsigned(tag::TIMETICKS, u64::from(t.time_stamp));
                w.varbinds(&t.varbinds, true)
            }),
        }
    }

    fn scoped_pdu(&mut self, s: &ScopedPdu) -> Result<(), EncodeError> {
        self.tlv(tag::SEQUENCE, |w| {
            w.octets(tag::OCTET_STRING, &s.context_engine_id);
            w.octets(tag::OCTET_STRING, &s.context_name);
            w.pdu(&s.pdu, Version::V3)
        })
    }
}

/// A bound on the encoded size, so the buffer is allocated once in the usual case.
fn capacity(varbinds: &[VarBind]) -> usize {
    let values: usize = varbinds
        .iter()
        .map(|vb| match &vb.value {
            Value::OctetString(b) | Value::Opaque(b) => b.len().saturating_add(8),
            Value::ObjectIdentifier(o) => o.len().saturating_mul(5).saturating_add(8),
            _ => 16,
        })
        .fold(0usize, usize::saturating_add);
    let names: usize = varbinds
        .iter()
        .map(|vb| vb.oid.len().saturating_mul(2).saturating_add(12))
        .fold(0, usize::saturating_add);
    values.saturating_add(names).saturating_add(160)
}

pub(crate) fn encode_message(message: &Message) -> Result<Vec<u8>, EncodeError> {
    let varbinds = message.pdu().map(Pdu::varbinds).unwrap_or(&[]);
    let extra = match message {
        Message::Community(m) => m.community.len(),
        Message::V3(m) => match &m.data {
            ScopedPduData::Encrypted(e) => e.len().saturating_add(64),
            ScopedPduData::Plaintext(s) => {
                s.context_engine_id.len().saturating_add(s.context_name.len()).saturating_add(64)
            }
        },
    };
    let mut w = Writer::with_capacity(capacity(varbinds).saturating_add(extra));
    match message {
        Message::Community(m) => {
            let version = community_version(m.version)?;
            w.tlv(tag::SEQUENCE, |w| {
                w.integer(tag::INTEGER, version);
                w.octets(tag::OCTET_STRING, &m.community);
                w.pdu(&m.pdu, m.version)
            })?;
        }
        Message::V3(m) => w.tlv(tag::SEQUENCE, |w| {
            w.integer(tag::INTEGER, Version::V3.wire());
            w.tlv(tag::SEQUENCE, |w| {
                w.integer(tag::INTEGER, m.header.msg_id);
                w.integer(tag::INTEGER, m.header.msg_max_size);
                w.octets(tag::OCTET_STRING, &[m.header.msg_flags.0]);
                w.integer(tag::INTEGER, m.header.security_model.0);
                Ok(())
            })?;
            match &m.security {
                SecurityParameters::Usm(usm) => w.tlv(tag::OCTET_STRING, |w| {
                    w.tlv(tag::SEQUENCE, |w| {
                        w.octets(tag::OCTET_STRING, &usm.engine_id);
                        w.integer(tag::INTEGER, usm.engine_boots);
                        w.integer(tag::INTEGER, usm.engine_time);
                        w.octets(tag::OCTET_STRING, &usm.user_name);
                        w.octets(tag::OCTET_STRING, &usm.auth_params);
                        w.octets(tag::OCTET_STRING, &usm.priv_params);
                        Ok(())
                    })
                })?,
                SecurityParameters::Other(raw) => w.octets(tag::OCTET_STRING, raw),
            }
            match &m.data {
                ScopedPduData::Plaintext(s) => w.scoped_pdu(s),
                ScopedPduData::Encrypted(e) => {
                    w.octets(tag::OCTET_STRING, e);
                    Ok(())
                }
            }
        })?,
    }
    Ok(w.out)
}

pub(crate) fn encode_scoped_pdu(scoped: &ScopedPdu) -> Result<Vec<u8>, EncodeError> {
    let mut w = Writer::with_capacity(capacity(scoped.pdu.varbinds()).saturating_add(64));
    w.scoped_pdu(scoped)?;
    Ok(w.out)
}

/// The msgVersion of a community message (v1 or v2c); shared with the reference encoder.
pub(super) fn community_version(version: Version) -> Result<i64, EncodeError> {
    match version {
        Version::V1 | Version::V2c => Ok(version.wire()),
        Version::V3 => Err(EncodeError::Unsupported("a community message cannot be SNMPv3".into())),
    }
}

/// A field typed `Integer32` on the wire (request-id).
pub(super) fn int32(v: i64, what: &'static str) -> Result<i32, EncodeError> {
    i32::try_from(v).map_err(|_| EncodeError::OutOfRange { what, value: v, range: "-2147483648..2147483647" })
}

/// A field that is a non-negative 32-bit INTEGER in rasn-snmp's types (error-status, error-index,
/// non-repeaters, max-repetitions).
pub(super) fn uint32(v: i64, what: &'static str) -> Result<u32, EncodeError> {
    u32::try_from(v).map_err(|_| EncodeError::OutOfRange { what, value: v, range: "0..4294967295" })
}
