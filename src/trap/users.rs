//! The v3 users a listener accepts, in snmptrapd.conf's own syntax, so existing lines carry
//! over:
//!
//! ```text
//! # createUser [-e ENGINEID] [-m | -l] NAME [AUTHPROTO AUTHPASS [PRIVPROTO [PRIVPASS]]]
//! createUser netops SHA-256 "auth secret" AES-256 "priv secret"
//! createUser -e 0x800000090300AABBCCDDEEFF netops SHA oldpassword1 DES oldpassword2
//! createUser -m monitor SHA 0x2e8d… AES 0x6f1c…     (master keys, hex)
//! # authUser TYPES NAME [LEVEL]: the lowest level accepted from NAME
//! authUser log netops authPriv
//! ```
//!
//! As in Net-SNMP, a missing privacy password is the authentication password; without `-e`
//! the user is accepted from every engine, its keys localized to each sender's engine ID as
//! messages arrive. `-l` keys are already localized, so they need `-e`. Other snmptrapd.conf
//! directives are ignored, so a whole snmptrapd.conf can be given.

use super::TrapUser;
use crate::usm::{
    AuthProtocol, Credentials, KeySource, Password, PrivProtocol, Secret, SecurityLevel, UserKeys,
};

/// A users file line that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct UsersFileError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong (never quoting a password or key).
    pub message: String,
}

/// Splits a line into words as Net-SNMP's configuration files do (its `copy_nword`): a word
/// that begins with `"` or `'` runs to the same quote, blanks and all; elsewhere a blank ends a
/// word; a backslash takes the character after it as it is.
pub fn config_words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line.trim_start();
    while let Some((word, after)) = next_word(rest) {
        out.push(word);
        rest = after;
    }
    out
}

/// The first word of `text` (which starts at a word), read as [`config_words`] reads it, and
/// the text after it and the blanks that follow.
pub(crate) fn next_word(text: &str) -> Option<(String, &str)> {
    let mut chars = text.char_indices().peekable();
    let &(_, first) = chars.peek()?;
    let quote = (first == '"' || first == '\'').then(|| chars.next().map(|(_, q)| q)).flatten();
    let mut word = String::new();
    let mut end = text.len();
    while let Some((i, c)) = chars.next() {
        match (c, quote) {
            (c, Some(q)) if c == q => {
                end = i.saturating_add(c.len_utf8());
                break;
            }
            (c, None) if c.is_whitespace() => {
                end = i;
                break;
            }
            ('\\', _) => match chars.next() {
                Some((_, escaped)) => word.push(escaped),
                None => word.push('\\'),
            },
            (c, _) => word.push(c),
        }
    }
    Some((word, text.get(end..).unwrap_or("").trim_start()))
}

fn hex_bytes(text: &str) -> Option<Vec<u8>> {
    let t = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text);
    crate::hex::decode(t).ok()
}

/// Parses a users file (snmptrapd.conf syntax, see the module docs).
///
/// # Errors
/// The first line that cannot be used, by number; passwords and keys are never quoted.
pub fn parse_users(text: &str) -> Result<Vec<TrapUser>, UsersFileError> {
    let mut users: Vec<TrapUser> = Vec::new();
    let mut levels: Vec<(String, SecurityLevel, usize)> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = n.saturating_add(1);
        let err = |message: String| UsersFileError { line, message };
        let w = config_words(raw.split('#').next().unwrap_or(""));
        let Some(directive) = w.first() else { continue };
        match directive.as_str() {
            "createUser" => users.push(create_user(w.get(1..).unwrap_or(&[])).map_err(err)?),
            "authUser" => {
                // authUser TYPES [-s MODEL] NAME [LEVEL ...]
                let rest: Vec<&String> = w.iter().skip(2).collect();
                let rest = match rest.first().map(|s| s.as_str()) {
                    Some("-s") => rest.get(2..).unwrap_or(&[]).to_vec(),
                    _ => rest,
                };
                let Some(name) = rest.first() else { return Err(err("authUser needs a user name".into())) };
                let level = match rest.get(1) {
                    Some(l) => l.parse::<SecurityLevel>().map_err(|_| {
                        err(format!("authUser: {l:?} is not noAuthNoPriv, authNoPriv or authPriv"))
                    })?,
                    None => SecurityLevel::AuthNoPriv,
                };
                levels.push(((*name).clone(), level, line));
            }
            _ => {}
        }
    }
    for (name, level, line) in levels {
        let mut found = false;
        for u in users.iter_mut().filter(|u| u.keys.user_name() == name.as_bytes()) {
            if level > u.keys.level() {
                return Err(UsersFileError {
                    line,
                    message: format!(
                        "authUser asks {level} of {name:?}, whose keys allow only {}",
                        u.keys.level()
                    ),
                });
            }
            u.min_level = level;
            found = true;
        }
        if !found {
            return Err(UsersFileError {
                line,
                message: format!("authUser names {name:?}, which no createUser line creates"),
            });
        }
    }
    Ok(users)
}

