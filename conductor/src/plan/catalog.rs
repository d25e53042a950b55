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
}
