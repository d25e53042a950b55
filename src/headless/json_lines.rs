//! `symphony run --json`: one JSON object per line on stdout (keys sorted), for scripts and
//! monitors.
//!
//! ```text
//! {"dir":"…/runs/20261126-043832-3f9a","event":"run","incarnation":1,"nodes":3,"resumed":0,"run":"20261126-043832-3f9a","workers":2,"workflow":"w.toml"}
//! {"at_ms":0.01,"event":"workflow","state":"running"}
//! {"at_ms":0.02,"attempt":1,"event":"node","node":"fetch","state":"running"}
//! {"at_ms":1.5,"attempt":1,"error":"…","event":"node","node":"fetch","retry_in_ms":200.0,"state":"queued"}
//! {"completed":3,"elapsed_ms":12.4,"event":"end","exit":0,"failed":0,"reason":null,"run":"…","skipped":0,"state":"completed"}
//! ```

use std::time::Duration;

use pit::dag::Workflow;
use pit::exec::{Event, EventKind};
use serde_json::{Map, Value, json};

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// An executor event as a JSON object.
pub fn event(wf: &Workflow, event: &Event) -> Value {
    let mut out = Map::new();
    match &event.kind {
        EventKind::Workflow { state, reason } => {
            out.insert("event".into(), "workflow".into());
            out.insert("at_ms".into(), ms(event.at).into());
            out.insert("state".into(), state.name().into());
            if let Some(reason) = reason {
                out.insert("reason".into(), reason.as_str().into());
            }
        }
        EventKind::Node(node) => {
            out.insert("event".into(), "node".into());
            out.insert("at_ms".into(), ms(event.at).into());
            out.insert("node".into(), wf.id(node.node).as_str().into());
            out.insert("state".into(), node.state.name().into());
            out.insert("attempt".into(), node.attempt.into());
            if let Some(error) = &node.error {
                out.insert("error".into(), error.message.as_str().into());
            }
            if let Some(delay) = node.retry_in {
                out.insert("retry_in_ms".into(), ms(delay).into());
            }
            if let Some(via) = node.via {
                out.insert("via".into(), wf.id(via).as_str().into());
            }
        }
    }
    Value::Object(out)
}

/// Events a slow reader missed (the run does not wait for its readers).
pub fn lagged(missed: u64) -> Value {
    json!({ "event": "lagged", "missed": missed })
}

#[cfg(test)]
mod tests {
    use pit::dag::{NodeKind, NodeSpec, WorkflowFile};
    use pit::exec::{NodeEvent, NodeState, RunError};

    use super::*;

    #[test]
    fn node_events_name_their_node_and_carry_errors() {
        let mut file = WorkflowFile::default();
        file.nodes.push(NodeSpec::new("fetch", NodeKind::Operator));
        let wf = Workflow::build(&file).expect("valid");
        let e = Event {
            at: Duration::from_micros(1500),
            kind: EventKind::Node(NodeEvent {
                node: wf.lookup("fetch").expect("node"),
                state: NodeState::Queued,
                attempt: 2,
                error: Some(RunError::retryable("exit 1")),
                retry_in: Some(Duration::from_millis(200)),
                via: None,
            }),
        };
        assert_eq!(
            event(&wf, &e).to_string(),
            r#"{"at_ms":1.5,"attempt":2,"error":"exit 1","event":"node","node":"fetch","retry_in_ms":200.0,"state":"queued"}"#
        );
    }
}
