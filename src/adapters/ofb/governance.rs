//! OFB decides what extensions may do. Symphony works in one OFB project (created on first
//! use, its id kept in `DATA/ofb/project.json`); `ext install` registers an extension there
//! with the permissions its manifest requests, an Admin approves a subset, and the decision is
//! cached in the extension's approval record ([`extensions::Approval`]), which the core checks
//! before it starts a host.
//!
//! Registration is not queued in the outbox: OFB's answer (the extension's id, then its
//! grant) is what lets the extension run, so an extension installed while OFB is away is kept
//! *unregistered* — that record is its place in the queue — and [`Governor::sync`] registers it
//! at the next connection. Approving and revoking are decisions OFB must make at once; offline,
//! they fail and say so.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use extensions::approval::requested;
use extensions::{Approval, ApprovalStatus, Authority, Installed, Registry};
use serde::{Deserialize, Serialize};

use crate::data::ids::{ExtensionId, IdempotencyKey, ProjectId, UserId};
use crate::data::requests::{ExtensionGrant, NewExtension, NewProject};
use crate::data::responses::{Extension, ExtensionStatus};
use crate::ports::data_access::{DataAccessPort, DataError};

/// The local project's name in OFB.
pub const PROJECT_NAME: &str = "symphony";
/// Its cost budget: Symphony's own plans carry no money cost, so the budget never binds.
const PROJECT_BUDGET: f64 = 1e12;

/// The OFB project Symphony records into, and who Symphony is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalProject {
    /// The project.
    pub project: ProjectId,
    /// The user Symphony acts as (the local admin, or `SYMPHONY_OFB_TOKEN`'s user).
    pub user: UserId,
}

impl LocalProject {
    /// Where the projects are kept: `DATA/ofb/project.json`, one per OFB (`local`, or a
    /// remote OFB's URL), so that switching OFB never records into another OFB's project.
    pub fn file(ofb_dir: &Path) -> PathBuf {
        ofb_dir.join("project.json")
    }

    /// The project recorded in `ofb_dir` for the OFB called `origin`, if any.
    pub fn recorded(ofb_dir: &Path, origin: &str) -> Result<Option<LocalProject>, GovernanceError> {
        Ok(read_projects(ofb_dir)?.remove(origin))
    }

    /// The project recorded in `ofb_dir` for the OFB called `origin`, or a new one created in
    /// that OFB (and recorded).
    pub async fn ensure<P: DataAccessPort>(
        port: &P,
        ofb_dir: &Path,
        origin: &str,
    ) -> Result<LocalProject, GovernanceError> {
        let mut projects = read_projects(ofb_dir)?;
        if let Some(project) = projects.get(origin) {
            return Ok(*project);
        }
        let user = port.current_user().await?.id;
        let request = NewProject {
            name: PROJECT_NAME.to_owned(),
            cost_budget: PROJECT_BUDGET,
        };
        let project = port
            .create_project(&request, &IdempotencyKey::generate())
            .await?
            .id;
        let local = LocalProject { project, user };
        projects.insert(origin.to_owned(), local);
        let file = LocalProject::file(ofb_dir);
        let text = serde_json::to_string_pretty(&projects).unwrap_or_default();
        std::fs::create_dir_all(ofb_dir)
            .and_then(|()| std::fs::write(&file, text))
            .map_err(|e| GovernanceError::ProjectFile {
                path: file.clone(),
                detail: e.to_string(),
            })?;
        Ok(local)
    }
}

/// The projects recorded in `ofb_dir`, by OFB.
fn read_projects(ofb_dir: &Path) -> Result<BTreeMap<String, LocalProject>, GovernanceError> {
    let file = LocalProject::file(ofb_dir);
    match std::fs::read_to_string(&file) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| GovernanceError::ProjectFile {
            path: file.clone(),
            detail: e.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(GovernanceError::ProjectFile {
            path: file,
            detail: e.to_string(),
        }),
    }
}

/// What an Admin grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantChoice {
    /// Everything requested.
    All,
    /// Nothing (the extension may run, with no permission at all).
    Nothing,
    /// These permissions, each one requested.
    Only(Vec<String>),
}

