#![allow(clippy::unwrap_used)]

use std::fmt::Display;

use serde_json::json;
use xi_rope::{DeltaBuilder, Rope};

use super::*;
use crate::syntect_plugin::protocol::{GetDataParams, GetDataResponse, RequestId, ScopeSpan};
use crate::syntect_plugin::syntaxes::load_syntax_set;
use crate::syntect_plugin::transport::parse_message;

/// Plays the core: serves `get_data` from a text per revision and records
/// what the plugin sends.
#[derive(Default)]
struct FakeCore {
    texts: HashMap<u64, String>,
    get_data_calls: Vec<GetDataParams>,
    notifications: Vec<PluginNotification>,
    responses: Vec<(RequestId, Result<Value, RemoteError>)>,
    warnings: Vec<String>,
}

impl CoreLink for FakeCore {
    fn notify(&mut self, notification: &PluginNotification) -> Result<(), PluginError> {
        self.notifications.push(notification.clone());
        Ok(())
    }

    fn respond(
        &mut self,
        id: RequestId,
        result: Result<Value, RemoteError>,
    ) -> Result<(), PluginError> {
        self.responses.push((id, result));
        Ok(())
    }

    fn get_data(&mut self, params: &GetDataParams) -> Result<Option<GetDataResponse>, PluginError> {
        self.get_data_calls.push(params.clone());
        let Some(text) = self.texts.get(&params.rev.0) else {
            return Ok(None);
        };
        // Small chunks, to exercise the fetch loop.
        let end = (params.start + 7).min(text.len());
        Ok(Some(GetDataResponse {
            chunk: text[params.start..end].to_string(),
            offset: params.start,
            first_line: 0,
            first_line_offset: 0,
        }))
    }

    fn warn(&mut self, message: &dyn Display) {
        self.warnings.push(message.to_string());
    }
}

impl FakeCore {
    /// The spans the plugin sent, resolved to the last scope of each stack.
    fn styled(&self) -> Vec<(usize, usize, String)> {
        let mut stacks: Vec<Vec<String>> = Vec::new();
        let mut out = Vec::new();
        for n in &self.notifications {
            match n {
                PluginNotification::AddScopes { scopes, .. } => {
                    stacks.extend(scopes.iter().cloned())
                }
                PluginNotification::UpdateSpans { start, spans, .. } => {
                    for ScopeSpan {
                        start: s,
                        end: e,
                        scope_id,
                    } in spans
                    {
                        let stack = &stacks[scope_id.0 as usize];
                        out.push((start + s, start + e, stack.join(" ")));
                    }
                }
            }
        }
        out
    }
}

fn msg(line: Value) -> Incoming {
    parse_message(&line.to_string()).unwrap()
}

fn initialize(text_rev: u64, text: &str, path: &str, syntax: &str) -> Incoming {
    msg(
        json!({"method": "initialize", "params": {"plugin_id": 3, "buffer_info": [{
            "buffer_id": 1, "views": ["view-id-1"], "rev": text_rev, "buf_size": text.len(),
            "nb_lines": text.lines().count() + 1, "path": path, "syntax": syntax, "config": {}
        }]}}),
    )
}

fn update(id: u64, rev: u64, delta: Option<&xi_rope::RopeDelta>, new_len: usize) -> Incoming {
    msg(json!({"id": id, "method": "update", "params": {
        "view_id": "view-id-1", "delta": delta, "new_len": new_len, "new_line_count": 0,
        "rev": rev, "undo_group": null, "edit_type": "insert", "author": "core"
    }}))
}

fn run_to_completion(plugin: &mut SyntectPlugin<'_>, core: &mut FakeCore) {
    while plugin.has_work() {
        plugin.work(core, LINES_PER_BATCH).unwrap();
    }
}

