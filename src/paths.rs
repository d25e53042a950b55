//! Where Symphony keeps its files, all under one data directory.

use std::path::{Path, PathBuf};

use crate::error::SymphonyError;

/// The directories Symphony uses, derived from the data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataPaths {
    /// The root: `--data-dir`, `SYMPHONY_DATA_DIR`, or the XDG data dir's `symphony/`.
    pub root: PathBuf,
}

impl DataPaths {
    /// Choose the data directory: the explicit one, else `$XDG_DATA_HOME/symphony`.
    pub fn resolve(explicit: Option<&Path>) -> Result<DataPaths, SymphonyError> {
        let root = match explicit {
            Some(dir) => dir.to_path_buf(),
            None => dirs::data_dir()
                .map(|d| d.join("symphony"))
                .ok_or(SymphonyError::NoDataDir)?,
        };
        Ok(DataPaths { root })
    }

    /// xi-core's config directory (`client_started`'s `config_dir`).
    pub fn xi_config(&self) -> PathBuf {
        self.root.join("xi")
    }

    /// xi-core's plugin directory, scanned for `*/manifest.toml`.
    pub fn xi_plugins(&self) -> PathBuf {
        self.xi_config().join("plugins")
    }

    /// Log files.
    pub fn logs(&self) -> PathBuf {
        self.root.join("logs")
    }

    /// Workflow runs: each a directory with its journal and outputs.
    pub fn runs(&self) -> PathBuf {
        self.root.join("runs")
    }

    /// The installed extensions (`DATA_DIR/extensions`: installed copies, their data, and
    /// OFB's decisions about them).
    pub fn extensions(&self) -> extensions::Registry {
        extensions::Registry::new(self.root.join("extensions"))
    }

    /// The Artifact Store.
    pub fn artifacts(&self) -> PathBuf {
        self.root.join("artifacts")
    }

    /// User themes.
    pub fn themes(&self) -> PathBuf {
        self.root.join("themes")
    }

    /// Create every directory.
    pub fn create(&self) -> Result<(), SymphonyError> {
        for dir in [
            self.root.clone(),
            self.xi_plugins(),
            self.logs(),
            self.themes(),
        ] {
            std::fs::create_dir_all(&dir).map_err(|e| {
                SymphonyError::io(format!("creating the data directory {}", dir.display()), e)
            })?;
        }
        Ok(())
    }
}

/// Find a sibling binary (`symphony-xi`, `symphony-xi-syntect`): `$ENV_VAR`, next to this
/// executable, next to its parent (for test binaries in `target/*/deps`), then `PATH`.
pub fn find_binary(name: &str, env_var: &str) -> Result<PathBuf, SymphonyError> {
    if let Some(path) = std::env::var_os(env_var).map(PathBuf::from) {
        return Ok(path);
    }
    let mut looked = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1).take(2) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
            looked.push(dir.display().to_string());
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
        looked.push("$PATH".to_owned());
    }
    Err(SymphonyError::XiBinaryMissing {
        looked: looked.join(", "),
    })
}
