//! `snmpctl usm` next to `snmpusm` (issue 24), against a real snmpd, proven by what snmpd
//! accepts afterwards: users made by cloning templates of every RFC 7860 authentication
//! protocol (and the privacy families), their passwords changed through RFC 3414's KeyChange,
//! then a Get with the new passwords works and one with the old ones is refused; users
//! deactivated, activated and deleted. Each step is done by snmpusm for one user and by
//! snmpctl for its twin, and the two say the same.

use crate::agent::Snmpd;
use std::process::{Command, Output};

/// (name, authentication, privacy) of the templates.
const TEMPLATES: [(&str, &str, &str); 6] = [
    ("md5", "MD5", "DES"),
    ("sha", "SHA", "AES"),
    ("sha224", "SHA-224", "AES"),
    ("sha256", "SHA-256", "AES-192"),
    ("sha384", "SHA-384", "AES"),
    ("sha512", "SHA-512", "AES-256-C"),
];
const TEMPLATE_PASS: &str = "template_pass";
const ADMIN: [&str; 7] = ["-v3", "-u", "admin", "-l", "authNoPriv", "-a", "SHA"];

fn config() -> String {
    let mut c = String::from("createUser admin SHA admin_passphrase\nrwuser admin auth\n");
    for (name, auth, privacy) in TEMPLATES {
        c.push_str(&format!("createUser tmpl_{name} {auth} {TEMPLATE_PASS} {privacy} {TEMPLATE_PASS}\n"));
        // The users made from it, by snmpusm (n_) and by snmpctl (c_).
        c.push_str(&format!("rwuser n_{name} priv\nrwuser c_{name} priv\n"));
    }
    c.push_str("rwuser n_plain auth\nrwuser c_plain auth\n");
    c
}

fn run(program: &str, args: &[String]) -> Output {
    let (program, mut full) = if program == "snmpctl" {
        (env!("CARGO_BIN_EXE_snmpctl"), vec!["usm".to_owned()])
    } else {
        (program, Vec::new())
    };
    full.extend(args.iter().cloned());
    crate::isolated(Command::new(program)).args(&full).env("MIBS", "").output().unwrap()
}

/// `snmpusm changekey`, run again (up to 8 times) while it fails on its own Diffie-Hellman
/// bug. Net-SNMP 5.9.3's snmpusm requires its public value to have exactly as many octets as
/// the agent's (`BN_num_bytes`: leading zeros dropped), so it gives up, before any Set, with
/// "incorrect diffie-helman lengths (AGENT'S != ITS OWN)" when either value starts with a zero
/// octet: about one exchange in 128, and a run has two. When its own value was the short one,
/// running it again draws a new one. When the agent's was (127 != 128), snmpusm can never get
/// past it: the agent keeps a user's Diffie-Hellman pair until a key change Sets it, and
/// snmpusm never Sets. `snmpctl usm changekey`, which takes a short value from the agent
/// (`usm::dh`), changes the keys first and so gives the agent a new pair.
fn snmpusm_changekey(args: &[String]) -> Output {
    let mut out = run("snmpusm", args);
    for _ in 1..8 {
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let Some(lengths) = stderr.split("incorrect diffie-helman lengths (").nth(1) else { break };
        let parsed = lengths.split_once(')').and_then(|(l, _)| l.split_once(" != "));
        let (agents, its) = parsed.expect("snmpusm says two lengths");
        eprintln!("snmpusm's Diffie-Hellman lengths ({agents} != {its}): again");
        if agents.parse::<usize>().unwrap() < its.parse::<usize>().unwrap() {
            let ours = run("snmpctl", args);
            assert_eq!(ours.status.code(), Some(0), "{}", said(&ours));
        }
        out = run("snmpusm", args);
    }
    out
}

fn words(w: &[&str]) -> Vec<String> {
    w.iter().map(|s| (*s).to_owned()).collect()
}

