//! Command-line interface: clap structures, one file per subcommand, exit codes.

mod agent;
mod decode;
mod delta;
mod demo;
mod df;
mod exporter;
mod forward;
mod get;
mod handlers;
mod listen;
mod mib;
mod netstat;
mod notify;
mod poll;
mod progress;
mod snmp;
mod snmpconf;
mod snmptrapd;
mod status;
mod table;
mod usm;
mod vacm;
mod walk;
mod watch;

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand, ValueEnum};
use std::process::ExitCode;

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: the agent answered with an error-status or an exception.
pub const EXIT_AGENT_ERROR: u8 = 1;
/// Exit code: usage, timeout, authentication, malformed input or I/O failure.
pub const EXIT_FAILURE: u8 = 2;

/// SNMP manager toolkit: query, walk, set, listen for traps, decode packets.
#[derive(Debug, Parser)]
#[command(name = "snmpctl", version, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// Flags every subcommand takes.
#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Draw no progress on stderr (long commands draw it there when stderr is a terminal,
    /// wherever stdout goes).
    #[arg(long = "no-progress", global = true)]
    pub no_progress: bool,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// One JSON document (an object per response; for walks, the varbinds in one array).
    Json,
    /// One JSON object per line: a varbind per line for walks and gets.
    Ndjson,
}

// Deferred: only the subcommand being run gets its arguments built. Building all of them took
// about 0.25 ms of every run, a tenth of a whole `snmpctl get`. A deferred subcommand takes its
// `about` from the last doc comment applied, and the `Args` structs (and the ones they flatten)
// come last: so theirs are plain `//` comments, and each variant's doc comment stays the help.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
enum Command {
    /// Decode SNMP datagrams: hex, raw .bin files, or every SNMP packet of a pcap/pcapng capture.
    Decode(decode::Args),
    /// Get values (GetRequest), as snmpget.
    Get(get::Args),
    /// Get the next values (GetNextRequest), as snmpgetnext.
    Getnext(get::Args),
    /// Get many rows at once (GetBulkRequest), as snmpbulkget.
    Bulkget(get::Args),
    /// Walk a subtree (GetBulk on v2c/v3, GetNext on v1), as snmpbulkwalk / snmpwalk.
    #[command(visible_alias = "bulkwalk")]
    Walk(walk::Args),
    /// Set values (SetRequest), as snmpset: OID TYPE VALUE ...
    Set(get::SetArgs),
    /// Read a table as rows, as snmptable: columns from the MIB, sparse cells as `?`.
    Table(table::Args),
    /// A device at a glance, as snmpstatus: sysDescr, uptime, interfaces and their packets, IP
    /// packets, interfaces down.
    Status(status::Args),
    /// Disk and memory space, as snmpdf: hrStorageTable (or with -Cu, dskTable).
    Df(df::Args),
    /// SNMPv3 users on an agent, as snmpusm: create, cloneFrom, activate, deactivate, delete,
    /// passwd (RFC 3414 KeyChange), list.
    Usm(usm::Args),
    /// An agent's access control (VACM), as snmpvacm: groups, views, access.
    Vacm(vacm::Args),
    /// How counters move, period by period, as snmpdelta.
    Delta(delta::Args),
    /// Sockets, routes, interfaces and protocol counters, as snmpnetstat.
    Netstat(netstat::Args),
    /// A device's interfaces, live: bits per second, errors, discards, status and a graph of the
    /// last minutes (a terminal view; JSON lines elsewhere).
    Watch(watch::Args),
    /// Send a notification (Trap, or Inform with -Ci), as snmptrap.
    Trap(notify::Args),
    /// Send an Inform and wait for the acknowledgement, as snmpinform.
    Inform(notify::Args),
    /// Receive Traps and Informs (v1, v2c, v3) and log them as snmptrapd does, or as JSON lines.
    Listen(Box<listen::Args>),
    /// snmptrapd's command line, run as `listen` (or run snmpctl through a link named
    /// snmptrapd): `snmpctl snmptrapd -LOw -f -p /run/snmptrapd.pid`.
    Snmptrapd(snmptrapd::Args),
    /// Translate names to OIDs and back, and show what the MIB says, as snmptranslate.
    Translate(mib::TranslateArgs),
    /// Serve recorded devices (.snmprec) as simulated agents: v1/v2c/v3, Set in memory,
    /// thousands of ports, fault injection.
    Agent(agent::Args),
    /// Poll many agents at once: Gets and walks, results streamed as text, NDJSON or CSV.
    Poll(poll::Args),
    /// Show the toolkit end to end on a shipped router recording: no device needed.
    Demo(demo::Args),
    /// A Prometheus exporter with snmp_exporter's URLs and snmp.yml (0.21 and 0.23+ formats).
    Exporter(exporter::Args),
}

