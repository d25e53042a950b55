//! A mutating operation as data, so that the offline outbox can store it and replay it later
//! through any [`DataAccessPort`]. Logins and registrations are not here: they need OFB's
//! answer at once and carry a password, which is never written to disk.
//!
//! An object created while OFB is away has no id yet: the outbox gives it a provisional one
//! (above [`MAX_ID`], so it can never be mistaken for, or sent as, a real id), later queued
//! mutations may refer to it, and the replay puts the real id in their place.

use serde::{Deserialize, Serialize};

use super::ids::{ExtensionId, IdempotencyKey, MAX_ID, ProjectId, RunId, WorkflowId};
use super::prevalidate::{Prevalidate, ValidationErrors, check_id};
use super::requests::{
    ExtensionGrant, NewExtension, NewMember, NewProject, NewWorkflow, RunStatusUpdate, WorkflowEdit,
};
use super::responses::{Extension, Member, Project, Run, Workflow};
use crate::ports::data_access::{DataAccessPort, DataResult};

/// One mutating operation (its `op` tag names it in the outbox file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Mutation {
    /// `POST /projects`.
    CreateProject {
        /// The request.
        request: NewProject,
    },
    /// `POST /projects/{id}/members`.
    AddMember {
        /// Where.
        project: ProjectId,
        /// The request.
        request: NewMember,
    },
    /// `POST /workflows`.
    CreateWorkflow {
        /// The request.
        request: NewWorkflow,
    },
    /// `PUT /workflows/{id}`.
    UpdateWorkflow {
        /// Which.
        workflow: WorkflowId,
        /// The request.
        request: WorkflowEdit,
    },
    /// `POST /workflows/{id}/runs`.
    StartRun {
        /// Which workflow.
        workflow: WorkflowId,
    },
    /// `PATCH /runs/{id}`.
    RecordRunStatus {
        /// Which run.
        run: RunId,
        /// The request.
        request: RunStatusUpdate,
    },
    /// `POST /projects/{id}/extensions`.
    RegisterExtension {
        /// Where.
        project: ProjectId,
        /// The request.
        request: NewExtension,
    },
    /// `PUT /extensions/{id}/approval`.
    ApproveExtension {
        /// Which.
        extension: ExtensionId,
        /// The request.
        request: ExtensionGrant,
    },
}

/// What a mutation produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Applied {
    /// A project.
    Project(Project),
    /// A membership.
    Member(Member),
    /// A workflow (created or edited).
    Workflow(Workflow),
    /// A run (started or updated).
    Run(Run),
    /// An extension (registered or approved).
    Extension(Extension),
}

/// The first provisional id: far above any id OFB hands out (`MAX_ID` = 2^53 - 1).
pub const FIRST_PROVISIONAL: u64 = 1 << 60;

/// True for an id the outbox made up for an object that OFB has not created yet.
pub fn is_provisional(id: u64) -> bool {
    id > MAX_ID
}

