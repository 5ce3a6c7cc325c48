//! The receive path: datagram → [`DecodedRef`] (borrowing from the datagram), lenient where real
//! agents deviate, strict where safety needs it. The owned [`super::Decoded`] is made from it.

use super::ber::{Reader, Tlv, check_oid, integer_i64, parse_int};
use super::error::{DecodeError, DecodeErrorKind as K, Deviation, DeviationKind as D};
use super::message::HeaderData;
use super::types::{ErrorStatus, GenericTrap, MsgFlags, PduType, SecurityModel, Version};
use super::view::*;
use crate::value::{OidRef, Value, ValueRef, VarBindRef, tag};

/// Decoding state: the deviations seen so far and the message version (for version checks).
struct Ctx {
    dev: Vec<Deviation>,
    version: Version,
}

impl Ctx {
    fn note(&mut self, offset: usize, kind: D) {
        self.dev.push(Deviation { offset, kind });
    }
}

/// Decodes one datagram.
pub(crate) fn decode_message(data: &[u8]) -> Result<DecodedRef<'_>, DecodeError> {
    let mut ctx = Ctx { dev: Vec::new(), version: Version::V1 };
    let mut outer = Reader::new(data, 0);
    let seq = outer.expect(tag::SEQUENCE, "message SEQUENCE", &mut ctx.dev)?;
    // RFC 3417 § 8: a datagram holds exactly one message.
    outer.finish("message")?;
    let mut r = outer.enter(&seq);
    let version_tlv = r.expect(tag::INTEGER, "msgVersion", &mut ctx.dev)?;
    let wire = integer_i64(&version_tlv, "msgVersion", &mut ctx.dev)?;
    let version = Version::from_wire(wire)
        .ok_or_else(|| DecodeError::new(version_tlv.offset, K::UnsupportedVersion(wire)))?;
    ctx.version = version;
    let mut auth_params_range = None;
    let message = match version {
        Version::V1 | Version::V2c => {
            let community = r.expect(tag::OCTET_STRING, "community", &mut ctx.dev)?.content;
            let pdu = read_pdu(&mut r, &mut ctx)?;
            r.finish("PDU")?;
            MessageRef::Community(CommunityMessageRef { version, community, pdu })
        }
        Version::V3 => {
            let (m, range) = read_v3(&mut r, &mut ctx)?;
            auth_params_range = range;
            MessageRef::V3(m)
        }
    };
    Ok(DecodedRef { message, deviations: ctx.dev, auth_params_range })
}

/// Decodes a plaintext scoped PDU on its own (as produced by decryption).
///
/// Trailing bytes are ignored: block ciphers pad the plaintext (RFC 3414 § 8.1.1.3).
pub(crate) fn decode_scoped_pdu(data: &[u8]) -> Result<(ScopedPduRef<'_>, Vec<Deviation>), DecodeError> {
    let mut ctx = Ctx { dev: Vec::new(), version: Version::V3 };
    let mut r = Reader::new(data, 0);
    let tlv = r.expect(tag::SEQUENCE, "ScopedPDU", &mut ctx.dev)?;
    let scoped = read_scoped_pdu(&mut r.enter(&tlv), &mut ctx)?;
    Ok((scoped, ctx.dev))
}

