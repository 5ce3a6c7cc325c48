//! The walk state machine: GetNext (SNMPv1) or GetBulk (v2c, v3) over a subtree, sans-IO.
//!
//! [`Walk::request`] says what to send; [`Walk::on_response`] takes the answer and returns the
//! varbinds that belong to the walk, in order. It follows Net-SNMP's `snmpwalk` and
//! `snmpbulkwalk`, which users' scripts depend on:
//!
//! - the walk ends at the first OID outside the subtree, at an exception (endOfMibView,
//!   noSuchObject, noSuchInstance; the exception itself is part of the output), or at a v1
//!   noSuchName error ([`WalkEnd::NoSuchName`], Net-SNMP's "End of MIB");
//! - an OID that does not increase is an error ([`WalkError::NotIncreasing`]) unless allowed
//!   (`-Cc`); then a loop guard stops a walk that jumps back to the same OID twice;
//! - tooBig on a GetBulk halves max-repetitions and asks again instead of failing;
//! - a walk that returned nothing ends with a Get of the root, so a walk of a leaf instance
//!   prints it (`-CI` turns this off); `-Ci` gets the root first.
//!
//! A request that fails (timeout, security) ends the walk where it stands: the varbinds
//! already returned are the partial result, and [`Walk::last`] says where it stopped.

use super::{Operation, Procedure, Request};
use crate::msg::{ErrorStatus, GenericPdu};
use crate::value::{Oid, Value, VarBind};
use std::collections::HashSet;

/// How to walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkOptions {
    /// `Some(max-repetitions)`: GetBulk (v2c, v3); `None`: GetNext.
    pub bulk: Option<u32>,
    /// Non-repeaters of each GetBulk (Net-SNMP `-Cn`; 0 by default).
    pub non_repeaters: u32,
    /// Refuse an OID that does not increase (Net-SNMP's default; `-Cc` turns it off).
    pub check_increasing: bool,
    /// Get the root OID first and return it (`-Ci`).
    pub include_root: bool,
    /// Get the root OID when the walk returned nothing (on unless `-CI`).
    pub fallback_get: bool,
    /// Stop before the first OID at or past this one (`-CE`).
    pub end: Option<Oid>,
}

impl WalkOptions {
    /// GetNext walk with Net-SNMP's defaults.
    pub fn get_next() -> WalkOptions {
        WalkOptions {
            bulk: None,
            non_repeaters: 0,
            check_increasing: true,
            include_root: false,
            fallback_get: true,
            end: None,
        }
    }

    /// GetBulk walk with Net-SNMP's defaults (`snmpbulkwalk`: max-repetitions 10).
    pub fn bulk(max_repetitions: u32) -> WalkOptions {
        WalkOptions { bulk: Some(max_repetitions.max(1)), ..WalkOptions::get_next() }
    }
}

/// Why a walk ended normally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalkEnd {
    /// The agent returned an OID outside the subtree (or nothing more was asked).
    SubtreeEnd,
    /// An exception value (endOfMibView, noSuchObject, noSuchInstance) ended it.
    Exception,
    /// SNMPv1 noSuchName: the end of the agent's MIB ("End of MIB").
    NoSuchName,
    /// The end OID (`-CE`) was reached.
    EndOid,
}

/// Why a walk failed. The varbinds returned before stay valid: a partial walk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WalkError {
    /// The agent returned an OID that is not after the previous one.
    #[error("OID not increasing: {previous} >= {next}")]
    NotIncreasing {
        /// The OID asked after (or the previous one in the same response).
        previous: Oid,
        /// The OID returned.
        next: Oid,
    },
    /// With the check off (`-Cc`), the agent led the walk back to an OID it had jumped to
    /// before: it would go round for ever.
    #[error("the agent loops: it returned {oid} again after a non-increasing step")]
    Loop {
        /// The OID seen twice.
        oid: Oid,
    },
    /// The agent answered with an error status.
    #[error("the agent answered {}", .pdu.error_status)]
    Agent {
        /// The whole Response, for Net-SNMP's "Error in packet" report.
        pdu: GenericPdu,
    },
    /// tooBig even for a GetNext or a GetBulk of one repetition.
    #[error("the agent answered tooBig even to a single-row request")]
    TooBig,
    /// The agent answered without varbinds.
    #[error("the agent answered with no varbinds")]
    EmptyResponse,
    /// A request of the walk failed (timeout, security): the walk stopped where it stood.
    #[error("{error} (the walk stopped after {last})")]
    Request {
        /// The failure.
        error: super::Error,
        /// The last OID reached.
        last: Oid,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    IncludeGet,
    Walking,
    FallbackGet,
    Done,
}

