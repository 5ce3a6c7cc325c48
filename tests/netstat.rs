//! `snmpctl netstat` next to `snmpnetstat` (issue 24): the same agent, the same options, the
//! outputs compared byte for byte. The agent is `snmpctl agent` serving recordings made here,
//! built to reach snmpnetstat's corners: IPv4, IPv6 and unknown-type sockets, a state out of
//! range, a connection without its process (snmpnetstat repeats the one before), host names
//! longer than their column (cut, or widened with -Cv), routes with a next-hop AS, redirects
//! and host routes in both families, an interface whose ifXTable name is longer than its
//! ifDescr and one without an ifXTable row, counters past 2³¹, ipSystemStatsTable rows with
//! and without their 64-bit columns, ICMP message types snmpnetstat has no name for. A second
//! recording has only RFC 1213's route table (snmpnetstat falls back to it).
//!
//! Names: the recording whose addresses are all loopback (or unspecified) is compared with
//! names looked up (`/etc/hosts`, services, `/etc/networks`: what both tools read); the other
//! one with `-Cn`, so that no test waits on DNS.

use crate::agent::temp_dir;
use crate::sim::Agent;
use std::process::{Command, Output};

/// A recording: `OID|TYPE|VALUE` lines, sorted by OID.
#[derive(Default)]
struct Recording(Vec<(Vec<u32>, String)>);

impl Recording {
    fn add(&mut self, oid: &str, ty: u32, value: impl std::fmt::Display) {
        let arcs = oid.split('.').map(|a| a.parse().unwrap()).collect();
        self.0.push((arcs, format!("{oid}|{ty}|{value}")));
    }

    fn text(mut self) -> String {
        self.0.sort();
        self.0.into_iter().map(|(_, line)| line + "\n").collect()
    }
}

/// An InetAddress index part: type, length, octets.
fn inet(kind: u32, address: &str) -> String {
    let octets: Vec<u8> = match kind {
        1 => address.parse::<std::net::Ipv4Addr>().unwrap().octets().to_vec(),
        2 => address.parse::<std::net::Ipv6Addr>().unwrap().octets().to_vec(),
        _ => Vec::new(),
    };
    let mut parts = vec![kind.to_string(), octets.len().to_string()];
    parts.extend(octets.iter().map(u8::to_string));
    parts.join(".")
}

