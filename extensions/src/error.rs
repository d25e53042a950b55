//! The crate's one error type. Messages say what was wrong, where, and what to do.

use std::fmt;
use std::io;

use crate::manifest::{ExtensionId, LineColumn};

/// A manifest problem, located in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestIssue {
    /// The field path (`permissions.fs[2]`); empty when the text does not parse.
    pub field: String,
    /// Where it is.
    pub at: Option<LineColumn>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ManifestIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(at) = self.at {
            write!(f, "{at}: ")?;
        }
        if !self.field.is_empty() {
            write!(f, "`{}`: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

/// Which limit stopped an extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    /// The wall-clock deadline of a call.
    Deadline,
    /// CPU time (`RLIMIT_CPU`, or wasm fuel).
    Cpu,
    /// Memory (`RLIMIT_AS`, or the wasm memory cap).
    Memory,
    /// The stack.
    Stack,
    /// A filesystem grant (Landlock).
    Filesystem,
    /// Network access.
    Network,
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LimitKind::Deadline => "deadline",
            LimitKind::Cpu => "CPU-time limit",
            LimitKind::Memory => "memory limit",
            LimitKind::Stack => "stack limit",
            LimitKind::Filesystem => "filesystem grants",
            LimitKind::Network => "network permission",
        })
    }
}

/// Everything that can go wrong in the Orchestra Kit.
#[derive(Debug, thiserror::Error)]
pub enum ExtensionError {
    /// A manifest failed pre-validation.
    #[error("{source_name}: invalid extension manifest:{}", issues.iter().map(|i| format!("\n  {source_name}:{i}")).collect::<String>())]
    InvalidManifest {
        /// Its file.
        source_name: String,
        /// Every problem found.
        issues: Vec<ManifestIssue>,
    },
    /// File or process I/O failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// Why it failed.
        source: io::Error,
    },
    /// No installed extension has this id.
    #[error("no extension `{0}` is installed (see `symphony ext list`)")]
    NotInstalled(String),
    /// An extension with this id is already installed.
    #[error(
        "extension `{id}` is already installed at {dir}: remove it first (`symphony ext remove {id}`)"
    )]
    AlreadyInstalled {
        /// The id.
        id: ExtensionId,
        /// Where.
        dir: String,
    },
    /// OFB has not approved the extension (or revoked it).
    #[error("{reason}")]
    NotApproved {
        /// The extension.
        id: ExtensionId,
        /// Why, and what to do (see [`crate::Approval::refusal`]).
        reason: String,
    },
    /// The extension's directory lacks the file its runtime names.
    #[error("extension `{id}` cannot be installed: {detail}")]
    Incomplete {
        /// The extension.
        id: ExtensionId,
        /// What is missing, and how to get it.
        detail: String,
    },
    /// The method is not among the manifest's capabilities.
    #[error("extension `{id}` offers no method `{method}` (it offers: {offered})")]
    UnknownMethod {
        /// The extension.
        id: ExtensionId,
        /// The method asked for.
        method: String,
        /// What it offers.
        offered: String,
    },
    /// The extension hit a limit and was stopped.
    #[error("extension `{id}` was stopped: it exceeded its {limit} ({detail})")]
    LimitExceeded {
        /// The extension.
        id: ExtensionId,
        /// The limit.
        limit: LimitKind,
        /// The limit's value and what was seen.
        detail: String,
    },
    /// The extension's process ended without answering.
    #[error("extension `{id}` crashed mid-call: {detail}")]
    Crashed {
        /// The extension.
        id: ExtensionId,
        /// Exit status and the end of its stderr.
        detail: String,
    },
    /// The extension answered with an error.
    #[error("extension `{id}` failed: {message}")]
    Failed {
        /// The extension.
        id: ExtensionId,
        /// Its message.
        message: String,
    },
    /// The extension or host broke the protocol.
    #[error("extension `{id}` broke the protocol: {detail}")]
    Protocol {
        /// The extension.
        id: ExtensionId,
        /// What was wrong.
        detail: String,
    },
    /// The sandbox could not be set up as the manifest requires.
    #[error("extension `{id}` cannot start: {detail}")]
    Sandbox {
        /// The extension.
        id: ExtensionId,
        /// What is missing.
        detail: String,
    },
    /// The call's request does not fit the manifest.
    #[error("extension `{id}`: {detail}")]
    BadRequest {
        /// The extension.
        id: ExtensionId,
        /// What does not fit.
        detail: String,
    },
    /// The host refused the call (unknown method, bad params, busy); its message names the
    /// extension.
    #[error("{message}")]
    Rejected {
        /// The extension.
        id: ExtensionId,
        /// The host's message.
        message: String,
    },
    /// The call was cancelled by the caller.
    #[error("extension `{0}`: the call was cancelled")]
    Cancelled(ExtensionId),
    /// A setting is undeclared, of the wrong type, or required and unset.
    #[error("extension `{id}`: setting `{key}` {detail}")]
    Config {
        /// The extension.
        id: ExtensionId,
        /// The setting's name.
        key: String,
        /// What is wrong, and how to fix it.
        detail: String,
    },
    /// A WebAssembly module could not be compiled or run.
    #[error("extension `{id}`: WebAssembly: {detail}")]
    Wasm {
        /// The extension.
        id: ExtensionId,
        /// wasmtime's message.
        detail: String,
    },
}

impl ExtensionError {
    /// An I/O error with what was being done.
    pub fn io(what: impl Into<String>, source: io::Error) -> ExtensionError {
        ExtensionError::Io {
            what: what.into(),
            source,
        }
    }
}
