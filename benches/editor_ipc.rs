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

mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::time::{Duration, Instant};

use criterion::Criterion;
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::runtime::Runtime;
use tokio::sync::mpsc::UnboundedReceiver;
use xi_bridge::protocol::{Annotation, CoreNotification, CoreRequest, EditCommand};
use xi_bridge::supervisor::{Command, DocId, Supervisor, SupervisorEvent};
use xi_bridge::{CoreEvent, CoreNotificationFromCore, EditNotification, ViewId, XiClient};

use support::{Stats, Table, Target, Value, count};

/// How long any single wait may take before the benchmark gives up (a failure detector).
const PATIENCE: Duration = Duration::from_secs(20);

/// What is typed, one key per edit: Rust source without indentation (xi keeps the previous
/// line's indentation on its own), so lines stay as short as real ones.
const TYPED: &str = "fn main() {\nlet answer = compute(6, 7);\nprintln!(\"{answer}\");\n}\n\n\
                     fn compute(a: u32, b: u32) -> u32 {\na * b\n}\n\n";

const P50_TARGET: Duration = Duration::from_micros(60);
const P99_TARGET: Duration = Duration::from_micros(200);
const OPS_TARGET: f64 = 20_000.0;

/// The edit for the n-th key, as the UI sends it: a character is an `insert`, Enter is
/// `insert_newline`. (This matters: xi merges consecutive inserts into one undo group and keeps
/// every revision of the groups it has not collected, and only a change of edit type starts a
/// new group. Typing 20,000 characters without a newline makes each edit cost time in
/// proportion to the history — see docs/PERFORMANCE.md.)
fn insert(i: usize) -> EditNotification {
    let bytes = TYPED.as_bytes();
    match bytes[i % bytes.len()] {
        b'\n' => EditNotification::InsertNewline,
        c => EditNotification::Insert {
            chars: (c as char).to_string(),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// The client alone.

struct ClientSession {
    client: XiClient,
    events: UnboundedReceiver<CoreEvent>,
    view: ViewId,
    typed: usize,
    _config: TempDir,
}

impl ClientSession {
    async fn start(program: &Path) -> ClientSession {
        let config = tempfile::tempdir().expect("a temporary directory");
        let no_args: [&str; 0] = [];
        let no_env: [(&str, &str); 0] = [];
        let (client, events) =
            XiClient::spawn(program, no_args, no_env).expect("symphony-xi starts");
        client
            .client_started(Some(config.path()), None)
            .expect("client_started is sent");
        let view = client.new_view(None).await.expect("new_view answers");
        let mut session = ClientSession {
            client,
            events,
            view,
            typed: 0,
            _config: config,
        };
        // xi finishes setting a view up when next idle; editing before its first update
        // trips an assertion in xi. Wait for it.
        session.next_update().await;
        session
    }

    async fn next_update(&mut self) {
        loop {
            match tokio::time::timeout(PATIENCE, self.events.recv()).await {
                Ok(Some(CoreEvent::Notification(CoreNotificationFromCore::Update {
                    view_id,
                    ..
                }))) if view_id == self.view => return,
                Ok(Some(CoreEvent::Eof | CoreEvent::Exited { .. })) | Ok(None) => {
                    panic!("symphony-xi stopped during the benchmark")
                }
                Ok(Some(_)) => {}
                Err(_) => panic!("no update from symphony-xi within {PATIENCE:?}"),
            }
        }
    }

    /// One keystroke and its update.
    async fn round_trip(&mut self) -> Duration {
        let edit = insert(self.typed);
        self.typed += 1;
        let started = Instant::now();
        self.client
            .edit(&self.view, edit)
            .expect("the edit is sent");
        self.next_update().await;
        started.elapsed()
    }

    /// `n` keystrokes back to back, then a request that xi answers only after all of them:
    /// its reply follows every update they caused. Returns the time and the updates seen.
    async fn pipelined(&mut self, n: usize) -> (Duration, usize) {
        let started = Instant::now();
        for _ in 0..n {
            let edit = insert(self.typed);
            self.typed += 1;
            self.client
                .edit(&self.view, edit)
                .expect("the edit is sent");
        }
        let barrier = self
            .client
            .request_in_stream(&CoreRequest::GetConfig {
                view_id: self.view.clone(),
            })
            .expect("the barrier is sent");
        let mut updates = 0;
        loop {
            match tokio::time::timeout(PATIENCE, self.events.recv()).await {
                Ok(Some(CoreEvent::Notification(CoreNotificationFromCore::Update { .. }))) => {
                    updates += 1
                }
                Ok(Some(CoreEvent::Reply { id, .. })) if id == barrier => break,
                Ok(Some(CoreEvent::Eof | CoreEvent::Exited { .. })) | Ok(None) => {
                    panic!("symphony-xi stopped during the benchmark")
                }
                Ok(Some(_)) => {}
                Err(_) => panic!("the pipelined inserts were not all answered in {PATIENCE:?}"),
            }
        }
        (started.elapsed(), updates)
    }
}

// ---------------------------------------------------------------------------------------------
// The supervisor (the UI's path).

struct SupervisorSession {
    supervisor: Supervisor,
    events: UnboundedReceiver<SupervisorEvent>,
    doc: DocId,
    typed: usize,
    /// Where the caret must be once every key sent so far is applied: how an update is matched
    /// to its keystroke. (With the plugin, xi also sends updates that only restyle lines, so
    /// "the next update" is not always the keystroke's.)
    caret: (usize, usize),
    _config: TempDir,
}

impl SupervisorSession {
    /// `plugin`: install the syntect plugin's manifest, as Symphony does at start-up, and type
    /// into a new Rust file rather than a scratch document.
    async fn start(program: &Path, plugin: Option<&Path>) -> SupervisorSession {
        let (config, supervisor, events) = support::start_supervisor(program, plugin).await;
        let doc = DocId(1);
        // With the plugin, a Rust file, so that every keystroke is highlighted too. (It must
        // exist: a missing file opens as a scratch view, without a language.)
        let path = plugin.map(|_| {
            let path = config.path().join("typed.rs");
            std::fs::write(&path, "").expect("the Rust file is created");
            path
        });
        supervisor.send(Command::Open { doc, path });
        let mut session = SupervisorSession {
            supervisor,
            events,
            doc,
            typed: 0,
            caret: (0, 0),
            _config: config,
        };
        session.wait_for_caret().await;
        // Opening ends with a scroll to the whole document, which brings one more update (and
        // with a plugin, its start-up traffic): let it all pass.
        session.drain(Duration::from_millis(300)).await;
        session
    }

    async fn drain(&mut self, quiet: Duration) {
        while let Ok(Some(_)) = tokio::time::timeout(quiet, self.events.recv()).await {}
    }

    /// Handles events until an update shows the caret where the keys sent so far put it.
    /// Returns the number of updates seen.
    async fn wait_for_caret(&mut self) -> usize {
        let (line, col) = self.caret;
        let mut updates = 0;
        loop {
            match tokio::time::timeout(PATIENCE, self.events.recv()).await {
                Ok(Some(SupervisorEvent::Update { doc, update })) if doc == self.doc => {
                    updates += 1;
                    let here = update.annotations.iter().any(|a| {
                        a.kind == Annotation::SELECTION
                            && a.ranges.contains(&[line, col, line, col])
                    });
                    if here {
                        return updates;
                    }
                }
                Ok(Some(SupervisorEvent::CoreDown { reason })) => {
                    panic!("symphony-xi went down during the benchmark: {reason}")
                }
                Ok(Some(_)) => {}
                Ok(None) => panic!("the supervisor stopped"),
                Err(_) => panic!(
                    "no update with the caret at {:?} within {PATIENCE:?}",
                    self.caret
                ),
            }
        }
    }

    fn send_key(&mut self) {
        let edit = insert(self.typed);
        self.caret = match &edit {
            EditNotification::InsertNewline => (self.caret.0 + 1, 0),
            EditNotification::Insert { chars } => (self.caret.0, self.caret.1 + chars.len()),
            _ => unreachable!("only keys are typed"),
        };
        self.typed += 1;
        assert!(
            self.supervisor.send(Command::Edit {
                doc: self.doc,
                edit
            }),
            "the supervisor takes commands"
        );
    }

    async fn round_trip(&mut self) -> Duration {
        let started = Instant::now();
        self.send_key();
        self.wait_for_caret().await;
        started.elapsed()
    }

    /// `n` keystrokes back to back, until the update that shows the last one. Returns the time
    /// and the number of updates.
    async fn pipelined(&mut self, n: usize) -> (Duration, usize) {
        let started = Instant::now();
        for _ in 0..n {
            self.send_key();
        }
        let updates = self.wait_for_caret().await;
        (started.elapsed(), updates)
    }
}

// ---------------------------------------------------------------------------------------------
// The core alone, over blocking std pipes: no tokio, no decoding beyond finding `"update"`.
// Not a baseline to beat but the decomposition: what xi itself costs per keystroke.

struct RawXi {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    view: ViewId,
    typed: usize,
    line: String,
    /// The last `update` line xi sent, for timing the client's decoding of one.
    last_update: String,
    _config: TempDir,
}

impl RawXi {
    fn start(program: &Path) -> RawXi {
        let config = tempfile::tempdir().expect("a temporary directory");
        let mut child = std::process::Command::new(program)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("symphony-xi starts");
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut raw = RawXi {
            child,
            stdin,
            stdout,
            view: ViewId::new(""),
            typed: 0,
            line: String::new(),
            last_update: String::new(),
            _config: config,
        };
        let hello = xi_bridge::encode_notification(&CoreNotification::ClientStarted {
            config_dir: Some(raw._config.path().to_path_buf()),
            client_extras_dir: None,
        })
        .expect("client_started encodes");
        let open = xi_bridge::encode_request(
            xi_bridge::RequestId(0),
            &CoreRequest::NewView { file_path: None },
        )
        .expect("new_view encodes");
        raw.stdin
            .write_all(format!("{hello}{open}").as_bytes())
            .expect("symphony-xi reads");
        loop {
            raw.read_line();
            if raw.line.contains("\"id\":0") {
                let reply: serde_json::Value =
                    serde_json::from_str(&raw.line).expect("the reply is JSON");
                raw.view = ViewId::new(reply["result"].as_str().expect("a view id"));
                break;
            }
        }
        raw.wait_update();
        raw
    }

    fn read_line(&mut self) {
        self.line.clear();
        let n = self
            .stdout
            .read_line(&mut self.line)
            .expect("symphony-xi writes");
        assert!(n > 0, "symphony-xi closed its output");
    }

    fn wait_update(&mut self) {
        loop {
            self.read_line();
            if self.line.contains("\"method\":\"update\"") {
                self.last_update.clone_from(&self.line);
                return;
            }
        }
    }

    fn round_trip(&mut self) -> Duration {
        let edit = xi_bridge::encode_notification(&CoreNotification::Edit(EditCommand::new(
            self.view.clone(),
            insert(self.typed),
        )))
        .expect("an edit encodes");
        self.typed += 1;
        let started = Instant::now();
        self.stdin
            .write_all(edit.as_bytes())
            .expect("symphony-xi reads");
        self.wait_update();
        started.elapsed()
    }
}

impl Drop for RawXi {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// Baselines: a pipe echo through `cat`.

/// The line xi receives for one keystroke, as the client encodes it.
fn edit_line() -> String {
    xi_bridge::encode_notification(&CoreNotification::Edit(EditCommand::new(
        ViewId::new("view-id-1"),
        EditNotification::Insert {
            chars: "a".to_owned(),
        },
    )))
    .expect("an edit encodes")
}

struct StdEcho {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    line: String,
    echoed: String,
}

impl StdEcho {
    fn start(line: &str) -> StdEcho {
        let mut child = std::process::Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("cat starts");
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        StdEcho {
            child,
            stdin,
            stdout,
            line: line.to_owned(),
            echoed: String::new(),
        }
    }

    fn round_trip(&mut self) -> Duration {
        let started = Instant::now();
        self.stdin
            .write_all(self.line.as_bytes())
            .expect("cat reads");
        self.echoed.clear();
        self.stdout.read_line(&mut self.echoed).expect("cat echoes");
        let elapsed = started.elapsed();
        assert_eq!(self.echoed.len(), self.line.len());
        elapsed
    }

    /// `n` lines written by one thread while this one reads them back.
    fn pipelined(&mut self, n: usize) -> Duration {
        let started = Instant::now();
        let (stdin, line) = (&mut self.stdin, &self.line);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                for _ in 0..n {
                    stdin.write_all(line.as_bytes()).expect("cat reads");
                }
            });
            for _ in 0..n {
                self.echoed.clear();
                self.stdout.read_line(&mut self.echoed).expect("cat echoes");
            }
        });
        started.elapsed()
    }
}

