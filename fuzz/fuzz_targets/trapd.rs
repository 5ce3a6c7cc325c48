//! snmptrapd.conf text and snmptrapd format strings, as `listen --config` and `-F` take them:
//! any text must parse (what cannot be used is listed, never a panic), its rules must answer
//! for notifications made from the same bytes, and any format must write them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use snmpctl::format::notification::Via;
use snmpctl::format::output::OutputOptions;
use snmpctl::format::trap_format::{Civil, Context, TrapFormat};
use snmpctl::msg::{GenericTrap, PduType, TrapV1Pdu, Version};
use snmpctl::trap::trapd::TrapdConfig;
use snmpctl::trap::{Notification, Sender};
use snmpctl::usm::SecurityLevel;
use snmpctl::{Oid, Value, VarBind};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let config = TrapdConfig::parse(text, "fuzz.conf", &|s| s.trim_start_matches('.').parse::<Oid>().map_err(|e| e.to_string()));
    let format = TrapFormat::parse(text);
    let arcs: Vec<u32> = data.iter().take(12).map(|&b| u32::from(b)).collect();
    let oid = Oid::new(&[&[1, 3, 6, 1][..], &arcs].concat()).unwrap_or_else(|_| "1.3.6.1".parse().unwrap());
    let varbinds = vec![
        VarBind::new(oid.clone(), Value::OctetString(data.iter().take(40).copied().collect())),
        VarBind::new(oid.clone(), Value::Integer(i32::from(data.first().copied().unwrap_or(0)))),
    ];
    let from = "192.0.2.1:162".parse().unwrap();
    let v1 = Notification {
        from,
        version: Version::V1,
        sender: Sender::Community(data.iter().take(8).copied().collect()),
        pdu_type: PduType::TRAP_V1,
        request_id: None,
        trap_v1: Some(TrapV1Pdu {
            enterprise: oid.clone(),
            agent_addr: [10, 0, 0, data.len() as u8],
            generic_trap: GenericTrap(i64::from(data.get(1).copied().unwrap_or(6) % 8)),
            specific_trap: i64::from(data.get(2).copied().unwrap_or(0)),
            time_stamp: u32::from(data.get(3).copied().unwrap_or(0)) * 100_000,
            varbinds: Vec::new(),
        }),
        varbinds: varbinds.clone(),
        deviations: Vec::new(),
    };
    let v3 = Notification {
        version: Version::V3,
        sender: Sender::Usm {
            user: data.iter().take(6).copied().collect(),
            engine_id: vec![0x80, 0, 0, 0, 1],
            engine_boots: 1,
            engine_time: u32::from(data.first().copied().unwrap_or(0)),
            level: SecurityLevel::AuthPriv,
            context_engine_id: data.iter().take(20).copied().collect(),
            context_name: data.iter().take(3).copied().collect(),
        },
        pdu_type: PduType::INFORM_REQUEST,
        request_id: Some(1),
        trap_v1: None,
        ..v1.clone()
    };
    let options = OutputOptions::default();
    let via = Via { local: "127.0.0.1:162".parse().unwrap(), tcp: false };
    let cx = Context { via, now: 1_800_000_000, local: Civil::default(), utc: Civil::default(), options: &options };
    for n in [&v1, &v3] {
        let p = config.permitted(n);
        let _ = config.logs(p, n);
        let trap_oid = n.trap_oid();
        let _ = config.handlers_for(trap_oid.as_ref()).count();
        let _ = config.forwards_for(trap_oid.as_ref()).count();
        let mut out = String::new();
        format.write(&mut out, n, &cx);
    }
});
