//! Loading puzzle files: TOML text → [`PuzzleSpec`] → [`Puzzle`], checked for solvability.
//! Every error names the file, the line and the field.

use std::path::Path;

use toml::de::DeTable;

use super::compile::{FieldPath, Seg, compile};
use super::error::FqgError;
use super::planner::Planner;
use super::puzzle::Puzzle;
use super::spec::PuzzleSpec;

/// 1-based line and column (in bytes) of byte `offset` in `text`; never panics, whatever the
/// offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let column = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(before.len(), |nl| before.len() - nl - 1)
        + 1;
    (line, column)
}

/// The line of the value at `path` in `text` (the deepest part of the path that exists).
fn locate(text: &str, path: &FieldPath) -> usize {
    let Ok(root) = DeTable::parse(text) else {
        return 1;
    };
    let mut segs = path.0.iter();
    let key = match segs.next() {
        Some(Seg::Key(key)) => *key,
        Some(Seg::Name(key)) => key.as_str(),
        _ => return 1,
    };
    let Some((_, first)) = root
        .get_ref()
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
    else {
        return 1;
    };
    let mut span = first.span();
    let mut value = first.get_ref();
    for seg in segs {
        let next = match seg {
            Seg::Key(key) => value.get(*key),
            Seg::Name(key) => value.get(key.as_str()),
            Seg::Index(i) => value.get(*i),
        };
        match next {
            Some(spanned) => {
                span = spanned.span();
                value = spanned.get_ref();
            }
            None => break,
        }
    }
    line_column(text, span.start).0
}

/// Parses and checks a puzzle from `text`; `origin` names it in errors and `id` is its id
/// unless the file gives one.
pub fn parse_puzzle(text: &str, origin: &str, id: &str) -> Result<Puzzle, FqgError> {
    let spec: PuzzleSpec = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_column(text, s.start));
        FqgError::Syntax {
            origin: origin.to_owned(),
            line,
            column,
            message: e.message().trim().to_owned(),
        }
    })?;
    let puzzle = compile(&spec, id).map_err(|p| FqgError::Invalid {
        origin: origin.to_owned(),
        line: locate(text, &p.field),
        field: p.field.to_string(),
        message: p.message,
    })?;
    check_solvable(puzzle, origin)
}

/// Fails with [`FqgError::Unsolvable`] unless the exact planner reaches the goal.
pub fn check_solvable(puzzle: Puzzle, origin: &str) -> Result<Puzzle, FqgError> {
    if Planner::new(&puzzle).plan(puzzle.start).is_none() {
        return Err(FqgError::Unsolvable {
            origin: origin.to_owned(),
            puzzle: puzzle.id,
        });
    }
    Ok(puzzle)
}

/// Loads the puzzle file at `path`.
pub fn load_puzzle(path: &Path) -> Result<Puzzle, FqgError> {
    let text = std::fs::read_to_string(path).map_err(|source| FqgError::Read {
        path: path.to_owned(),
        source,
    })?;
    let id = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    parse_puzzle(&text, &path.display().to_string(), &id)
}

/// Loads every `*.toml` puzzle in `dir`, sorted by file name.
pub fn load_dir(dir: &Path) -> Result<Vec<Puzzle>, FqgError> {
    let entries = std::fs::read_dir(dir).map_err(|source| FqgError::Read {
        path: dir.to_owned(),
        source,
    })?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| FqgError::Read {
            path: dir.to_owned(),
            source,
        })?;
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "toml") {
            paths.push(path);
        }
    }
    paths.sort();
    paths.iter().map(|p| load_puzzle(p)).collect()
}

/// The directory of the hand-written puzzles shipped with the crate.
pub fn bundled_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/puzzles"))
}
