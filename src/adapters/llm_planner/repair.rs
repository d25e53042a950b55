//! Judging an answer: the `propose_plan` call read into a [`Plan`] and checked against the
//! catalog, or what is wrong with it, said so that the model can correct it in one round.

use conductor::plan::{CapabilityId, Importance, Plan, Step, StepId, Undo};
use conductor::planning::PlanContext;
use serde_json::{Map, Value};

use super::request::TOOL;
use super::stream::{Reply, ToolCall, cut};

/// A plan the model proposed, checked.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Proposal {
    /// The plan.
    pub plan: Plan,
    /// The model's reasons, if it gave any.
    pub explanation: Option<String>,
}

/// What was wrong with an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Problem {
    /// The model answered in text and called no tool.
    NoCall,
    /// It called `propose_plan` (or another tool), but not usably.
    BadCall {
        /// The call.
        call: ToolCall,
        /// What is wrong with it.
        error: String,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::NoCall => write!(f, "the model answered in text without calling `{TOOL}`"),
            Problem::BadCall { error, .. } => f.write_str(error),
        }
    }
}

/// The plan in `reply`, checked against the catalog, or what is wrong with it.
pub(super) fn judge(
    reply: &Reply,
    intent: &str,
    context: &PlanContext<'_>,
) -> Result<Proposal, Problem> {
    let call = reply
        .tool_calls
        .iter()
        .find(|c| c.name == TOOL)
        .or_else(|| reply.tool_calls.first())
        .ok_or(Problem::NoCall)?;
    let bad = |error: String| Problem::BadCall {
        call: call.clone(),
        error,
    };
    if call.name != TOOL {
        return Err(bad(format!(
            "there is no tool `{}`; the only tool is `{TOOL}`",
            cut(&call.name)
        )));
    }
    let proposal = read(&call.arguments, intent, context).map_err(bad)?;
    proposal.plan.check(context.catalog).map_err(|e| {
        let mut error = e.to_string();
        if matches!(e, conductor::plan::PlanError::NoProvider { .. }) {
            let installed: Vec<String> = context
                .catalog
                .distinct()
                .iter()
                .map(|c| format!("`{}`", c.id))
                .collect();
            error.push_str(&format!(" (installed: {})", installed.join(", ")));
        }
        bad(error)
    })?;
    Ok(proposal)
}

/// The plan in the tool call's arguments, not yet checked against the catalog.
fn read(arguments: &str, intent: &str, context: &PlanContext<'_>) -> Result<Proposal, String> {
    let value: Value = serde_json::from_str(arguments).map_err(|e| {
        format!(
            "the arguments of `{TOOL}` are not valid JSON ({e}): {}",
            cut(arguments)
        )
    })?;
    let Value::Object(fields) = value else {
        return Err(format!("the arguments of `{TOOL}` must be a JSON object"));
    };
    let steps = match fields.get("steps") {
        Some(Value::Array(steps)) => steps,
        Some(_) => return Err("`steps` must be an array of step objects".to_owned()),
        None => return Err("the field `steps` is missing".to_owned()),
    };
    let steps = steps
        .iter()
        .enumerate()
        .map(|(i, s)| step(i, s, context))
        .collect::<Result<Vec<Step>, String>>()?;
    let explanation = match fields.get("explanation") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => None,
    };
    // The plan reads the user's input when a first step reads anything at all.
    let reads = steps.iter().filter(|s| s.after.is_empty()).any(|s| {
        context
            .catalog
            .providers(&s.capability)
            .next()
            .is_some_and(|c| !c.inputs.is_empty())
    });
    let input = context
        .input
        .map(str::to_owned)
        .or_else(|| reads.then(|| "text".to_owned()));
    Ok(Proposal {
        plan: Plan {
            intent: intent.to_owned(),
            steps,
            input,
        },
        explanation,
    })
}

/// `steps[index]`, read.
fn step(index: usize, value: &Value, context: &PlanContext<'_>) -> Result<Step, String> {
    let Value::Object(fields) = value else {
        return Err(format!("steps[{index}] must be an object"));
    };
    let at = |field: &str| format!("steps[{index}].{field}");
    let text = |field: &str| -> Result<&str, String> {
        match fields.get(field) {
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(format!("{} must be a string", at(field))),
            None => Err(format!("{} is missing", at(field))),
        }
    };
    let id = StepId::new(text("id")?).map_err(|e| format!("{}: {e}", at("id")))?;
    let capability =
        CapabilityId::new(text("capability")?).map_err(|e| format!("{}: {e}", at("capability")))?;
    let params = object(fields.get("params"))
        .ok_or_else(|| format!("{} must be an object", at("params")))?;
    let after = match fields.get("after") {
        None | Some(Value::Null) => Vec::new(),
        // A lone id where a list was asked for is still unambiguous.
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{} must list step ids (strings)", at("after")))
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(format!("{} must be an array of step ids", at("after"))),
    };
    let after = after
        .iter()
        .map(|a| StepId::new(a).map_err(|e| format!("{}: {e}", at("after"))))
        .collect::<Result<Vec<_>, _>>()?;
    let importance = match fields.get("importance") {
        None | Some(Value::Null) => context
            .catalog
            .providers(&capability)
            .next()
            .map(|c| c.importance)
            .unwrap_or_default(),
        Some(Value::String(s)) => match s.to_ascii_lowercase().as_str() {
            "essential" => Importance::Essential,
            "recommended" => Importance::Recommended,
            "optional" => Importance::Optional,
            _ => {
                return Err(format!(
                    "{} is `{}`; use essential, recommended or optional",
                    at("importance"),
                    cut(s)
                ));
            }
        },
        Some(_) => return Err(format!("{} must be a string", at("importance"))),
    };
    let undo = match fields.get("undo") {
        None | Some(Value::Null) => None,
        Some(Value::Object(u)) => {
            let capability = u
                .get("capability")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{}.capability is missing", at("undo")))?;
            Some(Undo {
                capability: CapabilityId::new(capability)
                    .map_err(|e| format!("{}.capability: {e}", at("undo")))?,
                params: object(u.get("params"))
                    .ok_or_else(|| format!("{}.params must be an object", at("undo")))?,
            })
        }
        Some(_) => return Err(format!("{} must be an object", at("undo"))),
    };
    Ok(Step {
        id,
        capability,
        params,
        after,
        importance,
        undo,
    })
}

