//! Contract tests of the OFB adapter. Every case runs twice: against wiremock, which asserts
//! the request's shape (method, path, query, headers, JSON body) and that exactly one call was
//! made (`.expect(1)`); and against the real OFB started by the test, where OFB's audit log
//! must gain exactly one entry per mutating case. So the mock cannot drift from the server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ofb_support;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};
use symphony::adapters::ofb::{OfbClient, OfbConfig};
use symphony::ports::data_access::*;
use wiremock::matchers::{body_json, header, header_exists, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use ofb_support::{LiveOfb, PASSWORD, World, key, spec};

type Outcome = DataResult<Value>;
type Call = fn(OfbClient, World) -> Pin<Box<dyn Future<Output = Outcome> + Send>>;

/// Who makes the call.
#[derive(Debug, Clone, Copy)]
enum Who {
    Admin,
    Creator,
    Executor,
    Auditor,
    Outsider,
    Anonymous,
    Forged,
}

/// One operation, its expected request, the mock's answer and what the result must satisfy.
struct Case {
    name: &'static str,
    who: Who,
    method: &'static str,
    path: fn(&World) -> String,
    query: &'static [(&'static str, &'static str)],
    body: Option<fn(&World) -> Value>,
    /// The mock's answer: status and body (problem+json when the status is an error).
    reply: fn(&World) -> (u16, Value),
    /// For mutations: the action OFB must audit exactly once.
    audit: Option<&'static str>,
    call: Call,
    check: fn(&World, &Outcome),
}

fn value<T: Serialize>(result: DataResult<T>) -> Outcome {
    result.map(|v| serde_json::to_value(v).unwrap())
}

fn token(world: &World, who: Who) -> Option<BearerToken> {
    Some(match who {
        Who::Admin => world.admin.token.clone(),
        Who::Creator => world.creator.token.clone(),
        Who::Executor => world.executor.token.clone(),
        Who::Auditor => world.auditor.token.clone(),
        Who::Outsider => world.outsider.token.clone(),
        Who::Forged => BearerToken("not-a-token".into()),
        Who::Anonymous => return None,
    })
}

fn problem(status: u16, slug: &str, detail: &str) -> (u16, Value) {
    (
        status,
        json!({"type": format!("urn:symphony:ofb:problem:{slug}"), "title": slug,
               "status": status, "detail": detail}),
    )
}

fn workflow_json(w: &World, id: u64, version: u64, spec: Value, cost: f64) -> Value {
    json!({"id": id, "spec": spec, "user_id": w.creator.id, "project_id": w.project,
           "created_at": "2025-01-02T03:04:05.123456Z", "status": "created", "version": version,
           "estimated_cost": cost, "updated_at": "2025-01-02T03:04:05.123456Z"})
}

fn run_json(w: &World, state: &str, nodes: Value) -> Value {
    json!({"id": w.run, "workflow_id": w.workflow, "workflow_version": 1, "project_id": w.project,
           "state": state, "started_by": w.executor.id, "created_at": "2025-01-02T03:04:05Z",
           "updated_at": "2025-01-02T03:04:05Z",
           "summary": {"total": 1, "pending": 0, "queued": 0, "running": 1, "completed": 0,
                       "failed": 0, "skipped": 0},
           "nodes": nodes})
}

fn extension_json(w: &World, id: ExtensionId, name: &str, status: &str, granted: Value) -> Value {
    json!({"id": id, "project_id": w.project, "name": name, "version": "1.0", "status": status,
           "requested": ["fs:read", "net"], "granted": granted, "registered_by": w.creator.id,
           "created_at": "2025-01-02T03:04:05Z", "decided_by": null, "decided_at": null})
}

fn seed_request(w: &World) -> NewWorkflow {
    NewWorkflow {
        spec: spec("ship", &[("fetch", "echo")]),
        user_id: w.creator.id,
        project_id: w.project,
        estimated_cost: 12.5,
    }
}

fn edit(version: u64) -> WorkflowEdit {
    WorkflowEdit {
        spec: spec("build", &[("fetch", "echo"), ("again", "echo")]),
        estimated_cost: 20.0,
        version: WorkflowVersion(version),
    }
}

fn expect_problem(result: &Outcome, slug: &str, check: fn(&DataError) -> bool) {
    let error = result.as_ref().expect_err("OFB must refuse this");
    assert!(check(error), "wrong error type: {error:?}");
    assert_eq!(error.problem().unwrap().slug(), slug, "{error:?}");
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "create a workflow (the seed's contract)",
            who: Who::Creator,
            method: "POST",
            path: |_| "/workflows".into(),
            query: &[],
            body: Some(|w| {
                json!({"spec": {"name": "ship", "steps": [{"name": "fetch", "command": "echo"}]},
                       "user_id": w.creator.id, "project_id": w.project, "estimated_cost": 12.5})
            }),
            reply: |w| {
                let spec = json!({"name": "ship", "steps": [{"name": "fetch", "command": "echo"}]});
                (201, workflow_json(w, 7, 1, spec, 12.5))
            },
            audit: Some("workflow.create"),
            call: |c, w| {
                Box::pin(async move { value(c.create_workflow(&seed_request(&w), &key()).await) })
            },
            check: |w, r| {
                let created: Workflow =
                    serde_json::from_value(r.as_ref().unwrap().clone()).unwrap();
                assert_eq!(created.spec, seed_request(w).spec);
                assert_eq!(created.status, "created");
                assert_eq!(created.version, WorkflowVersion(1));
                assert_eq!(created.user_id, w.creator.id);
                assert_eq!(created.project_id, w.project);
            },
        },
        Case {
            name: "get a workflow",
            who: Who::Auditor,
            method: "GET",
            path: |w| format!("/workflows/{}", w.workflow.0),
            query: &[],
            body: None,
            reply: |w| {
                let spec =
                    json!({"name": "build", "steps": [{"name": "fetch", "command": "echo"}]});
                (200, workflow_json(w, w.workflow.0, 1, spec, 10.0))
            },
            audit: None,
            call: |c, w| Box::pin(async move { value(c.get_workflow(w.workflow).await) }),
            check: |w, r| {
                let got: Workflow = serde_json::from_value(r.as_ref().unwrap().clone()).unwrap();
                assert_eq!(got.id, w.workflow);
                assert_eq!(got.version, WorkflowVersion(1));
            },
        },
        Case {
            name: "update a workflow to version 2",
            who: Who::Creator,
            method: "PUT",
            path: |w| format!("/workflows/{}", w.workflow.0),
            query: &[],
            body: Some(|_| serde_json::to_value(edit(1)).unwrap()),
            reply: |w| {
                let spec = serde_json::to_value(edit(1).spec).unwrap();
                (200, workflow_json(w, w.workflow.0, 2, spec, 20.0))
            },
            audit: Some("workflow.update"),
            call: |c, w| {
                Box::pin(
                    async move { value(c.update_workflow(w.workflow, &edit(1), &key()).await) },
                )
            },
            check: |_, r| {
                let got: Workflow = serde_json::from_value(r.as_ref().unwrap().clone()).unwrap();
                assert_eq!(got.version, WorkflowVersion(2));
                assert_eq!(got.spec, edit(1).spec);
            },
        },
        Case {
            name: "a stale version is a typed 409 with the current version",
            who: Who::Creator,
            method: "PUT",
            path: |w| format!("/workflows/{}", w.workflow.0),
            query: &[],
            body: Some(|_| serde_json::to_value(edit(1)).unwrap()),
            reply: |_| {
                let (status, mut body) =
                    problem(409, "version-conflict", "workflow 1 is at version 2");
                body["current_version"] = json!(2);
                (status, body)
            },
            audit: Some("workflow.update"),
            call: |c, w| {
                Box::pin(
                    async move { value(c.update_workflow(w.workflow, &edit(1), &key()).await) },
                )
            },
            check: |_, r| {
                expect_problem(r, "version-conflict", |e| {
                    matches!(e, DataError::Conflict(_))
                });
                let error = r.as_ref().unwrap_err();
                assert_eq!(error.problem().unwrap().current_version, Some(2));
                assert!(error.to_string().starts_with("conflict: "), "{error}");
            },
        },
        Case {
            name: "list a workflow's versions",
            who: Who::Executor,
            method: "GET",
            path: |w| format!("/workflows/{}/versions", w.workflow.0),
            query: &[],
            body: None,
            reply: |w| {
                let version = |v: u64, spec: Value| {
                    json!({"workflow_id": w.workflow, "version": v,
                    "spec": spec, "estimated_cost": 10.0, "author_id": w.creator.id,
                    "created_at": "2025-01-02T03:04:05Z"})
                };
                let first =
                    json!({"name": "build", "steps": [{"name": "fetch", "command": "echo"}]});
                let second = serde_json::to_value(edit(1).spec).unwrap();
                (200, json!([version(1, first), version(2, second)]))
            },
            audit: None,
            call: |c, w| Box::pin(async move { value(c.workflow_versions(w.workflow).await) }),
            check: |_, r| {
                let versions: Vec<WorkflowVersionRecord> =
                    serde_json::from_value(r.as_ref().unwrap().clone()).unwrap();
                let numbers: Vec<u64> = versions.iter().map(|v| v.version.0).collect();
                assert_eq!(numbers, vec![1, 2]);
                assert_eq!(versions[1].spec, edit(1).spec);
            },
        },
        Case {
            name: "start a run",
            who: Who::Executor,
            method: "POST",
            path: |w| format!("/workflows/{}/runs", w.workflow.0),
            query: &[],
            body: None,
            reply: |w| (201, run_json(w, "pending", json!([]))),
            audit: Some("run.start"),
            call: |c, w| Box::pin(async move { value(c.start_run(w.workflow, &key()).await) }),
            check: |w, r| {
                let run: Run = serde_json::from_value(r.as_ref().unwrap().clone()).unwrap();
                assert_eq!(run.workflow_id, w.workflow);
                assert_eq!(run.state, RunState::Pending);
                assert_eq!(run.started_by, w.executor.id);
            },
        },
        Case {
            name: "record a run's status",
            who: Who::Executor,
            method: "PATCH",
            path: |w| format!("/runs/{}", w.run.0),
            query: &[],
            body: Some(
                |_| json!({"state": "running", "nodes": [{"name": "fetch", "state": "running", "duration_ms": 5}]}),
            ),
            reply: |w| {
                (
                    200,
                    run_json(
                        w,
                        "running",
                        json!([{"name": "fetch", "state": "running", "duration_ms": 5, "message": null}]),
                    ),
                )
            },
            audit: Some("run.update"),
            call: |c, w| {
                Box::pin(async move {
                    let update = RunStatusUpdate {
                        state: Some(RunState::Running),
                        nodes: vec![NodeResult {
                            name: "fetch".into(),
                            state: NodeState::Running,
                            duration_ms: Some(5),
                            message: None,
                        }],
                    };
                    value(c.record_run_status(w.run, &update, &key()).await)
                })
            },
            check: |w, r| {
                let run: Run = serde_json::from_value(r.as_ref().unwrap().clone()).unwrap();
                assert_eq!(run.id, w.run);
                assert_eq!(run.state, RunState::Running);
                assert_eq!(run.summary.running, 1);
                assert_eq!(run.nodes[0].name, "fetch");
            },
        },
        Case {
            name: "register an extension with requested permissions",
            who: Who::Creator,
            method: "POST",
            path: |w| format!("/projects/{}/extensions", w.project.0),
            query: &[],
            body: Some(
                |_| json!({"name": "lint", "version": "1.0", "permissions": ["fs:read", "net"]}),
            ),
            reply: |w| {
                (
                    201,
                    extension_json(w, ExtensionId(9), "lint", "pending", json!([])),
                )
            },
            audit: Some("extension.register"),
            call: |c, w| {
                Box::pin(async move {
                    let request = NewExtension {
                        name: "lint".into(),
                        version: Some("1.0".into()),
                        permissions: vec!["fs:read".into(), "net".into()],
                    };
                    value(c.register_extension(w.project, &request, &key()).await)
                })
            },
            check: |_, r| {
                let ext: Extension = serde_json::from_value(r.as_ref().unwrap().clone()).unwrap();
                assert_eq!(ext.name, "lint");
                assert_eq!(ext.status, ExtensionStatus::Pending);
                assert_eq!(ext.requested, vec!["fs:read", "net"]);
                assert!(ext.granted.is_empty());
            },
        },
        Case {
            name: "an Admin grants a subset of the requested permissions",
            who: Who::Admin,
            method: "PUT",
            path: |w| format!("/extensions/{}/approval", w.pending.0),
            query: &[],
            body: Some(|_| json!({"granted": ["net"]})),
            reply: |w| {
                (
                    200,
                    extension_json(w, w.pending, "fmt", "approved", json!(["net"])),
                )
            },
            audit: Some("extension.approve"),
            call: |c, w| {
                Box::pin(async move {
                    let grant = ExtensionGrant {
                        granted: vec!["net".into()],
                    };
                    value(c.approve_extension(w.pending, &grant, &key()).await)
                })
            },
            check: |w, r| {
                let ext: Extension = serde_json::from_value(r.as_ref().unwrap().clone()).unwrap();
                assert_eq!(ext.id, w.pending);
                assert_eq!(ext.status, ExtensionStatus::Approved);
                assert_eq!(ext.granted, vec!["net"]);
            },
        },
        Case {
            name: "an Auditor reads the audit log, paged",
            who: Who::Auditor,
            method: "GET",
            path: |w| format!("/projects/{}/audit", w.project.0),
            query: &[("after_id", "1"), ("limit", "3")],
            body: None,
            reply: |w| {
                let entry = |id: u64| {
                    json!({"id": id, "at": "2025-01-02T03:04:05Z",
                    "actor_id": w.admin.id, "actor_username": "admin", "project_id": w.project,
                    "action": "member.add", "method": "POST", "path": "/projects/1/members",
                    "target_type": "user", "target_id": 2, "status": 201, "outcome": "ok",
                    "detail": null})
                };
                (
                    200,
                    json!({"items": [entry(2), entry(3), entry(4)], "next_after_id": 4}),
                )
            },
            audit: None,
            call: |c, w| {
                Box::pin(async move {
                    let query = AuditQuery {
                        after_id: Some(AuditEntryId(1)),
                        limit: Some(3),
                    };
                    value(c.read_audit(w.project, &query).await)
                })
            },
            check: |_, r| {
                let page: AuditPage = serde_json::from_value(r.as_ref().unwrap().clone()).unwrap();
                assert_eq!(page.items.len(), 3);
                assert!(page.items.iter().all(|e| e.id.0 > 1));
                assert_eq!(page.next_after_id, Some(page.items[2].id));
            },
        },
        Case {
            name: "RBAC: an Executor may not create workflows (typed 403)",
            who: Who::Executor,
            method: "POST",
            path: |_| "/workflows".into(),
            query: &[],
            body: Some(|w| {
                json!({"spec": {"name": "ship", "steps": [{"name": "fetch", "command": "echo"}]},
                       "user_id": w.executor.id, "project_id": w.project, "estimated_cost": 12.5})
            }),
            reply: |_| {
                problem(
                    403,
                    "forbidden",
                    "Your role Executor in project 1 does not allow workflow.create",
                )
            },
            audit: Some("workflow.create"),
            call: |c, w| {
                Box::pin(async move {
                    let request = NewWorkflow {
                        user_id: w.executor.id,
                        ..seed_request(&w)
                    };
                    value(c.create_workflow(&request, &key()).await)
                })
            },
            check: |_, r| {
                expect_problem(r, "forbidden", |e| matches!(e, DataError::Forbidden(_)));
                let message = r.as_ref().unwrap_err().to_string();
                assert!(message.starts_with("not allowed: "), "{message}");
                assert!(message.contains("ask a project Admin"), "{message}");
            },
        },
        Case {
            name: "RBAC: an Auditor may not start runs (typed 403)",
            who: Who::Auditor,
            method: "POST",
            path: |w| format!("/workflows/{}/runs", w.workflow.0),
            query: &[],
            body: None,
            reply: |_| {
                problem(
                    403,
                    "forbidden",
                    "Your role Auditor does not allow run.start",
                )
            },
            audit: Some("run.start"),
            call: |c, w| Box::pin(async move { value(c.start_run(w.workflow, &key()).await) }),
            check: |_, r| expect_problem(r, "forbidden", |e| matches!(e, DataError::Forbidden(_))),
        },
        Case {
            name: "RBAC: someone outside the project sees a 404",
            who: Who::Outsider,
            method: "GET",
            path: |w| format!("/workflows/{}", w.workflow.0),
            query: &[],
            body: None,
            reply: |_| problem(404, "not-found", "Workflow 1 does not exist"),
            audit: None,
            call: |c, w| Box::pin(async move { value(c.get_workflow(w.workflow).await) }),
            check: |_, r| expect_problem(r, "not-found", |e| matches!(e, DataError::NotFound(_))),
        },
        Case {
            name: "a business rule only OFB knows: the command must be an approved extension",
            who: Who::Creator,
            method: "POST",
            path: |_| "/workflows".into(),
            query: &[],
            body: Some(|w| {
                json!({"spec": {"name": "ship", "steps": [{"name": "deploy", "command": "kubectl"}]},
                       "user_id": w.creator.id, "project_id": w.project, "estimated_cost": 1.0})
            }),
            reply: |_| {
                let (status, mut body) = problem(
                    400,
                    "invalid-workflow",
                    "Step 'deploy': command 'kubectl' is not an extension registered in project 1",
                );
                body["errors"] = json!([{"pointer": "#/spec/steps/0/command", "location": "body", "detail": "not registered"}]);
                (status, body)
            },
            audit: Some("workflow.create"),
            call: |c, w| {
                Box::pin(async move {
                    let request = NewWorkflow {
                        spec: spec("ship", &[("deploy", "kubectl")]),
                        estimated_cost: 1.0,
                        ..seed_request(&w)
                    };
                    value(c.create_workflow(&request, &key()).await)
                })
            },
            check: |_, r| {
                expect_problem(r, "invalid-workflow", |e| {
                    matches!(e, DataError::BadRequest(_))
                });
                let message = r.as_ref().unwrap_err().to_string();
                assert!(message.contains("kubectl"), "{message}");
                assert!(message.contains("spec.steps.0.command"), "{message}");
            },
        },
        Case {
            name: "log in",
            who: Who::Anonymous,
            method: "POST",
            path: |_| "/auth/token".into(),
            query: &[],
            body: Some(|_| json!({"username": "creator", "password": PASSWORD})),
            reply: |w| {
                (
                    200,
                    json!({"access_token": "fresh", "token_type": "bearer", "user_id": w.creator.id}),
                )
            },
            audit: None,
            call: |c, _| {
                Box::pin(async move {
                    let credentials = Credentials {
                        username: "creator".into(),
                        password: PASSWORD.into(),
                    };
                    value(c.authenticate(&credentials, &key()).await)
                })
            },
            check: |w, r| {
                let session: Session = serde_json::from_value(r.as_ref().unwrap().clone()).unwrap();
                assert_eq!(session.user_id, w.creator.id);
                assert!(!session.access_token.0.is_empty());
            },
        },
        Case {
            name: "a forged token is a typed 401",
            who: Who::Forged,
            method: "GET",
            path: |_| "/users/me".into(),
            query: &[],
            body: None,
            reply: |_| problem(401, "unauthorized", "The bearer token is not valid"),
            audit: None,
            call: |c, _| Box::pin(async move { value(c.current_user().await) }),
            check: |_, r| {
                expect_problem(r, "unauthorized", |e| {
                    matches!(e, DataError::Unauthorized(_))
                });
                assert!(r.as_ref().unwrap_err().to_string().contains("log in again"));
            },
        },
    ]
}