/// Whether a Get of sysUpTime.0 as `user` with these passwords succeeds (snmpget, 0.5 s, one
/// retry).
fn get_works(snmpd: &Snmpd, user: &str, auth: &str, auth_pass: &str, privacy: Option<(&str, &str)>) -> bool {
    let mut a = words(&["-v3", "-u", user, "-a", auth, "-A", auth_pass, "-t", "0.5", "-r", "1"]);
    match privacy {
        Some((p, pass)) => a.extend(words(&["-l", "authPriv", "-x", p, "-X", pass])),
        None => a.extend(words(&["-l", "authNoPriv"])),
    }
    a.extend([snmpd.agent(), "1.3.6.1.2.1.1.3.0".to_owned()]);
    crate::isolated(Command::new("snmpget")).args(&a).env("MIBS", "").output().unwrap().status.success()
}

fn said(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn usm_manages_users_as_snmpusm_and_snmpd_agrees() {
    let snmpd = Snmpd::start("usm-admin", &config());
    let agent = snmpd.agent();
    let admin = |rest: &[&str]| {
        let mut a = words(&ADMIN);
        a.extend(words(&["-A", "admin_passphrase", &agent]));
        a.extend(words(rest));
        a
    };
    for (name, auth, privacy) in TEMPLATES {
        for (tool, prefix) in [("snmpusm", "n"), ("snmpctl", "c")] {
            let user = format!("{prefix}_{name}");
            let template = format!("tmpl_{name}");
            // create USER CLONEFROM: the template's keys.
            let out = run(tool, &admin(&["create", &user, &template]));
            assert_eq!(said(&out), "User successfully created.\n", "{tool} create {user}");
            assert!(get_works(&snmpd, &user, auth, TEMPLATE_PASS, Some((privacy, TEMPLATE_PASS))), "{user}");
            // passwd OLD NEW USER, as the user itself (the keys derive with its protocols).
            let new_pass = format!("new_{prefix}_{name}_pass");
            let mut a = words(&["-v3", "-u", &user, "-l", "authPriv", "-a", auth, "-A", TEMPLATE_PASS]);
            a.extend(words(&[
                "-x",
                privacy,
                "-X",
                TEMPLATE_PASS,
                &agent,
                "passwd",
                TEMPLATE_PASS,
                &new_pass,
                &user,
            ]));
            let out = run(tool, &a);
            assert_eq!(said(&out), "SNMPv3 Key(s) successfully changed.\n", "{tool} passwd {user}");
            assert!(
                get_works(&snmpd, &user, auth, &new_pass, Some((privacy, &new_pass))),
                "{tool}: {user} new"
            );
            assert!(
                !get_works(&snmpd, &user, auth, TEMPLATE_PASS, Some((privacy, TEMPLATE_PASS))),
                "{user} old"
            );
            // The new authentication key with the old privacy key: refused (both changed).
            assert!(
                !get_works(&snmpd, &user, auth, &new_pass, Some((privacy, TEMPLATE_PASS))),
                "{user} mixed"
            );
        }
    }
    // -Cw create, cloneFrom, then -Ca passwd by the administrator (SHA, as the template),
    // deactivate, activate, delete.
    for (tool, prefix) in [("snmpusm", "n"), ("snmpctl", "c")] {
        let user = format!("{prefix}_plain");
        let steps: [(&[&str], &str); 2] = [
            (&["-Cw", "create", &user], "User successfully created.\n"),
            (&["cloneFrom", &user, "tmpl_sha"], "User successfully cloned.\n"),
        ];
        for (args, message) in steps {
            assert_eq!(said(&run(tool, &admin(args))), message, "{tool} {args:?}");
        }
        assert!(get_works(&snmpd, &user, "SHA", TEMPLATE_PASS, None), "{tool}: {user} cloned");
        let out = run(tool, &admin(&["-Ca", "passwd", TEMPLATE_PASS, "plain_new_pass", &user]));
        assert_eq!(said(&out), "SNMPv3 Key(s) successfully changed.\n");
        assert!(get_works(&snmpd, &user, "SHA", "plain_new_pass", None), "{tool}: {user} -Ca");
        assert_eq!(said(&run(tool, &admin(&["deactivate", &user]))), "User successfully deactivated.\n");
        assert!(!get_works(&snmpd, &user, "SHA", "plain_new_pass", None), "{tool}: {user} deactivated");
        assert_eq!(said(&run(tool, &admin(&["activate", &user]))), "User successfully activated.\n");
        assert!(get_works(&snmpd, &user, "SHA", "plain_new_pass", None), "{tool}: {user} activated");
        assert_eq!(said(&run(tool, &admin(&["delete", &user]))), "User successfully deleted.\n");
        assert!(!get_works(&snmpd, &user, "SHA", "plain_new_pass", None), "{tool}: {user} deleted");
    }
    // The agent refuses a second create: both say why (snmpctl exits 1, snmpusm 0).
    let theirs = run("snmpusm", &admin(&["create", "n_sha", "tmpl_sha"]));
    let ours = run("snmpctl", &admin(&["create", "c_sha", "tmpl_sha"]));
    let reason = |o: &Output| said(o).lines().take(2).collect::<Vec<_>>().join("\n");
    assert_eq!(reason(&ours), reason(&theirs));
    assert!(reason(&ours).contains("Reason: inconsistentValue"), "{}", said(&ours));
    assert_eq!(ours.status.code(), Some(1));
    // list: every user, with its protocols.
    let list = String::from_utf8_lossy(&run("snmpctl", &admin(&["list"])).stdout).into_owned();
    for (name, auth, _) in TEMPLATES {
        let line = list.lines().find(|l| l.split_whitespace().nth(1) == Some(format!("c_{name}").as_str()));
        assert!(line.is_some_and(|l| l.contains(auth) && l.ends_with("active")), "{name}: {list}");
    }
}

/// `snmpctl vacm` next to `snmpvacm` (issue 24): each grants a user of its own a group, a view
/// (the system group, sysName excluded) and access, through the VACM tables and through
/// nsVacmAccessTable (`createAuth`), and takes them away again; what snmpd then lets that user
/// read proves each step, and both tools say the same.
#[test]
fn vacm_grants_and_takes_away_as_snmpvacm_and_snmpd_agrees() {
    let snmpd = Snmpd::start("vacm-admin", &config());
    let agent = snmpd.agent();
    let admin = |rest: &[&str]| {
        let mut a = words(&ADMIN);
        a.extend(words(&["-A", "admin_passphrase", &agent]));
        a.extend(words(rest));
        a
    };
    let vacm = |tool: &str, rest: &[&str]| {
        let (program, mut full) = if tool == "snmpctl" {
            (env!("CARGO_BIN_EXE_snmpctl"), vec!["vacm".to_owned()])
        } else {
            ("snmpvacm", Vec::new())
        };
        full.extend(admin(rest));
        said(&crate::isolated(Command::new(program)).args(&full).env("MIBS", "").output().unwrap())
    };
    // What the user may read: sysDescr.0, sysName.0 (excluded), ifNumber.0 (outside the view).
    let reads = |user: &str| -> Vec<bool> {
        ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.2.1.0"]
            .iter()
            .map(|oid| {
                let a = words(&[
                    "-v3",
                    "-u",
                    user,
                    "-l",
                    "authNoPriv",
                    "-a",
                    "SHA",
                    "-A",
                    TEMPLATE_PASS,
                    "-t",
                    "0.5",
                ]);
                let out = crate::isolated(Command::new("snmpget"))
                    .args(&a)
                    .args([agent.as_str(), oid])
                    .env("MIBS", "")
                    .output()
                    .unwrap();
                let text = String::from_utf8_lossy(&out.stdout).into_owned();
                out.status.success() && !text.contains("No Such Object")
            })
            .collect()
    };
    for (tool, user, group, view) in
        [("snmpvacm", "viewer_n", "group_n", "view_n"), ("snmpctl", "viewer_c", "group_c", "view_c")]
    {
        assert_eq!(
            said(&run("snmpctl", &admin(&["create", user, "tmpl_sha"]))),
            "User successfully created.\n"
        );
        assert_eq!(reads(user), [false, false, false], "{user} before");
        let steps: [(&[&str], &str); 4] = [
            (&["createSec2Group", "3", user, group], "Sec2group successfully created.\n"),
            (&["createView", view, ".1.3.6.1.2.1.1"], "View successfully created.\n"),
            (&["-Ce", "createView", view, ".1.3.6.1.2.1.1.5"], "View successfully created.\n"),
            (&["createAccess", group, "3", "2", "1", view, "none", "none"], "Access successfully created.\n"),
        ];
        for (args, message) in steps {
            assert_eq!(vacm(tool, args), message, "{tool} {args:?}");
        }
        assert_eq!(reads(user), [true, false, false], "{tool}: {user} granted");
        assert_eq!(vacm(tool, &["deleteAccess", group, "3", "2"]), "Access successfully deleted.\n");
        assert_eq!(reads(user), [false, false, false], "{tool}: {user} access deleted");
        assert_eq!(
            vacm(tool, &["createAuth", group, "3", "2", "read", "1", view]),
            "AuthAccess successfully created.\n"
        );
        assert_eq!(reads(user), [true, false, false], "{tool}: {user} createAuth read");
        assert_eq!(
            vacm(tool, &["deleteAuth", group, "3", "2", "read"]),
            "AuthAccess successfully deleted.\n"
        );
        assert_eq!(reads(user), [false, false, false], "{tool}: {user} deleteAuth");
        assert_eq!(vacm(tool, &["deleteView", view, ".1.3.6.1.2.1.1.5"]), "View successfully deleted.\n");
        assert_eq!(vacm(tool, &["deleteView", view, ".1.3.6.1.2.1.1"]), "View successfully deleted.\n");
        assert_eq!(vacm(tool, &["deleteSec2Group", "3", user]), "Sec2group successfully deleted.\n");
    }
}

/// Net-SNMP's snmpd with SNMP-USM-DH-OBJECTS-MIB: Debian builds it without, so
/// `scripts/netsnmp-dh.sh` builds it from Debian's source (scripts/test.sh runs it first).
fn dh_snmpd() -> std::path::PathBuf {
    let path = std::env::var_os("SNMPCTL_DH_SNMPD").map(std::path::PathBuf::from).unwrap_or_else(|| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/netsnmp-dh/snmpd")
    });
    assert!(
        path.exists(),
        "{} is missing: run scripts/netsnmp-dh.sh (scripts/test.sh does), or set SNMPCTL_DH_SNMPD",
        path.display()
    );
    path
}

