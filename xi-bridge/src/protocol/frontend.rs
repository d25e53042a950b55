//! Messages from the front-end (us) to the xi core, in the exact JSON xi 0.3 parses.
//!
//! A notification xi cannot parse ends xi's main loop (the process exits), and a request it
//! cannot parse is answered with error -32600; so `tests/real_core.rs` sends every example
//! here, and every [`EditNotification`] example, to the real core.

use std::path::PathBuf;

use serde::de::{self, DeserializeOwned, Deserializer};
use serde::ser::{self, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::protocol::edit::EditNotification;
use crate::protocol::ids::ViewId;

/// Notifications to the core (no reply).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "method", content = "params")]
pub enum CoreNotification {
    /// Must come first (xi 0.3 panics on any message before it): starts the core, loading
    /// config and themes from `config_dir` (created if missing). The core answers with
    /// `available_themes` and `available_languages`.
    /// ```json
    /// {"method":"client_started","params":{"config_dir":"/home/me/.config/symphony/xi","client_extras_dir":null}}
    /// ```
    ClientStarted {
        /// Where `preferences.xiconfig`, `themes/` and `plugins/` live.
        #[serde(default)]
        config_dir: Option<PathBuf>,
        /// Extra plugins shipped with the front-end.
        #[serde(default)]
        client_extras_dir: Option<PathBuf>,
    },
    /// Closes a view (and its buffer, if no other view shows it). Unsaved changes are lost.
    /// ```json
    /// {"method":"close_view","params":{"view_id":"view-id-1"}}
    /// ```
    CloseView {
        /// The view.
        view_id: ViewId,
    },
    /// Writes the view's buffer to `file_path`. There is no reply: success shows as a
    /// `pristine: true` update, failure as an `alert`. With `save_with_newline` (the default)
    /// xi appends a line ending if the text does not end with one.
    /// ```json
    /// {"method":"save","params":{"view_id":"view-id-1","file_path":"/tmp/notes.txt"}}
    /// ```
    Save {
        /// The view.
        view_id: ViewId,
        /// Where to write.
        file_path: String,
    },
    /// Switches the theme; the core answers with `theme_changed` and new `def_style`s.
    /// Send it only once the first `update` of every open view has arrived: xi 0.3 panics
    /// if it re-renders a view it has not finished opening.
    /// ```json
    /// {"method":"set_theme","params":{"theme_name":"Solarized (dark)"}}
    /// ```
    SetTheme {
        /// One of the names from `available_themes`.
        theme_name: String,
    },
    /// Forces the language of a view (normally detected from the file extension).
    /// ```json
    /// {"method":"set_language","params":{"view_id":"view-id-1","language_id":"Rust"}}
    /// ```
    SetLanguage {
        /// The view.
        view_id: ViewId,
        /// One of the names from `available_languages`.
        language_id: String,
    },
    /// Changes settings (`tab_size`, `word_wrap`…) for a domain; a `null` value clears a key.
    /// ```json
    /// {"method":"modify_user_config","params":{"domain":{"user_override":"view-id-1"},"changes":{"tab_size":2}}}
    /// ```
    ModifyUserConfig {
        /// Which settings layer to change.
        domain: ConfigDomain,
        /// Keys to set or (with `null`) clear.
        changes: Map<String, Value>,
    },
    /// An editing command for one view; see [`EditNotification`] for each command's JSON.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"insert","params":{"chars":"a"}}}
    /// ```
    Edit(EditCommand<EditNotification>),
}

impl CoreNotification {
    /// The method name on the wire, for logs and error messages.
    pub fn method(&self) -> &'static str {
        match self {
            CoreNotification::ClientStarted { .. } => "client_started",
            CoreNotification::CloseView { .. } => "close_view",
            CoreNotification::Save { .. } => "save",
            CoreNotification::SetTheme { .. } => "set_theme",
            CoreNotification::SetLanguage { .. } => "set_language",
            CoreNotification::ModifyUserConfig { .. } => "modify_user_config",
            CoreNotification::Edit(_) => "edit",
        }
    }
}

/// Requests to the core; each gets a reply with the same id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "method", content = "params")]
pub enum CoreRequest {
    /// Opens a view, on a file if `file_path` is given (xi creates the file if it does not
    /// exist). Replies with the new view id, e.g. `"view-id-1"`, or an error such as
    /// `{"code":5,"message":"Is a directory (os error 21). File path: \"/tmp\""}`.
    /// The view only becomes usable once its first `update` arrives.
    /// ```json
    /// {"id":0,"method":"new_view","params":{"file_path":"/tmp/notes.txt"}}
    /// ```
    NewView {
        /// The file to open; `null` for a scratch buffer.
        file_path: Option<String>,
    },
    /// Replies with the view's effective settings (`tab_size`, `line_ending`…) as an object.
    /// ```json
    /// {"id":1,"method":"get_config","params":{"view_id":"view-id-1"}}
    /// ```
    GetConfig {
        /// The view.
        view_id: ViewId,
    },
    /// Replies with the whole text of the view's buffer as a string.
    /// ```json
    /// {"id":2,"method":"debug_get_contents","params":{"view_id":"view-id-1"}}
    /// ```
    DebugGetContents {
        /// The view.
        view_id: ViewId,
    },
    /// An editing request for one view; see [`EditRequest`].
    /// ```json
    /// {"id":3,"method":"edit","params":{"view_id":"view-id-1","method":"copy"}}
    /// ```
    Edit(EditCommand<EditRequest>),
}

