//! The core↔host protocol: JSON-RPC 2.0, one JSON object per line over the host's stdin and
//! stdout. Native extensions speak the same protocol with the host (the host forwards
//! `invoke`, `cancel` and `progress`), so an extension in any language needs only these types.
//!
//! Every message, with its JSON:
//!
//! - core → host, request **`invoke`**: run one capability.
//!   ```json
//!   {"jsonrpc":"2.0","id":7,"method":"invoke","params":{"method":"count",
//!    "inputs":[{"name":"text","media_type":"text/plain","text":"two words"}],
//!    "params":{"style":"bold"},"deadline_ms":2000}}
//!   ```
//!   The core adds `"config"`: the extension's settings (the manifest's `[config.*]`
//!   defaults overridden by the user's `symphony ext config` values, secrets included), e.g.
//!   `"config":{"base_url":"http://127.0.0.1:8080/v1","model":"local"}`; absent when the
//!   manifest declares none. The host forwards it to a native guest in the same member; a
//!   wasm guest gets each setting as a WASI environment variable `NAME=VALUE` (strings bare,
//!   other types as JSON). It travels only over the pipes, never in an environment or argv of
//!   a native process. See [`InvokeRequest`].
//!
//!   result: the output artifacts.
//!   ```json
//!   {"jsonrpc":"2.0","id":7,"result":{"outputs":[{"name":"lines",
//!    "media_type":"application/vnd.symphony.styled-lines+json","text":"[…]"}]}}
//!   ```
//! - host → core, notification **`progress`** during an `invoke` (`id` is the invoke's):
//!   `{"jsonrpc":"2.0","method":"progress","params":{"id":7,"fraction":0.5,"message":"half"}}`
//! - core → host, notification **`cancel`**: stop invoke `id` now; the host answers that
//!   invoke with error `-32003`.
//!   `{"jsonrpc":"2.0","method":"cancel","params":{"id":7}}`
//! - core → host, request **`ping`**: health. `{"jsonrpc":"2.0","id":8,"method":"ping"}` →
//!   `{"jsonrpc":"2.0","id":8,"result":{"extension":"symphony.word-count","calls":3,"sandbox":["landlock","netns","rlimits"]}}`
//! - core → host, notification **`shutdown`**: finish and exit.
//!
//! Errors use JSON-RPC's codes plus ours: `-32000` the extension failed (its own message),
//! `-32001` a limit stopped it (`data: {"limit":"memory","detail":"…"}`), `-32002` it crashed
//! mid-call, `-32003` cancelled, `-32004` the sandbox could not be set up, `-32005` busy (one
//! call at a time per host).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ExtensionError, LimitKind};
use crate::manifest::ExtensionId;

/// The `"jsonrpc"` member: always `"2.0"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Version {
    /// `"2.0"`.
    #[default]
    #[serde(rename = "2.0")]
    V2,
}

/// Any message on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Message {
    /// A request (with `id`) or notification (without).
    Request(Request),
    /// An answer.
    Response(Response),
}

/// A request or notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// `"2.0"`.
    pub jsonrpc: Version,
    /// Absent for notifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// The method.
    pub method: String,
    /// Its parameters.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub params: Value,
}

/// An answer: `result` or `error`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// `"2.0"`.
    pub jsonrpc: Version,
    /// The request's id.
    pub id: u64,
    /// Success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    /// Failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<RpcError>,
}

/// A JSON-RPC error object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RpcError {
    /// The code (see the module docs).
    pub code: i64,
    /// What happened.
    pub message: String,
    /// For `-32001`: `{"limit": …, "detail": …}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// Error codes.
