//! Retry delays: exponential backoff with jitter from a seeded hash, so a run's delays are the
//! same whatever order its nodes happen to fail in.

use std::time::Duration;

use crate::dag::NodeIx;

/// Exponential backoff with "equal jitter": the `n`th retry waits between half and all of
/// `base × 2^(n-1)`, capped at `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The wait before the first retry when a node sets no `backoff`.
    pub base: Duration,
    /// The longest wait.
    pub max: Duration,
    /// Seeds the jitter.
    pub seed: u64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_millis(100),
            max: Duration::from_secs(300),
            seed: 0x5eed,
        }
    }
}

impl Backoff {
    /// The wait before `retry` (1 for the first retry) of `node`, whose own base is `base`.
    pub fn delay(&self, node: NodeIx, retry: u32, base: Option<Duration>) -> Duration {
        let base = base.unwrap_or(self.base);
        let doubling = 2u32.saturating_pow(retry.saturating_sub(1).min(31));
        let full = base.saturating_mul(doubling).min(self.max);
        let hash = splitmix64(self.seed ^ (u64::from(node.0) << 32) ^ u64::from(retry));
        // 53 random bits as a fraction in [0, 1).
        let fraction = (hash >> 11) as f64 / (1u64 << 53) as f64;
        full / 2 + (full / 2).mul_f64(fraction)
    }
}

/// The splitmix64 finaliser: a good 64-bit mix, enough for jitter.
fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_within_jitter_and_are_capped() {
        let backoff = Backoff {
            base: Duration::from_secs(1),
            max: Duration::from_secs(10),
            seed: 7,
        };
        for retry in 1..=6 {
            let full = Duration::from_secs(1 << (retry - 1)).min(Duration::from_secs(10));
            let d = backoff.delay(NodeIx(3), retry, None);
            assert!(
                d >= full / 2 && d <= full,
                "retry {retry}: {d:?} vs {full:?}"
            );
        }
        let own = backoff.delay(NodeIx(3), 1, Some(Duration::from_millis(10)));
        assert!(own <= Duration::from_millis(10));
    }

    #[test]
    fn jitter_is_seeded() {
        let a = Backoff::default();
        let b = Backoff { seed: 8, ..a };
        assert_eq!(a.delay(NodeIx(1), 2, None), a.delay(NodeIx(1), 2, None));
        let differs = (0..20).any(|n| a.delay(NodeIx(n), 2, None) != b.delay(NodeIx(n), 2, None));
        assert!(differs);
    }
}