/// The byte range of msgAuthenticationParameters in an encoded USM message, found by walking
/// only the outer headers (for filling in the MAC after encoding).
pub(crate) fn locate_auth_params(data: &[u8]) -> Option<core::ops::Range<usize>> {
    let mut dev = Vec::new();
    let mut outer = Reader::new(data, 0);
    let seq = outer.expect(tag::SEQUENCE, "message SEQUENCE", &mut dev).ok()?;
    let mut r = outer.enter(&seq);
    r.expect(tag::INTEGER, "msgVersion", &mut dev).ok()?;
    r.expect(tag::SEQUENCE, "msgGlobalData", &mut dev).ok()?;
    let sp = r.expect(tag::OCTET_STRING, "msgSecurityParameters", &mut dev).ok()?;
    let mut spr = r.enter(&sp);
    let usm = spr.expect(tag::SEQUENCE, "UsmSecurityParameters", &mut dev).ok()?;
    let mut u = spr.enter(&usm);
    u.expect(tag::OCTET_STRING, "msgAuthoritativeEngineID", &mut dev).ok()?;
    u.expect(tag::INTEGER, "msgAuthoritativeEngineBoots", &mut dev).ok()?;
    u.expect(tag::INTEGER, "msgAuthoritativeEngineTime", &mut dev).ok()?;
    u.expect(tag::OCTET_STRING, "msgUserName", &mut dev).ok()?;
    let auth = u.expect(tag::OCTET_STRING, "msgAuthenticationParameters", &mut dev).ok()?;
    Some(auth.content_offset..auth.content_offset.saturating_add(auth.content.len()))
}

fn read_v3<'a>(
    r: &mut Reader<'a>,
    ctx: &mut Ctx,
) -> Result<(V3MessageRef<'a>, Option<core::ops::Range<usize>>), DecodeError> {
    let header_tlv = r.expect(tag::SEQUENCE, "msgGlobalData", &mut ctx.dev)?;
    let mut h = r.enter(&header_tlv);
    let msg_id = bounded(&mut h, ctx, "msgID", 0, "0..2147483647")?;
    let msg_max_size = bounded(&mut h, ctx, "msgMaxSize", 484, "484..2147483647")?;
    let flags_tlv = h.expect(tag::OCTET_STRING, "msgFlags", &mut ctx.dev)?;
    if flags_tlv.content.len() != 1 {
        ctx.note(flags_tlv.offset, D::MsgFlagsLength { len: flags_tlv.content.len() });
    }
    let msg_flags = MsgFlags(flags_tlv.content.first().copied().unwrap_or(0));
    if msg_flags.privacy() && !msg_flags.auth() {
        ctx.note(flags_tlv.offset, D::PrivWithoutAuth(msg_flags.0));
    }
    let security_model = SecurityModel(bounded(&mut h, ctx, "msgSecurityModel", 1, "1..2147483647")?);
    h.finish("msgGlobalData")?;
    let header = HeaderData { msg_id, msg_max_size, msg_flags, security_model };

    let sp = r.expect(tag::OCTET_STRING, "msgSecurityParameters", &mut ctx.dev)?;
    let mut auth_range = None;
    let security = if security_model == SecurityModel::USM {
        let (usm, range) = read_usm(r.enter(&sp), ctx)?;
        auth_range = Some(range);
        SecurityParametersRef::Usm(usm)
    } else {
        SecurityParametersRef::Other(sp.content)
    };

    let data_tlv = r.read("msgData", &mut ctx.dev)?;
    let data = match data_tlv.tag {
        tag::SEQUENCE => {
            if msg_flags.privacy() {
                ctx.note(data_tlv.offset, D::PrivacyMismatch { flag: true, form: "plaintext" });
            }
            ScopedPduDataRef::Plaintext(read_scoped_pdu(&mut r.enter(&data_tlv), ctx)?)
        }
        tag::OCTET_STRING => {
            if !msg_flags.privacy() {
                ctx.note(data_tlv.offset, D::PrivacyMismatch { flag: false, form: "encrypted" });
            }
            ScopedPduDataRef::Encrypted(data_tlv.content)
        }
        found => {
            return Err(DecodeError::new(
                data_tlv.offset,
                K::UnexpectedTag {
                    what: "msgData (ScopedPDU or encryptedPDU)",
                    expected: tag::SEQUENCE,
                    found,
                },
            ));
        }
    };
    r.finish("msgData")?;
    Ok((V3MessageRef { header, security, data }, auth_range))
}

