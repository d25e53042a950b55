//! The Conductor records what it runs in OFB: the compiled plan as a workflow (which OFB
//! validates: its extensions must be approved), the run's start and its end with each step's
//! state; while OFB is away the records wait in the outbox and reach OFB, in order, once it is
//! back. The real `symphony ask` against a real OFB.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_support;
mod ofb_support;

use std::path::Path;

use cli_support::{sample, symphony_with, text};
use ofb_support::LiveOfb;
use symphony::adapters::ofb::governance::LocalProject;
use symphony::data::requests::{NodeState, RunState};
use symphony::ports::data_access::DataAccessPort;

fn env(ofb: &LiveOfb) -> [(&'static str, String); 2] {
    [
        ("SYMPHONY_OFB_URL", ofb.url()),
        ("SYMPHONY_OFB_TOKEN", ofb.admin_token().0),
    ]
}

fn run(
    data: &Path,
    args: &[&str],
    stdin: Option<&str>,
    env: &[(&str, String)],
) -> (i32, String, String) {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = symphony_with(data, args, stdin, &env);
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

fn ask(data: &Path, env: &[(&str, String)]) -> serde_json::Value {
    let (code, stdout, stderr) = run(
        data,
        &["ask", "uppercase it", "--yes", "--json"],
        Some("quiet please"),
        env,
    );
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

#[test]
fn a_conductor_run_is_recorded_in_ofb_and_queued_while_ofb_is_away() {
    let mut ofb = LiveOfb::start();
    let env = env(&ofb);
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    let text_ops = sample("text-ops");
    let (code, _, stderr) = run(
        data,
        &[
            "ext",
            "install",
            "--grant",
            "all",
            text_ops.to_str().unwrap(),
        ],
        None,
        &env,
    );
    assert_eq!(code, 0, "{stderr}");

    let report = ask(data, &env);
    assert_eq!(report["succeeded"], true, "{report}");
    let recorded = report["recorded"].as_str().unwrap();
    assert!(recorded.starts_with("recorded in OFB as run"), "{report}");

    let local = LocalProject::recorded(&data.join("ofb"), &ofb.url())
        .unwrap()
        .expect("the project made in that OFB");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let admin = ofb.admin();
    let workflows = runtime
        .block_on(admin.list_workflows(local.project))
        .unwrap();
    assert_eq!(workflows.len(), 1);
    let steps = &workflows[0].spec.steps;
    assert!(
        steps.iter().all(|s| s.command == "symphony.text-ops"),
        "{steps:?}"
    );

    // OFB goes away: the next run's records wait in the outbox…
    ofb.process.kill();
    let report = ask(data, &env);
    assert_eq!(report["succeeded"], true, "{report}");
    assert!(
        report["recorded"]
            .as_str()
            .unwrap()
            .contains("waits in the outbox"),
        "{report}"
    );
    // …and reach OFB, in order, at the next connection.
    ofb.restart();
    let report = ask(data, &env);
    assert!(
        report["recorded"]
            .as_str()
            .unwrap()
            .starts_with("recorded in OFB"),
        "{report}"
    );
    let workflows = runtime
        .block_on(admin.list_workflows(local.project))
        .unwrap();
    assert_eq!(workflows.len(), 3, "the queued workflow arrived too");
    for workflow in &workflows {
        let runs = runtime.block_on(admin.list_runs(workflow.id)).unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].state, RunState::Completed);
        assert!(
            runs[0]
                .nodes
                .iter()
                .all(|n| n.state == NodeState::Completed),
            "{:?}",
            runs[0].nodes
        );
    }
}
