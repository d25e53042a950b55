//! `symphony runs`: every run, newest first.

use pit::runs::{RunState, RunStore, RunSummary, format_utc};
use serde_json::json;

use super::Exit;
use crate::cli::RunsArgs;
use crate::paths::DataPaths;

/// Runs `symphony runs`.
pub(super) fn list(args: &RunsArgs, paths: &DataPaths) -> Exit {
    let runs = match RunStore::new(paths.runs()).list() {
        Ok(runs) => runs,
        Err(error) => {
            eprintln!("symphony: {error}");
            return Exit::CannotStart;
        }
    };
    if args.json {
        for run in &runs {
            println!("{}", as_json(run));
        }
    } else if runs.is_empty() {
        eprintln!(
            "no runs yet in `{}`; start one with `symphony run FILE`",
            paths.runs().display()
        );
    } else {
        print!("{}", table(&runs));
    }
    Exit::Success
}

fn as_json(run: &RunSummary) -> serde_json::Value {
    json!({
        "run": run.id.as_str(),
        "state": run.state.to_string(),
        "workflow": run.workflow,
        "name": run.name,
        "nodes": run.nodes,
        "completed": run.completed,
        "failed": run.failed,
        "incarnations": run.incarnations,
        "last_at_ms": run.last_at_ms,
        "dir": run.path,
        "problem": run.problem,
    })
}

/// The runs as an aligned table.
fn table(runs: &[RunSummary]) -> String {
    let mut rows = vec![[
        "RUN".to_owned(),
        "STATE".to_owned(),
        "DONE".to_owned(),
        "LAST ACTIVITY (UTC)".to_owned(),
        "WORKFLOW".to_owned(),
    ]];
    for run in runs {
        let done = if run.state == RunState::Unreadable {
            "-".to_owned()
        } else {
            format!("{}/{}", run.completed, run.nodes)
        };
        let mut workflow = run.workflow.clone();
        if let Some(name) = &run.name {
            workflow.push_str(&format!(" ({name})"));
        }
        if let Some(problem) = &run.problem {
            workflow = problem.clone();
        }
        let mut state = run.state.to_string();
        if run.failed > 0 {
            state.push_str(&format!(" ({} failed)", run.failed));
        }
        rows.push([
            run.id.to_string(),
            state,
            done,
            run.last_at_ms.map(format_utc).unwrap_or_default(),
            workflow,
        ]);
    }
    let mut widths = [0; 5];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
