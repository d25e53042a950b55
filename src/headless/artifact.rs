//! `symphony artifact put | get | ls | search | verify | gc`: the Artifact Store from the
//! command line.

use std::io::Write;

use pit::artifacts::{ArtifactError, ArtifactMeta, PutOptions};
use pit::runs::format_utc;
use pit::stale::{Action, Policy, SweepReport};
use serde_json::json;

use super::Exit;
use crate::adapters::LocalPit;
use crate::cli::ArtifactCommand;
use crate::paths::DataPaths;
use crate::ports::{PitFailure, PitPort};

/// Runs `symphony artifact …`.
pub(super) fn run(command: ArtifactCommand, paths: &DataPaths) -> Exit {
    let pit = LocalPit::new(paths.clone(), 1);
    match execute(command, &pit, paths) {
        Ok(exit) => exit,
        Err(error @ PitFailure::Artifact(ArtifactError::Busy { .. })) => {
            eprintln!("symphony: {error}");
            Exit::CannotStart
        }
        Err(error) => {
            eprintln!("symphony: {error}");
            Exit::RunFailed
        }
    }
}

fn execute(
    command: ArtifactCommand,
    pit: &dyn PitPort,
    paths: &DataPaths,
) -> Result<Exit, PitFailure> {
    match command {
        ArtifactCommand::Put { files, tags, name } => {
            let mut puts = Vec::with_capacity(files.len());
            for file in &files {
                let bytes = std::fs::read(file).map_err(|e| ArtifactError::Io {
                    path: file.clone(),
                    op: "read",
                    source: e,
                })?;
                let name = name
                    .clone()
                    .or_else(|| file.file_name().map(|n| n.to_string_lossy().into_owned()));
                let options = PutOptions {
                    name,
                    tags: tags.clone(),
                    lineage: None,
                };
                puts.push((bytes, options));
            }
            for (meta, file) in pit.put_artifacts(puts)?.iter().zip(&files) {
                println!("{}  {}", meta.id, file.display());
            }
        }
        ArtifactCommand::Get { id, output } => {
            let (_, bytes) = pit.get_artifact(&id)?;
            match output {
                Some(path) => std::fs::write(&path, &*bytes).map_err(|e| ArtifactError::Io {
                    path: path.clone(),
                    op: "write",
                    source: e,
                })?,
                None => {
                    let mut stdout = std::io::stdout().lock();
                    // A closed pipe (`| head`) is not an error worth reporting.
                    let _ = stdout.write_all(&bytes).and_then(|()| stdout.flush());
                }
            }
        }
        ArtifactCommand::Ls { tag, json } => {
            let all = pit.list_artifacts(tag.as_deref())?;
            if json {
                for meta in &all {
                    println!("{}", serde_json::to_string(meta).unwrap_or_default());
                }
            } else if all.is_empty() {
                eprintln!("no artifacts yet; store some with `symphony artifact put FILE`");
            } else {
                print!("{}", table(&all));
            }
        }
        ArtifactCommand::Search { query, limit, json } => {
            let found = pit.search_artifacts(&query, limit)?;
            for (meta, score) in &found {
                if json {
                    println!("{}", json!({ "score": score, "artifact": meta }));
                } else {
                    println!(
                        "{}  {:>6.2}  {}",
                        &meta.id[..12],
                        score,
                        meta.name.as_deref().unwrap_or("-")
                    );
                }
            }
            if found.is_empty() && !json {
                eprintln!("nothing matches `{query}`");
            }
        }
        ArtifactCommand::Verify { reindex } => {
            let (report, indexed) = pit.verify_artifacts(reindex)?;
            for problem in &report.problems {
                println!("bad: {problem}");
            }
            for orphan in &report.orphans {
                println!("orphan blob (no record; `symphony artifact gc` removes it): {orphan}");
            }
            if let Some(indexed) = indexed {
                eprintln!("search index rebuilt: {indexed} artifacts");
            }
            eprintln!(
                "{} artifacts checked: {} bad, {} orphan blobs",
                report.checked,
                report.problems.len(),
                report.orphans.len()
            );
            if !report.problems.is_empty() {
                return Ok(Exit::RunFailed);
            }
        }
        ArtifactCommand::Gc { dry_run, policy } => {
            let default = paths.root.join("retention.toml");
            let policy_path = policy.or_else(|| default.is_file().then_some(default));
            let policy = match policy_path.as_deref().map(read_policy).transpose() {
                Ok(policy) => policy,
                Err(message) => {
                    eprintln!("symphony: {message}");
                    return Ok(Exit::BadWorkflow);
                }
            };
            let collection = pit.collect(policy.as_ref(), dry_run)?;
            if let Some(sweep) = &collection.sweep {
                show_sweep(sweep, dry_run);
            }
            let report = collection.gc;
            let verb = if dry_run { "would remove" } else { "removed" };
            for orphan in &report.orphans {
                println!("{verb} orphan blob {orphan}");
            }
            eprintln!(
                "{verb} {} orphan blobs ({} bytes) and {} temporary files",
                report.orphans.len(),
                report.bytes,
                report.temporary
            );
        }
    }
    Ok(Exit::Success)
}

fn read_policy(path: &std::path::Path) -> Result<Policy, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the retention policy `{}`: {e}", path.display()))?;
    Policy::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Every verdict with its reason, then the totals.
fn show_sweep(sweep: &SweepReport, dry_run: bool) {
    for verdict in &sweep.verdicts {
        let verb = match (verdict.action, dry_run) {
            (Action::Keep, _) => "keep",
            (Action::Archive, false) => "archive",
            (Action::Archive, true) => "would archive",
            (Action::Delete, false) => "delete",
            (Action::Delete, true) => "would delete",
        };
        println!("{verb:<13} {}  {}", &verdict.id[..12], verdict.reason);
    }
    let (deleted, archived, freed) = if dry_run {
        ("would be deleted", "would be archived", "would free")
    } else {
        ("deleted", "archived", "freed")
    };
    eprintln!(
        "{} artifacts judged: {} {deleted}, {} {archived}; {freed} {} bytes",
        sweep.verdicts.len(),
        sweep.deleted,
        sweep.archived,
        sweep.freed
    );
}

/// Artifacts as an aligned table.
fn table(all: &[ArtifactMeta]) -> String {
    let mut out = format!(
        "{:<12}  {:>10}  {:<19}  {:<4}  NAME  TAGS\n",
        "ID", "SIZE", "CREATED (UTC)", "VER"
    );
    for meta in all {
        let version = meta.version.map(|v| format!("v{v}")).unwrap_or_default();
        let mut tags = meta.tags.join(",");
        if meta.archived {
            tags.insert_str(
                0,
                if tags.is_empty() {
                    "(archived)"
                } else {
                    "(archived) "
                },
            );
        }
        out.push_str(&format!(
            "{:<12}  {:>10}  {:<19}  {:<4}  {}  {}\n",
            &meta.id[..12],
            meta.size,
            format_utc(meta.created_ms),
            version,
            meta.name.as_deref().unwrap_or("-"),
            tags
        ));
    }
    out
}
