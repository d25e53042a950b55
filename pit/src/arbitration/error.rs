//! `ArbitrationError`: what the Arbitration Engine refuses, each message saying what to do.

use super::request::{OwnerId, RequestId};

/// Why the arbiter refused a call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArbitrationError {
    /// A priority outside −1000..=1000.
    #[error(
        "priority {given} is outside −1000..=1000; use 1000 for the most urgent, −1000 for the \
         least, 0 for normal"
    )]
    PriorityOutOfRange {
        /// The value given.
        given: i64,
    },
    /// A request for nothing.
    #[error("{owner} asked for 0 units; a request must ask for at least 1")]
    ZeroAmount {
        /// Who asked.
        owner: OwnerId,
    },
    /// A request larger than the whole capacity: it could never be granted.
    #[error(
        "request {request} of {owner} asks for {amount} units, more than the whole capacity of \
         {capacity}; it could never be granted: split it or raise the capacity"
    )]
    LargerThanCapacity {
        /// The id the refused request was given (its refusal is in the audit log under it).
        request: RequestId,
        /// Who asked.
        owner: OwnerId,
        /// Units asked for.
        amount: u64,
        /// Units the arbiter has in all.
        capacity: u64,
    },
    /// A cancel of a request that is not waiting.
    #[error(
        "request {request} is not waiting: it was granted, cancelled or refused already, or \
         never submitted here; release a granted request with its `Grant`"
    )]
    NotWaiting {
        /// The request.
        request: RequestId,
    },
    /// A grant given back to an arbiter that did not give it.
    #[error(
        "grant of request {request} was not given by this arbiter; release it to the arbiter \
         that granted it"
    )]
    ForeignGrant {
        /// The request the grant was for.
        request: RequestId,
    },
    /// A fair-share weight of 0.
    #[error("{owner}: a fair-share weight of 0 would divide by zero; use 1 or more")]
    ZeroWeight {
        /// The owner.
        owner: OwnerId,
    },
    /// An aging rate of 0.
    #[error(
        "an aging rate of 0 points per second would let low priorities starve under strict \
         priority; use at least 1 (the default is {default})",
        default = super::AgingPolicy::DEFAULT_POINTS_PER_SECOND
    )]
    ZeroAgingRate,
}
