//! The built `snmpctl` binary: `decode` on hex, .bin files, stdin and the shipped capture.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn snmpctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_snmpctl"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn decode_hex_argument() {
    let hex = snmpctl::hex::encode(
        &std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/v2c/response-system.bin"))
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
            std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(d)).unwrap()
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

    let mut child = Command::new(env!("CARGO_BIN_EXE_snmpctl"))
        .args(["decode", "--format", "json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    let bytes =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/v1/trap-coldstart.bin")).unwrap();
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
