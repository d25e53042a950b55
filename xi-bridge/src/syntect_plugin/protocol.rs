//! The xi-core 0.3 plugin protocol, as seen from a plugin.
//!
//! One JSON object per line on the plugin's stdin/stdout, without a
//! `"jsonrpc"` field. Requests carry an `"id"`, notifications do not, and a
//! response is `{"id": n, "result": …}` or `{"id": n, "error": {…}}`.
//! Field names follow `xi-core-lib-0.3.0/src/plugins/rpc.rs`; the unit tests
//! check our messages against that crate's own types, because the core drops
//! the plugin's connection on the first notification it cannot parse.

use std::fmt;

use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use xi_rope::RopeDelta;

/// A view, as the core spells it on the wire: `"view-id-3"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ViewId(pub usize);

const VIEW_ID_PREFIX: &str = "view-id-";

impl fmt::Display for ViewId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{VIEW_ID_PREFIX}{}", self.0)
    }
}

impl Serialize for ViewId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ViewId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.strip_prefix(VIEW_ID_PREFIX)
            .and_then(|n| n.parse().ok())
            .map(ViewId)
            .ok_or_else(|| de::Error::invalid_value(de::Unexpected::Str(&s), &"\"view-id-<n>\""))
    }
}

/// The core's number for this plugin process, echoed in every notification: `2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PluginId(pub u64);

/// A buffer (shared by all its views): `1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BufferId(pub u64);

/// An opaque revision token of a buffer's text: `4294967297`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RevToken(pub u64);

impl fmt::Display for RevToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A language name from the plugin manifest (`"Rust"`); `""` means plain text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LanguageId(pub String);

/// The index of a scope stack in the list sent with `add_scopes`: `0`.
///
/// The core keeps one list per buffer and plugin, and indexes it without a
/// bounds check, so an id must be announced before a span uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ScopeId(pub u32);

/// The id of a request, chosen by whoever sends it: `7`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestId(pub u64);

// ====================================================================
// core -> plugin
// ====================================================================

/// What the core tells a plugin about one buffer.
///
/// ```json
/// {"buffer_id": 1, "views": ["view-id-1"], "rev": 1, "buf_size": 20,
///  "nb_lines": 3, "path": "/tmp/a.rs", "syntax": "Rust", "config": {"tab_size": 4}}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BufferInfo {
    /// The buffer.
    pub buffer_id: BufferId,
    /// Its open views; the first one is used to address the buffer.
    pub views: Vec<ViewId>,
    /// The revision `buf_size` and `nb_lines` describe.
    pub rev: RevToken,
    /// Length of the text in bytes.
    pub buf_size: usize,
    /// Number of lines (newlines + 1).
    pub nb_lines: usize,
    /// The file, if the buffer has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The language the core chose from the manifest's `languages`.
    #[serde(default)]
    pub syntax: LanguageId,
    /// The buffer's config table.
    #[serde(default)]
    pub config: Map<String, Value>,
}

/// The buffer changed; sent as a request that must be answered (with `0`)
/// before the core garbage-collects old revisions.
///
/// ```json
/// {"view_id": "view-id-1",
///  "delta": {"base_len": 6, "els": [{"copy": [0, 5]}, {"insert": "!"}, {"copy": [5, 6]}]},
///  "new_len": 7, "new_line_count": 1, "rev": 5, "undo_group": 6,
///  "edit_type": "insert", "author": "core"}
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UpdateParams {
    /// The view the edit came through.
    pub view_id: ViewId,
    /// The change; `None` when it was too large to send, and the plugin
    /// must fetch the text again.
    pub delta: Option<RopeDelta>,
    /// Length of the text after the change.
    pub new_len: usize,
    /// Number of lines after the change.
    pub new_line_count: usize,
    /// The revision after the change.
    pub rev: RevToken,
    /// Undo group a plugin edit could join; unused here.
    #[serde(default)]
    pub undo_group: Option<usize>,
    /// `"insert"`, `"newline"`, `"delete"`, …; unused here.
    #[serde(default)]
    pub edit_type: String,
    /// Who made the edit; unused here.
    #[serde(default)]
    pub author: String,
}

