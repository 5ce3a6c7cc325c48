//! `snmpctl get | getnext | bulkget | walk | set` next to Net-SNMP's own tools, against the same
//! agent with the same options: a private snmpd (v1, v2c, v3) and the scriptable fake agent
//! (for what snmpd will not do). Outputs must be identical, after masking values that changed
//! between two runs of the Net-SNMP tool that bracket ours (uptimes, counters).

use crate::agent::{AUTH_PASS, PRIV_PASS, Snmpd, matrix_config, quiet_config};
use snmpctl::agent::{Faults, Responder};
use snmpctl::value::{Oid, Value};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

fn snmpd() -> Snmpd {
    // Whole-tree walks are compared run against run: the host's moving tables are out of view.
    Snmpd::start("commands", &quiet_config())
}

pub fn run(program: &str, args: &[&str]) -> Output {
    let program = if program == "snmpctl" { env!("CARGO_BIN_EXE_snmpctl") } else { program };
    Command::new(program).args(args).env("MIBS", "").env("SNMPCONFPATH", "/nonexistent").output().unwrap()
}

/// stdout and stderr of one run.
fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// The part of a line that does not change between calls: the name and type of a varbind
/// line (`iso.3.6.1.2.1.1.3.0 = Timeticks:`), or the whole line.
fn stable_part(line: &str) -> &str {
    match line.split_once(" = ") {
        Some((name, value)) => {
            let type_end = value.find(": ").map_or(0, |i| i + 2);
            &line[..name.len() + 3 + type_end]
        }
        // -Oq lines: the name; -Ov lines: nothing stable.
        None => line.split_once(' ').map_or("", |(n, _)| n),
    }
}

/// Runs the Net-SNMP tool, snmpctl, and the tool again; stdout must match line for line,
/// where lines that differ between the two tool runs compare by name and type only. stderr
/// must match exactly. Exit codes are checked by the caller's expectation.
pub fn same_as(tool: &str, ours: &str, args: &[&str]) -> (String, Output) {
    let before = run(tool, args);
    let mut our_args = vec![ours];
    our_args.extend_from_slice(args);
    let got = run("snmpctl", &our_args);
    let after = run(tool, args);
    let (b, be) = text(&before);
    let (a, _) = text(&after);
    let (g, ge) = text(&got);
    let (bl, al, gl): (Vec<&str>, Vec<&str>, Vec<&str>) =
        (b.split('\n').collect(), a.split('\n').collect(), g.split('\n').collect());
    assert_eq!(bl.len(), al.len(), "{tool} {args:?}: the agent's answer changed size between runs");
    assert_eq!(gl.len(), bl.len(), "{tool} {args:?}: line count\nours:\n{g}\ntheirs:\n{b}");
    for ((x, y), ours_line) in bl.iter().zip(&al).zip(&gl) {
        if x == y {
            assert_eq!(ours_line, x, "{tool} {args:?}");
        } else {
            assert_eq!(stable_part(ours_line), stable_part(x), "{tool} {args:?}: {ours_line:?} vs {x:?}");
        }
    }
    assert_eq!(ge, be, "{tool} {args:?}: stderr");
    (g, got)
}

