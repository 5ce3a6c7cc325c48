//! `snmpctl status` and `snmpctl df` next to `snmpstatus` and `snmpdf` (issue 24): the same
//! agent, the same options, the outputs compared byte for byte. The agent is `snmpctl agent`
//! serving a recording made here, whose numbers are chosen to reach the tools' corners: sums
//! past 2³¹ (snmpstatus adds into C `int`s), an interface down, storage with allocation units
//! from 512 to 1 MiB, a size of 0, more used than the size, sizes in PiB (where `-Ch` cuts
//! `1024.00TiB` to nine characters), a description longer than its column, and a dskTable whose
//! 32- and 64-bit columns and dskAvail disagree (snmpdf reads dskTotal and dskUsed). Then both
//! against a real snmpd, the moving numbers masked.

use crate::agent::{Snmpd, quiet_config, temp_dir};
use crate::sim::Agent;
use std::path::Path;
use std::process::{Command, Output};

/// The shipped MIBs, which snmpdf needs (Debian ships no HOST-RESOURCES-MIB).
const MIBS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../mibs");

/// The recording: `OID|TYPE|VALUE` lines, in OID order.
fn recording() -> String {
    let mut rows: Vec<(Vec<u32>, String)> = Vec::new();
    let mut add = |oid: &str, ty: u32, value: &str| {
        let arcs = oid.split('.').map(|a| a.parse().unwrap()).collect();
        rows.push((arcs, format!("{oid}|{ty}|{value}")));
    };
    add("1.3.6.1.2.1.1.1.0", 4, "Linux edge-host 6.1.0-18-amd64 #1 SMP x86_64");
    add("1.3.6.1.2.1.1.3.0", 67, "9123456");
    add("1.3.6.1.2.1.2.1.0", 2, "3");
    let interfaces = [(1, 4_000_000_000u64, 5, 3_000_000_000u64, 7), (2, 10, 0, 20, 0), (1, 123, 4, 567, 8)];
    for (i, (status, in_u, in_nu, out_u, out_nu)) in interfaces.iter().enumerate() {
        let i = i + 1;
        add(&format!("1.3.6.1.2.1.2.2.1.1.{i}"), 2, &i.to_string());
        add(&format!("1.3.6.1.2.1.2.2.1.8.{i}"), 2, &status.to_string());
        add(&format!("1.3.6.1.2.1.2.2.1.11.{i}"), 65, &in_u.to_string());
        add(&format!("1.3.6.1.2.1.2.2.1.12.{i}"), 65, &in_nu.to_string());
        add(&format!("1.3.6.1.2.1.2.2.1.17.{i}"), 65, &out_u.to_string());
        add(&format!("1.3.6.1.2.1.2.2.1.18.{i}"), 65, &out_nu.to_string());
        add(&format!("1.3.6.1.2.1.2.2.1.19.{i}"), 65, "0");
    }
    add("1.3.6.1.2.1.4.3.0", 65, "3123456789");
    add("1.3.6.1.2.1.4.10.0", 65, "2987654");
    let storage = [
        (1, "2", "Physical memory", 1024, 24_683_784u64, 6_330_028u64),
        (3, "3", "Virtual memory", 1024, 26_780_932, 6_330_028),
        (6, "1", "Memory buffers", 1024, 24_683_784, 13_396),
        (10, "3", "Swap space", 1024, 0, 0),
        (31, "4", "/", 4096, 66_053_021, 15_769_313),
        (35, "4", "/mnt/a/very/long/mount/point/name", 65536, 1000, 999),
        (36, "4", "/boot", 1024, 1000, 1200),
        (37, "4", "/big", 1_048_576, 2_147_483_647, 1_073_741_824),
        (38, "4", "/tiny", 512, 3, 1),
    ];
    for (index, ty, descr, units, size, used) in storage {
        let column = |c: u32| format!("1.3.6.1.2.1.25.2.3.1.{c}.{index}");
        add(&column(1), 2, &index.to_string());
        add(&column(2), 6, &format!("1.3.6.1.2.1.25.2.1.{ty}"));
        add(&column(3), 4, descr);
        add(&column(4), 2, &units.to_string());
        add(&column(5), 2, &size.to_string());
        add(&column(6), 2, &used.to_string());
    }
    // dskTable: (path, dskTotal, dskAvail, dskUsed, dskPercent, the 64-bit total).
    let disks = [
        ("/", 264_212_084u64, 201_134_832u64, 63_077_252u64, 24, 264_212_084u64),
        ("/var", 5000, 333, 900, 7, 1000),
    ];
    for (i, (path, total, avail, used, percent, total64)) in disks.iter().enumerate() {
        let i = i + 1;
        let column = |c: u32| format!("1.3.6.1.4.1.2021.9.1.{c}.{i}");
        add(&column(1), 2, &i.to_string());
        add(&column(2), 4, path);
        add(&column(3), 4, "/dev/sda1");
        add(&column(6), 2, &total.to_string());
        add(&column(7), 2, &avail.to_string());
        add(&column(8), 2, &used.to_string());
        add(&column(9), 2, &percent.to_string());
        add(&column(11), 66, &(total64 & 0xffff_ffff).to_string());
        add(&column(12), 66, &(total64 >> 32).to_string());
    }
    rows.sort();
    rows.into_iter().map(|(_, line)| line + "\n").collect()
}

