//! `PitError`: everything that can go wrong in the Pit's operations, each message saying what
//! to do. (Validation *findings* are [`ValidationError`](crate::dag::ValidationError)s,
//! collected in a report that one `PitError::Invalid` carries.)

use std::io;
use std::path::PathBuf;

use crate::dag::{Format, ValidationReport};

/// Errors of the Pit.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PitError {
    /// A file could not be read.
    #[error("cannot read `{}`: {source}; check the path and its permissions", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The input is larger than any workflow file should be.
    #[error(
        "{origin}: larger than {limit} bytes{}; workflow files are far smaller, is this the \
         right file?",
        if *decompressed { " once decompressed" } else { "" }
    )]
    TooLarge {
        /// Where the input came from.
        origin: String,
        /// The limit in bytes.
        limit: u64,
        /// Whether the limit was hit while decompressing.
        decompressed: bool,
    },
    /// A gzip stream that does not decompress.
    #[error("{origin}: starts like gzip but does not decompress ({source}); is it truncated?")]
    Gzip {
        /// Where the input came from.
        origin: String,
        /// The decoder's complaint.
        source: io::Error,
    },
    /// Bytes that are not UTF-8.
    #[error("{origin}: not UTF-8 text (bad byte at offset {offset}); save the file as UTF-8")]
    NotUtf8 {
        /// Where the input came from.
        origin: String,
        /// Offset of the first bad byte.
        offset: usize,
    },
    /// An empty (or all-whitespace) input.
    #[error(
        "{origin}: the file is empty; a workflow needs at least one node \
         (see docs/WORKFLOW_FORMAT.md)"
    )]
    Empty {
        /// Where the input came from.
        origin: String,
    },
    /// The parser refused the text (bad syntax, unknown field, wrong type…).
    #[error("{origin}:{line}:{column}: {format} error: {message}")]
    Syntax {
        /// Where the input came from.
        origin: String,
        /// The format being read.
        format: Format,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message, shortened if huge.
        message: String,
    },
    /// JSON nested deeper than the parser's recursion limit.
    #[error(
        "{origin}:{line}:{column}: the JSON nests deeper than {limit} levels; workflow files \
         need only a few, is this the right file?"
    )]
    TooDeep {
        /// Where the input came from.
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The nesting limit.
        limit: usize,
    },
    /// A WfCommons file that parses but does not describe a workflow we can import.
    #[error("{origin}: WfCommons import: {problem}")]
    WfCommons {
        /// Where the input came from.
        origin: String,
        /// What is wrong, and what to do.
        problem: String,
    },
    /// A time scale that is negative or not a number.
    #[error(
        "time scale {scale} is not a finite number ≥ 0; use 1 for recorded time, 0.001 to \
         run a thousand times faster"
    )]
    BadTimeScale {
        /// The scale given.
        scale: f64,
    },
    /// The workflow parsed but is not valid.
    #[error("{origin}: {report}")]
    Invalid {
        /// Where the input came from.
        origin: String,
        /// Every problem found.
        report: ValidationReport,
    },
}
