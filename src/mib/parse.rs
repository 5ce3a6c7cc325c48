//! SMIv1/SMIv2 module text to an unresolved syntax tree ([`ModuleAst`]).
//!
//! The parser knows the macros SNMP modules use (OBJECT-TYPE, TEXTUAL-CONVENTION, MODULE-IDENTITY,
//! OBJECT-IDENTITY, NOTIFICATION-TYPE, TRAP-TYPE, the conformance macros) and skips MACRO
//! definitions and SEQUENCE/CHOICE bodies. Errors name the line; the caller adds the file.

use super::lex::{Tok, Token, tokens};

/// A parse error: what was expected, at which line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: u32,
    pub message: String,
}

/// One module as written.
#[derive(Debug, Clone, Default)]
pub struct ModuleAst {
    pub name: String,
    pub line: u32,
    /// `(symbol, from module, line)` in the order written.
    pub imports: Vec<(String, String, u32)>,
    pub types: Vec<TypeAst>,
    pub values: Vec<ValueAst>,
    /// SMIv2 when the module imports from SNMPv2-SMI (decides `ACCESS` wording in details).
    pub smiv2: bool,
}

/// A type assignment: `DisplayString ::= TEXTUAL-CONVENTION …` or `Foo ::= INTEGER { … }`.
#[derive(Debug, Clone, Default)]
pub struct TypeAst {
    pub name: String,
    pub line: u32,
    pub textual_convention: bool,
    pub hint: Option<String>,
    pub status: Option<String>,
    pub description: Option<String>,
    pub reference: Option<String>,
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
    ObjectIdentifier,
    ObjectType,
    ModuleIdentity,
    ObjectIdentity,
    NotificationType,
    TrapType,
    ObjectGroup,
    NotificationGroup,
    ModuleCompliance,
    AgentCapabilities,
}

/// A value assignment that names an OID.
#[derive(Debug, Clone, Default)]
pub struct ValueAst {
    pub name: String,
    pub line: u32,
    pub kind: Macro,
    /// `{ parent 2 }` components: a name, a number, or `name(number)`.
    pub oid: Vec<(Option<String>, Option<u32>)>,
    pub syntax: Option<SyntaxAst>,
    pub units: Option<String>,
    pub access: Option<String>,
    pub status: Option<String>,
    pub description: Option<String>,
    pub reference: Option<String>,
    /// INDEX objects with their IMPLIED flag.
    pub index: Vec<(String, bool)>,
    pub augments: Option<String>,
    /// DEFVAL as written between the braces, tokens joined by spaces.
    pub defval: Option<String>,
    /// OBJECTS / VARIABLES of notifications and groups.
    pub objects: Vec<String>,
    /// TRAP-TYPE ENTERPRISE.
    pub enterprise: Option<String>,
}

type Result<T> = std::result::Result<T, ParseError>;

struct Parser {
    toks: Vec<Token>,
    pos: usize,
}

/// Parses every module in `text`.
pub fn parse(text: &str) -> Result<Vec<ModuleAst>> {
    let mut p = Parser { toks: tokens(text), pos: 0 };
    let mut modules = Vec::new();
    while p.peek().is_some() {
        modules.push(p.module()?);
    }
    if modules.is_empty() {
        return Err(ParseError { line: 1, message: "no module definition found".into() });
    }
    Ok(modules)
}

