//! The xi-editor protocol, line cache, async client and supervisor.
//!
//! - [`protocol`]: xi 0.3's messages as serde types, with their JSON in the doc comments;
//! - [`codec`]: newline-delimited framing of those messages;
//! - [`line_cache`]: the front-end's copy of a view's lines, kept current by `update`s;
//! - [`client`]: an async connection to a `symphony-xi` process.

pub mod client;
pub mod codec;
pub mod error;
pub mod line_cache;
pub mod protocol;
pub mod supervisor;

pub use client::{CoreEvent, DEFAULT_REQUEST_TIMEOUT, XiClient};
pub use codec::{
    Incoming, MAX_LINE_BYTES, RemoteError, decode, encode_notification, encode_request,
    encode_response,
};
pub use error::BridgeError;
pub use line_cache::LineCache;
pub use protocol::{
    CoreNotification, CoreNotificationFromCore, CoreRequest, CoreRequestFromCore, EditCommand,
    EditNotification, EditRequest, Line, RequestId, StyleId, Update, UpdateOp, ViewId,
};
pub mod syntect_plugin;
