//! Ports: the traits through which the domain core talks to the world (H2A2).
//!
//! Architecture invariant: `app/` depends on these traits only, never on an adapter.

pub mod conductor;
pub mod data_access;
pub mod extension;
pub mod pit;
pub mod run_record;
pub mod text_editing;

pub use self::pit::{Collection, PitFailure, PitPort};
pub use conductor::ConductorPort;
pub use data_access::DataAccessPort;
pub use extension::ExtensionPort;
pub use run_record::RunRecordPort;
pub use text_editing::{BufferId, EditOp, EditorEvent, Motion, StyleDef, TextEditingPort};
