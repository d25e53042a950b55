//! Turns a [`PuzzleSpec`] into a [`Puzzle`]: checks every field, grounds each function over
//! its parameters' objects and interns facts. A problem names the field it is in
//! ([`FieldPath`]) so that the loader can point at the line.

use std::collections::{BTreeMap, HashMap};

use super::ids::{FactId, FunctionId};
use super::puzzle::{Action, Function, Goal, Param, Puzzle, Role};
use super::spec::{FunctionSpec, PuzzleSpec};
use super::state::WorldState;

/// The most facts a puzzle may mention (one bit each in a [`WorldState`]).
pub const MAX_FACTS: usize = 128;
/// The most ground actions a puzzle may have.
pub const MAX_ACTIONS: usize = 512;
/// Calls allowed when a puzzle does not say.
pub const DEFAULT_STEP_LIMIT: u32 = 30;

/// One step of a path into the puzzle file: a key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A table key.
    Key(&'static str),
    /// A table key that is data (an `[objects]` type name).
    Name(String),
    /// An array element.
    Index(usize),
}

/// Where in the file a problem is, like `function[2].requires[0]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldPath(pub Vec<Seg>);

impl FieldPath {
    fn at(segs: &[Seg]) -> FieldPath {
        FieldPath(segs.to_vec())
    }
}

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut first = true;
        for seg in &self.0 {
            match seg {
                Seg::Key(k) if first => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Name(k) if first => write!(f, "{k}")?,
                Seg::Name(k) => write!(f, ".{k}")?,
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

/// A problem found while compiling: which field, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecProblem {
    /// Where.
    pub field: FieldPath,
    /// What, and how to fix it.
    pub message: String,
}

fn problem(segs: &[Seg], message: impl Into<String>) -> SpecProblem {
    SpecProblem {
        field: FieldPath::at(segs),
        message: message.into(),
    }
}

/// Whether `name` is a lowercase identifier (`[a-z0-9_]+`, not starting with a digit).
fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

/// Whether `fact` is a valid fact name: `word` or `word(arg, …)`.
fn is_fact(fact: &str) -> bool {
    match fact.split_once('(') {
        None => is_identifier(fact),
        Some((head, rest)) => {
            is_identifier(head)
                && rest.strip_suffix(')').is_some_and(|args| {
                    args.split(',').all(|a| {
                        is_identifier(a.trim())
                            || a.trim().chars().all(|c| c.is_ascii_digit()) && !a.trim().is_empty()
                    })
                })
        }
    }
}

/// Interns fact names into [`FactId`]s.
#[derive(Debug, Default)]
struct Facts {
    names: Vec<String>,
    index: HashMap<String, FactId>,
}

impl Facts {
    fn intern(&mut self, name: &str, at: &[Seg]) -> Result<FactId, SpecProblem> {
        if !is_fact(name) {
            return Err(problem(
                at,
                format!(
                    "`{name}` is not a fact name: use lowercase words with `_`, optionally with \
                     arguments like `has(milk)`"
                ),
            ));
        }
        if let Some(id) = self.index.get(name) {
            return Ok(*id);
        }
        if self.names.len() >= MAX_FACTS {
            return Err(problem(
                at,
                format!(
                    "`{name}` would be fact number {}: a puzzle may mention at most {MAX_FACTS} facts",
                    MAX_FACTS + 1
                ),
            ));
        }
        let id = FactId(self.names.len() as u8);
        self.names.push(name.to_owned());
        self.index.insert(name.to_owned(), id);
        Ok(id)
    }

    fn state(&mut self, names: &[String], at: &[Seg]) -> Result<WorldState, SpecProblem> {
        let mut state = WorldState::EMPTY;
        for (i, name) in names.iter().enumerate() {
            let mut path = at.to_vec();
            path.push(Seg::Index(i));
            state.insert(self.intern(name, &path)?);
        }
        Ok(state)
    }
}

/// Replaces `{param}` in `template` with its argument; an unknown `{name}` is a problem.
fn substitute(template: &str, binding: &[(&str, &str)], at: &[Seg]) -> Result<String, SpecProblem> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(problem(
                at,
                format!("`{template}`: `{{` without a closing `}}`"),
            ));
        };
        let name = &after[..close];
        let Some((_, value)) = binding.iter().find(|(p, _)| *p == name) else {
            let known: Vec<&str> = binding.iter().map(|(p, _)| *p).collect();
            return Err(problem(
                at,
                format!(
                    "`{template}` uses `{{{name}}}`, which is not a parameter of this function \
                     (its parameters: {})",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                ),
            ));
        };
        out.push_str(value);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Parses `"name: type"`.
