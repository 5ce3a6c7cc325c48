//! `snmpctl snmptrapd`: snmptrapd's own command line (Net-SNMP 5.9) run as `snmpctl listen`, so
//! that a service unit or a script that starts snmptrapd starts snmpctl instead with the same
//! words (`snmpctl snmptrapd -LOw -f -p /run/snmptrapd.pid`), or through a link named
//! `snmptrapd`. The options are read as snmptrapd's getopt reads them (`-fn`, `-Lsd`,
//! `-p FILE` or `-pFILE`, options after the addresses); its configuration files are found as
//! snmptrapd finds them.

use std::path::{Path, PathBuf};

// snmptrapd's command line (no doc comment: the subcommand's own help line is the one shown).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// snmptrapd's options and listening addresses: -a -A -c FILE -C -f -F FORMAT -L… -m MIBS
    /// -M DIRS -n -O OPTS -p FILE -t -u USER -g GROUP [--TOKEN=VALUE] [ADDRESS…] (and -d -D -I
    /// -x -X, which are named and not applied). Without -C, the snmptrapd.conf and
    /// snmptrapd.local.conf of SNMPCONFPATH and of the persistent directory are read; without
    /// -L, notifications go to syslog (daemon) as snmptrapd sends them.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "SNMPTRAPD-ARGS")]
    pub args: Vec<String>,
}

/// snmptrapd's option letters that take a value (its getopt string,
/// `aAc:CdD::efF:g:hHI:L:m:M:no:O:Ptu:vx:X-:p:`); `D`'s is optional, so only ever attached.
const WITH_VALUE: &str = "cFgILmMoOuxp-";

/// What the command line asks for, as `snmpctl listen`'s arguments, and what in it is not
/// applied (to be said on stderr).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Translated {
    /// `listen` and its arguments.
    pub args: Vec<String>,
    /// Options named and not applied, with why.
    pub notes: Vec<String>,
}

/// What to do for snmptrapd's command line `words` (the words after `snmptrapd`): run `listen`
/// with these arguments, or print a text and stop (`-h`, `-v`, `--help`, `--version`).
#[derive(Debug, PartialEq, Eq)]
pub enum Plan {
    /// Run `snmpctl listen` with these arguments.
    Listen(Translated),
    /// Print this and exit 0.
    Say(String),
}

