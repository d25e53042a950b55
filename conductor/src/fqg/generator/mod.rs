//! The seeded puzzle generator for levels 1–20. Each level adds difficulty: longer chains,
//! more distractors, parameters to choose, a second chain to merge, branching goals, harmful
//! and optional functions, calls that fail by chance, and reliable detours around unreliable
//! calls. The generator knows the optimum it built (`Puzzle::intended_optimum`); the tests
//! check the exact planner agrees on every level.
//!
//! Shape of a generated puzzle: a main chain of facts `s0 → s1 → … → sk` (one function per
//! step, `s0` holds at the start, `sk` is the goal); a side chain `t0 → … → tm` whose end one
//! main step also needs; an alternative goal reached by a branch `sb → u1 → … → ur`; detours
//! `s(i−1) → w → si` around a flaky step; from level 9 a trap (a shortcut `s(i−1) → s(i+2)`
//! that destroys a resource every goal-making call needs, whose only restorer it blocks).
//! Distractors, optional steps, harmful functions and the trap only add facts nothing needs,
//! remove progress or lead to a dead end, so they never shorten the optimum.

mod vocab;

use std::collections::HashSet;

pub use vocab::{HELDOUT, Split, TRAIN, Vocab};

use super::compile::compile;
use super::error::FqgError;
use super::puzzle::{Puzzle, Role};
use super::rng::Rng;
use super::spec::{FunctionSpec, PuzzleSpec};

/// The highest level.
pub const MAX_LEVEL: u32 = 20;

/// What a level's puzzles contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelConfig {
    /// Steps in the main chain.
    pub chain: usize,
    /// Distractor functions.
    pub distractors: usize,
    /// Steps whose parameter must be chosen.
    pub param_steps: usize,
    /// Objects a parameter can take.
    pub objects: usize,
    /// Optional (rewarded) functions.
    pub optional: usize,
    /// Harmful functions.
    pub harmful: usize,
    /// Steps in the side chain to merge (0: none).
    pub side: usize,
    /// Whether the goal has an alternative.
    pub branch: bool,
    /// Main steps that fail by chance.
    pub flaky: usize,
    /// Flaky steps that get a reliable two-call detour.
    pub detours: usize,
    /// Whether there is a delete-relaxation trap (a shortcut that destroys a resource the
    /// last step needs, whose only restorer it blocks through a `!fact` precondition).
    pub trap: bool,
}

impl LevelConfig {
    /// The configuration of `level` (1–20).
    pub fn for_level(level: u32) -> Result<LevelConfig, FqgError> {
        if !(1..=MAX_LEVEL).contains(&level) {
            return Err(FqgError::Level(level));
        }
        let l = level as usize;
        Ok(LevelConfig {
            chain: 2 + l / 2,
            distractors: 1 + l / 2,
            param_steps: usize::from(l >= 4) + usize::from(l >= 12),
            objects: if l >= 4 { 2 + (l - 4) / 6 } else { 0 },
            optional: if l >= 3 { 1 + l / 10 } else { 0 },
            harmful: if l >= 6 { 1 + l / 10 } else { 0 },
            side: if l >= 5 { 1 + (l - 5) / 5 } else { 0 },
            branch: l >= 8,
            flaky: if l >= 11 { 1 + (l - 11) / 3 } else { 0 },
            detours: usize::from(l >= 14) + usize::from(l >= 18),
            trap: l >= 9,
        })
    }
}

/// Parses `N` or `A-B` into a level range within 1–20.
pub fn parse_levels(text: &str) -> Result<std::ops::RangeInclusive<u32>, FqgError> {
    let bad = || FqgError::LevelRange(text.to_owned());
    let (a, b) = match text.split_once('-') {
        Some((a, b)) => (
            a.trim().parse().map_err(|_| bad())?,
            b.trim().parse().map_err(|_| bad())?,
        ),
        None => {
            let n = text.trim().parse().map_err(|_| bad())?;
            (n, n)
        }
    };
    if a < 1 || b > MAX_LEVEL || a > b {
        return Err(bad());
    }
    Ok(a..=b)
}

