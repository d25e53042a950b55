//! Editor IPC: one keystroke (`insert`) → its `update`, through the real `symphony-xi`.
//!
//! Measured three ways, each against baselines taken in the same run:
//! - the project's async client (`XiClient`) alone;
//! - the supervisor (`Supervisor`, `Command::Edit` → `SupervisorEvent::Update`), the path the UI
//!   takes, which adds journalling, a barrier request per batch and two more task hops;
//! - the supervisor with the syntect plugin installed, which is how Symphony ships.
//!
//! Baselines: a raw pipe echo through `cat` of a line the size of an edit notification, once
//! with blocking std I/O and once through tokio (the same runtime as the client).
//!
//! Latency: p50/p99 over ≥5,000 sequential round trips, plus criterion's `iter_custom`.
//! Throughput: 20,000 inserts sent back to back, then wait until all their updates arrived.
//! Targets (`../shared/DESIGN.md`): p50 ≤60 µs, p99 ≤200 µs, ≥20,000 ops/s.
//!
//! Run: `cargo build --release --workspace --bins && cargo bench --bench editor_ipc`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "../support/mod.rs"]
mod support;

mod client;
mod echo;
mod keys;
mod raw_xi;
mod sampling;
mod supervisor;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::Criterion;
use tokio::runtime::Runtime;

use client::ClientSession;
use echo::{StdEcho, TokioEcho, edit_line};
use keys::lines_after;
use raw_xi::RawXi;
use sampling::{median_rate, report, sample, sample_async};
use supervisor::SupervisorSession;
use support::{Stats, Table, Target, Value, count};

/// How long any single wait may take before the benchmark gives up (a failure detector).
const PATIENCE: Duration = Duration::from_secs(20);

const P50_TARGET: Duration = Duration::from_micros(60);
const P99_TARGET: Duration = Duration::from_micros(200);
const OPS_TARGET: f64 = 20_000.0;

