//! `snmpctl df`: disk and memory space, as `snmpdf` prints it.
//!
//! From HOST-RESOURCES-MIB's hrStorageTable (description, allocation units, size, used), or with
//! `-Cu` from UCD-SNMP-MIB's dskTable (dskPath, dskTotal, dskUsed). As snmpdf computes them:
//! sizes in kB (size × allocation units / 1024, whole), the available space the size less the
//! used space (never below 0), the percentage from the table's own numbers, truncated. `-Ch`
//! and `-CH` print sizes with two decimals in powers of 1024 (kB, MiB, GiB, …) or 1000 (kB, MB,
//! GB, …), cut to nine characters as snmpdf cuts them.

use super::snmp::{self, SnmpArgs};
use super::{EXIT_OK, Format, GlobalArgs};
use snmpctl::value::{Oid, Value, VarBind};
use std::collections::BTreeMap;
use std::io::Write as _;
use std::process::ExitCode;

// Arguments of `snmpctl df`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub(super) snmp: SnmpArgs,
    /// Command options, as snmpdf's -C: u (UCD-SNMP-MIB's dskTable instead of hrStorageTable),
    /// h (sizes in KiB, MiB, GiB… with two decimals), H (in kB, MB, GB…).
    #[arg(short = 'C', long = "command-options", value_name = "OPTS")]
    command_options: Vec<String>,
    /// The agent: [udp:|udp6:|tcp:|tcp6:]host[:port].
    agent: String,
}

/// hrStorageEntry.
const HR_STORAGE_ENTRY: [u32; 10] = [1, 3, 6, 1, 2, 1, 25, 2, 3, 1];
/// dskEntry.
const DSK_ENTRY: [u32; 9] = [1, 3, 6, 1, 4, 1, 2021, 9, 1];

/// One row: what snmpdf prints.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    index: Vec<u32>,
    description: Vec<u8>,
    size_kb: u64,
    used_kb: u64,
    available_kb: u64,
    percent: u64,
}

/// A cell as a number (0 when missing or not a number), as snmpdf reads it.
fn number(v: Option<&Value>) -> u64 {
    v.and_then(Value::as_u64).unwrap_or(0)
}

/// The rows of a table's columns, by index: column number → value.
fn by_index(entry: &[u32], varbinds: Vec<VarBind>) -> BTreeMap<Vec<u32>, BTreeMap<u32, Value>> {
    let mut rows: BTreeMap<Vec<u32>, BTreeMap<u32, Value>> = BTreeMap::new();
    // A walk that reaches the end of the agent's MIB ends in endOfMibView, on the OID of the
    // last instance: not a value.
    for vb in varbinds.into_iter().filter(|vb| !vb.value.is_exception()) {
        let a = vb.oid.arcs();
        if let (true, Some(&column), Some(index)) =
            (a.starts_with(entry), a.get(entry.len()), a.get(entry.len().saturating_add(1)..))
        {
            rows.entry(index.to_vec()).or_default().insert(column, vb.value);
        }
    }
    rows
}

/// Rows from hrStorageTable columns 3 (descr), 4 (units), 5 (size), 6 (used).
fn storage_rows(table: BTreeMap<Vec<u32>, BTreeMap<u32, Value>>) -> Vec<Row> {
    table
        .into_iter()
        .filter(|(_, cells)| cells.contains_key(&3))
        .map(|(index, cells)| {
            let units = number(cells.get(&4));
            let (size, used) = (number(cells.get(&5)), number(cells.get(&6)));
            let kb = |n: u64| n.saturating_mul(units) / 1024;
            Row {
                index,
                description: match cells.get(&3) {
                    Some(Value::OctetString(s)) => s.clone(),
                    _ => Vec::new(),
                },
                size_kb: kb(size),
                used_kb: kb(used),
                available_kb: kb(size).saturating_sub(kb(used)),
                percent: used.saturating_mul(100).checked_div(size).unwrap_or(0),
            }
        })
        .collect()
}

/// Rows from dskTable columns 2 (dskPath), 6 (dskTotal, kB), 8 (dskUsed, kB).
fn disk_rows(table: BTreeMap<Vec<u32>, BTreeMap<u32, Value>>) -> Vec<Row> {
    table
        .into_iter()
        .filter(|(_, cells)| cells.contains_key(&2))
        .map(|(index, cells)| {
            let (size, used) = (number(cells.get(&6)), number(cells.get(&8)));
            Row {
                index,
                description: match cells.get(&2) {
                    Some(Value::OctetString(s)) => s.clone(),
                    _ => Vec::new(),
                },
                size_kb: size,
                used_kb: used,
                available_kb: size.saturating_sub(used),
                percent: used.saturating_mul(100).checked_div(size).unwrap_or(0),
            }
        })
        .collect()
}

