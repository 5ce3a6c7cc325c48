//! snmp.conf as Net-SNMP's tools read it (issue 23): snmpctl and snmpget run with the same
//! `SNMPCONFPATH` files against the same simulated agent, and what each prints compared. The
//! agent answers differently per community and per version, so the output shows which
//! settings were sent.

use crate::sim::Agent;
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_snmpctl");

fn mibs() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../mibs").to_string()
}

/// Runs `program` with only the environment given for MIBs and snmp.conf.
fn run(program: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(if program == "snmpctl" { BIN } else { program });
    c.args(args).env_remove("MIBS").env_remove("MIBDIRS").env_remove("MIBFILES");
    c.env("HOME", "/nonexistent");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// snmpget and `snmpctl get` with the same arguments and environment: their stdout, which
/// must be equal, and both outputs.
fn both(args: &[&str], env: &[(&str, &str)]) -> (String, Output, Output) {
    let theirs = run("snmpget", args, env);
    let ours = run("snmpctl", &[&["get"][..], args].concat(), env);
    assert_eq!(
        String::from_utf8_lossy(&ours.stdout),
        String::from_utf8_lossy(&theirs.stdout),
        "{args:?} {env:?}\nsnmpget stderr: {}\nsnmpctl stderr: {}",
        String::from_utf8_lossy(&theirs.stderr),
        String::from_utf8_lossy(&ours.stderr)
    );
    (String::from_utf8_lossy(&ours.stdout).into_owned(), ours, theirs)
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(name), text).unwrap();
}

/// Two recordings: community `conf` says its sysName is from-conf, community `cli` says
/// from-cli.
fn agent(dir: &Path, extra: &[&str]) -> Agent {
    write(dir, "conf.snmprec", "1.3.6.1.2.1.1.5.0|4|from-conf\n1.3.6.1.4.1.99999.5.0|4|from-conf\n");
    write(dir, "cli.snmprec", "1.3.6.1.2.1.1.5.0|4|from-cli\n");
    let conf = dir.join("conf.snmprec").display().to_string();
    let cli = dir.join("cli.snmprec").display().to_string();
    let mut args = vec![conf.as_str(), cli.as_str()];
    args.extend(extra);
    Agent::start(&args, 1)
}

#[test]
fn defaults_come_from_the_files_in_net_snmps_order_and_the_command_line_wins() {
    let dir = crate::agent::temp_dir("snmpconf-order");
    let agent = agent(&dir, &[]);
    let a = agent.addr();
    let (first, second) = (dir.join("a"), dir.join("b"));
    // a/snmp.conf, a/snmp.local.conf, b/snmp.conf, b/snmp.local.conf, then snmpapp.conf the same
    // way: the last one read wins.
    write(&first, "snmp.conf", "defVersion 1\ndefCommunity nope\n");
    write(&first, "snmp.local.conf", "defCommunity cli\n");
    write(&second, "snmp.conf", "defVersion 2c\ndefCommunity conf\ntimeout 2\nretries 1\n");
    let path = format!("{}:{}", first.display(), second.display());
    let env = [("SNMPCONFPATH", path.as_str()), ("MIBS", "")];
    let (out, ..) = both(&[&a, "1.3.6.1.2.1.1.5.0"], &env);
    assert_eq!(out, "iso.3.6.1.2.1.1.5.0 = STRING: \"from-conf\"\n");
    // -c on the command line wins over the files.
    let (out, ..) = both(&["-c", "cli", &a, "1.3.6.1.2.1.1.5.0"], &env);
    assert!(out.contains("from-cli"), "{out}");
    // b/snmp.local.conf comes after b/snmp.conf; snmpapp.conf after every snmp.conf.
    write(&second, "snmp.local.conf", "defCommunity cli\n");
    let (out, ..) = both(&[&a, "1.3.6.1.2.1.1.5.0"], &env);
    assert!(out.contains("from-cli"), "{out}");
    // snmpapp.conf takes snmp.conf's tokens only after `[snmp]`: without it, an unknown token.
    write(&first, "snmpapp.conf", "defCommunity conf\n");
    let (out, ours, theirs) = both(&[&a, "1.3.6.1.2.1.1.5.0"], &env);
    assert!(out.contains("from-cli"), "{out}");
    assert_eq!(String::from_utf8_lossy(&ours.stderr), String::from_utf8_lossy(&theirs.stderr));
    write(&first, "snmpapp.conf", "[snmp] defCommunity conf\n");
    let (out, ..) = both(&[&a, "1.3.6.1.2.1.1.5.0"], &env);
    assert!(out.contains("from-conf"), "{out}");
    // defVersion: an object the agent lacks reads noSuchName in SNMPv1, noSuchObject in v2c.
    write(&second, "snmp.local.conf", "defVersion 1\n");
    let (_, ours, theirs) = both(&[&a, "1.3.6.1.2.1.1.6.0"], &env);
    assert_eq!(String::from_utf8_lossy(&ours.stderr), String::from_utf8_lossy(&theirs.stderr));
    assert!(String::from_utf8_lossy(&ours.stderr).contains("noSuchName"), "{ours:?}");
}

