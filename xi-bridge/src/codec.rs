//! Newline-delimited JSON framing for xi's RPC: one message per line, no `"jsonrpc"` field.
//!
//! Requests carry an integer `id` and a `method`; responses carry the `id` and exactly one of
//! `result` or `error` (`{"code":404,"message":"missing view-id-9"}`); notifications have no
//! `id`. Both sides send all three kinds: the core asks the front-end to `measure_width`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::BridgeError;
use crate::protocol::{
    CoreNotification, CoreNotificationFromCore, CoreRequest, CoreRequestFromCore, RequestId,
};

/// Longest line accepted from the core. xi sends a whole `update` on one line, and a
/// render of a huge file can be tens of megabytes; beyond this the core is misbehaving.
pub const MAX_LINE_BYTES: usize = 64 * 1024 * 1024;

/// How much of a bad line error messages quote.
const EXCERPT_CHARS: usize = 160;

/// The JSON-RPC error code for "method not found".
pub const METHOD_NOT_FOUND: i64 = -32601;

/// The error object of a failed response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteError {
    /// The error code (xi: -32600 for an unparseable request, 404 for a missing view, OS error
    /// numbers for file errors).
    pub code: i64,
    /// What went wrong.
    pub message: String,
    /// Extra details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl RemoteError {
    /// The answer to a request we do not implement.
    pub fn method_not_found(method: &str) -> RemoteError {
        RemoteError {
            code: METHOD_NOT_FOUND,
            message: format!("symphony does not implement `{method}`"),
            data: None,
        }
    }

    /// Turns the error into a [`BridgeError::Remote`] naming the request it answered.
    pub fn into_bridge_error(self, method: &str) -> BridgeError {
        BridgeError::Remote {
            method: method.to_owned(),
            code: self.code,
            message: self.message,
            data: self.data,
        }
    }

    /// Reads an error object; one that does not have xi's shape is kept whole in `data`.
    fn from_value(value: Value) -> RemoteError {
        RemoteError::deserialize(&value).unwrap_or_else(|_| RemoteError {
            code: -32603,
            message: format!("malformed error object: {}", excerpt(&value.to_string())),
            data: Some(value),
        })
    }
}

/// A decoded line from the core.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A notification.
    Notification(CoreNotificationFromCore),
    /// A request that must be answered with [`encode_response`].
    Request {
        /// Echo this in the response.
        id: RequestId,
        /// What is asked.
        request: CoreRequestFromCore,
    },
    /// The answer to one of our requests.
    Response {
        /// The id of our request.
        id: RequestId,
        /// Its result or error.
        result: Result<Value, RemoteError>,
    },
}

/// Encodes a notification as one line, newline included.
pub fn encode_notification(notification: &CoreNotification) -> Result<String, BridgeError> {
    to_line(
        serde_json::to_value(notification),
        notification.method(),
        None,
    )
}

/// Encodes a request as one line, newline included.
pub fn encode_request(id: RequestId, request: &CoreRequest) -> Result<String, BridgeError> {
    to_line(serde_json::to_value(request), request.method(), Some(id))
}

/// Encodes the answer to a request from the core as one line, newline included.
pub fn encode_response(id: RequestId, result: Result<Value, RemoteError>) -> String {
    let mut object = Map::with_capacity(2);
    object.insert("id".to_owned(), Value::from(id.0));
    match result {
        Ok(value) => {
            object.insert("result".to_owned(), value);
        }
        Err(error) => {
            let mut e = Map::with_capacity(3);
            e.insert("code".to_owned(), Value::from(error.code));
            e.insert("message".to_owned(), Value::String(error.message));
            if let Some(data) = error.data {
                e.insert("data".to_owned(), data);
            }
            object.insert("error".to_owned(), Value::Object(e));
        }
    }
    let mut line = Value::Object(object).to_string();
    line.push('\n');
    line
}

