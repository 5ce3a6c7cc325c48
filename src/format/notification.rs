//! Received notifications as `snmptrapd` logs them by default, and as JSON lines.
//!
//! Text, one record per notification (snmptrapd 5.9 with `-n`, numeric addresses):
//!
//! ```text
//! 2026-11-22 05:29:49 UDP: [127.0.0.1]:33903->[127.0.0.1]:162 [UDP: [127.0.0.1]:33903->[127.0.0.1]:162]:
//! SNMPv2-MIB::sysUpTime.0 = Timeticks: (4242) 0:00:42.42<TAB>SNMPv2-MIB::snmpTrapOID.0 = OID: …
//! 2026-11-22 05:29:49 192.0.2.2 [192.0.2.2] (via UDP: [127.0.0.1]:49055->[127.0.0.1]:162) TRAP, SNMP v1, community public
//! <TAB>NET-SNMP-MIB::netSnmp Cold Start Trap (0) Uptime: 3:42:24.88
//! <TAB>varbind<TAB>varbind
//! ```
//!
//! JSON, one object per line:
//!
//! ```text
//! { "time": RFC 3339, "from": "addr:port", "to": "addr:port", "transport": "udp" | "tcp",
//!   "version": "v1" | "v2c" | "v3", "pdu_type": "Trap" | "SNMPv2-Trap" | "InformRequest",
//!   "community": string                                          (v1, v2c)
//!   "user", "engine_id" (hex), "security_level", "context_engine_id" (hex), "context_name"  (v3)
//!   "request_id": n | null, "snmp_trap_oid": dotted | null, "trap_name": string (with MIBs),
//!   "uptime": ticks | null,
//!   "v1": {"enterprise", "agent_addr", "generic_trap", "specific_trap", "time_stamp"}  (v1 only)
//!   "varbinds": [varbind]        as received, the object `decode` uses (format::json)
//!   "v2_varbinds": [varbind]     (v1 only) the RFC 3584 translation
//!   "deviations": [{"offset", "message"}] }
//! ```

use super::json;
use super::json::{ObjectWriter, VarBindJson};
use super::output::{OutputOptions, oid_name, timeticks, write_oid, write_varbind};
use crate::trap::{Notification, Sender, generic_trap_text};
use crate::value::VarBind;
use serde_json::Value as Json;
use std::net::SocketAddr;

/// Where a notification was received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Via {
    /// The local address it arrived on.
    pub local: SocketAddr,
    /// TCP (RFC 3430) rather than UDP.
    pub tcp: bool,
}

impl Via {
    /// Net-SNMP's transport text: `UDP: [127.0.0.1]:40000->[127.0.0.1]:162`.
    pub fn describe(&self, from: SocketAddr) -> String {
        let proto = match (self.tcp, from.is_ipv6()) {
            (false, false) => "UDP",
            (true, false) => "TCP",
            (false, true) => "UDP/IPv6",
            (true, true) => "TCP/IPv6",
        };
        format!("{proto}: [{}]:{}->[{}]:{}", from.ip(), from.port(), self.local.ip(), self.local.port())
    }
}

/// Appends one notification in snmptrapd's default format, its last line ended; `time` is the
/// local time as `YYYY-MM-DD HH:MM:SS`.
pub fn write_text(out: &mut String, n: &Notification, time: &str, via: Via, options: &OutputOptions) {
    let transport = via.describe(n.from);
    if let Some(t) = &n.trap_v1 {
        let [a, b, c, d] = t.agent_addr;
        let community = match &n.sender {
            Sender::Community(c) => String::from_utf8_lossy(c).into_owned(),
            Sender::Usm { .. } => String::new(),
        };
        out.push_str(&format!(
            "{time} {a}.{b}.{c}.{d} [{a}.{b}.{c}.{d}] (via {transport}) TRAP, SNMP v1, community {community}\n\t"
        ));
        write_oid(out, &t.enterprise, options);
        let up = timeticks(t.time_stamp);
        let up = up.split_once(") ").map_or(up.as_str(), |(_, r)| r);
        out.push_str(&format!(" {} ({}) Uptime: {up}\n", generic_trap_text(t.generic_trap), t.specific_trap));
        for vb in &n.varbinds {
            out.push('\t');
            write_varbind(out, vb, options);
            out.pop();
        }
        out.push('\n');
        return;
    }
    out.push_str(&format!("{time} {transport} [{transport}]:\n"));
    for (i, vb) in n.varbinds.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        write_varbind(out, vb, options);
        out.pop();
    }
    out.push('\n');
}