#[test]
fn output_tokens_and_the_default_port() {
    let dir = crate::agent::temp_dir("snmpconf-output");
    let agent = agent(&dir, &[]);
    let conf = dir.join("conf");
    write(
        &conf,
        "snmp.conf",
        &format!(
            "defVersion 2c\ndefCommunity conf\ndefaultPort {}\nprintNumericOids yes\nquickPrinting 1\n",
            agent.port
        ),
    );
    let path = conf.display().to_string();
    let m = mibs();
    let env = [("SNMPCONFPATH", path.as_str()), ("MIBDIRS", m.as_str()), ("MIBS", "ALL")];
    let (out, ..) = both(&["127.0.0.1", "SNMPv2-MIB::sysName.0"], &env);
    assert_eq!(out, ".1.3.6.1.2.1.1.5.0 from-conf\n");
    // The files are read after the command line, so their output settings win over -O, as
    // in Net-SNMP's tools: `quickPrinting no` turns -Oq off, oidOutputFormat beats -On.
    write(&conf, "snmp.local.conf", "printNumericOids no\nquickPrinting no\noidOutputFormat 1\n");
    for o in ["-Oq", "-OS", "-On", "-Of"] {
        let (out, ..) = both(&[o, "127.0.0.1", "SNMPv2-MIB::sysName.0"], &env);
        assert_eq!(out, "sysName.0 = STRING: from-conf\n", "{o}");
    }
    write(&conf, "snmp.local.conf", "oidOutputFormat 3\nsuffixPrinting 2\n");
    let (out, ..) = both(&["-Oq", "127.0.0.1", "SNMPv2-MIB::sysName.0"], &env);
    assert_eq!(out, "SNMPv2-MIB::sysName.0 from-conf\n");
}

#[test]
fn mibs_from_the_files_the_environment_and_the_command_line() {
    let dir = crate::agent::temp_dir("snmpconf-mibs");
    let agent = agent(&dir, &[]);
    let a = agent.addr();
    let conf = dir.join("conf");
    let m = mibs();
    // Debian's /etc/snmp/snmp.conf: `mibs :` loads no module at all.
    write(&conf, "snmp.conf", &format!("defVersion 2c\ndefCommunity conf\nmibs :\nmibdirs {m}\n"));
    let path = conf.display().to_string();
    let env = [("SNMPCONFPATH", path.as_str())];
    let (out, ..) = both(&[&a, ".1.3.6.1.2.1.1.5.0"], &env);
    assert_eq!(out, "iso.3.6.1.2.1.1.5.0 = STRING: \"from-conf\"\n");
    // A name cannot be read then, by either tool; snmpctl says which line decided it.
    let ours = run("snmpctl", &["get", &a, "sysName.0"], &env);
    assert_eq!(ours.status.code(), Some(2));
    let why = String::from_utf8_lossy(&ours.stderr);
    assert!(why.contains(&format!("`mibs` in {path}/snmp.conf: line 3 loads none")), "{why}");
    assert_ne!(run("snmpget", &[&a, "sysName.0"], &env).status.code(), Some(0));
    // MIBS in the environment wins over the file, -m over both.
    let with_env = [("SNMPCONFPATH", path.as_str()), ("MIBS", "ALL")];
    let (out, ..) = both(&[&a, "sysName.0"], &with_env);
    assert_eq!(out, "SNMPv2-MIB::sysName.0 = STRING: from-conf\n");
    let (out, ..) = both(&["-m", "", &a, ".1.3.6.1.2.1.1.5.0"], &with_env);
    assert_eq!(out, "iso.3.6.1.2.1.1.5.0 = STRING: \"from-conf\"\n");
    let (out, ..) = both(&["-m", "SNMPv2-MIB", &a, "sysName.0"], &env);
    assert!(out.starts_with("SNMPv2-MIB::sysName.0 = STRING: "), "{out}");
    // `mibs +X` adds to the default list: names print.
    write(&conf, "snmp.local.conf", "mibs +IF-MIB\n");
    let (out, ..) = both(&[&a, "sysName.0"], &env);
    assert_eq!(out, "SNMPv2-MIB::sysName.0 = STRING: from-conf\n");
    // mibfile: one file's module, besides the list.
    write(&dir.join("one"), "TEST-ONE-MIB.txt", TEST_MIB);
    let file = dir.join("one/TEST-ONE-MIB.txt").display().to_string();
    write(&conf, "snmp.local.conf", &format!("mibfile {file}\n"));
    let (out, ..) = both(&[&a, "testOneName.0"], &env);
    assert_eq!(out, "TEST-ONE-MIB::testOneName.0 = STRING: \"from-conf\"\n");
}

