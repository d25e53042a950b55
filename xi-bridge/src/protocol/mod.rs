//! xi-editor 0.3's front-end protocol as serde types, with the JSON of each message beside it.
//!
//! - [`frontend`]: what we send (`client_started`, `new_view`, `edit`…);
//! - [`edit`]: the editing commands inside `edit`;
//! - [`core`]: what the core sends (`update`, `def_style`, `measure_width`…);
//! - [`update`]: the line-cache operations inside `update`.
//!
//! Every example in these doc comments is checked by `tests/protocol_examples.rs`, and the
//! front-end ones are sent to the real core by `tests/real_core.rs`.

pub mod core;
pub mod edit;
pub mod edit_args;
pub mod frontend;
pub mod ids;
pub mod theme;
pub mod update;

pub use self::core::{
    CoreNotificationFromCore, CoreRequestFromCore, FindStatus, PluginInfo, ReplaceStatus, StyleDef,
    WidthRequest,
};
pub use self::edit::EditNotification;
pub use self::edit_args::{
    FindQuery, GestureType, LineRange, MouseAction, Position, SelectionGranularity,
    SelectionModifier, Size,
};
pub use self::frontend::{ConfigDomain, CoreNotification, CoreRequest, EditCommand, EditRequest};
pub use self::ids::{RequestId, StyleId, ViewId};
pub use self::theme::{Rgba, ThemeSettings};
pub use self::update::{Annotation, Line, StyleSpan, Update, UpdateOp};
