//! `symphony artifact gc` with a retention policy: the Stale Manager's verdict on every
//! artifact, printed with its reason, and the deletions carried out (unless `--dry-run`).
//! Archiving is not carried out yet: such artifacts are kept, and the line says so. Reads are
//! counted by the store (`ArtifactStore::usage`); live-workflow references are not known yet.

use std::path::Path;

use pit::artifacts::ArtifactStore;
use pit::runs::now_ms;
use pit::stale::{Action, Candidate, Policy, decide};

/// The tag that pins an artifact.
pub const PINNED: &str = "pinned";

/// Judges every artifact by the policy in `path`; deletes what it lets go unless `dry_run`.
pub(super) fn apply(store: &ArtifactStore, path: &Path, dry_run: bool) -> Result<(), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the retention policy `{}`: {e}", path.display()))?;
    let policy = Policy::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let all = store.list(None).map_err(|e| e.to_string())?;
    let mut candidates = Vec::with_capacity(all.len());
    for meta in &all {
        let id = meta.id.parse().map_err(|e: String| e)?;
        let usage = store.usage(&id).map_err(|e| e.to_string())?;
        candidates.push(Candidate {
            id: meta.id.clone(),
            size: meta.size,
            tags: meta.tags.clone(),
            created_ms: meta.created_ms,
            last_access_ms: (usage.reads > 0).then_some(usage.last_read_ms),
            uses: usage.reads,
            pinned: meta.tags.iter().any(|t| t == PINNED),
            live: false,
            inputs: meta
                .lineage
                .as_ref()
                .map(|l| l.inputs.clone())
                .unwrap_or_default(),
        });
    }
    let (mut deleted, mut archived) = (0, 0);
    for verdict in decide(&policy, &candidates, now_ms()) {
        let short = &verdict.id[..12];
        match verdict.action {
            Action::Keep => println!("keep     {short}  {}", verdict.reason),
            Action::Archive => {
                archived += 1;
                println!(
                    "archive  {short}  {} (archiving is not implemented yet: kept)",
                    verdict.reason
                );
            }
            Action::Delete => {
                deleted += 1;
                let verb = if dry_run { "would delete" } else { "delete" };
                println!("{verb:<8} {short}  {}", verdict.reason);
                if !dry_run {
                    let id = verdict.id.parse().map_err(|e: String| e)?;
                    store.delete(&id).map_err(|e| e.to_string())?;
                }
            }
        }
    }
    eprintln!(
        "{} artifacts judged: {deleted} {}, {archived} to archive",
        candidates.len(),
        if dry_run {
            "would be deleted"
        } else {
            "deleted"
        }
    );
    Ok(())
}
