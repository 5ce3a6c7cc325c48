//! Tables, sans-IO: the rows of a conceptual table keyed by their index, with sparse cells.
//!
//! Two ways to read a table, as Net-SNMP's `snmptable` has:
//!
//! - [`TableMethod::Bulk`] walks the whole entry with GetBulk, one column after the other
//!   (`snmptable` on v2c and v3). Rows come out when the walk is over, in the order the walk
//!   first met them: index order within the first column that has them.
//! - [`TableMethod::GetNextRows`] asks for every column at once with GetNext, one row per
//!   request (`snmptable -CB`, and SNMPv1). Each answer gives the next row: the smallest index
//!   any column returned; columns that returned a later index have no cell in this row and are
//!   asked again from it, so sparse tables come out right (snmptable puts such later values
//!   into the wrong row).
//!
//! With no columns given, they are found from the agent's answers (a column walk, for either
//! method): that reads tables no MIB describes. With columns given, cells of other columns are
//! not kept, and [`TableWalk::extra_columns`] lists them ("more columns on agent than in MIB").
//!
//! The walk ends as a walk of the entry does ([`WalkEnd`]); errors are [`WalkError`]s and leave
//! the rows read before them valid.

use super::walk::{Walk, WalkEnd, WalkError, WalkOptions};
use super::{Error, Operation, Procedure, Request};
use crate::msg::{ErrorStatus, GenericPdu};
use crate::value::{Oid, Value, VarBind};
use std::collections::{HashMap, HashSet};

/// How to read a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableMethod {
    /// GetBulk down the entry, column after column, with this max-repetitions.
    Bulk(u32),
    /// GetNext of every column at once: one row per request.
    GetNextRows,
    /// GetBulk of the chosen columns only, side by side, with this max-repetitions: each
    /// column is walked on its own (so sparse tables come out right) but every request asks
    /// for all of them. For a few columns of a wide table; with no columns given, as `Bulk`.
    BulkColumns(u32),
}

/// What to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableOptions {
    /// The column sub-identifiers under the entry, in the order the cells are wanted; empty:
    /// every column the agent returns, in sub-identifier order.
    pub columns: Vec<u32>,
    /// Bulk or GetNext.
    pub method: TableMethod,
    /// Refuse an OID that does not increase (on by default, as walks).
    pub check_increasing: bool,
}

impl TableOptions {
    /// `snmptable`'s defaults: GetBulk with max-repetitions 10, every column.
    pub fn bulk(max_repetitions: u32) -> TableOptions {
        TableOptions {
            columns: Vec::new(),
            method: TableMethod::Bulk(max_repetitions),
            check_increasing: true,
        }
    }
}

/// One row: its index (the sub-identifiers after the column) and a cell per column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The index part of the instance OIDs.
    pub index: Oid,
    /// One cell per column of [`TableWalk::columns`]; `None` where the agent has no instance.
    pub cells: Vec<Option<Value>>,
}

/// A whole table, as [`crate::transport::Client::get_table`] returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The entry (`…Entry`) OID.
    pub entry: Oid,
    /// Column sub-identifiers, in the order of each row's cells.
    pub columns: Vec<u32>,
    /// The rows, in the order described in the module docs.
    pub rows: Vec<Row>,
    /// Columns the agent returned that were not asked for.
    pub extra_columns: Vec<u32>,
    /// The columns' names, in the order of `columns` (the MIB's labels; empty when read
    /// without names, and a column the MIB does not have is named by its number).
    pub names: Vec<String>,
}

impl Table {
    /// The cell of `row` in the column named `column` (a label of [`Table::names`], or a
    /// column number as text).
    pub fn cell<'t>(&'t self, row: &'t Row, column: &str) -> Option<&'t Value> {
        let i = self.names.iter().position(|n| n == column).or_else(|| {
            let subid: u32 = column.parse().ok()?;
            self.columns.iter().position(|&c| c == subid)
        })?;
        row.cells.get(i)?.as_ref()
    }

