//! `symphony eval conductor`: plans every intent of a suite and reports how many plans are
//! valid, how many call the expected capabilities in the expected order, and (with --run)
//! how many complete when run on the suite's sample input.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::json;

use super::Exit;
use crate::adapters::LocalConductor;
use crate::cli::{EvalConductorArgs, PlannerArg};
use crate::paths::DataPaths;
use crate::ports::conductor::{
    Attachment, CancelFlag, ConductorPort, PlanRequest, PlannerChoice, Proposal,
};

/// The bundled suite: intents over the sample extensions' capabilities.
const BUNDLED_SUITE: &str = include_str!("../../conductor/eval/intents.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Suite {
    /// The text every case works on, unless the case has its own.
    input: String,
    #[serde(rename = "case")]
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    intent: String,
    /// The capabilities the plan must call, in running order.
    expect: Vec<String>,
    #[serde(default)]
    input: Option<String>,
}

/// What became of one case.
struct Outcome {
    intent: String,
    expect: Vec<String>,
    planned: Result<Vec<String>, String>,
    planner: String,
    plan_time: Duration,
    completed: Option<Result<(), String>>,
    /// Not planned: an expected capability is not installed.
    skipped: bool,
}

pub(super) fn conductor(args: &EvalConductorArgs, paths: &DataPaths) -> Exit {
    let (suite, origin) = match load(args.suite.as_deref()) {
        Ok(suite) => suite,
        Err(message) => {
            eprintln!("symphony: {message}");
            return Exit::CannotStart;
        }
    };
    let conductor = match LocalConductor::configured(paths.clone()) {
        Ok(c) if args.lexical => c.lexical_only(),
        Ok(c) => c,
        Err(error) => {
            eprintln!("symphony: {error}");
            return Exit::CannotStart;
        }
    };
    let planner = match args.planner {
        PlannerArg::Auto => PlannerChoice::Auto,
        PlannerArg::Offline => PlannerChoice::Offline,
        PlannerArg::Llm => PlannerChoice::Llm,
    };
    let installed = match conductor.catalog() {
        Ok(catalog) => catalog,
        Err(error) => {
            eprintln!("symphony: {error}");
            return Exit::CannotStart;
        }
    };
    let cancel = CancelFlag::new();
    let mut outcomes = Vec::with_capacity(suite.cases.len());
    for (i, case) in suite.cases.iter().enumerate() {
        let missing: Vec<&String> = case
            .expect
            .iter()
            .filter(|c| !installed.all().iter().any(|i| i.id.as_str() == c.as_str()))
            .collect();
        if !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
            outcomes.push(Outcome {
                intent: case.intent.clone(),
                expect: case.expect.clone(),
                planned: Err(format!("skipped: needs {}", names.join(", "))),
                planner: String::new(),
                plan_time: Duration::ZERO,
                completed: None,
                skipped: true,
            });
            continue;
        }
        if !args.json {
            eprint!("\r{}/{} ", i + 1, suite.cases.len());
        }
        let request = PlanRequest {
            intent: case.intent.clone(),
            attachments: vec![Attachment::Text {
                label: "sample".to_owned(),
                text: case.input.clone().unwrap_or_else(|| suite.input.clone()),
            }],
            planner,
        };
        let started = Instant::now();
        let proposal = conductor.plan(&request, &mut |_| {}, &cancel);
        let plan_time = started.elapsed();
        let (planned, planner_name) = match &proposal {
            Ok(p) => (Ok(capabilities(p)), p.planner.clone()),
            Err(e) => (Err(e.to_string()), String::new()),
        };
        let completed = match (&proposal, args.run) {
            (Ok(p), true) => Some(
                conductor
                    .run(p, &mut |_| {}, &cancel)
                    .map_err(|e| e.to_string())
                    .and_then(|r| {
                        if r.succeeded {
                            Ok(())
                        } else {
                            Err(r
                                .failures
                                .iter()
                                .map(|(s, why)| format!("{s}: {why}"))
                                .collect::<Vec<_>>()
                                .join("; "))
                        }
                    }),
            ),
            _ => None,
        };
        outcomes.push(Outcome {
            intent: case.intent.clone(),
            expect: case.expect.clone(),
            planned,
            planner: planner_name,
            plan_time,
            completed,
            skipped: false,
        });
    }
    if !args.json {
        eprint!("\r");
    }
    report(&outcomes, &origin, args.json);
    Exit::Success
}

