//! How an arbiter orders what waits: the [`Strategy`], the [`AgingPolicy`], and the rank
//! each waiting request is given once, at submission, so that no order ever needs redoing.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ArbitrationError;
use super::request::Priority;

/// Who is served first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// The highest aged priority first; ties in submission order.
    StrictPriority,
    /// The owner holding the least for its weight first (ties: the owner whose first
    /// request has the higher aged priority); within an owner, the highest aged priority.
    FairShare,
    /// The earliest due time first (ties: higher priority, then submission order). A request
    /// is due at its deadline, but never later than `horizon` ms after its submission (nor
    /// earlier than its submission): a request without a deadline, or with a far one, ages
    /// towards the front like any other and cannot starve.
    EarliestDeadline {
        /// The latest a request counts as due, in ms after its submission.
        horizon: u64,
    },
}

impl Strategy {
    /// The default horizon of [`Strategy::EarliestDeadline`]: one minute.
    pub const DEFAULT_HORIZON: u64 = 60_000;

    /// Earliest deadline with the default horizon.
    pub const fn earliest_deadline() -> Strategy {
        Strategy::EarliestDeadline {
            horizon: Strategy::DEFAULT_HORIZON,
        }
    }

    /// Its name, as the audit log says it.
    pub const fn name(self) -> &'static str {
        match self {
            Strategy::StrictPriority => "strict priority",
            Strategy::FairShare => "fair share",
            Strategy::EarliestDeadline { .. } => "earliest deadline",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How fast waiting raises a request's priority: its aged priority is
/// `priority + rate × waited`, so that nothing waits behind higher priorities for ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AgingPolicy {
    points_per_second: u32,
}

impl Default for AgingPolicy {
    fn default() -> Self {
        AgingPolicy {
            points_per_second: AgingPolicy::DEFAULT_POINTS_PER_SECOND,
        }
    }
}

impl AgingPolicy {
    /// The default rate: 10 points a second, so that a −1000 request outranks a fresh 1000
    /// one after 200 s.
    pub const DEFAULT_POINTS_PER_SECOND: u32 = 10;

    /// Aging by `points` priority points per second of waiting (at least 1).
    pub fn per_second(points: u32) -> Result<AgingPolicy, ArbitrationError> {
        if points == 0 {
            return Err(ArbitrationError::ZeroAgingRate);
        }
        Ok(AgingPolicy {
            points_per_second: points,
        })
    }

    /// The rate, in points per second.
    pub const fn points_per_second(self) -> u32 {
        self.points_per_second
    }

    /// The priority of a request of `priority` that has waited `waited` ms.
    pub fn aged(self, priority: Priority, waited: u64) -> i64 {
        let gain = i128::from(self.points_per_second) * i128::from(waited) / 1000;
        let aged = i128::from(priority.get()) + gain;
        i64::try_from(aged).unwrap_or(i64::MAX)
    }

    /// `W`, in ms: after waiting this long a request outranks every request submitted later,
    /// whatever the priorities (`⌈2000 points ÷ rate⌉`).
    pub const fn overtaking_window(self) -> u64 {
        (Priority::SPAN as u64 * 1000).div_ceil(self.points_per_second as u64)
    }

    /// The rank of a request of `priority` submitted at `submitted`: higher is served first.
    /// `aged(now)` compared between two requests is `1000·priority − rate·submitted`
    /// compared, whatever `now` is: the rank never changes while the request waits.
    pub(super) fn rank(self, priority: Priority, submitted: u64) -> i128 {
        1000 * i128::from(priority.get())
            - i128::from(self.points_per_second) * i128::from(submitted)
    }
}

/// Where a request's due time came from (under earliest deadline).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueFrom {
    /// Its own deadline.
    Deadline,
    /// Its submission: its deadline had already passed.
    Passed,
    /// The horizon after its submission: it gave no deadline, or a later one.
    Horizon,
}

/// A request's due time under earliest deadline with `horizon`.
pub(super) fn due(deadline: Option<u64>, submitted: u64, horizon: u64) -> (u64, DueFrom) {
    let latest = submitted.saturating_add(horizon);
    match deadline {
        Some(d) if d < submitted => (submitted, DueFrom::Passed),
        Some(d) if d <= latest => (d, DueFrom::Deadline),
        _ => (latest, DueFrom::Horizon),
    }
}