    /// The rows, each with its cells by name.
    pub fn iter(&self) -> impl Iterator<Item = TableRow<'_>> {
        self.rows.iter().map(move |row| TableRow { table: self, row })
    }
}

/// A row of a [`Table`], its cells reachable by column name.
#[derive(Debug, Clone, Copy)]
pub struct TableRow<'t> {
    table: &'t Table,
    row: &'t Row,
}

impl<'t> TableRow<'t> {
    /// The row's index: the sub-identifiers after the column (`3` for ifIndex 3).
    pub fn index(&self) -> &'t Oid {
        &self.row.index
    }

    /// The cell in the column named `column` (label or number); `None` where the agent has
    /// none.
    pub fn get(&self, column: &str) -> Option<&'t Value> {
        self.table.cell(self.row, column)
    }

    /// The cell of `column` as a varbind (its instance OID and value), to render with a MIB
    /// ([`crate::mib::Mib::render_value`] prints enumerations by name, hints, units).
    pub fn varbind(&self, column: &str) -> Option<VarBind> {
        let value = self.get(column)?.clone();
        let i = self.table.names.iter().position(|n| n == column);
        let subid = match i {
            Some(i) => *self.table.columns.get(i)?,
            None => column.parse().ok()?,
        };
        let mut arcs = self.table.entry.arcs().to_vec();
        arcs.push(subid);
        arcs.extend_from_slice(self.row.index.arcs());
        Some(VarBind::new(Oid::new(&arcs).ok()?, value))
    }

    /// Every cell with its column's name, in column order.
    pub fn cells(&self) -> impl Iterator<Item = (String, Option<&'t Value>)> + 't {
        let table = self.table;
        table.columns.iter().zip(&self.row.cells).enumerate().map(move |(i, (subid, cell))| {
            let name = table.names.get(i).cloned().unwrap_or_else(|| subid.to_string());
            (name, cell.as_ref())
        })
    }
}

#[derive(Debug, Clone)]
enum Inner {
    /// A walk of the entry; rows assembled as cells arrive, handed out at the end.
    Columns(Box<Walk>),
    /// A walk per chosen column, asked for together; rows handed out at the end.
    Parallel(Vec<Walk>),
    /// GetNext of the active columns from the last row's index.
    Rows {
        /// Index of the last row returned.
        last: Option<Oid>,
        /// Whether each column (by position) is still inside its column.
        active: Vec<bool>,
        /// Rows reached by a non-increasing step (the loop guard, with the check off).
        jumps: HashSet<Oid>,
        done: bool,
    },
}

/// Reading one table. See the module docs.
#[derive(Debug, Clone)]
pub struct TableWalk {
    entry: Oid,
    columns: Vec<u32>,
    /// Columns are found from the answers.
    discover: bool,
    check_increasing: bool,
    inner: Inner,
    rows: Vec<Row>,
    positions: HashMap<Oid, usize>,
    extra: Vec<u32>,
    end: Option<WalkEnd>,
    error: Option<WalkError>,
    returned: u64,
}

