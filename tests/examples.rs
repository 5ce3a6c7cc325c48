//! The six everyday jobs of `examples/`, each run against `snmpctl agent` (the traps one
//! against Net-SNMP's `snmptrap` and `snmpinform`), their output checked against what
//! Net-SNMP's tools read from the same agent.

use crate::agent::{AUTH_PASS, PRIV_PASS, temp_dir};
use crate::commands::run;
use crate::sim::Agent;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const MIBS: &str = concat!(concat!(env!("CARGO_MANIFEST_DIR"), "/.."), "/mibs");

/// The built example `name` (built here when a filtered `cargo test` did not build it).
fn example(name: &str) -> PathBuf {
    let dir = std::env::current_exe().unwrap().parent().unwrap().parent().unwrap().join("examples");
    let path = dir.join(name);
    if !path.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--examples", "--quiet", "-p", "snmpctl"])
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .status()
            .unwrap();
        assert!(status.success(), "building the examples");
    }
    path
}

fn run_example(name: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(example(name));
    cmd.args(args).stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A users file for the agent: the v3 user of `examples/v3_get.rs`.
fn users() -> PathBuf {
    let file = temp_dir("examples-users").join("users.conf");
    std::fs::write(&file, format!("createUser admin SHA-256 {AUTH_PASS} AES {PRIV_PASS}\n")).unwrap();
    file
}

#[test]
fn system_info_prints_what_snmpget_prints() {
    let agent = Agent::start(&[], 1);
    let o = run_example("system_info", &[&agent.addr()], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let theirs = run(
        "snmpget",
        &["-v2c", "-c", "public", "-M", MIBS, "-m", "ALL", &agent.addr(), "sysDescr.0", "sysObjectID.0"],
    );
    let ours = stdout(&o);
    for line in stdout(&theirs).lines() {
        assert!(ours.lines().any(|l| l == line), "{line:?} missing from\n{ours}");
    }
    assert_eq!(ours.lines().count(), 6, "{ours}");
    assert!(ours.contains("SNMPv2-MIB::sysName.0 = STRING: edge-rtr-01"), "{ours}");
}

#[test]
fn interfaces_lists_every_row_of_the_table() {
    let agent = Agent::start(&[], 1);
    let o = run_example("interfaces", &[&agent.addr()], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let names =
        stdout(&run("snmpwalk", &["-v2c", "-c", "public", "-Oqv", &agent.addr(), ".1.3.6.1.2.1.2.2.1.2"]));
    let ours = stdout(&o);
    let listed: Vec<&str> = ours.lines().filter_map(|l| l.split_whitespace().nth(1)).collect();
    let walked: Vec<&str> = names.lines().map(|l| l.trim_matches('"')).collect();
    assert_eq!(listed, walked, "{ours}");
    // Enumerations are named by the MIB; counters are numbers.
    assert!(ours.lines().all(|l| l.split_whitespace().nth(2) == Some("up")), "{ours}");
    let octets =
        stdout(&run("snmpget", &["-v2c", "-c", "public", "-Oqv", &agent.addr(), ".1.3.6.1.2.1.2.2.1.16.3"]));
    assert!(
        ours.lines().any(|l| l.ends_with(&format!("out {:>12} octets", octets.trim()))),
        "{ours}\n{octets}"
    );
}

#[test]
fn rename_sets_and_reads_back() {
    let agent = Agent::start(&[], 1);
    let o = run_example("rename", &[&agent.addr(), "public", "renamed-by-example"], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(stdout(&o), "sysName: edge-rtr-01 -> renamed-by-example\n");
    let back = run("snmpget", &["-v2c", "-c", "public", "-Oqv", &agent.addr(), ".1.3.6.1.2.1.1.5.0"]);
    assert_eq!(stdout(&back).trim(), "\"renamed-by-example\"");
    // No answer (a community the agent does not serve) is an error, not a silent success.
    let o = run_example("rename", &[&agent.addr(), "nobody", "x"], &[]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("Timeout"), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn v3_get_with_auth_priv() {
    let users = users();
    let agent = Agent::start(&["--users", users.to_str().unwrap()], 1);
    let env = [("SNMP_AUTH_PASSWORD", AUTH_PASS), ("SNMP_PRIV_PASSWORD", PRIV_PASS)];
    let o = run_example("v3_get", &[&agent.addr(), "admin"], &env);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).starts_with("SNMPv2-MIB::sysDescr.0 = STRING: snmpctl demo router"), "{}", stdout(&o));
    let wrong = [("SNMP_AUTH_PASSWORD", AUTH_PASS), ("SNMP_PRIV_PASSWORD", "not-the-password")];
    let o = run_example("v3_get", &[&agent.addr(), "admin"], &wrong);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("DecryptionError"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn fleet_asks_fifty_agents_at_once() {
    let agent = Agent::start(&[], 50);
    let range = format!("127.0.0.1:{}-{}", agent.port, agent.port + 49);
    let o = run_example("fleet", &[&range], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = stdout(&o);
    assert!(out.ends_with("50 of 50 agents answered\n"), "{out}");
    assert_eq!(out.lines().filter(|l| l.ends_with(" edge-rtr-01")).count(), 50, "{out}");
}

#[test]
fn traps_receives_what_snmptrap_and_snmpinform_send() {
    let port = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let at = format!("127.0.0.1:{port}");
    let mut child = Command::new(example("traps"))
        .args([at.as_str(), "4"])
        .env("SNMP_AUTH_PASSWORD", AUTH_PASS)
        .env("SNMP_PRIV_PASSWORD", PRIV_PASS)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The receiver says when it listens.
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stderr, &mut line).unwrap();
    assert!(line.starts_with("listening"), "{line}");
    let send = |program: &str, args: &[&str]| {
        let o = crate::isolated(Command::new(program)).args(args).env("MIBS", "").output().unwrap();
        assert!(o.status.success(), "{program}: {}", String::from_utf8_lossy(&o.stderr));
    };
    send(
        "snmptrap",
        &["-v2c", "-c", "public", &at, "", ".1.3.6.1.6.3.1.1.5.3", ".1.3.6.1.2.1.2.2.1.1.3", "i", "3"],
    );
    send(
        "snmptrap",
        &["-v1", "-c", "public", &at, "", "127.0.0.1", "3", "0", "", ".1.3.6.1.2.1.2.2.1.1.2", "i", "2"],
    );
    // snmpinform exits 0 only once acknowledged.
    send("snmpinform", &["-v2c", "-c", "public", "-r", "1", &at, "", ".1.3.6.1.6.3.1.1.5.1"]);
    send(
        "snmptrap",
        &[
            "-v3",
            "-u",
            "netops",
            "-l",
            "authPriv",
            "-a",
            "SHA-256",
            "-A",
            AUTH_PASS,
            "-x",
            "AES",
            "-X",
            PRIV_PASS,
            &at,
            "",
            ".1.3.6.1.6.3.1.1.5.4",
            ".1.3.6.1.2.1.2.2.1.1.3",
            "i",
            "3",
        ],
    );
    let mut out = String::new();
    std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success());
    let heads: Vec<String> = out
        .lines()
        .filter(|l| !l.starts_with("  "))
        .map(|l| {
            l.split(" from ")
                .map(|p| p.split_once(": ").map_or(p, |(_, t)| t))
                .collect::<Vec<_>>()
                .join(" / ")
        })
        .collect();
    assert_eq!(
        heads,
        [
            "v2c SNMPv2-Trap / IF-MIB::linkDown",
            "v1 Trap / IF-MIB::linkUp",
            "v2c InformRequest / SNMPv2-MIB::coldStart",
            "v3 SNMPv2-Trap / IF-MIB::linkUp",
        ],
        "{out}"
    );
    assert!(out.contains("  IF-MIB::ifIndex.3 = INTEGER: 3\n"), "{out}");
    assert!(out.contains("  SNMP-COMMUNITY-MIB::snmpTrapCommunity.0 = STRING: \"public\"\n"), "{out}");
}
