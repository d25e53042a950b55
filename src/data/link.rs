//! The link to OFB as the UI sees it, and how often to knock while OFB is away.
//!
//! Pure: no clock, no I/O. `adapters::ofb::reconnect` sleeps the delays and sends the reports.

use std::time::Duration;

/// What the status bar says about OFB, sent whenever it changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkReport {
    /// Why OFB is out of reach, if it is.
    pub offline: Option<String>,
    /// Mutations waiting in the outbox.
    pub pending: usize,
    /// Queued mutations OFB refused, kept in the refused log (`symphony outbox` lists them).
    pub refused: usize,
}

/// Exponential backoff between probes of an absent OFB: `first`, doubling up to `max`.
#[derive(Debug, Clone)]
pub struct Backoff {
    first: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    /// Delays from `first` doubling up to `max`.
    pub fn new(first: Duration, max: Duration) -> Backoff {
        Backoff {
            first,
            max: max.max(first),
            next: first,
        }
    }

    /// The delay before the next probe (each call doubles the one after, up to `max`).
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(self.max);
        delay
    }

    /// OFB answered: the next absence starts again from `first`.
    pub fn reset(&mut self) {
        self.next = self.first;
    }
}

impl Default for Backoff {
    /// 1 s, 2 s, 4 s… up to 30 s.
    fn default() -> Backoff {
        Backoff::new(Duration::from_secs(1), Duration::from_secs(30))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_doubles_up_to_its_cap_and_starts_again_after_a_reset() {
        let mut backoff = Backoff::default();
        let secs: Vec<u64> = (0..7).map(|_| backoff.next_delay().as_secs()).collect();
        assert_eq!(secs, vec![1, 2, 4, 8, 16, 30, 30]);
        backoff.reset();
        assert_eq!(backoff.next_delay(), Duration::from_secs(1));
    }
}
