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
use super::json::{AsText, VarBindJson};
use super::output::{OutputOptions, oid_name, timeticks, write_oid, write_varbind};
use crate::trap::{Notification, Sender, generic_trap_text};
use crate::value::VarBind;
use serde::ser::{Serialize, SerializeMap as _, Serializer};
use serde_json::{Value as Json, json};
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

/// One notification as JSON, serialized straight to the output (`serde_json::to_writer`), keys
/// in sorted order; `time` is RFC 3339. [`to_json`] gives the same object as a [`Json`] value.
#[derive(Debug, Clone, Copy)]
pub struct NotificationJson<'a> {
    /// The notification.
    pub notification: &'a Notification,
    /// When it arrived, RFC 3339.
    pub time: &'a str,
    /// Where it arrived.
    pub via: Via,
    /// Output options (names and display values when they carry a MIB).
    pub options: &'a OutputOptions,
}

struct VarBinds<'a>(&'a [VarBind], &'a OutputOptions);

impl Serialize for VarBinds<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|vb| VarBindJson { vb, options: Some(self.1) }))
    }
}

impl Serialize for NotificationJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        fn lossy(b: &[u8]) -> std::borrow::Cow<'_, str> {
            String::from_utf8_lossy(b)
        }
        let n = self.notification;
        let options = self.options;
        let mut m = s.serialize_map(None)?;
        if let Sender::Community(c) = &n.sender {
            m.serialize_entry("community", &lossy(c))?;
        }
        if let Sender::Usm { context_engine_id, context_name, .. } = &n.sender {
            m.serialize_entry("context_engine_id", &crate::hex::encode(context_engine_id))?;
            m.serialize_entry("context_name", &lossy(context_name))?;
        }
        if n.deviations.is_empty() {
            m.serialize_entry("deviations", &[(); 0])?;
        } else {
            m.serialize_entry("deviations", &json::deviations(&n.deviations))?;
        }
        if let Sender::Usm { engine_id, .. } = &n.sender {
            m.serialize_entry("engine_id", &crate::hex::encode(engine_id))?;
        }
        m.serialize_entry("from", &AsText(n.from))?;
        match n.pdu_type.name() {
            Some(name) => m.serialize_entry("pdu_type", name)?,
            None => m.serialize_entry("pdu_type", &n.pdu_type.label())?,
        }
        m.serialize_entry("request_id", &n.request_id)?;
        if let Sender::Usm { level, .. } = &n.sender {
            m.serialize_entry("security_level", level.name())?;
        }
        let trap_oid = n.trap_oid();
        m.serialize_entry("snmp_trap_oid", &trap_oid.as_ref().map(json::OidText))?;
        m.serialize_entry("time", self.time)?;
        m.serialize_entry("to", &AsText(self.via.local))?;
        m.serialize_entry("transport", if self.via.tcp { "tcp" } else { "udp" })?;
        if options.mib.is_some()
            && let Some(t) = &trap_oid
        {
            m.serialize_entry("trap_name", &oid_name(t, options))?;
        }
        m.serialize_entry("uptime", &n.uptime())?;
        if let Sender::Usm { user, .. } = &n.sender {
            m.serialize_entry("user", &lossy(user))?;
        }
        if let Some(t) = &n.trap_v1 {
            let [a, b, c, d] = t.agent_addr;
            m.serialize_entry(
                "v1",
                &json!({
                    "enterprise": t.enterprise.to_string(),
                    "agent_addr": format!("{a}.{b}.{c}.{d}"),
                    "generic_trap": t.generic_trap.0,
                    "specific_trap": t.specific_trap,
                    "time_stamp": t.time_stamp,
                }),
            )?;
            m.serialize_entry("v2_varbinds", &VarBinds(&n.v2_varbinds(), options))?;
        }
        m.serialize_entry("varbinds", &VarBinds(&n.varbinds, options))?;
        m.serialize_entry("version", n.version.as_str())?;
        m.end()
    }
}

/// One notification as a JSON object (see the module docs); `time` is RFC 3339.
pub fn to_json(n: &Notification, time: &str, via: Via, options: &OutputOptions) -> Json {
    serde_json::to_value(NotificationJson { notification: n, time, via, options }).unwrap_or(Json::Null)
}
