//! `FqgError`: what can go wrong loading, generating, training or evaluating Function Quest
//! puzzles, each message saying what was wrong, where, and what to do.

use std::path::PathBuf;

/// Errors of the Function Quest Game.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FqgError {
    /// A puzzle file could not be read.
    #[error("cannot read puzzle `{}`: {source}; check the path and its permissions", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A puzzle file is not valid TOML or does not have the puzzle's shape.
    #[error("{origin}:{line}:{column}: {message} (see conductor/puzzles/README.md for the format)")]
    Syntax {
        /// The file (or `<string>`).
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's complaint.
        message: String,
    },
    /// A puzzle file that parses but says something impossible.
    #[error("{origin}:{line}: field `{field}`: {message}")]
    Invalid {
        /// The file (or `<string>`).
        origin: String,
        /// 1-based line of the offending value.
        line: usize,
        /// The field's path, like `function[2].requires[0]`.
        field: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A puzzle whose goal cannot be reached from its start by any sequence of calls.
    #[error(
        "{origin}: puzzle `{puzzle}` cannot be solved: no sequence of calls reaches the goal \
         from the start state; check the goal's facts and the functions' `requires` for typos"
    )]
    Unsolvable {
        /// The file (or generator).
        origin: String,
        /// The puzzle's id.
        puzzle: String,
    },
    /// A level outside 1–20.
    #[error("level {0} does not exist: levels run from 1 to 20")]
    Level(u32),
    /// A level range that does not parse.
    #[error("levels `{0}`: expected N or A-B with 1 <= A <= B <= 20, like 1-20")]
    LevelRange(String),
    /// The neural network failed (shape mismatch, bad file).
    #[error("policy network: {0}")]
    Network(#[from] candle_core::Error),
    /// A policy file that is not one of ours.
    #[error(
        "policy file `{}`: {message}; train one with `symphony fqg train --out FILE`",
        path.display()
    )]
    PolicyFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}
