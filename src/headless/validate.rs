//! `symphony validate FILE`: every problem of a workflow file, or a short description of a
//! valid one.

use std::path::Path;

use pit::PitError;
use pit::dag::{
    Format, LoadOptions, Workflow, WorkflowFile, critical_path, load_file, sleep_seconds,
    total_work,
};
use serde_json::{Value, json};

use super::Exit;
use crate::cli::ValidateArgs;

/// Runs `symphony validate`.
pub(super) fn validate(args: &ValidateArgs) -> Exit {
    let origin = args.file.display().to_string();
    let checked = load_file(&args.file, &LoadOptions::default()).and_then(|(format, file)| {
        match Workflow::build(&file) {
            Ok(wf) => Ok((format, file, wf)),
            Err(report) => Err(PitError::Invalid {
                origin: origin.clone(),
                report,
            }),
        }
    });
    match (checked, args.json) {
        (Ok((format, file, wf)), false) => {
            println!("{}", describe(&args.file, format, &file, &wf));
            Exit::Success
        }
        (Ok((format, _, wf)), true) => {
            println!("{}", valid_json(&origin, format, &wf));
            Exit::Success
        }
        (Err(error), false) => {
            eprintln!("{error}");
            Exit::BadWorkflow
        }
        (Err(error), true) => {
            println!("{}", invalid_json(&origin, &error));
            Exit::BadWorkflow
        }
    }
}

/// One line about a valid workflow.
fn describe(path: &Path, format: Format, file: &WorkflowFile, wf: &Workflow) -> String {
    let name = file
        .name
        .as_deref()
        .map(|n| format!(" `{n}`"))
        .unwrap_or_default();
    let mut line = format!(
        "{}: valid {format} workflow{name}: {} nodes, {} edges",
        path.display(),
        wf.node_count(),
        wf.edge_count()
    );
    let work = total_work(wf, |n| sleep_seconds(wf, n));
    if work > 0.0 {
        let path = critical_path(wf, |n| sleep_seconds(wf, n));
        line.push_str(&format!(
            "; {work:.1} s of sleeps in all, {:.1} s on the critical path ({} nodes)",
            path.length,
            path.nodes.len()
        ));
    }
    line
}

fn valid_json(origin: &str, format: Format, wf: &Workflow) -> Value {
    let path = critical_path(wf, |n| sleep_seconds(wf, n));
    json!({
        "file": origin,
        "valid": true,
        "format": format.to_string(),
        "name": wf.name(),
        "nodes": wf.node_count(),
        "edges": wf.edge_count(),
        "total_sleep_seconds": total_work(wf, |n| sleep_seconds(wf, n)),
        "critical_path_seconds": path.length,
    })
}

fn invalid_json(origin: &str, error: &PitError) -> Value {
    let problems: Vec<Value> = match error {
        PitError::Invalid { report, .. } => report
            .errors()
            .iter()
            .map(|e| {
                json!({
                    "code": e.code(),
                    "message": e.to_string(),
                    "nodes": e.nodes().iter().map(|n| n.as_str()).collect::<Vec<_>>(),
                    "edge_index": e.edge_index(),
                })
            })
            .collect(),
        other => vec![json!({ "code": "unreadable", "message": other.to_string() })],
    };
    json!({ "file": origin, "valid": false, "problems": problems })
}
