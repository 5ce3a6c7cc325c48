//! All integration tests, one binary (as ripgrep does): fixtures, malformed input, round trips,
//! and the built `snmpctl` binary.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)] // test harness code: failing loudly is the point

mod agent;
mod api;
mod cli;
mod client_sim;
mod commands;
mod examples;
mod exporter;
mod fixtures;
mod interop_pysnmp;
mod interop_v3;
mod listen;
mod malformed;
mod mib;
mod netstat;
mod progress;
mod rasn_view;
mod roundtrip;
mod sim;
mod snmpconf;
mod status;
mod table;
mod trap;
mod usm;
mod usm_admin;
mod watch;

/// The built `snmpctl`, reading no snmp.conf of the machine's: a test must not depend on what
/// `/etc/snmp/snmp.conf` or `~/.snmp` hold (Debian's says `mibs :`).
pub fn snmpctl() -> std::process::Command {
    isolated(std::process::Command::new(env!("CARGO_BIN_EXE_snmpctl")))
}

/// `command` with no snmp.conf search path of the machine's, for it and what it starts.
pub fn isolated(mut command: std::process::Command) -> std::process::Command {
    command.env("SNMPCONFPATH", "/nonexistent");
    command
}