/// A `usmUser` line of snmptrapd's persistent store (/var/lib/snmp/snmptrapd.conf): STATUS
/// STORAGE ENGINEID NAME SECNAME CLONEFROM AUTHPROTOCOL AUTHKEY PRIVPROTOCOL PRIVKEY PUBLIC,
/// the keys localized to ENGINEID. What snmptrapd keeps of a createUser line it read there (it
/// drops the passwords), so a user known only from it carries over.
pub(crate) fn usm_user(args: &[String]) -> Result<TrapUser, String> {
    let field = |i: usize, what: &str| args.get(i).ok_or_else(|| format!("usmUser: missing {what}"));
    let octets = |i: usize, what: &str| -> Result<Vec<u8>, String> {
        let v = field(i, what)?;
        match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
            Some(hex) => hex_bytes(hex).ok_or_else(|| format!("usmUser: the {what} is not hex")),
            None => Ok(v.as_bytes().to_vec()),
        }
    };
    let protocol = |i: usize, what: &str| -> Result<Vec<u32>, String> {
        let v = field(i, what)?;
        v.trim_start_matches('.')
            .split('.')
            .map(|a| a.parse::<u32>().map_err(|_| format!("usmUser: the {what} {v:?} is no OID")))
            .collect()
    };
    let engine = octets(2, "engine ID")?;
    let name = octets(3, "user name")?;
    let shown = String::from_utf8_lossy(&name).into_owned();
    let (auth_oid, priv_oid) = (protocol(6, "authentication protocol")?, protocol(8, "privacy protocol")?);
    // usmNoAuthProtocol and usmNoPrivProtocol.
    let none = |arcs: &[u32], last: u32| arcs == [1, 3, 6, 1, 6, 3, 10, 1, last, 1];
    let auth = if none(&auth_oid, 1) {
        None
    } else {
        let p = AuthProtocol::from_oid(&auth_oid).ok_or_else(|| {
            format!("user {shown:?}: authentication protocol {auth_oid:?} unknown to snmpctl")
        })?;
        Some((p, KeySource::Localized(Secret::new(octets(7, "authentication key")?))))
    };
    let privacy = if none(&priv_oid, 2) {
        None
    } else {
        let p = PrivProtocol::from_oid(&priv_oid)
            .ok_or_else(|| format!("user {shown:?}: privacy protocol {priv_oid:?} unknown to snmpctl"))?;
        Some((p, KeySource::Localized(Secret::new(octets(9, "privacy key")?))))
    };
    let level = match (&auth, &privacy) {
        (Some(_), Some(_)) => SecurityLevel::AuthPriv,
        (Some(_), None) => SecurityLevel::AuthNoPriv,
        (None, None) => SecurityLevel::NoAuthNoPriv,
        (None, Some(_)) => return Err(format!("user {shown:?}: privacy without authentication")),
    };
    let keys = UserKeys::new(Credentials { user_name: name, level, auth, privacy })
        .map_err(|e| format!("user {shown:?}: {e}"))?;
    let mut user = TrapUser::new(keys);
    user.engine_id = Some(engine);
    Ok(user)
}

