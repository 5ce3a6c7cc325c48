//! SMIv1/SMIv2 module text to an unresolved syntax tree ([`ModuleAst`]).
//!
//! The parser knows the macros SNMP modules use (OBJECT-TYPE, TEXTUAL-CONVENTION, MODULE-IDENTITY,
//! OBJECT-IDENTITY, NOTIFICATION-TYPE, TRAP-TYPE, the conformance macros) and skips MACRO
//! definitions and SEQUENCE/CHOICE bodies.
//!
//! It recovers as a person reading the file would: one bad definition is reported (with its
//! line) and skipped, and the rest of the module still loads. Vendors' files are full of small
//! departures from the SMI that Net-SNMP reads without a word, and so does this parser: a
//! missing comma between enumeration items, enumeration labels that begin with a digit or end
//! with a hyphen, lower-case type names, SMIv1 clauses in SMIv2 macros, a missing `;` after
//! IMPORTS, a stray hyphen left by a line of dashes. What it cannot use (an enumeration item
//! whose label is a number, a clause it does not know) it drops as Net-SNMP does.
//!
//! ```
//! let parsed = snmpctl::mib::parse::parse(br#"FOO-MIB DEFINITIONS ::= BEGIN
//! IMPORTS enterprises, OBJECT-TYPE, Integer32 FROM SNMPv2-SMI;
//! foo OBJECT IDENTIFIER ::= { enterprises 99999 }
//! fooLevel OBJECT-TYPE
//!     SYNTAX Integer32 (0..100)
//!     MAX-ACCESS read-only
//!     STATUS current
//!     DESCRIPTION "How full."
//!     ::= { foo 1 }
//! END"#);
//! assert!(parsed.errors.is_empty());
//! let module = &parsed.modules[0];
//! assert_eq!(module.name, "FOO-MIB");
//! assert_eq!(module.values.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["foo", "fooLevel"]);
//! ```

use super::lex::{Lexer, Tok, Token, string, tokens};

/// A problem in a module's text: the line, the module it was found in (empty before the first
/// module header), and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Line of the problem in the file (1-based; 0 when unknown).
    pub line: u32,
    /// The module being read, when known.
    pub module: String,
    /// What was wrong.
    pub message: String,
}

/// What a file holds: its modules, and every problem found while reading them.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// The modules the file holds, each with what could be read of it.
    pub modules: Vec<ModuleAst>,
    /// Problems met on the way (the definitions around them still load).
    pub errors: Vec<ParseError>,
}

/// One module as written.
#[derive(Debug, Clone, Default)]
pub struct ModuleAst {
    /// The module name (`IF-MIB`).
    pub name: String,
    /// Line of `DEFINITIONS ::= BEGIN`.
    pub line: u32,
    /// `(symbol, from module, line)` in the order written.
    pub imports: Vec<(String, String, u32)>,
    /// Type assignments and TEXTUAL-CONVENTIONs, in order.
    pub types: Vec<TypeAst>,
    /// Value assignments (OBJECT IDENTIFIER, OBJECT-TYPE, … TRAP-TYPE), in order.
    pub values: Vec<ValueAst>,
    /// SMIv2 when the module imports from SNMPv2-SMI (decides `ACCESS` wording in details).
    pub smiv2: bool,
}

/// A type assignment: `DisplayString ::= TEXTUAL-CONVENTION …` or `Foo ::= INTEGER { … }`.
#[derive(Debug, Clone, Default)]
pub struct TypeAst {
    /// The type's name.
    pub name: String,
    /// Line of the definition.
    pub line: u32,
    /// Defined with TEXTUAL-CONVENTION (rather than a bare `::=`).
    pub textual_convention: bool,
    /// DISPLAY-HINT.
    pub hint: Option<String>,
    /// STATUS.
    pub status: Option<String>,
    /// DESCRIPTION.
    pub description: Option<String>,
    /// REFERENCE.
    pub reference: Option<String>,
    /// SYNTAX (or the right-hand side of `::=`).
    pub syntax: SyntaxAst,
}

/// A SYNTAX: a base or named type with its refinements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyntaxAst {
    /// `INTEGER`, `OCTET STRING`, `OBJECT IDENTIFIER`, `BITS`, `SEQUENCE`, `SEQUENCE OF`,
    /// `CHOICE`, an `[APPLICATION n]` tag written as `APPLICATION n`, or a type name.
    pub name: String,
    /// Named numbers of INTEGER enumerations or BITS positions.
    pub named: Vec<(String, i64)>,
    /// Value ranges `(a..b | c)`.
    pub ranges: Vec<(i64, i64)>,
    /// Size ranges `(SIZE (a..b | c))`.
    pub sizes: Vec<(i64, i64)>,
    /// For `SEQUENCE OF X`, X.
    pub of: Option<String>,
}

/// What macro defined a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Macro {
    #[default]
    /// `OBJECT IDENTIFIER ::=`.
    ObjectIdentifier,
    /// OBJECT-TYPE (SMIv1 and SMIv2).
    ObjectType,
    /// MODULE-IDENTITY.
    ModuleIdentity,
    /// OBJECT-IDENTITY.
    ObjectIdentity,
    /// NOTIFICATION-TYPE.
    NotificationType,
    /// TRAP-TYPE (SMIv1, RFC 1215).
    TrapType,
    /// OBJECT-GROUP.
    ObjectGroup,
    /// NOTIFICATION-GROUP.
    NotificationGroup,
    /// MODULE-COMPLIANCE.
    ModuleCompliance,
    /// AGENT-CAPABILITIES.
    AgentCapabilities,
}

impl Macro {
    /// The macro a keyword invokes.
    fn from_keyword(word: &str) -> Option<Macro> {
        Some(match word {
            "OBJECT-TYPE" => Macro::ObjectType,
            "MODULE-IDENTITY" => Macro::ModuleIdentity,
            "OBJECT-IDENTITY" => Macro::ObjectIdentity,
            "NOTIFICATION-TYPE" => Macro::NotificationType,
            "TRAP-TYPE" => Macro::TrapType,
            "OBJECT-GROUP" => Macro::ObjectGroup,
            "NOTIFICATION-GROUP" => Macro::NotificationGroup,
            "MODULE-COMPLIANCE" => Macro::ModuleCompliance,
            "AGENT-CAPABILITIES" => Macro::AgentCapabilities,
            _ => return None,
        })
    }
}

