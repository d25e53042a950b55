//! Fault test: kill -9 the real `symphony-xi` 20 times at random moments during a stream of
//! edits. After each kill the supervisor must restore every document so that the text equals
//! what was typed — nothing lost, nothing applied twice. Restore times are printed (timings are
//! measured in `benches/`, never asserted here).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedReceiver;
use xi_bridge::LineCache;
use xi_bridge::protocol::EditNotification;
use xi_bridge::supervisor::{Command, DocId, Supervisor, SupervisorConfig, SupervisorEvent};

const CORE: &str = env!("CARGO_BIN_EXE_symphony-xi");
const PATIENCE: Duration = Duration::from_secs(15);

/// A small deterministic generator, so a failure can be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// What the UI would see: one line cache per document, fed by the supervisor's events.
struct Frontend {
    events: UnboundedReceiver<SupervisorEvent>,
    caches: std::collections::HashMap<DocId, LineCache>,
    restores: Vec<Duration>,
    downs: usize,
}

impl Frontend {
    fn handle(&mut self, event: SupervisorEvent) {
        match event {
            SupervisorEvent::Update { doc, update } => {
                self.caches
                    .entry(doc)
                    .or_default()
                    .apply(&update)
                    .expect("a valid update");
            }
            SupervisorEvent::Restored { elapsed, reason } => {
                if elapsed > Duration::from_millis(500) {
                    println!("slow restore ({elapsed:?}) after: {reason}");
                }
                self.restores.push(elapsed);
            }
            SupervisorEvent::CoreDown { .. } => self.downs += 1,
            _ => {}
        }
    }

    async fn wait_until(&mut self, what: &str, done: impl Fn(&Frontend) -> bool) {
        let deadline = Instant::now() + PATIENCE;
        while !done(self) {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.events.recv()).await {
                Ok(Some(event)) => self.handle(event),
                Ok(None) => panic!("the supervisor ended while waiting for {what}"),
                Err(_) => panic!(
                    "timed out waiting for {what}; the documents are {:?}",
                    self.caches
                        .iter()
                        .map(|(d, c)| (d, c.text()))
                        .collect::<Vec<_>>()
                ),
            }
        }
    }

    fn text(&self, doc: DocId) -> Option<String> {
        self.caches.get(&doc).and_then(LineCache::text)
    }
}

fn kill_9(pid: u32) {
    let status = std::process::Command::new("kill")
        .arg("-9")
        .arg(pid.to_string())
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -9 {pid}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_kills_lose_no_edit() {
    twenty_kills(false).await;
}

/// With the syntax plugin attached xi delays its renders; the barrier must still follow them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_kills_lose_no_edit_with_the_syntax_plugin() {
    twenty_kills(true).await;
}