#[test]
fn walks_match_snmpwalk_and_snmpbulkwalk() {
    let agent = snmpd();
    let a = agent.agent();
    let a = a.as_str();
    for opts in
        [&[][..], &["-On"], &["-Of"], &["-Oq"], &["-OQ"], &["-Ov"], &["-Ox"], &["-Oa"], &["-Ot"], &["-OqvT"]]
    {
        let mut args = vec!["-v2c", "-c", "public"];
        args.extend_from_slice(opts);
        args.extend_from_slice(&[a, ".1.3.6.1.6.3"]);
        let (out, o) = same_as("snmpbulkwalk", "walk", &args);
        assert_eq!(o.status.code(), Some(0));
        assert!(out.lines().count() > 30, "{out}");
    }
    // The whole agent: mib-2 by default, then everything under iso.3.
    same_as("snmpbulkwalk", "walk", &["-v2c", "-c", "public", a]);
    let (out, _) = same_as("snmpbulkwalk", "walk", &["-v2c", "-c", "public", "-Cr25", a, ".1.3"]);
    assert!(out.contains("No more variables left in this MIB View"), "the walk ends at endOfMibView");
    // `.1`, the usual "walk everything": one arc, sent as Net-SNMP sends it (`06 01 01`).
    let (out, _) = same_as("snmpbulkwalk", "walk", &["-v2c", "-c", "public", "-Cr25", a, ".1"]);
    assert!(out.lines().count() > 1000, "{out}");
    // GetNext on v1 and with -Cg, and "End of MIB" at the end of a v1 walk.
    same_as("snmpwalk", "walk", &["-v1", "-c", "public", a, ".1.3.6.1.2.1.1"]);
    let (out, _) = same_as("snmpwalk", "walk", &["-v1", "-c", "public", a, ".1.3.6.1.6.3.16.1.5"]);
    assert!(out.ends_with("End of MIB\n"), "{out}");
    // A leaf: the fallback Get; -Ci; -Cp; -CI; outside anything.
    same_as("snmpbulkwalk", "walk", &["-v2c", "-c", "public", a, ".1.3.6.1.2.1.1.1.0"]);
    same_as("snmpwalk", "walk", &["-v1", "-c", "public", a, ".1.3.6.1.2.1.1.1.0"]);
    same_as("snmpbulkwalk", "walk", &["-v2c", "-c", "public", "-Ci", "-Cp", a, ".1.3.6.1.2.1.1.9.1.3"]);
    same_as("snmpwalk", "walk", &["-v1", "-c", "public", "-CI", a, ".1.3.6.1.2.1.1.1.0"]);
    // Subtrees the agent does not have: the exception printed, exit 0 as snmpwalk.
    for missing in [".1.3.6.1.9.9.9", ".1.3.6.1.2.1.1.99"] {
        let (out, o) = same_as("snmpbulkwalk", "walk", &["-v2c", "-c", "public", a, missing]);
        assert!(out.contains("No Such Object") || out.contains("No more variables"), "{out}");
        assert_eq!(o.status.code(), Some(0), "{missing}");
    }
    same_as("snmpwalk", "walk", &["-v1", "-c", "public", a, ".1.3.6.1.9.9.9"]);
    // v3 authPriv.
    let v3 = ["-v3", "-l", "authPriv", "-u", "u-SHA-256-AES", "-a", "SHA-256", "-A", AUTH_PASS];
    let mut args = v3.to_vec();
    args.extend_from_slice(&["-x", "AES", "-X", PRIV_PASS, "-Cr7", a, ".1.3.6.1.2.1.1"]);
    same_as("snmpbulkwalk", "walk", &args);
}

