//! The Pit: pool, DAG tracker, artifact store, arbitration and stale manager.
//!
//! So far it holds the DAG tracker: its model and validation ([`dag`]) and its executor
//! ([`exec`]); checkpoints and the other components follow.

pub mod dag;
mod error;
pub mod exec;
pub mod journal;
pub mod pool;
pub mod runs;

pub use error::PitError;

/// The petgraph version [`dag::Workflow::to_petgraph`] returns graphs of.
pub use petgraph;