/// Requests from the core: `{"id": 3, "method": "update", "params": {…}}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "method", content = "params", rename_all = "snake_case")]
pub enum HostRequest {
    /// See [`UpdateParams`].
    Update(UpdateParams),
    /// `{"method": "collect_trace", "params": {}}`: we keep no traces.
    CollectTrace(Value),
}

/// Notifications from the core: `{"method": "did_close", "params": {"view_id": "view-id-1"}}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "method", content = "params", rename_all = "snake_case")]
pub enum HostNotification {
    /// `{"method": "ping", "params": []}`, sent right after launch.
    Ping(Value),
    /// `{"method": "initialize", "params": {"plugin_id": 2, "buffer_info": [BufferInfo…]}}`:
    /// our id, and the buffers already open.
    Initialize {
        /// Our id, to echo in every notification.
        plugin_id: PluginId,
        /// Buffers open at launch.
        buffer_info: Vec<BufferInfo>,
    },
    /// `{"method": "new_buffer", "params": {"buffer_info": [BufferInfo]}}`.
    NewBuffer {
        /// The new buffer(s).
        buffer_info: Vec<BufferInfo>,
    },
    /// `{"method": "did_close", "params": {"view_id": "view-id-1"}}`.
    DidClose {
        /// The closed view.
        view_id: ViewId,
    },
    /// `{"method": "did_save", "params": {"view_id": "view-id-1", "path": "/tmp/a.rs"}}`.
    DidSave {
        /// The saved view.
        view_id: ViewId,
        /// Where it was saved.
        path: String,
    },
    /// `{"method": "config_changed", "params": {"view_id": "view-id-1", "changes": {…}}}`.
    ConfigChanged {
        /// The view whose config changed.
        view_id: ViewId,
        /// The changed keys.
        changes: Map<String, Value>,
    },
    /// `{"method": "language_changed", "params": {"view_id": "view-id-1", "new_lang": "Rust"}}`.
    LanguageChanged {
        /// The view whose language changed.
        view_id: ViewId,
        /// The new language.
        new_lang: LanguageId,
    },
    /// `{"method": "get_hover", "params": {"view_id": "view-id-1", "request_id": 1, "position": 5}}`.
    GetHover {
        /// The view.
        view_id: ViewId,
        /// The client's request number.
        request_id: usize,
        /// Byte offset.
        position: usize,
    },
    /// `{"method": "custom_command", "params": {"view_id": "view-id-1", "method": "reindent", "params": […]}}`.
    CustomCommand {
        /// The view.
        view_id: ViewId,
        /// The command.
        method: String,
        /// Its arguments.
        params: Value,
    },
    /// `{"method": "tracing_config", "params": {"enabled": true}}`.
    TracingConfig {
        /// Whether tracing is on.
        enabled: bool,
    },
    /// `{"method": "shutdown", "params": {}}`: exit now.
    Shutdown(Value),
}

// ====================================================================
// plugin -> core
// ====================================================================

/// One styled range, relative to the `start` of its `update_spans`:
/// `{"start": 0, "end": 2, "scope_id": 3}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeSpan {
    /// First byte, relative to the message's `start`.
    pub start: usize,
    /// One past the last byte, relative to the message's `start`.
    pub end: usize,
    /// A stack announced earlier with `add_scopes`.
    pub scope_id: ScopeId,
}

/// Notifications to the core. The core reads `view_id` and `plugin_id` out of
/// every `params`, so both are part of each variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", content = "params", rename_all = "snake_case")]
pub enum PluginNotification {
    /// Appends scope stacks to the buffer's list; their ids continue from the
    /// previous count.
    ///
    /// ```json
    /// {"method": "add_scopes", "params": {"view_id": "view-id-1", "plugin_id": 2,
    ///  "scopes": [["source.rust"], ["source.rust", "comment.line.double-slash.rust"]]}}
    /// ```
    AddScopes {
        /// A view of the buffer.
        view_id: ViewId,
        /// Our id.
        plugin_id: PluginId,
        /// Scope stacks, outermost scope first.
        scopes: Vec<Vec<String>>,
    },
    /// Replaces the scopes of `start..start + len` (at revision `rev`; the
    /// core moves them over later edits).
    ///
    /// ```json
    /// {"method": "update_spans", "params": {"view_id": "view-id-1", "plugin_id": 2,
    ///  "start": 0, "len": 11, "rev": 5,
    ///  "spans": [{"start": 0, "end": 10, "scope_id": 1}, {"start": 10, "end": 11, "scope_id": 0}]}}
    /// ```
    UpdateSpans {
        /// A view of the buffer.
        view_id: ViewId,
        /// Our id.
        plugin_id: PluginId,
        /// First byte of the replaced range.
        start: usize,
        /// Length of the replaced range.
        len: usize,
        /// The new spans, in order, relative to `start`.
        spans: Vec<ScopeSpan>,
        /// The revision the offsets refer to.
        rev: RevToken,
    },
}

