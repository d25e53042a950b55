//! A plan: steps (capability calls) and the order they must keep, checked before it is
//! compiled into a workflow.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::catalog::{Catalog, Importance};
use super::ids::{CapabilityId, StepId};

/// Most steps a plan may have: a plan is read by a person before it runs.
pub const MAX_STEPS: usize = 200;
/// Largest parameters of one step, as JSON bytes.
pub const MAX_PARAMS_BYTES: usize = 64 << 10;

/// A step that undoes another's effect, run when the plan fails after that one completed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Undo {
    /// The capability that undoes it.
    pub capability: CapabilityId,
    /// Its parameters.
    #[serde(default)]
    pub params: Map<String, Value>,
}

/// One call of a capability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Its id, unique in the plan.
    pub id: StepId,
    /// What it does.
    pub capability: CapabilityId,
    /// With what.
    #[serde(default)]
    pub params: Map<String, Value>,
    /// The steps that must finish first.
    #[serde(default)]
    pub after: Vec<StepId>,
    /// How much it matters.
    #[serde(default)]
    pub importance: Importance,
    /// How to undo it, if its effect must not outlive a failed plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undo: Option<Undo>,
}

/// What the Conductor proposes for an intent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The intent, as the user put it.
    pub intent: String,
    /// The steps, in the order they were planned.
    pub steps: Vec<Step>,
    /// What the user gives the plan to work on (a buffer, a selection), if anything: it
    /// becomes the workflow's input node [`INPUT_NODE`](super::INPUT_NODE), and the steps
    /// that wait for nothing read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
}

/// Why a plan cannot run; each names the step and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// A plan with nothing to do.
    #[error("the plan has no steps")]
    Empty,
    /// Too many steps.
    #[error("the plan has {0} steps; at most {MAX_STEPS} can be shown and run")]
    TooLarge(usize),
    /// Two steps share an id.
    #[error("steps[{index}]: the id `{id}` is used by an earlier step; step ids must be unique")]
    DuplicateStep {
        /// Where.
        index: usize,
        /// The id.
        id: StepId,
    },
    /// A step waits for a step that does not exist.
    #[error("steps[{index}] (`{id}`): `after` names `{missing}`, which is not a step of the plan")]
    UnknownAfter {
        /// Where.
        index: usize,
        /// The step.
        id: StepId,
        /// The id it names.
        missing: StepId,
    },
    /// No installed extension provides a capability.
    #[error(
        "steps[{index}] (`{id}`): no installed extension provides `{capability}`; install one \
         (`symphony ext install`) or plan without it"
    )]
    NoProvider {
        /// Where.
        index: usize,
        /// The step.
        id: StepId,
        /// The capability.
        capability: CapabilityId,
    },
    /// Parameters too large.
    #[error(
        "steps[{index}] (`{id}`): its parameters are {bytes} bytes; at most {MAX_PARAMS_BYTES}"
    )]
    ParamsTooLarge {
        /// Where.
        index: usize,
        /// The step.
        id: StepId,
        /// Their size.
        bytes: usize,
    },
    /// The steps wait for each other in a circle.
    #[error("the steps wait for each other in a cycle: {}", cycle.iter().map(StepId::as_str).collect::<Vec<_>>().join(" → "))]
    Cycle {
        /// The steps of the cycle, the first repeated at the end.
        cycle: Vec<StepId>,
    },
    /// The DAG Tracker refused the compiled workflow (a bug of the compiler, said plainly).
    #[error("the compiled workflow is not valid: {0}")]
    Workflow(String),
}

