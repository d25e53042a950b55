//! Carries out the chat's Conductor effects off the UI loop: each call runs on a blocking
//! thread (`spawn_blocking`), its events come back as `Action::Conductor` through the
//! runtime's background channel, and a panic in the Conductor becomes a `Failed` report.
//!
//! Architecture invariant: a Conductor call never runs on the UI loop, and a Conductor panic
//! never ends the program.

use std::any::Any;
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::app::chat::{ConductorFailure, ConductorUpdate};
use crate::app::{Action, Effect};
use crate::ports::conductor::{CancelFlag, ConductorEvent, ConductorPort};

use super::step_clock::{StepClock, TICK};

/// Why the pane has no Conductor when none is given (the log has the details).
pub const NOT_WIRED: &str = "it could not be set up (the log, DATA_DIR/logs/symphony.log, \
     says why); the editor and the other panes work";

thread_local! {
    /// Set while this thread is inside a guarded Conductor call, so that the terminal's
    /// panic hook leaves the screen alone for a panic that will be caught.
    static IN_GUARDED_CALL: Cell<bool> = const { Cell::new(false) };
}

/// Whether the current thread is inside a Conductor call whose panic will be caught.
pub fn in_guarded_call() -> bool {
    IN_GUARDED_CALL.with(Cell::get)
}

/// The Conductor's calls in flight, and the port they go to.
pub struct ConductorTasks {
    port: Option<Arc<dyn ConductorPort>>,
    actions: UnboundedSender<Action>,
    /// The call in flight: its cancel flag and task.
    current: Option<(CancelFlag, JoinHandle<()>)>,
    /// Output reads in flight.
    reads: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for ConductorTasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConductorTasks")
            .field("available", &self.port.is_some())
            .field("in_flight", &self.current.is_some())
            .finish()
    }
}

impl ConductorTasks {
    /// Tasks for `port` (or none: the chat then says why), reporting through `actions`.
    pub fn new(
        port: Option<Arc<dyn ConductorPort>>,
        actions: UnboundedSender<Action>,
    ) -> ConductorTasks {
        ConductorTasks {
            port,
            actions,
            current: None,
            reads: Vec::new(),
        }
    }

    /// Why the Conductor cannot be used, if it cannot.
    pub fn unavailable(&self) -> Option<String> {
        self.port.is_none().then(|| NOT_WIRED.to_owned())
    }

    /// Carry out the Conductor's effects; return the others, for the editor port.
    /// Must be called inside a tokio runtime.
    pub fn execute(&mut self, effects: Vec<Effect>) -> Vec<Effect> {
        let mut rest = Vec::new();
        for effect in effects {
            match effect {
                Effect::ConductorPlan(request) => {
                    self.spawn(move |port, events, cancel| {
                        match port.plan(&request, events, cancel) {
                            Ok(proposal) => ConductorUpdate::Proposed(Box::new(proposal)),
                            Err(error) => ConductorUpdate::Failed(error.into()),
                        }
                    })
                }
                Effect::ConductorRun(proposal) => {
                    self.spawn(move |port, events, cancel| {
                        match port.run(&proposal, events, cancel) {
                            Ok(report) => ConductorUpdate::Finished(Box::new(report)),
                            Err(error) => ConductorUpdate::Failed(error.into()),
                        }
                    })
                }
                Effect::ConductorCancel => {
                    if let Some((cancel, _)) = &self.current {
                        cancel.cancel();
                    }
                }
                Effect::ReadOutput { buffer, path } => {
                    let actions = self.actions.clone();
                    self.reads.retain(|h| !h.is_finished());
                    self.reads.push(tokio::task::spawn_blocking(move || {
                        let text = std::fs::read_to_string(&path).map_err(|e| e.to_string());
                        let _ = actions.send(Action::Conductor(ConductorUpdate::OutputRead {
                            buffer,
                            path,
                            text,
                        }));
                    }));
                }
                other => rest.push(other),
            }
        }
        rest
    }

