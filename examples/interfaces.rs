//! The interface table, read with GetBulk: name, status and traffic of each interface.
//!
//! `cargo run --example interfaces -- [AGENT] [COMMUNITY]` (default `127.0.0.1:1161 public`).

#![allow(clippy::print_stdout)] // printing the results is the job

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), snmpctl::Error> {
    let mut args = std::env::args().skip(1);
    let agent = args.next().unwrap_or_else(|| "127.0.0.1:1161".into());
    let community = args.next().unwrap_or_else(|| "public".into());

    let client = snmpctl::Client::v2c(agent, community).max_repetitions(25).connect().await?;
    let table = client.table("IF-MIB::ifTable").await?;
    let text = |row: &snmpctl::client::TableRow, column| {
        row.varbind(column).map_or_else(|| "?".into(), |vb| client.mib().render_value(&vb))
    };
    for row in table.iter() {
        let count = |column| row.get(column).and_then(snmpctl::Value::as_u64).unwrap_or(0);
        println!(
            "{:>4} {:<24} {:<6} in {:>12} out {:>12} octets",
            row.index(),
            text(&row, "ifDescr"),
            text(&row, "ifOperStatus"),
            count("ifInOctets"),
            count("ifOutOctets")
        );
    }
    Ok(())
}
