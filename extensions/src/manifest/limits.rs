//! Resource limits and the per-type ranges and defaults from the design brief:
//! Instruments 3–5 retries, 30–300 s, 512 MiB–2 GiB; Operators 2–3, 5–30 s, 64–256 MiB;
//! Motifs 1–2, 1–10 s, 32–128 MiB.

use std::ops::RangeInclusive;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::file::ExtensionKind;

/// The resolved limits of an extension: every field has a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Memory in MiB: `RLIMIT_AS` for native, the linear-memory cap for wasm.
    pub memory_mb: u64,
    /// CPU seconds per call: `RLIMIT_CPU` for native, fuel for wasm.
    pub cpu_seconds: u64,
    /// Wall-clock seconds per call; the host kills the extension at this deadline.
    pub timeout_seconds: u64,
    /// Retries of a failed call, each after a restart.
    pub retries: u32,
    /// `RLIMIT_NOFILE` for native extensions.
    pub open_files: u64,
    /// `RLIMIT_NPROC` for native extensions.
    pub processes: u64,
}

impl Limits {
    /// The per-call wall-clock deadline.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_seconds)
    }

    /// Memory in bytes.
    pub fn memory_bytes(&self) -> u64 {
        self.memory_mb.saturating_mul(1024 * 1024)
    }
}

/// The allowed range and the default of each limit for one extension type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeRanges {
    /// Retries.
    pub retries: RangeInclusive<u32>,
    /// Timeout, seconds.
    pub timeout_seconds: RangeInclusive<u64>,
    /// Memory, MiB.
    pub memory_mb: RangeInclusive<u64>,
    /// The defaults (within the ranges).
    pub defaults: Limits,
}

/// Open files allowed for any type.
pub const OPEN_FILES: RangeInclusive<u64> = 8..=4096;
/// Processes allowed for any type.
pub const PROCESSES: RangeInclusive<u64> = 1..=256;

impl TypeRanges {
    /// The ranges and defaults for `kind`.
    pub fn of(kind: ExtensionKind) -> TypeRanges {
        match kind {
            ExtensionKind::Instrument => TypeRanges {
                retries: 3..=5,
                timeout_seconds: 30..=300,
                memory_mb: 512..=2048,
                defaults: Limits {
                    memory_mb: 1024,
                    cpu_seconds: 60,
                    timeout_seconds: 60,
                    retries: 3,
                    open_files: 256,
                    processes: 1,
                },
            },
            ExtensionKind::Operator => TypeRanges {
                retries: 2..=3,
                timeout_seconds: 5..=30,
                memory_mb: 64..=256,
                defaults: Limits {
                    memory_mb: 128,
                    cpu_seconds: 10,
                    timeout_seconds: 10,
                    retries: 2,
                    open_files: 64,
                    processes: 1,
                },
            },
            ExtensionKind::Motif => TypeRanges {
                retries: 1..=2,
                timeout_seconds: 1..=10,
                memory_mb: 32..=128,
                defaults: Limits {
                    memory_mb: 64,
                    cpu_seconds: 2,
                    timeout_seconds: 2,
                    retries: 1,
                    open_files: 32,
                    processes: 1,
                },
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_lies_in_its_types_range() {
        for kind in [
            ExtensionKind::Instrument,
            ExtensionKind::Operator,
            ExtensionKind::Motif,
        ] {
            let r = TypeRanges::of(kind);
            let d = r.defaults;
            assert!(r.retries.contains(&d.retries), "{kind:?} retries");
            assert!(
                r.timeout_seconds.contains(&d.timeout_seconds),
                "{kind:?} timeout"
            );
            assert!(r.memory_mb.contains(&d.memory_mb), "{kind:?} memory");
            assert!(d.cpu_seconds <= d.timeout_seconds, "{kind:?} cpu");
            assert!(OPEN_FILES.contains(&d.open_files), "{kind:?} files");
            assert!(PROCESSES.contains(&d.processes), "{kind:?} processes");
        }
    }
}
