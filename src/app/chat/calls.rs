//! Starting and stopping Conductor calls: plan a request, run a plan, cancel, retry.
//! One call at a time; each is an effect that the runtime carries out off the UI loop.

use crate::app::effect::Effect;
use crate::app::state::AppState;
use crate::ports::conductor::{Attachment, PlanRequest, Proposal};

use super::state::{Call, ChatState, Entry, InFlight, PlanStatus, RunCard, Tone};

/// Why no call can start now, said in the transcript; false when one can.
fn refuse(chat: &mut ChatState) -> bool {
    if let Some(reason) = &chat.unavailable {
        let text = format!("Not sent: the Conductor is not available ({reason})");
        chat.note(Tone::Error, text);
        return true;
    }
    if let Some(flight) = &chat.in_flight {
        let doing = match flight.call {
            Call::Plan(_) => "planning",
            Call::Run(_) => "running a plan",
        };
        let text = format!(
            "The Conductor is still {doing}: wait for it, or stop it with `/cancel` (Ctrl-C)"
        );
        chat.note(Tone::Warning, text);
        return true;
    }
    false
}

fn label(attachment: &Attachment) -> String {
    match attachment {
        Attachment::Text { label, .. } => label.clone(),
        Attachment::Artifact(name) => name.clone(),
    }
}

/// Ask for a plan for `intent` (with the attachments); run it at once when `run_now`.
pub(crate) fn plan(state: &mut AppState, intent: String, run_now: bool) -> Vec<Effect> {
    let chat = &mut state.chat;
    if refuse(chat) {
        return Vec::new();
    }
    for entry in &mut chat.entries {
        if let Entry::Plan { status, .. } = entry
            && *status == PlanStatus::Pending
        {
            *status = PlanStatus::Discarded;
        }
    }
    let attachments = std::mem::take(&mut chat.attachments);
    chat.entries.push(Entry::User {
        text: intent.clone(),
        attachments: attachments.iter().map(label).collect(),
    });
    let request = PlanRequest {
        intent,
        attachments,
        planner: chat.planner,
    };
    start(chat, Call::Plan(request.clone()), run_now);
    vec![Effect::ConductorPlan(request)]
}

fn start(chat: &mut ChatState, call: Call, run_when_proposed: bool) {
    chat.in_flight = Some(InFlight {
        call,
        run_when_proposed,
        cancelling: false,
        streamed: false,
        run_id: None,
    });
    chat.scroll = 0;
}

/// Run the plan awaiting confirmation.
pub(crate) fn run_pending(state: &mut AppState) -> Vec<Effect> {
    let chat = &mut state.chat;
    let Some(index) = chat.pending_plan() else {
        chat.note(
            Tone::Warning,
            "No plan awaits confirmation: type a request, or `/plan TEXT`",
        );
        return Vec::new();
    };
    if refuse(chat) {
        return Vec::new();
    }
    let Entry::Plan { proposal, status } = &mut chat.entries[index] else {
        return Vec::new();
    };
    *status = PlanStatus::Accepted;
    let proposal = proposal.as_ref().clone();
    run(chat, proposal)
}

/// Start a run of `proposal` (the caller has checked that none is in flight).
pub(crate) fn run(chat: &mut ChatState, proposal: Proposal) -> Vec<Effect> {
    chat.entries
        .push(Entry::Run(Box::new(RunCard::new(&proposal))));
    chat.selected_output = 0;
    start(chat, Call::Run(Box::new(proposal.clone())), false);
    vec![Effect::ConductorRun(proposal)]
}

/// Discard the plan awaiting confirmation.
pub(crate) fn discard(chat: &mut ChatState) {
    if let Some(index) = chat.pending_plan()
        && let Entry::Plan { status, .. } = &mut chat.entries[index]
    {
        *status = PlanStatus::Discarded;
        chat.note(Tone::Info, "Plan discarded");
    }
}

/// Ask the call in flight to stop.
pub(crate) fn cancel(chat: &mut ChatState) -> Vec<Effect> {
    match &mut chat.in_flight {
        None => {
            chat.note(Tone::Info, "Nothing is in flight: nothing to cancel");
            Vec::new()
        }
        Some(flight) if flight.cancelling => Vec::new(),
        Some(flight) => {
            flight.cancelling = true;
            vec![Effect::ConductorCancel]
        }
    }
}

/// Plan or run again what failed last.
pub(crate) fn retry(state: &mut AppState) -> Vec<Effect> {
    let chat = &mut state.chat;
    let Some(failed) = chat.last_failure.clone() else {
        chat.note(Tone::Info, "Nothing has failed: nothing to retry");
        return Vec::new();
    };
    if refuse(chat) {
        return Vec::new();
    }
    chat.last_failure = None;
    match failed {
        Call::Plan(request) => {
            let text = format!("Asking again: {}", request.intent);
            chat.note(Tone::Info, text);
            start(chat, Call::Plan(request.clone()), false);
            vec![Effect::ConductorPlan(request)]
        }
        Call::Run(proposal) => run(chat, *proposal),
    }
}

/// Open the pending (or latest) plan in the Harmony Board.
pub(crate) fn board(state: &mut AppState) -> Vec<Effect> {
    let chat = &mut state.chat;
    let proposal = chat
        .pending_plan()
        .and_then(|i| match &chat.entries[i] {
            Entry::Plan { proposal, .. } => Some(proposal.as_ref().clone()),
            _ => None,
        })
        .or_else(|| chat.latest_proposal().cloned());
    match proposal {
        None => {
            chat.note(Tone::Warning, "No plan to open: ask for one first");
            Vec::new()
        }
        Some(proposal) => {
            crate::app::update::say(
                state,
                crate::app::state::Severity::Info,
                "Sent the plan to the Harmony Board",
            );
            vec![Effect::OpenInBoard(proposal)]
        }
    }
}