fn run(program: &str, args: &[&str]) -> Output {
    let program = if program == "snmpctl" { env!("CARGO_BIN_EXE_snmpctl") } else { program };
    crate::isolated(Command::new(program))
        .args(args)
        .env("MIBDIRS", MIBS)
        .env("MIBS", "ALL")
        .output()
        .unwrap()
}

/// stdout, with the local port of snmpstatus's first line (`->[0.0.0.0]:PORT]`) made `P`.
fn text(o: &Output) -> String {
    let t = String::from_utf8_lossy(&o.stdout).into_owned();
    match t.split_once("->[0.0.0.0]:") {
        Some((head, rest)) => {
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            format!("{head}->[0.0.0.0]:P{}", &rest[digits..])
        }
        None => t,
    }
}

/// `snmpctl agent` serving `records` as community `public`.
fn serve(tag: &str, records: &str) -> Agent {
    let path = temp_dir(tag).join("public.snmprec");
    std::fs::write(&path, records).unwrap();
    Agent::start(&[path.to_str().unwrap()], 1)
}

fn recorded_agent() -> Agent {
    serve("status", &recording())
}

/// snmpdelta and `snmpctl delta --count 2` with the same `args`, at the same time, each in
/// `dirs` (theirs, ours) when given. snmpdelta runs until stopped: it gets 4.6 s, two reports
/// and more even on a busy machine. Returns (snmpdelta's, ours).
fn delta_beside(args: &[&str], dirs: Option<(&Path, &Path)>) -> (Output, Output) {
    let command = |program: &str, dir: Option<&Path>| {
        let mut c = crate::isolated(Command::new(program));
        if let Some(d) = dir {
            c.current_dir(d);
        }
        c.env("MIBDIRS", MIBS).env("MIBS", "ALL");
        c
    };
    std::thread::scope(|scope| {
        let ours = scope.spawn(|| {
            command(env!("CARGO_BIN_EXE_snmpctl"), dirs.map(|d| d.1))
                .args(["delta", "--count", "2"])
                .args(args)
                .output()
                .unwrap()
        });
        let theirs =
            command("timeout", dirs.map(|d| d.0)).args(["4.6", "snmpdelta"]).args(args).output().unwrap();
        (theirs, ours.join().unwrap())
    })
}

