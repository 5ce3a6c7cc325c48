//! USM against recorded traffic: every authenticated v3 fixture from Net-SNMP and pysnmp
//! verifies with the credentials in its sidecar, every encrypted one decrypts to what the
//! recording tool sent or printed, and a changed byte fails verification.

use serde_json::Value as Json;
use snmpctl::format::value_text;
use snmpctl::msg::{Message, Pdu, PduType, ScopedPdu};
use snmpctl::usm::{
    self, AuthProtocol, Credentials, KeySource, Outgoing, Password, PrivProtocol, SaltCounter, SecurityLevel,
    UserKeys, UsmError,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn v3_dir() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join("fixtures/v3")
}

/// (name, datagram, sidecar) of every v3 fixture whose sidecar has credentials.
fn fixtures() -> Vec<(String, Vec<u8>, Json)> {
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(v3_dir()).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    for p in paths {
        if p.extension().and_then(|e| e.to_str()) != Some("bin") {
            continue;
        }
        let side: Json = serde_json::from_slice(&std::fs::read(p.with_extension("json")).unwrap()).unwrap();
        if side.get("credentials").is_some() {
            out.push((
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
                side,
            ));
        }
    }
    out
}

fn password(s: &str) -> KeySource {
    KeySource::Password(Password::new(s.as_bytes().to_vec()).unwrap())
}

/// The sidecar's credentials as snmpctl user keys (master keys derived once per user).
fn keys_for(side: &Json, cache: &mut HashMap<String, UserKeys>) -> UserKeys {
    let c = &side["credentials"];
    let cache_key = c.to_string();
    if let Some(k) = cache.get(&cache_key) {
        return k.clone();
    }
    let level: SecurityLevel = c["level"].as_str().unwrap().parse().unwrap();
    let auth = c
        .get("auth_protocol")
        .and_then(Json::as_str)
        .map(|p| (p.parse::<AuthProtocol>().unwrap(), password(c["auth_password"].as_str().unwrap())));
    let privacy = c
        .get("priv_protocol")
        .and_then(Json::as_str)
        .map(|p| (p.parse::<PrivProtocol>().unwrap(), password(c["priv_password"].as_str().unwrap())));
    let user_name = c["user"].as_str().unwrap().as_bytes().to_vec();
    // A fixture recorded at a lower level than the user has (e.g. unsupported-level probes)
    // still names the user's full credentials.
    let keys = UserKeys::new(Credentials { user_name, level, auth, privacy }).unwrap();
    cache.insert(cache_key, keys.clone());
    keys
}

fn engine_id(bytes: &[u8]) -> Vec<u8> {
    match Message::decode(bytes).unwrap() {
        Message::V3(m) => match m.security {
            snmpctl::msg::SecurityParameters::Usm(u) => u.engine_id,
            _ => panic!("not USM"),
        },
        _ => panic!("not v3"),
    }
}

fn unwrap_with(bytes: &[u8], keys: &UserKeys) -> Result<usm::Authenticated<usm::Unwrapped>, UsmError> {
    let decoded = Message::decode_detailed(bytes).unwrap();
    let local = keys.localize(&engine_id(bytes));
    usm::unwrap(bytes, decoded, Some(&local))
}

