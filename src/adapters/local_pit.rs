//! [`PitPort`] in-process, on the data directory: the Artifact Store (opened when first
//! needed, since another process may hold it), the run store, an arbiter of worker slots
//! shared by every run this process starts, and the pool it was given.

use std::sync::{Arc, Mutex};

use pit::arbitration::{AgingPolicy, Arbiter, Gate, OwnerId, Permit, Priority, Request, Strategy};
use pit::artifacts::{ArtifactId, ArtifactMeta, ArtifactStore, PutOptions, VerifyReport};
use pit::dag::Workflow;
use pit::pool::{BoxFuture, Prewarm};
use pit::runs::{RunId, RunStore, RunSummary, ingest_outputs, now_ms, peek};
use pit::stale::{LiveRefs, Policy, sweep};

use crate::paths::DataPaths;
use crate::ports::{Collection, PitFailure, PitPort};

/// The Pit in this process.
#[derive(Debug)]
pub struct LocalPit {
    paths: DataPaths,
    runs: RunStore,
    store: Mutex<Option<Arc<ArtifactStore>>>,
    workers: Arc<Gate>,
    pool: Option<Arc<dyn Prewarm>>,
}

impl LocalPit {
    /// The Pit on `paths`, with `worker_slots` worker slots for its runs to share (by
    /// priority, with aging, so that none starves).
    pub fn new(paths: DataPaths, worker_slots: u64) -> LocalPit {
        let arbiter = Arbiter::new(
            worker_slots.max(1),
            Strategy::StrictPriority,
            AgingPolicy::default(),
        );
        LocalPit {
            runs: RunStore::new(paths.runs()),
            paths,
            store: Mutex::new(None),
            workers: Gate::new(arbiter),
            pool: None,
        }
    }

    /// The same, with `pool` kept warm for the workflows it runs.
    #[must_use]
    pub fn with_pool(mut self, pool: Arc<dyn Prewarm>) -> LocalPit {
        self.pool = Some(pool);
        self
    }

    /// The arbiter of worker slots (its audit log says who got slots and why).
    pub fn workers(&self) -> &Arc<Gate> {
        &self.workers
    }

    /// The Artifact Store, opened on first use.
    pub fn store(&self) -> Result<Arc<ArtifactStore>, PitFailure> {
        let mut slot = self.store.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(store) = &*slot {
            return Ok(store.clone());
        }
        let store = Arc::new(ArtifactStore::open(&self.paths.artifacts())?);
        *slot = Some(store.clone());
        Ok(store)
    }
}

impl PitPort for LocalPit {
    fn put_artifacts(
        &self,
        puts: Vec<(Vec<u8>, PutOptions)>,
    ) -> Result<Vec<ArtifactMeta>, PitFailure> {
        let store = self.store()?;
        Ok(store.put_many(puts.iter().map(|(b, o)| (b.as_slice(), o.clone())))?)
    }

    fn get_artifact(&self, id: &str) -> Result<(ArtifactId, Arc<[u8]>), PitFailure> {
        let store = self.store()?;
        let id = store.resolve(id)?;
        Ok((id, store.get(&id)?))
    }

    fn list_artifacts(&self, tag: Option<&str>) -> Result<Vec<ArtifactMeta>, PitFailure> {
        Ok(self.store()?.list(tag)?)
    }

    fn search_artifacts(
        &self,
        query: &str,
        limit: usize,
    ) -> Result<Vec<(ArtifactMeta, f32)>, PitFailure> {
        Ok(self.store()?.search(query, limit)?)
    }

    fn verify_artifacts(&self, reindex: bool) -> Result<(VerifyReport, Option<usize>), PitFailure> {
        let store = self.store()?;
        let report = store.verify()?;
        let indexed = if reindex {
            Some(store.rebuild_index()?)
        } else {
            None
        };
        Ok((report, indexed))
    }

    fn collect(&self, policy: Option<&Policy>, dry_run: bool) -> Result<Collection, PitFailure> {
        let store = self.store()?;
        let sweep = match policy {
            Some(policy) => {
                let live = LiveRefs::of_runs(&self.runs)?;
                Some(sweep(&store, policy, &live, now_ms(), dry_run)?)
            }
            None => None,
        };
        let gc = store.gc(dry_run)?;
        Ok(Collection { sweep, gc })
    }

    fn runs(&self) -> Result<Vec<RunSummary>, PitFailure> {
        Ok(self.runs.list()?)
    }

    fn ingest_run(&self, run: &RunId, wf: &Workflow) -> Result<Vec<ArtifactMeta>, PitFailure> {
        let dir = self.paths.runs().join(run.as_str());
        let checkpoint = peek(&dir).map_err(|source| PitFailure::Journal {
            run: run.to_string(),
            source,
        })?;
        if checkpoint.completed.values().all(|c| c.files.is_empty()) {
            return Ok(Vec::new());
        }
        let store = self.store()?;
        Ok(ingest_outputs(
            &store,
            &dir,
            run.as_str(),
            wf,
            &checkpoint.completed,
        )?)
    }

