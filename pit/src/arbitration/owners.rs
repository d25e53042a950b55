//! Per owner: what it holds, its fair-share weight, and (under fair share) its own line; and
//! the owners waiting in fair-share order, the one furthest behind first.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};

use super::line::{Line, Waiting};
use super::request::{OwnerId, RequestId};

/// One owner's state.
#[derive(Debug, Clone)]
struct Owner {
    /// Units granted to it and not yet released.
    held: u64,
    /// Its fair-share weight (1 unless set).
    weight: u32,
    /// Its waiting requests (fair share only; the other strategies keep one line for all).
    line: Line,
    /// Its place among the owners waiting, while it has requests waiting.
    standing: Option<Standing>,
}

impl Default for Owner {
    fn default() -> Self {
        Owner {
            held: 0,
            weight: 1,
            line: Line::default(),
            standing: None,
        }
    }
}

impl Owner {
    /// Whether nothing is left to remember about it.
    fn idle(&self) -> bool {
        self.held == 0 && self.weight == 1 && self.line.is_empty()
    }
}

/// An owner's place in the fair-share order: first the smallest `held ÷ weight` (compared as
/// `held·w' < held'·w`, without division), then the better first request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Standing {
    held: u64,
    weight: u32,
    /// Its first request: rank, and id for ties.
    head: (i128, RequestId),
    owner: OwnerId,
}

impl Ord for Standing {
    fn cmp(&self, other: &Self) -> Ordering {
        let mine = u128::from(self.held) * u128::from(other.weight);
        let theirs = u128::from(other.held) * u128::from(self.weight);
        mine.cmp(&theirs)
            .then_with(|| other.head.0.cmp(&self.head.0))
            .then_with(|| self.head.1.cmp(&other.head.1))
            // Never decides between two owners (heads differ); keeps `Ord` consistent with `Eq`.
            .then_with(|| {
                (self.owner, self.held, self.weight).cmp(&(other.owner, other.held, other.weight))
            })
    }
}

impl PartialOrd for Standing {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The owner fair share serves next.
#[derive(Debug, Clone, Copy)]
pub(super) struct Behind {
    /// Its first request.
    pub head: Waiting,
    /// What it held.
    pub held: u64,
    /// Its weight.
    pub weight: u32,
    /// Owners with requests waiting, itself included.
    pub competing: u32,
}

/// Every owner that holds, waits or has a weight set; and, under fair share, the owners
/// waiting in fair-share order, kept up to date at each change of one (O(log owners)), so
/// that choosing one costs no scan.
#[derive(Debug, Clone, Default)]
pub(super) struct Owners {
    map: HashMap<OwnerId, Owner, foldhash::fast::RandomState>,
    standings: BTreeSet<Standing>,
}

impl Owners {
    pub fn held(&self, owner: OwnerId) -> u64 {
        self.map.get(&owner).map_or(0, |o| o.held)
    }

    pub fn weight(&self, owner: OwnerId) -> u32 {
        self.map.get(&owner).map_or(1, |o| o.weight)
    }

    pub fn set_weight(&mut self, owner: OwnerId, weight: u32) {
        self.map.entry(owner).or_default().weight = weight;
        self.restand(owner);
    }

    /// Puts `waiting` in its owner's line (fair share).
    pub fn push(&mut self, waiting: Waiting) {
        let owner = self.map.entry(waiting.owner).or_default();
        let new_head = owner.line.first().is_none_or(|head| waiting > *head);
        owner.line.push(waiting);
        if new_head {
            self.restand(waiting.owner);
        }
    }

    /// Counts `amount` more units held by `owner` (strict priority, earliest deadline).
    pub fn take(&mut self, owner: OwnerId, amount: u64) {
        self.map.entry(owner).or_default().held += amount;
    }

    /// Grants `owner`'s first request (fair share).
    pub fn grant_first(&mut self, owner: OwnerId) -> Option<Waiting> {
        let o = self.map.get_mut(&owner)?;
        let first = o.line.pop()?;
        o.held += first.amount;
        self.restand(owner);
        Some(first)
    }

    pub fn give_back(&mut self, owner: OwnerId, amount: u64) {
        if let Some(o) = self.map.get_mut(&owner) {
            o.held = o.held.saturating_sub(amount);
            if o.standing.is_some() {
                self.restand(owner);
            }
        }
        self.tidy(owner);
    }

    /// Moves `owner` to its place in the fair-share order after a change.
    fn restand(&mut self, owner: OwnerId) {
        let Some(o) = self.map.get_mut(&owner) else {
            return;
        };
        let standing = o.line.first().map(|head| Standing {
            held: o.held,
            weight: o.weight,
            head: (head.rank, head.id),
            owner,
        });
        if standing != o.standing {
            if let Some(old) = o.standing {
                self.standings.remove(&old);
            }
            if let Some(new) = standing {
                self.standings.insert(new);
            }
            o.standing = standing;
        }
    }

    /// Forgets `owner` if nothing is left to remember, so that the map stays as small as the
    /// owners that matter.
    fn tidy(&mut self, owner: OwnerId) {
        if self.map.get(&owner).is_some_and(Owner::idle) {
            self.map.remove(&owner);
        }
    }

    /// Fair share: the owner with requests waiting that holds the least for its weight.
    pub fn behind(&self) -> Option<Behind> {
        let first = self.standings.first()?;
        let owner = self.map.get(&first.owner)?;
        Some(Behind {
            head: *owner.line.first()?,
            held: owner.held,
            weight: owner.weight,
            competing: u32::try_from(self.standings.len()).unwrap_or(u32::MAX),
        })
    }

    /// Takes `id` out of whichever owner's line holds it.
    pub fn remove(&mut self, id: RequestId) -> Option<Waiting> {
        let found = self.map.values_mut().find_map(|o| o.line.remove(id))?;
        self.restand(found.owner);
        self.tidy(found.owner);
        Some(found)
    }

    /// Every waiting request, in no particular order.
    pub fn waiting(&self) -> impl Iterator<Item = &Waiting> {
        self.map.values().flat_map(|o| o.line.iter())
    }
}
