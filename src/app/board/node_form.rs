//! The selected node's parameters in a form: for a node run by an installed extension, its
//! `method` (one of the extension's methods) and the fields of its manifest's config schema,
//! then whatever other parameters the node has; for other nodes, their parameters. Saving
//! replaces the node's `params` as one undoable, validated edit.

use pit::dag::{NodeId, NodeSpec};
use serde_json::{Map, Value};

use crate::app::state::{AppState, Overlay};

use super::action::BoardOverlay;
use super::document::Edit;
use super::form::{Field, FieldKind, FieldSpec, Form, FormPurpose};
use super::library::ExtensionSchema;
use super::state::{BoardState, Tone};
use super::update::{notice, report};

/// The parameter naming the extension's method.
const METHOD: &str = "method";

/// Opens the form for the selected node, or says why there is none.
pub(crate) fn open(state: &mut AppState) {
    let board = &mut state.board;
    let Some(id) = board.selected.clone() else {
        notice(board, Tone::Warning, "select a node to edit its parameters");
        return;
    };
    match form_for(board, &id) {
        Ok(form) => state.overlay = Some(Overlay::Board(BoardOverlay::Form(form))),
        Err(reason) => notice(board, Tone::Warning, reason),
    }
}

/// The form for node `id`.
pub fn form_for(board: &BoardState, id: &NodeId) -> Result<Form, String> {
    let node = board
        .doc
        .node(id)
        .ok_or_else(|| format!("no node `{id}`"))?;
    let runner = node.runner.as_ref().map(|r| r.as_str().to_owned());
    let schema = runner
        .as_deref()
        .and_then(|r| board.library.extensions.get(r));
    let fields = fields_for(node, schema);
    if fields.is_empty() {
        let why = match (&runner, schema, board.library.loaded) {
            (Some(r), None, true) if !is_builtin(r) => format!(
                "`{id}` has no parameters, and its runner `{r}` is not an installed \
                 extension, so its settings are unknown"
            ),
            _ => format!("`{id}` has no parameters to edit"),
        };
        return Err(why);
    }
    let title = match &runner {
        Some(r) => format!("Parameters of `{id}` ({r})"),
        None => format!("Parameters of `{id}`"),
    };
    Ok(Form::new(title, FormPurpose::Node(id.clone()), fields))
}

fn is_builtin(runner: &str) -> bool {
    matches!(runner, "shell" | "sleep" | "noop")
}

/// The fields: the method and config schema first (when the runner is known), then the
/// node's other parameters, typed by their values.
fn fields_for(node: &NodeSpec, schema: Option<&ExtensionSchema>) -> Vec<Field> {
    let mut fields = Vec::new();
    if let Some(schema) = schema {
        let mut method = FieldSpec::new(
            METHOD,
            FieldKind::Choice(schema.methods.clone()),
            "the extension's method this node calls",
        );
        method.required = true;
        fields.push(Field::with_value(method, node.params.get(METHOD)));
        for spec in &schema.config {
            fields.push(Field::with_value(spec.clone(), node.params.get(&spec.name)));
        }
    }
    for (name, value) in &node.params {
        if fields.iter().any(|f| &f.spec.name == name) {
            continue;
        }
        let spec = FieldSpec::new(name, FieldKind::of_value(value), "");
        fields.push(Field::with_value(spec, Some(value)));
    }
    fields
}

/// Saves the form's values as node `id`'s parameters (an empty field removes its key).
pub(crate) fn apply(state: &mut AppState, id: &NodeId, values: Map<String, Value>) {
    let board = &mut state.board;
    let Some(node) = board.doc.node(id) else {
        notice(board, Tone::Error, format!("`{id}` is gone; nothing saved"));
        return;
    };
    if node.params == values {
        notice(board, Tone::Info, format!("`{id}`: no parameter changed"));
        return;
    }
    let outcome = board.edit(Edit::SetParams(id.clone(), values));
    report(board, outcome, format!("set the parameters of `{id}`"));
}

#[cfg(test)]
mod tests {
    use pit::dag::NodeKind;

    use super::*;

    #[test]
    fn an_extension_node_gets_its_method_its_schema_and_its_other_params() {
        let mut node = NodeSpec::new("chat", NodeKind::Instrument);
        node.params.insert(METHOD.into(), Value::from("chat"));
        node.params.insert("temperature".into(), Value::from(0.2));
        node.params.insert("model".into(), Value::from("big"));
        let mut url = FieldSpec::new("base_url", FieldKind::Text, "the API");
        url.default = Some(Value::from("http://127.0.0.1:8080/v1"));
        let model = FieldSpec::new("model", FieldKind::Text, "the model");
        let schema = ExtensionSchema {
            methods: vec!["chat".into()],
            config: vec![url, model],
        };
        let fields = fields_for(&node, Some(&schema));
        let names: Vec<&str> = fields.iter().map(|f| f.spec.name.as_str()).collect();
        assert_eq!(names, ["method", "base_url", "model", "temperature"]);
        let inputs: Vec<&str> = fields.iter().map(|f| f.input.as_str()).collect();
        assert_eq!(inputs, ["chat", "", "big", "0.2"]);
        assert_eq!(fields[3].spec.kind, FieldKind::Number);
    }
}
