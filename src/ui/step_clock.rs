//! Keeps a running step's elapsed time moving in the chat between the Conductor's events: the
//! Conductor reports a step when its state changes, so a long step would show the time it
//! started at. The clock remembers each running step's last event and, on every tick, sends it
//! again with the time since added.
//!
//! Events and ticks are sent under one lock, so a tick never overtakes the event that ends its
//! step (the chat never sees a finished step running again).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::ports::conductor::{ConductorEvent, StepId, StepState};

/// How often the running steps' times are sent.
pub const TICK: Duration = Duration::from_millis(500);

/// The running steps of one Conductor call.
#[derive(Debug, Default)]
pub struct StepClock {
    running: Mutex<HashMap<StepId, (Instant, ConductorEvent)>>,
}

impl StepClock {
    /// Passes `event` on through `send`, remembering a step that is now running (or
    /// forgetting one that no longer is).
    pub fn see(&self, event: ConductorEvent, send: &mut dyn FnMut(ConductorEvent)) {
        let mut running = self.lock();
        if let ConductorEvent::Step { step, state, .. } = &event {
            if *state == StepState::Running {
                running.insert(step.clone(), (Instant::now(), event.clone()));
            } else {
                running.remove(step);
            }
        }
        send(event);
    }

    /// Sends each running step's last event again, its elapsed time brought up to now.
    pub fn tick(&self, send: &mut dyn FnMut(ConductorEvent)) {
        let running = self.lock();
        for (seen, event) in running.values() {
            if let ConductorEvent::Step {
                step,
                state,
                attempt,
                elapsed,
                detail,
            } = event
            {
                send(ConductorEvent::Step {
                    step: step.clone(),
                    state: *state,
                    attempt: *attempt,
                    elapsed: *elapsed + seen.elapsed(),
                    detail: detail.clone(),
                });
            }
        }
    }

    /// Forgets every step: the call ended, so nothing is sent again (before its last update).
    pub fn stop(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<StepId, (Instant, ConductorEvent)>> {
        self.running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn step(name: &str, state: StepState, elapsed_ms: u64) -> ConductorEvent {
        ConductorEvent::Step {
            step: StepId::new(name).unwrap(),
            state,
            attempt: 1,
            elapsed: Duration::from_millis(elapsed_ms),
            detail: None,
        }
    }

    fn elapsed(event: &ConductorEvent) -> Duration {
        match event {
            ConductorEvent::Step { elapsed, .. } => *elapsed,
            _ => Duration::ZERO,
        }
    }

    #[test]
    fn a_running_step_ticks_forward_and_a_finished_one_stops() {
        let clock = StepClock::default();
        let mut sent = Vec::new();
        clock.see(step("sort", StepState::Running, 100), &mut |e| sent.push(e));
        clock.see(ConductorEvent::Token("not a step".into()), &mut |e| {
            sent.push(e)
        });
        assert_eq!(sent.len(), 2, "every event is passed on");
        std::thread::sleep(Duration::from_millis(20));
        let mut ticks = Vec::new();
        clock.tick(&mut |e| ticks.push(e));
        assert_eq!(ticks.len(), 1);
        assert!(elapsed(&ticks[0]) >= Duration::from_millis(120));

        clock.see(step("sort", StepState::Done, 400), &mut |e| sent.push(e));
        let mut after = Vec::new();
        clock.tick(&mut |e| after.push(e));
        assert!(after.is_empty(), "a finished step is not sent again");
    }
}