fn session(client: &OfbClient, world: &World, who: Who) -> OfbClient {
    match token(world, who) {
        Some(token) => client.with_session(token),
        None => client.clone(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_case_makes_one_call_of_the_expected_shape_against_the_mock() {
    let world = World::fixed();
    for case in cases() {
        let server = MockServer::start().await;
        let (status, reply) = (case.reply)(&world);
        let content_type = if status >= 400 {
            "application/problem+json"
        } else {
            "application/json"
        };
        let mut mock = Mock::given(method(case.method)).and(path((case.path)(&world)));
        for (name, value) in case.query {
            mock = mock.and(query_param(*name, *value));
        }
        if let Some(token) = token(&world, case.who) {
            mock = mock.and(header(
                "authorization",
                format!("Bearer {}", token.0).as_str(),
            ));
        }
        if case.method != "GET" {
            mock = mock.and(header_exists("idempotency-key"));
        }
        if let Some(body) = case.body {
            mock = mock
                .and(header("content-type", "application/json"))
                .and(body_json((body)(&world)));
        }
        mock.respond_with(
            ResponseTemplate::new(status).set_body_raw(reply.to_string(), content_type),
        )
        .expect(1)
        .named(case.name)
        .mount(&server)
        .await;
        let client = OfbClient::new(OfbConfig::new(server.uri())).unwrap();
        let outcome = (case.call)(session(&client, &world, case.who), world.clone()).await;
        if let Err(DataError::NotFound(p)) = &outcome
            && p.slug() != "not-found"
        {
            panic!(
                "{}: the request did not match the expected shape: {p:?}",
                case.name
            );
        }
        (case.check)(&world, &outcome);
        server.verify().await;
    }
}

async fn audit_after(auditor: &OfbClient, project: ProjectId, after: u64) -> Vec<AuditEntry> {
    let query = AuditQuery {
        after_id: Some(AuditEntryId(after)),
        limit: Some(500),
    };
    auditor.read_audit(project, &query).await.unwrap().items
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_cases_hold_against_the_real_ofb() {
    let ofb = LiveOfb::start();
    let world = World::build(&ofb).await;
    let client = ofb.client();
    let auditor = client.with_session(world.auditor.token.clone());
    let mut last = audit_after(&auditor, world.project, 0)
        .await
        .last()
        .map_or(0, |e| e.id.0);
    for case in cases() {
        let outcome = (case.call)(session(&client, &world, case.who), world.clone()).await;
        (case.check)(&world, &outcome);
        let new = audit_after(&auditor, world.project, last).await;
        match case.audit {
            Some(action) => {
                assert_eq!(
                    new.len(),
                    1,
                    "{}: exactly one call audited, got {new:#?}",
                    case.name
                );
                assert_eq!(new[0].action, action, "{}", case.name);
                let expected = if outcome.is_ok() {
                    AuditOutcome::Ok
                } else {
                    AuditOutcome::Refused
                };
                assert_eq!(new[0].outcome, expected, "{}", case.name);
                last = new[0].id.0;
            }
            None => assert!(
                new.is_empty(),
                "{}: a read must change nothing: {new:#?}",
                case.name
            ),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_request_is_refused_before_any_call() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let client = OfbClient::new(OfbConfig::new(server.uri())).unwrap();
    let world = World::fixed();
    let mut request = seed_request(&world);
    request.spec.steps.push(Step {
        name: String::new(),
        command: "echo".into(),
    });
    let error = client.create_workflow(&request, &key()).await.unwrap_err();
    assert!(matches!(error, DataError::Invalid(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "not sent to OFB, the request is malformed: spec.steps[1].name: empty"
    );
    let error = client.get_workflow(WorkflowId(0)).await.unwrap_err();
    assert!(
        error.to_string().contains("workflow: 0 is not an id"),
        "{error}"
    );
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_is_retried_with_the_same_idempotency_key() {
    // Reserve a port, free it so the first attempts are refused, then serve on it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let mut config = OfbConfig::new(format!("http://{address}"));
    config.connect_retries = 6;
    config.retry_backoff = Duration::from_millis(40);
    let world = World::fixed();
    let client = OfbClient::new(config)
        .unwrap()
        .with_session(world.creator.token.clone());
    let the_key = key();
    let call = {
        let (client, key, request) = (client.clone(), the_key.clone(), seed_request(&world));
        tokio::spawn(async move { client.create_workflow(&request, &key).await })
    };
    tokio::time::sleep(Duration::from_millis(60)).await;
    let listener = std::net::TcpListener::bind(address).unwrap();
    let server = MockServer::builder().listener(listener).start().await;
    let spec = json!({"name": "ship", "steps": [{"name": "fetch", "command": "echo"}]});
    Mock::given(method("POST"))
        .and(path("/workflows"))
        .and(header("idempotency-key", the_key.as_str()))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(workflow_json(&world, 7, 1, spec, 12.5)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let created = call.await.unwrap().unwrap();
    assert_eq!(created.id, WorkflowId(7));
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absent_ofb_is_reported_as_unreachable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let mut config = OfbConfig::new(format!("http://{address}"));
    config.retry_backoff = Duration::from_millis(1);
    let client = OfbClient::new(config).unwrap();
    let error = client.health().await.unwrap_err();
    assert!(error.is_offline(), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with(&format!("cannot reach OFB at http://{address}")),
        "{error}"
    );
}
