//! The Conductor: workflow planning and orchestration on the Pit.

pub mod plan;
