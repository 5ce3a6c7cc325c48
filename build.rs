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
    let mut files: Vec<_> = std::fs::read_dir("mibs")
        .expect("mibs/ is readable")
        .map(|e| e.expect("mibs/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut resolver = resolve::Resolver::new(tree::Tree::default());
    resolver.searched = vec!["mibs".to_string()];
    for path in &files {
        let text = std::fs::read_to_string(path).expect("module text is UTF-8");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        match parse::parse(&text) {
            Ok(modules) => resolver.add_source(&name, modules),
            Err(e) => panic!("mibs/{name}:{}: {}", e.line, e.message),
        }
    }
    resolver.load_all();
    let (tree, diagnostics) = resolver.finish();
    if !diagnostics.is_empty() {
        let all: Vec<String> = diagnostics.iter().map(|d| d.to_string()).collect();
        panic!("the shipped modules do not resolve cleanly:\n{}", all.join("\n"));
    }
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR is set"));
    std::fs::write(out.join("mibs.bin"), store::encode(&tree)).expect("OUT_DIR is writable");
}
