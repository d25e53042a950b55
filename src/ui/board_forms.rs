//! The Harmony Board's template browser (matches on the left, the highlighted template's
//! preview on the right: description, parameters with their defaults, steps with what each
//! waits for) and its parameter forms (one field a row, the reason beside a refused field).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use conductor::plan::Importance;
use conductor::templates::Template;
use pit::dag::NodeKind;

use crate::app::board::browser::{Browser, matches};
use crate::app::board::form::{FieldKind, Form, text_of};
use crate::app::board::library::Library;
use crate::app::state::AppState;
use crate::theme::UiColors;

use super::board_pane::kind_symbol;
use super::colors::{color, fg};

/// Draw the template browser.
pub fn render_browser<'a>(
    state: &AppState,
    browser: &Browser,
    frame: &mut Frame,
    block: impl Fn(&str) -> Block<'a>,
) {
    let ui = &state.theme.ui;
    let library = &state.board.library;
    let area = frame.area();
    let rect = centred(area, 110, area.height.saturating_sub(4).min(30));
    frame.render_widget(Clear, rect);
    let outer = block("Templates — type to filter, Enter fills its parameters, Esc closes");
    let inner = outer.inner(rect);
    frame.render_widget(outer, rect);
    let [query_row, body, foot] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("› ", fg(ui.accent)),
            Span::styled(format!("{}▏", browser.query), fg(ui.foreground)),
        ])),
        query_row,
    );
    let [list_area, preview_area] =
        Layout::horizontal([Constraint::Length(38), Constraint::Min(10)])
            .spacing(1)
            .areas(body);
    let found = matches(&browser.query, &library.templates);
    let rows = usize::from(list_area.height.max(1));
    let first = browser.selected.saturating_sub(rows - 1);
    let mut lines = Vec::new();
    if found.is_empty() {
        let text = if library.loaded {
            "no template matches"
        } else {
            "reading the templates…"
        };
        lines.push(Line::from(Span::styled(text, fg(ui.warning))));
    }
    for (i, t) in found.iter().enumerate().skip(first).take(rows) {
        let chosen = i == browser.selected;
        let style = if chosen {
            Style::new()
                .bg(color(ui.selection))
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        let mark = if library.missing(t).is_empty() {
            Span::styled("  ", style)
        } else {
            Span::styled("! ", style.fg(color(ui.warning)))
        };
        lines.push(Line::from(vec![
            Span::styled(if chosen { "▸ " } else { "  " }, style),
            mark,
            Span::styled(format!("{:<32}", t.id), style),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), list_area);
    if let Some(template) = found.get(browser.selected) {
        frame.render_widget(
            Paragraph::new(preview(ui, library, template)).wrap(Wrap { trim: false }),
            preview_area,
        );
    }
    let footer = match (&browser.problem, &library.problem) {
        (Some(problem), _) | (None, Some(problem)) => {
            Line::from(Span::styled(problem.clone(), fg(ui.error)))
        }
        (None, None) => Line::from(Span::styled(
            format!(
                "{} of {} templates · ! needs an extension that is not installed",
                found.len(),
                library.templates.len()
            ),
            fg(ui.dim),
        )),
    };
    frame.render_widget(Paragraph::new(footer), foot);
}

/// A template's preview: title, description, what it reads, parameters, steps.
fn preview<'a>(ui: &UiColors, library: &Library, template: &'a Template) -> Vec<Line<'a>> {
    let heading = |text: &'a str| {
        Line::from(Span::styled(
            text,
            fg(ui.title).add_modifier(Modifier::BOLD),
        ))
    };
    let mut lines = vec![
        Line::from(Span::styled(
            template.title.as_str(),
            fg(ui.foreground).add_modifier(Modifier::BOLD),
        )),
        Line::from(Span::styled(
            template.description.as_str(),
            fg(ui.foreground),
        )),
    ];
    if let Some(input) = &template.input {
        lines.push(Line::from(Span::styled(
            format!("reads the user's {input}"),
            fg(ui.dim),
        )));
    }
    lines.push(Line::default());
    lines.push(heading("Parameters"));
    if template.params.is_empty() {
        lines.push(Line::from(Span::styled("  none", fg(ui.dim))));
    }
    for (name, param) in &template.params {
        let value = match &param.default {
            Some(default) => Span::styled(format!(" = {default}"), fg(ui.accent)),
            None => Span::styled(" (required)", fg(ui.warning)),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {name}"), fg(ui.foreground)),
            value,
        ]));
        lines.push(Line::from(Span::styled(
            format!("    {}", param.description),
            fg(ui.dim),
        )));
    }
    lines.push(Line::default());
    lines.push(heading("Steps"));
    for (i, step) in template.steps.iter().enumerate() {
        let provider = library.catalog.providers(&step.capability).next();
        let symbol = match provider {
            Some(c) if c.instrument => kind_symbol(NodeKind::Instrument),
            Some(_) => kind_symbol(NodeKind::Operator),
            None => '?',
        };
        let mut spans = vec![
            Span::styled(format!("  {}. {symbol} ", i + 1), fg(ui.dim)),
            Span::styled(step.id.to_string(), fg(ui.foreground)),
            Span::styled(format!("  {}", step.capability), fg(ui.accent)),
        ];
        if step.importance != Importance::Essential {
            spans.push(Span::styled(
                format!(" ({})", format!("{:?}", step.importance).to_lowercase()),
                fg(ui.dim),
            ));
        }
        if !step.after.is_empty() {
            let after: Vec<String> = step.after.iter().map(ToString::to_string).collect();
            spans.push(Span::styled(
                format!("  ← {}", after.join(", ")),
                fg(ui.dim),
            ));
        }
        lines.push(Line::from(spans));
    }
    let missing = library.missing(template);
    if !missing.is_empty() {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!(
                "needs {}: no installed extension provides it",
                missing.join(", ")
            ),
            fg(ui.warning),
        )));
    }
    lines
}

