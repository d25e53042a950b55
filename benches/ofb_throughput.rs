//! OFB write throughput: 8 concurrent clients creating workflows through the Rust adapter
//! (`OfbClient::create_workflow`, one HTTP call each, every write fsynced by OFB before its
//! answer), against a raw SQLite insert baseline measured in the same run: Python's sqlite3 on
//! the same filesystem, WAL with `synchronous=FULL`, one committed insert per write (the least
//! a durable write costs on this machine). Targets: ≥1,000 acknowledged writes/s, p99 ≤20 ms.
//! Measured twice: one OFB process (as Symphony starts it) and `--workers 2`. OFB commits the
//! writes that arrive together in one transaction (group commit), so it may beat the baseline.
//!
//! Needs OFB's venv (`scripts/ofb-venv.sh`). Run: `cargo bench --bench ofb_throughput`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

#[path = "../tests/ofb_support/project.rs"]
mod ofb_project;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use symphony::adapters::ofb::launcher::{LaunchOptions, OfbProcess, venv_python};
use symphony::adapters::ofb::{OfbClient, OfbConfig};
use symphony::ports::data_access::*;

use support::{Stats, Table, Target, Value, bench_mode};

const CLIENTS: usize = 8;
const TARGET_RATE: f64 = 1000.0;
const TARGET_P99: Duration = Duration::from_millis(20);

/// The raw SQLite baseline: prints `rate p50_us p99_us`.
const SQLITE_BASELINE: &str = r#"
import sqlite3, sys, time
path, seconds = sys.argv[1], float(sys.argv[2])
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE w (id INTEGER PRIMARY KEY, spec TEXT, cost REAL, at TEXT)")
spec = '{"name": "bench", "steps": [{"name": "only", "command": "echo"}]}'
lat = []
end = time.perf_counter() + seconds
start = time.perf_counter()
while time.perf_counter() < end:
    t = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO w (spec, cost, at) VALUES (?, ?, ?)", (spec, 1.0, "2025-01-01T00:00:00Z"))
    db.execute("COMMIT")
    lat.append(time.perf_counter() - t)
total = time.perf_counter() - start
lat.sort()
print(len(lat) / total, lat[len(lat) // 2] * 1e6, lat[max(0, int(len(lat) * 0.99) - 1)] * 1e6)
"#;

fn sqlite_baseline(python: &Path, dir: &Path, seconds: f64) -> (f64, Duration, Duration) {
    let out = Command::new(python)
        .args(["-c", SQLITE_BASELINE])
        .arg(dir.join("baseline.db"))
        .arg(seconds.to_string())
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let v: Vec<f64> = text
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    let us = |x: f64| Duration::from_secs_f64(x / 1e6);
    (v[0], us(v[1]), us(v[2]))
}

/// Runs `CLIENTS` writers for `seconds`; returns (acknowledged writes/s, latencies).
async fn writers(admin: &OfbClient, me: UserId, project: ProjectId, seconds: f64) -> (f64, Stats) {
    let request = Arc::new(NewWorkflow {
        spec: WorkflowSpec {
            name: "bench".into(),
            steps: vec![Step {
                name: "only".into(),
                command: "echo".into(),
            }],
        },
        user_id: me,
        project_id: project,
        estimated_cost: 1.0,
    });
    let start = Instant::now();
    let end = start + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (client, request) = (admin.clone(), request.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < end {
                let t = Instant::now();
                client
                    .create_workflow(&request, &IdempotencyKey::generate())
                    .await
                    .expect("OFB acknowledges the write");
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    let elapsed = start.elapsed().as_secs_f64();
    (all.len() as f64 / elapsed, Stats::of(&all))
}

/// Starts an OFB with `workers` processes in a fresh directory and measures it.
fn measure(
    runtime: &tokio::runtime::Runtime,
    python: &Path,
    workers: u16,
    seconds: f64,
) -> (f64, Stats) {
    let dir = tempfile::tempdir().unwrap();
    let mut options = LaunchOptions::new(
        python.to_path_buf(),
        dir.path().join("ofb.db"),
        dir.path().join("ofb.log"),
    );
    options.admin_token_file = Some(dir.path().join("admin.token"));
    options.workers = workers;
    let ofb = OfbProcess::start(&options).expect("OFB starts");
    let token = std::fs::read_to_string(dir.path().join("admin.token")).unwrap();
    let admin = OfbClient::new(OfbConfig::new(ofb.url()))
        .unwrap()
        .with_session(BearerToken(token.trim().to_owned()));
    runtime.block_on(async {
        let (me, project) = ofb_project::project_with_echo(&admin, "bench", 1e12).await;
        // A short warm-up: connections, SQLite's page cache, Python's lazy imports.
        writers(&admin, me, project, seconds / 8.0).await;
        writers(&admin, me, project, seconds).await
    })
}

fn main() {
    let python = venv_python();
    if !python.is_file() {
        eprintln!(
            "error: OFB's Python environment is missing ({}); create it with\n\n    bash scripts/ofb-venv.sh\n",
            python.display()
        );
        std::process::exit(2);
    }
    let seconds = if bench_mode() { 8.0 } else { 0.5 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // One OFB process (as Symphony starts it), then `--workers 2` (one per core here).
    let (rate, stats) = measure(&runtime, &python, 1, seconds);
    stats.line(&format!(
        "OFB create_workflow, {CLIENTS} clients, 1 process"
    ));
    let (rate2, stats2) = measure(&runtime, &python, 2, seconds);
    stats2.line(&format!(
        "OFB create_workflow, {CLIENTS} clients, --workers 2"
    ));
    let dir = tempfile::tempdir().unwrap();
    let (base_rate, base_p50, base_p99) = sqlite_baseline(&python, dir.path(), seconds);
    println!(
        "  raw SQLite insert (WAL, synchronous=FULL): {base_rate:.0}/s, p50 {base_p50:?}, p99 {base_p99:?}"
    );

    let mut table = Table::default();
    for (label, rate, stats) in [("1 process", rate, &stats), ("--workers 2", rate2, &stats2)] {
        table.row(
            &format!("acknowledged writes/s, {CLIENTS} clients, {label}"),
            Value::Rate(rate),
            "raw SQLite insert+commit, 1 writer",
            Value::Rate(base_rate),
            Target::AtLeast(TARGET_RATE),
        );
        table.row(
            &format!("write latency p50, {label}"),
            Value::Time(stats.p50),
            "raw SQLite insert+commit p50",
            Value::Time(base_p50),
            Target::None,
        );
        table.row(
            &format!("write latency p99, {label}"),
            Value::Time(stats.p99),
            "raw SQLite insert+commit p99",
            Value::Time(base_p99),
            Target::AtMost(TARGET_P99),
        );
    }
    table.print("OFB write throughput");
}
