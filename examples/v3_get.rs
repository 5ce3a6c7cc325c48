//! An SNMPv3 authPriv Get (SHA-256 and AES-128).
//!
//! `cargo run --example v3_get -- [AGENT] [USER]` with the passwords in `SNMP_AUTH_PASSWORD`
//! and `SNMP_PRIV_PASSWORD` (default `127.0.0.1:1161`, user `admin`).

#![allow(clippy::print_stdout)] // printing the results is the job

use snmpctl::{AuthProtocol, Client, PrivProtocol, Usm};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), snmpctl::Error> {
    let mut args = std::env::args().skip(1);
    let agent = args.next().unwrap_or_else(|| "127.0.0.1:1161".into());
    let user = args.next().unwrap_or_else(|| "admin".into());
    let auth = std::env::var("SNMP_AUTH_PASSWORD").unwrap_or_default();
    let privacy = std::env::var("SNMP_PRIV_PASSWORD").unwrap_or_default();

    let usm = Usm::user(user).auth(AuthProtocol::Sha256, auth).privacy(PrivProtocol::Aes128, privacy);
    let client = Client::v3(agent, usm).connect().await?;
    for varbind in client.get(["sysDescr.0", "sysUpTime.0"]).await? {
        println!("{varbind}");
    }
    Ok(())
}
