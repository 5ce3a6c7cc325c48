//! Receives Traps and Informs (v1, v2c, and v3 from one user) and prints each with MIB names.
//! Informs are acknowledged as they arrive.
//!
//! `cargo run --example traps -- [ADDR] [COUNT]` (default `127.0.0.1:1162`, until stopped);
//! a v3 user `netops` (SHA-256, AES) comes from `SNMP_AUTH_PASSWORD` and
//! `SNMP_PRIV_PASSWORD` when both are set.

#![allow(clippy::print_stdout)] // printing the results is the job

use snmpctl::trap::Receiver;
use snmpctl::{AuthProtocol, Mib, PrivProtocol, Usm};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), snmpctl::Error> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:1162".into());
    let count: usize = args.next().and_then(|c| c.parse().ok()).unwrap_or(usize::MAX);

    let mut receiver = Receiver::builder();
    if let (Ok(auth), Ok(privacy)) =
        (std::env::var("SNMP_AUTH_PASSWORD"), std::env::var("SNMP_PRIV_PASSWORD"))
    {
        let user =
            Usm::user("netops").auth(AuthProtocol::Sha256, auth).privacy(PrivProtocol::Aes128, privacy);
        receiver = receiver.user(user);
    }
    let mut traps = receiver.bind(&addr).await?;
    eprintln!("listening on {:?}", traps.local_addrs());

    for _ in 0..count {
        let Some(n) = traps.recv().await else { break };
        let trap = n.trap_oid().map_or_else(|| "?".into(), |oid| Mib::shipped().name(&oid));
        println!("{} {} from {}: {trap}", n.version, n.pdu_type.name().unwrap_or("?"), n.from);
        for varbind in n.v2_varbinds().iter().skip(2) {
            println!("  {varbind}"); // with MIB names, as snmptrapd prints them
        }
    }
    Ok(())
}
