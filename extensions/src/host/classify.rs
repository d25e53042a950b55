//! Why a native extension stopped: from its exit status, the limits it ran under and the end
//! of its stderr, name the limit it hit (or say that it crashed) in one clear error.

use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use crate::error::{ExtensionError, LimitKind};
use crate::manifest::{ExtensionId, Limits};

/// Signals by number (Linux).
const SIGABRT: i32 = 6;
const SIGKILL: i32 = 9;
const SIGSEGV: i32 = 11;
const SIGXCPU: i32 = 24;

/// Classify the end of a guest that exited mid-call.
pub fn classify_exit(
    id: &ExtensionId,
    limits: &Limits,
    status: Option<ExitStatus>,
    stderr: &str,
) -> ExtensionError {
    let signal = status.and_then(|s| s.signal());
    let limit = |limit: LimitKind, detail: String| ExtensionError::LimitExceeded {
        id: id.clone(),
        limit,
        detail,
    };
    let tail = last_lines(stderr, 3);
    if signal == Some(SIGXCPU) || (signal == Some(SIGKILL) && stderr.is_empty()) {
        return limit(
            LimitKind::Cpu,
            format!(
                "{} CPU seconds; killed by signal {}",
                limits.cpu_seconds,
                signal.unwrap_or(0)
            ),
        );
    }
    if stderr.contains("has overflowed its stack") || stderr.contains("stack overflow") {
        return limit(LimitKind::Stack, format!("the stack overflowed: {tail}"));
    }
    if stderr.contains("memory allocation of")
        || stderr.contains("MemoryError")
        || stderr.contains("Cannot allocate memory")
        || stderr.contains("out of memory")
    {
        return limit(
            LimitKind::Memory,
            format!("{} MiB; an allocation failed: {tail}", limits.memory_mb),
        );
    }
    if let Some(e) = denial(id, stderr) {
        return e;
    }
    let how = match (status.and_then(|s| s.code()), signal) {
        (Some(code), _) => format!("exited with status {code}"),
        (None, Some(SIGSEGV)) => "killed by SIGSEGV (a bad memory access)".to_owned(),
        (None, Some(SIGABRT)) => "aborted (SIGABRT)".to_owned(),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        (None, None) => "ended".to_owned(),
    };
    ExtensionError::Crashed {
        id: id.clone(),
        detail: if tail.is_empty() {
            how
        } else {
            format!("{how}; stderr: {tail}")
        },
    }
}

/// An error message that shows the sandbox denied a file or network access.
pub fn denial(id: &ExtensionId, message: &str) -> Option<ExtensionError> {
    let tail = last_lines(message, 3);
    let limit = if message.contains("os error 101")
        || message.contains("Network is unreachable")
        || message.contains("os error 99")
    {
        LimitKind::Network
    } else if message.contains("os error 13") || message.contains("Permission denied") {
        // Landlock answers EACCES for both files and TCP; say which from the words.
        if message.contains("connect") || message.contains("socket") || message.contains("bind") {
            LimitKind::Network
        } else {
            LimitKind::Filesystem
        }
    } else {
        return None;
    };
    Some(ExtensionError::LimitExceeded {
        id: id.clone(),
        limit,
        detail: format!("denied by the sandbox: {tail}"),
    })
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> ExtensionId {
        ExtensionId::parse("t.guest").expect("valid")
    }

    fn limits() -> Limits {
        Limits {
            memory_mb: 64,
            cpu_seconds: 2,
            timeout_seconds: 2,
            retries: 1,
            open_files: 32,
            processes: 1,
        }
    }

    #[test]
    fn names_each_limit() {
        let sig = |n| Some(ExitStatus::from_raw(n));
        let kind = |e: ExtensionError| match e {
            ExtensionError::LimitExceeded { limit, .. } => Some(limit),
            _ => None,
        };
        assert_eq!(
            kind(classify_exit(&id(), &limits(), sig(SIGXCPU), "")),
            Some(LimitKind::Cpu)
        );
        let oom = "memory allocation of 10737418240 bytes failed\n";
        assert_eq!(
            kind(classify_exit(&id(), &limits(), sig(SIGABRT), oom)),
            Some(LimitKind::Memory)
        );
        let stack = "thread 'main' has overflowed its stack\nfatal runtime error: stack overflow\n";
        assert_eq!(
            kind(classify_exit(&id(), &limits(), sig(SIGSEGV), stack)),
            Some(LimitKind::Stack)
        );
        let fs = "panicked: writing /tmp/x: Permission denied (os error 13)";
        assert_eq!(
            kind(classify_exit(
                &id(),
                &limits(),
                Some(ExitStatus::from_raw(101 << 8)),
                fs
            )),
            Some(LimitKind::Filesystem)
        );
        let crash = classify_exit(&id(), &limits(), Some(ExitStatus::from_raw(3 << 8)), "bye");
        assert!(
            crash
                .to_string()
                .contains("`t.guest` crashed mid-call: exited with status 3; stderr: bye"),
            "{crash}"
        );
    }
}
