//! Turning round trips into statistics: warm-up and sampling, medians, drift.

use std::time::Duration;

use crate::support::{self, Stats};

/// Throughput over `runs` batches of `n`: the median batch's ops/s.
pub fn median_rate(mut times: Vec<Duration>, n: usize) -> f64 {
    times.sort();
    n as f64 / times[times.len() / 2].as_secs_f64()
}

/// A short warm-up (caches, the scheduler's first wake-ups, xi's first allocations), then `n`
/// samples.
pub fn sample(n: usize, mut one: impl FnMut() -> Duration) -> Vec<Duration> {
    for _ in 0..n.min(200) {
        one();
    }
    (0..n).map(|_| one()).collect()
}

/// Prints the statistics of `samples` and whether they drifted; returns the statistics.
pub fn report(what: &str, samples: &[Duration]) -> Stats {
    let stats = Stats::of(samples);
    stats.line(what);
    drift(samples);
    stats
}

/// Whether the latency moved during the run (it would if the core's work grew with its history).
fn drift(samples: &[Duration]) {
    let k = (samples.len() / 5).max(1);
    println!(
        "    (p50 of the first {k}: {}, of the last {k}: {})",
        support::dur(Stats::of(&samples[..k]).p50),
        support::dur(Stats::of(&samples[samples.len() - k..]).p50)
    );
}

/// [`sample`] for an async round trip.
macro_rules! sample_async {
    ($n:expr, $one:expr) => {
        async {
            let n: usize = $n;
            for _ in 0..n.min(200) {
                $one.await;
            }
            let mut samples = Vec::with_capacity(n);
            for _ in 0..n {
                samples.push($one.await);
            }
            samples
        }
    };
}

pub(crate) use sample_async;
