//! Any datagram: decoding and rendering must never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use snmpctl::format::{dump, json};
use snmpctl::msg::{Message, ScopedPdu};

fuzz_target!(|data: &[u8]| {
    match Message::decode_detailed(data) {
        Ok(d) => {
            let _ = json::decoded(&d);
            let _ = dump::decoded(&d);
            if let Some(r) = &d.auth_params_range {
                assert!(r.end <= data.len());
            }
        }
        Err(e) => {
            assert!(e.offset <= data.len());
            let _ = dump::error(data, &e);
        }
    }
    let _ = ScopedPdu::decode(data);
});