impl Mutation {
    /// A short name for messages (`create workflow`).
    pub fn describe(&self) -> &'static str {
        match self {
            Mutation::CreateProject { .. } => "create project",
            Mutation::AddMember { .. } => "add member",
            Mutation::CreateWorkflow { .. } => "create workflow",
            Mutation::UpdateWorkflow { .. } => "update workflow",
            Mutation::StartRun { .. } => "start run",
            Mutation::RecordRunStatus { .. } => "record run status",
            Mutation::RegisterExtension { .. } => "register extension",
            Mutation::ApproveExtension { .. } => "approve extension",
        }
    }

    /// True for the mutations that create an object (and so get a provisional id offline).
    pub fn creates(&self) -> bool {
        matches!(
            self,
            Mutation::CreateProject { .. }
                | Mutation::CreateWorkflow { .. }
                | Mutation::StartRun { .. }
                | Mutation::RegisterExtension { .. }
        )
    }

    /// The id of the object a creating mutation made, from OFB's answer.
    pub fn created_id(&self, applied: &Applied) -> Option<u64> {
        if !self.creates() {
            return None;
        }
        Some(match applied {
            Applied::Project(p) => p.id.0,
            Applied::Workflow(w) => w.id.0,
            Applied::Run(r) => r.id.0,
            Applied::Extension(e) => e.id.0,
            Applied::Member(_) => return None,
        })
    }

    /// Every id this mutation refers to (projects, workflows, runs, extensions), changed by `f`.
    pub fn map_ids(&mut self, mut f: impl FnMut(u64) -> u64) {
        match self {
            Mutation::CreateProject { .. } => {}
            Mutation::AddMember { project, .. } | Mutation::RegisterExtension { project, .. } => {
                project.0 = f(project.0)
            }
            Mutation::CreateWorkflow { request } => request.project_id.0 = f(request.project_id.0),
            Mutation::UpdateWorkflow { workflow, .. } | Mutation::StartRun { workflow } => {
                workflow.0 = f(workflow.0)
            }
            Mutation::RecordRunStatus { run, .. } => run.0 = f(run.0),
            Mutation::ApproveExtension { extension, .. } => extension.0 = f(extension.0),
        }
    }

    /// The provisional ids this mutation refers to.
    pub fn provisional_refs(&self) -> Vec<u64> {
        let mut refs = Vec::new();
        self.clone().map_ids(|id| {
            if is_provisional(id) {
                refs.push(id);
            }
            id
        });
        refs
    }

    /// Pre-validates as [`Self::prevalidate`], taking provisional ids for the real ones the
    /// replay will put in their place.
    pub fn prevalidate_queued(&self) -> Result<(), ValidationErrors> {
        let mut probe = self.clone();
        probe.map_ids(|id| if is_provisional(id) { 1 } else { id });
        probe.prevalidate()
    }

    /// Pre-validates the request and its ids, as the port would before sending.
    pub fn prevalidate(&self) -> Result<(), ValidationErrors> {
        match self {
            Mutation::CreateProject { request } => request.prevalidate(),
            Mutation::AddMember { project, request } => {
                check_id("project", project.0)?;
                request.prevalidate()
            }
            Mutation::CreateWorkflow { request } => request.prevalidate(),
            Mutation::UpdateWorkflow { workflow, request } => {
                check_id("workflow", workflow.0)?;
                request.prevalidate()
            }
            Mutation::StartRun { workflow } => check_id("workflow", workflow.0),
            Mutation::RecordRunStatus { run, request } => {
                check_id("run", run.0)?;
                request.prevalidate()
            }
            Mutation::RegisterExtension { project, request } => {
                check_id("project", project.0)?;
                request.prevalidate()
            }
            Mutation::ApproveExtension { extension, request } => {
                check_id("extension", extension.0)?;
                request.prevalidate()
            }
        }
    }

    /// Performs the mutation through `port` with `key`: one call.
    pub async fn apply<P: DataAccessPort>(
        &self,
        port: &P,
        key: &IdempotencyKey,
    ) -> DataResult<Applied> {
        Ok(match self {
            Mutation::CreateProject { request } => {
                Applied::Project(port.create_project(request, key).await?)
            }
            Mutation::AddMember { project, request } => {
                Applied::Member(port.add_member(*project, request, key).await?)
            }
            Mutation::CreateWorkflow { request } => {
                Applied::Workflow(port.create_workflow(request, key).await?)
            }
            Mutation::UpdateWorkflow { workflow, request } => {
                Applied::Workflow(port.update_workflow(*workflow, request, key).await?)
            }
            Mutation::StartRun { workflow } => Applied::Run(port.start_run(*workflow, key).await?),
            Mutation::RecordRunStatus { run, request } => {
                Applied::Run(port.record_run_status(*run, request, key).await?)
            }
            Mutation::RegisterExtension { project, request } => {
                Applied::Extension(port.register_extension(*project, request, key).await?)
            }
            Mutation::ApproveExtension { extension, request } => {
                Applied::Extension(port.approve_extension(*extension, request, key).await?)
            }
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn references_are_found_and_mapped_and_only_creations_create() {
        let provisional = FIRST_PROVISIONAL + 4;
        let mut start = Mutation::StartRun {
            workflow: WorkflowId(provisional),
        };
        assert!(is_provisional(provisional) && !is_provisional(MAX_ID));
        assert_eq!(start.provisional_refs(), vec![provisional]);
        assert!(start.prevalidate().is_err(), "never sent as it is");
        assert!(start.prevalidate_queued().is_ok());
        start.map_ids(|id| if id == provisional { 17 } else { id });
        assert_eq!(
            start,
            Mutation::StartRun {
                workflow: WorkflowId(17)
            }
        );
        assert!(start.provisional_refs().is_empty());
        assert!(start.creates());
        let approve = Mutation::ApproveExtension {
            extension: ExtensionId(3),
            request: ExtensionGrant { granted: vec![] },
        };
        assert!(!approve.creates() && approve.provisional_refs().is_empty());
    }
}
