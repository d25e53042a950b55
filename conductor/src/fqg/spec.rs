//! The puzzle file's shape (TOML, see `conductor/puzzles/README.md`), as serde types. The
//! generator builds these too, so hand-written and generated puzzles go through the same
//! [`compile`](super::compile::compile) checks.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::puzzle::Role;

/// A puzzle as written in a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PuzzleSpec {
    /// Its id. [default: the file's stem]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// A short title.
    pub title: String,
    /// The story told to the player.
    pub story: String,
    /// Facts that must all hold to win.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goal: Vec<String>,
    /// Alternatives instead of `goal`: reaching all facts of any one wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goal_any: Vec<Vec<String>>,
    /// Facts that hold at the start.
    #[serde(default)]
    pub start: Vec<String>,
    /// Calls allowed before the episode is cut off. [default: 30]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_limit: Option<u32>,
    /// Typed parameter values: type name → its objects.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub objects: BTreeMap<String, Vec<String>>,
    /// The library.
    #[serde(rename = "function")]
    pub functions: Vec<FunctionSpec>,
}

/// A function as written in a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionSpec {
    /// Its name: lowercase letters, digits, `_`.
    pub name: String,
    /// What it does.
    pub description: String,
    /// required | optional | distractor | harmful. [default: required]
    #[serde(default)]
    pub role: Role,
    /// Parameters as `"name: type"`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<String>,
    /// Preconditions: facts that must hold, or `!fact` for facts that must not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<String>,
    /// Facts made true.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adds: Vec<String>,
    /// Facts made false.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removes: Vec<String>,
    /// What a successful call returns. [default: "ok"]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returns: Option<String>,
    /// Score of the first success, optional functions only: 5 to 20.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward: Option<i32>,
    /// Score of each success, harmful functions only: -10 or less. [default: -20]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub penalty: Option<i32>,
    /// Probability that a valid call fails and changes nothing: 0 <= p <= 0.9. [default: 0]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_chance: Option<f64>,
    /// What a failed call returns. [default: "failed, try again"]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_returns: Option<String>,
}

impl FunctionSpec {
    /// A function with only a name, description and role; the rest empty.
    pub fn new(name: impl Into<String>, description: impl Into<String>, role: Role) -> Self {
        FunctionSpec {
            name: name.into(),
            description: description.into(),
            role,
            params: Vec::new(),
            requires: Vec::new(),
            adds: Vec::new(),
            removes: Vec::new(),
            returns: None,
            reward: None,
            penalty: None,
            fail_chance: None,
            fail_returns: None,
        }
    }
}
