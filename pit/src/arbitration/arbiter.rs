//! The arbiter: takes requests, grants them in its strategy's order as capacity allows,
//! takes capacity back, and records every decision.

use std::hash::{BuildHasher, RandomState};

use super::ArbitrationError;
use super::audit::{AuditLog, Decision, Reason};
use super::line::{Line, Waiting};
use super::owners::Owners;
use super::policy::{self, AgingPolicy, Load, Strategy};
use super::request::{Grant, OwnerId, Request, RequestId};

/// Decides who gets `capacity` units of a scarce resource (pool slots, worker slots, model
/// slots). Time is the caller's: every call that needs it takes `now`, in milliseconds, which
/// must not go backwards.
#[derive(Debug, Clone)]
pub struct Arbiter {
    capacity: u64,
    in_use: u64,
    strategy: Strategy,
    aging: AgingPolicy,
    next_id: u64,
    waiting: usize,
    /// Everyone waiting, best first (strict priority, earliest deadline).
    line: Line,
    /// Per owner: holdings, weights, and under fair share the lines.
    owners: Owners,
    audit: AuditLog,
    /// The last head-of-line wait recorded (request and units free), so that a request
    /// blocked through many calls is recorded once per change, not once per call.
    last_blocked: Option<(RequestId, u64)>,
    /// Stamped on grants, so that one cannot be released into another arbiter.
    tag: u64,
}

impl Arbiter {
    /// Decisions the audit log keeps unless told otherwise.
    pub const DEFAULT_AUDIT_CAPACITY: usize = 1024;

    /// An arbiter of `capacity` units, all free.
    pub fn new(capacity: u64, strategy: Strategy, aging: AgingPolicy) -> Arbiter {
        Arbiter {
            capacity,
            in_use: 0,
            strategy,
            aging,
            next_id: 0,
            waiting: 0,
            line: Line::with_capacity(64),
            owners: Owners::default(),
            audit: AuditLog::new(Arbiter::DEFAULT_AUDIT_CAPACITY),
            last_blocked: None,
            tag: RandomState::new().hash_one(0u8),
        }
    }

    /// The same, with an audit log keeping the last `decisions` decisions.
    #[must_use]
    pub fn with_audit_capacity(mut self, decisions: usize) -> Arbiter {
        self.audit = AuditLog::new(decisions);
        self
    }

    /// Sets `owner`'s fair-share weight: an owner of weight 2 is entitled to twice the units
    /// of one of weight 1. Only fair share uses weights.
    pub fn set_weight(&mut self, owner: OwnerId, weight: u32) -> Result<(), ArbitrationError> {
        if weight == 0 {
            return Err(ArbitrationError::ZeroWeight { owner });
        }
        self.owners.set_weight(owner, weight);
        Ok(())
    }

    /// Puts `request` in line at `now`. A request for more than the whole capacity is
    /// refused (and the refusal recorded), as it could never be granted.
    pub fn submit(&mut self, request: Request, now: u64) -> Result<RequestId, ArbitrationError> {
        let owner = request.owner;
        if request.amount == 0 {
            return Err(ArbitrationError::ZeroAmount { owner });
        }
        let id = RequestId(self.next_id);
        self.next_id += 1;
        let waiting = Waiting {
            rank: self.rank(&request, now),
            id,
            owner,
            amount: request.amount,
            priority: request.priority,
            deadline: request.deadline,
            submitted: now,
        };
        if request.amount > self.capacity {
            self.record(now, &waiting, Reason::LargerThanCapacity);
            return Err(ArbitrationError::LargerThanCapacity {
                request: id,
                owner,
                amount: request.amount,
                capacity: self.capacity,
            });
        }
        match self.strategy {
            Strategy::FairShare => self.owners.push(waiting),
            _ => self.line.push(waiting),
        }
        self.waiting += 1;
        Ok(id)
    }

    fn rank(&self, request: &Request, now: u64) -> i128 {
        match self.strategy {
            Strategy::EarliestDeadline { horizon } => {
                let (due, _) = policy::due(request.deadline, now, horizon);
                policy::deadline_rank(due, request.priority)
            }
            Strategy::StrictPriority | Strategy::FairShare => {
                self.aging.rank(request.priority, now)
            }
        }
    }

    /// Grants waiting requests in the strategy's order for as long as the next one fits.
    ///
    /// When the next one does not fit, it stops: nothing behind it is granted, even if it
    /// would fit in what is free (no backfilling). That idles some capacity while a large
    /// request waits for room, and is what bounds the wait of large requests (see the
    /// module's documentation). Call it whenever a request arrives or capacity is released.
    #[must_use = "grants hold capacity until they are released"]
    pub fn decide(&mut self, now: u64) -> Vec<Grant> {
        let mut grants = Vec::new();
        self.decide_into(now, &mut grants);
        grants
    }

