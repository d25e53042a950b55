//! The Arbitration Engine: decides who gets scarce resources (pool slots, worker slots, model
//! slots), and records each decision and why.
//!
//! An [`Arbiter`] has a capacity in units. Owners (workflows, users) [`submit`] [`Request`]s
//! for some units at a [`Priority`] from 1000 (most urgent) down to −1000, perhaps with a
//! deadline; [`decide`] hands out [`Grant`]s in the order of the [`Strategy`], and
//! [`release`] takes the units back. Time is the caller's: every call that needs it takes
//! `now` in milliseconds, so that the arbiter is deterministic and its tests need no clock.
//!
//! - **Strict priority**: the highest *aged* priority first, `priority + rate × waited`
//!   ([`AgingPolicy`]). Comparing the aged priorities of two requests at any time is
//!   comparing `1000·priority − rate·submitted`, which does not change while they wait: each
//!   request is ranked once, at submission, and the line is a binary heap.
//! - **Fair share**: the owner holding the least units for its weight
//!   ([`Arbiter::set_weight`]) goes first, then that owner's request of highest aged
//!   priority. The owners waiting are kept in that order (a `BTreeSet` updated at each
//!   change of one), so that choosing costs no scan however many owners there are.
//! - **Earliest deadline**: the earliest due time first. A request is due at its deadline,
//!   clamped between its submission and a horizon after it: without a deadline (or with a
//!   far one) it is due a horizon after submission, so it ages to the front like any other.
//!
//! **Head of line, no backfilling.** When the next request does not fit in what is free,
//! `decide` stops: nothing behind it is granted even if it would fit. Capacity may idle while
//! a large request waits for room; in exchange no stream of small requests can keep it out,
//! which is what makes the wait bound below hold for every size. A request larger than the
//! whole capacity is refused at submission, since it could never be granted.
//!
//! **Audit.** Every grant, head-of-line wait (once per change), refusal and cancellation is
//! recorded in the [`AuditLog`] as a [`Decision`] with its [`Reason`]: a copied struct, no
//! text. Its `Display` writes the sentence ("at 83.500 s: granted request #12 to owner 3
//! (4 units) under strict priority: the highest aged priority of the 17 waiting, 730 (base
//! 500, +230 for waiting 23.000 s); 2 units of 8 free now").
//!
//! **Cost.** `submit` and each grant are O(log n) in the requests waiting (fair share adds
//! O(log owners)); `release` is O(1) but for a hash lookup (fair share: O(log owners));
//! `cancel` is O(n). Under strict priority and earliest deadline nothing allocates on the
//! decision path but the returned vector ([`Arbiter::decide_into`] reuses one); fair share's
//! `BTreeSet` allocates a node now and then. `benches/arbitration.rs` measures a decision
//! among 1,000 waiting (target ≤ 1 µs).
//!
//! ```
//! use pit::arbitration::{AgingPolicy, Arbiter, OwnerId, Priority, Request, Strategy};
//!
//! let mut arbiter = Arbiter::new(2, Strategy::StrictPriority, AgingPolicy::default());
//! let (build, lint) = (OwnerId::new(1), OwnerId::new(2));
//! let compile = arbiter.submit(Request::new(build, 2, Priority::new(500)?), 0)?;
//! let check = arbiter.submit(Request::new(lint, 1, Priority::NORMAL), 0)?;
//! let grants = arbiter.decide(0);
//! assert_eq!(grants.iter().map(|g| g.id()).collect::<Vec<_>>(), [compile]);
//! for grant in grants {
//!     arbiter.release(grant)?;
//! }
//! let grants = arbiter.decide(1500);
//! assert_eq!(grants[0].id(), check);
//! assert_eq!(
//!     arbiter.audit().last().map(|d| d.to_string()).as_deref(),
//!     Some(
//!         "at 1.500 s: granted request #1 to owner 2 (1 unit) under strict priority: the \
//!          highest aged priority of the 1 waiting, 15 (base 0, +15 for waiting 1.500 s); 1 \
//!          unit of 2 free now"
//!     )
//! );
//! # Ok::<(), pit::arbitration::ArbitrationError>(())
//! ```
//!
//! # The wait bound
//!
//! Assume every request asks for at most `a` units, every grant is released within `H` ms,
//! and `decide` is called at every submission and release (after the releases of that
//! `now`). Let `s = ⌊capacity ÷ a⌋ ≥ 1`, `r` the aging rate in points per second and
//! `W = ⌈2000 · 1000 ÷ r⌉` ms ([`AgingPolicy::overtaking_window`]).
//!
//! 1. *Progress.* If requests still wait after `decide` at `t + H`, at least `s` were granted
//!    in `(t, t + H]`: every hold older than `t` has ended by `t + H`, so all that is held was
//!    granted in that window, and it is more than `capacity − a` (else the first in line
//!    would fit), which takes at least `s` grants of at most `a` units.
//! 2. *A horizon for overtaking.* Let request X be submitted at `t_X`. Under strict priority
//!    (and within an owner under fair share) any Y submitted after `T₀ = t_X + W` ranks
//!    below X: `1000·p_Y − r·t_Y < 1000·1000 − r·t_X − 2000·1000 ≤ 1000·p_X − r·t_X`.
//!    Under earliest deadline take `T₀ = due(X) ≤ t_X + horizon`: Y is due no earlier than
//!    `t_Y > T₀`. So only the `M` requests waiting after `decide` at `T₀` and ahead of X can
//!    be granted before it, under strict priority and earliest deadline.
//! 3. *Strict priority, earliest deadline.* After `T₀` each grant while X waits is one of the
//!    `M`, and by 1 each `H` in which X is not granted grants `s` of them: X is granted by
//!    `T₀ + (⌊M ÷ s⌋ + 1)·H`. **This holds for any arrival pattern.**
//! 4. *Fair share.* Let A be X's owner; A's grants before X are among the `M`. From any
//!    moment `g ≥ T₀`, within `H` either one of the `M` (or X) is granted or all A held has
//!    been released. Then A holds 0, so it is among the owners furthest behind, and the
//!    owner served is one holding 0 whose first request ranks above A's (itself X or ahead
//!    of X): only the `M` or X are granted, and within another `H` all else held is
//!    released, so the next fits. X is granted by `T₀ + 2·(M + 1)·H`, for any arrival
//!    pattern.
//! 5. *Closed form.* If at most `B + s·L/H` requests arrive in any `L` ms — a burst of `B`,
//!    then on average no more demand than capacity (`s` requests of at most `a ≤ capacity/s`
//!    units per `H`) — the backlog never exceeds `B + s − 1` (by 1, each `H` of backlog
//!    grants `s`), so `M ≤ B + s − 2` and [`Arbiter::wait_bound`] follows:
//!    `W + (⌊(B + s − 2) ÷ s⌋ + 1)·H` under strict priority, the same with the horizon for
//!    `W` under earliest deadline, and `W + 2·(B + s − 1)·H` under fair share.
//!
//! The first `W` term is tight: a −1000 request behind a stream of fresh 1000 ones is
//! served about `W` after it arrived. `pit/tests/arbitration.rs` checks 3 and 4 request by
//! request under random arrivals, and 5 under random arrivals within the envelope.
//!
//! [`submit`]: Arbiter::submit
//! [`decide`]: Arbiter::decide
//! [`release`]: Arbiter::release

mod arbiter;
mod audit;
mod error;
mod gate;
mod line;
mod owners;
mod policy;
mod request;
#[cfg(test)]
mod tests;

pub use arbiter::Arbiter;
pub use audit::{AuditLog, Decision, Reason};
pub use error::ArbitrationError;
pub use gate::{Gate, Permit};
pub use policy::{AgingPolicy, DueFrom, Load, Strategy};
pub use request::{Grant, OwnerId, Priority, Request, RequestId};
