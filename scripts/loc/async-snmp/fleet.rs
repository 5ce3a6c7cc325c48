use async_snmp::{Auth, Client, oid};
use tokio::task::JoinSet;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
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
            let client = Client::builder(agent.as_str(), Auth::v2c(community)).connect().await?;
            let answer = client.get(&oid!(1, 3, 6, 1, 2, 1, 1, 5, 0)).await?;
            let name = answer.varbinds.first().and_then(|v| v.value.as_str()).unwrap_or("?").to_string();
            Ok::<_, Box<async_snmp::Error>>((agent, name))
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
    answers.sort();
    for (agent, name) in &answers {
        println!("{agent} {name}");
    }
    println!("{} of {} agents answered", answers.len(), u32::from(last.saturating_sub(first)) + 1);
    Ok(())
}