/// One component of an OID value as written: a name, a number, or both (`org(3)`).
pub type OidPart = (Option<String>, Option<u32>);

/// A value assignment that names an OID.
#[derive(Debug, Clone, Default)]
pub struct ValueAst {
    /// The value's name (its label).
    pub name: String,
    /// Line of the definition.
    pub line: u32,
    /// The macro it is defined with.
    pub kind: Macro,
    /// `{ parent 2 }` components: a name, a number, or `name(number)`.
    pub oid: Vec<OidPart>,
    /// SYNTAX.
    pub syntax: Option<SyntaxAst>,
    /// UNITS.
    pub units: Option<String>,
    /// MAX-ACCESS (ACCESS in SMIv1).
    pub access: Option<String>,
    /// STATUS.
    pub status: Option<String>,
    /// DESCRIPTION.
    pub description: Option<String>,
    /// REFERENCE.
    pub reference: Option<String>,
    /// INDEX objects with their IMPLIED flag.
    pub index: Vec<(String, bool)>,
    /// AUGMENTS: the row this one extends.
    pub augments: Option<String>,
    /// DEFVAL as written between the braces, tokens joined by spaces.
    pub defval: Option<String>,
    /// OBJECTS / VARIABLES of notifications and groups.
    pub objects: Vec<String>,
    /// TRAP-TYPE ENTERPRISE.
    pub enterprise: Option<String>,
}

/// Whether a word is a clause keyword of some macro (it ends the clause before it).
fn is_clause_keyword(s: &str) -> bool {
    matches!(
        s,
        "SYNTAX"
            | "UNITS"
            | "MAX-ACCESS"
            | "ACCESS"
            | "MIN-ACCESS"
            | "STATUS"
            | "DESCRIPTION"
            | "REFERENCE"
            | "INDEX"
            | "AUGMENTS"
            | "DEFVAL"
            | "DISPLAY-HINT"
            | "OBJECTS"
            | "VARIABLES"
            | "ENTERPRISE"
            | "NOTIFICATIONS"
            | "LAST-UPDATED"
            | "ORGANIZATION"
            | "CONTACT-INFO"
            | "REVISION"
            | "MODULE"
            | "MANDATORY-GROUPS"
            | "GROUP"
            | "OBJECT"
            | "WRITE-SYNTAX"
            | "PRODUCT-RELEASE"
            | "SUPPORTS"
            | "INCLUDES"
            | "VARIATION"
            | "CREATION-REQUIRES"
    )
}

/// The module name of a file, as Net-SNMP finds it before reading the file: the first word,
/// when `DEFINITIONS` follows it (comments skipped). An object identifier value between the
/// two (`NAME { iso … } DEFINITIONS`, allowed by old ASN.1) is accepted too.
pub fn module_name(text: &[u8]) -> Option<String> {
    // Enough of the text for the header: comments may run long before it.
    let head = text.get(..text.len().min(64 * 1024)).unwrap_or(text);
    let mut it = Lexer::head(head).map(|t| t.kind);
    let Some(Tok::Ident(name)) = it.next() else { return None };
    let mut next = it.next();
    if next == Some(Tok::Punct('{')) {
        for t in it.by_ref() {
            if t == Tok::Punct('}') {
                break;
            }
        }
        next = it.next();
    }
    (matches!(next, Some(Tok::Ident(w)) if w == "DEFINITIONS" || w == "PIB-DEFINITIONS"))
        .then(|| name.to_string())
}

/// Parses every module in `text`. Never fails: what cannot be read is in [`Parsed::errors`].
pub fn parse(text: &[u8]) -> Parsed {
    let mut p = Parser { toks: tokens(text), pos: 0, errors: Vec::new(), module: String::new() };
    let mut modules = Vec::new();
    let mut stray = false;
    while let Some(t) = p.peek() {
        if p.at_module_header() {
            modules.push(p.module());
            continue;
        }
        // Text outside any module: one report per run of it.
        let stray_hyphen = *t == Tok::Punct('-');
        let line = p.line();
        if !stray && !stray_hyphen {
            stray = true;
            let what = Parser::describe(Some(t));
            p.error_at(
                line,
                format!("expected a module definition ('NAME DEFINITIONS ::= BEGIN'), found {what}"),
            );
        }
        p.next();
    }
    if modules.is_empty() && p.errors.is_empty() {
        p.error_at(1, "no module definition found".to_string());
    }
    Parsed { modules, errors: p.errors }
}

type Result<T> = std::result::Result<T, ()>;

