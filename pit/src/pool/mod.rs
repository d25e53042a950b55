//! The Pool Manager: keeps expensive things warm (extension processes, wasm instances, LLM
//! clients) and hands them out fast.
//!
//! - A typed state machine per entry ([`Entry`]: Cold → Warming → Hot → Cooling → Cold, and
//!   Failed) in which an illegal transition has no method to call.
//! - The hit path ([`Pool::get`]) reads an immutable snapshot of the hot entries through an
//!   `ArcSwap`: no lock, no allocation, no shared write but a recency stamp at most once per
//!   pool event. It returns a [`Hit`] guard, not a cloned `Arc`.
//! - Misses ([`Pool::acquire`]) warm an entry once however many ask, within a memory budget
//!   (least recently used entries are cooled to make room). Recency is approximate, counted
//!   in pool events (each warming): entries used between the same two events tie, and the
//!   one warmed first goes first — the price of a hit path that writes nothing shared on
//!   every hit. Failures are retried with
//!   exponential backoff, and a failed entry is never handed out; [`Pool::check_health`]
//!   takes entries that stop answering out.
//! - Prewarming ([`Pool::prewarm`]) from the predictors in [`predict`]; [`Prewarm`] is a
//!   runner-keyed pool without its resource type, as the Pit's facade holds it.

mod manager;
pub mod predict;
mod prewarm;
mod state;
mod table;

pub use manager::{BoxFuture, Pool, PoolError, PoolPolicy, PoolStats, PoolUse, Resource};
pub use prewarm::Prewarm;
pub use state::{Cold, Cooling, Entry, Failed, Hot, Slot, Warming};
pub use table::{Hit, HotSlot};
