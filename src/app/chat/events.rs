//! What the Conductor reports, applied to the chat: streamed tokens, a proposed plan, step
//! progress, the end of a run, failures.

use crate::app::effect::Effect;
use crate::app::state::AppState;
use crate::ports::conductor::{ConductorError, StepState};

use super::action::ConductorUpdate;
use super::calls;
use super::outputs;
use super::state::{
    Call, ChatState, ConductorFailure, Entry, PlanStatus, RunOutcome, StepProgress, Tone,
};

/// Apply one report from the Conductor.
pub(crate) fn update(state: &mut AppState, update: ConductorUpdate) -> Vec<Effect> {
    let chat = &mut state.chat;
    match update {
        ConductorUpdate::Token(text) => {
            append_token(chat, &text);
            Vec::new()
        }
        ConductorUpdate::Started { run_id } => {
            if let Some(flight) = &mut chat.in_flight {
                flight.run_id = Some(run_id);
            }
            Vec::new()
        }
        ConductorUpdate::Step {
            step,
            state: step_state,
            attempt,
            elapsed,
            detail,
        } => {
            let Some(card) = chat.latest_run_mut() else {
                return Vec::new();
            };
            let index = match card.steps.iter().position(|s| s.id == step) {
                Some(i) => i,
                None => {
                    // A step the plan did not list (an undo step, a fallback): shown too.
                    card.steps.push(StepProgress {
                        id: step,
                        capability: String::new(),
                        importance: Default::default(),
                        state: None,
                        attempt: 0,
                        elapsed: Default::default(),
                        detail: None,
                    });
                    card.steps.len() - 1
                }
            };
            let progress = &mut card.steps[index];
            progress.state = Some(step_state);
            progress.attempt = attempt;
            progress.elapsed = elapsed;
            if detail.is_some() || step_state == StepState::Running {
                progress.detail = detail;
            }
            Vec::new()
        }
        ConductorUpdate::Proposed(proposal) => {
            end_streaming(chat);
            let flight = chat.in_flight.take();
            let streamed = flight.as_ref().is_some_and(|f| f.streamed);
            if !streamed && !proposal.explanation.trim().is_empty() {
                chat.entries.push(Entry::Conductor {
                    text: proposal.explanation.clone(),
                    streaming: false,
                });
            }
            for entry in &mut chat.entries {
                if let Entry::Plan { status, .. } = entry
                    && *status == PlanStatus::Pending
                {
                    *status = PlanStatus::Discarded;
                }
            }
            let run_now = flight.is_some_and(|f| f.run_when_proposed);
            chat.entries.push(Entry::Plan {
                proposal: proposal.clone(),
                status: if run_now {
                    PlanStatus::Accepted
                } else {
                    PlanStatus::Pending
                },
            });
            chat.scroll = 0;
            if run_now {
                calls::run(chat, *proposal)
            } else {
                Vec::new()
            }
        }
        ConductorUpdate::Finished(report) => {
            end_streaming(chat);
            let flight = chat.in_flight.take();
            chat.last_failure = match flight.map(|f| f.call) {
                Some(call @ Call::Run(_)) if !report.succeeded => Some(call),
                _ => None,
            };
            chat.selected_output = 0;
            match chat.latest_run_mut() {
                Some(card) => card.outcome = RunOutcome::Finished(*report),
                None => chat.note(Tone::Info, format!("Run {} ended", report.run_id)),
            }
            chat.scroll = 0;
            Vec::new()
        }
        ConductorUpdate::Failed(failure) => {
            failed(chat, failure);
            Vec::new()
        }
        ConductorUpdate::OutputRead { buffer, path, text } => {
            outputs::read(state, buffer, path, text)
        }
    }
}

fn append_token(chat: &mut ChatState, text: &str) {
    if let Some(flight) = &mut chat.in_flight {
        flight.streamed = true;
    }
    if let Some(Entry::Conductor {
        text: reply,
        streaming: true,
    }) = chat.entries.last_mut()
    {
        reply.push_str(text);
        return;
    }
    chat.entries.push(Entry::Conductor {
        text: text.to_owned(),
        streaming: true,
    });
}

fn end_streaming(chat: &mut ChatState) {
    for entry in chat.entries.iter_mut().rev() {
        if let Entry::Conductor { streaming, .. } = entry {
            *streaming = false;
        }
    }
}

fn failed(chat: &mut ChatState, failure: ConductorFailure) {
    end_streaming(chat);
    let cancelled = matches!(failure, ConductorFailure::Error(ConductorError::Cancelled));
    let flight = chat.in_flight.take();
    let run_id = flight.as_ref().and_then(|f| f.run_id.clone());
    match flight.map(|f| f.call) {
        Some(Call::Run(mut proposal)) => {
            let message = match (cancelled, &run_id) {
                (true, Some(_)) => {
                    "the run was cancelled: `/retry` resumes it (finished steps are kept)"
                        .to_owned()
                }
                (true, None) => "the run was cancelled: `/retry` runs it again".to_owned(),
                (false, _) => failure.to_string(),
            };
            if cancelled {
                proposal.resume = run_id;
            }
            if let Some(card) = chat.latest_run_mut() {
                card.outcome = RunOutcome::Failed(message);
                for step in &mut card.steps {
                    if cancelled && matches!(step.state, None | Some(StepState::Waiting)) {
                        step.state = Some(StepState::Cancelled);
                    }
                }
            }
            chat.last_failure = Some(Call::Run(proposal));
        }
        Some(Call::Plan(request)) => {
            if cancelled {
                chat.note(Tone::Warning, "Planning cancelled");
            } else {
                chat.note(
                    Tone::Error,
                    format!("{failure}\n\n`/retry` asks again; `/planner offline` works without a network"),
                );
            }
            chat.last_failure = Some(Call::Plan(request));
        }
        None => chat.note(Tone::Error, failure.to_string()),
    }
    chat.scroll = 0;
}