impl TableWalk {
    /// Reading the table whose entry is `entry` (the `…Entry` OID, one arc below the table).
    pub fn new(entry: Oid, options: TableOptions) -> TableWalk {
        let discover = options.columns.is_empty();
        let walk_with = |w: WalkOptions| {
            Inner::Columns(Box::new(Walk::new(
                entry.clone(),
                WalkOptions { fallback_get: false, check_increasing: options.check_increasing, ..w },
            )))
        };
        let inner = match options.method {
            TableMethod::Bulk(r) => walk_with(WalkOptions::bulk(r)),
            TableMethod::BulkColumns(r) if discover => walk_with(WalkOptions::bulk(r)),
            TableMethod::BulkColumns(r) => Inner::Parallel(
                options
                    .columns
                    .iter()
                    .map(|&c| {
                        let root = entry.join(&[c]).unwrap_or_else(|_| entry.clone());
                        let w = WalkOptions {
                            fallback_get: false,
                            check_increasing: options.check_increasing,
                            ..WalkOptions::bulk(r)
                        };
                        Walk::new(root, w)
                    })
                    .collect(),
            ),
            TableMethod::GetNextRows if discover => walk_with(WalkOptions::get_next()),
            TableMethod::GetNextRows => Inner::Rows {
                last: None,
                active: vec![true; options.columns.len()],
                jumps: HashSet::new(),
                done: false,
            },
        };
        TableWalk {
            entry,
            columns: options.columns,
            discover,
            check_increasing: options.check_increasing,
            inner,
            rows: Vec::new(),
            positions: HashMap::new(),
            extra: Vec::new(),
            end: None,
            error: None,
            returned: 0,
        }
    }

    /// The entry OID.
    pub fn entry(&self) -> &Oid {
        &self.entry
    }

    /// The columns, in the order of each row's cells (grows while columns are discovered).
    pub fn columns(&self) -> &[u32] {
        &self.columns
    }

    /// Columns the agent returned that were not asked for, in sub-identifier order.
    pub fn extra_columns(&self) -> &[u32] {
        &self.extra
    }

    /// How the table ended, once it has ended without an error.
    pub fn end(&self) -> Option<&WalkEnd> {
        self.end.as_ref()
    }

    /// Rows handed out so far.
    pub fn returned(&self) -> u64 {
        self.returned
    }

    /// True when nothing more is to be sent.
    pub fn is_done(&self) -> bool {
        match &self.inner {
            Inner::Columns(w) => w.is_done(),
            Inner::Parallel(walks) => walks.iter().all(Walk::is_done),
            Inner::Rows { done, .. } => *done,
        }
    }

    /// The request to send next, or `None` when the table is read.
    pub fn request(&self) -> Option<Request> {
        match &self.inner {
            Inner::Columns(w) => w.request(),
            Inner::Parallel(walks) => {
                // One request for every column still going: the smallest repetition count any
                // of them asks for (after tooBig, they all ask for less).
                let mut repetitions = u32::MAX;
                let mut varbinds = Vec::new();
                for r in walks.iter().filter_map(Walk::request) {
                    if let Operation::GetBulk { max_repetitions, .. } = r.operation {
                        repetitions = repetitions.min(max_repetitions);
                    }
                    varbinds.extend(r.varbinds);
                }
                (!varbinds.is_empty()).then(|| Request {
                    operation: Operation::GetBulk { non_repeaters: 0, max_repetitions: repetitions.max(1) },
                    varbinds,
                })
            }
            Inner::Rows { done: true, .. } => None,
            Inner::Rows { last, active, .. } => {
                let varbinds = self
                    .columns
                    .iter()
                    .zip(active)
                    .filter(|(_, a)| **a)
                    .map(|(c, _)| {
                        let mut arcs = self.entry.arcs().to_vec();
                        arcs.push(*c);
                        arcs.extend_from_slice(last.as_ref().map_or(&[][..], Oid::arcs));
                        VarBind::null(Oid::new(&arcs).unwrap_or_else(|_| self.entry.clone()))
                    })
                    .collect();
                Some(Request { operation: Operation::GetNext, varbinds })
            }
        }
    }

    /// Takes the failure of a request (timeout, security): the table ends where it stands.
    pub fn on_failure(&mut self, error: Error) {
        match &mut self.inner {
            Inner::Columns(w) => {
                w.on_failure(error);
                self.error = w.take_error();
            }
            Inner::Parallel(walks) => {
                for w in walks.iter_mut().filter(|w| !w.is_done()) {
                    w.on_failure(error.clone());
                    let e = w.take_error();
                    if self.error.is_none() {
                        self.error = e;
                    }
                }
            }
            Inner::Rows { done, last, .. } => {
                let mut at = self.entry.arcs().to_vec();
                at.extend_from_slice(last.as_ref().map_or(&[][..], Oid::arcs));
                self.error = Some(WalkError::Request {
                    error,
                    last: Oid::new(&at).unwrap_or_else(|_| self.entry.clone()),
                });
                *done = true;
            }
        }
    }

