//! A cache of compiled modules: what [`super::load`] made of a set of MIB directories, kept
//! under `$XDG_CACHE_HOME/snmpctl/mibs` so that the next command with the same directories opens
//! it instead of parsing every file again.
//!
//! An entry is named by a hash of everything the load depends on: this build (its loader and its
//! shipped modules), the module list, the directories, and each file's path, size, time of last
//! change and permissions. A file edited, added or removed makes another name, so an entry is
//! never out of date (a file rewritten with the same size, time of change and permissions is not
//! seen: set its time with `touch`); the oldest entries beyond [`KEEP`], or beyond [`BUDGET`]
//! bytes in all, are removed. The cache is never required: an entry that cannot be read or written is a miss, and the load
//! goes on without it.
//!
//! An entry is the tree in the store format ([`super::store`]), read lazily as the shipped set
//! is, then the diagnostics the load reported (replayed on a hit, so warnings do not vanish on
//! the second run), then the store's length, the diagnostics' length and a trailer
//! (`SNMPCTL-CACHE 1`). A store length of 0 means the load came to the shipped set alone.
//!
//! ```
//! use std::path::Path;
//! let dir = snmpctl::mib::cache::default_dir(None, Some(Path::new("/home/ops")));
//! assert_eq!(dir.as_deref(), Some(Path::new("/home/ops/.cache/snmpctl/mibs")));
//! ```

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::resolve::Diagnostic;
use super::tree::Tree;

const TRAILER: &[u8] = b"SNMPCTL-CACHE 1\n";
/// Entries kept: one per set of directories a user works with, a few versions of each.
pub const KEEP: usize = 8;
/// Bytes the entries may take in all (an entry for 1,500 files of vendor MIBs is some 55 MB).
pub const BUDGET: u64 = 256 * 1024 * 1024;

/// The name of one load's entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key(String);

/// One file the load would read, as the key sees it.
pub struct FileStamp<'a> {
    /// Where the file is, as listed.
    pub path: &'a Path,
    /// Its size in bytes.
    pub len: u64,
    /// Time of last change, in nanoseconds since the epoch (0 when the system does not say).
    pub modified: i128,
    /// Its permission bits (on Unix; 0 elsewhere): a file made readable again is read again.
    pub mode: u32,
}

impl<'a> FileStamp<'a> {
    /// The stamp of `path` from its metadata.
    pub fn new(path: &'a Path, meta: &std::fs::Metadata) -> Self {
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| match t.duration_since(std::time::UNIX_EPOCH) {
                Ok(d) => i128::try_from(d.as_nanos()).ok(),
                Err(e) => i128::try_from(e.duration().as_nanos()).ok().map(|n| n.saturating_neg()),
            })
            .unwrap_or(0);
        #[cfg(unix)]
        let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions());
        #[cfg(not(unix))]
        let mode = u32::from(meta.permissions().readonly());
        FileStamp { path, len: meta.len(), modified, mode }
    }
}

/// The key of a load of `modules` from `dirs`, whose files are `files`.
pub fn key(modules: &str, dirs: &[PathBuf], files: &[FileStamp<'_>]) -> Key {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update(u64::try_from(bytes.len()).unwrap_or(u64::MAX).to_le_bytes());
        h.update(bytes);
    };
    field(env!("SNMPCTL_MIB_BUILD").as_bytes());
    field(modules.as_bytes());
    for d in dirs {
        field(d.as_os_str().as_encoded_bytes());
    }
    field(b"files");
    for f in files {
        field(f.path.as_os_str().as_encoded_bytes());
        field(&f.len.to_le_bytes());
        field(&f.modified.to_le_bytes());
        field(&f.mode.to_le_bytes());
    }
    let digest = h.finalize();
    Key(crate::hex::encode(digest.get(..16).unwrap_or_default()))
}

fn entry(dir: &Path, key: &Key) -> PathBuf {
    dir.join(format!("{}.mib", key.0))
}

/// What a hit gives: the tree (`None` when the load came to the shipped set alone) and the
/// diagnostics to report again.
pub type Hit = (Option<Tree>, Vec<Diagnostic>);

/// The entry for `key`, if there is a sound one.
pub fn read(dir: &Path, key: &Key) -> Option<Hit> {
    open_entry(std::fs::read(entry(dir, key)).ok()?)
}

