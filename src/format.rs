//! Every text form of a value or an OID: Net-SNMP's output with or without MIBs (`output`,
//! `mib`), the JSON schema shared by the commands, tables, and the
//! annotated human-readable dump. Everything writes to a `String` or any `io::Write`; nothing
//! here prints.

pub mod dump;
pub mod json;
pub mod mib;
pub mod notification;
pub mod output;
pub mod table;
mod text;

pub use output::timeticks;
pub use text::{is_printable, value_text};
