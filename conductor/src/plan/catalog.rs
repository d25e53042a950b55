//! What the installed extensions can do: capabilities, who provides each, and how much a
//! plan may lean on them.

use serde::{Deserialize, Serialize};

use super::ids::{CapabilityId, ProviderId};

/// How much a step matters to the plan, which decides how hard its failure is fought.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Importance {
    /// Without it the plan means nothing: retried hard, then the run halts.
    #[default]
    Essential,
    /// Worth retrying; without it the result is poorer but still useful.
    Recommended,
    /// Nice to have: tried, and skipped when it fails.
    Optional,
}

/// What a call costs, relative to others (the manifest's `conductor.cost`).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Cost {
    /// Cheap enough to call freely.
    #[default]
    Low,
    /// Worth batching.
    Medium,
    /// Call only when needed.
    High,
}

/// One thing an extension can do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capability {
    /// What it does.
    pub id: CapabilityId,
    /// The extension that does it.
    pub provider: ProviderId,
    /// The method to invoke on the extension.
    pub method: String,
    /// A sentence for planners (and people).
    pub description: String,
    /// Whether the extension is an Instrument (a model) rather than an Operator.
    #[serde(default)]
    pub instrument: bool,
    /// Intents it serves, in plain words (the manifest's `conductor.intents`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intents: Vec<String>,
    /// Media types it reads (`text/plain`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<String>,
    /// Media types it makes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<String>,
    /// What a call costs.
    #[serde(default)]
    pub cost: Cost,
    /// How much a plan should lean on it (the extension's class).
    #[serde(default)]
    pub importance: Importance,
}

impl Capability {
    /// A capability with only the required fields; hints, types and cost empty or default.
    pub fn new(
        id: CapabilityId,
        provider: ProviderId,
        method: impl Into<String>,
        description: impl Into<String>,
    ) -> Capability {
        Capability {
            id,
            provider,
            method: method.into(),
            description: description.into(),
            instrument: false,
            intents: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            cost: Cost::Low,
            importance: Importance::Essential,
        }
    }

    /// Everything a planner can match an intent against: id words, method, description and
    /// intents, one text.
    pub fn document(&self) -> String {
        let mut text = self.id.as_str().replace(['.', '-', '_'], " ");
        for part in [&self.method, &self.description] {
            text.push_str(". ");
            text.push_str(part);
        }
        for intent in &self.intents {
            text.push_str(". ");
            text.push_str(intent);
        }
        text
    }
}

/// Every capability installed, in order of preference within each capability id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    capabilities: Vec<Capability>,
}

impl Catalog {
    /// A catalog of `capabilities`; earlier providers of a capability are preferred.
    pub fn new(capabilities: Vec<Capability>) -> Catalog {
        Catalog { capabilities }
    }

    /// The providers of `id`, preferred first.
    pub fn providers<'a>(&'a self, id: &'a CapabilityId) -> impl Iterator<Item = &'a Capability> {
        self.capabilities.iter().filter(move |c| &c.id == id)
    }

    /// Every capability.
    pub fn all(&self) -> &[Capability] {
        &self.capabilities
    }

    /// Each capability id once, in the order first seen, with its preferred provider.
    pub fn distinct(&self) -> Vec<&Capability> {
        let mut seen = std::collections::HashSet::new();
        self.capabilities
            .iter()
            .filter(|c| seen.insert(&c.id))
            .collect()
    }
}