    /// The error that ended the table, once.
    pub fn take_error(&mut self) -> Option<WalkError> {
        self.error.take()
    }

    /// Takes the Response to [`TableWalk::request`]; returns the rows it completed. A column
    /// walk completes every row at its end (also when it ends with an error: the partial
    /// table); GetNext rows complete one per answer.
    pub fn on_response(&mut self, pdu: GenericPdu) -> Vec<Row> {
        match &mut self.inner {
            Inner::Columns(w) => {
                let varbinds = w.on_response(pdu);
                let finished = w.is_done();
                if finished {
                    self.end = w.end().cloned();
                    self.error = w.take_error();
                }
                for vb in varbinds {
                    self.place(vb);
                }
                if finished { self.take_rows() } else { Vec::new() }
            }
            Inner::Parallel(_) => self.parallel_response(pdu),
            Inner::Rows { .. } => self.next_row(pdu).into_iter().collect(),
        }
    }

    /// Files one varbind of a column walk into its row.
    fn place(&mut self, vb: VarBind) {
        if matches!(vb.value, Value::EndOfMibView | Value::NoSuchObject | Value::NoSuchInstance) {
            return;
        }
        let base = self.entry.len();
        let arcs = vb.oid.arcs();
        let (Some(&column), Some(index)) = (arcs.get(base), arcs.get(base.saturating_add(1)..)) else {
            return;
        };
        if index.is_empty() {
            return;
        }
        let position = match self.columns.iter().position(|c| *c == column) {
            Some(p) => p,
            None if self.discover => {
                let p = self.columns.partition_point(|c| *c < column);
                self.columns.insert(p, column);
                for row in &mut self.rows {
                    row.cells.insert(p, None);
                }
                p
            }
            None => {
                if let Err(p) = self.extra.binary_search(&column) {
                    self.extra.insert(p, column);
                }
                return;
            }
        };
        let index = Oid::from_slice_unchecked(index);
        let width = self.columns.len();
        let row = match self.positions.get(&index) {
            Some(&r) => r,
            None => {
                self.positions.insert(index.clone(), self.rows.len());
                self.rows.push(Row { index, cells: vec![None; width] });
                self.rows.len().saturating_sub(1)
            }
        };
        if let Some(cell) = self.rows.get_mut(row).and_then(|r| r.cells.get_mut(position)) {
            *cell = Some(vb.value);
        }
    }

    fn take_rows(&mut self) -> Vec<Row> {
        self.positions.clear();
        let rows = std::mem::take(&mut self.rows);
        self.returned = self.returned.saturating_add(u64::try_from(rows.len()).unwrap_or(u64::MAX));
        rows
    }

