//! Renderings of decoded messages: the JSON schema shared by `decode` and `listen`, and the
//! annotated human-readable dump. Everything writes to a `String` or any `io::Write`; nothing
//! here prints.

pub mod dump;
pub mod json;
pub mod notification;
pub mod output;
pub mod table;
mod text;

pub use output::timeticks;
pub use text::{is_printable, value_text};
