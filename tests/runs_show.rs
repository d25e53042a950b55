//! `symphony runs show RUN_ID` says what the run's journal says: the same outcome and
//! number of attempts per node as the live events of `symphony run --json` reported, with
//! times, and a clear error for a run that does not exist.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_support;

use std::collections::HashMap;

use cli_support::{symphony, text};

const WORKFLOW: &str = r#"
name = "show-demo"
[[nodes]]
id = "fetch"
kind = "operator"
runner = "shell"
params = { command = "echo fetched" }
[[nodes]]
id = "flaky"
kind = "operator"
runner = "shell"
retries = 2
params = { command = "test -f FLAG || { touch FLAG; exit 1; }" }
[[nodes]]
id = "broken"
kind = "operator"
runner = "shell"
on_failure = "skip"
params = { command = "exit 3" }
[[edges]]
from = "fetch"
to = "flaky"
kind = "control"
[[edges]]
from = "fetch"
to = "broken"
kind = "control"
"#;

#[test]
fn show_agrees_with_the_live_events() {
    let dir = tempfile::tempdir().unwrap();
    let flag = dir.path().join("flag");
    let file = dir.path().join("w.toml");
    std::fs::write(&file, WORKFLOW.replace("FLAG", flag.to_str().unwrap())).unwrap();
    let data = dir.path().join("data");
    let out = symphony(&data, &["run", file.to_str().unwrap(), "--json"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The live view: each node's last state and highest attempt.
    let mut live: HashMap<String, (String, u64)> = HashMap::new();
    let mut run = String::new();
    for line in text(&out.stdout).lines() {
        let event: serde_json::Value = serde_json::from_str(line).unwrap();
        match event["event"].as_str() {
            Some("run") => run = event["run"].as_str().unwrap().to_owned(),
            Some("node") => {
                let entry = live
                    .entry(event["node"].as_str().unwrap().to_owned())
                    .or_default();
                entry.0 = event["state"].as_str().unwrap().to_owned();
                entry.1 = entry.1.max(event["attempt"].as_u64().unwrap_or(0));
            }
            _ => {}
        }
    }
    let out = symphony(&data, &["runs", "show", &run, "--json"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["state"], "completed");
    let history = shown["history"].as_array().unwrap();
    assert_eq!(history.len(), 3, "{shown}");
    for node in history {
        let id = node["node"].as_str().unwrap();
        let (state, attempts) = &live[id];
        assert_eq!(node["outcome"].as_str().unwrap(), state, "{id}: {shown}");
        if state != "skipped" {
            assert_eq!(
                node["attempts"].as_u64().unwrap(),
                *attempts,
                "{id}: {shown}"
            );
            assert!(
                node["elapsed_ms"].as_u64().is_some(),
                "{id} has a time: {shown}"
            );
        }
    }
    assert_eq!(live["flaky"].1, 2, "the flaky node was retried once");

    let out = symphony(&data, &["runs", "show", &run], None);
    let table = text(&out.stdout);
    assert!(
        table.contains("✓ flaky") && table.contains("2 attempts"),
        "{table}"
    );
    assert!(table.contains("↷ broken"), "{table}");
    assert!(
        table.contains("`on_failure = \"skip\"` went on: node `broken`"),
        "the skip's reason: {table}"
    );

    let out = symphony(&data, &["runs", "show", "20200101-000000-abcd"], None);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        text(&out.stderr).contains("`symphony runs` lists them"),
        "{}",
        text(&out.stderr)
    );
}
