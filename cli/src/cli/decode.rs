//! `snmpctl decode`: annotated or JSON decode of SNMP datagrams.

use super::progress::Progress;
use super::snmp::UsmKeyArgs;
use super::{EXIT_FAILURE, EXIT_OK, Format, GlobalArgs};
use anyhow::Context as _;
use snmpctl::capture::{self, Datagram};
use snmpctl::format::{dump, json};
use snmpctl::hex;
use snmpctl::msg::{Decoded, Message, ScopedPduData, SecurityParameters};
use snmpctl::usm::{self, AuthProtocol, LocalizedKeys, PrivProtocol, SecurityLevel, UserKeys, UsmError};
use std::collections::HashMap;
use std::io::{Read as _, Write};
use std::process::ExitCode;

// Arguments of `snmpctl decode`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Datagrams as hex text, or files: raw datagrams (.bin), hex text, pcap or pcapng captures.
    /// `-` or nothing reads standard input.
    inputs: Vec<String>,
    /// From captures, also show UDP datagrams that are not SNMP (not on ports 161/162 and not
    /// decodable as SNMP).
    #[arg(long)]
    all: bool,
    /// Append a hex dump of each datagram to the text output.
    #[arg(long)]
    hex: bool,
    /// SNMPv3 credentials: with them, authenticated messages are verified and encrypted ones
    /// decrypted. Without -u they apply to whatever user each message names.
    #[command(flatten)]
    keys: UsmKeyArgs,
}

/// The credentials `decode` was given, with keys localized per engine ID (cached).
struct Keyring {
    user: Option<Vec<u8>>,
    keys: UserKeys,
    localized: HashMap<Vec<u8>, LocalizedKeys>,
}

/// What USM processing made of one datagram.
enum Security {
    /// Not v3, no credentials, or another user's message: nothing checked.
    NotChecked,
    /// Verified (and decrypted) at this level.
    Verified { level: SecurityLevel, auth: Option<AuthProtocol>, privacy: Option<PrivProtocol> },
    /// Verification or decryption failed.
    Failed(UsmError),
}

impl Keyring {
    fn new(args: &UsmKeyArgs) -> anyhow::Result<Option<Keyring>> {
        if !args.any_key() {
            return Ok(None);
        }
        let name = args.user.clone().unwrap_or_else(|| "(any user)".into());
        let keys = args.user_keys(&name)?;
        Ok(Some(Keyring { user: args.user.clone().map(String::into_bytes), keys, localized: HashMap::new() }))
    }

    /// Verifies and decrypts `decoded` in place (the scoped PDU becomes plaintext).
    fn process(&mut self, data: &[u8], decoded: &mut Decoded) -> Security {
        let Message::V3(m) = &decoded.message else { return Security::NotChecked };
        let SecurityParameters::Usm(usm) = &m.security else { return Security::NotChecked };
        if self.user.as_ref().is_some_and(|u| *u != usm.user_name) || !m.header.msg_flags.auth() {
            return Security::NotChecked;
        }
        let engine = usm.engine_id.clone();
        let keys = self.localized.entry(engine.clone()).or_insert_with(|| self.keys.localize(&engine));
        match usm::unwrap(data, decoded.clone(), Some(keys)) {
            Ok(a) => {
                let level = a.level();
                let u = a.into_inner();
                if let Message::V3(m) = &mut decoded.message {
                    m.data = ScopedPduData::Plaintext(u.scoped_pdu);
                }
                decoded.deviations = u.deviations;
                let privacy = if level == SecurityLevel::AuthPriv { keys.priv_protocol() } else { None };
                Security::Verified { level, auth: keys.auth_protocol(), privacy }
            }
            Err(e) => Security::Failed(e),
        }
    }
}

/// Where a datagram came from.
struct Origin {
    label: String,
    datagram: Option<Datagram>,
    /// From a capture, off the SNMP ports: shown only if it decodes as SNMP (or with `--all`).
    only_if_snmp: bool,
}

