//! A mutating operation as data, so that the offline outbox can store it and replay it later
//! through any [`DataAccessPort`]. Logins and registrations are not here: they need OFB's
//! answer at once and carry a password, which is never written to disk.

use serde::{Deserialize, Serialize};

use super::ids::{ExtensionId, IdempotencyKey, ProjectId, RunId, WorkflowId};
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