/// An INTEGER with a lower bound and Integer32's upper bound; outside is recorded, not fatal.
fn bounded(
    r: &mut Reader<'_>,
    ctx: &mut Ctx,
    what: &'static str,
    min: i64,
    range: &'static str,
) -> Result<i64, DecodeError> {
    let offset = r.offset();
    let value = r.integer(what, &mut ctx.dev)?;
    if value < min || value > i64::from(i32::MAX) {
        ctx.note(offset, D::OutOfRange { what, value, range });
    }
    Ok(value)
}

fn read_usm<'a>(
    mut outer: Reader<'a>,
    ctx: &mut Ctx,
) -> Result<(UsmSecurityParametersRef<'a>, core::ops::Range<usize>), DecodeError> {
    let seq = outer.expect(tag::SEQUENCE, "UsmSecurityParameters", &mut ctx.dev)?;
    if !outer.is_empty() {
        ctx.note(outer.offset(), D::Trailing { what: "UsmSecurityParameters", count: outer.remaining() });
    }
    let mut r = outer.enter(&seq);
    let engine_id = r.expect(tag::OCTET_STRING, "msgAuthoritativeEngineID", &mut ctx.dev)?.content;
    let engine_boots = bounded(&mut r, ctx, "msgAuthoritativeEngineBoots", 0, "0..2147483647")?;
    let engine_time = bounded(&mut r, ctx, "msgAuthoritativeEngineTime", 0, "0..2147483647")?;
    let user_name = r.expect(tag::OCTET_STRING, "msgUserName", &mut ctx.dev)?.content;
    let auth = r.expect(tag::OCTET_STRING, "msgAuthenticationParameters", &mut ctx.dev)?;
    let auth_range = auth.content_offset..auth.content_offset.saturating_add(auth.content.len());
    let priv_params = r.expect(tag::OCTET_STRING, "msgPrivacyParameters", &mut ctx.dev)?.content;
    r.finish("UsmSecurityParameters")?;
    let usm = UsmSecurityParametersRef {
        engine_id,
        engine_boots,
        engine_time,
        user_name,
        auth_params: auth.content,
        priv_params,
    };
    Ok((usm, auth_range))
}

fn read_scoped_pdu<'a>(r: &mut Reader<'a>, ctx: &mut Ctx) -> Result<ScopedPduRef<'a>, DecodeError> {
    let context_engine_id = r.expect(tag::OCTET_STRING, "contextEngineID", &mut ctx.dev)?.content;
    let context_name = r.expect(tag::OCTET_STRING, "contextName", &mut ctx.dev)?.content;
    let pdu = read_pdu(r, ctx)?;
    r.finish("ScopedPDU")?;
    Ok(ScopedPduRef { context_engine_id, context_name, pdu })
}

fn read_pdu<'a>(r: &mut Reader<'a>, ctx: &mut Ctx) -> Result<PduRef<'a>, DecodeError> {
    let tlv = r.read("PDU", &mut ctx.dev)?;
    // PDUs are context-specific, constructed: 0xa0 | number.
    if tlv.tag & 0xe0 != 0xa0 {
        return Err(DecodeError::new(tlv.offset, K::UnknownPdu(tlv.tag)));
    }
    let pdu_type = PduType(tlv.tag);
    let name = pdu_type.name();
    let v1_only = pdu_type == PduType::TRAP_V1;
    let v2_only = matches!(
        pdu_type,
        PduType::GET_BULK_REQUEST | PduType::INFORM_REQUEST | PduType::TRAP_V2 | PduType::REPORT
    );
    match (ctx.version, name) {
        (_, None) => ctx.note(tlv.offset, D::UnknownPduTag(tlv.tag)),
        (Version::V1, Some(pdu)) if v2_only => {
            ctx.note(tlv.offset, D::PduNotInVersion { pdu, version: "SNMPv1" })
        }
        (Version::V2c, Some(pdu)) if v1_only => {
            ctx.note(tlv.offset, D::PduNotInVersion { pdu, version: "SNMPv2c" })
        }
        (Version::V3, Some(pdu)) if v1_only => {
            ctx.note(tlv.offset, D::PduNotInVersion { pdu, version: "SNMPv3" })
        }
        _ => {}
    }
    let mut p = r.enter(&tlv);
    let pdu = match pdu_type {
        PduType::TRAP_V1 => PduRef::TrapV1(read_trap_v1(&mut p, ctx)?),
        PduType::GET_BULK_REQUEST => {
            let request_id = request_id(&mut p, ctx)?;
            let non_repeaters = non_negative(&mut p, ctx, "non-repeaters")?;
            let max_repetitions = non_negative(&mut p, ctx, "max-repetitions")?;
            let varbinds = read_varbinds(&mut p, ctx)?;
            PduRef::Bulk(BulkPduRef { request_id, non_repeaters, max_repetitions, varbinds })
        }
        _ => {
            let request_id = request_id(&mut p, ctx)?;
            let error_status = ErrorStatus(non_negative(&mut p, ctx, "error-status")?);
            let error_index = non_negative(&mut p, ctx, "error-index")?;
            let varbinds = read_varbinds(&mut p, ctx)?;
            PduRef::Generic(GenericPduRef { pdu_type, request_id, error_status, error_index, varbinds })
        }
    };
    p.finish("variable-bindings")?;
    Ok(pdu)
}