pub fn run(global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    let inputs: Vec<String> = if args.inputs.is_empty() { vec!["-".into()] } else { args.inputs.clone() };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = 0usize;
    let mut keyring = Keyring::new(&args.keys)?;
    for input in &inputs {
        let datagrams = load(input, args.all)?;
        let progress = Progress::start(!global.no_progress, "datagrams", u64::try_from(datagrams.len()).ok());
        for (origin, data) in datagrams {
            let shown = progress
                .suspend(|| show(&mut out, global.format, args.hex, &origin, &data, keyring.as_mut()))?;
            if !shown {
                failed = failed.saturating_add(1);
            }
            progress.inc(1);
        }
        progress.suspend(|| out.flush())?;
    }
    if failed > 0 {
        eprintln!("snmpctl: {failed} datagram(s) could not be decoded or failed verification");
        return Ok(ExitCode::from(EXIT_FAILURE));
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// Reads one input into datagrams.
fn load(input: &str, all: bool) -> anyhow::Result<Vec<(Origin, Vec<u8>)>> {
    let (name, bytes) = if input == "-" {
        let mut buf = Vec::new();
        std::io::stdin().lock().read_to_end(&mut buf).context("reading standard input")?;
        ("stdin".to_owned(), buf)
    } else if std::path::Path::new(input).is_file() {
        (input.to_owned(), std::fs::read(input).with_context(|| format!("reading {input}"))?)
    } else {
        let bytes =
            hex::decode(input).with_context(|| format!("{input:?} is neither a file nor hex text"))?;
        return Ok(vec![(
            Origin { label: "hex argument".into(), datagram: None, only_if_snmp: false },
            bytes,
        )]);
    };
    if capture::is_capture(&bytes) {
        let cap = capture::read(&bytes).with_context(|| format!("reading capture {name}"))?;
        if let Some(why) = &cap.truncated {
            eprintln!("snmpctl: {name}: capture ends early ({why}); showing the frames before it");
        }
        let mut out = Vec::new();
        for d in cap.datagrams {
            let snmp_port = [161, 162].contains(&d.src.port()) || [161, 162].contains(&d.dst.port());
            let only_if_snmp = !all && !snmp_port;
            let label = format!("{name} frame {}", d.frame);
            let payload = d.payload.clone();
            out.push((Origin { label, datagram: Some(d), only_if_snmp }, payload));
        }
        return Ok(out);
    }
    // A file of hex text, or raw bytes.
    let text_hex =
        std::str::from_utf8(&bytes).ok().filter(|t| !t.trim().is_empty()).and_then(|t| hex::decode(t).ok());
    let data = text_hex.unwrap_or(bytes);
    Ok(vec![(Origin { label: name, datagram: None, only_if_snmp: false }, data)])
}

/// Prints one datagram; false if it did not decode.
fn show(
    out: &mut impl Write,
    format: Format,
    with_hex: bool,
    origin: &Origin,
    data: &[u8],
    keyring: Option<&mut Keyring>,
) -> anyhow::Result<bool> {
    let mut decoded = Message::decode_detailed(data);
    if origin.only_if_snmp && decoded.is_err() {
        return Ok(true); // a non-SNMP datagram from a capture: not ours to show or count
    }
    let security = match (keyring, &mut decoded) {
        (Some(k), Ok(d)) => k.process(data, d),
        _ => Security::NotChecked,
    };
    match format {
        Format::Json | Format::Ndjson => {
            let mut obj = match &decoded {
                Ok(d) => json::decoded(d),
                Err(e) => serde_json::json!({
                    "error": {"offset": e.offset, "message": e.kind.to_string()},
                    "hex": hex::encode(data),
                }),
            };
            if let serde_json::Value::Object(map) = &mut obj {
                match &security {
                    Security::NotChecked => {}
                    Security::Verified { level, auth, privacy } => {
                        map.insert(
                            "security".into(),
                            serde_json::json!({
                                "verified": true,
                                "level": level.name(),
                                "auth_protocol": auth.map(AuthProtocol::name),
                                "priv_protocol": privacy.map(PrivProtocol::name),
                            }),
                        );
                    }
                    Security::Failed(e) => {
                        map.insert(
                            "security".into(),
                            serde_json::json!({"verified": false, "error": e.to_string()}),
                        );
                    }
                }
            }
            if let (Some(d), serde_json::Value::Object(map)) = (&origin.datagram, &mut obj) {
                map.insert("frame".into(), d.frame.into());
                map.insert("time".into(), serde_json::json!(d.timestamp.as_secs_f64()));
                map.insert("src".into(), d.src.to_string().into());
                map.insert("dst".into(), d.dst.to_string().into());
            }
            serde_json::to_writer(&mut *out, &obj)?;
            writeln!(out)?;
        }
        Format::Text => {
            match &origin.datagram {
                Some(d) => writeln!(out, "# {}  {} -> {}  {} bytes", origin.label, d.src, d.dst, data.len())?,
                None => writeln!(out, "# {}  {} bytes", origin.label, data.len())?,
            }
            match &decoded {
                Ok(d) => {
                    out.write_all(dump::decoded(d).as_bytes())?;
                    match &security {
                        Security::NotChecked => {}
                        Security::Verified { level, auth, privacy } => {
                            let mac = auth.map_or("", AuthProtocol::mac_name);
                            match privacy {
                                Some(p) => writeln!(
                                    out,
                                    "  security: {level}: MAC verified ({mac}), decrypted ({})",
                                    p.wire_variant()
                                )?,
                                None => writeln!(out, "  security: {level}: MAC verified ({mac})")?,
                            }
                        }
                        Security::Failed(e) => writeln!(out, "  security: FAILED: {e}")?,
                    }
                    if with_hex {
                        out.write_all(dump::hexdump(data, None).as_bytes())?;
                    }
                }
                Err(e) => out.write_all(dump::error(data, e).as_bytes())?,
            }
            writeln!(out)?;
        }
    }
    Ok(decoded.is_ok() && !matches!(security, Security::Failed(_)))
}
