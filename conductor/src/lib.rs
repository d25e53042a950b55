//! The Conductor: workflow planning and orchestration on the Pit.

pub mod fqg;
pub mod plan;
pub mod planning;
pub mod templates;
