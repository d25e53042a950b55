//! Exit codes of the headless commands, documented in the man page and the README.

use std::process::ExitCode;

/// How a headless command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: the workflow is valid, the run completed, the list was printed.
    Success,
    /// 1: the run ended Failed (a node failed for good, the workflow's timeout passed, or the
    /// journal could not be written).
    RunFailed,
    /// 2: the workflow file cannot be read or is not valid.
    BadWorkflow,
    /// 3: the run was cancelled (Ctrl-C), or stopped waiting for an input value; it can be
    /// resumed.
    Stopped,
    /// 4: the run could not start or resume (locked, unknown run id, changed workflow,
    /// unwritable data directory).
    CannotStart,
}

impl Exit {
    /// The number the process exits with.
    pub fn number(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::RunFailed => 1,
            Exit::BadWorkflow => 2,
            Exit::Stopped => 3,
            Exit::CannotStart => 4,
        }
    }

    /// Every code with its meaning, for the man page.
    pub fn all() -> [(Exit, &'static str); 5] {
        [
            (
                Exit::Success,
                "The workflow is valid; the run completed; the list was printed.",
            ),
            (
                Exit::RunFailed,
                "The run ended failed: a node failed for good, the workflow's timeout passed, or \
                 its journal could not be written (a full disk). Resume it with --resume once \
                 the cause is fixed: completed nodes do not run again.",
            ),
            (
                Exit::BadWorkflow,
                "The workflow file cannot be read, or is not valid.",
            ),
            (
                Exit::Stopped,
                "The run was cancelled (Ctrl-C), or stopped because an input node has no value; \
                 resume it with --resume (and --input).",
            ),
            (
                Exit::CannotStart,
                "The run could not start or resume: it runs elsewhere, the run id is unknown, \
                 the workflow changed, or the data directory is not writable.",
            ),
        ]
    }

    pub(super) fn code(self) -> ExitCode {
        ExitCode::from(self.number())
    }
}
