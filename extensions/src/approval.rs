//! What an extension may do, as decided by OFB: the permissions its manifest requests, written
//! as strings OFB stores (`fs:$PROJECT/**`, `network:api.example.com:443`…), and the local
//! record of OFB's decision, kept beside the installed extensions (never in the extension's
//! own, writable, data directory).
//!
//! An extension runs only once it is approved, and then with the granted subset only: the core
//! checks the record before it starts a host ([`crate::Registry::host`]) and the host narrows
//! the manifest to the grant before it confines the guest. The record is a cache of OFB's
//! answer, refreshed whenever Symphony reaches OFB; a `local` record is a development grant
//! made without OFB (`symphony ext install --local-grant`).

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::ExtensionError;
use crate::manifest::file::SystemPermission;
use crate::manifest::{ExtensionId, Manifest, validate};

/// Where an extension stands with OFB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    /// Installed, but OFB has not been told yet (it was out of reach): registered at the next
    /// connection.
    Unregistered,
    /// Registered; an Admin has not decided yet.
    Pending,
    /// Approved with `granted`.
    Approved,
    /// Its approval was revoked: it may not run.
    Revoked,
}

impl ApprovalStatus {
    /// The status as OFB spells it (`pending`, `approved`, `revoked`).
    pub fn from_ofb(status: &str) -> Option<ApprovalStatus> {
        match status {
            "pending" => Some(ApprovalStatus::Pending),
            "approved" => Some(ApprovalStatus::Approved),
            "revoked" => Some(ApprovalStatus::Revoked),
            _ => None,
        }
    }

    /// One word for listings.
    pub fn label(self) -> &'static str {
        match self {
            ApprovalStatus::Unregistered => "unregistered",
            ApprovalStatus::Pending => "pending",
            ApprovalStatus::Approved => "approved",
            ApprovalStatus::Revoked => "revoked",
        }
    }
}

/// Who decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Authority {
    /// OFB (an Admin of the project).
    Ofb,
    /// Nobody: a development grant of everything requested, made without OFB.
    Local,
}

/// The local record of OFB's decision about one installed extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// Where it stands.
    pub status: ApprovalStatus,
    /// Who decided.
    pub authority: Authority,
    /// Its id in OFB, once registered.
    #[serde(default)]
    pub ofb_id: Option<u64>,
    /// The project it is registered in.
    #[serde(default)]
    pub project: Option<u64>,
    /// What its manifest requests.
    pub requested: Vec<String>,
    /// What it may use (a subset of `requested`).
    pub granted: Vec<String>,
    /// Why OFB has not been told yet, for an unregistered one.
    #[serde(default)]
    pub note: Option<String>,
}

impl Approval {
    /// A freshly installed extension's record: nothing granted, OFB not told yet.
    pub fn unregistered(manifest: &Manifest) -> Approval {
        Approval {
            status: ApprovalStatus::Unregistered,
            authority: Authority::Ofb,
            ofb_id: None,
            project: None,
            requested: requested(manifest),
            granted: Vec::new(),
            note: None,
        }
    }

    /// A development grant of everything `manifest` requests, made without OFB.
    pub fn local(manifest: &Manifest) -> Approval {
        let requested = requested(manifest);
        Approval {
            status: ApprovalStatus::Approved,
            authority: Authority::Local,
            ofb_id: None,
            project: None,
            granted: requested.clone(),
            requested,
            note: None,
        }
    }

    /// Read the record at `path`; `None` when there is none.
    pub fn load(path: &Path) -> Result<Option<Approval>, ExtensionError> {
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(ExtensionError::io(format!("reading {}", path.display()), e)),
        };
        serde_json::from_str(&text).map(Some).map_err(|e| {
            ExtensionError::io(
                format!(
                    "reading {} (remove it and run `symphony ext approve` to ask OFB again)",
                    path.display()
                ),
                std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            )
        })
    }

    /// Write the record to `path` atomically (a temporary file renamed over it).
    pub fn save(&self, path: &Path) -> Result<(), ExtensionError> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)
                .map_err(|e| ExtensionError::io(format!("creating {}", dir.display()), e))?;
        }
        let text = serde_json::to_string_pretty(self).map_err(|e| {
            ExtensionError::io(
                format!("encoding {}", path.display()),
                std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            )
        })?;
        let partial = path.with_extension("json.partial");
        fs::write(&partial, text)
            .and_then(|()| fs::rename(&partial, path))
            .map_err(|e| ExtensionError::io(format!("writing {}", path.display()), e))
    }

    /// Why `id` may not run under this record, or `None` when it may.
    pub fn refusal(&self, id: &ExtensionId) -> Option<String> {
        match self.status {
            ApprovalStatus::Approved => None,
            ApprovalStatus::Unregistered => Some(format!(
                "extension `{id}` is not approved yet: OFB has not been told of it{} (it is \
                 registered when Symphony next reaches OFB; then `symphony ext approve {id}`)",
                self.note
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            )),
            ApprovalStatus::Pending => Some(format!(
                "extension `{id}` waits for an Admin's approval in OFB (`symphony ext approve {id}`)"
            )),
            ApprovalStatus::Revoked => Some(format!(
                "extension `{id}`'s approval was revoked in OFB: it may not run (an Admin can \
                 approve it again with `symphony ext approve {id}`)"
            )),
        }
    }
}

