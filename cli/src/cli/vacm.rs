//! `snmpctl vacm`: an agent's access control (RFC 3415's VACM tables, and Net-SNMP's
//! nsVacmAccessTable), as `snmpvacm` sets it: one Set of the row's RowStatus (createAndGo, or
//! destroy) with its columns, and snmpvacm's messages.
//!
//! - `createSec2Group MODEL SECURITYNAME GROUP`, `deleteSec2Group MODEL SECURITYNAME`
//!   (vacmSecurityToGroupTable);
//! - `[-Ce] createView NAME SUBTREE [MASK]`, `deleteView NAME SUBTREE` (vacmViewTreeFamilyTable;
//!   `-Ce` excludes the subtree, MASK is hex like `ff:80`; without one, every sub-identifier
//!   counts);
//! - `createAccess GROUP [CONTEXTPREFIX] MODEL LEVEL CONTEXTMATCH READ WRITE NOTIFY`,
//!   `deleteAccess GROUP [CONTEXTPREFIX] MODEL LEVEL` (vacmAccessTable);
//! - `createAuth GROUP [CONTEXTPREFIX] MODEL LEVEL AUTHTYPE CONTEXTMATCH VIEW`,
//!   `deleteAuth GROUP [CONTEXTPREFIX] MODEL LEVEL AUTHTYPE` (nsVacmAccessTable: the views of
//!   snmpd's other authorization types, such as `log`, `execute`, `net`).
//!
//! MODEL is 1 (SNMPv1), 2 (SNMPv2c) or 3 (USM), LEVEL 1 (noAuthNoPriv), 2 (authNoPriv) or 3
//! (authPriv), CONTEXTMATCH 1 (exact) or 2 (prefix), as snmpvacm takes them.

use super::GlobalArgs;
use super::snmp::{self, SnmpArgs};
use anyhow::{Context as _, bail};
use snmpctl::value::{Oid, Value, VarBind};
use std::process::ExitCode;

// Arguments of `snmpctl vacm`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub(super) snmp: SnmpArgs,
    /// Command options, as snmpvacm's -C: e (createView: an excluded subtree).
    #[arg(short = 'C', long = "command-options", value_name = "OPTS")]
    command_options: Vec<String>,
    /// The agent: [udp:|udp6:|tcp:|tcp6:]host[:port].
    agent: String,
    /// createSec2Group, deleteSec2Group, createView, deleteView, createAccess, deleteAccess,
    /// createAuth, deleteAuth, and their arguments.
    #[arg(required = true, num_args = 1.., allow_hyphen_values = true)]
    command: Vec<String>,
}

/// vacmSecurityToGroupEntry, vacmAccessEntry, vacmViewTreeFamilyEntry, nsVacmAccessEntry.
const SEC2GROUP: [u32; 10] = [1, 3, 6, 1, 6, 3, 16, 1, 2, 1];
const ACCESS: [u32; 10] = [1, 3, 6, 1, 6, 3, 16, 1, 4, 1];
const VIEW: [u32; 11] = [1, 3, 6, 1, 6, 3, 16, 1, 5, 2, 1];
const NS_ACCESS: [u32; 11] = [1, 3, 6, 1, 4, 1, 8072, 1, 9, 1, 1];
const CREATE_AND_GO: i32 = 4;
const DESTROY: i32 = 6;

/// A string index part: its length, then its octets.
fn text(index: &mut Vec<u32>, s: &str) -> anyhow::Result<()> {
    index.push(u32::try_from(s.len())?);
    index.extend(s.bytes().map(u32::from));
    Ok(())
}

fn number(word: &str, what: &str) -> anyhow::Result<i32> {
    word.parse().with_context(|| format!("{what} {word:?}: a number"))
}

/// The cell `column` of `entry`'s row `index`.
fn cell(entry: &[u32], column: u32, index: &[u32]) -> anyhow::Result<Oid> {
    let mut arcs = entry.to_vec();
    arcs.push(column);
    arcs.extend(index);
    Ok(Oid::new(&arcs)?)
}

/// The index of a vacmAccessTable (or nsVacmAccessTable) row: group, context prefix, model,
/// level; `words` holds the prefix only when there are `with_prefix` words.
fn access_index(words: &[&str], with_prefix: usize) -> anyhow::Result<(Vec<u32>, usize)> {
    let (group, prefix, rest) = match words {
        [g, p, rest @ ..] if words.len() == with_prefix => (*g, *p, rest),
        [g, rest @ ..] => (*g, "", rest),
        [] => bail!("needs a GROUPNAME"),
    };
    let (Some(model), Some(level)) = (rest.first(), rest.get(1)) else {
        bail!("needs SECURITYMODEL and SECURITYLEVEL")
    };
    let mut index = Vec::new();
    text(&mut index, group)?;
    text(&mut index, prefix)?;
    index.push(u32::try_from(number(model, "SECURITYMODEL")?).context("SECURITYMODEL 1, 2 or 3")?);
    index.push(u32::try_from(number(level, "SECURITYLEVEL")?).context("SECURITYLEVEL 1, 2 or 3")?);
    Ok((index, words.len().saturating_sub(rest.len()).saturating_add(2)))
}

