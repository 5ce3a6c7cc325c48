//! Any datagram: decoding, rendering (annotated, JSON, Net-SNMP text under several -O sets) and
//! the fake agent's answer must never panic; each varbind's JSON must read back as one object
//! that prints to the same bytes. The borrowed view's OIDs must mean what the owned
//! ones do (arcs, dotted text, order).
#![no_main]
use libfuzzer_sys::fuzz_target;
use snmpctl::format::{dump, json, output};
use snmpctl::msg::{Message, MessageRef, ScopedPdu};

fuzz_target!(|data: &[u8]| {
    match Message::decode_detailed(data) {
        Ok(d) => {
            let _ = json::decoded(&d);
            let _ = dump::decoded(&d);
            if let Some(pdu) = d.message.pdu() {
                for vb in pdu.varbinds() {
                    let mut out = Vec::new();
                    json::VarBindJson { vb, options: None }.write(&mut out);
                    let text = std::str::from_utf8(&out).expect("the JSON writer writes UTF-8");
                    let value: serde_json::Value = serde_json::from_str(text).expect("the JSON writer writes JSON");
                    assert_eq!(value.to_string(), text, "keys sorted, escaped as serde_json escapes");
                }
                for letters in ["", "qT", "xf", "aQt", "nv"] {
                    let Ok(options) = output::OutputOptions::parse(letters) else { continue };
                    let mut text = String::new();
                    for vb in pdu.varbinds() {
                        output::write_varbind(&mut text, vb, &options);
                    }
                }
            }
            if let Some(r) = &d.auth_params_range {
                assert!(r.end <= data.len());
            }
            check_view(data);
        }
        Err(e) => {
            assert!(e.offset <= data.len());
            let _ = dump::error(data, &e);
        }
    }
    let _ = ScopedPdu::decode(data);
    let mut agent = snmpctl::agent::Responder::new([(
        "1.3.6.1.2.1.1.1.0".parse().unwrap_or_default(),
        snmpctl::value::Value::OctetString(b"fuzz".to_vec()),
    )]);
    let _ = agent.handle(data, std::time::Instant::now());
});

fn check_view(data: &[u8]) {
    let Ok(view) = MessageRef::decode(data) else { panic!("the view failed where the owned decode did not") };
    let Some(pdu) = view.pdu() else { return };
    let mut previous: Option<(snmpctl::value::OidRef<'_>, snmpctl::value::Oid)> = None;
    for vb in pdu.varbinds() {
        let owned = vb.oid.to_oid();
        assert!(vb.oid == owned);
        assert_eq!(vb.oid.to_string(), owned.to_string());
        assert_eq!(vb.oid.arcs().count(), owned.len());
        if let Some((p, po)) = &previous {
            assert_eq!(p.cmp(&vb.oid), po.cmp(&owned));
            assert_eq!(vb.oid.starts_with(po), owned.starts_with(po));
        }
        previous = Some((vb.oid, owned));
    }
}