/// Reads snmptrapd's command line. `conf_dirs` is where snmptrapd looks for its files
/// (SNMPCONFPATH, or Net-SNMP's default) and `persistent` its persistent directory.
pub fn plan(words: &[String], conf_dirs: &[PathBuf], persistent: &Path) -> Result<Plan, String> {
    let mut t = Translated { args: vec!["listen".to_owned()], notes: Vec::new() };
    let (mut read_defaults, mut append, mut logs, mut syslog_traps) = (true, false, false, true);
    let mut config_files: Vec<String> = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    let mut addresses: Vec<String> = Vec::new();
    let mut words = words.iter().cloned();
    while let Some(word) = words.next() {
        if word == "--" {
            addresses.extend(words.by_ref());
            break;
        }
        let Some(cluster) = word.strip_prefix('-').filter(|c| !c.is_empty()) else {
            addresses.push(word);
            continue;
        };
        for (i, letter) in cluster.char_indices() {
            let attached = cluster.get(i.saturating_add(letter.len_utf8())..).unwrap_or("");
            let value = if WITH_VALUE.contains(letter) {
                let v = if attached.is_empty() {
                    if letter == 'L' {
                        String::new()
                    } else {
                        words.next().ok_or_else(|| format!("-{letter} needs a value"))?
                    }
                } else {
                    attached.to_owned()
                };
                Some(v)
            } else if letter == 'D' {
                Some(attached.to_owned())
            } else {
                None
            };
            match (letter, value) {
                ('a', _) => lines.push("ignoreAuthFailure yes".into()),
                ('A', _) => append = true,
                ('c', Some(v)) => {
                    config_files.extend(v.split(',').filter(|f| !f.is_empty()).map(str::to_owned))
                }
                ('C', _) => read_defaults = false,
                ('f', _) => {}
                ('F', Some(v)) => lines.push(format_line(&v)),
                ('L', Some(spec)) => {
                    let spec = if spec.is_empty() { words.next().ok_or("-L needs a value")? } else { spec };
                    let target = super::listen::log_target(&spec, &mut words)?;
                    t.args.extend(target.args());
                    logs = true;
                }
                ('m', Some(v)) => t.args.extend(["--mibs".to_owned(), v]),
                ('M', Some(v)) => t.args.extend(["--mib-dirs".to_owned(), v]),
                ('n', _) => t.args.push("--numeric-hosts".into()),
                ('O', Some(v)) => t.args.extend(["--output-options".to_owned(), v]),
                ('p', Some(v)) => t.args.extend(["--pid-file".to_owned(), v]),
                ('t', _) => syslog_traps = false,
                ('h', _) => return Ok(Plan::Say(usage())),
                ('H', _) => {
                    return Ok(Plan::Say(
                        "snmpctl reads the snmptrapd.conf directives `snmpctl listen --help` names under \
                         --config; see README.md, `listen --config`.\n"
                            .into(),
                    ));
                }
                ('v', _) => return Ok(Plan::Say(version())),
                ('-', Some(v)) => match v.as_str() {
                    "help" => return Ok(Plan::Say(usage())),
                    "version" => return Ok(Plan::Say(version())),
                    // --TOKEN=VALUE: a configuration line, read after the files.
                    long => lines.push(long.replacen('=', " ", 1)),
                },
                ('d', _) => {
                    t.notes.push("-d: packets are not dumped (tshark or `snmpctl decode` shows them)".into())
                }
                ('D', _) => t.notes.push("-D: Net-SNMP's debug tokens do not apply to snmpctl".into()),
                ('I', _) => t.notes.push("-I: snmpctl has no modules to leave out or add".into()),
                ('x' | 'X', _) => t.notes.push(format!("-{letter}: snmpctl is no AgentX subagent")),
                ('u', Some(v)) => t.args.extend(["--run-as-user".to_owned(), v]),
                ('g', Some(v)) => t.args.extend(["--run-as-group".to_owned(), v]),
                ('o' | 'P' | 's' | 'S', _) => {
                    return Err(format!(
                        "-{letter}: withdrawn from snmptrapd; see its manual (-Lf, -f -Le, -Lsd)"
                    ));
                }
                (other, _) => return Err(format!("invalid option: -{other}")),
            }
            if WITH_VALUE.contains(letter) || letter == 'D' {
                break;
            }
        }
    }
    // The files snmptrapd reads: snmptrapd.conf and snmptrapd.local.conf in each directory of
    // its path, then its persistent store (unless -C), then -c's.
    if read_defaults {
        for dir in conf_dirs {
            for name in ["snmptrapd.conf", "snmptrapd.local.conf"] {
                let file = dir.join(name);
                if file.is_file() {
                    t.args.extend(["--config".to_owned(), file.display().to_string()]);
                }
            }
        }
        let store = persistent.join("snmptrapd.conf");
        if store.is_file() {
            t.args.extend(["--config".to_owned(), store.display().to_string()]);
        }
    }
    for f in config_files {
        t.args.extend(["--config".to_owned(), f]);
    }
    if !syslog_traps {
        lines.push("doNotLogTraps 1".into());
    }
    for line in lines {
        t.args.extend(["--config-line".to_owned(), line]);
    }
    if logs {
        if !append {
            t.args.push("--truncate-output".into());
        }
    } else {
        // No -L: what snmptrapd sends syslog then (doNotLogTraps and -t stop it).
        t.args.extend(["--syslog-traps".to_owned(), "d".to_owned()]);
    }
    for a in addresses {
        t.args.extend(["--listen".to_owned(), a]);
    }
    Ok(Plan::Listen(t))
}

/// `-F FORMAT` as a configuration line: `print=…`, `syslog…=…`, `execute…=…` name where it
/// goes; any other FORMAT is the log's, as snmptrapd reads it.
fn format_line(value: &str) -> String {
    let typed = ["print", "syslog", "execute"].iter().any(|t| value.starts_with(t));
    match value.split_once('=') {
        Some((kind, format)) if typed => format!("format {kind} {format}"),
        _ => format!("format print {value}"),
    }
}

