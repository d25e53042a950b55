//! The palette of node kinds: the built-ins (shell, sleep, noop, input, output, the control
//! kinds) and the installed extensions' capabilities, found by a fuzzy match on their names.

use pit::dag::{ControlKind, NodeKind, NodeSpec, PortSpec, PortType, RunnerName};
use serde_json::{Map, Value};

/// One kind of node the palette offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeTemplate {
    /// What the palette lists and new ids start with (`shell`, `text.summarise`).
    pub name: String,
    /// A line for people.
    pub description: String,
    /// The node's kind.
    pub kind: NodeKind,
    /// The runner, if not the kind's default.
    pub runner: Option<String>,
    /// Parameters the node starts with (as JSON text, so the state stays comparable).
    pub params: Vec<(String, String)>,
    /// Its input port (optional input) and output port, if it has them.
    pub ports: Ports,
    /// The types of its input and output ports (from the extension's manifest; `any` for
    /// the built-ins).
    pub port_types: (PortType, PortType),
}

/// Which ports a new node gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ports {
    /// None: control kinds, connected by control edges.
    None,
    /// One output `value`: an input node.
    Out,
    /// One required input `value`: an output node.
    In,
    /// An optional input `in` and an output `out`: an operator or instrument.
    InOut,
}

impl NodeTemplate {
    fn builtin(name: &str, description: &str, kind: NodeKind, ports: Ports) -> NodeTemplate {
        NodeTemplate {
            name: name.to_owned(),
            description: description.to_owned(),
            kind,
            runner: None,
            params: Vec::new(),
            ports,
            port_types: (PortType::Any, PortType::Any),
        }
    }

    /// An installed extension's capability, run by the extension's runner.
    pub fn capability(
        capability: &str,
        provider: &str,
        method: &str,
        description: &str,
        instrument: bool,
    ) -> NodeTemplate {
        NodeTemplate {
            name: capability.to_owned(),
            description: format!("{description} ({provider})"),
            kind: if instrument {
                NodeKind::Instrument
            } else {
                NodeKind::Operator
            },
            runner: Some(provider.to_owned()),
            params: vec![("method".to_owned(), Value::from(method).to_string())],
            ports: Ports::InOut,
            port_types: (PortType::Any, PortType::Any),
        }
    }

    /// The same template with its ports typed by the media types the extension's manifest
    /// declares (`ports.rs`).
    pub fn with_media_types(mut self, inputs: &[String], outputs: &[String]) -> NodeTemplate {
        self.port_types = (
            super::ports::common_type(inputs),
            super::ports::common_type(outputs),
        );
        self
    }

    /// A node of this template with this id.
    pub fn instantiate(&self, id: &str) -> NodeSpec {
        let mut node = NodeSpec::new(id, self.kind);
        node.runner = self.runner.as_deref().map(RunnerName::from);
        let mut params = Map::new();
        for (key, json) in &self.params {
            params.insert(
                key.clone(),
                serde_json::from_str(json).unwrap_or(Value::String(json.clone())),
            );
        }
        node.params = params;
        let (in_type, out_type) = self.port_types.clone();
        let optional = |name: &str| {
            let mut port = PortSpec::new(name, in_type.clone());
            port.required = false;
            port
        };
        match self.ports {
            Ports::None => {}
            Ports::Out => node.outputs.push(PortSpec::new("value", out_type)),
            Ports::In => node.inputs.push(PortSpec::new("value", in_type)),
            Ports::InOut => {
                node.inputs.push(optional("in"));
                node.outputs.push(PortSpec::new("out", out_type));
            }
        }
        node
    }

    /// The first word of new nodes' ids: the name's last segment (`text.summarise` →
    /// `summarise`).
    pub fn id_stem(&self) -> &str {
        self.name.rsplit('.').next().unwrap_or(&self.name)
    }
}

