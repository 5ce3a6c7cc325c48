//! decode → encode → decode: whatever decodes cleanly and encodes must decode to the same message.
#![no_main]
use libfuzzer_sys::fuzz_target;
use snmpctl::msg::Message;

fuzz_target!(|data: &[u8]| {
    if let Ok(d) = Message::decode_detailed(data) {
        if let Ok(bytes) = d.message.encode() {
            let again = Message::decode(&bytes).expect("our own encoding decodes");
            assert_eq!(again, d.message);
        }
    }
});
