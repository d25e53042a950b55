//! The audit log: every decision as a structured [`Decision`] with its [`Reason`], kept in a
//! bounded ring. Recording copies a small struct; the sentence a person reads is only
//! written when the decision is displayed, never on the decision path.

use std::collections::VecDeque;
use std::collections::vec_deque;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::policy::{DueFrom, Strategy};
use super::request::{OwnerId, Priority, RequestId};

/// Why a request was granted, held back, refused or taken out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Reason {
    /// Granted: the highest aged priority waiting (strict priority).
    HighestAgedPriority,
    /// Granted: due first of those waiting (earliest deadline).
    EarliestDeadline {
        /// When it was due, in ms.
        due: u64,
        /// Where that came from.
        from: DueFrom,
    },
    /// Granted: its owner held the least for its weight of the owners waiting, and within
    /// the owner it had the highest aged priority (fair share).
    FairShareOwnerBehind {
        /// Units the owner held before this grant.
        held: u64,
        /// The owner's weight.
        weight: u32,
        /// Owners with requests waiting, this one included.
        owners: u32,
    },
    /// Not granted yet: it is first in line but does not fit in what is free, and nothing
    /// behind it is granted until it does (so that it cannot be starved).
    HeadOfLineWaits,
    /// Refused at submission: it asks for more than the whole capacity.
    LargerThanCapacity,
    /// Taken out of the line by its submitter.
    Cancelled,
}

impl Reason {
    /// Whether the request was granted.
    pub const fn is_grant(self) -> bool {
        matches!(
            self,
            Reason::HighestAgedPriority
                | Reason::EarliestDeadline { .. }
                | Reason::FairShareOwnerBehind { .. }
        )
    }
}

/// One decision about one request, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Decision {
    /// When, in the caller's ms.
    pub at: u64,
    /// The request.
    pub request: RequestId,
    /// Its owner.
    pub owner: OwnerId,
    /// Units it asks for.
    pub amount: u64,
    /// The arbiter's strategy.
    pub strategy: Strategy,
    /// Its priority as submitted.
    pub priority: Priority,
    /// Its aged priority at `at` (its priority itself under earliest deadline, where due
    /// times do the aging).
    pub effective: i64,
    /// How long it had waited, in ms.
    pub waited: u64,
    /// Requests waiting just before the decision (this one included, unless it was refused).
    pub waiting: u32,
    /// Units free after the decision.
    pub free: u64,
    /// Units in all.
    pub capacity: u64,
    /// Why.
    pub reason: Reason,
}

/// Milliseconds for people: `850 ms`, `12.345 s`.
struct Ms(u64);

impl fmt::Display for Ms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 < 1000 {
            write!(f, "{} ms", self.0)
        } else {
            write!(f, "{}.{:03} s", self.0 / 1000, self.0 % 1000)
        }
    }
}

/// `1 unit`, `3 units`.
struct Units(u64);

impl fmt::Display for Units {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = if self.0 == 1 { "" } else { "s" };
        write!(f, "{} unit{s}", self.0)
    }
}

impl Decision {
    /// "730 (base 500, +230 for waiting 23.000 s)", or just the priority if it did not age.
    fn aged(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let gain = self.effective - i64::from(self.priority.get());
        if gain == 0 {
            write!(f, "{}", self.priority)
        } else {
            write!(
                f,
                "{} (base {}, +{gain} for waiting {})",
                self.effective,
                self.priority,
                Ms(self.waited)
            )
        }
    }

