//! Shared by the extension benchmarks: criterion measures, and every measurement is also
//! recorded here so that each benchmark can print its ratio to the baseline of the same run.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use criterion::Bencher;

/// Per-iteration times (ns) by benchmark name.
#[derive(Debug, Default)]
pub struct Recorder(RefCell<BTreeMap<String, Vec<f64>>>);

impl Recorder {
    /// Time `f` with criterion and record each sample's per-iteration time.
    pub fn time(&self, name: &str, b: &mut Bencher<'_>, mut f: impl FnMut()) {
        b.iter_custom(|iters| {
            let started = Instant::now();
            for _ in 0..iters {
                f();
            }
            let took = started.elapsed();
            self.push(name, took.as_nanos() as f64 / iters as f64);
            took
        });
    }

    /// Record a per-iteration value (ns) measured by the caller.
    pub fn push(&self, name: &str, ns: f64) {
        self.0
            .borrow_mut()
            .entry(name.to_owned())
            .or_default()
            .push(ns);
    }

    /// The median of `name`'s samples, ns.
    pub fn median(&self, name: &str) -> f64 {
        let mut v = self.0.borrow().get(name).cloned().unwrap_or_default();
        if v.is_empty() {
            return f64::NAN;
        }
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    }

    /// The largest of `name`'s samples, ns.
    pub fn max(&self, name: &str) -> f64 {
        self.0
            .borrow()
            .get(name)
            .map_or(f64::NAN, |v| v.iter().copied().fold(f64::NAN, f64::max))
    }
}

/// Format nanoseconds readably.
pub fn human(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// Print one result line: the measurement, its baseline, the ratio and the target.
pub fn report(
    label: &str,
    value: f64,
    baseline_label: &str,
    baseline: f64,
    target: Option<Duration>,
) {
    let verdict = match target {
        Some(t) if value <= t.as_nanos() as f64 => {
            format!("target ≤{} met", human(t.as_nanos() as f64))
        }
        Some(t) => format!("target ≤{} MISSED", human(t.as_nanos() as f64)),
        None => String::new(),
    };
    println!(
        "RESULT {label}: median {} vs {baseline_label} {} = {:.1}× {verdict}",
        human(value),
        human(baseline),
        value / baseline
    );
}