    /// One answer of the side-by-side method: the answer split by column (GetBulk interleaves
    /// them: repetition by repetition, each asked column in turn) and given to each column's
    /// walk; an error-status or an empty answer goes to every one of them. Rows come out when
    /// every column has ended.
    fn parallel_response(&mut self, pdu: GenericPdu) -> Vec<Row> {
        let Inner::Parallel(walks) = &mut self.inner else { return Vec::new() };
        let going: Vec<usize> =
            walks.iter().enumerate().filter(|(_, w)| !w.is_done()).map(|(i, _)| i).collect();
        let mut shares: Vec<Vec<VarBind>> = vec![Vec::new(); going.len()];
        let split = pdu.error_status == ErrorStatus::NO_ERROR && !pdu.varbinds.is_empty();
        let GenericPdu { pdu_type, request_id, error_status, error_index, mut varbinds } = pdu;
        if split {
            for (k, vb) in std::mem::take(&mut varbinds).into_iter().enumerate() {
                if let Some(share) = k.checked_rem(going.len()).and_then(|i| shares.get_mut(i)) {
                    share.push(vb);
                }
            }
        }
        let mut placed = Vec::new();
        for (n, &i) in going.iter().enumerate() {
            let Some(walk) = walks.get_mut(i) else { continue };
            let share = if split {
                shares.get_mut(n).map(std::mem::take).unwrap_or_default()
            } else {
                varbinds.clone()
            };
            if split && share.is_empty() {
                // The agent cut its answer short before this column: asked again next time.
                continue;
            }
            placed.extend(walk.on_response(GenericPdu {
                pdu_type,
                request_id,
                error_status,
                error_index,
                varbinds: share,
            }));
            if let Some(e) = walk.take_error()
                && self.error.is_none()
            {
                self.error = Some(e);
            }
        }
        for vb in placed {
            self.place(vb);
        }
        let Inner::Parallel(walks) = &self.inner else { return Vec::new() };
        if self.error.is_some() || walks.iter().all(Walk::is_done) {
            if self.error.is_none() {
                self.end = Some(WalkEnd::SubtreeEnd);
            }
            if let Inner::Parallel(walks) = &mut self.inner {
                // An error ends every column where it stands: nothing more is asked.
                walks.clear();
            }
            self.take_rows()
        } else {
            Vec::new()
        }
    }

    /// One answer of the GetNext-rows method: the next row, if any.
    fn next_row(&mut self, pdu: GenericPdu) -> Option<Row> {
        let Inner::Rows { last, active, jumps, done } = &mut self.inner else { return None };
        match pdu.error_status {
            ErrorStatus::NO_ERROR => {}
            ErrorStatus::NO_SUCH_NAME => {
                self.end = Some(WalkEnd::NoSuchName);
                *done = true;
                return None;
            }
            ErrorStatus::TOO_BIG => {
                self.error = Some(WalkError::TooBig);
                *done = true;
                return None;
            }
            _ => {
                self.error = Some(WalkError::Agent { pdu });
                *done = true;
                return None;
            }
        }
        if pdu.varbinds.is_empty() {
            self.error = Some(WalkError::EmptyResponse);
            *done = true;
            return None;
        }
        // Each active column's answer: its index, or None when it has left the column.
        let base = self.entry.len();
        let asked: Vec<usize> = active.iter().enumerate().filter(|(_, a)| **a).map(|(i, _)| i).collect();
        let mut answers: Vec<(usize, Oid, VarBind)> = Vec::with_capacity(asked.len());
        let mut varbinds = pdu.varbinds.into_iter();
        for &position in &asked {
            let vb = varbinds.next();
            let column = self.columns.get(position).copied();
            let inside = vb.as_ref().is_some_and(|vb| {
                let arcs = vb.oid.arcs();
                arcs.len() > base.saturating_add(1)
                    && arcs.starts_with(self.entry.arcs())
                    && arcs.get(base).copied() == column
                    && !matches!(vb.value, Value::EndOfMibView | Value::NoSuchObject | Value::NoSuchInstance)
            });
            match vb {
                Some(vb) if inside => {
                    let index =
                        Oid::from_slice_unchecked(vb.oid.arcs().get(base.saturating_add(1)..).unwrap_or(&[]));
                    answers.push((position, index, vb));
                }
                _ => {
                    if let Some(a) = active.get_mut(position) {
                        *a = false;
                    }
                }
            }
        }
        let Some(min) = answers.iter().map(|(_, i, _)| i).min().cloned() else {
            self.end = Some(WalkEnd::SubtreeEnd);
            *done = true;
            return None;
        };
        if let Some(previous) = last.as_ref()
            && let Some((position, _, vb)) = answers.iter().find(|(_, i, _)| i <= previous)
        {
            let mut at = self.entry.arcs().to_vec();
            at.extend(self.columns.get(*position).copied());
            at.extend_from_slice(previous.arcs());
            let previous = Oid::new(&at).unwrap_or_else(|_| self.entry.clone());
            let error = if self.check_increasing {
                Some(WalkError::NotIncreasing { previous, next: vb.oid.clone() })
            } else if !jumps.insert(min.clone()) {
                Some(WalkError::Loop { oid: vb.oid.clone() })
            } else {
                None
            };
            if let Some(e) = error {
                self.error = Some(e);
                *done = true;
                return None;
            }
        }
        let mut cells = vec![None; self.columns.len()];
        for (position, index, vb) in answers {
            if index == min
                && let Some(cell) = cells.get_mut(position)
            {
                *cell = Some(vb.value);
            }
        }
        *last = Some(min.clone());
        self.returned = self.returned.saturating_add(1);
        Some(Row { index: min, cells })
    }

