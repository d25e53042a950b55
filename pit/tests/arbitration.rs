//! The Arbitration Engine under random arrival patterns, checked against a simple reference
//! model: every grant is the one the strategy's rule picks, capacity is never over-allocated,
//! no capacity idles while the first in line would fit, every request is granted, and each
//! within the bound derived in `pit::arbitration`'s documentation:
//!
//! - request by request, under any arrival pattern: `T₀ + (⌊M ÷ s⌋ + 1)·H` (strict priority,
//!   earliest deadline) or `T₀ + 2·(M + 1)·H` (fair share), where `T₀` is when nothing
//!   submitted later can get ahead (`t + W`, or the due time) and `M` the requests ahead of
//!   it then;
//! - in closed form ([`Arbiter::wait_bound`]) when arrivals keep within a burst `B` plus
//!   `s = ⌊capacity ÷ largest⌋` per longest hold `H` (demand within capacity on average).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use proptest::prelude::{Just, ProptestConfig, prop_assert, prop_assert_eq, prop_oneof, proptest};
use proptest::strategy::Strategy as _;
use proptest::test_runner::TestCaseError;

use pit::arbitration::{
    AgingPolicy, Arbiter, ArbitrationError, Grant, Load, OwnerId, Priority, Request, RequestId,
    Strategy,
};

const OWNERS: u64 = 4;

/// One request of a scenario.
#[derive(Debug, Clone)]
struct Arrival {
    /// Ms after the previous arrival (0: at the same time).
    gap: u64,
    owner: u64,
    amount: u64,
    priority: i32,
    /// Deadline relative to submission; may be in the past.
    deadline: Option<i64>,
    /// Ms it holds its grant.
    hold: u64,
    /// Ms after submission at which it is cancelled, if it still waits.
    cancel_after: Option<u64>,
}

#[derive(Debug, Clone)]
struct Scenario {
    capacity: u64,
    strategy: Strategy,
    aging: AgingPolicy,
    weights: [u32; OWNERS as usize],
    arrivals: Vec<Arrival>,
}

/// A request as the reference model sees it.
#[derive(Debug, Clone, Copy)]
struct Req {
    id: u64,
    owner: u64,
    amount: u64,
    priority: i32,
    deadline: Option<u64>,
    submitted: u64,
    hold: u64,
}

/// What a run observed of one request.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    submitted: u64,
    /// When nothing submitted later can get ahead of it.
    t0: u64,
    /// Its bound, once `t0` came while it still waited.
    bound: Option<u64>,
    granted: Option<u64>,
    cancelled: bool,
}

/// The reference model's ordering, written from the documentation, not from the code: is
/// `a` ahead of `b`?
fn ahead(strategy: Strategy, aging: AgingPolicy, a: &Req, b: &Req) -> bool {
    match strategy {
        Strategy::StrictPriority | Strategy::FairShare => {
            let r = i128::from(aging.points_per_second());
            let key = |q: &Req| {
                (
                    1000 * i128::from(q.priority) - r * i128::from(q.submitted),
                    Reverse(q.id),
                )
            };
            key(a) > key(b)
        }
        Strategy::EarliestDeadline { horizon } => {
            let key = |q: &Req| (Reverse(due(q, horizon)), q.priority, Reverse(q.id));
            key(a) > key(b)
        }
    }
}

/// Due at its deadline, clamped between its submission and `horizon` after it.
fn due(q: &Req, horizon: u64) -> u64 {
    let latest = q.submitted + horizon;
    q.deadline.map_or(latest, |d| d.clamp(q.submitted, latest))
}

/// The request the strategy's rule picks next among `waiting`.
fn reference_pick(
    s: &Scenario,
    waiting: &BTreeMap<u64, Req>,
    held: &[u64; OWNERS as usize],
) -> Option<Req> {
    let best_of = |mut it: Box<dyn Iterator<Item = &Req> + '_>| {
        let mut best = *it.next()?;
        for q in it {
            if ahead(s.strategy, s.aging, q, &best) {
                best = *q;
            }
        }
        Some(best)
    };
    match s.strategy {
        Strategy::FairShare => {
            let mut chosen: Option<(u64, Req)> = None;
            for o in 0..OWNERS {
                let Some(head) = best_of(Box::new(waiting.values().filter(|q| q.owner == o)))
                else {
                    continue;
                };
                let behind = |(c, c_head): &(u64, Req)| {
                    let mine = u128::from(held[o as usize]) * u128::from(s.weights[*c as usize]);
                    let theirs = u128::from(held[*c as usize]) * u128::from(s.weights[o as usize]);
                    mine < theirs || (mine == theirs && ahead(s.strategy, s.aging, &head, c_head))
                };
                if chosen.as_ref().is_none_or(behind) {
                    chosen = Some((o, head));
                }
            }
            chosen.map(|(_, head)| head)
        }
        _ => best_of(Box::new(waiting.values())),
    }
}

