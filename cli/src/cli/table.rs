//! `snmpctl table`: a conceptual table as rows, printed as `snmptable` prints it, or as JSON
//! rows.
//!
//! The columns come from the MIB (the entry's accessible columns, as snmptable takes them).
//! Where snmptable gives up ("Was that a table?": the table is not in a loaded MIB, the OID
//! names the entry rather than the table, or `-On`), snmpctl reads the table anyway: the entry
//! is taken from the MIB when the OID names it, and the columns are found from the agent's
//! answers, named by number.

use super::get::parse_oid;
use super::progress::Progress;
use super::snmp::{self, SnmpArgs};
use super::{EXIT_OK, Format, GlobalArgs};
use anyhow::{Context as _, bail};
use serde_json::json;
use snmpctl::client::{Row, TableMethod, TableOptions, TableWalk, WalkEnd, WalkError};
use snmpctl::format::json;
use snmpctl::format::output::{self, OidFormat, OutputOptions};
use snmpctl::format::table::{Layout, TextRow, TextTable, brief};
use snmpctl::mib::Tree;
use snmpctl::value::{Oid, VarBind};
use std::process::ExitCode;

// Arguments of `snmpctl table`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub(super) snmp: SnmpArgs,
    /// Command options, as snmptable's -C: b (brief column names), B (GetNext, not GetBulk),
    /// c N (columns N characters wide), f SEP (cells separated by SEP), h (headers only), H
    /// (no headers), i (the index first), l (left-justified), r N (max-repetitions; rows per
    /// chunk with GetNext), w N (parts at most N characters wide). As in snmptable, the
    /// numbers and SEP are the next word (`-Cf ,`); attached (`-Cr20`) works too.
    #[arg(short = 'C', long = "command-options", value_name = "OPTS", allow_hyphen_values = true)]
    command_options: Vec<String>,
    /// The agent: [udp:|udp6:|tcp:|tcp6:]host[:port].
    agent: String,
    /// The table: a name (`IF-MIB::ifTable`, `ifTable`) or a numeric OID; its entry works too.
    table: String,
}

/// The letters of snmptable's -C that take the next word as their value.
const VALUE_LETTERS: &str = "cfrw";
/// Every letter of snmptable's -C.
const LETTERS: &str = "bBcfhHilrw";

/// snmptable's `-C` letters: `-Cf ,` and `-Cif ,` take the next word as the value, as
/// snmptable does; `-Cr20` and `-Cf,` (the value attached) are read as the user meant. Each
/// letter becomes its own `-C` argument, with its value attached.
pub fn split_table_options(args: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        // `-C LETTERS` (two words) reads as `-CLETTERS`, as getopt gives it to snmptable.
        let letters = match a.strip_prefix("-C") {
            Some("") => match it.next() {
                Some(next) => next,
                None => {
                    out.push(a);
                    continue;
                }
            },
            Some(l) => l.to_owned(),
            None => {
                out.push(a);
                continue;
            }
        };
        let chars: Vec<char> = letters.chars().collect();
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            i = i.saturating_add(1);
            let rest: String = chars.get(i..).unwrap_or(&[]).iter().collect();
            if VALUE_LETTERS.contains(c) {
                let attached = if c == 'f' {
                    !rest.is_empty() && !rest.chars().all(|r| LETTERS.contains(r))
                } else {
                    rest.starts_with(|r: char| r.is_ascii_digit())
                };
                let value = if attached {
                    i = chars.len();
                    rest
                } else {
                    it.next().unwrap_or_default()
                };
                out.push("-C".into());
                out.push(format!("{c}{value}"));
            } else {
                out.push("-C".into());
                out.push(c.to_string());
            }
        }
    }
    out
}

/// The parsed -C options.
#[derive(Debug, Default)]
struct TableFlags {
    layout: Layout,
    brief: bool,
    get_next: bool,
    repetitions: Option<u32>,
}

