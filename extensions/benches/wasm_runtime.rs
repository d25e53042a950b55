//! The wasm runtime (targets: instantiate from the cache ≤1 ms; a runaway guest stopped
//! ≤10 ms after its deadline):
//!
//! - `load_from_cache`: `WasmExtension::load` of the sample Operator with its compiled module
//!   already cached (map the `.cwasm`, link, start the watchdog), against compiling the same
//!   module from scratch (the cost the cache saves).
//! - `call_upper_1k`: one call of the Operator's `upper` on 1 KiB (a fresh pooled instance,
//!   copy in, run, copy out), against a native Rust function doing the same work in process.
//! - `runaway_overshoot`: a guest spinning forever with a 20 ms deadline; the time from the
//!   deadline to the call's return, against the same call path when the guest returns at once.
//!
//! Run: `cargo bench -p extensions --bench wasm_runtime`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::Criterion;
use extensions::ExtensionId;
use extensions::host::wasm::{WasmExtension, engine};
use extensions::manifest::Limits;
use support::{Recorder, report};

const SPIN: &str = r#"(module (memory (export "memory") 1)
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "spin") (param i32 i32) (result i64) (loop $l (br $l)) (i64.const 0))
  (func (export "quick") (param i32 i32) (result i64) (i64.const 0)))"#;

fn limits() -> Limits {
    Limits {
        memory_mb: 64,
        cpu_seconds: 5,
        timeout_seconds: 5,
        retries: 2,
        open_files: 64,
        processes: 1,
    }
}

fn upper_native(input: &[u8]) -> Vec<u8> {
    input.iter().map(u8::to_ascii_uppercase).collect()
}

fn benches(c: &mut Criterion, rec: &Recorder, tmp: &Path) {
    let id = ExtensionId::parse("bench.text-ops").unwrap();
    let module = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/text-ops/text_ops.wat");
    let cache = tmp.join("cache");
    let ext = WasmExtension::load(&id, limits(), &module, &cache, &[]).expect("loads");
    let wat = std::fs::read(&module).unwrap();
    let mut g = c.benchmark_group("wasm");
    g.bench_function("compile_uncached (baseline)", |b| {
        let engine = engine(&limits()).unwrap();
        rec.time("compile", b, || {
            black_box(engine.precompile_module(&wat).unwrap());
        });
    });
    g.bench_function("load_from_cache", |b| {
        rec.time("load", b, || {
            black_box(WasmExtension::load(&id, limits(), &module, &cache, &[]).unwrap());
        });
    });
    let input = b"the quick brown fox jumps over the lazy dog ".repeat(24);
    let far = Instant::now() + Duration::from_secs(3600);
    g.bench_function("native_upper_1k (baseline)", |b| {
        rec.time("native", b, || {
            black_box(upper_native(black_box(&input)));
        });
    });
    g.bench_function("call_upper_1k", |b| {
        rec.time("call", b, || {
            black_box(ext.call("upper", black_box(&input), far).unwrap());
        });
    });
    let spin_path = tmp.join("spin.wat");
    std::fs::write(&spin_path, SPIN).unwrap();
    let spin = WasmExtension::load(&id, limits(), &spin_path, &cache, &[]).unwrap();
    let budget = Duration::from_millis(20);
    g.sample_size(10);
    g.bench_function("quick_return (baseline)", |b| {
        rec.time("quick", b, || {
            black_box(spin.call("quick", b"", Instant::now() + budget).unwrap());
        });
    });
    g.bench_function("runaway_overshoot", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let deadline = Instant::now() + budget;
                let e = spin.call("spin", b"", deadline).expect_err("interrupted");
                let over = Instant::now().saturating_duration_since(deadline);
                assert!(e.to_string().contains("deadline"), "{e}");
                rec.push("overshoot", over.as_nanos() as f64);
                total += over;
            }
            total
        });
    });
    g.finish();
}

fn main() {
    let rec = Recorder::default();
    let tmp = tempfile::tempdir().unwrap();
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
        .configure_from_args();
    benches(&mut c, &rec, tmp.path());
    report(
        "load from cache",
        rec.median("load"),
        "compile uncached",
        rec.median("compile"),
        Some(Duration::from_millis(1)),
    );
    report(
        "call upper 1 KiB",
        rec.median("call"),
        "native fn",
        rec.median("native"),
        None,
    );
    report(
        "runaway overshoot past deadline",
        rec.median("overshoot"),
        "quick call",
        rec.median("quick"),
        Some(Duration::from_millis(10)),
    );
    println!(
        "RESULT runaway overshoot worst: {}",
        support::human(rec.max("overshoot"))
    );
    c.final_summary();
}