#[test]
fn a_buffer_is_fetched_highlighted_and_followed_through_edits() {
    let syntaxes = load_syntax_set().unwrap();
    let mut plugin = SyntectPlugin::new(&syntaxes);
    let mut core = FakeCore::default();
    let text = "fn main() {\n    let x = 1;\n}\n";
    core.texts.insert(10, text.into());

    plugin
        .handle(initialize(10, text, "/tmp/a.rs", "Rust"), &mut core)
        .unwrap();
    assert!(core.get_data_calls.len() > 1, "fetched in chunks");
    assert!(
        core.get_data_calls
            .iter()
            .all(|c| c.plugin_id == PluginId(3) && c.rev == RevToken(10))
    );
    run_to_completion(&mut plugin, &mut core);

    // Scopes are announced before any span uses them, and everything is in source.rust.
    assert!(matches!(
        core.notifications[0],
        PluginNotification::AddScopes { .. }
    ));
    let styled = core.styled();
    assert!(styled.iter().all(|(_, _, s)| s.starts_with("source.rust")));
    assert_eq!(styled.last().unwrap().1, text.len());

    // Insert a comment line at the top; the update is answered with 0.
    let before = core.notifications.len();
    let mut b = DeltaBuilder::new(text.len());
    b.replace(0..0, Rope::from("// note\n"));
    let delta = b.build();
    plugin
        .handle(update(5, 11, Some(&delta), text.len() + 8), &mut core)
        .unwrap();
    assert_eq!(core.responses, vec![(RequestId(5), Ok(json!(0)))]);
    run_to_completion(&mut plugin, &mut core);
    let sent = &core.notifications[before..];
    let Some(PluginNotification::UpdateSpans {
        start: 0,
        len,
        rev: RevToken(11),
        ..
    }) = sent
        .iter()
        .find(|n| matches!(n, PluginNotification::UpdateSpans { .. }))
    else {
        panic!("no spans for the new line: {sent:?}")
    };
    assert!(
        *len >= 8 && *len < text.len(),
        "only the edited lines are re-sent, got {len} bytes"
    );
    let comment = core
        .styled()
        .into_iter()
        .rev()
        .find(|(s, _, _)| *s == 0)
        .unwrap();
    assert!(comment.2.contains("comment"), "{comment:?}");
    assert!(core.warnings.is_empty(), "{:?}", core.warnings);
}

#[test]
fn a_missing_or_unfitting_delta_makes_the_plugin_fetch_the_text_again() {
    let syntaxes = load_syntax_set().unwrap();
    let mut plugin = SyntectPlugin::new(&syntaxes);
    let mut core = FakeCore::default();
    core.texts.insert(1, "a = 1\n".into());
    plugin
        .handle(initialize(1, "a = 1\n", "/tmp/c.toml", "TOML"), &mut core)
        .unwrap();
    run_to_completion(&mut plugin, &mut core);

    core.texts.insert(2, "a = 1\nb = \"x\"\n".into());
    let fetches = core.get_data_calls.len();
    plugin.handle(update(1, 2, None, 14), &mut core).unwrap();
    assert!(core.get_data_calls.len() > fetches);
    assert!(core.get_data_calls.last().unwrap().rev == RevToken(2));

    // A delta for some other text: warned about, then re-fetched.
    core.texts.insert(3, "c = true\n".into());
    let mut b = DeltaBuilder::new(99);
    b.replace(0..1, Rope::from("z"));
    plugin
        .handle(update(2, 3, Some(&b.build()), 9), &mut core)
        .unwrap();
    assert_eq!(core.warnings.len(), 1, "{:?}", core.warnings);
    run_to_completion(&mut plugin, &mut core);
    let styled = core.styled();
    let last_true = styled
        .iter()
        .rev()
        .find(|(s, e, _)| *s <= 4 && *e > 4)
        .unwrap();
    assert!(
        last_true.2.contains("constant.language.boolean.toml"),
        "{last_true:?}"
    );
    assert_eq!(core.responses.len(), 2);
}

