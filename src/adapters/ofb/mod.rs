//! The OFB adapter: the HTTP client behind [`crate::ports::DataAccessPort`], and starting a
//! local OFB for the user; OFB's authority over extensions ([`governance`]).

pub mod client;
pub mod governance;
pub mod launcher;
pub mod local;
pub mod reconnect;
pub mod run_record;

pub use client::{OfbClient, OfbConfig};
pub use launcher::{LaunchError, LaunchOptions, OfbProcess};
pub use local::DataConnection;
