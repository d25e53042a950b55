//! What to warm before it is asked for.
//!
//! - [`TimeOfDay`]: per key and hour of the day, on how many days it was used; at each hour
//!   it predicts the keys used in that hour on at least half of the days so far.
//! - [`lookahead`]: when a workflow is submitted, its instruments' runners in topological
//!   order — the order the run will want them.
//!
//! [`simulate`] replays a usage trace against an LRU cache of a given capacity, with or
//! without a predictor's prewarming at each hour, and measures hit rate and prediction
//! accuracy; the pool benchmark runs it on a generated trace.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::Hash;

use crate::dag::{NodeKind, RunnerName, Workflow};

/// Usage per key and hour of the day: on how many days each key was used in each hour.
#[derive(Debug, Clone)]
pub struct TimeOfDay<K> {
    /// Per key: days it was used in each hour, and the last day counted for each hour.
    days: HashMap<K, [(u32, Option<u32>); 24]>,
    first_day: Option<u32>,
    last_day: u32,
}

impl<K: Clone + Eq + Hash + Ord> Default for TimeOfDay<K> {
    fn default() -> Self {
        TimeOfDay {
            days: HashMap::new(),
            first_day: None,
            last_day: 0,
        }
    }
}

impl<K: Clone + Eq + Hash + Ord> TimeOfDay<K> {
    /// The share of days on which a key must have been used in an hour to be predicted.
    pub const THRESHOLD: f64 = 0.5;

    /// Records a use of `key` at `hour`, counted in hours since any fixed start (so that
    /// `hour / 24` is the day and `hour % 24` the hour of the day).
    pub fn record(&mut self, key: &K, hour: u32) {
        let (day, h) = (hour / 24, (hour % 24) as usize);
        self.first_day = Some(self.first_day.map_or(day, |d| d.min(day)));
        self.last_day = self.last_day.max(day);
        let slots = self.days.entry(key.clone()).or_insert([(0, None); 24]);
        if slots[h].1 != Some(day) {
            slots[h] = (slots[h].0 + 1, Some(day));
        }
    }

    /// Of the days seen so far, the share on which `key` was used in hour of the day `hour`.
    pub fn probability(&self, key: &K, hour: u32) -> f64 {
        let Some(first) = self.first_day else {
            return 0.0;
        };
        let days = f64::from(self.last_day - first + 1);
        self.days
            .get(key)
            .map_or(0.0, |slots| f64::from(slots[(hour % 24) as usize].0) / days)
    }

    /// Up to `n` keys likely to be used in hour of the day `hour` (on at least half of the
    /// days so far), most likely first; ties by key, so that predictions are deterministic.
    pub fn predict(&self, hour: u32, n: usize) -> Vec<K> {
        let mut scored: Vec<(f64, &K)> = self
            .days
            .keys()
            .map(|k| (self.probability(k, hour), k))
            .filter(|(p, _)| *p >= Self::THRESHOLD)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        scored.into_iter().take(n).map(|(_, k)| k.clone()).collect()
    }
}

/// The runners of a workflow's instrument nodes, in topological order, each once: what to warm
/// when the workflow is submitted.
pub fn lookahead(wf: &Workflow) -> Vec<RunnerName> {
    let mut seen = HashSet::new();
    wf.topological_order()
        .iter()
        .filter(|&&n| wf.kind(n) == NodeKind::Instrument)
        .filter_map(|&n| wf.settings(n).runner.clone())
        .filter(|r| seen.insert(r.clone()))
        .collect()
}

/// One use in a trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use<K> {
    /// Hours since the trace began (the hour of the day is this mod 24).
    pub hour: u32,
    /// What was used.
    pub key: K,
}

/// What a replay measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Replay {
    /// Uses found warm.
    pub hits: usize,
    /// Uses that had to warm.
    pub misses: usize,
    /// Of the keys predicted for an hour, the share used in that hour (`None` without a
    /// predictor or predictions).
    pub accuracy: Option<f64>,
}