type Socket<'a> = ((u32, &'a str), u32, (u32, &'a str), u32);
/// (destination, prefix length, next hop, ifIndex, type, proto, next hop AS).
type Route<'a> = ((u32, &'a str), u32, (u32, &'a str), u32, u32, u32, u32);

/// Sockets, routes (inetCidrRouteTable unless `legacy_routes`, ipRouteTable always),
/// interfaces, addresses and counters.
fn recording(
    sockets: &[(Socket<'_>, u32, Option<u32>)],
    listeners: &[((u32, &str), u32, u32)],
    udp: &[(Socket<'_>, u32)],
    routes: &[Route<'_>],
    legacy_routes: &[(&str, u32, &str, u32, u32, &str)],
) -> String {
    let mut r = Recording::default();
    r.add("1.3.6.1.2.1.1.1.0", 4, "netstat test host");
    r.add("1.3.6.1.2.1.1.3.0", 67, 12345);
    // (index, ifDescr, ifMtu, ifOperStatus, ifName)
    let interfaces = [
        (1u64, "lo", 65536, 1, Some("lo")),
        (2, "eth0 long description", 1500, 1, Some("eth0")),
        (3, "Ethernet adapter number three", 9000, 2, Some("a-very-long-interface-name")),
        (4, "wlan0", 1500, 2, None),
    ];
    r.add("1.3.6.1.2.1.2.1.0", 2, interfaces.len());
    for (i, descr, mtu, status, name) in interfaces {
        let c = |col: u32| format!("1.3.6.1.2.1.2.2.1.{col}.{i}");
        r.add(&c(1), 2, i);
        r.add(&c(2), 4, descr);
        r.add(&c(4), 2, mtu);
        r.add(&c(8), 2, status);
        r.add(&c(10), 65, 1000 * i + 7);
        r.add(&c(11), 65, if i == 2 { 4_000_000_000 } else { 10 * i });
        r.add(&c(12), 65, 5 * i);
        r.add(&c(14), 65, i);
        r.add(&c(16), 65, 2000 * i);
        r.add(&c(17), 65, 30 * i);
        r.add(&c(18), 65, 3 * i);
        r.add(&c(19), 65, 2 * i);
        r.add(&c(20), 65, 0);
        r.add(&c(21), 66, i);
        if let Some(n) = name {
            r.add(&format!("1.3.6.1.2.1.31.1.1.1.1.{i}"), 4, n);
        }
    }
    for (a, index, mask) in [
        ("127.0.0.1", 1, "255.0.0.0"),
        ("10.1.2.3", 2, "255.255.254.0"),
        ("192.168.7.9", 2, "255.255.255.255"),
        ("169.254.0.1", 3, "255.255.0.0"),
    ] {
        r.add(&format!("1.3.6.1.2.1.4.20.1.1.{a}"), 64, a);
        r.add(&format!("1.3.6.1.2.1.4.20.1.2.{a}"), 2, index);
        r.add(&format!("1.3.6.1.2.1.4.20.1.3.{a}"), 64, mask);
    }
    for (n, v) in [
        (5, 18114u64),
        (6, 1),
        (7, 0),
        (8, 174),
        (9, 0),
        (10, 3_000_000_000),
        (11, 1_090_582),
        (12, 26),
        (14, 0),
        (15, 2123),
    ] {
        r.add(&format!("1.3.6.1.2.1.6.{n}.0"), if n == 9 { 66 } else { 65 }, v);
    }
    for (n, v) in [(1, 30_693_693u64), (2, 1), (3, 0), (4, 4_294_967_295)] {
        r.add(&format!("1.3.6.1.2.1.7.{n}.0"), 65, v);
    }
    for ((local, lport, remote, rport), state, pid) in sockets {
        let index = format!("{}.{lport}.{}.{rport}", inet(local.0, local.1), inet(remote.0, remote.1));
        r.add(&format!("1.3.6.1.2.1.6.19.1.7.{index}"), 2, state);
        if let Some(p) = pid {
            r.add(&format!("1.3.6.1.2.1.6.19.1.8.{index}"), 66, p);
        }
    }
    // RFC 1213's tcpConnTable and udpTable: the IPv4 sockets again (listeners in state
    // listen(2)).
    let v4 = |a: &(u32, &str)| (a.0 == 1).then(|| if a.1.is_empty() { "0.0.0.0" } else { a.1 }.to_owned());
    for ((local, lport, remote, rport), state, _) in sockets {
        if let (Some(l), Some(r2)) = (v4(local), v4(remote)) {
            r.add(&format!("1.3.6.1.2.1.6.13.1.1.{l}.{lport}.{r2}.{rport}"), 2, state);
        }
    }
    for (local, port, _) in listeners {
        if let Some(l) = v4(local) {
            r.add(&format!("1.3.6.1.2.1.6.13.1.1.{l}.{port}.0.0.0.0.0"), 2, 2);
        }
    }
    for ((local, lport, _, _), _) in udp {
        if let Some(l) = v4(local) {
            r.add(&format!("1.3.6.1.2.1.7.5.1.1.{l}.{lport}"), 64, &l);
        }
    }
    for (local, port, pid) in listeners {
        r.add(&format!("1.3.6.1.2.1.6.20.1.4.{}.{port}", inet(local.0, local.1)), 66, pid);
    }
    for (instance, ((local, lport, remote, rport), pid)) in udp.iter().enumerate() {
        let index = format!(
            "{}.{lport}.{}.{rport}.{}",
            inet(local.0, local.1),
            inet(remote.0, remote.1),
            instance + 1
        );
        r.add(&format!("1.3.6.1.2.1.7.7.1.8.{index}"), 66, pid);
    }
    // ipSystemStatsTable: IPv4 with its 64-bit columns, IPv6 without (snmpnetstat prints `-`
    // for those it asks for first), one 32-bit column missing for IPv6.
    for version in [1u64, 2] {
        for column in 3u64..34 {
            if [4, 6, 13, 19, 21, 24, 31, 33].contains(&column) {
                if version == 1 {
                    r.add(&format!("1.3.6.1.2.1.4.31.1.1.{column}.{version}"), 70, 5_000_000_000 + column);
                }
            } else if !(column == 29 && version == 2) {
                let value = if column % 3 == 0 { 0 } else { column * version };
                r.add(&format!("1.3.6.1.2.1.4.31.1.1.{column}.{version}"), 65, value);
            }
        }
        for (column, value) in [(2, 100 * version), (3, 0), (4, 7), (5, version)] {
            r.add(&format!("1.3.6.1.2.1.5.29.1.{column}.{version}"), 65, value);
        }
    }
    for (column, version, kind, value) in [
        (3, 1, 0, 5),
        (4, 1, 0, 0),
        (3, 1, 3, 1457),
        (4, 1, 3, 1452),
        (3, 1, 8, 0),
        (4, 1, 8, 0),
        (3, 1, 200, 9),
        (4, 1, 200, 1),
        (3, 2, 1, 5),
        (4, 2, 1, 5),
        (4, 2, 135, 8),
        (3, 2, 143, 0),
        (4, 2, 143, 4),
        (3, 2, 250, 3),
    ] {
        r.add(&format!("1.3.6.1.2.1.5.30.1.{column}.{version}.{kind}"), 65, value);
    }
    for (destination, prefix, hop, if_index, kind, proto, asn) in routes {
        let index = format!("{}.{prefix}.2.0.0.{}", inet(destination.0, destination.1), inet(hop.0, hop.1));
        for (column, ty, value) in
            [(7, 2, *if_index), (8, 2, *kind), (9, 2, *proto), (10, 66, 0), (11, 66, *asn), (12, 2, 1)]
        {
            r.add(&format!("1.3.6.1.2.1.4.24.7.1.{column}.{index}"), ty, value);
        }
    }
    for (destination, if_index, hop, kind, proto, mask) in legacy_routes {
        for (column, ty, value) in [
            (1, 64, destination.to_string()),
            (2, 2, if_index.to_string()),
            (7, 64, hop.to_string()),
            (8, 2, kind.to_string()),
            (9, 2, proto.to_string()),
            (11, 64, mask.to_string()),
        ] {
            r.add(&format!("1.3.6.1.2.1.4.21.1.{column}.{destination}"), ty, value);
        }
    }
    r.text()
}

/// Addresses of every kind (compared with -Cn).
fn everything(inet_cidr: bool) -> String {
    let routes: &[Route<'_>] = &[
        ((1, "0.0.0.0"), 0, (1, "10.1.2.1"), 2, 4, 2, 0),
        ((1, "10.1.2.0"), 23, (1, "0.0.0.0"), 2, 3, 2, 0),
        ((1, "127.0.0.1"), 32, (1, "0.0.0.0"), 1, 3, 2, 0),
        ((1, "10.20.0.0"), 16, (1, "10.1.2.254"), 2, 4, 4, 65001),
        // An interface without ifName (named by ifDescr over SNMPv1, empty over v2c) and one
        // the agent does not have (`if9` over SNMPv1).
        ((1, "10.8.0.0"), 16, (1, "0.0.0.0"), 9, 3, 2, 0),
        ((1, "10.9.0.0"), 16, (1, "0.0.0.0"), 4, 3, 2, 0),
        ((2, "::"), 0, (2, "fe80::1"), 2, 4, 2, 0),
        ((2, "::1"), 128, (2, "::"), 1, 3, 2, 0),
        ((2, "2001:db8:1234:5678::"), 64, (2, "::"), 2, 3, 2, 0),
        ((2, "fe80::aaaa:bbbb:cccc:dddd"), 128, (2, "fe80::1111:2222:3333:4444"), 2, 4, 4, 64512),
    ];
    recording(
        &[
            (((1, "127.0.0.1"), 22, (1, "127.0.0.1"), 54321), 5, Some(1234)),
            (((1, "127.0.0.1"), 8080, (1, "10.9.8.7"), 80), 11, None),
            (((2, "::1"), 22, (2, "::1"), 5632), 5, Some(99)),
            (((2, "fe80::1:2:3:4"), 443, (2, "2001:db8::1"), 65535), 99, Some(7)),
            (((0, ""), 0, (0, ""), 0), 1, Some(0)),
            (((2, "2001:db8:1234:5678:9abc:def0:1234:5678"), 443, (2, "::1"), 443), 5, Some(8)),
            (((1, "10.200.200.200"), 65535, (1, "10.200.200.201"), 443), 2, Some(9)),
            (((2, "::ffff:10.1.2.3"), 0, (2, "::"), 0), 2, Some(3_000_000_000)),
        ],
        &[((1, "0.0.0.0"), 22, 1), ((2, "::"), 22, 1), ((1, "127.0.0.1"), 631, 300)],
        &[
            (((1, "0.0.0.0"), 53, (1, "0.0.0.0"), 0), 55),
            (((2, "::1"), 161, (2, "::"), 0), 66),
            (((1, "127.0.0.1"), 123, (1, "127.0.0.2"), 5353), 77),
            (((2, "2001:db8::5"), 514, (2, "2001:db8::6"), 53), 88),
        ],
        if inet_cidr { routes } else { &[] },
        &[
            ("0.0.0.0", 2, "10.1.2.1", 4, 2, "0.0.0.0"),
            ("10.1.2.0", 2, "0.0.0.0", 3, 2, "255.255.254.0"),
            ("127.0.0.1", 1, "127.0.0.1", 3, 2, "255.255.255.255"),
            ("169.254.0.0", 3, "0.0.0.0", 3, 4, "255.255.0.0"),
        ],
    )
}

/// Only loopback and unspecified addresses (compared with names looked up).
fn loopback() -> String {
    recording(
        &[
            (((1, "127.0.0.1"), 22, (1, "127.0.0.1"), 54321), 5, Some(1234)),
            (((1, "127.0.0.1"), 5432, (1, "127.0.0.1"), 80), 11, Some(5)),
            (((2, "::1"), 443, (2, "::1"), 443), 5, Some(99)),
            (((1, "0.0.0.0"), 0, (1, "0.0.0.0"), 0), 1, Some(0)),
        ],
        &[((1, "0.0.0.0"), 22, 1), ((2, "::"), 2049, 1), ((1, "127.0.0.1"), 631, 300)],
        &[
            (((1, "0.0.0.0"), 53, (1, "0.0.0.0"), 0), 55),
            (((2, "::1"), 161, (2, "::"), 0), 66),
            (((1, "127.0.0.1"), 123, (1, "127.0.0.1"), 514), 77),
        ],
        &[
            ((1, "0.0.0.0"), 0, (1, "127.0.0.1"), 1, 4, 2, 0),
            ((1, "127.0.0.0"), 8, (1, "127.0.0.1"), 1, 3, 2, 0),
            ((1, "127.0.0.1"), 32, (1, "127.0.0.1"), 1, 3, 4, 7),
            ((2, "::1"), 128, (2, "::1"), 1, 3, 2, 0),
        ],
        &[
            ("0.0.0.0", 1, "127.0.0.1", 4, 2, "0.0.0.0"),
            ("127.0.0.0", 1, "0.0.0.0", 3, 2, "255.0.0.0"),
            ("127.0.0.1", 1, "127.0.0.1", 3, 2, "255.255.255.255"),
            ("169.254.0.0", 1, "0.0.0.0", 3, 4, "255.255.0.0"),
        ],
    )
}

/// `snmpctl agent` serving each recording as its community.
fn serve(recordings: &[(&str, String)]) -> Agent {
    let dir = temp_dir("netstat");
    let paths: Vec<String> = recordings
        .iter()
        .map(|(community, text)| {
            let path = dir.join(format!("{community}.snmprec"));
            std::fs::write(&path, text).unwrap();
            path.to_str().unwrap().to_owned()
        })
        .collect();
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    Agent::start(&args, 1)
}

fn run(program: &str, args: &[&str]) -> Output {
    crate::isolated(Command::new(program)).env("MIBS", "").args(args).output().unwrap()
}

/// Runs snmpnetstat and `snmpctl netstat` with the same options; asserts the same stdout
/// and exit status. Returns the output.
fn beside(version: &str, community: &str, agent: &str, options: &str) -> String {
    let mut args = vec![version, "-c", community];
    args.extend(options.split_whitespace());
    args.push(agent);
    let theirs = run("snmpnetstat", &args);
    let mut ours_args = vec!["netstat"];
    ours_args.extend(&args);
    let ours = run(env!("CARGO_BIN_EXE_snmpctl"), &ours_args);
    let (t, o) = (String::from_utf8_lossy(&theirs.stdout), String::from_utf8_lossy(&ours.stdout));
    assert_eq!(
        o,
        t,
        "netstat {version} -c {community} {options}: stderr {}",
        String::from_utf8_lossy(&ours.stderr)
    );
    assert_eq!(ours.status.code(), theirs.status.code(), "{options}");
    o.into_owned()
}

#[test]
fn netstat_prints_as_snmpnetstat_prints() {
    let agent = serve(&[("public", everything(true)), ("legacy", everything(false)), ("lo", loopback())]);
    let target = agent.addr();
    for version in ["-v2c", "-v1"] {
        for options in [
            "-Cn",
            "-Can",
            "-Canv",
            "-Ca -Cn -Cf inet6",
            "-Can -Cf inet",
            "-Cp tcp -Cn",
            "-Cpudp -Cn",
            "-Cs",
            "-Css",
            "-Cs -Cp ip6",
            "-Cs -Cp icmp",
            "-Css -Cp icmp6",
            "-Cs -CL",
            "-Ci",
            "-Cib",
            "-Cio",
            "-Cid",
            "-Ci -CI eth0",
            "-Ci -CI lo",
            "-Crn",
            "-Crn -Cf inet6",
            "-Crn -Cf inet",
        ] {
            beside(version, "public", &target, options);
        }
        for options in ["-Crn", "-Crn -Cf inet", "-Cr -Cf inet6", "-Cr -CL -Cf inet"] {
            beside(version, "legacy", &target, options);
        }
        for options in ["", "-Ca", "-Cav", "-Cr", "-Cr -Cf inet", "-Cr -CL -Cf inet", "-CL", "-CL -Ca", "-Ci"]
        {
            beside(version, "lo", &target, options);
        }
    }
    // What the comparisons went through: some corners, as snmpnetstat printed them.
    let sockets = beside("-v2c", "public", &target, "-Can");
    assert!(
        sockets.contains("tcp4  127.0.0.1.8080              10.9.8.7.80                    TIMEWAIT  1234\n"),
        "{sockets}"
    );
    assert!(
        sockets.contains("tcp6  2001:db8:1234:5678.443      ::1.443                     ESTABLISHED     8\n"),
        "{sockets}"
    );
    assert!(
        sockets.contains(
            "tcp6  ::ffff:10.1.2.3.*           *.*                              LISTEN -1294967296\n"
        ),
        "{sockets}"
    );
    let routes = beside("-v2c", "public", &target, "-Crn");
    assert!(
        routes.contains("10.20.0.0/16               10.1.2.254                 <UDG>   eth0 (AS 65001)\n"),
        "{routes}"
    );
    let v1_routes = beside("-v1", "public", &target, "-Crn");
    assert!(
        v1_routes.contains("10.8.0.0/16                0.0.0.0                    <U>     if9\n"),
        "{v1_routes}"
    );
    assert!(
        v1_routes.contains("10.9.0.0/16                0.0.0.0                    <U>     wlan0\n"),
        "{v1_routes}"
    );
    let legacy = beside("-v2c", "legacy", &target, "-Crn -Cf inet");
    assert!(legacy.starts_with("Routing tables (ipRouteTable)\n"), "{legacy}");
    let interfaces = beside("-v2c", "public", &target, "-Ci");
    assert!(
        interfaces.contains(
            "eth0                         1500 10.1.2/23  10.1.2.3    4000000010     2    66     0     2\n"
        ),
        "{interfaces}"
    );
    let stats = beside("-v2c", "public", &target, "-Cs");
    assert!(
        stats.contains("             - datagrams input\n")
            && stats.contains("              9          1 type 200\n"),
        "{stats}"
    );
}

#[test]
fn netstat_interval_prints_as_snmpnetstat_prints() {
    let agent = serve(&[("public", everything(true))]);
    let target = agent.addr();
    for options in [vec!["-Cw", "1"], vec!["-Cw1", "-Cd", "-CI", "eth0"]] {
        let mut args = vec!["-v2c", "-c", "public"];
        args.extend(&options);
        args.push(&target);
        let mut theirs_args = vec!["3.5", "snmpnetstat"];
        theirs_args.extend(&args);
        // snmpnetstat runs until stopped: 3.5 s give it two lines or three, even on a busy machine.
        let theirs = run("timeout", &theirs_args);
        let mut ours_args = vec!["netstat", "--count", "1"];
        ours_args.extend(&args);
        let ours = run(env!("CARGO_BIN_EXE_snmpctl"), &ours_args);
        assert!(ours.status.success(), "{ours:?}");
        let ours = String::from_utf8(ours.stdout).unwrap();
        let theirs = String::from_utf8(theirs.stdout).unwrap();
        assert_eq!(ours.lines().count(), 3, "{ours}");
        assert!(theirs.starts_with(&ours), "{theirs}\n{ours}");
    }
    let unknown = run(
        env!("CARGO_BIN_EXE_snmpctl"),
        &["netstat", "-v2c", "-c", "public", "-Cw", "1", "-CI", "nosuch", &target],
    );
    assert_eq!(
        (unknown.status.code(), String::from_utf8_lossy(&unknown.stderr).trim()),
        (Some(1), "nosuch: unknown interface")
    );
}

#[test]
fn netstat_json_gives_the_tables_as_numbers() {
    let agent = serve(&[("public", everything(true))]);
    let target = agent.addr();
    let json = |options: &[&str]| -> serde_json::Value {
        let mut args = vec!["--format", "json", "netstat", "-v2c", "-c", "public"];
        args.extend(options);
        args.push(&target);
        let o = run(env!("CARGO_BIN_EXE_snmpctl"), &args);
        assert!(o.status.success(), "{o:?}");
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let sockets = json(&["-Ca"]);
    let first_v6 = sockets["tcp"].as_array().unwrap().iter().find(|c| c["family"] == "ipv6").unwrap().clone();
    assert_eq!(first_v6["local_address"], "::1");
    assert_eq!(first_v6["state"], "established");
    assert_eq!(sockets["tcp_listeners"].as_array().unwrap().len(), 3);
    assert_eq!(sockets["udp"][3]["remote_port"], 53);
    let routes = json(&["-Cr"]);
    let with_as = routes.as_array().unwrap().iter().find(|r| r["next_hop_as"] == 65001).unwrap();
    assert_eq!(
        (with_as["destination"].as_str(), with_as["prefix_length"].as_u64()),
        (Some("10.20.0.0"), Some(16))
    );
    assert_eq!(with_as["flags"], "UDG");
    let interfaces = json(&["-Cib"]);
    assert_eq!(interfaces[1]["name"], "eth0");
    assert_eq!(interfaces[1]["in_packets"], 4_000_000_010u64);
    let stats = json(&["-Cs"]);
    assert_eq!(stats["tcp"]["segments_received"], 3_000_000_000u64);
    assert_eq!(stats["ip6"]["datagrams_input"], serde_json::Value::Null);
    assert_eq!(stats["icmp"]["histogram"][3]["name"], "type 200");
}

/// Host names from `/etc/hosts`, network names from `/etc/networks` and the local domain, in a
/// mount and UTS namespace of their own: a name in the local host's domain loses it; an IPv4 socket's name of 16 characters or
/// more shows as `?` (snmpnetstat 5.9.3 asks for it into a buffer of INET_ADDRSTRLEN octets),
/// an IPv6 socket's or a route's does not; long names are cut to 18 characters, or widen the
/// column with -Cv.
#[test]
fn netstat_names_hosts_as_snmpnetstat_names_them() {
    let agent = serve(&[("lo", loopback())]);
    let target = agent.addr();
    let dir = temp_dir("netstat-hosts");
    // A network's name for the interfaces' addresses (not masked) and for routes' destinations,
    // numbers of fewer than four parts as glibc completes them.
    let networks = dir.join("networks");
    std::fs::write(&networks, "loopnet 127.0.0.0\nlocal-one 127.0.0.1 alias\nll 169.254\n").unwrap();
    let cases = [
        ("vm.example.org", "127.0.0.1 ab.example.org\n::1 six.example.org\n"),
        ("vm", "127.0.0.1 localhost.localdomain localhost\n::1 localhost ip6-localhost ip6-loopback\n"),
        ("vm", "127.0.0.1 hhhhhhhhhhh.com\n::1 an-ipv6-name-longer-than-its-column.example\n"),
    ];
    for (i, (hostname, hosts)) in cases.iter().enumerate() {
        let file = dir.join(format!("hosts-{i}"));
        std::fs::write(&file, hosts).unwrap();
        for options in ["-Ca", "-Cav", "-Cr", "-Cr -CL -Cf inet", "-Ci"] {
            let in_namespace = |program: &str| {
                let command = format!(
                    "hostname {hostname} && mount --bind {hosts} /etc/hosts && \
                     mount --bind {networks} /etc/networks && exec {program} netstat-args",
                    hosts = file.display(),
                    networks = networks.display()
                );
                let mut args: Vec<String> = vec!["-v2c".into(), "-c".into(), "lo".into()];
                args.extend(options.split_whitespace().map(str::to_owned));
                args.push(target.clone());
                let command = command.replace("netstat-args", &args.join(" "));
                crate::isolated(Command::new("unshare"))
                    .args(["--mount", "--uts", "sh", "-c", &command])
                    .env("MIBS", "")
                    .output()
                    .expect("unshare (util-linux)")
            };
            let theirs = in_namespace("snmpnetstat");
            let ours = in_namespace(&format!("{} netstat", env!("CARGO_BIN_EXE_snmpctl")));
            assert!(theirs.status.success(), "{theirs:?}");
            assert_eq!(
                String::from_utf8_lossy(&ours.stdout),
                String::from_utf8_lossy(&theirs.stdout),
                "{hostname} {hosts:?} {options}: {}",
                String::from_utf8_lossy(&ours.stderr)
            );
        }
    }
}

/// Over SNMPv1 an object the agent lacks fails the whole Get of a group's counters: the Get is
/// asked again without it, as snmpnetstat's query layer does, and the group is printed without
/// it. (snmpnetstat then prints a line of whatever its memory held for the slot the answer
/// left empty; this prints nothing there.)
#[test]
fn netstat_counters_over_v1_without_an_object() {
    let recording: String = everything(true)
        .lines()
        .filter(|l| !l.starts_with("1.3.6.1.2.1.6.9.0|"))
        .map(|l| format!("{l}\n"))
        .collect();
    let agent = serve(&[("public", recording)]);
    let target = agent.addr();
    let args = ["-v1", "-c", "public", "-Cs", "-Cp", "tcp", target.as_str()];
    let theirs = run("snmpnetstat", &args);
    let ours = run(env!("CARGO_BIN_EXE_snmpctl"), &[&["netstat"][..], &args[..]].concat());
    let ours = String::from_utf8(ours.stdout).unwrap();
    assert!(ours.starts_with("tcp:\n") && ours.contains("          2123 resets sent\n"), "{ours}");
    assert!(!ours.contains("currently established"), "{ours}");
    // Every line snmpnetstat printed from the agent's answer, in the same order.
    let theirs = String::from_utf8_lossy(&theirs.stdout);
    let expected: Vec<&str> =
        theirs.lines().filter(|l| l == &"tcp:" || l.ends_with(|c: char| c.is_ascii_lowercase())).collect();
    assert_eq!(
        ours.lines().collect::<Vec<_>>(),
        expected.iter().take(ours.lines().count()).copied().collect::<Vec<_>>()
    );
}

/// An agent whose GetNext goes back (from ifDescr.3 to ifDescr.1) would keep snmpnetstat's
/// interface walk going for ever: this stops where the OID did not move forward, prints the
/// rows before, and says so on stderr.
#[test]
fn netstat_stops_where_the_agent_goes_back() {
    use crate::commands::{Fake, table};
    use snmpctl::agent::Faults;
    let fake = Fake::start(table(5));
    let oid = |s: &str| s.parse::<snmpctl::value::Oid>().unwrap();
    fake.faults(Faults {
        jump_back: Some((oid("1.3.6.1.2.1.2.2.1.2.3"), oid("1.3.6.1.2.1.2.2.1.2.1"))),
        ..Faults::default()
    });
    let agent = fake.agent();
    let o = run(
        "timeout",
        &["60", env!("CARGO_BIN_EXE_snmpctl"), "netstat", "-v2c", "-c", "public", "-Ci", &agent],
    );
    assert!(o.status.success(), "{o:?}");
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.lines().filter(|l| l.starts_with("eth")).count(), 3, "{out}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("stopped there"), "{o:?}");
}
