//! Compiles the shipped modules in `mibs/` into the binary form `src/mib/store.rs` reads, so a
//! command that resolves names never parses MIB text (issue 5: no start-up tax).
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used, dead_code)]

#[path = "src/mib/lex.rs"]
mod lex;
#[path = "src/mib/parse.rs"]
mod parse;
#[path = "src/mib/resolve.rs"]
mod resolve;
#[path = "src/mib/store.rs"]
mod store;
#[path = "src/mib/tree.rs"]
mod tree;

fn main() {
    println!("cargo:rerun-if-changed=mibs");
    for f in ["lex", "parse", "resolve", "store", "tree"] {
        println!("cargo:rerun-if-changed=src/mib/{f}.rs");
    }
    println!("cargo:rerun-if-changed=src/mib.rs");
    println!("cargo:rerun-if-changed=src/mib/cache.rs");
    let mut files: Vec<_> = std::fs::read_dir("mibs")
        .expect("mibs/ is readable")
        .map(|e| e.expect("mibs/ entry").path())
        .filter(|p| p.file_name().is_none_or(|n| n != "NOTICE"))
        .collect();
    files.sort();
    let mut resolver = resolve::Resolver::new(tree::Tree::default());
    resolver.searched = vec!["mibs".to_string()];
    for path in &files {
        let text = std::fs::read(path).expect("mibs/ is readable");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let parsed = parse::parse(&text);
        if let Some(e) = parsed.errors.first() {
            panic!("mibs/{name}:{}: {}: {}", e.line, e.module, e.message);
        }
        resolver.add_source(&name, parsed.modules);
    }
    resolver.load_all();
    let (tree, mut diagnostics) = resolver.finish();
    // Three shipped modules use a textual convention they do not import: Net-SNMP gives those
    // objects no syntax, and so does the resolver. Any other problem stops the build.
    const UNIMPORTED: &[(&str, &str)] = &[
        ("INTEGRATED-SERVICES-MIB", "type TestAndIncr is not defined"),
        ("CHARACTER-MIB", "type DisplayString is not defined"),
        ("MIOX25-MIB", "type InstancePointer is not defined"),
    ];
    diagnostics.retain(|d| !UNIMPORTED.contains(&(d.module.as_str(), d.message.as_str())));
    if !diagnostics.is_empty() {
        let all: Vec<String> = diagnostics.iter().map(|d| d.to_string()).collect();
        panic!("the shipped modules do not resolve cleanly:\n{}", all.join("\n"));
    }
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR is set"));
    let compiled = store::encode(&tree);
    std::fs::write(out.join("mibs.bin"), &compiled).expect("OUT_DIR is writable");
    build_id(&compiled);
    // The texts too, for the rare load that must resolve everything anew: when a user's
    // directory holds a different module of a shipped module's name, that one replaces it.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = String::from("/// The shipped module files: name in `mibs/`, text.\n");
    sources.push_str("pub static SHIPPED_SOURCES: &[(&str, &[u8])] = &[\n");
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let full = root.join(path);
        sources.push_str(&format!("    ({name:?}, include_bytes!({:?})),\n", full.display().to_string()));
    }
    sources.push_str("];\n");
    std::fs::write(out.join("mibs_src.rs"), sources).expect("OUT_DIR is writable");
}

/// Names this build's way of loading MIBs for the cache of compiled modules (`src/mib/cache.rs`):
/// a hash of the loader's sources and of the compiled shipped set, so that a cache written by
/// another build is never read.
fn build_id(compiled: &[u8]) {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    for f in [
        "src/mib.rs",
        "src/mib/cache.rs",
        "src/mib/lex.rs",
        "src/mib/parse.rs",
        "src/mib/resolve.rs",
        "src/mib/store.rs",
        "src/mib/tree.rs",
    ] {
        std::fs::read(f).expect("the MIB sources are readable").hash(&mut h);
    }
    compiled.hash(&mut h);
    println!("cargo:rustc-env=SNMPCTL_MIB_BUILD={:016x}", h.finish());
}