impl Replay {
    /// Hits over uses.
    pub fn hit_rate(&self) -> f64 {
        let total = self.hits + self.misses;
        if total == 0 {
            0.0
        } else {
            self.hits as f64 / total as f64
        }
    }
}

/// Replays `trace` (sorted by hour) against an LRU cache of `capacity` keys. With
/// `prewarm`, at the start of each hour the time-of-day predictor (trained on the trace so
/// far, so it never sees the future) prewarms its `prewarm` most likely keys.
pub fn simulate<K: Clone + Eq + Hash + Ord>(
    trace: &[Use<K>],
    capacity: usize,
    prewarm: Option<usize>,
) -> Replay {
    let mut lru: VecDeque<K> = VecDeque::new();
    let touch = |lru: &mut VecDeque<K>, key: &K| {
        if let Some(at) = lru.iter().position(|k| k == key) {
            lru.remove(at);
        }
        lru.push_back(key.clone());
        while lru.len() > capacity {
            lru.pop_front();
        }
    };
    let mut model = TimeOfDay::default();
    let (mut hits, mut misses) = (0, 0);
    let (mut predicted, mut predicted_used) = (0usize, 0usize);
    let mut hour = None;
    let mut this_hour: Vec<K> = Vec::new();
    let mut used_this_hour: HashSet<K> = HashSet::new();
    for u in trace {
        if hour != Some(u.hour) {
            predicted_used += this_hour
                .iter()
                .filter(|k| used_this_hour.contains(k))
                .count();
            used_this_hour.clear();
            hour = Some(u.hour);
            this_hour = match prewarm {
                Some(n) => model.predict(u.hour % 24, n),
                None => Vec::new(),
            };
            predicted += this_hour.len();
            for key in this_hour.iter().rev() {
                touch(&mut lru, key);
            }
        }
        if lru.contains(&u.key) {
            hits += 1;
        } else {
            misses += 1;
        }
        touch(&mut lru, &u.key);
        used_this_hour.insert(u.key.clone());
        model.record(&u.key, u.hour);
    }
    predicted_used += this_hour
        .iter()
        .filter(|k| used_this_hour.contains(k))
        .count();
    let accuracy = (predicted > 0).then(|| predicted_used as f64 / predicted as f64);
    Replay {
        hits,
        misses,
        accuracy,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn keys_used_on_most_days_at_an_hour_are_predicted_for_it() {
        let mut model = TimeOfDay::default();
        for day in 0..4 {
            model.record(&"ocr", day * 24 + 9);
            model.record(&"ocr", day * 24 + 9);
            if day < 2 {
                model.record(&"llm", day * 24 + 9);
            }
            if day == 0 {
                model.record(&"rare", day * 24 + 9);
            }
        }
        assert_eq!(model.probability(&"ocr", 9), 1.0);
        assert_eq!(model.probability(&"llm", 9), 0.5);
        assert_eq!(model.predict(9, 5), vec!["ocr", "llm"]);
        assert_eq!(model.predict(9, 1), vec!["ocr"]);
        assert_eq!(model.predict(10, 5), Vec::<&str>::new());
    }

    #[test]
    fn prewarming_a_daily_pattern_beats_plain_lru() {
        // Each day: mornings use a..d, evenings e..h; the cache holds 4.
        let mut trace = Vec::new();
        for day in 0..10u32 {
            for (hour, keys) in [(9, ["a", "b", "c", "d"]), (18, ["e", "f", "g", "h"])] {
                for round in 0..3 {
                    for (i, key) in keys.iter().enumerate() {
                        if (i + round) % 2 == 0 || round == 0 {
                            trace.push(Use {
                                hour: day * 24 + hour,
                                key: *key,
                            });
                        }
                    }
                }
            }
        }
        let plain = simulate(&trace, 4, None);
        let warmed = simulate(&trace, 4, Some(4));
        assert!(
            warmed.hit_rate() > plain.hit_rate(),
            "{warmed:?} vs {plain:?}"
        );
        assert!(warmed.accuracy.unwrap() >= 0.7, "{warmed:?}");
        assert_eq!(plain.accuracy, None);
    }
}
