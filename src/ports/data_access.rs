//! `DataAccessPort`: Symphony's view of OFB, the authoritative backend (users, projects,
//! roles, workflows and their versions, runs, extensions, the audit log).
//!
//! Every method is one operation, and an adapter makes exactly one HTTP call for it (retrying
//! only a call that never reached OFB, with the same `Idempotency-Key`). Every request is
//! pre-validated ([`crate::data::prevalidate`]) before anything is sent. Mutating methods take
//! the [`IdempotencyKey`] from the caller, so that the offline outbox can replay an operation
//! days later without it ever acting twice.
//!
//! An adapter is one session: it carries the bearer token of the account it acts for.
//!
//! Architecture invariant: the port holds no business rule. What a role may do, budgets and
//! whether a workflow is valid are decided by OFB; the in-memory adapter only mimics the shapes.

use std::future::Future;

pub use crate::data::error::{DataError, Problem, ProblemField};
pub use crate::data::ids::{
    AuditEntryId, BearerToken, ExtensionId, IdempotencyKey, ProjectId, RunId, UserId, WorkflowId,
    WorkflowVersion,
};
pub use crate::data::requests::{
    AuditQuery, Credentials, ExtensionGrant, NewExtension, NewMember, NewProject, NewUser,
    NewWorkflow, NodeResult, NodeState, Role, RunState, RunStatusUpdate, Step, WorkflowEdit,
    WorkflowSpec,
};
pub use crate::data::responses::{
    AuditEntry, AuditOutcome, AuditPage, Extension, ExtensionStatus, Member, Project, Run,
    RunSummary, Session, Timestamp, User, Workflow, WorkflowVersionRecord,
};

/// The result of a data operation.
pub type DataResult<T> = Result<T, DataError>;

/// The operations of OFB that Symphony uses, one call each.
pub trait DataAccessPort: Send + Sync {
    /// `POST /users`: register an account.
    fn register_user(
        &self,
        request: &NewUser,
        key: &IdempotencyKey,
    ) -> impl Future<Output = DataResult<User>> + Send;

    /// `POST /auth/token`: log in; the session's token is for [`Self::with_session`].
    fn authenticate(
        &self,
        request: &Credentials,
        key: &IdempotencyKey,
    ) -> impl Future<Output = DataResult<Session>> + Send;

    /// The same port acting as another session (cheap: shares connections).
    fn with_session(&self, token: BearerToken) -> Self
    where
        Self: Sized;

    /// `GET /users/me`: who this session is.
    fn current_user(&self) -> impl Future<Output = DataResult<User>> + Send;

    /// `POST /projects`: the caller becomes its Admin.
    fn create_project(
        &self,
        request: &NewProject,
        key: &IdempotencyKey,
    ) -> impl Future<Output = DataResult<Project>> + Send;

    /// `POST /projects/{id}/members`: an Admin adds someone with a role.
    fn add_member(
        &self,
        project: ProjectId,
        request: &NewMember,
        key: &IdempotencyKey,
    ) -> impl Future<Output = DataResult<Member>> + Send;

    /// `POST /workflows`: create a workflow at version 1.
    fn create_workflow(
        &self,
        request: &NewWorkflow,
        key: &IdempotencyKey,
    ) -> impl Future<Output = DataResult<Workflow>> + Send;

    /// `GET /workflows/{id}`: its current version.
    fn get_workflow(&self, id: WorkflowId) -> impl Future<Output = DataResult<Workflow>> + Send;

    /// `GET /projects/{id}/workflows`: a project's live workflows.
    fn list_workflows(
        &self,
        project: ProjectId,
    ) -> impl Future<Output = DataResult<Vec<Workflow>>> + Send;

    /// `PUT /workflows/{id}`: a new version; a stale `version` is a [`DataError::Conflict`].
    fn update_workflow(
        &self,
        id: WorkflowId,
        request: &WorkflowEdit,
        key: &IdempotencyKey,
    ) -> impl Future<Output = DataResult<Workflow>> + Send;

    /// `GET /workflows/{id}/versions`: every kept version, oldest first.
    fn workflow_versions(
        &self,
        id: WorkflowId,
    ) -> impl Future<Output = DataResult<Vec<WorkflowVersionRecord>>> + Send;

    /// `POST /workflows/{id}/runs`: start a run of the current version.
    fn start_run(
        &self,
        workflow: WorkflowId,
        key: &IdempotencyKey,
    ) -> impl Future<Output = DataResult<Run>> + Send;

    /// `GET /runs/{id}`.
    fn get_run(&self, id: RunId) -> impl Future<Output = DataResult<Run>> + Send;

    /// `GET /workflows/{id}/runs`: a workflow's runs, oldest first.
    fn list_runs(&self, workflow: WorkflowId) -> impl Future<Output = DataResult<Vec<Run>>> + Send;

    /// `PATCH /runs/{id}`: record a run's state and node results.
    fn record_run_status(
        &self,
        id: RunId,
        request: &RunStatusUpdate,
        key: &IdempotencyKey,
    ) -> impl Future<Output = DataResult<Run>> + Send;

    /// `POST /projects/{id}/extensions`: register an extension with requested permissions.
    fn register_extension(
        &self,
        project: ProjectId,
        request: &NewExtension,
        key: &IdempotencyKey,
    ) -> impl Future<Output = DataResult<Extension>> + Send;

    /// `GET /projects/{id}/extensions`: a project's extensions.
    fn list_extensions(
        &self,
        project: ProjectId,
    ) -> impl Future<Output = DataResult<Vec<Extension>>> + Send;

    /// `GET /extensions/{id}`: requested versus granted permissions.
    fn get_extension(&self, id: ExtensionId) -> impl Future<Output = DataResult<Extension>> + Send;

    /// `PUT /extensions/{id}/approval`: an Admin grants a subset of the requested permissions.
    fn approve_extension(
        &self,
        id: ExtensionId,
        request: &ExtensionGrant,
        key: &IdempotencyKey,
    ) -> impl Future<Output = DataResult<Extension>> + Send;

    /// `DELETE /extensions/{id}/approval`: an Admin revokes it; nothing is granted.
    fn revoke_extension(
        &self,
        id: ExtensionId,
        key: &IdempotencyKey,
    ) -> impl Future<Output = DataResult<Extension>> + Send;

    /// `GET /projects/{id}/audit`: one page of the project's audit log.
    fn read_audit(
        &self,
        project: ProjectId,
        query: &AuditQuery,
    ) -> impl Future<Output = DataResult<AuditPage>> + Send;
}
