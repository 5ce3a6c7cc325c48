//! `snmpctl exporter` side by side with snmp_exporter 0.21 (Debian's prometheus-snmp-exporter)
//! on the same snmp.yml and the same simulated agent, outputs compared as sets of samples; the
//! HTTP surface (errors, reload, config, secrets); and a real Prometheus scraping two targets
//! through it.

use crate::agent::temp_dir;
use crate::sim::Agent;
use std::collections::BTreeSet;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/exporter");

/// A server process, killed on drop.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `snmpctl exporter ARGS --listen 127.0.0.1:0` and reads the port it got.
pub fn ours(args: &[&str]) -> Server {
    let mut child = crate::snmpctl()
        .arg("exporter")
        .args(args)
        .args(["--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let port = line
        .split("address=\"127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("snmpctl exporter did not start: {line}"));
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    Server { child, port }
}

/// Starts snmp_exporter 0.21 on a free port with `config`.
fn theirs(config: &Path) -> Server {
    let which = Command::new("prometheus-snmp-exporter").arg("--version").output();
    assert!(
        which.is_ok(),
        "prometheus-snmp-exporter not found: apt-get install prometheus-snmp-exporter (scripts/test.sh installs it)"
    );
    for _ in 0..8 {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut child = Command::new("prometheus-snmp-exporter")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Server { child, port };
            }
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("snmp_exporter did not start");
}

/// An HTTP/1.0 request; the status and the body.
pub fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, body.to_owned())
}

fn get(port: u16, path: &str) -> (u16, String) {
    http(port, "GET", path, &[])
}

/// The samples and HELP/TYPE lines of a scrape, without the scrape's own timing series and
/// snmpctl's extra ones.
fn samples(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| !l.contains("snmp_scrape_") && !l.contains("snmpctl_"))
        .map(str::to_owned)
        .collect()
}

