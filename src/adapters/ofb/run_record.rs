//! The Conductor's runs recorded in OFB: one `POST /workflows` per compiled plan, then
//! `POST /workflows/{id}/runs`, a `PATCH /runs/{id}` when it starts running and one when it
//! ends — each through the outbox, so that while OFB is away they queue (with provisional
//! ids) and are replayed in order when it is back. OFB validates the workflow: every step's
//! extension must be approved in the project.
//!
//! The Conductor runs on a thread of its own; the calls run on the runtime that owns the
//! outbox's client (the UI's, or the command's), and the Conductor waits for their answer.

use std::future::Future;
use std::sync::Arc;

use tokio::runtime::Handle;

use super::governance::LocalProject;
use crate::data::ids::{RunId, WorkflowId};
use crate::data::mutation::{Applied, Mutation};
use crate::data::outbox::{OfflineQueue, Submitted};
use crate::data::requests::{
    NewWorkflow, NodeResult, RunState, RunStatusUpdate, Step, WorkflowSpec,
};
use crate::ports::data_access::DataAccessPort;
use crate::ports::run_record::{RecordedStep, RunRecord, RunRecordPort};

/// Records into the local project through `queue`.
pub struct OfbRunRecord<P> {
    queue: Arc<OfflineQueue<P>>,
    project: LocalProject,
    runtime: Handle,
}

impl<P> std::fmt::Debug for OfbRunRecord<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OfbRunRecord")
            .field("project", &self.project)
            .finish_non_exhaustive()
    }
}

impl<P: DataAccessPort + Send + Sync + 'static> OfbRunRecord<P> {
    /// Records into `project` through `queue`, whose client runs on `runtime`.
    pub fn new(queue: Arc<OfflineQueue<P>>, project: LocalProject, runtime: Handle) -> Self {
        OfbRunRecord {
            queue,
            project,
            runtime,
        }
    }

    /// Runs `work` on the outbox's runtime and waits for it.
    fn wait<T: Send + 'static>(
        &self,
        work: impl Future<Output = Result<T, String>> + Send + 'static,
    ) -> Result<T, String> {
        let (tx, rx) = std::sync::mpsc::channel();
        self.runtime.spawn(async move {
            let _ = tx.send(work.await);
        });
        rx.recv()
            .unwrap_or_else(|_| Err("Symphony's connection to OFB has shut down".into()))
    }
}

impl<P: DataAccessPort + Send + Sync + 'static> RunRecordPort for OfbRunRecord<P> {
    fn started(&self, name: &str, steps: &[RecordedStep]) -> Result<RunRecord, String> {
        if steps.is_empty() {
            return Err("it calls no extension, so there is nothing for OFB to check".into());
        }
        let request = NewWorkflow {
            spec: WorkflowSpec {
                name: name.to_owned(),
                steps: steps
                    .iter()
                    .map(|s| Step {
                        name: s.name.clone(),
                        command: s.command.clone(),
                    })
                    .collect(),
            },
            user_id: self.project.user,
            project_id: self.project.project,
            // Symphony's plans carry no money cost (see `governance::PROJECT_BUDGET`).
            estimated_cost: 0.0,
        };
        let queue = self.queue.clone();
        self.wait(async move {
            let created = queue
                .submit(Mutation::CreateWorkflow { request })
                .await
                .map_err(|e| format!("OFB did not accept the workflow: {e}"))?;
            let workflow = created_id(&created).ok_or("OFB's answer named no workflow")?;
            let started = queue
                .submit(Mutation::StartRun {
                    workflow: WorkflowId(workflow),
                })
                .await
                .map_err(|e| format!("OFB did not accept the run: {e}"))?;
            let run = created_id(&started).ok_or("OFB's answer named no run")?;
            let running = RunStatusUpdate {
                state: Some(RunState::Running),
                nodes: Vec::new(),
            };
            queue
                .submit(Mutation::RecordRunStatus {
                    run: RunId(run),
                    request: running,
                })
                .await
                .map_err(|e| format!("OFB did not accept the run's start: {e}"))?;
            Ok(RunRecord { workflow, run })
        })
    }

    fn ended(&self, run: RunRecord, state: RunState, nodes: Vec<NodeResult>) -> String {
        let queue = self.queue.clone();
        let outcome = self.wait(async move {
            queue
                .submit(Mutation::RecordRunStatus {
                    run: RunId(run.run),
                    request: RunStatusUpdate {
                        state: Some(state),
                        nodes,
                    },
                })
                .await
                .map_err(|e| e.to_string())
        });
        match outcome {
            Ok(Submitted::Applied(_)) => format!(
                "recorded in OFB as run {} of workflow {}",
                run.run, run.workflow
            ),
            Ok(Submitted::Queued { pending, .. }) => format!(
                "OFB is out of reach: the run's record waits in the outbox ({pending} operation{} \
                 queued)",
                if pending == 1 { "" } else { "s" }
            ),
            Err(e) => format!("not recorded in OFB: {e}"),
        }
    }
}

/// The id of what a submitted mutation created: OFB's, or the outbox's provisional one.
fn created_id(submitted: &Submitted) -> Option<u64> {
    match submitted {
        Submitted::Applied(Applied::Workflow(w)) => Some(w.id.0),
        Submitted::Applied(Applied::Run(r)) => Some(r.id.0),
        Submitted::Queued { provisional, .. } => *provisional,
        Submitted::Applied(_) => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::adapters::memory_data::MemoryData;
    use crate::data::ids::IdempotencyKey;
    use crate::data::requests::{NewExtension, NodeState};

    #[test]
    fn a_run_is_recorded_as_a_workflow_a_run_and_its_end() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let data = runtime.block_on(MemoryData::new().signed_in());
        let project = runtime
            .block_on(LocalProject::ensure(&data, dir.path(), "local"))
            .unwrap();
        runtime.block_on(async {
            let request = NewExtension {
                name: "demo.upper".into(),
                version: None,
                permissions: Vec::new(),
            };
            let e = data
                .register_extension(project.project, &request, &IdempotencyKey::generate())
                .await
                .unwrap();
            let grant = crate::data::requests::ExtensionGrant {
                granted: Vec::new(),
            };
            data.approve_extension(e.id, &grant, &IdempotencyKey::generate())
                .await
                .unwrap();
        });
        let queue = Arc::new(OfflineQueue::open(data.clone(), &dir.path().join("outbox")).unwrap());
        let record = OfbRunRecord::new(queue, project, runtime.handle().clone());
        let steps = [RecordedStep {
            name: "upper".into(),
            command: "demo.upper".into(),
        }];
        let run = record.started("shout", &steps).unwrap();
        let said = record.ended(
            run,
            RunState::Completed,
            vec![NodeResult {
                name: "upper".into(),
                state: NodeState::Completed,
                duration_ms: Some(3),
                message: None,
            }],
        );
        assert!(said.starts_with("recorded in OFB"), "{said}");
        let stored = runtime.block_on(data.get_run(RunId(run.run))).unwrap();
        assert_eq!(stored.state, RunState::Completed);
        assert_eq!(stored.nodes.len(), 1);
    }
}