/// Whether a Get of sysUpTime.0 as `user` with these localized keys (snmpget -3k, -3K)
/// succeeds.
fn get_works_with_keys(snmpd: &Snmpd, user: &str, auth: &str, auth_key: &str, privacy: (&str, &str)) -> bool {
    let a = words(&[
        "-v3", "-u", user, "-l", "authPriv", "-a", auth, "-3k", auth_key, "-x", privacy.0, "-3K", privacy.1,
        "-t", "0.5", "-r", "1",
    ]);
    let out = crate::isolated(Command::new("snmpget"))
        .args(&a)
        .args([snmpd.agent().as_str(), "1.3.6.1.2.1.1.3.0"])
        .env("MIBS", "")
        .output()
        .unwrap();
    out.status.success()
}

/// The keys a changekey printed: (`new auth key`, `new priv key`), each `0x…`.
fn printed_keys(o: &Output) -> (Option<String>, Option<String>) {
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let key = |name: &str| {
        text.lines().find_map(|l| l.strip_prefix(&format!("new {name} key: ")).map(str::to_owned))
    };
    (key("auth"), key("priv"))
}

/// `snmpctl usm changekey` (RFC 2786's Diffie-Hellman key change) against a real snmpd that
/// has SNMP-USM-DH-OBJECTS-MIB: for a user of each authentication protocol (and the privacy
/// families), the keys it prints are the ones snmpd then takes (snmpget with them as localized
/// keys, -3k and -3K) and the old passwords are refused; the issuing user's own keys; one key
/// alone (-Ca); snmpusm doing the same, and saying it the same way; and on Debian's snmpd,
/// which lacks the MIB, the same refusal as snmpusm's.
#[test]
fn usm_changekey_gives_keys_that_snmpd_then_takes() {
    let program = dh_snmpd();
    let mut config =
        String::from("createUser admin SHA admin_passphrase AES admin_passphrase\nrwuser admin priv\n");
    for (name, auth, privacy) in TEMPLATES {
        for prefix in ["c", "n"] {
            config.push_str(&format!(
                "createUser {prefix}_{name} {auth} {TEMPLATE_PASS} {privacy} {TEMPLATE_PASS}\n"
            ));
            config.push_str(&format!("rwuser {prefix}_{name} priv\n"));
        }
    }
    config.push_str(&format!("createUser c_plain SHA {TEMPLATE_PASS}\nrwuser c_plain auth\n"));
    let snmpd = Snmpd::start_program(&program, "usm-dh", &config, &["udp:127.0.0.1:{port}"]);
    let agent = snmpd.agent();
    // `-v3 -u USER -l authPriv -a AUTH -A PASS -x PRIV -X PASS AGENT REST…`
    let session = |user: &str, auth: &str, privacy: &str, rest: &[&str]| {
        let pass = if user == "admin" { "admin_passphrase" } else { TEMPLATE_PASS };
        let flags = format!("-v3 -u {user} -l authPriv -a {auth} -A {pass} -x {privacy} -X {pass} {agent}");
        let mut a: Vec<String> = flags.split(' ').map(str::to_owned).collect();
        a.extend(words(rest));
        a
    };
    let admin = |rest: &[&str]| session("admin", "SHA", "AES", rest);
    let hex_len =
        |key: &Option<String>| key.as_deref().and_then(|k| k.strip_prefix("0x")).map_or(0, str::len);

    for (name, auth, privacy) in TEMPLATES {
        let user = format!("c_{name}");
        assert!(
            get_works(&snmpd, &user, auth, TEMPLATE_PASS, Some((privacy, TEMPLATE_PASS))),
            "{user} before"
        );
        let out = run("snmpctl", &admin(&["changekey", &user]));
        assert_eq!(out.status.code(), Some(0), "{user}: {}", said(&out));
        assert!(String::from_utf8_lossy(&out.stdout).ends_with("SNMPv3 Key(s) successfully changed.\n"));
        let (auth_key, priv_key) = printed_keys(&out);
        // The lengths of the user's protocols (snmpusm would print the admin's: SHA, AES).
        let auth_p: snmpctl::usm::AuthProtocol = auth.parse().unwrap();
        let priv_p: snmpctl::usm::PrivProtocol = privacy.parse().unwrap();
        assert_eq!(hex_len(&auth_key), 2 * auth_p.digest_len(), "{user}: {}", said(&out));
        assert_eq!(hex_len(&priv_key), 2 * priv_p.key_len(), "{user}: {}", said(&out));
        let (auth_key, priv_key) = (auth_key.unwrap(), priv_key.unwrap());
        assert!(
            get_works_with_keys(&snmpd, &user, auth, &auth_key, (privacy, &priv_key)),
            "{user}: new keys"
        );
        assert!(
            !get_works(&snmpd, &user, auth, TEMPLATE_PASS, Some((privacy, TEMPLATE_PASS))),
            "{user}: old"
        );
    }

    // -Ca: the authentication key alone, so the privacy password still holds.
    let ours = run("snmpctl", &admin(&["changekey", "-Ca", "n_sha"]));
    assert_eq!(ours.status.code(), Some(0), "{}", said(&ours));
    let (a, p) = printed_keys(&ours);
    assert!(p.is_none(), "{}", said(&ours));
    let out = crate::isolated(Command::new("snmpget"))
        .args(words(&["-v3", "-u", "n_sha", "-l", "authPriv", "-a", "SHA", "-3k", &a.unwrap(), "-x", "AES"]))
        .args(["-X", TEMPLATE_PASS, "-t", "0.5", &agent, "1.3.6.1.2.1.1.3.0"])
        .env("MIBS", "")
        .output()
        .unwrap();
    assert!(out.status.success(), "n_sha with the new auth key and the old privacy password: {}", said(&out));
    // snmpusm does the same for a user of the admin's protocols, and says it the same way.
    let theirs = snmpusm_changekey(&admin(&["changekey", "n_sha"]));
    assert_eq!(theirs.status.code(), Some(0), "{}", said(&theirs));
    let shape = |o: &Output| -> Vec<String> {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(|l| match l.split_once("0x") {
                Some((head, hex)) => format!("{head}0x{}", "x".repeat(hex.len())),
                None => l.to_owned(),
            })
            .collect()
    };
    let mut s = shape(&theirs);
    assert_eq!(s.len(), 3, "{}", said(&theirs));
    s.remove(1);
    assert_eq!(shape(&ours), s, "{}", said(&ours));
    let (a, p) = printed_keys(&theirs);
    assert_eq!((hex_len(&a), hex_len(&p)), (40, 32));
    assert!(get_works_with_keys(&snmpd, "n_sha", "SHA", &a.unwrap(), ("AES", &p.unwrap())));
    // snmpusm prints the issuing session's key length: for an SHA-512 user, 40 hex digits of
    // the 128 the agent took, which snmpd then refuses.
    let theirs = snmpusm_changekey(&admin(&["changekey", "n_sha512"]));
    let (a, p) = printed_keys(&theirs);
    assert_eq!(hex_len(&a), 40, "{}", said(&theirs));
    assert!(!get_works_with_keys(&snmpd, "n_sha512", "SHA-512", &a.unwrap(), ("AES-256-C", &p.unwrap())));

    // The issuing user's own keys (no USER: usmDHUserOwn…KeyChange).
    let out = run("snmpctl", &session("n_sha256", "SHA-256", "AES-192", &["changekey"]));
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let (a, p) = printed_keys(&out);
    assert!(get_works_with_keys(&snmpd, "n_sha256", "SHA-256", &a.unwrap(), ("AES-192", &p.unwrap())));

    // A user without privacy: its authentication key alone (snmpusm would Set a privacy key
    // too, of the session's length, which the user never uses).
    let out = run("snmpctl", &admin(&["changekey", "c_plain"]));
    let (a, p) = printed_keys(&out);
    assert!(p.is_none() && hex_len(&a) == 40, "{}", said(&out));
    let get = crate::isolated(Command::new("snmpget"))
        .args(words(&[
            "-v3",
            "-u",
            "c_plain",
            "-l",
            "authNoPriv",
            "-a",
            "SHA",
            "-3k",
            &a.unwrap(),
            "-t",
            "0.5",
        ]))
        .args([agent.as_str(), "1.3.6.1.2.1.1.3.0"])
        .env("MIBS", "")
        .output()
        .unwrap();
    assert!(get.status.success(), "c_plain with its new key: {}", said(&get));

    // A user the agent does not have: said, exit 1, nothing Set.
    let out = run("snmpctl", &admin(&["changekey", "nobody"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(said(&out).contains("no Diffie-Hellman auth key exchange for user \"nobody\""), "{}", said(&out));

    // Debian's snmpd has no SNMP-USM-DH-OBJECTS-MIB: both tools say so, exit 1.
    let plain = Snmpd::start("usm-no-dh", &config);
    let on_plain = |tool: &str| {
        let mut a = admin(&["changekey", "c_md5"]);
        a.retain(|w| *w != agent);
        a.insert(a.len() - 2, plain.agent());
        run(tool, &a)
    };
    let (theirs, ours) = (on_plain("snmpusm"), on_plain("snmpctl"));
    assert_eq!((theirs.status.code(), ours.status.code()), (Some(1), Some(1)));
    let tail = |o: &Output| {
        String::from_utf8_lossy(&o.stderr)
            .lines()
            .skip_while(|l| !l.starts_with("Can't"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(tail(&ours), tail(&theirs));
    assert!(tail(&ours).contains("SNMP-USM-DH-OBJECTS-MIB"), "{}", said(&ours));
}
