//! The Arbitration Engine: one decision among 1,000 waiting requests, per strategy, against
//! the plain data structures it must compete with.
//!
//! - A decision is one cycle of the steady state of a busy arbiter: release the grant held,
//!   submit a new request, `decide` — which grants exactly one request of the 1,000 then
//!   waiting (capacity 1, every request for 1 unit) — audit record included. Target ≤ 1 µs
//!   (the seed asked for < 1 ms). Requests have random priorities (and for earliest deadline
//!   random deadlines, for fair share one of 16 owners); time advances 1 ms a cycle, so
//!   aging reorders the line as it would in use.
//! - Baselines in the same run, over the same 1,000 ranks: `BinaryHeap::pop` + `push` (the
//!   floor of keeping any ordered line, with no bookkeeping and no audit), and a naive `Vec`
//!   scan for the maximum + `swap_remove` + `push` (what a first implementation does).
//! - Informative: fair share keeps its owners in order (O(log owners) at each change of
//!   one), so it is also measured with 256 owners.
//!
//! Times are per cycle, from batches of cycles (one is below the clock's resolution); p50
//! and p99 are over the batches.
//!
//! Run: `cargo bench --bench arbitration`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::collections::BinaryHeap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use pit::arbitration::{AgingPolicy, Arbiter, Grant, OwnerId, Priority, Request, Strategy};

use support::{Rng, Stats, Table, Target, Value, count};

/// Requests waiting at each decision.
const WAITING: usize = 1000;
/// Cycles per timed batch.
const BATCH: usize = 100;

/// A request of the benchmark: priority, owner, deadline offset (ms after submission).
#[derive(Debug, Clone, Copy)]
struct Spec {
    priority: Priority,
    owner: OwnerId,
    deadline_in: u64,
}

fn specs(n: usize, owners: u64) -> Vec<Spec> {
    let mut rng = Rng(0x00ab_1e57);
    (0..n)
        .map(|_| Spec {
            priority: Priority::new(rng.below(2001) as i32 - 1000).expect("in range"),
            owner: OwnerId::new(rng.below(owners)),
            deadline_in: rng.below(10_000),
        })
        .collect()
}

fn request(spec: Spec, now: u64) -> Request {
    Request::new(spec.owner, 1, spec.priority).with_deadline(now + spec.deadline_in)
}

/// Per-cycle times of a busy arbiter of `strategy` with `WAITING` waiting at each decision.
fn decisions(strategy: Strategy, owners: u64, batches: usize) -> Stats {
    let specs = specs(4096, owners);
    let mut arbiter = Arbiter::new(1, strategy, AgingPolicy::default());
    let mut now = 0u64;
    for spec in specs.iter().cycle().take(WAITING) {
        arbiter.submit(request(*spec, now), now).expect("fits");
    }
    let mut held: Option<Grant> = arbiter.decide(now).pop();
    assert_eq!(arbiter.waiting(), WAITING - 1);
    let mut at = WAITING;
    let mut cycle = |arbiter: &mut Arbiter| {
        now += 1;
        arbiter.release(held.take().expect("held")).expect("ours");
        arbiter
            .submit(request(specs[at % specs.len()], now), now)
            .expect("fits");
        at += 1;
        let mut grants = arbiter.decide(now);
        held = grants.pop();
        black_box(&held);
    };
    // Warm up: let aging and the audit ring reach their steady state.
    for _ in 0..20_000 {
        cycle(&mut arbiter);
    }
    let samples: Vec<Duration> = (0..batches)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..BATCH {
                cycle(&mut arbiter);
            }
            started.elapsed() / BATCH as u32
        })
        .collect();
    assert_eq!(arbiter.waiting(), WAITING - 1, "steady state kept");
    assert_eq!(arbiter.in_use(), 1);
    Stats::of(&samples)
}

/// The same ranks as the strict arbiter sees (`1000·priority − rate·submitted`), with ids.
fn ranks(n: usize) -> Vec<(i64, u64)> {
    specs(n, 1)
        .iter()
        .enumerate()
        .map(|(i, s)| (1000 * i64::from(s.priority.get()) - 10 * i as i64, i as u64))
        .collect()
}

/// `BinaryHeap::pop` + `push` of `WAITING` ranks.
fn heap_baseline(batches: usize) -> Stats {
    let all = ranks(4096 + WAITING);
    let mut heap: BinaryHeap<(i64, u64)> = all[..WAITING].iter().copied().collect();
    let mut at = WAITING;
    let mut cycle = |heap: &mut BinaryHeap<(i64, u64)>| {
        black_box(heap.pop());
        heap.push(all[WAITING + at % 4096]);
        at += 1;
    };
    timed(batches, &mut heap, &mut cycle)
}

/// A `Vec` scanned for its maximum, `swap_remove`, `push`.
fn scan_baseline(batches: usize) -> Stats {
    let all = ranks(4096 + WAITING);
    let mut line: Vec<(i64, u64)> = all[..WAITING].to_vec();
    let mut at = WAITING;
    let mut cycle = |line: &mut Vec<(i64, u64)>| {
        let best = line
            .iter()
            .enumerate()
            .max_by_key(|(_, r)| **r)
            .map(|(i, _)| i)
            .expect("not empty");
        black_box(line.swap_remove(best));
        line.push(all[WAITING + at % 4096]);
        at += 1;
    };
    timed(batches, &mut line, &mut cycle)
}

fn timed<T>(batches: usize, state: &mut T, cycle: &mut impl FnMut(&mut T)) -> Stats {
    for _ in 0..20_000 {
        cycle(state);
    }
    let samples: Vec<Duration> = (0..batches)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..BATCH {
                cycle(state);
            }
            started.elapsed() / BATCH as u32
        })
        .collect();
    Stats::of(&samples)
}

fn main() {
    let batches = count(20_000, 50);
    println!("one decision among {WAITING} waiting (release + submit + decide), per cycle:");
    let strict = decisions(Strategy::StrictPriority, 16, batches);
    strict.line("strict priority, 16 owners");
    let fair = decisions(Strategy::FairShare, 16, batches);
    fair.line("fair share, 16 owners");
    let edf = decisions(Strategy::earliest_deadline(), 16, batches);
    edf.line("earliest deadline, 16 owners");
    let fair_many = decisions(Strategy::FairShare, 256, batches);
    fair_many.line("fair share, 256 owners");
    let heap = heap_baseline(batches);
    heap.line("baseline: BinaryHeap pop + push");
    let scan = scan_baseline(batches);
    scan.line("baseline: Vec scan for max + swap_remove + push");

    let mut table = Table::default();
    let t = Value::Time;
    let target = Target::AtMost(Duration::from_micros(1));
    for (name, stats) in [
        ("strict priority", strict),
        ("fair share", fair),
        ("earliest deadline", edf),
    ] {
        table.row(
            &format!("decision among {WAITING}, {name}, median"),
            t(stats.p50),
            "BinaryHeap pop + push",
            t(heap.p50),
            target,
        );
        table.row(
            &format!("decision among {WAITING}, {name}, p99"),
            t(stats.p99),
            "BinaryHeap pop + push, p99",
            t(heap.p99),
            target,
        );
    }
    table.row(
        &format!("decision among {WAITING}, strict priority, median"),
        t(strict.p50),
        "Vec scan for max",
        t(scan.p50),
        Target::None,
    );
    table.row(
        &format!("decision among {WAITING}, fair share with 256 owners, median"),
        t(fair_many.p50),
        "fair share with 16 owners",
        t(fair.p50),
        Target::None,
    );
    table.print("Arbitration Engine");
}
