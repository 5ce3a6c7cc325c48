//! SNMPv3 against a real Net-SNMP `snmpd` started on 127.0.0.1: every auth × priv
//! combination (43 users) gets sysDescr.0 and sets sysName.0; wrong credentials give their
//! specific errors, not timeouts; an agent restart (engineBoots + 1) is recovered from
//! transparently.

use crate::agent::{AUTH_PASS, PRIV_PASS, Snmpd, matrix, matrix_config, v3_config};
use snmpctl::client::{Config, Error};
use snmpctl::transport::Client;
use snmpctl::usm::{ReportKind, SecurityLevel};
use snmpctl::value::{Oid, Value};

const SYS_DESCR: &str = "1.3.6.1.2.1.1.1.0";
const SYS_NAME: &str = "1.3.6.1.2.1.1.5.0";
const DESCR: &[u8] = b"snmpctl test agent (Net-SNMP snmpd on loopback)";

fn oid(s: &str) -> Oid {
    s.parse().unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

#[test]
fn every_auth_priv_combination_gets_and_sets() {
    let agent = Snmpd::start("matrix", &matrix_config());
    let combos = matrix();
    assert_eq!(combos.len(), 43);
    runtime().block_on(async {
        for (user, auth, privacy) in &combos {
            let level = match (auth, privacy) {
                (Some(_), Some(_)) => SecurityLevel::AuthPriv,
                (Some(_), None) => SecurityLevel::AuthNoPriv,
                _ => SecurityLevel::NoAuthNoPriv,
            };
            let config =
                v3_config(user, level, auth.map(|a| (a, AUTH_PASS)), privacy.map(|p| (p, PRIV_PASS)));
            let client = Client::connect(agent.addr(), config).await.unwrap();
            let got = client
                .get([oid(SYS_DESCR)])
                .await
                .unwrap_or_else(|e| panic!("{user}: get: {e}\n{}", agent.log()));
            assert_eq!(got[0].value, Value::OctetString(DESCR.to_vec()), "{user}");

            let name = format!("rtr-{user}").into_bytes();
            client
                .set([(oid(SYS_NAME), Value::OctetString(name.clone()))])
                .await
                .unwrap_or_else(|e| panic!("{user}: set refused: {e}"));
            let back = client.get_value(oid(SYS_NAME)).await.unwrap();
            assert_eq!(back, Value::OctetString(name), "{user}: sysName not changed");
        }
    });
}

#[test]
fn wrong_credentials_give_specific_errors_not_timeouts() {
    let agent = Snmpd::start("errors", &matrix_config());
    runtime().block_on(async {
        let ask = |config: Config| {
            let addr = agent.addr();
            async move { Client::connect(addr, config).await.unwrap().get_pdu(&[oid(SYS_DESCR)]).await }
        };
        // Wrong authentication password: the agent reports usmStatsWrongDigests.
        let e = ask(v3_config(
            "u-SHA-AES",
            SecurityLevel::AuthPriv,
            Some(("SHA", "wrongpass99")),
            Some(("AES", PRIV_PASS)),
        ))
        .await
        .unwrap_err();
        assert!(matches!(&e, Error::Report { kind: ReportKind::WrongDigest, .. }), "{e}");
        assert!(e.to_string().contains("authentication password"), "{e}");

        // Wrong privacy password: snmpd drops what it cannot decrypt, silently; after a
        // successful discovery that is a specific error, not a bare timeout.
        let e = ask(v3_config(
            "u-SHA-AES",
            SecurityLevel::AuthPriv,
            Some(("SHA", AUTH_PASS)),
            Some(("AES", "wrongpriv99")),
        ))
        .await
        .unwrap_err();
        assert!(matches!(e, Error::NoAnswerToEncrypted { .. }), "{e}");
        assert!(e.to_string().contains("privacy protocol and password"), "{e}");

        // Unknown user.
        let e = ask(v3_config("nobody-here", SecurityLevel::NoAuthNoPriv, None, None)).await.unwrap_err();
        assert!(matches!(&e, Error::Report { kind: ReportKind::UnknownUserName, .. }), "{e}");

        // A level the user does not have: an auth-only user asked for authPriv.
        let e = ask(v3_config(
            "u-SHA-none",
            SecurityLevel::AuthPriv,
            Some(("SHA", AUTH_PASS)),
            Some(("AES", PRIV_PASS)),
        ))
        .await
        .unwrap_err();
        assert!(matches!(&e, Error::Report { kind: ReportKind::UnsupportedSecLevel, .. }), "{e}");

        // The wrong authentication protocol is a wrong digest too.
        let e =
            ask(v3_config("u-SHA-256-none", SecurityLevel::AuthNoPriv, Some(("SHA-512", AUTH_PASS)), None))
                .await
                .unwrap_err();
        assert!(matches!(&e, Error::Report { kind: ReportKind::WrongDigest, .. }), "{e}");
    });
}

#[test]
fn agent_restart_is_recovered_transparently() {
    let mut agent = Snmpd::start("reboot", &matrix_config());
    let rt = runtime();
    let config = v3_config(
        "u-SHA-256-AES-256",
        SecurityLevel::AuthPriv,
        Some(("SHA-256", AUTH_PASS)),
        Some(("AES-256", PRIV_PASS)),
    );
    let client = rt.block_on(Client::connect(agent.addr(), config)).unwrap();
    let before = rt.block_on(async {
        client.get([oid(SYS_DESCR)]).await.unwrap();
        client.engine().await.unwrap().unwrap()
    });
    agent.restart();
    let after = rt.block_on(async {
        let got = client.get_value(oid(SYS_DESCR)).await.unwrap_or_else(|e| panic!("after restart: {e}"));
        assert_eq!(got, Value::OctetString(DESCR.to_vec()), "{got:?}");
        client.engine().await.unwrap().unwrap()
    });
    assert_eq!(after.engine_id(), before.engine_id(), "the persistent engine ID survives the restart");
    assert_eq!(after.boots(), before.boots() + 1, "engineBoots went up by one");
    let stats = rt.block_on(client.stats()).unwrap();
    // Recovered by one Report and one resend, not by timing out and retrying.
    assert_eq!(stats.retransmitted, 0, "{stats:?}");
}
