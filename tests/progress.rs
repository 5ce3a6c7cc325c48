//! Progress where users look (issue 23): on stderr whenever stderr is a terminal, whatever
//! stdout is; never in stdout; none when stderr is not a terminal or with `--no-progress`.
//! The terminal is a pseudo-terminal from util-linux's `script`, which records what the
//! command wrote to it.

use crate::sim::Agent;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_snmpctl");

/// Runs the shell line `line` with a pseudo-terminal as its stdin, stdout and stderr; returns
/// what was written to the terminal.
fn on_terminal(dir: &Path, line: &str) -> Vec<u8> {
    let log = dir.join("typescript");
    let o = crate::isolated(Command::new("script"))
        .args(["-q", "-e", "-c", line])
        .arg(&log)
        .env("TERM", "xterm")
        .output()
        .expect("script (util-linux)");
    assert!(o.status.success(), "{line}: {o:?}");
    let mut text = std::fs::read(&log).unwrap();
    // script's own header line and trailer line.
    let body = text.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1);
    text.drain(..body);
    let trailer = b"\nScript done on ";
    if let Some(i) = text.windows(trailer.len()).rposition(|w| w == trailer) {
        text.truncate(i);
    }
    text
}

/// An agent slow enough that a walk of ifTable one row per request takes over 2.5 s: the
/// progress delay (0.4 s) is well inside it whatever the machine's load.
fn slow_agent() -> Agent {
    Agent::start(&["--delay", "20ms"], 1)
}

#[test]
fn a_walk_to_a_file_shows_progress_on_the_terminal() {
    let agent = slow_agent();
    let dir = crate::agent::temp_dir("progress-file");
    let out = dir.join("ifTable.txt");
    let walk = format!("{BIN} walk -v2c -c public -Cr1 {} ifTable", agent.addr());
    let terminal = on_terminal(&dir, &format!("{walk} > {}", out.display()));
    let shown = String::from_utf8_lossy(&terminal);
    assert!(shown.contains(" varbinds, ") && shown.contains("/s, "), "{shown:?}");
    // Erased at the end: the last thing on the terminal clears the line.
    assert!(shown.trim_end_matches([' ', '\r', '\n']).ends_with("\x1b[2K"), "{shown:?}");
    let written = std::fs::read(&out).unwrap();
    assert!(!written.contains(&0x1b), "no escape sequence in stdout");
    let plain = crate::snmpctl()
        .args(["walk", "-v2c", "-c", "public", "-Cr30", &agent.addr(), "ifTable"])
        .output()
        .unwrap();
    assert_eq!(written, plain.stdout, "the same output as without a terminal");
    assert!(written.split(|&b| b == b'\n').count() > 100);
}

#[test]
fn no_progress_when_stderr_is_not_a_terminal_or_when_asked() {
    let agent = slow_agent();
    let dir = crate::agent::temp_dir("progress-none");
    let walk = format!("{BIN} walk -v2c -c public -Cr1 {} ifTable", agent.addr());
    let err = dir.join("stderr");
    let terminal = on_terminal(&dir, &format!("{walk} 2> {}", err.display()));
    assert!(!terminal.contains(&0x1b), "stdout on the terminal holds no progress");
    assert_eq!(std::fs::read(&err).unwrap(), b"", "stderr to a file holds no progress");
    let terminal = on_terminal(&dir, &format!("{walk} --no-progress > /dev/null"));
    assert_eq!(terminal, b"", "--no-progress: {:?}", String::from_utf8_lossy(&terminal));
}

#[test]
fn output_and_progress_sharing_a_terminal_never_mix_on_a_line() {
    let agent = slow_agent();
    let dir = crate::agent::temp_dir("progress-shared");
    let walk = format!("{BIN} walk -v2c -c public -Cr1 -On {} ifTable", agent.addr());
    let terminal = on_terminal(&dir, &walk);
    let text = String::from_utf8_lossy(&terminal);
    // What remains of each terminal line once the bar's erasures are applied: every varbind
    // line is whole and starts the line.
    let lines: Vec<String> = text
        .split("\r\n")
        .map(|l| l.rsplit("\x1b[2K").next().unwrap_or("").trim_start_matches('\r').to_owned())
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(lines.iter().filter(|l| l.starts_with(".1.3.6.1.2.1.2.2.1.")).count() >= 132, "{text:?}");
    assert!(
        lines.iter().all(|l| l.starts_with(".1.3.6.1.2.1.2.2.1.") || l.contains(" varbinds, ")),
        "{text:?}"
    );
}