fn to_line(
    value: serde_json::Result<Value>,
    method: &str,
    id: Option<RequestId>,
) -> Result<String, BridgeError> {
    let encode_error = |reason: String| BridgeError::Encode {
        method: method.to_owned(),
        reason,
    };
    let mut value = value.map_err(|e| encode_error(e.to_string()))?;
    if let Some(id) = id {
        let object = value
            .as_object_mut()
            .ok_or_else(|| encode_error("a request must be a JSON object".into()))?;
        object.insert("id".to_owned(), Value::from(id.0));
    }
    let mut line = value.to_string();
    line.push('\n');
    Ok(line)
}

/// Decodes raw bytes of one line (with or without its newline).
pub fn decode_bytes(line: &[u8]) -> Result<Incoming, BridgeError> {
    if line.len() > MAX_LINE_BYTES {
        return Err(BridgeError::LineTooLong {
            len: line.len(),
            max: MAX_LINE_BYTES,
        });
    }
    match std::str::from_utf8(line) {
        Ok(text) => decode(text),
        Err(e) => Err(BridgeError::NotUtf8 {
            reason: e.to_string(),
            excerpt: excerpt(&String::from_utf8_lossy(line)),
        }),
    }
}

/// Decodes one line (with or without its newline) from the core.
///
/// Unknown notification and request methods decode to their `Unknown` variants; only
/// malformed lines, and known methods with malformed params, are errors.
pub fn decode(line: &str) -> Result<Incoming, BridgeError> {
    if line.len() > MAX_LINE_BYTES {
        return Err(BridgeError::LineTooLong {
            len: line.len(),
            max: MAX_LINE_BYTES,
        });
    }
    let line = line.strip_suffix('\n').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    let bad = |reason: String| BridgeError::BadMessage {
        reason,
        excerpt: excerpt(line),
    };

    let value: Value = serde_json::from_str(line).map_err(|e| BridgeError::InvalidJson {
        reason: e.to_string(),
        excerpt: excerpt(line),
    })?;
    let Value::Object(mut object) = value else {
        return Err(bad("not a JSON object".into()));
    };
    let id = match object.remove("id") {
        None => None,
        Some(v) => Some(
            v.as_u64()
                .map(RequestId)
                .ok_or_else(|| bad(format!("`id` must be a non-negative integer, not {v}")))?,
        ),
    };
    let method = match object.remove("method") {
        None => None,
        Some(Value::String(m)) => Some(m),
        Some(other) => {
            return Err(bad(format!(
                "`method` must be a string, not {}",
                excerpt(&other.to_string())
            )));
        }
    };
    let params = object.remove("params").unwrap_or(Value::Null);
    let params_error = |method: &str, e: serde_json::Error| {
        bad(format!("`{method}` params do not match xi 0.3's: {e}"))
    };

    match (method, id) {
        (Some(method), None) => CoreNotificationFromCore::parse(&method, params)
            .map(Incoming::Notification)
            .map_err(|e| params_error(&method, e)),
        (Some(method), Some(id)) => CoreRequestFromCore::parse(&method, params)
            .map(|request| Incoming::Request { id, request })
            .map_err(|e| params_error(&method, e)),
        (None, Some(id)) => match (object.remove("result"), object.remove("error")) {
            (Some(result), None) => Ok(Incoming::Response {
                id,
                result: Ok(result),
            }),
            (None, Some(error)) => Ok(Incoming::Response {
                id,
                result: Err(RemoteError::from_value(error)),
            }),
            _ => Err(bad(
                "a response needs exactly one of `result` and `error`".into()
            )),
        },
        (None, None) => Err(bad(
            "neither `method` nor `id`: not a request, response or notification".into(),
        )),
    }
}

/// The start of `line`, cut on a character boundary, with its full length when cut.
pub fn excerpt(line: &str) -> String {
    match line.char_indices().nth(EXCERPT_CHARS) {
        None => line.to_owned(),
        Some((cut, _)) => format!("{}… ({} bytes in all)", &line[..cut], line.len()),
    }
}

#[cfg(test)]
mod tests;
