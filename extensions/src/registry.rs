//! Installed extensions on disk: `EXTENSIONS/installed/ID/` holds a copy of each extension's
//! directory (manifest, module or program), `EXTENSIONS/data/ID/` its private data (`$DATA`,
//! the wasm module cache, `$TMP`), and `EXTENSIONS/approvals/ID.json` OFB's decision about
//! what it may do ([`Approval`]). `EXTENSIONS` is `DATA_DIR/extensions`.

use std::fs;
use std::path::{Path, PathBuf};

use crate::approval::{self, Approval};
use crate::error::ExtensionError;
use crate::manifest::{ExtensionId, MANIFEST_FILE, Manifest, RuntimeKind};
use crate::supervisor::{ExtensionHost, HostCommand};

/// Directory names never copied on install (build output, VCS).
const SKIPPED: &[&str] = &["target", ".git", "node_modules", "__pycache__"];

/// The set of installed extensions under one directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    root: PathBuf,
}

/// An installed extension.
#[derive(Debug, Clone, PartialEq)]
pub struct Installed {
    /// Its checked manifest.
    pub manifest: Manifest,
    /// Its installed directory.
    pub dir: PathBuf,
}

impl Registry {
    /// The registry at `root` (`DATA_DIR/extensions`).
    pub fn new(root: impl Into<PathBuf>) -> Registry {
        Registry { root: root.into() }
    }

    fn installed_dir(&self) -> PathBuf {
        self.root.join("installed")
    }

    /// An extension's install directory.
    pub fn dir_of(&self, id: &ExtensionId) -> PathBuf {
        self.installed_dir().join(id.as_str())
    }

    /// An extension's data directory.
    pub fn data_of(&self, id: &ExtensionId) -> PathBuf {
        self.root.join("data").join(id.as_str())
    }

    /// Where OFB's decision about `id` is kept: beside the installed extensions, out of every
    /// extension's reach.
    pub fn approval_path(&self, id: &ExtensionId) -> PathBuf {
        self.root.join("approvals").join(format!("{id}.json"))
    }

    /// The record of OFB's decision about `id`; an extension installed before approvals
    /// existed has none, and counts as unregistered.
    pub fn approval(&self, installed: &Installed) -> Result<Approval, ExtensionError> {
        Ok(Approval::load(&self.approval_path(&installed.manifest.id))?
            .unwrap_or_else(|| Approval::unregistered(&installed.manifest)))
    }

    /// Records OFB's decision about `id`.
    pub fn set_approval(&self, id: &ExtensionId, record: &Approval) -> Result<(), ExtensionError> {
        record.save(&self.approval_path(id))
    }

    /// Validate the extension at `source` (a directory with `symphony-extension.toml`) and
    /// copy it in, unregistered with OFB (it may not run until approved). Refuses an id that
    /// is already installed.
    pub fn install(&self, source: &Path) -> Result<Installed, ExtensionError> {
        let manifest = Manifest::load(source)?;
        let source_dir = if source.is_dir() {
            source.to_path_buf()
        } else {
            source
                .parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        };
        check_complete(&manifest, &source_dir)?;
        let dir = self.dir_of(&manifest.id);
        if dir.exists() {
            return Err(ExtensionError::AlreadyInstalled {
                id: manifest.id.clone(),
                dir: dir.display().to_string(),
            });
        }
        let staging = self
            .installed_dir()
            .join(format!(".{}.partial", manifest.id));
        let _ = fs::remove_dir_all(&staging);
        copy_dir(&source_dir, &staging)?;
        self.set_approval(&manifest.id, &Approval::unregistered(&manifest))?;
        fs::rename(&staging, &dir)
            .map_err(|e| ExtensionError::io(format!("moving {} into place", dir.display()), e))?;
        Ok(Installed { manifest, dir })
    }

    /// Every installed extension, by id. A directory whose manifest no longer validates is
    /// an error naming it.
    pub fn list(&self) -> Result<Vec<Installed>, ExtensionError> {
        let dir = self.installed_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(ExtensionError::io(format!("listing {}", dir.display()), e)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry =
                entry.map_err(|e| ExtensionError::io(format!("listing {}", dir.display()), e))?;
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.')
                || !path.join(MANIFEST_FILE).exists()
            {
                continue;
            }
            out.push(Installed {
                manifest: Manifest::load(&path)?,
                dir: path,
            });
        }
        out.sort_by(|a, b| a.manifest.id.cmp(&b.manifest.id));
        Ok(out)
    }

