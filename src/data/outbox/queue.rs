//! `OfflineQueue`: mutations go to OFB when it answers and to the outbox when it does not.
//!
//! Order is kept: while anything is queued, new mutations queue behind it (after one attempt
//! to replay the queue), so OFB sees the user's operations in the order they were made.
//!
//! Limitation: a queued mutation cannot refer to something created by another queued one
//! (its id is not known until OFB creates it); such operations need OFB to be reachable.

use std::path::Path;

use tokio::sync::Mutex;

use super::file::OutboxFile;
use crate::data::ids::IdempotencyKey;
use crate::data::mutation::{Applied, Mutation};
use crate::ports::data_access::{DataAccessPort, DataError, DataResult};

/// What happened to a submitted mutation.
#[derive(Debug, Clone, PartialEq)]
pub enum Submitted {
    /// OFB did it.
    Applied(Applied),
    /// OFB is out of reach: it is in the outbox, behind `pending - 1` others.
    Queued {
        /// Entries waiting, this one included.
        pending: usize,
    },
}

/// What a replay of the outbox did.
#[derive(Debug, Default)]
pub struct Replay {
    /// Mutations OFB performed (or had already performed: a replayed key), in order.
    pub applied: Vec<(Mutation, Applied)>,
    /// Mutations OFB refused (its answer is final; they are no longer queued).
    pub refused: Vec<(Mutation, DataError)>,
    /// Entries still waiting (OFB went away again mid-replay).
    pub pending: usize,
}

/// A [`DataAccessPort`] with an outbox in front of its mutations.
#[derive(Debug)]
pub struct OfflineQueue<P> {
    port: P,
    outbox: Mutex<OutboxFile>,
    /// Queued mutations OFB refused while `submit` replayed the queue, until taken.
    refused: std::sync::Mutex<Vec<(Mutation, DataError)>>,
}

