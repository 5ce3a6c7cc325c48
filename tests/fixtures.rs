//! One test per recorded fixture (`fixtures/{v1,v2c,v3}/*.bin`). Each asserts:
//! 1. the whole decode equals the sidecar's `expect`, which was built from tshark's dissection;
//! 2. no deviations (real Net-SNMP and pysnmp traffic is conformant);
//! 3. re-encoding gives the same bytes;
//! 4. rasn-snmp's decode of the same bytes, where it accepts them, is the same message.

use serde_json::Value as Json;
use snmpctl::format::json;
use snmpctl::msg::Message;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join("fixtures")
}

/// Our JSON with printable renderings removed: the sidecar holds the exact octets (`hex`) only.
fn normalize(mut j: Json) -> Json {
    if let Some(obj) = j.as_object_mut() {
        obj.remove("deviations");
        if let Some(vbs) = obj.get_mut("pdu").and_then(|p| p.get_mut("varbinds")).and_then(Json::as_array_mut)
        {
            for vb in vbs {
                let vb = vb.as_object_mut().expect("varbind object");
                if vb.contains_key("hex") {
                    vb.remove("value");
                }
            }
        }
    }
    j
}

pub fn check(name: &str) {
    let path = root().join(name);
    let bytes = std::fs::read(&path).unwrap();
    let side: Json = serde_json::from_slice(&std::fs::read(path.with_extension("json")).unwrap()).unwrap();

    let decoded = Message::decode_detailed(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(decoded.deviations, vec![], "{name}: unexpected deviations");
    let ours = normalize(json::decoded(&decoded));
    assert_eq!(ours, side["expect"], "{name}: decode differs from tshark's");

    let again = decoded.message.encode().unwrap_or_else(|e| panic!("{name}: encode: {e}"));
    assert_eq!(snmpctl::hex::encode(&again), snmpctl::hex::encode(&bytes), "{name}: re-encode differs");
    let reference = decoded.message.encode_with_rasn().unwrap_or_else(|e| panic!("{name}: rasn encode: {e}"));
    assert_eq!(again, reference, "{name}: the writer and rasn-snmp's encoder differ");

    if let Some(theirs) = crate::rasn_view::decode(&bytes, decoded.message.version()) {
        assert_eq!(theirs, decoded.message, "{name}: rasn-snmp decodes differently");
    }
}

macro_rules! fixture_tests {
    ($($ident:ident => $file:literal,)*) => {
        $( #[test] fn $ident() { check($file); } )*

        /// Every `.bin` on disk has its test above (a new fixture cannot go untested).
        #[test]
        fn every_fixture_is_listed() {
            let listed: std::collections::BTreeSet<&str> = [$($file),*].into_iter().collect();
            for dir in ["v1", "v2c", "v3"] {
                for entry in std::fs::read_dir(root().join(dir)).unwrap() {
                    let p = entry.unwrap().path();
                    if p.extension().is_some_and(|e| e == "bin") {
                        let name = format!("{dir}/{}", p.file_name().unwrap().to_string_lossy());
                        assert!(listed.contains(name.as_str()), "{name} has no test: run scripts/record-fixtures.py --test-list");
                    }
                }
            }
            assert!(listed.len() >= 60, "only {} fixtures", listed.len());
        }
    };
}

include!("fixture_list.rs");

/// How many fixtures rasn-snmp accepts: the differential test must actually compare something.
#[test]
fn rasn_snmp_accepts_most_fixtures() {
    let mut accepted = 0;
    let mut total = 0;
    for dir in ["v1", "v2c", "v3"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let p = entry.unwrap().path();
            if p.extension().is_some_and(|e| e == "bin") {
                let bytes = std::fs::read(&p).unwrap();
                let version = Message::decode(&bytes).unwrap().version();
                total += 1;
                accepted += usize::from(crate::rasn_view::decode(&bytes, version).is_some());
            }
        }
    }
    assert!(accepted * 2 > total, "rasn-snmp accepted only {accepted} of {total}");
}