fn usage() -> String {
    "Usage: snmpctl snmptrapd [OPTIONS] [LISTENING ADDRESSES]\n\
     \n\
     snmptrapd's command line, run as `snmpctl listen`:\n\
     \x20 -a            ignore authenticationFailure Traps (ignoreAuthFailure yes)\n\
     \x20 -A            append to -Lf files (else they are emptied at start, as snmptrapd does)\n\
     \x20 -c FILE[,…]   read these configuration files too\n\
     \x20 -C            read no default configuration file (SNMPCONFPATH, the persistent store)\n\
     \x20 -f            stay in the foreground (snmpctl always does)\n\
     \x20 -F FORMAT     the log format; print=, syslog=, execute= name another\n\
     \x20 -L[eoafsn…]   where the log goes (-Lf FILE, -Ls d, -LOw, …); none: syslog, daemon\n\
     \x20 -m MIBS, -M DIRS, -n, -O OPTS   as for snmptrapd\n\
     \x20 -p FILE       write the process ID to FILE\n\
     \x20 -t            send nothing to syslog (doNotLogTraps 1)\n\
     \x20 -u USER, -g GROUP  run as this user and group once listening\n\
     \x20 --TOKEN=VALUE a configuration line\n\
     \x20 ADDRESS       where to listen (udp:162, tcp:1162, udp6:[::1]:162); default: snmpTrapdAddr, else udp:162\n"
        .to_owned()
}

fn version() -> String {
    format!("snmpctl {} (snmptrapd's command line; NET-SNMP 5.9 compatible)\n", env!("CARGO_PKG_VERSION"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    fn listen(s: &str) -> Vec<String> {
        match plan(&words(s), &[], Path::new("/nonexistent")) {
            Ok(Plan::Listen(t)) => t.args,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn debians_unit_and_clustered_options() {
        assert_eq!(
            listen("-LOw -f -p /run/snmptrapd.pid"),
            words("listen --log-nowhere --pid-file /run/snmptrapd.pid --truncate-output")
        );
        assert_eq!(
            listen("-fnLf /var/log/traps -A -c/etc/a.conf,/etc/b.conf udp:1162 -aOn"),
            words(
                "listen --numeric-hosts --output /var/log/traps --output-options n --config /etc/a.conf \
                 --config /etc/b.conf --config-line ignoreAuthFailure_yes --listen udp:1162"
            )
            .into_iter()
            .map(|w| w.replace('_', " "))
            .collect::<Vec<_>>()
        );
        assert_eq!(
            listen("-t"),
            words("listen --config-line doNotLogTraps_1 --syslog-traps d")
                .iter()
                .map(|w| w.replace('_', " "))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn formats_and_long_options_are_configuration_lines() {
        assert_eq!(format_line("%B %v"), "format print %B %v");
        assert_eq!(format_line("execute=%b"), "format execute %b");
        assert_eq!(format_line("syslog2=x=y"), "format syslog2 x=y");
        let args = match plan(&["--authCommunity=log,execute public".to_owned()], &[], Path::new("/x")) {
            Ok(Plan::Listen(t)) => t.args,
            other => panic!("{other:?}"),
        };
        assert!(
            args.windows(2).any(|w| w[0] == "--config-line" && w[1] == "authCommunity log,execute public")
        );
    }

    #[test]
    fn what_cannot_apply_is_said() {
        assert_eq!(
            listen("-Lo -u nobody -gnogroup"),
            words("listen --stdout --run-as-user nobody --run-as-group nogroup --truncate-output")
        );
        assert!(plan(&words("-q"), &[], Path::new("/x")).unwrap_err().contains("invalid option: -q"));
        assert!(plan(&words("-p"), &[], Path::new("/x")).is_err());
        match plan(&words("-d -DALL -Lo"), &[], Path::new("/x")) {
            Ok(Plan::Listen(t)) => assert_eq!(t.notes.len(), 2, "{t:?}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(plan(&words("--version"), &[], Path::new("/x")), Ok(Plan::Say(_))));
    }

    #[test]
    fn default_files_are_read_unless_minus_c() {
        let dir = std::env::temp_dir().join(format!("snmptrapd-plan-{}", std::process::id()));
        let (conf, store) = (dir.join("etc"), dir.join("var"));
        std::fs::create_dir_all(&conf).unwrap();
        std::fs::create_dir_all(&store).unwrap();
        std::fs::write(conf.join("snmptrapd.conf"), "").unwrap();
        std::fs::write(store.join("snmptrapd.conf"), "").unwrap();
        let run = |s: &str| match plan(&words(s), std::slice::from_ref(&conf), &store) {
            Ok(Plan::Listen(t)) => t.args.iter().filter(|a| a.ends_with(".conf")).count(),
            other => panic!("{other:?}"),
        };
        assert_eq!((run("-Lo"), run("-C -Lo"), run("-C -c /x.conf -Lo")), (2, 0, 1));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