pub mod code {
    /// The method does not exist.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// The params do not fit the method.
    pub const INVALID_PARAMS: i64 = -32602;
    /// The extension reported a failure.
    pub const FAILED: i64 = -32000;
    /// A limit stopped the extension.
    pub const LIMIT: i64 = -32001;
    /// The extension crashed mid-call.
    pub const CRASHED: i64 = -32002;
    /// The call was cancelled.
    pub const CANCELLED: i64 = -32003;
    /// The sandbox could not be set up.
    pub const SANDBOX: i64 = -32004;
    /// A call is already running.
    pub const BUSY: i64 = -32005;
}

/// A named piece of content passed in or out of a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artifact {
    /// The port name from the manifest's `artifacts`.
    pub name: String,
    /// Its media type.
    pub media_type: String,
    /// Its content (UTF-8).
    pub text: String,
}

/// `invoke`'s params.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvokeParams {
    /// The capability.
    pub method: String,
    /// Input artifacts.
    #[serde(default)]
    pub inputs: Vec<Artifact>,
    /// Method parameters (any JSON).
    #[serde(default)]
    pub params: Value,
    /// A deadline shorter than the manifest's timeout, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<u64>,
}

/// `invoke`'s params on the wire: the call and the extension's settings. Extensions that need
/// no settings can read the same JSON as plain [`InvokeParams`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvokeRequest {
    /// The call.
    #[serde(flatten)]
    pub call: InvokeParams,
    /// The settings: defaults merged with the user's values.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub config: serde_json::Map<String, Value>,
}

/// `invoke`'s result.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InvokeResult {
    /// Output artifacts.
    pub outputs: Vec<Artifact>,
}

/// `progress`'s params.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// The invoke this is about.
    pub id: u64,
    /// 0.0–1.0.
    pub fraction: f32,
    /// What it is doing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// `cancel`'s params.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelParams {
    /// The invoke to stop.
    pub id: u64,
}

/// `ping`'s result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PingResult {
    /// The extension this host runs.
    pub extension: ExtensionId,
    /// Calls answered so far.
    pub calls: u64,
    /// The confinements in force (`rlimits`, `landlock`, `landlock-net`, `netns`, `wasm`).
    pub sandbox: Vec<String>,
}

impl Request {
    /// A request with an id.
    pub fn call(id: u64, method: &str, params: impl Serialize) -> Request {
        Request {
            jsonrpc: Version::V2,
            id: Some(id),
            method: method.to_owned(),
            params: serde_json::to_value(params).unwrap_or(Value::Null),
        }
    }

    /// A notification.
    pub fn notify(method: &str, params: impl Serialize) -> Request {
        Request {
            jsonrpc: Version::V2,
            id: None,
            method: method.to_owned(),
            params: serde_json::to_value(params).unwrap_or(Value::Null),
        }
    }
}

impl Response {
    /// A success.
    pub fn ok(id: u64, result: impl Serialize) -> Response {
        Response {
            jsonrpc: Version::V2,
            id,
            result: Some(serde_json::to_value(result).unwrap_or(Value::Null)),
            error: None,
        }
    }

    /// A failure.
    pub fn err(id: u64, error: RpcError) -> Response {
        Response {
            jsonrpc: Version::V2,
            id,
            result: None,
            error: Some(error),
        }
    }
}

impl LimitKind {
    /// The name on the wire.
    pub fn wire_name(self) -> &'static str {
        match self {
            LimitKind::Deadline => "deadline",
            LimitKind::Cpu => "cpu",
            LimitKind::Memory => "memory",
            LimitKind::Stack => "stack",
            LimitKind::Filesystem => "filesystem",
            LimitKind::Network => "network",
        }
    }

    /// Parse a wire name.
    pub fn from_wire(name: &str) -> Option<LimitKind> {
        Some(match name {
            "deadline" => LimitKind::Deadline,
            "cpu" => LimitKind::Cpu,
            "memory" => LimitKind::Memory,
            "stack" => LimitKind::Stack,
            "filesystem" => LimitKind::Filesystem,
            "network" => LimitKind::Network,
            _ => return None,
        })
    }
}