fn value(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[test]
fn every_metric_type_matches_snmp_exporter() {
    let dir = temp_dir("exporter-types");
    let users = dir.join("users.conf");
    std::fs::write(&users, "createUser exporter SHA exporter-auth-pass AES exporter-priv-pass\n").unwrap();
    let recording = format!("public={FIXTURES}/types.snmprec");
    let agent = Agent::start(&[&recording, "--users", users.to_str().unwrap()], 1);
    let config = Path::new(FIXTURES).join("snmp-0.21.yml");
    let (a, b) = (theirs(&config), ours(&["--config", config.to_str().unwrap()]));
    for module in ["types", "composite", "types_v3"] {
        let path = format!("/snmp?target={}&module={module}", agent.addr());
        let (sa, ta) = get(a.port, &path);
        let (sb, tb) = get(b.port, &path);
        assert_eq!((sa, sb), (200, 200), "{ta}\n{tb}");
        let (ta, tb) = (samples(&ta), samples(&tb));
        assert!(ta.len() >= 4, "{ta:?}");
        let only_theirs: Vec<_> = ta.difference(&tb).collect();
        let only_ours: Vec<_> = tb.difference(&ta).collect();
        assert!(
            only_theirs.is_empty() && only_ours.is_empty(),
            "{module}: only snmp_exporter {only_theirs:#?}\nonly snmpctl {only_ours:#?}"
        );
    }
    // The whole text is the same too, line for line, but for the timings.
    let path = format!("/snmp?target={}&module=types", agent.addr());
    let keep = |t: String| {
        t.lines()
            .filter(|l| !l.contains("snmp_scrape_") && !l.contains("snmpctl_"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(keep(get(a.port, &path).1), keep(get(b.port, &path).1));
    let (_, ours_text) = get(b.port, &path);
    assert_eq!(value(&ours_text, "snmp_scrape_pdus_returned"), Some(51.0));
    assert_eq!(value(&ours_text, "snmpctl_scrape_errors"), Some(0.0));
}

#[test]
fn the_generated_if_mib_matches_snmp_exporter_and_repairs_what_it_cannot_serve() {
    // The router recording with a fixed sysUpTime, and an ifAlias that is Latin-1, not UTF-8.
    let dir = temp_dir("exporter-ifmib");
    let router =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/snmprec/router.snmprec"))
            .unwrap();
    let fixed: String = router
        .lines()
        .map(|l| {
            if l.starts_with("1.3.6.1.2.1.1.3.0|") {
                "1.3.6.1.2.1.1.3.0|67|4242".to_owned()
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.join("public.snmprec"), format!("{fixed}\n")).unwrap();
    let latin1 = fixed.replace("1.3.6.1.2.1.31.1.1.1.18.2|4|", "1.3.6.1.2.1.31.1.1.1.18.2|4x|636166e9");
    assert_ne!(latin1, fixed, "the recording has ifAlias.2");
    std::fs::write(dir.join("latin1.snmprec"), format!("{latin1}\n")).unwrap();
    let agent = Agent::start(&[dir.to_str().unwrap()], 1);

    let config = Path::new(FIXTURES).join("if_mib-0.21.yml");
    let (a, b) = (theirs(&config), ours(&["--config", config.to_str().unwrap()]));
    let path = format!("/snmp?target={}&module=if_mib", agent.addr());
    let (sa, ta) = get(a.port, &path);
    let (sb, tb) = get(b.port, &path);
    assert_eq!((sa, sb), (200, 200));
    assert_eq!(samples(&ta), samples(&tb));
    assert!(
        tb.contains("ifHCInOctets{ifAlias=\"\",ifDescr=\"ge-0-0-0\",ifIndex=\"2\",ifName=\"ge-0-0-0\"}"),
        "{tb}"
    );

    // Community latin1: snmp_exporter 0.21 fails the whole scrape; snmpctl serves it with the
    // one bad label value repaired, and counts it.
    let yml = std::fs::read_to_string(&config)
        .unwrap()
        .replace("\nif_mib:\n", "\nif_mib:\n  auth:\n    community: latin1\n");
    let latin = dir.join("latin1.yml");
    std::fs::write(&latin, yml).unwrap();
    let (a2, b2) = (theirs(&latin), ours(&["--config", latin.to_str().unwrap()]));
    let (sa, ta) = get(a2.port, &path);
    assert_eq!(sa, 500, "{ta}");
    assert!(ta.contains("UTF-8"), "{ta}");
    let (sb, tb) = get(b2.port, &path);
    assert_eq!(sb, 200, "{tb}");
    assert!(tb.contains("ifAlias=\"caf\u{FFFD}\""), "{tb}");
    // The exporter counts it: the labels of ifIndex 2 are made once and shared by its series.
    let (_, m) = get(b2.port, "/metrics");
    assert_eq!(value(&m, "snmpctl_exporter_label_values_repaired_total"), Some(1.0), "{m}");
}

#[test]
fn bad_requests_reload_config_and_secrets() {
    let dir = temp_dir("exporter-http");
    let config = dir.join("snmp.yml");
    let good = "auths:\n  v3:\n    username: u\n    security_level: authPriv\n    password: pass-word-1\n    priv_password: pass-word-2\n    auth_protocol: SHA\n    priv_protocol: AES\n    version: 3\n  public_v2:\n    community: not-public-at-all\n    version: 2\nmodules:\n  m:\n    walk: [1.3.6.1.2.1.1]\n    metrics:\n    - {name: sysUpTime, oid: 1.3.6.1.2.1.1.3, type: gauge, help: up}\n";
    std::fs::write(&config, good).unwrap();
    let agent = Agent::start(&[], 1);
    let b = ours(&["--config", config.to_str().unwrap(), "--allow-targets", "127.0.0.0/8"]);

    let (s, t) = get(b.port, "/snmp?module=m");
    assert_eq!((s, t.trim()), (400, "'target' parameter must be specified once"));
    let (s, t) = get(b.port, &format!("/snmp?target={}&module=nope", agent.addr()));
    assert_eq!((s, t.trim()), (400, "Unknown module 'nope'"));
    let (s, t) = get(b.port, &format!("/snmp?target={}&module=m&auth=who", agent.addr()));
    assert_eq!((s, t.trim()), (400, "Unknown auth 'who'"));
    let (s, _) = get(b.port, "/snmp?target=192.0.2.1&module=m");
    assert_eq!(s, 403, "outside --allow-targets");
    let (s, t) = get(b.port, "/config");
    assert_eq!(s, 200);
    for secret in ["pass-word-1", "pass-word-2", "not-public-at-all"] {
        assert!(!t.contains(secret), "{t}");
    }
    assert!(t.contains("<secret>"), "{t}");
    assert_eq!(get(b.port, "/-/healthy"), (200, "Healthy".into()));

    // A dead target answers within the scrape timeout, as an error: the module would wait
    // 5 s × 4 attempts = 20 s; Prometheus gives 2 s, less the 0.5 s offset. (A bound with a
    // wide margin, so a loaded machine does not fail it: the point is 1.5 s, not 20.)
    let dead = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let start = Instant::now();
    let (s, t) = http(
        b.port,
        "GET",
        &format!("/snmp?target={}&module=m", dead.local_addr().unwrap()),
        &[("X-Prometheus-Scrape-Timeout-Seconds", "2")],
    );
    assert_eq!(s, 500, "{t}");
    assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());

    // A broken file on reload keeps the old configuration.
    std::fs::write(&config, good.replace("type: gauge", "type: gauze")).unwrap();
    let (s, t) = http(b.port, "POST", "/-/reload", &[]);
    assert_eq!(s, 500, "{t}");
    assert!(t.contains("snmp.yml:17:") && t.contains("modules.m.metrics[0].type"), "{t}");
    assert!(get(b.port, "/config").1.contains("help: up"));
    let (_, m) = get(b.port, "/metrics");
    assert_eq!(value(&m, "snmpctl_exporter_config_last_reload_successful"), Some(0.0), "{m}");
    std::fs::write(
        &config,
        good.replace("not-public-at-all", "public").replace("help: up", "help: reloaded"),
    )
    .unwrap();
    assert_eq!(http(b.port, "POST", "/-/reload", &[]).0, 200);
    let (s, t) = get(b.port, &format!("/snmp?target={}&module=m", agent.addr()));
    assert_eq!(s, 200, "{t}");
    assert!(t.contains("# HELP sysUpTime reloaded"), "{t}");
    let (_, m) = get(b.port, "/metrics");
    assert_eq!(value(&m, "snmpctl_exporter_config_last_reload_successful"), Some(1.0), "{m}");
    assert_eq!(value(&m, "snmpctl_exporter_config_reloads_total"), Some(2.0), "{m}");
}

/// Runs `prometheus-snmp-generator generate` in `dir` over the shipped MIBs.
fn go_generate(dir: &Path, generator_yml: &str) -> String {
    std::fs::write(dir.join("generator.yml"), generator_yml).unwrap();
    let out = crate::isolated(Command::new("prometheus-snmp-generator"))
        .arg("generate")
        .current_dir(dir)
        .env("MIBDIRS", concat!(env!("CARGO_MANIFEST_DIR"), "/../mibs"))
        .output()
        .expect("prometheus-snmp-generator (apt-get install prometheus-snmp-exporter)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_to_string(dir.join("snmp.yml")).unwrap()
}

fn our_generate(dir: &Path, generator_yml: &str) -> String {
    let input = dir.join("ours-generator.yml");
    std::fs::write(&input, generator_yml).unwrap();
    let out = crate::snmpctl().args(["exporter", "generate"]).arg(&input).args(["-o", "-"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// YAML as order-free data.
fn data(yml: &str) -> serde_json::Value {
    let v: serde_yaml_ng::Value = serde_yaml_ng::from_str(yml).unwrap();
    serde_json::to_value(v).unwrap()
}

#[test]
fn the_generator_writes_what_snmp_exporters_generator_writes() {
    let dir = temp_dir("exporter-generate");
    let yml = std::fs::read_to_string(Path::new(FIXTURES).join("generator-0.21.yml")).unwrap();
    let (go, ours) = (go_generate(&dir, &yml), our_generate(&dir, &yml));
    let (go, ours) = (data(&go), data(&ours));
    for module in ["if_mib", "system", "ip", "host", "mixed", "ucd"] {
        let (a, b) = (&go[module], &ours[module]);
        assert!(a.is_object(), "{module} missing from snmp_exporter's output");
        for key in ["walk", "get", "version", "max_repetitions", "retries", "timeout", "auth"] {
            assert_eq!(a.get(key), b.get(key), "{module}.{key}");
        }
        let (ma, mb) = (a["metrics"].as_array().unwrap(), b["metrics"].as_array().unwrap());
        assert!(ma.len() > 5, "{module}");
        for (x, y) in ma.iter().zip(mb) {
            assert_eq!(x, y, "{module}");
        }
        assert_eq!(ma.len(), mb.len(), "{module}");
    }
    assert_eq!(go, ours);

    // The built-in modules are this generator's output over the shipped MIBs, equal to
    // snmp_exporter's generator's for the same modules (its 0.21 knows no `auths:`).
    let builtin =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/cli/exporter/generator.yml"))
            .unwrap();
    let modules_only = builtin.split_once("\nmodules:\n").map(|(_, m)| format!("modules:\n{m}")).unwrap();
    let go = data(&go_generate(&dir, &modules_only));
    let ours = data(&our_generate(&dir, &builtin));
    assert_eq!(go, ours["modules"]);
    assert_eq!(ours["auths"]["public_v1"]["version"], 1);
}

#[test]
fn snmp_exporter_serves_what_the_generator_writes() {
    // Our generator's snmp.yml (enum labels such as `off` quoted for YAML 1.1 readers) loads in
    // snmp_exporter 0.21, and both exporters serve the same samples from it.
    let dir = temp_dir("exporter-generated");
    let yml = std::fs::read_to_string(Path::new(FIXTURES).join("generator-0.21.yml")).unwrap();
    let snmp_yml = dir.join("snmp.yml");
    std::fs::write(&snmp_yml, our_generate(&dir, &yml)).unwrap();
    let router =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/snmprec/router.snmprec"))
            .unwrap();
    let fixed: String = router
        .lines()
        .map(|l| if l.starts_with("1.3.6.1.2.1.1.3.0|") { "1.3.6.1.2.1.1.3.0|67|4242" } else { l })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.join("public.snmprec"), format!("{fixed}\n")).unwrap();
    std::fs::write(dir.join("secretish.snmprec"), format!("{fixed}\n")).unwrap();
    let agent = Agent::start(&[dir.to_str().unwrap()], 1);
    let (a, b) = (theirs(&snmp_yml), ours(&["--config", snmp_yml.to_str().unwrap()]));
    for module in ["if_mib", "system", "ip", "host", "mixed", "ucd"] {
        let path = format!("/snmp?target={}&module={module}", agent.addr());
        let (sa, ta) = get(a.port, &path);
        let (sb, tb) = get(b.port, &path);
        assert_eq!((sa, sb), (200, 200), "{module}: {ta}\n{tb}");
        assert_eq!(samples(&ta), samples(&tb), "{module}");
        // The router recording has no HOST-RESOURCES or UCD objects: those two modules are
        // held to the generator's output only (the test before this one).
        if !matches!(module, "host" | "ucd") {
            assert!(samples(&ta).len() > 30, "{module} served samples: {ta}");
        }
    }
}

/// A walk's values by instance (the last arc): `snmpctl walk -On -Oq`.
fn walk_values(agent: &str, oid: &str) -> Vec<(String, f64)> {
    let out =
        crate::snmpctl().args(["walk", "-v2c", "-c", "public", "-On", "-Oq", agent, oid]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let (o, v) = l.split_once(' ')?;
            Some((o.rsplit('.').next()?.to_owned(), v.parse().ok()?))
        })
        .collect()
}

#[test]
fn prometheus_scrapes_two_targets_through_the_exporter() {
    let which = Command::new("prometheus").arg("--version").output();
    assert!(which.is_ok(), "prometheus not found: apt-get install prometheus (scripts/test.sh installs it)");
    let dir = temp_dir("exporter-prometheus");
    // Two devices: the router recording, and one whose counters differ.
    let router =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/snmprec/router.snmprec"))
            .unwrap();
    let other: String = router
        .lines()
        .map(|l| match l.strip_prefix("1.3.6.1.2.1.31.1.1.1.6.") {
            Some(rest) => {
                let (index, _) = rest.split_once('|').unwrap();
                format!(
                    "1.3.6.1.2.1.31.1.1.1.6.{index}|70|{}",
                    1_000_000_007u64 * index.parse::<u64>().unwrap()
                )
            }
            None => l.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::create_dir_all(dir.join("b")).unwrap();
    std::fs::write(dir.join("a/public.snmprec"), &router).unwrap();
    std::fs::write(dir.join("b/public.snmprec"), format!("{other}\n")).unwrap();
    let agents = [
        Agent::start(&[dir.join("a").to_str().unwrap()], 1),
        Agent::start(&[dir.join("b").to_str().unwrap()], 1),
    ];
    let exporter = ours(&[]);

    for _ in 0..8 {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let config = format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
             scrape_configs:\n- job_name: snmp\n  metrics_path: /snmp\n  params:\n    module: [if_mib]\n    auth: [public_v2]\n\
             \x20 static_configs:\n  - targets: ['{}', '{}']\n  relabel_configs:\n\
             \x20 - source_labels: [__address__]\n    target_label: __param_target\n\
             \x20 - source_labels: [__param_target]\n    target_label: instance\n\
             \x20 - target_label: __address__\n    replacement: 127.0.0.1:{}\n",
            agents[0].addr(),
            agents[1].addr(),
            exporter.port
        );
        std::fs::write(dir.join("prometheus.yml"), config).unwrap();
        let data = dir.join(format!("data-{port}"));
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", dir.join("prometheus.yml").display()))
            .arg(format!("--storage.tsdb.path={}", data.display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let _prometheus = Server { child, port };
        let start = Instant::now();
        let mut last = String::new();
        while start.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(500));
            if TcpStream::connect(("127.0.0.1", port)).is_err() {
                continue;
            }
            let (status, body) = get(port, "/api/v1/query?query=ifHCInOctets");
            last = body.clone();
            if status != 200 {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            let results = v["data"]["result"].as_array().cloned().unwrap_or_default();
            let want: usize =
                agents.iter().map(|a| walk_values(&a.addr(), "1.3.6.1.2.1.31.1.1.1.6").len()).sum();
            if results.len() < want {
                continue;
            }
            assert_eq!(results.len(), want, "{body}");
            for agent in &agents {
                for (index, value) in walk_values(&agent.addr(), "1.3.6.1.2.1.31.1.1.1.6") {
                    let series = results
                        .iter()
                        .find(|r| {
                            r["metric"]["instance"] == agent.addr()
                                && r["metric"]["ifIndex"] == index.as_str()
                        })
                        .unwrap_or_else(|| panic!("no series for {} ifIndex {index}: {body}", agent.addr()));
                    assert_eq!(series["metric"]["job"], "snmp");
                    let got: f64 = series["value"][1].as_str().unwrap().parse().unwrap();
                    assert_eq!(got, value, "{} ifIndex {index}", agent.addr());
                    assert!(series["metric"]["ifName"].as_str().is_some_and(|n| !n.is_empty()), "{series}");
                }
            }
            let (_, up) = get(port, "/api/v1/query?query=up");
            assert_eq!(up.matches("\"1\"]").count(), 2, "{up}");
            return;
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            panic!("Prometheus never had the series: {last}");
        }
        // Prometheus did not start (its port taken meanwhile): try another.
    }
    panic!("Prometheus did not start");
}

#[test]
fn what_0_21_lacks_scale_offset_parsed_dates_ntp_time_and_filters() {
    let agent = Agent::start(&[&format!("public={FIXTURES}/types.snmprec")], 1);
    let config = Path::new(FIXTURES).join("snmp-newer.yml");
    let b = ours(&["--config", config.to_str().unwrap()]);
    let (status, text) = get(b.port, &format!("/snmp?target={}&module=newer", agent.addr()));
    assert_eq!(status, 200, "{text}");
    let got: BTreeSet<&str> = text.lines().filter(|l| !l.starts_with('#') && !l.contains("scrape")).collect();
    let want: BTreeSet<&str> = [
        // The dynamic filter keeps the instance whose name starts with "uplink" (2), fetched
        // by Get; -7 * 0.5 + 10.
        "tGauge{tIndex=\"2\"} 6.5",
        // The static filter keeps index 2 of Gauge32: 4,000,000,000 * 0.01.
        "tGauge32{tIndex=\"2\"} 4e+07",
        // 0xE98FC280 seconds since 1900 is 2024-03-04 03:46:08 UTC; 2 octets are no timestamp.
        "tNtp{tIndex=\"1\"} 1.709523968e+09",
        // 2024-02-29 11:45:30 UTC; "not a date" makes no sample.
        "tParsed{tIndex=\"1\"} 1.70920713e+09",
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want, "{text}");
}

/// The UDP sockets a process holds: its socket descriptors (/proc/PID/fd) found among the UDP
/// sockets of its network namespace (/proc/PID/net/udp and udp6), by inode.
fn udp_sockets_of(pid: u32) -> usize {
    let inodes: BTreeSet<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter_map(|l| Some(l.to_string_lossy().strip_prefix("socket:[")?.trim_end_matches(']').to_owned()))
        .collect();
    ["udp", "udp6"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(format!("/proc/{pid}/net/{f}")).ok())
        .flat_map(|t| {
            t.lines()
                .skip(1)
                .filter_map(|l| l.split_whitespace().nth(9).map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .filter(|inode| inodes.contains(inode))
        .count()
}

#[test]
fn one_socket_serves_every_target() {
    let devices = Agent::start(&[], 20);
    let b = ours(&[]);
    let pid = b.child.id();
    assert_eq!(udp_sockets_of(pid), 0, "no SNMP socket before the first scrape");
    for port in devices.port..devices.port + 20 {
        let (status, text) = get(b.port, &format!("/snmp?target=127.0.0.1:{port}&module=system"));
        assert_eq!(status, 200, "{text}");
        assert!(text.contains("sysName{sysName=\"edge-rtr-01\"} 1"), "{text}");
    }
    // The hub's one or two (IPv4, IPv6), not one per target.
    let after = udp_sockets_of(pid);
    assert!((1..=2).contains(&after), "{after} UDP sockets after 20 targets");
    let (_, m) = get(b.port, "/metrics");
    assert_eq!(value(&m, "snmpctl_exporter_clients"), Some(20.0), "{m}");
}

#[test]
fn against_snmpd_both_exporters_agree() {
    // A private snmpd whose community sees stable subtrees only: system and interfaces.
    let config = "rocommunity public 127.0.0.1 -V stable\nview stable included .1.3.6.1.2.1.1\n\
                  view stable included .1.3.6.1.2.1.2\nview stable included .1.3.6.1.2.1.31.1.1\n\
                  sysDescr snmpctl exporter test\nsysLocation lab\nsysContact noc@example.net\n";
    let snmpd = crate::agent::Snmpd::start("exporter-snmpd", config);
    let dir = temp_dir("exporter-snmpd");
    let builtin =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/cli/exporter/generator.yml"))
            .unwrap();
    let snmp_yml = dir.join("snmp.yml");
    // The built-in modules in 0.21's format, for both exporters.
    let modules_only = builtin.split_once("\nmodules:\n").map(|(_, m)| format!("modules:\n{m}")).unwrap();
    std::fs::write(&snmp_yml, our_generate(&dir, &modules_only)).unwrap();
    let (a, b) = (theirs(&snmp_yml), ours(&["--config", snmp_yml.to_str().unwrap()]));
    let target = format!("127.0.0.1:{}", snmpd.port);
    // Counters and uptimes move between two scrapes: compare the series (names and labels),
    // and the values of everything that holds still.
    let series = |text: &str| -> BTreeSet<String> {
        samples(text)
            .into_iter()
            .map(|l| l.rsplit_once(' ').map_or(l.clone(), |(s, _)| s.to_owned()))
            .collect()
    };
    let moving = ["Octets", "Pkts", "UpTime", "LastChange", "Discards", "Errors", "ORLastChange"];
    let still = |text: &str| -> BTreeSet<String> {
        samples(text)
            .into_iter()
            .filter(|l| !moving.iter().any(|m| l.split('{').next().unwrap_or("").contains(m)))
            .collect()
    };
    for module in ["system", "if_mib"] {
        let path = format!("/snmp?target={target}&module={module}");
        let (sa, ta) = get(a.port, &path);
        let (sb, tb) = get(b.port, &path);
        assert_eq!((sa, sb), (200, 200), "{module}: {ta}\n{tb}");
        assert!(series(&ta).len() > 5, "{module}: {ta}");
        assert_eq!(series(&ta), series(&tb), "{module}");
        assert_eq!(still(&ta), still(&tb), "{module}");
    }
}

#[test]
fn v3_engines_are_learned_once() {
    let dir = temp_dir("exporter-v3");
    std::fs::write(
        dir.join("users.conf"),
        "createUser exporter SHA exporter-auth-pass AES exporter-priv-pass\n",
    )
    .unwrap();
    let agent = Agent::start(
        &[&format!("public={FIXTURES}/types.snmprec"), "--users", dir.join("users.conf").to_str().unwrap()],
        1,
    );
    let config = Path::new(FIXTURES).join("snmp-0.21.yml");
    let b = ours(&["--config", config.to_str().unwrap()]);
    let path = format!("/snmp?target={}&module=types_v3", agent.addr());
    let sent: Vec<f64> =
        (0..3).map(|_| value(&get(b.port, &path).1, "snmp_scrape_packets_sent").unwrap()).collect();
    // The first scrape discovers the agent's engine (a Report, then its time); the next ones
    // use what the client learned.
    assert!(sent[0] > sent[1], "{sent:?}");
    assert_eq!(sent[1], sent[2], "{sent:?}");
}

#[test]
fn a_scrape_answers_before_prometheus_gives_up_with_what_it_has() {
    // Every answer 100 ms late and one object per request: the table takes seconds to walk.
    let agent = Agent::start(&[&format!("public={FIXTURES}/types.snmprec"), "--delay", "100ms"], 1);
    let dir = temp_dir("exporter-deadline");
    let config = dir.join("snmp.yml");
    std::fs::write(
        &config,
        "auths:\n  public_v2: {community: public, version: 2}\nmodules:\n  slow:\n    walk: [1.3.6.1.4.1.8072.9999.9999.1]\n    max_repetitions: 1\n    timeout: 5s\n    metrics:\n    - {name: tGauge, oid: 1.3.6.1.4.1.8072.9999.9999.1.1.1, type: gauge, help: g, indexes: [{labelname: tIndex, type: gauge}]}\n",
    )
    .unwrap();
    let b = ours(&["--config", config.to_str().unwrap()]);
    let start = Instant::now();
    let (status, text) = http(
        b.port,
        "GET",
        &format!("/snmp?target={}&module=slow", agent.addr()),
        &[("X-Prometheus-Scrape-Timeout-Seconds", "1.5")],
    );
    let took = start.elapsed();
    // 1.5 s less the 0.5 s offset: the answer comes at about 1 s, with the rows read by then
    // (the whole table would take over 5 s; the bound leaves room for a loaded machine).
    assert!(took < Duration::from_secs(4), "{took:?}");
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("tGauge{tIndex=\"1\"} 1500"), "{text}");
    assert_eq!(value(&text, "snmpctl_scrape_errors"), Some(1.0), "{text}");
    let pdus = value(&text, "snmp_scrape_pdus_returned").unwrap();
    assert!((2.0..51.0).contains(&pdus), "{pdus}: a part of the table");
}
