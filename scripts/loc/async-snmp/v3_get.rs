use async_snmp::{AuthProtocol, Client, PrivProtocol, UsmConfig, oid};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let agent = args.next().unwrap_or_else(|| "127.0.0.1:1161".into());
    let user = args.next().unwrap_or_else(|| "admin".into());
    let auth = std::env::var("SNMP_AUTH_PASSWORD").unwrap_or_default();
    let privacy = std::env::var("SNMP_PRIV_PASSWORD").unwrap_or_default();

    let usm = UsmConfig::new(user).auth_priv(AuthProtocol::Sha256, auth, PrivProtocol::Aes128, privacy)?;
    let client = Client::builder(agent, usm).connect().await?;
    let oids = [oid!(1, 3, 6, 1, 2, 1, 1, 1, 0), oid!(1, 3, 6, 1, 2, 1, 1, 3, 0)];
    for varbind in client.get_many(&oids).await?.varbinds {
        println!("{} = {:?}", varbind.oid, varbind.value);
    }
    Ok(())
}
