//! What the benchmarks share: finding the release binaries, percentiles, and the results table
//! (measured, baseline, ratio, target, met) that each benchmark prints at its end.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

/// True under `cargo bench` (criterion's benchmark mode); false under `cargo test --benches`,
/// where every measurement shrinks to a smoke run that only proves the code works.
pub fn bench_mode() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test")
}

/// `full` under `cargo bench`, `smoke` otherwise.
pub fn count(full: usize, smoke: usize) -> usize {
    if bench_mode() { full } else { smoke }
}

/// A binary of the workspace: `$env_var`, else next to this benchmark's target directory
/// (`target/release/deps/<bench>` → `target/release/<name>`), else `target/release/<name>`
/// under the workspace. Exits with instructions when it is missing.
pub fn workspace_binary(name: &str, env_var: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(env_var).map(PathBuf::from) {
        if path.is_file() {
            return path;
        }
        fail(&format!(
            "{env_var}={} is not a file; unset it or point it at a built {name}",
            path.display()
        ));
    }
    let mut looked = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1).take(2) {
            looked.push(dir.join(name));
        }
    }
    looked.push(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target")
            .join("release")
            .join(name),
    );
    if let Some(found) = looked.iter().find(|p| p.is_file()) {
        return found.clone();
    }
    fail(&format!(
        "{name} was not found (looked at {}). Build it first with\n\n    \
         cargo build --release --workspace --bins\n\nor set {env_var} to its path.",
        looked
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(2)
}

/// The tokio runtime the application uses: one thread (see `ui::runtime`).
pub fn app_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
}

/// Order statistics of a set of samples.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    /// Number of samples.
    pub n: usize,
    /// Fastest.
    pub min: Duration,
    /// Median.
    pub p50: Duration,
    /// 99th percentile (nearest rank).
    pub p99: Duration,
    /// Slowest.
    pub max: Duration,
    /// Mean.
    pub mean: Duration,
}

impl Stats {
    /// The statistics of `samples` (which must not be empty).
    pub fn of(samples: &[Duration]) -> Stats {
        assert!(!samples.is_empty(), "no samples");
        let mut sorted = samples.to_vec();
        sorted.sort();
        let rank = |p: f64| {
            let i = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
            sorted[i.clamp(1, sorted.len()) - 1]
        };
        let total: Duration = sorted.iter().sum();
        Stats {
            n: sorted.len(),
            min: sorted[0],
            p50: rank(50.0),
            p99: rank(99.0),
            max: sorted[sorted.len() - 1],
            mean: total / sorted.len() as u32,
        }
    }

    /// One line for the log.
    pub fn line(&self, what: &str) {
        println!(
            "  {what:<52} n={:<6} min {:>9}  p50 {:>9}  p99 {:>9}  max {:>9}  mean {:>9}",
            self.n,
            dur(self.min),
            dur(self.p50),
            dur(self.p99),
            dur(self.max),
            dur(self.mean),
        );
    }
}

/// A duration for people: ns below 1 µs, µs below 10 ms, ms above.
pub fn dur(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1.0 {
        format!("{:.1} ns", us * 1000.0)
    } else if us < 10_000.0 {
        format!("{us:.1} µs")
    } else {
        format!("{:.2} ms", us / 1000.0)
    }
}

/// Operations per second.
pub fn rate(ops: f64) -> String {
    format!("{ops:.0} ops/s")
}

/// A plain number: whole when it is one, else three decimals.
pub fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
    }
}

/// A target: a bound on a number, lower or higher being better.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// At most this long.
    AtMost(Duration),
    /// At least this many per second.
    AtLeast(f64),
    /// A plain number ([`Value::Number`]) of at least this.
    NumberAtLeast(f64),
    /// The ratio column (measured / baseline) at most this.
    RatioAtMost(f64),
    /// Informative: no target applies.
    None,
}

/// A measured value: a duration or a rate.
#[derive(Debug, Clone, Copy)]
pub enum Value {
    /// A time; lower is better.
    Time(Duration),
    /// Operations per second; higher is better.
    Rate(f64),
    /// A plain number: a count, or a ratio of two times.
    Number(f64),
}

impl Value {
    fn show(self) -> String {
        match self {
            Value::Time(d) => dur(d),
            Value::Rate(r) => rate(r),
            Value::Number(x) => number(x),
        }
    }

    fn number(self) -> f64 {
        match self {
            Value::Time(d) => d.as_secs_f64(),
            Value::Rate(r) | Value::Number(r) => r,
        }
    }
}

/// One row of the results table.
#[derive(Debug, Clone)]
pub struct Row {
    metric: String,
    measured: Value,
    baseline_name: String,
    baseline: Value,
    target: Target,
}

