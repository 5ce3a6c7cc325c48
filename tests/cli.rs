//! The built `snmpctl` binary: `decode` on hex, .bin files, stdin and the shipped capture, with
//! and without SNMPv3 credentials; `get` and `set` against a private snmpd, next to Net-SNMP.

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// snmpctl with no MIB loaded (`MIBS=`), as the Net-SNMP tools these tests compare with.
fn snmpctl(args: &[&str]) -> Output {
    crate::snmpctl()
        .args(args)
        .env("MIBS", "")
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn decode_hex_argument() {
    let hex = snmpctl::hex::encode(
        &std::fs::read(
            Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join("fixtures/v2c/response-system.bin"),
        )
        .unwrap(),
    );
    let o = snmpctl(&["decode", &hex]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(text.contains("PDU: Response"), "{text}");
    assert!(
        text.contains(".1.3.6.1.2.1.1.1.0 = STRING: \"snmpctl fixture agent (Net-SNMP snmpd on loopback)\""),
        "{text}"
    );
    assert!(text.contains("deviations: none"));
}

#[test]
fn decode_capture_shows_every_frame() {
    let o = snmpctl(&["decode", "--format", "json", "fixtures/capture/netsnmp-session.pcap"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let lines: Vec<serde_json::Value> =
        stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let fixtures = ["v1", "v2c", "v3"]
        .iter()
        .flat_map(|d| {
            std::fs::read_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join("fixtures").join(d))
                .unwrap()
        })
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "bin"))
        .count();
    // The capture holds every recorded fixture (and the readOnly packet sent to the trap port).
    assert!(lines.len() >= fixtures, "{} packets, {fixtures} fixtures", lines.len());
    for l in &lines {
        assert!(l["frame"].as_u64().unwrap() >= 1);
        assert!(l["src"].as_str().unwrap().starts_with("127.0.0.1:"));
        assert!(["v1", "v2c", "v3"].contains(&l["version"].as_str().unwrap()), "{l}");
        assert_eq!(l["deviations"], serde_json::json!([]));
    }
    assert!(lines.iter().any(|l| l["pdu"]["type"] == "Trap"));
    assert!(lines.iter().any(|l| l["encrypted"] == true));
}

#[test]
fn decode_text_capture_and_stdin() {
    let o = snmpctl(&["decode", "fixtures/capture/netsnmp-session.pcap"]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(text.contains("# fixtures/capture/netsnmp-session.pcap frame 1  127.0.0.1:"), "{}", &text[..200]);
    assert!(text.contains("SNMPv3 message"));

    let mut child = crate::snmpctl()
        .args(["decode", "--format", "json"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    let bytes = std::fs::read(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join("fixtures/v1/trap-coldstart.bin"),
    )
    .unwrap();
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    let j: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(j["pdu"]["type"], "Trap");
    assert_eq!(j["pdu"]["generic_trap"], 0);
    assert_eq!(j["pdu"]["agent_addr"], "127.0.0.1");
}

#[test]
fn decode_malformed_exits_2_with_offset() {
    let o = snmpctl(&["decode", "fixtures/malformed/varbind-list-past-end.bin"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stdout(&o).contains("at byte 25: variable-bindings: length 20 runs past the end"),
        "{}",
        stdout(&o)
    );
    let o = snmpctl(&["decode", "--format", "json", "3005020101"]);
    assert_eq!(o.status.code(), Some(2));
    let j: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(j["error"]["offset"], 0);
}

#[test]
fn decode_rejects_non_hex_argument() {
    let o = snmpctl(&["decode", "no-such-file-and-not-hex"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("neither a file nor hex"));
}

#[test]
fn decode_verifies_and_decrypts_with_credentials() {
    let f = "fixtures/v3/encrypted-response-authpriv-sha256-aes-192.bin";
    let o = snmpctl(&[
        "decode",
        "-u",
        "privAES192",
        "-a",
        "SHA-256",
        "-A",
        "authpass123",
        "-x",
        "AES-192",
        "-X",
        "privpass123",
        f,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = stdout(&o);
    assert!(text.contains("STRING: \"snmpctl fixture agent (Net-SNMP snmpd on loopback)\""), "{text}");
    assert!(
        text.contains("MAC verified (HMAC-SHA-256 (192-bit MAC)), decrypted (AES-192-CFB, Blumenthal"),
        "{text}"
    );

    // Passwords from the environment and from a file work the same way.
    let dir = std::env::temp_dir().join(format!("snmpctl-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pfile = dir.join("priv");
    std::fs::write(&pfile, "privpass123\n").unwrap();
    let o = crate::snmpctl()
        .args(["decode", "--format", "json", "-a", "SHA-256", "-x", "AES-192", "--priv-password-file"])
        .arg(&pfile)
        .arg(f)
        .env("SNMPCTL_AUTH_PASSWORD", "authpass123")
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(j["security"]["verified"], true, "{j}");
    assert_eq!(j["security"]["priv_protocol"], "AES-192");
    assert_eq!(j["pdu"]["type"], "Response", "{j}");
    let _ = std::fs::remove_dir_all(&dir);

    // Wrong passwords: a clear message, exit 2, and no password in the output.
    let o =
        snmpctl(&["decode", "-a", "SHA-256", "-A", "notthepass1", "-x", "AES-192", "-X", "privpass123", f]);
    assert_eq!(o.status.code(), Some(2));
    let text = stdout(&o);
    assert!(text.contains("security: FAILED: authentication failed (wrong digest)"), "{text}");
    assert!(!text.contains("notthepass1") && !String::from_utf8_lossy(&o.stderr).contains("notthepass1"));
    let o =
        snmpctl(&["decode", "-a", "SHA-256", "-A", "authpass123", "-x", "AES-192", "-X", "wrongpriv99", f]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("wrong privacy password or protocol"), "{}", stdout(&o));
    // RFC 3414 § 11.2: short passwords are refused before anything is sent or decoded.
    let o = snmpctl(&["decode", "-a", "SHA", "-A", "short", f]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("at least 8"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// `snmpctl get`/`set` over SNMPv3 against a private snmpd print what Net-SNMP's own tools
/// print, for each privacy family; errors are specific and exit 2.
#[test]
fn get_and_set_v3_match_net_snmp() {
    let agent = crate::agent::Snmpd::start("cli-v3", &crate::agent::matrix_config());
    let target = agent.agent();
    for (user, auth, privacy) in [
        ("u-SHA-AES", "SHA", "AES"),
        ("u-MD5-DES", "MD5", "DES"),
        ("u-SHA-512-AES-256-C", "SHA-512", "AES-256-C"),
        ("u-SHA-224-AES-192", "SHA-224", "AES-192"),
    ] {
        let flags = [
            "-v",
            "3",
            "-u",
            user,
            "-l",
            "authPriv",
            "-a",
            auth,
            "-A",
            "authpass123",
            "-x",
            privacy,
            "-X",
            "privpass123",
        ];
        let oids = ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.6.0"];
        let mut ours = vec!["get"];
        ours.extend(flags);
        ours.push(&target);
        ours.extend(oids);
        let o = snmpctl(&ours);
        assert!(o.status.success(), "{user}: {}", String::from_utf8_lossy(&o.stderr));
        let theirs = crate::isolated(Command::new("snmpget"))
            .args(flags)
            .arg(&target)
            .args(oids)
            .env("MIBS", "")
            .output()
            .unwrap();
        assert!(theirs.status.success(), "snmpget {user}: {}", String::from_utf8_lossy(&theirs.stderr));
        assert_eq!(stdout(&o), String::from_utf8(theirs.stdout).unwrap(), "{user}");

        let mut set = vec!["set"];
        set.extend(flags);
        set.push(&target);
        let name = format!("cli-{user}");
        set.extend(["1.3.6.1.2.1.1.5.0", "s", name.as_str()]);
        let o = snmpctl(&set);
        assert!(o.status.success(), "{user}: {}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(stdout(&o), format!("iso.3.6.1.2.1.1.5.0 = STRING: \"{name}\"\n"));
    }
    let o = snmpctl(&[
        "get",
        "-v",
        "3",
        "-u",
        "u-SHA-AES",
        "-l",
        "authPriv",
        "-a",
        "SHA",
        "-A",
        "authpass123",
        "-x",
        "AES",
        "-X",
        "wrongpriv99",
        "-t",
        "0.3",
        "-r",
        "1",
        &target,
        "1.3.6.1.2.1.1.1.0",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no answer to an encrypted request") && err.contains("privacy"), "{err}");
    assert!(!err.contains("wrongpriv99"));
    let o =
        snmpctl(&["get", "-v", "3", "-u", "ghost-user", "-l", "noAuthNoPriv", &target, "1.3.6.1.2.1.1.1.0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not know this user name"));
}

/// Net-SNMP's -3m/-3M (master keys) instead of passwords: the same answer, no password given.
#[test]
fn master_keys_instead_of_passwords() {
    use snmpctl::usm::{AuthProtocol, Password, password_to_key};
    let agent = crate::agent::Snmpd::start("cli-keys", &crate::agent::matrix_config());
    let target = agent.agent();
    let ku = |p: &str| {
        snmpctl::hex::encode(
            password_to_key(AuthProtocol::Sha256, &Password::new(p.as_bytes().to_vec()).unwrap()).expose(),
        )
    };
    let (auth, privacy) = (ku("authpass123"), ku("privpass123"));
    let o = snmpctl(&[
        "get",
        "-v",
        "3",
        "-u",
        "u-SHA-256-AES",
        "-l",
        "authPriv",
        "-a",
        "SHA-256",
        "-3m",
        &auth,
        "-x",
        "AES",
        "-3M",
        &privacy,
        &target,
        "1.3.6.1.2.1.1.1.0",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        stdout(&o),
        "iso.3.6.1.2.1.1.1.0 = STRING: \"snmpctl test agent (Net-SNMP snmpd on loopback)\"\n"
    );
}