    /// [`decide`](Self::decide), appending to `grants` (to reuse one vector); returns how
    /// many it granted.
    pub fn decide_into(&mut self, now: u64, grants: &mut Vec<Grant>) -> usize {
        let before = grants.len();
        loop {
            let (head, reason) = match self.strategy {
                Strategy::StrictPriority => match self.line.first() {
                    Some(head) => (*head, Reason::HighestAgedPriority),
                    None => break,
                },
                Strategy::EarliestDeadline { horizon } => match self.line.first() {
                    Some(head) => {
                        let (due, from) = policy::due(head.deadline, head.submitted, horizon);
                        (*head, Reason::EarliestDeadline { due, from })
                    }
                    None => break,
                },
                Strategy::FairShare => match self.owners.behind() {
                    Some(behind) => (
                        behind.head,
                        Reason::FairShareOwnerBehind {
                            held: behind.held,
                            weight: behind.weight,
                            owners: behind.competing,
                        },
                    ),
                    None => break,
                },
            };
            let free = self.capacity - self.in_use;
            if head.amount > free {
                if self.last_blocked != Some((head.id, free)) {
                    self.last_blocked = Some((head.id, free));
                    self.record(now, &head, Reason::HeadOfLineWaits);
                }
                break;
            }
            match self.strategy {
                Strategy::FairShare => {
                    self.owners.grant_first(head.owner);
                }
                _ => {
                    self.line.pop();
                    self.owners.take(head.owner, head.amount);
                }
            }
            self.in_use += head.amount;
            self.record(now, &head, reason);
            self.waiting -= 1;
            grants.push(Grant {
                id: head.id,
                owner: head.owner,
                amount: head.amount,
                arbiter: self.tag,
            });
        }
        grants.len() - before
    }

    /// Takes back the capacity of `grant`. Call [`decide`](Self::decide) after it, so that
    /// whoever waits gets the room.
    pub fn release(&mut self, grant: Grant) -> Result<(), ArbitrationError> {
        if grant.arbiter != self.tag {
            return Err(ArbitrationError::ForeignGrant { request: grant.id });
        }
        self.in_use -= grant.amount;
        self.owners.give_back(grant.owner, grant.amount);
        Ok(())
    }

    /// Takes the waiting request `id` out of line at `now` (and records it). O(waiting):
    /// cancellations are rare, and keeping the decision path free of them keeps it fast.
    pub fn cancel(&mut self, id: RequestId, now: u64) -> Result<(), ArbitrationError> {
        let removed = match self.strategy {
            Strategy::FairShare => self.owners.remove(id),
            _ => self.line.remove(id),
        };
        let Some(waiting) = removed else {
            return Err(ArbitrationError::NotWaiting { request: id });
        };
        self.record(now, &waiting, Reason::Cancelled);
        self.waiting -= 1;
        Ok(())
    }

    fn record(&mut self, now: u64, request: &Waiting, reason: Reason) {
        let waited = now.saturating_sub(request.submitted);
        let effective = match self.strategy {
            Strategy::EarliestDeadline { .. } => i64::from(request.priority.get()),
            Strategy::StrictPriority | Strategy::FairShare => {
                self.aging.aged(request.priority, waited)
            }
        };
        self.audit.record(Decision {
            at: now,
            request: request.id,
            owner: request.owner,
            amount: request.amount,
            strategy: self.strategy,
            priority: request.priority,
            effective,
            waited,
            waiting: u32::try_from(self.waiting).unwrap_or(u32::MAX),
            free: self.capacity - self.in_use,
            capacity: self.capacity,
            reason,
        });
    }

    /// Requests waiting.
    pub fn waiting(&self) -> usize {
        self.waiting
    }

    /// Whether request `id` is waiting. O(waiting).
    pub fn is_waiting(&self, id: RequestId) -> bool {
        match self.strategy {
            Strategy::FairShare => self.owners.waiting().any(|w| w.id == id),
            _ => self.line.iter().any(|w| w.id == id),
        }
    }

    /// Units granted and not released.
    pub fn in_use(&self) -> u64 {
        self.in_use
    }

    /// Units free.
    pub fn free(&self) -> u64 {
        self.capacity - self.in_use
    }

    /// Units in all.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// Units `owner` holds.
    pub fn held_by(&self, owner: OwnerId) -> u64 {
        self.owners.held(owner)
    }

    /// `owner`'s fair-share weight (1 unless set).
    pub fn weight(&self, owner: OwnerId) -> u32 {
        self.owners.weight(owner)
    }

    /// The strategy.
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// The aging policy.
    pub fn aging(&self) -> AgingPolicy {
        self.aging
    }

    /// The audit log.
    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    /// The audit log, to drain it.
    pub fn audit_mut(&mut self) -> &mut AuditLog {
        &mut self.audit
    }

    /// The longest any request waits, in ms, from its submission to its grant, when the load
    /// keeps the promises of `load` (derived in the module's documentation): arrivals of at
    /// most `burst + s·t/max_hold` requests in any `t` ms, where `s = ⌊capacity ÷ largest⌋`;
    /// every grant released within `max_hold`; [`decide`](Self::decide) called at every
    /// submission and release; no cancellations needed.
    ///
    /// - strict priority: `W + (⌊m ÷ s⌋ + 1)·H`,
    /// - earliest deadline: `horizon + (⌊m ÷ s⌋ + 1)·H`,
    /// - fair share: `W + 2·(m + 1)·H`,
    ///
    /// with `W` the [overtaking window](AgingPolicy::overtaking_window), `H = max_hold` and
    /// `m = B + s − 2` the most requests that can be ahead of one once `W` has passed.
    pub fn wait_bound(&self, load: Load) -> u64 {
        let s = load.per_hold(self.capacity);
        let m = (load.burst + s).saturating_sub(2);
        let h = load.max_hold;
        let drain = (m / s + 1).saturating_mul(h);
        match self.strategy {
            Strategy::StrictPriority => self.aging.overtaking_window().saturating_add(drain),
            Strategy::EarliestDeadline { horizon } => horizon.saturating_add(drain),
            Strategy::FairShare => self
                .aging
                .overtaking_window()
                .saturating_add((m + 1).saturating_mul(2).saturating_mul(h)),
        }
    }
}
