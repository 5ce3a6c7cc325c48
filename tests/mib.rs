//! MIBs: output with the shipped modules next to Net-SNMP's tools run with `-M mibs -m ALL`
//! (the same files) against a real snmpd; every OID of the shipped set translated both ways;
//! user modules from `-M`; diagnostics for broken modules in `fixtures/mib/`.

use crate::agent::Snmpd;
use crate::commands::{run, same_as};

fn mibs() -> String {
    concat!(concat!(env!("CARGO_MANIFEST_DIR"), "/.."), "/mibs").to_string()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn snmpd() -> Snmpd {
    Snmpd::start(
        "mib",
        "rocommunity public 127.0.0.1\nsysLocation lab\nextend hello /bin/echo hello world\n\
         extend two /bin/echo -e one\\ntwo\n",
    )
}

#[test]
fn walks_read_like_snmpwalk_with_all_mibs() {
    let agent = snmpd();
    let a = agent.agent();
    let m = mibs();
    let base = ["-M", m.as_str(), "-m", "ALL", "-v2c", "-c", "public"];
    let tables = [
        "SNMPv2-MIB::system",
        "IF-MIB::ifTable",
        "IF-MIB::ifXTable",
        "RFC1213-MIB::ipAddrTable",
        "IP-MIB::ipAddressTable",
        "HOST-RESOURCES-MIB::hrStorageTable",
        "HOST-RESOURCES-MIB::hrSystem",
        "NET-SNMP-EXTEND-MIB::nsExtendObjects",
        "IP-MIB::ipNetToPhysicalTable",
        "UCD-SNMP-MIB::laTable",
        "SNMP-FRAMEWORK-MIB::snmpEngine",
        "SNMPv2-MIB::sysORTable",
        "IP-FORWARD-MIB::inetCidrRouteTable",
        "SNMP-VIEW-BASED-ACM-MIB::vacmViewTreeFamilyTable",
        "NET-SNMP-AGENT-MIB::nsModuleTable",
    ];
    for table in tables {
        let mut args = base.to_vec();
        args.extend_from_slice(&[a.as_str(), table]);
        let (out, o) = same_as("snmpbulkwalk", "walk", &args);
        assert_eq!(o.status.code(), Some(0), "{table}: {}", stderr(&o));
        assert!(!out.contains("iso.3.6"), "{table}: names are resolved\n{out}");
    }
    // Output options that change names, indexes, enumerations, hints and units.
    for opts in
        ["-Os", "-Of", "-On", "-Ob", "-OX", "-Oe", "-Oq", "-OQ", "-OU", "-Ox", "-Ov", "-Ou", "-OS", "-O0"]
    {
        for table in [
            "IP-MIB::ipAddressTable",
            "IF-MIB::ifTable",
            "HOST-RESOURCES-MIB::hrStorageTable",
            "NET-SNMP-EXTEND-MIB::nsExtendOutLine",
            "NET-SNMP-AGENT-MIB::nsModuleName",
        ] {
            let mut args = base.to_vec();
            args.extend_from_slice(&[opts, a.as_str(), table]);
            same_as("snmpbulkwalk", "walk", &args);
        }
    }
    // v1 GetNext walk of the system group.
    let args = ["-M", m.as_str(), "-m", "ALL", "-v1", "-c", "public", a.as_str(), "system"];
    same_as("snmpwalk", "walk", &args);
}

#[test]
fn names_as_input_and_get_output_match_snmpget() {
    let agent = snmpd();
    let a = agent.agent();
    let m = mibs();
    let mut args = vec!["-M", m.as_str(), "-m", "ALL", "-v2c", "-c", "public", a.as_str()];
    args.extend_from_slice(&[
        "SNMPv2-MIB::sysDescr.0",
        "SNMPv2-MIB::sysUpTime.0",
        "IF-MIB::ifDescr.1",
        "IF-MIB::ifType.1",
        "IF-MIB::ifAdminStatus.1",
        "HOST-RESOURCES-MIB::hrSystemDate.0",
        "NET-SNMP-EXTEND-MIB::nsExtendOutLine.\"hello\".1",
        "SNMPv2-MIB::sysObjectID.0",
    ]);
    let (out, o) = same_as("snmpget", "get", &args);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("INTEGER: up(1)"), "{out}");
    assert!(out.contains("NET-SNMP-EXTEND-MIB::nsExtendOutLine.\"hello\".1 = STRING: hello world"), "{out}");
    // Bare names, as Net-SNMP resolves them with -IR (snmpctl does without asking).
    let ours = run("snmpctl", &["get", "-M", &m, "-m", "ALL", "-c", "public", &a, "sysDescr.0", "ifDescr.1"]);
    let theirs = run(
        "snmpget",
        &["-IR", "-M", &m, "-m", "ALL", "-v2c", "-c", "public", &a, "sysDescr.0", "ifDescr.1"],
    );
    assert_eq!(stdout(&ours), stdout(&theirs));
    // An InetAddress index written as it prints reads back as the address (Net-SNMP reads the
    // same text as a 9-character string, which names no row).
    let name = "IP-MIB::ipAddressIfIndex.ipv4.\"127.0.0.1\"";
    let o = run("snmpctl", &["translate", "-m", "ALL", "-On", name]);
    assert_eq!(stdout(&o), ".1.3.6.1.2.1.4.34.1.3.1.4.127.0.0.1\n");
    let o = run("snmpctl", &["get", "-M", &m, "-m", "ALL", "-c", "public", &a, name]);
    assert_eq!(stdout(&o), format!("{name} = INTEGER: 1\n"));
    // An unknown name is an error that says which.
    let o = run("snmpctl", &["get", "-m", "ALL", "-c", "public", &a, "IF-MIB::ifNoSuchThing.1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("ifNoSuchThing"), "{}", stderr(&o));
}

/// Runs snmptranslate over many OIDs at once; it prints a blank line between results, so
/// blank lines are dropped from both sides (descriptions that hold blank lines compare too).
fn translate_all(flags: &[&str], oids: &[String]) -> (String, String) {
    translate_with(&mibs(), None, flags, oids)
}

/// As [`translate_all`], snmptranslate with `-M theirs`, snmpctl with `-M ours` when given
/// (the shipped modules are always loaded).
fn translate_with(
    theirs_dirs: &str,
    ours_dirs: Option<&str>,
    flags: &[&str],
    oids: &[String],
) -> (String, String) {
    let mut theirs = String::new();
    let mut ours = String::new();
    for chunk in oids.chunks(400) {
        let mut args = vec!["-M", theirs_dirs, "-m", "ALL"];
        args.extend_from_slice(flags);
        args.extend(chunk.iter().map(String::as_str));
        theirs.push_str(&stdout(&run("snmptranslate", &args)));
        let mut args = vec!["translate", "-m", "ALL"];
        if let Some(dirs) = ours_dirs {
            args.extend(["-M", dirs]);
        }
        args.extend_from_slice(flags);
        args.extend(chunk.iter().map(String::as_str));
        let o = run("snmpctl", &args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(stderr(&o), "");
        ours.push_str(&stdout(&o));
    }
    let squeeze = |s: &str| s.lines().filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n");
    (squeeze(&theirs), squeeze(&ours))
}

/// What snmptranslate -Td prints differently and snmpctl does not copy: it names
/// NOTIFICATION-GROUP "type_23"; it prints a module name instead of an Opaque's size
/// (`Opaque (UCD-SNMP-MIB)` for UCD-SNMP-MIB's Float, `Opaque (ALARM-MIB)`, …), so sizes of
/// Opaque types are not compared.
fn net_snmp_oddities(text: &str) -> String {
    let text = text.replace(" type_23\n", " NOTIFICATION-GROUP\n");
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        match line.strip_prefix("  SYNTAX\tOpaque (") {
            Some(_) => out.push_str("  SYNTAX\tOpaque (size)\n"),
            None => out.push_str(line),
        }
    }
    out
}

/// A `Range:` line as Net-SNMP's 32-bit arithmetic prints it for some types:
/// `1..4294967295` as `1..-1`.
fn in_32_bits(line: &str) -> String {
    let Some((head, ranges)) = line.split_once("Range: ") else { return line.to_string() };
    let wrap = |n: &str| match n.parse::<i64>() {
        Ok(v) if v > i64::from(i32::MAX) => (v as u32 as i32).to_string(),
        _ => n.to_string(),
    };
    let parts: Vec<String> = ranges
        .split(" | ")
        .map(|r| match r.split_once("..") {
            Some((a, b)) => format!("{}..{}", wrap(a), wrap(b)),
            None => wrap(r),
        })
        .collect();
    format!("{head}Range: {}", parts.join(" | "))
}

/// Objects of the shipped set whose `-Td` details snmpctl does not print as Net-SNMP does
/// (every name and number of theirs agrees), by cause:
/// - DPI20-MIB, whose IMPORTS lack the closing `;`: Net-SNMP reads the whole module as its
///   IMPORTS and loads none of it; snmpctl loads it, so `ibm` lists it in `-- FROM` too.
/// - Net-SNMP's 32-bit arithmetic, kept as snmpctl prints it: `(1..-1)` for `(1..4294967295)`,
///   `(-1..-2147483648)` for `(-1..2147483648)`, a DEFVAL of 16 hex bytes as `0`, of 15 bytes
///   as a truncated number, of 8 bytes `FF…FE` as `-2`.
/// - CHARACTER-MIB's charPortName, whose DisplayString is not imported: both give it no syntax,
///   and Net-SNMP prints ` (CHARACTER-MIB)` before MAX-ACCESS.
const DETAILS_UNLIKE_NET_SNMP: &[&str] = &[
    "RFC1253-MIB::ospfIfRtrDeadInterval",
    "RFC1253-MIB::ospfIfPollInterval",
    "RFC1253-MIB::ospfVirtIfRtrDeadInterval",
    "CHARACTER-MIB::charPortName",
    "UPS-MIB::upsShutdownAfterDelay",
    "UPS-MIB::upsStartupAfterDelay",
    "DLSW-MIB::dlswTConnConfigSapList",
    "DLSW-MIB::dlswIfSapList",
    "POLICY-BASED-MANAGEMENT-MIB::pmSchedTimeOfDay",
    "IPSEC-SPD-MIB::spdTimeFiltDayOfMonthMask",
    "IBM-6611-APPN-MIB::ibm",
];

/// Compares `snmptranslate -Td` output with snmpctl's object by object (each starts with its
/// `MODULE::name` line): the same objects in the same order, each printed the same but for
/// those of [`DETAILS_UNLIKE_NET_SNMP`], which must all still differ (so that the list
/// shrinks as they are fixed).
fn assert_details_match(theirs: &str, ours: &str) {
    let theirs = net_snmp_oddities(theirs);
    let ours = net_snmp_oddities(ours);
    let records = |text: &str| -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = Vec::new();
        for line in text.lines() {
            let head = line.split_once("::").is_some_and(|(m, rest)| {
                !m.is_empty()
                    && m.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                    && !rest.starts_with(' ')
            });
            match out.last_mut() {
                Some(r) if !head => r.push(line.to_string()),
                _ => out.push(vec![line.to_string()]),
            }
        }
        out
    };
    let (theirs, ours) = (records(&theirs), records(&ours));
    assert_eq!(ours.len(), theirs.len(), "objects");
    let mut differing: Vec<&str> = Vec::new();
    for (o, t) in ours.iter().zip(&theirs) {
        assert_eq!(o.first(), t.first(), "objects in the same order");
        if o != t {
            let name = t.first().map_or("", String::as_str);
            assert!(
                DETAILS_UNLIKE_NET_SNMP.contains(&name),
                "{name}:\nours:\n{}\ntheirs:\n{}",
                o.join("\n"),
                t.join("\n")
            );
            differing.push(name);
        }
    }
    for known in DETAILS_UNLIKE_NET_SNMP {
        assert!(differing.contains(known), "{known} now prints as Net-SNMP prints it: take it off the list");
    }
}

#[test]
fn every_shipped_oid_translates_as_snmptranslate() {
    let m = mibs();
    let all = run("snmptranslate", &["-M", &m, "-m", "ALL", "-To"]);
    let oids: Vec<String> = stdout(&all).lines().map(str::to_owned).collect();
    assert!(oids.len() > 2500, "snmptranslate -To listed {} OIDs", oids.len());
    for flags in [&[][..], &["-On"], &["-Of"], &["-Os"], &["-Ou"]] {
        let (theirs, ours) = translate_all(flags, &oids);
        assert_eq!(ours, theirs, "translate {flags:?}");
    }
    // Details: Net-SNMP's oddities are normalised (net_snmp_oddities).
    let (theirs, ours) = translate_all(&["-Td"], &oids);
    assert_details_match(&theirs, &ours);
    // Names to numbers.
    let names: Vec<String> = [
        "SNMPv2-MIB::sysDescr.0",
        "IF-MIB::ifDescr.3",
        "IF-MIB::ifTable",
        ".iso.org.dod.internet.mgmt.mib-2.system.sysUpTime.0",
        "NET-SNMP-EXTEND-MIB::nsExtendOutLine.\"hello\".1",
        "HOST-RESOURCES-MIB::hrStorageDescr.31",
        "SNMP-VIEW-BASED-ACM-MIB::vacmAccessContextMatch.\"grp\".\"\".3.noAuthNoPriv",
        "RFC1213-MIB::ipAdEntAddr.127.0.0.1",
    ]
    .map(String::from)
    .to_vec();
    let (theirs, ours) = translate_all(&["-On"], &names);
    assert_eq!(ours, theirs);
    // String indexes holding quotes and backslashes: printed as they are; -OE escapes the
    // enclosing quotes only.
    let quoted: Vec<String> = [
        ".1.3.6.1.4.1.8072.1.3.2.2.1.2.3.113.34.120",
        ".1.3.6.1.4.1.8072.1.3.2.2.1.2.3.113.92.120",
        ".1.3.6.1.6.3.16.1.5.2.1.3.2.39.120",
        ".1.3.6.1.6.3.12.1.2.1.2.120.39",
    ]
    .map(String::from)
    .to_vec();
    for flags in [&[][..], &["-OE"], &["-OX"]] {
        let (theirs, ours) = translate_all(flags, &quoted);
        assert_eq!(ours, theirs, "{flags:?}");
    }
}

/// -Tp: the whole shipped tree drawn as snmptranslate draws it (69,800 lines, where modules
/// that give one OID different labels are drawn side by side), at the default width and at
/// widths that wrap Index and Values lines, and some subtrees. Two known differences are
/// taken out first: Net-SNMP's 32-bit ranges (see [`DETAILS_UNLIKE_NET_SNMP`]) and the
/// subtree of DPI20-MIB, which Net-SNMP does not load.
#[test]
fn tree_drawings_match_snmptranslate() {
    let m = mibs();
    for (width, root) in [
        (None, None),
        (Some("35"), None),
        (Some("70"), None),
        (Some("70"), Some("IF-MIB::ifMIB")),
        (None, Some(".1.0.8802.1.1.3")),
        (None, Some("SNMPv2-SMI::transmission")),
    ] {
        let mut args = vec!["-M", m.as_str(), "-m", "ALL", "-Tp"];
        if let Some(w) = width {
            args.extend_from_slice(&["-w", w]);
        }
        args.extend(root);
        let theirs = stdout(&run("snmptranslate", &args));
        let mut ours_args = vec!["translate"];
        ours_args.extend_from_slice(&args);
        let o = run("snmpctl", &ours_args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let ours = drawn_as_net_snmp(&stdout(&o));
        assert!(theirs.lines().count() > 100, "{root:?}: {theirs}");
        for (i, (o, t)) in ours.iter().zip(theirs.lines()).enumerate() {
            if o != t {
                assert_eq!(in_32_bits(o), t, "-Tp {width:?} {root:?}: line {}", i + 1);
            }
        }
        assert_eq!(ours.len(), theirs.lines().count(), "-Tp {width:?} {root:?}");
    }
}

/// snmpctl's drawing without what Net-SNMP does not draw: DPI20-MIB's subtree.
fn drawn_as_net_snmp(ours: &str) -> Vec<String> {
    let lines: Vec<&str> = ours.lines().collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut i = 0;
    while let Some(&line) = lines.get(i) {
        if let Some(col) = line.find("+--ibmDPI(2)") {
            // The subtree and the spacer line after it.
            i += 1;
            while lines.get(i).is_some_and(|l| l.len() > col && l.as_bytes()[col] != b'+') {
                i += 1;
            }
            continue;
        }
        out.push(line.to_string());
        i += 1;
    }
    out
}

#[test]
fn user_modules_and_diagnostics() {
    let fixtures = concat!(concat!(env!("CARGO_MANIFEST_DIR"), "/.."), "/fixtures/mib");
    let user = format!("{fixtures}/user");
    let m = mibs();
    let path = format!("{user}:{m}");
    for (name, flag) in
        [("SNMPCTL-TEST-MIB::testTemp.2.'ab'", "-On"), (".1.3.6.1.4.1.99997.1.1.3.2.97.98", "-OS")]
    {
        let theirs = run("snmptranslate", &["-M", &path, "-m", "ALL", flag, name]);
        let ours = run("snmpctl", &["translate", "-m", "ALL", "-M", &user, flag, name]);
        assert_eq!(stdout(&ours), stdout(&theirs), "{name}");
        assert_eq!(stderr(&ours), "");
    }
    let theirs = run("snmptranslate", &["-M", &path, "-m", "ALL", "-Td", "SNMPCTL-TEST-MIB::testTemp"]);
    let ours = run("snmpctl", &["translate", "-m", "ALL", "-M", &user, "-Td", "SNMPCTL-TEST-MIB::testTemp"]);
    assert_eq!(stdout(&ours), stdout(&theirs));
    // MIBDIRS works as -M does; -m "" loads nothing.
    let o = crate::snmpctl()
        .args(["translate", ".1.3.6.1.4.1.99997.1"])
        .env("MIBDIRS", &user)
        .env_remove("MIBS")
        .output()
        .unwrap();
    assert_eq!(stdout(&o), "SNMPCTL-TEST-MIB::testTable\n");
    let o = run("snmpctl", &["translate", "-m", "", "sysDescr"]);
    assert_eq!(o.status.code(), Some(2));
    // Broken modules: each problem names the file, the line and the module; the rest loads.
    let o = run("snmpctl", &["translate", "-M", fixtures, "-m", "ALL", "IF-MIB::ifDescr"]);
    assert_eq!(stdout(&o), "IF-MIB::ifDescr\n");
    let err = stderr(&o);
    assert!(err.contains("BROKEN-SYNTAX-MIB.txt:9: BROKEN-SYNTAX-MIB: expected '}' to close the enumeration, found 'MAX-ACCESS'"), "{err}");
    assert!(err.contains("UNDEFINED-PARENT-MIB.txt:5: UNDEFINED-PARENT-MIB: unlinked OID orphan: undefined identifier noSuchParent"), "{err}");
    assert!(
        err.contains(&format!("MISSING-IMPORT-MIB.txt:4: MISSING-IMPORT-MIB: cannot find module NO-SUCH-MIB; searched: {fixtures}, (the shipped modules)")),
        "{err}"
    );
}

/// The cache of compiled modules: a second run answers from it exactly as the first (output and
/// warnings), an edited file is read again, and the cache off or unwritable changes nothing.
#[test]
fn the_cache_of_compiled_modules_answers_as_the_files() {
    let fixtures = concat!(concat!(env!("CARGO_MANIFEST_DIR"), "/.."), "/fixtures/mib");
    let tmp = std::env::temp_dir().join(format!("snmpctl-mib-cache-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let (dir, cache) = (tmp.join("mibs"), tmp.join("cache"));
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["user/SNMPCTL-TEST-MIB.txt", "BROKEN-SYNTAX-MIB.txt", "MISSING-IMPORT-MIB.txt"] {
        let from = std::path::Path::new(fixtures).join(f);
        std::fs::copy(&from, dir.join(from.file_name().unwrap())).unwrap();
    }
    let translate = |cache: &std::ffi::OsStr, names: &[&str]| {
        let o = crate::snmpctl()
            .args(["translate", "-M", dir.to_str().unwrap(), "-m", "ALL", "-Td"])
            .args(names)
            .env("SNMPCTL_MIB_CACHE", cache)
            .output()
            .unwrap();
        (o.status.code(), stdout(&o), stderr(&o))
    };
    let names = ["SNMPCTL-TEST-MIB::testTemp", "IF-MIB::ifDescr"];
    let off = translate("off".as_ref(), &names);
    assert!(off.1.contains("testTemp") && off.2.contains("BROKEN-SYNTAX-MIB"), "{off:?}");
    let entries = || std::fs::read_dir(&cache).map_or(0, |d| d.count());
    assert_eq!(translate(cache.as_os_str(), &names), off, "first run");
    assert_eq!(entries(), 1);
    assert_eq!(translate(cache.as_os_str(), &names), off, "from the cache");
    assert_eq!(entries(), 1);
    // An edited module is read again: its new object resolves.
    let path = dir.join("SNMPCTL-TEST-MIB.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let end = text.rfind("END").unwrap();
    let edited =
        format!("{}testExtra OBJECT IDENTIFIER ::= {{ testTable 77 }}\n{}", &text[..end], &text[end..]);
    std::fs::write(&path, edited).unwrap();
    let again = translate(cache.as_os_str(), &["-On", "SNMPCTL-TEST-MIB::testExtra"]);
    assert!(again.1.starts_with(".1.3.6.1.4.1.99997.1.77\n"), "{again:?}");
    assert_eq!(entries(), 2);
    // A cache that cannot be written (a file where its directory would be) is no cache.
    let blocked = tmp.join("blocked");
    std::fs::write(&blocked, "").unwrap();
    assert_eq!(translate(blocked.join("x").as_os_str(), &["-On", "SNMPCTL-TEST-MIB::testExtra"]), again);
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Values snmpd does not serve, from the fake agent: BITS with labels, a value of another type
/// than the MIB says ("Wrong Type"), and an enumeration value with no label.
#[test]
fn bits_and_wrong_types_print_as_snmpget() {
    use crate::commands::Fake;
    use snmpctl::agent::Responder;
    use snmpctl::value::{Oid, Value};
    let oid = |s: &str| s.parse::<Oid>().unwrap();
    let fake = Fake::start(Responder::new(vec![
        (oid("1.3.6.1.2.1.1.1.0"), Value::Integer(5)),
        (oid("1.3.6.1.2.1.2.2.1.3.1"), Value::Integer(9999)),
        (oid("1.3.6.1.2.1.2.2.1.7.1"), Value::OctetString(b"up".to_vec())),
        (oid("1.3.6.1.2.1.88.1.2.2.1.4.1.97.116"), Value::OctetString(vec![0xe0])),
        (oid("1.3.6.1.2.1.88.1.2.2.1.4.1.97.117"), Value::OctetString(vec![0x20, 0x01])),
    ]));
    let a = fake.agent();
    let m = mibs();
    for opts in [&[][..], &["-Oq"], &["-OQ"], &["-Oe"]] {
        let mut args = vec!["-M", m.as_str(), "-m", "ALL", "-v2c", "-c", "public"];
        args.extend_from_slice(opts);
        args.extend_from_slice(&[
            a.as_str(),
            "SNMPv2-MIB::sysDescr.0",
            "IF-MIB::ifType.1",
            "IF-MIB::ifAdminStatus.1",
            "DISMAN-EVENT-MIB::mteTriggerTest.\"a\".'t'",
            "DISMAN-EVENT-MIB::mteTriggerTest.\"a\".'u'",
        ]);
        let (out, _) = same_as("snmpget", "get", &args);
        if opts.is_empty() {
            assert!(out.contains("Wrong Type (should be OCTET STRING): INTEGER: 5"), "{out}");
            assert!(out.contains("BITS: E0 existence(0) boolean(1) threshold(2)"), "{out}");
        }
    }
}

/// `set` with `=`: the type from the MIB, as snmpset reads it; enumeration labels with `i`;
/// values that do not fit the object are refused before anything is sent.
#[test]
fn set_takes_types_from_the_mib() {
    let agent = Snmpd::start("mib-set", &crate::agent::matrix_config());
    let a = agent.agent();
    let m = mibs();
    let base = ["-M", m.as_str(), "-m", "ALL", "-v2c", "-c", "private", a.as_str()];
    for (i, assignment) in
        [["SNMPv2-MIB::sysName.0", "=", "core-rtr-1"], ["sysName.0", "=", "edge 2"]].iter().enumerate()
    {
        let mut args = base.to_vec();
        args.extend_from_slice(assignment);
        let (out, o) = same_as("snmpset", "set", &args);
        assert_eq!(o.status.code(), Some(0), "{i}");
        assert!(out.starts_with("SNMPv2-MIB::sysName.0 = STRING: "), "{out}");
    }
    let get = |name: &str| {
        let mut args = vec!["get"];
        args.extend_from_slice(&base);
        args.push(name);
        stdout(&run("snmpctl", &args))
    };
    assert_eq!(get("sysName.0"), "SNMPv2-MIB::sysName.0 = STRING: edge 2\n");
    // Refused before sending: the value on the agent does not change.
    let cases = [
        ("SNMPv2-MIB::sysName.0", "=", "x".repeat(300), "Value out of range (300 octets, SIZE 0..255)"),
        ("SNMPv2-MIB::sysServices.0", "=", "300".into(), "Value out of range (300 is outside 0..127)"),
        (
            "IF-MIB::ifAdminStatus.1",
            "=",
            "7".into(),
            "Value out of range (7 is not one of up(1), down(2), testing(3))",
        ),
        ("IF-MIB::ifAdminStatus.1", "i", "sideways".into(), "Value out of range (sideways)"),
        ("SNMPv2-MIB::sysUpTime.0", "=", "5".into(), "Bad variable type (\"=\")"),
    ];
    for (name, ty, value, message) in cases {
        let mut args = vec!["set"];
        args.extend_from_slice(&base);
        args.extend_from_slice(&[name, ty, value.as_str()]);
        let o = run("snmpctl", &args);
        assert_eq!(o.status.code(), Some(2), "{name}");
        assert!(stderr(&o).starts_with(&format!("snmpctl: {name}: {message}")), "{}", stderr(&o));
        assert_eq!(stdout(&o), "");
    }
    assert_eq!(get("sysName.0"), "SNMPv2-MIB::sysName.0 = STRING: edge 2\n");
}

/// Every node of the vendor-style modules in `fixtures/mibs/` (one construct per file: leading
/// comments, bytes that are not UTF-8, enumeration labels, lower-case types, SMIv1/SMIv2
/// mixes, inline and unnamed OID steps, a label defined twice, TRAP-TYPE, old module names),
/// as snmptranslate loads them: OID to name, name to OID, and the details of each.
#[test]
fn vendor_constructs_load_as_snmptranslate_loads_them() {
    let dir = concat!(concat!(env!("CARGO_MANIFEST_DIR"), "/.."), "/fixtures/mibs");
    let path = format!("{dir}:{}", mibs());
    let dump = run("snmptranslate", &["-M", &path, "-m", "ALL", "-Tz"]);
    let oids: Vec<String> = stdout(&dump)
        .lines()
        .filter_map(|l| l.rsplit_once('"').map(|(a, _)| a).and_then(|a| a.rsplit_once('"')).map(|(_, o)| o))
        .filter(|o| o.starts_with("1.3.6.1.4.1.999") && o.get(15..17).is_some_and(|n| n < "20"))
        .map(|o| format!(".{o}"))
        .collect();
    assert!(oids.len() > 50, "snmptranslate listed {} fixture nodes", oids.len());
    let both = |flags: &[&str], items: &[String]| {
        let mut theirs = vec!["-M", path.as_str(), "-m", "ALL"];
        theirs.extend_from_slice(flags);
        theirs.extend(items.iter().map(String::as_str));
        let mut ours = vec!["translate", "-M", dir, "-m", "ALL"];
        ours.extend_from_slice(flags);
        ours.extend(items.iter().map(String::as_str));
        let (t, o) = (run("snmptranslate", &theirs), run("snmpctl", &ours));
        // The one problem in the fixtures, reported once (Net-SNMP says nothing).
        assert_eq!(
            stderr(&o),
            format!(
                "MIB: {dir}/trap-type.mib:26: VENDOR-TRAP-TYPE-MIB: trapDegraded: object trapUndefinedCause is not defined\n"
            ),
            "snmpctl {flags:?}"
        );
        // Anonymous nodes are numbered by a counter across every module read, which differs
        // with what each tool reads before these modules.
        let anonymous = |l: &str| match l.find("anonymous#") {
            Some(at) => {
                let rest = &l[at + 10..];
                let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                format!("{}anonymous#N{}", &l[..at], &rest[digits..])
            }
            None => l.to_owned(),
        };
        let squeeze = |s: String| s.lines().filter(|l| !l.is_empty()).map(anonymous).collect::<Vec<_>>();
        (squeeze(stdout(&t)), squeeze(stdout(&o)))
    };
    let (names, ours) = both(&[], &oids);
    assert_eq!(ours, names, "OIDs to names");
    assert_eq!(names.len(), oids.len());
    let (theirs, ours) = both(&["-On"], &names);
    assert_eq!(ours, theirs, "names to OIDs");
    let (theirs, ours) = both(&["-Td"], &oids);
    for (o, t) in ours.iter().zip(&theirs) {
        assert_eq!(o, t, "details");
    }
    assert_eq!(ours.len(), theirs.len(), "details");
    let (theirs, ours) = both(&["-Of"], &oids);
    assert_eq!(ours, theirs, "full names");
    // Each fixture's subtree drawn (labels defined twice side by side, traps spaced).
    let roots: std::collections::BTreeSet<&str> =
        oids.iter().filter_map(|o| o.get(..18)).filter(|o| o.len() == 18).collect();
    assert!(roots.len() >= 8, "{roots:?}");
    for root in roots {
        let (theirs, ours) = both(&["-Tp"], &[root.to_string()]);
        assert_eq!(ours, theirs, "-Tp {root}");
    }
}

/// What Net-SNMP loses whole, snmpctl keeps: a module with a bad definition, a line of five
/// hyphens (a comment of four and a stray one) and an underscore in a name loads all its good
/// definitions, and each problem is reported once with its file, line and module.
#[test]
fn a_bad_definition_does_not_lose_the_module() {
    let dir = concat!(concat!(env!("CARGO_MANIFEST_DIR"), "/.."), "/fixtures/mib/recovery");
    let o = run(
        "snmpctl",
        &[
            "translate",
            "-M",
            dir,
            "-m",
            "ALL",
            "-On",
            "RECOVERY-MIB::goodBefore",
            "RECOVERY-MIB::goodAfter",
            "RECOVERY-MIB::under_score",
            "RECOVERY-MIB::afterDashes",
            "RECOVERY-MIB::brokenThenFine",
        ],
    );
    assert_eq!(
        stdout(&o),
        ".1.3.6.1.4.1.99920.1\n.1.3.6.1.4.1.99920.4\n.1.3.6.1.4.1.99920.2\n.1.3.6.1.4.1.99920.3\n.1.3.6.1.4.1.99920.6\n"
    );
    let err = stderr(&o);
    let file = format!("{dir}/RECOVERY-MIB.txt");
    let expected = [
        format!("MIB: {file}:15: RECOVERY-MIB: brokenAccess: expected an access, found a quoted string\n"),
        format!(
            "MIB: {dir}/notes.txt: not a MIB module (no 'NAME DEFINITIONS ::= BEGIN' at its start), skipped\n"
        ),
    ];
    for e in &expected {
        assert!(err.contains(e.as_str()), "{err}");
    }
    assert_eq!(err.lines().count(), expected.len(), "{err}");
    // Net-SNMP loads none of it.
    let theirs = run(
        "snmptranslate",
        &["-M", &format!("{dir}:{}", mibs()), "-m", "ALL", "-On", "RECOVERY-MIB::goodBefore"],
    );
    assert_eq!(stdout(&theirs), "");
}

/// A module in the user's directories replaces the shipped module of the same name: an older
/// ENTITY-MIB (RFC 4133, as Debian's snmp-mibs-downloader has it) lacks entPhysicalUUID, which
/// the shipped one (RFC 6933) defines. Every OID of the result prints as snmptranslate prints
/// it when that directory comes last in its -M (in Net-SNMP the last directory wins).
#[test]
fn a_users_module_replaces_the_shipped_one() {
    let older = concat!(concat!(env!("CARGO_MANIFEST_DIR"), "/.."), "/fixtures/mib/older");
    let path = format!("{}:{older}", mibs());
    let all = run("snmptranslate", &["-M", &path, "-m", "ALL", "-To"]);
    let oids: Vec<String> = stdout(&all).lines().map(str::to_owned).collect();
    assert!(oids.iter().any(|o| o == ".1.3.6.1.2.1.47.1.1.1.1.18"), "ENTITY-MIB is loaded");
    assert!(!oids.iter().any(|o| o == ".1.3.6.1.2.1.47.1.1.1.1.19"), "the fixture lacks entPhysicalUUID");
    let (theirs, ours) = translate_with(&path, Some(older), &[], &oids);
    assert_eq!(ours, theirs);
    let (theirs, ours) = translate_with(&path, Some(older), &["-Td"], &oids);
    assert_details_match(&theirs, &ours);
    let name = "ENTITY-MIB::entPhysicalUUID";
    let o = run("snmpctl", &["translate", "-M", older, "-m", "ALL", "-On", name]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let o = run("snmpctl", &["translate", "-m", "ALL", "-On", name]);
    assert_eq!(stdout(&o), ".1.3.6.1.2.1.47.1.1.1.1.19\n");
    // The same text as the shipped module's is not read again (and so is no replacement).
    let same =
        tempfile_dir_with("ENTITY-MIB.txt", &std::fs::read(format!("{}/ENTITY-MIB.txt", mibs())).unwrap());
    let o = run("snmpctl", &["translate", "-M", same.to_str().unwrap(), "-m", "ALL", "-Td", name]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    std::fs::remove_dir_all(same).unwrap();
}

/// A fresh directory holding one file.
fn tempfile_dir_with(name: &str, text: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("snmpctl-mib-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), text).unwrap();
    dir
}

/// DisplayString octets that are control characters print as snmpget prints them: in a string
/// with a NUL, `.` for what is not printable or white space (issue 23: a Windows ifDescr ends
/// with a NUL); without one, as they are.
#[test]
fn control_characters_and_network_addresses_print_as_snmpget() {
    let dir = crate::agent::temp_dir("control-chars");
    let file = dir.join("odd.snmprec");
    std::fs::write(
        &file,
        "1.3.6.1.2.1.1.1.0|4x|61000a0962017f630d0a\n1.3.6.1.2.1.1.4.0|4x|6574683000\n\
         1.3.6.1.2.1.2.2.1.2.3|4x|00\n1.3.6.1.2.1.2.2.1.2.4|4x|612262\n\
         1.3.6.1.2.1.3.1.1.3.2.1.10.1.100.1|64|10.1.100.1\n\
         1.3.6.1.2.1.25.1.2.0|4x|0000000000000000000000\n\
         1.3.6.1.2.1.2.2.1.2.5|4x|01616263\n1.3.6.1.2.1.2.2.1.2.6|4x|6100c462\n",
    )
    .unwrap();
    let agent = crate::sim::Agent::start(&[file.to_str().unwrap()], 1);
    let m = mibs();
    // And an SMIv1 NetworkAddress (RFC1213-MIB's atNetAddress): `Network Address: 0A:01:64:01`.
    let names = [
        "sysDescr.0",
        "sysContact.0",
        "IF-MIB::ifDescr.3",
        "IF-MIB::ifDescr.4",
        "RFC1213-MIB::atNetAddress.2.1.10.1.100.1",
        // A DateAndTime of zero octets: the zone's direction, a NUL, prints as `.`.
        "HOST-RESOURCES-MIB::hrSystemDate.0",
        // Control characters without a NUL go out as they are; with one, as `.`.
        "IF-MIB::ifDescr.5",
        "IF-MIB::ifDescr.6",
    ];
    let mut args = vec!["-M", m.as_str(), "-m", "ALL", "-v2c", "-c", "odd"];
    let a = agent.addr();
    args.push(&a);
    args.extend(names);
    let theirs = run("snmpget", &args);
    let mut ours_args = vec!["get"];
    ours_args.extend(&args);
    let ours = run("snmpctl", &ours_args);
    assert_eq!(ours.stdout, theirs.stdout, "{}", String::from_utf8_lossy(&theirs.stdout));
    assert!(String::from_utf8_lossy(&ours.stdout).contains("STRING: eth0.\n"));
    assert!(String::from_utf8_lossy(&ours.stdout).contains("Network Address: 0A:01:64:01\n"));
    assert!(String::from_utf8_lossy(&ours.stdout).contains("STRING: 0-0-0,0:0:0.0,.0:0\n"));
    // Quick print too.
    args.insert(0, "-Oq");
    let theirs = run("snmpget", &args);
    ours_args.insert(1, "-Oq");
    let ours = run("snmpctl", &ours_args);
    assert_eq!(ours.stdout, theirs.stdout, "{}", String::from_utf8_lossy(&theirs.stdout));
}

/// An instance under a row whose column the MIB does not define (the column's number, then the
/// index broken down by the row's INDEX) and InetAddress indexes with zones print as
/// snmptranslate prints them (issue 23).
#[test]
fn unknown_columns_keep_their_index_broken_down() {
    let m = mibs();
    let oids = [
        ".1.3.6.1.2.1.4.31.3.1.22.1.1",
        ".1.3.6.1.2.1.4.34.1.99.1.4.10.0.0.1",
        ".1.3.6.1.2.1.31.1.1.1.99.4",
        ".1.3.6.1.2.1.2.2.1.99",
        // InetAddress indexes with a zone (ipv6z, ipv4z): the zone after a `%`.
        ".1.3.6.1.2.1.4.34.1.3.4.20.254.128.0.0.0.0.0.0.2.80.86.255.254.168.242.65.18.0.0.6",
        ".1.3.6.1.2.1.4.34.1.3.3.8.10.0.0.1.0.0.0.5",
        ".1.3.6.1.2.1.4.34.1.3.2.16.254.128.0.0.0.0.0.0.2.80.86.255.254.168.242.65",
    ];
    for format in ["-OS", "-Of", "-Os", "-Ou"] {
        let mut args = vec!["-M", m.as_str(), "-m", "ALL", format];
        args.extend(oids);
        let theirs = run("snmptranslate", &args);
        let mut ours_args = vec!["translate"];
        ours_args.extend(&args);
        let ours = run("snmpctl", &ours_args);
        // snmptranslate puts a blank line between the answers to several names.
        let lines = |o: &std::process::Output| -> Vec<String> {
            stdout(o).lines().filter(|l| !l.is_empty()).map(str::to_owned).collect()
        };
        assert_eq!(lines(&ours), lines(&theirs), "{format}");
        assert_eq!(lines(&ours).len(), oids.len());
    }
    let theirs = run("snmptranslate", &["-M", m.as_str(), "-m", "ALL", oids[0]]);
    assert_eq!(stdout(&theirs), "IP-MIB::ipIfStatsEntry.22.ipv4.1\n");
}

/// DisplayString octets that are not UTF-8 (Latin-1 and GBK text, common on European and
/// Chinese devices) print as they came, byte for byte as Net-SNMP's tools print them, in get,
/// walk and table output (issue 23: they printed as U+FFFD).
#[test]
fn display_strings_that_are_not_utf8_print_as_they_came() {
    let dir = crate::agent::temp_dir("not-utf8");
    let file = dir.join("latin.snmprec");
    // sysLocation "Köln, Straße 1" in Latin-1; sysName "北京" in GBK; sysContact UTF-8;
    // ifXTable rows with a Latin-1 ifAlias and a GBK one.
    std::fs::write(
        &file,
        "1.3.6.1.2.1.1.4.0|4x|4dc3bc6c6c6572\n1.3.6.1.2.1.1.5.0|4x|b1b1bea9\n\
         1.3.6.1.2.1.1.6.0|4x|4bf66c6e2c20537472612fdf652031\n\
         1.3.6.1.2.1.31.1.1.1.1.1|4|eth0\n1.3.6.1.2.1.31.1.1.1.1.2|4|eth1\n\
         1.3.6.1.2.1.31.1.1.1.18.1|4x|4175df656e\n1.3.6.1.2.1.31.1.1.1.18.2|4x|c9cfbaa3\n",
    )
    .unwrap();
    let agent = crate::sim::Agent::start(&[file.to_str().unwrap()], 1);
    let m = mibs();
    let a = agent.addr();
    let base = ["-M", m.as_str(), "-m", "ALL", "-v2c", "-c", "latin", a.as_str()];
    let with = |extra: &[&'static str]| [&base[..], extra].concat();
    let pairs = [
        ("snmpget", vec!["get"], with(&["sysContact.0", "sysName.0", "sysLocation.0"])),
        ("snmpbulkwalk", vec!["walk"], with(&["system"])),
        ("snmpbulkwalk", vec!["walk"], with(&["-Oqv", "IF-MIB::ifAlias"])),
        ("snmptable", vec!["table"], with(&["IF-MIB::ifXTable"])),
        ("snmptable", vec!["table"], with(&["-Cf", ",", "-Ci", "IF-MIB::ifXTable"])),
    ];
    for (theirs, ours, args) in pairs {
        let t = run(theirs, &args);
        let o = run("snmpctl", &[&ours[..], &args[..]].concat());
        assert_eq!(o.stdout, t.stdout, "{theirs} {args:?}\n{}", String::from_utf8_lossy(&t.stdout));
    }
    let o = run("snmpctl", &[&["get"][..], &with(&["sysLocation.0"])].concat());
    assert!(o.stdout.windows(4).any(|w| w == b"K\xf6ln"), "{:?}", String::from_utf8_lossy(&o.stdout));
    // JSON is UTF-8: the octets are replaced there, and kept in "hex".
    let j = run("snmpctl", &[&["--format", "json", "get"][..], &with(&["sysLocation.0"])].concat());
    let text = String::from_utf8(j.stdout).expect("JSON output is UTF-8");
    assert!(text.contains("K\u{fffd}ln") && text.contains("4bf66c6e"), "{text}");
}
