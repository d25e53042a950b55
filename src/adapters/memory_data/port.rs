//! [`DataAccessPort`] for [`MemoryData`]: each call checked as OFB checks it, then applied to
//! the store once per idempotency key.

use crate::data::prevalidate::{Prevalidate, check_id};
use crate::ports::data_access::*;

use super::MemoryData;
use super::store::{audit, not_found, problem};

impl DataAccessPort for MemoryData {
    async fn register_user(&self, request: &NewUser, key: &IdempotencyKey) -> DataResult<User> {
        request.prevalidate()?;
        self.once(key, request, "register", |s| {
            if s.users
                .values()
                .any(|(u, _)| u.username == request.username)
            {
                return Err(problem(409, "username-taken", "username taken".into()));
            }
            let user = User {
                id: UserId(s.id()),
                username: request.username.clone(),
                created_at: s.now(),
            };
            s.users
                .insert(user.id, (user.clone(), request.password.clone()));
            Ok(user)
        })
    }

    async fn authenticate(
        &self,
        request: &Credentials,
        key: &IdempotencyKey,
    ) -> DataResult<Session> {
        request.prevalidate()?;
        self.once(key, request, "login", |s| {
            let user = s
                .users
                .values()
                .find(|(u, p)| u.username == request.username && *p == request.password)
                .map(|(u, _)| u.id)
                .ok_or_else(|| problem(401, "unauthorized", "wrong username or password".into()))?;
            let token = format!("memory-token-{}", s.id());
            s.tokens.insert(token.clone(), user);
            Ok(Session {
                access_token: BearerToken(token),
                user_id: user,
            })
        })
    }

    fn with_session(&self, token: BearerToken) -> MemoryData {
        MemoryData {
            token: Some(token),
            ..self.clone()
        }
    }

    async fn current_user(&self) -> DataResult<User> {
        self.read(|s, me| {
            s.users
                .get(&me)
                .map(|(u, _)| u.clone())
                .ok_or_else(|| not_found(me))
        })
    }

    async fn create_project(
        &self,
        request: &NewProject,
        key: &IdempotencyKey,
    ) -> DataResult<Project> {
        request.prevalidate()?;
        self.once(key, request, "project", |s| {
            let me = self.caller(s)?;
            let project = Project {
                id: ProjectId(s.id()),
                name: request.name.clone(),
                cost_budget: request.cost_budget,
                committed_cost: 0.0,
                created_by: me,
                created_at: s.now(),
                role: Role::Admin,
            };
            s.projects.insert(project.id, project.clone());
            audit(s, me, project.id, "project.create");
            Ok(project)
        })
    }

    async fn add_member(
        &self,
        project: ProjectId,
        request: &NewMember,
        key: &IdempotencyKey,
    ) -> DataResult<Member> {
        check_id("project", project.0)?;
        request.prevalidate()?;
        self.once(key, &(project, request), "member", |s| {
            let me = self.caller(s)?;
            s.projects.get(&project).ok_or_else(|| not_found(project))?;
            let user = s
                .users
                .values()
                .find(|(u, _)| u.username == request.username)
                .map(|(u, _)| u.id)
                .ok_or_else(|| problem(400, "unknown-user", "no such user".into()))?;
            let member = Member {
                user_id: user,
                username: request.username.clone(),
                role: request.role,
                added_at: s.now(),
            };
            s.members.entry(project).or_default().push(member.clone());
            audit(s, me, project, "member.add");
            Ok(member)
        })
    }

    async fn create_workflow(
        &self,
        request: &NewWorkflow,
        key: &IdempotencyKey,
    ) -> DataResult<Workflow> {
        request.prevalidate()?;
        self.once(key, request, "workflow", |s| {
            let me = self.caller(s)?;
            s.projects
                .get(&request.project_id)
                .ok_or_else(|| not_found(request.project_id))?;
            let now = s.now();
            let workflow = Workflow {
                id: WorkflowId(s.id()),
                spec: request.spec.clone(),
                user_id: me,
                project_id: request.project_id,
                created_at: now.clone(),
                status: "created".into(),
                version: WorkflowVersion(1),
                estimated_cost: request.estimated_cost,
                updated_at: now.clone(),
            };
            s.workflows.insert(
                workflow.id,
                vec![WorkflowVersionRecord {
                    workflow_id: workflow.id,
                    version: workflow.version,
                    spec: workflow.spec.clone(),
                    estimated_cost: workflow.estimated_cost,
                    author_id: me,
                    created_at: now,
                }],
            );
            s.workflow_heads.insert(workflow.id, workflow.clone());
            audit(s, me, workflow.project_id, "workflow.create");
            Ok(workflow)
        })
    }

