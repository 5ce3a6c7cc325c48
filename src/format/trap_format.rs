//! snmptrapd's format strings (`-F`, `format1`, `format2`, `format print…|execute…`), written
//! as snmptrapd 5.9 writes them, quirks included, so that whatever reads its logs reads ours.
//!
//! A format is text with `\` escapes (`\n \t \a \b \f \r \v \\ \? \% \' \"`) and `%` fields:
//! `%[-][0][#][WIDTH][.PRECISION]CODE`. The codes:
//!
//! | code | what |
//! |---|---|
//! | `a`, `A` | the v1 agent-addr (`0.0.0.0` for SNMPv2 notifications) |
//! | `b`, `B` | the transport address, `UDP: [10.0.0.1]:40000->[10.0.0.9]:162` |
//! | `E` | the v3 context engine ID, in hex |
//! | `t` | the time, seconds since the epoch |
//! | `y m l h j k` | the local year, month, day, hour, minute, second (with `#`, UTC) |
//! | `Y M L H J K` | the same (snmptrapd prints the current time for them too) |
//! | `T` | the v1 time-stamp in hundredths (0 for SNMPv2); with `#`, `2 days, 3:04:05.06` |
//! | `N` | the v1 enterprise (`.` for SNMPv2) |
//! | `P` | `TRAP, SNMP v1, community public`, `TRAP2, SNMP v3, user ops, context c`, `INFORM, …` |
//! | `q` | the specific trap: for an enterprise-specific v1 Trap, the notification OID's last arc with its dot (`.17`) |
//! | `s`, `S` | the message version (0, 1, 3) and security model (1, 2, 3) |
//! | `u` | the community or v3 user |
//! | `w`, `W` | the v1 generic trap, as a number and as words (`Link Down`; 0 for SNMPv2) |
//! | `v` | the varbinds, tab-separated; with `#`, each after `, ` |
//! | `V` | sets the separator for `%v` to the text up to the next `%` |
//! | `%` or another character | itself |
//!
//! Fields are cut to PRECISION characters and padded to WIDTH (at least PRECISION; both at most
//! 4096): numbers
//! with zeroes; other fields as snmptrapd pads them (a space, then zeroes; on the right with
//! `-`, zeroes). Host names are not looked up: `%A` and `%B` print as snmptrapd `-n` prints.
//!
//! ```
//! use snmpctl::format::trap_format::TrapFormat;
//! let f = TrapFormat::parse("%02.2h:%02.2j TRAP%w.%q from %A\\n");
//! // Hour, ":", minute, " TRAP", generic trap, ".", specific, " from ", agent, newline.
//! assert_eq!(f.pieces(), 10);
//! ```

use super::notification::Via;
use super::output::{
    OutputOptions, push_text_octets, raw_bytes, timeticks, write_hex, write_oid, write_varbind,
};
use crate::msg::PduType;
use crate::trap::{Notification, Sender};
use crate::value::Oid;
use core::fmt::Write as _;

/// One `%` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Field {
    code: char,
    width: usize,
    precision: Option<usize>,
    left: bool,
    zeroes: bool,
    alternate: bool,
}

/// A piece of a parsed format.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field(Field),
    /// `%V…%`: the separator for the `%v` fields after it.
    Separator(String),
}

/// A parsed snmptrapd format string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrapFormat {
    pieces: Vec<Piece>,
}

/// A calendar time: year, month (1–12), day, hour, minute, second.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Civil {
    /// The year.
    pub year: i32,
    /// The month, 1 to 12.
    pub month: u32,
    /// The day of the month.
    pub day: u32,
    /// The hour.
    pub hour: u32,
    /// The minute.
    pub minute: u32,
    /// The second.
    pub second: u32,
}

/// What a format needs besides the notification: where it arrived and when.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Where it arrived.
    pub via: Via,
    /// When, in seconds since the epoch.
    pub now: i64,
    /// The same time, local.
    pub local: Civil,
    /// The same time, UTC (the `#` forms).
    pub utc: Civil,
    /// Output options for OIDs and values.
    pub options: &'a OutputOptions<'a>,
}

fn escape(c: char) -> Option<&'static str> {
    Some(match c {
        'a' => "\u{7}",
        'b' => "\u{8}",
        'f' => "\u{c}",
        'n' => "\n",
        'r' => "\r",
        't' => "\t",
        'v' => "\u{b}",
        '\\' => "\\",
        '?' => "?",
        '%' => "%",
        '\'' => "'",
        '"' => "\"",
        _ => return None,
    })
}

