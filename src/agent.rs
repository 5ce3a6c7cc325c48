//! A scriptable SNMPv1/v2c agent: a MIB view in memory plus the faults real agents have.
//!
//! [`Responder`] is sans-IO: [`Responder::handle`] takes a request datagram and returns the
//! replies to send, each with a delay. [`serve`] (feature `tokio`) runs it on a UDP socket.
//! The faults ([`Faults`]) are what `snmpd` will not do on request: drop, delay and
//! duplicate responses, answer with a wrong request-id, return OIDs that do not increase,
//! refuse large responses with tooBig, and, as an SNMPv1 agent must, end a walk with
//! noSuchName. The tests drive snmpctl and Net-SNMP's tools against it side by side.

use crate::msg::{BulkPdu, CommunityMessage, ErrorStatus, GenericPdu, Message, Pdu, PduType, Version};
use crate::value::{Oid, Value, VarBind};
use std::collections::BTreeMap;
use std::ops::Bound;
use std::time::Duration;

/// What the agent does wrong, on purpose.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Ignore the first N requests (a lost request or response).
    pub drop_first: u32,
    /// Ignore every Nth request (1-based count; 0 = never).
    pub drop_every: u32,
    /// Ignore every request after the first N (the agent goes away mid-walk).
    pub drop_after: Option<u64>,
    /// Wait this long before each response.
    pub delay: Duration,
    /// Send every response twice.
    pub duplicate: bool,
    /// Send a response with a wrong request-id before the right one.
    pub wrong_request_id_first: bool,
    /// GetNext / GetBulk from this OID returns `.1` (going back to the second OID) instead
    /// of the true successor: `(from, back_to)`.
    pub jump_back: Option<(Oid, Oid)>,
    /// Answer tooBig when a response would carry more than this many varbinds.
    pub too_big_over: Option<usize>,
    /// Answer GetBulk with at most this many repetitions (an agent that truncates).
    pub bulk_cap: Option<usize>,
    /// Answer every request with this error status (and error-index 1).
    pub error_status: Option<ErrorStatus>,
}

/// The varbinds of an answer, or an error-status and the index of the varbind it names.
type Answer = Result<Vec<VarBind>, (ErrorStatus, usize)>;

/// One reply: the bytes and how long to wait before sending them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The datagram.
    pub bytes: Vec<u8>,
    /// Wait before sending.
    pub delay: Duration,
}

/// The agent's state: its objects, community strings and faults.
#[derive(Debug, Clone)]
pub struct Responder {
    objects: BTreeMap<Oid, Value>,
    /// Community with read access.
    pub read_community: Vec<u8>,
    /// Community with write access (Set).
    pub write_community: Vec<u8>,
    /// The faults in force.
    pub faults: Faults,
    requests: u64,
}

impl Responder {
    /// An agent serving `objects`, with communities `public` (read) and `private` (write).
    pub fn new(objects: impl IntoIterator<Item = (Oid, Value)>) -> Responder {
        Responder {
            objects: objects.into_iter().collect(),
            read_community: b"public".to_vec(),
            write_community: b"private".to_vec(),
            faults: Faults::default(),
            requests: 0,
        }
    }

    /// Requests seen so far (dropped ones included).
    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// The value of an object.
    pub fn value(&self, oid: &Oid) -> Option<&Value> {
        self.objects.get(oid)
    }

    /// Handles one datagram; returns what to send back (nothing for garbage, a wrong
    /// community or a dropped request).
    pub fn handle(&mut self, datagram: &[u8]) -> Vec<Reply> {
        let Ok(Message::Community(msg)) = Message::decode(datagram) else { return Vec::new() };
        self.requests = self.requests.saturating_add(1);
        let f = &self.faults;
        if u64::from(f.drop_first) >= self.requests
            || (f.drop_every > 0 && self.requests.is_multiple_of(u64::from(f.drop_every)))
            || f.drop_after.is_some_and(|n| self.requests > n)
        {
            return Vec::new();
        }
        let write = msg.community == self.write_community;
        if !write && msg.community != self.read_community {
            return Vec::new();
        }
        let Some(mut response) = self.answer(msg.version, &msg.pdu, write) else { return Vec::new() };
        let encode = |pdu: GenericPdu| {
            Message::Community(CommunityMessage {
                version: msg.version,
                community: msg.community.clone(),
                pdu: Pdu::Generic(pdu),
            })
            .encode()
            .ok()
        };
        if let Some(status) = self.faults.error_status {
            response.error_status = status;
            response.error_index = 1;
        }
        let delay = self.faults.delay;
        let mut replies = Vec::new();
        if self.faults.wrong_request_id_first {
            let mut wrong = response.clone();
            wrong.request_id = wrong.request_id.wrapping_add(1) & 0x7FFF_FFFF;
            wrong.varbinds.iter_mut().for_each(|vb| vb.value = Value::OctetString(b"WRONG".to_vec()));
            replies.extend(encode(wrong).map(|bytes| Reply { bytes, delay }));
        }
        if let Some(bytes) = encode(response) {
            if self.faults.duplicate {
                replies.push(Reply { bytes: bytes.clone(), delay });
            }
            replies.push(Reply { bytes, delay });
        }
        replies
    }