/// The seed of puzzle `index` of `level` in `split`: distinct for every distinct triple with
/// `index < 2^58` (the packing is injective there and SplitMix's output function is a
/// bijection), so training and held-out puzzles never share a seed.
pub fn puzzle_seed(split: Split, level: u32, index: u64) -> u64 {
    let split_bit = match split {
        Split::Train => 0,
        Split::Heldout => 1,
    };
    let raw = (index.wrapping_mul(2) + split_bit).wrapping_mul(32) + u64::from(level);
    Rng::new(raw).next_u64()
}

/// Names facts and functions without repeats.
struct Namer {
    rng: Rng,
    vocab: &'static Vocab,
    used: HashSet<String>,
}

impl Namer {
    /// Claims `name`; an object `x` and the item `has(x)` are one name, so that no object
    /// can stand for a fact the puzzle uses otherwise.
    fn claim(&mut self, name: &str) -> bool {
        let bare = name
            .strip_prefix("has(")
            .and_then(|n| n.strip_suffix(')'))
            .unwrap_or(name);
        if self.used.contains(bare) || self.used.contains(&format!("has({bare})")) {
            return false;
        }
        self.used.insert(name.to_owned());
        self.used.insert(bare.to_owned());
        true
    }

    fn unique(&mut self, make: impl Fn(&mut Rng, &'static Vocab) -> String) -> String {
        for _ in 0..64 {
            let name = make(&mut self.rng, self.vocab);
            if self.claim(&name) {
                return name;
            }
        }
        let base = make(&mut self.rng, self.vocab);
        let mut n = 2;
        loop {
            let name = match base.strip_suffix(')') {
                Some(head) => format!("{head}_{n})"),
                None => format!("{base}_{n}"),
            };
            if self.claim(&name) {
                return name;
            }
            n += 1;
        }
    }

    fn word(rng: &mut Rng, words: &'static [&'static str]) -> &'static str {
        rng.pick(words).copied().unwrap_or("thing")
    }

    /// An environment flag like `lamp_lit`, or sometimes an inventory item `has(rope)`.
    fn fact(&mut self) -> String {
        if self.rng.chance(0.3) {
            self.unique(|r, v| format!("has({})", Namer::word(r, v.nouns)))
        } else {
            self.unique(|r, v| format!("{}_{}", Namer::word(r, v.nouns), Namer::word(r, v.states)))
        }
    }

    fn object(&mut self) -> String {
        self.unique(|r, v| Namer::word(r, v.nouns).to_owned())
    }

    fn function(&mut self, role: Role) -> FunctionSpec {
        let name =
            self.unique(|r, v| format!("{}_{}", Namer::word(r, v.verbs), Namer::word(r, v.nouns)));
        let manner = Namer::word(&mut self.rng, self.vocab.manners);
        let (verb, noun) = name.split_once('_').unwrap_or((name.as_str(), "it"));
        let mut chars = verb.chars();
        let verb = chars
            .next()
            .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
            .unwrap_or_default();
        let description = format!("{verb} the {}{manner}.", noun.replace('_', " "));
        FunctionSpec::new(name, description, role)
    }
}

/// The expected calls of a step that fails with probability `p`.
fn expected(p: f64) -> f64 {
    1.0 / (1.0 - p)
}

