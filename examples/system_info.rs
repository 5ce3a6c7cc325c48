//! A device's system information over SNMPv2c.
//!
//! `cargo run --example system_info -- [AGENT] [COMMUNITY]`; by default `127.0.0.1:1161` and
//! `public`, where `snmpctl agent` serves a recorded router.

#![allow(clippy::print_stdout)] // printing the results is the job

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), snmpctl::Error> {
    let mut args = std::env::args().skip(1);
    let agent = args.next().unwrap_or_else(|| "127.0.0.1:1161".into());
    let community = args.next().unwrap_or_else(|| "public".into());

    let client = snmpctl::Client::v2c(agent, community).connect().await?;
    let system = ["sysDescr.0", "sysObjectID.0", "sysUpTime.0", "sysContact.0", "sysName.0", "sysLocation.0"];
    for varbind in client.get(system).await? {
        println!("{varbind}");
    }
    Ok(())
}
