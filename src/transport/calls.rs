//! The everyday calls of [`Client`]: names or OIDs in, varbinds out, the agent's error-status
//! as an [`Error`].

use super::{Client, Walker};
use crate::Error;
use crate::client::{Operation, Request, Table, TableMethod, TableOptions, WalkError, WalkOptions};
use crate::mib::IntoOid;
use crate::msg::{ErrorStatus, GenericPdu};
use crate::value::{Oid, Value, VarBind};

/// A walk or table that failed midway: what it read before, and why it stopped.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{error} (after {} items)", items.len())]
pub struct PartialWalk<T = VarBind> {
    /// What was read before the error.
    pub items: Vec<T>,
    /// Why it stopped.
    pub error: WalkError,
}

impl<T> From<PartialWalk<T>> for Error {
    fn from(p: PartialWalk<T>) -> Error {
        p.error.into()
    }
}

/// The varbinds of a Response, or its error-status as [`Error::Agent`].
fn answer(pdu: GenericPdu) -> Result<Vec<VarBind>, Error> {
    if pdu.error_status == ErrorStatus::NO_ERROR { Ok(pdu.varbinds) } else { Err(Error::agent(&pdu)) }
}

impl Client {
    fn oids<I>(&self, oids: I) -> Result<Vec<VarBind>, Error>
    where
        I: IntoIterator,
        I::Item: IntoOid,
    {
        let mib = self.mib();
        oids.into_iter().map(|o| Ok(VarBind::null(o.into_oid(mib)?))).collect()
    }

    async fn call(&self, operation: Operation, varbinds: Vec<VarBind>) -> Result<Vec<VarBind>, Error> {
        answer(self.request(Request { operation, varbinds }).await?)
    }

    /// Gets the values of `oids` (names such as `"sysName.0"`, `"IF-MIB::ifDescr.3"`, or
    /// [`Oid`]s). An object the agent does not have comes back as a noSuchObject or
    /// noSuchInstance value (v2c, v3) or as [`Error::Agent`] with `noSuchName` (v1). A Get
    /// the agent finds too big is asked again in halves.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), snmpctl::Error> {
    /// let client = snmpctl::Client::v2c("10.0.0.1", "public").connect().await?;
    /// for vb in client.get(["sysDescr.0", "sysUpTime.0", "sysName.0"]).await? {
    ///     println!("{vb}"); // SNMPv2-MIB::sysName.0 = STRING: core-rtr-1
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Name`] before anything is sent; [`Error::Timeout`], [`Error::Agent`],
    /// [`Error::Session`] after.
    pub async fn get<I>(&self, oids: I) -> Result<Vec<VarBind>, Error>
    where
        I: IntoIterator,
        I::Item: IntoOid,
    {
        self.call(Operation::Get, self.oids(oids)?).await
    }

    /// The value of one object.
    ///
    /// ```no_run
    /// # async fn run(client: snmpctl::Client) -> Result<(), snmpctl::Error> {
    /// let name = client.get_value("sysName.0").await?;
    /// println!("{}", name.as_str().unwrap_or("(not text)"));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Client::get`].
    pub async fn get_value(&self, oid: impl IntoOid) -> Result<Value, Error> {
        let vb = self.get([oid]).await?.into_iter().next();
        Ok(vb.ok_or_else(empty_answer)?.value)
    }

    /// GetNext: the next object after each of `oids`.
    ///
    /// # Errors
    /// As [`Client::get`].
    pub async fn get_next<I>(&self, oids: I) -> Result<Vec<VarBind>, Error>
    where
        I: IntoIterator,
        I::Item: IntoOid,
    {
        self.call(Operation::GetNext, self.oids(oids)?).await
    }

    /// GetBulk (v2c, v3): the first `non_repeaters` OIDs once, then up to `max_repetitions`
    /// successors of each of the others, interleaved as the agent sends them.
    ///
    /// # Errors
    /// As [`Client::get`].
    pub async fn get_bulk<I>(
        &self,
        non_repeaters: u32,
        max_repetitions: u32,
        oids: I,
    ) -> Result<Vec<VarBind>, Error>
    where
        I: IntoIterator,
        I::Item: IntoOid,
    {
        self.call(Operation::GetBulk { non_repeaters, max_repetitions }, self.oids(oids)?).await
    }