fn parse_param(
    text: &str,
    objects: &BTreeMap<String, Vec<String>>,
    at: &[Seg],
) -> Result<Param, SpecProblem> {
    let Some((name, ty)) = text.split_once(':') else {
        return Err(problem(
            at,
            format!("`{text}`: write a parameter as `name: type`"),
        ));
    };
    let (name, ty) = (name.trim(), ty.trim());
    if !is_identifier(name) {
        return Err(problem(
            at,
            format!("`{name}` is not a parameter name: use lowercase words with `_`"),
        ));
    }
    if !objects.contains_key(ty) {
        let known: Vec<&str> = objects.keys().map(String::as_str).collect();
        return Err(problem(
            at,
            format!(
                "parameter `{name}` has type `{ty}`, which `[objects]` does not list (types: {})",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            ),
        ));
    }
    Ok(Param {
        name: name.to_owned(),
        ty: ty.to_owned(),
    })
}

/// Every binding of `params` to objects, in lexicographic order.
fn bindings(params: &[Param], objects: &BTreeMap<String, Vec<String>>) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new()];
    for param in params {
        let values = objects
            .get(&param.ty)
            .map(Vec::as_slice)
            .unwrap_or_default();
        out = out
            .into_iter()
            .flat_map(|prefix| {
                values.iter().map(move |v| {
                    let mut next = prefix.clone();
                    next.push(v.clone());
                    next
                })
            })
            .collect();
    }
    out
}

fn check_role_scores(f: &FunctionSpec, at: &[Seg]) -> Result<(i32, i32), SpecProblem> {
    let mut path = at.to_vec();
    let reward = match (f.role, f.reward) {
        (Role::Optional, Some(r)) if (5..=20).contains(&r) => r,
        (Role::Optional, Some(r)) => {
            path.push(Seg::Key("reward"));
            return Err(problem(
                &path,
                format!("reward {r}: an optional step earns 5 to 20"),
            ));
        }
        (Role::Optional, None) => 5,
        (_, Some(_)) => {
            path.push(Seg::Key("reward"));
            return Err(problem(
                &path,
                "only `role = \"optional\"` functions have a reward",
            ));
        }
        (_, None) => 0,
    };
    let penalty = match (f.role, f.penalty) {
        (Role::Harmful, Some(p)) if p <= -10 => p,
        (Role::Harmful, Some(p)) => {
            path.push(Seg::Key("penalty"));
            return Err(problem(
                &path,
                format!("penalty {p}: a harmful call costs -10 or more (a negative number)"),
            ));
        }
        (Role::Harmful, None) => -20,
        (_, Some(_)) => {
            path.push(Seg::Key("penalty"));
            return Err(problem(
                &path,
                "only `role = \"harmful\"` functions have a penalty",
            ));
        }
        (_, None) => 0,
    };
    Ok((reward, penalty))
}

