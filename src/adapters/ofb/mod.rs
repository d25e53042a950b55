//! The OFB adapter: the HTTP client behind [`crate::ports::DataAccessPort`], and starting a
//! local OFB for the user.

pub mod client;
pub mod launcher;
pub mod local;
pub mod reconnect;

pub use client::{OfbClient, OfbConfig};
pub use launcher::{LaunchError, LaunchOptions, OfbProcess};
pub use local::DataConnection;