async fn twenty_kills(with_plugin: bool) {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let config_dir = tempfile::tempdir().unwrap();
    if with_plugin {
        let plugin = PathBuf::from(env!("CARGO_BIN_EXE_symphony-xi-syntect"));
        xi_bridge::syntect_plugin::install_manifest(&config_dir.path().join("plugins"), &plugin)
            .unwrap();
    }
    let files = tempfile::tempdir().unwrap();
    let file: PathBuf = files
        .path()
        .join(if with_plugin { "kept.rs" } else { "kept.txt" });
    std::fs::write(&file, "on disk\n").unwrap();
    let mut config = SupervisorConfig::new(PathBuf::from(CORE), config_dir.path().to_path_buf());
    config.hang_timeout = Duration::from_secs(3);
    let (supervisor, events) = Supervisor::start(config).await.unwrap();
    let mut ui = Frontend {
        events,
        caches: Default::default(),
        restores: Vec::new(),
        downs: 0,
    };
    let scratch = DocId(1);
    let backed = DocId(2);
    supervisor.send(Command::Open {
        doc: scratch,
        path: None,
    });
    supervisor.send(Command::Open {
        doc: backed,
        path: Some(file.clone()),
    });
    ui.wait_until("both documents", |ui| {
        ui.text(scratch).is_some() && ui.text(backed).is_some()
    })
    .await;

    let mut rng = Rng(0x5eed_1234_abcd_0042);
    let mut typed = String::new();
    let mut backed_text = String::from("on disk\n");
    let insert = |doc, chars: &str| Command::Edit {
        doc,
        edit: EditNotification::Insert {
            chars: chars.to_owned(),
        },
    };
    for round in 0..20 {
        let edits = 20 + rng.below(40);
        let kill_at = rng.below(edits);
        for i in 0..edits {
            if i == kill_at {
                // Sometimes let the core catch up first, sometimes kill it mid-stream.
                if rng.below(2) == 0 {
                    tokio::time::sleep(Duration::from_millis(rng.below(5))).await;
                }
                let pid = supervisor.pid();
                if pid != 0 {
                    kill_9(pid);
                }
            }
            let c = match rng.below(12) {
                0 => "\n".to_owned(),
                1 => "é".to_owned(),
                _ => ((b'a' + rng.below(26) as u8) as char).to_string(),
            };
            typed.push_str(&c);
            supervisor.send(insert(scratch, &c));
        }
        // The file-backed document gets edits too, at its end.
        supervisor.send(Command::Edit {
            doc: backed,
            edit: EditNotification::MoveToEndOfDocument,
        });
        let line = format!("round {round}\n");
        backed_text.push_str(&line);
        supervisor.send(insert(backed, &line));
        let want_restores = round + 1;
        ui.wait_until(&format!("restore {want_restores}"), |ui| {
            ui.restores.len() >= want_restores
        })
        .await;
        let (want, want_backed) = (typed.clone(), backed_text.clone());
        ui.wait_until(
            &format!("round {round}'s text {want:?} and {want_backed:?}"),
            |ui| {
                ui.text(scratch).as_deref() == Some(want.as_str())
                    && ui.text(backed).as_deref() == Some(want_backed.as_str())
            },
        )
        .await;
    }
    // The restored file-backed document still saves to its file.
    supervisor.send(Command::Save {
        doc: backed,
        path: file.clone(),
    });
    ui.wait_until("the save", |ui| {
        ui.caches.get(&backed).is_some_and(LineCache::pristine)
    })
    .await;
    assert_eq!(std::fs::read_to_string(&file).unwrap(), backed_text);

    let mut times = ui.restores.clone();
    times.sort();
    println!(
        "restore after kill -9 (plugin: {with_plugin}): {} restores, min {:?}, median {:?}, max {:?}",
        times.len(),
        times[0],
        times[times.len() / 2],
        times[times.len() - 1]
    );
    assert_eq!(
        ui.downs,
        ui.restores.len(),
        "every failure was followed by a restore"
    );
    supervisor.shutdown(Duration::from_secs(2)).await;
}

/// A core that stops answering (SIGSTOP: alive, but silent) is noticed by its unanswered barrier,
/// replaced, and its document restored with everything typed before and after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_core_is_replaced() {
    let config_dir = tempfile::tempdir().unwrap();
    let mut config = SupervisorConfig::new(PathBuf::from(CORE), config_dir.path().to_path_buf());
    config.hang_timeout = Duration::from_millis(600);
    config.heartbeat = Duration::from_millis(100);
    let (supervisor, events) = Supervisor::start(config).await.unwrap();
    let mut ui = Frontend {
        events,
        caches: Default::default(),
        restores: Vec::new(),
        downs: 0,
    };
    let doc = DocId(1);
    supervisor.send(Command::Open { doc, path: None });
    ui.wait_until("the document", |ui| ui.text(doc).is_some())
        .await;
    let insert = |chars: &str| Command::Edit {
        doc,
        edit: EditNotification::Insert {
            chars: chars.to_owned(),
        },
    };
    supervisor.send(insert("before "));
    ui.wait_until("the first text", |ui| {
        ui.text(doc).as_deref() == Some("before ")
    })
    .await;
    let pid = supervisor.pid();
    let status = std::process::Command::new("kill")
        .arg("-STOP")
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(status.success());
    supervisor.send(insert("after"));
    ui.wait_until("a restore", |ui| !ui.restores.is_empty())
        .await;
    ui.wait_until("the text", |ui| {
        ui.text(doc).as_deref() == Some("before after")
    })
    .await;
    assert_ne!(supervisor.pid(), pid, "a new core runs");
    // The stopped core was killed, not left behind.
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    assert!(
        stat.is_empty() || stat.contains(") Z"),
        "the hung core is gone: {stat}"
    );
    supervisor.shutdown(Duration::from_secs(2)).await;
}
