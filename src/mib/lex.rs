//! Tokens of SMI text (RFC 1155, 2578 and the ASN.1 subset they use).
//!
//! Comments run from `--` to the end of the line, as Net-SNMP reads them. Identifiers may hold
//! hyphens (`mib-2`, `OBJECT-TYPE`) but never `--`. Each token carries its 1-based line.

/// One token and the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: Tok,
    pub line: u32,
}

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// An identifier or keyword (`ifDescr`, `OBJECT-TYPE`, `INTEGER`).
    Ident(String),
    /// A decimal number; a leading `-` is a separate [`Tok::Punct`].
    Number(u64),
    /// A quoted string, quotes removed.
    Str(String),
    /// `'0A'H` or `'0101'B`, as the digits and the radix letter.
    Radix(String, char),
    /// `::=`
    Assign,
    /// `..`
    Range,
    /// Any other single character: `{ } ( ) , ; | [ ] . -` and the odd stray.
    Punct(char),
}

/// Splits `text` into tokens. Never fails: an unterminated string runs to the end of the text
/// (the parser reports what it then misses), a number too large for u64 saturates.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut line: u32 = 1;
    while let Some((start, c)) = chars.next() {
        let here = line;
        let kind = match c {
            '\n' => {
                line = line.saturating_add(1);
                continue;
            }
            c if c.is_whitespace() => continue,
            '-' if chars.peek().map(|&(_, n)| n) == Some('-') => {
                for (_, n) in chars.by_ref() {
                    if n == '\n' {
                        line = line.saturating_add(1);
                        break;
                    }
                }
                continue;
            }
            '"' => {
                let mut s = String::new();
                for (_, n) in chars.by_ref() {
                    if n == '"' {
                        break;
                    }
                    if n == '\n' {
                        line = line.saturating_add(1);
                    }
                    // Files with CRLF line ends read as with LF, as Net-SNMP reads them.
                    if n != '\r' {
                        s.push(n);
                    }
                }
                Tok::Str(s)
            }
            '\'' => {
                let mut digits = String::new();
                let mut closed = false;
                while let Some(&(_, n)) = chars.peek() {
                    chars.next();
                    if n == '\'' {
                        closed = true;
                        break;
                    }
                    if n == '\n' {
                        line = line.saturating_add(1);
                    }
                    digits.push(n);
                }
                let radix = match chars.peek() {
                    Some(&(_, r)) if closed && matches!(r, 'H' | 'h' | 'B' | 'b') => {
                        chars.next();
                        r.to_ascii_uppercase()
                    }
                    _ => '?',
                };
                Tok::Radix(digits.trim().to_string(), radix)
            }
            ':' if text.get(start..).is_some_and(|s| s.starts_with("::=")) => {
                chars.next();
                chars.next();
                Tok::Assign
            }
            '.' if chars.peek().map(|&(_, n)| n) == Some('.') => {
                chars.next();
                Tok::Range
            }
            c if c.is_ascii_digit() => {
                let mut value: u64 = c.to_digit(10).map_or(0, u64::from);
                while let Some(&(_, n)) = chars.peek() {
                    let Some(d) = n.to_digit(10) else { break };
                    chars.next();
                    value = value.saturating_mul(10).saturating_add(u64::from(d));
                }
                Tok::Number(value)
            }
            c if c.is_ascii_alphabetic() => {
                let mut end = start.saturating_add(c.len_utf8());
                loop {
                    match chars.peek().copied() {
                        Some((i, n)) if n.is_ascii_alphanumeric() || n == '_' => {
                            chars.next();
                            end = i.saturating_add(1);
                        }
                        Some((i, '-')) => {
                            // `a-b` continues the identifier; `a--` starts a comment.
                            let next = text.get(i.saturating_add(1)..).and_then(|s| s.chars().next());
                            if next.is_some_and(|n| n.is_ascii_alphanumeric()) {
                                chars.next();
                                end = i.saturating_add(1);
                            } else {
                                break;
                            }
                        }
                        _ => break,
                    }
                }
                Tok::Ident(text.get(start..end).unwrap_or_default().to_string())
            }
            other => Tok::Punct(other),
        };
        out.push(Token { kind, line: here });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Tok> {
        tokens(text).into_iter().map(|t| t.kind).collect()
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
    fn strings_radix_and_lines() {
        let t = tokens("\"two\nlines\" 'FF'H\n'0101'B x");
        assert_eq!(t[0].kind, Tok::Str("two\nlines".into()));
        assert_eq!(t[1].kind, Tok::Radix("FF".into(), 'H'));
        assert_eq!(t[1].line, 2);
        assert_eq!(t[2].kind, Tok::Radix("0101".into(), 'B'));
        assert_eq!(t[3].line, 3);
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for text in ["\"open", "'abc", "a-", "--", "::", "1234567890123456789012345", "é ü"] {
            let _ = tokens(text);
        }
    }
}