    async fn get_workflow(&self, id: WorkflowId) -> DataResult<Workflow> {
        check_id("workflow", id.0)?;
        self.read(|s, _| {
            s.workflow_heads
                .get(&id)
                .cloned()
                .ok_or_else(|| not_found(id))
        })
    }

    async fn list_workflows(&self, project: ProjectId) -> DataResult<Vec<Workflow>> {
        check_id("project", project.0)?;
        self.read(|s, _| {
            let mut all: Vec<_> = s
                .workflow_heads
                .values()
                .filter(|w| w.project_id == project)
                .cloned()
                .collect();
            all.sort_by_key(|w| w.id);
            Ok(all)
        })
    }

    async fn update_workflow(
        &self,
        id: WorkflowId,
        request: &WorkflowEdit,
        key: &IdempotencyKey,
    ) -> DataResult<Workflow> {
        check_id("workflow", id.0)?;
        request.prevalidate()?;
        self.once(key, &(id, request), "workflow.update", |s| {
            let me = self.caller(s)?;
            let now = s.now();
            let head = s.workflow_heads.get_mut(&id).ok_or_else(|| not_found(id))?;
            if head.version != request.version {
                let mut error = problem(
                    409,
                    "version-conflict",
                    format!(
                        "{id} is at {}, not {}; reload it and edit again",
                        head.version, request.version
                    ),
                );
                if let DataError::Conflict(p) = &mut error {
                    p.current_version = Some(head.version.0);
                }
                return Err(error);
            }
            head.version = WorkflowVersion(head.version.0 + 1);
            head.spec = request.spec.clone();
            head.estimated_cost = request.estimated_cost;
            head.updated_at = now.clone();
            let head = head.clone();
            s.workflows
                .entry(id)
                .or_default()
                .push(WorkflowVersionRecord {
                    workflow_id: id,
                    version: head.version,
                    spec: head.spec.clone(),
                    estimated_cost: head.estimated_cost,
                    author_id: me,
                    created_at: now,
                });
            audit(s, me, head.project_id, "workflow.update");
            Ok(head)
        })
    }

    async fn workflow_versions(&self, id: WorkflowId) -> DataResult<Vec<WorkflowVersionRecord>> {
        check_id("workflow", id.0)?;
        self.read(|s, _| s.workflows.get(&id).cloned().ok_or_else(|| not_found(id)))
    }

    async fn start_run(&self, workflow: WorkflowId, key: &IdempotencyKey) -> DataResult<Run> {
        check_id("workflow", workflow.0)?;
        self.once(key, &workflow, "run", |s| {
            let me = self.caller(s)?;
            let head = s
                .workflow_heads
                .get(&workflow)
                .cloned()
                .ok_or_else(|| not_found(workflow))?;
            let now = s.now();
            let run = Run {
                id: RunId(s.id()),
                workflow_id: workflow,
                workflow_version: head.version,
                project_id: head.project_id,
                state: RunState::Pending,
                started_by: me,
                created_at: now.clone(),
                updated_at: now,
                summary: RunSummary {
                    total: head.spec.steps.len() as u64,
                    pending: head.spec.steps.len() as u64,
                    ..RunSummary::default()
                },
                nodes: Vec::new(),
            };
            s.runs.insert(run.id, run.clone());
            audit(s, me, head.project_id, "run.start");
            Ok(run)
        })
    }

    async fn list_runs(&self, workflow: WorkflowId) -> DataResult<Vec<Run>> {
        check_id("workflow", workflow.0)?;
        self.read(|s, _| {
            let mut all: Vec<_> = s
                .runs
                .values()
                .filter(|r| r.workflow_id == workflow)
                .cloned()
                .collect();
            all.sort_by_key(|r| r.id);
            Ok(all)
        })
    }

    async fn get_run(&self, id: RunId) -> DataResult<Run> {
        check_id("run", id.0)?;
        self.read(|s, _| s.runs.get(&id).cloned().ok_or_else(|| not_found(id)))
    }