struct Parser<'a> {
    toks: Vec<Token<'a>>,
    pos: usize,
    errors: Vec<ParseError>,
    /// The module being read, for error reports.
    module: String,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&Tok<'a>> {
        self.peek_at(0)
    }

    fn peek_at(&self, ahead: usize) -> Option<&Tok<'a>> {
        self.toks.get(self.pos.saturating_add(ahead)).map(|t| &t.kind)
    }

    fn peek_word(&self, ahead: usize) -> Option<&str> {
        match self.peek_at(ahead) {
            Some(Tok::Ident(s)) => Some(s),
            _ => None,
        }
    }

    fn line(&self) -> u32 {
        self.toks.get(self.pos).or_else(|| self.toks.last()).map_or(1, |t| t.line)
    }

    fn next(&mut self) -> Option<Tok<'a>> {
        let t = self.toks.get(self.pos).map(|t| t.kind);
        if t.is_some() {
            self.pos = self.pos.saturating_add(1);
        }
        t
    }

    fn error_at(&mut self, line: u32, message: String) {
        self.errors.push(ParseError { line, module: self.module.clone(), message });
    }

    /// Records an error at the current token.
    fn error<T>(&mut self, message: impl Into<String>) -> Result<T> {
        let line = self.line();
        self.error_at(line, message.into());
        Err(())
    }

    fn describe(t: Option<&Tok>) -> String {
        match t {
            None => "end of file".into(),
            Some(Tok::Ident(s)) => format!("'{s}'"),
            Some(Tok::Number(n)) => format!("'{n}'"),
            Some(Tok::Str(_)) => "a quoted string".into(),
            Some(Tok::Radix(d, r)) => format!("'{d}'{r}"),
            Some(Tok::Assign) => "'::='".into(),
            Some(Tok::Range) => "'..'".into(),
            Some(Tok::Punct(c)) => format!("'{c}'"),
        }
    }

    fn eat_punct(&mut self, c: char) -> bool {
        if self.peek() == Some(&Tok::Punct(c)) {
            self.pos = self.pos.saturating_add(1);
            true
        } else {
            false
        }
    }

    fn expect_punct(&mut self, c: char, context: &str) -> Result<()> {
        if self.eat_punct(c) {
            Ok(())
        } else {
            let found = Self::describe(self.peek());
            self.error(format!("{context}: expected '{c}', found {found}"))
        }
    }

    fn eat_ident(&mut self, word: &str) -> bool {
        if self.peek_word(0) == Some(word) {
            self.pos = self.pos.saturating_add(1);
            true
        } else {
            false
        }
    }

    fn expect_ident(&mut self, what: &str) -> Result<String> {
        self.expect_ident_in("", what)
    }

    /// The next word; an error names `context` (a definition or clause) when there is one.
    fn expect_ident_in(&mut self, context: &str, what: &str) -> Result<String> {
        match self.peek() {
            Some(Tok::Ident(s)) => {
                let s = s.to_string();
                self.pos = self.pos.saturating_add(1);
                Ok(s)
            }
            other => {
                let found = Self::describe(other);
                let context = if context.is_empty() { String::new() } else { format!("{context}: ") };
                self.error(format!("{context}expected {what}, found {found}"))
            }
        }
    }

    fn expect_string(&mut self, context: &str, clause: &str) -> Result<String> {
        match self.peek() {
            Some(Tok::Str(s)) => {
                let s = string(s);
                self.pos = self.pos.saturating_add(1);
                Ok(s)
            }
            other => {
                let found = Self::describe(other);
                self.error(format!("{context}: {clause} needs a quoted string, found {found}"))
            }
        }
    }

    /// Skips a balanced `{ … }` or `( … )` group starting at the current opening token. An
    /// unclosed group runs to the end of the text.
    fn skip_group(&mut self) -> Result<()> {
        let line = self.line();
        let mut depth: usize = 0;
        loop {
            match self.next() {
                Some(Tok::Punct('{' | '(')) => depth = depth.saturating_add(1),
                Some(Tok::Punct('}' | ')')) => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Some(_) => {}
                None => {
                    self.error_at(line, "unclosed '{' or '(' opened here".into());
                    return Err(());
                }
            }
        }
    }

    /// Whether the next tokens are `NAME DEFINITIONS` or `NAME { … } DEFINITIONS`.
    fn at_module_header(&self) -> bool {
        let Some(Tok::Ident(_)) = self.peek() else { return false };
        let is_def = |w: Option<&str>| matches!(w, Some("DEFINITIONS" | "PIB-DEFINITIONS"));
        if is_def(self.peek_word(1)) {
            return true;
        }
        if self.peek_at(1) != Some(&Tok::Punct('{')) {
            return false;
        }
        // `NAME { iso … } DEFINITIONS`: a short group of words and numbers.
        let mut k: usize = 2;
        while k < 40 {
            match self.peek_at(k) {
                Some(Tok::Punct('}')) => return is_def(self.peek_word(k.saturating_add(1))),
                Some(Tok::Ident(_) | Tok::Number(_) | Tok::Punct('(' | ')')) => k = k.saturating_add(1),
                _ => return false,
            }
        }
        false
    }

    /// Whether the next tokens start a definition: `name MACRO-KEYWORD`, `name OBJECT
    /// IDENTIFIER ::=`, `Name ::=`, `name MACRO`, or `name TYPE ::=` (a value of a type).
    /// Clause keywords and the words that end a clause (`STATUS mandatory ::=`, `ENTERPRISE x
    /// ::= 3`) never start one.
    fn at_definition(&self) -> bool {
        let Some(Tok::Ident(name)) = self.peek() else { return false };
        if *name == "END" || is_clause_keyword(name) {
            return false;
        }
        let before = self.pos.checked_sub(1).and_then(|p| self.toks.get(p)).map(|t| &t.kind);
        if matches!(before, Some(Tok::Ident(w)) if is_clause_keyword(w)) {
            return false;
        }
        match self.peek_at(1) {
            Some(Tok::Assign) => true,
            Some(Tok::Ident(w)) => {
                Macro::from_keyword(w).is_some()
                    || *w == "MACRO"
                    || (*w == "OBJECT"
                        && self.peek_word(2) == Some("IDENTIFIER")
                        && self.peek_at(3) == Some(&Tok::Assign))
                    || (!is_clause_keyword(w) && self.peek_at(2) == Some(&Tok::Assign))
            }
            _ => false,
        }
    }

    /// After an error: skips to where the next definition (or the module's END) starts.
    fn recover(&mut self) {
        while let Some(t) = self.peek() {
            if self.at_definition() || self.at_module_header() {
                return;
            }
            if matches!(t, Tok::Ident(w) if *w == "END") {
                return;
            }
            self.next();
        }
    }

    fn module(&mut self) -> ModuleAst {
        let line = self.line();
        let name = self.expect_ident("a module name").unwrap_or_default();
        self.module = name.clone();
        let mut m = ModuleAst { name, line, ..ModuleAst::default() };
        if self.peek() == Some(&Tok::Punct('{')) {
            let _ = self.skip_group();
        }
        // DEFINITIONS [IMPLICIT TAGS] ::= BEGIN
        self.next();
        while !matches!(self.peek(), Some(Tok::Assign) | None) && !self.at_definition() {
            self.next();
        }
        if self.peek() == Some(&Tok::Assign) {
            self.next();
        } else {
            let _ = self.error::<()>(format!("{}: expected '::=' after DEFINITIONS", m.name));
        }
        if !self.eat_ident("BEGIN") {
            let found = Self::describe(self.peek());
            let _ = self.error::<()>(format!("{}: expected BEGIN, found {found}", m.name));
        }
        let mut stray = false;
        loop {
            if self.at_module_header() {
                let line = self.line();
                self.error_at(line, format!("{}: no END before the next module", m.name));
                break;
            }
            match self.peek() {
                // A missing final END (Erlang's RFC-1215 lacks one) is tolerated, as Net-SNMP does.
                None => break,
                Some(Tok::Ident(s)) if *s == "END" => {
                    self.next();
                    break;
                }
                Some(Tok::Ident(s)) if *s == "IMPORTS" => {
                    self.next();
                    self.imports(&mut m);
                }
                Some(Tok::Ident(s)) if *s == "EXPORTS" => {
                    while !matches!(self.next(), Some(Tok::Punct(';')) | None) {}
                }
                Some(Tok::Punct(';' | '-')) => {
                    self.next();
                }
                Some(Tok::Ident(_)) if self.at_definition() => {
                    stray = false;
                    if self.assignment(&mut m).is_err() {
                        self.recover();
                    }
                }
                other => {
                    if !stray {
                        let line = self.line();
                        stray = true;
                        let what = Self::describe(other);
                        self.error_at(
                            line,
                            format!("expected a definition, found {what}; skipped to the next one"),
                        );
                    }
                    self.next();
                    self.recover();
                }
            }
        }
        m.smiv2 = m.imports.iter().any(|(_, from, _)| from == "SNMPv2-SMI");
        m
    }

    /// The IMPORTS clause up to its `;`: symbols, each group closed by `FROM MODULE`. A
    /// missing `;` ends the clause where the first definition starts.
    fn imports(&mut self, m: &mut ModuleAst) {
        let mut pending: Vec<(String, u32)> = Vec::new();
        loop {
            let line = self.line();
            // `FROM X` followed by a definition: the `;` is missing.
            if pending.is_empty() && self.at_definition() && !m.imports.is_empty() {
                break;
            }
            match self.peek() {
                None => break,
                Some(Tok::Punct(';')) => {
                    self.next();
                    break;
                }
                Some(Tok::Ident(s)) if *s == "FROM" => {
                    self.next();
                    let Ok(from) = self.expect_ident("a module name after FROM") else {
                        continue;
                    };
                    // An object identifier value may follow the module name.
                    if self.peek() == Some(&Tok::Punct('{')) && !self.at_definition() {
                        let _ = self.skip_group();
                    }
                    for (sym, l) in pending.drain(..) {
                        m.imports.push((sym, from.clone(), l));
                    }
                }
                Some(Tok::Ident(s)) => {
                    pending.push((s.to_string(), line));
                    self.next();
                }
                Some(Tok::Punct(',')) => {
                    self.next();
                }
                other => {
                    let what = Self::describe(other);
                    self.error_at(line, format!("IMPORTS: unexpected {what}, skipped"));
                    self.next();
                }
            }
        }
        if let Some((sym, line)) = pending.first() {
            self.error_at(*line, format!("IMPORTS: '{sym}' has no FROM"));
        }
    }

    fn assignment(&mut self, m: &mut ModuleAst) -> Result<()> {
        let line = self.line();
        let name = self.expect_ident("a name")?;
        match self.peek() {
            Some(Tok::Ident(w)) if *w == "MACRO" => {
                // A macro definition: skip to its END.
                self.next();
                loop {
                    match self.next() {
                        Some(Tok::Ident("END")) => return Ok(()),
                        Some(_) => {}
                        None => {
                            self.error_at(line, format!("MACRO {name} has no END"));
                            return Err(());
                        }
                    }
                }
            }
            Some(Tok::Assign) => {
                self.next();
                if self.peek() == Some(&Tok::Punct('{')) {
                    // `name ::= { parent 1 }`: an object identifier value.
                    let oid = self.oid_value(&name)?;
                    m.values.push(ValueAst { name, line, oid, ..ValueAst::default() });
                    return Ok(());
                }
                let t = self.type_assignment(name, line)?;
                m.types.push(t);
                Ok(())
            }
            _ => {
                if let Some(v) = self.value_assignment(name, line)? {
                    m.values.push(v);
                }
                Ok(())
            }
        }
    }

    fn type_assignment(&mut self, name: String, line: u32) -> Result<TypeAst> {
        let mut t = TypeAst { name, line, ..TypeAst::default() };
        if self.eat_ident("TEXTUAL-CONVENTION") {
            t.textual_convention = true;
            let context = format!("TEXTUAL-CONVENTION {}", t.name);
            loop {
                match self.peek() {
                    Some(Tok::Ident(s)) if *s == "DISPLAY-HINT" => {
                        self.next();
                        t.hint = Some(self.expect_string(&context, "DISPLAY-HINT")?);
                    }
                    Some(Tok::Ident(s)) if *s == "STATUS" => {
                        self.next();
                        t.status = Some(self.expect_ident_in(&context, "a status")?);
                    }
                    Some(Tok::Ident(s)) if *s == "DESCRIPTION" => {
                        self.next();
                        t.description = Some(self.expect_string(&context, "DESCRIPTION")?);
                    }
                    Some(Tok::Ident(s)) if *s == "REFERENCE" => {
                        self.next();
                        t.reference = Some(self.expect_string(&context, "REFERENCE")?);
                    }
                    Some(Tok::Ident(s)) if *s == "SYNTAX" => {
                        self.next();
                        t.syntax = self.syntax(&context)?;
                        return Ok(t);
                    }
                    None => return self.error(format!("{context}: no SYNTAX before the end of the file")),
                    _ if self.at_definition() => {
                        return self.error(format!("{context}: no SYNTAX before the next definition"));
                    }
                    // Anything else (a clause of another macro, a stray word) is skipped, as
                    // Net-SNMP skips it.
                    _ => {
                        self.next();
                    }
                }
            }
        }
        if self.peek() == Some(&Tok::Punct('[')) {
            // `[APPLICATION n] IMPLICIT type` (the SMI modules' own base types).
            self.next();
            let mut tag = Vec::new();
            loop {
                match self.next() {
                    Some(Tok::Punct(']')) => break,
                    Some(Tok::Ident(s)) => tag.push(s.to_string()),
                    Some(Tok::Number(n)) => tag.push(n.to_string()),
                    Some(_) => {}
                    None => return self.error(format!("{}: expected ']'", t.name)),
                }
            }
            self.eat_ident("IMPLICIT");
            let context = t.name.clone();
            let inner = self.syntax(&context)?;
            t.syntax = SyntaxAst { name: tag.join(" "), ..inner };
            return Ok(t);
        }
        let context = t.name.clone();
        t.syntax = self.syntax(&context)?;
        Ok(t)
    }

    /// Parses a type with its refinements.
    fn syntax(&mut self, context: &str) -> Result<SyntaxAst> {
        let first = self.expect_ident("a type")?;
        let mut s = SyntaxAst::default();
        s.name = match first.as_str() {
            "OCTET" => {
                if !self.eat_ident("STRING") {
                    let found = Self::describe(self.peek());
                    return self.error(format!("{context}: expected STRING after OCTET, found {found}"));
                }
                "OCTET STRING".into()
            }
            "OBJECT" => {
                if !self.eat_ident("IDENTIFIER") {
                    let found = Self::describe(self.peek());
                    return self.error(format!("{context}: expected IDENTIFIER after OBJECT, found {found}"));
                }
                "OBJECT IDENTIFIER".into()
            }
            "SEQUENCE" => {
                if self.eat_ident("OF") {
                    s.of = Some(self.expect_ident("a row type after SEQUENCE OF")?);
                    "SEQUENCE OF".into()
                } else {
                    if self.peek() == Some(&Tok::Punct('{')) {
                        self.skip_group()?;
                    }
                    "SEQUENCE".into()
                }
            }
            "CHOICE" => {
                if self.peek() == Some(&Tok::Punct('{')) {
                    self.skip_group()?;
                }
                "CHOICE".into()
            }
            _ => {
                // `Module.Type` references keep the type name.
                if self.peek() == Some(&Tok::Punct('.')) && matches!(self.peek_at(1), Some(Tok::Ident(_))) {
                    self.next();
                    self.expect_ident("a type after '.'")?
                } else {
                    first
                }
            }
        };
        if self.peek() == Some(&Tok::Punct('{')) && s.name != "SEQUENCE" && s.name != "CHOICE" {
            s.named = self.named_numbers()?;
        }
        if self.peek() == Some(&Tok::Punct('(')) {
            self.constraint(&mut s, context)?;
        }
        Ok(s)
    }

    /// `{ label(value) … }`, read as Net-SNMP reads it: an item is a word followed by a number
    /// in parentheses; commas may be missing; anything else (a label that is a number or one of
    /// Net-SNMP's keywords) is dropped.
    fn named_numbers(&mut self) -> Result<Vec<(String, i64)>> {
        let line = self.line();
        self.next(); // {
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => {
                    self.error_at(line, "enumeration: no '}' before the end of the file".into());
                    return Err(());
                }
                Some(Tok::Punct('}')) => {
                    self.next();
                    return Ok(out);
                }
                Some(Tok::Ident(label))
                    if is_netsnmp_keyword(label) && self.peek_at(1) == Some(&Tok::Punct('(')) =>
                {
                    // `current(1)`: Net-SNMP reads its keywords as such, not as labels, and
                    // drops the item (all but `deprecated`, which some modules use as a label).
                    self.next();
                    self.skip_group()?;
                }
                Some(Tok::Ident(label)) if self.peek_at(1) == Some(&Tok::Punct('(')) => {
                    let label = label.to_string();
                    self.pos = self.pos.saturating_add(2);
                    let value = self.signed()?;
                    self.expect_punct(')', &format!("enumeration item {label}"))?;
                    out.push((label, value));
                }
                Some(Tok::Number(_)) if self.peek_at(1) == Some(&Tok::Punct('(')) => {
                    // `5(5)`: Net-SNMP drops an item whose label is a number.
                    self.next();
                    self.skip_group()?;
                }
                // An enumeration left open ends where the next clause or definition starts:
                // reported, and what it listed is kept.
                Some(Tok::Assign) => break,
                Some(Tok::Ident(w)) if is_clause_keyword(w) => break,
                _ if self.at_definition() => break,
                _ => {
                    self.next();
                }
            }
        }
        let found = Self::describe(self.peek());
        let _ = self.error::<()>(format!("expected '}}' to close the enumeration, found {found}"));
        Ok(out)
    }

    fn signed(&mut self) -> Result<i64> {
        let negative = self.eat_punct('-');
        let value = match self.next() {
            Some(Tok::Number(n)) => i64::try_from(n).unwrap_or(i64::MAX),
            Some(Tok::Radix(digits, r)) => {
                let radix = if r == 'B' { 2 } else { 16 };
                u64::from_str_radix(digits, radix)
                    .ok()
                    .and_then(|v| i64::try_from(v).ok())
                    .unwrap_or(i64::MAX)
            }
            // A named bound such as MIN or MAX: keep the range open.
            Some(Tok::Ident("MIN")) => i64::MIN,
            Some(Tok::Ident("MAX")) => i64::MAX,
            other => {
                self.pos = self.pos.saturating_sub(usize::from(other.is_some()));
                let found = Self::describe(other.as_ref());
                return self.error(format!("expected a number, found {found}"));
            }
        };
        Ok(if negative { value.checked_neg().unwrap_or(i64::MIN) } else { value })
    }

    /// `( a..b | c )` or `( SIZE ( … ) )`. A constraint it cannot read is skipped whole.
    fn constraint(&mut self, s: &mut SyntaxAst, context: &str) -> Result<()> {
        let start = self.pos;
        match self.read_constraint(s) {
            Ok(()) => Ok(()),
            Err(()) => {
                // Drop the half-read constraint and its error; skip the group instead.
                self.errors.pop();
                self.pos = start;
                let line = self.line();
                self.skip_group()?;
                self.error_at(line, format!("{context}: a range or size it cannot read was skipped"));
                Ok(())
            }
        }
    }

    fn read_constraint(&mut self, s: &mut SyntaxAst) -> Result<()> {
        self.expect_punct('(', "constraint")?;
        let size = self.eat_ident("SIZE");
        if size {
            self.expect_punct('(', "SIZE")?;
        }
        let mut ranges = Vec::new();
        loop {
            let low = self.signed()?;
            let high = if self.peek() == Some(&Tok::Range) {
                self.next();
                self.signed()?
            } else {
                low
            };
            ranges.push((low, high));
            if !self.eat_punct('|') {
                break;
            }
        }
        self.expect_punct(')', "constraint")?;
        if size {
            self.expect_punct(')', "SIZE")?;
            s.sizes = ranges;
        } else {
            s.ranges = ranges;
        }
        Ok(())
    }

    fn value_assignment(&mut self, name: String, line: u32) -> Result<Option<ValueAst>> {
        let mut v = ValueAst { name, line, ..ValueAst::default() };
        let word = self.expect_ident("a macro or type after the name")?;
        v.kind = match Macro::from_keyword(&word) {
            Some(kind) => kind,
            None if word == "OBJECT" && self.eat_ident("IDENTIFIER") => Macro::ObjectIdentifier,
            None => {
                // Some other value (`x INTEGER ::= 5`): skip it.
                while !matches!(self.peek(), Some(Tok::Assign) | None) {
                    self.next();
                }
                self.next();
                if matches!(self.peek(), Some(Tok::Punct('{'))) {
                    self.skip_group()?;
                } else {
                    self.next();
                }
                return Ok(None);
            }
        };
        if v.kind != Macro::ObjectIdentifier {
            self.clauses(&mut v)?;
        }
        if self.peek() != Some(&Tok::Assign) {
            let found = Self::describe(self.peek());
            return self.error(format!("{}: expected '::=', found {found}", v.name));
        }
        self.next();
        if v.kind == Macro::TrapType {
            match self.next() {
                Some(Tok::Number(n)) => v.oid = vec![(None, Some(u32::try_from(n).unwrap_or(u32::MAX)))],
                other => {
                    let found = Self::describe(other.as_ref());
                    return self.error(format!("{}: TRAP-TYPE needs a number, found {found}", v.name));
                }
            }
            return Ok(Some(v));
        }
        v.oid = self.oid_value(&v.name)?;
        Ok(Some(v))
    }

    fn oid_value(&mut self, name: &str) -> Result<Vec<OidPart>> {
        if self.peek() != Some(&Tok::Punct('{')) {
            let found = Self::describe(self.peek());
            return self.error(format!("{name}: expected '{{' to start the OID value, found {found}"));
        }
        self.next();
        let mut parts = Vec::new();
        loop {
            match self.next() {
                Some(Tok::Punct('}')) => break,
                Some(Tok::Number(n)) => {
                    let Ok(n) = u32::try_from(n) else {
                        return self.error(format!("{name}: sub-identifier {n} is above 4294967295"));
                    };
                    parts.push((None, Some(n)));
                }
                Some(Tok::Ident(label)) => {
                    // `Module.name` references keep the name.
                    let label = if self.peek() == Some(&Tok::Punct('.')) {
                        self.next();
                        self.expect_ident("a name after '.'")?
                    } else {
                        label.to_string()
                    };
                    let mut number = None;
                    if self.eat_punct('(') {
                        match self.next() {
                            Some(Tok::Number(n)) => number = u32::try_from(n).ok(),
                            other => {
                                let found = Self::describe(other.as_ref());
                                return self
                                    .error(format!("{name}: expected a number in '( )', found {found}"));
                            }
                        }
                        self.expect_punct(')', name)?;
                    }
                    parts.push((Some(label), number));
                }
                Some(Tok::Punct(',')) => {}
                other => {
                    if other.is_some() {
                        self.pos = self.pos.saturating_sub(1);
                    }
                    let found = Self::describe(other.as_ref());
                    return self.error(format!("{name}: unexpected {found} in the OID value"));
                }
            }
        }
        if parts.is_empty() {
            return self.error(format!("{name}: empty OID value"));
        }
        Ok(parts)
    }

    fn name_list(&mut self, context: &str) -> Result<Vec<String>> {
        self.expect_punct('{', context)?;
        let mut out = Vec::new();
        loop {
            match self.next() {
                Some(Tok::Punct('}')) => break,
                Some(Tok::Punct(',')) => {}
                Some(Tok::Ident(s)) => out.push(s.to_string()),
                other => {
                    if other.is_some() {
                        self.pos = self.pos.saturating_sub(1);
                    }
                    let found = Self::describe(other.as_ref());
                    return self.error(format!("{context}: expected a name in the list, found {found}"));
                }
            }
        }
        Ok(out)
    }

    /// The clauses of a macro, up to its `::=`.
    fn clauses(&mut self, v: &mut ValueAst) -> Result<()> {
        let compliance = matches!(v.kind, Macro::ModuleCompliance | Macro::AgentCapabilities);
        let context = v.name.clone();
        loop {
            let word = match self.peek() {
                Some(Tok::Assign) => return Ok(()),
                None => return self.error(format!("{}: no '::=' before the end of the file", v.name)),
                Some(Tok::Ident(_)) if self.at_definition() => {
                    return self.error(format!("{}: no '::=' before the next definition", v.name));
                }
                Some(Tok::Ident(s)) if *s == "END" => {
                    return self.error(format!("{}: no '::=' before END", v.name));
                }
                Some(Tok::Ident(s)) => *s,
                Some(Tok::Punct('{' | '(')) => {
                    self.skip_group()?;
                    continue;
                }
                Some(_) => {
                    self.next();
                    continue;
                }
            };
            self.next();
            // Conformance macros nest SYNTAX and DESCRIPTION clauses per object: keep only the
            // first DESCRIPTION and STATUS, skip the rest.
            if compliance {
                match word {
                    "DESCRIPTION" if v.description.is_none() => {
                        v.description = Some(self.expect_string(&context, "DESCRIPTION")?)
                    }
                    "STATUS" if v.status.is_none() => {
                        v.status = Some(self.expect_ident_in(&context, "a status")?)
                    }
                    "SYNTAX" | "WRITE-SYNTAX" => {
                        self.syntax(&context)?;
                    }
                    _ => {}
                }
                continue;
            }
            match word {
                "SYNTAX" => v.syntax = Some(self.syntax(&context)?),
                "UNITS" => v.units = Some(self.expect_string(&context, "UNITS")?),
                "MAX-ACCESS" | "ACCESS" => v.access = Some(self.expect_ident_in(&context, "an access")?),
                "STATUS" => v.status = Some(self.expect_ident_in(&context, "a status")?),
                // MODULE-IDENTITY's REVISION clauses carry descriptions of their own.
                "DESCRIPTION" => {
                    let d = self.expect_string(&context, "DESCRIPTION")?;
                    v.description.get_or_insert(d);
                }
                "REFERENCE" => v.reference = Some(self.expect_string(&context, "REFERENCE")?),
                "INDEX" => {
                    self.expect_punct('{', "INDEX")?;
                    loop {
                        match self.next() {
                            Some(Tok::Punct('}')) => break,
                            Some(Tok::Punct(',')) => {}
                            Some(Tok::Ident("IMPLIED")) => {
                                let n = self.expect_ident_in(&context, "an index object after IMPLIED")?;
                                v.index.push((n, true));
                            }
                            Some(Tok::Ident(s)) => v.index.push((s.to_string(), false)),
                            other => {
                                if other.is_some() {
                                    self.pos = self.pos.saturating_sub(1);
                                }
                                let found = Self::describe(other.as_ref());
                                return self.error(format!("{}: INDEX: unexpected {found}", v.name));
                            }
                        }
                    }
                }
                "AUGMENTS" => {
                    let names = self.name_list("AUGMENTS")?;
                    v.augments = names.into_iter().next();
                }
                "DEFVAL" => {
                    if self.peek() != Some(&Tok::Punct('{')) {
                        continue;
                    }
                    let start = self.pos;
                    self.skip_group()?;
                    let inner: Vec<String> = self
                        .toks
                        .get(start.saturating_add(1)..self.pos.saturating_sub(1))
                        .unwrap_or_default()
                        .iter()
                        .map(|t| match &t.kind {
                            Tok::Ident(s) => s.to_string(),
                            Tok::Number(n) => n.to_string(),
                            // As Net-SNMP records them: quotes escaped, hex and binary as numbers.
                            Tok::Str(s) => format!("\\\"{}\\\"", string(s)),
                            Tok::Radix(d, r) => {
                                let radix = if *r == 'B' { 2 } else { 16 };
                                u64::from_str_radix(if d.is_empty() { "0" } else { d }, radix)
                                    .map_or_else(|_| format!("'{d}'{r}"), |v| v.to_string())
                            }
                            Tok::Assign => "::=".into(),
                            Tok::Range => "..".into(),
                            Tok::Punct(c) => c.to_string(),
                        })
                        .collect();
                    v.defval = Some(inner.join(" ").replace("- ", "-"));
                }
                "OBJECTS" | "VARIABLES" | "NOTIFICATIONS" => v.objects = self.name_list(word)?,
                "ENTERPRISE" => {
                    // `ENTERPRISE name` or `ENTERPRISE { name }`.
                    if self.eat_punct('{') {
                        v.enterprise = Some(self.expect_ident_in(&context, "an enterprise")?);
                        while !matches!(self.next(), Some(Tok::Punct('}')) | None) {}
                    } else {
                        v.enterprise = Some(self.expect_ident_in(&context, "an enterprise")?);
                    }
                }
                "LAST-UPDATED" | "ORGANIZATION" | "CONTACT-INFO" | "REVISION" | "DISPLAY-HINT" => {
                    if matches!(self.peek(), Some(Tok::Str(_))) {
                        self.next();
                    }
                }
                // Unknown words (a clause of another macro, a misspelling) are skipped, as
                // Net-SNMP skips them in all macros but OBJECT-TYPE.
                _ => {}
            }
        }
    }
}