impl Drop for StdEcho {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct TokioEcho {
    child: tokio::process::Child,
    stdin: Option<tokio::process::ChildStdin>,
    stdout: tokio::io::BufReader<tokio::process::ChildStdout>,
    line: String,
    echoed: String,
}

impl TokioEcho {
    fn start(line: &str) -> TokioEcho {
        let mut child = tokio::process::Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("cat starts");
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = tokio::io::BufReader::new(child.stdout.take().expect("piped stdout"));
        TokioEcho {
            child,
            stdin: Some(stdin),
            stdout,
            line: line.to_owned(),
            echoed: String::new(),
        }
    }

    async fn round_trip(&mut self) -> Duration {
        let stdin = self.stdin.as_mut().expect("stdin is here between runs");
        let started = Instant::now();
        stdin
            .write_all(self.line.as_bytes())
            .await
            .expect("cat reads");
        stdin.flush().await.expect("cat reads");
        self.echoed.clear();
        self.stdout
            .read_line(&mut self.echoed)
            .await
            .expect("cat echoes");
        let elapsed = started.elapsed();
        assert_eq!(self.echoed.len(), self.line.len());
        elapsed
    }

    /// `n` lines written by a task (a line at a time, as the client's writer does) while this
    /// one reads them back.
    async fn pipelined(&mut self, n: usize) -> Duration {
        let mut stdin = self.stdin.take().expect("stdin is here between runs");
        let line = self.line.clone();
        let started = Instant::now();
        let writer = tokio::spawn(async move {
            for _ in 0..n {
                stdin.write_all(line.as_bytes()).await.expect("cat reads");
                stdin.flush().await.expect("cat reads");
            }
            stdin
        });
        for _ in 0..n {
            self.echoed.clear();
            self.stdout
                .read_line(&mut self.echoed)
                .await
                .expect("cat echoes");
        }
        let elapsed = started.elapsed();
        self.stdin = Some(writer.await.expect("the writer finishes"));
        elapsed
    }
}

// ---------------------------------------------------------------------------------------------

/// Lines in a document after `keys` keys of [`TYPED`].
fn lines_after(keys: usize) -> usize {
    let per_round = TYPED.matches('\n').count();
    keys / TYPED.len() * per_round + 1
}

/// Throughput over `runs` batches of `n`: the median batch's ops/s.
fn median_rate(mut times: Vec<Duration>, n: usize) -> f64 {
    times.sort();
    n as f64 / times[times.len() / 2].as_secs_f64()
}

/// A short warm-up (caches, the scheduler's first wake-ups, xi's first allocations), then `n`
/// samples.
fn sample(n: usize, mut one: impl FnMut() -> Duration) -> Vec<Duration> {
    for _ in 0..n.min(200) {
        one();
    }
    (0..n).map(|_| one()).collect()
}

/// Prints the statistics of `samples` and whether they drifted; returns the statistics.
fn report(what: &str, samples: &[Duration]) -> Stats {
    let stats = Stats::of(samples);
    stats.line(what);
    drift(samples);
    stats
}

/// Whether the latency moved during the run (it would if the core's work grew with its history).
fn drift(samples: &[Duration]) {
    let k = (samples.len() / 5).max(1);
    println!(
        "    (p50 of the first {k}: {}, of the last {k}: {})",
        support::dur(Stats::of(&samples[..k]).p50),
        support::dur(Stats::of(&samples[samples.len() - k..]).p50)
    );
}

/// [`sample`] for an async round trip.
macro_rules! sample_async {
    ($n:expr, $one:expr) => {
        async {
            let n: usize = $n;
            for _ in 0..n.min(200) {
                $one.await;
            }
            let mut samples = Vec::with_capacity(n);
            for _ in 0..n {
                samples.push($one.await);
            }
            samples
        }
    };
}

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