    fn free_now(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "; {} of {} free now", Units(self.free), self.capacity)
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (at, request, owner) = (Ms(self.at), self.request, self.owner);
        let amount = Units(self.amount);
        match self.reason {
            Reason::HighestAgedPriority => {
                write!(
                    f,
                    "at {at}: granted request {request} to {owner} ({amount}) under strict \
                     priority: the highest aged priority of the {} waiting, ",
                    self.waiting
                )?;
                self.aged(f)?;
                self.free_now(f)
            }
            Reason::EarliestDeadline { due, from } => {
                let why = match from {
                    DueFrom::Deadline => "its deadline",
                    DueFrom::Passed => "its submission, as its deadline had passed",
                    DueFrom::Horizon => {
                        "the horizon after its submission, as it gave no \
                                         earlier deadline"
                    }
                };
                write!(
                    f,
                    "at {at}: granted request {request} to {owner} ({amount}) under earliest \
                     deadline: due first of the {} waiting, at {} ({why}); it waited {}",
                    self.waiting,
                    Ms(due),
                    Ms(self.waited)
                )?;
                self.free_now(f)
            }
            Reason::FairShareOwnerBehind {
                held,
                weight,
                owners,
            } => {
                write!(
                    f,
                    "at {at}: granted request {request} to {owner} ({amount}) under fair share: \
                     of the {owners} owner{} waiting, {owner} held the least for its weight \
                     ({} at weight {weight}), and this was its request of highest aged \
                     priority, ",
                    if owners == 1 { "" } else { "s" },
                    Units(held)
                )?;
                self.aged(f)?;
                self.free_now(f)
            }
            Reason::HeadOfLineWaits => write!(
                f,
                "at {at}: request {request} of {owner} ({amount}) is next under {} but only {} \
                 of {} free; nothing behind it is granted until it fits, so that it cannot be \
                 starved by smaller requests",
                self.strategy,
                Units(self.free),
                self.capacity
            ),
            Reason::LargerThanCapacity => write!(
                f,
                "at {at}: refused request {request} of {owner}: it asks for {amount}, more \
                 than the whole capacity of {}, so it could never be granted",
                self.capacity
            ),
            Reason::Cancelled => write!(
                f,
                "at {at}: request {request} of {owner} ({amount}) was cancelled after waiting \
                 {}",
                Ms(self.waited)
            ),
        }
    }
}

/// The most recent decisions, oldest first, in a ring of fixed capacity.
#[derive(Debug, Clone)]
pub struct AuditLog {
    ring: VecDeque<Decision>,
    capacity: usize,
    recorded: u64,
}

impl AuditLog {
    /// Rooms reserved up front, so that recording never allocates on the decision path for
    /// ordinary log sizes (larger logs grow once, then stay).
    const RESERVE: usize = 4096;

    /// A log keeping the last `capacity` decisions (0 keeps none, but still counts them).
    pub fn new(capacity: usize) -> AuditLog {
        AuditLog {
            ring: VecDeque::with_capacity(capacity.min(AuditLog::RESERVE)),
            capacity,
            recorded: 0,
        }
    }

    #[inline]
    pub(super) fn record(&mut self, decision: Decision) {
        self.recorded += 1;
        if self.capacity == 0 {
            return;
        }
        if self.ring.len() == self.capacity {
            self.ring.pop_front();
        }
        self.ring.push_back(decision);
    }

    /// The decisions kept, oldest first.
    pub fn iter(&self) -> vec_deque::Iter<'_, Decision> {
        self.ring.iter()
    }

    /// The most recent decision kept.
    pub fn last(&self) -> Option<&Decision> {
        self.ring.back()
    }

    /// Decisions kept.
    pub fn len(&self) -> usize {
        self.ring.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.ring.is_empty()
    }

    /// The most it keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Decisions recorded since the arbiter began, kept or not.
    pub fn recorded(&self) -> u64 {
        self.recorded
    }

    /// Decisions pushed out of the ring (or drained) since the arbiter began.
    pub fn dropped(&self) -> u64 {
        self.recorded - self.ring.len() as u64
    }

    /// Takes the kept decisions out, oldest first (to persist them, say).
    pub fn drain(&mut self) -> vec_deque::Drain<'_, Decision> {
        self.ring.drain(..)
    }
}

