//! `snmpctl listen`, `snmpctl trap` and `snmpctl inform` against Net-SNMP: notifications sent
//! by `snmptrap`/`snmpinform` arrive with every field right and are logged as `snmptrapd`
//! logs them; ours are received by a real `snmptrapd`; garbage never stops the listener; and
//! nothing is lost at a sustained rate.

use crate::agent::{AUTH_PASS, PRIV_PASS, temp_dir};
use crate::commands::run as tool;
use serde_json::Value as Json;
use std::io::{BufRead as _, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_snmpctl");

fn mibs() -> String {
    concat!(concat!(env!("CARGO_MANIFEST_DIR"), "/.."), "/mibs").to_string()
}

/// A running `snmpctl listen` writing records to a file.
struct Listener {
    child: Child,
    stderr: BufReader<ChildStderr>,
    /// What it said on stderr before it was listening.
    early: String,
    udp: u16,
    tcp: Option<u16>,
    dir: PathBuf,
    out: PathBuf,
}

impl Listener {
    /// Starts `snmpctl listen` on udp:127.0.0.1:0 (and tcp with `tcp`), writing to a file in a
    /// fresh directory; `args` come after.
    fn start(tag: &str, tcp: bool, args: &[&str]) -> Listener {
        Listener::start_writing(tag, tcp, None, args)
    }

    /// As [`Listener::start`], writing to `output` when given.
    fn start_writing(tag: &str, tcp: bool, output: Option<&Path>, args: &[&str]) -> Listener {
        let dir = temp_dir(tag);
        let out = output.map_or_else(|| dir.join("records"), Path::to_path_buf);
        let mut cmd = crate::snmpctl();
        cmd.arg("listen").args(["--listen", "udp:127.0.0.1:0"]);
        if tcp {
            cmd.args(["--listen", "tcp:127.0.0.1:0"]);
        }
        cmd.arg("--output").arg(&out).arg("--state-dir").arg(dir.join("state"));
        let mut child = cmd
            .args(args)
            .env("MIBS", "")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        // Lines before the first say what in --config is not applied.
        let (mut first, mut early) = (String::new(), String::new());
        while stderr.read_line(&mut first).unwrap() > 0 && !first.contains("listening on") {
            early.push_str(&first);
            first.clear();
        }
        let port = |proto: &str| {
            let at = first.find(&format!("{proto}:127.0.0.1:"))? + proto.len() + 11;
            first[at..].split(|c: char| !c.is_ascii_digit()).next()?.parse::<u16>().ok()
        };
        let udp = port("udp").unwrap_or_else(|| panic!("listen did not start: {first}"));
        Listener { child, stderr, early, udp, tcp: if tcp { port("tcp") } else { None }, dir, out }
    }

    fn target(&self) -> String {
        format!("udp:127.0.0.1:{}", self.udp)
    }

    fn text(&self) -> String {
        read_escaped(&self.out)
    }

    /// Waits (at most 10 s) until the file holds `n` lines.
    fn wait_lines(&self, n: usize) -> Vec<String> {
        let start = Instant::now();
        loop {
            let text = self.text();
            let lines: Vec<String> = text.lines().map(str::to_owned).collect();
            if lines.len() >= n || start.elapsed() > Duration::from_secs(10) {
                return lines;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The JSON records, once `n` have arrived.
    fn records(&self, n: usize) -> Vec<Json> {
        let lines = self.wait_lines(n);
        assert_eq!(lines.len(), n, "records:\n{}", lines.join("\n"));
        lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    /// SIGTERM; returns what it printed on stderr but the listening line (what --config does
    /// not apply, problems, counters).
    fn stop(mut self) -> String {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(status)) = self.child.try_wait() {
                let mut rest = std::mem::take(&mut self.early);
                let _ = self.stderr.read_to_string(&mut rest);
                assert!(status.success(), "listen failed: {rest}");
                let _ = std::fs::remove_dir_all(&self.dir);
                return rest;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        panic!("listen did not stop on SIGTERM");
    }
}

/// A private snmptrapd logging to a file.
struct Snmptrapd {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Snmptrapd {
    fn start(tag: &str, config: &str, extra: &[&str]) -> Snmptrapd {
        for _ in 0..5 {
            let dir = temp_dir(tag);
            std::fs::write(dir.join("snmptrapd.conf"), config).unwrap();
            std::fs::create_dir_all(dir.join("persist")).unwrap();
            let port = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let child = Command::new("snmptrapd")
                .args(["-f", "-n", "-C", "-Lf"])
                .arg(dir.join("log"))
                .arg("-c")
                .arg(dir.join("snmptrapd.conf"))
                .arg("-p")
                .arg(dir.join("pid"))
                .args(extra)
                .arg(format!("udp:127.0.0.1:{port}"))
                .env("SNMP_PERSISTENT_DIR", dir.join("persist"))
                .env("SNMPCONFPATH", dir.join("persist"))
                .env("MIBS", "")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("snmptrapd: apt-get install snmptrapd");
            let mut t = Snmptrapd { child, port, dir };
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(10) {
                if t.log().contains("NET-SNMP version") {
                    return t;
                }
                if let Ok(Some(_)) = t.child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        panic!("snmptrapd did not start");
    }

    fn log(&self) -> String {
        read_escaped(&self.dir.join("log"))
    }

    fn target(&self) -> String {
        format!("udp:127.0.0.1:{}", self.port)
    }

    /// The log after the banner, once it holds `records` timestamped records (10 s at most).
    fn records(&self, records: usize) -> String {
        let start = Instant::now();
        loop {
            let log = self.log();
            let body = log.split_once("NET-SNMP version").map_or("", |(_, b)| b);
            let body = body.split_once('\n').map_or("", |(_, b)| b).to_owned();
            let n = body.lines().filter(|l| l.starts_with("20")).count();
            if n >= records || start.elapsed() > Duration::from_secs(10) {
                return body;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Snmptrapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A log file as text, octets that are not UTF-8 written as `\xNN`, so that a comparison tells
/// octets kept as they came from octets replaced with U+FFFD.
fn read_escaped(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_default();
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// What snmptrapd and we both print, minus what differs by design or by run: the time, the
/// ports, and snmptrapd's name for 127.0.0.1 (it resolves it; we print numbers).
fn normalize(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let line = if line.starts_with("20") && line.len() > 20 {
            format!("TIME{}", &line[19..])
        } else {
            line.into()
        };
        let line = line.replace("localhost [127.0.0.1]", "127.0.0.1 [127.0.0.1]");
        // "]:12345" → "]:P"
        let mut s = String::new();
        let mut rest = line.as_str();
        while let Some(i) = rest.find("]:") {
            s.push_str(&rest[..i + 2]);
            rest = &rest[i + 2..];
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            if digits > 0 {
                s.push('P');
                rest = &rest[digits..];
            }
        }
        s.push_str(rest);
        out.push_str(&s);
        out.push('\n');
    }
    out
}

/// v3 users, one per privacy family: (name, authentication, privacy).
const V3_USERS: [(&str, &str, &str); 4] = [
    ("md5des", "MD5", "DES"),
    ("shaaes", "SHA", "AES"),
    ("sha256aes192", "SHA-256", "AES-192"),
    ("sha512aes256c", "SHA-512", "AES-256-C"),
];

/// `-v 3 -u USER -l authPriv -a AUTH -A PASS -x PRIV -X PASS`.
fn auth_priv(user: &str, auth: &str, auth_pass: &str, privacy: &str, priv_pass: &str) -> Vec<String> {
    ["-v", "3", "-u", user, "-l", "authPriv", "-a", auth, "-A", auth_pass, "-x", privacy, "-X", priv_pass]
        .iter()
        .map(|w| (*w).to_owned())
        .collect()
}

const V3_ENGINE_A: &str = "0x80000000010a0b0c0d";
const V3_ENGINE_B: &str = "0x80000000010e0f1011";

/// Users for both receivers: every privacy family, and one name with different credentials on
/// two engines. snmptrapd needs `-e` for Trap senders; we accept `shared` from any engine.
fn users_conf(for_snmptrapd: bool) -> String {
    let e = |engine: &str| if for_snmptrapd { format!("-e {engine} ") } else { String::new() };
    let mut c = String::new();
    for (user, auth, privacy) in V3_USERS {
        c.push_str(&format!(
            "createUser {}{user} {auth} {AUTH_PASS} {privacy} {PRIV_PASS}\n",
            e(V3_ENGINE_A)
        ));
    }
    // The same name, different keys per engine (both forms need -e for this).
    c.push_str(&format!("createUser -e {V3_ENGINE_A} dual SHA {AUTH_PASS} AES {PRIV_PASS}\n"));
    c.push_str(&format!("createUser -e {V3_ENGINE_B} dual MD5 otherpass123 DES otherpass456\n"));
    c
}

/// The notifications both receivers get: (snmptrap or snmpinform, arguments after the target).
fn sends() -> Vec<(&'static str, Vec<String>)> {
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<String>>();
    let mut out = vec![
        (
            "snmptrap",
            s(&[
                "-v",
                "1",
                "-c",
                "public",
                "TARGET",
                "1.3.6.1.4.1.8072.2.3",
                "192.0.2.7",
                "6",
                "17",
                "1234",
                "1.3.6.1.2.1.1.5.0",
                "s",
                "hello world",
                "1.3.6.1.2.1.2.2.1.1.1",
                "i",
                "5",
            ]),
        ),
        (
            "snmptrap",
            s(&[
                "-v",
                "1",
                "-c",
                "public",
                "TARGET",
                "1.3.6.1.4.1.3.1.1",
                "127.0.0.1",
                "2",
                "0",
                "860000",
                "1.3.6.1.2.1.2.2.1.1.3",
                "i",
                "3",
            ]),
        ),
        (
            "snmptrap",
            s(&[
                "-v",
                "2c",
                "-c",
                "public",
                "TARGET",
                "4242",
                "1.3.6.1.6.3.1.1.5.3",
                "1.3.6.1.2.1.2.2.1.1.3",
                "i",
                "3",
                "1.3.6.1.2.1.1.5.0",
                "x",
                "01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12",
                "1.3.6.1.2.1.1.2.0",
                "o",
                "1.3.6.1.4.1.8072.3.2.10",
                "1.3.6.1.2.1.4.20.1.1.10.0.0.1",
                "a",
                "10.0.0.1",
                "1.3.6.1.2.1.2.2.1.10.1",
                "c",
                "4000000000",
                "1.3.6.1.2.1.31.1.1.1.6.1",
                "C",
                "18446744073709551615",
                // sysLocation in Latin-1: logged as it came, not with U+FFFD.
                "1.3.6.1.2.1.1.6.0",
                "x",
                "4b f6 6c 6e",
            ]),
        ),
        ("snmpinform", s(&["-v", "2c", "-c", "public", "TARGET", "99", "1.3.6.1.6.3.1.1.5.1"])),
    ];
    for (user, auth, privacy) in V3_USERS {
        let mut args = auth_priv(user, auth, AUTH_PASS, privacy, PRIV_PASS);
        args.extend(s(&[
            "-e",
            V3_ENGINE_A,
            "TARGET",
            "777",
            "1.3.6.1.6.3.1.1.5.4",
            "1.3.6.1.2.1.1.6.0",
            "s",
            user,
        ]));
        out.push(("snmptrap", args));
    }
    // One user name, two engines, two sets of keys.
    for (engine, auth, auth_pass, privacy, priv_pass, uptime, text) in [
        (V3_ENGINE_A, "SHA", AUTH_PASS, "AES", PRIV_PASS, "1", "dual on A"),
        (V3_ENGINE_B, "MD5", "otherpass123", "DES", "otherpass456", "2", "dual on B"),
    ] {
        let mut args = auth_priv("dual", auth, auth_pass, privacy, priv_pass);
        args.extend(s(&[
            "-e",
            engine,
            "TARGET",
            uptime,
            "1.3.6.1.6.3.1.1.5.5",
            "1.3.6.1.2.1.1.6.0",
            "s",
            text,
        ]));
        out.push(("snmptrap", args));
    }
    out
}

fn send_all(target: &str, mibs: &[&str]) {
    for (program, args) in sends() {
        let args: Vec<String> =
            args.into_iter().map(|a| if a == "TARGET" { target.to_owned() } else { a }).collect();
        let mut all: Vec<&str> = mibs.to_vec();
        all.extend(args.iter().map(String::as_str));
        ok(&tool(program, &all));
    }
}

#[test]
fn text_log_matches_snmptrapd() {
    for with_mibs in [false, true] {
        let m = mibs();
        let mib_args: Vec<&str> = if with_mibs { vec!["-M", m.as_str(), "-m", "ALL"] } else { vec![] };
        let mut conf = String::from("disableAuthorization yes\n");
        conf.push_str(&users_conf(true));
        let theirs = Snmptrapd::start("text", &conf, &mib_args);
        send_all(&theirs.target(), &[]);
        let expected = normalize(&theirs.records(sends().len()));

        let dir = temp_dir("text-users");
        std::fs::write(dir.join("users"), users_conf(false)).unwrap();
        let users = dir.join("users").display().to_string();
        let mut args = vec!["--users", users.as_str()];
        if with_mibs {
            args.extend(["-M", m.as_str(), "-m", "ALL"]);
        } else {
            args.extend(["-m", ""]);
        }
        let ours = Listener::start("text", false, &args);
        send_all(&ours.target(), &[]);
        let want = expected.lines().count();
        ours.wait_lines(want);
        let got = normalize(&ours.text());
        ours.stop();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(got, expected, "with MIBs: {with_mibs}");
    }
}

fn field<'a>(r: &'a Json, k: &str) -> &'a Json {
    &r[k]
}

#[test]
fn notifications_arrive_with_every_field_right() {
    let dir = temp_dir("fields-users");
    std::fs::write(dir.join("users"), users_conf(false)).unwrap();
    let users = dir.join("users").display().to_string();
    // v3 Informs: a user our engine accepts (the Inform's engine is ours, found by discovery).
    let l = Listener::start(
        "fields",
        true,
        &[
            "--users", &users, "-u", "informer", "-a", "SHA-224", "-A", AUTH_PASS, "-x", "AES-256", "-X",
            PRIV_PASS, "--format", "json", "-m", "",
        ],
    );
    send_all(&l.target(), &[]);
    let inform3 = |target: &str| {
        tool(
            "snmpinform",
            &[
                "-v",
                "3",
                "-u",
                "informer",
                "-l",
                "authPriv",
                "-a",
                "SHA-224",
                "-A",
                AUTH_PASS,
                "-x",
                "AES-256",
                "-X",
                PRIV_PASS,
                target,
                "5",
                "1.3.6.1.6.3.1.1.5.2",
                "1.3.6.1.2.1.1.4.0",
                "s",
                "v3 inform",
            ],
        )
    };
    ok(&inform3(&l.target()));
    ok(&inform3(&format!("tcp:127.0.0.1:{}", l.tcp.unwrap())));
    let n = sends().len() + 2;
    let r = l.records(n);
    let stderr = l.stop();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(stderr.contains(&format!("{n} notifications, 3 informs acknowledged")), "{stderr}");
    assert!(stderr.contains("dropped 0"), "{stderr}");

    // v1, enterprise specific: as received, and the RFC 3584 translation.
    let v1 = &r[0];
    assert_eq!(field(v1, "version"), "v1");
    assert_eq!(field(v1, "pdu_type"), "Trap");
    assert_eq!(field(v1, "community"), "public");
    assert_eq!(v1["v1"]["enterprise"], "1.3.6.1.4.1.8072.2.3");
    assert_eq!(v1["v1"]["agent_addr"], "192.0.2.7");
    assert_eq!((v1["v1"]["generic_trap"].as_i64(), v1["v1"]["specific_trap"].as_i64()), (Some(6), Some(17)));
    assert_eq!(v1["uptime"], 1234);
    assert_eq!(v1["snmp_trap_oid"], "1.3.6.1.4.1.8072.2.3.0.17");
    assert_eq!(v1["varbinds"].as_array().unwrap().len(), 2);
    assert_eq!(v1["varbinds"][0]["value"], "hello world");
    let v2: Vec<(String, Json)> = v1["v2_varbinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|vb| (vb["oid"].as_str().unwrap().to_owned(), vb["value"].clone()))
        .collect();
    let oids: Vec<&str> = v2.iter().map(|(o, _)| o.as_str()).collect();
    assert_eq!(
        oids,
        [
            "1.3.6.1.2.1.1.3.0",
            "1.3.6.1.6.3.1.1.4.1.0",
            "1.3.6.1.2.1.1.5.0",
            "1.3.6.1.2.1.2.2.1.1.1",
            "1.3.6.1.6.3.18.1.3.0",
            "1.3.6.1.6.3.18.1.4.0",
            "1.3.6.1.6.3.1.1.4.3.0"
        ]
    );
    assert_eq!(v2[4].1, "192.0.2.7");
    assert_eq!(v2[5].1, "public");
    assert_eq!(v2[6].1, "1.3.6.1.4.1.8072.2.3");
    // v1 generic linkDown → snmpTraps.3.
    assert_eq!(r[1]["snmp_trap_oid"], "1.3.6.1.6.3.1.1.5.3");
    assert_eq!(r[1]["uptime"], 860000);
    // v2c Trap: every value type as sent.
    let t = &r[2];
    assert_eq!((field(t, "version"), field(t, "pdu_type")), (&Json::from("v2c"), &Json::from("SNMPv2-Trap")));
    assert_eq!(t["uptime"], 4242);
    assert_eq!(t["snmp_trap_oid"], "1.3.6.1.6.3.1.1.5.3");
    let types: Vec<&str> =
        t["varbinds"].as_array().unwrap().iter().map(|vb| vb["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "TimeTicks",
            "OBJECT IDENTIFIER",
            "Integer32",
            "OCTET STRING",
            "OBJECT IDENTIFIER",
            "IpAddress",
            "Counter32",
            "Counter64",
            "OCTET STRING"
        ]
    );
    // The Latin-1 sysLocation: not printable ASCII, so its value is the octets in hex.
    let latin = &t["varbinds"][8];
    assert_eq!((latin["hex"].as_str(), latin["value"].as_str()), (Some("4bf66c6e"), Some("4B F6 6C 6E")));
    assert_eq!(t["varbinds"][3]["hex"], "0102030405060708090a0b0c0d0e0f101112");
    assert_eq!(t["varbinds"][6]["value"], 4_000_000_000u64);
    assert_eq!(t["varbinds"][7]["value"], u64::MAX);
    assert!(t["request_id"].is_i64());
    // v2c Inform.
    assert_eq!(r[3]["pdu_type"], "InformRequest");
    assert_eq!(r[3]["uptime"], 99);
    // v3 Traps, four privacy families, engine A; `dual` on two engines with two sets of keys.
    for (i, (user, _, _)) in V3_USERS.iter().enumerate() {
        let v3 = &r[4 + i];
        assert_eq!(v3["version"], "v3");
        assert_eq!(v3["user"], *user);
        assert_eq!(v3["security_level"], "authPriv");
        assert_eq!(v3["engine_id"], V3_ENGINE_A.trim_start_matches("0x"));
        assert_eq!(v3["snmp_trap_oid"], "1.3.6.1.6.3.1.1.5.4");
        assert_eq!(v3["varbinds"][2]["value"], *user);
    }
    assert_eq!(
        (&r[8]["user"], &r[8]["varbinds"][2]["value"]),
        (&Json::from("dual"), &Json::from("dual on A"))
    );
    assert_eq!(
        (&r[9]["user"], &r[9]["varbinds"][2]["value"]),
        (&Json::from("dual"), &Json::from("dual on B"))
    );
    assert_eq!(r[9]["engine_id"], V3_ENGINE_B.trim_start_matches("0x"));
    // v3 Informs over UDP and TCP, to our engine.
    for (i, transport) in [(10, "udp"), (11, "tcp")] {
        assert_eq!(r[i]["pdu_type"], "InformRequest");
        assert_eq!(r[i]["user"], "informer");
        assert_eq!(r[i]["transport"], transport);
        assert_eq!(r[i]["varbinds"][2]["value"], "v3 inform");
        assert_ne!(r[i]["engine_id"], V3_ENGINE_A.trim_start_matches("0x"));
    }
    // Every record has an RFC 3339 time and the sender.
    for rec in &r {
        let time = rec["time"].as_str().unwrap();
        assert!(time.len() >= 20 && time.as_bytes()[10] == b'T', "{time}");
        assert!(rec["from"].as_str().unwrap().starts_with("127.0.0.1:"));
    }
}

/// A v2c Trap, hand-built, with this request-id.
fn v2c_trap(request_id: i64, community: &str) -> Vec<u8> {
    use snmpctl::msg::{CommunityMessage, ErrorStatus, GenericPdu, Message, Pdu, PduType, Version};
    use snmpctl::value::{Value, VarBind};
    Message::Community(CommunityMessage {
        version: Version::V2c,
        community: community.as_bytes().to_vec(),
        pdu: Pdu::Generic(GenericPdu {
            pdu_type: PduType::TRAP_V2,
            request_id,
            error_status: ErrorStatus::NO_ERROR,
            error_index: 0,
            varbinds: vec![
                VarBind::new("1.3.6.1.2.1.1.3.0".parse().unwrap(), Value::TimeTicks(1)),
                VarBind::new(
                    "1.3.6.1.6.3.1.1.4.1.0".parse().unwrap(),
                    Value::ObjectIdentifier("1.3.6.1.6.3.1.1.5.1".parse().unwrap()),
                ),
            ],
        }),
    })
    .encode()
    .unwrap()
}

#[test]
fn garbage_and_bad_credentials_do_not_stop_a_valid_trap() {
    let l = Listener::start(
        "garbage",
        true,
        &[
            "-u", "good", "-a", "SHA", "-A", AUTH_PASS, "-x", "AES", "-X", PRIV_PASS, "-c", "public",
            "--format", "json",
        ],
    );
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = format!("127.0.0.1:{}", l.udp);
    let valid = v2c_trap(7, "public");
    sock.send_to(b"not snmp at all", &to).unwrap();
    sock.send_to(&[], &to).unwrap();
    for cut in [1, 2, 5, valid.len() / 2, valid.len() - 1] {
        sock.send_to(&valid[..cut], &to).unwrap();
    }
    sock.send_to(&v2c_trap(8, "wrongcommunity"), &to).unwrap();
    // Over TCP: garbage closes that connection only.
    {
        use std::io::Write as _;
        let mut tcp = std::net::TcpStream::connect(format!("127.0.0.1:{}", l.tcp.unwrap())).unwrap();
        tcp.write_all(b"\xff\xff garbage").unwrap();
    }
    let v3 = |user: &str, pass: &str| {
        tool(
            "snmptrap",
            &[
                "-v",
                "3",
                "-u",
                user,
                "-l",
                "authPriv",
                "-a",
                "SHA",
                "-A",
                pass,
                "-x",
                "AES",
                "-X",
                PRIV_PASS,
                "-e",
                V3_ENGINE_A,
                &l.target(),
                "1",
                "1.3.6.1.6.3.1.1.5.1",
            ],
        )
    };
    ok(&v3("nobody", AUTH_PASS));
    ok(&v3("good", "wrongpassword"));
    // The informer that does not exist gets a Report, so snmpinform fails at once.
    let o = tool(
        "snmpinform",
        &[
            "-v",
            "3",
            "-u",
            "nobody",
            "-l",
            "authNoPriv",
            "-a",
            "SHA",
            "-A",
            AUTH_PASS,
            "-r",
            "0",
            &l.target(),
            "1",
            "1.3.6.1.6.3.1.1.5.1",
        ],
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("Unknown user name"), "{o:?}");
    // Then valid ones, over UDP and TCP.
    sock.send_to(&valid, &to).unwrap();
    ok(&v3("good", AUTH_PASS));
    {
        use std::io::Write as _;
        let mut tcp = std::net::TcpStream::connect(format!("127.0.0.1:{}", l.tcp.unwrap())).unwrap();
        tcp.write_all(&v2c_trap(9, "public")).unwrap();
    }
    let r = l.records(3);
    let stderr = l.stop();
    let ids: Vec<Json> = r.iter().map(|x| x["request_id"].clone()).collect();
    assert_eq!(ids[0], 7);
    assert_eq!(r[1]["user"], "good");
    assert!(ids.contains(&Json::from(9)));
    for needle in ["malformed", "bad community 1", "unknown user 2", "wrong digest 1", "3 notifications"] {
        assert!(stderr.contains(needle), "{needle} in {stderr}");
    }
    // One line per problem (under the rate limit), naming the sender.
    assert!(
        stderr.lines().filter(|l| l.contains("dropped a message from 127.0.0.1:")).count() >= 8,
        "{stderr}"
    );
}

#[test]
fn retransmitted_informs_are_acknowledged_again_but_logged_once() {
    use snmpctl::msg::{Message, Pdu, PduType};
    let l = Listener::start("dup", false, &["--format", "json"]);
    let mut inform = v2c_trap(4242, "public");
    // SNMPv2-Trap [7] → InformRequest [6]: the PDU tag sits after version and community.
    let at = inform.iter().position(|b| *b == 0xa7).unwrap();
    inform[at] = 0xa6;
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let to = format!("127.0.0.1:{}", l.udp);
    for _ in 0..3 {
        sock.send_to(&inform, &to).unwrap();
        let mut buf = [0u8; 2048];
        let (n, _) = sock.recv_from(&mut buf).unwrap();
        let Message::Community(m) = Message::decode(&buf[..n]).unwrap() else { panic!() };
        let Pdu::Generic(p) = m.pdu else { panic!() };
        assert_eq!((p.pdu_type, p.request_id, p.varbinds.len()), (PduType::RESPONSE, 4242, 2));
    }
    // A different request-id is a new Inform.
    let mut other = v2c_trap(4243, "public");
    let at = other.iter().position(|b| *b == 0xa7).unwrap();
    other[at] = 0xa6;
    sock.send_to(&other, &to).unwrap();
    let r = l.records(2);
    let stderr = l.stop();
    assert_eq!((r[0]["request_id"].as_i64(), r[1]["request_id"].as_i64()), (Some(4242), Some(4243)));
    assert!(stderr.contains("2 notifications, 4 informs acknowledged, 2 retransmitted informs"), "{stderr}");
}

#[test]
fn no_trap_is_lost_at_a_sustained_rate() {
    // N Traps with request-ids 1..=N at a fixed rate; every one is logged (JSON to a file).
    const N: u64 = 20_000;
    let l = Listener::start("loss", false, &["--format", "json"]);
    let o = tool(
        "snmpctl",
        &[
            "trap",
            "-v",
            "2c",
            "-c",
            "public",
            "--count",
            &N.to_string(),
            "--rate",
            "20000",
            &l.target(),
            "1",
            "1.3.6.1.6.3.1.1.5.1",
        ],
    );
    ok(&o);
    let lines = l.wait_lines(N as usize);
    let stderr = l.stop();
    let mut seen = vec![false; N as usize + 1];
    for line in &lines {
        let r: Json = serde_json::from_str(line).unwrap();
        seen[r["request_id"].as_u64().unwrap() as usize] = true;
    }
    let missing: Vec<usize> = (1..=N as usize).filter(|i| !seen[*i]).collect();
    assert!(missing.is_empty(), "{} of {N} missing, first {:?}; {stderr}", missing.len(), missing.first());
    assert!(!stderr.contains("LOST"), "{stderr}");
}

#[test]
fn records_the_output_cannot_take_are_counted_as_lost() {
    // Output to /dev/full: the writer's first flush fails, and every record after that is
    // counted as lost (never formatted, never silently dropped); the exit status says so.
    let mut l = Listener::start_writing("full", false, Some(Path::new("/dev/full")), &["--format", "json"]);
    let target = l.target();
    let send = |count: &str| {
        ok(&tool(
            "snmpctl",
            &["trap", "-v", "2c", "-c", "public", "--count", count, &target, "1", "1.3.6.1.6.3.1.1.5.1"],
        ));
    };
    send("1");
    std::thread::sleep(Duration::from_millis(500));
    send("20");
    std::thread::sleep(Duration::from_millis(500));
    // Not `stop`: that requires success, and this run must fail.
    let _ = Command::new("kill").arg("-TERM").arg(l.child.id().to_string()).status();
    let status = l.child.wait().unwrap();
    let mut rest = String::new();
    let _ = l.stderr.read_to_string(&mut rest);
    assert!(!status.success(), "{rest}");
    assert!(rest.contains("20 records LOST"), "{rest}");
    assert!(rest.contains("writing records"), "{rest}");
    let _ = std::fs::remove_dir_all(&l.dir);
}

#[test]
fn output_file_rotates_by_size() {
    let l =
        Listener::start("rotate", false, &["--format", "json", "--rotate-size", "4K", "--rotate-keep", "3"]);
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    for i in 1..=60 {
        sock.send_to(&v2c_trap(i, "public"), format!("127.0.0.1:{}", l.udp)).unwrap();
        std::thread::sleep(Duration::from_millis(2));
    }
    // Each record is ~700 bytes: 60 records make several 4 KiB files, of which 3 are kept.
    let start = Instant::now();
    let count = |p: &Path| std::fs::read_to_string(p).map_or(0, |t| t.lines().count());
    let numbered = |n: u32| PathBuf::from(format!("{}.{n}", l.out.display()));
    let mut ids = Vec::new();
    while start.elapsed() < Duration::from_secs(10) {
        ids.clear();
        for p in [numbered(3), numbered(2), numbered(1), l.out.clone()] {
            for line in std::fs::read_to_string(&p).unwrap_or_default().lines() {
                let r: Json = serde_json::from_str(line).unwrap();
                ids.push(r["request_id"].as_i64().unwrap());
            }
        }
        if ids.last() == Some(&60) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!numbered(4).exists());
    assert!(count(&numbered(1)) > 0 && count(&numbered(3)) > 0);
    // The kept files hold the latest records, in order, with no gap.
    let first = ids[0];
    assert_eq!(ids, (first..=60).collect::<Vec<_>>());
    for n in 1..=3 {
        assert!(std::fs::metadata(numbered(n)).unwrap().len() >= 4096);
    }
    l.stop();
}

/// Our `trap` and `inform` are received and logged by a real snmptrapd: v1, v2c, v3 Traps
/// sent as our own engine (snmptrapd knows the user under that engine ID), v2c and v3 Informs.
#[test]
fn snmptrapd_receives_our_traps_and_informs() {
    let state = temp_dir("our-engine");
    let state_arg = state.display().to_string();
    // Our engine comes into being on first use; snmptrapd must know it for v3 Traps.
    let ours = auth_priv("ours", "SHA-256", AUTH_PASS, "AES", PRIV_PASS);
    let ours: Vec<&str> = ours.iter().map(String::as_str).collect();
    let informer = auth_priv("informer", "SHA-512", AUTH_PASS, "AES-256-C", PRIV_PASS);
    let informer: Vec<&str> = informer.iter().map(String::as_str).collect();
    let o = tool(
        "snmpctl",
        &[&["trap", "--state-dir", &state_arg][..], &ours, &["udp:127.0.0.1:9", "", "1.3.6.1.6.3.1.1.5.1"]]
            .concat(),
    );
    ok(&o);
    let engine_file = std::fs::read_to_string(state.join("engine")).unwrap();
    let engine = engine_file.lines().next().unwrap().strip_prefix("engine-id ").unwrap().to_owned();
    let conf = format!(
        "disableAuthorization yes\n\
         createUser -e 0x{engine} ours SHA-256 {AUTH_PASS} AES {PRIV_PASS}\n\
         createUser informer SHA-512 {AUTH_PASS} AES-256-C {PRIV_PASS}\n"
    );
    let t = Snmptrapd::start("ours", &conf, &[]);
    let target = t.target();
    let st = state_arg.as_str();
    let cases: Vec<Vec<&str>> = vec![
        vec![
            "trap",
            "-v",
            "1",
            "-c",
            "public",
            &target,
            "1.3.6.1.4.1.8072.2.3",
            "192.0.2.9",
            "6",
            "42",
            "100",
            "1.3.6.1.2.1.1.5.0",
            "s",
            "from snmpctl v1",
        ],
        vec![
            "trap",
            "-v",
            "2c",
            "-c",
            "public",
            &target,
            "200",
            "1.3.6.1.6.3.1.1.5.3",
            "1.3.6.1.2.1.2.2.1.1.2",
            "i",
            "2",
        ],
        [
            &["trap", "--state-dir", st][..],
            &ours,
            &[&target, "300", "1.3.6.1.6.3.1.1.5.4", "1.3.6.1.2.1.1.6.0", "s", "from snmpctl v3"],
        ]
        .concat(),
        vec!["inform", "-v", "2c", "-c", "public", &target, "400", "1.3.6.1.6.3.1.1.5.1"],
        [
            &["trap", "-Ci"][..],
            &informer,
            &[&target, "500", "1.3.6.1.6.3.1.1.5.2", "1.3.6.1.2.1.1.4.0", "s", "v3 inform from snmpctl"],
        ]
        .concat(),
    ];
    for c in &cases {
        ok(&tool("snmpctl", c));
    }
    let log = normalize(&t.records(cases.len()));
    let _ = std::fs::remove_dir_all(&state);
    let expected = "\
TIME 192.0.2.9 [192.0.2.9] (via UDP: [127.0.0.1]:P->[127.0.0.1]:P) TRAP, SNMP v1, community public
\tiso.3.6.1.4.1.8072.2.3 Enterprise Specific Trap (42) Uptime: 0:00:01.00
\tiso.3.6.1.2.1.1.5.0 = STRING: \"from snmpctl v1\"
TIME UDP: [127.0.0.1]:P->[127.0.0.1]:P [UDP: [127.0.0.1]:P->[127.0.0.1]:P]:
iso.3.6.1.2.1.1.3.0 = Timeticks: (200) 0:00:02.00\tiso.3.6.1.6.3.1.1.4.1.0 = OID: iso.3.6.1.6.3.1.1.5.3\tiso.3.6.1.2.1.2.2.1.1.2 = INTEGER: 2
TIME UDP: [127.0.0.1]:P->[127.0.0.1]:P [UDP: [127.0.0.1]:P->[127.0.0.1]:P]:
iso.3.6.1.2.1.1.3.0 = Timeticks: (300) 0:00:03.00\tiso.3.6.1.6.3.1.1.4.1.0 = OID: iso.3.6.1.6.3.1.1.5.4\tiso.3.6.1.2.1.1.6.0 = STRING: \"from snmpctl v3\"
TIME UDP: [127.0.0.1]:P->[127.0.0.1]:P [UDP: [127.0.0.1]:P->[127.0.0.1]:P]:
iso.3.6.1.2.1.1.3.0 = Timeticks: (400) 0:00:04.00\tiso.3.6.1.6.3.1.1.4.1.0 = OID: iso.3.6.1.6.3.1.1.5.1
TIME UDP: [127.0.0.1]:P->[127.0.0.1]:P [UDP: [127.0.0.1]:P->[127.0.0.1]:P]:
iso.3.6.1.2.1.1.3.0 = Timeticks: (500) 0:00:05.00\tiso.3.6.1.6.3.1.1.4.1.0 = OID: iso.3.6.1.6.3.1.1.5.2\tiso.3.6.1.2.1.1.4.0 = STRING: \"v3 inform from snmpctl\"
";
    assert_eq!(log, expected);
    // An Inform nobody acknowledges fails with snmpinform's message.
    let o = tool(
        "snmpctl",
        &["inform", "-v", "2c", "-r", "1", "-t", "0.2", "udp:127.0.0.1:9", "", "1.3.6.1.6.3.1.1.5.1"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&o.stderr), "snmpctl inform: Timeout\n");
}

#[test]
fn privileged_port_explains_what_to_do() {
    // As an unprivileged user (when run as root, through setpriv): the default port 162.
    let unprivileged = std::env::var("USER").map_or(true, |u| u != "root")
        && !Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let o = if unprivileged {
        tool("snmpctl", &["listen", "--listen", "udp:127.0.0.1:162"])
    } else {
        crate::isolated(Command::new("setpriv"))
            .args([
                "--reuid",
                "65534",
                "--regid",
                "65534",
                "--clear-groups",
                BIN,
                "listen",
                "--listen",
                "udp:127.0.0.1:162",
                "--state-dir",
                "/nonexistent/snmpctl-state",
            ])
            .env("MIBS", "")
            .output()
            .expect("setpriv (util-linux)")
    };
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot listen on udp:127.0.0.1:162"), "{err}");
    assert!(err.contains("Port 162 is privileged"), "{err}");
    assert!(err.contains("setcap cap_net_bind_service=+ep"), "{err}");
    assert!(err.contains("--listen udp:0.0.0.0:1162"), "{err}");
}

#[test]
fn an_oversized_tcp_message_closes_its_connection_only() {
    use std::io::{Read as _, Write as _};
    let l = Listener::start("tcp-big", true, &["--format", "json"]);
    let addr = format!("127.0.0.1:{}", l.tcp.unwrap());
    let mut big = std::net::TcpStream::connect(&addr).unwrap();
    big.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    // A SEQUENCE announcing 32 MiB, then more than the 1 MiB limit of it: never buffered whole.
    let mut data = vec![0x30, 0x84, 0x02, 0x00, 0x00, 0x00];
    data.resize(1_200_000, 0);
    let _ = big.write_all(&data);
    let mut rest = Vec::new();
    // Closed: end of stream, or a reset (the listener closed with our bytes unread). A read
    // timeout means it kept the connection open.
    let closed = match big.read_to_end(&mut rest) {
        Ok(_) => true,
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    };
    assert!(closed && rest.is_empty(), "the listener kept the connection");
    // Another connection still works.
    let mut ok_conn = std::net::TcpStream::connect(&addr).unwrap();
    ok_conn.write_all(&v2c_trap(11, "public")).unwrap();
    let r = l.records(1);
    let stderr = l.stop();
    assert_eq!(r[0]["request_id"], 11);
    assert!(stderr.contains("malformed 1"), "{stderr}");
}

/// A traphandle program for the side-by-side tests: writes its arguments and what it read on
/// stdin to a new file in the directory given first.
/// snmptrapd and `snmpctl listen --config FILE -n`, started side by side: each reads the file
/// `conf(OUT)`, OUT an output folder of its own for handlers to write in (`dir/theirs`,
/// `dir/ours`); `extra` (MIB options) goes to both. Returns (snmptrapd, its folder, ours, ours).
fn trapd_pair(
    dir: &Path,
    tag: &str,
    conf: impl Fn(&Path) -> String,
    extra: &[&str],
) -> (Snmptrapd, PathBuf, Listener, PathBuf) {
    let (theirs_out, ours_out) = (dir.join("theirs"), dir.join("ours"));
    std::fs::create_dir_all(&theirs_out).unwrap();
    std::fs::create_dir_all(&ours_out).unwrap();
    let theirs = Snmptrapd::start(&format!("{tag}-theirs"), &conf(&theirs_out), extra);
    let path = dir.join("ours.conf");
    std::fs::write(&path, conf(&ours_out)).unwrap();
    let path = path.display().to_string();
    let mut args = vec!["--config", path.as_str(), "-n"];
    args.extend(extra);
    let ours = Listener::start(&format!("{tag}-ours"), false, &args);
    (theirs, theirs_out, ours, ours_out)
}

/// `snmptrap` with each argument list, to each target in turn (`TARGET` in a list is replaced).
fn trap_each(targets: &[String], sends: &[Vec<String>]) {
    for target in targets {
        for args in sends {
            let args: Vec<&str> =
                args.iter().map(|a| if a == "TARGET" { target.as_str() } else { a.as_str() }).collect();
            ok(&tool("snmptrap", &args));
        }
    }
}

/// A handler that writes its arguments after the first, each in brackets, and its input into
/// a file of its own in the folder its first argument names.
fn handler_script(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let script = dir.join("handler.sh");
    // Written under a hidden name and renamed when complete, so that a reader never sees half.
    std::fs::write(
        &script,
        "#!/bin/sh\nout=$1; shift\nf=$(mktemp \"$out/.part.XXXXXX\")\n{ printf '[%s]' \"$@\"; echo; cat; } > \"$f\"\n\
         mv \"$f\" \"$out/run.${f##*.}\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

/// Every file the handler script wrote in `dir`, sorted, ports made `P`: once `n` are there
/// (10 s at most).
fn handler_runs(dir: &Path, n: usize) -> Vec<String> {
    let start = Instant::now();
    loop {
        let mut runs: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.file_name().is_some_and(|n| !n.to_string_lossy().starts_with('.')))
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .map(|t| normalize(&t))
            .collect();
        if runs.len() >= n || start.elapsed() > Duration::from_secs(10) {
            runs.sort();
            return runs;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// snmptrapd.conf's access rules and traphandle programs (issue 21): the same file given to
/// snmptrapd and to `snmpctl listen --config`, the same notifications sent to both; what each
/// logged and what each handler read on stdin (and its arguments) compared.
#[test]
fn access_rules_and_handlers_as_snmptrapd_applies_them() {
    let dir = temp_dir("trapd-rules");
    let script = handler_script(&dir);
    let conf = |out: &Path| {
        format!(
            "authCommunity log public\n\
             authCommunity log,execute lab 127.0.0.0/8\n\
             authCommunity log,execute far 10.0.0.0/8\n\
             authCommunity execute linkonly 127.0.0.1/255.255.255.255 .1.3.6.1.6.3.1.1.5\n\
             createUser -e {V3_ENGINE_A} ops SHA {AUTH_PASS} AES {PRIV_PASS}\n\
             authUser log,execute ops priv\n\
             ignoreAuthFailure yes\n\
             traphandle IF-MIB::linkDown {s} {o} linkdown \"two words\"\n\
             traphandle .1.3.6.1.4.1* {s} {o} enterprise\n\
             traphandle default {s} {o} default\n",
            s = script.display(),
            o = out.display()
        )
    };
    let m = mibs();
    let (theirs, theirs_out, ours, ours_out) =
        trapd_pair(&dir, "trapd-rules", conf, &["-M", &m, "-m", "ALL"]);

    let v2 = |community: &str, oid: &str| -> Vec<String> {
        ["-v", "2c", "-c", community, "TARGET", "4242", oid, "1.3.6.1.2.1.2.2.1.1.3", "i", "3"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    };
    let mut sends: Vec<Vec<String>> = vec![
        v2("public", "1.3.6.1.6.3.1.1.5.3"),        // logged only
        v2("lab", "1.3.6.1.6.3.1.1.5.3"),           // logged, linkdown handler
        v2("lab", "1.3.6.1.4.1.8072.2.3.0.1"),      // logged, enterprise handler
        v2("lab", "1.3.6.1.6.3.1.1.5.1"),           // logged, default handler
        v2("far", "1.3.6.1.6.3.1.1.5.3"),           // refused: source
        v2("linkonly", "1.3.6.1.6.3.1.1.5.4"),      // default handler only
        v2("linkonly", "1.3.6.1.4.1.8072.2.3.0.1"), // refused: OID
        v2("lab", "1.3.6.1.6.3.1.1.5.5"),           // v2 authenticationFailure: logged all the same, handler
        v2("nobody", "1.3.6.1.6.3.1.1.5.3"),        // refused: community
    ];
    // A v1 Trap, enterprise-specific: logged, the enterprise handler (RFC 3584 form on stdin).
    sends.push(
        [
            "-v",
            "1",
            "-c",
            "lab",
            "TARGET",
            "1.3.6.1.4.1.8072.2.3",
            "192.0.2.7",
            "6",
            "17",
            "1234",
            "1.3.6.1.2.1.1.5.0",
            "s",
            "x",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
    );
    // A v1 authenticationFailure: not logged (ignoreAuthFailure), the default handler.
    sends.push(
        ["-v", "1", "-c", "lab", "TARGET", "1.3.6.1.4.1.8072.3.2.10", "192.0.2.8", "4", "0", "99"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
    );
    // v3 authPriv: logged, linkdown handler; authNoPriv: refused (authUser asks priv).
    let mut v3 = auth_priv("ops", "SHA", AUTH_PASS, "AES", PRIV_PASS);
    v3.extend(["-e", V3_ENGINE_A, "TARGET", "77", "1.3.6.1.6.3.1.1.5.3"].map(str::to_owned));
    sends.push(v3);
    sends.push(
        [
            "-v",
            "3",
            "-u",
            "ops",
            "-l",
            "authNoPriv",
            "-a",
            "SHA",
            "-A",
            AUTH_PASS,
            "-e",
            V3_ENGINE_A,
            "TARGET",
            "78",
            "1.3.6.1.6.3.1.1.5.1",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
    );
    trap_each(&[theirs.target(), ours.target()], &sends);
    let logged = 7;
    let handled = 8;
    let expected = normalize(&theirs.records(logged));
    let theirs_runs = handler_runs(&theirs_out, handled);
    ours.wait_lines(expected.lines().count());
    let ours_runs = handler_runs(&ours_out, handled);
    let got = normalize(&ours.text());
    let stderr = ours.stop();
    assert_eq!(got, expected);
    assert_eq!(theirs_runs.len(), handled, "{theirs_runs:#?}");
    assert_eq!(ours_runs, theirs_runs);
    assert!(stderr.contains("4 notifications not processed"), "{stderr}");
    assert!(stderr.contains("handlers: 8 run, 0 failed"), "{stderr}");
}

/// Slow, failing and hung handlers never hold up the receive loop (issue 21): every
/// notification is logged; runs beyond the queue are counted, not waited for; a handler past
/// its timeout is killed; a failing one's status and stderr are logged.
#[test]
fn slow_failing_and_hung_handlers_are_counted_and_nothing_received_is_lost() {
    use std::os::unix::fs::PermissionsExt as _;
    const N: usize = 2_000;
    let dir = temp_dir("handlers");
    let script = |name: &str, body: &str| {
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path.display().to_string()
    };
    let slow = script("slow.sh", "cat > /dev/null; sleep 0.05");
    let fail = script("fail.sh", "cat > /dev/null; echo 'no route to pager' >&2; exit 3");
    let hang = script("hang.sh", "exec sleep 30");
    let conf = dir.join("snmptrapd.conf");
    std::fs::write(
        &conf,
        format!(
            "disableAuthorization yes\ntraphandle .1.3.6.1.6.3.1.1.5.1 {slow}\n\
             traphandle .1.3.6.1.6.3.1.1.5.2 {fail}\ntraphandle .1.3.6.1.6.3.1.1.5.3 {hang}\n"
        ),
    )
    .unwrap();
    let conf = conf.display().to_string();
    let l = Listener::start(
        "handlers",
        false,
        &[
            "--format",
            "json",
            "--config",
            &conf,
            "--handler-workers",
            "4",
            "--handler-queue",
            "50",
            "--handler-timeout",
            "0.5",
        ],
    );
    let count = N.to_string();
    let target = l.target();
    // The failing and the hung one first, so that they run before the queue fills.
    ok(&tool("snmptrap", &["-v", "2c", "-c", "public", &target, "2", "1.3.6.1.6.3.1.1.5.2"]));
    ok(&tool("snmptrap", &["-v", "2c", "-c", "public", &target, "3", "1.3.6.1.6.3.1.1.5.3"]));
    ok(&tool(
        "snmpctl",
        &[
            "trap",
            "-v",
            "2c",
            "-c",
            "public",
            "--count",
            &count,
            "--rate",
            "2000",
            &target,
            "1",
            "1.3.6.1.6.3.1.1.5.1",
        ],
    ));
    let lines = l.wait_lines(N + 2);
    assert_eq!(lines.len(), N + 2, "every notification is logged");
    let stderr = l.stop();
    assert!(!stderr.contains("LOST"), "{stderr}");
    let line = stderr.lines().find(|l| l.contains("handlers: ")).unwrap_or_else(|| panic!("{stderr}"));
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| !w.is_empty())
        .map(|w| w.parse().unwrap())
        .collect();
    let [run, failed, killed, not_started, not_run, stopped] = numbers[..] else { panic!("{line}") };
    assert_eq!(run + not_started + not_run + stopped, N + 2, "every run accounted for: {line}");
    assert_eq!((failed, killed, not_started), (1, 1, 0), "{line}");
    assert!(not_run > 0, "4 workers of 50 ms cannot keep up with 2,000 a second: {line}");
    assert!(
        stderr.contains(&format!("traphandle {fail} ("))
            && stderr.contains("exit status: 3: no route to pager"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("traphandle {hang} (")) && stderr.contains("killed after 0.5 s"),
        "{stderr}"
    );
}

/// A forwarded message as the tests compare it: version, community, PDU, request-id made 0
/// (each forwarder makes its own).
fn describe(m: &snmpctl::msg::CommunityMessage) -> String {
    use snmpctl::msg::{GenericPdu, Pdu};
    let pdu = match &m.pdu {
        Pdu::Generic(p) => format!("{:?}", GenericPdu { request_id: 0, ..p.clone() }),
        other => format!("{other:?}"),
    };
    format!("{:?} {:?} {pdu}", m.version, String::from_utf8_lossy(&m.community))
}

/// snmptrap's v2c linkDown for ifIndex 3, uptime 42, community public.
fn link_down_v2c(target: &str) -> Output {
    tool(
        "snmptrap",
        &["-v", "2c", "-c", "public", target, "42", "1.3.6.1.6.3.1.1.5.3", "1.3.6.1.2.1.2.2.1.1.3", "i", "3"],
    )
}

/// A receiver for forwarded messages: records each (request-ids made 0, since each forwarder
/// makes its own) and acknowledges Informs, until `n` distinct messages came or `within`
/// passed.
fn forwarded(socket: &std::net::UdpSocket, n: usize, within: Duration) -> Vec<String> {
    use snmpctl::msg::{CommunityMessage, GenericPdu, Message, Pdu, PduType};
    socket.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let start = Instant::now();
    let mut seen: Vec<String> = Vec::new();
    let mut buf = [0u8; 65536];
    while seen.len() < n && start.elapsed() < within {
        let Ok((len, from)) = socket.recv_from(&mut buf) else { continue };
        let Ok(Message::Community(m)) = Message::decode(&buf[..len]) else { continue };
        let text = match &m.pdu {
            Pdu::Generic(p) => {
                if p.pdu_type == PduType::INFORM_REQUEST {
                    let reply = Message::Community(CommunityMessage {
                        version: m.version,
                        community: m.community.clone(),
                        pdu: Pdu::Generic(GenericPdu { pdu_type: PduType::RESPONSE, ..p.clone() }),
                    });
                    socket.send_to(&reply.encode().unwrap(), from).unwrap();
                }
                describe(&m)
            }
            _ => describe(&m),
        };
        if !seen.contains(&text) {
            seen.push(text);
        }
    }
    seen.sort();
    seen
}

/// `forward` (issue 21): snmptrapd and `snmpctl listen --config` forward the same
/// notifications under the same file; what the next receiver gets from each is compared
/// (version, community, PDU, varbinds with addForwarderInfo's snmpTrapAddress.0; request-ids
/// aside). An Inform is forwarded as an Inform and retried until acknowledged.
#[test]
fn forwarding_as_snmptrapd_forwards() {
    let theirs_next = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let ours_next = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let conf = |next: &std::net::UdpSocket| {
        format!(
            "authCommunity log,net public\nauthCommunity log lognet\naddForwarderInfo yes\n\
             forward .1.3.6.1.6.3.1.1.5* udp:{}\n",
            next.local_addr().unwrap()
        )
    };
    let theirs = Snmptrapd::start("forward-theirs", &conf(&theirs_next), &[]);
    let dir = temp_dir("forward-ours");
    std::fs::write(dir.join("snmptrapd.conf"), conf(&ours_next)).unwrap();
    let path = dir.join("snmptrapd.conf").display().to_string();
    let ours = Listener::start("forward-ours", false, &["--config", &path]);
    for target in [theirs.target(), ours.target()] {
        // Forwarded: a v2c Trap, a v1 Trap (as v1), a v2c Inform (as an Inform).
        ok(&link_down_v2c(&target));
        ok(&tool(
            "snmptrap",
            &[
                "-v",
                "1",
                "-c",
                "public",
                &target,
                "1.3.6.1.4.1.8072.2.3",
                "192.0.2.7",
                "2",
                "0",
                "55",
                "1.3.6.1.2.1.2.2.1.1.3",
                "i",
                "3",
            ],
        ));
        ok(&tool("snmpinform", &["-v", "2c", "-c", "public", &target, "43", "1.3.6.1.6.3.1.1.5.1"]));
        // Not forwarded: another OID, and a community granted only log.
        ok(&tool("snmptrap", &["-v", "2c", "-c", "public", &target, "44", "1.3.6.1.4.1.8072.2.3.0.1"]));
        ok(&tool("snmptrap", &["-v", "2c", "-c", "lognet", &target, "45", "1.3.6.1.6.3.1.1.5.3"]));
    }
    let expected = forwarded(&theirs_next, 3, Duration::from_secs(10));
    let got = forwarded(&ours_next, 3, Duration::from_secs(10));
    assert_eq!(expected.len(), 3, "{expected:#?}");
    assert_eq!(got, expected);
    // Nothing more comes: the others were not forwarded by either.
    assert_eq!(forwarded(&ours_next, 1, Duration::from_secs(1)), Vec::<String>::new());
    let stderr = ours.stop();
    assert!(stderr.contains("forwarded: 2 Traps sent, 1 Informs acknowledged, 0 failed"), "{stderr}");
}

/// The first SNMP message a TCP peer sends on a connection accepted from `listener` (10 s at
/// most), described as [`forwarded`] describes it.
fn forwarded_tcp(listener: &std::net::TcpListener) -> Option<String> {
    use snmpctl::msg::Message;
    listener.set_nonblocking(true).unwrap();
    let start = Instant::now();
    let mut stream = loop {
        match listener.accept() {
            Ok((s, _)) => break s,
            Err(_) if start.elapsed() < Duration::from_secs(10) => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(_) => return None,
        }
    };
    stream.set_nonblocking(false).unwrap();
    stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    while start.elapsed() < Duration::from_secs(10) {
        if let Ok(len) = stream.read(&mut buf) {
            data.extend_from_slice(&buf[..len]);
        }
        // A whole BER SEQUENCE: 0x30, then a short or long length.
        let whole = match data.get(1) {
            Some(&l) if l < 0x80 => Some(2 + usize::from(l)),
            Some(&l) => {
                let n = usize::from(l & 0x7f);
                data.get(2..2 + n).map(|b| 2 + n + b.iter().fold(0usize, |a, x| a << 8 | usize::from(*x)))
            }
            None => None,
        };
        if let Some(end) = whole.filter(|e| data.len() >= *e) {
            let Ok(Message::Community(m)) = Message::decode(&data[..end]) else { return None };
            return Some(describe(&m));
        }
    }
    None
}

/// `forward` to `tcp:` and `udp6:` destinations (issue 21): snmptrapd and snmpctl, given the
/// same lines, send the next receivers the same message (request-ids aside).
#[test]
fn forwarding_over_tcp_and_udp6() {
    let Ok(probe) = std::net::UdpSocket::bind("[::1]:0") else {
        eprintln!("no IPv6 loopback (::1) on this machine: udp6 forwarding not tested");
        return;
    };
    drop(probe);
    let next = || {
        (std::net::TcpListener::bind("127.0.0.1:0").unwrap(), std::net::UdpSocket::bind("[::1]:0").unwrap())
    };
    let (theirs_tcp, theirs_udp6) = next();
    let (ours_tcp, ours_udp6) = next();
    let conf = |tcp: &std::net::TcpListener, udp6: &std::net::UdpSocket| {
        format!(
            "authCommunity log,net public\nforward default tcp:{}\nforward default udp6:{}\n",
            tcp.local_addr().unwrap(),
            udp6.local_addr().unwrap()
        )
    };
    let theirs = Snmptrapd::start("forward-tcp-theirs", &conf(&theirs_tcp, &theirs_udp6), &[]);
    let dir = temp_dir("forward-tcp-ours");
    std::fs::write(dir.join("snmptrapd.conf"), conf(&ours_tcp, &ours_udp6)).unwrap();
    let path = dir.join("snmptrapd.conf").display().to_string();
    let ours = Listener::start("forward-tcp-ours", false, &["--config", &path]);
    for target in [theirs.target(), ours.target()] {
        ok(&link_down_v2c(&target));
    }
    let expected = forwarded_tcp(&theirs_tcp).expect("snmptrapd forwarded over TCP");
    assert!(expected.starts_with("V2c \"public\""), "{expected}");
    assert_eq!(forwarded_tcp(&ours_tcp).as_deref(), Some(expected.as_str()));
    let expected = forwarded(&theirs_udp6, 1, Duration::from_secs(10));
    assert_eq!(expected.len(), 1);
    assert_eq!(forwarded(&ours_udp6, 1, Duration::from_secs(10)), expected);
    let stderr = ours.stop();
    assert!(stderr.contains("forwarded: 2 Traps sent, 0 Informs acknowledged, 0 failed"), "{stderr}");
}

/// Forwarding SNMPv3 (issue 21): a chain of two receivers each. The first is snmptrapd or
/// `snmpctl listen --config`, with the same file; the second is a real snmptrapd that knows
/// the sender's users and logs the security information it verified (`%P`).
/// - A v3 Trap goes on as the same user at the same level, under the sending engine: the
///   next snmptrapd takes ours as it takes snmptrapd's (authPriv, a context), and refuses
///   both forwarded authNoPriv Traps under `authUser … priv` (neither raised nor lowered).
/// - A v3 Inform goes on as an Inform from the same user, keys localized to the next
///   receiver's engine, found by discovery. snmptrapd closes its session before discovery
///   ends and never delivers it; ours is delivered and acknowledged.
#[test]
fn forwarding_snmpv3_with_the_senders_user() {
    let engine = "0x8000000001020304";
    let users = format!(
        "createUser -e {engine} fwuser SHA {AUTH_PASS} AES {PRIV_PASS}\n\
         createUser fwuser SHA {AUTH_PASS} AES {PRIV_PASS}\n"
    );
    let next_conf = format!("{users}authUser log fwuser priv\n");
    let theirs_next = Snmptrapd::start("forward3-theirs-next", &next_conf, &["-F", "%P: %v\n"]);
    let ours_next = Snmptrapd::start("forward3-ours-next", &next_conf, &["-F", "%P: %v\n"]);
    let conf = |next: &Snmptrapd| {
        format!("{users}authUser log,net fwuser auth\nforward default {}\n", next.target())
    };
    let theirs = Snmptrapd::start("forward3-theirs", &conf(&theirs_next), &[]);
    let dir = temp_dir("forward3-ours");
    std::fs::write(dir.join("snmptrapd.conf"), conf(&ours_next)).unwrap();
    let path = dir.join("snmptrapd.conf").display().to_string();
    let ours = Listener::start("forward3-ours", false, &["--config", &path]);
    let v3 = |level: &str, rest: &[&str]| {
        let mut a = vec!["-v", "3", "-u", "fwuser", "-l", level, "-a", "SHA", "-A", AUTH_PASS];
        if level == "authPriv" {
            a.extend(["-x", "AES", "-X", PRIV_PASS]);
        }
        a.extend(rest);
        a.iter().map(|w| (*w).to_owned()).collect::<Vec<String>>()
    };
    let run = |tool_name: &str, args: &[String]| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        tool(tool_name, &args)
    };
    let (their_target, our_target) = (theirs.target(), ours.target());
    for target in [their_target.as_str(), our_target.as_str()] {
        let trap = ["-e", engine, "-n", "ctx1", target, "42", "1.3.6.1.6.3.1.1.5.3"];
        ok(&run("snmptrap", &v3("authPriv", &[&trap[..], &["1.3.6.1.2.1.2.2.1.1.3", "i", "3"]].concat())));
        ok(&run("snmptrap", &v3("authNoPriv", &["-e", engine, target, "43", "1.3.6.1.6.3.1.1.5.4"])));
    }
    // snmptrapd forwards an Inform while the sender waits; the sender's answer is not checked.
    let _ = run("snmpinform", &v3("authPriv", &[their_target.as_str(), "44", "1.3.6.1.6.3.1.1.5.1"]));
    ok(&run("snmpinform", &v3("authPriv", &[our_target.as_str(), "44", "1.3.6.1.6.3.1.1.5.1"])));
    let lines = |t: &Snmptrapd, n: usize| {
        let start = Instant::now();
        loop {
            let log = t.log();
            let got: Vec<String> = log.lines().filter(|l| l.contains("SNMP v3")).map(str::to_owned).collect();
            if got.len() >= n || start.elapsed() > Duration::from_secs(10) {
                return got;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let trap = "TRAP2, SNMP v3, user fwuser, context ctx1: iso.3.6.1.2.1.1.3.0 = Timeticks: (42) 0:00:00.42\t\
                iso.3.6.1.6.3.1.1.4.1.0 = OID: iso.3.6.1.6.3.1.1.5.3\tiso.3.6.1.2.1.2.2.1.1.3 = INTEGER: 3";
    let inform_line = "INFORM, SNMP v3, user fwuser, context : iso.3.6.1.2.1.1.3.0 = Timeticks: (44) 0:00:00.44\t\
                       iso.3.6.1.6.3.1.1.4.1.0 = OID: iso.3.6.1.6.3.1.1.5.1";
    assert_eq!(lines(&ours_next, 2), [trap, inform_line]);
    // What snmptrapd delivered (given time for the Inform it does not deliver).
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(lines(&theirs_next, 1), [trap]);
    let stderr = ours.stop();
    assert!(stderr.contains("forwarded: 2 Traps sent, 1 Informs acknowledged, 0 failed"), "{stderr}");
}

/// Waits (10 s at most) until `text()` holds `n` copies of `marker`, and returns it.
fn until_marked(text: impl Fn() -> String, marker: &str, n: usize) -> String {
    let start = Instant::now();
    loop {
        let t = text();
        if t.matches(marker).count() >= n || start.elapsed() > Duration::from_secs(10) {
            return t;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// snmptrapd's format strings (issue 21): every `%` code, with widths, precisions and flags,
/// and `\` escapes, given to snmptrapd -F and to `snmpctl listen -F`, and (as format2 and
/// format1 lines) to both through the config file; the same v1, v2c, Inform and v3
/// notifications sent to both; the logs compared byte for byte (ports aside; in the second
/// format, which prints the clock, digits aside).
#[test]
fn format_strings_as_snmptrapd_writes_them() {
    let fields = "a<%a>A<%A>b<%b>B<%B>E<%E>N<%N>P<%P>q<%q>s<%s>S<%S>T<%T>#T<%#T>u<%u>w<%w>W<%W>\
                  v<%v>#v<%#v>V<%V; %v>x<%x>pct<%%>bs<\\t\\q\\\\>w1<%5w>w2<%-5u>w3<%10.3b>w4<%3q>\
                  w5<%.1W>w6<%05w>w7<%5u>w8<%-8.3W><END>\\n";
    let clock = "%.4y-%.2m-%.2l %.2h:%.2j:%.2k|%#.2h|%Y|%2M|%L|%H|%J|%K|%t|%5.3l<END>\\n";
    let m = mibs();
    let user = format!("createUser -e {V3_ENGINE_A} ops SHA {AUTH_PASS} AES {PRIV_PASS}\n");
    let mut v3 = auth_priv("ops", "SHA", AUTH_PASS, "AES", PRIV_PASS);
    // A context engine ID of 18 octets: %E breaks hex lines after 16, as Hex-STRING does.
    v3.extend(
        [
            "-e",
            V3_ENGINE_A,
            "-E",
            "0x800000000102030405060708090a0b0c0d0e",
            "-n",
            "ctx",
            "TARGET",
            "77",
            "1.3.6.1.6.3.1.1.5.4",
        ]
        .map(str::to_owned),
    );
    let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect::<Vec<String>>();
    let sends: Vec<(&str, Vec<String>)> = vec![
        (
            "snmptrap",
            words(&[
                "-v",
                "2c",
                "-c",
                "public",
                "TARGET",
                "42",
                "1.3.6.1.6.3.1.1.5.3",
                "1.3.6.1.2.1.2.2.1.1.3",
                "i",
                "3",
                "1.3.6.1.2.1.1.5.0",
                "s",
                "hello",
            ]),
        ),
        (
            "snmptrap",
            words(&[
                "-v",
                "1",
                "-c",
                "pub1",
                "TARGET",
                "1.3.6.1.4.1.8072.2.3",
                "192.0.2.7",
                "6",
                "17",
                "123456789",
                "1.3.6.1.2.1.1.5.0",
                "s",
                "x",
            ]),
        ),
        (
            "snmptrap",
            words(&[
                "-v",
                "1",
                "-c",
                "pub1",
                "TARGET",
                "1.3.6.1.4.1.8072.3.2.10",
                "192.0.2.8",
                "2",
                "0",
                "8640000",
            ]),
        ),
        ("snmpinform", words(&["-v", "2c", "-c", "inf", "TARGET", "5", "1.3.6.1.6.3.1.1.5.1"])),
        ("snmptrap", v3),
    ];
    // -F; then format2/format1 lines in the file.
    let cases = [
        (format!("disableAuthorization yes\n{user}"), Some(fields), false),
        (format!("disableAuthorization yes\n{user}format2 {fields}\nformat print1 {fields}\n"), None, false),
        (format!("disableAuthorization yes\n{user}"), Some(clock), true),
    ];
    for (conf, dash_f, mask_digits) in cases {
        let mut their_args = vec!["-M", m.as_str(), "-m", "ALL"];
        if let Some(f) = dash_f {
            their_args.extend(["-F", f]);
        }
        let theirs = Snmptrapd::start("format-theirs", &conf, &their_args);
        let dir = temp_dir("format-ours");
        std::fs::write(dir.join("snmptrapd.conf"), &conf).unwrap();
        let path = dir.join("snmptrapd.conf").display().to_string();
        let mut our_args = vec!["--config", path.as_str(), "-M", m.as_str(), "-m", "ALL"];
        if let Some(f) = dash_f {
            our_args.extend(["-F", f]);
        }
        let ours = Listener::start("format-ours", false, &our_args);
        for target in [theirs.target(), ours.target()] {
            for (program, args) in &sends {
                let args: Vec<&str> =
                    args.iter().map(|a| if a == "TARGET" { target.as_str() } else { a.as_str() }).collect();
                ok(&tool(program, &args));
            }
        }
        let n = sends.len();
        let log = until_marked(|| theirs.log(), "<END>", n);
        let body = log.split_once("NET-SNMP version 5.9.3\n").map_or("", |(_, b)| b);
        let body = body.rsplit_once("<END>\n").map_or(body, |(b, _)| b).to_owned() + "<END>\n";
        let got = until_marked(|| ours.text(), "<END>", n);
        ours.stop();
        let clean = |t: &str| {
            let t = normalize(t);
            if mask_digits {
                t.chars().map(|c| if c.is_ascii_digit() { 'D' } else { c }).collect()
            } else {
                t
            }
        };
        assert_eq!(clean(&got), clean(&body), "config:\n{conf}\n-F {dash_f:?}");
    }
}

/// `format execute` (issue 21): what traphandle programs read when the file gives the format,
/// compared with what snmptrapd's read.
#[test]
fn execute_format_as_snmptrapd_feeds_it() {
    let dir = temp_dir("execute-format");
    let script = handler_script(&dir);
    let conf = |out: &Path| {
        format!(
            "disableAuthorization yes\nformat execute2 V2 %B|%P|%#v\\n\nformat execute1 V1 %a %q %v\\n\n\
             traphandle default {} {} run\n",
            script.display(),
            out.display()
        )
    };
    let (theirs, theirs_out, ours, ours_out) = trapd_pair(&dir, "execute-format", conf, &[]);
    for target in [theirs.target(), ours.target()] {
        ok(&link_down_v2c(&target));
        ok(&tool(
            "snmptrap",
            &["-v", "1", "-c", "public", &target, "1.3.6.1.4.1.8072.2.3", "192.0.2.7", "6", "17", "55"],
        ));
    }
    let expected = handler_runs(&theirs_out, 2);
    let got = handler_runs(&ours_out, 2);
    ours.stop();
    assert_eq!(expected.len(), 2, "{expected:#?}");
    assert_eq!(got, expected);
}

/// Datagrams sent to a Unix socket, as a syslog daemon gets them.
struct SyslogCatcher {
    socket: std::os::unix::net::UnixDatagram,
    path: PathBuf,
}

impl SyslogCatcher {
    fn bind(dir: &Path) -> SyslogCatcher {
        use std::os::unix::fs::PermissionsExt as _;
        let path = dir.join("log.sock");
        let socket = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        socket.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        SyslogCatcher { socket, path }
    }

    /// The messages that carry a notification (`n` of them, 10 s at most; 3 s when none come),
    /// the header's time and process ID and the record's date made `TIME`, `PID`.
    fn records(&self, n: usize) -> Vec<String> {
        let start = Instant::now();
        let mut out = Vec::new();
        let mut buf = vec![0u8; 65536];
        let mut last = Instant::now();
        while out.len() < n
            && start.elapsed() < Duration::from_secs(10)
            && last.elapsed() < Duration::from_secs(3)
        {
            let Ok(len) = self.socket.recv(&mut buf) else { continue };
            last = Instant::now();
            let text = String::from_utf8_lossy(&buf[..len]).into_owned();
            // "<30>Dec  5 20:38:27 snmptrapd[30511]: 2026-12-05 20:38:27 UDP: …"
            let Some((head, body)) = text.split_once("]: ") else { continue };
            if ["NET-SNMP version", "Created directory", "Stopping snmptrapd"]
                .iter()
                .any(|m| body.contains(m))
            {
                continue;
            }
            let pri_tag =
                head.split_once('>').map(|(p, rest)| (p, rest.rsplit_once(' ').map_or("", |(_, t)| t)));
            let (pri, tag) = pri_tag.unwrap_or(("", ""));
            let tag = tag.split('[').next().unwrap_or("");
            out.push(format!("{pri}> TIME {tag}[PID]: {}", normalize(body)));
        }
        out
    }
}

/// snmptrapd (started with `their_args`, in a mount namespace of its own where /dev/log is a
/// socket the test reads) and `snmpctl listen` (with `our_args` and `--syslog-socket`) get the
/// same notifications under the same snmptrapd.conf: a v2c Trap, a v1 enterprise-specific
/// Trap and a v1 authenticationFailure Trap. Returns the syslog messages each sent (`n` at
/// most), header time and process ID aside.
fn syslog_side_by_side(
    tag: &str,
    config: &str,
    their_args: &str,
    our_args: &[&str],
    n: usize,
) -> [Vec<String>; 2] {
    let dir = temp_dir(tag);
    let theirs_log = SyslogCatcher::bind(&dir.join("theirs").tap_mkdir());
    let ours_log = SyslogCatcher::bind(&dir.join("ours").tap_mkdir());
    let persist = dir.join("persist").tap_mkdir();
    std::fs::write(dir.join("snmptrapd.conf"), config).unwrap();
    let conf = dir.join("snmptrapd.conf").display().to_string();
    let port = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let olddev = dir.join("olddev").tap_mkdir();
    let script = format!(
        "mount --bind /dev {old} && mount -t tmpfs tmpfs /dev && \
         for d in null zero random urandom; do ln -s {old}/$d /dev/$d; done && ln -s {sock} /dev/log && \
         exec snmptrapd -f -n -C -c {conf} {their_args} -p {pid} udp:127.0.0.1:{port}",
        old = olddev.display(),
        sock = theirs_log.path.display(),
        pid = dir.join("pid").display(),
    );
    let mut theirs = Command::new("unshare")
        .args(["--mount", "sh", "-c", &script])
        .env("SNMP_PERSISTENT_DIR", &persist)
        .env("SNMPCONFPATH", &persist)
        .env("MIBS", "")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("unshare (util-linux)");
    let sock = ours_log.path.display().to_string();
    let mut args = vec!["--config", conf.as_str(), "--syslog-socket", &sock];
    args.extend(our_args);
    let ours = Listener::start(&format!("{tag}-ours"), false, &args);
    // snmptrapd is ready once it has said so on syslog.
    let start = Instant::now();
    let mut buf = vec![0u8; 65536];
    loop {
        if let Ok(len) = theirs_log.socket.recv(&mut buf)
            && String::from_utf8_lossy(&buf[..len]).contains("NET-SNMP version")
        {
            break;
        }
        if let Ok(Some(status)) = theirs.try_wait() {
            let mut err = String::new();
            let _ = theirs.stderr.take().unwrap().read_to_string(&mut err);
            panic!("snmptrapd in a mount namespace did not start ({status}): {err}");
        }
        assert!(start.elapsed() < Duration::from_secs(10), "snmptrapd did not start");
    }
    let their_target = format!("udp:127.0.0.1:{port}");
    for target in [their_target.as_str(), ours.target().as_str()] {
        ok(&link_down_v2c(target));
        let v1 = ["-v", "1", "-c", "public", target, "1.3.6.1.4.1.8072.2.3", "192.0.2.7"];
        ok(&tool("snmptrap", &[&v1[..], &["6", "17", "55", "1.3.6.1.2.1.1.5.0", "s", "x"]].concat()));
        ok(&tool("snmptrap", &[&v1[..], &["4", "0", "56"]].concat()));
    }
    let expected = theirs_log.records(n);
    let got = ours_log.records(n);
    let _ = theirs.kill();
    let _ = theirs.wait();
    ours.stop();
    [expected, got]
}

/// `logOption f FILE` in snmptrapd.conf (issue 21): its manual says it logs there, but
/// snmptrapd 5.9.3 writes no such file (its log targets are set before the file is read);
/// snmpctl does as snmptrapd does, and says so.
#[test]
fn log_option_lines_log_nowhere_new_as_in_snmptrapd() {
    let dir = temp_dir("log-option");
    let conf = |file: &Path| format!("authCommunity log public\nlogOption f {}\n", file.display());
    let (their_file, our_file) = (dir.join("theirs.log"), dir.join("ours.log"));
    let theirs = Snmptrapd::start("log-option-theirs", &conf(&their_file), &[]);
    std::fs::write(dir.join("snmptrapd.conf"), conf(&our_file)).unwrap();
    let path = dir.join("snmptrapd.conf").display().to_string();
    // A second --output beside the one Listener gives: --output is repeatable.
    let second = dir.join("second.log");
    let ours =
        Listener::start("log-option-ours", false, &["--config", &path, "--output", second.to_str().unwrap()]);
    for target in [theirs.target(), ours.target()] {
        ok(&tool("snmptrap", &["-v", "2c", "-c", "public", &target, "42", "1.3.6.1.6.3.1.1.5.3"]));
    }
    // Each logged it where the command line says.
    assert!(theirs.records(1).contains("iso.3.6.1.6.3.1.1.5.3"));
    assert!(ours.wait_lines(2).concat().contains("iso.3.6.1.6.3.1.1.5.3"));
    assert!(!their_file.exists() && !our_file.exists());
    assert!(
        until_marked(|| read_escaped(&second), "iso.3.6.1.6.3.1.1.5.3", 1).contains("iso.3.6.1.6.3.1.1.5.3")
    );
    let stderr = ours.stop();
    assert!(stderr.contains(":2: logOption: snmptrapd 5.9 logs nowhere new"), "{stderr}");
}

/// Syslog (issue 21), snmptrapd -Ls d and `snmpctl listen -Ls d`: the log record, priority
/// info, tag snmptrapd.
#[test]
fn syslog_as_snmptrapd_writes_it() {
    let [expected, got] = syslog_side_by_side(
        "syslog",
        "authCommunity log public\nignoreAuthFailure yes\n",
        "-Ls d",
        &["-Ls", "d"],
        3,
    );
    assert_eq!(expected.len(), 2, "{expected:#?}");
    assert_eq!(got, expected);
    assert!(expected[0].starts_with("<30> TIME snmptrapd[PID]: TIME UDP: "), "{expected:#?}");
}

/// Syslog (issue 21) as snmptrapd sends it with no -L option, and `snmpctl listen
/// --syslog-traps d`: one line per notification at priority warning, in `format syslog1` for
/// v1 (the quotes kept, as snmptrapd keeps them) and snmptrapd's own format for SNMPv2;
/// `ignoreAuthFailure` does not apply here and `doNotLogTraps yes` changes nothing (snmptrapd
/// reads a number); `doNotLogTraps 1` stops it all.
#[test]
fn syslog_without_l_as_snmptrapd_sends_it() {
    let config = "authCommunity log public\nformat syslog1 \"V1 %a %q %v\\n\"\n\
                  ignoreAuthFailure yes\ndoNotLogTraps yes\n";
    let [expected, got] = syslog_side_by_side("syslog-no-l", config, "", &["--syslog-traps", "d"], 3);
    assert_eq!(
        expected,
        [
            "<28> TIME snmptrapd[PID]: UDP: [127.0.0.1]:P->[127.0.0.1]:P [UDP: [127.0.0.1]:P->[127.0.0.1]:P]: \
             Trap , iso.3.6.1.2.1.1.3.0 = Timeticks: (42) 0:00:00.42, iso.3.6.1.6.3.1.1.4.1.0 = OID: \
             iso.3.6.1.6.3.1.1.5.3, iso.3.6.1.2.1.2.2.1.1.3 = INTEGER: 3\n",
            "<28> TIME snmptrapd[PID]: \"V1 192.0.2.7 .17 iso.3.6.1.2.1.1.5.0 = STRING: \"x\"\n\"\n",
            "<28> TIME snmptrapd[PID]: \"V1 192.0.2.7 0 \n\"\n",
        ],
        "{expected:#?}"
    );
    assert_eq!(got, expected);
    let config = "authCommunity log public\ndoNotLogTraps 1\n";
    let [expected, got] = syslog_side_by_side("syslog-none", config, "", &["--syslog-traps", "d"], 1);
    assert_eq!((expected.len(), got.len()), (0, 0), "{expected:#?} {got:#?}");
}

trait Mkdir {
    fn tap_mkdir(self) -> Self;
}

impl Mkdir for PathBuf {
    fn tap_mkdir(self) -> Self {
        std::fs::create_dir_all(&self).unwrap();
        self
    }
}

impl Listener {
    /// Sends SIGHUP and waits (10 s at most) for the listener's answer on stderr.
    fn hang_up(&mut self) -> String {
        let _ = Command::new("kill").arg("-HUP").arg(self.child.id().to_string()).status();
        let mut line = String::new();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            line.clear();
            if self.stderr.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            if line.contains("SIGHUP") {
                return line;
            }
        }
        panic!("no answer to SIGHUP: {line}");
    }
}

/// SIGHUP (issue 21): the configuration is read again and its rules and users apply to what
/// comes next (a v3 user of a new createUser line is taken); a configuration that cannot be
/// used (a forward destination that does not resolve) is reported and the one in force stays.
#[test]
fn sighup_reads_the_configuration_again_and_keeps_it_when_broken() {
    let dir = temp_dir("sighup");
    let conf = dir.join("snmptrapd.conf");
    std::fs::write(&conf, "authCommunity log public\n").unwrap();
    let path = conf.display().to_string();
    let mut l = Listener::start("sighup", false, &["--config", &path]);
    let target = l.target();
    let send = |community: &str, id: &str| {
        ok(&tool("snmptrap", &["-v", "2c", "-c", community, &target, id, "1.3.6.1.6.3.1.1.5.1"]));
    };
    let engine = "0x8000000001020305";
    let send_v3 = |id: &str| {
        let mut a =
            vec!["-v", "3", "-e", engine, "-u", "newuser", "-l", "authPriv", "-a", "SHA", "-A", AUTH_PASS];
        a.extend(["-x", "AES", "-X", PRIV_PASS, &target, id, "1.3.6.1.6.3.1.1.5.1"]);
        ok(&tool("snmptrap", &a));
    };
    send("lab", "1"); // refused
    send_v3("31"); // an unknown user
    send("public", "2"); // logged
    l.wait_lines(2);
    let with_user = format!(
        "authCommunity log lab\ncreateUser -e {engine} newuser SHA {AUTH_PASS} AES {PRIV_PASS}\n\
         authUser log newuser priv\n"
    );
    std::fs::write(&conf, &with_user).unwrap();
    assert!(l.hang_up().contains("read again"));
    send("public", "3"); // refused now
    send("lab", "4"); // logged now
    l.wait_lines(4);
    send_v3("41"); // a user now
    l.wait_lines(6);
    std::fs::write(&conf, "authCommunity log public\nforward default udp:no-such-host.invalid:162\n")
        .unwrap();
    let said = l.hang_up();
    assert!(
        said.contains("no-such-host.invalid") && said.contains("the configuration in force stays"),
        "{said}"
    );
    send("public", "5"); // still refused
    send("lab", "6"); // still logged
    let lines = l.wait_lines(8);
    let stderr = l.stop();
    let uptimes: Vec<&str> =
        lines.iter().filter_map(|line| line.split("Timeticks: (").nth(1)?.split(')').next()).collect();
    assert_eq!(uptimes, ["2", "4", "41", "6"], "{lines:#?}\n{stderr}");
    assert!(stderr.contains("3 notifications not processed"), "{stderr}");
    assert!(stderr.contains("dropped 1 (unknown user 1)"), "{stderr}");
}

/// `-v VIEW` with `view` lines (issue 21): which notifications each view lets through,
/// compared with snmptrapd's decisions on the same file.
#[test]
fn views_decide_as_snmptrapd_decides() {
    let conf = "view traps included .1.3.6.1.6.3.1.1.5\nview traps excluded .1.3.6.1.6.3.1.1.5.3\n\
                view masked included .1.3.6.1.4.1.8072.2.3.0.1 ff:c0\n\
                authCommunity log public default -V traps\nauthCommunity log lab default -V masked\n\
                authCommunity log other default -V nosuch\n";
    let theirs = Snmptrapd::start("views-theirs", conf, &[]);
    let dir = temp_dir("views-ours");
    std::fs::write(dir.join("snmptrapd.conf"), conf).unwrap();
    let path = dir.join("snmptrapd.conf").display().to_string();
    let ours = Listener::start("views-ours", false, &["--config", &path]);
    let sends = [
        ("public", "1", "1.3.6.1.6.3.1.1.5.1"),      // in the view
        ("public", "2", "1.3.6.1.6.3.1.1.5.3"),      // excluded by the longer family
        ("public", "3", "1.3.6.1.4.1.8072.2.3.0.1"), // outside it
        ("lab", "4", "1.3.6.1.4.1.8072.2.3.0.1.7"),  // the mask frees the 11th sub-identifier
        ("lab", "5", "1.3.6.1.4.1.8072.2.3.0.2"),    // the 11th is free here too
        ("lab", "8", "1.3.6.1.4.1.8072.2.4.0.1"),    // the 10th must match
        ("lab", "6", "1.3.6.1.4.1.8072.2.3.0.1"),    // the subtree itself
        ("other", "7", "1.3.6.1.6.3.1.1.5.1"),       // a view no line defines
    ];
    for target in [theirs.target(), ours.target()] {
        for (community, uptime, oid) in sends {
            ok(&tool("snmptrap", &["-v", "2c", "-c", community, &target, uptime, oid]));
        }
    }
    // Then one every rule lets through, so that both are known to have caught up.
    for target in [theirs.target(), ours.target()] {
        ok(&tool("snmptrap", &["-v", "2c", "-c", "public", &target, "99", "1.3.6.1.6.3.1.1.5.4"]));
    }
    let expected = normalize(&until_marked(|| theirs.log(), "(99)", 1));
    let expected = expected.split_once("NET-SNMP version 5.9.3\n").map_or("", |(_, b)| b).to_owned();
    let got = normalize(&until_marked(|| ours.text(), "(99)", 1));
    ours.stop();
    assert_eq!(got, expected);
    assert!(expected.contains("(1)") && expected.contains("(4)"), "{expected}");
    assert!(!expected.contains("(2)") && !expected.contains("(8)"), "{expected}");
}

/// VACM as snmptrapd applies it to notifications: the same file (com2sec with a context and a
/// denying entry, group, access, setAccess, authAccess, authGroup, authUser, authCommunity
/// with -v, a directive in capitals, `authGroup`, which snmptrapd 5.9 reads as authUser unless it
/// is written `authgroup`) given to snmptrapd and to `snmpctl listen --config`, the
/// same v1, v2c and v3 notifications sent to both; what each logged and what each handler
/// read compared. Among them the consequences of Net-SNMP's tables: a second authCommunity
/// line for a community adds nothing, an `access` entry of the message's own model shadows an
/// `any` one, and `authUser execute ops2 priv` lets ops2 execute at authNoPriv.
#[test]
fn vacm_decides_as_snmptrapd_decides() {
    let dir = temp_dir("trapd-vacm");
    let script = handler_script(&dir);
    let conf = |out: &Path| {
        format!(
            "authCommunity log public\n\
             authCommunity execute,net public\n\
             AUTHCOMMUNITY log,execute -v 1 old\n\
             com2sec -Cn lab labsec 127.0.0.0/8 lab\n\
             group labgroup v2c labsec\n\
             view linkEvents included .1.3.6.1.6.3.1.1.5\n\
             authAccess log,execute labgroup -s v2c linkEvents noauth lab\n\
             com2sec negsec !127.0.0.1 neg\n\
             com2sec negsec default neg\n\
             group neggroup v2c negsec\n\
             authAccess log neggroup -s v2c _all_\n\
             com2sec shadowsec default shadow\n\
             group shadowgrp v2c shadowsec\n\
             authAccess log shadowgrp _all_ noauth\n\
             access shadowgrp \"\" v2c noauth exact _all_ none none\n\
             com2sec setsec default setc\n\
             group setgrp v2c setsec\n\
             setAccess setgrp \"\" v2c noauth exact execute _all_\n\
             setaccess setgrp \"\" v2c noauth exact log linkEvents\n\
             createUser -e {V3_ENGINE_A} ops SHA {AUTH_PASS} AES {PRIV_PASS}\n\
             createUser -e {V3_ENGINE_A} ops2 SHA {AUTH_PASS} AES {PRIV_PASS}\n\
             group admins usm ops\n\
             authgroup log,execute admins priv\n\
             createUser -e {V3_ENGINE_A} ops3 SHA {AUTH_PASS} AES {PRIV_PASS}\n\
             group others usm ops3\n\
             authGroup log,execute others noauth\n\
             authUser log ops2 auth\n\
             authUser execute ops2 priv\n\
             traphandle default {s} {o} default\n",
            s = script.display(),
            o = out.display()
        )
    };
    let (theirs, theirs_out, ours, ours_out) = trapd_pair(&dir, "trapd-vacm", conf, &[]);

    let down = "1.3.6.1.6.3.1.1.5.3";
    let ent = "1.3.6.1.4.1.8072.2.3.0.1";
    let v2 = |community: &str, uptime: &str, oid: &str| -> Vec<String> {
        ["-v", "2c", "-c", community, "TARGET", uptime, oid].map(str::to_owned).to_vec()
    };
    let mut sends: Vec<Vec<String>> = vec![
        v2("public", "1", down), // logged; no handler: the second line adds nothing
        v2("old", "2", down),    // refused: -v 1
        v2("lab", "3", down),    // logged, handler (context "lab")
        v2("lab", "4", ent),     // refused: not in linkEvents
        v2("neg", "5", down),    // refused: the denying entry comes first
        v2("shadow", "6", down), // refused: the v2c access entry is chosen, and has no log view
        v2("setc", "7", down),   // logged, handler
        v2("setc", "8", ent),    // handler only
        v2("nobody", "9", down), // refused
    ];
    // v1 Trap with -v 1's community: logged, handler.
    sends.push(
        ["-v", "1", "-c", "old", "TARGET", "1.3.6.1.4.1.8072.2.3", "192.0.2.7", "6", "17", "10"]
            .map(str::to_owned)
            .to_vec(),
    );
    // v3: ops (group admins) at authPriv: logged, handler; ops2 at authNoPriv: logged, and the
    // handler as well.
    let mut v3 = auth_priv("ops", "SHA", AUTH_PASS, "AES", PRIV_PASS);
    v3.extend(["-e", V3_ENGINE_A, "TARGET", "11", down].map(str::to_owned));
    sends.push(v3);
    sends.push(
        ["-v", "3", "-u", "ops2", "-l", "authNoPriv", "-a", "SHA", "-A", AUTH_PASS, "-e", V3_ENGINE_A]
            .into_iter()
            .chain(["TARGET", "12", down])
            .map(str::to_owned)
            .collect(),
    );
    // ops3, in group others, which `authGroup` does not name: refused.
    let mut v3 = auth_priv("ops3", "SHA", AUTH_PASS, "AES", PRIV_PASS);
    v3.extend(["-e", V3_ENGINE_A, "TARGET", "13", down].map(str::to_owned));
    sends.push(v3);
    sends.push(v2("public", "99", down)); // the marker: both have caught up
    trap_each(&[theirs.target(), ours.target()], &sends);
    let handled = 6;
    let expected = normalize(&until_marked(|| theirs.log(), "(99)", 1));
    let expected = expected.split_once("NET-SNMP version 5.9.3\n").map_or("", |(_, b)| b).to_owned();
    let theirs_runs = handler_runs(&theirs_out, handled);
    let got = normalize(&until_marked(|| ours.text(), "(99)", 1));
    let ours_runs = handler_runs(&ours_out, handled);
    ours.stop();
    assert_eq!(got, expected);
    for logged in ["(1)", "(3)", "(7)", "(11)", "(12)", "(99)"] {
        assert!(expected.contains(logged), "{logged}: {expected}");
    }
    for refused in ["(2)", "(4)", "(5)", "(6)", "(8)", "(9)", "(13)"] {
        assert!(!expected.contains(refused), "{refused}: {expected}");
    }
    assert_eq!(theirs_runs.len(), handled, "{theirs_runs:#?}");
    assert_eq!(ours_runs, theirs_runs);
}

/// `traphandle` commands as snmptrapd runs them (popen, so `/bin/sh -c` with the rest of the
/// line as written): single and double quotes, a variable set and used on the line, a pipe;
/// `-F FORMAT` on the line, which snmptrapd fills from the notification in SNMPv2 form (a v1
/// Trap's %P says TRAP2); and a v1 Trap with agent-addr 0.0.0.0, which gets no
/// snmpTrapAddress. The same file and notifications to snmptrapd and to `snmpctl listen
/// --config`; each run's arguments (one by one) and input compared.
#[test]
fn handler_commands_run_as_snmptrapd_runs_them() {
    let dir = temp_dir("trapd-shell");
    let script = handler_script(&dir);
    let conf = |out: &Path| {
        format!(
            "authCommunity log,execute public\n\
             traphandle .1.3.6.1.6.3.1.1.5.3 {s} {o} 'two words' \"it's\" plain\n\
             traphandle .1.3.6.1.6.3.1.1.5.4 X=expanded; {s} {o} \"$X\" | cat\n\
             traphandle -F \"%B|%P|%N|%w|%q|%v\" .1.3.6.1.6.3.1.1.5.1 {s} {o} formatted\n\
             traphandle default {s} {o} default\n",
            s = script.display(),
            o = out.display()
        )
    };
    let (theirs, theirs_out, ours, ours_out) = trapd_pair(&dir, "trapd-shell", conf, &[]);
    let words = |line: &str| -> Vec<String> { line.split(' ').map(str::to_owned).collect() };
    let sends = [
        "-v 2c -c public TARGET 1 1.3.6.1.6.3.1.1.5.3 1.3.6.1.2.1.2.2.1.1.3 i 3",
        "-v 2c -c public TARGET 2 1.3.6.1.6.3.1.1.5.4",
        "-v 2c -c public TARGET 3 1.3.6.1.6.3.1.1.5.1 1.3.6.1.2.1.1.5.0 s r1",
        "-v 1 -c public TARGET 1.3.6.1.4.1.8072.3.2.10 192.0.2.7 0 0 4",
        "-v 1 -c public TARGET 1.3.6.1.4.1.8072.2.3 0.0.0.0 6 17 5",
    ]
    .map(words);
    trap_each(&[theirs.target(), ours.target()], &sends);
    let runs = 5;
    let theirs_runs = handler_runs(&theirs_out, runs);
    let ours_runs = handler_runs(&ours_out, runs);
    ours.stop();
    assert_eq!(theirs_runs.len(), runs, "{theirs_runs:#?}");
    assert_eq!(ours_runs, theirs_runs);
    let all = theirs_runs.join("\n");
    for seen in
        ["[two words][it's][plain]", "[expanded]", "|TRAP2, SNMP v1, community public|", "[formatted]"]
    {
        assert!(all.contains(seen), "{seen}: {all}");
    }
    assert!(!all.contains("iso.3.6.1.6.3.18.1.3.0 0.0.0.0"), "{all}");
}

/// `engineID TEXT` in the file sets the receiver's engine ID as snmptrapd sets it (Net-SNMP's
/// text form): a v3 Inform sent to that engine ID (`snmpinform -e`, no discovery) is taken by
/// both snmptrapd and `snmpctl listen --config`, and one sent to another ID by neither.
#[test]
fn engine_id_lines_set_the_engine_as_in_snmptrapd() {
    let conf = format!(
        "engineID lab trapd\ncreateUser informer SHA {AUTH_PASS} AES {PRIV_PASS}\nauthUser log informer priv\n"
    );
    let theirs = Snmptrapd::start("engine-theirs", &conf, &[]);
    let dir = temp_dir("engine-ours");
    std::fs::write(dir.join("snmptrapd.conf"), &conf).unwrap();
    let path = dir.join("snmptrapd.conf").display().to_string();
    let ours = Listener::start("engine-ours", false, &["--config", &path]);
    let inform = |target: &str, engine: &str, uptime: &str| {
        let mut a = auth_priv("informer", "SHA", AUTH_PASS, "AES", PRIV_PASS);
        a.extend(
            ["-e", engine, "-t", "1", "-r", "0", target, uptime, "1.3.6.1.6.3.1.1.5.3"].map(str::to_owned),
        );
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        tool("snmpinform", &a).status.success()
    };
    let right = "0x80001f88046c6162207472617064";
    let wrong = "0x80001f88046c6162207472617065";
    let outcomes: Vec<(bool, bool)> = [theirs.target(), ours.target()]
        .iter()
        .map(|t| (inform(t, right, "41"), inform(t, wrong, "42")))
        .collect();
    assert_eq!(outcomes, [(true, false), (true, false)]);
    let got = until_marked(|| ours.text(), "(41)", 1);
    ours.stop();
    assert!(got.contains("(41)") && !got.contains("(42)"), "{got}");
    assert!(until_marked(|| theirs.log(), "(41)", 1).contains("(41)"));
}

/// Moving from snmptrapd: the engine ID snmptrapd made for itself (the `oldEngineID` it writes
/// to its persistent store at exit) is kept when that file is given to `--config`, so a sender
/// that knows snmptrapd's engine ID has its v3 Inform taken without discovery; and the users of
/// the store (`usmUser` lines: keys localized, passwords gone) are taken with no createUser
/// line: one for Informs, localized to snmptrapd's engine, and one for Traps from a device's.
#[test]
fn the_persistent_stores_engine_id_and_users_carry_over_from_snmptrapd() {
    let device = "0x8000000001020304";
    let rules = "authUser log informer priv\nauthUser log trapper priv\n";
    let conf = format!(
        "createUser informer SHA {AUTH_PASS} AES {PRIV_PASS}\n\
         createUser -e {device} trapper SHA-256 {AUTH_PASS} AES-256 {PRIV_PASS}\n{rules}"
    );
    let mut theirs = Snmptrapd::start("old-engine-theirs", &conf, &[]);
    // SIGTERM: snmptrapd writes its persistent store as it exits.
    ok(&tool("kill", &["-TERM", &theirs.child.id().to_string()]));
    let _ = theirs.child.wait();
    let store = std::fs::read_to_string(theirs.dir.join("persist/snmptrapd.conf")).unwrap();
    let old =
        store.lines().find_map(|l| l.strip_prefix("oldEngineID ")).expect("oldEngineID").trim().to_owned();
    assert_eq!(store.lines().filter(|l| l.starts_with("usmUser ")).count(), 2, "{store}");
    let dir = temp_dir("old-engine-ours");
    // No createUser line: the users come from the store alone.
    std::fs::write(dir.join("snmptrapd.conf"), rules).unwrap();
    std::fs::write(dir.join("store.conf"), &store).unwrap();
    let (c, s) =
        (dir.join("snmptrapd.conf").display().to_string(), dir.join("store.conf").display().to_string());
    let ours = Listener::start("old-engine-ours", false, &["--config", &c, "--config", &s]);
    let send = |tool_name: &str, user: &str, auth: &str, privacy: &str, engine: &str, uptime: &str| {
        let mut a = auth_priv(user, auth, AUTH_PASS, privacy, PRIV_PASS);
        a.extend(
            ["-e", engine, "-t", "1", "-r", "0", &ours.target(), uptime, "1.3.6.1.6.3.1.1.5.3"]
                .map(str::to_owned),
        );
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        ok(&tool(tool_name, &a));
    };
    send("snmpinform", "informer", "SHA", "AES", &old, "43");
    send("snmptrap", "trapper", "SHA-256", "AES-256", device, "44");
    let got = until_marked(|| ours.text(), "(44)", 1);
    let stderr = ours.stop();
    assert!(got.contains("(43)") && got.contains("(44)"), "{got}\n{stderr}");
}

/// A `traphandle` command past `--handler-timeout` is stopped with all it started: here a
/// pipeline whose first part would write a file after a second. Nothing is written.
#[test]
fn a_timed_out_handler_is_stopped_with_what_its_shell_started() {
    let dir = temp_dir("handler-group");
    let late = dir.join("late");
    let conf = dir.join("snmptrapd.conf");
    std::fs::write(
        &conf,
        format!("disableAuthorization yes\ntraphandle default (sleep 1; touch {}) | cat\n", late.display()),
    )
    .unwrap();
    let conf = conf.display().to_string();
    let l = Listener::start("handler-group", false, &["--config", &conf, "--handler-timeout", "0.2"]);
    ok(&tool("snmptrap", &["-v", "2c", "-c", "public", &l.target(), "1", "1.3.6.1.6.3.1.1.5.1"]));
    l.wait_lines(1);
    std::thread::sleep(Duration::from_millis(1_800));
    let stderr = l.stop();
    assert!(stderr.contains("killed after 0.2 s"), "{stderr}");
    assert!(!late.exists(), "the pipeline outlived its handler's timeout");
}

/// SIGHUP opens the `--output` file again by name, as snmptrapd does with `-Lf`, so that
/// logrotate can move the file away: what came before is in the moved file, what comes after
/// in a new one. (No `--config` is needed for it.)
#[test]
fn sighup_opens_the_log_file_again_for_logrotate() {
    let l = Listener::start("hup-reopen", false, &[]);
    let send = |uptime: &str| {
        ok(&tool("snmptrap", &["-v", "2c", "-c", "public", &l.target(), uptime, "1.3.6.1.6.3.1.1.5.1"]))
    };
    send("51");
    until_marked(|| l.text(), "(51)", 1);
    let moved = l.out.with_extension("1");
    std::fs::rename(&l.out, &moved).unwrap();
    ok(&tool("kill", &["-HUP", &l.child.id().to_string()]));
    // The signal and the next Trap may cross: send until one lands in the new file (10 at most).
    let mut got = String::new();
    'sends: for n in 52..62 {
        send(&n.to_string());
        for _ in 0..50 {
            got = l.text();
            if !got.is_empty() {
                break 'sends;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let old = read_escaped(&moved);
    l.stop();
    assert!(old.contains("(51)") && !got.contains("(51)"), "{old}\n--\n{got}");
    assert!(got.contains("(5"), "{got}");
}

/// snmptrapd's own command line, the words snmptrapd is given here (`-f -n -C -Lf LOG -c CONF
/// -p PIDFILE ADDRESS`), given to snmpctl through a link named `snmptrapd`: the same log as
/// snmptrapd's for the same notifications, the process ID in the file while it runs (gone
/// after), and the log emptied at start, as snmptrapd empties it without -A.
#[test]
fn snmptrapds_command_line_runs_through_a_link() {
    let conf = "authCommunity log public\n";
    let theirs = Snmptrapd::start("as-snmptrapd-theirs", conf, &[]);
    let dir = temp_dir("as-snmptrapd-ours");
    let link = dir.join("snmptrapd");
    std::os::unix::fs::symlink(BIN, &link).unwrap();
    std::fs::write(dir.join("snmptrapd.conf"), conf).unwrap();
    let (log, pid) = (dir.join("log"), dir.join("pid"));
    std::fs::write(&log, "a line from before\n").unwrap();
    let port = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = crate::isolated(Command::new(&link))
        .args(["-f", "-n", "-C", "-Lf"])
        .arg(&log)
        .arg("-c")
        .arg(dir.join("snmptrapd.conf"))
        .arg("-p")
        .arg(&pid)
        .arg(format!("udp:127.0.0.1:{port}"))
        .env("SNMPCTL_STATE_DIR", dir.join("state"))
        .env("MIBS", "")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 && !line.contains("listening on") {}
    assert!(line.contains(&format!("udp:127.0.0.1:{port}")), "{line}");
    assert_eq!(std::fs::read_to_string(&pid).unwrap().trim(), child.id().to_string());
    let ours = format!("udp:127.0.0.1:{port}");
    for target in [theirs.target(), ours] {
        ok(&tool("snmptrap", &["-v", "2c", "-c", "public", &target, "71", "1.3.6.1.6.3.1.1.5.3"]));
        ok(&tool("snmptrap", &["-v", "2c", "-c", "private", &target, "72", "1.3.6.1.6.3.1.1.5.3"]));
        ok(&tool("snmptrap", &["-v", "1", "-c", "public", &target, "", "192.0.2.7", "6", "17", "73"]));
    }
    let expected = normalize(&theirs.records(2));
    let got = normalize(&until_marked(|| read_escaped(&log), "Uptime: 0:00:00.73", 1));
    ok(&tool("kill", &["-TERM", &child.id().to_string()]));
    let _ = child.wait();
    assert_eq!(got, expected);
    assert!(got.contains("(71)") && got.contains("0:00:00.73"), "{got}");
    assert!(!got.contains("a line from before") && !got.contains("(72)"), "{got}");
    assert!(!pid.exists(), "the process ID file is removed at exit");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A file SIGHUP cannot open again (its folder moved away) is said, and the records go on to
/// the file already open: none is lost.
#[test]
fn a_log_file_that_cannot_be_opened_again_keeps_the_one_open() {
    let dir = temp_dir("hup-keep");
    let sub = dir.join("logs");
    std::fs::create_dir_all(&sub).unwrap();
    let l = Listener::start_writing("hup-keep", false, Some(&sub.join("records")), &[]);
    let send = |uptime: &str| {
        ok(&tool("snmptrap", &["-v", "2c", "-c", "public", &l.target(), uptime, "1.3.6.1.6.3.1.1.5.1"]))
    };
    send("61");
    until_marked(|| read_escaped(&sub.join("records")), "(61)", 1);
    let moved = dir.join("logs.old");
    std::fs::rename(&sub, &moved).unwrap();
    ok(&tool("kill", &["-HUP", &l.child.id().to_string()]));
    // The signal and the Traps may cross: the reopening is tried at the first batch after it.
    for uptime in ["62", "63", "64", "65", "66"] {
        std::thread::sleep(Duration::from_millis(100));
        send(uptime);
    }
    let got = until_marked(|| read_escaped(&moved.join("records")), "(66)", 1);
    let stderr = l.stop();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(["(61)", "(62)", "(66)"].iter().all(|u| got.contains(u)), "{got}");
    assert!(stderr.contains("still writing to the file open before"), "{stderr}");
}

/// `--run-as-user` (snmptrapd's -u): once listening, the listener and the handlers it starts
/// run as that user, in that user's group and no other; the log opened before goes on being
/// written. (Not as root, it cannot change user: it says so and stops.)
#[test]
fn run_as_user_drops_to_that_user_and_its_group() {
    let id = |args: &[&str]| String::from_utf8(tool("id", args).stdout).unwrap().trim().to_owned();
    let dir = temp_dir("run-as");
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    ok(&tool("chmod", &["0777", &out.display().to_string()]));
    let ids = out.join("ids");
    let conf = dir.join("snmptrapd.conf");
    std::fs::write(
        &conf,
        format!(
            "disableAuthorization yes\ntraphandle default echo $(id -u) $(id -g) $(id -G) > {}\n",
            ids.display()
        ),
    )
    .unwrap();
    let conf = conf.display().to_string();
    // Names are found in /etc/passwd and /etc/group, whoever runs it; a user number that no
    // line names needs a group.
    let state = dir.join("state").display().to_string();
    let listen = |user: &str| {
        let args = ["listen", "--listen", "udp:127.0.0.1:0", "--state-dir", &state, "--config", &conf];
        tool("snmpctl", &[&args[..], &["--run-as-user", user]].concat())
    };
    for (user, said) in [("no-such-user-here", "no such user"), ("3999999999", "give --run-as-group")] {
        let o = listen(user);
        assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains(said), "{o:?}");
    }
    if id(&["-u"]) != "0" {
        let o = listen("nobody");
        assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("needs root"), "{o:?}");
        return;
    }
    let l = Listener::start("run-as", false, &["--config", &conf, "--run-as-user", "nobody"]);
    ok(&tool("snmptrap", &["-v", "2c", "-c", "public", &l.target(), "81", "1.3.6.1.6.3.1.1.5.1"]));
    let got = until_marked(|| std::fs::read_to_string(&ids).unwrap_or_default(), "\n", 1);
    let logged = until_marked(|| l.text(), "(81)", 1);
    l.stop();
    let _ = std::fs::remove_dir_all(&dir);
    let (uid, gid) = (id(&["-u", "nobody"]), id(&["-g", "nobody"]));
    assert_eq!(got.trim(), format!("{uid} {gid} {gid}"));
    assert!(logged.contains("(81)"), "{logged}");
}