/// One walk over a subtree. See the module docs.
#[derive(Debug, Clone)]
pub struct Walk {
    root: Oid,
    options: WalkOptions,
    phase: Phase,
    last: Oid,
    repetitions: u32,
    returned: u64,
    requests: u64,
    end: Option<WalkEnd>,
    /// OIDs reached by a non-increasing step (the loop guard, only with the check off).
    jumps: HashSet<Oid>,
    error: Option<WalkError>,
}

impl Walk {
    /// A walk of the subtree under `root`.
    pub fn new(root: Oid, options: WalkOptions) -> Walk {
        let phase = if options.include_root { Phase::IncludeGet } else { Phase::Walking };
        Walk {
            last: root.clone(),
            root,
            repetitions: options.bulk.unwrap_or(1).max(1),
            options,
            phase,
            returned: 0,
            requests: 0,
            end: None,
            jumps: HashSet::new(),
            error: None,
        }
    }

    /// The request to send next, or `None` when the walk is over.
    pub fn request(&self) -> Option<Request> {
        let (operation, oid) = match self.phase {
            Phase::IncludeGet | Phase::FallbackGet => (Operation::Get, &self.root),
            Phase::Walking => match self.options.bulk {
                Some(_) => (
                    Operation::GetBulk {
                        non_repeaters: self.options.non_repeaters,
                        max_repetitions: self.repetitions,
                    },
                    &self.last,
                ),
                None => (Operation::GetNext, &self.last),
            },
            Phase::Done => return None,
        };
        Some(Request { operation, varbinds: vec![VarBind::null(oid.clone())] })
    }

    /// True when nothing more is to be sent.
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// How the walk ended, once it has ended without an error.
    pub fn end(&self) -> Option<&WalkEnd> {
        self.end.as_ref()
    }

    /// The last OID the walk reached: where a partial walk stopped.
    pub fn last(&self) -> &Oid {
        &self.last
    }

    /// The root of the walk.
    pub fn root(&self) -> &Oid {
        &self.root
    }

    /// Varbinds returned so far.
    pub fn returned(&self) -> u64 {
        self.returned
    }

    /// Responses processed so far.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// The current max-repetitions (after any tooBig shrinking).
    pub fn max_repetitions(&self) -> u32 {
        self.repetitions
    }

    /// Takes the failure of the request (timeout, security) and ends the walk. A failed
    /// fallback Get of the root is no error (Net-SNMP prints nothing for it).
    pub fn on_failure(&mut self, error: super::Error) {
        if self.phase != Phase::FallbackGet && self.phase != Phase::Done {
            self.error = Some(WalkError::Request { error, last: self.last.clone() });
        }
        self.phase = Phase::Done;
    }

    /// The error that ended the walk, once (the walk is over when there is one).
    pub fn take_error(&mut self) -> Option<WalkError> {
        self.error.take()
    }

    /// Takes the Response to [`Walk::request`]; returns the varbinds that belong to the walk.
    /// When the response ends the walk with an error, the varbinds before it (and the
    /// offending one, as Net-SNMP prints it) come back first and [`Walk::take_error`] has the
    /// error.
    pub fn on_response(&mut self, pdu: GenericPdu) -> Vec<VarBind> {
        self.requests = self.requests.saturating_add(1);
        match self.phase {
            Phase::IncludeGet | Phase::FallbackGet => {
                let include = self.phase == Phase::IncludeGet;
                self.phase = if include { Phase::Walking } else { Phase::Done };
                if pdu.error_status != ErrorStatus::NO_ERROR {
                    // Net-SNMP prints nothing when this Get fails.
                    return Vec::new();
                }
                self.count(pdu.varbinds.len());
                pdu.varbinds
            }
            Phase::Walking => self.walking(pdu),
            Phase::Done => Vec::new(),
        }
    }

    fn fail(&mut self, error: WalkError) {
        self.phase = Phase::Done;
        self.error = Some(error);
    }

    fn count(&mut self, n: usize) {
        self.returned = self.returned.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
    }

    fn finish(&mut self, end: WalkEnd) {
        self.end = Some(end);
        self.phase =
            if self.returned == 0 && self.options.fallback_get { Phase::FallbackGet } else { Phase::Done };
    }

