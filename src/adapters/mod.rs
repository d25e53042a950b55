//! Adapters: the ports implemented against real components (and in memory, for fast tests).

pub mod conductor;
pub mod extension_runner;
pub mod llm_planner;
pub mod local_pit;
pub mod memory_data;
pub mod memory_editing;
pub mod ofb;
pub(crate) mod run_prepare;
pub mod xi_editing;

pub use conductor::LocalConductor;
pub use extension_runner::{
    ExtensionPool, ExtensionRunner, HostLauncher, register_extension_pool, register_extensions,
};
pub use llm_planner::{LlmConfig, LlmPlanner};
pub use local_pit::LocalPit;
pub use memory_data::MemoryData;
pub use memory_editing::MemoryEditor;
pub use ofb::OfbClient;
pub use xi_editing::XiEditor;
