//! The offline planner: templates and capabilities matched to the intent by a [`Matcher`],
//! ordered as the intent says, with media types bridged by the FQG policy. No network.

use std::fmt::Write as _;

use super::bridge::bridge_types;
use super::clauses::{clauses, is_negation};
use super::matching::Matcher;
use super::{Drafted, PlanContext, Planner, PlannerError};
use crate::fqg::policy::Policy;
use crate::plan::{Capability, Catalog, Plan, Step, StepId};
use crate::templates::Template;

/// When a template is preferred to a plan composed clause by clause.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// A template must be this fraction more similar to the whole intent than the composed
    /// plan's clauses are, on average, to theirs (0.25: a quarter more): what the user
    /// spelled out step by step is what they want, unless a template says it clearly better.
    /// A template that leaves out a capability asked for, or calls the same ones in another
    /// order, never wins.
    pub template_margin: f32,
    /// A template this many times the matcher's `accept` similar to the intent is what was
    /// asked for (the intent is, nearly word for word, one of the template's), whatever the
    /// clauses matched.
    pub template_certain: f32,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            template_margin: 0.25,
            template_certain: 4.5,
        }
    }
}

/// Plans with no network.
pub struct OfflinePlanner {
    matcher: Box<dyn Matcher + Send>,
    policy: Option<Policy>,
    thresholds: Thresholds,
}

impl std::fmt::Debug for OfflinePlanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OfflinePlanner")
            .field("matcher", &self.matcher.name())
            .field("policy", &self.policy.is_some())
            .finish()
    }
}

/// What the clauses of an intent matched.
struct ClauseMatches<'c> {
    /// Each clause's capability, in order.
    matched: Vec<Matched<'c>>,
    /// The clauses nothing matched.
    unmatched: Vec<String>,
    /// The clauses that forbid something ("no capital letters"): no step for them.
    negated: Vec<String>,
    /// The capabilities that came closest to those, for an error.
    nearest: Vec<String>,
}

/// One clause and the capability it matched.
struct Matched<'c> {
    clause: String,
    capability: &'c Capability,
    score: f32,
}

impl OfflinePlanner {
    /// A planner matching with `matcher`, bridging types with `policy` (else the exact
    /// planner).
    pub fn new(matcher: Box<dyn Matcher + Send>, policy: Option<Policy>) -> OfflinePlanner {
        OfflinePlanner {
            matcher,
            policy,
            thresholds: Thresholds::default(),
        }
    }

    /// The same with other thresholds.
    pub fn with_thresholds(mut self, thresholds: Thresholds) -> OfflinePlanner {
        self.thresholds = thresholds;
        self
    }