    fn answer(&mut self, version: Version, pdu: &Pdu, write: bool) -> Option<GenericPdu> {
        let v1 = version == Version::V1;
        let (request_id, varbinds) = match pdu {
            Pdu::Generic(p) => (p.request_id, self.generic(v1, p, write)),
            Pdu::Bulk(b) if !v1 => (b.request_id, self.bulk(b)),
            _ => return None,
        };
        let (varbinds, error_status, error_index) = match varbinds {
            Ok(v) => (v, ErrorStatus::NO_ERROR, 0),
            Err((status, index)) => {
                (pdu.varbinds().to_vec(), status, i64::try_from(index.saturating_add(1)).unwrap_or(0))
            }
        };
        let mut response =
            GenericPdu { pdu_type: PduType::RESPONSE, request_id, error_status, error_index, varbinds };
        if let Some(max) = self.faults.too_big_over
            && response.varbinds.len() > max
        {
            response.error_status = ErrorStatus::TOO_BIG;
            response.error_index = 0;
            response.varbinds = pdu.varbinds().to_vec();
        }
        Some(response)
    }

    /// Whether an instance of the object `oid` names exists (its parent has children): then a
    /// missing instance is noSuchInstance rather than noSuchObject.
    fn object_exists(&self, oid: &Oid) -> bool {
        let Some((_, parent)) = oid.arcs().split_last() else { return false };
        let Ok(parent) = Oid::new(parent) else { return false };
        self.objects
            .range((Bound::Excluded(&parent), Bound::Unbounded))
            .next()
            .is_some_and(|(k, _)| k.starts_with(&parent))
    }

    /// The successor of `oid` in the view (or the scripted jump back).
    fn next(&self, oid: &Oid) -> Option<(Oid, Value)> {
        if let Some((from, to)) = &self.faults.jump_back
            && oid == from
        {
            return self.objects.get(to).map(|v| (to.clone(), v.clone()));
        }
        self.objects
            .range((Bound::Excluded(oid), Bound::Unbounded))
            .next()
            .map(|(o, v)| (o.clone(), v.clone()))
    }

    fn generic(&mut self, v1: bool, p: &GenericPdu, write: bool) -> Answer {
        let mut out = Vec::with_capacity(p.varbinds.len());
        for (i, vb) in p.varbinds.iter().enumerate() {
            let value = match p.pdu_type {
                PduType::GET_REQUEST => match self.objects.get(&vb.oid) {
                    Some(v) => v.clone(),
                    None if v1 => return Err((ErrorStatus::NO_SUCH_NAME, i)),
                    None if self.object_exists(&vb.oid) => Value::NoSuchInstance,
                    None => Value::NoSuchObject,
                },
                PduType::GET_NEXT_REQUEST => match self.next(&vb.oid) {
                    Some((oid, value)) => {
                        out.push(VarBind::new(oid, value));
                        continue;
                    }
                    None if v1 => return Err((ErrorStatus::NO_SUCH_NAME, i)),
                    None => Value::EndOfMibView,
                },
                PduType::SET_REQUEST => {
                    if !write {
                        return Err((if v1 { ErrorStatus::NO_SUCH_NAME } else { ErrorStatus::NO_ACCESS }, i));
                    }
                    match self.objects.get_mut(&vb.oid) {
                        Some(old) if old.tag() == vb.value.tag() => {
                            *old = vb.value.clone();
                            vb.value.clone()
                        }
                        Some(_) => {
                            return Err((
                                if v1 { ErrorStatus::BAD_VALUE } else { ErrorStatus::WRONG_TYPE },
                                i,
                            ));
                        }
                        None => {
                            return Err((
                                if v1 { ErrorStatus::NO_SUCH_NAME } else { ErrorStatus::NO_CREATION },
                                i,
                            ));
                        }
                    }
                }
                _ => return Err((ErrorStatus::GEN_ERR, i)),
            };
            out.push(VarBind::new(vb.oid.clone(), value));
        }
        Ok(out)
    }