impl GrantChoice {
    /// `all`, `none`, or a comma-separated list of permissions (`fs:$PROJECT/**,system:env`).
    pub fn parse(text: &str) -> GrantChoice {
        match text.trim() {
            "all" => GrantChoice::All,
            "none" | "" => GrantChoice::Nothing,
            list => GrantChoice::Only(
                list.split(',')
                    .map(|p| p.trim().to_owned())
                    .filter(|p| !p.is_empty())
                    .collect(),
            ),
        }
    }

    /// The permissions granted out of `requested`; a permission not requested is an error
    /// that lists what was.
    pub fn resolve(&self, id: &str, requested: &[String]) -> Result<Vec<String>, GovernanceError> {
        match self {
            GrantChoice::All => Ok(requested.to_vec()),
            GrantChoice::Nothing => Ok(Vec::new()),
            GrantChoice::Only(list) => {
                if let Some(extra) = list.iter().find(|p| !requested.contains(p)) {
                    return Err(GovernanceError::NotRequested {
                        id: id.to_owned(),
                        permission: extra.clone(),
                        requested: requested.to_vec(),
                    });
                }
                Ok(list.clone())
            }
        }
    }
}

/// Why a governance step failed.
#[derive(Debug, thiserror::Error)]
pub enum GovernanceError {
    /// OFB refused or could not be reached.
    #[error(transparent)]
    Data(#[from] DataError),
    /// The local record of an extension could not be read or written.
    #[error(transparent)]
    Extension(#[from] extensions::ExtensionError),
    /// `DATA/ofb/project.json` is unreadable.
    #[error(
        "{}: {detail}; move it away to record into a new OFB project",
        path.display()
    )]
    ProjectFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// A grant names a permission the extension did not ask for.
    #[error(
        "extension `{id}` did not request `{permission}`; it requests: {}",
        if requested.is_empty() { "nothing".to_owned() } else { requested.join(", ") }
    )]
    NotRequested {
        /// The extension.
        id: String,
        /// The permission.
        permission: String,
        /// What it did request.
        requested: Vec<String>,
    },
    /// The extension was granted locally, without OFB.
    #[error(
        "extension `{0}` was granted locally (--local-grant), not by OFB: reinstall it without \
         --local-grant to have OFB decide"
    )]
    LocalGrant(String),
}

/// What [`Governor::sync`] did to one extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synced {
    /// The extension.
    pub id: String,
    /// Its record now.
    pub status: ApprovalStatus,
    /// What went wrong, if anything (the record is unchanged then).
    pub problem: Option<String>,
}

/// Symphony's side of OFB's authority over extensions, through any [`DataAccessPort`].
#[derive(Debug)]
pub struct Governor<'a, P> {
    port: P,
    project: LocalProject,
    registry: &'a Registry,
}

