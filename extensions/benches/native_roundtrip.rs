//! A native extension's round trip (core → `symphony-ext-host` → confined guest → back, one
//! `invoke` of `echo` with a 64-byte text), against a raw pipe round trip of one line of the
//! same size through `cat` (the floor any out-of-process call pays); and a native guest
//! spinning forever, killed by the host at a 50 ms deadline (target ≤10 ms late).
//!
//! And what the Pool Manager's warm hosts save a workflow node: one call on a cold host (start
//! `symphony-ext-host`, load the module from its cache or start the confined guest, then the
//! call; the shutdown is not timed) against the same call on a warm host, for the wasm sample
//! Operator (`upper` on 64 bytes) and the native guest (`echo`).
//!
//! Run: `cargo bench -p extensions --bench native_roundtrip`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::hint::black_box;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use criterion::Criterion;
use extensions::protocol::{Artifact, InvokeParams};
use extensions::{CancelToken, ExtensionHost, HostCommand, Manifest};
use support::{Recorder, report};

fn host(tmp: &Path) -> ExtensionHost {
    let ext = tmp.join("ext");
    std::fs::create_dir_all(&ext).unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_symphony-fault-guest"),
        ext.join("guest"),
    )
    .unwrap();
    std::fs::write(
        ext.join("symphony-extension.toml"),
        "id = \"bench.guest\"\nname = \"g\"\nversion = \"1.0.0\"\nauthor = \"b\"\nlicense = \"MIT\"\ntype = \"operator\"\n\
         [[capabilities]]\nmethod = \"echo\"\n[[capabilities]]\nmethod = \"spin\"\n[runtime]\nkind = \"native\"\ncommand = \"./guest\"\n",
    )
    .unwrap();
    ExtensionHost::new(
        Manifest::load(&ext).unwrap(),
        HostCommand {
            program: PathBuf::from(env!("CARGO_BIN_EXE_symphony-ext-host")),
            prefix: Vec::new(),
            extension_dir: ext,
            data_dir: tmp.join("data"),
            project: None,
            granted: None,
        },
    )
}

/// The sample wasm Operator, with its data (and module cache) in `data`.
fn text_ops(data: &Path) -> ExtensionHost {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/text-ops");
    ExtensionHost::new(
        Manifest::load(&dir).unwrap(),
        HostCommand {
            program: PathBuf::from(env!("CARGO_BIN_EXE_symphony-ext-host")),
            prefix: Vec::new(),
            extension_dir: dir,
            data_dir: data.to_path_buf(),
            project: None,
            granted: None,
        },
    )
}

/// Cold (a new host per call) against warm (one host kept), for `make` and `params`.
fn cold_and_warm(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    rec: &Recorder,
    name: &str,
    make: &dyn Fn() -> ExtensionHost,
    params: &InvokeParams,
) {
    let cancel = CancelToken::default();
    g.bench_function(format!("{name}_cold_host_call"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let started = Instant::now();
                let mut h = make();
                black_box(h.invoke_once(params, &mut |_| {}, &cancel).unwrap());
                let took = started.elapsed();
                rec.push(&format!("{name}-cold"), took.as_nanos() as f64);
                total += took;
                drop(h);
            }
            total
        });
    });
    let mut warm = make();
    warm.invoke_once(params, &mut |_| {}, &cancel).unwrap();
    g.bench_function(format!("{name}_warm_host_call (pooled)"), |b| {
        rec.time(&format!("{name}-warm"), b, || {
            black_box(warm.invoke_once(params, &mut |_| {}, &cancel).unwrap());
        });
    });
}

fn pool_benches(c: &mut Criterion, rec: &Recorder, tmp: &Path) {
    let mut g = c.benchmark_group("pool");
    g.sample_size(10);
    let upper = InvokeParams {
        method: "upper".into(),
        inputs: vec![Artifact {
            name: "text".into(),
            media_type: "text/plain".into(),
            text: "x".repeat(64),
        }],
        params: serde_json::json!({}),
        deadline_ms: None,
    };
    let data = tmp.join("text-ops-data");
    cold_and_warm(&mut g, rec, "wasm", &|| text_ops(&data), &upper);
    let echo = InvokeParams {
        method: "echo".into(),
        ..upper.clone()
    };
    let native_dir = tmp.join("native-pool");
    host(&native_dir);
    cold_and_warm(&mut g, rec, "native", &|| reuse(&native_dir), &echo);
    g.finish();
}

/// A new host of the native guest set up by [`host`] in `tmp`.
fn reuse(tmp: &Path) -> ExtensionHost {
    let ext = tmp.join("ext");
    ExtensionHost::new(
        Manifest::load(&ext).unwrap(),
        HostCommand {
            program: PathBuf::from(env!("CARGO_BIN_EXE_symphony-ext-host")),
            prefix: Vec::new(),
            extension_dir: ext,
            data_dir: tmp.join("data"),
            project: None,
            granted: None,
        },
    )
}

fn benches(c: &mut Criterion, rec: &Recorder, tmp: &Path) {
    let text = "x".repeat(64);
    let mut cat = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut cat_in = cat.stdin.take().unwrap();
    let mut cat_out = BufReader::new(cat.stdout.take().unwrap());
    let line = format!("{text}\n");
    let mut g = c.benchmark_group("native");
    g.bench_function("raw_pipe_cat (baseline)", |b| {
        let mut buf = String::new();
        rec.time("pipe", b, || {
            cat_in.write_all(line.as_bytes()).unwrap();
            cat_in.flush().unwrap();
            buf.clear();
            cat_out.read_line(&mut buf).unwrap();
            black_box(&buf);
        });
    });
    let mut h = host(tmp);
    let params = InvokeParams {
        method: "echo".into(),
        inputs: vec![Artifact {
            name: "text".into(),
            media_type: "text/plain".into(),
            text: text.clone(),
        }],
        params: serde_json::json!({}),
        deadline_ms: None,
    };
    let cancel = CancelToken::default();
    h.invoke(&params, &mut |_| {}, &cancel).unwrap();
    g.bench_function("invoke_echo", |b| {
        rec.time("invoke", b, || {
            black_box(h.invoke(&params, &mut |_| {}, &cancel).unwrap());
        });
    });
    let spin = InvokeParams {
        method: "spin".into(),
        inputs: vec![],
        params: serde_json::json!({}),
        deadline_ms: Some(50),
    };
    g.sample_size(10);
    g.bench_function("runaway_killed_overshoot", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let started = Instant::now();
                h.invoke_once(&spin, &mut |_| {}, &cancel)
                    .expect_err("killed");
                let over = started.elapsed().saturating_sub(Duration::from_millis(50));
                rec.push("overshoot", over.as_nanos() as f64);
                total += over;
            }
            total
        });
    });
    g.finish();
    drop(cat_in);
    let _ = cat.wait();
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
    pool_benches(&mut c, &rec, tmp.path());
    report(
        "native invoke round trip",
        rec.median("invoke"),
        "raw pipe",
        rec.median("pipe"),
        None,
    );
    report(
        "native runaway killed past deadline",
        rec.median("overshoot"),
        "raw pipe",
        rec.median("pipe"),
        Some(Duration::from_millis(10)),
    );
    for kind in ["wasm", "native"] {
        report(
            &format!("{kind} call on a cold host (what a pooled warm host saves)"),
            rec.median(&format!("{kind}-cold")),
            "the same call on a warm host",
            rec.median(&format!("{kind}-warm")),
            None,
        );
    }
    c.final_summary();
}