    /// The rows handed out (`rows`) and any still held (a column walk cut off by a failed
    /// request) as one [`Table`].
    pub fn into_table(self, mut rows: Vec<Row>) -> Table {
        rows.extend(self.rows);
        Table { entry: self.entry, columns: self.columns, rows, extra_columns: self.extra, names: Vec::new() }
    }
}

impl Procedure for TableWalk {
    type Item = Row;

    fn request(&self) -> Option<Request> {
        TableWalk::request(self)
    }

    fn on_response(&mut self, pdu: GenericPdu) -> Vec<Row> {
        TableWalk::on_response(self, pdu)
    }

    fn on_failure(&mut self, error: Error) {
        TableWalk::on_failure(self, error);
    }

    fn take_error(&mut self) -> Option<WalkError> {
        TableWalk::take_error(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::test_support::{oid, response};

    fn int(s: &str, v: i32) -> VarBind {
        VarBind::new(oid(s), Value::Integer(v))
    }

    fn cells(row: &Row) -> Vec<Option<i32>> {
        row.cells
            .iter()
            .map(|c| c.as_ref().map(|v| if let Value::Integer(i) = v { *i } else { -1 }))
            .collect()
    }

    #[test]
    fn bulk_assembles_sparse_rows_in_walk_order() {
        let opts = TableOptions { columns: vec![1, 2, 3], ..TableOptions::bulk(10) };
        let mut t = TableWalk::new(oid("1.3.6.9.1"), opts);
        assert!(matches!(t.request().unwrap().operation, Operation::GetBulk { max_repetitions: 10, .. }));
        // Column 1 has rows 1 and 3; column 2 has row 2 only; column 4 is not in the MIB.
        let rows = t.on_response(response(
            0,
            vec![
                int("1.3.6.9.1.1.1", 11),
                int("1.3.6.9.1.1.3", 13),
                int("1.3.6.9.1.2.2", 22),
                int("1.3.6.9.1.3.1", 31),
                int("1.3.6.9.1.4.1", 41),
            ],
        ));
        assert!(rows.is_empty(), "rows come out at the end of a column walk");
        let rows = t.on_response(response(0, vec![int("1.3.6.9.2.1", 0)]));
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].index, oid("1"));
        assert_eq!(cells(&rows[0]), vec![Some(11), None, Some(31)]);
        assert_eq!(rows[1].index, oid("3"));
        assert_eq!(cells(&rows[1]), vec![Some(13), None, None]);
        assert_eq!(rows[2].index, oid("2"));
        assert_eq!(cells(&rows[2]), vec![None, Some(22), None]);
        assert_eq!(t.extra_columns(), &[4]);
        assert_eq!(t.end(), Some(&WalkEnd::SubtreeEnd));
        assert!(t.request().is_none());
    }

