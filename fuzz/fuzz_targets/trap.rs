//! The notification receiver on arbitrary datagrams (v1/v2c/v3, with users of every privacy
//! protocol; under `cfg(fuzzing)` MACs pass, so decryption and Inform acknowledgement are
//! reached), the listener's records (text, and JSON that must read back as one object printed
//! the same), and the users-file parser on arbitrary text. Nothing may panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use snmpctl::trap::{Session, ReceiverConfig, TrapUser, parse_users};
use snmpctl::usm::{AuthProtocol, Credentials, KeySource, LocalEngine, PrivProtocol, Secret, SecurityLevel, UserKeys};
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::OnceLock;
use std::time::Instant;

fn receiver() -> &'static Mutex<Session> {
    static R: OnceLock<Mutex<Session>> = OnceLock::new();
    R.get_or_init(|| {
        let mut config = ReceiverConfig::new(LocalEngine::new(b"\x80\x00\x00\x00\x05fuzz".to_vec(), 1, Instant::now()));
        for p in PrivProtocol::ALL {
            let keys = UserKeys::new(Credentials {
                user_name: b"fuzz".to_vec(),
                level: SecurityLevel::AuthPriv,
                auth: Some((AuthProtocol::Sha1, KeySource::Master(Secret::new(vec![1; 20])))),
                privacy: Some((p, KeySource::Master(Secret::new(vec![2; 20])))),
            })
            .unwrap();
            config.users.push(TrapUser::new(keys));
        }
        Mutex::new(Session::new(config, 1))
    })
}

fuzz_target!(|data: &[u8]| {
    let from: SocketAddr = "127.0.0.1:40000".parse().unwrap();
    let handled = receiver().lock().unwrap().handle(data, from, Instant::now());
    if let Some(n) = handled.notification {
        let _ = n.v2_varbinds();
        let _ = n.trap_oid();
        use snmpctl::format::notification::{NotificationJson, Via, write_text};
        let options = snmpctl::format::output::OutputOptions::default();
        let via = Via { local: from, tcp: false };
        let mut text = String::new();
        write_text(&mut text, &n, "2026-11-22 12:00:00", via, &options);
        let mut json = Vec::new();
        NotificationJson { notification: &n, time: "2026-11-22T12:00:00.000000Z", via, options: &options }
            .write(&mut json);
        let json = std::str::from_utf8(&json).expect("the JSON writer writes UTF-8");
        let value: serde_json::Value = serde_json::from_str(json).expect("the JSON writer writes JSON");
        assert_eq!(value.to_string(), json, "keys sorted, escaped as serde_json escapes");
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_users(text);
    }
});
