//! Making the shipped MIB modules available: opening the compiled-in form (what every command
#![allow(clippy::unwrap_used)]
//! does), decoding it whole, and parsing and resolving the module texts (what it would cost
//! without it).
use criterion::{Criterion, black_box, criterion_group, criterion_main};

fn shipped(c: &mut Criterion) {
    let mut g = c.benchmark_group("mib");
    g.bench_function("compiled, opened", |b| b.iter(|| black_box(snmpctl::mib::open_shipped())));
    g.bench_function("compiled, decoded whole", |b| b.iter(|| black_box(snmpctl::mib::decode_shipped())));
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/mibs");
    let mut texts: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().is_none_or(|n| n != "NOTICE"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    texts.sort();
    g.sample_size(10);
    g.bench_function("parse and resolve the texts", |b| {
        b.iter(|| {
            let mut r = snmpctl::mib::resolve::Resolver::new(snmpctl::mib::Tree::default());
            for (name, text) in &texts {
                r.add_source(name, snmpctl::mib::parse::parse(text).modules);
            }
            r.load_all();
            black_box(r.finish())
        })
    });
    g.finish();
}

criterion_group!(benches, shipped);
criterion_main!(benches);
