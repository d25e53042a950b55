//! Crash → restored: the supervisor notices a dead `symphony-xi`, starts a new one and puts
//! back every open document (text, unsaved changes, cursor).
//!
//! Each sample sends `Command::KillCore` (SIGKILL through the client's process watcher, so the
//! core dies exactly as with `kill -9`) and waits for `SupervisorEvent::Restored`. Reported:
//! the supervisor's own `elapsed` (from noticing the death to the last document restored) and
//! the wall time from the kill command to the `Restored` event, for
//! - one small file with an unsaved edit,
//! - one scratch document holding 2,000 lines of unsaved text,
//! - five documents (that one among them),
//! - five documents with the syntect plugin installed, as Symphony ships.
//!
//! Baseline, same run: a cold start of `symphony-xi` until its first view's first update —
//! the floor that a restart cannot beat, since it has to do exactly that. Target ≤50 ms.
//!
//! Run: `cargo build --release --workspace --bins && cargo bench --bench restore`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode};
use tempfile::TempDir;
use tokio::sync::mpsc::UnboundedReceiver;
use xi_bridge::supervisor::{Command, DocId, Supervisor, SupervisorEvent};
use xi_bridge::{CoreEvent, CoreNotificationFromCore, EditNotification, LineCache, XiClient};

use support::{Stats, Table, Target, Value, count};

const PATIENCE: Duration = Duration::from_secs(20);
const TARGET: Duration = Duration::from_millis(50);
const BIG_LINES: usize = 2_000;

/// 2,000 lines of plausible source text.
fn big_text() -> String {
    let mut text = String::new();
    for i in 0..BIG_LINES {
        let _ = writeln!(
            text,
            "    let value_{i} = compute({i}, \"item {i}\").unwrap_or_default(); // step {i}"
        );
    }
    text
}

/// The documents of a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Docs {
    /// One small file with an unsaved edit.
    OneSmall,
    /// One scratch document with 2,000 lines of unsaved text.
    OneBig,
    /// Five: the big scratch, a small scratch, two files (one edited) and a pristine file.
    Five,
}

/// How complete the documents were when `Restored` arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Every document had all its text.
    Complete,
    /// Some text was missing from the restored documents but came in later updates.
    Late,
    /// Some text never came back within 2 s: a lost edit.
    Lost,
}

/// A supervisor and what the UI would hold: a line cache per document.
struct Session {
    supervisor: Supervisor,
    events: UnboundedReceiver<SupervisorEvent>,
    caches: HashMap<DocId, LineCache>,
    /// The line count each document must have after a restore.
    heights: HashMap<DocId, usize>,
    _config: TempDir,
    _files: TempDir,
}

impl Session {
    async fn start(program: &Path, plugin: Option<&Path>, docs: Docs) -> Session {
        let (config, supervisor, events) = support::start_supervisor(program, plugin).await;
        let files = tempfile::tempdir().expect("a temporary directory");
        let mut session = Session {
            supervisor,
            events,
            caches: HashMap::new(),
            heights: HashMap::new(),
            _config: config,
            _files: files,
        };
        let small_file = |name: &str| {
            let path = session._files.path().join(name);
            let text: String = (0..40).map(|i| format!("line {i} of {name}\n")).collect();
            std::fs::write(&path, text).expect("a test file is written");
            path
        };
        // (document, file, text to type into it, lines afterwards)
        let mut plan: Vec<(DocId, Option<PathBuf>, Option<String>, usize)> = Vec::new();
        match docs {
            Docs::OneSmall => plan.push((
                DocId(1),
                Some(small_file("a.rs")),
                Some("// edited\n".into()),
                42,
            )),
            Docs::OneBig => plan.push((DocId(1), None, Some(big_text()), BIG_LINES + 1)),
            Docs::Five => {
                plan.push((DocId(1), None, Some(big_text()), BIG_LINES + 1));
                plan.push((DocId(2), None, Some("scratch notes\n".into()), 2));
                plan.push((
                    DocId(3),
                    Some(small_file("b.rs")),
                    Some("// edited\n".into()),
                    42,
                ));
                plan.push((DocId(4), Some(small_file("c.toml")), None, 41));
                plan.push((DocId(5), Some(small_file("d.md")), None, 41));
            }
        }
        for (doc, path, text, height) in plan {
            session.supervisor.send(Command::Open { doc, path });
            if let Some(chars) = text {
                session.supervisor.send(Command::Edit {
                    doc,
                    edit: EditNotification::Insert { chars },
                });
            }
            session.heights.insert(doc, height);
        }
        session.wait_for_texts().await;
        session
    }

    fn handle(&mut self, event: SupervisorEvent) -> Option<(Duration, String)> {
        match event {
            SupervisorEvent::Update { doc, update } => {
                self.caches
                    .entry(doc)
                    .or_default()
                    .apply(&update)
                    .expect("the supervisor sends valid updates");
                None
            }
            SupervisorEvent::Restored { elapsed, reason } => Some((elapsed, reason)),
            SupervisorEvent::OpenFailed { message, .. } => panic!("open failed: {message}"),
            _ => None,
        }
    }

