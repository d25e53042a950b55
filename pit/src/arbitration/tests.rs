//! The arbiter's behaviour, strategy by strategy: orders, aging, fair share, head of line,
//! the audit log's sentences and the errors.

use super::*;

fn p(n: i32) -> Priority {
    Priority::new(n).expect("in range")
}

fn owner(n: u64) -> OwnerId {
    OwnerId::new(n)
}

fn aging(points: u32) -> AgingPolicy {
    AgingPolicy::per_second(points).expect("positive")
}

/// Grants everything at `now`, one unit of capacity at a time: the ids in grant order.
fn serve_all(arbiter: &mut Arbiter, now: u64) -> Vec<u64> {
    let mut order = Vec::new();
    loop {
        let grants = arbiter.decide(now);
        if grants.is_empty() {
            break;
        }
        for grant in grants {
            order.push(grant.id().get());
            arbiter.release(grant).expect("ours");
        }
    }
    order
}

#[test]
fn strict_priority_serves_the_highest_first_then_in_submission_order() {
    let mut arbiter = Arbiter::new(1, Strategy::StrictPriority, aging(10));
    for priority in [0, 500, -3, 500, 1000] {
        arbiter
            .submit(Request::new(owner(1), 1, p(priority)), 0)
            .expect("fits");
    }
    assert_eq!(serve_all(&mut arbiter, 0), [4, 1, 3, 0, 2]);
    assert_eq!((arbiter.waiting(), arbiter.in_use()), (0, 0));
}

#[test]
fn aging_lets_the_lowest_priority_overtake_the_highest_after_the_window() {
    // A −1000 request behind a fresh 1000 request every second, each held for a second:
    // it is served exactly when fresh requests stop outranking it, W = 2000 / 10 = 200 s.
    let mut arbiter = Arbiter::new(1, Strategy::StrictPriority, aging(10));
    let low = arbiter
        .submit(Request::new(owner(1), 1, p(-1000)), 0)
        .expect("fits");
    let mut held = None;
    let mut served_at = None;
    for second in 1..=300u64 {
        let now = second * 1000;
        if let Some(grant) = held.take() {
            arbiter.release(grant).expect("ours");
        }
        arbiter
            .submit(Request::new(owner(2), 1, p(1000)), now)
            .expect("fits");
        let mut grants = arbiter.decide(now);
        assert_eq!(grants.len(), 1, "one slot, freed each second");
        let grant = grants.pop().expect("one");
        if grant.id() == low {
            served_at = Some(now);
        }
        held = Some(grant);
    }
    assert_eq!(served_at, Some(aging(10).overtaking_window()));
    let decision = arbiter
        .audit()
        .iter()
        .find(|d| d.request == low && d.reason.is_grant())
        .expect("recorded");
    assert_eq!(decision.effective, 1000);
    assert!(
        decision
            .to_string()
            .contains("1000 (base -1000, +2000 for waiting 200.000 s)"),
        "{decision}"
    );
}

#[test]
fn earliest_deadline_serves_the_earliest_due_then_the_higher_priority() {
    let mut arbiter = Arbiter::new(1, Strategy::EarliestDeadline { horizon: 1000 }, aging(10));
    let now = 10;
    let submit =
        |arbiter: &mut Arbiter, request: Request| arbiter.submit(request, now).expect("fits").get();
    let at_500 = submit(
        &mut arbiter,
        Request::new(owner(1), 1, p(0)).with_deadline(500),
    );
    let at_100 = submit(
        &mut arbiter,
        Request::new(owner(1), 1, p(0)).with_deadline(100),
    );
    let none_low = submit(&mut arbiter, Request::new(owner(1), 1, p(-5)));
    let far_high = submit(
        &mut arbiter,
        Request::new(owner(1), 1, p(5)).with_deadline(9000),
    );
    let passed = submit(
        &mut arbiter,
        Request::new(owner(1), 1, p(-1000)).with_deadline(0),
    );
    assert_eq!(
        serve_all(&mut arbiter, now),
        [passed, at_100, at_500, far_high, none_low]
    );
    let reasons: Vec<Reason> = arbiter
        .audit()
        .iter()
        .map(|d| d.reason)
        .filter(|r| r.is_grant())
        .collect();
    assert_eq!(
        reasons[0],
        Reason::EarliestDeadline {
            due: 10,
            from: DueFrom::Passed
        }
    );
    assert_eq!(
        reasons[3],
        Reason::EarliestDeadline {
            due: 1010,
            from: DueFrom::Horizon
        }
    );
}

