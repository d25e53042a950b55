//! The data layer's types and logic that need no network: ids, requests, responses, errors,
//! pre-validation, mutations as data, the offline outbox and the link's state as the UI sees it. The port itself is
//! [`crate::ports::data_access`]; the OFB adapter is [`crate::adapters::ofb`].

pub mod error;
pub mod ids;
pub mod link;
pub mod mutation;
pub mod outbox;
pub mod prevalidate;
pub mod requests;
pub mod responses;