fn request_id(r: &mut Reader<'_>, ctx: &mut Ctx) -> Result<i64, DecodeError> {
    let offset = r.offset();
    let value = r.integer("request-id", &mut ctx.dev)?;
    if i32::try_from(value).is_err() {
        ctx.note(
            offset,
            D::OutOfRange { what: "request-id", value, range: "Integer32 (-2147483648..2147483647)" },
        );
    }
    Ok(value)
}

fn non_negative(r: &mut Reader<'_>, ctx: &mut Ctx, what: &'static str) -> Result<i64, DecodeError> {
    bounded(r, ctx, what, 0, "0..2147483647")
}

fn read_trap_v1<'a>(r: &mut Reader<'a>, ctx: &mut Ctx) -> Result<TrapV1PduRef<'a>, DecodeError> {
    let e = r.expect(tag::OBJECT_IDENTIFIER, "enterprise", &mut ctx.dev)?;
    let enterprise = name_oid(&e, "enterprise", ctx)?;
    let addr = r.read("agent-addr", &mut ctx.dev)?;
    if addr.tag != tag::IP_ADDRESS {
        return Err(DecodeError::new(
            addr.offset,
            K::UnexpectedTag { what: "agent-addr", expected: tag::IP_ADDRESS, found: addr.tag },
        ));
    }
    let agent_addr = match <[u8; 4]>::try_from(addr.content) {
        Ok(a) => a,
        Err(_) => {
            ctx.note(addr.offset, D::IpAddressLength { what: "agent-addr", len: addr.content.len() });
            let mut a = [0u8; 4];
            a.iter_mut().zip(addr.content).for_each(|(d, s)| *d = *s);
            a
        }
    };
    let generic_trap = GenericTrap(non_negative(r, ctx, "generic-trap")?);
    let specific_trap = r.integer("specific-trap", &mut ctx.dev)?;
    let ts = r.read("time-stamp", &mut ctx.dev)?;
    if ts.tag != tag::TIMETICKS {
        return Err(DecodeError::new(
            ts.offset,
            K::UnexpectedTag { what: "time-stamp", expected: tag::TIMETICKS, found: ts.tag },
        ));
    }
    let time_stamp = match unsigned(&ts, "time-stamp", 32, ctx) {
        Some(v) => u32::try_from(v).unwrap_or(u32::MAX),
        None => {
            return Err(DecodeError::new(ts.offset, K::IntegerOverflow { what: "time-stamp", bits: 32 }));
        }
    };
    let varbinds = read_varbinds(r, ctx)?;
    Ok(TrapV1PduRef { enterprise, agent_addr, generic_trap, specific_trap, time_stamp, varbinds })
}