    /// Sets objects to values: text and bytes are sent as OCTET STRINGs, `i32`s as INTEGERs,
    /// [`Oid`]s as OBJECT IDENTIFIERs; other types as their [`Value`] variant
    /// (`Value::Gauge32(7)`). Returns the agent's answer.
    ///
    /// ```no_run
    /// # async fn run(client: snmpctl::Client) -> Result<(), snmpctl::Error> {
    /// client.set([("sysName.0", "core-rtr-1"), ("sysLocation.0", "rack 4")]).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Client::get`]; a refused Set is [`Error::Agent`] (`notWritable`, `wrongType`, …).
    pub async fn set<I, N, V>(&self, varbinds: I) -> Result<Vec<VarBind>, Error>
    where
        I: IntoIterator<Item = (N, V)>,
        N: IntoOid,
        V: Into<Value>,
    {
        let mib = self.mib();
        let varbinds = varbinds
            .into_iter()
            .map(|(n, v)| Ok(VarBind::new(n.into_oid(mib)?, v.into())))
            .collect::<Result<Vec<_>, Error>>()?;
        self.call(Operation::Set, varbinds).await
    }

    /// Sets one object from text typed by the MIB, as `snmpset`'s `=` type: enumeration
    /// labels (`"down"`), DISPLAY-HINT forms (`"0:c:29:1a:2b:3c"`), numbers for counters and
    /// gauges, OID names. The text is checked against the object's enumerations, ranges and
    /// sizes before anything is sent.
    ///
    /// ```no_run
    /// # async fn run(client: snmpctl::Client) -> Result<(), snmpctl::Error> {
    /// client.set_text("IF-MIB::ifAdminStatus.3", "down").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Name`] for a name or a value the MIB refuses; then as [`Client::set`].
    pub async fn set_text(&self, oid: impl IntoOid, text: &str) -> Result<VarBind, Error> {
        let oid = oid.into_oid(self.mib())?;
        let value = self.mib().value(&oid, text)?;
        let answer = self.call(Operation::Set, vec![VarBind::new(oid, value)]).await?;
        answer.into_iter().next().ok_or_else(empty_answer)
    }

