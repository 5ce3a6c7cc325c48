//! pcap / pcapng files: reading must never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = snmpctl::capture::read(data);
});
