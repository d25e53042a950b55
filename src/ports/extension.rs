//! `ExtensionPort`: how the core calls extensions (the Orchestra Kit). Every call runs in the
//! extension's own sandboxed `symphony ext-host` process; a crash, a limit or a hang comes
//! back as an [`ExtensionError`] naming the extension and the limit, never as a failure of
//! the core.
//!
//! The calls block until the extension answers (bounded by its deadline): run them on a
//! worker thread (`tokio::task::spawn_blocking`), never on the UI loop.

use std::time::Duration;

pub use extensions::protocol::{Artifact, InvokeParams, InvokeResult, PingResult, Progress};
pub use extensions::{CancelToken, ExtensionError, ExtensionId, HostedExtensions, Installed};

/// The core's view of the extensions.
pub trait ExtensionPort {
    /// The installed extensions.
    fn installed(&self) -> Result<Vec<Installed>, ExtensionError>;

    /// Call `params.method` of extension `id`; `progress` sees its progress notifications;
    /// `cancel` stops it. Retries per the extension's manifest.
    fn invoke(
        &mut self,
        id: &ExtensionId,
        params: &InvokeParams,
        progress: &mut dyn FnMut(&Progress),
        cancel: &CancelToken,
    ) -> Result<InvokeResult, ExtensionError>;

    /// Check that extension `id`'s host answers within `timeout`.
    fn ping(&mut self, id: &ExtensionId, timeout: Duration) -> Result<PingResult, ExtensionError>;
}

/// The real adapter: the `extensions` crate's supervised hosts (one process per extension,
/// kept warm between calls).
impl ExtensionPort for HostedExtensions {
    fn installed(&self) -> Result<Vec<Installed>, ExtensionError> {
        HostedExtensions::installed(self)
    }

    fn invoke(
        &mut self,
        id: &ExtensionId,
        params: &InvokeParams,
        progress: &mut dyn FnMut(&Progress),
        cancel: &CancelToken,
    ) -> Result<InvokeResult, ExtensionError> {
        HostedExtensions::invoke(self, id, params, progress, cancel)
    }

    fn ping(&mut self, id: &ExtensionId, timeout: Duration) -> Result<PingResult, ExtensionError> {
        HostedExtensions::ping(self, id, timeout)
    }
}