    fn texts_complete(&self) -> bool {
        self.heights.iter().all(|(doc, &height)| {
            self.caches
                .get(doc)
                .is_some_and(|c| c.height() == height && c.invalid_count() == 0)
        })
    }

    async fn wait_for_texts(&mut self) {
        let deadline = Instant::now() + PATIENCE;
        while !self.texts_complete() {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.events.recv()).await {
                Ok(Some(event)) => {
                    self.handle(event);
                }
                Ok(None) => panic!("the supervisor stopped"),
                Err(_) => panic!(
                    "the documents did not reach their expected heights {:?}: {:?}",
                    self.heights,
                    self.caches
                        .iter()
                        .map(|(d, c)| (d, c.height()))
                        .collect::<Vec<_>>()
                ),
            }
        }
        // Let the barrier confirm the edits and the core go idle (with a plugin: let it
        // finish highlighting), so that every sample starts from the same state.
        while let Ok(Some(event)) =
            tokio::time::timeout(Duration::from_millis(150), self.events.recv()).await
        {
            self.handle(event);
        }
    }

    /// Kill the core, wait until restored. Returns the supervisor's `elapsed`, the wall time,
    /// and whether every document was complete when `Restored` came.
    async fn crash_and_restore(&mut self) -> (Duration, Duration, Outcome) {
        let started = Instant::now();
        assert!(
            self.supervisor.send(Command::KillCore),
            "the supervisor takes commands"
        );
        let elapsed = loop {
            match tokio::time::timeout(PATIENCE, self.events.recv()).await {
                Ok(Some(event)) => {
                    if let Some((elapsed, _)) = self.handle(event) {
                        break elapsed;
                    }
                }
                Ok(None) => panic!("the supervisor stopped"),
                Err(_) => panic!("no Restored within {PATIENCE:?}"),
            }
        };
        let wall = started.elapsed();
        // Not timed: everything must be back (the full updates come before `Restored`).
        if !self.texts_complete() {
            let mut heights: Vec<_> = self.caches.iter().map(|(d, c)| (d.0, c.height())).collect();
            heights.sort();
            let mut want: Vec<_> = self.heights.iter().map(|(d, h)| (d.0, *h)).collect();
            want.sort();
            // Either the text comes later (the `Restored` snapshot was stale) or it is lost.
            let deadline = Instant::now() + Duration::from_secs(2);
            while !self.texts_complete() && Instant::now() < deadline {
                if let Ok(Some(event)) =
                    tokio::time::timeout(Duration::from_millis(50), self.events.recv()).await
                {
                    self.handle(event);
                }
            }
            let outcome = if self.texts_complete() {
                self.wait_for_texts().await;
                Outcome::Late
            } else {
                Outcome::Lost
            };
            println!(
                "  incomplete at Restored ({outcome:?}): (doc, lines) {heights:?}, expected {want:?}"
            );
            return (elapsed, wall, outcome);
        }
        self.wait_for_texts().await;
        (elapsed, wall, Outcome::Complete)
    }
}

/// The baseline: spawn `symphony-xi`, introduce ourselves, open a scratch view and wait for
/// its first update.
async fn cold_start(program: &Path, config: &Path) -> Duration {
    let started = Instant::now();
    let no_args: [&str; 0] = [];
    let no_env: [(&str, &str); 0] = [];
    let (client, mut events) =
        XiClient::spawn(program, no_args, no_env).expect("symphony-xi starts");
    client
        .client_started(Some(config), None)
        .expect("client_started is sent");
    let view = client.new_view(None).await.expect("new_view answers");
    loop {
        match tokio::time::timeout(PATIENCE, events.recv()).await {
            Ok(Some(CoreEvent::Notification(CoreNotificationFromCore::Update {
                view_id, ..
            }))) if view_id == view => break,
            Ok(Some(CoreEvent::Eof | CoreEvent::Exited { .. })) | Ok(None) => {
                panic!("symphony-xi stopped before its first update")
            }
            Ok(Some(_)) => {}
            Err(_) => panic!("no first update within {PATIENCE:?}"),
        }
    }
    let elapsed = started.elapsed();
    client.kill();
    elapsed
}