#[test]
fn fair_share_splits_capacity_between_two_owners_whatever_their_priorities() {
    let (a, b) = (owner(1), owner(2));
    let mut arbiter = Arbiter::new(4, Strategy::FairShare, aging(10));
    for _ in 0..10 {
        arbiter
            .submit(Request::new(a, 1, p(1000)), 0)
            .expect("fits");
    }
    for _ in 0..10 {
        arbiter
            .submit(Request::new(b, 1, p(-1000)), 0)
            .expect("fits");
    }
    let grants = arbiter.decide(0);
    assert_eq!(grants.len(), 4);
    assert_eq!((arbiter.held_by(a), arbiter.held_by(b)), (2, 2));
    let owners: Vec<u64> = grants.iter().map(|g| g.owner().get()).collect();
    // Ties in share go to the owner whose first request ranks higher: a's 1000 over b's −1000.
    assert_eq!(owners, [1, 2, 1, 2]);
    let first = arbiter.audit().iter().next().expect("recorded");
    assert_eq!(
        first.reason,
        Reason::FairShareOwnerBehind {
            held: 0,
            weight: 1,
            owners: 2
        }
    );
    // Releasing one of a's units gives the room back to a, which is now behind.
    let a_grant = grants
        .into_iter()
        .find(|g| g.owner() == a)
        .expect("a has one");
    arbiter.release(a_grant).expect("ours");
    let next = arbiter.decide(1);
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].owner(), a);
}

#[test]
fn fair_share_follows_the_weights() {
    let (a, b) = (owner(1), owner(2));
    let mut arbiter = Arbiter::new(8, Strategy::FairShare, aging(10));
    arbiter.set_weight(b, 3).expect("positive");
    assert_eq!((arbiter.weight(a), arbiter.weight(b)), (1, 3));
    for _ in 0..10 {
        arbiter.submit(Request::new(a, 1, p(0)), 0).expect("fits");
        arbiter.submit(Request::new(b, 1, p(0)), 0).expect("fits");
    }
    assert_eq!(arbiter.decide(0).len(), 8);
    assert_eq!((arbiter.held_by(a), arbiter.held_by(b)), (2, 6));
}

#[test]
fn a_request_that_does_not_fit_holds_back_those_behind_it() {
    let mut arbiter = Arbiter::new(10, Strategy::StrictPriority, aging(10));
    arbiter
        .submit(Request::new(owner(1), 6, p(0)), 0)
        .expect("fits");
    let held = arbiter.decide(0);
    let big = arbiter
        .submit(Request::new(owner(2), 8, p(1000)), 1)
        .expect("fits");
    let small = arbiter
        .submit(Request::new(owner(3), 1, p(0)), 1)
        .expect("fits");
    assert!(
        arbiter.decide(1).is_empty(),
        "no backfilling past the big one"
    );
    assert!(arbiter.decide(2).is_empty());
    let waits: Vec<&Decision> = arbiter
        .audit()
        .iter()
        .filter(|d| d.reason == Reason::HeadOfLineWaits)
        .collect();
    assert_eq!(waits.len(), 1, "recorded once, not at every call");
    assert_eq!(waits[0].request, big);
    for grant in held {
        arbiter.release(grant).expect("ours");
    }
    let ids: Vec<RequestId> = arbiter.decide(3).iter().map(Grant::id).collect();
    assert_eq!(ids, [big, small]);
    assert_eq!(arbiter.in_use(), 9);
}

#[test]
fn cancelled_requests_leave_the_line_and_the_log_says_so() {
    for strategy in [
        Strategy::StrictPriority,
        Strategy::FairShare,
        Strategy::earliest_deadline(),
    ] {
        let mut arbiter = Arbiter::new(1, strategy, aging(10));
        let first = arbiter
            .submit(Request::new(owner(1), 1, p(0)), 0)
            .expect("fits");
        let second = arbiter
            .submit(Request::new(owner(2), 1, p(0)), 0)
            .expect("fits");
        assert!(arbiter.is_waiting(first));
        arbiter.cancel(first, 400).expect("waiting");
        assert!(!arbiter.is_waiting(first));
        assert_eq!(
            arbiter.cancel(first, 400),
            Err(ArbitrationError::NotWaiting { request: first })
        );
        assert_eq!(
            arbiter.audit().last().map(ToString::to_string).as_deref(),
            Some("at 400 ms: request #0 of owner 1 (1 unit) was cancelled after waiting 400 ms")
        );
        let grants = arbiter.decide(500);
        assert_eq!(grants.iter().map(Grant::id).collect::<Vec<_>>(), [second]);
        let err = arbiter
            .cancel(second, 600)
            .expect_err("granted, not waiting");
        assert!(
            err.to_string().contains("release a granted request"),
            "{err}"
        );
        assert_eq!(arbiter.waiting(), 0);
    }
}