/// The built-in node kinds, in palette order.
pub fn builtins() -> Vec<NodeTemplate> {
    let op = NodeKind::Operator;
    let control = NodeKind::Control;
    let mut shell = NodeTemplate::builtin("shell", "run a shell command", op, Ports::InOut);
    shell.runner = Some("shell".to_owned());
    shell.params = vec![("command".to_owned(), Value::from("true").to_string())];
    let mut sleep = NodeTemplate::builtin("sleep", "wait a number of seconds", op, Ports::InOut);
    sleep.runner = Some("sleep".to_owned());
    sleep.params = vec![("seconds".to_owned(), "1".to_owned())];
    vec![
        NodeTemplate::builtin("input", "a workflow input", NodeKind::Input, Ports::Out),
        shell,
        sleep,
        NodeTemplate::builtin("noop", "does nothing (a junction)", op, Ports::InOut),
        NodeTemplate::builtin("output", "a workflow output", NodeKind::Output, Ports::In),
        NodeTemplate::builtin(
            "branch",
            "take the edges whose condition holds",
            control(ControlKind::Branch),
            Ports::None,
        ),
        NodeTemplate::builtin(
            "merge",
            "go on when one branch is done",
            control(ControlKind::Merge),
            Ports::None,
        ),
        NodeTemplate::builtin(
            "loop",
            "repeat what follows while a condition holds",
            control(ControlKind::Loop),
            Ports::None,
        ),
        NodeTemplate::builtin(
            "parallel",
            "a fan-out that may run at once",
            control(ControlKind::Parallel),
            Ports::None,
        ),
        NodeTemplate::builtin(
            "join",
            "wait for every incoming edge",
            control(ControlKind::Join),
            Ports::None,
        ),
    ]
}

/// How well `query` matches `name` as a subsequence (higher is better), or `None`.
/// Consecutive letters and letters at word starts score more, so `sh` finds `shell` first.
pub fn fuzzy_score(query: &str, name: &str) -> Option<i64> {
    if query.is_empty() {
        return Some(0);
    }
    let name_chars: Vec<char> = name.chars().collect();
    let mut score = 0i64;
    let mut at = 0usize;
    let mut previous: Option<usize> = None;
    for q in query.chars().map(|c| c.to_ascii_lowercase()) {
        let found = (at..name_chars.len()).find(|&i| name_chars[i].to_ascii_lowercase() == q)?;
        score += 1;
        if previous.is_some_and(|p| p + 1 == found) {
            score += 5;
        }
        if found == 0 || !name_chars[found - 1].is_alphanumeric() {
            score += 3;
        }
        score -= (found - at) as i64;
        previous = Some(found);
        at = found + 1;
    }
    Some(score * 100 - name_chars.len() as i64)
}

/// The templates matching `query`, best first (palette order among equals).
pub fn matches<'a>(query: &str, templates: &'a [NodeTemplate]) -> Vec<&'a NodeTemplate> {
    let mut found: Vec<(i64, usize, &NodeTemplate)> = templates
        .iter()
        .enumerate()
        .filter_map(|(i, t)| fuzzy_score(query, &t.name).map(|s| (s, i, t)))
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    found.into_iter().map(|(_, _, t)| t).collect()
}

/// The palette while it is open: what has been typed and the highlighted row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Palette {
    /// The query.
    pub query: String,
    /// Highlighted row among the matches.
    pub selected: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsequences_match_and_tight_matches_come_first() {
        let all = builtins();
        let names =
            |q: &str| -> Vec<String> { matches(q, &all).iter().map(|t| t.name.clone()).collect() };
        assert_eq!(names("sh")[0], "shell");
        assert_eq!(names("out")[0], "output");
        assert_eq!(names("lp")[0], "loop");
        assert!(names("zzz").is_empty());
        assert_eq!(names("").len(), all.len());
    }

    #[test]
    fn capabilities_become_extension_nodes() {
        let t = NodeTemplate::capability(
            "text.upper",
            "symphony.text-ops",
            "upper",
            "upper-case",
            false,
        );
        let node = t.instantiate("upper-1");
        assert_eq!(
            node.runner.as_ref().map(RunnerName::as_str),
            Some("symphony.text-ops")
        );
        assert_eq!(node.params.get("method"), Some(&Value::from("upper")));
        assert_eq!(t.id_stem(), "upper");
    }
}
