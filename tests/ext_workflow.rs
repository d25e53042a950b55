//! Installed extensions as workflow runners: a node's call through the real binary (its output
//! an artifact, its log and the pool in the journal), and the pool of warm hosts that serves
//! every node of a workflow from one prewarmed host.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_support;

use cli_support::{install_local, sample, symphony, text};

use std::path::PathBuf;

#[test]
fn a_workflow_node_runs_an_installed_extension_and_its_output_becomes_an_artifact() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    install_local(&data, &sample("text-ops"));
    let workflow = dir.path().join("shout.toml");
    std::fs::write(
        &workflow,
        r#"name = "shout"
[[nodes]]
id = "say"
kind = "operator"
runner = "shell"
params = { command = "printf 'hello from a workflow'" }
[[nodes]]
id = "shout"
kind = "operator"
runner = "symphony.text-ops"
params = { method = "upper" }
[[nodes]]
id = "nameless"
kind = "operator"
runner = "symphony.text-ops"
[[edges]]
from = "say"
to = "shout"
kind = "control"
[[edges]]
from = "shout"
to = "nameless"
kind = "control"
dependency = "soft"
"#,
    )
    .unwrap();
    let out = symphony(&data, &["run", workflow.to_str().unwrap(), "--json"], None);
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let failed = lines
        .iter()
        .find(|l| l["node"] == "nameless" && l["state"] == "failed")
        .unwrap_or_else(|| panic!("no failure of `nameless` in {lines:?}"));
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("names no method"),
        "{failed}"
    );
    let end = lines.last().unwrap();
    let run = end["run"].as_str().unwrap();
    let published = data.join("runs").join(run).join("outputs/shout");
    let files: Vec<_> = std::fs::read_dir(&published)
        .unwrap_or_else(|e| panic!("{}: {e}; {lines:?}", published.display()))
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(
        std::fs::read_to_string(&files[0]).unwrap(),
        "HELLO FROM A WORKFLOW"
    );
    assert!(end["artifacts"].as_u64().unwrap() >= 1, "{end}");
    // The extension node's log, as the monitor shows it.
    let log = std::fs::read_to_string(pit::runs::log_path(&data.join("runs").join(run), "shout"))
        .unwrap();
    assert!(log.contains("attempt 1: completed, 1 output(s)"), "{log}");
    // The journal tells how full the pool of warm hosts was: text-ops' host, warm.
    let records = pit::journal::read(&data.join("runs").join(run).join("journal.log"))
        .unwrap()
        .records;
    let history = pit::runs::RunHistory::from_records(&records);
    let (_, last) = history.pool.last().expect("pool records in the journal");
    assert_eq!(last.hot, 1, "{:?}", history.pool);
    assert!(last.used > 0 && last.used <= last.budget, "{last:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workflows_extension_host_is_prewarmed_and_reused_by_every_node() {
    use pit::dag::{RunnerName, Workflow, parse_toml};
    use pit::exec::{ExecOptions, Executor, RunnerRegistry, WorkflowState};
    use pit::pool::Prewarm;
    use symphony::adapters::{HostLauncher, register_extension_pool};

    let dir = tempfile::tempdir().unwrap();
    let registry = extensions::Registry::new(dir.path().join("extensions"));
    let installed = registry.install(&sample("text-ops")).unwrap();
    let grant = extensions::Approval::local(&installed.manifest);
    registry
        .set_approval(&installed.manifest.id, &grant)
        .unwrap();
    let launcher = HostLauncher {
        program: PathBuf::from(env!("CARGO_BIN_EXE_symphony")),
        prefix: symphony::headless::ext::HOST_PREFIX
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        project: None,
    };
    let mut runners = RunnerRegistry::with_builtins(1.0);
    let pool = register_extension_pool(&mut runners, &registry, &launcher).unwrap();
    let file = parse_toml(
        r#"
[[nodes]]
id = "say"
kind = "operator"
runner = "shell"
params = { command = "printf 'three calls'" }
[[nodes]]
id = "up"
kind = "operator"
runner = "symphony.text-ops"
params = { method = "upper" }
[[nodes]]
id = "down"
kind = "operator"
runner = "symphony.text-ops"
params = { method = "lower" }
[[nodes]]
id = "words"
kind = "operator"
runner = "symphony.text-ops"
params = { method = "words" }
[[edges]]
from = "say"
to = "up"
kind = "control"
[[edges]]
from = "up"
to = "down"
kind = "control"
[[edges]]
from = "down"
to = "words"
kind = "control"
"#,
        "pooled.toml",
    )
    .unwrap();
    let wf = std::sync::Arc::new(Workflow::build(&file).unwrap());
    // Only the installed extension is warmed (not the `shell` built-in), before any node runs.
    assert_eq!(pool.prewarm_for(&wf), 1);
    let key = RunnerName::new("symphony.text-ops");
    let started = std::time::Instant::now();
    while pool.pool().get(&key).is_none() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "never warmed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(
        pool.entry_states(),
        [("symphony.text-ops".to_owned(), "hot")]
    );
    let (handle, _events) = Executor::new(runners, ExecOptions::default()).start(wf);
    let report = handle.wait().await.unwrap();
    assert_eq!(report.state, WorkflowState::Completed, "{report:?}");
    // The three nodes' calls all went to the one host the pool warmed.
    let host = (*pool.pool().get(&key).unwrap()).clone();
    let ping = tokio::task::spawn_blocking(move || {
        host.lock()
            .unwrap()
            .ping(std::time::Duration::from_secs(5))
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(ping.calls, 3, "{ping:?}");
}
