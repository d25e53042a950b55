//! The Pit: pool, DAG tracker, artifact store, arbitration and stale manager.
//!
//! The DAG Tracker ([`dag`]: model and validation; [`exec`]: the executor; [`journal`] and
//! [`runs`]: checkpoints and run directories), the Pool Manager ([`pool`]) and the Artifact
//! Store ([`artifacts`]); arbitration and the stale manager follow.

pub mod artifacts;
pub mod dag;
mod error;
pub mod exec;
pub mod journal;
pub mod pool;
pub mod runs;

pub use error::PitError;

/// The petgraph version [`dag::Workflow::to_petgraph`] returns graphs of.
pub use petgraph;
