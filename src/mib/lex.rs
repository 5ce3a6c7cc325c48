//! Tokens of SMI text (RFC 1155, 2578 and the ASN.1 subset they use), read as Net-SNMP reads
//! them.
//!
//! The text is bytes: vendors write GB2312 or cp1252 in comments and DESCRIPTIONs, so nothing
//! here requires UTF-8 (quoted strings are decoded lossily). A comment runs from `--` to the end
//! of the line or to the next `--`, whichever comes first (Net-SNMP's default, and ASN.1's
//! rule). Identifiers hold letters, digits, hyphens and underscores and may start with a digit
//! (`64BitWEP`); an identifier never holds `--`, which starts a comment. A word of digits alone
//! is a number. Each token carries its 1-based line.

/// One token and the line it starts on. Words and strings are spans of the text, not copies:
/// a file of 3 MB makes some 400,000 tokens, and most are looked at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: Tok<'a>,
    pub line: u32,
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok<'a> {
    /// An identifier or keyword (`ifDescr`, `OBJECT-TYPE`, `INTEGER`, `64BitWEP`, `trail-`).
    Ident(&'a str),
    /// A decimal number; a leading `-` is a separate [`Tok::Punct`].
    Number(u64),
    /// A quoted string as written between its quotes; [`string`] gives its text.
    Str(&'a [u8]),
    /// `'0A'H` or `'0101'B`, as the digits (spaces trimmed) and the radix letter (`?` when none
    /// follows).
    Radix(&'a str, char),
    /// `::=`
    Assign,
    /// `..`
    Range,
    /// Any other single character: `{ } ( ) , ; | [ ] . - :` and the odd stray byte.
    Punct(char),
}

/// The text of a quoted string: bytes that are not UTF-8 replaced, CRs dropped (files with
/// CRLF line ends read as with LF, as Net-SNMP reads them).
pub fn string(body: &[u8]) -> String {
    let s = match std::str::from_utf8(body) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(body),
    };
    if s.contains('\r') { s.replace('\r', "") } else { s.into_owned() }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// ASCII bytes as text (words and radix digits are ASCII by construction; anything else reads
/// as empty rather than failing).
fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// The tokens of a text, one at a time. Never fails: an unterminated string runs to the end of
/// the text (the parser reports what it then misses), a number too large for u64 saturates.
pub struct Lexer<'a> {
    text: &'a [u8],
    /// The whole text, when it is UTF-8 (nearly always): words are then sliced from it
    /// without a check each.
    valid: Option<&'a str>,
    i: usize,
    line: u32,
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `text`, which is checked as UTF-8 once, whole.
    pub fn new(text: &'a [u8]) -> Self {
        Lexer { text, valid: std::str::from_utf8(text).ok(), i: 0, line: 1 }
    }

    /// A lexer for the first few tokens of `text` (a module's header): each word is checked
    /// as it is read, rather than the whole text first.
    pub fn head(text: &'a [u8]) -> Self {
        Lexer { text, valid: None, i: 0, line: 1 }
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.text.get(i).copied()
    }

    /// Moves past bytes until `stop` (not consumed), counting lines.
    fn until(&mut self, stop: u8) {
        let rest = self.text.get(self.i..).unwrap_or_default();
        let n = rest.iter().position(|&b| b == stop).unwrap_or(rest.len());
        let skipped = rest.get(..n).unwrap_or_default();
        let lines = skipped.iter().filter(|&&b| b == b'\n').count();
        self.line = self.line.saturating_add(u32::try_from(lines).unwrap_or(u32::MAX));
        self.i = self.i.saturating_add(n);
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let text = self.text;
        loop {
            let c = self.at(self.i)?;
            let here = self.line;
            let start = self.i;
            self.i = self.i.saturating_add(1);
            let kind = match c {
                b'\n' => {
                    self.line = self.line.saturating_add(1);
                    continue;
                }
                b' ' | b'\t' | b'\r' => {
                    while matches!(self.at(self.i), Some(b' ' | b'\t' | b'\r')) {
                        self.i = self.i.saturating_add(1);
                    }
                    continue;
                }
                c if c.is_ascii_whitespace() || c == 0x0b => continue,
                b'-' if self.at(self.i) == Some(b'-') => {
                    // A comment: to the end of the line or the next `--`.
                    self.i = self.i.saturating_add(1);
                    loop {
                        let rest = text.get(self.i..).unwrap_or_default();
                        match rest.iter().position(|&b| b == b'\n' || b == b'-') {
                            None => self.i = text.len(),
                            Some(n) => {
                                self.i = self.i.saturating_add(n);
                                if rest.get(n) == Some(&b'-') {
                                    self.i = self.i.saturating_add(1);
                                    if self.at(self.i) != Some(b'-') {
                                        continue;
                                    }
                                    self.i = self.i.saturating_add(1);
                                }
                            }
                        }
                        break;
                    }
                    continue;
                }
                b'"' => {
                    let begin = self.i;
                    self.until(b'"');
                    let body = text.get(begin..self.i).unwrap_or_default();
                    self.i = self.i.saturating_add(1);
                    Tok::Str(body)
                }
                b'\'' => {
                    let begin = self.i;
                    self.until(b'\'');
                    let closed = self.at(self.i) == Some(b'\'');
                    let digits = ascii(text.get(begin..self.i).unwrap_or_default().trim_ascii());
                    if closed {
                        self.i = self.i.saturating_add(1);
                    }
                    let radix = match self.at(self.i) {
                        Some(r) if closed && matches!(r, b'H' | b'h' | b'B' | b'b') => {
                            self.i = self.i.saturating_add(1);
                            char::from(r.to_ascii_uppercase())
                        }
                        _ => '?',
                    };
                    Tok::Radix(digits, radix)
                }
                b':' if self.at(self.i) == Some(b':') && self.at(self.i.saturating_add(1)) == Some(b'=') => {
                    self.i = self.i.saturating_add(2);
                    Tok::Assign
                }
                b'.' if self.at(self.i) == Some(b'.') => {
                    self.i = self.i.saturating_add(1);
                    Tok::Range
                }
                c if is_word_byte(c) => {
                    // A word: letters, digits, `_`, and `-` unless it starts a comment.
                    let mut digits = c.is_ascii_digit();
                    loop {
                        match self.at(self.i) {
                            Some(n) if is_word_byte(n) => digits &= n.is_ascii_digit(),
                            Some(b'-') if self.at(self.i.saturating_add(1)) != Some(b'-') => digits = false,
                            _ => break,
                        }
                        self.i = self.i.saturating_add(1);
                    }
                    let word = text.get(start..self.i).unwrap_or_default();
                    if digits {
                        let mut value: u64 = 0;
                        for d in word {
                            value =
                                value.saturating_mul(10).saturating_add(u64::from(d.saturating_sub(b'0')));
                        }
                        Tok::Number(value)
                    } else {
                        Tok::Ident(match self.valid {
                            Some(all) => all.get(start..self.i).unwrap_or_default(),
                            None => ascii(word),
                        })
                    }
                }
                c if c.is_ascii() => Tok::Punct(char::from(c)),
                _ => {
                    // A byte of some non-ASCII text outside a string: one stray token per run.
                    while self.at(self.i).is_some_and(|n| !n.is_ascii()) {
                        self.i = self.i.saturating_add(1);
                    }
                    Tok::Punct(char::REPLACEMENT_CHARACTER)
                }
            };
            return Some(Token { kind, line: here });
        }
    }
}

/// Splits `text` into tokens (see [`Lexer`]).
pub fn tokens(text: &[u8]) -> Vec<Token<'_>> {
    let mut out = Vec::with_capacity(text.len() / 16);
    out.extend(Lexer::new(text));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Tok<'_>> {
        tokens(text.as_bytes()).into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn identifiers_comments_and_punctuation() {
        assert_eq!(
            kinds("mib-2 OBJECT IDENTIFIER ::= { mgmt 1 } -- a comment\nx--c\n(0..255)"),
            vec![
                Tok::Ident("mib-2"),
                Tok::Ident("OBJECT"),
                Tok::Ident("IDENTIFIER"),
                Tok::Assign,
                Tok::Punct('{'),
                Tok::Ident("mgmt"),
                Tok::Number(1),
                Tok::Punct('}'),
                Tok::Ident("x"),
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
        assert_eq!(kinds("a -- note -- b\n"), vec![Tok::Ident("a"), Tok::Ident("b")]);
        // Five hyphens: a comment of four, then a stray hyphen.
        assert_eq!(kinds("-----\nc"), vec![Tok::Punct('-'), Tok::Ident("c")]);
        assert_eq!(kinds("------\nc"), vec![Tok::Ident("c")]);
    }

    #[test]
    fn vendor_words() {
        assert_eq!(
            kinds("64BitWEP(1) trail-(2) a_b 80211v"),
            vec![
                Tok::Ident("64BitWEP"),
                Tok::Punct('('),
                Tok::Number(1),
                Tok::Punct(')'),
                Tok::Ident("trail-"),
                Tok::Punct('('),
                Tok::Number(2),
                Tok::Punct(')'),
                Tok::Ident("a_b"),
                Tok::Ident("80211v"),
            ]
        );
    }

    #[test]
    fn strings_radix_and_lines() {
        let t = tokens(b"\"two\r\nlines\" 'FF'H\n'0101'B x");
        assert_eq!(t[0].kind, Tok::Str(b"two\r\nlines"));
        assert_eq!(string(b"two\r\nlines"), "two\nlines");
        assert_eq!(t[1].kind, Tok::Radix("FF", 'H'));
        assert_eq!(t[1].line, 2);
        assert_eq!(t[2].kind, Tok::Radix("0101", 'B'));
        assert_eq!(t[3].line, 3);
    }

    #[test]
    fn bytes_that_are_not_utf8() {
        let t = tokens(b"-- \xb1\xea\xd7\xbc\nx \"\xe9t\xe9\" \xff\xfe y");
        assert_eq!(t[0].kind, Tok::Ident("x"));
        assert_eq!(t[1].kind, Tok::Str(b"\xe9t\xe9"));
        assert_eq!(string(b"\xe9t\xe9"), "\u{fffd}t\u{fffd}");
        assert_eq!(t[2].kind, Tok::Punct(char::REPLACEMENT_CHARACTER));
        assert_eq!(t[3].kind, Tok::Ident("y"));
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for text in ["\"open", "'abc", "a-", "--", "::", "1234567890123456789012345", "é ü", "'", "'x'"] {
            let _ = tokens(text.as_bytes());
        }
    }
}
