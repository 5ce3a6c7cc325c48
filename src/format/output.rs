//! Net-SNMP's command-line output: varbind lines under `-O` options, error reports.

use super::text::value_text;
use crate::msg::{ErrorStatus, GenericPdu};
use crate::value::{Oid, Value, VarBind};

/// Net-SNMP output options (`-O`): the subset snmpctl implements so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutputOptions {
    /// `n`: numeric OIDs with a leading dot.
    pub numeric: bool,
    /// `q`: quick print: no `=`, no type.
    pub quick: bool,
    /// `Q`: quick print with `=`, no type.
    pub quick_equals: bool,
    /// `v`: the value only.
    pub value_only: bool,
}

impl OutputOptions {
    /// Parses the letters after `-O`.
    ///
    /// # Errors
    /// The first letter snmpctl does not implement.
    pub fn parse(letters: &str) -> Result<OutputOptions, char> {
        let mut o = OutputOptions::default();
        for c in letters.chars() {
            match c {
                'n' => o.numeric = true,
                'q' => o.quick = true,
                'Q' => o.quick_equals = true,
                'v' => o.value_only = true,
                other => return Err(other),
            }
        }
        Ok(o)
    }
}

/// An OID as Net-SNMP prints it with no MIB loaded: `iso.3.6.1…`, or `.1.3.6.1…` under `-On`.
pub fn oid_name(oid: &Oid, options: OutputOptions) -> String {
    if options.numeric {
        return format!(".{oid}");
    }
    let text = oid.to_string();
    match oid.arcs().first() {
        Some(0) => text.replacen('0', "ccitt", 1),
        Some(1) => text.replacen('1', "iso", 1),
        Some(2) => text.replacen('2', "joint-iso-ccitt", 1),
        _ => text,
    }
}

/// A value without its type prefix (for `-Oq`, `-OQ`).
fn bare_value(value: &Value) -> String {
    let full = value_text(value);
    if value.is_exception() {
        return full;
    }
    match full.split_once(": ") {
        Some((_, v)) if !matches!(value, Value::OctetString(b) if b.is_empty()) => v.to_owned(),
        _ => full,
    }
}

/// One varbind line, as `snmpget` prints it.
pub fn varbind_line(vb: &VarBind, options: OutputOptions) -> String {
    let value =
        if options.quick || options.quick_equals { bare_value(&vb.value) } else { value_text(&vb.value) };
    if options.value_only {
        return value;
    }
    let name = oid_name(&vb.oid, options);
    if options.quick && !options.quick_equals {
        format!("{name} {value}")
    } else {
        format!("{name} = {value}")
    }
}

/// Net-SNMP's reason text for an error-status (`snmp_errstring`).
pub fn error_reason(status: ErrorStatus) -> String {
    let text = match status.0 {
        0 => "(noError) No Error",
        1 => "(tooBig) Response message would have been too large.",
        2 => "(noSuchName) There is no such variable name in this MIB.",
        3 => "(badValue) The value given has the wrong type or length.",
        4 => "(readOnly) The two parties used do not have access to use the specified SNMP PDU.",
        5 => "(genError) A general failure occured",
        6 => "noAccess",
        7 => "wrongType (The set datatype does not match the data type the agent expects)",
        8 => "wrongLength (The set value has an illegal length from what the agent expects)",
        9 => "wrongEncoding",
        10 => "wrongValue (The set value is illegal or unsupported in some way)",
        11 => "noCreation (That table does not support row creation or that object can not ever be created)",
        12 => "inconsistentValue (The set value is illegal or unsupported in some way)",
        13 => "resourceUnavailable (This is likely a out-of-memory failure within the agent)",
        14 => "commitFailed",
        15 => "undoFailed",
        16 => "authorizationError (access denied to that object)",
        17 => "notWritable (That object does not support modification)",
        18 => "inconsistentName (That object can not currently be created)",
        n => return format!("Unknown Error {n}"),
    };
    text.to_owned()
}

/// The report for a Response with a non-zero error-status: `snmpget` prints "Error in packet",
/// `snmpset` "Error in packet." (`set` selects).
pub fn error_report(pdu: &GenericPdu, options: OutputOptions, set: bool) -> String {
    let mut s = format!(
        "Error in packet{}\nReason: {}\n",
        if set { "." } else { "" },
        error_reason(pdu.error_status)
    );
    let failed = usize::try_from(pdu.error_index)
        .ok()
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| pdu.varbinds.get(i));
    if let Some(vb) = failed {
        s.push_str(&format!("Failed object: {}\n", oid_name(&vb.oid, options)));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_like_snmpget() {
        let vb =
            VarBind::new("1.3.6.1.2.1.1.1.0".parse().unwrap(), Value::OctetString(b"test agent".to_vec()));
        let o = |s| OutputOptions::parse(s).unwrap();
        assert_eq!(varbind_line(&vb, o("")), "iso.3.6.1.2.1.1.1.0 = STRING: \"test agent\"");
        assert_eq!(varbind_line(&vb, o("n")), ".1.3.6.1.2.1.1.1.0 = STRING: \"test agent\"");
        assert_eq!(varbind_line(&vb, o("q")), "iso.3.6.1.2.1.1.1.0 \"test agent\"");
        assert_eq!(varbind_line(&vb, o("Q")), "iso.3.6.1.2.1.1.1.0 = \"test agent\"");
        assert_eq!(varbind_line(&vb, o("v")), "STRING: \"test agent\"");
        assert_eq!(OutputOptions::parse("nX"), Err('X'));
    }
}
