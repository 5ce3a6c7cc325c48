//! The library's front door against a real Net-SNMP `snmpd`: names in, typed values out, the
//! agent's refusals as errors, walks as streams, tables by name and by column.

use crate::agent::{AUTH_PASS, PRIV_PASS, Snmpd, matrix_config};
use snmpctl::msg::ErrorStatus;
use snmpctl::{AuthProtocol, Client, Error, PrivProtocol, Usm, Value};
use std::time::Duration;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

#[test]
fn gets_sets_and_errors_by_name() {
    let snmpd = Snmpd::start("api-get", &matrix_config());
    runtime().block_on(async {
        let client = Client::v2c(snmpd.agent(), "public").connect().await.unwrap();
        let got = client.get(["sysDescr.0", "SNMPv2-MIB::sysLocation.0"]).await.unwrap();
        assert_eq!(got[0].value.as_str(), Some("snmpctl test agent (Net-SNMP snmpd on loopback)"));
        assert_eq!(got[1].to_string(), "SNMPv2-MIB::sysLocation.0 = STRING: lab");
        assert!(client.get_value("sysUpTime.0").await.unwrap().as_duration().is_some());
        // An instance the agent does not have is a value on v2c, not an error.
        assert_eq!(client.get_value("sysDescr.7").await.unwrap(), Value::NoSuchInstance);
        // A name that does not resolve fails before anything is sent.
        assert!(matches!(client.get(["sysDescrr.0"]).await, Err(Error::Name(_))));
        // The read-only community's Set is refused by the agent: an error with its status.
        let e = client.set([("sysName.0", "nope")]).await.unwrap_err();
        assert_eq!(e.status(), Some(ErrorStatus::NO_ACCESS), "{e}");
        let writer = Client::v2c(snmpd.agent(), "private").connect().await.unwrap();
        writer.set([("sysName.0", "renamed-by-api")]).await.unwrap();
        assert_eq!(client.get_value("sysName.0").await.unwrap().as_str(), Some("renamed-by-api"));
        // The MIB types a Set from text and refuses what does not fit before sending.
        let e = writer.set_text("IF-MIB::ifAdminStatus.1", "sideways").await.unwrap_err();
        assert!(matches!(e, Error::Name(_)), "{e}");
        // SNMPv1: noSuchName is the agent's error.
        let v1 = Client::v1(snmpd.agent(), "public").connect().await.unwrap();
        let e = v1.get(["sysDescr.7"]).await.unwrap_err();
        assert_eq!(e.status(), Some(ErrorStatus::NO_SUCH_NAME), "{e}");
    });
}

#[test]
fn v3_through_the_builder() {
    let snmpd = Snmpd::start("api-v3", &matrix_config());
    runtime().block_on(async {
        let user = Usm::user("u-SHA-256-AES-256")
            .auth(AuthProtocol::Sha256, AUTH_PASS)
            .privacy(PrivProtocol::Aes256, PRIV_PASS);
        let client = Client::v3(snmpd.agent(), user).connect().await.unwrap();
        let descr = client.get_value("sysDescr.0").await.unwrap();
        assert_eq!(descr.as_str(), Some("snmpctl test agent (Net-SNMP snmpd on loopback)"));
        // A wrong privacy password: the agent cannot decrypt and says so in a Report.
        let wrong = Usm::user("u-SHA-256-AES-256")
            .auth(AuthProtocol::Sha256, AUTH_PASS)
            .privacy(PrivProtocol::Aes256, "not-the-password");
        let client = Client::v3(snmpd.agent(), wrong)
            .timeout(Duration::from_millis(300))
            .retries(0)
            .connect()
            .await
            .unwrap();
        let e = client.get(["sysDescr.0"]).await.unwrap_err();
        assert!(matches!(e, Error::Session(_)), "{e}");
        // A password too short to be one is refused at connect.
        let short = Usm::user("x").auth(AuthProtocol::Sha256, "short");
        assert!(matches!(Client::v3(snmpd.agent(), short).connect().await, Err(Error::Session(_))));
    });
}

#[test]
fn walks_stream_and_collect_the_same() {
    let snmpd = Snmpd::start("api-walk", &matrix_config());
    runtime().block_on(async {
        for client in [
            Client::v2c(snmpd.agent(), "public").max_repetitions(3).connect().await.unwrap(),
            Client::v1(snmpd.agent(), "public").connect().await.unwrap(),
        ] {
            let mut streamed = Vec::new();
            let mut walk = client.walk("system").unwrap();
            while let Some(vb) = walk.next().await {
                streamed.push(vb.unwrap());
            }
            let collected = client.walk("SNMPv2-MIB::system").unwrap().collect().await.unwrap();
            assert_eq!(streamed.len(), collected.len());
            assert!(streamed.len() > 5);
            let names: Vec<String> = collected.iter().map(|vb| client.mib().name(&vb.oid)).collect();
            assert!(names.contains(&"SNMPv2-MIB::sysDescr.0".to_string()), "{names:?}");
            assert!(collected.iter().all(|vb| vb.oid.to_string().starts_with("1.3.6.1.2.1.1.")));
        }
        // As a futures Stream too.
        let client = Client::v2c(snmpd.agent(), "public").connect().await.unwrap();
        let mut walk = client.walk("system").unwrap();
        let first =
            std::future::poll_fn(|cx| futures_core::Stream::poll_next(std::pin::Pin::new(&mut walk), cx))
                .await;
        assert!(first.unwrap().unwrap().oid.to_string().starts_with("1.3.6.1.2.1.1.1"));
    });
}

