//! A pool seen without its resource type, as the Pit's facade holds it: warm what a submitted
//! workflow will need, and report the entries' states.

use std::fmt;
use std::sync::Arc;

use super::{Pool, PoolUse, Resource, predict};
use crate::dag::{RunnerName, Workflow};

/// A pool of runner-keyed resources (extension hosts, model clients), type-erased.
pub trait Prewarm: Send + Sync + fmt::Debug {
    /// Starts warming `wf`'s instruments in topological order, in the background of the
    /// current tokio runtime (a no-op outside one); returns how many it will warm.
    fn prewarm_for(&self, wf: &Workflow) -> usize;

    /// Every entry that is not cold, with its state's name.
    fn entry_states(&self) -> Vec<(String, &'static str)>;

    /// How full it is now.
    fn usage(&self) -> PoolUse;
}

impl<R: Resource<Key = RunnerName>> Prewarm for Arc<Pool<R>> {
    fn prewarm_for(&self, wf: &Workflow) -> usize {
        let keys = predict::lookahead(wf);
        let count = keys.len();
        if count > 0 && tokio::runtime::Handle::try_current().is_ok() {
            drop(self.prewarm(keys));
            count
        } else {
            0
        }
    }

    fn entry_states(&self) -> Vec<(String, &'static str)> {
        let mut states: Vec<_> = self
            .states()
            .into_iter()
            .map(|(key, state)| (key.to_string(), state))
            .collect();
        states.sort();
        states
    }

    fn usage(&self) -> PoolUse {
        Pool::usage(self)
    }
}
