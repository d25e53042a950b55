//! Plans: what the Conductor makes of an intent before anything runs.
//!
//! A [`Plan`] is a small DAG of [`Step`]s, each a call of a capability (`text.summarise`)
//! with parameters, an [`Importance`] (Essential, Recommended, Optional) and perhaps an undo
//! step. A [`Catalog`] says which installed extensions provide which capabilities, in order
//! of preference. [`compile`] turns a plan into a workflow file for the Pit's DAG Tracker,
//! choosing each step's recovery from the [`RecoveryPolicy`]:
//!
//! - **retry with reduced parameters**: `retries` attempts after the first, with backoff; the
//!   parameters named in `reduce` are scaled down on each retry ([`params_for_attempt`]);
//! - **fallback**: when another extension provides the same capability, it runs in the
//!   failed one's place (the DAG Tracker's `fallback`);
//! - **skip**: an Optional step that still fails is skipped, and what follows it runs anyway
//!   (its edges are soft);
//! - **compensate**: when the run fails, the undo steps of what completed run in reverse
//!   order ([`compensation`], the saga pattern);
//! - **halt**: an Essential step that still fails stops the run.
//!
//! Plans are pre-validated here (unique ids, known dependencies and capabilities, no cycle,
//! sizes) and again by the DAG Tracker's validation of the compiled workflow.

mod catalog;
mod compile;
mod ids;
mod model;
mod recovery;

pub use catalog::{Capability, Catalog, Cost, Importance};
pub use compile::{
    INPUT_NODE, REDUCE_PARAM, START_NODE, compensation, compile, params_for_attempt, step_of_node,
};
pub use ids::{CapabilityId, ProviderId, StepId};
pub use model::{Plan, PlanError, Step, Undo};
pub use recovery::{Exhausted, RecoveryPolicy, Tactics};
