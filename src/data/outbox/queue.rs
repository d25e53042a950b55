//! `OfflineQueue`: mutations go to OFB when it answers and to the outbox when it does not.
//!
//! Order is kept: while anything is queued, new mutations queue behind it (after one attempt
//! to replay the queue), so OFB sees the user's operations in the order they were made.
//!
//! An object created while offline gets a provisional id ([`Submitted::Queued`]); later
//! mutations may refer to it, and are sent with the real id once OFB has created it. A queued
//! mutation OFB refuses leaves the queue (OFB's answer is final) but is kept, with OFB's
//! problem, in the [`RefusedLog`] beside the outbox, for the user to see.

use std::path::Path;

use tokio::sync::Mutex;

use super::file::OutboxFile;
use super::refused::{Refused, RefusedLog};
use crate::data::ids::IdempotencyKey;
use crate::data::mutation::{Applied, Mutation, is_provisional};
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
        /// For a mutation that creates something: the provisional id to refer to it by in
        /// later mutations (as `WorkflowId(id)`, `ProjectId(id)`…) until OFB has created it.
        provisional: Option<u64>,
    },
}

/// What a replay of the outbox did.
#[derive(Debug, Default)]
pub struct Replay {
    /// Mutations OFB performed (or had already performed: a replayed key), in order, as sent.
    pub applied: Vec<(Mutation, Applied)>,
    /// Mutations OFB refused (its answer is final; they are no longer queued but kept in the
    /// refused log).
    pub refused: Vec<(Mutation, DataError)>,
    /// Provisional ids and the real ids OFB gave those objects.
    pub resolved: Vec<(u64, u64)>,
    /// Entries still waiting (OFB went away again mid-replay).
    pub pending: usize,
}

/// A [`DataAccessPort`] with an outbox in front of its mutations.
#[derive(Debug)]
pub struct OfflineQueue<P> {
    port: P,
    outbox: Mutex<OutboxFile>,
    refused_log: RefusedLog,
    /// Queued mutations OFB refused while `submit` replayed the queue, until taken.
    refused: std::sync::Mutex<Vec<(Mutation, DataError)>>,
}

