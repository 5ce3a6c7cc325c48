//! USM processing and the client session on arbitrary datagrams: `usm::unwrap` with keys for
//! every privacy protocol (under `cfg(fuzzing)` the MAC check passes, so decryption and the
//! decrypted ScopedPDU decode are reached), and `Session::handle_datagram` for v2c and v3.
//! Nothing may panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use snmpctl::client::{Config, Operation, Request, Security, Session, UsmConfig};
use snmpctl::msg::{Message, Version};
use snmpctl::usm::{self, AuthProtocol, Credentials, KeySource, PrivProtocol, Secret, SecurityLevel, UserKeys};
use snmpctl::value::VarBind;
use std::sync::OnceLock;
use std::time::Instant;

fn keys() -> &'static Vec<UserKeys> {
    static KEYS: OnceLock<Vec<UserKeys>> = OnceLock::new();
    KEYS.get_or_init(|| {
        PrivProtocol::ALL
            .iter()
            .map(|p| {
                UserKeys::new(Credentials {
                    user_name: b"fuzz".to_vec(),
                    level: SecurityLevel::AuthPriv,
                    auth: Some((AuthProtocol::Sha1, KeySource::Master(Secret::new(vec![1; 20])))),
                    privacy: Some((*p, KeySource::Master(Secret::new(vec![2; 20])))),
                })
                .unwrap()
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, datagram)) = data.split_first() else { return };
    let user = &keys()[usize::from(selector) % keys().len()];
    if let Ok(decoded) = Message::decode_detailed(datagram) {
        if let Message::V3(m) = &decoded.message {
            if let snmpctl::msg::SecurityParameters::Usm(u) = &m.security {
                let local = user.localize(&u.engine_id);
                let _ = usm::unwrap(datagram, decoded.clone(), Some(&local));
            }
        }
    }
    let now = Instant::now();
    let request = Request { operation: Operation::Get, varbinds: vec![VarBind::null("1.3.6.1.2.1.1.1.0".parse().unwrap())] };
    let mut v2 = Session::new(Config::new(Security::Community { version: Version::V2c, community: b"public".to_vec() }), 1);
    v2.send(request.clone(), now);
    v2.handle_datagram(datagram, now);
    let mut v3 = Session::new(
        Config::new(Security::Usm(Box::new(UsmConfig {
            user: user.clone(),
            engine_id: if selector & 0x80 != 0 { Some(b"\x80\x00\x00\x01\x02".to_vec()) } else { None },
            context_engine_id: None,
            context_name: Vec::new(),
        }))),
        2,
    );
    v3.send(request, now);
    v3.handle_datagram(datagram, now);
    v3.handle_datagram(datagram, now);
    while v3.poll_transmit().is_some() {}
    while v3.poll_event().is_some() {}
});
