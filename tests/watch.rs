//! `snmpctl watch` (issue 24): the rates it streams, exact, from counters the test sets between
//! polls on a fake agent (sysUpTime included, so the time between polls is the agent's), an
//! agent restart drawn as no rate rather than a spike, 32-bit counters that wrap where there is
//! no ifXTable; and the terminal view, driven in a pseudo-terminal (util-linux `script`)
//! against `snmpctl agent` with moving counters.

use crate::commands::{Fake, oid};
use snmpctl::agent::Responder;
use snmpctl::value::Value;
use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_snmpctl");

/// An agent with two interfaces, 64-bit counters (ifXTable) or only 32-bit ones.
fn device(wide: bool) -> Responder {
    let mut objects = vec![(oid("1.3.6.1.2.1.1.3.0"), Value::TimeTicks(1000))];
    for (i, name, status) in [(1u32, "lo", 1), (2, "eth0", 2)] {
        let col = |c: u32| oid(&format!("1.3.6.1.2.1.2.2.1.{c}.{i}"));
        objects.push((col(2), Value::from(name)));
        objects.push((col(8), Value::Integer(status)));
        for c in [13, 14, 19, 20] {
            objects.push((col(c), Value::Counter32(0)));
        }
        if wide {
            let x = |c: u32| oid(&format!("1.3.6.1.2.1.31.1.1.1.{c}.{i}"));
            objects.push((x(1), Value::from(name)));
            objects.push((x(6), Value::Counter64(0)));
            objects.push((x(10), Value::Counter64(0)));
        } else {
            objects.push((col(10), Value::Counter32(0)));
            objects.push((col(16), Value::Counter32(0)));
        }
    }
    objects.sort_by(|a, b| a.0.cmp(&b.0));
    Responder::new(objects)
}

/// Sets objects on the fake agent (community `private`).
fn set(fake: &Fake, values: &[(&str, Value)]) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let client = snmpctl::Client::v2c(fake.agent(), "private").connect().await.unwrap();
        let varbinds: Vec<(snmpctl::value::Oid, Value)> =
            values.iter().map(|(o, v)| (oid(o), v.clone())).collect();
        client.set(varbinds).await.unwrap();
    });
}

/// Runs `watch --format ndjson` for `polls` polls two seconds apart; before each poll after
/// the first, `between(k)` sets the agent's values. Returns each poll's records.
fn watch(fake: &Fake, polls: usize, between: impl Fn(usize)) -> Vec<Vec<serde_json::Value>> {
    let mut child = crate::snmpctl()
        .args([
            "--format",
            "ndjson",
            "watch",
            "-v2c",
            "-c",
            "public",
            "-i",
            "2",
            "--count",
            &polls.to_string(),
        ])
        .arg(fake.agent())
        .env("MIBS", "")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut out = Vec::new();
    for k in 0..polls {
        // Two records a poll (two interfaces); then the values for the next poll.
        let records: Vec<serde_json::Value> =
            (0..2).map(|_| serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap()).collect();
        out.push(records);
        if k + 1 < polls {
            between(k);
        }
    }
    assert!(child.wait().unwrap().success());
    out
}

fn rate(r: &serde_json::Value, field: &str) -> Option<f64> {
    r[field].as_f64()
}

#[test]
fn rates_are_exact_and_a_restart_is_no_spike() {
    let fake = Fake::start(device(true));
    let polls = watch(&fake, 4, |k| {
        let (up, lo_in, eth_out) = match k {
            // 2,000 octets in, 500 out in 2 s by the agent's clock: 8,000 and 2,000 b/s.
            0 => (1200, 2000u64, 500u64),
            // The agent restarted: sysUpTime and the counters went back.
            1 => (300, 10, 10),
            // Then 1 s later by its clock, 510 octets more: 4,080 b/s.
            _ => (400, 520, 10),
        };
        set(
            &fake,
            &[
                ("1.3.6.1.2.1.1.3.0", Value::TimeTicks(up)),
                ("1.3.6.1.2.1.31.1.1.1.6.1", Value::Counter64(lo_in)),
                ("1.3.6.1.2.1.31.1.1.1.10.2", Value::Counter64(eth_out)),
                ("1.3.6.1.2.1.2.2.1.14.2", Value::Counter32(u32::try_from(k).unwrap() * 3)),
            ],
        );
    });
    let lo = |k: usize| &polls[k][0];
    let eth = |k: usize| &polls[k][1];
    assert_eq!((lo(0)["name"].as_str(), eth(0)["status"].as_str()), (Some("lo"), Some("down")));
    assert_eq!(rate(lo(0), "in_bps"), None, "the first poll has no rate");
    assert_eq!((rate(lo(1), "in_bps"), rate(eth(1), "out_bps")), (Some(8000.0), Some(2000.0)));
    assert_eq!(rate(eth(1), "in_errors_per_s"), Some(0.0));
    // The restart: no rate at all, not a 64-bit counter's leap backwards read as traffic.
    assert_eq!((rate(lo(2), "in_bps"), rate(eth(2), "out_bps")), (None, None));
    assert_eq!(rate(lo(3), "in_bps"), Some(4080.0));
    // ifInErrors went from 3 to 6 in that second.
    assert_eq!(rate(eth(3), "in_errors_per_s"), Some(3.0));
}