#[test]
fn requests_match_snmpget_snmpgetnext_snmpbulkget_snmpset() {
    let agent = snmpd();
    let a = agent.agent();
    let a = a.as_str();
    let sys = ".1.3.6.1.2.1.1";
    for opts in [&[][..], &["-On"], &["-Oqv"], &["-OQf"], &["-Ot"], &["-Ox"]] {
        let mut args = vec!["-v2c", "-c", "public"];
        args.extend_from_slice(opts);
        args.extend_from_slice(&[a, ".1.3.6.1.2.1.1.1.0", ".1.3.6.1.2.1.1.2.0", ".1.3.6.1.2.1.1.3.0"]);
        args.extend_from_slice(&[".1.3.6.1.6.3.10.2.1.1.0", ".1.3.6.1.2.1.1.1.5", ".1.3.6.1.9.9"]);
        same_as("snmpget", "get", &args);
        same_as("snmpgetnext", "getnext", &args);
    }
    // bulkget: non-repeaters and max-repetitions, past the end of the MIB.
    same_as(
        "snmpbulkget",
        "bulkget",
        &["-v2c", "-c", "public", "-Cn1", "-Cr4", a, &format!("{sys}.1.0"), sys],
    );
    same_as("snmpbulkget", "bulkget", &["-v2c", "-c", "public", a, ".1.3.6.1.6.3.16.1.5.2.1.6.6"]);
    // v1 errors: snmpget reports the failing variable, then asks again without it.
    let (_, o) =
        same_as("snmpget", "get", &["-v1", "-c", "public", a, &format!("{sys}.1.0"), &format!("{sys}.7.0")]);
    assert_eq!(o.status.code(), Some(1), "an error-status exits 1 (DESIGN.md)");
    same_as(
        "snmpget",
        "get",
        &["-v1", "-c", "public", "-Cf", a, &format!("{sys}.1.0"), &format!("{sys}.7.0")],
    );
    same_as("snmpgetnext", "getnext", &["-v1", "-c", "public", a, ".1.3.6.1.9", &format!("{sys}.1.0")]);
    // set: the error report, then a real change read back.
    same_as("snmpset", "set", &["-v1", "-c", "public", a, &format!("{sys}.4.0"), "s", "x"]);
    same_as("snmpset", "set", &["-v2c", "-c", "public", a, &format!("{sys}.4.0"), "s", "x"]);
    let (out, o) =
        same_as("snmpset", "set", &["-v2c", "-c", "private", a, &format!("{sys}.4.0"), "s", "A\"b\\c\td"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(out, "iso.3.6.1.2.1.1.4.0 = STRING: \"A\\\"b\\\\c\td\"\n");
    let (out, _) = same_as(
        "snmpset",
        "set",
        &[
            "-v2c",
            "-c",
            "private",
            a,
            &format!("{sys}.4.0"),
            "x",
            "01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 ff",
        ],
    );
    assert!(out.contains("Hex-STRING: 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10 \n11 FF \n"), "{out}");
    same_as("snmpget", "get", &["-v2c", "-c", "public", "-OT", a, &format!("{sys}.4.0")]);
    // Timeouts: snmpget ends the message with a period, the others do not.
    for (tool, ours) in
        [("snmpget", "get"), ("snmpgetnext", "getnext"), ("snmpbulkget", "bulkget"), ("snmpbulkwalk", "walk")]
    {
        let (_, o) =
            same_as(tool, ours, &["-v2c", "-c", "public", "-t", "0.1", "-r", "1", "127.0.0.1:9", sys]);
        assert_eq!(o.status.code(), Some(2));
    }
}

/// The fake agent on a loopback port, in a thread with its own runtime; stopped on drop.
pub struct Fake {
    pub port: u16,
    pub responder: Arc<Mutex<Responder>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Fake {
    pub fn start(responder: Responder) -> Fake {
        let responder = Arc::new(Mutex::new(responder));
        let std_socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        std_socket.set_nonblocking(true).unwrap();
        let port = std_socket.local_addr().unwrap().port();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let r = responder.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                let socket = tokio::net::UdpSocket::from_std(std_socket).unwrap();
                snmpctl::agent::serve(socket, r, async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
            });
        });
        Fake { port, responder, stop: Some(tx), thread: Some(thread) }
    }

    pub fn agent(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn faults(&self, f: Faults) {
        self.responder.lock().unwrap().faults = f;
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub fn oid(s: &str) -> Oid {
    s.parse().unwrap()
}

/// An interface-like table: `rows` rows of 3 columns under 1.3.6.1.2.1.2.2.1, plus sysDescr.
pub fn table(rows: u32) -> Responder {
    let mut objects = vec![
        (oid("1.3.6.1.2.1.1.1.0"), Value::OctetString(b"fake agent".to_vec())),
        (oid("1.3.6.1.2.1.4.1.0"), Value::Integer(2)),
    ];
    for col in 1..=3u32 {
        for row in 1..=rows {
            let value = match col {
                1 => Value::Integer(row as i32),
                2 => Value::OctetString(format!("eth{row}").into_bytes()),
                _ => Value::Counter32(row.wrapping_mul(1000)),
            };
            objects.push((oid(&format!("1.3.6.1.2.1.2.2.1.{col}.{row}")), value));
        }
    }
    Responder::new(objects)
}

const IF_TABLE: &str = ".1.3.6.1.2.1.2.2";

#[test]
fn buggy_agents_as_net_snmp_reports_them() {
    let fake = Fake::start(table(20));
    let a = fake.agent();
    let a = a.as_str();
    // Baseline: the fake agent walks like snmpd.
    same_as("snmpbulkwalk", "walk", &["-v2c", "-c", "public", a, IF_TABLE]);
    same_as("snmpwalk", "walk", &["-v1", "-c", "public", a, IF_TABLE]);
    same_as("snmpwalk", "walk", &["-v1", "-c", "public", a]);

    // Non-increasing OIDs: the same error text, exit 1.
    fake.faults(Faults {
        jump_back: Some((oid("1.3.6.1.2.1.2.2.1.2.5"), oid("1.3.6.1.2.1.2.2.1.2.3"))),
        ..Faults::default()
    });
    let (out, o) = same_as("snmpwalk", "walk", &["-v1", "-c", "public", a, IF_TABLE]);
    assert_eq!(o.status.code(), Some(1));
    assert!(out.ends_with("iso.3.6.1.2.1.2.2.1.2.3 = STRING: \"eth3\"\n"), "{out}");
    let (_, o) = same_as("snmpbulkwalk", "walk", &["-v2c", "-c", "public", "-Cr1", a, IF_TABLE]);
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .starts_with("Error: OID not increasing: iso.3.6.1.2.1.2.2.1.2.5\n >= iso.3.6.1.2.1.2.2.1.2.3\n")
    );
    // -Cc lets it through; the loop guard stops the second lap instead of walking for ever.
    let o = run("snmpctl", &["walk", "-v2c", "-c", "public", "-Cc", "-Cr1", a, IF_TABLE]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("loops"), "{:?}", text(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).matches("eth4\"").count(), 2, "one lap, then stopped");

    // An error status in the middle of a walk: Net-SNMP's report, exit 1.
    fake.faults(Faults { error_status: Some(snmpctl::msg::ErrorStatus::GEN_ERR), ..Faults::default() });
    let (_, o) = same_as("snmpbulkwalk", "walk", &["-v2c", "-c", "public", a, IF_TABLE]);
    assert_eq!(o.status.code(), Some(1));
    same_as("snmpwalk", "walk", &["-v1", "-c", "public", a, IF_TABLE]);
    same_as("snmpget", "get", &["-v2c", "-c", "public", a, ".1.3.6.1.2.1.1.1.0"]);

    // The agent goes away mid-walk: the rows so far, then the timeout, exit 2.
    let seen = fake.responder.lock().unwrap().requests();
    fake.faults(Faults { drop_after: Some(seen + 3), ..Faults::default() });
    let o = run("snmpctl", &["walk", "-v2c", "-c", "public", "-Cr5", "-t", "0.1", "-r", "1", a, IF_TABLE]);
    assert_eq!(o.status.code(), Some(2));
    let (out, err) = text(&o);
    assert_eq!(out.lines().count(), 15, "three responses of 5 rows: {out}");
    assert_eq!(err, format!("Timeout: No Response from {a}\n"));
}

#[test]
fn walks_survive_lossy_and_confused_agents() {
    let fake = Fake::start(table(50));
    let a = fake.agent();
    let a = a.as_str();
    let reference = run("snmpctl", &["walk", "-v2c", "-c", "public", a, IF_TABLE]);
    assert_eq!(String::from_utf8_lossy(&reference.stdout).lines().count(), 150);
    let cases = [
        Faults { drop_every: 3, ..Faults::default() },
        Faults { duplicate: true, ..Faults::default() },
        Faults { wrong_request_id_first: true, ..Faults::default() },
        Faults { delay: std::time::Duration::from_millis(30), ..Faults::default() },
        // tooBig above 12 varbinds: max-repetitions 50 shrinks to 12, then the walk goes on.
        Faults { too_big_over: Some(12), ..Faults::default() },
        // An agent that truncates GetBulk answers.
        Faults { bulk_cap: Some(3), ..Faults::default() },
    ];
    for f in cases {
        fake.faults(f.clone());
        for args in [&["-v2c", "-Cr50"][..], &["-v1"]] {
            let mut all = vec!["walk", "-c", "public", "-t", "0.2"];
            all.extend_from_slice(args);
            all.extend_from_slice(&[a, IF_TABLE]);
            let o = run("snmpctl", &all);
            assert_eq!(o.status.code(), Some(0), "{f:?} {args:?}: {:?}", text(&o));
            assert_eq!(o.stdout, reference.stdout, "{f:?} {args:?}");
        }
    }
    // tooBig on a Get of several variables: asked again in halves, answered in full.
    fake.faults(Faults { too_big_over: Some(2), ..Faults::default() });
    let oids: Vec<String> = (1..=5).map(|r| format!(".1.3.6.1.2.1.2.2.1.2.{r}")).collect();
    let mut args = vec!["get", "-c", "public", a];
    args.extend(oids.iter().map(String::as_str));
    let o = run("snmpctl", &args);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 5);
    assert!(String::from_utf8_lossy(&o.stdout).ends_with("iso.3.6.1.2.1.2.2.1.2.5 = STRING: \"eth5\"\n"));

    // A v1 agent ends the walk with noSuchName: "End of MIB", as snmpwalk prints it.
    fake.faults(Faults::default());
    let (out, _) = same_as("snmpwalk", "walk", &["-v1", "-c", "public", a, ".1.3.6.1.2.1.4"]);
    assert_eq!(out, "iso.3.6.1.2.1.4.1.0 = INTEGER: 2\nEnd of MIB\n");
}

#[test]
fn json_and_ndjson_follow_the_schema() {
    let fake = Fake::start(table(5));
    let a = fake.agent();
    let a = a.as_str();
    let o = run("snmpctl", &["walk", "--format", "ndjson", "-c", "public", a, IF_TABLE]);
    assert_eq!(o.status.code(), Some(0));
    let lines: Vec<serde_json::Value> =
        String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 15);
    assert_eq!(
        lines[0],
        serde_json::json!({"oid": "1.3.6.1.2.1.2.2.1.1.1", "type": "Integer32", "value": 1})
    );
    assert_eq!(lines[5]["type"], "OCTET STRING");
    assert_eq!(lines[5]["value"], "eth1");
    assert_eq!(lines[14]["type"], "Counter32");

    let o = run("snmpctl", &["walk", "--format", "json", "-c", "public", a, IF_TABLE]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["root"], "1.3.6.1.2.1.2.2");
    assert_eq!(j["varbinds"].as_array().unwrap().len(), 15);
    assert_eq!(j["count"], 15);
    assert_eq!(j["end"], "subtree_end");
    assert_eq!(j["error"], serde_json::Value::Null);

    let o = run(
        "snmpctl",
        &["get", "--format", "json", "-c", "public", a, ".1.3.6.1.2.1.1.1.0", ".1.3.6.1.2.1.1.2.0"],
    );
    assert_eq!(o.status.code(), Some(1), "noSuchObject exits 1");
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["error_status"], 0);
    assert_eq!(j["varbinds"][0]["value"], "fake agent");
    assert_eq!(j["varbinds"][1]["type"], "noSuchObject");

    let o = run("snmpctl", &["get", "--format", "ndjson", "-c", "public", a, ".1.3.6.1.2.1.1.1.0"]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["oid"], "1.3.6.1.2.1.1.1.0");
}