/// Draw a parameter form.
pub fn render_form<'a>(
    state: &AppState,
    form: &Form,
    frame: &mut Frame,
    block: impl Fn(&str) -> Block<'a>,
) {
    let ui = &state.theme.ui;
    let area = frame.area();
    let mut lines: Vec<Line> = Vec::new();
    let mut selected_lines = (0, 0);
    let name_width = form
        .fields
        .iter()
        .map(|f| f.spec.name.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(6, 20);
    let input_width = 48;
    for (i, field) in form.fields.iter().enumerate() {
        let chosen = i == form.selected;
        let start = lines.len();
        let marker = if chosen { "▸ " } else { "  " };
        let name_style = if chosen {
            fg(ui.accent).add_modifier(Modifier::BOLD)
        } else {
            fg(ui.foreground)
        };
        let input_style = if chosen {
            Style::new()
                .bg(color(ui.selection))
                .fg(color(ui.foreground))
        } else {
            Style::new()
                .bg(color(ui.cursor_line))
                .fg(color(ui.foreground))
        };
        let cursor = if chosen { "▏" } else { "" };
        // An empty field shows what applies instead, dimmed.
        let (shown, shown_style) = match (&field.spec.default, field.input.is_empty()) {
            (Some(default), true) => (
                format!("{cursor}default: {}", text_of(default)),
                input_style.fg(color(ui.dim)),
            ),
            _ => (format!("{}{cursor}", field.input), input_style),
        };
        let shown: String = shown.chars().take(input_width).collect();
        lines.push(Line::from(vec![
            Span::styled(marker, name_style),
            Span::styled(format!("{:<name_width$} ", field.spec.name), name_style),
            Span::styled(format!(" {shown:<input_width$} "), shown_style),
        ]));
        let mut about = field.spec.kind.label();
        if field.spec.required {
            about.push_str(", required");
        }
        if !field.spec.description.is_empty() {
            about.push_str(" · ");
            about.push_str(&field.spec.description);
        }
        if matches!(field.spec.kind, FieldKind::Boolean | FieldKind::Choice(_)) && chosen {
            about.push_str(" · Space picks the next value");
        }
        lines.push(Line::from(Span::styled(
            format!("{:indent$}{about}", "", indent = name_width + 4),
            fg(ui.dim),
        )));
        if let Some(error) = &field.error {
            lines.push(Line::from(Span::styled(
                format!("{:indent$}✗ {error}", "", indent = name_width + 4),
                fg(ui.error),
            )));
        }
        if chosen {
            selected_lines = (start, lines.len());
        }
    }
    let footer = match (&form.problem, form.errors()) {
        (Some(problem), _) => Line::from(Span::styled(problem.clone(), fg(ui.error))),
        (None, 0) => Line::from(Span::styled(
            "↑↓/Tab move · type to edit · Enter saves · Esc cancels",
            fg(ui.dim),
        )),
        (None, n) => Line::from(Span::styled(
            format!(
                "{n} field{} refused: fix {} and press Enter again",
                if n == 1 { "" } else { "s" },
                if n == 1 { "it" } else { "them" }
            ),
            fg(ui.error),
        )),
    };
    let height = (lines.len() as u16 + 4).min(area.height.saturating_sub(2));
    let rect = centred(area, 90, height);
    frame.render_widget(Clear, rect);
    let outer = block(&form.title);
    let inner = outer.inner(rect);
    frame.render_widget(outer, rect);
    let [body, _, foot] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let visible = usize::from(body.height.max(1));
    // The selected field's lines in view, its first line first.
    let scroll = selected_lines
        .1
        .saturating_sub(visible)
        .min(selected_lines.0);
    frame.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), body);
    frame.render_widget(Paragraph::new(footer), foot);
}

fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}