/// An object field: absent or null is empty.
fn object(value: Option<&Value>) -> Option<Map<String, Value>> {
    match value {
        None | Some(Value::Null) => Some(Map::new()),
        Some(Value::Object(m)) => Some(m.clone()),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use conductor::plan::{Capability, Catalog, ProviderId};

    use super::*;

    fn catalog() -> Catalog {
        let mut summarise = Capability::new(
            CapabilityId::new("text.summarise").unwrap(),
            ProviderId::new("text-ops").unwrap(),
            "summarise",
            "Summarise a text.",
        );
        summarise.inputs = vec!["text/plain".into()];
        summarise.importance = Importance::Recommended;
        let upper = Capability::new(
            CapabilityId::new("text.upper").unwrap(),
            ProviderId::new("text-ops").unwrap(),
            "upper",
            "Upper-case.",
        );
        Catalog::new(vec![summarise, upper])
    }

    fn reply(arguments: &str) -> Reply {
        Reply {
            content: String::new(),
            tool_calls: vec![ToolCall {
                id: Some("c1".into()),
                name: TOOL.into(),
                arguments: arguments.into(),
            }],
        }
    }

    fn problem(arguments: &str) -> String {
        let catalog = catalog();
        let context = PlanContext {
            catalog: &catalog,
            templates: &[],
            input: None,
        };
        judge(&reply(arguments), "i", &context)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn reads_a_plan_with_defaults() {
        let catalog = catalog();
        let context = PlanContext {
            catalog: &catalog,
            templates: &[],
            input: None,
        };
        let proposal = judge(
            &reply(
                r#"{"steps":[{"id":"s","capability":"text.summarise"},
                   {"id":"u","capability":"text.upper","params":{"n":1},"after":"s",
                    "importance":"Optional"}],"explanation":" because "}"#,
            ),
            "sum then shout",
            &context,
        )
        .unwrap();
        let plan = proposal.plan;
        assert_eq!(plan.intent, "sum then shout");
        assert_eq!(plan.input.as_deref(), Some("text"));
        assert_eq!(plan.steps[0].importance, Importance::Recommended);
        assert_eq!(plan.steps[1].importance, Importance::Optional);
        assert_eq!(plan.steps[1].after[0].as_str(), "s");
        assert_eq!(plan.steps[1].params["n"], 1);
        assert_eq!(proposal.explanation.as_deref(), Some("because"));
    }

    #[test]
    fn says_what_is_wrong() {
        assert!(problem("{\"steps\": [").contains("not valid JSON"));
        assert_eq!(problem("{}"), "the field `steps` is missing");
        assert_eq!(
            problem(r#"{"steps":[{"id":"a"}]}"#),
            "steps[0].capability is missing"
        );
        assert!(
            problem(r#"{"steps":[{"id":"A","capability":"text.upper"}]}"#)
                .starts_with("steps[0].id: `A` is not a step id")
        );
        assert!(
            problem(r#"{"steps":[{"id":"a","capability":"text.upper","importance":"vital"}]}"#)
                .contains("steps[0].importance is `vital`")
        );
        let unknown = problem(r#"{"steps":[{"id":"a","capability":"text.translate"}]}"#);
        assert!(unknown.contains("`text.translate`"), "{unknown}");
        assert!(
            unknown.contains("installed: `text.summarise`, `text.upper`"),
            "{unknown}"
        );
        assert!(problem(r#"{"steps":[]}"#).contains("no steps"));
        let cycle = problem(
            r#"{"steps":[{"id":"a","capability":"text.upper","after":["b"]},
                         {"id":"b","capability":"text.upper","after":["a"]}]}"#,
        );
        assert!(cycle.contains("a → b → a"), "{cycle}");
    }

    #[test]
    fn text_without_a_call_and_other_tools_are_problems() {
        let catalog = catalog();
        let context = PlanContext {
            catalog: &catalog,
            templates: &[],
            input: None,
        };
        let text = Reply {
            content: "Here is a plan".into(),
            tool_calls: Vec::new(),
        };
        assert_eq!(judge(&text, "i", &context), Err(Problem::NoCall));
        let mut other = reply("{}");
        other.tool_calls[0].name = "run_shell".into();
        assert!(
            judge(&other, "i", &context)
                .unwrap_err()
                .to_string()
                .contains("no tool `run_shell`")
        );
    }
}
