//! sysName from many agents at once: one client each, every request in flight together.
//!
//! `cargo run --example fleet -- [HOST:FIRST-LAST] [COMMUNITY]` (default
//! `127.0.0.1:20000-20049 public`, what `snmpctl agent --ports 20000-20049` serves).

#![allow(clippy::print_stdout)] // printing the results is the job

use tokio::task::JoinSet;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), snmpctl::Error> {
    let mut args = std::env::args().skip(1);
    let range = args.next().unwrap_or_else(|| "127.0.0.1:20000-20049".into());
    let community = args.next().unwrap_or_else(|| "public".into());
    let (host, ports) = range.rsplit_once(':').unwrap_or((range.as_str(), "161-161"));
    let (first, last) = ports.split_once('-').unwrap_or((ports, ports));
    let (first, last): (u16, u16) = (first.parse().unwrap_or(161), last.parse().unwrap_or(161));

    let mut jobs = JoinSet::new();
    for port in first..=last {
        let (agent, community) = (format!("{host}:{port}"), community.clone());
        jobs.spawn(async move {
            let client = snmpctl::Client::v2c(agent.as_str(), community).connect().await?;
            Ok::<_, snmpctl::Error>((agent, client.get_value("sysName.0").await?))
        });
    }
    let mut answers = Vec::new();
    while let Some(done) = jobs.join_next().await {
        match done {
            Ok(Ok(answer)) => answers.push(answer),
            Ok(Err(e)) => eprintln!("{e}"),
            Err(e) => eprintln!("task: {e}"),
        }
    }
    answers.sort_by(|a, b| a.0.cmp(&b.0));
    for (agent, name) in &answers {
        println!("{agent} {}", name.as_str().unwrap_or("?"));
    }
    println!("{} of {} agents answered", answers.len(), u32::from(last.saturating_sub(first)) + 1);
    Ok(())
}
