//! The transcript as screen lines: every entry (messages, notes, plan and run cards) laid out
//! for a width, with semantic roles that the renderer maps to theme colours. Pure, so that
//! scrolling in `update` and drawing agree on the number of lines.

use std::time::Duration;

use crate::ports::conductor::{Importance, Proposal, StepState};

use super::highlight::TokenKind;
use super::markdown::{self, BlockKind, Inline, Span};
use super::state::{ChatState, Entry, PlanStatus, RunCard, RunOutcome, Tone};
use super::wrap::{VisualLine, wrap};

/// What a piece of text is, for colouring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Plain text.
    Text,
    /// Prose with emphasis.
    Prose(Inline),
    /// Secondary text.
    Dim,
    /// A Markdown heading.
    Heading,
    /// A quote.
    Quote,
    /// Code in a block.
    Code(TokenKind),
    /// The user's name on their messages.
    You,
    /// The Conductor's name on its messages.
    Conductor,
    /// Good news (done, succeeded).
    Success,
    /// Needs attention (cancelling, skipped…).
    Warning,
    /// Failed.
    Error,
    /// Something to act on (keys, running steps).
    Accent,
    /// The selected output.
    Selected,
}

/// Text with a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// What it is.
    pub role: Role,
    /// The text.
    pub text: String,
}

fn seg(role: Role, text: impl Into<String>) -> Segment {
    Segment {
        role,
        text: text.into(),
    }
}

/// Every line of the transcript at `width`, oldest first.
pub fn lines(chat: &ChatState, width: usize) -> Vec<VisualLine> {
    let width = width.max(8);
    let mut out: Vec<VisualLine> = Vec::new();
    if chat.entries.is_empty() {
        out.push(vec![seg(Role::Heading, "No conversation yet")]);
        let text = match &chat.unavailable {
            // Short: the pane may have only a few rows, and this is what matters.
            Some(reason) => seg(
                Role::Warning,
                format!("The Conductor is not available: {reason}."),
            ),
            None => seg(
                Role::Dim,
                "Type a request and press Enter: the Conductor makes it a plan of extension \
                 calls, shows it, and runs it when you confirm. /help lists the commands.",
            ),
        };
        out.extend(wrap(&[text], width, &[], &[]));
        return out;
    }
    let latest_run = chat
        .entries
        .iter()
        .rposition(|e| matches!(e, Entry::Run(_)));
    for (i, entry) in chat.entries.iter().enumerate() {
        if i > 0 {
            out.push(Vec::new());
        }
        match entry {
            Entry::User { text, attachments } => {
                out.push(vec![seg(Role::You, "› you")]);
                for line in text.lines() {
                    out.extend(wrap(
                        &[seg(Role::Text, line)],
                        width,
                        &[seg(Role::Text, "  ")],
                        &[seg(Role::Text, "  ")],
                    ));
                }
                for label in attachments {
                    out.push(vec![seg(Role::Dim, format!("  + {label}"))]);
                }
            }
            Entry::Conductor { text, streaming } => {
                let mut header = vec![seg(Role::Conductor, "◆ Conductor")];
                if *streaming {
                    header.push(seg(Role::Dim, " …"));
                }
                out.push(header);
                out.extend(markdown_lines(text, width, 2));
            }
            Entry::Note { tone, text } => {
                let (mark, role) = match tone {
                    Tone::Info => ("· ", Role::Dim),
                    Tone::Warning => ("! ", Role::Warning),
                    Tone::Error => ("✗ ", Role::Error),
                };
                let mut body = markdown_lines(text, width.saturating_sub(2), 0);
                if let Some(first) = body.first_mut() {
                    first.insert(0, seg(role, mark));
                }
                for line in body.iter_mut().skip(1) {
                    line.insert(0, seg(Role::Text, "  "));
                }
                out.extend(body);
            }
            Entry::Plan { proposal, status } => out.extend(plan_card(proposal, *status, width)),
            Entry::Run(card) => {
                let selected = (Some(i) == latest_run).then_some(chat.selected_output);
                out.extend(run_card(card, selected, width));
            }
        }
    }
    out
}