    /// Each clause's best capability, when it is similar enough; the clauses nothing
    /// matched; and the nearest capabilities overall (for an error).
    fn match_clauses<'c>(
        &mut self,
        intent: &str,
        catalog: &'c Catalog,
    ) -> Result<ClauseMatches<'c>, PlannerError> {
        let capabilities = catalog.distinct();
        let documents: Vec<String> = capabilities.iter().map(|c| c.document()).collect();
        let accept = self.matcher.accept();
        let mut matched: Vec<Matched<'c>> = Vec::new();
        let mut unmatched = Vec::new();
        let mut negated = Vec::new();
        let mut nearest: Vec<(f32, &str)> = Vec::new();
        let mut parts = clauses(intent);
        if parts.is_empty() {
            parts.push(intent.to_owned());
        }
        for clause in parts {
            if is_negation(&clause) {
                negated.push(clause);
                continue;
            }
            let scores = self.matcher.similarities(&clause, &documents)?;
            let best = scores
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(i, s)| (i, *s));
            match best {
                Some((i, score)) if score >= accept => {
                    let capability = capabilities[i];
                    // "split it and split it again" is one step, not two.
                    if matched
                        .last()
                        .is_none_or(|m| m.capability.id != capability.id)
                    {
                        matched.push(Matched {
                            clause,
                            capability,
                            score,
                        });
                    }
                }
                Some((i, score)) => {
                    nearest.push((score, capabilities[i].id.as_str()));
                    unmatched.push(clause);
                }
                None => unmatched.push(clause),
            }
        }
        nearest.sort_by(|a, b| b.0.total_cmp(&a.0));
        let nearest = nearest
            .into_iter()
            .filter(|(s, _)| *s > 0.0)
            .take(3)
            .map(|(_, id)| id.to_owned())
            .collect();
        Ok(ClauseMatches {
            matched,
            unmatched,
            negated,
            nearest,
        })
    }

    /// The template most similar to the whole intent, with its similarity.
    fn best_template<'t>(
        &mut self,
        intent: &str,
        templates: &'t [Template],
        catalog: &Catalog,
    ) -> Result<Option<(&'t Template, f32)>, PlannerError> {
        // Only templates whose every capability is installed can be proposed.
        let usable: Vec<&Template> = templates
            .iter()
            .filter(|t| {
                t.steps
                    .iter()
                    .all(|s| catalog.providers(&s.capability).next().is_some())
            })
            .collect();
        if usable.is_empty() {
            return Ok(None);
        }
        // Each template's texts scored apart: its intents are its own, so the closest one says
        // how well it fits.
        let groups: Vec<Vec<String>> = usable.iter().map(|t| t.documents()).collect();
        let flat = self.matcher.similarities(intent, &groups.concat())?;
        let mut at = 0;
        let scores: Vec<f32> = groups
            .iter()
            .map(|group| {
                let best = flat[at..at + group.len()]
                    .iter()
                    .copied()
                    .fold(0.0_f32, f32::max);
                at += group.len();
                best
            })
            .collect();
        Ok(scores
            .into_iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .filter(|(_, s)| *s >= self.matcher.accept())
            .map(|(i, s)| (usable[i], s)))
    }

    /// The plan of the matched capabilities in order, each after the one before, with
    /// conversions inserted where one makes what the next cannot read.
    fn compose(
        &self,
        intent: &str,
        matched: &[Matched<'_>],
        catalog: &Catalog,
        input: Option<&str>,
        notes: &mut String,
    ) -> Plan {
        let mut steps: Vec<Step> = Vec::new();
        let mut made: Vec<String> = vec!["text/plain".to_owned()];
        for m in matched {
            let wanted = m.capability.inputs.first();
            let mut reads_input = false;
            if let Some(wanted) = wanted
                && !steps.is_empty()
            {
                match bridge_types(catalog, &made, wanted, self.policy.as_ref()) {
                    Some(bridge) if !bridge.steps.is_empty() => {
                        let _ = writeln!(
                            notes,
                            "- `{}` reads {wanted}: converting with {} (chosen by the FQG {})",
                            m.capability.id,
                            bridge
                                .steps
                                .iter()
                                .map(|c| format!("`{}`", c.id))
                                .collect::<Vec<_>>()
                                .join(" → "),
                            bridge.found_by
                        );
                        for c in bridge.steps {
                            push_step(&mut steps, c);
                        }
                    }
                    Some(_) => {}
                    None => {
                        let _ = writeln!(
                            notes,
                            "- `{}` reads {wanted}, which nothing before it makes: it reads \
                             the input instead",
                            m.capability.id
                        );
                        reads_input = true;
                    }
                }
            }
            let previous = steps.last().map(|s| s.id.clone());
            push_step(&mut steps, m.capability);
            if reads_input && let Some(step) = steps.last_mut() {
                step.after.clear();
            } else if let (Some(prev), Some(step)) = (previous, steps.last_mut()) {
                step.after = vec![prev];
            }
            made.clone_from(&m.capability.outputs);
        }
        let needs_input = matched
            .first()
            .is_some_and(|m| !m.capability.inputs.is_empty());
        Plan {
            intent: intent.to_owned(),
            steps,
            input: input
                .map(str::to_owned)
                .or_else(|| needs_input.then(|| "text".to_owned())),
        }
    }
}