    /// Run one call on a blocking thread, reporting its events and its end.
    fn spawn<F>(&mut self, call: F)
    where
        F: FnOnce(
                &dyn ConductorPort,
                &mut dyn FnMut(ConductorEvent),
                &CancelFlag,
            ) -> ConductorUpdate
            + Send
            + 'static,
    {
        let actions = self.actions.clone();
        let Some(port) = self.port.clone() else {
            // The chat does not ask when it knows the Conductor is missing; say it anyway.
            let _ = actions.send(Action::Conductor(ConductorUpdate::Failed(
                ConductorFailure::Unavailable(NOT_WIRED.to_owned()),
            )));
            return;
        };
        let cancel = CancelFlag::new();
        let flag = cancel.clone();
        // Running steps' times keep moving between the Conductor's events.
        let clock = Arc::new(StepClock::default());
        let ticker = {
            let (clock, actions) = (clock.clone(), actions.clone());
            tokio::spawn(async move {
                let mut every = tokio::time::interval(TICK);
                every.tick().await;
                loop {
                    every.tick().await;
                    clock.tick(&mut |event| {
                        let _ = actions.send(Action::Conductor(event.into()));
                    });
                }
            })
        };
        let handle = tokio::task::spawn_blocking(move || {
            let events_tx = actions.clone();
            let events_clock = clock.clone();
            let mut events = move |event: ConductorEvent| {
                events_clock.see(event, &mut |event| {
                    let _ = events_tx.send(Action::Conductor(event.into()));
                });
            };
            IN_GUARDED_CALL.with(|c| c.set(true));
            let result = catch_unwind(AssertUnwindSafe(|| call(&*port, &mut events, &flag)));
            IN_GUARDED_CALL.with(|c| c.set(false));
            let update = result.unwrap_or_else(|panic| {
                let message = panic_message(panic.as_ref());
                tracing::error!("the Conductor panicked: {message}");
                ConductorUpdate::Failed(ConductorFailure::Crashed(message))
            });
            ticker.abort();
            clock.stop();
            let _ = actions.send(Action::Conductor(update));
        });
        self.current = Some((cancel, handle));
    }

    /// Ask the call in flight to stop (on quit); its thread ends on its own.
    pub fn shutdown(&mut self) {
        if let Some((cancel, _)) = self.current.take() {
            cancel.cancel();
        }
    }
}