fn is_keyword(s: &str) -> bool {
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

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.kind)
    }

    fn line(&self) -> u32 {
        self.toks.get(self.pos).or_else(|| self.toks.last()).map_or(1, |t| t.line)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).map(|t| t.kind.clone());
        if t.is_some() {
            self.pos = self.pos.saturating_add(1);
        }
        t
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T> {
        Err(ParseError { line: self.line(), message: message.into() })
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

    fn expect_punct(&mut self, c: char) -> Result<()> {
        if self.peek() == Some(&Tok::Punct(c)) {
            self.pos = self.pos.saturating_add(1);
            Ok(())
        } else {
            self.error(format!("expected '{c}', found {}", Self::describe(self.peek())))
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

    fn eat_ident(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Ident(s)) if s == word) {
            self.pos = self.pos.saturating_add(1);
            true
        } else {
            false
        }
    }

    fn expect_ident(&mut self, what: &str) -> Result<String> {
        match self.peek() {
            Some(Tok::Ident(s)) => {
                let s = s.clone();
                self.pos = self.pos.saturating_add(1);
                Ok(s)
            }
            other => self.error(format!("expected {what}, found {}", Self::describe(other))),
        }
    }

    fn expect_word(&mut self, word: &str) -> Result<()> {
        if self.eat_ident(word) {
            Ok(())
        } else {
            self.error(format!("expected '{word}', found {}", Self::describe(self.peek())))
        }
    }

    fn expect_string(&mut self, clause: &str) -> Result<String> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(s),
            other => self
                .error(format!("{clause} needs a quoted string, found {}", Self::describe(other.as_ref()))),
        }
    }

    /// Skips a balanced `{ … }` or `( … )` group starting at the current opening token.
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
                    return Err(ParseError { line, message: "unclosed '{' or '(' opened here".into() });
                }
            }
        }
    }

    fn module(&mut self) -> Result<ModuleAst> {
        let line = self.line();
        let name = self.expect_ident("a module name")?;
        let mut m = ModuleAst { name, line, ..ModuleAst::default() };
        if self.peek() == Some(&Tok::Punct('{')) {
            self.skip_group()?;
        }
        self.expect_word("DEFINITIONS")?;
        while !matches!(self.peek(), Some(Tok::Assign) | None) {
            self.next();
        }
        if self.next() != Some(Tok::Assign) {
            return self.error("expected '::=' after DEFINITIONS");
        }
        self.expect_word("BEGIN")?;
        loop {
            match self.peek() {
                // A missing final END (Erlang's RFC-1215 lacks one) is tolerated, as Net-SNMP does.
                None => break,
                Some(Tok::Ident(s)) if s == "END" => {
                    self.next();
                    break;
                }
                Some(Tok::Ident(s)) if s == "IMPORTS" => {
                    self.next();
                    self.imports(&mut m)?;
                }
                Some(Tok::Ident(s)) if s == "EXPORTS" => {
                    while !matches!(self.next(), Some(Tok::Punct(';')) | None) {}
                }
                Some(Tok::Ident(_)) => self.assignment(&mut m)?,
                Some(Tok::Punct(';')) => {
                    self.next();
                }
                other => {
                    return self.error(format!("expected a definition, found {}", Self::describe(other)));
                }
            }
        }
        m.smiv2 = m.imports.iter().any(|(_, from, _)| from == "SNMPv2-SMI");
        Ok(m)
    }

    fn imports(&mut self, m: &mut ModuleAst) -> Result<()> {
        let mut pending: Vec<(String, u32)> = Vec::new();
        loop {
            let line = self.line();
            match self.next() {
                Some(Tok::Punct(';')) => break,
                Some(Tok::Punct(',')) => {}
                Some(Tok::Ident(s)) if s == "FROM" => {
                    let from = self.expect_ident("a module name after FROM")?;
                    // An object identifier value may follow the module name.
                    if self.peek() == Some(&Tok::Punct('{')) {
                        self.skip_group()?;
                    }
                    for (sym, l) in pending.drain(..) {
                        m.imports.push((sym, from.clone(), l));
                    }
                }
                Some(Tok::Ident(s)) => pending.push((s, line)),
                other => {
                    return Err(ParseError {
                        line,
                        message: format!(
                            "IMPORTS: expected a symbol or FROM, found {}",
                            Self::describe(other.as_ref())
                        ),
                    });
                }
            }
        }
        if let Some((sym, line)) = pending.first() {
            return Err(ParseError { line: *line, message: format!("IMPORTS: '{sym}' has no FROM") });
        }
        Ok(())
    }

    fn assignment(&mut self, m: &mut ModuleAst) -> Result<()> {
        let line = self.line();
        let name = self.expect_ident("a name")?;
        if self.eat_ident("MACRO") {
            // A macro definition: skip to its END.
            while !matches!(self.next(), Some(Tok::Ident(ref s)) if s == "END") {
                if self.peek().is_none() {
                    return Err(ParseError { line, message: format!("MACRO {name} has no END") });
                }
            }
            return Ok(());
        }
        let upper = name.chars().next().is_some_and(|c| c.is_ascii_uppercase());
        if upper && self.peek() == Some(&Tok::Assign) {
            self.next();
            let t = self.type_assignment(name, line)?;
            m.types.push(t);
            return Ok(());
        }
        let v = self.value_assignment(name, line)?;
        if let Some(v) = v {
            m.values.push(v);
        }
        Ok(())
    }

    fn type_assignment(&mut self, name: String, line: u32) -> Result<TypeAst> {
        let mut t = TypeAst { name, line, ..TypeAst::default() };
        if self.eat_ident("TEXTUAL-CONVENTION") {
            t.textual_convention = true;
            loop {
                match self.peek() {
                    Some(Tok::Ident(s)) if s == "DISPLAY-HINT" => {
                        self.next();
                        t.hint = Some(self.expect_string("DISPLAY-HINT")?);
                    }
                    Some(Tok::Ident(s)) if s == "STATUS" => {
                        self.next();
                        t.status = Some(self.expect_ident("a status")?);
                    }
                    Some(Tok::Ident(s)) if s == "DESCRIPTION" => {
                        self.next();
                        t.description = Some(self.expect_string("DESCRIPTION")?);
                    }
                    Some(Tok::Ident(s)) if s == "REFERENCE" => {
                        self.next();
                        t.reference = Some(self.expect_string("REFERENCE")?);
                    }
                    Some(Tok::Ident(s)) if s == "SYNTAX" => {
                        self.next();
                        t.syntax = self.syntax()?;
                        return Ok(t);
                    }
                    other => {
                        return self.error(format!(
                            "TEXTUAL-CONVENTION {}: expected a clause, found {}",
                            t.name,
                            Self::describe(other)
                        ));
                    }
                }
            }
        }
        if self.peek() == Some(&Tok::Punct('[')) {
            // `[APPLICATION n] IMPLICIT type` (the SMI modules' own base types).
            self.next();
            let class = self.expect_ident("a tag class")?;
            let number = match self.next() {
                Some(Tok::Number(n)) => n,
                other => {
                    return self
                        .error(format!("expected a tag number, found {}", Self::describe(other.as_ref())));
                }
            };
            self.expect_punct(']')?;
            self.eat_ident("IMPLICIT");
            let inner = self.syntax()?;
            t.syntax = SyntaxAst { name: format!("{class} {number}"), ..inner };
            return Ok(t);
        }
        t.syntax = self.syntax()?;
        Ok(t)
    }

    /// Parses a type with its refinements.
    fn syntax(&mut self) -> Result<SyntaxAst> {
        let first = self.expect_ident("a type")?;
        let mut s = SyntaxAst::default();
        s.name = match first.as_str() {
            "OCTET" => {
                self.expect_word("STRING")?;
                "OCTET STRING".into()
            }
            "OBJECT" => {
                self.expect_word("IDENTIFIER")?;
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
            _ => first,
        };
        if self.peek() == Some(&Tok::Punct('{')) && s.name != "SEQUENCE" && s.name != "CHOICE" {
            s.named = self.named_numbers()?;
        }
        if self.peek() == Some(&Tok::Punct('(')) {
            self.constraint(&mut s)?;
        }
        Ok(s)
    }

    fn named_numbers(&mut self) -> Result<Vec<(String, i64)>> {
        self.expect_punct('{')?;
        let mut out = Vec::new();
        loop {
            if self.eat_punct('}') {
                break;
            }
            let label = self.expect_ident("an enumeration label")?;
            self.expect_punct('(')?;
            let value = self.signed()?;
            self.expect_punct(')')?;
            out.push((label, value));
            if !self.eat_punct(',') {
                self.expect_punct('}')?;
                break;
            }
        }
        Ok(out)
    }

    fn signed(&mut self) -> Result<i64> {
        let negative = self.eat_punct('-');
        let value = match self.next() {
            Some(Tok::Number(n)) => i64::try_from(n).unwrap_or(i64::MAX),
            Some(Tok::Radix(digits, r)) => {
                let radix = if r == 'B' { 2 } else { 16 };
                u64::from_str_radix(&digits, radix)
                    .ok()
                    .and_then(|v| i64::try_from(v).ok())
                    .unwrap_or(i64::MAX)
            }
            // A named bound such as MIN or MAX: keep the range open.
            Some(Tok::Ident(word)) if word == "MIN" => i64::MIN,
            Some(Tok::Ident(word)) if word == "MAX" => i64::MAX,
            other => {
                return self.error(format!("expected a number, found {}", Self::describe(other.as_ref())));
            }
        };
        Ok(if negative { value.checked_neg().unwrap_or(i64::MIN) } else { value })
    }

    /// `( a..b | c )` or `( SIZE ( … ) )`.
    fn constraint(&mut self, s: &mut SyntaxAst) -> Result<()> {
        self.expect_punct('(')?;
        let size = self.eat_ident("SIZE");
        if size {
            self.expect_punct('(')?;
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
        self.expect_punct(')')?;
        if size {
            self.expect_punct(')')?;
            s.sizes = ranges;
        } else {
            s.ranges = ranges;
        }
        Ok(())
    }

    fn value_assignment(&mut self, name: String, line: u32) -> Result<Option<ValueAst>> {
        let mut v = ValueAst { name, line, ..ValueAst::default() };
        let word = self.expect_ident("a macro or type after the name")?;
        v.kind = match word.as_str() {
            "OBJECT" => {
                self.expect_word("IDENTIFIER")?;
                Macro::ObjectIdentifier
            }
            "OBJECT-TYPE" => Macro::ObjectType,
            "MODULE-IDENTITY" => Macro::ModuleIdentity,
            "OBJECT-IDENTITY" => Macro::ObjectIdentity,
            "NOTIFICATION-TYPE" => Macro::NotificationType,
            "TRAP-TYPE" => Macro::TrapType,
            "OBJECT-GROUP" => Macro::ObjectGroup,
            "NOTIFICATION-GROUP" => Macro::NotificationGroup,
            "MODULE-COMPLIANCE" => Macro::ModuleCompliance,
            "AGENT-CAPABILITIES" => Macro::AgentCapabilities,
            _ => {
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
        self.clauses(&mut v)?;
        match self.next() {
            Some(Tok::Assign) => {}
            other => {
                return self.error(format!(
                    "{}: expected '::=', found {}",
                    v.name,
                    Self::describe(other.as_ref())
                ));
            }
        }
        if v.kind == Macro::TrapType {
            match self.next() {
                Some(Tok::Number(n)) => v.oid = vec![(None, Some(u32::try_from(n).unwrap_or(u32::MAX)))],
                other => {
                    return self.error(format!(
                        "{}: TRAP-TYPE needs a number, found {}",
                        v.name,
                        Self::describe(other.as_ref())
                    ));
                }
            }
            return Ok(Some(v));
        }
        v.oid = self.oid_value(&v.name)?;
        Ok(Some(v))
    }

    fn oid_value(&mut self, name: &str) -> Result<Vec<(Option<String>, Option<u32>)>> {
        if self.peek() != Some(&Tok::Punct('{')) {
            return self.error(format!(
                "{name}: expected '{{' to start the OID value, found {}",
                Self::describe(self.peek())
            ));
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
                        label
                    };
                    let mut number = None;
                    if self.eat_punct('(') {
                        match self.next() {
                            Some(Tok::Number(n)) => number = u32::try_from(n).ok(),
                            other => {
                                return self.error(format!(
                                    "{name}: expected a number in '( )', found {}",
                                    Self::describe(other.as_ref())
                                ));
                            }
                        }
                        self.expect_punct(')')?;
                    }
                    parts.push((Some(label), number));
                }
                other => {
                    return self.error(format!(
                        "{name}: unexpected {} in the OID value",
                        Self::describe(other.as_ref())
                    ));
                }
            }
        }
        if parts.is_empty() {
            return self.error(format!("{name}: empty OID value"));
        }
        Ok(parts)
    }

    fn name_list(&mut self) -> Result<Vec<String>> {
        self.expect_punct('{')?;
        let mut out = Vec::new();
        loop {
            match self.next() {
                Some(Tok::Punct('}')) => break,
                Some(Tok::Punct(',')) => {}
                Some(Tok::Ident(s)) => out.push(s),
                other => {
                    return self.error(format!(
                        "expected a name in the list, found {}",
                        Self::describe(other.as_ref())
                    ));
                }
            }
        }
        Ok(out)
    }

    fn clauses(&mut self, v: &mut ValueAst) -> Result<()> {
        let compliance = matches!(v.kind, Macro::ModuleCompliance | Macro::AgentCapabilities);
        loop {
            let word = match self.peek() {
                Some(Tok::Assign) => return Ok(()),
                None => return self.error(format!("{}: no '::=' before the end of the file", v.name)),
                Some(Tok::Ident(s)) => s.clone(),
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
                match word.as_str() {
                    "DESCRIPTION" if v.description.is_none() => {
                        v.description = Some(self.expect_string("DESCRIPTION")?)
                    }
                    "STATUS" if v.status.is_none() => v.status = Some(self.expect_ident("a status")?),
                    "SYNTAX" | "WRITE-SYNTAX" => {
                        self.syntax()?;
                    }
                    _ => {}
                }
                continue;
            }
            match word.as_str() {
                "SYNTAX" => v.syntax = Some(self.syntax()?),
                "UNITS" => v.units = Some(self.expect_string("UNITS")?),
                "MAX-ACCESS" | "ACCESS" => v.access = Some(self.expect_ident("an access")?),
                "STATUS" => v.status = Some(self.expect_ident("a status")?),
                // MODULE-IDENTITY's REVISION clauses carry descriptions of their own.
                "DESCRIPTION" => {
                    let d = self.expect_string("DESCRIPTION")?;
                    v.description.get_or_insert(d);
                }
                "REFERENCE" => v.reference = Some(self.expect_string("REFERENCE")?),
                "INDEX" => {
                    self.expect_punct('{')?;
                    loop {
                        match self.next() {
                            Some(Tok::Punct('}')) => break,
                            Some(Tok::Punct(',')) => {}
                            Some(Tok::Ident(s)) if s == "IMPLIED" => {
                                let n = self.expect_ident("an index object after IMPLIED")?;
                                v.index.push((n, true));
                            }
                            Some(Tok::Ident(s)) => v.index.push((s, false)),
                            other => {
                                return self.error(format!(
                                    "{}: INDEX: unexpected {}",
                                    v.name,
                                    Self::describe(other.as_ref())
                                ));
                            }
                        }
                    }
                }
                "AUGMENTS" => {
                    let names = self.name_list()?;
                    v.augments = names.into_iter().next();
                }
                "DEFVAL" => {
                    let start = self.pos;
                    self.skip_group()?;
                    let inner: Vec<String> = self
                        .toks
                        .get(start.saturating_add(1)..self.pos.saturating_sub(1))
                        .unwrap_or_default()
                        .iter()
                        .map(|t| match &t.kind {
                            Tok::Ident(s) => s.clone(),
                            Tok::Number(n) => n.to_string(),
                            // As Net-SNMP records them: quotes escaped, hex and binary as numbers.
                            Tok::Str(s) => format!("\\\"{s}\\\""),
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
                "OBJECTS" | "VARIABLES" | "NOTIFICATIONS" => v.objects = self.name_list()?,
                "ENTERPRISE" => v.enterprise = Some(self.expect_ident("an enterprise")?),
                "LAST-UPDATED" | "ORGANIZATION" | "CONTACT-INFO" | "REVISION" | "DISPLAY-HINT" => {
                    self.next();
                }
                w if is_keyword(w) => {}
                other => {
                    return self.error(format!("{}: unexpected '{other}' in {:?}", v.name, v.kind));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let m = parse(text).unwrap().remove(0);
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
    fn errors_name_the_line() {
        let e = parse("X DEFINITIONS ::= BEGIN\nfoo OBJECT IDENTIFIER ::= mib-2\nEND").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("foo"), "{}", e.message);
        let e = parse("X DEFINITIONS ::= BEGIN\nfoo OBJECT-TYPE SYNTAX INTEGER").unwrap_err();
        assert!(e.message.contains("::="), "{}", e.message);
    }
}