pub(crate) fn create_user(args: &[String]) -> Result<TrapUser, String> {
    let mut engine_id = None;
    let mut key_kind = 'p';
    let mut i = 0usize;
    while let Some(a) = args.get(i) {
        match a.as_str() {
            "-e" => {
                let v = args.get(i.saturating_add(1)).ok_or("createUser -e needs an engine ID")?;
                engine_id = Some(
                    hex_bytes(v)
                        .filter(|e| !e.is_empty())
                        .ok_or("createUser -e: the engine ID is not hex")?,
                );
                i = i.saturating_add(2);
            }
            "-m" => {
                key_kind = 'm';
                i = i.saturating_add(1);
            }
            "-l" => {
                key_kind = 'l';
                i = i.saturating_add(1);
            }
            _ => break,
        }
    }
    let rest = args.get(i..).unwrap_or(&[]);
    let Some(name) = rest.first() else { return Err("createUser needs a user name".into()) };
    if key_kind == 'l' && engine_id.is_none() {
        return Err("createUser -l: localized keys belong to one engine; give it with -e".into());
    }
    let source = |text: &str, what: &str| -> Result<KeySource, String> {
        match key_kind {
            'p' => Password::new(text.as_bytes().to_vec())
                .map(KeySource::Password)
                .map_err(|e| format!("user {name:?}: {what} password: {e}")),
            kind => {
                let bytes =
                    hex_bytes(text).ok_or_else(|| format!("user {name:?}: the {what} key is not hex"))?;
                Ok(if kind == 'm' {
                    KeySource::Master(Secret::new(bytes))
                } else {
                    KeySource::Localized(Secret::new(bytes))
                })
            }
        }
    };
    let auth = match (rest.get(1), rest.get(2)) {
        (Some(p), Some(pass)) => {
            let proto: AuthProtocol =
                p.parse().map_err(|_| format!("user {name:?}: unknown authentication protocol {p:?}"))?;
            Some((proto, source(pass, "authentication")?))
        }
        (Some(_), None) => return Err(format!("user {name:?}: the authentication password is missing")),
        _ => None,
    };
    let privacy = match rest.get(3) {
        Some(p) => {
            let proto: PrivProtocol =
                p.parse().map_err(|_| format!("user {name:?}: unknown privacy protocol {p:?}"))?;
            let pass = rest.get(4).or(rest.get(2)).ok_or("privacy password missing")?;
            Some((proto, source(pass, "privacy")?))
        }
        None => None,
    };
    if rest.len() > 5 {
        return Err(format!("user {name:?}: too many words after the privacy password"));
    }
    let level = match (&auth, &privacy) {
        (Some(_), Some(_)) => SecurityLevel::AuthPriv,
        (Some(_), None) => SecurityLevel::AuthNoPriv,
        _ => SecurityLevel::NoAuthNoPriv,
    };
    let keys = UserKeys::new(Credentials { user_name: name.as_bytes().to_vec(), level, auth, privacy })
        .map_err(|e| format!("user {name:?}: {e}"))?;
    let mut user = TrapUser::new(keys);
    user.engine_id = engine_id;
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usm_user_lines_of_the_persistent_store() {
        let line = |l: &str| usm_user(&config_words(l));
        let u = line(
            "1 3 0x80001f8880aa 0x696e666f726d6572 0x696e666f726d6572 NULL .1.3.6.1.6.3.10.1.1.3 \
             0xb9fc311b4903787283cdbf9a7359b181ccf55251 .1.3.6.1.6.3.10.1.2.4 0x8e2387bb13459c9f54d12aaee4766110 \"\"",
        )
        .unwrap();
        assert_eq!(u.keys.level(), SecurityLevel::AuthPriv);
        assert_eq!(u.engine_id.as_deref(), Some(&[0x80, 0, 0x1f, 0x88, 0x80, 0xaa][..]));
        let plain = line(
            "1 3 0x80001f8880aa \"watch\" \"watch\" NULL .1.3.6.1.6.3.10.1.1.1 \"\" .1.3.6.1.6.3.10.1.2.1 \"\" \"\"",
        );
        assert_eq!(plain.unwrap().keys.level(), SecurityLevel::NoAuthNoPriv);
        let err =
            line("1 3 0x80001f8880aa \"x\" \"x\" NULL .1.3.6.1.6.3.10.1.1.9 0x00 .1.3.6.1.6.3.10.1.2.1 \"\"");
        assert!(err.unwrap_err().contains("unknown to snmpctl"));
        assert!(line("1 3 0x80001f8880aa").is_err());
    }

    #[test]
    fn words_as_net_snmp_copies_them() {
        let words = config_words("  a 'b c' \"d\\\"e\" f\\ g '' \"h\"i \\");
        assert_eq!(words, ["a", "b c", "d\"e", "f g", "", "h", "i", "\\"]);
        assert_eq!(next_word("x  y z"), Some(("x".to_owned(), "y z")));
        assert_eq!(next_word("'open quote"), Some(("open quote".to_owned(), "")));
        assert_eq!(next_word(""), None);
    }

    #[test]
    fn snmptrapd_lines() {
        let text = "\
# comment
disableAuthorization yes
createUser netops SHA-256 \"auth secret\" AES-256 \"priv secret\"
createUser -e 0x8000000001020304 netops SHA oldpassword1 DES
createUser plain
createUser watcher MD5 watcherpass
authUser log,execute watcher noAuthNoPriv
";
        let users = parse_users(text).unwrap();
        assert_eq!(users.len(), 4);
        assert_eq!(users[0].keys.level(), SecurityLevel::AuthPriv);
        assert_eq!(users[0].keys.priv_protocol(), Some(PrivProtocol::Aes256));
        assert_eq!(users[0].engine_id, None);
        assert_eq!(users[1].engine_id.as_deref(), Some(&[0x80, 0, 0, 0, 1, 2, 3, 4][..]));
        assert_eq!(users[1].keys.priv_protocol(), Some(PrivProtocol::Des));
        assert_eq!(users[2].keys.level(), SecurityLevel::NoAuthNoPriv);
        assert_eq!(users[3].min_level, SecurityLevel::NoAuthNoPriv);
        assert_eq!(users[0].min_level, SecurityLevel::AuthPriv);
    }

    #[test]
    fn errors_name_the_line_and_never_the_secret() {
        let e = parse_users("\ncreateUser u SHA short").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(!e.message.contains("short"), "{e}");
        let e = parse_users("createUser u SHA longenough1 AES\nauthUser log v").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse_users("createUser u BOGUS longenough1").unwrap_err();
        assert!(e.message.contains("BOGUS"));
        let e = parse_users("createUser -l u SHA 00").unwrap_err();
        assert!(e.message.contains("-e"));
        let e = parse_users("createUser u MD5 longenough1\nauthUser log u authPriv").unwrap_err();
        assert!(e.message.contains("authPriv"));
    }
}
