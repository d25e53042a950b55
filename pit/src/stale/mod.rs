//! The Stale Manager: retention policies (`retention.toml`, [`Policy`]) and the judgement of
//! every artifact against them ([`decide`]): kept, archived or deleted, each with its reason.
//! It never deletes a pinned artifact, one a live workflow refers to, or one that the lineage
//! of a surviving artifact needs (`pit/tests/stale.rs` checks this on random stores).
//! [`sweep`] carries the verdicts out on a store: archiving (compressed, still retrievable)
//! and deleting, with what live runs refer to ([`LiveRefs`]) protected.

mod decide;
mod policy;
mod sweep;

pub use decide::{Action, Candidate, Reason, Verdict, decide};
pub use policy::{Overrides, Policy, Rule, Settings};
pub use sweep::{LiveRefs, PINNED, SweepReport, artifact_ids_in, sweep};
