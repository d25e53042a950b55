//! Extension manifests (`symphony-extension.toml`): the file's types, pre-validation with
//! errors that point at the line and field, per-type limits, filesystem grants and the JSON
//! Schema for editors.

pub mod file;
pub mod grant;
pub mod limits;
pub mod location;
pub mod schema;
pub mod validate;

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use file::{Capability, ExtensionKind, ManifestFile, RuntimeKind, SandboxLevel};
pub use grant::{FsGrant, GrantRoots};
pub use limits::Limits;
pub use location::{FieldPath, LineColumn};

use crate::error::{ExtensionError, ManifestIssue};

/// The manifest's file name inside an extension's directory.
pub const MANIFEST_FILE: &str = "symphony-extension.toml";

/// An extension's id: 3–64 bytes of lowercase dot-separated segments, each starting with a
/// letter (`symphony.word-count`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ExtensionId(String);

impl ExtensionId {
    /// Check and wrap an id; the error says what is wrong with it.
    pub fn parse(s: &str) -> Result<ExtensionId, String> {
        if s.len() < 3 || s.len() > 64 {
            return Err(format!("`{s}` must be 3–64 characters long"));
        }
        for segment in s.split('.') {
            let mut chars = segment.chars();
            if !matches!(chars.next(), Some('a'..='z')) {
                return Err(format!(
                    "`{s}`: each dot-separated part must start with a lowercase letter (e.g. `acme.word-count`)"
                ));
            }
            if !chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '-')) || segment.ends_with('-') {
                return Err(format!(
                    "`{s}`: use only lowercase letters, digits and inner `-` between the dots"
                ));
            }
        }
        Ok(ExtensionId(s.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ExtensionId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        ExtensionId::parse(&s)
    }
}

impl From<ExtensionId> for String {
    fn from(id: ExtensionId) -> String {
        id.0
    }
}

impl fmt::Display for ExtensionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A checked manifest: the file as written plus what validation resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// The id.
    pub id: ExtensionId,
    /// The version.
    pub version: semver::Version,
    /// The limits, with the type's defaults filled in.
    pub limits: Limits,
    /// Read-only grants.
    pub fs_read: Vec<FsGrant>,
    /// Read-write grants.
    pub fs_write: Vec<FsGrant>,
    /// Everything as written.
    pub file: ManifestFile,
}

impl Manifest {
    /// Parse and validate manifest text; `source` names it in errors (a path, usually).
    pub fn parse(text: &str, source: &str) -> Result<Manifest, ExtensionError> {
        let file: ManifestFile = match toml::from_str(text) {
            Ok(file) => file,
            Err(e) => {
                let (at, field) = match e.span() {
                    Some(span) => (
                        Some(location::line_column(text, span.start)),
                        location::path_at(text, span.start).to_string(),
                    ),
                    None => (None, String::new()),
                };
                let message = e.message().trim().to_owned();
                return Err(ExtensionError::InvalidManifest {
                    source_name: source.to_owned(),
                    issues: vec![ManifestIssue { field, at, message }],
                });
            }
        };
        validate::validate(file).map_err(|problems| ExtensionError::InvalidManifest {
            source_name: source.to_owned(),
            issues: problems
                .into_iter()
                .map(|p| ManifestIssue {
                    at: location::span_of(text, &p.field)
                        .map(|s| location::line_column(text, s.start)),
                    field: p.field.to_string(),
                    message: p.message,
                })
                .collect(),
        })
    }

    /// Read, parse and validate `DIR/symphony-extension.toml` (or the file itself).
    pub fn load(path: &Path) -> Result<Manifest, ExtensionError> {
        let file = if path.is_dir() {
            path.join(MANIFEST_FILE)
        } else {
            path.to_path_buf()
        };
        let text = std::fs::read_to_string(&file).map_err(|e| {
            ExtensionError::io(format!("reading the manifest {}", file.display()), e)
        })?;
        Manifest::parse(&text, &file.display().to_string())
    }

    /// The methods it offers.
    pub fn offers(&self, method: &str) -> bool {
        self.file.capabilities.iter().any(|c| c.method == method)
    }

    /// The capability a capability entry provides: its `provides`, or `ID.METHOD`.
    pub fn capability_name(&self, capability: &Capability) -> String {
        capability
            .provides
            .clone()
            .unwrap_or_else(|| format!("{}.{}", self.id, capability.method))
    }
}

#[cfg(test)]
mod tests;
