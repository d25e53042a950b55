//! `BridgeError`: everything that can go wrong between Symphony and the xi core.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

/// Errors of the xi bridge; each message says what happened and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// The core binary could not be started.
    #[error("could not start `{}`: {source}; check that it is built (`cargo build -p xi-bridge`) and executable", program.display())]
    Spawn {
        /// The program we tried to run.
        program: PathBuf,
        /// Why it failed.
        source: io::Error,
    },
    /// A message could not be written because the core is gone.
    #[error("could not send `{method}`: symphony-xi is no longer running; restart the core")]
    BrokenPipe {
        /// The method that was being sent.
        method: String,
    },
    /// The core went away before answering a request.
    #[error("symphony-xi stopped before answering `{method}`; it probably crashed, see its log")]
    Disconnected {
        /// The request's method.
        method: String,
    },
    /// The core did not answer a request in time.
    #[error(
        "symphony-xi did not answer `{method}` within {}; it may be hung",
        human(after)
    )]
    Timeout {
        /// The request's method.
        method: String,
        /// How long we waited.
        after: Duration,
    },
    /// The core answered a request with an error.
    #[error("symphony-xi refused `{method}`: {message} (code {code})")]
    Remote {
        /// The request's method.
        method: String,
        /// The JSON-RPC error code (xi uses 404 for a missing view, OS error numbers for files).
        code: i64,
        /// The core's explanation.
        message: String,
        /// Extra details, if any.
        data: Option<Value>,
    },
    /// The core answered with a value of the wrong shape.
    #[error(
        "symphony-xi answered `{method}` with {excerpt}, but {expected} was expected; is it a different xi version?"
    )]
    UnexpectedReply {
        /// The request's method.
        method: String,
        /// What the reply should have been.
        expected: &'static str,
        /// The start of what it was.
        excerpt: String,
    },
    /// A message could not be encoded.
    #[error("could not encode `{method}`: {reason}")]
    Encode {
        /// The message's method.
        method: String,
        /// Why (for instance a path that is not UTF-8).
        reason: String,
    },
    /// A path cannot travel in xi's JSON.
    #[error("the path {} is not valid UTF-8, and xi's protocol can only carry UTF-8 paths; rename the file", path.display())]
    NonUtf8Path {
        /// The path.
        path: PathBuf,
    },
    /// A line from the core exceeded the size limit.
    #[error(
        "a line from symphony-xi is {len} bytes, over the {max}-byte limit; the line was dropped (is the core sending runaway output?)"
    )]
    LineTooLong {
        /// The line's length in bytes (at least this long).
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A line from the core is not UTF-8.
    #[error("a line from symphony-xi is not valid UTF-8 ({reason}): {excerpt}")]
    NotUtf8 {
        /// Where the bad bytes are.
        reason: String,
        /// The start of the line, lossily decoded.
        excerpt: String,
    },
    /// A line from the core is not JSON.
    #[error("a line from symphony-xi is not valid JSON ({reason}): {excerpt}")]
    InvalidJson {
        /// The parser's complaint.
        reason: String,
        /// The start of the line.
        excerpt: String,
    },
    /// A line is JSON but not a message xi would send.
    #[error("a message from symphony-xi is malformed ({reason}): {excerpt}")]
    BadMessage {
        /// What is wrong with it.
        reason: String,
        /// The start of the line.
        excerpt: String,
    },
    /// An `update` does not fit the line cache it was applied to.
    #[error(
        "update op #{index} (`{op}`) {reason}; the line cache was left unchanged, so ask the core to re-render (scroll or reopen the view)"
    )]
    MalformedUpdate {
        /// The op's position in the update (0-based).
        index: usize,
        /// The op's name.
        op: &'static str,
        /// What does not fit.
        reason: String,
    },
}

/// "2 s", "1.5 s" or "250 ms": how people read timeouts.
fn human(d: &Duration) -> String {
    if d.as_millis() < 1000 {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_read_like_the_user_would_say_them() {
        let err = BridgeError::Timeout {
            method: "new_view".into(),
            after: Duration::from_secs(2),
        };
        assert_eq!(
            err.to_string(),
            "symphony-xi did not answer `new_view` within 2 s; it may be hung"
        );
        assert_eq!(human(&Duration::from_millis(250)), "250 ms");
        assert_eq!(human(&Duration::from_millis(1500)), "1.5 s");
    }
}