/// A module of one object, which only it names.
const TEST_MIB: &str = "TEST-ONE-MIB DEFINITIONS ::= BEGIN
IMPORTS OBJECT-TYPE, enterprises FROM SNMPv2-SMI;
testOne OBJECT IDENTIFIER ::= { enterprises 99999 }
testOneName OBJECT-TYPE
    SYNTAX OCTET STRING (SIZE (0..255))
    MAX-ACCESS read-only
    STATUS current
    DESCRIPTION \"A test object.\"
    ::= { testOne 5 }
END
";

#[test]
fn v3_credentials_from_the_files_and_a_warning_when_others_can_read_them() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = crate::agent::temp_dir("snmpconf-v3");
    write(&dir, "users", "createUser confuser SHA authpass123 AES privpass123\n");
    let users = dir.join("users").display().to_string();
    let agent = agent(&dir, &["--users", &users]);
    let a = agent.addr();
    let conf = dir.join("conf");
    write(
        &conf,
        "snmp.conf",
        "defVersion 3\ndefSecurityName confuser\ndefSecurityLevel authPriv\ndefAuthType SHA\n\
         defAuthPassphrase authpass123\ndefPrivType AES\ndefPrivPassphrase privpass123\n\
         defContext conf\n",
    );
    let file = conf.join("snmp.conf");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let path = conf.display().to_string();
    let env = [("SNMPCONFPATH", path.as_str()), ("MIBS", "")];
    let (out, ours, _) = both(&[&a, "1.3.6.1.2.1.1.5.0"], &env);
    assert_eq!(out, "iso.3.6.1.2.1.1.5.0 = STRING: \"from-conf\"\n");
    let warned = String::from_utf8_lossy(&ours.stderr);
    assert!(
        warned.contains(&format!("{} holds SNMPv3 secrets", file.display())) && warned.contains("mode 0644"),
        "{warned}"
    );
    assert!(!warned.contains("authpass123") && !warned.contains("privpass123"), "{warned}");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (_, ours, _) = both(&[&a, "1.3.6.1.2.1.1.5.0"], &env);
    assert_eq!(String::from_utf8_lossy(&ours.stderr), "");
    // The command line's password wins: a wrong one fails in both tools.
    let (_, ours, theirs) = both(&["-A", "wrongpass123", &a, "1.3.6.1.2.1.1.5.0"], &env);
    assert_ne!(ours.status.code(), Some(0));
    assert_ne!(theirs.status.code(), Some(0));
}

#[test]
fn unknown_tokens_are_warned_about_as_net_snmp_does() {
    let dir = crate::agent::temp_dir("snmpconf-tokens");
    let agent = agent(&dir, &[]);
    let conf = dir.join("conf");
    write(
        &conf,
        "snmp.conf",
        "defVersion 2c\n[snmp] defCommunity conf\nfooBar 1\n[snmpapp]\nmibs :\n[snmp]\nmibs :\n",
    );
    let path = conf.display().to_string();
    let env = [("SNMPCONFPATH", path.as_str())];
    let (_, ours, theirs) = both(&[&agent.addr(), ".1.3.6.1.2.1.1.5.0"], &env);
    let lines = format!(
        "{path}/snmp.conf: line 3: Warning: Unknown token: fooBar.\n{path}/snmp.conf: line 5: Warning: Unknown token: mibs.\n"
    );
    assert_eq!(String::from_utf8_lossy(&theirs.stderr), lines);
    assert_eq!(String::from_utf8_lossy(&ours.stderr), lines);
    write(&conf, "snmp.local.conf", "noTokenWarnings yes\n");
    let (_, ours, theirs) = both(&[&agent.addr(), ".1.3.6.1.2.1.1.5.0"], &env);
    assert_eq!(String::from_utf8_lossy(&theirs.stderr), "");
    assert_eq!(String::from_utf8_lossy(&ours.stderr), "");
    // A type Net-SNMP's tools do not know is an error, counted.
    write(&conf, "snmp.local.conf", "[snmpd]\n");
    let (_, ours, theirs) = both(&[&agent.addr(), ".1.3.6.1.2.1.1.5.0"], &env);
    let error = format!("{path}/snmp.local.conf: line 1: Error: No handlers regestered for type snmpd.\n");
    assert!(String::from_utf8_lossy(&theirs.stderr).contains(&error), "{theirs:?}");
    assert!(String::from_utf8_lossy(&ours.stderr).contains(&error), "{ours:?}");
}
