//! The data layer's types and logic that need no network: ids, requests, responses, errors,
//! pre-validation, mutations as data, and the offline outbox. The port itself is
//! [`crate::ports::data_access`]; the OFB adapter is [`crate::adapters::ofb`].

pub mod error;
pub mod ids;
pub mod mutation;
pub mod outbox;
pub mod prevalidate;
pub mod requests;
pub mod responses;