/// An entry's bytes, as [`write()`] wrote them; `None` for anything else.
pub fn open_entry(mut buf: Vec<u8>) -> Option<Hit> {
    let end = buf.len().checked_sub(TRAILER.len())?;
    if buf.get(end..)? != TRAILER {
        return None;
    }
    let number = |at: usize| -> Option<usize> {
        let bytes: [u8; 8] = buf.get(at..at.checked_add(8)?)?.try_into().ok()?;
        usize::try_from(u64::from_le_bytes(bytes)).ok()
    };
    let lengths = end.checked_sub(16)?;
    let (store_len, diag_len) = (number(lengths)?, number(lengths.checked_add(8)?)?);
    if store_len.checked_add(diag_len)? != lengths {
        return None;
    }
    let diagnostics = read_diagnostics(buf.get(store_len..lengths)?)?;
    if store_len == 0 {
        return Some((None, diagnostics));
    }
    buf.truncate(store_len);
    let tree = super::store::open_owned(buf).ok()?;
    Some((Some(tree), diagnostics))
}

/// Writes the entry for `key` (to a temporary file renamed into place, so that a reader never
/// sees half of one), then removes the oldest entries beyond [`KEEP`] or [`BUDGET`]. Failures
/// are ignored: the cache is never required.
pub fn write(dir: &Path, key: &Key, tree: Option<&Tree>, diagnostics: &[Diagnostic]) {
    let store = tree.map(|t| super::store::encode_sections(t, false)).unwrap_or_default();
    let store_len = store.iter().map(Vec::len).fold(0usize, usize::saturating_add);
    let mut tail = Vec::new();
    write_diagnostics(&mut tail, diagnostics);
    let diag_len = tail.len();
    for n in [store_len, diag_len] {
        tail.extend_from_slice(&u64::try_from(n).unwrap_or(u64::MAX).to_le_bytes());
    }
    tail.extend_from_slice(TRAILER);
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let target = entry(dir, key);
    let temporary = dir.join(format!(".{}.{}.tmp", key.0, std::process::id()));
    let written = std::fs::File::create(&temporary).and_then(|mut f| {
        use std::io::Write;
        for piece in store.iter().chain([&tail]) {
            f.write_all(piece)?;
        }
        Ok(())
    });
    if written.is_err() || std::fs::rename(&temporary, &target).is_err() {
        let _ = std::fs::remove_file(&temporary);
        return;
    }
    prune(dir);
}

