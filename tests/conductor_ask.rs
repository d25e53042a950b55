//! The Conductor as a user meets it headless, with the real binary and the real sample
//! extensions (text-ops and word-count, wasm): `symphony ask` plans offline, shows the plan,
//! runs it in sandboxed hosts and prints the result; a plan that cannot be made says why;
//! `--dry-run` runs nothing; `symphony eval conductor` measures the offline planner on the
//! bundled suite and the real `ConductorPort` drives a run with its step events.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_support;

use cli_support::{sample, symphony, text};

use std::path::PathBuf;

use symphony::adapters::LocalConductor;
use symphony::adapters::conductor::catalog_of;
use symphony::paths::DataPaths;
use symphony::ports::conductor::{
    Attachment, CancelFlag, ConductorError, ConductorEvent, ConductorPort, PlanRequest,
    PlannerChoice, StepState,
};

/// A data directory with the two wasm samples installed.
fn installed() -> tempfile::TempDir {
    let data = tempfile::tempdir().unwrap();
    for name in ["text-ops", "word-count"] {
        let out = symphony(
            data.path(),
            &[
                "ext",
                "install",
                "--local-grant",
                sample(name).to_str().unwrap(),
            ],
            None,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    data
}

#[test]
fn ask_plans_runs_and_prints_the_result() {
    let data = installed();
    let out = symphony(
        data.path(),
        &[
            "ask",
            "split the text into words, then uppercase them",
            "--yes",
        ],
        Some("The quick brown fox\njumps"),
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("text.split-words via symphony.text-ops"),
        "{stderr}"
    );
    assert!(
        stderr.contains("✓ shout done") || stderr.contains("done"),
        "{stderr}"
    );
    assert!(
        stdout.contains("THE\nQUICK\nBROWN\nFOX\nJUMPS"),
        "the final output is printed: {stdout}"
    );

    let out = symphony(
        data.path(),
        &["ask", "count the words", "--yes", "--json"],
        Some("one two three"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["succeeded"], true, "{report}");
    assert_eq!(report["plan"]["steps"][0]["capability"], "text.count-words");
    let counted = report["outputs"][0]["text"].as_str().unwrap();
    assert!(counted.contains('3'), "three words: {counted}");
    let run = report["run"].as_str().unwrap();
    let out = symphony(
        data.path(),
        &["artifact", "ls", "--tag", &format!("run:{run}")],
        None,
    );
    assert!(text(&out.stdout).contains("count"), "{}", text(&out.stdout));
}

#[test]
fn a_dry_run_plans_only_and_a_request_nothing_serves_says_why() {
    let data = installed();
    let out = symphony(
        data.path(),
        &["ask", "uppercase it", "--dry-run"],
        Some("x"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("text.upper"),
        "{}",
        text(&out.stderr)
    );
    assert!(!text(&out.stderr).contains("done"), "nothing ran");
    assert!(std::fs::read_dir(data.path().join("runs")).map_or(true, |mut d| d.next().is_none()));

    let out = symphony(
        data.path(),
        &["ask", "bake a chocolate cake", "--yes"],
        Some("x"),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("nothing installed matches “bake a chocolate cake”"),
        "{stderr}"
    );
    assert!(
        stderr.contains("symphony ext install"),
        "says what to do: {stderr}"
    );

    let out = symphony(
        data.path(),
        &["ask", "uppercase it", "--planner", "llm"],
        Some("x"),
    );
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("SYMPHONY_LLM_BASE_URL"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn eval_measures_the_offline_planner_on_what_is_installed() {
    let data = installed();
    let out = symphony(
        data.path(),
        &[
            "eval",
            "conductor",
            "--planner",
            "offline",
            "--json",
            "--run",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let totals = &report["totals"];
    let cases = totals["cases"].as_u64().unwrap();
    assert!(
        cases >= 35,
        "the text-ops and word-count intents are planned: {totals}"
    );
    assert!(
        totals["skipped"].as_u64().unwrap() > 0,
        "llm and embedding are not installed"
    );
    assert_eq!(totals["valid"], cases, "every plan is valid: {totals}");
    // A quality floor, not a timing: the lexical matcher gets at least 90% right today.
    let matched = totals["match_percent"].as_f64().unwrap();
    assert!(matched >= 90.0, "plans as expected: {matched}% ({report})");
    assert_eq!(
        totals["completed"], totals["ran"],
        "every plan runs: {totals}"
    );
}

/// The Conductor over `paths`, its extension hosts started by the test's `symphony`.
fn conductor_on(paths: DataPaths) -> LocalConductor {
    LocalConductor::new(
        paths,
        symphony::adapters::HostLauncher {
            program: PathBuf::from(env!("CARGO_BIN_EXE_symphony")),
            prefix: symphony::headless::ext::HOST_PREFIX
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            project: None,
        },
    )
}

#[test]
fn the_port_reports_each_step_and_the_outputs() {
    let data = installed();
    let paths = DataPaths::resolve(Some(data.path())).unwrap();
    let catalog = catalog_of(&symphony::headless::ext::registry(&paths).list().unwrap());
    assert!(catalog.all().iter().any(|c| c.id.as_str() == "text.upper"));
    let conductor = conductor_on(paths);
    let request = PlanRequest {
        intent: "lowercase it then join the lines".to_owned(),
        attachments: vec![Attachment::Text {
            label: "note".to_owned(),
            text: "ONE\nTWO".to_owned(),
        }],
        planner: PlannerChoice::Offline,
    };
    let cancel = CancelFlag::new();
    let proposal = conductor.plan(&request, &mut |_| {}, &cancel).unwrap();
    let capabilities: Vec<&str> = proposal
        .plan
        .steps
        .iter()
        .map(|s| s.capability.as_str())
        .collect();
    assert_eq!(capabilities, ["text.lower", "text.join-lines"]);
    assert_eq!(proposal.plan.input.as_deref(), Some("note"));
    let mut seen = Vec::new();
    let report = conductor
        .run(
            &proposal,
            &mut |event| {
                if let ConductorEvent::Step { step, state, .. } = event {
                    seen.push((step.to_string(), state));
                }
            },
            &cancel,
        )
        .unwrap();
    assert!(report.succeeded, "{report:?}");
    for step in ["lower", "join-lines"] {
        assert!(
            seen.contains(&(step.to_owned(), StepState::Running)),
            "{seen:?}"
        );
        assert!(
            seen.contains(&(step.to_owned(), StepState::Done)),
            "{seen:?}"
        );
    }
    let last = report
        .outputs
        .iter()
        .find(|o| o.step.as_str() == "join-lines")
        .unwrap();
    assert_eq!(last.preview.as_deref().map(str::trim), Some("one two"));
}

/// A native extension that provides `text.upper` too, and dies on its first call.
const CRASHER: &str = r#"
id = "acme.crasher"
name = "Crasher"
version = "0.1.0"
author = "tests"
license = "MIT"
type = "operator"
class = "essential"
sandbox = "standard"
[[capabilities]]
method = "upper"
provides = "text.upper"
description = "ASCII letters to upper case, or so it says"
[resources]
timeout_seconds = 5
retries = 2
[permissions]
system = ["spawn"]
[runtime]
kind = "native"
command = "sh"
args = ["crash.sh"]
[[artifacts.inputs]]
name = "text"
media_type = "text/plain"
[[artifacts.outputs]]
name = "text"
media_type = "text/plain"
"#;

#[test]
fn an_extension_that_crashes_mid_plan_is_replaced_and_the_user_is_told() {
    let data = installed();
    let ext = tempfile::tempdir().unwrap();
    std::fs::write(ext.path().join("symphony-extension.toml"), CRASHER).unwrap();
    std::fs::write(ext.path().join("crash.sh"), "IFS= read -r line\nexit 3\n").unwrap();
    let out = symphony(
        data.path(),
        &[
            "ext",
            "install",
            "--local-grant",
            ext.path().to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = symphony(
        data.path(),
        &[
            "ask",
            "uppercase it",
            "--yes",
            "--json",
            "--planner",
            "offline",
        ],
        Some("quiet words"),
    );
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["plan"]["providers"][0]["extension"], "acme.crasher",
        "the first provider is tried first: {report}"
    );
    assert_eq!(report["succeeded"], true, "{report}");
    assert!(
        report["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["text"]
                .as_str()
                .is_some_and(|t| t.contains("QUIET WORDS"))),
        "the fallback extension made the result: {report}"
    );
    let recoveries = report["recoveries"].to_string();
    assert!(
        recoveries.contains("acme.crasher"),
        "the crash is told: {recoveries}"
    );
    assert!(
        recoveries.contains("stands in"),
        "and the recovery: {recoveries}"
    );
}

#[test]
fn a_cancelled_run_resumes_under_its_id_and_finishes() {
    let data = installed();
    let conductor = conductor_on(DataPaths::resolve(Some(data.path())).unwrap());
    let request = PlanRequest {
        intent: "lowercase it then join the lines".to_owned(),
        attachments: vec![Attachment::Text {
            label: "note".to_owned(),
            text: "ONE\nTWO".to_owned(),
        }],
        planner: PlannerChoice::Offline,
    };
    let mut proposal = conductor
        .plan(&request, &mut |_| {}, &CancelFlag::new())
        .unwrap();
    // Cancelled as soon as it has an id.
    let cancel = CancelFlag::new();
    let mut started = None;
    let cancelled = conductor.run(
        &proposal,
        &mut |event| {
            if let ConductorEvent::Started { run_id, .. } = event {
                started = Some(run_id);
                cancel.cancel();
            }
        },
        &cancel,
    );
    assert!(
        matches!(cancelled, Err(ConductorError::Cancelled)),
        "{cancelled:?}"
    );
    let run_id = started.expect("the run told its id");

    proposal.resume = Some(run_id.clone());
    let mut resumed_as = None;
    let report = conductor
        .run(
            &proposal,
            &mut |event| {
                if let ConductorEvent::Started { run_id, .. } = event {
                    resumed_as = Some(run_id);
                }
            },
            &CancelFlag::new(),
        )
        .unwrap();
    assert_eq!(resumed_as.as_deref(), Some(run_id.as_str()));
    assert_eq!(report.run_id, run_id, "the same run, resumed");
    assert!(report.succeeded, "{report:?}");
    let last = report
        .outputs
        .iter()
        .find(|o| o.step.as_str() == "join-lines")
        .unwrap();
    assert_eq!(last.preview.as_deref().map(str::trim), Some("one two"));
}

#[test]
fn an_extension_ofb_has_not_approved_is_left_out_of_plans() {
    let data = installed();
    let ext = tempfile::tempdir().unwrap();
    std::fs::write(ext.path().join("symphony-extension.toml"), CRASHER).unwrap();
    std::fs::write(ext.path().join("crash.sh"), "exit 3\n").unwrap();
    // OFB is off in these tests: installed without a grant, it stays unregistered.
    let out = symphony(
        data.path(),
        &["ext", "install", ext.path().to_str().unwrap()],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = symphony(
        data.path(),
        &["ask", "uppercase it", "--dry-run", "--json"],
        Some("x"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["plan"]["providers"][0]["extension"], "symphony.text-ops",
        "the unapproved acme.crasher is not planned with: {report}"
    );
}
