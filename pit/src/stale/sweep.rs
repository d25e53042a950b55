//! Carrying the verdicts out on a real store: every artifact judged against the policy, with
//! what live runs refer to protected, then archived or deleted (unless it is a dry run).

use std::collections::HashSet;

use super::{Action, Candidate, Policy, Verdict, decide};
use crate::artifacts::{ArtifactError, ArtifactId, ArtifactMeta, ArtifactStore};
use crate::runs::{RunState, RunStore, RunsError};

/// The tag that pins an artifact: the Stale Manager never archives or deletes it.
pub const PINNED: &str = "pinned";

/// What live workflows refer to: the runs that are running or can be resumed, and the
/// artifact ids their workflow files name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveRefs {
    /// Runs still running or resumable (interrupted): what they produced or read is live.
    pub runs: HashSet<String>,
    /// Artifact ids (hex) a live workflow names, e.g. as an `artifact` parameter.
    pub ids: HashSet<String>,
}

impl LiveRefs {
    /// The live references of the runs in `runs`: those running or interrupted, and every
    /// 64-hex-digit artifact id in their workflow files (when those can still be read).
    pub fn of_runs(runs: &RunStore) -> Result<LiveRefs, RunsError> {
        let mut live = LiveRefs::default();
        for run in runs.list()? {
            if !matches!(run.state, RunState::Running | RunState::Interrupted) {
                continue;
            }
            live.runs.insert(run.id.to_string());
            if let Ok(text) = std::fs::read_to_string(&run.workflow) {
                live.ids.extend(artifact_ids_in(&text));
            }
        }
        Ok(live)
    }

    /// Whether `meta` is referred to.
    pub fn refers_to(&self, meta: &ArtifactMeta) -> bool {
        self.ids.contains(&meta.id)
            || meta
                .lineage
                .as_ref()
                .is_some_and(|l| self.runs.contains(&l.run))
    }
}

/// Every run of 64 hex digits in `text` (not part of a longer one), lower-cased.
pub fn artifact_ids_in(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_ascii_hexdigit())
        .filter(|word| word.len() == 64)
        .map(str::to_ascii_lowercase)
}

/// What a sweep decided and did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SweepReport {
    /// Every artifact's verdict, in the store's order (newest first).
    pub verdicts: Vec<Verdict>,
    /// Artifacts archived now (or that would be, in a dry run); already archived ones are
    /// not counted.
    pub archived: usize,
    /// Artifacts deleted (or that would be).
    pub deleted: usize,
    /// Bytes the deletions and archiving free (archiving: plain size minus archived size;
    /// a dry run counts deletions only, since what archiving saves is known once it is done).
    pub freed: u64,
}

/// Judges every artifact in `store` by `policy` at `now_ms`, with `live` protected, and
/// carries the verdicts out unless `dry_run`. Stops at the first failure to carry one out:
/// what was done before it stays done, and the error names the artifact.
pub fn sweep(
    store: &ArtifactStore,
    policy: &Policy,
    live: &LiveRefs,
    now_ms: u64,
    dry_run: bool,
) -> Result<SweepReport, ArtifactError> {
    let all = store.list(None)?;
    let mut candidates = Vec::with_capacity(all.len());
    for meta in &all {
        let usage = store.usage(&parse(&meta.id)?)?;
        candidates.push(Candidate {
            id: meta.id.clone(),
            size: meta.size,
            tags: meta.tags.clone(),
            created_ms: meta.created_ms,
            last_access_ms: (usage.reads > 0).then_some(usage.last_read_ms),
            uses: usage.reads,
            pinned: meta.tags.iter().any(|t| t == PINNED),
            live: live.refers_to(meta),
            inputs: meta
                .lineage
                .as_ref()
                .map(|l| l.inputs.clone())
                .unwrap_or_default(),
        });
    }
    let mut report = SweepReport {
        verdicts: decide(policy, &candidates, now_ms),
        ..SweepReport::default()
    };
    for (verdict, meta) in report.verdicts.iter().zip(&all) {
        match verdict.action {
            Action::Keep => {}
            Action::Archive if meta.archived => {}
            Action::Archive => {
                report.archived += 1;
                if !dry_run {
                    let (_, size) = store.archive(&parse(&meta.id)?)?;
                    report.freed += meta.size.saturating_sub(size);
                }
            }
            Action::Delete => {
                report.deleted += 1;
                report.freed += meta.size;
                if !dry_run {
                    store.delete(&parse(&meta.id)?)?;
                }
            }
        }
    }
    Ok(report)
}

fn parse(hex: &str) -> Result<ArtifactId, ArtifactError> {
    hex.parse().map_err(ArtifactError::Database)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_ids_are_found_as_whole_64_digit_words() {
        let id = "ab".repeat(32);
        let text = format!(
            "[[node]]\nparams = {{ input = \"{}\" }}\n# {} and {}\n",
            id.to_uppercase(),
            "cd".repeat(33),
            "ef".repeat(31)
        );
        assert_eq!(artifact_ids_in(&text).collect::<Vec<_>>(), [id]);
    }
}