/// Compiles `spec` (named `id`) into a puzzle; the first problem found is returned.
pub fn compile(spec: &PuzzleSpec, id: &str) -> Result<Puzzle, SpecProblem> {
    let mut facts = Facts::default();
    for (ty, values) in &spec.objects {
        let at = [Seg::Key("objects"), Seg::Name(ty.clone())];
        if !is_identifier(ty) {
            return Err(problem(
                &at,
                format!("`{ty}` is not a type name: use lowercase words with `_`"),
            ));
        }
        if values.is_empty() {
            return Err(problem(&at, format!("type `{ty}` lists no objects")));
        }
        for (i, v) in values.iter().enumerate() {
            if !is_identifier(v) {
                let mut path = at.to_vec();
                path.push(Seg::Index(i));
                return Err(problem(
                    &path,
                    format!("`{v}` is not an object name: use lowercase words with `_`"),
                ));
            }
        }
    }
    let alternatives_spec: Vec<(Vec<Seg>, &Vec<String>)> = match (
        spec.goal.is_empty(),
        spec.goal_any.is_empty(),
    ) {
        (false, true) => vec![(vec![Seg::Key("goal")], &spec.goal)],
        (true, false) => spec
            .goal_any
            .iter()
            .enumerate()
            .map(|(i, g)| (vec![Seg::Key("goal_any"), Seg::Index(i)], g))
            .collect(),
        (true, true) => {
            return Err(problem(
                &[Seg::Key("goal")],
                "the puzzle has no goal: give `goal = [\"fact\", …]` or `goal_any = [[…], […]]`",
            ));
        }
        (false, false) => {
            return Err(problem(
                &[Seg::Key("goal_any")],
                "give either `goal` or `goal_any`, not both",
            ));
        }
    };
    let mut alternatives = Vec::new();
    for (at, names) in alternatives_spec {
        if names.is_empty() {
            return Err(problem(
                &at,
                "an empty goal alternative would be won before the first call",
            ));
        }
        alternatives.push(facts.state(names, &at)?);
    }
    let start = facts.state(&spec.start, &[Seg::Key("start")])?;
    if spec.functions.is_empty() {
        return Err(problem(
            &[Seg::Key("function")],
            "the library is empty: add `[[function]]` tables",
        ));
    }
    let mut functions = Vec::new();
    let mut actions = Vec::new();
    let mut seen = HashMap::new();
    for (fi, f) in spec.functions.iter().enumerate() {
        let at = [Seg::Key("function"), Seg::Index(fi)];
        let field = |key: &'static str| {
            let mut p = at.to_vec();
            p.push(Seg::Key(key));
            p
        };
        if !is_identifier(&f.name) {
            return Err(problem(
                &field("name"),
                format!(
                    "`{}` is not a function name: use lowercase words with `_`",
                    f.name
                ),
            ));
        }
        if let Some(first) = seen.insert(f.name.clone(), fi) {
            return Err(problem(
                &field("name"),
                format!(
                    "function `{}` is declared twice (first as function[{first}])",
                    f.name
                ),
            ));
        }
        let (reward, penalty) = check_role_scores(f, &at)?;
        let fail_chance = f.fail_chance.unwrap_or(0.0);
        if !(0.0..=0.9).contains(&fail_chance) {
            return Err(problem(
                &field("fail_chance"),
                format!("{fail_chance} is not a probability between 0 and 0.9"),
            ));
        }
        let mut params = Vec::new();
        for (pi, text) in f.params.iter().enumerate() {
            let mut p = field("params");
            p.push(Seg::Index(pi));
            let param = parse_param(text, &spec.objects, &p)?;
            if params.iter().any(|q: &Param| q.name == param.name) {
                return Err(problem(
                    &p,
                    format!("parameter `{}` is declared twice", param.name),
                ));
            }
            params.push(param);
        }
        let function_id = FunctionId(functions.len() as u16);
        for args in bindings(&params, &spec.objects) {
            let binding: Vec<(&str, &str)> = params
                .iter()
                .zip(&args)
                .map(|(p, a)| (p.name.as_str(), a.as_str()))
                .collect();
            let mut requires = WorldState::EMPTY;
            let mut forbids = WorldState::EMPTY;
            for (ri, text) in f.requires.iter().enumerate() {
                let mut p = field("requires");
                p.push(Seg::Index(ri));
                let (negated, text) = match text.strip_prefix('!') {
                    Some(rest) => (true, rest),
                    None => (false, text.as_str()),
                };
                let fact = facts.intern(&substitute(text, &binding, &p)?, &p)?;
                if negated {
                    forbids.insert(fact)
                } else {
                    requires.insert(fact)
                }
            }
            let mut ground =
                |key: &'static str, list: &[String]| -> Result<WorldState, SpecProblem> {
                    let mut state = WorldState::EMPTY;
                    for (i, text) in list.iter().enumerate() {
                        let mut p = field(key);
                        p.push(Seg::Index(i));
                        state.insert(facts.intern(&substitute(text, &binding, &p)?, &p)?);
                    }
                    Ok(state)
                };
            let adds = ground("adds", &f.adds)?;
            let removes = ground("removes", &f.removes)?;
            if !requires.intersection(forbids).is_empty() {
                return Err(problem(
                    &field("requires"),
                    "a fact is both required and forbidden, so the function can never be called",
                ));
            }
            let returns = substitute(
                f.returns.as_deref().unwrap_or("ok"),
                &binding,
                &field("returns"),
            )?;
            let fail_returns = substitute(
                f.fail_returns.as_deref().unwrap_or("failed, try again"),
                &binding,
                &field("fail_returns"),
            )?;
            actions.push(Action {
                function: function_id,
                args,
                requires,
                forbids,
                adds,
                removes,
                fail_chance,
                returns,
                fail_returns,
            });
            if actions.len() > MAX_ACTIONS {
                return Err(problem(
                    &field("params"),
                    format!(
                        "the puzzle grounds to more than {MAX_ACTIONS} actions: use fewer objects or parameters"
                    ),
                ));
            }
        }
        functions.push(Function {
            name: f.name.clone(),
            description: f.description.clone(),
            role: f.role,
            params,
            reward,
            penalty,
        });
    }
    let step_limit = spec.step_limit.unwrap_or(DEFAULT_STEP_LIMIT);
    if step_limit == 0 || step_limit > 1000 {
        return Err(problem(
            &[Seg::Key("step_limit")],
            format!("{step_limit}: give between 1 and 1000 calls"),
        ));
    }
    let goal = Goal { alternatives };
    if goal.reached(start) {
        return Err(problem(
            &[Seg::Key("start")],
            "the goal already holds at the start",
        ));
    }
    Ok(Puzzle {
        id: spec.id.clone().unwrap_or_else(|| id.to_owned()),
        title: spec.title.clone(),
        story: spec.story.clone(),
        facts: facts.names,
        start,
        goal,
        functions,
        actions,
        step_limit,
        level: None,
        intended_optimum: None,
    })
}