    #[test]
    fn columns_are_discovered_when_none_are_given() {
        let mut t = TableWalk::new(oid("1.3.6.9.1"), TableOptions::bulk(5));
        let rows = t.on_response(response(
            0,
            vec![
                int("1.3.6.9.1.3.1", 31),
                int("1.3.6.9.1.3.2", 32),
                int("1.3.6.9.1.5.2", 52),
                VarBind::new(oid("1.3.6.9.1.5.2"), Value::EndOfMibView),
            ],
        ));
        assert_eq!(t.columns(), &[3, 5]);
        assert_eq!(
            rows.iter().map(cells).collect::<Vec<_>>(),
            vec![vec![Some(31), None], vec![Some(32), Some(52)]]
        );
        assert_eq!(t.end(), Some(&WalkEnd::Exception));
    }

    #[test]
    fn get_next_rows_handle_sparse_columns() {
        let opts =
            TableOptions { columns: vec![1, 2], method: TableMethod::GetNextRows, check_increasing: true };
        let mut t = TableWalk::new(oid("1.3.6.9.1"), opts);
        let r = t.request().unwrap();
        assert_eq!(r.operation, Operation::GetNext);
        assert_eq!(
            r.varbinds.iter().map(|v| v.oid.to_string()).collect::<Vec<_>>(),
            ["1.3.6.9.1.1", "1.3.6.9.1.2"]
        );
        // Column 2 has no row 1: its answer (row 2) waits for the next round.
        let rows = t.on_response(response(0, vec![int("1.3.6.9.1.1.1", 11), int("1.3.6.9.1.2.2", 22)]));
        assert_eq!(cells(&rows[0]), vec![Some(11), None]);
        let r = t.request().unwrap();
        assert_eq!(r.varbinds[1].oid, oid("1.3.6.9.1.2.1"));
        let rows = t.on_response(response(0, vec![int("1.3.6.9.1.1.2", 12), int("1.3.6.9.1.2.2", 22)]));
        assert_eq!((rows[0].index.clone(), cells(&rows[0])), (oid("2"), vec![Some(12), Some(22)]));
        // Column 1 ends; column 2 goes on alone.
        let rows = t.on_response(response(0, vec![int("1.3.6.9.1.2.1", 0), int("1.3.6.9.1.2.7", 27)]));
        assert_eq!((rows[0].index.clone(), cells(&rows[0])), (oid("7"), vec![None, Some(27)]));
        assert_eq!(t.request().unwrap().varbinds.len(), 1);
        assert!(t.on_response(response(0, vec![int("1.3.6.9.2.1", 0)])).is_empty());
        assert_eq!(t.end(), Some(&WalkEnd::SubtreeEnd));
        assert!(t.is_done());
    }

    #[test]
    fn get_next_rows_errors() {
        let opts =
            TableOptions { columns: vec![1], method: TableMethod::GetNextRows, check_increasing: true };
        let mut t = TableWalk::new(oid("1.3.6.9.1"), opts.clone());
        t.on_response(response(0, vec![int("1.3.6.9.1.1.5", 1)]));
        assert!(t.on_response(response(0, vec![int("1.3.6.9.1.1.4", 1)])).is_empty());
        assert_eq!(
            t.take_error(),
            Some(WalkError::NotIncreasing { previous: oid("1.3.6.9.1.1.5"), next: oid("1.3.6.9.1.1.4") })
        );
        let mut t = TableWalk::new(oid("1.3.6.9.1"), opts.clone());
        t.on_response(response(2, vec![int("1.3.6.9.1.1", 0)]));
        assert_eq!(t.end(), Some(&WalkEnd::NoSuchName));
        let mut t = TableWalk::new(oid("1.3.6.9.1"), opts);
        t.on_failure(Error::Timeout { attempts: 1 });
        assert!(matches!(t.take_error(), Some(WalkError::Request { .. })));
        assert!(t.request().is_none());
        // A column walk cut off by a timeout keeps the rows it had for the partial table.
        let mut t = TableWalk::new(oid("1.3.6.9.1"), TableOptions::bulk(2));
        assert!(
            t.on_response(response(0, vec![int("1.3.6.9.1.1.1", 11), int("1.3.6.9.1.1.2", 12)])).is_empty()
        );
        t.on_failure(Error::Timeout { attempts: 1 });
        assert!(matches!(t.take_error(), Some(WalkError::Request { .. })));
        assert_eq!(t.into_table(Vec::new()).rows.len(), 2);
    }

