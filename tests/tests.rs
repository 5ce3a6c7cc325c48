//! All integration tests, one binary (as ripgrep does): fixtures, malformed input, round trips,
//! and the built `snmpctl` binary.

mod cli;
mod fixtures;
mod malformed;
mod rasn_view;
mod roundtrip;