/// Parses the command line and runs the subcommand.
pub fn run() -> anyhow::Result<ExitCode> {
    let mut args: Vec<String> = std::env::args().collect();
    // Run through a link named snmptrapd: snmptrapd's command line.
    if args.first().is_some_and(|a| std::path::Path::new(a).file_name().is_some_and(|n| n == "snmptrapd")) {
        args.insert(1, "snmptrapd".to_owned());
    }
    // snmptrapd's command line becomes listen's before anything else reads it.
    if subcommand(&args) == Some("snmptrapd") {
        let at = args.iter().position(|a| a == "snmptrapd").unwrap_or(1);
        let words = args.split_off(at.saturating_add(1));
        args.pop();
        let dirs = snmpconf::search_path();
        let persistent = std::env::var_os("SNMP_PERSISTENT_DIR")
            .map_or_else(|| "/var/lib/snmp".into(), std::path::PathBuf::from);
        match snmptrapd::plan(&words, &dirs, &persistent).map_err(|e| anyhow::anyhow!("snmptrapd: {e}"))? {
            snmptrapd::Plan::Say(text) => {
                std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes())?;
                return Ok(ExitCode::SUCCESS);
            }
            snmptrapd::Plan::Listen(t) => {
                for note in &t.notes {
                    eprintln!("snmpctl snmptrapd: {note}; not applied");
                }
                args.extend(t.args);
            }
        }
    }
    let mut args = snmp::rewrite_net_snmp_flags(args.into_iter());
    // snmptable's -C letters take their values from the next word.
    if subcommand(&args) == Some("table") {
        args = table::split_table_options(args);
    }
    if subcommand(&args) == Some("delta") {
        args = delta::split_delta_options(args);
    }
    // snmpnetstat's -Cf FAMILY, -Cp PROTO, -CI NAME, -Cw N and -CR N.
    if subcommand(&args) == Some("netstat") {
        args = netstat::join_option_values(args);
    }
    // snmptrapd's -Lo, -Le, -Lf FILE and -Ls FACILITY.
    if subcommand(&args) == Some("listen") {
        args = listen::logging_options(args);
    }
    let matches = Cli::command().get_matches_from(args);
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // snmp.conf fills what the command line and the environment left at its default.
    if let (Some(snmp), Some((_, sub))) = (cli.command.snmp_mut(), matches.subcommand()) {
        snmpconf::get().apply(snmp, sub)?;
    }
    match cli.command {
        Command::Decode(args) => decode::run(&cli.global, &args),
        Command::Get(args) => get::run_get(&cli.global, &args, false),
        Command::Getnext(args) => get::run_get(&cli.global, &args, true),
        Command::Bulkget(args) => get::run_bulkget(&cli.global, &args),
        Command::Walk(args) => walk::run(&cli.global, &args),
        Command::Set(args) => get::run_set(&cli.global, &args),
        Command::Table(args) => table::run(&cli.global, &args),
        Command::Status(args) => status::run(&cli.global, &args),
        Command::Df(args) => df::run(&cli.global, &args),
        Command::Usm(args) => usm::run(&cli.global, &args),
        Command::Vacm(args) => vacm::run(&cli.global, &args),
        Command::Delta(args) => delta::run(&cli.global, &args),
        Command::Netstat(args) => netstat::run(&cli.global, &args),
        Command::Watch(args) => watch::run(&cli.global, &args),
        Command::Translate(args) => mib::run_translate(&args),
        Command::Trap(args) => notify::run(&cli.global, &args, false),
        Command::Inform(args) => notify::run(&cli.global, &args, true),
        Command::Listen(args) => listen::run(&cli.global, &args),
        // Made into `listen` before the parse, above; only a command line that hides the word
        // from that reading gets here.
        Command::Snmptrapd(_) => Err(anyhow::anyhow!("snmptrapd: give its options after the word snmptrapd")),
        Command::Agent(args) => agent::run(&cli.global, &args),
        Command::Poll(args) => poll::run(&cli.global, &args),
        Command::Demo(args) => demo::run(&cli.global, &args),
        Command::Exporter(args) => exporter::run(&args),
    }
}

impl Command {
    /// The agent flags of a command that talks to agents.
    fn snmp_mut(&mut self) -> Option<&mut snmp::SnmpArgs> {
        match self {
            Command::Get(a) | Command::Getnext(a) | Command::Bulkget(a) => Some(&mut a.snmp),
            Command::Set(a) => Some(&mut a.snmp),
            Command::Walk(a) => Some(&mut a.snmp),
            Command::Table(a) => Some(&mut a.snmp),
            Command::Status(a) => Some(&mut a.snmp),
            Command::Df(a) => Some(&mut a.snmp),
            Command::Usm(a) => Some(&mut a.snmp),
            Command::Vacm(a) => Some(&mut a.snmp),
            Command::Delta(a) => Some(&mut a.snmp),
            Command::Netstat(a) => Some(&mut a.snmp),
            Command::Watch(a) => Some(&mut a.snmp),
            Command::Trap(a) | Command::Inform(a) => Some(&mut a.snmp),
            Command::Poll(a) => Some(&mut a.snmp),
            _ => None,
        }
    }
}

/// The subcommand's name: the first word that is neither a flag nor the value of `--format`.
fn subcommand(args: &[String]) -> Option<&str> {
    let mut words = args.iter().skip(1);
    while let Some(w) = words.next() {
        if w == "--format" {
            words.next();
        } else if !w.starts_with('-') {
            return Some(w);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }

    /// Deferred subcommands keep the help line the top-level list shows (the variant's doc
    /// comment), not one from an `Args` struct applied when they are built.
    #[test]
    fn subcommand_help_lines_survive_deferral() {
        use clap::CommandFactory;
        let listed: Vec<(String, String)> = super::Cli::command()
            .get_subcommands()
            .map(|c| (c.get_name().to_owned(), c.get_about().map(|a| a.to_string()).unwrap_or_default()))
            .collect();
        let mut built = super::Cli::command();
        built.build();
        for (name, about) in listed {
            let sub = built.find_subcommand(&name).map(|c| c.get_about().map(|a| a.to_string()));
            assert_eq!(sub, Some(Some(about.clone())), "{name}");
            assert!(!about.is_empty(), "{name} has a help line");
        }
    }
}
