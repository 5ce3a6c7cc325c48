//! The exporter's text inputs: snmp.yml (both formats) and generator.yml must load or fail with
//! a located error, never panic; what loads must render samples from a few varbinds whose
//! values and instances come from the same input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use snmpctl::exporter::{config::Config, generator, samples};
use snmpctl::{Oid, Value, VarBind};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok((config, _)) = Config::parse("fuzz.yml".as_ref(), text) {
        let _ = config.to_yaml();
        // Varbinds under each metric: instances and values from the input's bytes.
        for module in config.modules.values() {
            let mut varbinds = Vec::new();
            for (i, m) in module.metrics.iter().enumerate() {
                let arcs: Vec<u32> = data.iter().skip(i).take(6).map(|&b| u32::from(b)).collect();
                if let Ok(oid) = m.oid.join(&arcs) {
                    let bytes = data.iter().skip(i).take(12).copied().collect::<Vec<u8>>();
                    varbinds.push(VarBind::new(oid.clone(), Value::OctetString(bytes)));
                    let n = i32::from(data.get(i).copied().unwrap_or(0));
                    if let Ok(o) = Oid::new(&[m.oid.arcs(), &[n.unsigned_abs()]].concat()) {
                        varbinds.push(VarBind::new(o, Value::Integer(n)));
                    }
                }
            }
            let _ = samples::render_text(&module.metrics, varbinds);
        }
    }
    let _ = generator::generate("generator.yml".as_ref(), text, snmpctl::Mib::shipped().tree());
});
