//! The DAG tracker's model and validation.
//!
//! A workflow file ([`WorkflowFile`], read from TOML, JSON or a WfCommons trace by
//! [`load_file`]) is checked and compacted by [`Workflow::build`], which reports *every*
//! problem as a [`ValidationError`] in a [`ValidationReport`]. A [`Workflow`] is always
//! valid: acyclic, every reference resolved, with a topological order and CSR adjacency over
//! `u32` indices, sized for a million nodes. The format is documented in
//! `docs/WORKFLOW_FORMAT.md`.

mod analysis;
mod build;
mod checks;
mod condition;
mod cycles;
mod duration;
mod edge_checks;
mod edges;
mod file;
mod id_index;
mod ids;
mod kinds;
mod parse;
mod port_type;
mod problems;
mod report;
mod settings;
mod validation_error;
mod wfcommons;
mod workflow;

pub use analysis::{CriticalPath, critical_path, sleep_seconds, total_work};
pub use build::validate;
pub use condition::Condition;
pub use duration::{BadDuration, HumanDuration};
pub use file::{EdgeSpec, FORMAT_VERSION, NodeSpec, PortSpec, WorkflowFile};
pub use ids::{
    EdgeId, EdgeIx, IdProblem, MAX_ID_BYTES, MAX_PORT_BYTES, NodeId, NodeIx, PortIx, PortName,
    RunnerName, Short,
};
pub use kinds::{ControlKind, Dependency, EdgeKind, InputRule, NodeKind, OnFailure};
pub use parse::{
    Format, LoadOptions, MAX_INPUT_BYTES, load_file, load_workflow, parse_bytes, parse_json,
    parse_toml,
};
pub use port_type::{BadPortType, PortType};
pub use problems::{Direction, EdgeProblem, End, PortList, SettingProblem};
pub use report::ValidationReport;
pub use validation_error::{EdgeRef, ValidationError};
pub use wfcommons::import_str as import_wfcommons;
pub use workflow::{Edge, NodeSettings, Port, Workflow};
