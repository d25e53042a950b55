//! `OfbClient`: [`DataAccessPort`] over HTTP to OFB, on reqwest.
//!
//! One operation is one HTTP call. The only repeat is for a call that never reached OFB
//! (connection refused or reset before sending): it is retried a few times with the same
//! `Idempotency-Key`, so even a repeat that did arrive twice acts once. Every request is
//! pre-validated first; OFB's problem+json answers become typed [`DataError`]s.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::data::prevalidate::{Prevalidate, check_id};
use crate::ports::data_access::*;

/// The header that makes a mutating call safe to repeat.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// How to reach OFB.
#[derive(Debug, Clone)]
pub struct OfbConfig {
    /// `http://127.0.0.1:PORT` (no trailing slash needed).
    pub base_url: String,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Time allowed for a whole call.
    pub request_timeout: Duration,
    /// Extra attempts for a call whose connection failed before anything was sent.
    pub connect_retries: u32,
    /// Pause before the first extra attempt (doubled for each further one).
    pub retry_backoff: Duration,
}

impl OfbConfig {
    /// Defaults suited to a local OFB: 2 s to connect, 15 s per call, 2 retries from 50 ms.
    pub fn new(base_url: impl Into<String>) -> OfbConfig {
        OfbConfig {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(15),
            connect_retries: 2,
            retry_backoff: Duration::from_millis(50),
        }
    }
}

/// A session with OFB (see [`DataAccessPort`]). Clones share one connection pool.
#[derive(Debug, Clone)]
pub struct OfbClient {
    http: reqwest::Client,
    config: Arc<OfbConfig>,
    token: Option<BearerToken>,
}

impl OfbClient {
    /// A client for `config`, with no session yet.
    pub fn new(config: OfbConfig) -> DataResult<OfbClient> {
        // reqwest is built without a crypto provider so that aws-lc (which needs cmake) stays
        // out of the tree; ring is installed as the process default unless one already is.
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .tcp_nodelay(true)
            .user_agent(concat!("symphony/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| DataError::Unreachable {
                url: config.base_url.clone(),
                reason: format!("cannot set up the HTTP client: {e}"),
            })?;
        Ok(OfbClient {
            http,
            config: Arc::new(config),
            token: None,
        })
    }

    /// The base address.
    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    /// `GET /health`: whether OFB answers at all.
    pub async fn health(&self) -> DataResult<()> {
        let _: serde_json::Value = self
            .call("health", Method::GET, "/health".into(), None, None)
            .await?;
        Ok(())
    }

    async fn call<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        method: Method,
        path: String,
        body: Option<Vec<u8>>,
        key: Option<&IdempotencyKey>,
    ) -> DataResult<T> {
        let url = format!("{}{}", self.config.base_url, path);
        let mut attempt = 0;
        let response = loop {
            let mut request = self.http.request(method.clone(), &url);
            if let Some(token) = &self.token {
                let value =
                    HeaderValue::from_str(&format!("Bearer {}", token.0)).map_err(|_| {
                        DataError::from_problem(Problem::synthetic(
                            401,
                            "the stored token is not a valid header value".into(),
                        ))
                    })?;
                request = request.header(AUTHORIZATION, value);
            }
            if let Some(key) = key {
                request = request.header(IDEMPOTENCY_KEY, key.as_str());
            }
            if let Some(body) = &body {
                request = request
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            match request.send().await {
                Ok(response) => break response,
                Err(e) if e.is_connect() && attempt < self.config.connect_retries => {
                    tokio::time::sleep(self.config.retry_backoff * 2u32.pow(attempt)).await;
                    attempt += 1;
                }
                Err(e) => return Err(self.transport_error(&e)),
            }
        };
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(&e))?;
        if status.is_success() {
            let bytes = if status == StatusCode::NO_CONTENT || bytes.is_empty() {
                &b"null"[..]
            } else {
                &bytes[..]
            };
            return serde_json::from_slice(bytes).map_err(|e| DataError::Protocol {
                operation: format!("{operation} ({method} {path})"),
                what: format!("status {status} with a body that does not fit the contract: {e}"),
            });
        }
        let problem = serde_json::from_slice::<Problem>(&bytes).unwrap_or_else(|_| {
            let text = String::from_utf8_lossy(&bytes);
            let text: String = text.chars().take(200).collect();
            Problem::synthetic(status.as_u16(), format!("{method} {path}: {text}"))
        });
        Err(DataError::from_problem(problem))
    }

    fn transport_error(&self, error: &reqwest::Error) -> DataError {
        let url = self.config.base_url.clone();
        if error.is_timeout() {
            return DataError::Timeout {
                url,
                after: self.config.request_timeout,
            };
        }
        // reqwest's own message is "error sending request"; the cause says why.
        let mut reason = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            reason = format!("{reason}: {cause}");
            source = cause.source();
        }
        DataError::Unreachable { url, reason }
    }

    async fn send<B, T>(
        &self,
        operation: &'static str,
        method: Method,
        path: String,
        body: &B,
        key: &IdempotencyKey,
    ) -> DataResult<T>
    where
        B: Serialize + Prevalidate + Sync,
        T: DeserializeOwned,
    {
        body.prevalidate()?;
        key.prevalidate()?;
        let bytes = serde_json::to_vec(body).map_err(|e| DataError::Protocol {
            operation: operation.into(),
            what: format!("cannot encode the request: {e}"),
        })?;
        self.call(operation, method, path, Some(bytes), Some(key))
            .await
    }
}

impl DataAccessPort for OfbClient {
    async fn register_user(&self, request: &NewUser, key: &IdempotencyKey) -> DataResult<User> {
        self.send("register user", Method::POST, "/users".into(), request, key)
            .await
    }