/// Every permission `manifest` requests, as OFB stores them, in manifest order.
pub fn requested(manifest: &Manifest) -> Vec<String> {
    let p = &manifest.file.permissions;
    let mut out = Vec::new();
    out.extend(p.fs.iter().map(|g| format!("fs:{g}")));
    out.extend(p.fs_write.iter().map(|g| format!("fs-write:{g}")));
    out.extend(p.network.iter().map(|h| format!("network:{h}")));
    out.extend(
        p.system
            .iter()
            .map(|s| format!("system:{}", system_name(*s))),
    );
    out.extend(p.model.iter().map(|m| format!("model:{m}")));
    out.extend(p.ipc.iter().map(|i| format!("ipc:{i}")));
    out
}

fn system_name(s: SystemPermission) -> &'static str {
    match s {
        SystemPermission::Env => "env",
        SystemPermission::Spawn => "spawn",
        SystemPermission::Clipboard => "clipboard",
        SystemPermission::Notify => "notify",
    }
}

/// `manifest` with only the `granted` permissions (the limits that depend on them, such as the
/// process limit of `system:spawn`, follow).
pub fn restrict(manifest: &Manifest, granted: &[String]) -> Result<Manifest, ExtensionError> {
    let keep =
        |prefix: &str, value: &str| granted.iter().any(|g| *g == format!("{prefix}:{value}"));
    let mut file = manifest.file.clone();
    let p = &mut file.permissions;
    p.fs.retain(|g| keep("fs", g));
    p.fs_write.retain(|g| keep("fs-write", g));
    p.network.retain(|h| keep("network", h));
    p.system.retain(|s| keep("system", system_name(*s)));
    p.model.retain(|m| keep("model", m));
    p.ipc.retain(|i| keep("ipc", i));
    validate::validate(file).map_err(|problems| ExtensionError::Sandbox {
        id: manifest.id.clone(),
        detail: format!(
            "its granted permissions do not make a valid manifest: {}",
            problems
                .iter()
                .map(|p| format!("{}: {}", p.field, p.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

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
fs_write = ["$DATA/**"]
network = ["api.example.com:443"]
system = ["spawn"]
[runtime]
kind = "native"
command = "notes"
"#;

    fn manifest() -> Manifest {
        Manifest::parse(MANIFEST, "test").unwrap()
    }

    #[test]
    fn requested_permissions_are_written_as_ofb_stores_them() {
        assert_eq!(
            requested(&manifest()),
            [
                "fs:$PROJECT/docs/**",
                "fs-write:$DATA/**",
                "network:api.example.com:443",
                "system:spawn"
            ]
        );
    }

    #[test]
    fn a_restricted_manifest_keeps_only_the_grant_and_its_limits_follow() {
        let m = manifest();
        let narrowed = restrict(&m, &["fs:$PROJECT/docs/**".to_owned()]).unwrap();
        assert_eq!(narrowed.fs_read.len(), 1);
        assert!(narrowed.fs_write.is_empty());
        assert!(narrowed.file.permissions.network.is_empty());
        assert!(narrowed.file.permissions.system.is_empty());
        assert!(narrowed.limits.processes < m.limits.processes);
        let all = restrict(&m, &requested(&m)).unwrap();
        assert_eq!(all.file.permissions, m.file.permissions);
    }

    #[test]
    fn only_an_approved_record_lets_it_run_and_each_refusal_says_what_to_do() {
        let m = manifest();
        let mut record = Approval::unregistered(&m);
        assert!(record.refusal(&m.id).unwrap().contains("not approved yet"));
        record.status = ApprovalStatus::Pending;
        assert!(
            record
                .refusal(&m.id)
                .unwrap()
                .contains("symphony ext approve demo.notes")
        );
        record.status = ApprovalStatus::Revoked;
        assert!(record.refusal(&m.id).unwrap().contains("revoked"));
        assert_eq!(Approval::local(&m).refusal(&m.id), None);
    }

    #[test]
    fn a_record_round_trips_through_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("approvals/notes.json");
        assert_eq!(Approval::load(&path).unwrap(), None);
        let record = Approval::local(&manifest());
        record.save(&path).unwrap();
        assert_eq!(Approval::load(&path).unwrap(), Some(record));
        fs::write(&path, "{").unwrap();
        let error = Approval::load(&path).unwrap_err().to_string();
        assert!(error.contains("symphony ext approve"), "{error}");
    }
}
