//! Newtype identifiers: the user's string ids and the compact indices they are interned to.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Longest node or edge id accepted, in bytes: ids are typed on command lines and shown on
/// the board, so anything longer is a mistake (or an attack), not a name.
pub const MAX_ID_BYTES: usize = 256;
/// Longest port name accepted, in bytes.
pub const MAX_PORT_BYTES: usize = 64;
/// How many bytes of an id an error message shows before eliding the rest.
const SHOWN_BYTES: usize = 60;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Arc<str>);

        impl $name {
            /// Wraps a string; validation reports a malformed one (see `docs/WORKFLOW_FORMAT.md`).
            pub fn new(text: impl Into<Arc<str>>) -> Self {
                Self(text.into())
            }

            /// The id as written.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id for a message: the whole id when short, else its start and its length.
            pub fn short(&self) -> Short<'_> {
                Short(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.short().to_string())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.short().fmt(f)
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                Self::new(text)
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                Self::new(text)
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

string_id!(
    /// A node's id as the user wrote it (`"summarise"`); unique within a workflow.
    NodeId
);
string_id!(
    /// A port's name (`"text"`), unique among a node's inputs and among its outputs.
    PortName
);
string_id!(
    /// An edge's optional id, for edges the user wants to name in messages and commands.
    EdgeId
);
string_id!(
    /// The runner that executes a node: `noop`, `sleep`, `shell`, or an extension's id.
    RunnerName
);

/// A string shortened for messages: ids can be megabytes long in hostile files.
#[derive(Debug, Clone, Copy)]
pub struct Short<'a>(&'a str);

impl fmt::Display for Short<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.len() <= SHOWN_BYTES {
            return f.write_str(self.0);
        }
        let mut end = SHOWN_BYTES;
        while !self.0.is_char_boundary(end) {
            end -= 1;
        }
        write!(f, "{}… ({} bytes)", &self.0[..end], self.0.len())
    }
}

macro_rules! index_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            /// The index as a `usize`, for slices.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

index_id!(
    /// A node's compact index in a [`Workflow`](super::Workflow): `0..node_count()`.
    NodeIx
);
index_id!(
    /// An edge's compact index in a [`Workflow`](super::Workflow): `0..edge_count()`.
    EdgeIx
);
index_id!(
    /// A port's index in a [`Workflow`](super::Workflow)'s port table.
    PortIx
);

/// What is wrong with an id, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdProblem {
    /// The id is the empty string.
    Empty,
    /// The id is longer than the limit.
    TooLong {
        /// Its length in bytes.
        bytes: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The id contains whitespace or a control character.
    BadCharacter {
        /// The offending character.
        character: char,
    },
    /// A port name that is not `[A-Za-z_][A-Za-z0-9_-]*`.
    NotAPortName,
}

impl fmt::Display for IdProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdProblem::Empty => f.write_str("it is empty; give it a name"),
            IdProblem::TooLong { bytes, limit } => {
                write!(f, "it is {bytes} bytes long; the limit is {limit} bytes")
            }
            IdProblem::BadCharacter { character } => write!(
                f,
                "it contains {character:?}; ids may not contain whitespace or control characters"
            ),
            IdProblem::NotAPortName => f.write_str(
                "port names start with a letter or `_` and go on with letters, digits, `_` or `-`",
            ),
        }
    }
}

/// Checks a node or edge id: 1 to [`MAX_ID_BYTES`] bytes, no whitespace, no control characters.
pub fn check_id(id: &str) -> Option<IdProblem> {
    if id.is_empty() {
        return Some(IdProblem::Empty);
    }
    if id.len() > MAX_ID_BYTES {
        return Some(IdProblem::TooLong {
            bytes: id.len(),
            limit: MAX_ID_BYTES,
        });
    }
    id.chars()
        .find(|c| c.is_whitespace() || c.is_control())
        .map(|character| IdProblem::BadCharacter { character })
}

/// Checks a port name: an identifier of at most [`MAX_PORT_BYTES`] bytes.
pub fn check_port_name(name: &str) -> Option<IdProblem> {
    if name.is_empty() {
        return Some(IdProblem::Empty);
    }
    if name.len() > MAX_PORT_BYTES {
        return Some(IdProblem::TooLong {
            bytes: name.len(),
            limit: MAX_PORT_BYTES,
        });
    }
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    (!(first_ok && rest_ok)).then_some(IdProblem::NotAPortName)
}
