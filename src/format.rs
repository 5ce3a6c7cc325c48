//! Every text form of a value or an OID: Net-SNMP's output with or without MIBs (`output`,
//! `mib`), the JSON schema shared by the commands, tables, and the
//! annotated human-readable dump. Everything writes to a `String` or any `io::Write`; nothing
//! here prints.
//!
//! ```
//! use snmpctl::format::output::{OutputOptions, varbind_line};
//! use snmpctl::{Value, VarBind};
//! let vb = VarBind::new("1.3.6.1.2.1.1.3.0".parse()?, Value::TimeTicks(4242));
//! assert_eq!(varbind_line(&vb, &OutputOptions::default()), "iso.3.6.1.2.1.1.3.0 = Timeticks: (4242) 0:00:42.42");
//! let numeric = OutputOptions::parse("nq").expect("-O letters");
//! assert_eq!(varbind_line(&vb, &numeric), ".1.3.6.1.2.1.1.3.0 0:0:00:42.42");
//! # Ok::<(), snmpctl::value::OidError>(())
//! ```

pub mod dump;
pub mod json;
pub mod mib;
pub mod notification;
pub mod output;
pub mod table;
mod text;
pub mod trap_format;

pub use output::timeticks;
pub use text::{is_printable, value_text};