/// The largest width or precision taken (more is taken as this): a format from a file must not
/// make a record of gigabytes.
const MAX_WIDTH: usize = 4096;

/// The codes that are fields (anything else after `%` prints as itself).
fn is_code(c: char) -> bool {
    "tymlhjkTYMLHJKaAsSuEbBNPwWqv".contains(c)
}

/// Fields padded with zeroes (numbers).
fn is_numeric(c: char) -> bool {
    "tymlhjkTYMLHJKw".contains(c)
}

impl TrapFormat {
    /// Parses a format as snmptrapd reads it (it has no errors: what is not a field is text).
    pub fn parse(format: &str) -> TrapFormat {
        #[derive(PartialEq)]
        enum State {
            Normal,
            Backslash,
            InField,
            Width,
            Precision,
        }
        let mut pieces: Vec<Piece> = Vec::new();
        let mut text = String::new();
        let mut field =
            Field { code: '*', width: 0, precision: None, left: false, zeroes: false, alternate: false };
        let fresh = field;
        let mut state = State::Normal;
        let mut chars = format.chars().peekable();
        let flush = |text: &mut String, pieces: &mut Vec<Piece>| {
            if !text.is_empty() {
                pieces.push(Piece::Text(std::mem::take(text)));
            }
        };
        while let Some(c) = chars.next() {
            match state {
                State::Normal => match c {
                    '\\' => state = State::Backslash,
                    '%' => {
                        field = fresh;
                        state = State::InField;
                    }
                    c => text.push(c),
                },
                State::Backslash => {
                    match escape(c) {
                        Some(s) => text.push_str(s),
                        None => {
                            text.push('\\');
                            text.push(c);
                        }
                    }
                    state = State::Normal;
                }
                State::InField | State::Width | State::Precision => {
                    let take = |field: &mut Field, text: &mut String, pieces: &mut Vec<Piece>| {
                        flush(text, pieces);
                        pieces.push(Piece::Field(*field));
                    };
                    match (c, &state) {
                        ('-', State::InField) => field.left = true,
                        ('0', State::InField) => field.zeroes = true,
                        ('#', State::InField) => field.alternate = true,
                        ('V', State::InField) => {
                            // The separator: up to the next `%` (which is consumed), with escapes.
                            let mut sep = String::new();
                            while let Some(n) = chars.next() {
                                match n {
                                    '%' => break,
                                    '\\' => match chars.next() {
                                        Some(e) => match escape(e) {
                                            Some(s) => sep.push_str(s),
                                            None => {
                                                sep.push('\\');
                                                sep.push(e);
                                            }
                                        },
                                        None => break,
                                    },
                                    n => sep.push(n),
                                }
                            }
                            // snmptrapd keeps at most 31 bytes of it.
                            while sep.len() > 31 {
                                sep.pop();
                            }
                            flush(&mut text, &mut pieces);
                            pieces.push(Piece::Separator(sep));
                            // The parser stays in the field: the next character is a code.
                        }
                        ('.', State::InField | State::Width) => state = State::Precision,
                        ('1'..='9', State::InField) => {
                            field.width = c.to_digit(10).map_or(0, |d| d as usize);
                            state = State::Width;
                        }
                        ('0'..='9', State::Width) => {
                            let d = c.to_digit(10).map_or(0, |d| d as usize);
                            field.width = field.width.saturating_mul(10).saturating_add(d).min(MAX_WIDTH);
                        }
                        ('0'..='9', State::Precision) => {
                            let d = c.to_digit(10).map_or(0, |d| d as usize);
                            let p = field.precision.map_or(d, |p| p.saturating_mul(10).saturating_add(d));
                            field.precision = Some(p.min(MAX_WIDTH));
                        }
                        (c, _) if is_code(c) => {
                            field.code = c;
                            if state == State::Precision {
                                field.width = field.width.max(field.precision.unwrap_or(0));
                            }
                            take(&mut field, &mut text, &mut pieces);
                            state = State::Normal;
                        }
                        (c, _) => {
                            text.push(c);
                            state = State::Normal;
                        }
                    }
                }
            }
        }
        flush(&mut text, &mut pieces);
        TrapFormat { pieces }
    }

    /// How many pieces (texts, fields, separators) the format has.
    pub fn pieces(&self) -> usize {
        self.pieces.len()
    }