fn main() {
    let program = support::workspace_binary("symphony-xi", "SYMPHONY_XI_BIN");
    let plugin = support::workspace_binary("symphony-xi-syntect", "SYMPHONY_XI_SYNTECT_BIN");
    println!("restore: core {}", program.display());
    let rt = support::app_runtime();
    let n = count(40, 2);
    let baseline_dir = tempfile::tempdir().expect("a temporary directory");

    let cold: Vec<Duration> = rt.block_on(async {
        let mut v = Vec::new();
        for _ in 0..n + 3 {
            v.push(cold_start(&program, baseline_dir.path()).await);
        }
        v.split_off(3)
    });
    let cold = Stats::of(&cold);
    println!("times (n={n} each, after warm-up):");
    cold.line("baseline: cold start → first update");
    // The same with the syntax plugin installed: xi starts it with every core.
    let plugin_dir = tempfile::tempdir().expect("a temporary directory");
    xi_bridge::syntect_plugin::install_manifest(&plugin_dir.path().join("plugins"), &plugin)
        .expect("the plugin manifest is written");
    let cold_plugin: Vec<Duration> = rt.block_on(async {
        let mut v = Vec::new();
        for _ in 0..count(15, 1) {
            // The plugin of the core just killed goes on loading its syntaxes (~150 ms of
            // CPU) until it reads the end of its input: let it finish, as a restore would.
            tokio::time::sleep(Duration::from_millis(300)).await;
            v.push(cold_start(&program, plugin_dir.path()).await);
        }
        v
    });
    let cold_plugin = Stats::of(&cold_plugin);
    cold_plugin.line("baseline: cold start with the plugin → first update");

    let scenarios: [(&str, Docs, bool); 6] = [
        (
            "1 document (small file, unsaved edit)",
            Docs::OneSmall,
            false,
        ),
        ("1 document (2,000 unsaved lines)", Docs::OneBig, false),
        (
            "5 documents (one of 2,000 unsaved lines)",
            Docs::Five,
            false,
        ),
        (
            "1 document (small file), syntect plugin",
            Docs::OneSmall,
            true,
        ),
        (
            "1 document (2,000 unsaved lines), syntect plugin",
            Docs::OneBig,
            true,
        ),
        ("5 documents, syntect plugin (as shipped)", Docs::Five, true),
    ];
    let mut results = Vec::new();
    for (name, docs, with_plugin) in scenarios {
        let (elapsed, wall, lost) = rt.block_on(async {
            let plugin = with_plugin.then_some(plugin.as_path());
            let mut session = Session::start(&program, plugin, docs).await;
            let mut elapsed = Vec::new();
            let mut wall = Vec::new();
            let (mut late, mut lost) = (0, 0);
            for i in 0..=n {
                let (e, w, outcome) = session.crash_and_restore().await;
                late += usize::from(outcome == Outcome::Late);
                if outcome == Outcome::Lost {
                    // Counted, then the scenario starts again from known documents.
                    lost += 1;
                    session.supervisor.shutdown(Duration::from_secs(2)).await;
                    session = Session::start(&program, plugin, docs).await;
                }
                if i > 0 {
                    // The first restore is a warm-up.
                    elapsed.push(e);
                    wall.push(w);
                }
            }
            session.supervisor.shutdown(Duration::from_secs(2)).await;
            (Stats::of(&elapsed), Stats::of(&wall), (late, lost))
        });
        println!(
            "  {name}: of {} restores, {} were incomplete at `Restored` but completed later, \
             {} lost text",
            n + 1,
            lost.0,
            lost.1
        );
        elapsed.line(&format!("{name}: elapsed"));
        wall.line(&format!("{name}: wall, kill → Restored"));
        results.push((name, elapsed, wall, lost));
    }

    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    {
        let mut group = criterion.benchmark_group("restore");
        group.sampling_mode(SamplingMode::Flat);
        group.bench_function("baseline_cold_start", |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        total += cold_start(&program, baseline_dir.path()).await;
                    }
                    total
                })
            })
        });
        for (id, docs) in [
            ("kill_to_restored_1_doc", Docs::OneSmall),
            ("kill_to_restored_5_docs", Docs::Five),
        ] {
            let mut session = rt.block_on(Session::start(&program, None, docs));
            group.bench_function(id, |b| {
                b.iter_custom(|iters| {
                    rt.block_on(async {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            total += session.crash_and_restore().await.1;
                        }
                        total
                    })
                })
            });
            rt.block_on(session.supervisor.shutdown(Duration::from_secs(2)));
        }
        group.finish();
    }
    criterion.final_summary();

    let mut table = Table::default();
    let mut lost_rows = Vec::new();
    for (i, (name, elapsed, wall, lost)) in results.iter().enumerate() {
        let (base, cold) = if scenarios[i].2 {
            ("cold start with plugin → first update", &cold_plugin)
        } else {
            ("cold start → first update", &cold)
        };
        lost_rows.push(format!("| {name} | {} | {} | {} |", n + 1, lost.0, lost.1));
        table.row(
            &format!("{name}: `elapsed` p50"),
            Value::Time(elapsed.p50),
            base,
            Value::Time(cold.p50),
            Target::AtMost(TARGET),
        );
        table.row(
            &format!("{name}: wall kill→Restored p50"),
            Value::Time(wall.p50),
            base,
            Value::Time(cold.p50),
            Target::AtMost(TARGET),
        );
        table.row(
            &format!("{name}: wall kill→Restored p99"),
            Value::Time(wall.p99),
            base,
            Value::Time(cold.p99),
            Target::AtMost(TARGET),
        );
    }
    table.print("restore");
    println!();
    println!(
        "| scenario | restores | incomplete at `Restored`, complete later | lost text (target: 0) |"
    );
    println!("|---|---:|---:|---:|");
    for row in lost_rows {
        println!("{row}");
    }
}
