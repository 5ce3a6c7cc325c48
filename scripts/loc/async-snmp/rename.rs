use async_snmp::{Auth, Client, Value, oid};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let agent = args.next().unwrap_or_else(|| "127.0.0.1:1161".into());
    let community = args.next().unwrap_or_else(|| "public".into());
    let name = args.next().unwrap_or_else(|| "core-rtr-1".into());

    let client = Client::builder(agent, Auth::v2c(community)).connect().await?;
    let sys_name = oid!(1, 3, 6, 1, 2, 1, 1, 5, 0);
    let text = |r: async_snmp::FixedCardinalityResponse| {
        r.varbinds.first().and_then(|v| v.value.as_str()).unwrap_or("?").to_string()
    };
    let before = text(client.get(&sys_name).await?);
    let answer = client.set(&sys_name, Value::OctetString(name.into_bytes().into())).await?;
    if let Some(e) = answer.anomalies.first() {
        return Err(format!("{e:?}").into());
    }
    let after = text(client.get(&sys_name).await?);
    println!("sysName: {before} -> {after}");
    Ok(())
}