    fn bulk(&self, b: &BulkPdu) -> Answer {
        let n = usize::try_from(b.non_repeaters.max(0)).unwrap_or(0).min(b.varbinds.len());
        let mut reps = usize::try_from(b.max_repetitions.max(0)).unwrap_or(0);
        if let Some(cap) = self.faults.bulk_cap {
            reps = reps.min(cap);
        }
        let (first, repeated) = b.varbinds.split_at(n);
        let mut out = Vec::new();
        for vb in first {
            out.push(match self.next(&vb.oid) {
                Some((o, v)) => VarBind::new(o, v),
                None => VarBind::new(vb.oid.clone(), Value::EndOfMibView),
            });
        }
        let mut cursor: Vec<Oid> = repeated.iter().map(|vb| vb.oid.clone()).collect();
        for _ in 0..reps {
            let mut all_end = true;
            for c in &mut cursor {
                match self.next(c) {
                    Some((o, v)) => {
                        all_end = false;
                        c.clone_from(&o);
                        out.push(VarBind::new(o, v));
                    }
                    None => out.push(VarBind::new(c.clone(), Value::EndOfMibView)),
                }
            }
            if all_end || out.len() > 60_000 {
                break;
            }
        }
        Ok(out)
    }
}

/// Serves `responder` on `socket` until `stop` resolves. Replies are sent after their delay
/// without holding up later requests.
#[cfg(feature = "tokio")]
pub async fn serve(
    socket: tokio::net::UdpSocket,
    responder: std::sync::Arc<std::sync::Mutex<Responder>>,
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let socket = std::sync::Arc::new(socket);
    let mut buf = vec![0u8; 65535];
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return Ok(()),
            got = socket.recv_from(&mut buf) => {
                let (n, peer) = got?;
                let replies = match (responder.lock(), buf.get(..n)) {
                    (Ok(mut r), Some(d)) => r.handle(d),
                    _ => Vec::new(),
                };
                for reply in replies {
                    if reply.delay.is_zero() {
                        let _ = socket.send_to(&reply.bytes, peer).await;
                    } else {
                        let socket = socket.clone();
                        tokio::spawn(async move {
                            tokio::time::sleep(reply.delay).await;
                            let _ = socket.send_to(&reply.bytes, peer).await;
                        });
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(s: &str) -> Oid {
        s.parse().unwrap()
    }

    fn request(version: Version, pdu: Pdu) -> Vec<u8> {
        Message::Community(CommunityMessage { version, community: b"public".to_vec(), pdu }).encode().unwrap()
    }

    fn answer(r: &mut Responder, bytes: &[u8]) -> GenericPdu {
        let replies = r.handle(bytes);
        match Message::decode(&replies[0].bytes).unwrap() {
            Message::Community(CommunityMessage { pdu: Pdu::Generic(p), .. }) => p,
            other => panic!("{other:?}"),
        }
    }

    fn get(t: PduType, o: &str) -> Pdu {
        Pdu::Generic(GenericPdu {
            pdu_type: t,
            request_id: 7,
            error_status: ErrorStatus::NO_ERROR,
            error_index: 0,
            varbinds: vec![VarBind::null(oid(o))],
        })
    }

    #[test]
    fn answers_like_an_agent() {
        let mut r = Responder::new([
            (oid("1.3.6.1.2.1.1.1.0"), Value::OctetString(b"fake".to_vec())),
            (oid("1.3.6.1.2.1.1.3.0"), Value::TimeTicks(5)),
        ]);
        let p = answer(&mut r, &request(Version::V2c, get(PduType::GET_REQUEST, "1.3.6.1.2.1.1.1.5")));
        assert_eq!(p.varbinds[0].value, Value::NoSuchInstance);
        let p = answer(&mut r, &request(Version::V2c, get(PduType::GET_REQUEST, "1.3.6.1.2.1.1.2.0")));
        assert_eq!(p.varbinds[0].value, Value::NoSuchObject);
        let p = answer(&mut r, &request(Version::V2c, get(PduType::GET_NEXT_REQUEST, "1.3.6.1.2.1.1.1.0")));
        assert_eq!(p.varbinds[0].oid, oid("1.3.6.1.2.1.1.3.0"));
        let p = answer(&mut r, &request(Version::V1, get(PduType::GET_NEXT_REQUEST, "1.3.6.1.2.1.1.3.0")));
        assert_eq!((p.error_status, p.error_index), (ErrorStatus::NO_SUCH_NAME, 1));
        let bulk = Pdu::Bulk(BulkPdu {
            request_id: 9,
            non_repeaters: 0,
            max_repetitions: 5,
            varbinds: vec![VarBind::null(oid("1.3.6.1.2.1.1"))],
        });
        let p = answer(&mut r, &request(Version::V2c, bulk));
        assert_eq!(p.varbinds.len(), 3);
        assert_eq!(p.varbinds[2].value, Value::EndOfMibView);
    }
}
