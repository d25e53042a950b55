//! An [`Arbiter`] for async callers: [`Gate::acquire`] waits until its request is granted and
//! hands out a [`Permit`] that releases the units when dropped. Decisions are made at each
//! submission and each release, as the wait bound of the module assumes. A waiting
//! `acquire` that is dropped (its task cancelled) withdraws its request, or gives back the
//! grant that reached it too late, and a grant that finds its waiter gone is released at
//! once, so no unit is ever lost.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tokio::sync::oneshot;

use super::{Arbiter, ArbitrationError, Grant, Request, RequestId};

/// A shared arbiter that async tasks wait on.
#[derive(Debug)]
pub struct Gate {
    inner: Mutex<Inner>,
    /// The arbiter's clock: milliseconds since the gate was made.
    epoch: Instant,
}

#[derive(Debug)]
struct Inner {
    arbiter: Arbiter,
    waiters: HashMap<RequestId, oneshot::Sender<Grant>>,
}

/// Units held from a [`Gate`]; dropping it gives them back.
#[derive(Debug)]
#[must_use = "the units are released when the permit is dropped"]
pub struct Permit {
    gate: Arc<Gate>,
    grant: Option<Grant>,
}

impl Permit {
    /// Units held.
    pub fn amount(&self) -> u64 {
        self.grant.as_ref().map_or(0, Grant::amount)
    }

    /// The request it granted.
    pub fn request(&self) -> Option<RequestId> {
        self.grant.as_ref().map(Grant::id)
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(grant) = self.grant.take() {
            self.gate.release(grant);
        }
    }
}

/// A request in flight: dropped before its `acquire` finished (the task was cancelled), it
/// withdraws the request, or gives back the grant already sent to it.
struct Waiting<'a> {
    gate: &'a Gate,
    id: RequestId,
    grant: oneshot::Receiver<Grant>,
    done: bool,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let mut inner = self.gate.lock();
        inner.waiters.remove(&self.id);
        if inner.arbiter.is_waiting(self.id) {
            let now = self.gate.now();
            let _ = inner.arbiter.cancel(self.id, now);
        } else if let Ok(grant) = self.grant.try_recv() {
            let _ = inner.arbiter.release(grant);
        }
        // The head of the line may have been the one withdrawn, or units came back.
        self.gate.hand_out(&mut inner);
    }
}

impl Gate {
    /// A gate over `arbiter`.
    pub fn new(arbiter: Arbiter) -> Arc<Gate> {
        Arc::new(Gate {
            inner: Mutex::new(Inner {
                arbiter,
                waiters: HashMap::new(),
            }),
            epoch: Instant::now(),
        })
    }

    /// Waits until `request` is granted. Refused at once (with the arbiter's reason) when it
    /// can never be: more units than the capacity, say.
    pub async fn acquire(self: &Arc<Gate>, request: Request) -> Result<Permit, ArbitrationError> {
        let (tx, rx) = oneshot::channel();
        let id = {
            let mut inner = self.lock();
            let id = inner.arbiter.submit(request, self.now())?;
            inner.waiters.insert(id, tx);
            self.hand_out(&mut inner);
            id
        };
        let mut waiting = Waiting {
            gate: self,
            id,
            grant: rx,
            done: false,
        };
        let grant = (&mut waiting.grant).await;
        waiting.done = true;
        match grant {
            Ok(grant) => Ok(Permit {
                gate: self.clone(),
                grant: Some(grant),
            }),
            // The sender is only dropped by `Waiting` or with the gate, neither of which can
            // happen while this future holds both.
            Err(_) => Err(ArbitrationError::NotWaiting { request: id }),
        }
    }

    /// Reads the arbiter (its audit log, what is in use) under the gate's lock.
    pub fn inspect<T>(&self, read: impl FnOnce(&Arbiter) -> T) -> T {
        read(&self.lock().arbiter)
    }