pub fn run(_global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    args.snmp.mib.load();
    let (late, command_words) = snmp::late_command_options(&args.command);
    let letters: String = args.command_options.concat() + &late.concat();
    if let Some(c) = letters.chars().find(|c| *c != 'e') {
        bail!("-C{c}: not an option of vacm (it takes -Ce)");
    }
    let exclude = letters.contains('e');
    let words: Vec<&str> = command_words.iter().map(String::as_str).collect();
    let Some((&command, rest)) = words.split_first() else { bail!("vacm needs a COMMAND") };
    let status = |entry: &[u32], column: u32, index: &[u32], value: i32| -> anyhow::Result<VarBind> {
        Ok(VarBind::new(cell(entry, column, index)?, Value::Integer(value)))
    };
    let (varbinds, done) = match (command, rest) {
        ("createSec2Group", [model, name, group]) => {
            let mut index = vec![u32::try_from(number(model, "MODEL")?)?];
            text(&mut index, name)?;
            let group = VarBind::new(cell(&SEC2GROUP, 3, &index)?, Value::from(*group));
            (vec![status(&SEC2GROUP, 5, &index, CREATE_AND_GO)?, group], "Sec2group successfully created.")
        }
        ("deleteSec2Group", [model, name]) => {
            let mut index = vec![u32::try_from(number(model, "MODEL")?)?];
            text(&mut index, name)?;
            (vec![status(&SEC2GROUP, 5, &index, DESTROY)?], "Sec2group successfully deleted.")
        }
        ("createView" | "deleteView", [name, subtree, mask @ ..])
            if mask.len() <= usize::from(command == "createView") =>
        {
            let subtree = super::get::parse_oid(subtree)?;
            let mut index = Vec::new();
            text(&mut index, name)?;
            index.push(u32::try_from(subtree.arcs().len())?);
            index.extend(subtree.arcs());
            if command == "deleteView" {
                (vec![status(&VIEW, 6, &index, DESTROY)?], "View successfully deleted.")
            } else {
                // Without a MASK, all ones: every sub-identifier of the subtree counts.
                let mask = match mask.first() {
                    Some(m) => {
                        let hex: String =
                            m.trim_start_matches("0x").chars().filter(|c| *c != ':' && *c != '.').collect();
                        snmpctl::hex::decode(&hex).with_context(|| format!("MASK {m:?}: hex, as ff:80"))?
                    }
                    None => vec![0xff; subtree.arcs().len().div_ceil(8)],
                };
                let family_type = if exclude { 2 } else { 1 };
                (
                    vec![
                        status(&VIEW, 6, &index, CREATE_AND_GO)?,
                        VarBind::new(cell(&VIEW, 3, &index)?, Value::OctetString(mask)),
                        VarBind::new(cell(&VIEW, 4, &index)?, Value::Integer(family_type)),
                    ],
                    "View successfully created.",
                )
            }
        }
        ("createAccess", _) => {
            let (index, used) = access_index(rest, 8)?;
            let [matching, read, write, notify] = rest.get(used..).unwrap_or(&[]) else {
                bail!(
                    "createAccess GROUPNAME [CONTEXTPREFIX] SECURITYMODEL SECURITYLEVEL CONTEXTMATCH READVIEWNAME WRITEVIEWNAME NOTIFYVIEWNAME"
                );
            };
            let mut v = vec![
                status(&ACCESS, 9, &index, CREATE_AND_GO)?,
                VarBind::new(cell(&ACCESS, 4, &index)?, Value::Integer(number(matching, "CONTEXTMATCH")?)),
            ];
            for (column, view) in [(5, read), (6, write), (7, notify)] {
                v.push(VarBind::new(cell(&ACCESS, column, &index)?, Value::from(*view)));
            }
            (v, "Access successfully created.")
        }
        ("deleteAccess", _) => {
            let (index, used) = access_index(rest, 4)?;
            if used != rest.len() {
                bail!("deleteAccess GROUPNAME [CONTEXTPREFIX] SECURITYMODEL SECURITYLEVEL");
            }
            (vec![status(&ACCESS, 9, &index, DESTROY)?], "Access successfully deleted.")
        }
        ("createAuth", _) => {
            let (mut index, used) = access_index(rest, 7)?;
            let [auth_type, matching, view] = rest.get(used..).unwrap_or(&[]) else {
                bail!(
                    "createAuth GROUPNAME [CONTEXTPREFIX] SECURITYMODEL SECURITYLEVEL AUTHTYPE CONTEXTMATCH VIEWNAME"
                );
            };
            text(&mut index, auth_type)?;
            (
                vec![
                    status(&NS_ACCESS, 5, &index, CREATE_AND_GO)?,
                    VarBind::new(
                        cell(&NS_ACCESS, 2, &index)?,
                        Value::Integer(number(matching, "CONTEXTMATCH")?),
                    ),
                    VarBind::new(cell(&NS_ACCESS, 3, &index)?, Value::from(*view)),
                ],
                "AuthAccess successfully created.",
            )
        }
        ("deleteAuth", _) => {
            let (mut index, used) = access_index(rest, 5)?;
            let [auth_type] = rest.get(used..).unwrap_or(&[]) else {
                bail!("deleteAuth GROUPNAME [CONTEXTPREFIX] SECURITYMODEL SECURITYLEVEL AUTHTYPE");
            };
            text(&mut index, auth_type)?;
            (vec![status(&NS_ACCESS, 5, &index, DESTROY)?], "AuthAccess successfully deleted.")
        }
        _ => bail!(
            "vacm COMMAND: createSec2Group, deleteSec2Group, createView, deleteView, createAccess, \
             deleteAccess, createAuth, deleteAuth (see `snmpctl vacm --help`)"
        ),
    };
    let options = args.snmp.output_options_for(super::Format::Text)?;
    let runtime = snmp::runtime()?;
    let client = runtime.block_on(snmp::connect_sequential(&args.agent, &args.snmp))?.0;
    snmp::set_and_report(&runtime, &client, &args.agent, varbinds, done, &options)
}