/// Markdown laid out at `width`, indented by `indent` columns.
pub fn markdown_lines(text: &str, width: usize, indent: usize) -> Vec<VisualLine> {
    let pad = " ".repeat(indent);
    let mut out = Vec::new();
    for block in markdown::parse(text) {
        let content: Vec<Segment> = block
            .spans
            .iter()
            .map(|span| match span {
                Span::Text(inline, text) => match block.kind {
                    BlockKind::Heading(_) => seg(Role::Heading, text.clone()),
                    BlockKind::Quote => seg(Role::Quote, text.clone()),
                    _ if *inline == Inline::default() => seg(Role::Text, text.clone()),
                    _ => seg(Role::Prose(*inline), text.clone()),
                },
                Span::Code(kind, text) => seg(Role::Code(*kind), text.clone()),
            })
            .collect();
        let (first, rest) = match &block.kind {
            BlockKind::Paragraph | BlockKind::Heading(_) => (pad.clone(), pad.clone()),
            BlockKind::Bullet { depth } => {
                let lead = format!("{pad}{}", "  ".repeat(*depth));
                (format!("{lead}• "), format!("{lead}  "))
            }
            BlockKind::Numbered { depth, number } => {
                let lead = format!("{pad}{}", "  ".repeat(*depth));
                let mark = format!("{number}. ");
                let hang = " ".repeat(mark.len());
                (format!("{lead}{mark}"), format!("{lead}{hang}"))
            }
            BlockKind::Quote => (format!("{pad}│ "), format!("{pad}│ ")),
            BlockKind::Code { .. } => (format!("{pad}  "), format!("{pad}  ")),
            BlockKind::Rule => {
                out.push(vec![seg(
                    Role::Dim,
                    format!("{pad}{}", "─".repeat(width.saturating_sub(indent))),
                )]);
                continue;
            }
            BlockKind::Blank => {
                out.push(Vec::new());
                continue;
            }
        };
        let prefix_role = match block.kind {
            BlockKind::Bullet { .. } | BlockKind::Numbered { .. } => Role::Accent,
            BlockKind::Quote => Role::Dim,
            _ => Role::Text,
        };
        if matches!(block.kind, BlockKind::Code { .. }) && content.is_empty() {
            out.push(vec![seg(Role::Code(TokenKind::Plain), first)]);
            continue;
        }
        out.extend(wrap(
            &content,
            width,
            &[seg(prefix_role, first)],
            &[seg(Role::Text, rest)],
        ));
    }
    out
}

fn importance_name(importance: Importance) -> &'static str {
    match importance {
        Importance::Essential => "essential",
        Importance::Recommended => "recommended",
        Importance::Optional => "optional",
    }
}

