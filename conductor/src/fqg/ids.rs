//! Newtype indices into a puzzle's tables.

use serde::Serialize;

/// A fact of the world (an inventory item held, or an environment flag): index into
/// [`Puzzle::facts`](super::Puzzle::facts); at most 128 per puzzle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FactId(pub u8);

/// A declared function: index into [`Puzzle::functions`](super::Puzzle::functions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FunctionId(pub u16);

/// A ground action (a function with its arguments bound): index into
/// [`Puzzle::actions`](super::Puzzle::actions), and the action space of the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ActionId(pub u16);

impl ActionId {
    /// The index as a `usize`.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

impl FactId {
    /// The index as a `usize`.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

impl FunctionId {
    /// The index as a `usize`.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}