/// The text of a panic's payload.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::Duration;

    use tokio::sync::mpsc::unbounded_channel;

    use super::*;
    use crate::app::chat::state::{Entry, PlanStatus, RunOutcome};
    use crate::app::{AppState, update};
    use crate::ports::conductor::{
        ConductorError, Importance, Plan, PlanRequest, Proposal, RunReport, Step, StepId, StepState,
    };
    use crate::theme::{BUILTIN_THEMES, ColorDepth, Theme};

    /// A scripted Conductor: plans one step, streams two tokens, runs it; or panics, or waits
    /// for a cancel.
    struct Scripted {
        panic_on_plan: bool,
        wait_for_cancel: bool,
        calls: Mutex<u32>,
    }

    fn scripted() -> Scripted {
        Scripted {
            panic_on_plan: false,
            wait_for_cancel: false,
            calls: Mutex::new(0),
        }
    }

    fn step_id(s: &str) -> StepId {
        StepId::new(s).expect("a valid step id")
    }

    impl ConductorPort for Scripted {
        fn plan(
            &self,
            request: &PlanRequest,
            events: &mut dyn FnMut(ConductorEvent),
            cancel: &CancelFlag,
        ) -> Result<Proposal, ConductorError> {
            *self.calls.lock().expect("not poisoned") += 1;
            if self.panic_on_plan {
                panic!("scripted planner bug");
            }
            events(ConductorEvent::Token("I will ".into()));
            events(ConductorEvent::Token("**upper-case** it.".into()));
            if self.wait_for_cancel {
                while !cancel.is_cancelled() {
                    std::thread::sleep(Duration::from_millis(2));
                }
                return Err(ConductorError::Cancelled);
            }
            Ok(Proposal {
                plan: Plan {
                    intent: request.intent.clone(),
                    steps: vec![Step {
                        id: step_id("upper"),
                        capability: conductor::plan::CapabilityId::new("text.upper")
                            .expect("valid"),
                        params: Default::default(),
                        after: Vec::new(),
                        importance: Importance::Essential,
                        undo: None,
                    }],
                    input: None,
                },
                planner: "scripted".into(),
                explanation: "I will **upper-case** it.".into(),
                providers: vec![(step_id("upper"), "text-ops".into())],
                attachments: request.attachments.clone(),
                resume: None,
            })
        }

        fn run(
            &self,
            proposal: &Proposal,
            events: &mut dyn FnMut(ConductorEvent),
            _cancel: &CancelFlag,
        ) -> Result<RunReport, ConductorError> {
            for state in [StepState::Running, StepState::Done] {
                events(ConductorEvent::Step {
                    step: proposal.plan.steps[0].id.clone(),
                    state,
                    attempt: 1,
                    elapsed: Duration::from_millis(5),
                    detail: None,
                });
            }
            Ok(RunReport {
                run_id: "r1".into(),
                succeeded: true,
                outputs: Vec::new(),
                failures: Vec::new(),
                recoveries: Vec::new(),
                elapsed: Duration::from_millis(7),
                recorded: None,
            })
        }
    }

    fn state() -> AppState {
        let theme = Theme::parse(BUILTIN_THEMES[0].1, "dark", ColorDepth::TrueColor)
            .expect("the built-in theme parses");
        AppState::new((160, 48), theme)
    }

    /// Drive `update` and the tasks like the main loop does, until `done` holds.
    async fn drive(
        tasks: &mut ConductorTasks,
        rx: &mut tokio::sync::mpsc::UnboundedReceiver<Action>,
        state: &mut AppState,
        done: impl Fn(&AppState) -> bool,
    ) {
        while !done(state) {
            let action = tokio::time::timeout(Duration::from_secs(20), rx.recv())
                .await
                .expect("the Conductor reports within 20 s")
                .expect("the channel stays open");
            let rest = tasks.execute(update(state, action));
            assert!(rest.is_empty(), "no editor effect expected: {rest:?}");
        }
    }

    fn send(state: &mut AppState, tasks: &mut ConductorTasks, text: &str) {
        state.layout.focus = crate::app::state::PaneId::Conductor;
        for c in text.chars() {
            let rest = tasks.execute(update(state, Action::Type(c)));
            assert!(rest.is_empty());
        }
        let effects = update(state, Action::Chat(crate::app::chat::ChatKey::Submit));
        assert!(tasks.execute(effects).is_empty());
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_message_is_planned_streamed_confirmed_and_run() {
        let (tx, mut rx) = unbounded_channel();
        let mut tasks = ConductorTasks::new(Some(Arc::new(scripted())), tx);
        let mut state = state();
        send(&mut state, &mut tasks, "shout this");
        drive(&mut tasks, &mut rx, &mut state, |s| {
            s.chat.pending_plan().is_some()
        })
        .await;
        assert!(
            state.chat.entries.iter().any(|e| matches!(e,
                Entry::Conductor { text, streaming: false } if text == "I will **upper-case** it.")),
            "the streamed tokens form one reply: {:?}",
            state.chat.entries
        );
        let effects = update(&mut state, Action::Type('y'));
        assert!(tasks.execute(effects).is_empty());
        drive(&mut tasks, &mut rx, &mut state, |s| {
            s.chat.in_flight.is_none()
        })
        .await;
        let card = state.chat.latest_run().expect("a run card");
        assert_eq!(card.steps[0].state, Some(StepState::Done));
        assert!(matches!(&card.outcome, RunOutcome::Finished(r) if r.succeeded));
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_panicking_conductor_is_a_failure_and_the_loop_goes_on() {
        let (tx, mut rx) = unbounded_channel();
        let port = Arc::new(Scripted {
            panic_on_plan: true,
            ..scripted()
        });
        let mut tasks = ConductorTasks::new(Some(port.clone()), tx);
        let mut state = state();
        send(&mut state, &mut tasks, "crash please");
        drive(&mut tasks, &mut rx, &mut state, |s| {
            s.chat.in_flight.is_none()
        })
        .await;
        let last = state.chat.entries.last().expect("a note");
        assert!(
            matches!(last, Entry::Note { text, .. }
                if text.contains("the Conductor crashed: scripted planner bug; the editor keeps working")),
            "{last:?}"
        );
        assert!(
            !in_guarded_call(),
            "the flag is only set on the call's thread"
        );
        // The loop goes on: the next request is planned again by the same tasks.
        send(&mut state, &mut tasks, "/retry");
        drive(&mut tasks, &mut rx, &mut state, |s| {
            s.chat.in_flight.is_none()
        })
        .await;
        assert_eq!(*port.calls.lock().expect("not poisoned"), 2);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn cancel_raises_the_flag_of_the_call_in_flight() {
        let (tx, mut rx) = unbounded_channel();
        let port = Arc::new(Scripted {
            wait_for_cancel: true,
            ..scripted()
        });
        let mut tasks = ConductorTasks::new(Some(port), tx);
        let mut state = state();
        send(&mut state, &mut tasks, "/plan wait forever");
        drive(&mut tasks, &mut rx, &mut state, |s| {
            matches!(s.chat.entries.last(), Some(Entry::Conductor { text, .. }) if text.ends_with("it."))
        })
        .await;
        let effects = update(
            &mut state,
            Action::Chat(crate::app::chat::ChatKey::CancelCall),
        );
        assert_eq!(effects, [Effect::ConductorCancel]);
        assert!(tasks.execute(effects).is_empty());
        drive(&mut tasks, &mut rx, &mut state, |s| {
            s.chat.in_flight.is_none()
        })
        .await;
        assert!(matches!(state.chat.entries.last(),
            Some(Entry::Note { text, .. }) if text == "Planning cancelled"));
        assert!(!state.chat.entries.iter().any(|e| matches!(
            e,
            Entry::Plan {
                status: PlanStatus::Pending,
                ..
            }
        )));
    }

    #[tokio::test(flavor = "current_thread")]
    async fn without_a_conductor_the_pane_says_why_and_asks_nothing() {
        let (tx, _rx) = unbounded_channel();
        let tasks = ConductorTasks::new(None, tx);
        let mut state = state();
        state.chat.unavailable = tasks.unavailable();
        state.layout.focus = crate::app::state::PaneId::Conductor;
        for c in "hello".chars() {
            update(&mut state, Action::Type(c));
        }
        let effects = update(&mut state, Action::Chat(crate::app::chat::ChatKey::Submit));
        assert!(effects.is_empty());
        assert!(matches!(state.chat.entries.last(),
            Some(Entry::Note { text, .. }) if text.contains("not available") && text.contains(NOT_WIRED)));
    }

    #[tokio::test(flavor = "current_thread")]
    async fn an_output_is_read_then_pasted_into_the_buffer() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "RESULT\n").expect("written");
        let (tx, mut rx) = unbounded_channel();
        let mut tasks = ConductorTasks::new(Some(Arc::new(scripted())), tx);
        let mut state = state();
        update(&mut state, Action::OpenFiles(Vec::new()));
        let buffer = state.active_buffer().expect("a scratch buffer").id;
        let rest = tasks.execute(vec![Effect::ReadOutput {
            buffer,
            path: path.clone(),
        }]);
        assert!(rest.is_empty());
        let action = rx.recv().await.expect("the read reports");
        let effects = update(&mut state, action);
        assert_eq!(
            effects,
            [Effect::Edit {
                buffer,
                op: crate::ports::EditOp::Paste("RESULT\n".into())
            }]
        );
    }
}