#[test]
fn a_request_larger_than_the_capacity_is_refused_and_recorded() {
    let mut arbiter = Arbiter::new(8, Strategy::StrictPriority, aging(10));
    let err = arbiter
        .submit(Request::new(owner(4), 9, p(0)), 2500)
        .expect_err("too large");
    assert_eq!(
        err.to_string(),
        "request #0 of owner 4 asks for 9 units, more than the whole capacity of 8; it could \
         never be granted: split it or raise the capacity"
    );
    assert_eq!(arbiter.waiting(), 0);
    let refusal = arbiter.audit().last().expect("recorded");
    assert_eq!(refusal.reason, Reason::LargerThanCapacity);
    assert_eq!(
        refusal.to_string(),
        "at 2.500 s: refused request #0 of owner 4: it asks for 9 units, more than the whole \
         capacity of 8, so it could never be granted"
    );
}

#[test]
fn misuse_is_refused_with_what_to_do() {
    let mut arbiter = Arbiter::new(8, Strategy::FairShare, aging(10));
    let err = arbiter
        .submit(Request::new(owner(1), 0, p(0)), 0)
        .expect_err("nothing asked");
    assert!(err.to_string().contains("at least 1"), "{err}");
    let err = arbiter.set_weight(owner(1), 0).expect_err("zero weight");
    assert!(err.to_string().contains("use 1 or more"), "{err}");
    let err = AgingPolicy::per_second(0).expect_err("no aging");
    assert!(err.to_string().contains("starve"), "{err}");

    let mut other = Arbiter::new(8, Strategy::FairShare, aging(10));
    other
        .submit(Request::new(owner(1), 2, p(0)), 0)
        .expect("fits");
    let foreign = other.decide(0).pop().expect("granted");
    arbiter
        .submit(Request::new(owner(1), 2, p(0)), 0)
        .expect("fits");
    let ours = arbiter.decide(0).pop().expect("granted");
    assert_eq!(
        arbiter.release(foreign),
        Err(ArbitrationError::ForeignGrant {
            request: RequestId(0)
        })
    );
    assert_eq!(arbiter.in_use(), 2, "a foreign grant frees nothing");
    arbiter.release(ours).expect("ours");
    assert_eq!(arbiter.in_use(), 0);
}

#[test]
fn grants_of_a_strict_arbiter_are_recorded_in_sentences() {
    let mut arbiter = Arbiter::new(8, Strategy::StrictPriority, aging(10));
    arbiter
        .submit(Request::new(owner(3), 6, p(500)), 60_500)
        .expect("fits");
    arbiter
        .submit(Request::new(owner(5), 4, p(0)), 80_000)
        .expect("fits");
    let grants = arbiter.decide(83_500);
    assert_eq!(grants.len(), 1);
    let lines: Vec<String> = arbiter.audit().iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "at 83.500 s: granted request #0 to owner 3 (6 units) under strict priority: the \
             highest aged priority of the 2 waiting, 730 (base 500, +230 for waiting 23.000 \
             s); 2 units of 8 free now",
            "at 83.500 s: request #1 of owner 5 (4 units) is next under strict priority but \
             only 2 units of 8 free; nothing behind it is granted until it fits, so that it \
             cannot be starved by smaller requests",
        ]
    );
}

#[test]
fn time_going_backwards_counts_as_no_wait() {
    let mut arbiter = Arbiter::new(1, Strategy::StrictPriority, aging(10));
    arbiter
        .submit(Request::new(owner(1), 1, p(7)), 1000)
        .expect("fits");
    assert_eq!(arbiter.decide(10).len(), 1);
    let decision = arbiter.audit().last().expect("recorded");
    assert_eq!((decision.waited, decision.effective), (0, 7));
}

#[test]
fn the_wait_bound_follows_the_formula() {
    let load = Load {
        burst: 3,
        largest: 4,
        max_hold: 100,
    };
    let w = aging(10).overtaking_window();
    // s = 8 / 4 = 2, m = 3 + 2 − 2 = 3.
    let strict = Arbiter::new(8, Strategy::StrictPriority, aging(10));
    assert_eq!(strict.wait_bound(load), w + (3 / 2 + 1) * 100);
    let edf = Arbiter::new(8, Strategy::EarliestDeadline { horizon: 5000 }, aging(10));
    assert_eq!(edf.wait_bound(load), 5000 + 200);
    let fair = Arbiter::new(8, Strategy::FairShare, aging(10));
    assert_eq!(fair.wait_bound(load), w + 2 * 4 * 100);
}

#[test]
fn a_log_of_no_capacity_records_nothing_but_counts() {
    let mut arbiter = Arbiter::new(2, Strategy::StrictPriority, aging(10)).with_audit_capacity(0);
    arbiter
        .submit(Request::new(owner(1), 1, p(0)), 0)
        .expect("fits");
    assert_eq!(arbiter.decide(0).len(), 1);
    assert!(arbiter.audit().is_empty());
    assert_eq!(arbiter.audit().recorded(), 1);
}