fn plan_card(proposal: &Proposal, status: PlanStatus, width: usize) -> Vec<VisualLine> {
    let plan = &proposal.plan;
    let steps = plan.steps.len();
    let mut out = wrap(
        &[
            seg(Role::Heading, "Plan"),
            seg(
                Role::Dim,
                format!(
                    " · {} · {steps} step{}",
                    proposal.planner,
                    if steps == 1 { "" } else { "s" }
                ),
            ),
        ],
        width,
        &[seg(Role::Accent, "▣ ")],
        &[seg(Role::Text, "  ")],
    );
    let id_width = plan
        .steps
        .iter()
        .map(|s| s.id.as_str().chars().count())
        .max()
        .unwrap_or(0)
        .min(16);
    for (n, step) in plan.steps.iter().enumerate() {
        let provider = proposal
            .providers
            .iter()
            .find(|(id, _)| *id == step.id)
            .map_or("no provider", |(_, p)| p.as_str());
        let mut content = vec![
            seg(Role::Text, format!("{:<id_width$}  ", step.id.as_str())),
            seg(Role::Accent, step.capability.to_string()),
            seg(Role::Dim, format!(" · {provider} · ")),
            seg(
                if step.importance == Importance::Essential {
                    Role::Text
                } else {
                    Role::Dim
                },
                importance_name(step.importance),
            ),
        ];
        if !step.after.is_empty() {
            let after: Vec<String> = step.after.iter().map(ToString::to_string).collect();
            content.push(seg(Role::Dim, format!(" · after {}", after.join(", "))));
        }
        let mark = format!("{:>2}. ", n + 1);
        out.extend(wrap(
            &content,
            width,
            &[seg(Role::Dim, format!(" {mark}"))],
            &[seg(Role::Text, " ".repeat(mark.len() + 3))],
        ));
    }
    for attachment in &proposal.attachments {
        let label = match attachment {
            crate::ports::conductor::Attachment::Text { label, .. } => label.as_str(),
            crate::ports::conductor::Attachment::Artifact(name) => name.as_str(),
        };
        out.push(vec![seg(Role::Dim, format!("  + reads {label}"))]);
    }
    let footer = match status {
        PlanStatus::Pending => vec![
            seg(Role::Accent, "Enter"),
            seg(Role::Dim, "/"),
            seg(Role::Accent, "y"),
            seg(Role::Dim, " run · "),
            seg(Role::Accent, "n"),
            seg(Role::Dim, "/"),
            seg(Role::Accent, "Esc"),
            seg(Role::Dim, " discard · "),
            seg(Role::Accent, "e"),
            seg(Role::Dim, " open in the board"),
        ],
        PlanStatus::Accepted => vec![seg(Role::Dim, "confirmed")],
        PlanStatus::Discarded => vec![seg(Role::Dim, "discarded")],
    };
    out.extend(wrap(
        &footer,
        width,
        &[seg(Role::Text, "  ")],
        &[seg(Role::Text, "  ")],
    ));
    out
}

/// The symbol and role of a step state: never colour alone.
pub fn step_mark(state: Option<StepState>) -> (&'static str, &'static str, Role) {
    match state {
        None | Some(StepState::Waiting) => ("○", "waiting", Role::Dim),
        Some(StepState::Running) => ("●", "running", Role::Accent),
        Some(StepState::Done) => ("✓", "done", Role::Success),
        Some(StepState::Failed) => ("✗", "failed", Role::Error),
        Some(StepState::Skipped) => ("↷", "skipped", Role::Warning),
        Some(StepState::Cancelled) => ("⊘", "cancelled", Role::Warning),
    }
}

/// Seconds with one decimal: `1.4s`.
pub fn seconds(elapsed: Duration) -> String {
    format!("{:.1}s", elapsed.as_secs_f64())
}

fn gauge(done: usize, total: usize, width: usize) -> Vec<Segment> {
    let cells = width.clamp(4, 24);
    let filled = (done * cells).checked_div(total).unwrap_or(cells);
    let percent = (done * 100).checked_div(total).unwrap_or(100);
    vec![
        seg(Role::Success, "━".repeat(filled)),
        seg(Role::Dim, "─".repeat(cells - filled)),
        seg(Role::Dim, format!(" {percent}%")),
    ]
}