#[test]
fn status_prints_as_snmpstatus_prints() {
    let agent = recorded_agent();
    let target = agent.addr();
    for version in ["-v1", "-v2c"] {
        let args = [version, "-c", "public", target.as_str()];
        let theirs = run("snmpstatus", &args);
        let mut ours_args = vec!["status"];
        ours_args.extend(args);
        let ours = run("snmpctl", &ours_args);
        assert!(theirs.status.success() && ours.status.success(), "{theirs:?} {ours:?}");
        let expected = text(&theirs);
        assert_eq!(text(&ours), expected);
        // The C int sums: 4,000,000,142 received in whole rows plus 4,000,000,005 more from
        // the round that ran into the next columns, wrapped.
        assert!(expected.contains("Interfaces: 3, Recv/Trans packets: -589934445/1705033313 | IP: -1171510507/2987654\n1 interface is down!\n"), "{expected}");
    }
    let json = run("snmpctl", &["--format", "json", "status", "-v2c", "-c", "public", &target]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!((v["interfaces"].as_u64(), v["received_packets"].as_u64()), (Some(3), Some(4_000_000_142)));
    assert_eq!(
        (v["sent_packets"].as_u64(), v["ip_in_receives"].as_u64()),
        (Some(3_000_000_602), Some(3_123_456_789))
    );
    assert_eq!(v["interfaces_down"].as_u64(), Some(1));
}

#[test]
fn df_prints_as_snmpdf_prints() {
    let agent = recorded_agent();
    let target = agent.addr();
    for options in [&[][..], &["-Ch"], &["-CH"], &["-Cu"], &["-Cu", "-CH"]] {
        for version in ["-v1", "-v2c"] {
            let mut args: Vec<&str> = options.to_vec();
            args.extend([version, "-c", "public", target.as_str()]);
            let theirs = run("snmpdf", &args);
            let mut ours_args = vec!["df"];
            ours_args.extend(&args);
            let ours = run("snmpctl", &ours_args);
            assert!(ours.status.success(), "{ours:?}");
            assert_eq!(text(&ours), text(&theirs), "df {args:?}");
        }
    }
    // An agent whose MIB ends with hrStorageUsed: the walk of that column ends in
    // endOfMibView on the last row's OID, which is not a value.
    let only_storage: String = recording()
        .lines()
        .filter(|l| l.starts_with("1.3.6.1.2.1.25.2.3.1."))
        .map(|l| format!("{l}\n"))
        .collect();
    let end = serve("df-end", &only_storage);
    let end_target = end.addr();
    let args = ["-v2c", "-c", "public", end_target.as_str()];
    assert_eq!(text(&run("snmpctl", &[&["df"][..], &args].concat())), text(&run("snmpdf", &args)));
    let human = text(&run("snmpctl", &["df", "-Ch", "-v2c", "-c", "public", &target]));
    assert!(human.contains("/big                  2.00PiB    1.00PiB  1024.00Ti   50%\n"), "{human}");
    assert!(human.contains("/boot               1000.00kB    1.17MiB     0.00kB  120%\n"), "{human}");
    let ucd = text(&run("snmpctl", &["df", "-Cu", "-v2c", "-c", "public", &target]));
    assert!(
        ucd.contains("/var                          5000             900            4100   18%\n"),
        "{ucd}"
    );
}

/// Against a real snmpd: the same lines, numbers that move between the two runs aside.
#[test]
fn status_and_df_against_snmpd() {
    let snmpd = Snmpd::start("status-snmpd", &quiet_config());
    let target = snmpd.agent();
    let mask = |t: &str| t.chars().map(|c| if c.is_ascii_digit() { '9' } else { c }).collect::<String>();
    let squeeze = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    for (tool, ours) in [("snmpstatus", "status"), ("snmpdf", "df")] {
        let args = ["-v2c", "-c", "public", target.as_str()];
        let theirs = run(tool, &args);
        let mut ours_args = vec![ours];
        ours_args.extend(args);
        let ours = run("snmpctl", &ours_args);
        assert!(ours.status.success(), "{ours:?}");
        let (expected, got) = (text(&theirs), text(&ours));
        assert!(!expected.is_empty(), "{theirs:?}");
        assert_eq!(
            squeeze(&mask(&got)),
            squeeze(&mask(&expected)),
            "{tool}:\n{expected}\nsnmpctl {ours_args:?}:\n{got}"
        );
    }
}

/// The counters the delta tests watch: one at 1,000 a second, one at 10, one constant.
const DELTA_OIDS: [&str; 3] = ["IF-MIB::ifInOctets.1", "IF-MIB::ifInOctets.2", "IF-MIB::ifOutOctets.1"];

/// `snmpctl delta` next to `snmpdelta` (issue 24), both running at once against an agent whose
/// counters move at set rates (0, 10 and 1,000 a second): the same lines, with the same
/// options, in the same order, the times and numbers in the lines masked (they move with the
/// clock); the changes then checked against the rates.
#[test]
fn delta_prints_as_snmpdelta_prints() {
    let agent = serve(
        "delta",
        "1.3.6.1.2.1.1.3.0|67:numeric|rate=100,initial=100\n\
         1.3.6.1.2.1.2.2.1.10.1|65:numeric|rate=1000,initial=5000\n\
         1.3.6.1.2.1.2.2.1.10.2|65:numeric|rate=10,initial=0\n\
         1.3.6.1.2.1.2.2.1.16.1|65|777\n",
    );
    let target = agent.addr();
    // Times become `[T]`, and the numbers after a name (or in a table row), which move with
    // the clock, `N` (they are checked below).
    let digits = |t: &str| {
        let mut masked = String::new();
        for c in t.chars() {
            if !c.is_ascii_digit() {
                masked.push(c);
            } else if !masked.ends_with('N') {
                masked.push('N');
            }
        }
        masked
    };
    let mask = |t: &str| -> Vec<String> {
        t.lines()
            .map(|l| {
                let l = match l.split_once(']') {
                    Some((_, rest)) if l.starts_with('[') => format!("[T]{rest}"),
                    _ => l.to_owned(),
                };
                match l.split_once(" /") {
                    Some((head, tail)) => format!("{head} /{}", digits(tail)),
                    None if l.starts_with("[T]\t") => digits(&l),
                    None => l,
                }
            })
            .collect()
    };
    let variants: [&[&str]; 4] = [&[], &["-Cs", "-CS", "-Cm"], &["-Ct"], &["-Cs", "-CT"]];
    std::thread::scope(|scope| {
        let runs: Vec<_> = variants
            .iter()
            .map(|options| {
                let target = target.clone();
                scope.spawn(move || {
                    let mut args: Vec<&str> = options.to_vec();
                    args.extend(["-v2c", "-c", "public", &target]);
                    args.extend(DELTA_OIDS);
                    let (theirs, ours) = delta_beside(&args, None);
                    (options.to_vec(), theirs, ours)
                })
            })
            .collect();
        for r in runs {
            let (options, theirs, ours) = r.join().unwrap();
            assert!(ours.status.success(), "{ours:?}");
            let (expected, got) = (mask(&text(&theirs)), mask(&text(&ours)));
            assert!(expected.len() >= 3, "snmpdelta {options:?}: {expected:#?}");
            // snmpdelta was stopped mid-way: what it printed is the start of ours.
            let whole = expected.len().min(got.len());
            assert_eq!(got[..whole], expected[..whole], "delta {options:?}");
        }
    });
    // The changes themselves, from our JSON: 1,000 and 10 a second, and 0 for the constant.
    let json = run(
        "snmpctl",
        &[
            "--format",
            "ndjson",
            "delta",
            "--count",
            "2",
            "-v2c",
            "-c",
            "public",
            &target,
            DELTA_OIDS[0],
            DELTA_OIDS[1],
            DELTA_OIDS[2],
        ],
    );
    for line in String::from_utf8_lossy(&json.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let changes: Vec<f64> =
            v["objects"].as_array().unwrap().iter().map(|o| o["change"].as_f64().unwrap()).collect();
        assert!(
            (990.0..=1010.0).contains(&changes[0]) && (9.0..=11.0).contains(&changes[1]) && changes[2] == 0.0,
            "{line}"
        );
    }
}

/// `delta -CF FILE` (more OIDs, one a line) and `-Cl` (each OID's lines appended to a file
/// `AGENT-NAME`, the sum's to `AGENT-Sum`), next to snmpdelta, each in a directory of its own.
#[test]
fn delta_reads_oids_from_a_file_and_logs_to_files_as_snmpdelta() {
    let agent = serve(
        "delta-files",
        "1.3.6.1.2.1.2.2.1.10.1|65:numeric|rate=1000,initial=5000\n1.3.6.1.2.1.2.2.1.10.2|65|7\n",
    );
    let dir = temp_dir("delta-files-run");
    let target = agent.addr();
    let (theirs_dir, ours_dir) = (dir.join("theirs"), dir.join("ours"));
    for d in [&theirs_dir, &ours_dir] {
        std::fs::create_dir_all(d).unwrap();
        std::fs::write(d.join("oids"), "# the first interface\n\nIF-MIB::ifInOctets.1\n").unwrap();
    }
    let args = ["-Cl", "-CS", "-CF", "oids", "-v2c", "-c", "public", target.as_str(), "IF-MIB::ifInOctets.2"];
    let (theirs, ours) = delta_beside(&args, Some((&theirs_dir, &ours_dir)));
    assert!(ours.status.success(), "{ours:?}");
    assert_eq!(String::from_utf8_lossy(&ours.stdout), "", "-Cl writes nothing to stdout");
    assert_eq!(String::from_utf8_lossy(&theirs.stdout), "");
    let files = |d: &std::path::Path| {
        let mut f: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        f.sort();
        f
    };
    let expected = files(&theirs_dir);
    let logs = [
        format!("{target}-IF-MIB::ifInOctets.1"),
        format!("{target}-IF-MIB::ifInOctets.2"),
        format!("{target}-Sum"),
        "oids".to_owned(),
    ];
    assert_eq!(expected, logs);
    assert_eq!(files(&ours_dir), expected);
    // The first two lines of each: the -CF OID first, then the constant one's 0, then the sum.
    for name in &logs[..3] {
        let first = |d: &std::path::Path| -> Vec<String> {
            std::fs::read_to_string(d.join(name))
                .unwrap()
                .lines()
                .take(2)
                .map(|l| l.split(": ").next().unwrap_or("").to_owned())
                .collect()
        };
        assert_eq!(first(&ours_dir), first(&theirs_dir), "{name}");
    }
    let constant = std::fs::read_to_string(ours_dir.join(format!("{target}-IF-MIB::ifInOctets.2"))).unwrap();
    assert_eq!(constant, "IF-MIB::ifInOctets.2 /1 sec: 0\nIF-MIB::ifInOctets.2 /1 sec: 0\n");
}
