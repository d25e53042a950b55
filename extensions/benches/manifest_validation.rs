//! Manifest pre-validation (target ≤5 µs for a typical manifest; the seed asked <1 ms),
//! against a plain `toml` parse of the same text into a `toml::Table` (the least any reader
//! of the file pays). Measured: the checks alone on an already deserialised file, and the
//! whole `Manifest::parse` (typed deserialisation plus checks). The manifest is the sample
//! Operator's, with every section filled.
//!
//! Run: `cargo bench -p extensions --bench manifest_validation`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use extensions::Manifest;
use extensions::manifest::ManifestFile;
use extensions::manifest::validate::validate;
use support::{Recorder, report};

const TEXT: &str = include_str!("../examples/text-ops/symphony-extension.toml");

fn benches(c: &mut Criterion, rec: &Recorder) {
    let file: ManifestFile = toml::from_str(TEXT).expect("the sample parses");
    let mut g = c.benchmark_group("manifest");
    g.bench_function("toml_parse_table (baseline)", |b| {
        rec.time("toml", b, || {
            black_box(toml::from_str::<toml::Table>(black_box(TEXT)).expect("parses"));
        });
    });
    g.bench_function("validate_only", |b| {
        rec.time("validate", b, || {
            black_box(validate(black_box(file.clone())).expect("valid"));
        });
    });
    g.bench_function("clone_only (part of validate_only)", |b| {
        rec.time("clone", b, || {
            black_box(black_box(&file).clone());
        });
    });
    g.bench_function("parse_and_validate", |b| {
        rec.time("parse", b, || {
            black_box(Manifest::parse(black_box(TEXT), "m.toml").expect("valid"));
        });
    });
    g.finish();
}

fn main() {
    let rec = Recorder::default();
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
        .configure_from_args();
    benches(&mut c, &rec);
    let checks = rec.median("validate") - rec.median("clone");
    report(
        "validation checks (validate − clone)",
        checks,
        "toml parse",
        rec.median("toml"),
        Some(Duration::from_micros(5)),
    );
    report(
        "Manifest::parse (typed parse + checks)",
        rec.median("parse"),
        "toml parse",
        rec.median("toml"),
        None,
    );
    c.final_summary();
}
