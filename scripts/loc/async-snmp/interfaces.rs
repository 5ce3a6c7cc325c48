use async_snmp::{Auth, Client, Oid, Value, oid};
use std::collections::BTreeMap;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let agent = args.next().unwrap_or_else(|| "127.0.0.1:1161".into());
    let community = args.next().unwrap_or_else(|| "public".into());

    let client = Client::builder(agent, Auth::v2c(community)).connect().await?;
    let entry = oid!(1, 3, 6, 1, 2, 1, 2, 2, 1);
    let mut rows: BTreeMap<Vec<u32>, BTreeMap<u32, Value>> = BTreeMap::new();
    for vb in client.bulk_walk(entry.clone(), 25)?.collect().await? {
        let arcs = vb.oid.arcs();
        let (column, index) = (arcs[entry.len()], arcs[entry.len() + 1..].to_vec());
        rows.entry(index).or_default().insert(column, vb.value);
    }
    let status = |v: Option<&Value>| match v.and_then(Value::as_i32) {
        Some(1) => "up",
        Some(2) => "down",
        Some(3) => "testing",
        Some(5) => "dormant",
        Some(7) => "lowerLayerDown",
        _ => "?",
    };
    for (index, row) in &rows {
        let count = |c| row.get(&c).and_then(Value::as_u64).unwrap_or(0);
        let descr = row.get(&2).and_then(Value::as_str).unwrap_or("?");
        let index = Oid::from_slice(index);
        println!("{index:>4} {descr:<24} {:<6} in {:>12} out {:>12} octets", status(row.get(&8)), count(10), count(16));
    }
    Ok(())
}
