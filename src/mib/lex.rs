//! Tokens of SMI text (RFC 1155, 2578 and the ASN.1 subset they use), read as Net-SNMP reads
//! them.
//!
//! The text is bytes: vendors write GB2312 or cp1252 in comments and DESCRIPTIONs, so nothing
//! here requires UTF-8 (quoted strings are decoded lossily). A comment runs from `--` to the end
//! of the line or to the next `--`, whichever comes first (Net-SNMP's default, and ASN.1's
//! rule). Identifiers hold letters, digits, hyphens and underscores and may start with a digit
//! (`64BitWEP`); an identifier never holds `--`, which starts a comment. A word of digits alone
//! is a number. Each token carries its 1-based line.

/// One token and the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: Tok,
    pub line: u32,
}

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// An identifier or keyword (`ifDescr`, `OBJECT-TYPE`, `INTEGER`, `64BitWEP`, `trail-`).
    Ident(String),
    /// A decimal number; a leading `-` is a separate [`Tok::Punct`].
    Number(u64),
    /// A quoted string, quotes removed, CRs dropped.
    Str(String),
    /// `'0A'H` or `'0101'B`, as the digits and the radix letter (`?` when none follows).
    Radix(String, char),
    /// `::=`
    Assign,
    /// `..`
    Range,
    /// Any other single character: `{ } ( ) , ; | [ ] . - :` and the odd stray byte.
    Punct(char),
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Splits `text` into tokens. Never fails: an unterminated string runs to the end of the text
/// (the parser reports what it then misses), a number too large for u64 saturates.
pub fn tokens(text: &[u8]) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 6);
    let mut line: u32 = 1;
    let mut i: usize = 0;
    let at = |i: usize| text.get(i).copied();
    while let Some(c) = at(i) {
        let here = line;
        let start = i;
        i = i.saturating_add(1);
        let kind = match c {
            b'\n' => {
                line = line.saturating_add(1);
                continue;
            }
            c if c.is_ascii_whitespace() || c == 0x0b => continue,
            b'-' if at(i) == Some(b'-') => {
                // A comment: to the end of the line or the next `--`.
                i = i.saturating_add(1);
                loop {
                    match at(i) {
                        None => break,
                        Some(b'\n') => break,
                        Some(b'-') if at(i.saturating_add(1)) == Some(b'-') => {
                            i = i.saturating_add(2);
                            break;
                        }
                        Some(_) => i = i.saturating_add(1),
                    }
                }
                continue;
            }
            b'"' => {
                let begin = i;
                while let Some(n) = at(i) {
                    if n == b'"' {
                        break;
                    }
                    if n == b'\n' {
                        line = line.saturating_add(1);
                    }
                    i = i.saturating_add(1);
                }
                let body = text.get(begin..i).unwrap_or_default();
                i = i.saturating_add(1);
                // Files with CRLF line ends read as with LF, as Net-SNMP reads them.
                let s = String::from_utf8_lossy(body);
                Tok::Str(if s.contains('\r') { s.replace('\r', "") } else { s.into_owned() })
            }
            b'\'' => {
                let begin = i;
                while let Some(n) = at(i) {
                    if n == b'\'' {
                        break;
                    }
                    if n == b'\n' {
                        line = line.saturating_add(1);
                    }
                    i = i.saturating_add(1);
                }
                let closed = at(i) == Some(b'\'');
                let digits =
                    String::from_utf8_lossy(text.get(begin..i).unwrap_or_default()).trim().to_string();
                if closed {
                    i = i.saturating_add(1);
                }
                let radix = match at(i) {
                    Some(r) if closed && matches!(r, b'H' | b'h' | b'B' | b'b') => {
                        i = i.saturating_add(1);
                        char::from(r.to_ascii_uppercase())
                    }
                    _ => '?',
                };
                Tok::Radix(digits, radix)
            }
            b':' if at(i) == Some(b':') && at(i.saturating_add(1)) == Some(b'=') => {
                i = i.saturating_add(2);
                Tok::Assign
            }
            b'.' if at(i) == Some(b'.') => {
                i = i.saturating_add(1);
                Tok::Range
            }
            c if is_word_byte(c) => {
                // A word: letters, digits, `_`, and `-` unless it starts a comment.
                loop {
                    match at(i) {
                        Some(n) if is_word_byte(n) => i = i.saturating_add(1),
                        Some(b'-') if at(i.saturating_add(1)) != Some(b'-') => i = i.saturating_add(1),
                        _ => break,
                    }
                }
                let word = text.get(start..i).unwrap_or_default();
                if word.iter().all(u8::is_ascii_digit) {
                    let mut value: u64 = 0;
                    for d in word {
                        value = value.saturating_mul(10).saturating_add(u64::from(d.saturating_sub(b'0')));
                    }
                    Tok::Number(value)
                } else {
                    Tok::Ident(String::from_utf8_lossy(word).into_owned())
                }
            }
            c if c.is_ascii() => Tok::Punct(char::from(c)),
            _ => {
                // A byte of some non-ASCII text outside a string: one stray token per run.
                while at(i).is_some_and(|n| !n.is_ascii()) {
                    i = i.saturating_add(1);
                }
                Tok::Punct(char::REPLACEMENT_CHARACTER)
            }
        };
        out.push(Token { kind, line: here });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Tok> {
        tokens(text.as_bytes()).into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn identifiers_comments_and_punctuation() {
        assert_eq!(
            kinds("mib-2 OBJECT IDENTIFIER ::= { mgmt 1 } -- a comment\nx--c\n(0..255)"),
            vec![
                Tok::Ident("mib-2".into()),
                Tok::Ident("OBJECT".into()),
                Tok::Ident("IDENTIFIER".into()),
                Tok::Assign,
                Tok::Punct('{'),
                Tok::Ident("mgmt".into()),
                Tok::Number(1),
                Tok::Punct('}'),
                Tok::Ident("x".into()),
                Tok::Punct('('),
                Tok::Number(0),
                Tok::Range,
                Tok::Number(255),
                Tok::Punct(')'),
            ]
        );
    }

    #[test]
    fn comments_end_at_a_second_double_hyphen() {
        assert_eq!(kinds("a -- note -- b\n"), vec![Tok::Ident("a".into()), Tok::Ident("b".into())]);
        // Five hyphens: a comment of four, then a stray hyphen.
        assert_eq!(kinds("-----\nc"), vec![Tok::Punct('-'), Tok::Ident("c".into())]);
        assert_eq!(kinds("------\nc"), vec![Tok::Ident("c".into())]);
    }

    #[test]
    fn vendor_words() {
        assert_eq!(
            kinds("64BitWEP(1) trail-(2) a_b 80211v"),
            vec![
                Tok::Ident("64BitWEP".into()),
                Tok::Punct('('),
                Tok::Number(1),
                Tok::Punct(')'),
                Tok::Ident("trail-".into()),
                Tok::Punct('('),
                Tok::Number(2),
                Tok::Punct(')'),
                Tok::Ident("a_b".into()),
                Tok::Ident("80211v".into()),
            ]
        );
    }

    #[test]
    fn strings_radix_and_lines() {
        let t = tokens(b"\"two\r\nlines\" 'FF'H\n'0101'B x");
        assert_eq!(t[0].kind, Tok::Str("two\nlines".into()));
        assert_eq!(t[1].kind, Tok::Radix("FF".into(), 'H'));
        assert_eq!(t[1].line, 2);
        assert_eq!(t[2].kind, Tok::Radix("0101".into(), 'B'));
        assert_eq!(t[3].line, 3);
    }

    #[test]
    fn bytes_that_are_not_utf8() {
        let t = tokens(b"-- \xb1\xea\xd7\xbc\nx \"\xe9t\xe9\" \xff\xfe y");
        assert_eq!(t[0].kind, Tok::Ident("x".into()));
        assert_eq!(t[1].kind, Tok::Str("\u{fffd}t\u{fffd}".into()));
        assert_eq!(t[2].kind, Tok::Punct(char::REPLACEMENT_CHARACTER));
        assert_eq!(t[3].kind, Tok::Ident("y".into()));
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for text in ["\"open", "'abc", "a-", "--", "::", "1234567890123456789012345", "é ü", "'", "'x'"] {
            let _ = tokens(text.as_bytes());
        }
    }
}
