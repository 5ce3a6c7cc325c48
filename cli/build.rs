//! Places the functions the everyday commands run side by side at the start of `.text`
//! (`link/symbol-order.txt`, written by `scripts/symbol-order.py`). A short command such as
//! `snmpctl get` pays for every 64 KiB window of code it touches; spread over the whole binary,
//! its few hundred functions touched nearly all of them.
//!
//! Only lld takes `--symbol-ordering-file`: it is passed where rustc links with its own lld,
//! which is the default on x86_64-unknown-linux-gnu since Rust 1.90, and not when a linker is
//! configured (`-C linker`, `-C linker-features`, `-C link-self-contained`, `-fuse-ld`).
//! `SNMPCTL_SYMBOL_ORDER=0` turns it off.
#![allow(clippy::print_stdout)] // build scripts speak to cargo on stdout

fn main() {
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