impl<'a> IntoIterator for &'a AuditLog {
    type Item = &'a Decision;
    type IntoIter = vec_deque::Iter<'a, Decision>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(reason: Reason) -> Decision {
        Decision {
            at: 83_500,
            request: RequestId(12),
            owner: OwnerId::new(3),
            amount: 4,
            strategy: Strategy::StrictPriority,
            priority: Priority::new(500).expect("in range"),
            effective: 730,
            waited: 23_000,
            waiting: 17,
            free: 2,
            capacity: 8,
            reason,
        }
    }

    #[test]
    fn the_ring_keeps_the_most_recent() {
        let mut log = AuditLog::new(3);
        for at in 0..5 {
            log.record(Decision {
                at,
                ..decision(Reason::Cancelled)
            });
        }
        let kept: Vec<u64> = log.iter().map(|d| d.at).collect();
        assert_eq!(kept, [2, 3, 4]);
        assert_eq!((log.recorded(), log.dropped(), log.len()), (5, 2, 3));
        assert_eq!(log.drain().count(), 3);
        assert_eq!((log.recorded(), log.dropped(), log.len()), (5, 5, 0));
        let mut none = AuditLog::new(0);
        none.record(decision(Reason::Cancelled));
        assert_eq!((none.recorded(), none.len()), (1, 0));
    }

    #[test]
    fn sentences_say_what_happened_and_why() {
        let strict = decision(Reason::HighestAgedPriority);
        assert_eq!(
            strict.to_string(),
            "at 83.500 s: granted request #12 to owner 3 (4 units) under strict priority: the \
             highest aged priority of the 17 waiting, 730 (base 500, +230 for waiting 23.000 \
             s); 2 units of 8 free now"
        );
        let fresh = Decision {
            effective: 500,
            waited: 0,
            ..strict
        };
        assert!(
            fresh
                .to_string()
                .contains("of the 17 waiting, 500; 2 units"),
            "{fresh}"
        );

        let edf = Decision {
            strategy: Strategy::earliest_deadline(),
            effective: 500,
            reason: Reason::EarliestDeadline {
                due: 90_000,
                from: DueFrom::Deadline,
            },
            ..strict
        };
        assert_eq!(
            edf.to_string(),
            "at 83.500 s: granted request #12 to owner 3 (4 units) under earliest deadline: \
             due first of the 17 waiting, at 90.000 s (its deadline); it waited 23.000 s; 2 \
             units of 8 free now"
        );

        let fair = Decision {
            strategy: Strategy::FairShare,
            reason: Reason::FairShareOwnerBehind {
                held: 1,
                weight: 2,
                owners: 3,
            },
            ..strict
        };
        assert_eq!(
            fair.to_string(),
            "at 83.500 s: granted request #12 to owner 3 (4 units) under fair share: of the 3 \
             owners waiting, owner 3 held the least for its weight (1 unit at weight 2), and \
             this was its request of highest aged priority, 730 (base 500, +230 for waiting \
             23.000 s); 2 units of 8 free now"
        );

        let blocked = decision(Reason::HeadOfLineWaits);
        assert_eq!(
            blocked.to_string(),
            "at 83.500 s: request #12 of owner 3 (4 units) is next under strict priority but \
             only 2 units of 8 free; nothing behind it is granted until it fits, so that it \
             cannot be starved by smaller requests"
        );

        let refused = Decision {
            amount: 9,
            ..decision(Reason::LargerThanCapacity)
        };
        assert_eq!(
            refused.to_string(),
            "at 83.500 s: refused request #12 of owner 3: it asks for 9 units, more than the \
             whole capacity of 8, so it could never be granted"
        );

        let cancelled = Decision {
            at: 950,
            waited: 400,
            amount: 1,
            ..decision(Reason::Cancelled)
        };
        assert_eq!(
            cancelled.to_string(),
            "at 950 ms: request #12 of owner 3 (1 unit) was cancelled after waiting 400 ms"
        );
    }

    #[test]
    fn decisions_serialize_with_their_reason() {
        let json = serde_json::to_value(decision(Reason::EarliestDeadline {
            due: 7,
            from: DueFrom::Horizon,
        }))
        .expect("serializes");
        assert_eq!(json["reason"]["kind"], "earliest_deadline");
        assert_eq!(json["reason"]["from"], "horizon");
        assert_eq!(json["priority"], 500);
        assert!(Reason::HighestAgedPriority.is_grant());
        assert!(!Reason::HeadOfLineWaits.is_grant());
    }
}