/// A size in kB as `-Ch` (`si` false: powers of 1024) or `-CH` (powers of 1000) prints it:
/// two decimals and a unit, at most nine characters.
fn human(kb: u64, si: bool) -> String {
    let (divisor, units): (f64, [&str; 7]) = if si {
        (1000.0, ["kB", "MB", "GB", "TB", "PB", "EB", "ZB"])
    } else {
        (1024.0, ["kB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB"])
    };
    let mut value = kb as f64;
    let mut unit = units[0];
    for next in &units[1..] {
        if value < divisor {
            break;
        }
        value /= divisor;
        unit = next;
    }
    let mut text = format!("{value:.2}{unit}");
    text.truncate(9);
    text
}

pub fn run(global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    args.snmp.mib.load();
    let copts = super::get::CommandOptions::parse(&args.command_options, "uhH")?;
    let runtime = snmp::runtime()?;
    let client = runtime.block_on(snmp::connect_sequential(&args.agent, &args.snmp))?.0;
    let (entry, columns): (&[u32], &[u32]) =
        if copts.has('u') { (&DSK_ENTRY, &[2, 6, 8]) } else { (&HR_STORAGE_ENTRY, &[3, 4, 5, 6]) };
    let options = if args.snmp.snmp_version == snmp::SnmpVersion::V1 {
        snmpctl::client::WalkOptions::get_next()
    } else {
        snmpctl::client::WalkOptions::bulk(10)
    };
    let output_options = args.snmp.output_options_for(global.format)?;
    let mut varbinds = Vec::new();
    for column in columns {
        let mut arcs = entry.to_vec();
        arcs.push(*column);
        let root = Oid::new(&arcs)?;
        match runtime.block_on(client.walk_with(root, options.clone()).collect()) {
            Ok(vbs) => varbinds.extend(vbs),
            Err(partial) => {
                eprint!("{}", super::walk::report(&partial.error, &args.agent, &output_options));
                return Ok(ExitCode::from(super::walk::exit_code(Some(&partial.error))));
            }
        }
    }
    let table = by_index(entry, varbinds);
    let rows = if copts.has('u') { disk_rows(table) } else { storage_rows(table) };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match global.format {
        Format::Text => {
            let human_si = match (copts.has('h'), copts.has('H')) {
                (_, true) => Some(true),
                (true, false) => Some(false),
                _ => None,
            };
            let mut text = Vec::new();
            match human_si {
                Some(_) => writeln!(
                    text,
                    "{:<18} {:>10} {:>10} {:>10} {:>5}",
                    "Description", "Size", "Used", "Available", "Used%"
                )?,
                None => writeln!(
                    text,
                    "{:<18} {:>15} {:>15} {:>15} {:>5}",
                    "Description", "Size (kB)", "Used", "Available", "Used%"
                )?,
            }
            for r in &rows {
                // The description as the octets came, padded to 18 octets.
                text.extend_from_slice(&r.description);
                text.extend(std::iter::repeat_n(b' ', 18usize.saturating_sub(r.description.len())));
                match human_si {
                    Some(si) => write!(
                        text,
                        " {:>10} {:>10} {:>10}",
                        human(r.size_kb, si),
                        human(r.used_kb, si),
                        human(r.available_kb, si)
                    )?,
                    None => write!(text, " {:>15} {:>15} {:>15}", r.size_kb, r.used_kb, r.available_kb)?,
                }
                writeln!(text, " {:>4}%", r.percent)?;
            }
            out.write_all(&text)?;
        }
        Format::Json | Format::Ndjson => {
            let objects: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "index": r.index,
                        "description": String::from_utf8_lossy(&r.description),
                        "size_kb": r.size_kb,
                        "used_kb": r.used_kb,
                        "available_kb": r.available_kb,
                        "used_percent": r.percent,
                    })
                })
                .collect();
            if global.format == Format::Json {
                serde_json::to_writer(&mut out, &objects)?;
                writeln!(out)?;
            } else {
                for o in &objects {
                    serde_json::to_writer(&mut out, o)?;
                    writeln!(out)?;
                }
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::from(EXIT_OK))
}

#[cfg(test)]
mod tests {
    #[test]
    fn human_sizes_as_snmpdf_prints_them() {
        use super::human;
        assert_eq!(human(0, false), "0.00kB");
        assert_eq!(human(1000, false), "1000.00kB");
        assert_eq!(human(1200, false), "1.17MiB");
        assert_eq!(human(1000, true), "1.00MB");
        // 1023.99… TiB rounds up in the text but stays TiB, cut to nine characters.
        assert_eq!(human(1_099_511_626_752, false), "1024.00Ti");
        assert_eq!(human(2_199_023_254_528, false), "2.00PiB");
    }
}
