//! What Symphony sends to OFB: one type per request body, serialised exactly as
//! `ofb/openapi.json` names its fields. Each has a pre-validator in [`super::prevalidate`].

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ids::{AuditEntryId, ProjectId, UserId, WorkflowVersion};

/// `POST /auth/token` (`TokenRequest`): log in. `Debug` hides the password.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// The account's name.
    pub username: String,
    /// Its password.
    pub password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"…")
            .finish()
    }
}

/// `POST /users` (`UserCreate`): register an account. `Debug` hides the password.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// 3 to 64 characters: letters, digits, `_`, `.`, `-`, starting with a letter or digit.
    pub username: String,
    /// At least 12 characters.
    pub password: String,
}

impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("password", &"…")
            .finish()
    }
}

/// `POST /projects` (`ProjectCreate`): the caller becomes its Admin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewProject {
    /// A non-blank name.
    pub name: String,
    /// Upper bound of the summed `estimated_cost` of the project's live workflows.
    pub cost_budget: f64,
}

/// A member's role in one project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Manages members, approves extensions, and can do everything else.
    Admin,
    /// Creates and edits workflows, registers extensions.
    Creator,
    /// Starts and updates runs.
    Executor,
    /// Reads everything, including the audit log; changes nothing.
    Auditor,
}

/// `POST /projects/{id}/members` (`MemberAdd`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    /// The account to add.
    pub username: String,
    /// Its role in the project.
    pub role: Role,
}

/// One step of a workflow: a name, unique in the workflow, and the extension it calls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The step's name.
    pub name: String,
    /// An approved extension's name.
    pub command: String,
}

/// A workflow's definition (`WorkflowSpec`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowSpec {
    /// The workflow's name.
    pub name: String,
    /// 1 to 1,000 steps.
    pub steps: Vec<Step>,
}

/// `POST /workflows` (`WorkflowCreate`), the seed's contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewWorkflow {
    /// The definition.
    pub spec: WorkflowSpec,
    /// The caller's own id (OFB refuses anyone else's with 403).
    pub user_id: UserId,
    /// The project it belongs to.
    pub project_id: ProjectId,
    /// Counted against the project's budget by OFB.
    pub estimated_cost: f64,
}

/// `PUT /workflows/{id}` (`WorkflowUpdate`): a new version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowEdit {
    /// The new definition.
    pub spec: WorkflowSpec,
    /// The new estimate.
    pub estimated_cost: f64,
    /// The version the caller last saw; a stale one is refused with 409.
    pub version: WorkflowVersion,
}

/// A run's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunState {
    /// Started, nothing running yet.
    Pending,
    /// Running.
    Running,
    /// Finished well.
    Completed,
    /// Finished badly.
    Failed,
    /// Stopped by someone.
    Cancelled,
}

/// One node's (step's) state in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeState {
    /// Not ready.
    Pending,
    /// Ready, waiting for a worker.
    Queued,
    /// Running.
    Running,
    /// Finished well.
    Completed,
    /// Finished badly.
    Failed,
    /// Not run.
    Skipped,
}

/// One node's result (`NodeResult`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeResult {
    /// A step name of the run's workflow version.
    pub name: String,
    /// Its state.
    pub state: NodeState,
    /// How long it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// A short message (at most 1,000 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// `PATCH /runs/{id}` (`RunUpdate`): record a run's status and node results.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunStatusUpdate {
    /// The run's new state, if it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<RunState>,
    /// Node results to record (at most 1,000).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<NodeResult>,
}

/// `POST /projects/{id}/extensions` (`ExtensionCreate`): register an extension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewExtension {
    /// The command workflow steps use to call it.
    pub name: String,
    /// Its version, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The permissions it asks for (at most 64).
    pub permissions: Vec<String>,
}

/// `PUT /extensions/{id}/approval` (`ExtensionApprove`): grant a subset of the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtensionGrant {
    /// The permissions granted.
    pub granted: Vec<String>,
}

/// `GET /projects/{id}/audit` query: one page of the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AuditQuery {
    /// Entries after this one (the previous page's `next_after_id`).
    pub after_id: Option<AuditEntryId>,
    /// At most this many entries (1 to 500; OFB's default is 100).
    pub limit: Option<u32>,
}
