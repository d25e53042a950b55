//! Draws the Conductor chat: the transcript (laid out by `app::chat::transcript`), the line
//! saying what is in flight, the attachment chips and the input box with its cursor.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::chat::highlight::TokenKind;
use crate::app::chat::state::{Call, ChatState};
use crate::app::chat::transcript::{self, Role};
use crate::app::chat::view::{PROMPT, areas, input_rows, input_top};
use crate::app::chat::wrap::VisualLine;
use crate::app::layout::Area;
use crate::app::state::{AppState, PaneId};
use crate::ports::conductor::{Attachment, PlannerChoice};
use crate::theme::UiColors;

use super::colors::{color, fg};

/// The style of a role in the theme.
fn style(ui: &UiColors, role: Role) -> Style {
    match role {
        Role::Text => fg(ui.foreground),
        Role::Prose(inline) => {
            let mut style = if inline.code {
                fg(ui.accent).bg(color(ui.cursor_line))
            } else if inline.link {
                fg(ui.title).add_modifier(Modifier::UNDERLINED)
            } else {
                fg(ui.foreground)
            };
            if inline.bold {
                style = style.add_modifier(Modifier::BOLD);
            }
            if inline.italic {
                style = style.add_modifier(Modifier::ITALIC);
            }
            style
        }
        Role::Dim => fg(ui.dim),
        Role::Heading => fg(ui.title).add_modifier(Modifier::BOLD),
        Role::Quote => fg(ui.dim).add_modifier(Modifier::ITALIC),
        Role::Code(kind) => {
            let base = Style::new().bg(color(ui.cursor_line));
            match kind {
                TokenKind::Plain => base.fg(color(ui.foreground)),
                TokenKind::Keyword => base.fg(color(ui.accent)).add_modifier(Modifier::BOLD),
                TokenKind::Str => base.fg(color(ui.info)),
                TokenKind::Comment => base.fg(color(ui.dim)).add_modifier(Modifier::ITALIC),
                TokenKind::Number => base.fg(color(ui.warning)),
            }
        }
        Role::You => fg(ui.accent).add_modifier(Modifier::BOLD),
        Role::Conductor => fg(ui.title).add_modifier(Modifier::BOLD),
        Role::Success => fg(ui.info),
        Role::Warning => fg(ui.warning),
        Role::Error => fg(ui.error).add_modifier(Modifier::BOLD),
        Role::Accent => fg(ui.accent),
        Role::Selected => Style::new()
            .bg(color(ui.selection))
            .fg(color(ui.foreground))
            .add_modifier(Modifier::BOLD),
    }
}

fn to_line(ui: &UiColors, line: VisualLine) -> Line<'static> {
    Line::from(
        line.into_iter()
            .map(|s| Span::styled(s.text, style(ui, s.role)))
            .collect::<Vec<_>>(),
    )
}

fn rect(area: Area) -> Rect {
    Rect::new(area.x, area.y, area.width, area.height)
}

/// Draw the chat into `area` (the pane's content, inside its border).
pub fn render(state: &AppState, frame: &mut Frame, area: Rect) {
    let ui = &state.theme.ui;
    let chat = &state.chat;
    let area = Area {
        x: area.x,
        y: area.y,
        width: area.width,
        height: area.height,
    };
    let parts = areas(area, chat);

    let lines = transcript::lines(chat, parts.transcript.width as usize);
    let height = parts.transcript.height as usize;
    let scroll = chat.scroll.min(lines.len().saturating_sub(height));
    let end = lines.len() - scroll;
    let start = end.saturating_sub(height);
    let visible: Vec<Line> = lines[start..end]
        .iter()
        .cloned()
        .map(|l| to_line(ui, l))
        .collect();
    frame.render_widget(Paragraph::new(visible), rect(parts.transcript));

    frame.render_widget(
        Paragraph::new(status_line(ui, chat, scroll, parts.status.width as usize)),
        rect(parts.status),
    );

    if let Some(chips) = parts.chips {
        let mut spans = Vec::new();
        for attachment in &chat.attachments {
            let label = match attachment {
                Attachment::Text { label, .. } => label,
                Attachment::Artifact(name) => name,
            };
            spans.push(Span::styled(
                format!(" + {label} "),
                Style::new()
                    .bg(color(ui.selection))
                    .fg(color(ui.foreground)),
            ));
            spans.push(Span::raw(" "));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), rect(chips));
    }

    let (rows, (cursor_row, cursor_col)) = input_rows(chat, parts.input.width as usize);
    let input_height = parts.input.height as usize;
    let top = input_top(cursor_row, input_height);
    let input_lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(top)
        .take(input_height)
        .map(|(i, row)| {
            let lead = if i == 0 { PROMPT } else { "  " };
            Line::from(vec![
                Span::styled(lead, fg(ui.accent).add_modifier(Modifier::BOLD)),
                Span::styled(row.clone(), fg(ui.foreground)),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(input_lines), rect(parts.input));
    let focused = state.layout.focus == PaneId::Conductor && state.overlay.is_none();
    if focused && parts.input.height > 0 {
        let x = parts.input.x as usize + PROMPT.chars().count() + cursor_col;
        let y = parts.input.y as usize + cursor_row - top;
        frame.set_cursor_position(Position::new(
            (x as u16).min(parts.input.x + parts.input.width.saturating_sub(1)),
            y as u16,
        ));
    }
}

/// The line between the transcript and the input: what is in flight, the settings, the keys.
fn status_line(ui: &UiColors, chat: &ChatState, scroll: usize, width: usize) -> Line<'static> {
    let mut spans: Vec<Span> = Vec::new();
    match &chat.in_flight {
        Some(flight) if flight.cancelling => {
            spans.push(Span::styled("⊘ cancelling…", fg(ui.warning)));
        }
        Some(flight) => {
            let doing = match flight.call {
                Call::Plan(_) => "● planning…",
                Call::Run(_) => "● running…",
            };
            spans.push(Span::styled(doing, fg(ui.accent)));
            spans.push(Span::styled(" Ctrl-C stops", fg(ui.dim)));
        }
        None if chat.unavailable.is_some() => {
            spans.push(Span::styled("Conductor unavailable", fg(ui.warning)));
        }
        None => spans.push(Span::styled(
            "Enter sends · Alt-Enter new line · /help",
            fg(ui.dim),
        )),
    }
    let planner = match chat.planner {
        PlannerChoice::Auto => "auto",
        PlannerChoice::Offline => "offline",
        PlannerChoice::Llm => "llm",
    };
    let mut right = format!(" planner {planner}");
    if chat.auto_run {
        right.push_str(" · auto-run");
    }
    if scroll > 0 {
        right = format!(" ↑{scroll}{right}");
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let right_width = unicode_width::UnicodeWidthStr::width(right.as_str());
    // The rule fills the space between, so the line reads as the input box's top edge.
    let fill = width.saturating_sub(used + right_width + 1);
    if fill > 0 {
        spans.push(Span::styled(
            format!(" {}", "─".repeat(fill)),
            fg(ui.border),
        ));
        spans.push(Span::styled(right, fg(ui.dim)));
    }
    Line::from(spans)
}