/// How `get_data`'s `start` is counted: `"utf8"` (bytes) or `"line"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextUnit {
    /// `start` is a byte offset.
    Utf8,
    /// `start` is a line number.
    Line,
}

/// Asks the core for a piece of a buffer's text at a revision.
///
/// ```json
/// {"id": 0, "method": "get_data", "params": {"view_id": "view-id-1", "plugin_id": 2,
///  "start": 0, "unit": "utf8", "max_size": 1048576, "rev": 5}}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetDataParams {
    /// A view of the buffer.
    pub view_id: ViewId,
    /// Our id.
    pub plugin_id: PluginId,
    /// Where to start, in `unit`s.
    pub start: usize,
    /// How `start` is counted.
    pub unit: TextUnit,
    /// Upper bound on the returned bytes (the core caps it at 1 MiB).
    pub max_size: usize,
    /// The revision to read.
    pub rev: RevToken,
}

/// The core's answer to `get_data`; `null` when the revision or offset is unknown.
///
/// ```json
/// {"chunk": "fn main() {}\n", "offset": 0, "first_line": 0, "first_line_offset": 0}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetDataResponse {
    /// The text.
    pub chunk: String,
    /// Byte offset of `chunk`.
    pub offset: usize,
    /// Line of `offset`.
    pub first_line: usize,
    /// `offset` minus the offset of `first_line`.
    pub first_line_offset: usize,
}

/// A request the plugin sends: `{"id": 0, "method": "get_data", "params": {…}}`.
#[derive(Debug, Serialize)]
pub struct OutgoingRequest<'a, P: Serialize> {
    /// Our request id.
    pub id: RequestId,
    /// The method.
    pub method: &'static str,
    /// Its parameters.
    pub params: &'a P,
}

/// A successful answer to a core request: `{"id": 3, "result": 0}`.
#[derive(Debug, Serialize)]
pub struct OutgoingResult<'a> {
    /// The core's request id.
    pub id: RequestId,
    /// The answer.
    pub result: &'a Value,
}

/// An error object, as xi-rpc reads it: `{"code": -32601, "message": "…"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteError {
    /// JSON-RPC style code.
    pub code: i64,
    /// What went wrong.
    pub message: String,
}

impl RemoteError {
    /// The code JSON-RPC uses for an unknown method.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// The code JSON-RPC uses for unreadable params.
    pub const INVALID_PARAMS: i64 = -32602;
}

