//! Where the Conductor finds its run recorder: filled once the connection to OFB is up, which
//! takes a second or two after Symphony starts (OFB is Python). A run that starts meanwhile
//! waits for it (a while at most) rather than going unrecorded.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::ports::run_record::RunRecordPort;

/// How long a run waits for the connection to OFB before it goes ahead unrecorded.
pub const CONNECT_WAIT: Duration = Duration::from_secs(30);

#[derive(Clone)]
enum State {
    /// Nothing records runs (OFB is turned off, or this Conductor was built without it).
    Off,
    /// The connection is being made.
    Connecting,
    /// Runs are recorded here.
    Ready(Arc<dyn RunRecordPort>),
    /// The connection was made, but runs cannot be recorded: why.
    Unavailable(String),
}

/// What a run records into, shared by the Conductor and whoever connects to OFB.
#[derive(Clone)]
pub struct RecordSlot(Arc<(Mutex<State>, Condvar)>);

impl std::fmt::Debug for RecordSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &*self.lock() {
            State::Off => "off",
            State::Connecting => "connecting",
            State::Ready(_) => "ready",
            State::Unavailable(_) => "unavailable",
        };
        f.debug_tuple("RecordSlot").field(&state).finish()
    }
}

impl Default for RecordSlot {
    /// Nothing records runs.
    fn default() -> Self {
        RecordSlot::with(State::Off)
    }
}

/// What a run finds in the slot.
#[derive(Debug)]
pub enum Recorder {
    /// Nothing records runs: say nothing.
    Off,
    /// Record here.
    Ready(Arc<dyn RunRecordPort>),
    /// Runs are not recorded, and this is why.
    Unavailable(String),
}

impl RecordSlot {
    /// A slot whose recorder is on its way ([`Self::fill`] or [`Self::give_up`] follows).
    pub fn connecting() -> RecordSlot {
        RecordSlot::with(State::Connecting)
    }

    fn with(state: State) -> RecordSlot {
        RecordSlot(Arc::new((Mutex::new(state), Condvar::new())))
    }

    /// Runs are recorded by `port` from now on.
    pub fn fill(&self, port: Arc<dyn RunRecordPort>) {
        self.settle(State::Ready(port));
    }

    /// Runs cannot be recorded, because of `reason`.
    pub fn give_up(&self, reason: String) {
        self.settle(State::Unavailable(reason));
    }

    /// Nothing records runs (OFB is turned off).
    pub fn turn_off(&self) {
        self.settle(State::Off);
    }

    fn settle(&self, state: State) {
        *self.lock() = state;
        self.0.1.notify_all();
    }

    /// The recorder, waiting up to `wait` while the connection is still being made.
    pub fn recorder(&self, wait: Duration) -> Recorder {
        let deadline = Instant::now() + wait;
        let mut state = self.lock();
        while matches!(*state, State::Connecting) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Recorder::Unavailable(format!(
                    "Symphony was still connecting to OFB after {} s",
                    wait.as_secs()
                ));
            }
            state = self
                .0
                .1
                .wait_timeout(state, left)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
        match &*state {
            State::Off | State::Connecting => Recorder::Off,
            State::Ready(port) => Recorder::Ready(port.clone()),
            State::Unavailable(reason) => Recorder::Unavailable(reason.clone()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.0
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_waits_for_the_connection_then_goes_ahead() {
        assert!(matches!(
            RecordSlot::default().recorder(Duration::from_secs(5)),
            Recorder::Off
        ));
        let slot = RecordSlot::connecting();
        let filler = slot.clone();
        let thread = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            filler.give_up("OFB is offline".into());
        });
        let found = slot.recorder(Duration::from_secs(5));
        assert!(matches!(found, Recorder::Unavailable(r) if r == "OFB is offline"));
        thread.join().ok();
        let stuck = RecordSlot::connecting();
        assert!(matches!(
            stuck.recorder(Duration::from_millis(20)),
            Recorder::Unavailable(r) if r.contains("still connecting")
        ));
    }
}