impl CoreRequest {
    /// The method name, naming the inner command for `edit` (`"copy"`), for error messages.
    pub fn method(&self) -> &'static str {
        match self {
            CoreRequest::NewView { .. } => "new_view",
            CoreRequest::GetConfig { .. } => "get_config",
            CoreRequest::DebugGetContents { .. } => "debug_get_contents",
            CoreRequest::Edit(EditCommand {
                cmd: EditRequest::Cut,
                ..
            }) => "cut",
            CoreRequest::Edit(EditCommand {
                cmd: EditRequest::Copy,
                ..
            }) => "copy",
        }
    }
}

/// Editing requests; the reply is the selected text, or `null` when the selection is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "method", content = "params")]
pub enum EditRequest {
    /// Removes the selections and replies with their text (joined by newlines).
    /// ```json
    /// {"id":4,"method":"edit","params":{"view_id":"view-id-1","method":"cut"}}
    /// ```
    Cut,
    /// Replies with the text of the selections (joined by newlines).
    /// ```json
    /// {"id":5,"method":"edit","params":{"view_id":"view-id-1","method":"copy"}}
    /// ```
    Copy,
}

/// Which settings layer `modify_user_config` changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfigDomain {
    /// `"general"`: every buffer.
    General,
    /// `{"language":"Rust"}`: buffers of one language.
    Language(String),
    /// `{"user_override":"view-id-1"}`: one view, not persisted.
    UserOverride(ViewId),
}

/// An editing command addressed to a view.
///
/// On the wire the view id sits beside the command's own `method` and `params`:
/// `{"view_id":"view-id-1","method":"insert","params":{"chars":"a"}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct EditCommand<T> {
    /// The view the command applies to.
    pub view_id: ViewId,
    /// The command.
    pub cmd: T,
}

impl<T> EditCommand<T> {
    /// Addresses `cmd` to `view_id`.
    pub fn new(view_id: ViewId, cmd: T) -> EditCommand<T> {
        EditCommand { view_id, cmd }
    }
}

impl<T: Serialize> Serialize for EditCommand<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut value = serde_json::to_value(&self.cmd).map_err(ser::Error::custom)?;
        let Some(object) = value.as_object_mut() else {
            return Err(ser::Error::custom(
                "an edit command must serialise to a JSON object",
            ));
        };
        object.insert(
            "view_id".to_owned(),
            Value::String(self.view_id.as_str().to_owned()),
        );
        value.serialize(serializer)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for EditCommand<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut value = Value::deserialize(deserializer)?;
        let Some(object) = value.as_object_mut() else {
            return Err(de::Error::custom("edit params must be an object"));
        };
        let view_id = match object.remove("view_id") {
            Some(Value::String(id)) => ViewId::new(id),
            Some(_) => {
                return Err(de::Error::custom(
                    "`view_id` must be a string such as \"view-id-1\"",
                ));
            }
            None => return Err(de::Error::missing_field("view_id")),
        };
        // Like xi: a parameterless command may come with empty `params`.
        let empty_params = match object.get("params") {
            Some(Value::Object(o)) => o.is_empty(),
            Some(Value::Array(a)) => a.is_empty(),
            _ => false,
        };
        if empty_params
            && T::deserialize(&value).is_err()
            && let Some(object) = value.as_object_mut()
        {
            object.remove("params");
        }
        let cmd = T::deserialize(value).map_err(de::Error::custom)?;
        Ok(EditCommand { view_id, cmd })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    fn view() -> ViewId {
        ViewId::new("view-id-1")
    }

    #[test]
    fn edit_notifications_nest_method_and_params_beside_the_view_id() {
        let insert = CoreNotification::Edit(EditCommand::new(
            view(),
            EditNotification::Insert { chars: "a".into() },
        ));
        let expected = json!({"method": "edit", "params": {"view_id": "view-id-1", "method": "insert", "params": {"chars": "a"}}});
        assert_eq!(serde_json::to_value(&insert).unwrap(), expected);
        assert_eq!(
            serde_json::from_value::<CoreNotification>(expected).unwrap(),
            insert
        );
    }

    #[test]
    fn parameterless_commands_have_no_params_but_accept_empty_ones() {
        let undo = CoreNotification::Edit(EditCommand::new(view(), EditNotification::Undo));
        let wire = json!({"method": "edit", "params": {"view_id": "view-id-1", "method": "undo"}});
        assert_eq!(serde_json::to_value(&undo).unwrap(), wire);
        let with_empty = json!({"method": "edit", "params": {"view_id": "view-id-1", "method": "undo", "params": {}}});
        assert_eq!(
            serde_json::from_value::<CoreNotification>(with_empty).unwrap(),
            undo
        );
    }

    #[test]
    fn edit_requests_name_their_inner_command() {
        let copy = CoreRequest::Edit(EditCommand::new(view(), EditRequest::Copy));
        assert_eq!(copy.method(), "copy");
        assert_eq!(
            serde_json::to_value(&copy).unwrap(),
            json!({"method": "edit", "params": {"view_id": "view-id-1", "method": "copy"}})
        );
    }

    #[test]
    fn an_edit_command_without_a_view_id_is_refused() {
        let wire = json!({"method": "edit", "params": {"method": "undo"}});
        let err = serde_json::from_value::<CoreNotification>(wire).unwrap_err();
        assert!(err.to_string().contains("view_id"), "{err}");
    }

    #[test]
    fn scratch_views_send_a_null_path() {
        let req = CoreRequest::NewView { file_path: None };
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"method": "new_view", "params": {"file_path": null}})
        );
    }
}