/// Runs `s` event by event, checking the arbiter against the reference model; returns what
/// it saw of each request (by id) and the largest wait of a request not cancelled.
fn run(s: &Scenario) -> Result<(Vec<Seen>, u64), TestCaseError> {
    let mut arbiter = Arbiter::new(s.capacity, s.strategy, s.aging).with_audit_capacity(64);
    for (o, &w) in s.weights.iter().enumerate() {
        arbiter.set_weight(OwnerId::new(o as u64), w).unwrap();
    }
    let largest = s.arrivals.iter().map(|a| a.amount).max().unwrap_or(1);
    let max_hold = s.arrivals.iter().map(|a| a.hold).max().unwrap_or(1);
    let per_hold = (s.capacity / largest).max(1);
    let window = s.aging.overtaking_window();

    let mut times = Vec::with_capacity(s.arrivals.len());
    let mut t = 1;
    for a in &s.arrivals {
        t += a.gap;
        times.push(t);
    }
    let mut next_arrival = 0;
    let mut releases: BinaryHeap<Reverse<(u64, u64)>> = BinaryHeap::new();
    let mut cancels: BinaryHeap<Reverse<(u64, u64)>> = BinaryHeap::new();
    let mut grants: HashMap<u64, Grant> = HashMap::new();
    let mut waiting: BTreeMap<u64, Req> = BTreeMap::new();
    let mut held = [0u64; OWNERS as usize];
    let mut in_use = 0u64;
    let mut seen: Vec<Seen> = Vec::new();
    let mut ids: Vec<RequestId> = Vec::new();

    loop {
        let next = [
            times.get(next_arrival).copied(),
            releases.peek().map(|r| r.0.0),
            cancels.peek().map(|c| c.0.0),
        ]
        .into_iter()
        .flatten()
        .min();
        let Some(now) = next else { break };

        while let Some(&Reverse((at, id))) = releases.peek() {
            if at > now {
                break;
            }
            releases.pop();
            let grant = grants.remove(&id).expect("held");
            held[grant.owner().get() as usize] -= grant.amount();
            in_use -= grant.amount();
            arbiter.release(grant).unwrap();
        }
        while let Some(&Reverse((at, id))) = cancels.peek() {
            if at > now {
                break;
            }
            cancels.pop();
            let result = arbiter.cancel(ids[id as usize], now);
            if waiting.remove(&id).is_some() {
                prop_assert_eq!(result, Ok(()));
                seen[id as usize].cancelled = true;
            } else {
                prop_assert_eq!(
                    result,
                    Err(ArbitrationError::NotWaiting {
                        request: ids[id as usize]
                    })
                );
            }
        }
        while times.get(next_arrival) == Some(&now) {
            let a = &s.arrivals[next_arrival];
            next_arrival += 1;
            let deadline = a.deadline.map(|d| now.saturating_add_signed(d));
            let mut request =
                Request::new(OwnerId::new(a.owner), a.amount, Priority::new(a.priority)?);
            request.deadline = deadline;
            let id = arbiter.submit(request, now)?;
            prop_assert_eq!(id.get(), ids.len() as u64);
            let q = Req {
                id: id.get(),
                owner: a.owner,
                amount: a.amount,
                priority: a.priority,
                deadline,
                submitted: now,
                hold: a.hold,
            };
            let t0 = match s.strategy {
                Strategy::EarliestDeadline { horizon } => due(&q, horizon),
                _ => now + window,
            };
            seen.push(Seen {
                submitted: now,
                t0,
                ..Seen::default()
            });
            ids.push(id);
            waiting.insert(q.id, q);
            if let Some(c) = a.cancel_after {
                cancels.push(Reverse((now + c, q.id)));
            }
        }

        for grant in arbiter.decide(now) {
            let expected = reference_pick(s, &waiting, &held);
            let id = grant.id().get();
            prop_assert_eq!(
                expected.map(|q| q.id),
                Some(id),
                "at {}: granted {} where the rule picks {:?}",
                now,
                id,
                expected
            );
            let q = waiting.remove(&id).expect("was waiting");
            prop_assert_eq!((grant.owner().get(), grant.amount()), (q.owner, q.amount));
            held[q.owner as usize] += q.amount;
            in_use += q.amount;
            prop_assert!(
                in_use <= s.capacity,
                "over-allocated: {} of {}",
                in_use,
                s.capacity
            );
            let seen = &mut seen[id as usize];
            seen.granted = Some(now);
            let limit = seen.bound.unwrap_or(seen.t0);
            prop_assert!(
                now <= limit,
                "request {} submitted at {} granted at {}, after its bound {}",
                id,
                seen.submitted,
                now,
                limit
            );
            releases.push(Reverse((now + q.hold, id)));
            grants.insert(id, grant);
        }

        // The arbiter agrees with the model, and idles no capacity the first in line fits.
        prop_assert_eq!(arbiter.in_use(), in_use);
        prop_assert_eq!(arbiter.free(), s.capacity - in_use);
        prop_assert_eq!(arbiter.waiting(), waiting.len());
        for o in 0..OWNERS {
            prop_assert_eq!(arbiter.held_by(OwnerId::new(o)), held[o as usize]);
        }
        if let Some(first) = reference_pick(s, &waiting, &held) {
            prop_assert!(
                first.amount > s.capacity - in_use,
                "at {}: request {} fits but waits",
                now,
                first.id
            );
        }

        // Requests whose T₀ falls before the next event: this is the state at T₀.
        let following = [
            times.get(next_arrival).copied(),
            releases.peek().map(|r| r.0.0),
            cancels.peek().map(|c| c.0.0),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(u64::MAX);
        for x in waiting.values() {
            let sx = &mut seen[x.id as usize];
            if sx.t0 < now || sx.t0 >= following || sx.bound.is_some() {
                continue;
            }
            let m = waiting
                .values()
                .filter(|y| y.id != x.id && ahead(s.strategy, s.aging, y, x))
                .count() as u64;
            let drain = match s.strategy {
                Strategy::FairShare => 2 * (m + 1) * max_hold,
                _ => (m / per_hold + 1) * max_hold,
            };
            sx.bound = Some(sx.t0 + drain);
        }
    }

    prop_assert!(waiting.is_empty(), "never granted: {:?}", waiting.keys());
    prop_assert_eq!(arbiter.waiting(), 0);
    prop_assert_eq!(arbiter.in_use(), 0);
    let mut longest = 0;
    for (id, x) in seen.iter().enumerate() {
        prop_assert!(
            x.cancelled || x.granted.is_some(),
            "request {} neither granted nor cancelled",
            id
        );
        if let Some(at) = x.granted {
            longest = longest.max(at - x.submitted);
        }
    }
    Ok((seen, longest))
}

fn strategy() -> impl proptest::strategy::Strategy<Value = Strategy> {
    prop_oneof![
        Just(Strategy::StrictPriority),
        Just(Strategy::FairShare),
        (0u64..3000).prop_map(|horizon| Strategy::EarliestDeadline { horizon }),
    ]
}

fn priority() -> impl proptest::strategy::Strategy<Value = i32> {
    prop_oneof![Just(-1000), Just(1000), Just(0), -1000..=1000i32]
}

/// Aging from 50 to 20,000 points a second: `W` from 40 s down to 100 ms.
fn aging() -> impl proptest::strategy::Strategy<Value = AgingPolicy> {
    prop_oneof![Just(20_000u32), Just(1000), 50u32..5000]
        .prop_map(|r| AgingPolicy::per_second(r).expect("positive"))
}

fn arrival(
    capacity: u64,
    max_gap: u64,
    max_hold: u64,
) -> impl proptest::strategy::Strategy<Value = Arrival> {
    (
        prop_oneof![2 => Just(0u64), 3 => 0..=max_gap],
        0..OWNERS,
        prop_oneof![3 => 1..=capacity.div_ceil(3), 1 => 1..=capacity, 1 => Just(capacity)],
        priority(),
        proptest::option::of(prop_oneof![-3000i64..0, 0i64..5000]),
        1..=max_hold,
        proptest::option::weighted(0.15, 1u64..2000),
    )
        .prop_map(
            |(gap, owner, amount, priority, deadline, hold, cancel_after)| Arrival {
                gap,
                owner,
                amount,
                priority,
                deadline,
                hold,
                cancel_after,
            },
        )
}

/// Any arrival pattern: bursts, long quiet gaps, loads far beyond capacity, cancellations.
fn scenario() -> impl proptest::strategy::Strategy<Value = Scenario> {
    (1u64..=12, strategy(), aging(), 1u64..=300, 0u64..=400)
        .prop_flat_map(|(capacity, strategy, aging, max_hold, max_gap)| {
            (
                Just(capacity),
                Just(strategy),
                Just(aging),
                proptest::array::uniform4(1u32..=4),
                proptest::collection::vec(arrival(capacity, max_gap, max_hold), 1..80),
            )
        })
        .prop_map(|(capacity, strategy, aging, weights, arrivals)| Scenario {
            capacity,
            strategy,
            aging,
            weights,
            arrivals,
        })
}

/// The arrivals of `s` delayed where needed so that at most `burst + per_hold·t/max_hold`
/// arrive in any `t` ms (a token bucket), without cancellations.
fn within_envelope(mut s: Scenario, burst: u64) -> (Scenario, Load) {
    let largest = s.arrivals.iter().map(|a| a.amount).max().unwrap_or(1);
    let max_hold = s.arrivals.iter().map(|a| a.hold).max().unwrap_or(1);
    let per_hold = (s.capacity / largest).max(1);
    // Credit in units of 1/per_hold ms: an arrival costs max_hold, per_hold accrue per ms.
    let full = burst * max_hold;
    let (mut credit, mut last, mut t) = (full, 1u64, 1u64);
    for a in &mut s.arrivals {
        a.cancel_after = None;
        let mut at = t + a.gap;
        credit = (credit + per_hold * (at - last)).min(full);
        if credit < max_hold {
            let wait = (max_hold - credit).div_ceil(per_hold);
            at += wait;
            credit = (credit + per_hold * wait).min(full);
        }
        credit -= max_hold;
        a.gap = at - t;
        (last, t) = (at, at);
    }
    let load = Load {
        burst,
        largest,
        max_hold,
    };
    (s, load)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// Any arrival pattern: the reference order, no over-allocation, no idling, everyone
    /// granted, each within its request-by-request bound.
    #[test]
    fn every_request_is_granted_in_order_and_within_its_bound(s in scenario()) {
        run(&s)?;
    }

    /// Arrivals within the envelope: every wait within `Arbiter::wait_bound`.
    #[test]
    fn waits_stay_within_the_closed_form_bound(s in scenario(), burst in 1u64..6) {
        let (s, load) = within_envelope(s, burst);
        let bound = Arbiter::new(s.capacity, s.strategy, s.aging).wait_bound(load);
        let (_, longest) = run(&s)?;
        prop_assert!(longest <= bound, "waited {} ms, bound {} ms for {:?}", longest, bound, load);
    }
}

/// The closed-form bound is not vacuous: with a burst of `B` single-unit requests on one
/// unit, held `H` each, the last of equal priority waits `(B − 1)·H`, and the formula allows
/// `W + B·H`.
#[test]
fn the_closed_form_bound_is_close_for_a_plain_burst() {
    let aging = AgingPolicy::per_second(20_000).expect("positive");
    let s = Scenario {
        capacity: 1,
        strategy: Strategy::StrictPriority,
        aging,
        weights: [1; OWNERS as usize],
        arrivals: (0..5)
            .map(|_| Arrival {
                gap: 0,
                owner: 0,
                amount: 1,
                priority: 0,
                deadline: None,
                hold: 100,
                cancel_after: None,
            })
            .collect(),
    };
    let (_, longest) = run(&s).expect("holds");
    assert_eq!(longest, 400);
    let load = Load {
        burst: 5,
        largest: 1,
        max_hold: 100,
    };
    let bound = Arbiter::new(1, Strategy::StrictPriority, aging).wait_bound(load);
    assert_eq!(bound, aging.overtaking_window() + 500);
}
