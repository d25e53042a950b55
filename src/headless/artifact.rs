//! `symphony artifact put | get | ls | search | verify | gc`: the Artifact Store from the
//! command line.

use std::io::Write;

use pit::artifacts::{ArtifactError, ArtifactMeta, ArtifactStore, PutOptions};
use pit::runs::format_utc;
use serde_json::json;

use super::Exit;
use super::retention;
use crate::cli::ArtifactCommand;
use crate::paths::DataPaths;

/// Runs `symphony artifact …`.
pub(super) fn run(command: ArtifactCommand, paths: &DataPaths) -> Exit {
    let store = match ArtifactStore::open(&paths.artifacts()) {
        Ok(store) => store,
        Err(error) => {
            eprintln!("symphony: {error}");
            return Exit::CannotStart;
        }
    };
    match execute(command, &store, paths) {
        Ok(exit) => exit,
        Err(error) => {
            eprintln!("symphony: {error}");
            Exit::RunFailed
        }
    }
}

fn execute(
    command: ArtifactCommand,
    store: &ArtifactStore,
    paths: &DataPaths,
) -> Result<Exit, ArtifactError> {
    match command {
        ArtifactCommand::Put { files, tags, name } => {
            for file in &files {
                let options = PutOptions {
                    name: name.clone(),
                    tags: tags.clone(),
                    lineage: None,
                };
                let meta = store.put_file(file, options)?;
                println!("{}  {}", meta.id, file.display());
            }
        }
        ArtifactCommand::Get { id, output } => {
            let id = store.resolve(&id)?;
            let bytes = store.get(&id)?;
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
            let all = store.list(tag.as_deref())?;
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
            let found = store.search(&query, limit)?;
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
            let report = store.verify()?;
            for problem in &report.problems {
                println!("bad: {problem}");
            }
            for orphan in &report.orphans {
                println!("orphan blob (no record; `symphony artifact gc` removes it): {orphan}");
            }
            if reindex {
                let indexed = store.rebuild_index()?;
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
            let policy = policy.or_else(|| default.is_file().then_some(default));
            if let Some(path) = policy
                && let Err(message) = retention::apply(store, &path, dry_run)
            {
                eprintln!("symphony: {message}");
                return Ok(Exit::BadWorkflow);
            }
            let report = store.gc(dry_run)?;
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

/// Artifacts as an aligned table.
fn table(all: &[ArtifactMeta]) -> String {
    let mut out = format!(
        "{:<12}  {:>10}  {:<19}  {:<4}  NAME  TAGS\n",
        "ID", "SIZE", "CREATED (UTC)", "VER"
    );
    for meta in all {
        let version = meta.version.map(|v| format!("v{v}")).unwrap_or_default();
        out.push_str(&format!(
            "{:<12}  {:>10}  {:<19}  {:<4}  {}  {}\n",
            &meta.id[..12],
            meta.size,
            format_utc(meta.created_ms),
            version,
            meta.name.as_deref().unwrap_or("-"),
            meta.tags.join(",")
        ));
    }
    out
}
