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
mod progress;
mod rasn_view;
mod roundtrip;
mod sim;
mod table;
mod trap;
mod usm;