/// The words Net-SNMP's MIB parser reads as keywords (its token table, case-sensitive), but for
/// `deprecated`, which its enumeration reader accepts as a label.
fn is_netsnmp_keyword(word: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "obsolete",
        "Opaque",
        "optional",
        "LAST-UPDATED",
        "ORGANIZATION",
        "CONTACT-INFO",
        "MODULE-IDENTITY",
        "MODULE-COMPLIANCE",
        "DEFINITIONS",
        "END",
        "AUGMENTS",
        "not-accessible",
        "write-only",
        "NsapAddress",
        "UNITS",
        "REFERENCE",
        "NUM-ENTRIES",
        "BITSTRING",
        "BIT",
        "BITS",
        "Counter64",
        "TimeTicks",
        "NOTIFICATION-TYPE",
        "OBJECT-GROUP",
        "OBJECT-IDENTITY",
        "IDENTIFIER",
        "OBJECT",
        "NetworkAddress",
        "Gauge",
        "Gauge32",
        "Unsigned32",
        "read-write",
        "read-create",
        "OCTETSTRING",
        "OF",
        "SEQUENCE",
        "NULL",
        "IpAddress",
        "UInteger32",
        "INTEGER",
        "Integer32",
        "Counter",
        "Counter32",
        "read-only",
        "DESCRIPTION",
        "INDEX",
        "DEFVAL",
        "SIZE",
        "MAX-ACCESS",
        "ACCESS",
        "mandatory",
        "current",
        "STATUS",
        "SYNTAX",
        "OBJECT-TYPE",
        "TRAP-TYPE",
        "ENTERPRISE",
        "BEGIN",
        "IMPORTS",
        "EXPORTS",
        "accessible-for-notify",
        "TEXTUAL-CONVENTION",
        "NOTIFICATION-GROUP",
        "DISPLAY-HINT",
        "FROM",
        "AGENT-CAPABILITIES",
        "MACRO",
        "IMPLIED",
        "SUPPORTS",
        "INCLUDES",
        "VARIATION",
        "REVISION",
        "not-implemented",
        "OBJECTS",
        "NOTIFICATIONS",
        "MODULE",
        "MIN-ACCESS",
        "PRODUCT-RELEASE",
        "WRITE-SYNTAX",
        "CREATION-REQUIRES",
        "MANDATORY-GROUPS",
        "GROUP",
        "CHOICE",
        "IMPLICIT",
        "ObjectSyntax",
        "SimpleSyntax",
        "ApplicationSyntax",
        "ObjectName",
        "NotificationName",
        "VARIABLES",
    ];
    KEYWORDS.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> ModuleAst {
        let p = parse(text.as_bytes());
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        p.modules.into_iter().next().unwrap()
    }

    #[test]
    fn object_type_and_textual_convention() {
        let text = r#"
TEST-MIB DEFINITIONS ::= BEGIN
IMPORTS OBJECT-TYPE, Integer32, mib-2 FROM SNMPv2-SMI
        TEXTUAL-CONVENTION FROM SNMPv2-TC;
Hint ::= TEXTUAL-CONVENTION
    DISPLAY-HINT "1x:"
    STATUS current
    DESCRIPTION "d"
    SYNTAX OCTET STRING (SIZE (0..6 | 8))
testEntry OBJECT-TYPE
    SYNTAX TestEntry
    MAX-ACCESS not-accessible
    STATUS current
    DESCRIPTION "row"
    INDEX { testIndex, IMPLIED testName }
    ::= { mib-2 99 1 }
testState OBJECT-TYPE
    SYNTAX INTEGER { up(1), down(2), neg(-1) }
    UNITS "seconds"
    MAX-ACCESS read-write
    STATUS current
    DESCRIPTION "state"
    DEFVAL { up }
    ::= { testEntry 3 }
END
"#;
        let m = one(text);
        assert_eq!(m.name, "TEST-MIB");
        assert!(m.smiv2);
        assert_eq!(m.imports.len(), 4);
        assert_eq!(m.imports[3], ("TEXTUAL-CONVENTION".into(), "SNMPv2-TC".into(), 4));
        let t = &m.types[0];
        assert_eq!(t.hint.as_deref(), Some("1x:"));
        assert_eq!(t.syntax.sizes, vec![(0, 6), (8, 8)]);
        let e = &m.values[0];
        assert_eq!(e.index, vec![("testIndex".into(), false), ("testName".into(), true)]);
        assert_eq!(e.oid, vec![(Some("mib-2".into()), None), (None, Some(99)), (None, Some(1))]);
        let s = &m.values[1];
        assert_eq!(s.syntax.as_ref().unwrap().named[2], ("neg".into(), -1));
        assert_eq!(s.units.as_deref(), Some("seconds"));
        assert_eq!(s.defval.as_deref(), Some("up"));
        assert_eq!(s.line, 17);
    }

    #[test]
    fn a_bad_definition_is_reported_and_the_rest_loads() {
        let p = parse(b"X DEFINITIONS ::= BEGIN\nfoo OBJECT IDENTIFIER ::= mib-2\nbar OBJECT IDENTIFIER ::= { foo 1 }\nEND");
        assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
        assert_eq!(p.errors[0].line, 2);
        assert_eq!(p.errors[0].module, "X");
        assert!(p.errors[0].message.contains("foo"), "{}", p.errors[0].message);
        assert_eq!(p.modules[0].values.len(), 1);
        assert_eq!(p.modules[0].values[0].name, "bar");
        let p = parse(b"X DEFINITIONS ::= BEGIN\nfoo OBJECT-TYPE SYNTAX INTEGER");
        assert!(p.errors[0].message.contains("::="), "{:?}", p.errors);
    }

    #[test]
    fn vendor_departures_from_the_smi() {
        let text = "-- X-MIB.my: a comment that names the module\nX-MIB\n -- between\n DEFINITIONS ::= BEGIN\n\
            IMPORTS enterprises FROM SNMPv2-SMI\n\
            x OBJECT IDENTIFIER ::= { enterprises 1 }\n\
            -----\n\
            wlanSettingEntry ::= SEQUENCE { a INTEGER, b INTEGER }\n\
            e OBJECT-TYPE SYNTAX INTEGER { up(1) down(2) 64BitWEP(3), trail-(4), 5(5) }\n\
            ACCESS read-only STATUS mandatory ::= { x 1 }\n\
            y ::= { x 2 }\nEND\n";
        assert_eq!(module_name(text.as_bytes()).as_deref(), Some("X-MIB"));
        let m = one(text);
        assert_eq!(m.imports.len(), 1);
        assert_eq!(m.types[0].name, "wlanSettingEntry");
        let named = &m.values[1].syntax.as_ref().unwrap().named;
        let labels: Vec<&str> = named.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["up", "down", "64BitWEP", "trail-"]);
        assert_eq!(m.values[2].name, "y");
        assert_eq!(m.values[2].oid.len(), 2);
    }

    #[test]
    fn files_that_are_not_modules() {
        assert_eq!(module_name(b"This directory holds MIBs\n"), None);
        assert_eq!(module_name(b"A { iso 3 } DEFINITIONS ::= BEGIN END").as_deref(), Some("A"));
        let p = parse(b"README\nnothing here\n");
        assert!(p.modules.is_empty());
        assert_eq!(p.errors.len(), 1);
    }
}