    /// Appends `n` as the format says.
    pub fn write(&self, out: &mut String, n: &Notification, cx: &Context<'_>) {
        let mut separator = String::new();
        let mut value = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Separator(s) => separator.clone_from(s),
                Piece::Field(f) => {
                    value.clear();
                    match f.code {
                        // Written straight out, then padded as an empty field: snmptrapd's way.
                        'u' if matches!(n.sender, Sender::Community(_)) => {
                            if let Sender::Community(c) = &n.sender {
                                printable(out, c);
                            }
                        }
                        'P' => {
                            wrapper(out, n);
                            continue;
                        }
                        'v' => varbinds(&mut value, n, f.alternate, &separator, cx.options),
                        code => field_text(&mut value, code, f.alternate, n, cx),
                    }
                    pad(out, &value, f);
                }
            }
        }
    }
}

/// `isprint` octets as they are, others as `.`.
fn printable(out: &mut String, bytes: &[u8]) {
    out.extend(bytes.iter().map(|&b| if (0x20..0x7f).contains(&b) { char::from(b) } else { '.' }));
}

/// `%P`.
fn wrapper(out: &mut String, n: &Notification) {
    out.push_str(match n.pdu_type {
        PduType::TRAP_V1 => "TRAP",
        PduType::INFORM_REQUEST => "INFORM",
        _ => "TRAP2",
    });
    match &n.sender {
        Sender::Community(c) => {
            out.push_str(if n.trap_v1.is_some() || n.version == crate::msg::Version::V1 {
                ", SNMP v1, community "
            } else {
                ", SNMP v2c, community "
            });
            printable(out, c);
        }
        Sender::Usm { user, context_name, .. } => {
            out.push_str(", SNMP v3, user ");
            printable(out, user);
            out.push_str(", context ");
            printable(out, context_name);
        }
    }
}

/// `%v`: the varbinds, with the separator of the last `%V`, or a tab (`, ` before each with `#`).
fn varbinds(out: &mut String, n: &Notification, alternate: bool, separator: &str, options: &OutputOptions) {
    let sep = match (separator.is_empty(), alternate) {
        (false, _) => separator,
        (true, false) => "\t",
        (true, true) => ", ",
    };
    for (i, vb) in n.varbinds.iter().enumerate() {
        if alternate || i > 0 {
            out.push_str(sep);
        }
        write_varbind(out, vb, options);
        out.pop();
    }
}

/// snmptrapd's words for a generic trap.
fn description(generic: i64) -> &'static str {
    match generic {
        0 => "Cold Start",
        1 => "Warm Start",
        2 => "Link Down",
        3 => "Link Up",
        4 => "Authentication Failure",
        5 => "EGP Neighbor Loss",
        6 => "Enterprise Specific",
        _ => "Unknown Type",
    }
}

/// The text of one field (before cutting and padding).
fn field_text(out: &mut String, code: char, alternate: bool, n: &Notification, cx: &Context<'_>) {
    let v1 = n.trap_v1.as_ref();
    match code {
        't' => {
            let _ = write!(out, "{}", cx.now);
        }
        'T' => {
            let ticks = v1.map_or(0, |t| t.time_stamp);
            if alternate {
                let t = timeticks(ticks);
                out.push_str(t.split_once(") ").map_or(t.as_str(), |(_, r)| r));
            } else {
                let _ = write!(out, "{ticks}");
            }
        }
        'y' | 'm' | 'l' | 'h' | 'j' | 'k' | 'Y' | 'M' | 'L' | 'H' | 'J' | 'K' => {
            let t = if alternate { cx.utc } else { cx.local };
            let _ = match code.to_ascii_lowercase() {
                'y' => write!(out, "{}", t.year),
                'm' => write!(out, "{}", t.month),
                'l' => write!(out, "{}", t.day),
                'h' => write!(out, "{}", t.hour),
                'j' => write!(out, "{}", t.minute),
                _ => write!(out, "{}", t.second),
            };
        }
        'a' | 'A' => {
            let [a, b, c, d] = v1.map_or([0; 4], |t| t.agent_addr);
            let _ = write!(out, "{a}.{b}.{c}.{d}");
        }
        'b' | 'B' => out.push_str(&cx.via.describe(n.from)),
        'E' => {
            if let Sender::Usm { context_engine_id, .. } = &n.sender {
                write_hex(out, context_engine_id, cx.options);
            }
        }
        'N' => match v1 {
            Some(t) => write_oid(out, &t.enterprise, cx.options),
            None => out.push('.'),
        },
        's' => out.push(match (v1.is_some(), &n.sender) {
            (true, _) => '0',
            (false, Sender::Usm { .. }) => '3',
            (false, _) if n.version == crate::msg::Version::V1 => '0',
            (false, _) => '1',
        }),
        'S' => out.push(match (v1.is_some(), &n.sender) {
            (true, _) => '1',
            (false, Sender::Usm { .. }) => '3',
            (false, _) if n.version == crate::msg::Version::V1 => '1',
            (false, _) => '2',
        }),
        'u' => {
            if let Sender::Usm { user, .. } = &n.sender {
                out.push_str(&String::from_utf8_lossy(user));
            }
        }
        'w' => {
            let _ = write!(out, "{}", v1.map_or(0, |t| t.generic_trap.0));
        }
        'W' => out.push_str(description(v1.map_or(0, |t| t.generic_trap.0))),
        'q' => match v1 {
            Some(t) if t.generic_trap.0 == 6 => {
                let mut arcs = t.enterprise.arcs().to_vec();
                if arcs.last() != Some(&0) {
                    arcs.push(0);
                }
                arcs.push(u32::try_from(t.specific_trap).unwrap_or(0));
                let mut name = String::new();
                if let Ok(oid) = Oid::new(&arcs) {
                    write_oid(&mut name, &oid, cx.options);
                }
                out.push_str(name.rfind('.').and_then(|i| name.get(i..)).unwrap_or(&name));
            }
            Some(t) => {
                let _ = write!(out, "{}", t.specific_trap);
            }
            None => out.push('0'),
        },
        other => out.push(other),
    }
}

