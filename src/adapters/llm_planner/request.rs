//! What the planner sends: the system message (the task, the installed capabilities, the
//! templates), the intent, and the one tool, `propose_plan`, whose parameters are a plan.
//!
//! ```json
//! {"model": "gpt-4o-mini", "stream": true,
//!  "messages": [{"role": "system", "content": "…"}, {"role": "user", "content": "…"}],
//!  "tools": [{"type": "function", "function": {"name": "propose_plan", "parameters": {…}}}],
//!  "tool_choice": {"type": "function", "function": {"name": "propose_plan"}}}
//! ```

use std::fmt::Write as _;

use conductor::planning::PlanContext;
use serde_json::{Value, json};

use super::stream::{Reply, ToolCall};

/// The one tool the model may call.
pub const TOOL: &str = "propose_plan";

/// The chat-completions request for `messages`; `force_tool` names the tool in
/// `tool_choice` (servers that refuse that get the default, `auto`).
pub(super) fn body(
    model: &str,
    messages: &[Value],
    context: &PlanContext<'_>,
    force_tool: bool,
) -> Value {
    let mut body = json!({
        "model": model,
        "messages": messages,
        "tools": [tool(context)],
        "stream": true,
    });
    if force_tool {
        body["tool_choice"] = json!({"type": "function", "function": {"name": TOOL}});
    }
    body
}

/// The `propose_plan` tool, its parameters a JSON Schema of a plan over the catalog.
pub(super) fn tool(context: &PlanContext<'_>) -> Value {
    let ids: Vec<&str> = context
        .catalog
        .distinct()
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    json!({
        "type": "function",
        "function": {
            "name": TOOL,
            "description": "Propose the workflow plan for the user's request: steps, each a \
                call of one installed capability, and why.",
            "parameters": {
                "type": "object",
                "properties": {
                    "steps": {
                        "type": "array",
                        "minItems": 1,
                        "description": "The steps, in the order they run.",
                        "items": {
                            "type": "object",
                            "properties": {
                                "id": {
                                    "type": "string",
                                    "pattern": "^[a-z][a-z0-9_-]{0,127}$",
                                    "description": "Unique in the plan: lower-case letters, \
                                        digits, `-` or `_`, starting with a letter."
                                },
                                "capability": {
                                    "type": "string",
                                    "enum": ids,
                                    "description": "The installed capability it calls."
                                },
                                "params": {
                                    "type": "object",
                                    "description": "The capability's parameters; {} when none."
                                },
                                "after": {
                                    "type": "array",
                                    "items": {"type": "string"},
                                    "description": "Ids of the steps that must finish first \
                                        (their outputs are its inputs); [] to read the user's \
                                        input."
                                },
                                "importance": {
                                    "type": "string",
                                    "enum": ["essential", "recommended", "optional"],
                                    "description": "essential: the plan means nothing without \
                                        it; recommended: the result is poorer without it; \
                                        optional: skipped if it fails."
                                }
                            },
                            "required": ["id", "capability", "params", "after", "importance"]
                        }
                    },
                    "explanation": {
                        "type": "string",
                        "description": "One or two sentences: why these steps, in this order."
                    }
                },
                "required": ["steps", "explanation"]
            }
        }
    })
}

/// The system message: the task, its rules, what is installed and the templates.
pub(super) fn system_message(context: &PlanContext<'_>) -> String {
    let mut text = String::from(
        "You plan workflows for Symphony, a development environment. Turn the user's request \
         into a plan: a small DAG of steps, each a call of one installed capability. Answer \
         only by calling the `propose_plan` tool.\n\n\
         Rules:\n\
         - Use only the capabilities listed below, by their exact id.\n\
         - Step ids are unique: lower-case letters, digits, `-` or `_`, starting with a letter.\n\
         - `after` lists the steps that must finish first; a step reads their outputs, and a \
         step after nothing reads the user's input. Steps must not wait for each other in a \
         cycle.\n\
         - Chain steps whose media types fit: a step should follow one whose outputs it reads.\n\
         - Keep the plan as short as the request allows; prefer low-cost capabilities.\n\
         - `importance`: essential, recommended or optional (see the tool's description).\n\n\
         Installed capabilities:\n",
    );
    for c in context.catalog.distinct() {
        let _ = write!(text, "- `{}`: {}", c.id, c.description.trim());
        if !c.intents.is_empty() {
            let _ = write!(text, " Used for: {}.", c.intents.join("; "));
        }
        if !c.inputs.is_empty() {
            let _ = write!(text, " Reads {}.", c.inputs.join(", "));
        }
        if !c.outputs.is_empty() {
            let _ = write!(text, " Makes {}.", c.outputs.join(", "));
        }
        let cost = match c.cost {
            conductor::plan::Cost::Low => "low",
            conductor::plan::Cost::Medium => "medium",
            conductor::plan::Cost::High => "high",
        };
        let _ = writeln!(text, " Cost: {cost}.");
    }
    if !context.templates.is_empty() {
        text.push_str("\nMelody templates (tested plans; follow one when it fits the request):\n");
        for t in context.templates {
            let steps: Vec<String> = t
                .steps
                .iter()
                .map(|s| format!("`{}`", s.capability))
                .collect();
            let _ = writeln!(
                text,
                "- `{}` — {}: {} Steps: {}.",
                t.id,
                t.title,
                t.description.trim(),
                steps.join(" → ")
            );
        }
    }
    text
}

