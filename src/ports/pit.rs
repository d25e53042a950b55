//! The Pit as the core sees it: the Artifact Store, the Stale Manager, the DAG Tracker's runs,
//! the Arbitration Engine and the Pool Manager behind one port. The headless commands and the
//! interface reach the Pit only through this trait; `adapters::LocalPit` implements it
//! in-process on the data directory.

use std::sync::Arc;

use pit::arbitration::{ArbitrationError, OwnerId, Permit, Priority};
use pit::artifacts::{ArtifactError, ArtifactId, ArtifactMeta, GcReport, PutOptions, VerifyReport};
use pit::dag::Workflow;
use pit::journal::JournalError;
use pit::pool::BoxFuture;
use pit::runs::{RunId, RunSummary, RunsError};
use pit::stale::{Policy, SweepReport};

/// Why a Pit operation failed; each message says what and where.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PitFailure {
    /// The Artifact Store failed.
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    /// The run store failed.
    #[error(transparent)]
    Runs(#[from] RunsError),
    /// A run's journal could not be read.
    #[error("the journal of run {run} cannot be read: {source}")]
    Journal {
        /// The run.
        run: String,
        /// Why.
        source: JournalError,
    },
    /// The Arbitration Engine refused a request.
    #[error(transparent)]
    Arbitration(#[from] ArbitrationError),
}

/// What a collection (`symphony artifact gc`) decided and did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Collection {
    /// The Stale Manager's sweep, when a retention policy was given.
    pub sweep: Option<SweepReport>,
    /// Orphan blobs and temporary files removed.
    pub gc: GcReport,
}

/// The Pit, for the core.
pub trait PitPort: Send + Sync {
    /// Stores artifacts durably, in one transaction; returns their records in order.
    fn put_artifacts(
        &self,
        puts: Vec<(Vec<u8>, PutOptions)>,
    ) -> Result<Vec<ArtifactMeta>, PitFailure>;

    /// The artifact a full id or a unique prefix names, with its verified bytes.
    fn get_artifact(&self, id: &str) -> Result<(ArtifactId, Arc<[u8]>), PitFailure>;

    /// Every artifact, or those tagged `tag`, newest first.
    fn list_artifacts(&self, tag: Option<&str>) -> Result<Vec<ArtifactMeta>, PitFailure>;

    /// The artifacts matching `query`, best first.
    fn search_artifacts(
        &self,
        query: &str,
        limit: usize,
    ) -> Result<Vec<(ArtifactMeta, f32)>, PitFailure>;

    /// Reads every artifact back; with `reindex`, rebuilds the search index too (returning
    /// how many artifacts it indexed).
    fn verify_artifacts(&self, reindex: bool) -> Result<(VerifyReport, Option<usize>), PitFailure>;

    /// Judges every artifact by `policy` (kept, archived or deleted, with what live runs
    /// refer to protected) and removes orphan blobs; with `dry_run`, only says what would
    /// happen.
    fn collect(&self, policy: Option<&Policy>, dry_run: bool) -> Result<Collection, PitFailure>;

    /// Every run, newest first.
    fn runs(&self) -> Result<Vec<RunSummary>, PitFailure>;

    /// Puts the outputs run `run` of `wf` has published so far into the Artifact Store, with
    /// their lineage (idempotent); returns their records.
    fn ingest_run(&self, run: &RunId, wf: &Workflow) -> Result<Vec<ArtifactMeta>, PitFailure>;

    /// Waits until `owner` may use `units` worker slots, at `priority`; the slots are held
    /// until the permit is dropped.
    fn admit(
        &self,
        owner: OwnerId,
        units: u64,
        priority: Priority,
    ) -> BoxFuture<'_, Result<Permit, PitFailure>>;

    /// Starts warming what `wf` will need (its instruments, in topological order); returns
    /// how many entries it will warm.
    fn prewarm(&self, wf: &Workflow) -> usize;

    /// The Pool Manager's entries that are not cold, with their states.
    fn pool_states(&self) -> Vec<(String, &'static str)>;
}