    /// The installed extension `id`.
    pub fn get(&self, id: &str) -> Result<Installed, ExtensionError> {
        let parsed =
            ExtensionId::parse(id).map_err(|_| ExtensionError::NotInstalled(id.to_owned()))?;
        let dir = self.dir_of(&parsed);
        if !dir.join(MANIFEST_FILE).exists() {
            return Err(ExtensionError::NotInstalled(id.to_owned()));
        }
        Ok(Installed {
            manifest: Manifest::load(&dir)?,
            dir,
        })
    }

    /// Remove `id`, its data and its approval.
    pub fn remove(&self, id: &str) -> Result<Installed, ExtensionError> {
        let installed = self.get(id)?;
        let approval = self.approval_path(&installed.manifest.id);
        if approval.exists() {
            fs::remove_file(&approval)
                .map_err(|e| ExtensionError::io(format!("removing {}", approval.display()), e))?;
        }
        fs::remove_dir_all(&installed.dir)
            .map_err(|e| ExtensionError::io(format!("removing {}", installed.dir.display()), e))?;
        let data = self.data_of(&installed.manifest.id);
        if data.exists() {
            fs::remove_dir_all(&data)
                .map_err(|e| ExtensionError::io(format!("removing {}", data.display()), e))?;
        }
        Ok(installed)
    }

    /// A supervised host for `id`, started by `program prefix…`, with the permissions OFB
    /// granted it; an extension that is not approved is refused, with the reason.
    pub fn host(
        &self,
        id: &str,
        program: PathBuf,
        prefix: Vec<String>,
        project: Option<PathBuf>,
    ) -> Result<ExtensionHost, ExtensionError> {
        let installed = self.get(id)?;
        let record = self.approval(&installed)?;
        if let Some(reason) = record.refusal(&installed.manifest.id) {
            return Err(ExtensionError::NotApproved {
                id: installed.manifest.id.clone(),
                reason,
            });
        }
        let manifest = approval::restrict(&installed.manifest, &record.granted)?;
        let command = HostCommand {
            program,
            prefix,
            extension_dir: installed.dir.clone(),
            data_dir: self.data_of(&installed.manifest.id),
            project,
            granted: Some(record.granted),
        };
        Ok(ExtensionHost::new(manifest, command))
    }
}

/// The module or program the runtime names is in the directory.
fn check_complete(manifest: &Manifest, dir: &Path) -> Result<(), ExtensionError> {
    let rt = &manifest.file.runtime;
    let needed = match rt.kind {
        RuntimeKind::Wasm => rt.module.clone(),
        RuntimeKind::Native => rt.command.clone().filter(|c| c.contains('/')),
        RuntimeKind::Api => None,
    };
    match needed {
        Some(file) if !dir.join(&file).is_file() => {
            let setup = if dir.join("setup.sh").is_file() {
                " (run its setup.sh first)"
            } else {
                ""
            };
            Err(ExtensionError::Incomplete {
                id: manifest.id.clone(),
                detail: format!("{} is missing{setup}", dir.join(file).display()),
            })
        }
        _ => Ok(()),
    }
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), ExtensionError> {
    fs::create_dir_all(to)
        .map_err(|e| ExtensionError::io(format!("creating {}", to.display()), e))?;
    let entries = fs::read_dir(from)
        .map_err(|e| ExtensionError::io(format!("reading {}", from.display()), e))?;
    for entry in entries {
        let entry =
            entry.map_err(|e| ExtensionError::io(format!("reading {}", from.display()), e))?;
        let name = entry.file_name();
        let source = entry.path();
        let target = to.join(&name);
        let kind = entry
            .file_type()
            .map_err(|e| ExtensionError::io(format!("reading {}", source.display()), e))?;
        if kind.is_dir() {
            if !SKIPPED.contains(&name.to_string_lossy().as_ref()) {
                copy_dir(&source, &target)?;
            }
        } else if kind.is_file() {
            fs::copy(&source, &target).map_err(|e| {
                ExtensionError::io(
                    format!("copying {} to {}", source.display(), target.display()),
                    e,
                )
            })?;
        }
        // Symlinks are not followed: an extension cannot smuggle in files from elsewhere.
    }
    Ok(())
}