    fn walking(&mut self, pdu: GenericPdu) -> Vec<VarBind> {
        match pdu.error_status {
            ErrorStatus::NO_ERROR => {}
            ErrorStatus::NO_SUCH_NAME => {
                self.finish(WalkEnd::NoSuchName);
                return Vec::new();
            }
            ErrorStatus::TOO_BIG if self.options.bulk.is_some() && self.repetitions > 1 => {
                self.repetitions = (self.repetitions / 2).max(1);
                return Vec::new();
            }
            ErrorStatus::TOO_BIG => {
                self.fail(WalkError::TooBig);
                return Vec::new();
            }
            _ => {
                self.fail(WalkError::Agent { pdu });
                return Vec::new();
            }
        }
        if pdu.varbinds.is_empty() {
            self.fail(WalkError::EmptyResponse);
            return Vec::new();
        }
        // As snmpbulkwalk: every varbind inside the subtree is returned (an exception too, and
        // the ones after it: an agent that fills each repetition with endOfMibView gets a line
        // per repetition); each is checked against the OID that was asked for, not against the
        // varbind before it (agents return rows out of order inside one answer); the last one
        // is where the next request starts.
        // The varbinds are kept in place (`retain` moves none while all are kept, the usual
        // case), not moved into a new list.
        let requested = self.last.clone();
        let mut out = pdu.varbinds;
        let count = out.len();
        let mut ended = None;
        let mut error = None;
        let (root, end, check_increasing) = (&self.root, &self.options.end, self.options.check_increasing);
        let (jumps, last) = (&mut self.jumps, &mut self.last);
        let mut i = 0usize;
        out.retain(|vb| {
            let is_last = i.saturating_add(1) == count;
            i = i.saturating_add(1);
            if !vb.oid.starts_with(root) {
                ended.get_or_insert(WalkEnd::SubtreeEnd);
                return false;
            }
            if let Some(end) = end
                && vb.oid >= *end
            {
                ended.get_or_insert(WalkEnd::EndOid);
                return false;
            }
            if matches!(vb.value, Value::EndOfMibView | Value::NoSuchObject | Value::NoSuchInstance) {
                ended.get_or_insert(WalkEnd::Exception);
                return true;
            }
            if vb.oid <= requested && error.is_none() {
                error = if check_increasing {
                    Some(WalkError::NotIncreasing { previous: requested.clone(), next: vb.oid.clone() })
                } else if !jumps.insert(vb.oid.clone()) {
                    Some(WalkError::Loop { oid: vb.oid.clone() })
                } else {
                    None
                };
            }
            if is_last {
                last.clone_from(&vb.oid);
            }
            true
        });
        if let Some(e) = error {
            self.count(out.len());
            self.fail(e);
            return out;
        }
        self.count(out.len());
        if let Some(end) = ended {
            self.finish(end);
        }
        out
    }
}

impl Procedure for Walk {
    type Item = VarBind;

    fn request(&self) -> Option<Request> {
        Walk::request(self)
    }

    fn on_response(&mut self, pdu: GenericPdu) -> Vec<VarBind> {
        Walk::on_response(self, pdu)
    }

    fn on_failure(&mut self, error: super::Error) {
        Walk::on_failure(self, error);
    }

