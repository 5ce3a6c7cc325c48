//! `snmpctl table` next to Net-SNMP's `snmptable` with the shipped MIBs (`-M mibs -m ALL`),
//! against a private snmpd and the fake agent: the same text for the same options, byte for
//! byte; the JSON rows; and what snmptable cannot do (sparse GetNext tables, tables no MIB
//! describes, the entry instead of the table).

use crate::agent::{AUTH_PASS, PRIV_PASS, Snmpd, matrix_config};
use crate::commands::{Fake, oid, run};
use snmpctl::agent::{Faults, Responder};
use snmpctl::msg::ErrorStatus;
use snmpctl::value::Value;
use std::process::Output;

fn mibs() -> String {
    concat!(concat!(env!("CARGO_MANIFEST_DIR"), "/.."), "/mibs").to_string()
}

fn snmpd() -> Snmpd {
    let mut config = matrix_config();
    config.push_str("extend hello /bin/echo hello world\nextend two /bin/echo -e one\\ntwo\n");
    Snmpd::start("table", &config)
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// snmptable and snmpctl table with the same arguments (after `-M mibs -m ALL`): identical
/// stdout and stderr. Returns ours.
fn same(args: &[&str]) -> Output {
    let m = mibs();
    let mut all = vec!["-M", m.as_str(), "-m", "ALL"];
    all.extend_from_slice(args);
    let theirs = run("snmptable", &all);
    let mut ours_args = vec!["table"];
    ours_args.extend_from_slice(&all);
    let ours = run("snmpctl", &ours_args);
    assert_eq!(out(&ours), out(&theirs), "stdout of {args:?}");
    assert_eq!(err(&ours), err(&theirs), "stderr of {args:?}");
    ours
}

/// Tables whose contents do not change while the test runs, in every layout snmptable has.
#[test]
fn tables_read_like_snmptable() {
    let agent = snmpd();
    let a = agent.agent();
    let a = a.as_str();
    let tables = [
        "SNMPv2-MIB::sysORTable",
        "IP-MIB::ipAddressTable",
        "SNMP-VIEW-BASED-ACM-MIB::vacmAccessTable",
        "SNMP-VIEW-BASED-ACM-MIB::vacmViewTreeFamilyTable",
        "SNMP-USER-BASED-SM-MIB::usmUserTable",
        "NET-SNMP-EXTEND-MIB::nsExtendConfigTable",
        "NET-SNMP-EXTEND-MIB::nsExtendOutput2Table",
        "IP-FORWARD-MIB::inetCidrRouteTable",
        "NET-SNMP-AGENT-MIB::nsModuleTable",
    ];
    let layouts: [&[&str]; 22] = [
        &[],
        &["-Ci"],
        &["-Cb"],
        &["-Cf", ","],
        &["-Ci", "-Cf", " | "],
        &["-Cif", ";"],
        &["-Ch"],
        &["-CH"],
        &["-Cl", "-Ci"],
        &["-Cc", "10"],
        &["-Cw", "80"],
        &["-Ci", "-Cb", "-Cw", "60"],
        &["-Ci", "-Cc", "8", "-Cw", "40"],
        &["-Cr", "1"],
        &["-Ci", "-OX"],
        &["-Ci", "-Os"],
        &["-Ci", "-Of"],
        &["-Ci", "-Ou"],
        &["-Ci", "-Ob"],
        &["-Oq"],
        &["-OQ", "-Oe"],
        &["-OU", "-Ox"],
    ];
    for table in tables {
        for layout in layouts {
            let mut args = vec!["-v2c", "-c", "public"];
            args.extend_from_slice(layout);
            args.extend_from_slice(&[a, table]);
            let o = same(&args);
            assert_eq!(o.status.code(), Some(0), "{args:?}");
        }
    }
    // GetNext: SNMPv1 and -CB print in chunks of -Cr rows, widths growing chunk by chunk.
    for t in [
        "SNMPv2-MIB::sysORTable",
        "IP-FORWARD-MIB::inetCidrRouteTable",
        "SNMP-USER-BASED-SM-MIB::usmUserTable",
    ] {
        same(&["-v1", "-c", "public", "-Ci", a, t]);
        same(&["-v1", "-c", "public", "-Cr", "3", "-Ci", a, t]);
        same(&["-v2c", "-c", "public", "-CB", "-Cr", "2", "-Cl", a, t]);
        same(&["-v2c", "-c", "public", "-CB", "-Cr", "2", "-Cw", "70", a, t]);
    }
    // v3 authPriv.
    let v3 = ["-v3", "-l", "authPriv", "-u", "u-SHA-256-AES", "-a", "SHA-256", "-A", AUTH_PASS, "-x", "AES"];
    let mut args = v3.to_vec();
    args.extend_from_slice(&["-X", PRIV_PASS, "-Ci", "-Cb", a, "SNMP-USER-BASED-SM-MIB::usmUserTable"]);
    same(&args);
    // An empty table.
    let o = same(&["-v2c", "-c", "public", a, "SNMP-TARGET-MIB::snmpTargetAddrTable"]);
    assert!(out(&o).ends_with("snmpTargetAddrTable: No entries\n"));
    // Net-SNMP's value forms: -Cr20 attached works for us (snmptable wants -Cr 20).
    let m = mibs();
    let ours = run(
        "snmpctl",
        &["table", "-M", &m, "-m", "ALL", "-v2c", "-c", "public", "-Cr20", "-Cf,", a, "sysORTable"],
    );
    let theirs = run(
        "snmptable",
        &[
            "-M",
            &m,
            "-m",
            "ALL",
            "-v2c",
            "-c",
            "public",
            "-Cr",
            "20",
            "-Cf",
            ",",
            a,
            "SNMPv2-MIB::sysORTable",
        ],
    );
    assert_eq!(out(&ours), out(&theirs));
}

/// Tables with counters, gauges and rows that come and go (hrSWRunTable: processes): laid out
/// with `-Ci -Cf '|'` and compared row by row, keyed by index, for the rows all three runs
/// have, cell by cell where the two snmptable runs around ours agree. The header is exact.
#[test]
fn changing_tables_match_cell_by_cell() {
    use std::collections::HashMap;
    let agent = snmpd();
    let a = agent.agent();
    let m = mibs();
    let tables = [
        "IF-MIB::ifTable",
        "IF-MIB::ifXTable",
        "HOST-RESOURCES-MIB::hrStorageTable",
        "IP-MIB::ipSystemStatsTable",
        "HOST-RESOURCES-MIB::hrSWRunTable",
        "HOST-RESOURCES-MIB::hrSWRunPerfTable",
    ];
    for table in tables {
        let args =
            ["-M", m.as_str(), "-m", "ALL", "-v2c", "-c", "public", "-Ci", "-Cf", "|", a.as_str(), table];
        let before = out(&run("snmptable", &args));
        let mut ours_args = vec!["table"];
        ours_args.extend_from_slice(&args);
        let ours = out(&run("snmpctl", &ours_args));
        let after = out(&run("snmptable", &args));
        let rows = |s: &str| -> (Vec<String>, HashMap<String, Vec<String>>) {
            let lines: Vec<&str> = s.lines().collect();
            let head = lines.iter().take(3).map(|l| (*l).to_owned()).collect();
            let body = lines
                .iter()
                .skip(3)
                .map(|l| {
                    let cells: Vec<String> = l.split('|').map(str::to_owned).collect();
                    (cells[0].clone(), cells)
                })
                .collect();
            (head, body)
        };
        let ((bh, b), (oh, o), (_, f)) = (rows(&before), rows(&ours), rows(&after));
        assert_eq!(oh, bh, "{table}: title and header");
        assert!(b.len() >= 2, "{table}: {before}");
        let mut compared = 0;
        for (index, bc) in &b {
            let (Some(oc), Some(fc)) = (o.get(index), f.get(index)) else { continue };
            compared += 1;
            assert_eq!(oc.len(), bc.len(), "{table} row {index}");
            for ((x, y), z) in bc.iter().zip(oc).zip(fc) {
                if x == z {
                    assert_eq!(y, x, "{table} row {index}: {oc:?}");
                }
            }
        }
        assert!(compared * 10 >= b.len() * 8, "{table}: only {compared} of {} rows in all runs", b.len());
    }
}

/// Failures: a silent agent (snmptable's message; our exit code 2 as for every timeout), and
/// a table the agent answers with an error.
#[test]
fn failures_read_like_snmptable() {
    let m = mibs();
    let args = [
        "-M",
        m.as_str(),
        "-m",
        "ALL",
        "-v2c",
        "-c",
        "public",
        "-t",
        "0.2",
        "-r",
        "1",
        "127.0.0.1:9",
        "ifTable",
    ];
    let theirs = run("snmptable", &args);
    let mut ours_args = vec!["table"];
    ours_args.extend_from_slice(&args);
    let ours = run("snmpctl", &ours_args);
    assert_eq!(err(&ours), err(&theirs));
    assert_eq!(err(&ours), "Timeout: No Response from 127.0.0.1:9\n");
    assert_eq!(out(&ours), "");
    assert_eq!(ours.status.code(), Some(2));

    let fake = Fake::start(crate::commands::table(4));
    fake.faults(Faults { error_status: Some(ErrorStatus(5)), ..Faults::default() });
    for version in ["-v1", "-v2c"] {
        let o = same(&[version, "-c", "public", &fake.agent(), "IF-MIB::ifTable"]);
        assert_eq!(o.status.code(), Some(1), "{version}: the agent's error exits 1");
        assert!(err(&o).starts_with("Error in packet.\nReason: (genError)"), "{}", err(&o));
    }
}

/// A sparse table from the fake agent: column 2 lacks row 2, column 3 lacks rows 1 and 4.
/// Read with GetBulk (as snmptable reads it) and with GetNext rows (-CB, v1), where snmpctl
/// puts the cells in their rows; snmptable's GetNext would shift later values up.
#[test]
fn sparse_tables() {
    let mut objects = Vec::new();
    for row in 1..=4u32 {
        objects.push((oid(&format!("1.3.6.1.2.1.2.2.1.1.{row}")), Value::Integer(row as i32)));
        if row != 2 {
            objects.push((
                oid(&format!("1.3.6.1.2.1.2.2.1.2.{row}")),
                Value::OctetString(format!("if{row}").into()),
            ));
        }
        if row == 2 || row == 3 {
            objects.push((oid(&format!("1.3.6.1.2.1.2.2.1.3.{row}")), Value::Integer(6)));
        }
    }
    objects.push((oid("1.3.6.1.2.1.4.1.0"), Value::Integer(2)));
    let fake = Fake::start(Responder::new(objects));
    let a = fake.agent();
    let m = mibs();
    let bulk = same(&["-v2c", "-c", "public", "-Ci", "-Cb", "-Cw", "60", &a, "IF-MIB::ifTable"]);
    let text = out(&bulk);
    assert!(text.contains("\n     1     1   if1              ?   ?     ?           ?\n"), "{text}");
    assert!(text.contains("\n     2     2     ? ethernetCsmacd   ?     ?           ?\n"), "{text}");
    for getnext in [&["-v2c", "-CB"][..], &["-v1"][..]] {
        let mut args =
            vec!["table", "-M", m.as_str(), "-m", "ALL", "-c", "public", "-Ci", "-Cb", "-Cw", "60"];
        args.extend_from_slice(getnext);
        args.extend_from_slice(&[&a, "IF-MIB::ifTable"]);
        assert_eq!(out(&run("snmpctl", &args)), text, "{getnext:?}");
    }
    // No MIB: the columns come from the agent, named by number.
    let o = run("snmpctl", &["table", "-c", "public", "-Cf", ",", &a, ".1.3.6.1.2.1.2.2"]);
    assert_eq!(
        out(&o),
        "SNMP table: iso.3.6.1.2.1.2.2\n\n1,2,3\n1,\"if1\",?\n2,?,6\n3,\"if3\",6\n4,\"if4\",?\n"
    );
    // The entry names the same table; -On prints numbers where snmptable gives up.
    let entry = run("snmpctl", &["table", "-M", &m, "-m", "ALL", "-c", "public", &a, "IF-MIB::ifEntry"]);
    let table = run("snmpctl", &["table", "-M", &m, "-m", "ALL", "-c", "public", &a, "IF-MIB::ifTable"]);
    assert_eq!(out(&entry), out(&table));
    let o = run(
        "snmpctl",
        &["table", "-M", &m, "-m", "ALL", "-On", "-c", "public", "-CH", "-Cf", ",", &a, "ifTable"],
    );
    assert!(out(&o).starts_with("1,if1,?,?,"), "{}", out(&o));
    // A non-increasing agent is an error, not an endless table.
    fake.faults(Faults {
        jump_back: Some((oid("1.3.6.1.2.1.2.2.1.1.3"), oid("1.3.6.1.2.1.2.2.1.1.1"))),
        ..Faults::default()
    });
    let o = run("snmpctl", &["table", "-M", &m, "-m", "ALL", "-c", "public", "-CB", &a, "ifTable"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).starts_with("Error: OID not increasing: IF-MIB::ifIndex.3\n >= IF-MIB::ifIndex.1"),
        "{}",
        err(&o)
    );
}

#[test]
fn json_rows() {
    let fake = Fake::start(crate::commands::table(3));
    let a = fake.agent();
    let m = mibs();
    let o =
        run("snmpctl", &["table", "--format", "json", "-M", &m, "-m", "ALL", "-c", "public", &a, "ifTable"]);
    assert_eq!(o.status.code(), Some(0));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["table"], "IF-MIB::ifTable");
    assert_eq!(j["oid"], "1.3.6.1.2.1.2.2");
    assert_eq!(j["entry"], "1.3.6.1.2.1.2.2.1");
    assert_eq!(j["columns"][1], serde_json::json!({"name": "ifDescr", "subid": 2}));
    assert_eq!(j["columns"].as_array().unwrap().len(), 22);
    assert_eq!(j["count"], 3);
    assert_eq!(j["end"], "subtree_end");
    let row = &j["rows"][2];
    assert_eq!(row["index"], "3");
    assert_eq!(row["index_oid"], "3");
    assert_eq!(row["cells"]["ifDescr"]["value"], "eth3");
    assert_eq!(row["cells"]["ifDescr"]["oid"], "1.3.6.1.2.1.2.2.1.2.3");
    assert_eq!(row["cells"]["ifType"]["type"], "Counter32", "the agent's type, not the MIB's");
    assert_eq!(row["cells"]["ifMtu"], serde_json::Value::Null);
    // With a MIB, each cell also has its name and the value as -Oqv prints it.
    assert_eq!(row["cells"]["ifDescr"]["name"], "IF-MIB::ifDescr.3");
    assert_eq!(row["cells"]["ifDescr"]["display"], "eth3");
    assert_eq!(row["cells"]["ifIndex"]["display"], "3");
    let o = run(
        "snmpctl",
        &["get", "--format", "ndjson", "-M", &m, "-m", "ALL", "-c", "public", &a, "sysDescr.0"],
    );
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["name"], "SNMPv2-MIB::sysDescr.0");
    assert_eq!(j["display"], "fake agent", "a DisplayString prints without quotes");
    assert_eq!(j["value"], "fake agent");

    let o = run(
        "snmpctl",
        &["table", "--format", "ndjson", "-M", &m, "-m", "ALL", "-c", "public", &a, "ifTable"],
    );
    let rows: Vec<serde_json::Value> = out(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["cells"]["ifIndex"]["value"], 1);
}