/// Removes the oldest entries beyond the [`KEEP`] most recently written, or beyond [`BUDGET`]
/// bytes in all (the newest entry always stays).
fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut found: Vec<(std::time::SystemTime, u64, PathBuf)> = entries
        .filter_map(|e| {
            let e = e.ok()?;
            let path = e.path();
            if path.extension().is_none_or(|x| x != "mib") {
                return None;
            }
            let meta = e.metadata().ok()?;
            Some((meta.modified().ok()?, meta.len(), path))
        })
        .collect();
    // Newest first.
    found.sort_by(|a, b| b.cmp(a));
    let mut total: u64 = 0;
    for (i, (_, len, path)) in found.into_iter().enumerate() {
        total = total.saturating_add(len);
        if i > 0 && (i >= KEEP || total > BUDGET) {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn put_str(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(&u32::try_from(s.len()).unwrap_or(u32::MAX).to_le_bytes());
    buf.extend_from_slice(s.as_bytes());
}

fn write_diagnostics(buf: &mut Vec<u8>, diagnostics: &[Diagnostic]) {
    buf.extend_from_slice(&u32::try_from(diagnostics.len()).unwrap_or(u32::MAX).to_le_bytes());
    for d in diagnostics {
        put_str(buf, &d.module);
        put_str(buf, &d.file);
        buf.extend_from_slice(&d.line.to_le_bytes());
        put_str(buf, &d.message);
    }
}

fn read_diagnostics(mut b: &[u8]) -> Option<Vec<Diagnostic>> {
    fn u32_of(b: &mut &[u8]) -> Option<u32> {
        let (head, rest) = b.split_at_checked(4)?;
        *b = rest;
        Some(u32::from_le_bytes(head.try_into().ok()?))
    }
    fn str_of(b: &mut &[u8]) -> Option<String> {
        let n = usize::try_from(u32_of(b)?).ok()?;
        let (head, rest) = b.split_at_checked(n)?;
        *b = rest;
        String::from_utf8(head.to_vec()).ok()
    }
    let n = u32_of(&mut b)?;
    let mut out = Vec::new();
    for _ in 0..n {
        let module = str_of(&mut b)?;
        let file = str_of(&mut b)?;
        let line = u32_of(&mut b)?;
        let message = str_of(&mut b)?;
        out.push(Diagnostic { module, file, line, message });
    }
    b.is_empty().then_some(out)
}

/// Where the cache lives unless told: `$XDG_CACHE_HOME/snmpctl/mibs`, else
/// `~/.cache/snmpctl/mibs` (the XDG base directory rules; a relative `XDG_CACHE_HOME` is
/// ignored, as they say).
pub fn default_dir(xdg_cache_home: Option<&std::ffi::OsStr>, home: Option<&Path>) -> Option<PathBuf> {
    let base = match xdg_cache_home.map(Path::new) {
        Some(x) if x.is_absolute() => x.to_path_buf(),
        _ => home?.join(".cache"),
    };
    Some(base.join("snmpctl").join("mibs"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("snmpctl-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn an_entry_reads_back_with_its_diagnostics() {
        let dir = scratch("entry");
        let tree = super::super::open_shipped().unwrap();
        let d =
            vec![Diagnostic { module: "M".into(), file: "f.txt".into(), line: 3, message: "oops é".into() }];
        let k = key("ALL", std::slice::from_ref(&dir), &[]);
        assert!(read(&dir, &k).is_none());
        write(&dir, &k, Some(&tree), &d);
        let (t, got) = read(&dir, &k).unwrap();
        assert_eq!(got, d);
        let t = t.unwrap();
        assert_eq!(t.node_count(), tree.node_count());
        assert_eq!(t.node_named("ifDescr"), tree.node_named("ifDescr"));
        // The shipped set alone: no tree stored.
        let k2 = key("IF-MIB", std::slice::from_ref(&dir), &[]);
        write(&dir, &k2, None, &[]);
        let (t, got) = read(&dir, &k2).unwrap();
        assert!(t.is_none() && got.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_damaged_entry_is_a_miss() {
        let dir = scratch("damaged");
        let k = key("ALL", &[], &[]);
        write(
            &dir,
            &k,
            None,
            &[Diagnostic { module: String::new(), file: "x".into(), line: 0, message: "m".into() }],
        );
        let path = entry(&dir, &k);
        let good = std::fs::read(&path).unwrap();
        for cut in 0..good.len() {
            std::fs::write(&path, &good[..cut]).unwrap();
            assert!(read(&dir, &k).is_none(), "cut at {cut}");
        }
        let mut bad = good.clone();
        bad[0] ^= 0xff;
        std::fs::write(&path, &bad).unwrap();
        assert!(read(&dir, &k).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn keys_change_with_any_file_stamp() {
        let p = PathBuf::from("/m/A.txt");
        let stamp = |len, modified| FileStamp { path: &p, len, modified, mode: 0o644 };
        let base = key("ALL", &[PathBuf::from("/m")], &[stamp(10, 5)]);
        assert_eq!(base, key("ALL", &[PathBuf::from("/m")], &[stamp(10, 5)]));
        assert_ne!(base, key("ALL", &[PathBuf::from("/m")], &[stamp(11, 5)]));
        assert_ne!(base, key("ALL", &[PathBuf::from("/m")], &[stamp(10, 6)]));
        assert_ne!(base, key("IF-MIB", &[PathBuf::from("/m")], &[stamp(10, 5)]));
        assert_ne!(base, key("ALL", &[PathBuf::from("/n")], &[stamp(10, 5)]));
        assert_ne!(base, key("ALL", &[PathBuf::from("/m")], &[]));
        let unreadable = FileStamp { path: &p, len: 10, modified: 5, mode: 0o200 };
        assert_ne!(base, key("ALL", &[PathBuf::from("/m")], &[unreadable]));
    }

    #[test]
    fn old_entries_are_pruned() {
        let dir = scratch("prune");
        for i in 0..KEEP + 3 {
            write(&dir, &key(&i.to_string(), &[], &[]), None, &[]);
        }
        let n = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(n, KEEP);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_default_directory_follows_xdg() {
        let home = Path::new("/home/u");
        assert_eq!(default_dir(None, Some(home)).unwrap(), Path::new("/home/u/.cache/snmpctl/mibs"));
        let x = std::ffi::OsStr::new("/x");
        assert_eq!(default_dir(Some(x), Some(home)).unwrap(), Path::new("/x/snmpctl/mibs"));
        let rel = std::ffi::OsStr::new("rel");
        assert_eq!(default_dir(Some(rel), Some(home)).unwrap(), Path::new("/home/u/.cache/snmpctl/mibs"));
        assert!(default_dir(None, None).is_none());
    }
}