    fn take_error(&mut self) -> Option<WalkError> {
        Walk::take_error(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::test_support::{oid, response};

    fn int(s: &str) -> VarBind {
        VarBind::new(oid(s), Value::Integer(1))
    }

    #[test]
    fn get_next_walk_ends_outside_the_subtree() {
        let mut w = Walk::new(oid("1.3.6.1.2.1.1"), WalkOptions::get_next());
        assert_eq!(w.request().unwrap().operation, Operation::GetNext);
        assert_eq!(w.on_response(response(0, vec![int("1.3.6.1.2.1.1.1.0")])).len(), 1);
        assert_eq!(w.request().unwrap().varbinds[0].oid, oid("1.3.6.1.2.1.1.1.0"));
        assert!(w.on_response(response(0, vec![int("1.3.6.1.2.1.2.1.0")])).is_empty());
        assert!(w.is_done());
        assert_eq!(w.end(), Some(&WalkEnd::SubtreeEnd));
    }

    #[test]
    fn bulk_walk_keeps_every_exception_and_stops() {
        let mut w = Walk::new(oid("1.3.6.1.6"), WalkOptions::bulk(10));
        let got = w.on_response(response(
            0,
            vec![
                int("1.3.6.1.6.1"),
                int("1.3.6.1.6.2"),
                VarBind::new(oid("1.3.6.1.6.2"), Value::EndOfMibView),
                VarBind::new(oid("1.3.6.1.6.2"), Value::EndOfMibView),
            ],
        ));
        // Each repetition's endOfMibView is kept, as snmpbulkwalk prints a line for each.
        assert_eq!(got.len(), 4);
        assert_eq!(w.end(), Some(&WalkEnd::Exception));
        assert!(w.request().is_none());
    }

    #[test]
    fn empty_walk_falls_back_to_get() {
        let mut w = Walk::new(oid("1.3.6.1.2.1.1.1.0"), WalkOptions::get_next());
        assert!(w.on_response(response(0, vec![int("1.3.6.1.2.1.1.2.0")])).is_empty());
        assert_eq!(w.request().unwrap().operation, Operation::Get);
        assert_eq!(w.on_response(response(0, vec![int("1.3.6.1.2.1.1.1.0")])).len(), 1);
        assert!(w.is_done());

        let mut w = Walk::new(
            oid("1.3.6.1.2.1.1.1.0"),
            WalkOptions { fallback_get: false, ..WalkOptions::get_next() },
        );
        w.on_response(response(0, vec![int("1.3.6.1.2.1.1.2.0")]));
        assert!(w.is_done());
    }

    #[test]
    fn v1_no_such_name_is_the_end_of_the_mib() {
        let mut w = Walk::new(oid("1.3.6.1.9"), WalkOptions::get_next());
        assert!(w.on_response(response(2, vec![int("1.3.6.1.9")])).is_empty());
        assert_eq!(w.end(), Some(&WalkEnd::NoSuchName));
        // Nothing was returned: the fallback Get follows; its error prints nothing.
        assert_eq!(w.request().unwrap().operation, Operation::Get);
        assert!(w.on_response(response(2, vec![int("1.3.6.1.9")])).is_empty());
        assert!(w.is_done());
    }

    #[test]
    fn non_increasing_is_an_error_or_guarded() {
        let mut w = Walk::new(oid("1.3.6"), WalkOptions::get_next());
        w.on_response(response(0, vec![int("1.3.6.5")]));
        // The offending varbind comes back (Net-SNMP prints it), then the error.
        assert_eq!(w.on_response(response(0, vec![int("1.3.6.2")])).len(), 1);
        let e = w.take_error().unwrap();
        assert_eq!(e, WalkError::NotIncreasing { previous: oid("1.3.6.5"), next: oid("1.3.6.2") });
        assert!(w.is_done());

        // With the check off, the second jump back to 1.3.6.2 is a loop.
        let mut w =
            Walk::new(oid("1.3.6"), WalkOptions { check_increasing: false, ..WalkOptions::get_next() });
        w.on_response(response(0, vec![int("1.3.6.5")]));
        w.on_response(response(0, vec![int("1.3.6.2")]));
        assert!(w.take_error().is_none());
        w.on_response(response(0, vec![int("1.3.6.5")]));
        w.on_response(response(0, vec![int("1.3.6.2")]));
        assert_eq!(w.take_error(), Some(WalkError::Loop { oid: oid("1.3.6.2") }));
    }

    #[test]
    fn too_big_halves_the_repetitions() {
        let mut w = Walk::new(oid("1.3.6"), WalkOptions::bulk(50));
        w.on_response(response(1, vec![]));
        assert_eq!(w.max_repetitions(), 25);
        for _ in 0..4 {
            w.on_response(response(1, vec![]));
        }
        assert_eq!(w.max_repetitions(), 1);
        assert!(w.take_error().is_none());
        w.on_response(response(1, vec![]));
        assert_eq!(w.take_error(), Some(WalkError::TooBig));
    }

    #[test]
    fn include_root_and_end_oid() {
        let opts = WalkOptions { include_root: true, end: Some(oid("1.3.6.3")), ..WalkOptions::get_next() };
        let mut w = Walk::new(oid("1.3.6"), opts);
        assert_eq!(w.request().unwrap().operation, Operation::Get);
        assert_eq!(
            w.on_response(response(0, vec![VarBind::new(oid("1.3.6"), Value::NoSuchObject)])).len(),
            1
        );
        assert_eq!(w.request().unwrap().operation, Operation::GetNext);
        w.on_response(response(0, vec![int("1.3.6.2")]));
        assert!(w.on_response(response(0, vec![int("1.3.6.3")])).is_empty());
        assert_eq!(w.end(), Some(&WalkEnd::EndOid));
        assert!(w.is_done());
    }

    /// Rows out of order inside one answer (H3C, some Linux agents): each is checked against
    /// the OID asked for, as snmpbulkwalk checks it, so the walk goes on.
    #[test]
    fn order_inside_one_answer_is_not_checked() {
        let mut w = Walk::new(oid("1.3.6.1.2.1.4"), WalkOptions::bulk(10));
        let got = w.on_response(response(
            0,
            vec![int("1.3.6.1.2.1.4.3.0"), int("1.3.6.1.2.1.4.2.0"), int("1.3.6.1.2.1.4.5.0")],
        ));
        assert_eq!(got.len(), 3);
        assert!(w.take_error().is_none());
        assert_eq!(w.request().unwrap().varbinds[0].oid, oid("1.3.6.1.2.1.4.5.0"));
        // Behind the OID asked for is still an error.
        let got = w.on_response(response(0, vec![int("1.3.6.1.2.1.4.6.0"), int("1.3.6.1.2.1.4.4.0")]));
        assert_eq!(got.len(), 2, "printed before the error, as snmpbulkwalk prints them");
        assert_eq!(
            w.take_error(),
            Some(WalkError::NotIncreasing {
                previous: oid("1.3.6.1.2.1.4.5.0"),
                next: oid("1.3.6.1.2.1.4.4.0")
            })
        );
    }
}
