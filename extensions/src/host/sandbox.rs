//! Confinement of native extensions, applied by `symphony ext-host --sandbox-exec` to itself
//! just before it `exec`s the extension (so no `unsafe` `pre_exec` is needed and the host's
//! own threads are never confined):
//!
//! - rlimits: `RLIMIT_AS` (memory), `RLIMIT_CPU` (soft at the limit: SIGXCPU; hard one second
//!   later: SIGKILL), `RLIMIT_NOFILE`, `RLIMIT_NPROC` (counted per user over all its threads,
//!   so set to the user's current count plus the manifest's `processes`; root is exempt);
//! - a private network namespace when the manifest grants no network (`unshare(CLONE_NEWNET)`,
//!   with a user namespace when not root), so nothing outside the process is reachable;
//! - Landlock: read and execute only the system's program directories, the extension's own
//!   directory and the `fs` grants; write only the `fs_write` grants; and, on ABI ≥ 4, no TCP
//!   connect or bind at all without network permission, or connect only to the granted ports
//!   when every network grant names one (Landlock filters ports, not hosts);
//! - `PR_SET_PDEATHSIG`: the guest is killed when its host dies.
//!
//! What the kernel cannot do is reported in the first line the process writes (see
//! [`SandboxReport`]); at `sandbox = "strict"` a missing confinement stops the launch instead.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Command;

use landlock::{
    ABI, Access, AccessFs, AccessNet, CompatLevel, Compatible, NetPort, Ruleset, RulesetAttr,
    RulesetCreatedAttr, RulesetStatus, path_beneath_rules,
};
use rustix::process::{Resource, Rlimit, setrlimit};
use serde::{Deserialize, Serialize};

use crate::manifest::SandboxLevel;

/// Everything the launcher needs, passed to it as one JSON argument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SandboxSpec {
    /// `RLIMIT_AS`, bytes.
    pub memory_bytes: u64,
    /// `RLIMIT_CPU`, seconds.
    pub cpu_seconds: u64,
    /// `RLIMIT_NOFILE`.
    pub open_files: u64,
    /// `RLIMIT_NPROC`.
    pub processes: u64,
    /// Readable (and executable) paths besides the system's.
    pub read: Vec<PathBuf>,
    /// Readable and writable paths.
    pub write: Vec<PathBuf>,
    /// The manifest grants network access.
    pub network: bool,
    /// With network granted: the only TCP ports it may connect to (Landlock ABI ≥ 4), when
    /// every grant names a port; `None` when some grant names none (any port).
    #[serde(default)]
    pub tcp_ports: Option<Vec<u16>>,
    /// Strict: fail when a confinement is missing.
    pub level: SandboxLevel,
}

/// The first line the launcher writes on stdout: what is in force and what is not.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SandboxReport {
    /// In force: `rlimits`, `landlock`, `landlock-net`, `netns`.
    pub sandbox: Vec<String>,
    /// Asked for but not available on this kernel, with the reason.
    pub missing: Vec<String>,
}

/// Directories every program needs to load (read and execute only).
const SYSTEM_READ: &[&str] = &[
    "/usr",
    "/lib",
    "/lib64",
    "/lib32",
    "/bin",
    "/sbin",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/alternatives",
    "/dev/null",
    "/dev/zero",
    "/dev/urandom",
    "/dev/random",
    "/proc/self",
    "/sys/devices/system/cpu",
];

/// Extra files readable only when network is granted (name resolution, TLS roots).
const NETWORK_READ: &[&str] = &[
    "/etc/resolv.conf",
    "/etc/hosts",
    "/etc/nsswitch.conf",
    "/etc/ssl",
    "/etc/ca-certificates",
];