/// Adds a step calling `capability`, with an id made from its name and unique in the plan.
fn push_step(steps: &mut Vec<Step>, capability: &Capability) {
    let base: String = capability
        .id
        .as_str()
        .rsplit('.')
        .next()
        .unwrap_or("step")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let mut id = base.clone();
    let mut n = 2;
    while steps.iter().any(|s| s.id.as_str() == id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    let id = StepId::new(&id).unwrap_or_else(|_| StepId::new("step").expect("a valid id"));
    steps.push(Step {
        id,
        capability: capability.id.clone(),
        params: serde_json::Map::new(),
        after: Vec::new(),
        importance: capability.importance,
        undo: None,
    });
}

impl Planner for OfflinePlanner {
    fn name(&self) -> String {
        format!("offline ({} matching)", self.matcher.name())
    }

    fn plan(
        &mut self,
        intent: &str,
        context: &PlanContext<'_>,
        _on_token: &mut dyn FnMut(&str),
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Drafted, PlannerError> {
        let ClauseMatches {
            matched,
            unmatched,
            negated,
            nearest,
        } = self.match_clauses(intent, context.catalog)?;
        if cancelled() {
            return Err(PlannerError::Cancelled);
        }
        let template = self.best_template(intent, context.templates, context.catalog)?;
        let composed_score = if matched.is_empty() {
            0.0
        } else {
            matched.iter().map(|m| m.score).sum::<f32>() / matched.len() as f32
        };
        let mut notes = String::new();
        let composed: Vec<&str> = matched.iter().map(|m| m.capability.id.as_str()).collect();
        // A template may stand in for the composed plan when it does at least everything
        // the user asked for, and not the same things in another order.
        let covers = |t: &Template| {
            let mut theirs: Vec<&str> = t.steps.iter().map(|s| s.capability.as_str()).collect();
            let mut ours = composed.clone();
            let different_order = theirs != ours;
            theirs.sort_unstable();
            ours.sort_unstable();
            let reorders = different_order && theirs == ours;
            !reorders && ours.iter().all(|c| theirs.contains(c))
        };
        let plan = match template {
            Some((t, score))
                if score >= self.matcher.accept() * self.thresholds.template_certain
                    || (score >= composed_score * (1.0 + self.thresholds.template_margin)
                        && covers(t)) =>
            {
                let mut plan = t
                    .instantiate(intent, &serde_json::Map::new())
                    .map_err(|e| PlannerError::Malformed(e.to_string()))?;
                if let Some(input) = context.input {
                    plan.input = Some(input.to_owned());
                }
                let _ = writeln!(
                    notes,
                    "Using the Melody template **{}** ({}; score {score:.2}, by {} \
                     matching).",
                    t.title,
                    t.id,
                    self.matcher.name()
                );
                plan
            }
            _ if matched.is_empty() => {
                return Err(PlannerError::NoMatch {
                    intent: intent.to_owned(),
                    nearest,
                });
            }
            _ => {
                let _ = writeln!(
                    notes,
                    "Composed from what you asked, by {} matching:",
                    self.matcher.name()
                );
                for m in &matched {
                    let _ = writeln!(
                        notes,
                        "- “{}” → `{}` ({}; score {:.2})",
                        m.clause, m.capability.id, m.capability.description, m.score
                    );
                }
                self.compose(intent, &matched, context.catalog, context.input, &mut notes)
            }
        };
        for clause in &unmatched {
            let _ = writeln!(notes, "- nothing installed matches “{clause}”: left out");
        }
        for clause in &negated {
            let _ = writeln!(
                notes,
                "- “{clause}” forbids rather than asks: no step for it (check the plan does not \
                 do it)"
            );
        }
        plan.check(context.catalog)?;
        Ok(Drafted {
            plan,
            explanation: notes,
        })
    }
}