    fn admit(
        &self,
        owner: OwnerId,
        units: u64,
        priority: Priority,
    ) -> BoxFuture<'_, Result<Permit, PitFailure>> {
        Box::pin(async move {
            let units = units.clamp(1, self.workers.inspect(Arbiter::capacity));
            Ok(self
                .workers
                .acquire(Request::new(owner, units, priority))
                .await?)
        })
    }

    fn prewarm(&self, wf: &Workflow) -> usize {
        self.pool.as_ref().map_or(0, |pool| pool.prewarm_for(wf))
    }

    fn pool_states(&self) -> Vec<(String, &'static str)> {
        self.pool
            .as_ref()
            .map_or_else(Vec::new, |pool| pool.entry_states())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::time::Duration;

    use pit::dag::{RunnerName, parse_toml};
    use pit::pool::{Pool, PoolPolicy, Resource};

    use super::*;

    fn pit(slots: u64) -> (tempfile::TempDir, LocalPit) {
        let dir = tempfile::tempdir().unwrap();
        let paths = DataPaths {
            root: dir.path().to_owned(),
        };
        (dir, LocalPit::new(paths, slots))
    }

    #[tokio::test]
    async fn runs_are_admitted_by_priority_within_the_worker_slots() {
        let (_dir, pit) = pit(4);
        let first = pit
            .admit(OwnerId::new(1), 4, Priority::NORMAL)
            .await
            .unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let pit = Arc::new(pit);
        for (owner, priority) in [(2, -200), (3, 700)] {
            let (pit, tx) = (pit.clone(), tx.clone());
            tokio::spawn(async move {
                let priority = Priority::new(priority).unwrap();
                let permit = pit.admit(OwnerId::new(owner), 3, priority).await.unwrap();
                tx.send((owner, permit.amount())).unwrap();
                tokio::time::sleep(Duration::from_millis(10)).await;
            });
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(
            rx.try_recv().is_err(),
            "no slot is free while the first run holds all"
        );
        drop(first);
        assert_eq!(rx.recv().await.unwrap(), (3, 3));
        assert_eq!(rx.recv().await.unwrap(), (2, 3));
        let asked_too_much = pit
            .admit(OwnerId::new(4), 99, Priority::NORMAL)
            .await
            .unwrap();
        assert_eq!(asked_too_much.amount(), 4, "clamped to the slots there are");
        let granted = pit.workers().inspect(|a| a.audit().iter().count());
        assert!(granted >= 4, "every decision is audited");
    }

    #[derive(Debug, Default)]
    struct Hosts {
        warmed: Mutex<Vec<String>>,
    }

    impl Resource for Hosts {
        type Key = RunnerName;
        type Value = ();

        fn warm(&self, key: &RunnerName) -> BoxFuture<'_, Result<(), String>> {
            self.warmed.lock().unwrap().push(key.to_string());
            Box::pin(async { Ok(()) })
        }

        fn size(&self, (): &()) -> u64 {
            1
        }

        fn check<'a>(&'a self, _: &'a RunnerName, (): &'a ()) -> BoxFuture<'a, Result<(), String>> {
            Box::pin(async { Ok(()) })
        }

        fn cool<'a>(&'a self, _: &'a RunnerName, (): &'a ()) -> BoxFuture<'a, ()> {
            Box::pin(async {})
        }
    }

    #[tokio::test]
    async fn a_submitted_workflow_warms_its_instruments_in_topological_order() {
        let (_dir, pit) = pit(2);
        let pool = Pool::new(Hosts::default(), PoolPolicy::default());
        let pit = pit.with_pool(Arc::new(pool.clone()));
        let file = parse_toml(
            r#"
[[nodes]]
id = "summarise"
kind = "instrument"
runner = "llm"
[[nodes]]
id = "embed"
kind = "instrument"
runner = "embedder"
[[nodes]]
id = "again"
kind = "instrument"
runner = "embedder"
[[edges]]
from = "embed"
to = "summarise"
kind = "control"
[[edges]]
from = "summarise"
to = "again"
kind = "control"
"#,
            "wf.toml",
        )
        .unwrap();
        let wf = Workflow::build(&file).unwrap();
        assert_eq!(pit.prewarm(&wf), 2);
        for _ in 0..100 {
            if pit
                .pool_states()
                .iter()
                .filter(|(_, s)| *s == "hot")
                .count()
                == 2
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(
            pit.pool_states(),
            [("embedder".to_owned(), "hot"), ("llm".to_owned(), "hot")]
        );
        assert_eq!(*pool.resource().warmed.lock().unwrap(), ["embedder", "llm"]);
    }
}
