//! `fixtures/malformed/`: every packet either decodes with exactly the deviations its sidecar
//! lists (and the values it lists), or is refused with the error kind at the offset it names.
//! Never a panic.

use serde_json::Value as Json;
use snmpctl::format::{dump, json};
use snmpctl::msg::Message;
use std::path::Path;

fn kind_name(debug: String) -> String {
    debug.split([' ', '(', '{']).next().unwrap_or_default().to_owned()
}

#[test]
fn malformed_fixtures() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join("fixtures/malformed");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "bin") {
            continue;
        }
        count += 1;
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let side: Json =
            serde_json::from_slice(&std::fs::read(path.with_extension("json")).unwrap()).unwrap();
        let result = Message::decode_detailed(&bytes);
        if let Some(err) = side.get("expect_error") {
            let e = result.expect_err(&name);
            assert_eq!(e.offset as u64, err["offset"].as_u64().unwrap(), "{name}: {e}");
            assert_eq!(kind_name(format!("{:?}", e.kind)), err["kind"].as_str().unwrap(), "{name}: {e}");
            assert!(dump::error(&bytes, &e).contains(&format!("at byte {}", e.offset)));
        } else {
            let d = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            let got: Vec<(u64, String)> =
                d.deviations.iter().map(|v| (v.offset as u64, kind_name(format!("{:?}", v.kind)))).collect();
            let want: Vec<(u64, String)> = side["expect_deviations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p[0].as_u64().unwrap(), p[1].as_str().unwrap().to_owned()))
                .collect();
            assert_eq!(got, want, "{name}: deviations");
            let mut varbinds: Vec<Json> =
                d.message.pdu().unwrap().varbinds().iter().map(json::varbind).collect();
            for vb in &mut varbinds {
                let vb = vb.as_object_mut().unwrap();
                if vb.contains_key("hex") {
                    vb.remove("value");
                }
            }
            assert_eq!(Json::Array(varbinds), side["expect_varbinds"], "{name}: values");
            let _ = dump::decoded(&d);
        }
    }
    assert!(count >= 30, "only {count} malformed fixtures");
}

/// Every prefix of every recorded fixture is refused cleanly (never a panic, offset in range).
#[test]
fn every_truncation_of_every_fixture_is_an_error() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join("fixtures");
    for dir in ["v1", "v2c", "v3"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "bin") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            for cut in 0..bytes.len() {
                let e = Message::decode(&bytes[..cut]).expect_err("a prefix is never a whole message");
                assert!(e.offset <= cut, "{}: cut {cut}: offset {}", path.display(), e.offset);
            }
        }
    }
}

/// Flipping any single byte of a fixture never panics (errors or deviations are both fine).
#[test]
fn single_byte_corruption_never_panics() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join("fixtures");
    for name in [
        "v2c/response-bulkwalk-iftable.bin",
        "v3/report-authpriv-sha-aes.bin",
        "v1/trap-enterprise-specific.bin",
    ] {
        let bytes = std::fs::read(root.join(name)).unwrap();
        for i in 0..bytes.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut b = bytes.clone();
                b[i] ^= flip;
                if let Ok(d) = Message::decode_detailed(&b) {
                    let _ = json::decoded(&d);
                    let _ = dump::decoded(&d);
                }
            }
        }
    }
}
