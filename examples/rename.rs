//! Renames a device with Set, then reads the name back.
//!
//! `cargo run --example rename -- [AGENT] [COMMUNITY] [NAME]` (default `127.0.0.1:1161
//! public core-rtr-1`: `snmpctl agent` keeps Sets of its communities in memory).

#![allow(clippy::print_stdout)] // printing the results is the job

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), snmpctl::Error> {
    let mut args = std::env::args().skip(1);
    let agent = args.next().unwrap_or_else(|| "127.0.0.1:1161".into());
    let community = args.next().unwrap_or_else(|| "public".into());
    let name = args.next().unwrap_or_else(|| "core-rtr-1".into());

    let client = snmpctl::Client::v2c(agent, community).connect().await?;
    let before = client.get_value("sysName.0").await?;
    client.set([("sysName.0", name.as_str())]).await?;
    let after = client.get_value("sysName.0").await?;
    println!("sysName: {} -> {}", before.as_str().unwrap_or("?"), after.as_str().unwrap_or("?"));
    Ok(())
}
