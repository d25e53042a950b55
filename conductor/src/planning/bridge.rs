//! Bridging media types between two steps: when a step makes what the next cannot read,
//! the capabilities that convert one into the other are found by playing a Function Quest
//! Game puzzle (each capability a function from its input type to its output types, the
//! goal to hold the type wanted) with the trained FQG policy, and with the exact planner
//! when the policy does not reach the goal in the calls allowed.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::fqg::agent::Agent;
use crate::fqg::policy::{Policy, PolicyAgent};
use crate::fqg::{Env, FunctionSpec, Outcome, Planner as ExactPlanner, PuzzleSpec, Role, compile};
use crate::plan::{Capability, Catalog};

/// Most conversions in a row a bridge may take.
const MAX_BRIDGE: u32 = 6;

/// A chain of capabilities that turns one media type into another.
#[derive(Debug, Clone, PartialEq)]
pub struct Bridge<'c> {
    /// The capabilities to call, in order.
    pub steps: Vec<&'c Capability>,
    /// Who found it: `policy` (the trained FQG policy) or `planner` (the exact planner).
    pub found_by: &'static str,
}

/// The capabilities that turn something of the types `have` into `want`, shortest first
/// found; `None` when nothing installed converts it. An empty bridge when `have` holds it.
pub fn bridge_types<'c>(
    catalog: &'c Catalog,
    have: &[String],
    want: &str,
    policy: Option<&Policy>,
) -> Option<Bridge<'c>> {
    if have.iter().any(|h| h == want) {
        return Some(Bridge {
            steps: Vec::new(),
            found_by: "types",
        });
    }
    let converters: Vec<&Capability> = catalog
        .distinct()
        .into_iter()
        .filter(|c| !c.inputs.is_empty() && !c.outputs.is_empty())
        .collect();
    let mut types: Vec<&str> = have.iter().map(String::as_str).collect();
    types.push(want);
    for c in &converters {
        types.extend(c.inputs.iter().map(String::as_str));
        types.extend(c.outputs.iter().map(String::as_str));
    }
    types.sort_unstable();
    types.dedup();
    let fact = |t: &str| {
        let i = types.iter().position(|x| *x == t).unwrap_or(0);
        format!("has_t{i}")
    };
    let functions: Vec<FunctionSpec> = converters
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut f = FunctionSpec::new(
                format!("f{i}"),
                format!("{}: {}", c.id, c.description),
                Role::Required,
            );
            f.requires = vec![fact(&c.inputs[0])];
            f.adds = c.outputs.iter().map(|t| fact(t)).collect();
            f
        })
        .collect();
    if functions.is_empty() {
        return None;
    }
    let spec = PuzzleSpec {
        id: Some("bridge".to_owned()),
        title: format!("Make {want}"),
        story: format!("You hold {}. Turn it into {want}.", have.join(" and ")),
        goal: vec![fact(want)],
        goal_any: Vec::new(),
        start: have.iter().map(|t| fact(t)).collect(),
        step_limit: Some(MAX_BRIDGE),
        objects: BTreeMap::new(),
        functions,
    };
    let puzzle = Arc::new(compile(&spec, "bridge").ok()?);
    let chosen = policy
        .and_then(|p| play(&puzzle, p))
        .map(|actions| (actions, "policy"))
        .or_else(|| {
            let plan = ExactPlanner::new(&puzzle).plan(puzzle.start)?;
            Some((
                plan.actions
                    .iter()
                    .map(|a| usize::from(puzzle.action(*a).function.0))
                    .collect(),
                "planner",
            ))
        })?;
    let (functions, found_by) = chosen;
    Some(Bridge {
        steps: functions.into_iter().map(|f| converters[f]).collect(),
        found_by,
    })
}

/// The functions the policy calls, in order, until the goal holds; `None` if it does not
/// get there within the step limit.
fn play(puzzle: &Arc<crate::fqg::Puzzle>, policy: &Policy) -> Option<Vec<usize>> {
    let mut env = Env::new(puzzle.clone());
    let mut agent = PolicyAgent::greedy(policy);
    agent.begin(&env);
    let mut called = Vec::new();
    while !env.done() {
        if env.valid_actions().is_empty() {
            return None;
        }
        let action = agent.act(&env);
        let step = env.step(action);
        if step
            .observation
            .last
            .is_some_and(|c| c.outcome == Outcome::Success)
        {
            called.push(usize::from(puzzle.action(action).function.0));
        }
    }
    env.goal_reached().then_some(called)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::plan::{CapabilityId, ProviderId};

    fn converter(id: &str, from: &str, to: &str) -> Capability {
        let mut c = Capability::new(
            CapabilityId::new(id).unwrap(),
            ProviderId::new("p").unwrap(),
            "m",
            format!("turn {from} into {to}"),
        );
        c.inputs = vec![from.to_owned()];
        c.outputs = vec![to.to_owned()];
        c
    }

    #[test]
    fn a_chain_of_conversions_is_found_by_the_policy_or_the_planner() {
        let catalog = Catalog::new(vec![
            converter("csv.to-json", "text/csv", "application/json"),
            converter("json.to-yaml", "application/json", "application/yaml"),
            converter("text.upper", "text/plain", "text/plain"),
        ]);
        let policy = crate::fqg::policy::checked_in().ok();
        for p in [policy.as_ref(), None] {
            let bridge =
                bridge_types(&catalog, &["text/csv".into()], "application/yaml", p).unwrap();
            let ids: Vec<&str> = bridge.steps.iter().map(|c| c.id.as_str()).collect();
            assert_eq!(
                ids,
                ["csv.to-json", "json.to-yaml"],
                "found by {}",
                bridge.found_by
            );
        }
        let none = bridge_types(&catalog, &["image/png".into()], "application/yaml", None);
        assert!(none.is_none());
        let same = bridge_types(&catalog, &["text/plain".into()], "text/plain", None).unwrap();
        assert!(same.steps.is_empty());
    }
}
