//! A Prometheus exporter that reads snmp_exporter's configuration: `snmp.yml` in both of its
//! formats ([`config`]), a scrape's varbinds turned into the same samples snmp_exporter makes
//! ([`samples`]), and scrapes that keep their clients between runs ([`scrape`], feature
//! `tokio`). The HTTP side is the `snmpctl exporter` command's.
//!
//! ```
//! use snmpctl::exporter::config::Config;
//! use snmpctl::exporter::samples::render_text;
//! use snmpctl::{Value, VarBind};
//!
//! let yml = "
//! auths: {public_v2: {community: public, version: 2}}
//! modules:
//!   system:
//!     get: [1.3.6.1.2.1.1.3.0]
//!     metrics:
//!     - {name: sysUpTime, oid: 1.3.6.1.2.1.1.3, type: gauge, help: Uptime}
//! ";
//! let (config, _) = Config::parse("snmp.yml".as_ref(), yml)?;
//! let uptime = VarBind::new("1.3.6.1.2.1.1.3.0".parse()?, Value::TimeTicks(123_456_789));
//! let (text, _) = render_text(&config.modules["system"].metrics, [uptime]);
//! assert_eq!(text, "# HELP sysUpTime Uptime\n# TYPE sysUpTime gauge\nsysUpTime 1.23456789e+08\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod config;
pub mod generator;
pub mod samples;
#[cfg(feature = "tokio")]
pub mod scrape;