#[inline]
fn name_oid<'a>(tlv: &Tlv<'a>, what: &'static str, ctx: &mut Ctx) -> Result<OidRef<'a>, DecodeError> {
    let (oid, non_minimal) = check_oid(tlv.content)
        .map_err(|problem| DecodeError::new(tlv.offset, K::BadOid { what, problem }))?;
    if non_minimal {
        ctx.note(tlv.offset, D::NonMinimalOid { what });
    }
    Ok(oid)
}

fn read_varbinds<'a>(r: &mut Reader<'a>, ctx: &mut Ctx) -> Result<Vec<VarBindRef<'a>>, DecodeError> {
    let list = r.expect(tag::SEQUENCE, "variable-bindings", &mut ctx.dev)?;
    let mut l = r.enter(&list);
    // Each varbind takes at least 4 bytes (30 xx 06 xx); cap the reservation by that.
    let mut out = Vec::with_capacity((list.content.len() / 12).min(64));
    while !l.is_empty() {
        if let Some((vb, used)) = plain_varbind(l.rest(), ctx.version) {
            #[cfg(fuzzing)]
            {
                // The fast path must read exactly what the general one reads.
                let mut check = Ctx { dev: Vec::new(), version: ctx.version };
                let mut r = Reader::new(l.rest().get(..used).unwrap_or(&[]), 0);
                let slow = read_varbind(&mut r, &mut check).ok();
                assert_eq!(slow, Some(vb), "fast and general varbind readers differ");
                assert!(check.dev.is_empty() && r.is_empty(), "the fast path took a deviating varbind");
            }
            l.skip(used);
            out.push(vb);
            continue;
        }
        out.push(read_varbind(&mut l, ctx)?);
    }
    Ok(out)
}

/// The fast path for the usual varbind: short lengths throughout, a minimal OID, and a value of
/// a common type with nothing to record. `None` sends the varbind to [`read_varbind`], which
/// handles everything (and is what this must agree with: the fuzz target checks it).
#[inline]
fn plain_varbind(data: &[u8], version: Version) -> Option<(VarBindRef<'_>, usize)> {
    let [0x30, len, 0x06, name_len, rest @ ..] = data else { return None };
    let (len, name_len) = (usize::from(*len), usize::from(*name_len));
    if len >= 0x80 || name_len >= 0x80 {
        return None;
    }
    let (name, rest) = rest.split_at_checked(name_len)?;
    let [value_tag, value_len, rest @ ..] = rest else { return None };
    let value_len = usize::from(*value_len);
    if value_len >= 0x80 || len != name_len.checked_add(value_len)?.checked_add(4)? {
        return None;
    }
    let contents = rest.get(..value_len)?;
    let (oid, non_minimal) = check_oid(name).ok()?;
    if non_minimal {
        return None;
    }
    let value = match *value_tag {
        tag::OCTET_STRING => ValueRef::OctetString(contents),
        tag::OPAQUE => ValueRef::Opaque(contents),
        tag::NULL if value_len == 0 => ValueRef::Null,
        tag::INTEGER => ValueRef::Integer(i32::try_from(plain_integer(contents, 4)?).ok()?),
        tag::COUNTER32 => ValueRef::Counter32(plain_unsigned(contents, 4)?.try_into().ok()?),
        tag::GAUGE32 => ValueRef::Gauge32(plain_unsigned(contents, 4)?.try_into().ok()?),
        tag::TIMETICKS => ValueRef::TimeTicks(plain_unsigned(contents, 4)?.try_into().ok()?),
        tag::IP_ADDRESS => ValueRef::IpAddress(contents.try_into().ok()?),
        tag::OBJECT_IDENTIFIER => match check_oid(contents).ok()? {
            (oid, false) => ValueRef::ObjectIdentifier(oid),
            (_, true) => return None,
        },
        // SNMPv1 has neither; the general path records them.
        _ if version == Version::V1 => return None,
        tag::COUNTER64 => ValueRef::Counter64(plain_unsigned(contents, 8)?),
        tag::NO_SUCH_OBJECT if value_len == 0 => ValueRef::NoSuchObject,
        tag::NO_SUCH_INSTANCE if value_len == 0 => ValueRef::NoSuchInstance,
        tag::END_OF_MIB_VIEW if value_len == 0 => ValueRef::EndOfMibView,
        _ => return None,
    };
    Some((VarBindRef { oid, value }, len.checked_add(2)?))
}