    #[test]
    fn bulk_columns_walk_each_column_in_one_request() {
        let opts =
            TableOptions { columns: vec![2, 8], method: TableMethod::BulkColumns(2), check_increasing: true };
        let mut t = TableWalk::new(oid("1.3.6.9.1"), opts);
        let r = t.request().unwrap();
        assert_eq!(r.operation, Operation::GetBulk { non_repeaters: 0, max_repetitions: 2 });
        assert_eq!(
            r.varbinds.iter().map(|v| v.oid.to_string()).collect::<Vec<_>>(),
            ["1.3.6.9.1.2", "1.3.6.9.1.8"]
        );
        // Interleaved by repetition. Column 8 has no row 1 (sparse): its first two are 2 and 3.
        let rows = t.on_response(response(
            0,
            vec![
                int("1.3.6.9.1.2.1", 21),
                int("1.3.6.9.1.8.2", 82),
                int("1.3.6.9.1.2.2", 22),
                int("1.3.6.9.1.8.3", 83),
            ],
        ));
        assert!(rows.is_empty());
        let r = t.request().unwrap();
        assert_eq!(
            r.varbinds.iter().map(|v| v.oid.to_string()).collect::<Vec<_>>(),
            ["1.3.6.9.1.2.2", "1.3.6.9.1.8.3"]
        );
        // Column 2 has row 3 and then leaves; column 8 ends in the first repetition; the
        // answer is cut short after three varbinds.
        let rows = t.on_response(response(
            0,
            vec![int("1.3.6.9.1.2.3", 23), int("1.3.6.9.1.9.1", 91), int("1.3.6.9.1.3.1", 31)],
        ));
        assert!(rows.is_empty() || t.is_done());
        let mut all = rows;
        while let Some(r) = t.request() {
            assert_eq!(r.varbinds.len(), 1, "only the unfinished column is asked again");
            all.extend(t.on_response(response(0, vec![int("1.3.6.9.1.3.1", 31)])));
        }
        assert_eq!(t.end(), Some(&WalkEnd::SubtreeEnd));
        let got: Vec<(String, Vec<Option<i32>>)> =
            all.iter().map(|r| (r.index.to_string(), cells(r))).collect();
        assert_eq!(
            got,
            [
                ("1".to_string(), vec![Some(21), None]),
                ("2".to_string(), vec![Some(22), Some(82)]),
                ("3".to_string(), vec![Some(23), Some(83)]),
            ]
        );
    }

    #[test]
    fn bulk_columns_errors_end_every_column() {
        let opts =
            TableOptions { columns: vec![1, 2], method: TableMethod::BulkColumns(5), check_increasing: true };
        let mut t = TableWalk::new(oid("1.3.6.9.1"), opts.clone());
        t.on_response(response(0, vec![int("1.3.6.9.1.1.5", 1), int("1.3.6.9.1.2.5", 2)]));
        let rows = t.on_response(response(0, vec![int("1.3.6.9.1.1.4", 1), int("1.3.6.9.1.2.6", 2)]));
        assert!(matches!(t.take_error(), Some(WalkError::NotIncreasing { .. })));
        // What was read before the error, the offending cell included (as snmpwalk prints it).
        let got: Vec<String> = rows.iter().map(|r| r.index.to_string()).collect();
        assert_eq!(got, ["5", "4", "6"]);
        assert!(t.request().is_none());
        let mut t = TableWalk::new(oid("1.3.6.9.1"), opts);
        t.on_failure(Error::Timeout { attempts: 1 });
        assert!(matches!(t.take_error(), Some(WalkError::Request { .. })));
    }
}