impl<P: DataAccessPort> OfflineQueue<P> {
    /// Mutations through `port`, queued in the outbox at `path` (opened, or created); refusals
    /// are kept in `PATH.refused`.
    pub fn open(port: P, path: &Path) -> DataResult<OfflineQueue<P>> {
        Ok(OfflineQueue {
            port,
            outbox: Mutex::new(OutboxFile::open(path)?),
            refused_log: RefusedLog::beside(path),
            refused: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// The port, for reads.
    pub fn port(&self) -> &P {
        &self.port
    }

    /// The log of the queued mutations OFB refused.
    pub fn refused_log(&self) -> &RefusedLog {
        &self.refused_log
    }

    /// How many mutations are waiting for OFB.
    pub async fn pending(&self) -> usize {
        self.outbox.lock().await.len()
    }

    /// Performs `mutation`, or queues it durably if OFB cannot be reached. A malformed request
    /// is refused at once and never queued; so is anything OFB itself refuses. A mutation that
    /// refers to an object still waiting in the outbox (by its provisional id) queues behind it.
    pub async fn submit(&self, mutation: Mutation) -> DataResult<Submitted> {
        mutation.prevalidate_queued()?;
        let key = IdempotencyKey::generate();
        let mut outbox = self.outbox.lock().await;
        if !outbox.is_empty() {
            let mut replay = Replay::default();
            let result =
                replay_locked(&self.port, &mut outbox, &self.refused_log, &mut replay).await;
            self.refused
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .extend(replay.refused);
            result?;
        }
        let (mutation, unresolved) = resolve(&outbox, mutation);
        if let Some(provisional) = unresolved
            && outbox.is_empty()
        {
            // Its creator is not waiting any more, and OFB never created it.
            return Err(unresolved_error(&mutation, provisional));
        }
        if !outbox.is_empty() {
            return queue(&mut outbox, key, mutation);
        }
        match mutation.apply(&self.port, &key).await {
            Ok(applied) => Ok(Submitted::Applied(applied)),
            Err(error) if error.is_offline() => {
                tracing::info!("OFB unreachable, queuing {}: {error}", mutation.describe());
                queue(&mut outbox, key, mutation)
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
        self.replay_with(|_| {}).await
    }

    /// As [`Self::replay`], calling `progress(pending)` after each entry leaves the queue, so
    /// that a user watching sees the count go down.
    pub async fn replay_with(&self, mut progress: impl FnMut(usize)) -> DataResult<Replay> {
        let mut outbox = self.outbox.lock().await;
        let mut report = Replay::default();
        while !outbox.is_empty() {
            let before = outbox.len();
            replay_one(&self.port, &mut outbox, &self.refused_log, &mut report).await?;
            if outbox.len() == before {
                break; // OFB is out of reach again
            }
            progress(outbox.len());
        }
        report.pending = outbox.len();
        Ok(report)
    }
}

fn queue(
    outbox: &mut OutboxFile,
    key: IdempotencyKey,
    mutation: Mutation,
) -> DataResult<Submitted> {
    let entry = outbox.push(key, mutation)?;
    Ok(Submitted::Queued {
        pending: outbox.len(),
        provisional: entry.creates,
    })
}

/// `mutation` with the provisional ids the outbox knows replaced by real ones, and the first
/// provisional id it does not know, if any.
fn resolve(outbox: &OutboxFile, mut mutation: Mutation) -> (Mutation, Option<u64>) {
    let mut unresolved = None;
    mutation.map_ids(|id| {
        if !is_provisional(id) {
            return id;
        }
        outbox.resolve(id).unwrap_or_else(|| {
            unresolved.get_or_insert(id);
            id
        })
    });
    (mutation, unresolved)
}

fn unresolved_error(mutation: &Mutation, provisional: u64) -> DataError {
    DataError::Unresolved {
        op: mutation.describe(),
        provisional: format!("provisional id {provisional}"),
    }
}

async fn replay_locked<P: DataAccessPort>(
    port: &P,
    outbox: &mut OutboxFile,
    refused_log: &RefusedLog,
    report: &mut Replay,
) -> DataResult<()> {
    while !outbox.is_empty() {
        let before = outbox.len();
        replay_one(port, outbox, refused_log, report).await?;
        if outbox.len() == before {
            break;
        }
    }
    Ok(())
}

/// Sends the oldest entry; leaves it queued if OFB is out of reach.
async fn replay_one<P: DataAccessPort>(
    port: &P,
    outbox: &mut OutboxFile,
    refused_log: &RefusedLog,
    report: &mut Replay,
) -> DataResult<()> {
    let Some(entry) = outbox.pending().front().cloned() else {
        return Ok(());
    };
    let (mutation, unresolved) = resolve(outbox, entry.mutation);
    let result = match unresolved {
        Some(provisional) => Err(unresolved_error(&mutation, provisional)),
        None => mutation.apply(port, &entry.key).await,
    };
    match result {
        Ok(applied) => {
            let created = entry
                .creates
                .and_then(|provisional| Some((provisional, mutation.created_id(&applied)?)));
            outbox.complete_front(created.map(|(_, real)| real))?;
            report.resolved.extend(created);
            report.applied.push((mutation, applied));
        }
        Err(error) if error.is_offline() => {}
        Err(error) => {
            tracing::warn!(
                "OFB refused the queued {} (key {}): {error}",
                mutation.describe(),
                entry.key
            );
            // Kept before it leaves the queue: a crash in between keeps it twice, never zero times.
            refused_log.append(&Refused::new(entry.key, mutation.clone(), &error))?;
            outbox.complete_front(None)?;
            report.refused.push((mutation, error));
        }
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
            assert!(matches!(queued, Submitted::Queued { pending, .. } if pending == i + 1));
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
    async fn a_queued_mutation_ofb_refuses_leaves_the_queue_and_is_kept_and_reported() {
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
        // Gone from the queue, but kept with OFB's problem for the user to see.
        let kept = queue.refused_log().read().unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].mutation, edit("c"));
        assert_eq!(kept[0].problem.as_ref().unwrap().status, 409);
    }

    #[tokio::test]
    async fn a_run_of_a_workflow_created_offline_starts_on_the_real_workflow() {
        use crate::data::ids::WorkflowId;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox");
        let (data, me, project) = session(&MemoryData::new()).await;
        // Something that exists first, so that real and provisional numbers differ.
        queue_of(&data, &path)
            .submit(create("a", me, project))
            .await
            .unwrap();
        data.set_offline(true);
        let provisional = {
            let queue = queue_of(&data, &path);
            let Submitted::Queued {
                provisional: Some(provisional),
                pending: 1,
            } = queue.submit(create("b", me, project)).await.unwrap()
            else {
                panic!("offline: queued, with a provisional id");
            };
            let start = Mutation::StartRun {
                workflow: WorkflowId(provisional),
            };
            let queued = queue.submit(start).await.unwrap();
            assert!(matches!(
                queued,
                Submitted::Queued {
                    pending: 2,
                    provisional: Some(_)
                }
            ));
            provisional
        }; // Symphony stops while offline.
        data.set_offline(false);
        let queue = queue_of(&data, &path);
        let replay = queue.replay().await.unwrap();
        assert!(replay.refused.is_empty(), "{:?}", replay.refused);
        let b = data
            .workflows()
            .into_iter()
            .find(|w| w.spec.name == "b")
            .unwrap();
        assert_eq!(replay.resolved[0], (provisional, b.id.0));
        let Applied::Run(run) = &replay.applied[1].1 else {
            panic!("the second entry starts a run: {:?}", replay.applied);
        };
        assert_eq!(run.workflow_id, b.id, "sent with the real id");
        assert_eq!(
            replay.applied[1].0,
            Mutation::StartRun { workflow: b.id },
            "as sent"
        );
    }

    #[tokio::test]
    async fn a_reference_to_an_object_ofb_refused_to_create_is_refused_too() {
        use crate::data::ids::WorkflowId;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox");
        let (data, me, _) = session(&MemoryData::new()).await;
        let queue = queue_of(&data, &path);
        data.set_offline(true);
        // A project that does not exist: OFB (here its in-memory stand-in) says 404.
        let Submitted::Queued {
            provisional: Some(provisional),
            ..
        } = queue.submit(create("x", me, ProjectId(999))).await.unwrap()
        else {
            panic!("queued");
        };
        let start = Mutation::StartRun {
            workflow: WorkflowId(provisional),
        };
        queue.submit(start.clone()).await.unwrap();
        data.set_offline(false);
        let replay = queue.replay().await.unwrap();
        assert_eq!(replay.refused.len(), 2);
        assert!(matches!(replay.refused[0].1, DataError::NotFound(_)));
        assert!(
            matches!(replay.refused[1].1, DataError::Unresolved { .. }),
            "{:?}",
            replay.refused[1].1
        );
        // Both are kept for the user, the first with OFB's problem.
        let kept = queue.refused_log().read().unwrap();
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].problem.as_ref().unwrap().status, 404);
        assert_eq!(kept[1].mutation, start);
        assert!(kept[1].problem.is_none());
        assert_eq!(queue.pending().await, 0);
        // And now that nothing waits, such a reference is refused at once, not queued.
        let error = queue
            .submit(Mutation::StartRun {
                workflow: WorkflowId(provisional),
            })
            .await
            .unwrap_err();
        assert!(matches!(error, DataError::Unresolved { .. }), "{error}");
    }

    #[tokio::test]
    async fn a_replay_reports_its_progress_one_entry_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let (data, me, project) = session(&MemoryData::new()).await;
        let queue = queue_of(&data, &dir.path().join("outbox"));
        data.set_offline(true);
        for name in ["a", "b", "c"] {
            queue.submit(create(name, me, project)).await.unwrap();
        }
        data.set_offline(false);
        let mut seen = Vec::new();
        let replay = queue
            .replay_with(|pending| seen.push(pending))
            .await
            .unwrap();
        assert_eq!(seen, vec![2, 1, 0]);
        assert_eq!(replay.pending, 0);
    }

    fn queue_of(data: &MemoryData, path: &Path) -> OfflineQueue<MemoryData> {
        OfflineQueue::open(data.clone(), path).unwrap()
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