    fn release(&self, grant: Grant) {
        let mut inner = self.lock();
        let _ = inner.arbiter.release(grant);
        self.hand_out(&mut inner);
    }

    /// Decides, and sends each grant to its waiter; a grant whose waiter is gone goes back.
    fn hand_out(&self, inner: &mut Inner) {
        loop {
            let grants = inner.arbiter.decide(self.now());
            if grants.is_empty() {
                return;
            }
            let mut returned = false;
            for grant in grants {
                let unsent = match inner.waiters.remove(&grant.id()) {
                    Some(tx) => tx.send(grant).err(),
                    None => Some(grant),
                };
                if let Some(grant) = unsent {
                    let _ = inner.arbiter.release(grant);
                    returned = true;
                }
            }
            if !returned {
                return;
            }
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::arbitration::{AgingPolicy, OwnerId, Priority, Strategy};

    fn gate(capacity: u64) -> Arc<Gate> {
        Gate::new(Arbiter::new(
            capacity,
            Strategy::StrictPriority,
            AgingPolicy::default(),
        ))
    }

    fn request(owner: u64, amount: u64, priority: i32) -> Request {
        Request::new(
            OwnerId::new(owner),
            amount,
            Priority::new(priority).expect("in range"),
        )
    }

    #[tokio::test]
    async fn waiters_are_served_by_priority_as_permits_are_dropped() {
        let gate = gate(2);
        let first = gate.acquire(request(1, 2, 0)).await.expect("free");
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        for (owner, priority) in [(2, -500), (3, 900), (4, 0)] {
            let (gate, tx) = (gate.clone(), tx.clone());
            tokio::spawn(async move {
                let permit = gate.acquire(request(owner, 2, priority)).await;
                tx.send(owner).expect("listening");
                drop(permit);
            });
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(
            rx.try_recv().is_err(),
            "nothing fits while the first holds all"
        );
        drop(first);
        let mut order = Vec::new();
        for _ in 0..3 {
            order.push(rx.recv().await.expect("served"));
        }
        assert_eq!(order, [3, 4, 2]);
        assert_eq!(gate.inspect(Arbiter::in_use), 0);
    }

    #[tokio::test]
    async fn a_cancelled_wait_withdraws_its_request_and_loses_no_unit() {
        let gate = gate(1);
        let held = gate.acquire(request(1, 1, 0)).await.expect("free");
        let waiting = tokio::spawn({
            let gate = gate.clone();
            async move { gate.acquire(request(2, 1, 0)).await.map(|_| ()) }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        waiting.abort();
        let _ = waiting.await;
        assert_eq!(gate.inspect(Arbiter::waiting), 0);
        drop(held);
        assert_eq!(gate.inspect(Arbiter::in_use), 0);
        let again = gate.acquire(request(3, 1, 0)).await.expect("free again");
        assert_eq!(again.amount(), 1);
    }

    #[tokio::test]
    async fn a_grant_that_reaches_a_wait_dropped_before_it_looked_goes_back() {
        let gate = gate(1);
        let held = gate.acquire(request(1, 1, 0)).await.expect("free");
        let mut late = Box::pin(gate.acquire(request(2, 1, 0)));
        let pending = tokio::time::timeout(Duration::ZERO, &mut late).await;
        assert!(pending.is_err(), "waits while the unit is held");
        drop(held); // the grant is sent to `late`, which never looks at it again
        assert_eq!(gate.inspect(Arbiter::in_use), 1);
        drop(late);
        assert_eq!(gate.inspect(Arbiter::in_use), 0);
        let again = gate.acquire(request(3, 1, 0)).await.expect("free again");
        assert_eq!(again.amount(), 1);
    }

    #[tokio::test]
    async fn a_request_larger_than_the_capacity_is_refused_at_once() {
        let gate = gate(2);
        let error = gate.acquire(request(1, 3, 0)).await.expect_err("too big");
        assert!(error.to_string().contains('3'), "{error}");
    }
}
