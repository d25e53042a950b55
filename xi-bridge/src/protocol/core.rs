//! Messages from the xi core to the front-end, as xi 0.3 sends them.
//!
//! An unknown method is not an error: [`CoreNotificationFromCore::parse`] turns it into
//! `Unknown` so that a newer core, or a plugin, cannot take the front-end down.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::protocol::ids::{StyleId, ViewId};
use crate::protocol::theme::ThemeSettings;
use crate::protocol::update::Update;

/// Notifications from the core.
///
/// Parse with [`CoreNotificationFromCore::parse`] (or the codec): serde alone rejects unknown
/// methods instead of producing `Unknown`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "method", content = "params")]
pub enum CoreNotificationFromCore {
    /// New line-cache operations for a view; see [`Update`].
    /// ```json
    /// {"method":"update","params":{"view_id":"view-id-1","update":{"ops":[{"op":"ins","n":1,"lines":[{"text":"hello","ln":1,"cursor":[5],"styles":[]}]}],"pristine":false,"annotations":[{"type":"selection","ranges":[[0,5,0,5]],"payloads":null,"n":1}]}}}
    /// ```
    Update {
        /// The view.
        view_id: ViewId,
        /// The operations.
        update: Update,
    },
    /// Asks that this visual line and byte column be made visible (the caret moved).
    /// ```json
    /// {"method":"scroll_to","params":{"view_id":"view-id-1","line":1,"col":4}}
    /// ```
    ScrollTo {
        /// The view.
        view_id: ViewId,
        /// Visual line.
        line: usize,
        /// Byte column.
        col: usize,
    },
    /// Defines a style id used in `styles` triples; sent once per id, before its first use.
    /// ```json
    /// {"method":"def_style","params":{"id":8,"fg_color":4286611584,"weight":700,"italic":true}}
    /// ```
    DefStyle(StyleDef),
    /// The theme changed (after `client_started` and `set_theme`).
    /// ```json
    /// {"method":"theme_changed","params":{"name":"Solarized (dark)","theme":{"background":{"r":0,"g":43,"b":54,"a":255},"foreground":{"r":131,"g":148,"b":150,"a":255},"gutter_foreground":null}}}
    /// ```
    ThemeChanged {
        /// The theme's name.
        name: String,
        /// Its colours.
        theme: ThemeSettings,
    },
    /// The themes `set_theme` accepts.
    /// ```json
    /// {"method":"available_themes","params":{"themes":["InspiredGitHub","Solarized (dark)"]}}
    /// ```
    AvailableThemes {
        /// Theme names.
        themes: Vec<String>,
    },
    /// The languages `set_language` accepts (empty without a syntax plugin).
    /// ```json
    /// {"method":"available_languages","params":{"languages":["Rust","Markdown"]}}
    /// ```
    AvailableLanguages {
        /// Language names.
        languages: Vec<String>,
    },
    /// A view's language changed; `""` is plain text.
    /// ```json
    /// {"method":"language_changed","params":{"view_id":"view-id-1","language_id":""}}
    /// ```
    LanguageChanged {
        /// The view.
        view_id: ViewId,
        /// The language name.
        language_id: String,
    },
    /// Settings of a view changed; the first one after `new_view` carries them all.
    /// ```json
    /// {"method":"config_changed","params":{"view_id":"view-id-1","changes":{"tab_size":4,"word_wrap":false,"line_ending":"\n"}}}
    /// ```
    ConfigChanged {
        /// The view.
        view_id: ViewId,
        /// Changed keys and their new values.
        changes: Map<String, Value>,
    },
    /// A message for the user, e.g. a failed save.
    /// ```json
    /// {"method":"alert","params":{"msg":"Permission denied (os error 13)"}}
    /// ```
    Alert {
        /// The message.
        msg: String,
    },
    /// Search state, one entry per active query.
    /// ```json
    /// {"method":"find_status","params":{"view_id":"view-id-1","queries":[{"id":1,"chars":"b","case_sensitive":false,"is_regex":false,"whole_words":false,"matches":1,"lines":[2]}]}}
    /// ```
    FindStatus {
        /// The view.
        view_id: ViewId,
        /// The queries.
        queries: Vec<FindStatus>,
    },
    /// The replacement text changed.
    /// ```json
    /// {"method":"replace_status","params":{"view_id":"view-id-1","status":{"chars":"bar","preserve_case":false}}}
    /// ```
    ReplaceStatus {
        /// The view.
        view_id: ViewId,
        /// The replacement.
        status: ReplaceStatus,
    },
    /// The plugins that could run for a view.
    /// ```json
    /// {"method":"available_plugins","params":{"view_id":"view-id-1","plugins":[{"name":"syntect","running":true}]}}
    /// ```
    AvailablePlugins {
        /// The view.
        view_id: ViewId,
        /// The plugins.
        plugins: Vec<PluginInfo>,
    },
    /// A plugin started for a view.
    /// ```json
    /// {"method":"plugin_started","params":{"view_id":"view-id-1","plugin":"syntect"}}
    /// ```
    PluginStarted {
        /// The view.
        view_id: ViewId,
        /// The plugin's name.
        plugin: String,
    },
    /// A plugin stopped (or crashed) for a view.
    /// ```json
    /// {"method":"plugin_stopped","params":{"view_id":"view-id-1","plugin":"syntect","code":0}}
    /// ```
    PluginStopped {
        /// The view.
        view_id: ViewId,
        /// The plugin's name.
        plugin: String,
        /// Unused by xi 0.3 (always 0).
        code: i32,
    },
    /// The commands a plugin offers; kept as raw JSON (they embed RPC templates).
    /// ```json
    /// {"method":"update_cmds","params":{"view_id":"view-id-1","plugin":"syntect","cmds":[]}}
    /// ```
    UpdateCmds {
        /// The view.
        view_id: ViewId,
        /// The plugin's name.
        plugin: String,
        /// The commands.
        cmds: Vec<Value>,
    },
    /// A plugin adds an item to the status bar.
    /// ```json
    /// {"method":"add_status_item","params":{"view_id":"view-id-1","source":"spell","key":"errors","value":"3 typos","alignment":"left"}}
    /// ```
    AddStatusItem {
        /// The view.
        view_id: ViewId,
        /// The plugin.
        source: String,
        /// The item's key.
        key: String,
        /// The text.
        value: String,
        /// `"left"` or `"right"`.
        alignment: String,
    },
    /// A plugin changes a status item.
    /// ```json
    /// {"method":"update_status_item","params":{"view_id":"view-id-1","key":"errors","value":"2 typos"}}
    /// ```
    UpdateStatusItem {
        /// The view.
        view_id: ViewId,
        /// The item's key.
        key: String,
        /// The text.
        value: String,
    },
    /// A plugin removes a status item.
    /// ```json
    /// {"method":"remove_status_item","params":{"view_id":"view-id-1","key":"errors"}}
    /// ```
    RemoveStatusItem {
        /// The view.
        view_id: ViewId,
        /// The item's key.
        key: String,
    },
    /// The answer to `request_hover`.
    /// ```json
    /// {"method":"show_hover","params":{"view_id":"view-id-1","request_id":1,"result":"fn main()"}}
    /// ```
    ShowHover {
        /// The view.
        view_id: ViewId,
        /// The id given in `request_hover`.
        request_id: usize,
        /// The hover text.
        result: String,
    },
    /// A method this crate does not know, kept so that it can be reported.
    #[serde(skip)]
    Unknown {
        /// The method name.
        method: String,
        /// Its parameters, as sent.
        params: Value,
    },
}