/// The numeric OIDs on a recording command line (`snmpget ... 1.3.6.1.2.1.1.1.0 ...`).
fn command_oids(cmd: &str) -> Vec<String> {
    cmd.split_whitespace()
        .filter(|w| w.starts_with("1.3.6.") && w.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn authenticated_fixtures_verify_and_encrypted_ones_decrypt() {
    let mut cache = HashMap::new();
    let (mut verified, mut decrypted) = (0, 0);
    for (name, bytes, side) in fixtures() {
        let flags = side["expect"]["header"]["msg_flags"].as_u64().unwrap();
        if flags & 1 == 0 {
            continue;
        }
        let keys = keys_for(&side, &mut cache);
        let got = unwrap_with(&bytes, &keys).unwrap_or_else(|e| panic!("{name}: {e}"));
        verified += 1;
        if flags & 2 == 0 {
            assert_eq!(got.level(), SecurityLevel::AuthNoPriv, "{name}");
            continue;
        }
        assert_eq!(got.level(), SecurityLevel::AuthPriv, "{name}");
        decrypted += 1;
        let scoped: &ScopedPdu = &got.get().scoped_pdu;
        assert_eq!(got.get().deviations, vec![], "{name}: the decrypted PDU is not conformant");
        let cmd = side["recorded_with"].as_str().unwrap();
        let lines: Vec<String> = scoped
            .pdu
            .varbinds()
            .iter()
            .map(|vb| format!(".{} = {}", vb.oid, value_text(&vb.value)))
            .collect();
        let outcome = side["outcome"].as_str().unwrap_or_default();
        let printed = outcome.strip_prefix("exit 0: ").unwrap_or_default();
        match scoped.pdu.pdu_type() {
            PduType::RESPONSE if !printed.is_empty() => {
                // What the recording tool printed is what we decrypted.
                for l in &lines {
                    assert!(printed.contains(l.as_str()), "{name}: {l:?} not in {outcome:?}");
                }
            }
            t => {
                // A request carries the OIDs the command line asked for.
                let want = if cmd.starts_with("pysnmp") {
                    // Every pysnmp v3 scenario in scripts/record-fixtures.py gets sysName.0.
                    vec!["1.3.6.1.2.1.1.5.0".to_owned()]
                } else {
                    command_oids(cmd)
                };
                for vb in scoped.pdu.varbinds() {
                    let oid = vb.oid.to_string();
                    let trap_header = ["1.3.6.1.2.1.1.3.0", "1.3.6.1.6.3.1.1.4.1.0"].contains(&oid.as_str());
                    assert!(
                        want.contains(&oid) || (trap_header && t != PduType::GET_REQUEST),
                        "{name}: {oid} not asked for by {cmd}"
                    );
                }
                assert!(!scoped.pdu.varbinds().is_empty(), "{name}");
            }
        }
    }
    // 40 authenticated fixtures, of which 23 encrypted (see fixtures/README.md).
    assert!(verified >= 40, "only {verified} fixtures verified");
    assert!(decrypted >= 23, "only {decrypted} fixtures decrypted");
}

#[test]
fn every_changed_byte_fails_or_downgrades() {
    let mut cache = HashMap::new();
    let mut checked = 0;
    for (name, bytes, side) in fixtures() {
        if side["expect"]["header"]["msg_flags"].as_u64().unwrap() & 1 == 0 {
            continue;
        }
        let keys = keys_for(&side, &mut cache);
        let local = keys.localize(&engine_id(&bytes));
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x01;
            let Ok(decoded) = Message::decode_detailed(&bad) else { continue };
            match usm::unwrap(&bad, decoded, Some(&local)) {
                Err(_) => {}
                // Clearing authFlag passes USM at noAuthNoPriv; the caller's level check
                // (the user's configured level, never the packet's flags) refuses it.
                Ok(a) => assert!(
                    a.level() < SecurityLevel::AuthNoPriv,
                    "{name}: flipping byte {i} still verified at {}",
                    a.level()
                ),
            }
            checked += 1;
        }
    }
    assert!(checked > 3000, "{checked}");
}

#[test]
fn wrong_passwords_give_their_specific_errors() {
    let fx = fixtures();
    let find = |n: &str| fx.iter().find(|(name, ..)| name == n).unwrap();
    let creds = |auth: &str, privacy: Option<&str>| {
        UserKeys::new(Credentials {
            user_name: b"privAES".to_vec(),
            level: if privacy.is_some() { SecurityLevel::AuthPriv } else { SecurityLevel::AuthNoPriv },
            auth: Some((AuthProtocol::Sha1, password(auth))),
            privacy: privacy.map(|p| (PrivProtocol::Aes128, password(p))),
        })
        .unwrap()
    };
    let (_, bytes, _) = find("encrypted-response-authpriv-sha-aes.bin");
    let e = unwrap_with(bytes, &creds("wrongpass99", Some("privpass123"))).unwrap_err();
    assert_eq!(e, UsmError::WrongDigest { protocol: AuthProtocol::Sha1 });
    let e = unwrap_with(bytes, &creds("authpass123", Some("wrongpriv99"))).unwrap_err();
    assert!(matches!(e, UsmError::DecryptionError { protocol: PrivProtocol::Aes128, .. }), "{e}");
    assert!(e.to_string().contains("privacy password"), "{e}");
    // The wrong auth protocol is a wrong digest too (MAC length differs: also a wrong digest).
    let md5 = UserKeys::new(Credentials {
        user_name: b"privAES".to_vec(),
        level: SecurityLevel::AuthNoPriv,
        auth: Some((AuthProtocol::Md5, password("authpass123"))),
        privacy: None,
    })
    .unwrap();
    assert!(matches!(unwrap_with(bytes, &md5).unwrap_err(), UsmError::WrongDigest { .. }));
    // An authPriv message for a user with no privacy key: unsupported level.
    let e = unwrap_with(bytes, &creds("authpass123", None)).unwrap_err();
    assert!(matches!(e, UsmError::UnsupportedSecurityLevel { .. }), "{e}");
}

#[test]
fn wrap_then_unwrap_every_combination() {
    let engine = b"\x80\x00\x1f\x88\x80snmpctl-test".to_vec();
    let scoped = ScopedPdu {
        context_engine_id: engine.clone(),
        context_name: Vec::new(),
        pdu: Pdu::Generic(snmpctl::msg::GenericPdu {
            pdu_type: PduType::GET_REQUEST,
            request_id: 77,
            error_status: snmpctl::msg::ErrorStatus::NO_ERROR,
            error_index: 0,
            varbinds: vec![snmpctl::value::VarBind::null("1.3.6.1.2.1.1.1.0".parse().unwrap())],
        }),
    };
    let mut salt = SaltCounter::new(0xdead_beef);
    for auth in AuthProtocol::ALL {
        let mut privs: Vec<Option<PrivProtocol>> = vec![None];
        privs.extend(PrivProtocol::ALL.map(Some));
        for privacy in privs {
            let level = if privacy.is_some() { SecurityLevel::AuthPriv } else { SecurityLevel::AuthNoPriv };
            let keys = UserKeys::new(Credentials {
                user_name: b"tester".to_vec(),
                level,
                auth: Some((auth, KeySource::Master(usm::Secret::new(vec![0x5a; auth.digest_len()])))),
                privacy: privacy
                    .map(|p| (p, KeySource::Master(usm::Secret::new(vec![0xa5; auth.digest_len()])))),
            })
            .unwrap()
            .localize(&engine);
            let out = Outgoing {
                msg_id: 1234,
                msg_max_size: 65507,
                level,
                reportable: true,
                engine_id: &engine,
                engine_boots: 7,
                engine_time: 4242,
                user_name: b"tester",
                scoped_pdu: &scoped,
            };
            let bytes = usm::wrap(&out, Some(&keys), &mut salt).unwrap();
            let decoded = Message::decode_detailed(&bytes).unwrap();
            assert_eq!(decoded.deviations, vec![]);
            let got = usm::unwrap(&bytes, decoded, Some(&keys))
                .unwrap_or_else(|e| panic!("{auth} {privacy:?}: {e}"));
            assert_eq!(got.level(), level);
            assert_eq!(got.get().scoped_pdu, scoped, "{auth} {privacy:?}");
            assert_eq!(got.get().usm.auth_params.len(), auth.mac_len());
        }
    }
}
