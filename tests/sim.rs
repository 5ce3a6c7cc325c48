//! `snmpctl agent`, `walk --record`, `poll` and `demo`: a recording of a real snmpd replays
//! identically, Net-SNMP's tools accept our agent over v2c and v3, snmpsim's own recordings
//! load and serve, and `poll` gets every result from 1,000 simulated agents.

use crate::agent::{AUTH_PASS, PRIV_PASS, Snmpd, matrix_config, temp_dir};
use crate::commands::run;
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_snmpctl");
/// The MIBs snmpctl ships, for Net-SNMP's snmptable (which needs the table's definition).
const MIBS: &str = concat!(concat!(env!("CARGO_MANIFEST_DIR"), "/.."), "/mibs");

/// A running `snmpctl agent`, stopped on drop.
pub struct Agent {
    child: Child,
    pub port: u16,
}

impl Agent {
    /// Starts `snmpctl agent ARGS` on a free port (or, with `count` > 1, a free-looking range
    /// of `count` ports); retries elsewhere when a port is taken.
    pub fn start(args: &[&str], count: u16) -> Agent {
        for attempt in 0..8u32 {
            let port = if count > 1 {
                // A range: spread the attempts over the high ports, away from the ephemeral range.
                20_000 + (std::process::id().wrapping_mul(7919).wrapping_add(attempt * 4099) % 12_000) as u16
            } else {
                std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
            };
            let mut cmd = crate::isolated(Command::new("sh"));
            let mut line = format!("ulimit -n 8192 2>/dev/null; exec {BIN} agent");
            for a in args {
                line.push_str(&format!(" '{a}'"));
            }
            if count > 1 {
                line.push_str(&format!(" --ports {port}-{}", port + count - 1));
            } else {
                line.push_str(&format!(" --listen udp:127.0.0.1:{port}"));
            }
            cmd.arg("-c").arg(line).stderr(Stdio::piped()).stdout(Stdio::null());
            let mut child = cmd.spawn().unwrap();
            // Warnings (objects left out) come before the "serving" line.
            let mut first = String::new();
            let mut reader = BufReader::new(child.stderr.take().unwrap());
            loop {
                first.clear();
                if reader.read_line(&mut first).unwrap() == 0 || !first.contains("left out") {
                    break;
                }
            }
            if first.contains("serving") {
                // Keep reading stderr so the agent never blocks on a full pipe.
                std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
                return Agent { child, port };
            }
            let _ = child.wait();
            assert!(first.contains("binding"), "snmpctl agent did not start: {first}");
        }
        panic!("no free port for snmpctl agent");
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The snmpd config of the replay test: the matrix, but the community sees only subtrees
/// whose objects do not come and go while the test runs (the system group, interfaces, the
/// SNMP engine and its USM and VACM tables). The host's process, connection and storage tables
/// change with whatever else runs on the machine (this very test suite starts processes), and
/// two walks of them a moment apart differ.
fn stable_config() -> String {
    let stable = [".1.3.6.1.2.1.1", ".1.3.6.1.2.1.2", ".1.3.6.1.2.1.11", ".1.3.6.1.2.1.31", ".1.3.6.1.6.3"];
    let mut c =
        matrix_config().replace("rocommunity public 127.0.0.1\n", "rocommunity public 127.0.0.1 -V stable\n");
    for oid in stable {
        c.push_str(&format!("view stable included {oid}\n"));
    }
    c
}

#[test]
fn a_recording_of_snmpd_replays_identically() {
    let snmpd = Snmpd::start("record", &stable_config());
    let dir = temp_dir("record");
    let file = dir.join("lab.snmprec");
    let recorded = run(
        "snmpctl",
        &["walk", "-v2c", "-c", "public", "--record", file.to_str().unwrap(), &snmpd.agent(), ".1.3.6.1"],
    );
    assert!(recorded.status.success(), "{recorded:?}");
    let recording = std::fs::read_to_string(&file).unwrap();
    let lines = recording.lines().count();
    assert!(lines > 300, "only {lines} objects recorded");
    assert!(!recording.contains("\n1.3.6.1.2.1.25."), "the host's tables are out of view");
    let agent = Agent::start(&[file.to_str().unwrap()], 1);
    let addr = agent.addr();
    // Walked with GetBulk and with GetNext, the replay prints exactly what the recording walk did.
    for extra in [&[][..], &["-Cg"][..]] {
        let mut args = vec!["walk"];
        args.extend_from_slice(extra);
        args.extend(["-v2c", "-c", "lab", &addr, ".1.3.6.1"]);
        let replayed = run("snmpctl", &args);
        assert_eq!(stdout(&replayed), stdout(&recorded), "{args:?}");
    }
    // Net-SNMP's snmpwalk sees the same objects in the recording as in the agent it came from
    // (values of live counters aside: compared by OID and type).
    let theirs = run("snmpwalk", &["-v2c", "-c", "public", "-On", &snmpd.agent(), ".1.3.6.1"]);
    let ours = run("snmpwalk", &["-v2c", "-c", "lab", "-On", &agent.addr(), ".1.3.6.1"]);
    let key = |l: &str| l.split_once(": ").map_or(l.to_owned(), |(k, _)| k.to_owned());
    let a: Vec<String> = stdout(&theirs).lines().map(key).collect();
    let b: Vec<String> = stdout(&ours).lines().map(key).collect();
    assert_eq!(a.len(), b.len());
    let differing = a.iter().zip(&b).filter(|(x, y)| x != y).count();
    assert!(differing <= 2, "{differing} lines differ by OID or type");
}

#[test]
fn net_snmp_tools_work_against_the_agent_v2c_and_v3() {
    let dir = temp_dir("agent-users");
    let users = dir.join("users.conf");
    std::fs::write(
        &users,
        format!(
            "createUser md5des MD5 {AUTH_PASS} DES {PRIV_PASS}\n\
             createUser sha256aes SHA-256 {AUTH_PASS} AES {PRIV_PASS}\n\
             createUser sha512aes256c SHA-512 {AUTH_PASS} AES-256-C {PRIV_PASS}\n\
             createUser sha1auth SHA {AUTH_PASS}\n"
        ),
    )
    .unwrap();
    let agent = Agent::start(&["--users", users.to_str().unwrap()], 1);
    let a = agent.addr();
    let v3 = |user: &'static str, level: &'static str, auth: &'static str, privacy: Option<&'static str>| {
        let mut v = vec!["-v3", "-u", user, "-l", level, "-a", auth, "-A", AUTH_PASS];
        if let Some(p) = privacy {
            v.extend(["-x", p, "-X", PRIV_PASS]);
        }
        v
    };
    let securities: Vec<Vec<&str>> = vec![
        vec!["-v2c", "-c", "public"],
        vec!["-v1", "-c", "public"],
        v3("md5des", "authPriv", "MD5", Some("DES")),
        v3("sha256aes", "authPriv", "SHA-256", Some("AES")),
        v3("sha512aes256c", "authPriv", "SHA-512", Some("AES-256-C")),
        v3("sha1auth", "authNoPriv", "SHA", None),
    ];
    for sec in &securities {
        // The tool (and for snmpctl its subcommand), the security flags, then the rest.
        let with = |tool: &[&str], rest: &[&str]| {
            let args: Vec<&str> = tool.iter().skip(1).chain(sec).chain(rest).copied().collect();
            run(tool[0], &args)
        };
        let o = with(&["snmpget"], &[&a, "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.2.1.0"]);
        assert_eq!(
            stdout(&o),
            "iso.3.6.1.2.1.1.5.0 = STRING: \"edge-rtr-01\"\niso.3.6.1.2.1.2.1.0 = INTEGER: 6\n",
            "{sec:?} {o:?}"
        );
        let walk = with(&["snmpwalk"], &[&a, "1.3.6.1.2.1.2.2.1.2"]);
        assert_eq!(stdout(&walk).lines().count(), 6, "{sec:?}");
        assert!(stdout(&walk).contains("iso.3.6.1.2.1.2.2.1.2.5 = STRING: \"xe-1-0-0\""), "{sec:?}");
        if sec[0] != "-v1" {
            let bulk = with(&["snmpbulkwalk"], &["-Cr7", &a, "1.3.6.1.2.1.2.2"]);
            assert_eq!(stdout(&bulk).lines().count(), 6 * 22, "{sec:?}");
            let ours = with(&["snmpctl", "walk"], &[&a, "1.3.6.1.2.1.2.2"]);
            assert_eq!(stdout(&ours).lines().count(), 6 * 22, "{sec:?}");
        }
        let table =
            with(&["snmptable"], &["-M", MIBS, "-m", "IF-MIB", "-Ci", "-Cf", "|", &a, "IF-MIB::ifTable"]);
        let table = stdout(&table);
        assert_eq!(table.lines().filter(|l| l.contains("ge-0-0-")).count(), 3, "{sec:?}\n{table}");
    }
    // Set changes the value in memory (v2c and v3), as one atomic operation.
    let set = run("snmpset", &["-v2c", "-c", "public", &a, "1.3.6.1.2.1.1.5.0", "s", "renamed-v2c"]);
    assert!(set.status.success(), "{set:?}");
    let get = run("snmpget", &["-v2c", "-c", "public", "-Ovq", &a, "1.3.6.1.2.1.1.5.0"]);
    assert_eq!(stdout(&get), "\"renamed-v2c\"\n");
    let mut v3set = v3("sha256aes", "authPriv", "SHA-256", Some("AES"));
    v3set.extend([a.as_str(), "1.3.6.1.2.1.1.6.0", "s", "Rack 1", "1.3.6.1.2.1.1.4.0", "i", "5"]);
    let refused = run("snmpset", &v3set);
    assert!(stdout(&refused).is_empty() && !refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("wrongType"), "{refused:?}");
    let get = run("snmpget", &["-v2c", "-c", "public", "-Ovq", &a, "1.3.6.1.2.1.1.6.0"]);
    assert_eq!(stdout(&get), "\"Rack 12, Building A, Example DC\"\n", "a failed Set changed nothing");
    // Wrong credentials are refused with the Report Net-SNMP expects.
    let wrong = run(
        "snmpget",
        &[
            "-v3",
            "-u",
            "sha256aes",
            "-l",
            "authNoPriv",
            "-a",
            "SHA-256",
            "-A",
            "wrongpass99",
            &a,
            "1.3.6.1.2.1.1.5.0",
        ],
    );
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("Authentication failure"), "{wrong:?}");
    let unknown = run("snmpget", &["-v3", "-u", "nobody", "-l", "noAuthNoPriv", &a, "1.3.6.1.2.1.1.5.0"]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("Unknown user name"), "{unknown:?}");
}

fn snmpsim_data() -> std::path::PathBuf {
    let o = Command::new("python3")
        .args(["-c", "import snmpsim, os; print(os.path.join(os.path.dirname(snmpsim.__file__), 'data'))"])
        .output()
        .unwrap();
    assert!(o.status.success(), "snmpsim is not installed: pip install snmpsim (scripts/test.sh does)");
    std::path::PathBuf::from(stdout(&o).trim())
}

#[test]
fn snmpsim_recordings_load_and_serve() {
    let data = snmpsim_data();
    let agent = Agent::start(&[data.to_str().unwrap()], 1);
    for (community, file) in [
        ("recorded/linux-full-walk", "recorded/linux-full-walk.snmprec"),
        ("recorded/winxp-full-walk", "recorded/winxp-full-walk.snmprec"),
        ("recorded/eaton-9PX-partial-walk", "recorded/eaton-9PX-partial-walk.snmprec"),
        ("mib2dev/ip-mib", "mib2dev/ip-mib.snmprec"),
        ("public", "public.snmprec"),
    ] {
        let text = std::fs::read(data.join(file)).unwrap();
        let text: String = text.iter().map(|b| char::from(*b)).collect();
        // Objects the agent serves: every record but those of variation modules it does not run.
        let mut oids: Vec<&str> = text
            .lines()
            .filter(|l| l.contains('|'))
            .filter(|l| {
                let tag = l.split('|').nth(1).unwrap_or("");
                !tag.contains(':') || tag.ends_with(":numeric") || tag.ends_with(":writecache")
            })
            .map(|l| l.split('|').next().unwrap())
            .collect();
        oids.sort();
        oids.dedup();
        let walk = run("snmpbulkwalk", &["-v2c", "-c", community, "-On", "-Cc", &agent.addr(), ".1"]);
        let got =
            stdout(&walk).lines().filter(|l| l.starts_with('.') && !l.contains("No more variables")).count();
        assert_eq!(got, oids.len(), "{community}: {}", String::from_utf8_lossy(&walk.stderr));
    }
    // A value checked against the file: the Linux recording's sysDescr.
    let get = run(
        "snmpget",
        &["-v2c", "-c", "recorded/linux-full-walk", "-Ovq", &agent.addr(), "1.3.6.1.2.1.1.1.0"],
    );
    let text = std::fs::read_to_string(data.join("recorded/linux-full-walk.snmprec")).unwrap();
    let descr = text.lines().find_map(|l| l.strip_prefix("1.3.6.1.2.1.1.1.0|4|")).unwrap();
    assert_eq!(stdout(&get), format!("\"{descr}\"\n"));
}

#[test]
fn poll_gets_every_result_from_1000_agents() {
    let dir = temp_dir("poll");
    let users = dir.join("users.conf");
    std::fs::write(&users, format!("createUser poller SHA-256 {AUTH_PASS} AES {PRIV_PASS}\n")).unwrap();
    let agent = Agent::start(&["--users", users.to_str().unwrap()], 1000);
    let mut targets = format!(
        "# half v2c (the command line), half v3 authPriv\nprofile v3 -v3 -u poller -l authPriv -a SHA-256 -A {AUTH_PASS} -x AES -X {PRIV_PASS}\n"
    );
    for i in 0..1000u16 {
        let profile = if i % 2 == 1 { " v3" } else { "" };
        targets.push_str(&format!("127.0.0.1:{}{profile}\n", agent.port + i));
    }
    let file = dir.join("targets");
    std::fs::write(&file, targets).unwrap();
    let o = run(
        "snmpctl",
        &[
            "poll",
            "--format",
            "ndjson",
            "-f",
            file.to_str().unwrap(),
            "-g",
            "1.3.6.1.2.1.1.1.0,1.3.6.1.2.1.1.3.0",
            "-w",
            "1.3.6.1.2.1.2.2.1.2",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut per_target = std::collections::HashMap::<String, usize>::new();
    for line in stdout(&o).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v.get("error").is_none(), "{line}");
        *per_target.entry(v["target"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    assert_eq!(per_target.len(), 1000);
    assert!(per_target.values().all(|n| *n == 2 + 6), "two values and six interface names each");
    let summary = String::from_utf8_lossy(&o.stderr);
    assert!(
        summary.contains("1000 targets")
            && summary.contains("1000 ok, 0 with missing objects, 0 timeout, 0 error"),
        "{summary}"
    );
    // CSV: a header and one row per value.
    let o = run("snmpctl", &["poll", "--csv", "-f", file.to_str().unwrap(), "-g", "1.3.6.1.2.1.1.5.0"]);
    let csv = stdout(&o);
    assert_eq!(csv.lines().next(), Some("target,oid,type,value"));
    assert_eq!(csv.lines().filter(|l| l.ends_with(",OCTET STRING,edge-rtr-01")).count(), 1000, "{csv}");
}

#[test]
fn poll_rides_out_loss_and_reports_dead_targets() {
    let agent = Agent::start(&["--loss", "30%"], 50);
    let targets: Vec<String> = (0..50).map(|i| format!("127.0.0.1:{}", agent.port + i)).collect();
    let mut args = vec!["poll", "--format", "ndjson", "-t", "0.2", "-r", "8"];
    args.extend(targets.iter().map(String::as_str));
    let o = run("snmpctl", &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(stdout(&o).lines().count(), 50 * 4, "four system values from each");
    let summary = String::from_utf8_lossy(&o.stderr);
    assert!(summary.contains("50 ok") && !summary.contains(" 0 retransmitted"), "{summary}");
    // A port nobody serves: reported as a timeout, and exit code 2.
    let dead = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let dead_addr = dead.local_addr().unwrap().to_string();
    let o = run("snmpctl", &["poll", "--format", "ndjson", "-t", "0.2", "-r", "6", &dead_addr, &targets[0]]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stdout(&o)
            .contains(&format!("{{\"error\":\"no response after 7 attempts\",\"target\":\"{dead_addr}\"}}")),
        "{}",
        stdout(&o)
    );
    let summary = String::from_utf8_lossy(&o.stderr);
    assert!(summary.contains("1 ok, 0 with missing objects, 1 timeout"), "{summary}");
}

/// An answer that holds an exception (an object the agent does not have) is not an error: it
/// is printed and counted apart, exit 0. One agent polled twice with other credentials is named
/// by its profile in the output (issue 23).
#[test]
fn poll_names_missing_objects_and_repeated_agents() {
    let agent = Agent::start(&[], 1);
    let dir = temp_dir("poll-names");
    let file = dir.join("targets.txt");
    let a = agent.addr();
    std::fs::write(
        &file,
        format!(
            "profile good -v2c -c public\nprofile wrong -v2c -c nobody -t 0.2 -r 0\n{a} good\n{a} wrong\n"
        ),
    )
    .unwrap();
    let o = run(
        "snmpctl",
        &[
            "poll",
            "--format",
            "ndjson",
            "-f",
            file.to_str().unwrap(),
            "-g",
            "1.3.6.1.2.1.1.5.0,1.3.6.1.2.1.1.1.7",
        ],
    );
    let out = stdout(&o);
    assert!(out.contains(&format!("\"target\":\"{a} [good]\"")), "{out}");
    assert!(out.contains(&format!("\"target\":\"{a} [wrong]\"")), "{out}");
    assert!(out.contains("noSuchInstance"), "{out}");
    let summary = String::from_utf8_lossy(&o.stderr);
    assert!(summary.contains("0 ok, 1 with missing objects, 1 timeout, 0 error"), "{summary}");
    // Without the silent one: missing objects alone exit 0.
    let o = run("snmpctl", &["poll", "--format", "ndjson", "-g", "1.3.6.1.2.1.1.5.0,1.3.6.1.2.1.1.1.7", &a]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn demo_shows_the_mission_end_to_end() {
    let o = crate::snmpctl().arg("demo").output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = stdout(&o);
    for want in [
        "SNMPv2-MIB::sysName.0 = STRING: edge-rtr-01",
        "ge-0-0-0",
        "IF-MIB::ifName.5 = STRING: xe-1-0-0",
        "SNMPv2-MIB::sysName.0 = STRING: core-rtr-renamed",
        "SNMPv2-MIB::snmpTrapOID.0 = OID: IF-MIB::linkDown",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
}

/// The binary is linked statically (`.cargo/config.toml`); host names still resolve through
/// the system's resolver (`localhost` from /etc/hosts).
#[test]
fn host_names_resolve_in_the_static_binary() {
    let agent = Agent::start(&[], 1);
    let target = format!("localhost:{}", agent.port);
    let o =
        run("snmpctl", &["get", "-v2c", "-c", "public", "-t", "2", "-r", "1", &target, "1.3.6.1.2.1.1.5.0"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).starts_with("iso.3.6.1.2.1.1.5.0 = STRING: "), "{}", stdout(&o));
}
