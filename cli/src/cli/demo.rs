//! `snmpctl demo`: the whole toolkit on a machine with no device.
//!
//! The shipped router recording is served by an in-process agent on a free loopback port;
//! then snmpctl's own commands run against it, each shown with the command line that anyone
//! can type while the demo agent (or `snmpctl agent`) runs: system information, the
//! interface table, the same over SNMPv3 authPriv, a rename with Set, and a linkDown trap
//! received by `snmpctl listen`.

use super::GlobalArgs;
use anyhow::{Context as _, bail};
use snmpctl::agent::{Recording, Responder, Setup};
use snmpctl::usm::{AuthProtocol, Credentials, KeySource, Password, PrivProtocol, SecurityLevel, UserKeys};
use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

// Arguments of `snmpctl demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Leave the agent running after the demo (until Ctrl-C), to try more commands on it.
    #[arg(long)]
    keep: bool,
}

/// A line on stdout, written at once (the steps' own output goes to the same stdout).
macro_rules! say {
    ($($arg:tt)*) => {{
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, $($arg)*);
        let _ = out.flush();
    }};
}

const V3_USER: &str = "demo";
const V3_AUTH: &str = "demo-auth-pass";
const V3_PRIV: &str = "demo-priv-pass";

fn setup() -> anyhow::Result<Setup> {
    let (recording, _) =
        Recording::from_snmprec(super::agent::ROUTER).context("the shipped router recording")?;
    let user = UserKeys::new(Credentials {
        user_name: V3_USER.as_bytes().to_vec(),
        level: SecurityLevel::AuthPriv,
        auth: Some((AuthProtocol::Sha256, KeySource::Password(Password::new(V3_AUTH.as_bytes().to_vec())?))),
        privacy: Some((
            PrivProtocol::Aes128,
            KeySource::Password(Password::new(V3_PRIV.as_bytes().to_vec())?),
        )),
    })?;
    let mut setup = Setup::single(recording);
    setup.users.push(user);
    Ok(setup)
}

/// Prints a step's title, then runs its command.
fn step(title: &str, args: &[&str]) -> anyhow::Result<()> {
    say!("\n== {title}");
    command(args)
}

/// Prints a command line, runs it and waits.
fn command(args: &[&str]) -> anyhow::Result<()> {
    say!("$ snmpctl {}", shown(args));
    let status = own_settings(Command::new(std::env::current_exe().context("finding snmpctl")?))
        .args(args)
        .status()
        .context("running snmpctl")?;
    if !status.success() {
        bail!("snmpctl {} failed ({status})", shown(args));
    }
    Ok(())
}

/// The demo shows snmpctl as shipped: the machine's snmp.conf (Debian's says `mibs :`) and
/// MIB settings in the environment do not change what its commands print.
fn own_settings(mut command: Command) -> Command {
    command.env("SNMPCONFPATH", "").env_remove("MIBS").env_remove("MIBDIRS").env_remove("MIBFILES");
    command
}