#[test]
fn an_unknown_revision_pauses_the_buffer_until_a_later_update_fetches_it() {
    let syntaxes = load_syntax_set().unwrap();
    let mut plugin = SyntectPlugin::new(&syntaxes);
    let mut core = FakeCore::default();
    plugin
        .handle(initialize(1, "x = 1\n", "/tmp/c.toml", "TOML"), &mut core)
        .unwrap();
    assert_eq!(core.warnings.len(), 1, "{:?}", core.warnings);
    assert!(!plugin.has_work(), "nothing to highlight without text");

    core.texts.insert(2, "x = 2\n".into());
    let mut b = DeltaBuilder::new(6);
    b.replace(4..5, Rope::from("2"));
    plugin
        .handle(update(1, 2, Some(&b.build()), 6), &mut core)
        .unwrap();
    assert!(plugin.has_work());
    run_to_completion(&mut plugin, &mut core);
    assert!(!core.styled().is_empty());
}

#[test]
fn a_language_change_restarts_highlighting_and_close_forgets_the_buffer() {
    let syntaxes = load_syntax_set().unwrap();
    let mut plugin = SyntectPlugin::new(&syntaxes);
    let mut core = FakeCore::default();
    core.texts.insert(1, "# title\n".into());
    plugin
        .handle(initialize(1, "# title\n", "/tmp/notes", ""), &mut core)
        .unwrap();
    run_to_completion(&mut plugin, &mut core);
    assert!(
        core.styled()
            .iter()
            .all(|(_, _, s)| s.starts_with("text.plain"))
    );

    plugin
        .handle(msg(json!({"method": "language_changed", "params": {"view_id": "view-id-1", "new_lang": "Markdown"}})), &mut core)
        .unwrap();
    run_to_completion(&mut plugin, &mut core);
    assert!(
        core.styled()
            .last()
            .unwrap()
            .2
            .starts_with("text.html.markdown")
    );

    plugin
        .handle(
            msg(json!({"method": "did_close", "params": {"view_id": "view-id-1"}})),
            &mut core,
        )
        .unwrap();
    assert!(plugin.buffers.is_empty());
    let flow = plugin
        .handle(msg(json!({"method": "shutdown", "params": {}})), &mut core)
        .unwrap();
    assert_eq!(flow, Flow::Stop);
}

#[test]
fn unknown_requests_get_an_error_answer() {
    let syntaxes = load_syntax_set().unwrap();
    let mut plugin = SyntectPlugin::new(&syntaxes);
    let mut core = FakeCore::default();
    plugin
        .handle(
            msg(json!({"id": 4, "method": "frobnicate", "params": {}})),
            &mut core,
        )
        .unwrap();
    let (id, result) = &core.responses[0];
    assert_eq!(*id, RequestId(4));
    assert_eq!(
        result.as_ref().unwrap_err().code,
        RemoteError::METHOD_NOT_FOUND
    );
}

#[test]
fn an_edit_during_the_first_pass_is_highlighted_next() {
    let syntaxes = load_syntax_set().unwrap();
    let mut plugin = SyntectPlugin::new(&syntaxes);
    let mut core = FakeCore::default();
    let text: String = (0..1000).map(|i| format!("x{i} = {i}\n")).collect();
    core.texts.insert(1, text.clone());
    plugin
        .handle(initialize(1, &text, "/tmp/big.toml", "TOML"), &mut core)
        .unwrap();
    plugin.work(&mut core, LINES_PER_BATCH).unwrap();

    let mut b = DeltaBuilder::new(text.len());
    b.replace(0..0, Rope::from("# top\n"));
    plugin
        .handle(update(1, 2, Some(&b.build()), text.len() + 6), &mut core)
        .unwrap();
    let before = core.notifications.len();
    plugin.work(&mut core, LINES_PER_BATCH).unwrap();
    let first_spans = core.notifications[before..]
        .iter()
        .find_map(|n| match n {
            PluginNotification::UpdateSpans { start, .. } => Some(*start),
            PluginNotification::AddScopes { .. } => None,
        })
        .unwrap();
    assert_eq!(
        first_spans, 0,
        "the edited line goes before the rest of the first pass"
    );
    assert!(plugin.has_work(), "the first pass is not over yet");
}
