//! The compiled puzzle: facts interned to bits, functions grounded into actions. Built from a
//! [`PuzzleSpec`](super::spec::PuzzleSpec) by [`compile`](super::compile::compile); the
//! environment, planner and policy all work on this form.

use serde::Serialize;

use super::ids::{ActionId, FactId, FunctionId};
use super::state::WorldState;

/// What a function is for in its puzzle (and how calling it scores).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// On some route to the goal.
    #[default]
    Required,
    /// A safe side step that earns its `reward` (+5…+20) the first time it succeeds.
    Optional,
    /// Useless: calling it wastes a call.
    Distractor,
    /// Does damage: each successful call costs its `penalty` (−10 or worse).
    Harmful,
}

/// A typed parameter of a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Its name, used as `{name}` in the function's templates.
    pub name: String,
    /// Its type: a key of the puzzle's `[objects]` table.
    pub ty: String,
}

/// A function of the puzzle's library, as declared.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    /// Its name, like `grab_item`.
    pub name: String,
    /// What it does, in words.
    pub description: String,
    /// Required, optional, distractor or harmful.
    pub role: Role,
    /// Its typed parameters.
    pub params: Vec<Param>,
    /// Score for the first successful call of each of its actions (optional steps only).
    pub reward: i32,
    /// Score for every successful call (harmful functions only; negative).
    pub penalty: i32,
}

impl Function {
    /// The signature as a person reads it: `grab_item(item: item)`.
    pub fn signature(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|p| format!("{}: {}", p.name, p.ty))
            .collect();
        format!("{}({})", self.name, params.join(", "))
    }
}

/// A ground action: a function with every parameter bound to an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// The function called.
    pub function: FunctionId,
    /// The arguments, in parameter order.
    pub args: Vec<String>,
    /// Facts that must hold for the call to be valid.
    pub requires: WorldState,
    /// Facts that must not hold for the call to be valid.
    pub forbids: WorldState,
    /// Facts that hold after a successful call.
    pub adds: WorldState,
    /// Facts that stop holding after a successful call (applied before `adds`).
    pub removes: WorldState,
    /// Probability that a valid call fails and changes nothing.
    pub fail_chance: f64,
    /// What a successful call returns.
    pub returns: String,
    /// What a failed call returns.
    pub fail_returns: String,
}

impl Action {
    /// Whether the call is valid in `state` (its preconditions hold).
    pub fn applicable(&self, state: WorldState) -> bool {
        state.contains_all(self.requires) && state.contains_none(self.forbids)
    }

    /// The state after a successful call in `state`.
    pub fn apply(&self, state: WorldState) -> WorldState {
        state.difference(self.removes).union(self.adds)
    }

    /// Expected number of calls until it succeeds: `1 / (1 − fail_chance)`.
    pub fn expected_calls(&self) -> f64 {
        1.0 / (1.0 - self.fail_chance)
    }
}

/// The goal: reached when every fact of any one alternative holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    /// The alternatives (a branching goal has more than one).
    pub alternatives: Vec<WorldState>,
}

impl Goal {
    /// Whether `state` reaches the goal.
    pub fn reached(&self, state: WorldState) -> bool {
        self.alternatives.iter().any(|alt| state.contains_all(*alt))
    }
}

/// A compiled puzzle.
#[derive(Debug, Clone, PartialEq)]
pub struct Puzzle {
    /// Its id (the file's stem, or the generator's name).
    pub id: String,
    /// A short title.
    pub title: String,
    /// The story told to the player.
    pub story: String,
    /// Every fact mentioned, by [`FactId`].
    pub facts: Vec<String>,
    /// The facts that hold at the start.
    pub start: WorldState,
    /// What must be reached.
    pub goal: Goal,
    /// The library of functions.
    pub functions: Vec<Function>,
    /// Every ground action, by [`ActionId`].
    pub actions: Vec<Action>,
    /// Calls allowed before the episode is cut off.
    pub step_limit: u32,
    /// The generator's level, for generated puzzles.
    pub level: Option<u32>,
    /// The optimal expected number of calls the generator built the puzzle for.
    pub intended_optimum: Option<f64>,
}

impl Puzzle {
    /// The action `id`.
    pub fn action(&self, id: ActionId) -> &Action {
        &self.actions[id.index()]
    }

    /// The function `id`.
    pub fn function(&self, id: FunctionId) -> &Function {
        &self.functions[id.index()]
    }

    /// Every action id, in order.
    pub fn action_ids(&self) -> impl Iterator<Item = ActionId> + '_ {
        (0..self.actions.len()).map(|i| ActionId(i as u16))
    }

    /// How an action reads: `grab_item(milk)`.
    pub fn action_label(&self, id: ActionId) -> String {
        let action = self.action(id);
        format!(
            "{}({})",
            self.function(action.function).name,
            action.args.join(", ")
        )
    }

    /// A fact's name.
    pub fn fact_name(&self, fact: FactId) -> &str {
        &self.facts[fact.index()]
    }

    /// Whether `fact` is an inventory item (`has(x)`) rather than an environment flag.
    pub fn is_inventory(&self, fact: FactId) -> bool {
        self.fact_name(fact).starts_with("has(")
    }

    /// The names of the facts in `state`.
    pub fn describe(&self, state: WorldState) -> Vec<&str> {
        state.facts().map(|f| self.fact_name(f)).collect()
    }
}
