//! Helpers shared by the `ofb_*` tests: starting a throw-away OFB and building a world in it
//! (a project with one member per role, an approved and a pending extension, a workflow, a run).
//! A module of each `ofb_*` test crate (`mod ofb_support;`), not a test of its own.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use symphony::adapters::ofb::{LaunchOptions, OfbClient, OfbConfig, OfbProcess, launcher};
use symphony::ports::data_access::*;

mod project;

/// The password of every user the tests register.
pub const PASSWORD: &str = "correct horse battery";

/// The venv's python, through `scripts/ofb-venv.sh` (once per test binary): the script takes
/// a lock, so a test never sees a venv that another binary is still building, and returns at
/// once when the venv is current.
pub fn python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let python = launcher::venv_python();
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/ofb-venv.sh");
            let status = std::process::Command::new("bash")
                .arg(&script)
                .stdout(std::process::Stdio::null())
                .status();
            assert!(
                matches!(status, Ok(s) if s.success()) && python.is_file(),
                "these tests need OFB's Python environment at {}; `bash scripts/ofb-venv.sh` \
                 could not create it (it needs python3 ≥ 3.11 with venv and pip, and PyPI): {status:?}",
                python.display()
            );
            python
        })
        .clone()
}

/// A throw-away OFB: its database, admin token and log live in a temporary directory.
pub struct LiveOfb {
    pub dir: tempfile::TempDir,
    pub process: OfbProcess,
    pub port: u16,
}

impl LiveOfb {
    pub fn start() -> LiveOfb {
        let dir = tempfile::tempdir().unwrap();
        let process = OfbProcess::start(&Self::options(dir.path(), 0)).unwrap();
        let port = process.url().rsplit(':').next().unwrap().parse().unwrap();
        LiveOfb { dir, process, port }
    }

    fn options(dir: &Path, port: u16) -> LaunchOptions {
        let mut options = LaunchOptions::new(python(), dir.join("ofb.db"), dir.join("ofb.log"));
        options.admin_token_file = Some(dir.join("admin.token"));
        options.port = port;
        options
    }

