//! Adapters: the ports implemented against real components (and in memory, for fast tests).

pub mod local_pit;
pub mod memory_editing;
pub mod xi_editing;

pub use local_pit::LocalPit;
pub use memory_editing::MemoryEditor;
pub use xi_editing::XiEditor;