/// A failed answer to a core request: `{"id": 3, "error": {"code": -32601, "message": "…"}}`.
#[derive(Debug, Serialize)]
pub struct OutgoingError<'a> {
    /// The core's request id.
    pub id: RequestId,
    /// Why.
    pub error: &'a RemoteError,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use serde_json::json;
    use xi_core_lib::plugin_rpc as xi;

    #[test]
    fn view_id_round_trips_in_the_cores_spelling() {
        let id: ViewId = serde_json::from_value(json!("view-id-42")).unwrap();
        assert_eq!(id, ViewId(42));
        assert_eq!(serde_json::to_value(id).unwrap(), json!("view-id-42"));
        assert!(serde_json::from_value::<ViewId>(json!("view-42")).is_err());
    }

    /// The core kills the plugin's connection on a notification it cannot
    /// parse, so check ours against the core's own types.
    #[test]
    fn notifications_parse_as_the_cores_plugin_commands() {
        let add = PluginNotification::AddScopes {
            view_id: ViewId(1),
            plugin_id: PluginId(2),
            scopes: vec![vec!["source.rust".into(), "comment.line".into()]],
        };
        let spans = PluginNotification::UpdateSpans {
            view_id: ViewId(1),
            plugin_id: PluginId(2),
            start: 3,
            len: 10,
            spans: vec![ScopeSpan {
                start: 0,
                end: 4,
                scope_id: ScopeId(0),
            }],
            rev: RevToken(9),
        };
        for msg in [add, spans] {
            let text = serde_json::to_string(&msg).unwrap();
            let parsed: xi::PluginCommand<xi::PluginNotification> =
                serde_json::from_str(&text).unwrap();
            assert_eq!(parsed.view_id, xi_core_lib::test_helpers::new_view_id(1));
            assert_eq!(serde_json::to_value(parsed.plugin_id).unwrap(), json!(2));
            match (msg, parsed.cmd) {
                (
                    PluginNotification::AddScopes { scopes, .. },
                    xi::PluginNotification::AddScopes { scopes: theirs },
                ) => {
                    assert_eq!(scopes, theirs)
                }
                (
                    PluginNotification::UpdateSpans {
                        start,
                        len,
                        spans,
                        rev,
                        ..
                    },
                    xi::PluginNotification::UpdateSpans {
                        start: s,
                        len: l,
                        spans: theirs,
                        rev: r,
                    },
                ) => {
                    assert_eq!((start, len, rev.0), (s, l, r));
                    assert_eq!(spans.len(), theirs.len());
                    assert_eq!(
                        (theirs[0].start, theirs[0].end, theirs[0].scope_id),
                        (0, 4, 0)
                    );
                }
                (ours, theirs) => panic!("{ours:?} became {theirs:?}"),
            }
        }
    }

    #[test]
    fn get_data_request_parses_as_the_cores_plugin_request() {
        let params = GetDataParams {
            view_id: ViewId(1),
            plugin_id: PluginId(2),
            start: 0,
            unit: TextUnit::Utf8,
            max_size: 1024,
            rev: RevToken(5),
        };
        let request = OutgoingRequest {
            id: RequestId(0),
            method: "get_data",
            params: &params,
        };
        let text = serde_json::to_string(&request).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["id"], json!(0));
        let parsed: xi::PluginCommand<xi::PluginRequest> = serde_json::from_value(value).unwrap();
        match parsed.cmd {
            xi::PluginRequest::GetData {
                start: 0,
                max_size: 1024,
                rev: 5,
                ..
            } => {}
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn core_messages_parse_from_the_cores_own_serialization() {
        let info = xi::PluginBufferInfo::new(
            xi_core_lib::test_helpers::new_buffer_id(7),
            &[xi_core_lib::test_helpers::new_view_id(3)],
            11,
            20,
            2,
            Some("/tmp/a.rs".into()),
            "Rust".into(),
            Map::new(),
        );
        let ours: BufferInfo =
            serde_json::from_value(serde_json::to_value(&info).unwrap()).unwrap();
        assert_eq!(ours.buffer_id, BufferId(7));
        assert_eq!(ours.views, vec![ViewId(3)]);
        assert_eq!(ours.syntax, LanguageId("Rust".into()));
        assert_eq!(
            (ours.rev, ours.buf_size, ours.nb_lines),
            (RevToken(11), 20, 2)
        );

        let update = json!({
            "method": "update",
            "params": {
                "view_id": "view-id-1",
                "delta": {"base_len": 6, "els": [{"copy": [0, 5]}, {"insert": "rofls"}, {"copy": [5, 6]}]},
                "new_len": 11, "new_line_count": 1, "rev": 5, "undo_group": 6,
                "edit_type": "insert", "author": "core"
            }
        });
        match serde_json::from_value::<HostRequest>(update).unwrap() {
            HostRequest::Update(p) => {
                assert_eq!(p.view_id, ViewId(1));
                assert_eq!(p.delta.unwrap().new_document_len(), 11);
            }
            other => panic!("unexpected {other:?}"),
        }

        let ping = json!({"method": "ping", "params": []});
        assert!(matches!(
            serde_json::from_value(ping).unwrap(),
            HostNotification::Ping(_)
        ));
    }
}