/// Confine this process as `spec` says, report on stdout, then exec `program`. Returns only
/// on failure, with the reason.
pub fn confine_and_exec(spec: &SandboxSpec, program: &str, args: &[String]) -> String {
    let mut report = SandboxReport::default();
    // The guest dies with its host, even when the host is killed (SIGKILL leaves no time to
    // clean up); the setting survives exec.
    if let Err(e) = nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL) {
        return format!("setting the parent-death signal: {e}");
    }
    if let Err(e) = apply_rlimits(spec) {
        return format!("setting resource limits: {e}");
    }
    report.sandbox.push("rlimits".into());
    if !spec.network {
        match isolate_network() {
            Ok(()) => report.sandbox.push("netns".into()),
            Err(e) => report.missing.push(format!("netns: {e}")),
        }
    }
    match apply_landlock(spec, program) {
        Ok(applied) => {
            report.sandbox.extend(applied.sandbox);
            report.missing.extend(applied.missing);
        }
        Err(e) => report.missing.push(format!("landlock: {e}")),
    }
    if spec.level == SandboxLevel::Strict && !report.missing.is_empty() {
        return format!(
            "sandbox = \"strict\" but this kernel lacks: {} (use sandbox = \"standard\" to run with what is available)",
            report.missing.join("; ")
        );
    }
    let mut line = serde_json::to_vec(&report).unwrap_or_default();
    line.push(b'\n');
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(&line).and_then(|()| out.flush()) {
        return format!("writing the sandbox report: {e}");
    }
    drop(out);
    let error = Command::new(program).args(args).exec();
    format!("starting {program}: {error}")
}

/// Confine the host process itself before it runs a wasm guest or calls an api endpoint
/// (defence in depth should the runtime ever be escaped): read only the system's directories
/// and `read`, write only `write`; no network, or with `tcp_port` (an api host) TCP connections
/// to that port only. Call it before any thread starts: Landlock binds the calling thread and
/// the threads it starts afterwards.
pub fn confine_host(
    read: &[PathBuf],
    write: &[PathBuf],
    tcp_port: Option<u16>,
    level: SandboxLevel,
) -> Result<SandboxReport, String> {
    let spec = SandboxSpec {
        memory_bytes: 0,
        cpu_seconds: 0,
        open_files: 0,
        processes: 0,
        read: read.to_vec(),
        write: write.to_vec(),
        network: tcp_port.is_some(),
        tcp_ports: tcp_port.map(|p| vec![p]),
        level,
    };
    let mut report = SandboxReport::default();
    if tcp_port.is_none() {
        match isolate_network() {
            Ok(()) => report.sandbox.push("netns".into()),
            Err(e) => report.missing.push(format!("netns: {e}")),
        }
    }
    match apply_landlock(&spec, "") {
        Ok(applied) => {
            report.sandbox.extend(applied.sandbox);
            report.missing.extend(applied.missing);
        }
        Err(e) => report.missing.push(format!("landlock: {e}")),
    }
    if level == SandboxLevel::Strict && !report.missing.is_empty() {
        return Err(format!(
            "sandbox = \"strict\" but this kernel lacks: {} (use sandbox = \"standard\" to run with what is available)",
            report.missing.join("; ")
        ));
    }
    Ok(report)
}

fn apply_rlimits(spec: &SandboxSpec) -> std::io::Result<()> {
    let set = |resource, soft: u64, hard: u64| {
        setrlimit(
            resource,
            Rlimit {
                current: Some(soft),
                maximum: Some(hard),
            },
        )
    };
    set(Resource::As, spec.memory_bytes, spec.memory_bytes)?;
    set(
        Resource::Cpu,
        spec.cpu_seconds,
        spec.cpu_seconds.saturating_add(1),
    )?;
    set(Resource::Nofile, spec.open_files, spec.open_files)?;
    // The kernel counts RLIMIT_NPROC over all the user's tasks (threads included) and does not
    // apply it to root; so the budget is what the user already runs plus the manifest's.
    let uid = rustix::process::getuid();
    if !uid.is_root() {
        let nproc = tasks_of(uid.as_raw()).saturating_add(spec.processes);
        set(Resource::Nproc, nproc, nproc)?;
    }
    Ok(())
}

