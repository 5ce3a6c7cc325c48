use async_snmp::{Auth, Client, oid};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let agent = args.next().unwrap_or_else(|| "127.0.0.1:1161".into());
    let community = args.next().unwrap_or_else(|| "public".into());

    let client = Client::builder(agent, Auth::v2c(community)).connect().await?;
    let system = [
        oid!(1, 3, 6, 1, 2, 1, 1, 1, 0),
        oid!(1, 3, 6, 1, 2, 1, 1, 2, 0),
        oid!(1, 3, 6, 1, 2, 1, 1, 3, 0),
        oid!(1, 3, 6, 1, 2, 1, 1, 4, 0),
        oid!(1, 3, 6, 1, 2, 1, 1, 5, 0),
        oid!(1, 3, 6, 1, 2, 1, 1, 6, 0),
    ];
    for varbind in client.get_many(&system).await?.varbinds {
        println!("{} = {:?}", varbind.oid, varbind.value);
    }
    Ok(())
}
