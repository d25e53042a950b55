//! What a host grants its guest, from the (granted) manifest: the directories a wasm guest
//! gets preopened, and the sandbox of a native one.

use std::path::PathBuf;

use super::sandbox::SandboxSpec;
use super::{HostOptions, wasi};
use crate::manifest::{GrantRoots, Manifest};

/// Where the manifest's grant roots (`~`, `$PROJECT`, `$DATA`, `$TMP`) are in this run.
fn grant_roots(options: &HostOptions) -> GrantRoots {
    GrantRoots {
        home: std::env::var_os("HOME").map(PathBuf::from),
        project: options.project.clone(),
        data: Some(options.data.clone()),
        tmp: Some(options.data.join("tmp")),
    }
}

/// The directories a wasm guest gets preopened: `fs` read-only, `fs_write` read-write.
pub fn wasi_grants(m: &Manifest, options: &HostOptions) -> Vec<wasi::GrantedDir> {
    let roots = grant_roots(options);
    let dirs = |grants: &[crate::manifest::FsGrant], writable: bool| {
        grants
            .iter()
            .filter_map(|g| g.directory(&roots))
            .map(move |path| wasi::GrantedDir { path, writable })
            .collect::<Vec<_>>()
    };
    let mut out = dirs(&m.fs_read, false);
    out.extend(dirs(&m.fs_write, true));
    out
}

/// The sandbox of a native extension from its manifest.
pub fn sandbox_spec(m: &Manifest, options: &HostOptions) -> SandboxSpec {
    let roots = grant_roots(options);
    let dirs = |grants: &[crate::manifest::FsGrant]| -> Vec<PathBuf> {
        grants.iter().filter_map(|g| g.directory(&roots)).collect()
    };
    let mut read = dirs(&m.fs_read);
    read.push(options.extension.clone());
    SandboxSpec {
        memory_bytes: m.limits.memory_bytes(),
        cpu_seconds: m.limits.cpu_seconds,
        open_files: m.limits.open_files,
        processes: m.limits.processes,
        read,
        write: dirs(&m.fs_write),
        network: !m.file.permissions.network.is_empty(),
        tcp_ports: m
            .file
            .permissions
            .network
            .iter()
            .map(|grant| {
                grant
                    .rsplit_once(':')
                    .and_then(|(_, p)| p.parse::<u16>().ok())
            })
            .collect(),
        level: m.file.sandbox,
    }
}
