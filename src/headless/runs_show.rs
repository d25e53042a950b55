//! `symphony runs show RUN_ID`: a past (or running) run as its journal tells it, node by
//! node. Reads the journal without locking the run, so it works while the run goes on.

use pit::journal;
use pit::runs::{NodeOutcome, RunHistory, RunId, format_utc};
use serde_json::json;

use super::Exit;
use crate::paths::DataPaths;

/// Runs `symphony runs show`.
pub(super) fn show(run: &str, as_json: bool, paths: &DataPaths) -> Exit {
    let Some(id) = RunId::parse(run) else {
        eprintln!(
            "symphony: `{run}` is not a run id (like 20261126-104232-e048); `symphony runs` \
             lists them"
        );
        return Exit::CannotStart;
    };
    let path = paths.runs().join(id.as_str()).join("journal.log");
    if !path.is_file() {
        eprintln!(
            "symphony: there is no run `{id}` in `{}`; `symphony runs` lists them",
            paths.runs().display()
        );
        return Exit::CannotStart;
    }
    let contents = match journal::read(&path) {
        Ok(contents) => contents,
        Err(error) => {
            eprintln!("symphony: {error}");
            return Exit::CannotStart;
        }
    };
    let workflow = contents.records.iter().find_map(|r| match r {
        journal::Record::Run(run) => Some((run.workflow.clone(), run.name.clone())),
        _ => None,
    });
    let history = RunHistory::from_records(&contents.records);
    if as_json {
        println!("{}", as_json_value(&id, workflow, &history));
    } else {
        print!("{}", table(&id, workflow, &history));
    }
    Exit::Success
}

fn state_of(history: &RunHistory) -> String {
    match &history.ended {
        Some((state, Some(reason), _)) => format!("{state} ({reason})"),
        Some((state, None, _)) => state.clone(),
        None => "running or interrupted".to_owned(),
    }
}

fn as_json_value(
    id: &RunId,
    workflow: Option<(String, Option<String>)>,
    history: &RunHistory,
) -> serde_json::Value {
    let (file, name) = workflow.unwrap_or_default();
    json!({
        "run": id.as_str(),
        "workflow": file,
        "name": name,
        "state": history.ended.as_ref().map(|e| e.0.clone()),
        "reason": history.ended.as_ref().and_then(|e| e.1.clone()),
        "incarnations": history.incarnations,
        "nodes": history.total_nodes,
        "started_ms": history.started_ms,
        "ended_ms": history.ended.as_ref().map(|e| e.2),
        "history": history.nodes.iter().map(|n| json!({
            "node": n.node.as_str(),
            "outcome": n.outcome.word(),
            "attempts": n.attempts,
            "started_ms": n.started_ms,
            "ended_ms": n.ended_ms,
            "elapsed_ms": n.elapsed_ms(),
            "error": n.error,
            "via": n.via.as_ref().map(|v| v.as_str()),
            "reason": n.reason,
            "attempt_errors": n.attempt_errors.iter().map(|(attempt, error)| json!({
                "attempt": attempt,
                "error": error,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn seconds(ms: u64) -> String {
    format!("{:.1}s", ms as f64 / 1000.0)
}

fn table(id: &RunId, workflow: Option<(String, Option<String>)>, history: &RunHistory) -> String {
    let mut out = String::new();
    let (file, name) = workflow.unwrap_or_default();
    let name = name.map(|n| format!(" ({n})")).unwrap_or_default();
    let not_run = (history.total_nodes as usize).saturating_sub(history.nodes.len());
    let elapsed = history
        .ended
        .as_ref()
        .filter(|e| history.started_ms > 0 && e.2 >= history.started_ms)
        .map(|e| format!(" · {}", seconds(e.2 - history.started_ms)))
        .unwrap_or_default();
    out.push_str(&format!(
        "run {id} of {file}{name}: {}{elapsed}\n{} nodes: {} ✓ completed, {} ✗ failed, {} ↷ \
         skipped, {} … unfinished, {not_run} not started · {} incarnation(s){}\n",
        state_of(history),
        history.total_nodes,
        history.count(NodeOutcome::Completed),
        history.count(NodeOutcome::Failed),
        history.count(NodeOutcome::Skipped),
        history.count(NodeOutcome::Unfinished),
        history.incarnations,
        if history.started_ms > 0 {
            format!(" · started {} UTC", format_utc(history.started_ms))
        } else {
            String::new()
        },
    ));
    let width = history
        .nodes
        .iter()
        .map(|n| n.node.as_str().chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    for n in &history.nodes {
        let attempts = match n.attempts {
            0 => String::new(),
            1 => "1 attempt".to_owned(),
            k => format!("{k} attempts"),
        };
        let time = n.elapsed_ms().map(seconds).unwrap_or_default();
        let mut line = format!(
            "  {} {:<width$}  {:<10} {:<11} {:>7}",
            n.outcome.symbol(),
            n.node.as_str(),
            n.outcome.word(),
            attempts,
            time
        );
        if let Some(via) = &n.via {
            line.push_str(&format!("  via {via}"));
        }
        if let Some(error) = &n.error {
            line.push_str(&format!("  {}", error.lines().next().unwrap_or_default()));
        }
        if let Some(reason) = &n.reason {
            line.push_str(&format!("  {}", reason.lines().next().unwrap_or_default()));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