/// The results table of one benchmark, printed at its end.
#[derive(Debug, Default)]
pub struct Table {
    rows: Vec<Row>,
}

impl Table {
    /// Adds a row: `measured` against `baseline` (named), with its target.
    pub fn row(
        &mut self,
        metric: &str,
        measured: Value,
        baseline_name: &str,
        baseline: Value,
        target: Target,
    ) {
        self.rows.push(Row {
            metric: metric.to_owned(),
            measured,
            baseline_name: baseline_name.to_owned(),
            baseline,
            target,
        });
    }

    /// Prints the table as Markdown (so it can go straight into docs/PERFORMANCE.md).
    pub fn print(&self, title: &str) {
        println!();
        println!("## {title}");
        println!();
        if !bench_mode() {
            println!("(smoke run under `cargo test`: numbers below are not measurements)");
        }
        println!(
            "| metric | measured | baseline | baseline value | ratio (measured / baseline) | target | met |"
        );
        println!("|---|---:|---|---:|---:|---:|---|");
        for row in &self.rows {
            let ratio = row.measured.number() / row.baseline.number();
            let (target, met) = match row.target {
                Target::AtMost(limit) => (
                    format!("≤ {}", dur(limit)),
                    met(matches!(row.measured, Value::Time(d) if d <= limit)),
                ),
                Target::AtLeast(floor) => (
                    format!("≥ {}", rate(floor)),
                    met(matches!(row.measured, Value::Rate(r) if r >= floor)),
                ),
                Target::NumberAtLeast(floor) => (
                    format!("≥ {}", number(floor)),
                    met(matches!(row.measured, Value::Number(x) if x >= floor)),
                ),
                Target::RatioAtMost(limit) => (format!("ratio ≤ {limit:.2}×"), met(ratio <= limit)),
                Target::None => ("—".to_owned(), "informative".to_owned()),
            };
            // Ratio targets sit close to 1: show the digit that decides them.
            let digits = if matches!(row.target, Target::RatioAtMost(_)) {
                3
            } else {
                2
            };
            println!(
                "| {} | {} | {} | {} | {ratio:.digits$}× | {target} | {met} |",
                row.metric,
                row.measured.show(),
                row.baseline_name,
                row.baseline.show(),
            );
        }
        println!();
        println!("machine: {}", machine());
    }
}

fn met(yes: bool) -> String {
    if yes { "yes" } else { "**NO**" }.to_owned()
}

/// Cores and kernel, for the record.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "unknown kernel".to_owned());
    format!("{cores} cores, Linux {kernel}")
}

/// CPU time a process has used so far, all its live threads together (from
/// `/proc/PID/task/*/schedstat`, nanosecond resolution). `None` where that is unavailable.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let mut total = 0u64;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(total))
}

/// CPU used per operation by `pids` while `work` ran `ops` operations, printed as one line.
pub fn cpu_per_op<T>(what: &str, pids: &[(&str, u32)], ops: usize, work: impl FnOnce() -> T) -> T {
    let before: Vec<Option<Duration>> = pids.iter().map(|(_, pid)| cpu_time(*pid)).collect();
    let out = work();
    let parts: Vec<String> = pids
        .iter()
        .zip(before)
        .filter_map(|((name, pid), before)| {
            let used = cpu_time(*pid)?.checked_sub(before?)?;
            Some(format!("{name} {}", dur(used / ops.max(1) as u32)))
        })
        .collect();
    println!("    CPU per op during {what}: {}", parts.join(", "));
    out
}

/// A supervisor over `program` with a temporary config directory, the syntect plugin's manifest
/// installed there when `plugin` is given (as Symphony does at start-up). Keep the directory.
pub async fn start_supervisor(
    program: &Path,
    plugin: Option<&Path>,
) -> (
    tempfile::TempDir,
    xi_bridge::supervisor::Supervisor,
    tokio::sync::mpsc::UnboundedReceiver<xi_bridge::supervisor::SupervisorEvent>,
) {
    let config = tempfile::tempdir().expect("a temporary directory");
    if let Some(plugin) = plugin {
        xi_bridge::syntect_plugin::install_manifest(&config.path().join("plugins"), plugin)
            .expect("the plugin manifest is written");
    }
    let (supervisor, events) =
        xi_bridge::supervisor::Supervisor::start(xi_bridge::supervisor::SupervisorConfig::new(
            program.to_path_buf(),
            config.path().to_path_buf(),
        ))
        .await
        .expect("the supervisor starts");
    (config, supervisor, events)
}

/// splitmix64: a tiny deterministic generator, so that every run of a benchmark measures the
/// same data (and `benches/dask_noop.py` can draw the same graph).
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// An index in `0..n`.
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }
}