fn run_card(card: &RunCard, selected: Option<usize>, width: usize) -> Vec<VisualLine> {
    let total = card.steps.len();
    let done = card.settled();
    let mut header = vec![
        seg(Role::Accent, "▶ "),
        seg(Role::Heading, "Run"),
        seg(Role::Dim, format!(" · {done}/{total} · ")),
    ];
    header.extend(gauge(done, total, width.saturating_sub(24)));
    let mut out = vec![header];
    let id_width = card
        .steps
        .iter()
        .map(|s| s.id.as_str().chars().count())
        .max()
        .unwrap_or(0)
        .min(16);
    for step in &card.steps {
        let (symbol, word, role) = step_mark(step.state);
        let mut content = vec![
            seg(role, format!("{symbol} ")),
            seg(Role::Text, format!("{:<id_width$} ", step.id.as_str())),
            seg(role, format!("{word:<9}")),
        ];
        if step.attempt > 0 {
            content.push(seg(
                if step.attempt > 1 {
                    Role::Warning
                } else {
                    Role::Dim
                },
                format!(" #{}", step.attempt),
            ));
            content.push(seg(Role::Dim, format!(" {}", seconds(step.elapsed))));
        }
        if let Some(detail) = &step.detail {
            content.push(seg(Role::Dim, format!(" · {detail}")));
        }
        out.extend(wrap(
            &content,
            width,
            &[seg(Role::Text, " ")],
            &[seg(Role::Text, " ".repeat(id_width + 4))],
        ));
    }
    let recovery = || {
        vec![
            seg(Role::Accent, "Recover: "),
            seg(Role::Accent, "/retry"),
            seg(Role::Dim, " runs it again · "),
            seg(Role::Accent, "/board"),
            seg(Role::Dim, " edits the plan · or ask for it differently"),
        ]
    };
    let indent = [seg(Role::Text, "  ")];
    match &card.outcome {
        RunOutcome::Running => {}
        RunOutcome::Failed(message) => {
            out.extend(wrap(
                &[seg(Role::Error, message.clone())],
                width,
                &[seg(Role::Error, "✗ ")],
                &indent,
            ));
            out.extend(wrap(&recovery(), width, &indent, &indent));
        }
        RunOutcome::Finished(report) => {
            let verdict = if report.succeeded {
                seg(
                    Role::Success,
                    format!("done in {}", seconds(report.elapsed)),
                )
            } else {
                seg(Role::Error, "the run failed")
            };
            out.extend(wrap(
                &[verdict, seg(Role::Dim, format!(" · run {}", report.run_id))],
                width,
                &[if report.succeeded {
                    seg(Role::Success, "✓ ")
                } else {
                    seg(Role::Error, "✗ ")
                }],
                &indent,
            ));
            for (step, why) in &report.failures {
                out.extend(wrap(
                    &[
                        seg(Role::Text, format!("{step}: ")),
                        seg(Role::Error, why.clone()),
                    ],
                    width,
                    &indent,
                    &[seg(Role::Text, "    ")],
                ));
            }
            for recovery in &report.recoveries {
                out.extend(wrap(
                    &[seg(Role::Dim, recovery.clone())],
                    width,
                    &[seg(Role::Warning, "  ↻ ")],
                    &[seg(Role::Text, "    ")],
                ));
            }
            if !report.succeeded {
                out.extend(wrap(&recovery(), width, &indent, &indent));
            }
            if let Some(recorded) = &report.recorded {
                out.extend(wrap(
                    &[seg(Role::Dim, recorded.clone())],
                    width,
                    &indent,
                    &indent,
                ));
            }
            if !report.outputs.is_empty() {
                let mut heading = vec![seg(Role::Heading, "Outputs")];
                if selected.is_some() {
                    heading.push(seg(
                        Role::Dim,
                        " · Ctrl-Up/Down select · Alt-o open · Alt-i insert at the cursor",
                    ));
                }
                out.extend(wrap(&heading, width, &indent, &indent));
            }
            for (n, output) in report.outputs.iter().enumerate() {
                let chosen = selected == Some(n);
                let name = output
                    .path
                    .file_name()
                    .map_or_else(|| output.name.clone(), |f| f.to_string_lossy().into_owned());
                out.extend(wrap(
                    &[
                        seg(
                            if chosen { Role::Selected } else { Role::Text },
                            format!("{} {name}", n + 1),
                        ),
                        seg(Role::Dim, format!(" · {}", output.step)),
                    ],
                    width,
                    &[seg(Role::Accent, if chosen { "  ▸ " } else { "    " })],
                    &[seg(Role::Text, "      ")],
                ));
                if let Some(preview) = &output.preview {
                    for line in preview.lines().take(3) {
                        out.extend(wrap(
                            &[seg(Role::Code(TokenKind::Plain), line)],
                            width,
                            &[seg(Role::Text, "      ")],
                            &[seg(Role::Text, "      ")],
                        ));
                    }
                }
            }
        }
    }
    out
}
