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
    order_functions();
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

/// Places the functions the everyday commands run side by side at the start of `.text`
/// (`link/symbol-order.txt`, written by `scripts/symbol-order.py`). A short command such as
/// `snmpctl get` pays for every 64 KiB window of code it touches; spread over the whole binary,
/// its few hundred functions touched nearly all of them.
///
/// Only lld takes `--symbol-ordering-file`: it is passed where rustc links with its own lld,
/// which is the default on x86_64-unknown-linux-gnu since Rust 1.90, and not when a linker is
/// configured (`-C linker`, `-C linker-features`, `-C link-self-contained`, `-fuse-ld`).
/// `SNMPCTL_SYMBOL_ORDER=0` turns it off.
fn order_functions() {
    let order = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("link/symbol-order.txt");
    println!("cargo:rerun-if-changed={}", order.display());
    println!("cargo:rerun-if-env-changed=SNMPCTL_SYMBOL_ORDER");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let rustflags = var("CARGO_ENCODED_RUSTFLAGS");
    let linker_configured = std::env::var_os("RUSTC_LINKER").is_some()
        || rustflags.contains("linker")
        || rustflags.contains("link-self-contained")
        || rustflags.contains("fuse-ld");
    if var("TARGET") != "x86_64-unknown-linux-gnu"
        || linker_configured
        || var("SNMPCTL_SYMBOL_ORDER") == "0"
        || !rustc_links_with_lld()
        || !order.exists()
    {
        return;
    }
    println!("cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}", order.display());
    // The names carry the compiler's hashes: those a toolchain or dependency update renamed are
    // skipped, without a warning for each.
    println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
}

/// Whether the compiler is Rust 1.90 or later (its own lld is the default linker from then on).
fn rustc_links_with_lld() -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(out) = std::process::Command::new(rustc).arg("-vV").output() else { return false };
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(release) = text.lines().find_map(|l| l.strip_prefix("release: ")) else { return false };
    let mut parts = release.split(['.', '-']).map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (1, 90)
}