    async fn authenticate(
        &self,
        request: &Credentials,
        key: &IdempotencyKey,
    ) -> DataResult<Session> {
        self.send("log in", Method::POST, "/auth/token".into(), request, key)
            .await
    }

    fn with_session(&self, token: BearerToken) -> OfbClient {
        OfbClient {
            token: Some(token),
            ..self.clone()
        }
    }

    async fn current_user(&self) -> DataResult<User> {
        self.call("who am I", Method::GET, "/users/me".into(), None, None)
            .await
    }

    async fn create_project(
        &self,
        request: &NewProject,
        key: &IdempotencyKey,
    ) -> DataResult<Project> {
        self.send(
            "create project",
            Method::POST,
            "/projects".into(),
            request,
            key,
        )
        .await
    }

    async fn add_member(
        &self,
        project: ProjectId,
        request: &NewMember,
        key: &IdempotencyKey,
    ) -> DataResult<Member> {
        check_id("project", project.0)?;
        let path = format!("/projects/{}/members", project.0);
        self.send("add member", Method::POST, path, request, key)
            .await
    }

    async fn create_workflow(
        &self,
        request: &NewWorkflow,
        key: &IdempotencyKey,
    ) -> DataResult<Workflow> {
        self.send(
            "create workflow",
            Method::POST,
            "/workflows".into(),
            request,
            key,
        )
        .await
    }

    async fn get_workflow(&self, id: WorkflowId) -> DataResult<Workflow> {
        check_id("workflow", id.0)?;
        let path = format!("/workflows/{}", id.0);
        self.call("get workflow", Method::GET, path, None, None)
            .await
    }

    async fn list_workflows(&self, project: ProjectId) -> DataResult<Vec<Workflow>> {
        check_id("project", project.0)?;
        let path = format!("/projects/{}/workflows", project.0);
        self.call("list workflows", Method::GET, path, None, None)
            .await
    }

    async fn update_workflow(
        &self,
        id: WorkflowId,
        request: &WorkflowEdit,
        key: &IdempotencyKey,
    ) -> DataResult<Workflow> {
        check_id("workflow", id.0)?;
        let path = format!("/workflows/{}", id.0);
        self.send("update workflow", Method::PUT, path, request, key)
            .await
    }

    async fn workflow_versions(&self, id: WorkflowId) -> DataResult<Vec<WorkflowVersionRecord>> {
        check_id("workflow", id.0)?;
        let path = format!("/workflows/{}/versions", id.0);
        self.call("list workflow versions", Method::GET, path, None, None)
            .await
    }

    async fn start_run(&self, workflow: WorkflowId, key: &IdempotencyKey) -> DataResult<Run> {
        check_id("workflow", workflow.0)?;
        key.prevalidate()?;
        let path = format!("/workflows/{}/runs", workflow.0);
        self.call("start run", Method::POST, path, None, Some(key))
            .await
    }

    async fn list_runs(&self, workflow: WorkflowId) -> DataResult<Vec<Run>> {
        check_id("workflow", workflow.0)?;
        let path = format!("/workflows/{}/runs", workflow.0);
        self.call("list runs", Method::GET, path, None, None).await
    }

    async fn get_run(&self, id: RunId) -> DataResult<Run> {
        check_id("run", id.0)?;
        let path = format!("/runs/{}", id.0);
        self.call("get run", Method::GET, path, None, None).await
    }

    async fn record_run_status(
        &self,
        id: RunId,
        request: &RunStatusUpdate,
        key: &IdempotencyKey,
    ) -> DataResult<Run> {
        check_id("run", id.0)?;
        let path = format!("/runs/{}", id.0);
        self.send("record run status", Method::PATCH, path, request, key)
            .await
    }

    async fn register_extension(
        &self,
        project: ProjectId,
        request: &NewExtension,
        key: &IdempotencyKey,
    ) -> DataResult<Extension> {
        check_id("project", project.0)?;
        let path = format!("/projects/{}/extensions", project.0);
        self.send("register extension", Method::POST, path, request, key)
            .await
    }

    async fn list_extensions(&self, project: ProjectId) -> DataResult<Vec<Extension>> {
        check_id("project", project.0)?;
        let path = format!("/projects/{}/extensions", project.0);
        self.call("list extensions", Method::GET, path, None, None)
            .await
    }

    async fn get_extension(&self, id: ExtensionId) -> DataResult<Extension> {
        check_id("extension", id.0)?;
        let path = format!("/extensions/{}", id.0);
        self.call("get extension", Method::GET, path, None, None)
            .await
    }

    async fn approve_extension(
        &self,
        id: ExtensionId,
        request: &ExtensionGrant,
        key: &IdempotencyKey,
    ) -> DataResult<Extension> {
        check_id("extension", id.0)?;
        let path = format!("/extensions/{}/approval", id.0);
        self.send("approve extension", Method::PUT, path, request, key)
            .await
    }

    async fn revoke_extension(
        &self,
        id: ExtensionId,
        key: &IdempotencyKey,
    ) -> DataResult<Extension> {
        check_id("extension", id.0)?;
        let path = format!("/extensions/{}/approval", id.0);
        self.call("revoke extension", Method::DELETE, path, None, Some(key))
            .await
    }

    async fn read_audit(&self, project: ProjectId, query: &AuditQuery) -> DataResult<AuditPage> {
        check_id("project", project.0)?;
        query.prevalidate()?;
        let mut path = format!("/projects/{}/audit", project.0);
        let mut sep = '?';
        if let Some(after) = query.after_id {
            path.push_str(&format!("{sep}after_id={}", after.0));
            sep = '&';
        }
        if let Some(limit) = query.limit {
            path.push_str(&format!("{sep}limit={limit}"));
        }
        self.call("read audit log", Method::GET, path, None, None)
            .await
    }
}