impl CoreNotificationFromCore {
    /// Every method name with its own variant; anything else parses as `Unknown`.
    pub const METHODS: &'static [&'static str] = &[
        "update",
        "scroll_to",
        "def_style",
        "theme_changed",
        "available_themes",
        "available_languages",
        "language_changed",
        "config_changed",
        "alert",
        "find_status",
        "replace_status",
        "available_plugins",
        "plugin_started",
        "plugin_stopped",
        "update_cmds",
        "add_status_item",
        "update_status_item",
        "remove_status_item",
        "show_hover",
    ];

    /// Parses a notification; an unknown method gives `Unknown`, malformed params of a known
    /// method give an error.
    pub fn parse(method: &str, params: Value) -> Result<Self, serde_json::Error> {
        if !Self::METHODS.contains(&method) {
            return Ok(CoreNotificationFromCore::Unknown {
                method: method.to_owned(),
                params,
            });
        }
        serde_json::from_value(tagged(method, params))
    }

    /// The method name on the wire.
    pub fn method(&self) -> &str {
        match self {
            CoreNotificationFromCore::Update { .. } => "update",
            CoreNotificationFromCore::ScrollTo { .. } => "scroll_to",
            CoreNotificationFromCore::DefStyle(_) => "def_style",
            CoreNotificationFromCore::ThemeChanged { .. } => "theme_changed",
            CoreNotificationFromCore::AvailableThemes { .. } => "available_themes",
            CoreNotificationFromCore::AvailableLanguages { .. } => "available_languages",
            CoreNotificationFromCore::LanguageChanged { .. } => "language_changed",
            CoreNotificationFromCore::ConfigChanged { .. } => "config_changed",
            CoreNotificationFromCore::Alert { .. } => "alert",
            CoreNotificationFromCore::FindStatus { .. } => "find_status",
            CoreNotificationFromCore::ReplaceStatus { .. } => "replace_status",
            CoreNotificationFromCore::AvailablePlugins { .. } => "available_plugins",
            CoreNotificationFromCore::PluginStarted { .. } => "plugin_started",
            CoreNotificationFromCore::PluginStopped { .. } => "plugin_stopped",
            CoreNotificationFromCore::UpdateCmds { .. } => "update_cmds",
            CoreNotificationFromCore::AddStatusItem { .. } => "add_status_item",
            CoreNotificationFromCore::UpdateStatusItem { .. } => "update_status_item",
            CoreNotificationFromCore::RemoveStatusItem { .. } => "remove_status_item",
            CoreNotificationFromCore::ShowHover { .. } => "show_hover",
            CoreNotificationFromCore::Unknown { method, .. } => method,
        }
    }

    /// The view the notification is about, if it is about one.
    pub fn view_id(&self) -> Option<&ViewId> {
        match self {
            CoreNotificationFromCore::Update { view_id, .. }
            | CoreNotificationFromCore::ScrollTo { view_id, .. }
            | CoreNotificationFromCore::LanguageChanged { view_id, .. }
            | CoreNotificationFromCore::ConfigChanged { view_id, .. }
            | CoreNotificationFromCore::FindStatus { view_id, .. }
            | CoreNotificationFromCore::ReplaceStatus { view_id, .. }
            | CoreNotificationFromCore::AvailablePlugins { view_id, .. }
            | CoreNotificationFromCore::PluginStarted { view_id, .. }
            | CoreNotificationFromCore::PluginStopped { view_id, .. }
            | CoreNotificationFromCore::UpdateCmds { view_id, .. }
            | CoreNotificationFromCore::AddStatusItem { view_id, .. }
            | CoreNotificationFromCore::UpdateStatusItem { view_id, .. }
            | CoreNotificationFromCore::RemoveStatusItem { view_id, .. }
            | CoreNotificationFromCore::ShowHover { view_id, .. } => Some(view_id),
            CoreNotificationFromCore::DefStyle(_)
            | CoreNotificationFromCore::ThemeChanged { .. }
            | CoreNotificationFromCore::AvailableThemes { .. }
            | CoreNotificationFromCore::AvailableLanguages { .. }
            | CoreNotificationFromCore::Alert { .. }
            | CoreNotificationFromCore::Unknown { .. } => None,
        }
    }
}

