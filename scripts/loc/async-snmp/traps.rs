use async_snmp::notification::{NotificationAcceptance, NotificationReceiver};
use async_snmp::{AuthProtocol, AuthoritativeEngine, PrivProtocol};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:1162".into());
    let count: usize = args.next().and_then(|c| c.parse().ok()).unwrap_or(usize::MAX);

    let mut receiver = NotificationReceiver::builder().bind(addr.as_str());
    if let (Ok(auth), Ok(privacy)) = (std::env::var("SNMP_AUTH_PASSWORD"), std::env::var("SNMP_PRIV_PASSWORD")) {
        let engine = AuthoritativeEngine::install(b"example-receiver".to_vec(), |_| {
            Ok::<(), std::convert::Infallible>(())
        })?;
        receiver = receiver.authoritative_engine(engine).usm_user("netops", |u| {
            u.auth_priv(AuthProtocol::Sha256, auth.as_bytes(), PrivProtocol::Aes128, privacy.as_bytes())
        })?;
        receiver = receiver.acceptance_policy(|_| NotificationAcceptance::Accept);
    }
    let traps = receiver.build().await?;
    eprintln!("listening on {}", traps.local_addr());

    for _ in 0..count {
        let received = traps.recv().await?;
        let n = &received.notification;
        println!("{:?} from {}: {:?}", n.version(), received.source, n.trap_oid());
        for varbind in n.varbinds() {
            println!("  {} = {:?}", varbind.oid, varbind.value);
        }
    }
    Ok(())
}
