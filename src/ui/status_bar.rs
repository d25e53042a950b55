//! The status bar: pane, file, modified flag, message, language, position, core health.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::app::state::{AppState, PaneId, Severity};
use crate::app::text_columns::byte_to_column;

use super::colors::color;

/// OFB's state in words: `offline · 3 pending`, `offline`, `3 pending`, then `1 refused` when
/// OFB refused queued changes (`symphony outbox` lists them); nothing when all is well.
fn data_label(state: &AppState) -> Option<String> {
    let link = match (&state.data.offline, state.data.pending) {
        (Some(_), 0) => Some("offline".to_owned()),
        (Some(_), n) => Some(format!("offline · {n} pending")),
        (None, 0) => None,
        (None, n) => Some(format!("{n} pending")),
    };
    let refused = (state.data.refused > 0).then(|| format!("{} refused", state.data.refused));
    match (link, refused) {
        (Some(link), Some(refused)) => Some(format!("{link} · {refused}")),
        (link, refused) => link.or(refused),
    }
}

/// Draw the status bar into its one-row area.
pub fn render(state: &AppState, frame: &mut Frame, area: Rect) {
    let ui = &state.theme.ui;
    let bar = Style::new()
        .bg(color(ui.status_background))
        .fg(color(ui.status_foreground));
    let pill = Style::new()
        .bg(color(ui.accent))
        .fg(color(ui.status_background))
        .add_modifier(Modifier::BOLD);
    let mut left = vec![Span::styled(
        format!(" {} ", state.layout.focus.title().to_uppercase()),
        pill,
    )];
    let buffer = state.active_buffer();
    if let Some(b) = buffer {
        left.push(Span::styled(
            format!(" {}", b.display_name()),
            bar.add_modifier(Modifier::BOLD),
        ));
        if b.modified() {
            left.push(Span::styled(" [+]", bar.fg(color(ui.warning))));
        }
    }
    if let Some(message) = &state.status {
        let tint = match message.severity {
            Severity::Info => ui.info,
            Severity::Warning => ui.warning,
            Severity::Error => ui.error,
        };
        left.push(Span::styled(
            format!("  {}", message.text),
            bar.fg(color(tint)),
        ));
    }
    let mut right = Vec::new();
    if state.layout.focus == PaneId::Editor
        && let Some(b) = buffer
    {
        if let Some(n) = b.find_matches {
            right.push(format!("{n} matches"));
        }
        if !b.language.is_empty() {
            right.push(b.language.clone());
        }
        if let Some((line, col)) = b.cache.cursor() {
            let text = b
                .cache
                .get(line)
                .and_then(|l| l.text.as_deref())
                .unwrap_or_default();
            right.push(format!(
                "Ln {}, Col {}",
                line + 1,
                byte_to_column(text, col) + 1
            ));
        }
    }
    if let Some(data) = data_label(state) {
        right.push(data);
    }
    right.push(if state.core.down.is_some() {
        "xi ↻".to_owned()
    } else {
        "xi ✓".to_owned()
    });
    right.push("F1 help ".to_owned());
    let right_text = right.join("  ");
    let width = area.width as usize;
    let right_width = right_text.width();
    let mut spans = Vec::new();
    let mut used = 0;
    let budget = width.saturating_sub(right_width + 1);
    for span in left {
        let w = span.content.width();
        if used + w > budget {
            let room = budget.saturating_sub(used);
            let cut: String = span
                .content
                .chars()
                .scan(0, |acc, c| {
                    *acc += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                    (*acc < room).then_some(c)
                })
                .collect();
            if room > 1 {
                spans.push(Span::styled(format!("{cut}…"), span.style));
                used += cut.width() + 1;
            }
            break;
        }
        used += w;
        spans.push(span);
    }
    let gap = width.saturating_sub(used + right_width);
    spans.push(Span::styled(" ".repeat(gap), bar));
    if right_width <= width {
        spans.push(Span::styled(right_text, bar));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(bar), area);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod data_tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::app::state::DataStatus;
    use crate::theme::{ColorDepth, Theme};

    fn bar(data: DataStatus) -> String {
        let theme = Theme::load(
            None,
            std::path::Path::new("/nonexistent"),
            ColorDepth::TrueColor,
        )
        .unwrap();
        let mut state = AppState::new((80, 1), theme);
        state.data = data;
        let mut terminal = Terminal::new(TestBackend::new(80, 1)).unwrap();
        terminal
            .draw(|frame| render(&state, frame, frame.area()))
            .unwrap();
        let buffer = terminal.backend().buffer();
        (0..80).map(|x| buffer[(x, 0)].symbol()).collect()
    }

    #[test]
    fn queued_operations_show_as_offline_and_pending() {
        let offline = DataStatus {
            offline: Some("cannot reach OFB".into()),
            pending: 3,
            ..DataStatus::default()
        };
        assert!(bar(offline).contains("offline · 3 pending"));
        let refused = DataStatus {
            refused: 1,
            ..DataStatus::default()
        };
        assert!(bar(refused).contains("1 refused"));
        let online = bar(DataStatus::default());
        assert!(
            !online.contains("offline") && !online.contains("pending"),
            "{online}"
        );
    }
}
