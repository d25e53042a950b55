//! The plugin's port to the core: what the highlighting logic may ask of it.

use std::fmt::Display;

use serde_json::Value;

use crate::syntect_plugin::error::PluginError;
use crate::syntect_plugin::protocol::{
    GetDataParams, GetDataResponse, PluginNotification, RemoteError, RequestId,
};

/// Everything the plugin logic needs from the core, so it can be driven by
/// the real stdio connection or by a fake in tests.
pub trait CoreLink {
    /// Sends a notification to the core.
    fn notify(&mut self, notification: &PluginNotification) -> Result<(), PluginError>;

    /// Answers a request the core sent.
    fn respond(
        &mut self,
        id: RequestId,
        result: Result<Value, RemoteError>,
    ) -> Result<(), PluginError>;

    /// Asks the core for text and waits for its answer (`None`: the core
    /// does not know that revision or offset).
    fn get_data(&mut self, params: &GetDataParams) -> Result<Option<GetDataResponse>, PluginError>;

    /// Reports a problem that costs some highlighting but does not stop the plugin.
    fn warn(&mut self, message: &dyn Display);
}
