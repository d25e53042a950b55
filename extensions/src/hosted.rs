//! Every installed extension behind one object: hosts are started on first use and kept
//! warm for the next call. (Workflow runs keep theirs in the Pool Manager instead, which
//! prewarms them and bounds how many stay warm: `src/adapters/extension_runner.rs`.)

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::ExtensionError;
use crate::manifest::ExtensionId;
use crate::protocol::{InvokeParams, InvokeResult, PingResult, Progress};
use crate::registry::{Installed, Registry};
use crate::supervisor::{CancelToken, ExtensionHost};

/// The installed extensions and their warm hosts.
#[derive(Debug)]
pub struct HostedExtensions {
    registry: Registry,
    program: PathBuf,
    prefix: Vec<String>,
    project: Option<PathBuf>,
    hosts: HashMap<ExtensionId, ExtensionHost>,
}

impl HostedExtensions {
    /// Extensions from `registry`, each host started as `program prefix… --extension …`.
    pub fn new(
        registry: Registry,
        program: PathBuf,
        prefix: Vec<String>,
        project: Option<PathBuf>,
    ) -> HostedExtensions {
        HostedExtensions {
            registry,
            program,
            prefix,
            project,
            hosts: HashMap::new(),
        }
    }

    /// The installed extensions.
    pub fn installed(&self) -> Result<Vec<Installed>, ExtensionError> {
        self.registry.list()
    }

    fn host(&mut self, id: &ExtensionId) -> Result<&mut ExtensionHost, ExtensionError> {
        if !self.hosts.contains_key(id) {
            let host = self.registry.host(
                id.as_str(),
                self.program.clone(),
                self.prefix.clone(),
                self.project.clone(),
            )?;
            self.hosts.insert(id.clone(), host);
        }
        self.hosts
            .get_mut(id)
            .ok_or_else(|| ExtensionError::NotInstalled(id.to_string()))
    }

    /// Call a method of extension `id` (blocking).
    pub fn invoke(
        &mut self,
        id: &ExtensionId,
        params: &InvokeParams,
        progress: &mut dyn FnMut(&Progress),
        cancel: &CancelToken,
    ) -> Result<InvokeResult, ExtensionError> {
        self.host(id)?.invoke(params, progress, cancel)
    }

    /// Ask extension `id`'s host whether it is healthy (starting it if needed).
    pub fn ping(
        &mut self,
        id: &ExtensionId,
        timeout: Duration,
    ) -> Result<PingResult, ExtensionError> {
        self.host(id)?.ping(timeout)
    }

    /// Stop every host.
    pub fn shutdown(&mut self) {
        self.hosts.clear();
    }
}