    /// Starts OFB again on the same database and port (after a kill).
    pub fn restart(&mut self) {
        self.process.kill();
        let mut last = None;
        // The kernel may hold the port a moment after the kill.
        for _ in 0..50 {
            match OfbProcess::start(&Self::options(self.dir.path(), self.port)) {
                Ok(process) => {
                    self.process = process;
                    return;
                }
                Err(e) => last = Some(e),
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("OFB did not restart: {last:?}");
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn client(&self) -> OfbClient {
        OfbClient::new(OfbConfig::new(self.url())).unwrap()
    }

    pub fn admin(&self) -> OfbClient {
        self.client().with_session(self.admin_token())
    }

    /// The admin's session, giving up quickly on a dead OFB so that a test of outages stays
    /// short.
    pub fn impatient_admin(&self) -> OfbClient {
        let mut config = OfbConfig::new(self.url());
        config.connect_retries = 1;
        config.retry_backoff = std::time::Duration::from_millis(10);
        config.request_timeout = std::time::Duration::from_secs(5);
        OfbClient::new(config)
            .unwrap()
            .with_session(self.admin_token())
    }

    pub fn admin_token(&self) -> BearerToken {
        let token = std::fs::read_to_string(self.dir.path().join("admin.token")).unwrap();
        BearerToken(token.trim().to_owned())
    }

    /// A project named `name` with an approved `echo` extension, owned by the local admin.
    pub async fn project_with_echo(&self, name: &str) -> (UserId, ProjectId) {
        project::project_with_echo(&self.admin(), name, 1e9).await
    }
}

/// Someone acting in the tests.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: UserId,
    pub name: String,
    pub token: BearerToken,
}

/// What the contract cases act on.
#[derive(Debug, Clone)]
pub struct World {
    pub admin: Actor,
    pub creator: Actor,
    pub executor: Actor,
    pub auditor: Actor,
    pub outsider: Actor,
    pub project: ProjectId,
    pub approved: ExtensionId,
    pub pending: ExtensionId,
    pub workflow: WorkflowId,
    pub run: RunId,
}

pub fn key() -> IdempotencyKey {
    IdempotencyKey::generate()
}

pub fn spec(name: &str, steps: &[(&str, &str)]) -> WorkflowSpec {
    WorkflowSpec {
        name: name.into(),
        steps: steps
            .iter()
            .map(|(name, command)| Step {
                name: (*name).into(),
                command: (*command).into(),
            })
            .collect(),
    }
}

impl World {
    /// A world with fixed ids, for the mock server.
    pub fn fixed() -> World {
        let actor = |id, name: &str| Actor {
            id: UserId(id),
            name: name.into(),
            token: BearerToken(format!("token-{name}")),
        };
        World {
            admin: actor(1, "admin"),
            creator: actor(2, "creator"),
            executor: actor(3, "executor"),
            auditor: actor(4, "auditor"),
            outsider: actor(5, "outsider"),
            project: ProjectId(1),
            approved: ExtensionId(1),
            pending: ExtensionId(2),
            workflow: WorkflowId(1),
            run: RunId(1),
        }
    }

    /// The same world built in a real OFB through the port.
    pub async fn build(ofb: &LiveOfb) -> World {
        let anonymous = ofb.client();
        let admin_client = ofb.admin();
        let me = admin_client.current_user().await.unwrap();
        let admin = Actor {
            id: me.id,
            name: me.username,
            token: BearerToken(
                std::fs::read_to_string(ofb.dir.path().join("admin.token"))
                    .unwrap()
                    .trim()
                    .to_owned(),
            ),
        };
        let mut actors = Vec::new();
        for name in ["creator", "executor", "auditor", "outsider"] {
            let request = NewUser {
                username: name.into(),
                password: PASSWORD.into(),
            };
            let user = anonymous.register_user(&request, &key()).await.unwrap();
            let credentials = Credentials {
                username: name.into(),
                password: PASSWORD.into(),
            };
            let session = anonymous.authenticate(&credentials, &key()).await.unwrap();
            actors.push(Actor {
                id: user.id,
                name: name.into(),
                token: session.access_token,
            });
        }
        let project = admin_client
            .create_project(
                &NewProject {
                    name: "contract".into(),
                    cost_budget: 1000.0,
                },
                &key(),
            )
            .await
            .unwrap()
            .id;
        for (name, role) in [
            ("creator", Role::Creator),
            ("executor", Role::Executor),
            ("auditor", Role::Auditor),
        ] {
            let member = NewMember {
                username: name.into(),
                role,
            };
            admin_client
                .add_member(project, &member, &key())
                .await
                .unwrap();
        }
        let creator = admin_client.with_session(actors[0].token.clone());
        let executor = admin_client.with_session(actors[1].token.clone());
        let register = |name: &str| NewExtension {
            name: name.into(),
            version: Some("1.0".into()),
            permissions: vec!["fs:read".into(), "net".into()],
        };
        let approved = creator
            .register_extension(project, &register("echo"), &key())
            .await
            .unwrap()
            .id;
        let grant = ExtensionGrant {
            granted: vec!["fs:read".into()],
        };
        admin_client
            .approve_extension(approved, &grant, &key())
            .await
            .unwrap();
        let pending = creator
            .register_extension(project, &register("fmt"), &key())
            .await
            .unwrap()
            .id;
        let workflow = creator
            .create_workflow(
                &NewWorkflow {
                    spec: spec("build", &[("fetch", "echo")]),
                    user_id: actors[0].id,
                    project_id: project,
                    estimated_cost: 10.0,
                },
                &key(),
            )
            .await
            .unwrap()
            .id;
        let run = executor.start_run(workflow, &key()).await.unwrap().id;
        let mut actors = actors.into_iter();
        let mut next = || actors.next().unwrap();
        World {
            admin,
            creator: next(),
            executor: next(),
            auditor: next(),
            outsider: next(),
            project,
            approved,
            pending,
            workflow,
            run,
        }
    }
}