/// Appends `value` cut to the precision and padded to the width, as snmptrapd pads: on the
/// left with zeroes under `0`; otherwise a number gets zeroes up to its precision (for a
/// number without one, all zeroes) and then spaces, text a space and then zeroes; on the right
/// (`-`), zeroes.
fn pad(out: &mut String, value: &str, f: &Field) {
    // Widths and precisions count octets, as snmptrapd's do (a UTF-8 name, or octets carried
    // under `raw_octets`, count what they print).
    let octets = raw_bytes(value);
    let mut take = octets.len();
    if let Some(p) = f.precision {
        take = take.min(p);
    }
    let fill = f.width.saturating_sub(take);
    if !f.left && fill > 0 {
        // snmptrapd counts its zeroes down past zero: after the precision's zeroes, one space,
        // then zeroes again.
        let mut zeroes: usize =
            if is_numeric(f.code) { f.precision.map_or(usize::MAX, |p| p.wrapping_sub(take)) } else { 0 };
        for _ in 0..fill {
            let zero = f.zeroes || {
                let more = zeroes > 0;
                zeroes = zeroes.wrapping_sub(1);
                more
            };
            out.push(if zero { '0' } else { ' ' });
        }
    }
    push_text_octets(out, octets.get(..take).unwrap_or(&octets), true);
    if f.left && fill > 0 {
        out.extend(std::iter::repeat_n('0', fill));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn padded(value: &str, format: &str) -> String {
        let TrapFormat { pieces } = TrapFormat::parse(format);
        let Some(Piece::Field(f)) = pieces.first() else { panic!("{pieces:?}") };
        let mut out = String::new();
        pad(&mut out, value, f);
        out
    }

    #[test]
    fn padding_as_snmptrapd_pads() {
        // Observed from snmptrapd 5.9.3.
        assert_eq!(padded("0", "%5w"), "00000");
        assert_eq!(padded("5", "%5.3l"), "00 05");
        assert_eq!(padded("UDP: [127.0.0.1]", "%10.3b"), " 000000UDP");
        assert_eq!(padded("0", "%3q"), " 00");
        assert_eq!(padded("Cold Start", "%.1W"), "C");
        assert_eq!(padded("2026", "%.2y"), "20");
        assert_eq!(padded("5", "%.2m"), "05");
        assert_eq!(padded("3", "%05w"), "00003");
        assert_eq!(padded("", "%-5u"), "00000");
        // A width from a file is capped (the fuzzer's: %888…8E).
        assert_eq!(padded("x", &format!("%{}E", "8".repeat(40))).len(), MAX_WIDTH);
        // Octets, not characters: "é" is two, and a cut may split it (as snmptrapd's does).
        assert_eq!(padded("é", "%4W"), " 0é");
        assert_eq!(raw_bytes(&padded("é", "%.1W")).into_owned(), vec![0xc3]);
    }

    #[test]
    fn text_escapes_and_separators() {
        let f = TrapFormat::parse("a\\tb\\q%x%%%V; %v");
        assert_eq!(
            f.pieces,
            [
                Piece::Text("a\tb\\qx%".into()),
                Piece::Separator("; ".into()),
                Piece::Field(Field {
                    code: 'v',
                    width: 0,
                    precision: None,
                    left: false,
                    zeroes: false,
                    alternate: false
                })
            ]
        );
    }
}
