//! snmpctl's own SNMP engine (RFC 3411 § 3.1.1.1): a persistent engine ID, snmpEngineBoots and
//! the moment the current boot began, kept in one small file.
//!
//! A [`Receiver`](super::Receiver) is the authoritative engine for v3 Informs and counts a
//! boot each time it starts (`snmpctl listen` does the same); `snmpctl trap` sends v3 Traps
//! as this engine, with snmpEngineTime the seconds since the current boot, so a receiver's
//! time window holds from run to run.
//!
//! The command-line tool keeps the file in [`default_dir`]: `$SNMPCTL_STATE_DIR/engine`, else
//! `$XDG_STATE_HOME/snmpctl/engine`, else `~/.local/state/snmpctl/engine`. Its lines:
//! `engine-id HEX`, `boots N`, `boot-time UNIX-SECONDS`.
//!
//! ```
//! let file = std::env::temp_dir().join(format!("snmpctl-doc-engine-{}", std::process::id()));
//! let (first, problem) = snmpctl::trap::state::load(Some(&file), true);
//! assert!(problem.is_none());
//! let (second, _) = snmpctl::trap::state::load(Some(&file), true);
//! assert_eq!(second.engine_id, first.engine_id); // the ID stays
//! assert_eq!(second.boots, first.boots + 1); // each start is a boot
//! # std::fs::remove_file(&file)?;
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The local engine as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineFile {
    /// snmpEngineID.
    pub engine_id: Vec<u8>,
    /// snmpEngineBoots.
    pub boots: u32,
    /// When the current boot began (UNIX seconds).
    pub boot_time: u64,
}

/// Where the command-line tool keeps the state.
pub fn default_dir() -> Option<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    env("SNMPCTL_STATE_DIR")
        .or_else(|| env("XDG_STATE_HOME").map(|d| d.join("snmpctl")))
        .or_else(|| env("HOME").map(|h| h.join(".local/state/snmpctl")))
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A new engine ID: RFC 3411 format 5 (administratively assigned octets), enterprise 0, eight
/// random octets.
fn new_engine_id() -> Vec<u8> {
    let mut id = vec![0x80, 0, 0, 0, 5];
    let mut random = [0u8; 8];
    if getrandom::fill(&mut random).is_err() {
        random = unix_now().to_be_bytes();
    }
    id.extend_from_slice(&random);
    id
}

fn parse(text: &str) -> Option<EngineFile> {
    let mut engine_id = None;
    let mut boots = None;
    let mut boot_time = None;
    for line in text.lines() {
        match line.split_once(' ') {
            Some(("engine-id", v)) => engine_id = crate::hex::decode(v.trim()).ok().filter(|e| e.len() >= 5),
            Some(("boots", v)) => boots = v.trim().parse().ok(),
            Some(("boot-time", v)) => boot_time = v.trim().parse().ok(),
            _ => {}
        }
    }
    Some(EngineFile { engine_id: engine_id?, boots: boots?, boot_time: boot_time? })
}

/// An error that names what was done to which file.
fn context<'a>(what: &'a str, p: &'a Path) -> impl FnOnce(io::Error) -> io::Error + 'a {
    move |e| io::Error::new(e.kind(), format!("{what} {}: {e}", p.display()))
}

fn write(path: &Path, e: &EngineFile) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(context("creating", dir))?;
    }
    let text = format!(
        "engine-id {}\nboots {}\nboot-time {}\n",
        crate::hex::encode(&e.engine_id),
        e.boots,
        e.boot_time
    );
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(context("writing", &tmp))?;
    std::fs::rename(&tmp, path).map_err(context("writing", path))
}

/// Reads the engine kept in the file `path`, creating it (boots 1) if there is none; with
/// `boot`, counts a new boot. `None` keeps the engine in memory only. When the state cannot
/// be written, the engine is still returned, with the error (a fresh ID, so v3 peers must
/// learn it again next time).
pub fn load(path: Option<&Path>, boot: bool) -> (EngineFile, Option<io::Error>) {
    let stored = path.and_then(|p| std::fs::read_to_string(p).ok()).and_then(|t| parse(&t));
    let mut engine = match stored {
        Some(e) => e,
        None => EngineFile { engine_id: new_engine_id(), boots: 0, boot_time: 0 },
    };
    let mut problem = None;
    if boot || engine.boots == 0 {
        engine.boots = engine.boots.saturating_add(1).min(crate::usm::MAX_ENGINE_BOOTS);
        engine.boot_time = unix_now();
        if let Some(p) = path {
            problem = write(p, &engine).err();
        }
    }
    (engine, problem)
}

impl EngineFile {
    /// snmpEngineTime now.
    pub fn time(&self) -> u32 {
        let secs = unix_now().saturating_sub(self.boot_time);
        u32::try_from(secs).unwrap_or(u32::MAX).min(crate::usm::MAX_ENGINE_BOOTS)
    }

    /// The engine as the receiver uses it, its time counted from the current boot.
    pub fn local_engine(&self) -> crate::usm::LocalEngine {
        let now = std::time::Instant::now();
        let started = now.checked_sub(std::time::Duration::from_secs(u64::from(self.time()))).unwrap_or(now);
        crate::usm::LocalEngine::new(self.engine_id.clone(), self.boots, started)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boots_count_and_the_id_stays() {
        let dir = std::env::temp_dir().join(format!("snmpctl-state-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let file = dir.join("engine");
        let (a, problem) = load(Some(&file), true);
        assert!(problem.is_none());
        assert_eq!(a.boots, 1);
        let (b, _) = load(Some(&file), false);
        assert_eq!((b.boots, &b.engine_id), (1, &a.engine_id));
        let (c, _) = load(Some(&file), true);
        assert_eq!((c.boots, &c.engine_id), (2, &a.engine_id));
        assert_eq!(a.engine_id.get(..5), Some(&[0x80, 0, 0, 0, 5][..]));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
