//! sysName from many agents at once, every request in flight together from one socket.
//!
//! `cargo run --example fleet -- [HOST:FIRST-LAST] [COMMUNITY]` (default
//! `127.0.0.1:20000-20049 public`, what `snmpctl agent --ports 20000-20049` serves).

#![allow(clippy::print_stdout)] // printing the results is the job

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), snmpctl::Error> {
    let mut args = std::env::args().skip(1);
    let range = args.next().unwrap_or_else(|| "127.0.0.1:20000-20049".into());
    let community = args.next().unwrap_or_else(|| "public".into());
    let (host, ports) = range.rsplit_once(':').unwrap_or((range.as_str(), "161-161"));
    let (first, last) = ports.split_once('-').unwrap_or((ports, ports));
    let (first, last): (u16, u16) = (first.parse().unwrap_or(161), last.parse().unwrap_or(161));

    let agents = (first..=last).map(|port| format!("{host}:{port}"));
    let answers = snmpctl::Fleet::v2c(community).get(agents, ["sysName.0"]).await?;
    for (agent, answer) in &answers {
        match answer {
            Ok(vbs) => println!("{agent} {}", vbs.first().and_then(|vb| vb.value.as_str()).unwrap_or("?")),
            Err(e) => eprintln!("{agent}: {e}"),
        }
    }
    let answered = answers.iter().filter(|(_, answer)| answer.is_ok()).count();
    println!("{answered} of {} agents answered", answers.len());
    Ok(())
}
