//! How hard a failed step is fought, by its importance.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::catalog::Importance;

/// What happens when a step has failed every attempt (and its fallback, if any).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Exhausted {
    /// The run fails; completed steps are compensated.
    Halt,
    /// The step is skipped and the steps after it run without it.
    Skip,
}

/// The recovery of one importance class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tactics {
    /// Attempts after the first.
    pub retries: u32,
    /// Wait before the first retry, in milliseconds (the DAG Tracker doubles it each time).
    pub backoff_ms: u64,
    /// Parameters scaled on each retry: `{"max_tokens": 0.5}` halves `max_tokens` per retry.
    #[serde(default)]
    pub reduce: Map<String, Value>,
    /// Whether another provider of the capability runs when the preferred one gives up.
    pub fallback: bool,
    /// What then.
    pub exhausted: Exhausted,
}

/// The recovery of each importance class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveryPolicy {
    /// For Essential steps.
    pub essential: Tactics,
    /// For Recommended steps.
    pub recommended: Tactics,
    /// For Optional steps.
    pub optional: Tactics,
}

impl Default for RecoveryPolicy {
    /// Essential: 4 retries from 200 ms, a fallback, then halt. Recommended: 2 retries, a
    /// fallback, then halt. Optional: 1 retry, then skip.
    fn default() -> Self {
        let tactics = |retries, fallback, exhausted| Tactics {
            retries,
            backoff_ms: 200,
            reduce: Map::new(),
            fallback,
            exhausted,
        };
        RecoveryPolicy {
            essential: tactics(4, true, Exhausted::Halt),
            recommended: tactics(2, true, Exhausted::Halt),
            optional: tactics(1, false, Exhausted::Skip),
        }
    }
}

impl RecoveryPolicy {
    /// The tactics for `importance`.
    pub fn for_importance(&self, importance: Importance) -> &Tactics {
        match importance {
            Importance::Essential => &self.essential,
            Importance::Recommended => &self.recommended,
            Importance::Optional => &self.optional,
        }
    }
}