/// How many tasks (threads) the user `uid` runs now, from `/proc/*/status`.
fn tasks_of(uid: u32) -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let mut count = 0u64;
    for entry in entries.flatten() {
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse::<u64>().ok())
        };
        if field("Uid:") == Some(u64::from(uid)) {
            count += field("Threads:").unwrap_or(1);
        }
    }
    count
}

fn isolate_network() -> Result<(), String> {
    use nix::sched::{CloneFlags, unshare};
    match unshare(CloneFlags::CLONE_NEWNET) {
        Ok(()) => Ok(()),
        // Without CAP_SYS_ADMIN a user namespace first gives us one inside it.
        Err(_) => unshare(CloneFlags::CLONE_NEWUSER | CloneFlags::CLONE_NEWNET)
            .map_err(|e| format!("unshare(CLONE_NEWNET) failed: {e}")),
    }
}

fn apply_landlock(spec: &SandboxSpec, program: &str) -> Result<SandboxReport, String> {
    let abi = ABI::V7;
    let read_access = AccessFs::from_read(abi);
    let all_access = AccessFs::from_all(abi);
    let mut ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(all_access)
        .map_err(|e| e.to_string())?;
    let ports: &[u16] = match (&spec.network, &spec.tcp_ports) {
        (true, Some(ports)) => ports,
        _ => &[],
    };
    let restrict_tcp = !spec.network || spec.tcp_ports.is_some();
    if restrict_tcp {
        ruleset = ruleset
            .handle_access(AccessNet::ConnectTcp | AccessNet::BindTcp)
            .map_err(|e| e.to_string())?;
    }
    let mut read: Vec<PathBuf> = SYSTEM_READ.iter().map(PathBuf::from).collect();
    if spec.network {
        read.extend(NETWORK_READ.iter().map(PathBuf::from));
    }
    read.extend(spec.read.iter().cloned());
    if program.contains('/') {
        read.push(PathBuf::from(program));
    }
    let exists = |p: &PathBuf| p.exists();
    let status = ruleset
        .create()
        .map_err(|e| e.to_string())?
        .add_rules(path_beneath_rules(
            read.iter().filter(|p| exists(p)),
            read_access,
        ))
        .map_err(|e| e.to_string())?
        .add_rules(path_beneath_rules(
            spec.write.iter().filter(|p| exists(p)),
            all_access,
        ))
        .map_err(|e| e.to_string())?
        .add_rules(ports.iter().map(|&port| {
            Ok::<_, landlock::RulesetError>(NetPort::new(port, AccessNet::ConnectTcp))
        }))
        .map_err(|e| e.to_string())?
        .restrict_self()
        .map_err(|e| e.to_string())?;
    let mut report = SandboxReport::default();
    match status.ruleset {
        RulesetStatus::FullyEnforced => {
            report.sandbox.push("landlock".into());
            if restrict_tcp {
                report.sandbox.push("landlock-net".into());
            }
        }
        RulesetStatus::PartiallyEnforced => {
            report.sandbox.push("landlock".into());
            report
                .missing
                .push("landlock: only partly enforced (an older ABI: some rights or TCP rules are not covered)".into());
        }
        RulesetStatus::NotEnforced => {
            report.missing.push(
                "landlock: not supported by this kernel (filesystem grants are not enforced)"
                    .into(),
            );
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_this_users_tasks_including_our_threads() {
        let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
        let ours: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("Threads:"))
            .and_then(|v| v.trim().parse().ok())
            .expect("a Threads line");
        let uid = rustix::process::getuid().as_raw();
        assert!(
            tasks_of(uid) >= ours,
            "every thread of this process is counted"
        );
        assert_eq!(
            tasks_of(u32::MAX - 7),
            0,
            "no process runs as an unused uid"
        );
    }

    #[test]
    fn reports_round_trip() {
        let r = SandboxReport {
            sandbox: vec!["rlimits".into()],
            missing: vec!["netns: x".into()],
        };
        let back: SandboxReport =
            serde_json::from_str(&serde_json::to_string(&r).expect("encodes")).expect("decodes");
        assert_eq!(back, r);
    }
}