fn parse_flags(values: &[String]) -> anyhow::Result<TableFlags> {
    let mut f = TableFlags { layout: Layout { headers: true, ..Layout::default() }, ..TableFlags::default() };
    for v in values {
        let mut chars = v.chars();
        let Some(c) = chars.next() else { continue };
        let value: String = chars.collect();
        let number = |what: &str| -> anyhow::Result<usize> {
            value
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .with_context(|| format!("-C{c} needs a number ({what}), as in -C{c} 20; got {value:?}"))
        };
        match c {
            'b' => f.brief = true,
            'B' => f.get_next = true,
            'h' => f.layout.headers_only = true,
            'H' => f.layout.headers = false,
            'i' => f.layout.show_index = true,
            'l' => f.layout.left = true,
            'f' => f.layout.separator = Some(value),
            'c' => {
                let n = number("the column width")?;
                if n <= 2 {
                    bail!("-Cc {n}: a column must be at least 3 characters wide");
                }
                f.layout.column_width = Some(n);
            }
            'w' => f.layout.max_width = Some(number("the width of a part")?),
            'r' => f.repetitions = Some(u32::try_from(number("max-repetitions")?).unwrap_or(u32::MAX)),
            other => bail!("-C{other}: not an option of table (it takes -C with {LETTERS})"),
        }
    }
    Ok(f)
}

/// What the MIB says about the table: its OID, its entry and the accessible columns.
struct Shape {
    table: Oid,
    entry: Oid,
    /// (sub-identifier, name); empty: discovered from the agent.
    columns: Vec<(u32, String)>,
}

fn shape(tree: Option<&Tree>, oid: &Oid) -> anyhow::Result<Shape> {
    match tree.and_then(|t| t.table_shape(oid.arcs())) {
        Some(found) => {
            let entry = Oid::new(&found.entry)?;
            let table = Oid::new(entry.arcs().get(..entry.len().saturating_sub(1)).unwrap_or(&[]))?;
            Ok(Shape { table, entry, columns: found.columns })
        }
        None => Ok(Shape {
            table: oid.clone(),
            entry: oid.join(&[1]).context("the table OID is too long")?,
            columns: Vec::new(),
        }),
    }
}

/// snmptable prints values in quick mode, and `-Oq` / `-OQ` toggle it off again.
fn table_output_options(snmp: &SnmpArgs, format: Format) -> anyhow::Result<OutputOptions<'static>> {
    let mut o = snmp.output_options_for(format)?;
    let toggles = snmp.output_letters().chars().filter(|c| matches!(c, 'q' | 'Q')).count();
    o.quick = toggles % 2 == 0;
    o.quick_equals = false;
    Ok(o)
}

/// The index of a row as snmptable prints it: the printed name of an instance, after the
/// column name (or from the first `[` under `-OX`).
fn index_text(instance: &Oid, index: &Oid, title: &str, options: &OutputOptions) -> String {
    let name = output::oid_name(instance, options);
    let after_dot = |s: &str| s.split_once('.').map(|(_, r)| r.to_owned());
    let found = if options.extended_index {
        name.find('[').and_then(|i| name.get(i..)).map(str::to_owned)
    } else {
        match options.oid_format {
            OidFormat::Module => name.split_once("::").and_then(|(_, r)| after_dot(r)),
            OidFormat::Suffix => after_dot(&name),
            _ => name.get(title.len().saturating_add(1)..).and_then(after_dot).and_then(|r| after_dot(&r)),
        }
    };
    found.unwrap_or_else(|| index.to_string())
}

/// The OID of a row's cell in `column`.
fn instance(entry: &Oid, column: u32, index: &Oid) -> Oid {
    let mut arcs = entry.arcs().to_vec();
    arcs.push(column);
    arcs.extend_from_slice(index.arcs());
    Oid::new(&arcs).unwrap_or_else(|_| entry.clone())
}

/// A row's index as snmptable prints it, from the name of its first cell.
fn row_index(row: &Row, columns: &[u32], entry: &Oid, title: &str, options: &OutputOptions) -> String {
    let first = row.cells.iter().zip(columns).find(|(c, _)| c.is_some()).map_or(0, |(_, col)| *col);
    index_text(&instance(entry, first, &row.index), &row.index, title, options)
}

/// The rows as text: each cell printed as snmptable prints values (new lines as spaces).
fn text_rows(
    rows: &[Row],
    columns: &[u32],
    entry: &Oid,
    title: &str,
    options: &OutputOptions,
) -> Vec<TextRow> {
    rows.iter()
        .map(|row| {
            let cells = row
                .cells
                .iter()
                .zip(columns)
                .map(|(cell, col)| {
                    cell.as_ref().map(|v| {
                        let mut s = String::new();
                        output::write_value_of(&mut s, &instance(entry, *col, &row.index), v, options);
                        s.replace('\n', " ")
                    })
                })
                .collect();
            TextRow { index: row_index(row, columns, entry, title, options), cells }
        })
        .collect()
}