/// A minimal two's-complement INTEGER of at most `octets` octets.
#[inline]
fn plain_integer(contents: &[u8], octets: usize) -> Option<i64> {
    let int = super::ber::parse_int(contents)?;
    if int.non_minimal || contents.len() > octets {
        return None;
    }
    i64::try_from(int.value).ok()
}

/// A minimal, non-negative value of at most `octets` octets (plus the 00 a set high bit needs).
#[inline]
fn plain_unsigned(contents: &[u8], octets: usize) -> Option<u64> {
    let body = match contents {
        [0x00, second, ..] if second & 0x80 != 0 => contents.get(1..)?,
        [first, ..] if first & 0x80 == 0 && (contents.len() == 1 || *first != 0) => contents,
        _ => return None,
    };
    if body.len() > octets {
        return None;
    }
    Some(body.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
}

/// One varbind, the general way: any length form, deviations recorded.
fn read_varbind<'a>(l: &mut Reader<'a>, ctx: &mut Ctx) -> Result<VarBindRef<'a>, DecodeError> {
    {
        let vb = l.expect(tag::SEQUENCE, "VarBind", &mut ctx.dev)?;
        let mut v = l.enter(&vb);
        let name = v.expect(tag::OBJECT_IDENTIFIER, "VarBind name", &mut ctx.dev)?;
        let oid = name_oid(&name, "VarBind name", ctx)?;
        let value_tlv = v.read("VarBind value", &mut ctx.dev)?;
        if !v.is_empty() {
            ctx.note(v.offset(), D::VarBindTrailing { count: v.remaining() });
        }
        let value = read_value(&value_tlv, ctx);
        Ok(VarBindRef { oid, value })
    }
}

