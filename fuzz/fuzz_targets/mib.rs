//! MIB text from a user's directory: parsing, resolution on top of the shipped set, and printing
//! names through the resulting tree never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use snmpctl::format::output::OutputOptions;
use snmpctl::format::mib as render;
use snmpctl::mib::{input, parse, resolve, shipped};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = input::parse_name(shipped(), text);
    }
    let _ = parse::module_name(data);
    let modules = parse::parse(data).modules;
    let mut r = resolve::Resolver::new(shipped().clone());
    r.add_source("fuzz.txt", modules);
    r.load_all();
    let (tree, _) = r.finish();
    let options = OutputOptions { extended_index: data.len() % 2 == 0, ..OutputOptions::default() };
    for id in shipped().node_count()..tree.node_count().min(shipped().node_count() + 64) {
        let mut arcs = tree.oid_of(u32::try_from(id).unwrap_or(0));
        arcs.extend_from_slice(&[1, 4, 127, 0, 0, 1]);
        let mut name = String::new();
        render::write_name(&mut name, &tree, &arcs, &options);
    }
});