fn main() {
    let program: PathBuf = support::workspace_binary("symphony-xi", "SYMPHONY_XI_BIN");
    let plugin: PathBuf =
        support::workspace_binary("symphony-xi-syntect", "SYMPHONY_XI_SYNTECT_BIN");
    println!("editor_ipc: core {}", program.display());
    let rt: Runtime = support::app_runtime();
    let samples = count(5_000, 50);
    let plugin_samples = count(1_000, 20);
    let batch = count(20_000, 200);
    let runs = count(3, 1);

    let line = edit_line();
    let mut std_echo = StdEcho::start(&line);
    let mut tokio_echo = rt.block_on(async { TokioEcho::start(&line) });
    let mut raw_xi = RawXi::start(&program);
    let mut client = rt.block_on(ClientSession::start(&program));
    let mut supervised = rt.block_on(SupervisorSession::start(&program, None));
    let mut shipped = rt.block_on(SupervisorSession::start(&program, Some(&plugin)));

    // Latency: one at a time.
    println!("latency of one round trip ({}-byte edit line):", line.len());
    let me = std::process::id();
    let warm = samples.min(200) + samples;
    let std_lat = report(
        "baseline: pipe echo through cat (std, blocking)",
        &sample(samples, || std_echo.round_trip()),
    );
    // The async loops run inside one `block_on`, as the UI's main loop does.
    let cat_pid = tokio_echo.child.id().unwrap_or(0);
    let tokio_lat = support::cpu_per_op(
        "pipe echo (tokio)",
        &[("cat", cat_pid), ("bench process", me)],
        warm,
        || {
            report(
                "baseline: pipe echo through cat (tokio)",
                &rt.block_on(sample_async!(samples, tokio_echo.round_trip())),
            )
        },
    );
    let raw_pid = raw_xi.child.id();
    let raw_lat = support::cpu_per_op("xi alone", &[("xi", raw_pid)], warm, || {
        report(
            "decomposition: xi alone over std pipes",
            &sample(samples, || raw_xi.round_trip()),
        )
    });
    let client_pid = client.client.pid().unwrap_or(0);
    let client_lat = support::cpu_per_op(
        "XiClient",
        &[("xi", client_pid), ("bench process", me)],
        warm,
        || {
            report(
                "XiClient: insert → update",
                &rt.block_on(sample_async!(samples, client.round_trip())),
            )
        },
    );
    let sup_pid = supervised.supervisor.pid();
    let sup_lat = support::cpu_per_op(
        "Supervisor",
        &[("xi", sup_pid), ("bench process", me)],
        warm,
        || {
            report(
                "Supervisor: Command::Edit → SupervisorEvent::Update",
                &rt.block_on(sample_async!(samples, supervised.round_trip())),
            )
        },
    );
    let shipped_lat = report(
        "Supervisor + syntect plugin, Rust file (as shipped)",
        &rt.block_on(sample_async!(plugin_samples, shipped.round_trip())),
    );

    // The client's share, without any I/O: decoding one typical update line.
    let update_line = raw_xi.last_update.clone();
    let decode = Stats::of(&sample(samples, || {
        let started = Instant::now();
        let decoded = xi_bridge::decode(&update_line);
        let elapsed = started.elapsed();
        assert!(decoded.is_ok(), "a real update decodes");
        elapsed
    }));
    decode.line(&format!(
        "decomposition: decode one {}-byte update line",
        update_line.len()
    ));

    // Criterion's own measurement of the same round trips.
    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    {
        let mut group = criterion.benchmark_group("editor_ipc/round_trip");
        group.bench_function("pipe_echo_std", |b| {
            b.iter_custom(|iters| (0..iters).map(|_| std_echo.round_trip()).sum())
        });
        group.bench_function("pipe_echo_tokio", |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        total += tokio_echo.round_trip().await;
                    }
                    total
                })
            })
        });
        group.bench_function("xi_client_insert_to_update", |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        total += client.round_trip().await;
                    }
                    total
                })
            })
        });
        group.bench_function("supervisor_insert_to_update", |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        total += supervised.round_trip().await;
                    }
                    total
                })
            })
        });
        group.finish();
    }
    criterion.final_summary();

    // Throughput: a burst, then wait for all of it.
    println!("throughput, {runs} batches of {batch} back-to-back inserts (median batch):");
    let std_ops = median_rate(
        (0..runs).map(|_| std_echo.pipelined(batch)).collect(),
        batch,
    );
    println!("  baseline: pipe echo (std)      {std_ops:>12.0} ops/s");
    let tokio_ops = median_rate(
        (0..runs)
            .map(|_| rt.block_on(tokio_echo.pipelined(batch)))
            .collect(),
        batch,
    );
    println!("  baseline: pipe echo (tokio)    {tokio_ops:>12.0} ops/s");
    let mut client_times = Vec::new();
    for _ in 0..runs {
        let (time, updates) = rt.block_on(client.pipelined(batch));
        println!(
            "  XiClient batch: {time:?}, {updates} updates for {batch} edits (document now ~{} lines)",
            lines_after(client.typed)
        );
        client_times.push(time);
    }
    let client_ops = median_rate(client_times, batch);
    println!("  XiClient                       {client_ops:>12.0} ops/s");
    let mut sup_times = Vec::new();
    for _ in 0..runs {
        let (time, updates) = rt.block_on(supervised.pipelined(batch));
        println!(
            "  Supervisor batch: {time:?}, {updates} updates for {batch} edits (document now ~{} lines)",
            lines_after(supervised.typed)
        );
        sup_times.push(time);
    }
    let sup_ops = median_rate(sup_times, batch);
    println!("  Supervisor                     {sup_ops:>12.0} ops/s");

    // Latency again, now that the documents are long: xi renders only the client's 10-line
    // window, but the supervisor covers the whole document.
    let big = count(1_000, 20);
    let client_lines = lines_after(client.typed);
    let sup_lines = lines_after(supervised.typed);
    let client_big = report(
        &format!("XiClient, document of ~{client_lines} lines"),
        &rt.block_on(sample_async!(big, client.round_trip())),
    );
    let sup_big = report(
        &format!("Supervisor, document of ~{sup_lines} lines"),
        &rt.block_on(sample_async!(big, supervised.round_trip())),
    );

    let mut table = Table::default();
    let echo = "pipe echo (tokio)";
    let t = Value::Time;
    table.row(
        "XiClient insert→update p50",
        t(client_lat.p50),
        echo,
        t(tokio_lat.p50),
        Target::AtMost(P50_TARGET),
    );
    table.row(
        "XiClient insert→update p99",
        t(client_lat.p99),
        echo,
        t(tokio_lat.p99),
        Target::AtMost(P99_TARGET),
    );
    table.row(
        "XiClient throughput",
        Value::Rate(client_ops),
        echo,
        Value::Rate(tokio_ops),
        Target::AtLeast(OPS_TARGET),
    );
    table.row(
        "Supervisor edit→update p50",
        t(sup_lat.p50),
        echo,
        t(tokio_lat.p50),
        Target::AtMost(P50_TARGET),
    );
    table.row(
        "Supervisor edit→update p99",
        t(sup_lat.p99),
        echo,
        t(tokio_lat.p99),
        Target::AtMost(P99_TARGET),
    );
    table.row(
        "Supervisor throughput",
        Value::Rate(sup_ops),
        echo,
        Value::Rate(tokio_ops),
        Target::AtLeast(OPS_TARGET),
    );
    table.row(
        &format!("XiClient insert→update p50, ~{client_lines}-line document"),
        t(client_big.p50),
        echo,
        t(tokio_lat.p50),
        Target::AtMost(P50_TARGET),
    );
    table.row(
        &format!("Supervisor edit→update p50, ~{sup_lines}-line document"),
        t(sup_big.p50),
        echo,
        t(tokio_lat.p50),
        Target::AtMost(P50_TARGET),
    );
    table.row(
        &format!("Supervisor edit→update p99, ~{sup_lines}-line document"),
        t(sup_big.p99),
        echo,
        t(tokio_lat.p99),
        Target::AtMost(P99_TARGET),
    );
    table.row(
        "Supervisor + syntect plugin p50 (as shipped)",
        t(shipped_lat.p50),
        echo,
        t(tokio_lat.p50),
        Target::AtMost(P50_TARGET),
    );
    table.row(
        "Supervisor + syntect plugin p99 (as shipped)",
        t(shipped_lat.p99),
        echo,
        t(tokio_lat.p99),
        Target::AtMost(P99_TARGET),
    );
    table.row(
        "xi alone over std pipes p50 (decomposition)",
        t(raw_lat.p50),
        "pipe echo (std)",
        t(std_lat.p50),
        Target::None,
    );
    table.row(
        "xi alone over std pipes p99 (decomposition)",
        t(raw_lat.p99),
        "pipe echo (std)",
        t(std_lat.p99),
        Target::None,
    );
    table.row(
        "client decode of one update line p50 (decomposition)",
        t(decode.p50),
        "pipe echo (std)",
        t(std_lat.p50),
        Target::None,
    );
    table.row(
        "pipe echo (std) p50",
        t(std_lat.p50),
        echo,
        t(tokio_lat.p50),
        Target::None,
    );
    table.row(
        "pipe echo (std) p99",
        t(std_lat.p99),
        echo,
        t(tokio_lat.p99),
        Target::None,
    );
    table.row(
        "pipe echo (std) throughput",
        Value::Rate(std_ops),
        echo,
        Value::Rate(tokio_ops),
        Target::None,
    );
    table.print("editor_ipc");

    rt.block_on(async {
        supervised.supervisor.shutdown(Duration::from_secs(2)).await;
        shipped.supervisor.shutdown(Duration::from_secs(2)).await;
    });
    drop(client);
}
