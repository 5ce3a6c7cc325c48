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
use super::output::{OutputOptions, oid_name, timeticks, write_oid, write_varbind};
use crate::trap::{Notification, Sender, generic_trap_text};
use serde_json::{Map, Value as Json, json};
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

/// One notification as a JSON object (see the module docs); `time` is RFC 3339.
pub fn to_json(n: &Notification, time: &str, via: Via, options: &OutputOptions) -> Json {
    let mut o = Map::new();
    o.insert("time".into(), json!(time));
    o.insert("from".into(), json!(n.from.to_string()));
    o.insert("to".into(), json!(via.local.to_string()));
    o.insert("transport".into(), json!(if via.tcp { "tcp" } else { "udp" }));
    o.insert("version".into(), json!(n.version.as_str()));
    o.insert("pdu_type".into(), json!(n.pdu_type.label()));
    match &n.sender {
        Sender::Community(c) => {
            o.insert("community".into(), json!(String::from_utf8_lossy(c)));
        }
        Sender::Usm { user, engine_id, level, context_engine_id, context_name } => {
            o.insert("user".into(), json!(String::from_utf8_lossy(user)));
            o.insert("engine_id".into(), json!(crate::hex::encode(engine_id)));
            o.insert("security_level".into(), json!(level.name()));
            o.insert("context_engine_id".into(), json!(crate::hex::encode(context_engine_id)));
            o.insert("context_name".into(), json!(String::from_utf8_lossy(context_name)));
        }
    }
    o.insert("request_id".into(), json!(n.request_id));
    let trap_oid = n.trap_oid();
    o.insert("snmp_trap_oid".into(), json!(trap_oid.as_ref().map(ToString::to_string)));
    if options.mib.is_some()
        && let Some(t) = &trap_oid
    {
        o.insert("trap_name".into(), json!(oid_name(t, options)));
    }
    o.insert("uptime".into(), json!(n.uptime()));
    let vbs = |list: &[crate::value::VarBind]| {
        Json::Array(list.iter().map(|vb| json::varbind_named(vb, options)).collect())
    };
    if let Some(t) = &n.trap_v1 {
        let [a, b, c, d] = t.agent_addr;
        o.insert(
            "v1".into(),
            json!({
                "enterprise": t.enterprise.to_string(),
                "agent_addr": format!("{a}.{b}.{c}.{d}"),
                "generic_trap": t.generic_trap.0,
                "specific_trap": t.specific_trap,
                "time_stamp": t.time_stamp,
            }),
        );
        o.insert("varbinds".into(), vbs(&n.varbinds));
        o.insert("v2_varbinds".into(), vbs(&n.v2_varbinds()));
    } else {
        o.insert("varbinds".into(), vbs(&n.varbinds));
    }
    o.insert("deviations".into(), json::deviations(&n.deviations));
    Json::Object(o)
}
