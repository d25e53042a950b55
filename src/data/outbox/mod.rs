//! The offline outbox: mutations that could not reach OFB, stored durably in order and
//! replayed on reconnect, each with its original `Idempotency-Key` so that a replay never acts
//! twice (OFB keeps keys indefinitely).

pub mod file;
pub mod frame;
pub mod queue;
pub mod refused;

pub use file::{OutboxFile, Pending};
pub use queue::{OfflineQueue, Replay, Submitted};
pub use refused::{Refused, RefusedLog};