fn load(path: Option<&Path>) -> Result<(Suite, String), String> {
    let (text, origin) = match path {
        Some(path) => (
            std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the suite `{}`: {e}", path.display()))?,
            path.display().to_string(),
        ),
        None => (
            BUNDLED_SUITE.to_owned(),
            "conductor/eval/intents.toml".to_owned(),
        ),
    };
    let suite = toml::from_str(&text).map_err(|e| format!("{origin}: {e}"))?;
    Ok((suite, origin))
}

/// The plan's capabilities in running order.
fn capabilities(proposal: &Proposal) -> Vec<String> {
    let plan = &proposal.plan;
    let order = plan
        .order()
        .unwrap_or_else(|| plan.steps.iter().map(|s| &s.id).collect());
    order
        .into_iter()
        .filter_map(|id| plan.steps.iter().find(|s| &s.id == id))
        .map(|s| s.capability.to_string())
        .collect()
}

fn report(all: &[Outcome], origin: &str, as_json: bool) {
    let skipped = all.iter().filter(|o| o.skipped).count();
    let outcomes: Vec<&Outcome> = all.iter().filter(|o| !o.skipped).collect();
    let total = outcomes.len();
    let valid = outcomes.iter().filter(|o| o.planned.is_ok()).count();
    let matched = outcomes
        .iter()
        .filter(|o| o.planned.as_ref().is_ok_and(|p| *p == o.expect))
        .count();
    let ran = outcomes.iter().filter(|o| o.completed.is_some()).count();
    let completed = outcomes
        .iter()
        .filter(|o| matches!(o.completed, Some(Ok(()))))
        .count();
    let mut times: Vec<Duration> = outcomes.iter().map(|o| o.plan_time).collect::<Vec<_>>();
    times.sort();
    let p50 = times.get(times.len() / 2).copied().unwrap_or_default();
    let planner = outcomes
        .iter()
        .find(|o| !o.planner.is_empty())
        .map_or("", |o| o.planner.as_str());
    let percent = |n: usize, of: usize| {
        if of == 0 {
            0.0
        } else {
            100.0 * n as f64 / of as f64
        }
    };
    if as_json {
        let cases: Vec<_> = all
            .iter()
            .map(|o| {
                json!({
                    "skipped": o.skipped,
                    "intent": o.intent,
                    "expect": o.expect,
                    "plan": o.planned.as_ref().ok(),
                    "error": o.planned.as_ref().err(),
                    "matched": o.planned.as_ref().is_ok_and(|p| *p == o.expect),
                    "plan_ms": o.plan_time.as_secs_f64() * 1e3,
                    "completed": o.completed.as_ref().map(Result::is_ok),
                    "run_error": o.completed.as_ref().and_then(|c| c.as_ref().err()),
                })
            })
            .collect();
        let line = json!({
            "suite": origin,
            "planner": planner,
            "cases": cases,
            "totals": {
                "cases": total, "skipped": skipped, "valid": valid, "matched": matched, "ran": ran,
                "completed": completed,
                "validity_percent": percent(valid, total),
                "match_percent": percent(matched, total),
                "completion_percent": percent(completed, ran),
                "plan_ms_p50": p50.as_secs_f64() * 1e3,
            },
        });
        println!("{line}");
        return;
    }
    for o in all {
        let mark = match &o.planned {
            _ if o.skipped => "·",
            Ok(p) if *p == o.expect => "✓",
            Ok(_) => "≠",
            Err(_) => "✗",
        };
        let got = match &o.planned {
            Ok(p) => p.join(" → "),
            Err(e) => e.clone(),
        };
        let run = match &o.completed {
            Some(Ok(())) => " · ran ✓".to_owned(),
            Some(Err(e)) => format!(" · run failed: {e}"),
            None => String::new(),
        };
        println!("{mark} {:<58} {got}{run}", o.intent);
        if mark == "≠" {
            println!("  expected {}", o.expect.join(" → "));
        }
    }
    println!(
        "{planner} on {origin}: {total} intents ({skipped} skipped: not installed) · valid plans {valid} ({:.0}%) · expected \
         capabilities in order {matched} ({:.0}%){} · planning p50 {:.1} ms",
        percent(valid, total),
        percent(matched, total),
        if ran > 0 {
            format!(
                " · completed {completed} of {ran} run ({:.0}%)",
                percent(completed, ran)
            )
        } else {
            String::new()
        },
        p50.as_secs_f64() * 1e3
    );
}
