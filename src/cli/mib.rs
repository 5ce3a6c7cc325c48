//! MIB flags (`-m`, `-M`, as Net-SNMP), the process's loaded MIB, and `snmpctl translate`.

use snmpctl::mib::{self, Tree};
use std::sync::OnceLock;

/// Which MIB modules to use.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct MibArgs {
    /// MIB modules to load, colon-separated: ALL (the default) loads every module found in the
    /// MIB directories besides the shipped ones; "" loads none, so names print as numbers.
    #[arg(short = 'm', long = "mibs", env = "MIBS", value_name = "MODULES")]
    pub mibs: Option<String>,
    /// Directories of MIB files, colon-separated; a leading + adds to the default,
    /// ~/.snmp/mibs. The shipped modules are always available.
    #[arg(short = 'M', long = "mib-dirs", env = "MIBDIRS", value_name = "DIRS")]
    pub mib_dirs: Option<String>,
}

static LOADED: OnceLock<Option<&'static Tree>> = OnceLock::new();

impl MibArgs {
    /// Loads the MIB once per process; problems in user modules go to stderr, one line each.
    pub fn load(&self) -> Option<&'static Tree> {
        *LOADED.get_or_init(|| {
            let options = mib::LoadOptions {
                modules: self.mibs.clone(),
                dirs: self.mib_dirs.clone(),
                home: std::env::var_os("HOME").map(Into::into),
            };
            let (tree, diagnostics) = mib::load(&options);
            for d in diagnostics {
                eprintln!("MIB: {d}");
            }
            tree.map(|t| match t {
                std::borrow::Cow::Borrowed(t) => t,
                // Loaded once and kept for the life of the process.
                std::borrow::Cow::Owned(t) => &*Box::leak(Box::new(t)),
            })
        })
    }
}

/// The MIB loaded for this process, if any.
pub fn loaded() -> Option<&'static Tree> {
    LOADED.get().copied().flatten()
}
