//! SNMPv3 against pysnmp, a second implementation: 3DES-EDE (which Net-SNMP lacks) and both
//! AES-192/256 key extensions with a hash too short for the key (MD5 → AES-192, SHA-256 →
//! AES-256), so the extension itself is exercised. The agent is `tests/pysnmp_agent.py`.

use crate::agent::{AUTH_PASS, PRIV_PASS, v3_config};
use snmpctl::transport::Client;
use snmpctl::usm::SecurityLevel;
use snmpctl::value::{Oid, Value, VarBind};
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct PysnmpAgent {
    port: u16,
    child: Child,
}

impl PysnmpAgent {
    fn start() -> PysnmpAgent {
        let port = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let script = concat!(concat!(env!("CARGO_MANIFEST_DIR"), "/.."), "/tests/pysnmp_agent.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 (pysnmp is installed by scripts/test.sh)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "pysnmp agent did not start (pip install pysnmp cryptography)");
        PysnmpAgent { port, child }
    }
}

impl Drop for PysnmpAgent {
    fn drop(&mut self) {
        drop(self.child.stdin.take()); // the agent stops when its stdin closes
        let _ = self.child.wait();
    }
}

#[test]
fn triple_des_and_both_aes_key_extensions_against_pysnmp() {
    let agent = PysnmpAgent::start();
    let addr = format!("127.0.0.1:{}", agent.port).parse().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let users = [
        ("py-sha-3des", "SHA", "3DES"),
        ("py-md5-3des", "MD5", "3DES"),
        ("py-sha256-aes256r", "SHA-256", "AES-256-C"),
        ("py-sha256-aes256b", "SHA-256", "AES-256"),
        ("py-md5-aes192r", "MD5", "AES-192-C"),
        ("py-md5-aes192b", "MD5", "AES-192"),
    ];
    rt.block_on(async {
        for (user, auth, privacy) in users {
            let mut config =
                v3_config(user, SecurityLevel::AuthPriv, Some((auth, AUTH_PASS)), Some((privacy, PRIV_PASS)));
            config.timeout = Duration::from_millis(700);
            config.retries = 1;
            let client = Client::connect(addr, config).await.unwrap();
            let descr: Oid = "1.3.6.1.2.1.1.1.0".parse().unwrap();
            let got = client.get([descr]).await.unwrap_or_else(|e| panic!("{user}: {e}"));
            let Value::OctetString(text) = &got[0].value else { panic!("{user}: {got:?}") };
            assert!(text.starts_with(b"PySNMP engine"), "{user}: {got:?}");

            let name: Oid = "1.3.6.1.2.1.1.5.0".parse().unwrap();
            let value = Value::OctetString(format!("set-by-{user}").into_bytes());
            let set = client.set([(&name, value.clone())]).await.unwrap_or_else(|e| panic!("{user}: {e}"));
            assert_eq!(set, [VarBind::new(name.clone(), value.clone())], "{user}");
            let back = client.get_value(&name).await.unwrap();
            assert_eq!(back, value, "{user}");
        }
        // The wrong variant of the key extension is not silently "working": the agent cannot
        // decrypt, and the error says to check the privacy protocol.
        let mut config = v3_config(
            "py-md5-aes192r",
            SecurityLevel::AuthPriv,
            Some(("MD5", AUTH_PASS)),
            Some(("AES-192", PRIV_PASS)),
        );
        config.timeout = Duration::from_millis(300);
        config.retries = 0;
        let client = Client::connect(addr, config).await.unwrap();
        let e = client.get(["1.3.6.1.2.1.1.1.0"]).await.unwrap_err();
        assert!(e.to_string().contains("privacy") && e.to_string().contains("-x AES-192-C"), "{e}");
    });
}