/// Requests from the core; each must be answered, because xi blocks until it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "method", content = "params")]
pub enum CoreRequestFromCore {
    /// Asks for the widths of strings, one batch per style; the reply is an array of arrays
    /// of numbers (`[[5.0, 3.0]]` here). Only sent when word wrap is on.
    /// ```json
    /// {"id":0,"method":"measure_width","params":[{"id":8,"strings":["hello","foo"]}]}
    /// ```
    MeasureWidth(Vec<WidthRequest>),
    /// A request this crate does not know; answer it with an error so the core does not hang.
    #[serde(skip)]
    Unknown {
        /// The method name.
        method: String,
        /// Its parameters, as sent.
        params: Value,
    },
}

impl CoreRequestFromCore {
    /// Every method name with its own variant.
    pub const METHODS: &'static [&'static str] = &["measure_width"];

    /// Parses a request; an unknown method gives `Unknown`.
    pub fn parse(method: &str, params: Value) -> Result<Self, serde_json::Error> {
        if !Self::METHODS.contains(&method) {
            return Ok(CoreRequestFromCore::Unknown {
                method: method.to_owned(),
                params,
            });
        }
        serde_json::from_value(tagged(method, params))
    }

    /// The method name on the wire.
    pub fn method(&self) -> &str {
        match self {
            CoreRequestFromCore::MeasureWidth(_) => "measure_width",
            CoreRequestFromCore::Unknown { method, .. } => method,
        }
    }
}

