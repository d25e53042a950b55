//! What is asked for and what is handed out: a [`Request`] with a validated [`Priority`],
//! named by a [`RequestId`] and owned by an [`OwnerId`]; and the [`Grant`] it becomes.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ArbitrationError;

/// How urgent a request is: from 1000 (the most urgent) down to −1000 (the least); 0 is normal.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(try_from = "i32", into = "i32")]
pub struct Priority(i16);

impl Priority {
    /// The most urgent.
    pub const HIGHEST: Priority = Priority(1000);
    /// Normal.
    pub const NORMAL: Priority = Priority(0);
    /// The least urgent.
    pub const LOWEST: Priority = Priority(-1000);
    /// The width of the range, highest minus lowest: what aging must make up for.
    pub const SPAN: i64 = 2000;

    /// `value` as a priority, if it is within −1000..=1000.
    pub fn new(value: i32) -> Result<Priority, ArbitrationError> {
        if (-1000..=1000).contains(&value) {
            Ok(Priority(value as i16))
        } else {
            Err(ArbitrationError::PriorityOutOfRange {
                given: i64::from(value),
            })
        }
    }

    /// The number.
    pub const fn get(self) -> i16 {
        self.0
    }
}

impl TryFrom<i32> for Priority {
    type Error = ArbitrationError;

    fn try_from(value: i32) -> Result<Self, Self::Error> {
        Priority::new(value)
    }
}

impl From<Priority> for i32 {
    fn from(p: Priority) -> i32 {
        i32::from(p.0)
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A request's id, given by the arbiter at submission, in submission order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RequestId(pub(super) u64);

impl RequestId {
    /// The number (0 for the first request an arbiter saw, then 1, 2, …).
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Who asks: a workflow or a user. Fair share divides capacity between owners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OwnerId(u64);

impl OwnerId {
    /// The owner numbered `n` (the caller keeps the mapping from workflows and users).
    pub const fn new(n: u64) -> OwnerId {
        OwnerId(n)
    }

    /// The number.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for OwnerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "owner {}", self.0)
    }
}

/// A request for `amount` units of the arbiter's resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    /// Who asks (for fair share, and the audit log).
    pub owner: OwnerId,
    /// Units wanted, all at once (at least 1, at most the arbiter's capacity).
    pub amount: u64,
    /// How urgent.
    pub priority: Priority,
    /// When it should be granted by, in the caller's milliseconds (earliest deadline uses it).
    pub deadline: Option<u64>,
}

impl Request {
    /// A request without a deadline.
    pub const fn new(owner: OwnerId, amount: u64, priority: Priority) -> Request {
        Request {
            owner,
            amount,
            priority,
            deadline: None,
        }
    }

    /// The same, due at `at` (ms).
    #[must_use]
    pub const fn with_deadline(mut self, at: u64) -> Request {
        self.deadline = Some(at);
        self
    }
}

/// Capacity handed out to one request, until it is given back with
/// [`Arbiter::release`](super::Arbiter::release). Not `Clone`: it is released once; dropped
/// without being released, its units stay in use for good.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "a grant holds capacity until it is released"]
pub struct Grant {
    pub(super) id: RequestId,
    pub(super) owner: OwnerId,
    pub(super) amount: u64,
    /// The arbiter that gave it, so that it cannot be released into another.
    pub(super) arbiter: u64,
}

impl Grant {
    /// The request granted.
    pub const fn id(&self) -> RequestId {
        self.id
    }

    /// Its owner.
    pub const fn owner(&self) -> OwnerId {
        self.owner
    }

    /// Units held.
    pub const fn amount(&self) -> u64 {
        self.amount
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priorities_outside_the_range_are_refused_with_the_range_in_the_message() {
        assert_eq!(Priority::new(1000).map(Priority::get), Ok(1000));
        assert_eq!(Priority::new(-1000).map(Priority::get), Ok(-1000));
        let err = Priority::new(1001).expect_err("out of range");
        assert_eq!(err, ArbitrationError::PriorityOutOfRange { given: 1001 });
        assert!(err.to_string().contains("−1000..=1000"), "{err}");
        assert!(Priority::try_from(-1001).is_err());
    }

    #[test]
    fn priorities_deserialize_only_within_the_range() {
        let p: Priority = serde_json::from_str("-250").expect("in range");
        assert_eq!(p.get(), -250);
        let err = serde_json::from_str::<Priority>("5000").expect_err("out of range");
        assert!(err.to_string().contains("−1000..=1000"), "{err}");
    }
}