pub fn run(global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    let flags = parse_flags(&args.command_options)?;
    let tree = args.snmp.mib.load();
    let options = table_output_options(&args.snmp, global.format)?;
    let oid = parse_oid(&args.table)?;
    let shape = shape(tree, &oid)?;
    let title = output::oid_name(&shape.table, &options);
    let numeric = options.oid_format == OidFormat::Numeric;
    let label = |(subid, name): &(u32, String)| if numeric { subid.to_string() } else { name.clone() };
    let v1 = args.snmp.snmp_version == snmp::SnmpVersion::V1;
    let get_next = v1 || flags.get_next;
    let repetitions = flags.repetitions.unwrap_or(10);
    let table_options = TableOptions {
        columns: shape.columns.iter().map(|(s, _)| *s).collect(),
        method: if get_next { TableMethod::GetNextRows } else { TableMethod::Bulk(repetitions) },
        check_increasing: true,
    };
    // snmptable prints GetNext tables in chunks of -Cr rows (all at once under -Cw).
    let chunk = if get_next
        && !shape.columns.is_empty()
        && !(flags.layout.max_width.is_some() && flags.layout.column_width.is_none())
    {
        usize::try_from(repetitions).unwrap_or(usize::MAX)
    } else {
        usize::MAX
    };
    let mut labels: Vec<String> = shape.columns.iter().map(label).collect();
    if flags.brief {
        brief(&mut labels);
    }
    let mut text = TextTable::new(flags.layout.clone(), title.clone(), labels);
    let mut out = String::new();
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    let progress = Progress::start(!global.no_progress && !flags.layout.headers_only, "rows", None);
    let mut emit = |s: &mut String| {
        let ok = progress.write_out(&mut lock, s);
        s.clear();
        ok
    };
    if flags.layout.headers_only && global.format == Format::Text {
        text.write_chunk(&mut out, &[]);
        text.finish(&mut out, 0, false);
        emit(&mut out);
        return Ok(ExitCode::from(EXIT_OK));
    }

    let runtime = snmp::runtime()?;
    let (all_rows, columns, extra, failure, end, total) = runtime.block_on(async {
        let (client, _) = snmp::connect_sequential(&args.agent, &args.snmp).await?;
        let mut walker = client.table_with(shape.entry.clone(), table_options);
        // The requests run in a task of their own, which the answers wake directly (waking the
        // runtime's main future costs a system call each); each batch of rows comes here with
        // the columns and end as they stand.
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let requests = tokio::spawn(async move {
            loop {
                let batch = walker.next_batch().await;
                let more = matches!(batch, Some(Ok(_)));
                let state: &TableWalk = walker.state();
                if tx.send((batch, state.columns().to_vec(), state.end().cloned())).is_err() || !more {
                    return walker;
                }
            }
        });
        let mut kept: Vec<Row> = Vec::new();
        let mut pending: Vec<Row> = Vec::new();
        let mut failure = None;
        let mut total = 0u64;
        let mut printed_end = false;
        while let Some((batch, columns, end)) = rx.recv().await {
            let finished = match batch {
                Some(Ok(rows)) => {
                    let n = u64::try_from(rows.len()).unwrap_or(0);
                    total = total.saturating_add(n);
                    progress.inc(n);
                    pending.extend(rows);
                    false
                }
                Some(Err(e)) => {
                    failure = Some(e);
                    break;
                }
                None => true,
            };
            if global.format != Format::Text {
                kept.append(&mut pending);
            } else if !shape.columns.is_empty()
                && (pending.len() >= chunk || (finished && !pending.is_empty()))
            {
                if end == Some(WalkEnd::NoSuchName) && !printed_end {
                    printed_end = true;
                    out.push_str("End of MIB\n");
                }
                let rows = text_rows(&pending, &columns, &shape.entry, &title, &options);
                text.write_chunk(&mut out, &rows);
                pending.clear();
                if !emit(&mut out) {
                    break;
                }
            }
            if finished {
                break;
            }
        }
        drop(rx);
        let walker = requests.await.context("the table task")?;
        kept.append(&mut pending);
        let state = walker.state();
        if global.format == Format::Text && state.end() == Some(&WalkEnd::NoSuchName) && !printed_end {
            out.push_str("End of MIB\n");
        }
        anyhow::Ok((
            kept,
            state.columns().to_vec(),
            state.extra_columns().to_vec(),
            failure,
            state.end().cloned(),
            total,
        ))
    })?;

    // The last rows are laid out and printed below, with nothing more to count.
    progress.finish();
    let code = super::walk::exit_code(failure.as_ref());
    match global.format {
        Format::Text => {
            if let Some(e) = &failure {
                emit(&mut out);
                eprint!("{}", report(e, &args.agent, &options, get_next));
                return Ok(ExitCode::from(code));
            }
            if shape.columns.is_empty() && !all_rows.is_empty() {
                // Columns found from the answers: laid out once all rows are in.
                let mut labels: Vec<String> = columns.iter().map(u32::to_string).collect();
                if flags.brief {
                    brief(&mut labels);
                }
                text = TextTable::new(flags.layout.clone(), title.clone(), labels);
                let rows = text_rows(&all_rows, &columns, &shape.entry, &title, &options);
                text.write_chunk(&mut out, &rows);
            }
            text.finish(&mut out, total, !extra.is_empty());
            emit(&mut out);
        }
        Format::Json | Format::Ndjson => {
            // Names and displayed values as -O asks (not in snmptable's quick mode).
            let json_options = args.snmp.output_options()?;
            let names: Vec<String> = if shape.columns.is_empty() {
                columns.iter().map(u32::to_string).collect()
            } else {
                shape.columns.iter().map(|(_, n)| n.clone()).collect()
            };
            let rows = all_rows.iter().map(|row| {
                let index = row_index(row, &columns, &shape.entry, &title, &options);
                row_json(row, &index, &columns, &names, &shape.entry, &json_options)
            });
            if global.format == Format::Ndjson {
                for r in rows {
                    out.push_str(&r.to_string());
                    out.push('\n');
                }
                if let Some(e) = &failure {
                    out.push_str(&format!("{}\n", json!({"error": e.to_string()})));
                }
            } else {
                let doc = json!({
                    "table": title,
                    "oid": shape.table.to_string(),
                    "entry": shape.entry.to_string(),
                    "columns": columns.iter().zip(&names).map(|(c, n)| json!({"name": n, "subid": c})).collect::<Vec<_>>(),
                    "rows": rows.collect::<Vec<_>>(),
                    "count": total,
                    "extra_columns": extra,
                    "end": end.as_ref().map(super::walk::end_name),
                    "error": failure.as_ref().map(ToString::to_string),
                });
                out.push_str(&doc.to_string());
                out.push('\n');
            }
            emit(&mut out);
        }
    }
    Ok(ExitCode::from(code))
}

