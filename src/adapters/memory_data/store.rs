//! The shared state behind every clone of [`MemoryData`](super::MemoryData): the records, the
//! id and clock counters, the idempotency keys, and the problems (RFC 9457) it answers with.

use std::collections::HashMap;

use crate::ports::data_access::*;

/// Everything the port has recorded.
#[derive(Debug, Default)]
pub(super) struct Store {
    next_id: u64,
    clock: u64,
    pub(super) users: HashMap<UserId, (User, String)>,
    pub(super) tokens: HashMap<String, UserId>,
    pub(super) projects: HashMap<ProjectId, Project>,
    pub(super) members: HashMap<ProjectId, Vec<Member>>,
    pub(super) workflows: HashMap<WorkflowId, Vec<WorkflowVersionRecord>>,
    pub(super) workflow_heads: HashMap<WorkflowId, Workflow>,
    pub(super) runs: HashMap<RunId, Run>,
    pub(super) extensions: HashMap<ExtensionId, Extension>,
    pub(super) audit: Vec<AuditEntry>,
    /// Idempotency key → (the request's fingerprint, the first answer).
    pub(super) keys: HashMap<String, (String, serde_json::Value)>,
    /// Mutations performed (not replays), for tests to count.
    pub(super) mutations: u64,
}

impl Store {
    /// The next id: one counter for every kind of record.
    pub(super) fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// A timestamp one microsecond after the previous one: ordered and reproducible.
    pub(super) fn now(&mut self) -> Timestamp {
        self.clock += 1;
        Timestamp(format!(
            "2025-01-01T00:00:00.{:06}Z",
            self.clock.min(999_999)
        ))
    }
}

/// Records `action` by `actor` in `project`'s audit log, as OFB does for every mutation.
pub(super) fn audit(store: &mut Store, actor: UserId, project: ProjectId, action: &str) {
    let at = store.now();
    let id = AuditEntryId(store.id());
    store.audit.push(AuditEntry {
        id,
        at,
        actor_id: Some(actor),
        actor_username: None,
        project_id: Some(project),
        action: action.into(),
        method: String::new(),
        path: String::new(),
        target_type: None,
        target_id: None,
        status: 200,
        outcome: AuditOutcome::Ok,
        detail: None,
    });
}

/// A problem answer with `status` and the type `slug`, as OFB shapes them.
pub(super) fn problem(status: u16, slug: &str, detail: String) -> DataError {
    DataError::from_problem(Problem {
        kind: format!("{}{slug}", crate::data::error::PROBLEM_TYPE_PREFIX),
        title: slug.replace('-', " "),
        status,
        detail,
        instance: None,
        errors: None,
        current_version: None,
    })
}

/// A 404 for `what`.
pub(super) fn not_found(what: impl std::fmt::Display) -> DataError {
    problem(404, "not-found", format!("{what} does not exist"))
}