#[test]
fn ipv6_agents() {
    if std::net::UdpSocket::bind("[::1]:0").is_err() {
        eprintln!("ipv6_agents: skipped, this machine has no ::1");
        return;
    }
    let config = "rocommunity6 public ::1\nsysDescr snmpctl test agent on ::1\n";
    let agent = Snmpd::start_on("ipv6", config, &["udp6:[::1]:{port}"]);
    let target = format!("udp6:[::1]:{}", agent.port);
    let (out, o) = same_as("snmpget", "get", &["-v2c", "-c", "public", &target, ".1.3.6.1.2.1.1.1.0"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(out, "iso.3.6.1.2.1.1.1.0 = STRING: \"snmpctl test agent on ::1\"\n");
    same_as("snmpbulkwalk", "walk", &["-v2c", "-c", "public", &target, ".1.3.6.1.2.1.1"]);
    // The bracketed form without a transport prefix reaches the same agent.
    let o = run("snmpctl", &["get", "-c", "public", &format!("[::1]:{}", agent.port), ".1.3.6.1.2.1.1.1.0"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout), out);
}

#[test]
fn snmp_over_tcp() {
    let agent = Snmpd::start_on("tcp", &matrix_config(), &["tcp:127.0.0.1:{port}"]);
    let target = format!("tcp:127.0.0.1:{}", agent.port);
    let t = target.as_str();
    let (out, o) =
        same_as("snmpget", "get", &["-v2c", "-c", "public", t, ".1.3.6.1.2.1.1.1.0", ".1.3.6.1.2.1.1.5.0"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(out.starts_with("iso.3.6.1.2.1.1.1.0 = STRING: \"snmpctl test agent"), "{out}");
    // Large responses span several TCP segments: the framing reassembles them.
    let (out, _) = same_as("snmpbulkwalk", "walk", &["-v2c", "-c", "public", "-Cr100", t, ".1.3.6.1.6.3"]);
    assert!(out.lines().count() > 30);
    same_as("snmpwalk", "walk", &["-v1", "-c", "public", t, ".1.3.6.1.2.1.1"]);
    let v3 = [
        "-v3",
        "-l",
        "authPriv",
        "-u",
        "u-SHA-AES",
        "-a",
        "SHA",
        "-A",
        AUTH_PASS,
        "-x",
        "AES",
        "-X",
        PRIV_PASS,
    ];
    let mut args = v3.to_vec();
    args.extend_from_slice(&[t, ".1.3.6.1.2.1.1.1.0"]);
    same_as("snmpget", "get", &args);
}
