//! A run's metrics, from its journal's start and end times: throughput (nodes finished per
//! slice of the run), latency (each node's duration from its first start to its end, in the
//! order they ended) and worker utilisation (how many attempts ran at once against the run's
//! `workers`, from each attempt's start and end).
//!
//! In journals older than `AttemptFailed` a retried attempt's end is unknown: it counts as
//! running until the node's next attempt starts.

use pit::pool::PoolUse;
use pit::runs::NodeOutcome;

use super::view::NodeRow;

/// How many slices the run's time is cut into.
pub const SLICES: usize = 48;

/// What the sparklines and the utilisation line show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metrics {
    /// Nodes that ended in each slice of the run.
    pub finished: Vec<u32>,
    /// The most nodes running at once in each slice.
    pub running: Vec<u32>,
    /// Each settled node's duration (ms), in the order they ended.
    pub durations: Vec<u64>,
    /// How long a slice is (ms).
    pub slice_ms: u64,
    /// The most nodes that ran at once.
    pub peak: u32,
    /// Nodes running now.
    pub running_now: u32,
    /// The nodes' time added up (ms).
    pub busy_ms: u64,
    /// The run's time so far (ms).
    pub span_ms: u64,
    /// How many attempts may run at once.
    pub workers: u32,
    /// Bytes the pool of warm extension hosts held at the end of each slice (empty when the
    /// journal has no pool records).
    pub pool: Vec<u64>,
}

impl Metrics {
    /// The metrics of `rows`, over the run's time from `start_ms` to `now_ms`.
    pub fn new(rows: &[NodeRow], start_ms: u64, now_ms: u64, workers: u32) -> Metrics {
        let running_now = rows
            .iter()
            .filter(|r| r.outcome == NodeOutcome::Unfinished)
            .count() as u32;
        let mut metrics = Metrics {
            running_now,
            workers,
            ..Metrics::default()
        };
        if start_ms == 0 || now_ms <= start_ms {
            return metrics;
        }
        let span = now_ms - start_ms;
        let slice_ms = span.div_ceil(SLICES as u64).max(1);
        let slice = |t: u64| ((t.saturating_sub(start_ms) / slice_ms) as usize).min(SLICES - 1);
        let intervals: Vec<(u64, u64)> = rows
            .iter()
            .flat_map(|r| &r.spans)
            .filter(|(start, _)| *start > 0)
            .map(|&(start, end)| (start, if end == 0 { now_ms } else { end }))
            .collect();
        let mut finished = vec![0; SLICES];
        let mut ended: Vec<(u64, u64)> = Vec::new();
        for r in rows {
            if r.outcome != NodeOutcome::Unfinished && r.ended_ms >= start_ms {
                finished[slice(r.ended_ms)] += 1;
                if let Some(d) = r.elapsed_ms(now_ms) {
                    ended.push((r.ended_ms, d));
                }
            }
        }
        ended.sort_by_key(|&(at, _)| at);
        let mut events: Vec<(u64, i64)> = intervals
            .iter()
            .flat_map(|&(s, e)| [(s, 1), (e, -1)])
            .collect();
        // Ends before starts at the same time: back-to-back nodes never count as overlapping.
        events.sort_unstable();
        let mut running = vec![0u32; SLICES];
        let (mut count, mut at) = (0i64, 0usize);
        for (t, delta) in events {
            let s = slice(t);
            while at < s {
                running[at] = running[at].max(count as u32);
                at += 1;
            }
            running[s] = running[s].max(count as u32);
            count += delta;
            running[s] = running[s].max(count.max(0) as u32);
        }
        for r in &mut running[at..] {
            *r = (*r).max(count.max(0) as u32);
        }
        metrics.peak = running.iter().copied().max().unwrap_or(0);
        metrics.busy_ms = intervals.iter().map(|(s, e)| e - s).sum();
        metrics.durations = ended.into_iter().map(|(_, d)| d).collect();
        metrics.finished = finished;
        metrics.running = running;
        metrics.slice_ms = slice_ms;
        metrics.span_ms = span;
        metrics
    }