/// The user message: the intent, and what it works on.
pub(super) fn user_message(intent: &str, input: Option<&str>) -> String {
    match input {
        Some(input) => {
            format!("{intent}\n\n(Attached: {input}. The steps that wait for nothing read it.)")
        }
        None => intent.to_owned(),
    }
}

/// The opening messages of a conversation.
pub(super) fn opening(intent: &str, context: &PlanContext<'_>) -> Vec<Value> {
    vec![
        json!({"role": "system", "content": system_message(context)}),
        json!({"role": "user", "content": user_message(intent, context.input)}),
    ]
}

/// The messages that send a refused tool call back: the assistant's call as it made it, and
/// the tool's answer with the exact error.
pub(super) fn refused_call(reply: &Reply, call: &ToolCall, error: &str) -> [Value; 2] {
    let id = call.id.clone().unwrap_or_else(|| "call_0".to_owned());
    [
        json!({
            "role": "assistant",
            "content": if reply.content.is_empty() { Value::Null } else { json!(reply.content) },
            "tool_calls": [{
                "id": id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments}
            }]
        }),
        json!({
            "role": "tool",
            "tool_call_id": id,
            "content": format!(
                "Error: {error}\nCall `{TOOL}` again with the whole corrected plan."
            )
        }),
    ]
}

/// The messages that ask a model that answered in text to call the tool.
pub(super) fn no_call(reply: &Reply) -> [Value; 2] {
    [
        json!({"role": "assistant", "content": reply.content}),
        json!({
            "role": "user",
            "content": format!(
                "Please answer by calling the `{TOOL}` tool with the plan, not in text."
            )
        }),
    ]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use conductor::plan::{Capability, CapabilityId, Catalog, Cost, ProviderId};

    use super::*;

    fn catalog() -> Catalog {
        let mut summarise = Capability::new(
            CapabilityId::new("text.summarise").unwrap(),
            ProviderId::new("text-ops").unwrap(),
            "summarise",
            "Summarise a text.",
        );
        summarise.intents = vec!["tl;dr".into()];
        summarise.inputs = vec!["text/plain".into()];
        summarise.outputs = vec!["text/markdown".into()];
        summarise.cost = Cost::Medium;
        let mut second = summarise.clone();
        second.provider = ProviderId::new("other").unwrap();
        Catalog::new(vec![summarise, second])
    }

    #[test]
    fn the_tool_lists_each_capability_once_and_is_forced() {
        let catalog = catalog();
        let context = PlanContext {
            catalog: &catalog,
            templates: &[],
            input: Some("selection"),
        };
        let messages = opening("sum it up", &context);
        let body = body("m", &messages, &context, true);
        assert_eq!(body["stream"], true);
        assert_eq!(body["tool_choice"]["function"]["name"], TOOL);
        let step = &body["tools"][0]["function"]["parameters"]["properties"]["steps"]["items"];
        assert_eq!(
            step["properties"]["capability"]["enum"],
            json!(["text.summarise"])
        );
        let system = body["messages"][0]["content"].as_str().unwrap();
        assert!(
            system.contains(
                "- `text.summarise`: Summarise a text. Used for: tl;dr. Reads text/plain. \
                 Makes text/markdown. Cost: medium."
            ),
            "{system}"
        );
        assert!(
            body["messages"][1]["content"]
                .as_str()
                .unwrap()
                .contains("Attached: selection")
        );
        assert!(
            super::body("m", &messages, &context, false)
                .get("tool_choice")
                .is_none()
        );
    }
}
