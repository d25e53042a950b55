//! What OFB answers, as `ofb/openapi.json` describes it. Unknown fields are ignored so that a
//! newer OFB can add some without breaking an older Symphony.

use serde::{Deserialize, Serialize};

use super::ids::{
    AuditEntryId, BearerToken, ExtensionId, ProjectId, RunId, UserId, WorkflowId, WorkflowVersion,
};
use super::requests::{NodeResult, Role, RunState, WorkflowSpec};

/// An RFC 3339 timestamp as OFB wrote it (UTC, microseconds). Kept as text: Symphony shows
/// and compares these, never computes with them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub String);

/// `TokenOut`: a logged-in session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// Sent as `Authorization: Bearer …`.
    pub access_token: BearerToken,
    /// The account's id.
    pub user_id: UserId,
}

/// `UserOut`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// Its id.
    pub id: UserId,
    /// Its name.
    pub username: String,
    /// When it was registered.
    pub created_at: Timestamp,
}

/// `ProjectOut`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// Its id.
    pub id: ProjectId,
    /// Its name.
    pub name: String,
    /// The budget of its live workflows' estimated costs.
    pub cost_budget: f64,
    /// The summed estimated cost of its live workflows.
    pub committed_cost: f64,
    /// Who created it.
    pub created_by: UserId,
    /// When.
    pub created_at: Timestamp,
    /// The caller's role in it.
    pub role: Role,
}

/// `MemberOut`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// The member's account.
    pub user_id: UserId,
    /// Its name.
    pub username: String,
    /// Its role.
    pub role: Role,
    /// When it was added.
    pub added_at: Timestamp,
}

/// `WorkflowOut`: a workflow at its current version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workflow {
    /// Its id.
    pub id: WorkflowId,
    /// The current definition.
    pub spec: WorkflowSpec,
    /// Who created it.
    pub user_id: UserId,
    /// Its project.
    pub project_id: ProjectId,
    /// When it was created.
    pub created_at: Timestamp,
    /// Always `created` (the seed's contract).
    pub status: String,
    /// The current version, to send back with the next edit.
    pub version: WorkflowVersion,
    /// The current estimate.
    pub estimated_cost: f64,
    /// When the current version was written.
    pub updated_at: Timestamp,
}

/// `WorkflowVersionOut`: one kept version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowVersionRecord {
    /// The workflow.
    pub workflow_id: WorkflowId,
    /// Which version.
    pub version: WorkflowVersion,
    /// Its definition.
    pub spec: WorkflowSpec,
    /// Its estimate.
    pub estimated_cost: f64,
    /// Who wrote it.
    pub author_id: UserId,
    /// When.
    pub created_at: Timestamp,
}

/// `RunSummary`: how many nodes are in each state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RunSummary {
    /// All nodes.
    pub total: u64,
    /// Not ready.
    pub pending: u64,
    /// Waiting for a worker.
    pub queued: u64,
    /// Running.
    pub running: u64,
    /// Finished well.
    pub completed: u64,
    /// Finished badly.
    pub failed: u64,
    /// Not run.
    pub skipped: u64,
}

/// `RunOut`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// Its id.
    pub id: RunId,
    /// The workflow run.
    pub workflow_id: WorkflowId,
    /// The version run.
    pub workflow_version: WorkflowVersion,
    /// The workflow's project.
    pub project_id: ProjectId,
    /// Its state.
    pub state: RunState,
    /// Who started it.
    pub started_by: UserId,
    /// When.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
    /// Counts per node state.
    pub summary: RunSummary,
    /// The node results recorded so far.
    pub nodes: Vec<NodeResult>,
}

/// An extension's approval status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExtensionStatus {
    /// Waiting for an Admin.
    Pending,
    /// Approved: workflow steps may call it.
    Approved,
    /// Approval withdrawn.
    Revoked,
}

/// `ExtensionOut`: requested versus granted permissions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extension {
    /// Its id.
    pub id: ExtensionId,
    /// Its project.
    pub project_id: ProjectId,
    /// The command name.
    pub name: String,
    /// Its version, if given.
    pub version: Option<String>,
    /// Approval status.
    pub status: ExtensionStatus,
    /// What it asked for.
    pub requested: Vec<String>,
    /// What an Admin granted.
    pub granted: Vec<String>,
    /// Who registered it.
    pub registered_by: UserId,
    /// When.
    pub created_at: Timestamp,
    /// Who approved or revoked it.
    #[serde(default)]
    pub decided_by: Option<UserId>,
    /// When.
    #[serde(default)]
    pub decided_at: Option<Timestamp>,
}

/// How an audited call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditOutcome {
    /// It changed something.
    Ok,
    /// OFB refused it.
    Refused,
    /// A retry answered from its `Idempotency-Key`.
    Replayed,
}

/// `AuditEntryOut`: who did what, when, with what outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Its id (ascending in time).
    pub id: AuditEntryId,
    /// When.
    pub at: Timestamp,
    /// Who (none for anonymous calls).
    pub actor_id: Option<UserId>,
    /// Their name.
    pub actor_username: Option<String>,
    /// The project concerned.
    pub project_id: Option<ProjectId>,
    /// The action, such as `workflow.create`.
    pub action: String,
    /// The HTTP method.
    pub method: String,
    /// The path called.
    pub path: String,
    /// What kind of resource was acted on.
    pub target_type: Option<String>,
    /// Which one.
    pub target_id: Option<u64>,
    /// The response status.
    pub status: u16,
    /// The outcome.
    pub outcome: AuditOutcome,
    /// For a refusal, why.
    pub detail: Option<String>,
}

/// `AuditPage`: one page of a project's audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    /// The entries, oldest first.
    pub items: Vec<AuditEntry>,
    /// Pass as `after_id` for the next page; none at the end.
    pub next_after_id: Option<AuditEntryId>,
}