fn tagged(method: &str, params: Value) -> Value {
    let mut object = Map::with_capacity(2);
    object.insert("method".to_owned(), Value::String(method.to_owned()));
    object.insert("params".to_owned(), params);
    Value::Object(object)
}

/// A style definition; colours are 0xAARRGGBB. xi always sends `fg_color` (possibly `null`)
/// and omits the other fields when unset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StyleDef {
    /// The id used in style triples.
    pub id: StyleId,
    /// Text colour.
    #[serde(default)]
    pub fg_color: Option<u32>,
    /// Background colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bg_color: Option<u32>,
    /// Font weight, 100–900 (700 is bold).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u16>,
    /// Italic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub italic: Option<bool>,
    /// Underlined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub underline: Option<bool>,
}

/// The state of one find query; with only the match count changed, the other fields are `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindStatus {
    /// The query's id.
    pub id: usize,
    /// The search text.
    pub chars: Option<String>,
    /// Whether case must match.
    pub case_sensitive: Option<bool>,
    /// Whether `chars` is a regular expression.
    pub is_regex: Option<bool>,
    /// Whether only whole words match.
    pub whole_words: Option<bool>,
    /// Number of matches.
    pub matches: usize,
    /// 1-based logical lines holding matches.
    #[serde(default)]
    pub lines: Vec<usize>,
}

/// The replacement text and options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplaceStatus {
    /// The replacement.
    pub chars: String,
    /// Whether the case pattern of matches is kept.
    pub preserve_case: bool,
}

/// A plugin the core knows about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginInfo {
    /// Its name.
    pub name: String,
    /// Whether it runs for this view.
    pub running: bool,
}

/// One batch of a `measure_width` request: strings that share a style.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidthRequest {
    /// The style the strings are drawn in.
    pub id: StyleId,
    /// The strings to measure.
    pub strings: Vec<String>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    #[test]
    fn unknown_methods_are_kept_not_refused() {
        let parsed = CoreNotificationFromCore::parse("new_fancy_thing", json!({"x": 1})).unwrap();
        assert_eq!(
            parsed,
            CoreNotificationFromCore::Unknown {
                method: "new_fancy_thing".into(),
                params: json!({"x": 1})
            }
        );
        assert_eq!(parsed.method(), "new_fancy_thing");
    }

    #[test]
    fn a_known_method_with_bad_params_is_an_error() {
        let err = CoreNotificationFromCore::parse("scroll_to", json!({"view_id": "view-id-1"}))
            .unwrap_err();
        assert!(err.to_string().contains("line"), "{err}");
    }

    fn serde_error<T: serde::de::DeserializeOwned + std::fmt::Debug>(method: &str) -> String {
        serde_json::from_value::<T>(tagged(method, json!(42)))
            .map(|v| format!("{v:?}"))
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn every_listed_method_is_a_real_variant() {
        // A listed name without a variant would make serde say "unknown variant".
        for method in CoreNotificationFromCore::METHODS {
            let err = serde_error::<CoreNotificationFromCore>(method);
            assert!(
                !err.contains("unknown variant"),
                "`{method}` is listed but has no variant: {err}"
            );
        }
        for method in CoreRequestFromCore::METHODS {
            let err = serde_error::<CoreRequestFromCore>(method);
            assert!(
                !err.contains("unknown variant"),
                "`{method}` is listed but has no variant: {err}"
            );
        }
        assert!(serde_error::<CoreRequestFromCore>("nope").contains("unknown variant"));
    }

    #[test]
    fn view_ids_are_found_for_view_notifications_only() {
        let scroll = CoreNotificationFromCore::parse(
            "scroll_to",
            json!({"view_id": "view-id-3", "line": 0, "col": 0}),
        )
        .unwrap();
        assert_eq!(scroll.view_id(), Some(&ViewId::new("view-id-3")));
        let alert = CoreNotificationFromCore::parse("alert", json!({"msg": "hi"})).unwrap();
        assert_eq!(alert.view_id(), None);
    }
}