impl Plan {
    /// Checks the plan against `catalog`: size, unique ids, known `after`s and capabilities
    /// (undo capabilities included), parameter sizes, and no cycle.
    pub fn check(&self, catalog: &Catalog) -> Result<(), PlanError> {
        if self.steps.is_empty() {
            return Err(PlanError::Empty);
        }
        if self.steps.len() > MAX_STEPS {
            return Err(PlanError::TooLarge(self.steps.len()));
        }
        let mut seen = HashSet::with_capacity(self.steps.len());
        for (index, step) in self.steps.iter().enumerate() {
            if !seen.insert(&step.id) {
                return Err(PlanError::DuplicateStep {
                    index,
                    id: step.id.clone(),
                });
            }
        }
        for (index, step) in self.steps.iter().enumerate() {
            if let Some(missing) = step.after.iter().find(|a| !seen.contains(a)) {
                return Err(PlanError::UnknownAfter {
                    index,
                    id: step.id.clone(),
                    missing: missing.clone(),
                });
            }
            let capabilities =
                std::iter::once(&step.capability).chain(step.undo.as_ref().map(|u| &u.capability));
            for capability in capabilities {
                if catalog.providers(capability).next().is_none() {
                    return Err(PlanError::NoProvider {
                        index,
                        id: step.id.clone(),
                        capability: capability.clone(),
                    });
                }
            }
            let bytes = serde_json::to_string(&step.params).map_or(usize::MAX, |s| s.len());
            if bytes > MAX_PARAMS_BYTES {
                return Err(PlanError::ParamsTooLarge {
                    index,
                    id: step.id.clone(),
                    bytes,
                });
            }
        }
        match self.find_cycle() {
            Some(cycle) => Err(PlanError::Cycle { cycle }),
            None => Ok(()),
        }
    }

    /// The step ids in an order where every step comes after those it waits for (ties in
    /// plan order), or `None` if they wait in a cycle.
    pub fn order(&self) -> Option<Vec<&StepId>> {
        let (order, _) = self.sort();
        (order.len() == self.steps.len())
            .then(|| order.iter().map(|&i| &self.steps[i].id).collect())
    }

    /// Kahn's sort over the `after` links that name steps: the sorted indices, and for each
    /// step whether it was sorted (a step left over waits, through others, on itself).
    fn sort(&self) -> (Vec<usize>, Vec<bool>) {
        let index: HashMap<&StepId, usize> = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| (&s.id, i))
            .collect();
        let mut waiting = vec![0_usize; self.steps.len()];
        let mut next: Vec<Vec<usize>> = vec![Vec::new(); self.steps.len()];
        for (i, step) in self.steps.iter().enumerate() {
            for a in step.after.iter().filter_map(|a| index.get(a)) {
                next[*a].push(i);
                waiting[i] += 1;
            }
        }
        let mut ready: std::collections::BTreeSet<usize> =
            (0..self.steps.len()).filter(|&i| waiting[i] == 0).collect();
        let mut order = Vec::with_capacity(self.steps.len());
        let mut sorted = vec![false; self.steps.len()];
        while let Some(i) = ready.pop_first() {
            order.push(i);
            sorted[i] = true;
            for &n in &next[i] {
                waiting[n] -= 1;
                if waiting[n] == 0 {
                    ready.insert(n);
                }
            }
        }
        (order, sorted)
    }

    /// A cycle among the steps, if there is one, in running order with its first step
    /// repeated at the end.
    fn find_cycle(&self) -> Option<Vec<StepId>> {
        let (_, sorted) = self.sort();
        let index: HashMap<&StepId, usize> = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| (&s.id, i))
            .collect();
        // Every step left over waits on another left over: walking those links must repeat.
        let mut current = sorted.iter().position(|done| !done)?;
        let mut path: Vec<usize> = Vec::new();
        loop {
            if let Some(at) = path.iter().position(|&i| i == current) {
                let mut ring: Vec<usize> = path[at..].iter().rev().copied().collect();
                // Start at the step planned first, so that the message reads in plan order.
                if let Some((first, _)) = ring.iter().enumerate().min_by_key(|(_, i)| **i) {
                    ring.rotate_left(first);
                }
                let mut cycle: Vec<StepId> =
                    ring.iter().map(|&i| self.steps[i].id.clone()).collect();
                cycle.push(cycle[0].clone());
                return Some(cycle);
            }
            path.push(current);
            current = self.steps[current]
                .after
                .iter()
                .filter_map(|a| index.get(a).copied())
                .find(|&i| !sorted[i])?;
        }
    }
}
