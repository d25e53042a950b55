//! The Pit: pool, DAG tracker, artifact store, arbitration and stale manager.
//!
//! The DAG Tracker ([`dag`]: model and validation; [`exec`]: the executor; [`journal`] and
//! [`runs`]: checkpoints and run directories), the Pool Manager ([`pool`]), the Artifact
//! Store ([`artifacts`]) and the Arbitration Engine ([`arbitration`]); the Stale Manager
//! follows.

pub mod arbitration;
pub mod artifacts;
pub mod dag;
mod error;
pub mod exec;
pub mod journal;
pub mod pool;
pub mod runs;
pub mod stale;

pub use error::PitError;

/// The petgraph version [`dag::Workflow::to_petgraph`] returns graphs of.
pub use petgraph;