impl<'a, P: DataAccessPort> Governor<'a, P> {
    /// Governs `registry`'s extensions in `project` through `port`.
    pub fn new(port: P, project: LocalProject, registry: &'a Registry) -> Governor<'a, P> {
        Governor {
            port,
            project,
            registry,
        }
    }

    /// Brings every installed extension's record up to date with OFB: registers those OFB was
    /// not told of, and refreshes the others' status and grant. One extension's problem does
    /// not stop the others; offline, the records stay as they were.
    pub async fn sync(&self) -> Result<Vec<Synced>, GovernanceError> {
        let mut out = Vec::new();
        for installed in self.registry.list()? {
            let id = installed.manifest.id.to_string();
            match self.sync_one(&installed).await {
                Ok(record) => out.push(Synced {
                    id,
                    status: record.status,
                    problem: None,
                }),
                Err(e) => {
                    let status = self.registry.approval(&installed)?.status;
                    out.push(Synced {
                        id,
                        status,
                        problem: Some(e.to_string()),
                    });
                }
            }
        }
        Ok(out)
    }

    /// Brings one extension's record up to date (see [`Self::sync`]).
    pub async fn sync_one(&self, installed: &Installed) -> Result<Approval, GovernanceError> {
        let id = &installed.manifest.id;
        let mut record = self.registry.approval(installed)?;
        if record.authority == Authority::Local {
            return Ok(record);
        }
        let known = match (record.ofb_id, record.project) {
            (Some(ofb), Some(project)) if project == self.project.project.0 => {
                match self.port.get_extension(ExtensionId(ofb)).await {
                    Ok(e) => Some(e),
                    // OFB's database was started afresh: register again.
                    Err(DataError::NotFound(_)) => None,
                    Err(e) => return Err(self.note_offline(installed, &mut record, e)),
                }
            }
            _ => None,
        };
        let extension = match known {
            Some(e) => e,
            None => match self.register(installed).await {
                Ok(e) => e,
                Err(e) => return Err(self.note_offline(installed, &mut record, e)),
            },
        };
        let record = from_ofb(&extension, &installed.manifest);
        self.registry.set_approval(id, &record)?;
        Ok(record)
    }

    /// Registers it, or finds it registered already (its record was lost).
    async fn register(&self, installed: &Installed) -> Result<Extension, DataError> {
        let name = installed.manifest.id.to_string();
        let request = NewExtension {
            name: name.clone(),
            version: Some(installed.manifest.version.to_string()),
            permissions: requested(&installed.manifest),
        };
        let key = IdempotencyKey::generate();
        match self
            .port
            .register_extension(self.project.project, &request, &key)
            .await
        {
            Err(DataError::Conflict(problem)) => {
                let all = self.port.list_extensions(self.project.project).await?;
                all.into_iter()
                    .find(|e| e.name == name)
                    .ok_or(DataError::Conflict(problem))
            }
            other => other,
        }
    }

    /// Keeps the record, noting why OFB could not be told (shown when the extension is
    /// refused).
    fn note_offline(
        &self,
        installed: &Installed,
        record: &mut Approval,
        error: DataError,
    ) -> GovernanceError {
        if error.is_offline() && record.status == ApprovalStatus::Unregistered {
            record.note = Some(error.to_string());
            if let Err(e) = self.registry.set_approval(&installed.manifest.id, record) {
                return e.into();
            }
        }
        error.into()
    }

    /// An Admin's decision: grants `choice` out of what the extension requests (registering it
    /// first if needed). Needs OFB now.
    pub async fn approve(
        &self,
        id: &str,
        choice: &GrantChoice,
    ) -> Result<Approval, GovernanceError> {
        let installed = self.registry.get(id)?;
        let record = self.registered(&installed).await?;
        let granted = choice.resolve(id, &record.requested)?;
        let ofb = ExtensionId(record.ofb_id.unwrap_or_default());
        let extension = self
            .port
            .approve_extension(
                ofb,
                &ExtensionGrant { granted },
                &IdempotencyKey::generate(),
            )
            .await?;
        let record = from_ofb(&extension, &installed.manifest);
        self.registry
            .set_approval(&installed.manifest.id, &record)?;
        Ok(record)
    }

    /// An Admin withdraws the approval: the extension may not run. Needs OFB now.
    pub async fn revoke(&self, id: &str) -> Result<Approval, GovernanceError> {
        let installed = self.registry.get(id)?;
        let record = self.registered(&installed).await?;
        let ofb = ExtensionId(record.ofb_id.unwrap_or_default());
        let extension = self
            .port
            .revoke_extension(ofb, &IdempotencyKey::generate())
            .await?;
        let record = from_ofb(&extension, &installed.manifest);
        self.registry
            .set_approval(&installed.manifest.id, &record)?;
        Ok(record)
    }

    /// The record after a sync; a local grant is refused (OFB does not know the extension).
    async fn registered(&self, installed: &Installed) -> Result<Approval, GovernanceError> {
        let record = self.registry.approval(installed)?;
        if record.authority == Authority::Local {
            return Err(GovernanceError::LocalGrant(
                installed.manifest.id.to_string(),
            ));
        }
        self.sync_one(installed).await
    }
}

/// The local record of OFB's answer. The requested list is the manifest's (an upgrade may ask
/// for more than OFB was told; what it was not granted it does not get).
fn from_ofb(e: &Extension, manifest: &extensions::Manifest) -> Approval {
    Approval {
        status: match e.status {
            ExtensionStatus::Pending => ApprovalStatus::Pending,
            ExtensionStatus::Approved => ApprovalStatus::Approved,
            ExtensionStatus::Revoked => ApprovalStatus::Revoked,
        },
        authority: Authority::Ofb,
        ofb_id: Some(e.id.0),
        project: Some(e.project_id.0),
        requested: requested(manifest),
        granted: e.granted.clone(),
        note: None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::adapters::memory_data::MemoryData;
    use crate::adapters::ofb::client::{OfbClient, OfbConfig};

    const MANIFEST: &str = r#"
id = "demo.notes"
name = "Notes"
version = "1.0.0"
author = "A"
license = "MIT"
type = "operator"
[[capabilities]]
method = "tidy"
description = "Tidies notes."
[permissions]
fs = ["$PROJECT/docs/**"]
system = ["env"]
[runtime]
kind = "native"
command = "notes"
"#;

    fn installed(dir: &Path) -> Registry {
        let source = dir.join("src");
        std::fs::create_dir_all(&source).unwrap();
        std::fs::write(source.join("symphony-extension.toml"), MANIFEST).unwrap();
        let registry = Registry::new(dir.join("extensions"));
        registry.install(&source).unwrap();
        registry
    }

    #[tokio::test]
    async fn install_registers_then_an_admin_grants_a_subset_then_revokes() {
        let dir = tempfile::tempdir().unwrap();
        let registry = installed(dir.path());
        let data = MemoryData::new().signed_in().await;
        let project = LocalProject::ensure(&data, &dir.path().join("ofb"), "local")
            .await
            .unwrap();
        assert_eq!(
            LocalProject::ensure(&data, &dir.path().join("ofb"), "local")
                .await
                .unwrap(),
            project,
            "the project is created once"
        );
        let elsewhere =
            LocalProject::ensure(&data, &dir.path().join("ofb"), "https://team.example")
                .await
                .unwrap();
        assert_ne!(
            elsewhere.project, project.project,
            "another OFB gets its own project, never this one's id"
        );
        assert_eq!(
            LocalProject::recorded(&dir.path().join("ofb"), "local").unwrap(),
            Some(project)
        );
        let governor = Governor::new(data.clone(), project, &registry);
        let synced = governor.sync().await.unwrap();
        assert_eq!(synced[0].status, ApprovalStatus::Pending);
        let one = registry.get("demo.notes").unwrap();
        assert!(
            registry
                .approval(&one)
                .unwrap()
                .refusal(&one.manifest.id)
                .is_some()
        );

        let wrong = governor
            .approve("demo.notes", &GrantChoice::parse("network:example.com"))
            .await
            .unwrap_err()
            .to_string();
        assert!(wrong.contains("fs:$PROJECT/docs/**, system:env"), "{wrong}");
        let record = governor
            .approve("demo.notes", &GrantChoice::parse("system:env"))
            .await
            .unwrap();
        assert_eq!(record.status, ApprovalStatus::Approved);
        assert_eq!(record.granted, ["system:env"]);
        assert_eq!(registry.approval(&one).unwrap(), record);

        let revoked = governor.revoke("demo.notes").await.unwrap();
        assert_eq!(revoked.status, ApprovalStatus::Revoked);
        assert!(
            revoked
                .refusal(&one.manifest.id)
                .unwrap()
                .contains("revoked")
        );
    }

    #[tokio::test]
    async fn offline_the_extension_stays_unregistered_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let registry = installed(dir.path());
        let client = OfbClient::new(OfbConfig::new("http://127.0.0.1:9")).unwrap();
        let project = LocalProject {
            project: ProjectId(1),
            user: UserId(1),
        };
        let governor = Governor::new(client, project, &registry);
        let synced = governor.sync().await.unwrap();
        assert_eq!(synced[0].status, ApprovalStatus::Unregistered);
        assert!(
            synced[0]
                .problem
                .as_deref()
                .unwrap()
                .contains("cannot reach OFB")
        );
        let one = registry.get("demo.notes").unwrap();
        let refusal = registry
            .approval(&one)
            .unwrap()
            .refusal(&one.manifest.id)
            .unwrap();
        assert!(refusal.contains("cannot reach OFB"), "{refusal}");
    }

    #[tokio::test]
    async fn a_record_lost_locally_finds_the_registration_again() {
        let dir = tempfile::tempdir().unwrap();
        let registry = installed(dir.path());
        let data = MemoryData::new().signed_in().await;
        let project = LocalProject::ensure(&data, &dir.path().join("ofb"), "local")
            .await
            .unwrap();
        let governor = Governor::new(data.clone(), project, &registry);
        let first = governor
            .approve("demo.notes", &GrantChoice::All)
            .await
            .unwrap();
        let one = registry.get("demo.notes").unwrap();
        std::fs::remove_file(registry.approval_path(&one.manifest.id)).unwrap();
        let again = governor.sync_one(&one).await.unwrap();
        assert_eq!(again, first);
    }
}