/// Generates puzzle `index` of `level` for `split`.
pub fn generate(level: u32, index: u64, split: Split) -> Result<Puzzle, FqgError> {
    let config = LevelConfig::for_level(level)?;
    let mut rng = Rng::new(puzzle_seed(split, level, index));
    let mut namer = Namer {
        rng: rng.fork(),
        vocab: split.vocab(),
        used: HashSet::new(),
    };
    let k = config.chain;
    let mut functions: Vec<FunctionSpec> = Vec::new();
    let mut objects = std::collections::BTreeMap::new();

    // The main chain's facts; a parameter step's fact is the chosen object held.
    let mut s: Vec<String> = (0..=k).map(|_| namer.fact()).collect();
    let mut steps: Vec<FunctionSpec> = (1..=k).map(|_| namer.function(Role::Required)).collect();
    let mut param_steps = HashSet::new();
    let mut choices: Vec<usize> = (1..k).collect();
    rng.shuffle(&mut choices);
    for (t, &i) in choices.iter().take(config.param_steps).enumerate() {
        let ty = split.vocab().types[t % split.vocab().types.len()].to_owned();
        let objs: Vec<String> = (0..config.objects).map(|_| namer.object()).collect();
        let target = objs[rng.below(objs.len())].clone();
        s[i] = format!("has({target})");
        steps[i - 1].params = vec![format!("what: {ty}")];
        steps[i - 1].adds = vec!["has({what})".to_owned()];
        objects.insert(ty, objs);
        param_steps.insert(i);
    }
    let mut cost: Vec<f64> = vec![1.0; k + 1];
    for i in 1..=k {
        steps[i - 1].requires.push(s[i - 1].clone());
        if !param_steps.contains(&i) {
            steps[i - 1].adds.push(s[i].clone());
        }
    }

    // A side chain whose end main step `merge` needs.
    let mut side_cost = 0.0;
    let mut merge = 0;
    let mut side_start = None;
    if config.side > 0 {
        let t: Vec<String> = (0..=config.side).map(|_| namer.fact()).collect();
        for j in 1..=config.side {
            let mut f = namer.function(Role::Required);
            f.requires.push(t[j - 1].clone());
            f.adds.push(t[j].clone());
            functions.push(f);
        }
        merge = rng.range(1, k);
        steps[merge - 1].requires.push(t[config.side].clone());
        side_cost = config.side as f64;
        side_start = Some(t[0].clone());
    }

    // Flaky steps, some with a reliable detour.
    let mut plain: Vec<usize> = (1..=k)
        .filter(|i| !param_steps.contains(i) && *i != merge)
        .collect();
    rng.shuffle(&mut plain);
    for (n, &i) in plain.iter().take(config.flaky).enumerate() {
        let detour = n < config.detours;
        let p = if detour {
            if rng.chance(0.5) { 0.2 } else { 0.6 }
        } else {
            [0.2, 0.25, 0.4][rng.below(3)]
        };
        steps[i - 1].fail_chance = Some(p);
        steps[i - 1].fail_returns = Some("failed: try again".to_owned());
        cost[i] = expected(p);
        if detour {
            let w = namer.fact();
            let mut d1 = namer.function(Role::Required);
            d1.requires.push(s[i - 1].clone());
            d1.adds.push(w.clone());
            let mut d2 = namer.function(Role::Required);
            d2.requires.push(w);
            d2.adds.push(s[i].clone());
            functions.push(d1);
            functions.push(d2);
            cost[i] = cost[i].min(2.0);
        }
    }
    let main_cost: f64 = cost[1..=k].iter().sum::<f64>() + side_cost;

    let mut trap_resource = None;
    // A branching goal: an alternative route from `s[b]`.
    let mut goal_any = Vec::new();
    let mut intended = main_cost;
    if config.branch {
        let b = rng.below(k);
        let prefix: f64 = cost[1..=b].iter().sum::<f64>()
            + if merge <= b && merge > 0 {
                side_cost
            } else {
                0.0
            };
        // At least half the remaining main chain, so that the alternative is a real choice.
        let mut r = rng.range(((k - b) / 2).max(1), k - b + 1);
        if (prefix + r as f64 - main_cost).abs() < 0.5 {
            r += 1;
        }
        let u: Vec<String> = (0..r).map(|_| namer.fact()).collect();
        for j in 0..r {
            let mut f = namer.function(Role::Required);
            f.requires.push(if j == 0 {
                s[b].clone()
            } else {
                u[j - 1].clone()
            });
            f.adds.push(u[j].clone());
            functions.push(f);
        }
        goal_any = vec![vec![s[k].clone()], vec![u[r - 1].clone()]];
        intended = intended.min(prefix + r as f64);
    }

    // The trap: requires s(i−1), jumps to s(i+2) (the relaxed plan drops by two calls more
    // than a normal step), but removes the resource every final step needs and raises a flag
    // that forbids the only call restoring it. The delete relaxation ignores both the removal's
    // consequence and the `!flag`, so `h_FF` rates the trap best; in truth it is a dead end.
    if config.trap && k >= 4 {
        let i = rng.range(1, k - 3);
        let resource = namer.fact();
        let flag = namer.fact();
        let mut shortcut = namer.function(Role::Harmful);
        shortcut.requires.push(s[i - 1].clone());
        shortcut.adds = vec![s[i + 2].clone(), flag.clone()];
        shortcut.removes.push(resource.clone());
        shortcut.penalty = Some(-20);
        let mut restore = namer.function(Role::Distractor);
        restore.requires.push(format!("!{flag}"));
        restore.adds.push(resource.clone());
        // Every call that makes a goal fact true (the last main step, its detour, the
        // alternative route's end) needs the resource.
        let goal_facts: Vec<&String> = std::iter::once(&s[k])
            .chain(goal_any.iter().flatten())
            .collect();
        for f in steps.iter_mut().chain(functions.iter_mut()) {
            if f.adds.iter().any(|a| goal_facts.contains(&a)) {
                f.requires.push(resource.clone());
            }
        }
        functions.push(shortcut);
        functions.push(restore);
        trap_resource = Some(resource);
    }

    // Facts that distractors, optional and harmful functions may require.
    let backbone: Vec<String> = s[..k].to_vec();
    let mut junk: Vec<String> = Vec::new();
    for _ in 0..config.distractors {
        let mut f = namer.function(Role::Distractor);
        match rng.below(3) {
            0 => {}
            1 => f.requires.push(backbone[rng.below(backbone.len())].clone()),
            _ => {
                if let Some(j) = rng.pick(&junk) {
                    f.requires.push(j.clone());
                }
            }
        }
        let fact = namer.fact();
        f.adds.push(fact.clone());
        junk.push(fact);
        functions.push(f);
    }
    for _ in 0..config.optional {
        let mut f = namer.function(Role::Optional);
        f.requires.push(backbone[rng.below(backbone.len())].clone());
        f.adds.push(namer.fact());
        f.reward = Some([5, 10, 15, 20][rng.below(4)]);
        functions.push(f);
    }
    for _ in 0..config.harmful {
        let mut f = namer.function(Role::Harmful);
        let j = rng.range(1, k - 1).min(k - 1);
        f.requires.push(s[j].clone());
        f.removes.push(s[j].clone());
        f.adds.push(namer.fact());
        f.penalty = Some([-20, -30, -50][rng.below(3)]);
        functions.push(f);
    }
    functions.extend(steps);
    rng.shuffle(&mut functions);

    let mut start = vec![s[0].clone()];
    start.extend(side_start);
    start.extend(trap_resource);
    let story = format!(
        "{}. Make `{}` true{}.",
        Namer::word(&mut rng, split.vocab().stories),
        s[k],
        if goal_any.is_empty() {
            String::new()
        } else {
            format!(" (or `{}`)", goal_any[1][0])
        }
    );
    let spec = PuzzleSpec {
        id: Some(format!("{}-l{level}-{index}", split.name())),
        title: format!("Level {level} ({})", split.name()),
        story,
        goal: if goal_any.is_empty() {
            vec![s[k].clone()]
        } else {
            Vec::new()
        },
        goal_any,
        start,
        step_limit: Some((2.0 * intended).ceil() as u32 + 8),
        objects,
        functions,
    };
    let id = spec.id.clone().unwrap_or_default();
    let mut puzzle = compile(&spec, &id).map_err(|p| FqgError::Invalid {
        origin: format!("generator level {level} index {index}"),
        line: 0,
        field: p.field.to_string(),
        message: p.message,
    })?;
    puzzle.level = Some(level);
    puzzle.intended_optimum = Some(intended);
    Ok(puzzle)
}