/// One row as JSON: `{"index": text, "index_oid": dotted, "cells": {name: varbind | null}}`.
fn row_json(
    row: &Row,
    index: &str,
    columns: &[u32],
    names: &[String],
    entry: &Oid,
    options: &OutputOptions,
) -> serde_json::Value {
    let cells: serde_json::Map<String, serde_json::Value> = row
        .cells
        .iter()
        .zip(columns)
        .zip(names)
        .map(|((cell, col), name)| {
            let v = cell.as_ref().map_or(serde_json::Value::Null, |v| {
                json::varbind_named(&VarBind::new(instance(entry, *col, &row.index), v.clone()), options)
            });
            (name.clone(), v)
        })
        .collect();
    json!({"index": index, "index_oid": row.index.to_string(), "cells": cells})
}

/// What snmptable prints on stderr when reading the table fails.
fn report(e: &WalkError, agent: &str, options: &OutputOptions, get_next: bool) -> String {
    match e {
        WalkError::Agent { pdu } => {
            let mut s = format!("Error in packet.\nReason: {}\n", output::error_reason(pdu.error_status));
            let failed = usize::try_from(pdu.error_index)
                .ok()
                .and_then(|i| i.checked_sub(1))
                .and_then(|i| pdu.varbinds.get(i));
            if get_next && pdu.error_index != 0 {
                s.push_str("Failed object: ");
                // snmptable prints the OID with its own line end, then one more.
                if let Some(vb) = failed {
                    output::write_oid(&mut s, &vb.oid, options);
                    s.push('\n');
                }
                s.push('\n');
            }
            s
        }
        other => super::walk::report(other, agent, options),
    }
}

#[cfg(test)]
mod tests {
    use super::split_table_options;

    fn split(args: &[&str]) -> Vec<String> {
        split_table_options(args.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn value_letters_take_the_next_word_or_what_is_attached() {
        assert_eq!(split(&["-Cif", ",", "-Cr20"]), ["-C", "i", "-C", "f,", "-C", "r20"]);
        assert_eq!(split(&["-Cf,", "-Cw", "80", "-Cbi"]), ["-C", "f,", "-C", "w80", "-C", "b", "-C", "i"]);
        assert_eq!(split(&["-C", "f", " | ", "-v2c"]), ["-C", "f | ", "-v2c"]);
        assert_eq!(split(&["-Cfi", ";"]), ["-C", "f;", "-C", "i"]);
    }
}