    /// Walks the subtree under `root`, as `snmpbulkwalk` on v2c and v3 (GetBulk with the
    /// builder's max-repetitions) and `snmpwalk` on v1 (GetNext). The walk ends at the end of
    /// the subtree, at endOfMibView, and at an agent whose OIDs do not increase (an error);
    /// varbinds stream out as answers arrive.
    ///
    /// ```no_run
    /// # async fn run(client: snmpctl::Client) -> Result<(), snmpctl::Error> {
    /// let mut walk = client.walk("IF-MIB::ifDescr")?;
    /// while let Some(vb) = walk.next().await {
    ///     println!("{}", vb?);
    /// }
    /// let all = client.walk("system")?.collect().await?; // or everything at once
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Name`] for a root that does not resolve; the walk's own errors come with its
    /// items.
    pub fn walk(&self, root: impl IntoOid) -> Result<Walker, Error> {
        let root = root.into_oid(self.mib())?;
        let options = if self.shared.v1 {
            WalkOptions::get_next()
        } else {
            WalkOptions::bulk(self.shared.max_repetitions)
        };
        Ok(self.walk_with(root, options))
    }

    /// Reads a table by name (`"IF-MIB::ifTable"`, `"ifXTable"`, its entry, or an OID): every
    /// accessible column the MIB gives it, rows keyed by index with named cells. A table no
    /// MIB describes is read too, its columns found from the agent and named by number.
    ///
    /// ```no_run
    /// # async fn run(client: snmpctl::Client) -> Result<(), snmpctl::Error> {
    /// let interfaces = client.table("IF-MIB::ifTable").await?;
    /// for row in interfaces.iter() {
    ///     let name = row.get("ifDescr").and_then(|v| v.as_str()).unwrap_or("?");
    ///     let octets = row.get("ifInOctets").and_then(|v| v.as_u64()).unwrap_or(0);
    ///     println!("{} {name} {octets}", row.index());
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Name`], or the error that stopped the read (the rows before it are dropped:
    /// [`Client::get_table`] keeps them).
    pub async fn table(&self, table: impl IntoOid) -> Result<Table, Error> {
        let oid = table.into_oid(self.mib())?;
        let (entry, columns) = match self.mib().table_shape(oid.arcs()) {
            Some(shape) => (Oid::new(&shape.entry).map_err(|e| name_error(&oid, e))?, shape.columns),
            None => (oid.join(&[1]).map_err(|e| name_error(&oid, e))?, Vec::new()),
        };
        let method = if self.shared.v1 {
            TableMethod::GetNextRows
        } else {
            TableMethod::Bulk(self.shared.max_repetitions)
        };
        let subids = columns.iter().map(|&(s, _)| s).collect();
        self.read_table(entry, TableOptions { columns: subids, method, check_increasing: true }, columns)
            .await
    }

    /// Reads only the named columns of one table (`["ifDescr", "ifOperStatus"]`): on v2c and
    /// v3 with GetBulk of those columns side by side (each walked on its own, so sparse tables
    /// come out right), on v1 with GetNext of every column at once, a row per request. For a
    /// few columns of a wide table.
    ///
    /// # Errors
    /// [`Error::Name`] when a name does not resolve or the columns are not of one table
    /// entry; then as [`Client::table`].
    pub async fn table_columns<I>(&self, columns: I) -> Result<Table, Error>
    where
        I: IntoIterator,
        I::Item: IntoOid,
    {
        let mut entry: Option<Oid> = None;
        let mut named = Vec::new();
        for c in columns {
            let oid = c.into_oid(self.mib())?;
            let mib = self.mib();
            let column = mib
                .find(oid.arcs())
                .filter(|&(_, depth)| depth == oid.len())
                .and_then(|(id, _)| mib.node(id));
            let in_row = column.and_then(|n| n.parent).and_then(|p| mib.node(p)).is_some_and(|r| r.is_row());
            let (Some(column), Some((&subid, parent)), true) = (column, oid.arcs().split_last(), in_row)
            else {
                return Err(name_error(&oid, "not a column of a table the MIB describes"));
            };
            let label = column.label.to_string();
            let parent = Oid::new(parent).map_err(|e| name_error(&oid, e))?;
            match &entry {
                Some(e) if *e != parent => {
                    return Err(name_error(&oid, format!("not a column of the entry {e}")));
                }
                _ => entry = Some(parent),
            }
            named.push((subid, label));
        }
        let Some(entry) = entry else { return Err(name_error(&Oid::empty(), "no columns given")) };
        let subids = named.iter().map(|&(s, _)| s).collect();
        let method = if self.shared.v1 {
            TableMethod::GetNextRows
        } else {
            TableMethod::BulkColumns(self.shared.max_repetitions)
        };
        let options = TableOptions { columns: subids, method, check_increasing: true };
        self.read_table(entry, options, named).await
    }

    async fn read_table(
        &self,
        entry: Oid,
        options: TableOptions,
        named: Vec<(u32, String)>,
    ) -> Result<Table, Error> {
        let (mut table, error) = self.get_table(entry, options).await;
        if let Some(e) = error {
            return Err(e.into());
        }
        table.names = table
            .columns
            .iter()
            .map(|c| named.iter().find(|(s, _)| s == c).map_or_else(|| c.to_string(), |(_, n)| n.clone()))
            .collect();
        Ok(table)
    }
}

/// An answer without the varbind asked for: the agent's fault, not a value to make up.
fn empty_answer() -> Error {
    Error::Walk(Box::new(WalkError::EmptyResponse))
}

fn name_error(oid: &Oid, problem: impl std::fmt::Display) -> Error {
    Error::Name(crate::mib::NameError { name: oid.to_string(), problem: problem.to_string() })
}