#[test]
fn tables_by_name_and_by_column() {
    let snmpd = Snmpd::start("api-table", &matrix_config());
    runtime().block_on(async {
        let client = Client::v2c(snmpd.agent(), "public").max_repetitions(4).connect().await.unwrap();
        let whole = client.table("IF-MIB::ifTable").await.unwrap();
        assert!(!whole.rows.is_empty());
        assert!(whole.names.iter().any(|n| n == "ifDescr"), "{:?}", whole.names);
        let descr: Vec<String> = client
            .walk("IF-MIB::ifDescr")
            .unwrap()
            .collect()
            .await
            .unwrap()
            .iter()
            .map(|vb| vb.value.as_str().unwrap_or("").to_string())
            .collect();
        let from_table: Vec<String> = whole
            .iter()
            .map(|row| row.get("ifDescr").and_then(Value::as_str).unwrap_or("").to_string())
            .collect();
        assert_eq!(from_table, descr);

        let before = client.stats().await.unwrap().sent;
        let two = client.table_columns(["ifDescr", "IF-MIB::ifType"]).await.unwrap();
        let requests = client.stats().await.unwrap().sent - before;
        assert_eq!(two.names, ["ifDescr", "ifType"]);
        assert_eq!(two.rows.len(), whole.rows.len());
        for (a, b) in two.iter().zip(whole.iter()) {
            assert_eq!(a.index(), b.index());
            assert_eq!(a.get("ifDescr"), b.get("ifDescr"));
            assert_eq!(a.get("ifType"), b.get("ifType"));
            // Rendered with the MIB: ifType is an enumeration.
            let vb = a.varbind("ifType").unwrap();
            assert!(!client.mib().render_value(&vb).chars().all(|c| c.is_ascii_digit()));
        }
        // Side by side: a request per max-repetitions rows, not per row.
        assert!(requests <= (two.rows.len() as u64).div_ceil(4) + 1, "{requests} requests");
        // Columns of two tables are refused, and so is a scalar.
        let e = client.table_columns(["ifDescr", "sysDescr"]).await.unwrap_err();
        assert!(matches!(e, Error::Name(_)), "{e}");
        let e = client.table_columns(["sysDescr"]).await.unwrap_err();
        assert!(matches!(e, Error::Name(_)), "{e}");
    });
}

#[test]
fn no_answer_is_a_timeout() {
    // A port nobody answers on: a bound socket that never replies.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let at = silent.local_addr().unwrap().to_string();
    runtime().block_on(async {
        let client =
            Client::v2c(at, "public").timeout(Duration::from_millis(50)).retries(1).connect().await.unwrap();
        let e = client.get(["sysDescr.0"]).await.unwrap_err();
        assert!(e.is_timeout(), "{e}");
        assert!(matches!(e, Error::Timeout { attempts: 2 }));
    });
}

#[test]
fn a_blocking_receive_answers_retries_and_times_out_as_the_readiness_wait() {
    use crate::commands::{Fake, table};
    use snmpctl::agent::Faults;
    let fake = Fake::start(table(40));
    runtime().block_on(async {
        let connect =
            || Client::v2c(fake.agent(), "public").timeout(Duration::from_millis(150)).retries(3).connect();
        let waiting = connect().await.unwrap();
        let blocking = connect().await.unwrap();
        assert!(blocking.receive_blocking().unwrap());
        // A walk, with every third request lost: the same varbinds either way.
        fake.faults(Faults { drop_every: 3, ..Faults::default() });
        let a = waiting.walk("1.3.6.1.2.1.2.2").unwrap().collect().await.unwrap();
        let b = blocking.walk("1.3.6.1.2.1.2.2").unwrap().collect().await.unwrap();
        assert_eq!(a.len(), 120);
        assert_eq!(a, b);
        // Two lost requests, then the answer: the third attempt.
        fake.faults(Faults { drop_first: 2, ..Faults::default() });
        let got = blocking.get(["1.3.6.1.2.1.1.1.0"]).await.unwrap();
        assert_eq!(got[0].value.as_str(), Some("fake agent"));
    });
    // No answer: as many attempts as the readiness wait makes, then a timeout.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let at = silent.local_addr().unwrap().to_string();
    runtime().block_on(async {
        let client =
            Client::v2c(at, "public").timeout(Duration::from_millis(50)).retries(2).connect().await.unwrap();
        assert!(client.receive_blocking().unwrap());
        let e = client.get(["sysDescr.0"]).await.unwrap_err();
        assert!(matches!(e, Error::Timeout { attempts: 3 }), "{e}");
    });
    silent.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 1500];
    let received = std::iter::from_fn(|| silent.recv(&mut buf).ok()).count();
    assert_eq!(received, 3);
}
