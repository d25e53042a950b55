//! A run's published outputs become artifacts: every file a completed node published goes
//! into the Artifact Store, named `WORKFLOW/NODE/PATH` (versions count across runs), tagged
//! `run:ID`, with its lineage — the run, the node, and the files its predecessors published
//! (which are artifacts too, named by the same BLAKE3 the journal recorded).
//!
//! Ingesting is idempotent (blobs are content-addressed; a known record keeps its first
//! lineage and version), so it is simply done again after a crash or a resume.

use std::collections::HashMap;
use std::path::Path;

use crate::artifacts::{ArtifactError, ArtifactMeta, ArtifactStore, Lineage, PutOptions};
use crate::dag::{NodeId, Workflow};
use crate::journal::Completion;

use super::outputs_dir;

/// Files read into memory per batch of puts (one `fsync` of the database per batch).
const BATCH_BYTES: u64 = 64 << 20;

/// The tag every artifact of run `run` carries.
pub fn run_tag(run: &str) -> String {
    format!("run:{run}")
}

/// Puts the published output files of every node in `completed` (a run's checkpoint) into
/// `store`, with their lineage; returns the records. `run_dir` is the run's directory.
pub fn ingest_outputs(
    store: &ArtifactStore,
    run_dir: &Path,
    run: &str,
    wf: &Workflow,
    completed: &HashMap<NodeId, Completion>,
) -> Result<Vec<ArtifactMeta>, ArtifactError> {
    let mut nodes: Vec<&Completion> = completed.values().filter(|c| !c.files.is_empty()).collect();
    nodes.sort_by(|a, b| a.node.as_str().cmp(b.node.as_str()));
    let prefix = wf
        .name()
        .map_or_else(String::new, |name| format!("{name}/"));
    let mut stored = Vec::new();
    let mut batch: Vec<(Vec<u8>, PutOptions)> = Vec::new();
    let mut batch_bytes = 0;
    for completion in nodes {
        let inputs = predecessor_files(wf, completed, &completion.node);
        let dir = outputs_dir(run_dir, completion.node.as_str());
        for file in &completion.files {
            let path = dir.join(&file.path);
            let bytes = std::fs::read(&path).map_err(|e| ArtifactError::io(&path, "read", e))?;
            batch_bytes += bytes.len() as u64;
            batch.push((
                bytes,
                PutOptions {
                    name: Some(format!("{prefix}{}/{}", completion.node, file.path)),
                    tags: vec![run_tag(run)],
                    lineage: Some(Lineage {
                        run: run.to_owned(),
                        node: completion.node.to_string(),
                        inputs: inputs.clone(),
                    }),
                },
            ));
            if batch_bytes >= BATCH_BYTES {
                stored.extend(put_batch(store, &mut batch)?);
                batch_bytes = 0;
            }
        }
    }
    stored.extend(put_batch(store, &mut batch)?);
    Ok(stored)
}

fn put_batch(
    store: &ArtifactStore,
    batch: &mut Vec<(Vec<u8>, PutOptions)>,
) -> Result<Vec<ArtifactMeta>, ArtifactError> {
    let puts = std::mem::take(batch);
    store.put_many(
        puts.iter()
            .map(|(bytes, options)| (bytes.as_slice(), options.clone())),
    )
}

/// The artifact ids of the files `node`'s predecessors published, sorted.
fn predecessor_files(
    wf: &Workflow,
    completed: &HashMap<NodeId, Completion>,
    node: &NodeId,
) -> Vec<String> {
    let Some(ix) = wf.lookup(node.as_str()) else {
        return Vec::new();
    };
    let mut inputs: Vec<String> = wf
        .predecessors(ix)
        .iter()
        .filter_map(|&p| completed.get(wf.id(p)))
        .flat_map(|c| c.files.iter().map(|f| f.blake3.clone()))
        .collect();
    inputs.sort();
    inputs.dedup();
    inputs
}