#[test]
fn thirty_two_bit_counters_wrap_where_there_is_no_ifxtable() {
    let fake = Fake::start(device(false));
    set(&fake, &[("1.3.6.1.2.1.2.2.1.10.1", Value::Counter32(u32::MAX - 999))]);
    let polls = watch(&fake, 2, |_| {
        set(
            &fake,
            &[
                ("1.3.6.1.2.1.1.3.0", Value::TimeTicks(1100)),
                ("1.3.6.1.2.1.2.2.1.10.1", Value::Counter32(1000)),
            ],
        );
    });
    // 2,000 octets across the wrap in 1 s: 16,000 b/s.
    assert_eq!(rate(&polls[1][0], "in_bps"), Some(16000.0));
}

/// The terminal view, in a pseudo-terminal: the interfaces, their status, and lo's 8 kb/s
/// (1,000 octets a second, by the agent's numeric counters) drawn.
#[test]
fn the_terminal_view_draws_the_interfaces_and_their_rates() {
    let dir = crate::agent::temp_dir("watch-tui");
    let recording = dir.join("public.snmprec");
    std::fs::write(
        &recording,
        "1.3.6.1.2.1.1.3.0|67:numeric|rate=100,initial=100\n\
         1.3.6.1.2.1.2.2.1.2.1|4|lo\n1.3.6.1.2.1.2.2.1.2.2|4|eth0\n\
         1.3.6.1.2.1.2.2.1.8.1|2|1\n1.3.6.1.2.1.2.2.1.8.2|2|2\n\
         1.3.6.1.2.1.31.1.1.1.1.1|4|lo\n1.3.6.1.2.1.31.1.1.1.1.2|4|eth0\n\
         1.3.6.1.2.1.31.1.1.1.6.1|70:numeric|rate=1000,initial=0\n\
         1.3.6.1.2.1.31.1.1.1.6.2|70|0\n\
         1.3.6.1.2.1.31.1.1.1.10.1|70:numeric|rate=1000,initial=0\n\
         1.3.6.1.2.1.31.1.1.1.10.2|70|0\n",
    )
    .unwrap();
    let agent = crate::sim::Agent::start(&[recording.to_str().unwrap()], 1);
    let log = dir.join("typescript");
    let line = format!("stty cols 150 rows 30; {BIN} watch -v2c -c public -i 1 --count 3 {}", agent.addr());
    let o = crate::isolated(Command::new("script"))
        .args(["-q", "-e", "-c", &line])
        .arg(&log)
        .env("TERM", "xterm")
        .env("MIBS", "")
        .output()
        .expect("script (util-linux)");
    assert!(o.status.success(), "{o:?}");
    let raw = String::from_utf8_lossy(&std::fs::read(&log).unwrap()).into_owned();
    // What was drawn, escape sequences taken out.
    let mut text = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for n in chars.by_ref() {
                    if n.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            text.push(' ');
        } else {
            text.push(c);
        }
    }
    for word in ["ifIndex", "Status", "lo", "eth0", "down", "up", "q quits"] {
        assert!(text.contains(word), "{word}: {text}");
    }
    // lo's rate: 8.00 kb/s, give or take the agent's clock between its two numbers.
    let rates: Vec<f64> =
        text.split(" kb/s").filter_map(|before| before.rsplit(' ').next()?.parse::<f64>().ok()).collect();
    assert!(rates.iter().any(|r| (7.9..=8.1).contains(r)), "{rates:?}: {text}");
}