/// Reads a varbind value. Never fails: what cannot be read becomes [`ValueRef::Unknown`] and a
/// deviation, so one bad varbind does not cost the others.
#[inline]
fn read_value<'a>(tlv: &Tlv<'a>, ctx: &mut Ctx) -> ValueRef<'a> {
    let raw = ValueRef::Unknown { tag: tlv.tag, bytes: tlv.content };
    let value = match tlv.tag {
        tag::INTEGER => match parse_int(tlv.content) {
            Some(int) => {
                if int.non_minimal {
                    ctx.note(tlv.offset, D::NonMinimalInteger { what: "Integer32" });
                }
                match i32::try_from(int.value) {
                    Ok(v) => ValueRef::Integer(v),
                    Err(_) => {
                        let problem = format!("{} is outside Integer32", int.value);
                        ctx.note(tlv.offset, D::UnreadableValue { type_name: "Integer32", problem });
                        raw
                    }
                }
            }
            None => unreadable(tlv, ctx, "Integer32", "no contents or over 16 octets", raw),
        },
        tag::OCTET_STRING => ValueRef::OctetString(tlv.content),
        tag::NULL => {
            null_payload(tlv, ctx, "NULL");
            ValueRef::Null
        }
        tag::OBJECT_IDENTIFIER => match check_oid(tlv.content) {
            Ok((oid, non_minimal)) => {
                if non_minimal {
                    ctx.note(tlv.offset, D::NonMinimalOid { what: "OBJECT IDENTIFIER value" });
                }
                ValueRef::ObjectIdentifier(oid)
            }
            Err(super::error::OidProblem::Empty) => {
                ctx.note(tlv.offset, D::EmptyOid);
                ValueRef::ObjectIdentifier(OidRef::new_unchecked(&[]))
            }
            Err(problem) => {
                let problem = problem.to_string();
                unreadable(tlv, ctx, "OBJECT IDENTIFIER", &problem, raw)
            }
        },
        tag::IP_ADDRESS => match <[u8; 4]>::try_from(tlv.content) {
            Ok(a) => ValueRef::IpAddress(a),
            Err(_) => {
                ctx.note(tlv.offset, D::IpAddressLength { what: "IpAddress value", len: tlv.content.len() });
                raw
            }
        },
        tag::COUNTER32 | tag::GAUGE32 | tag::TIMETICKS => {
            let name = match tlv.tag {
                tag::COUNTER32 => "Counter32",
                tag::GAUGE32 => "Gauge32",
                _ => "TimeTicks",
            };
            match unsigned(tlv, name, 32, ctx).and_then(|v| u32::try_from(v).ok()) {
                Some(v) if tlv.tag == tag::COUNTER32 => ValueRef::Counter32(v),
                Some(v) if tlv.tag == tag::GAUGE32 => ValueRef::Gauge32(v),
                Some(v) => ValueRef::TimeTicks(v),
                None => unreadable(tlv, ctx, name, "no contents or over 16 octets", raw),
            }
        }
        tag::COUNTER64 => match unsigned(tlv, "Counter64", 64, ctx) {
            Some(v) => ValueRef::Counter64(v),
            None => unreadable(tlv, ctx, "Counter64", "no contents or over 16 octets", raw),
        },
        tag::OPAQUE => ValueRef::Opaque(tlv.content),
        tag::NO_SUCH_OBJECT => {
            null_payload(tlv, ctx, "noSuchObject");
            ValueRef::NoSuchObject
        }
        tag::NO_SUCH_INSTANCE => {
            null_payload(tlv, ctx, "noSuchInstance");
            ValueRef::NoSuchInstance
        }
        tag::END_OF_MIB_VIEW => {
            null_payload(tlv, ctx, "endOfMibView");
            ValueRef::EndOfMibView
        }
        other => {
            ctx.note(tlv.offset, D::UnknownValueTag { tag: other });
            raw
        }
    };
    if ctx.version == Version::V1 && (value.is_exception() || matches!(value, ValueRef::Counter64(_))) {
        let type_name = Value::tag_name(value.tag()).unwrap_or("Unknown");
        ctx.note(tlv.offset, D::TypeNotInV1 { type_name });
    }
    value
}

fn unreadable<'a>(
    tlv: &Tlv<'_>,
    ctx: &mut Ctx,
    type_name: &'static str,
    problem: &str,
    raw: ValueRef<'a>,
) -> ValueRef<'a> {
    ctx.note(tlv.offset, D::UnreadableValue { type_name, problem: problem.to_owned() });
    raw
}

fn null_payload(tlv: &Tlv<'_>, ctx: &mut Ctx, type_name: &'static str) {
    if !tlv.content.is_empty() {
        ctx.note(tlv.offset, D::NullWithPayload { type_name, len: tlv.content.len() });
    }
}

/// An unsigned value of `bits` bits. Negative numbers and wider values keep their low bits,
/// as Net-SNMP reads them, and are recorded. `None` for no contents or more than 16 octets.
#[inline]
fn unsigned(tlv: &Tlv<'_>, what: &'static str, bits: u32, ctx: &mut Ctx) -> Option<u64> {
    let int = parse_int(tlv.content)?;
    let mask: u128 = if bits >= 64 { u128::from(u64::MAX) } else { u128::from(u32::MAX) };
    // Two's-complement reinterpretation of the low bits is the documented intent here.
    #[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
    let low = ((int.value as u128) & mask) as u64;
    // A value that is exactly one octet longer than needed because of a leading 00 before a set
    // high bit is minimal; anything else redundant is not.
    if int.non_minimal {
        ctx.note(tlv.offset, D::NonMinimalInteger { what });
    }
    if int.value < 0 {
        ctx.note(tlv.offset, D::NegativeUnsigned { what, value: int.value, read: low });
    } else if u128::try_from(int.value).is_ok_and(|v| v > mask) {
        ctx.note(tlv.offset, D::UnsignedOverflow { what, value: int.value, bits, read: low });
    }
    Some(low)
}