fn shown(args: &[&str]) -> String {
    args.iter()
        .map(|a| if a.contains([' ', '\'']) || a.is_empty() { format!("'{a}'") } else { (*a).to_owned() })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn run(_global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").context("binding a loopback port for the agent")?;
    socket.set_nonblocking(true)?;
    let agent = format!("127.0.0.1:{}", socket.local_addr()?.port());
    let device = Responder::device(
        Arc::new(setup()?),
        b"\x80\x00\x00\x00\x05snmpctl-demo".to_vec(),
        getrandom::u64().unwrap_or(0x5eed),
        Instant::now(),
    );
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let server = std::thread::spawn(move || -> anyhow::Result<()> {
        let rt = super::snmp::runtime()?;
        rt.block_on(async move {
            let socket = tokio::net::UdpSocket::from_std(socket)?;
            snmpctl::agent::run(socket, device, stop_rx).await;
            anyhow::Ok(())
        })
    });
    say!(
        "snmpctl demo: a router recorded from Net-SNMP snmpd (fixtures/snmprec/router.snmprec) is served \
         on udp:{agent}\nby an in-process agent: community public (read), private (write), SNMPv3 user \
         {V3_USER} (SHA-256 {V3_AUTH}, AES {V3_PRIV})."
    );
    let a = agent.as_str();
    step(
        "System information",
        &[
            "get",
            "-v2c",
            "-c",
            "public",
            a,
            "sysDescr.0",
            "sysObjectID.0",
            "sysUpTime.0",
            "sysContact.0",
            "sysName.0",
            "sysLocation.0",
        ],
    )?;
    step(
        "The interface table",
        &["table", "-v2c", "-c", "public", "-Cb", "-Cw", "100", a, "IF-MIB::ifTable"],
    )?;
    step(
        "Interface names over SNMPv3 (authPriv: SHA-256, AES)",
        &[
            "walk",
            "-v3",
            "-u",
            V3_USER,
            "-l",
            "authPriv",
            "-a",
            "SHA-256",
            "-A",
            V3_AUTH,
            "-x",
            "AES",
            "-X",
            V3_PRIV,
            a,
            "IF-MIB::ifName",
        ],
    )?;
    step(
        "Rename the device with Set",
        &["set", "-v2c", "-c", "private", a, "sysName.0", "s", "core-rtr-renamed"],
    )?;
    step("Read the new name back", &["get", "-v2c", "-c", "public", a, "sysName.0"])?;
    trap_step()?;
    if args.keep {
        say!("\nThe agent keeps running on udp:{agent}; Ctrl-C stops it.");
        let rt = super::snmp::runtime()?;
        rt.block_on(super::listen::signalled());
    } else {
        say!("\nDone. `snmpctl agent` serves the same router on udp:127.0.0.1:1161 until Ctrl-C.");
    }
    let _ = stop_tx.send(true);
    match server.join() {
        Ok(r) => r?,
        Err(_) => bail!("the demo agent failed"),
    }
    Ok(ExitCode::from(super::EXIT_OK))
}

/// Starts `snmpctl listen` on a free port, sends it a linkDown trap and shows what it logged.
fn trap_step() -> anyhow::Result<()> {
    let port = std::net::UdpSocket::bind("127.0.0.1:0")?.local_addr()?.port();
    let listen_at = format!("udp:127.0.0.1:{port}");
    let listen_args = ["listen", "--listen", &listen_at, "--count", "1"];
    say!("\n== A trap, received by the listener\n$ snmpctl {} &", shown(&listen_args));
    let mut listener = own_settings(Command::new(std::env::current_exe()?))
        .args(listen_args)
        .stderr(Stdio::piped())
        .spawn()
        .context("starting snmpctl listen")?;
    // Wait for its startup line, so the trap is not sent before it listens.
    let stderr = listener.stderr.take().context("the listener's stderr")?;
    let mut lines = BufReader::new(stderr).lines();
    let ready = lines.next().and_then(Result::ok).unwrap_or_default();
    if !ready.contains("listening on") {
        let _ = listener.kill();
        bail!("snmpctl listen did not start: {ready}");
    }
    let to = format!("127.0.0.1:{port}");
    let trap = [
        "trap",
        "-v2c",
        "-c",
        "public",
        &to,
        "",
        "IF-MIB::linkDown",
        "IF-MIB::ifIndex.2",
        "i",
        "2",
        "IF-MIB::ifAdminStatus.2",
        "i",
        "1",
        "IF-MIB::ifOperStatus.2",
        "i",
        "2",
    ];
    command(&trap)?;
    let deadline = Instant::now().checked_add(Duration::from_secs(5)).unwrap_or_else(Instant::now);
    loop {
        if listener.try_wait()?.is_some() {
            return Ok(());
        }
        if Instant::now() > deadline {
            let _ = listener.kill();
            bail!("the listener did not receive the trap within 5 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