    /// Nodes finished per second over the whole run.
    pub fn throughput(&self) -> f64 {
        let done: u32 = self.finished.iter().sum();
        if self.span_ms == 0 {
            0.0
        } else {
            f64::from(done) * 1000.0 / self.span_ms as f64
        }
    }

    /// The share of the workers' time the nodes used, 0 to 1.
    pub fn utilisation(&self) -> f64 {
        let capacity = u64::from(self.workers.max(1)) * self.span_ms;
        if capacity == 0 {
            0.0
        } else {
            (self.busy_ms as f64 / capacity as f64).min(1.0)
        }
    }
}

/// The pool's bytes at the end of each slice of `metrics`' run, from its journaled samples
/// (a step function: a sample holds until the next one).
pub fn pool_slices(samples: &[(u64, PoolUse)], start_ms: u64, slice_ms: u64) -> Vec<u64> {
    if samples.is_empty() || slice_ms == 0 {
        return Vec::new();
    }
    (1..=SLICES as u64)
        .map(|k| {
            let end = start_ms + k * slice_ms;
            samples
                .iter()
                .take_while(|(at, _)| *at <= end)
                .last()
                .map_or(0, |(_, use_)| use_.used)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pit::runs::NodeHistory;

    fn row(node: &str, outcome: NodeOutcome, started_ms: u64, ended_ms: u64) -> NodeRow {
        NodeRow {
            history: NodeHistory {
                spans: vec![(started_ms, ended_ms)],
                attempt_errors: Vec::new(),
                node: node.into(),
                outcome,
                attempts: 1,
                started_ms,
                ended_ms,
                error: None,
                via: None,
                reason: None,
            },
            log: None,
        }
    }

    #[test]
    fn concurrency_throughput_and_utilisation_follow_the_times() {
        // Two workers; `a` and `b` overlap, `c` starts as `a` ends, `d` still runs.
        let rows = [
            row("a", NodeOutcome::Completed, 1_000, 1_480),
            row("b", NodeOutcome::Failed, 1_000, 1_240),
            row("c", NodeOutcome::Completed, 1_480, 1_960),
            row("d", NodeOutcome::Unfinished, 1_960, 0),
        ];
        let m = Metrics::new(&rows, 1_000, 1_960 + 480, 2);
        assert_eq!(m.slice_ms, 30);
        assert_eq!(m.peak, 2, "a and b; c starts exactly as a ends");
        assert_eq!(m.running_now, 1);
        assert_eq!(m.finished.iter().sum::<u32>(), 3);
        assert_eq!(m.durations, [240, 480, 480], "in the order they ended");
        assert_eq!(m.running[0], 2);
        assert_eq!(m.running[SLICES - 1], 1, "d runs to now");
        assert_eq!(m.busy_ms, 480 + 240 + 480 + 480);
        assert!((m.utilisation() - 1_680.0 / (2.0 * 1_440.0)).abs() < 1e-9);
        assert!((m.throughput() - 3.0 / 1.44).abs() < 1e-9);
    }

    #[test]
    fn no_times_no_metrics() {
        let rows = [row("a", NodeOutcome::Completed, 0, 0)];
        let m = Metrics::new(&rows, 0, 0, 4);
        assert_eq!((m.peak, m.span_ms, m.finished.len()), (0, 0, 0));
        assert_eq!(m.utilisation(), 0.0);
    }

    #[test]
    fn the_pool_is_a_step_function_over_the_slices() {
        let used = |used| PoolUse {
            hot: 1,
            used,
            budget: 100,
        };
        let slices = pool_slices(&[(1_010, used(10)), (1_030, used(40))], 1_000, 10);
        assert_eq!(slices.len(), SLICES);
        assert_eq!(&slices[..4], [10, 10, 40, 40]);
        assert_eq!(slices[SLICES - 1], 40);
        assert!(pool_slices(&[], 1_000, 10).is_empty());
    }
}
