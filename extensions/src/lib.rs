//! The Orchestra Kit: extension manifests, the sandboxed extension host and its protocol.
//!
//! Extensions never run inside the core: each runs in its own `symphony ext-host` process
//! ([`host`]), which confines it (rlimits, Landlock, a private network namespace for native
//! programs; wasmtime's epoch deadline and memory limit for WebAssembly) and speaks JSON-RPC
//! 2.0 with the core over stdio ([`protocol`]). The core supervises each host
//! ([`supervisor`]): a crash, a limit or a hang becomes an error naming the extension and the
//! limit, and the call is retried on a fresh guest as the manifest's `retries` allow.

pub mod approval;
pub mod config;
pub mod error;
pub mod host;
pub mod hosted;
pub mod manifest;
pub mod protocol;
pub mod registry;
pub mod supervisor;

pub use approval::{Approval, ApprovalStatus, Authority};
pub use error::{ExtensionError, LimitKind, ManifestIssue};
pub use hosted::HostedExtensions;
pub use manifest::{ExtensionId, Manifest};
pub use registry::{Installed, Registry};
pub use supervisor::{CancelToken, ExtensionHost, HostCommand};