    async fn record_run_status(
        &self,
        id: RunId,
        request: &RunStatusUpdate,
        key: &IdempotencyKey,
    ) -> DataResult<Run> {
        check_id("run", id.0)?;
        request.prevalidate()?;
        self.once(key, &(id, request), "run.update", |s| {
            let me = self.caller(s)?;
            let now = s.now();
            let run = s.runs.get_mut(&id).ok_or_else(|| not_found(id))?;
            if let Some(state) = request.state {
                run.state = state;
            }
            for node in &request.nodes {
                run.nodes.retain(|n| n.name != node.name);
                run.nodes.push(node.clone());
            }
            run.updated_at = now;
            let run = run.clone();
            audit(s, me, run.project_id, "run.update");
            Ok(run)
        })
    }

    async fn register_extension(
        &self,
        project: ProjectId,
        request: &NewExtension,
        key: &IdempotencyKey,
    ) -> DataResult<Extension> {
        check_id("project", project.0)?;
        request.prevalidate()?;
        self.once(key, &(project, request), "extension", |s| {
            let me = self.caller(s)?;
            s.projects.get(&project).ok_or_else(|| not_found(project))?;
            if let Some(clash) = s
                .extensions
                .values()
                .find(|e| e.project_id == project && e.name == request.name)
            {
                return Err(problem(
                    409,
                    "extension-exists",
                    format!(
                        "Project {} already has an extension {:?} (id {})",
                        project.0, request.name, clash.id.0
                    ),
                ));
            }
            let extension = Extension {
                id: ExtensionId(s.id()),
                project_id: project,
                name: request.name.clone(),
                version: request.version.clone(),
                status: ExtensionStatus::Pending,
                requested: request.permissions.clone(),
                granted: Vec::new(),
                registered_by: me,
                created_at: s.now(),
                decided_by: None,
                decided_at: None,
            };
            s.extensions.insert(extension.id, extension.clone());
            audit(s, me, project, "extension.register");
            Ok(extension)
        })
    }

    async fn list_extensions(&self, project: ProjectId) -> DataResult<Vec<Extension>> {
        check_id("project", project.0)?;
        self.read(|s, _| {
            let mut all: Vec<_> = s
                .extensions
                .values()
                .filter(|e| e.project_id == project)
                .cloned()
                .collect();
            all.sort_by_key(|e| e.id);
            Ok(all)
        })
    }

    async fn get_extension(&self, id: ExtensionId) -> DataResult<Extension> {
        check_id("extension", id.0)?;
        self.read(|s, _| s.extensions.get(&id).cloned().ok_or_else(|| not_found(id)))
    }

    async fn approve_extension(
        &self,
        id: ExtensionId,
        request: &ExtensionGrant,
        key: &IdempotencyKey,
    ) -> DataResult<Extension> {
        check_id("extension", id.0)?;
        request.prevalidate()?;
        self.once(key, &(id, request), "extension.approve", |s| {
            let me = self.caller(s)?;
            let now = s.now();
            let extension = s.extensions.get_mut(&id).ok_or_else(|| not_found(id))?;
            extension.status = ExtensionStatus::Approved;
            extension.granted = request.granted.clone();
            extension.decided_by = Some(me);
            extension.decided_at = Some(now);
            let extension = extension.clone();
            audit(s, me, extension.project_id, "extension.approve");
            Ok(extension)
        })
    }

    async fn revoke_extension(
        &self,
        id: ExtensionId,
        key: &IdempotencyKey,
    ) -> DataResult<Extension> {
        check_id("extension", id.0)?;
        self.once(key, &id, "extension.revoke", |s| {
            let me = self.caller(s)?;
            let now = s.now();
            let extension = s.extensions.get_mut(&id).ok_or_else(|| not_found(id))?;
            extension.status = ExtensionStatus::Revoked;
            extension.granted = Vec::new();
            extension.decided_by = Some(me);
            extension.decided_at = Some(now);
            let extension = extension.clone();
            audit(s, me, extension.project_id, "extension.revoke");
            Ok(extension)
        })
    }

    async fn read_audit(&self, project: ProjectId, query: &AuditQuery) -> DataResult<AuditPage> {
        check_id("project", project.0)?;
        query.prevalidate()?;
        self.read(|s, _| {
            let after = query.after_id.map_or(0, |a| a.0);
            let limit = query.limit.unwrap_or(100) as usize;
            let items: Vec<_> = s
                .audit
                .iter()
                .filter(|e| e.project_id == Some(project) && e.id.0 > after)
                .take(limit)
                .cloned()
                .collect();
            let next_after_id = (items.len() == limit).then(|| items[limit - 1].id);
            Ok(AuditPage {
                items,
                next_after_id,
            })
        })
    }
}
