//! Planners: from an intent to a [`Plan`] over the installed capabilities.
//!
//! Every planner implements [`Planner`]; the Conductor picks one (the LLM planner when an
//! endpoint is configured, else the [`OfflinePlanner`]) and checks what it returns against
//! the [`Catalog`] before anyone sees it.
//!
//! - [`OfflinePlanner`]: no network. Matches the intent, by meaning, against the Melody
//!   templates and the capabilities' descriptions and conductor hints (a [`Matcher`]: the
//!   embedding Instrument when installed, else [`LexicalMatcher`]), orders the matched
//!   capabilities as the intent says them, and bridges media types between steps by solving
//!   a Function Quest Game puzzle with the trained FQG policy ([`bridge`]).
//! - The LLM planner (in the `symphony` crate, since it needs HTTP) asks an
//!   OpenAI-compatible endpoint with tool calling.

mod bridge;
mod clauses;
mod matching;
mod offline;

use std::time::Duration;

use crate::plan::{Catalog, Plan, PlanError};
use crate::templates::Template;

pub use bridge::{Bridge, bridge_types};
pub use clauses::{clauses, is_negation};
pub use matching::{Hybrid, LexicalMatcher, MatchError, Matcher};
pub use offline::{OfflinePlanner, Thresholds};

/// What a planner works with besides the intent.
#[derive(Debug, Clone, Copy)]
pub struct PlanContext<'a> {
    /// The installed capabilities.
    pub catalog: &'a Catalog,
    /// The Melody templates.
    pub templates: &'a [Template],
    /// What the user attached (labels, for the plan's input), if anything.
    pub input: Option<&'a str>,
}

/// A plan and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Drafted {
    /// The plan, checked against the catalog.
    pub plan: Plan,
    /// Why this plan, in Markdown: what matched, how well, what was left out.
    pub explanation: String,
}

/// Why a planner made no plan; each says what the user can do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlannerError {
    /// Nothing installed does what the intent asks.
    #[error(
        "nothing installed matches “{intent}”{}; install an extension that does it \
         (`symphony ext install`) or say it differently",
        if nearest.is_empty() { String::new() } else { format!(" (closest: {})", nearest.join(", ")) }
    )]
    NoMatch {
        /// The intent.
        intent: String,
        /// The capabilities that came closest.
        nearest: Vec<String>,
    },
    /// The planner's endpoint could not be reached or answered with an error.
    #[error("the planner's endpoint failed: {0}")]
    Endpoint(String),
    /// The endpoint answered, but not with a usable plan (after the repairs allowed).
    #[error("the planner's answer is not a usable plan: {0}")]
    Malformed(String),
    /// The endpoint did not answer in time.
    #[error("the planner did not answer within {0:?}; check the endpoint or raise the timeout")]
    Timeout(Duration),
    /// The plan made is not valid for what is installed.
    #[error("the plan made is not valid: {0}")]
    Invalid(#[from] PlanError),
    /// Matching by meaning failed (the embedding extension crashed, say).
    #[error("matching the intent failed: {0}")]
    Matching(#[from] MatchError),
    /// Stopped by the user.
    #[error("planning was cancelled")]
    Cancelled,
}

/// Something that turns an intent into a plan.
pub trait Planner {
    /// Its name in reports (`offline`, `llm gpt-4o-mini`).
    fn name(&self) -> String;

    /// Plan `intent`. Streamed text (an LLM's reply) goes to `on_token` as it comes;
    /// `cancelled` is polled and, once true, the planner stops with
    /// [`PlannerError::Cancelled`].
    fn plan(
        &mut self,
        intent: &str,
        context: &PlanContext<'_>,
        on_token: &mut dyn FnMut(&str),
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Drafted, PlannerError>;
}
