//! Compiled MIB data read from a file (the cache of compiled modules): a damaged entry or store
//! is refused or reads with the damaged records left out, never a panic. The input overwrites
//! part of a sound entry (its first four bytes say where), so most runs get past the checks of
//! the framing and reach the records.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use snmpctl::mib::{Tree, cache, parse, resolve};

fn sound() -> &'static [u8] {
    static ENTRY: OnceLock<Vec<u8>> = OnceLock::new();
    ENTRY.get_or_init(|| {
        let text = include_bytes!("../../fixtures/mib/user/SNMPCTL-TEST-MIB.txt");
        let mut r = resolve::Resolver::new(Tree::default());
        r.add_source("SNMPCTL-TEST-MIB.txt", parse::parse(text).modules);
        r.load_all();
        let (tree, _) = r.finish();
        let dir = std::env::temp_dir().join(format!("snmpctl-fuzz-store-{}", std::process::id()));
        let key = cache::key("ALL", &[], &[]);
        let diagnostic = resolve::Diagnostic {
            module: "M".into(),
            file: "f".into(),
            line: 1,
            message: "m".into(),
        };
        cache::write(&dir, &key, Some(&tree), &[diagnostic]);
        let bytes = std::fs::read_dir(&dir)
            .ok()
            .and_then(|mut d| d.find_map(|e| e.ok()))
            .and_then(|e| std::fs::read(e.path()).ok())
            .unwrap_or_default();
        let _ = std::fs::remove_dir_all(&dir);
        bytes
    })
}

fn walk(tree: &Tree) {
    for id in 0..tree.node_count().min(512) {
        let id = u32::try_from(id).unwrap_or(0);
        if let Some(n) = tree.node(id) {
            let _ = tree.node_named(&n.label);
            let _ = n.description.as_ref().map(|d| d.text().len());
            if let Some(t) = n.syntax.as_ref().and_then(|s| s.named) {
                let _ = tree.type_def(t);
            }
        }
        let _ = tree.oid_of(id);
    }
    for m in 0..tree.modules.len().min(16) {
        let _ = tree.node_symbol(u16::try_from(m).unwrap_or(0), "testTable");
    }
    if tree.node_count() < 4096 {
        let _ = tree.clone();
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((at, patch)) = data.split_first_chunk::<4>() else { return };
    let mut entry = sound().to_vec();
    let len = entry.len().max(1);
    let at = usize::try_from(u32::from_le_bytes(*at)).unwrap_or(0) % len;
    for (i, b) in patch.iter().enumerate() {
        match entry.get_mut(at + i) {
            Some(x) => *x = *b,
            None => entry.push(*b),
        }
    }
    if let Some((Some(tree), _)) = cache::open_entry(entry) {
        walk(&tree);
    }
    // The raw input as a store too.
    if let Ok(tree) = snmpctl::mib::store::open_owned(data.to_vec()) {
        walk(&tree);
    }
});