/// The rank of a request due at `due`: earlier first, then higher priority.
pub(super) fn deadline_rank(due: u64, priority: Priority) -> i128 {
    -(i128::from(due) << 11) + i128::from(priority.get() + 1000)
}

/// What callers promise about their load, for [`Arbiter::wait_bound`](super::Arbiter::wait_bound).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Load {
    /// `B`: requests that may arrive at once beyond the steady rate (at least 1).
    pub burst: u64,
    /// `a`: the most units any one request asks for.
    pub largest: u64,
    /// `H`: the longest any grant is held before it is released, in ms.
    pub max_hold: u64,
}

impl Load {
    /// `s = ⌊capacity ÷ largest⌋`: the requests that fit at once in the worst case, and the
    /// steady arrival rate (per `max_hold`) the bound allows, so that demand stays within
    /// capacity on average.
    pub fn per_hold(&self, capacity: u64) -> u64 {
        (capacity / self.largest.max(1)).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(n: i32) -> Priority {
        Priority::new(n).expect("in range")
    }

    #[test]
    fn the_rank_orders_as_the_aged_priority_at_any_time() {
        let aging = AgingPolicy::per_second(7).expect("positive");
        let requests = [
            (p(-1000), 0),
            (p(300), 40_000),
            (p(1000), 90_000),
            (p(0), 91_234),
        ];
        for now in [91_234, 100_000, 500_000, 5_000_000] {
            for &(pa, ta) in &requests {
                for &(pb, tb) in &requests {
                    let by_age =
                        (aged_exact(aging, pa, now - ta)).cmp(&aged_exact(aging, pb, now - tb));
                    let by_rank = aging.rank(pa, ta).cmp(&aging.rank(pb, tb));
                    assert_eq!(by_age, by_rank, "{pa}@{ta} vs {pb}@{tb} at {now}");
                }
            }
        }
    }

    /// The aged priority scaled by 1000, without rounding.
    fn aged_exact(aging: AgingPolicy, priority: Priority, waited: u64) -> i128 {
        1000 * i128::from(priority.get())
            + i128::from(aging.points_per_second()) * i128::from(waited)
    }

    #[test]
    fn the_overtaking_window_is_the_span_over_the_rate() {
        let aging = AgingPolicy::per_second(10).expect("positive");
        assert_eq!(aging.overtaking_window(), 200_000);
        assert_eq!(
            AgingPolicy::per_second(3)
                .expect("positive")
                .overtaking_window(),
            666_667
        );
        // After W a −1000 request outranks a 1000 one submitted then.
        let w = aging.overtaking_window();
        assert!(aging.rank(p(-1000), 5) > aging.rank(p(1000), 5 + w + 1));
        assert_eq!(
            AgingPolicy::per_second(0),
            Err(ArbitrationError::ZeroAgingRate)
        );
    }

    #[test]
    fn due_times_are_clamped_between_submission_and_horizon() {
        assert_eq!(due(Some(150), 100, 1000), (150, DueFrom::Deadline));
        assert_eq!(due(Some(50), 100, 1000), (100, DueFrom::Passed));
        assert_eq!(due(Some(5000), 100, 1000), (1100, DueFrom::Horizon));
        assert_eq!(due(Some(1100), 100, 1000), (1100, DueFrom::Deadline));
        assert_eq!(due(Some(1101), 100, 1000), (1100, DueFrom::Horizon));
        assert_eq!(due(Some(100), 100, 1000), (100, DueFrom::Deadline));
        assert_eq!(due(Some(99), 100, 1000), (100, DueFrom::Passed));
        assert_eq!(due(None, 100, 1000), (1100, DueFrom::Horizon));
        assert_eq!(due(None, u64::MAX - 1, 1000), (u64::MAX, DueFrom::Horizon));
    }

    #[test]
    fn deadline_rank_puts_earlier_first_then_higher_priority() {
        assert!(deadline_rank(10, p(-1000)) > deadline_rank(11, p(1000)));
        assert!(deadline_rank(10, p(5)) > deadline_rank(10, p(4)));
        assert!(deadline_rank(u64::MAX, p(1000)) < deadline_rank(u64::MAX - 1, p(-1000)));
    }
}