impl<P: DataAccessPort> OfflineQueue<P> {
    /// Mutations through `port`, queued in the outbox at `path` (opened, or created).
    pub fn open(port: P, path: &Path) -> DataResult<OfflineQueue<P>> {
        Ok(OfflineQueue {
            port,
            outbox: Mutex::new(OutboxFile::open(path)?),
            refused: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// The port, for reads.
    pub fn port(&self) -> &P {
        &self.port
    }

    /// How many mutations are waiting for OFB.
    pub async fn pending(&self) -> usize {
        self.outbox.lock().await.len()
    }

    /// Performs `mutation`, or queues it durably if OFB cannot be reached. A malformed request
    /// is refused at once and never queued; so is anything OFB itself refuses.
    pub async fn submit(&self, mutation: Mutation) -> DataResult<Submitted> {
        mutation.prevalidate()?;
        let key = IdempotencyKey::generate();
        let mut outbox = self.outbox.lock().await;
        if !outbox.is_empty() {
            let mut replay = Replay::default();
            let result = replay_locked(&self.port, &mut outbox, &mut replay).await;
            self.refused
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .extend(replay.refused);
            result?;
        }
        if !outbox.is_empty() {
            outbox.push(key, mutation)?;
            return Ok(Submitted::Queued {
                pending: outbox.len(),
            });
        }
        match mutation.apply(&self.port, &key).await {
            Ok(applied) => Ok(Submitted::Applied(applied)),
            Err(error) if error.is_offline() => {
                tracing::info!("OFB unreachable, queuing {}: {error}", mutation.describe());
                outbox.push(key, mutation)?;
                Ok(Submitted::Queued {
                    pending: outbox.len(),
                })
            }
            Err(error) => Err(error),
        }
    }

    /// Queued mutations that OFB refused while [`Self::submit`] replayed the queue (they
    /// are no longer queued: OFB's answer is final), for the user to be told. Empties the list.
    pub fn take_refused(&self) -> Vec<(Mutation, DataError)> {
        std::mem::take(
            &mut *self
                .refused
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Replays the outbox in order, each entry with its original key, until it is empty or
    /// OFB is out of reach again.
    pub async fn replay(&self) -> DataResult<Replay> {
        let mut outbox = self.outbox.lock().await;
        let mut report = Replay::default();
        replay_locked(&self.port, &mut outbox, &mut report).await?;
        report.pending = outbox.len();
        Ok(report)
    }
}

async fn replay_locked<P: DataAccessPort>(
    port: &P,
    outbox: &mut OutboxFile,
    report: &mut Replay,
) -> DataResult<()> {
    while let Some(entry) = outbox.pending().front().cloned() {
        match entry.mutation.apply(port, &entry.key).await {
            Ok(applied) => report.applied.push((entry.mutation, applied)),
            Err(error) if error.is_offline() => break,
            Err(error) => {
                tracing::warn!(
                    "OFB refused the queued {} (key {}): {error}",
                    entry.mutation.describe(),
                    entry.key
                );
                report.refused.push((entry.mutation, error));
            }
        }
        outbox.complete_front()?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::adapters::MemoryData;
    use crate::data::requests::{
        Credentials, NewProject, NewUser, NewWorkflow, Step, WorkflowSpec,
    };
    use crate::ports::data_access::{ProjectId, UserId};

    async fn session(data: &MemoryData) -> (MemoryData, UserId, ProjectId) {
        let user = NewUser {
            username: "ada".into(),
            password: "a long enough password".into(),
        };
        let me = data
            .register_user(&user, &IdempotencyKey::generate())
            .await
            .unwrap();
        let credentials = Credentials {
            username: "ada".into(),
            password: "a long enough password".into(),
        };
        let session = data
            .authenticate(&credentials, &IdempotencyKey::generate())
            .await
            .unwrap();
        let data = data.with_session(session.access_token);
        let project = NewProject {
            name: "p".into(),
            cost_budget: 100.0,
        };
        let project = data
            .create_project(&project, &IdempotencyKey::generate())
            .await
            .unwrap();
        (data, me.id, project.id)
    }

    fn create(name: &str, user: UserId, project: ProjectId) -> Mutation {
        Mutation::CreateWorkflow {
            request: NewWorkflow {
                spec: WorkflowSpec {
                    name: name.into(),
                    steps: vec![Step {
                        name: "s".into(),
                        command: "echo".into(),
                    }],
                },
                user_id: user,
                project_id: project,
                estimated_cost: 1.0,
            },
        }
    }

    fn names(data: &MemoryData) -> Vec<String> {
        data.workflows().into_iter().map(|w| w.spec.name).collect()
    }

    #[tokio::test]
    async fn offline_mutations_queue_in_order_and_replay_once() {
        let dir = tempfile::tempdir().unwrap();
        let (data, me, project) = session(&MemoryData::new()).await;
        let queue = OfflineQueue::open(data.clone(), &dir.path().join("outbox")).unwrap();
        let first = queue.submit(create("a", me, project)).await.unwrap();
        assert!(matches!(first, Submitted::Applied(Applied::Workflow(_))));
        data.set_offline(true);
        for (i, name) in ["b", "c", "d"].into_iter().enumerate() {
            let queued = queue.submit(create(name, me, project)).await.unwrap();
            assert_eq!(queued, Submitted::Queued { pending: i + 1 });
        }
        data.set_offline(false);
        // A new mutation while others wait goes behind them, never ahead.
        let behind = queue.submit(create("e", me, project)).await.unwrap();
        assert!(matches!(behind, Submitted::Applied(_)));
        assert_eq!(names(&data), vec!["a", "b", "c", "d", "e"]);
        assert_eq!(queue.pending().await, 0);
        assert_eq!(
            data.mutations(),
            8,
            "user, login, project and five workflows"
        );
    }

    #[tokio::test]
    async fn a_crash_while_offline_loses_nothing_and_a_repeated_replay_acts_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox");
        let (data, me, project) = session(&MemoryData::new()).await;
        data.set_offline(true);
        {
            let queue = OfflineQueue::open(data.clone(), &path).unwrap();
            for name in ["a", "b", "c"] {
                queue.submit(create(name, me, project)).await.unwrap();
            }
        } // A crash: nothing flushed beyond what `submit` fsynced.
        let before_replay = std::fs::read(&path).unwrap();
        data.set_offline(false);
        let queue = OfflineQueue::open(data.clone(), &path).unwrap();
        assert_eq!(queue.pending().await, 3);
        let replay = queue.replay().await.unwrap();
        assert_eq!(replay.applied.len(), 3);
        assert_eq!(replay.pending, 0);
        drop(queue);
        // A crash after OFB acted but before the outbox recorded it: the same keys again.
        std::fs::write(&path, before_replay).unwrap();
        let queue = OfflineQueue::open(data.clone(), &path).unwrap();
        let again = queue.replay().await.unwrap();
        assert_eq!(again.applied.len(), 3);
        assert_eq!(names(&data), vec!["a", "b", "c"]);
    }

    #[tokio::test]
    async fn a_queued_mutation_ofb_refuses_is_dropped_and_reported() {
        use crate::data::ids::WorkflowVersion;
        use crate::data::requests::WorkflowEdit;
        let dir = tempfile::tempdir().unwrap();
        let (data, me, project) = session(&MemoryData::new()).await;
        let queue = OfflineQueue::open(data.clone(), &dir.path().join("outbox")).unwrap();
        let Submitted::Applied(Applied::Workflow(w)) =
            queue.submit(create("a", me, project)).await.unwrap()
        else {
            panic!("OFB is reachable");
        };
        data.set_offline(true);
        let edit = |name: &str| Mutation::UpdateWorkflow {
            workflow: w.id,
            request: WorkflowEdit {
                spec: WorkflowSpec {
                    name: name.into(),
                    steps: w.spec.steps.clone(),
                },
                estimated_cost: 1.0,
                version: WorkflowVersion(1),
            },
        };
        // Both edits were made against version 1: the second is stale once the first lands.
        queue.submit(edit("b")).await.unwrap();
        queue.submit(edit("c")).await.unwrap();
        data.set_offline(false);
        queue.submit(create("d", me, project)).await.unwrap();
        let refused = queue.take_refused();
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].0, edit("c"));
        assert!(
            matches!(refused[0].1, DataError::Conflict(_)),
            "{:?}",
            refused[0].1
        );
        assert!(queue.take_refused().is_empty());
        assert_eq!(queue.pending().await, 0);
        assert_eq!(names(&data), vec!["b", "d"]);
    }

    #[tokio::test]
    async fn a_malformed_mutation_is_refused_not_queued() {
        let dir = tempfile::tempdir().unwrap();
        let (data, me, project) = session(&MemoryData::new()).await;
        data.set_offline(true);
        let queue = OfflineQueue::open(data, &dir.path().join("outbox")).unwrap();
        let error = queue.submit(create("", me, project)).await.unwrap_err();
        assert_eq!(
            error.to_string(),
            "not sent to OFB, the request is malformed: spec.name: empty"
        );
        assert_eq!(queue.pending().await, 0);
    }
}