/// Appends what snmptrapd gives a `traphandle` program on its standard input, after the host
/// name line (snmptrapd's `format execute %B\n%b\n%V\n%v\n`): the transport address, then
/// one `OID VALUE` line per varbind in SNMPv2 form (a v1 Trap translated as RFC 3584 says),
/// printed in quick mode with `options` otherwise as given, as snmptrapd prints them.
pub fn write_execute(out: &mut String, n: &Notification, via: Via, options: &OutputOptions) {
    out.push_str(&via.describe(n.from));
    out.push('\n');
    let quick = OutputOptions { quick: true, quick_equals: false, value_only: false, ..*options };
    let translated;
    let varbinds = if n.trap_v1.is_some() {
        translated = n.v2_varbinds();
        &translated
    } else {
        &n.varbinds
    };
    for vb in varbinds {
        write_varbind(out, vb, &quick);
    }
}

/// One notification as JSON, written straight to the output ([`NotificationJson::write`]),
/// keys in sorted order; `time` is RFC 3339. [`to_json`] gives the same object as a [`Json`]
/// value.
#[derive(Debug, Clone, Copy)]
pub struct NotificationJson<'a> {
    /// The notification.
    pub notification: &'a Notification,
    /// When it arrived, RFC 3339.
    pub time: &'a str,
    /// Where it arrived.
    pub via: Via,
    /// Output options (names and display values when they carry a MIB).
    pub options: &'a OutputOptions<'a>,
}

fn write_varbinds(out: &mut Vec<u8>, varbinds: &[VarBind], options: &OutputOptions) {
    out.push(b'[');
    for (i, vb) in varbinds.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        VarBindJson { vb, options: Some(options) }.write(out);
    }
    out.push(b']');
}

impl NotificationJson<'_> {
    /// Appends the object to `out` (without a newline).
    pub fn write(&self, out: &mut Vec<u8>) {
        let n = self.notification;
        let options = self.options;
        let mut m = ObjectWriter::new(out);
        if let Sender::Community(c) = &n.sender {
            m.lossy("community", c);
        }
        if let Sender::Usm { context_engine_id, context_name, .. } = &n.sender {
            m.str("context_engine_id", &crate::hex::encode(context_engine_id));
            m.lossy("context_name", context_name);
        }
        json::write_deviations(m.key("deviations"), &n.deviations);
        if let Sender::Usm { engine_id, .. } = &n.sender {
            m.str("engine_id", &crate::hex::encode(engine_id));
        }
        json::write_socket_addr(m.key("from"), n.from);
        match n.pdu_type.name() {
            Some(name) => m.str("pdu_type", name),
            None => m.str("pdu_type", &n.pdu_type.label()),
        }
        match n.request_id {
            Some(id) => m.i64("request_id", id),
            None => m.null("request_id"),
        }
        if let Sender::Usm { level, .. } = &n.sender {
            m.str("security_level", level.name());
        }
        let trap_oid = n.trap_oid();
        match &trap_oid {
            Some(oid) => m.oid("snmp_trap_oid", oid),
            None => m.null("snmp_trap_oid"),
        }
        m.str("time", self.time);
        json::write_socket_addr(m.key("to"), self.via.local);
        m.str("transport", if self.via.tcp { "tcp" } else { "udp" });
        if options.mib.is_some()
            && let Some(t) = &trap_oid
        {
            m.str("trap_name", &oid_name(t, options));
        }
        match n.uptime() {
            Some(ticks) => m.u64("uptime", u64::from(ticks)),
            None => m.null("uptime"),
        }
        if let Sender::Usm { user, .. } = &n.sender {
            m.lossy("user", user);
        }
        if let Some(t) = &n.trap_v1 {
            let mut v1 = ObjectWriter::new(m.key("v1"));
            json::write_ipv4(v1.key("agent_addr"), t.agent_addr);
            v1.oid("enterprise", &t.enterprise);
            v1.i64("generic_trap", t.generic_trap.0);
            v1.i64("specific_trap", t.specific_trap);
            v1.u64("time_stamp", u64::from(t.time_stamp));
            v1.end();
            write_varbinds(m.key("v2_varbinds"), &n.v2_varbinds(), options);
        }
        write_varbinds(m.key("varbinds"), &n.varbinds, options);
        m.str("version", n.version.as_str());
        m.end();
    }
}

/// One notification as a JSON object (see the module docs); `time` is RFC 3339.
pub fn to_json(n: &Notification, time: &str, via: Via, options: &OutputOptions) -> Json {
    let mut out = Vec::new();
    NotificationJson { notification: n, time, via, options }.write(&mut out);
    json::parse(&out)
}