impl RpcError {
    /// An error with a code and message.
    pub fn new(code: i64, message: impl Into<String>) -> RpcError {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// Express an [`ExtensionError`] on the wire.
    pub fn from_error(error: &ExtensionError) -> RpcError {
        match error {
            ExtensionError::LimitExceeded { limit, detail, .. } => RpcError {
                code: code::LIMIT,
                message: error.to_string(),
                data: Some(serde_json::json!({"limit": limit.wire_name(), "detail": detail})),
            },
            ExtensionError::Crashed { detail, .. } => RpcError {
                code: code::CRASHED,
                message: error.to_string(),
                data: Some(serde_json::json!({"detail": detail})),
            },
            ExtensionError::Cancelled(_) => RpcError::new(code::CANCELLED, error.to_string()),
            ExtensionError::Sandbox { detail, .. } => RpcError::new(code::SANDBOX, detail.clone()),
            ExtensionError::BadRequest { .. } => {
                RpcError::new(code::INVALID_PARAMS, error.to_string())
            }
            ExtensionError::UnknownMethod { .. } => {
                RpcError::new(code::METHOD_NOT_FOUND, error.to_string())
            }
            ExtensionError::Failed { message, .. } => RpcError::new(code::FAILED, message.clone()),
            _ => RpcError::new(code::FAILED, error.to_string()),
        }
    }

    /// Turn a wire error from extension `id`'s host back into an [`ExtensionError`].
    pub fn into_error(self, id: &ExtensionId) -> ExtensionError {
        let detail = |data: &Option<Value>| {
            data.as_ref()
                .and_then(|d| d.get("detail"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        match self.code {
            code::LIMIT => {
                let limit = self
                    .data
                    .as_ref()
                    .and_then(|d| d.get("limit"))
                    .and_then(Value::as_str)
                    .and_then(LimitKind::from_wire);
                match limit {
                    Some(limit) => ExtensionError::LimitExceeded {
                        id: id.clone(),
                        limit,
                        detail: detail(&self.data),
                    },
                    None => ExtensionError::Failed {
                        id: id.clone(),
                        message: self.message,
                    },
                }
            }
            code::CRASHED => ExtensionError::Crashed {
                id: id.clone(),
                detail: detail(&self.data),
            },
            code::CANCELLED => ExtensionError::Cancelled(id.clone()),
            code::METHOD_NOT_FOUND | code::INVALID_PARAMS | code::BUSY => {
                ExtensionError::Rejected {
                    id: id.clone(),
                    message: self.message,
                }
            }
            code::SANDBOX => ExtensionError::Sandbox {
                id: id.clone(),
                detail: self.message,
            },
            _ => ExtensionError::Failed {
                id: id.clone(),
                message: self.message,
            },
        }
    }
}

/// A line from the core, as the host acts on it.
#[derive(Debug, Clone, PartialEq)]
pub enum CoreLine {
    /// `invoke` with an id; its params, or why they do not decode.
    Invoke {
        /// The request id.
        id: u64,
        /// The call, or what is wrong with its params.
        request: Result<InvokeRequest, String>,
    },
    /// `ping`.
    Ping {
        /// The request id.
        id: u64,
    },
    /// The `cancel` notification.
    Cancel(CancelParams),
    /// `shutdown`.
    Shutdown,
    /// A request for a method the host does not have.
    Unknown {
        /// The request id.
        id: u64,
        /// The method.
        method: String,
    },
    /// Nothing to do: an answer, or a notification the host does not know.
    Ignored,
    /// Not JSON-RPC 2.0: why.
    Invalid(String),
}

/// Decode one line from the core (any bytes: never panics).
pub fn decode_core_line(line: &str) -> CoreLine {
    let request = match serde_json::from_str::<Message>(line) {
        Ok(Message::Request(r)) => r,
        Ok(Message::Response(_)) => return CoreLine::Ignored,
        Err(e) => return CoreLine::Invalid(e.to_string()),
    };
    match (request.method.as_str(), request.id) {
        ("invoke", Some(id)) => CoreLine::Invoke {
            id,
            request: serde_json::from_value(request.params).map_err(|e| e.to_string()),
        },
        ("ping", Some(id)) => CoreLine::Ping { id },
        ("cancel", None) => serde_json::from_value::<CancelParams>(request.params)
            .map_or(CoreLine::Ignored, CoreLine::Cancel),
        ("shutdown", _) => CoreLine::Shutdown,
        (method, Some(id)) => CoreLine::Unknown {
            id,
            method: method.to_owned(),
        },
        (_, None) => CoreLine::Ignored,
    }
}

/// Encode a message as one line (with its newline).
pub fn encode(message: &impl Serialize) -> Vec<u8> {
    let mut line = serde_json::to_vec(message).unwrap_or_default();
    line.push(b'\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_examples_decode() {
        let invoke = r#"{"jsonrpc":"2.0","id":7,"method":"invoke","params":{"method":"count","inputs":[{"name":"text","media_type":"text/plain","text":"two words"}],"params":{"style":"bold"},"deadline_ms":2000}}"#;
        let Message::Request(r) = serde_json::from_str(invoke).expect("decodes") else {
            panic!("a request")
        };
        let p: InvokeParams = serde_json::from_value(r.params).expect("params");
        assert_eq!((p.method.as_str(), p.deadline_ms), ("count", Some(2000)));
        let progress = r#"{"jsonrpc":"2.0","method":"progress","params":{"id":7,"fraction":0.5,"message":"half"}}"#;
        assert!(matches!(
            serde_json::from_str(progress),
            Ok(Message::Request(Request { id: None, .. }))
        ));
        let answer = r#"{"jsonrpc":"2.0","id":7,"result":{"outputs":[]}}"#;
        assert!(matches!(
            serde_json::from_str(answer),
            Ok(Message::Response(_))
        ));
        assert!(
            serde_json::from_str::<Message>(r#"{"jsonrpc":"1.0","id":1,"method":"x"}"#).is_err()
        );
    }

    #[test]
    fn core_lines_decode_to_what_the_host_does() {
        let invoke = r#"{"jsonrpc":"2.0","id":3,"method":"invoke","params":{"method":"m","config":{"k":"v"}}}"#;
        let CoreLine::Invoke {
            id: 3,
            request: Ok(r),
        } = decode_core_line(invoke)
        else {
            panic!("an invoke")
        };
        assert_eq!(
            (r.call.method.as_str(), r.config["k"].as_str()),
            ("m", Some("v"))
        );
        let bad = r#"{"jsonrpc":"2.0","id":4,"method":"invoke","params":{"inputs":3}}"#;
        assert!(matches!(
            decode_core_line(bad),
            CoreLine::Invoke {
                id: 4,
                request: Err(_)
            }
        ));
        assert_eq!(
            decode_core_line(r#"{"jsonrpc":"2.0","method":"cancel","params":{"id":3}}"#),
            CoreLine::Cancel(CancelParams { id: 3 })
        );
        assert_eq!(
            decode_core_line(r#"{"jsonrpc":"2.0","id":5,"method":"dance"}"#),
            CoreLine::Unknown {
                id: 5,
                method: "dance".into()
            }
        );
        assert!(matches!(decode_core_line("{"), CoreLine::Invalid(_)));
    }

    #[test]
    fn limit_errors_survive_the_wire() {
        let id = ExtensionId::parse("a.b").expect("valid");
        let e = ExtensionError::LimitExceeded {
            id: id.clone(),
            limit: LimitKind::Memory,
            detail: "64 MiB".into(),
        };
        let wire: RpcError =
            serde_json::from_slice(&encode(&RpcError::from_error(&e))).expect("round trip");
        let back = wire.into_error(&id);
        assert_eq!(back.to_string(), e.to_string());
    }
}
