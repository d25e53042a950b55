//! The execution monitor pane: the editor core's health, then the newest run — a progress
//! gauge, throughput, latency and worker sparklines, the error list (each error's recovery;
//! Enter jumps to its node) and every node with its state, time and retries. With an error
//! open, its detail: the recovery taken, the whole error and the end of the node's log.
//!
//! States are a symbol and a colour, never a colour alone.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::monitor::{MonitorState, NodeRow, Recovery, RunView};
use crate::app::state::AppState;
use crate::theme::UiColors;
use pit::pool::PoolUse;
use pit::runs::NodeOutcome;

use super::colors::fg;

/// How many errors the list shows at once.
const ERRORS_SHOWN: usize = 5;

/// The width of a row's label.
const LABEL: usize = 11;

/// Draw the monitor pane.
pub fn render(state: &AppState, frame: &mut Frame, area: Rect) {
    let ui = &state.theme.ui;
    let Some(view) = &state.monitor.latest else {
        let mut lines = core_lines(state);
        lines.push(Line::from(Span::styled(
            "No workflow has run yet.",
            fg(ui.dim),
        )));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
        return;
    };
    let width = usize::from(area.width);
    let mut lines = Vec::new();
    match state.monitor.detail_row() {
        Some(row) => {
            lines.push(run_line(ui, view));
            lines.extend(detail_lines(ui, view, row));
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
        }
        None => {
            lines.push(core_line(state));
            lines.extend(run_header(ui, view, width));
            lines.extend(error_lines(ui, &state.monitor, view, width));
            lines.extend(node_lines(ui, view, width));
            frame.render_widget(Paragraph::new(lines), area);
        }
    }
}

/// A node state's style: the symbol carries the meaning, the colour repeats it.
pub fn outcome_style(ui: &UiColors, outcome: NodeOutcome) -> Style {
    match outcome {
        NodeOutcome::Completed => fg(ui.info),
        NodeOutcome::Failed => fg(ui.error),
        NodeOutcome::Skipped => fg(ui.dim),
        NodeOutcome::Unfinished => fg(ui.warning),
    }
}

/// A recovery's symbol.
fn recovery_symbol(recovery: &Recovery) -> &'static str {
    match recovery {
        Recovery::Retry(_) => "↻",
        Recovery::Fallback(_) => "⤷",
        Recovery::Skip => "↷",
        Recovery::Halt(_) => "✗",
    }
}

/// Milliseconds as people read them.
fn seconds(ms: u64) -> String {
    if ms >= 60_000 {
        format!("{}m{:02}s", ms / 60_000, ms % 60_000 / 1000)
    } else {
        format!("{:.1}s", ms as f64 / 1000.0)
    }
}

fn label(ui: &UiColors, text: &str) -> Span<'static> {
    Span::styled(format!("{text:<LABEL$}"), fg(ui.dim))
}

/// The editor core's health, one row per fact (shown while no run exists).
fn core_lines(state: &AppState) -> Vec<Line<'static>> {
    let ui = &state.theme.ui;
    let row = |name: &str, value: String, style| {
        Line::from(vec![
            Span::styled(format!("{name:<16}"), fg(ui.dim)),
            Span::styled(value, style),
        ])
    };
    let core = match &state.core.down {
        Some(reason) => row(
            "editor core",
            format!("restarting ({reason})"),
            fg(ui.warning),
        ),
        None => row("editor core", "✓ running".to_owned(), fg(ui.info)),
    };
    let restore = state.core.last_restore.map_or_else(
        || "—".to_owned(),
        |d| format!("{:.1} ms", d.as_secs_f64() * 1e3),
    );
    let modified = state.modified_buffers().count();
    let bad = state.core.bad_messages;
    vec![
        core,
        row(
            "restarts",
            state.core.restarts.to_string(),
            fg(ui.foreground),
        ),
        row("last restore", restore, fg(ui.foreground)),
        row(
            "bad messages",
            bad.to_string(),
            fg(if bad > 0 { ui.warning } else { ui.foreground }),
        ),
        row(
            "buffers",
            format!("{} open, {modified} modified", state.buffers.len()),
            fg(ui.foreground),
        ),
    ]
}

/// The editor core's health in one row (while a run takes the room).
fn core_line(state: &AppState) -> Line<'static> {
    let ui = &state.theme.ui;
    let (text, style) = match &state.core.down {
        Some(reason) => (format!("restarting ({reason})"), fg(ui.warning)),
        None => ("✓ running".to_owned(), fg(ui.info)),
    };
    Line::from(vec![
        label(ui, "core"),
        Span::styled(text, style),
        Span::styled(
            format!(
                " · restarts {} · buffers {} open, {} modified",
                state.core.restarts,
                state.buffers.len(),
                state.modified_buffers().count()
            ),
            fg(ui.dim),
        ),
    ])
}

/// The run: its workflow, state, time and id.
fn run_line(ui: &UiColors, view: &RunView) -> Line<'static> {
    let status = view.ended.clone().unwrap_or_else(|| "running".to_owned());
    let status_style = match view.ended.as_deref() {
        Some("completed") => fg(ui.info),
        Some(_) => fg(ui.error),
        None => fg(ui.warning),
    };
    let elapsed = view
        .elapsed_ms()
        .map(|ms| format!(" · {}", seconds(ms)))
        .unwrap_or_default();
    Line::from(vec![
        label(ui, "run"),
        Span::styled(format!("{} ", view.workflow), fg(ui.foreground)),
        Span::styled(status, status_style.add_modifier(Modifier::BOLD)),
        Span::styled(elapsed, fg(ui.foreground)),
        Span::styled(format!(" · {}", view.run), fg(ui.dim)),
    ])
}

/// The run, its progress, and its sparklines.
fn run_header(ui: &UiColors, view: &RunView, width: usize) -> Vec<Line<'static>> {
    let mut lines = vec![run_line(ui, view)];
    if let Some(reason) = &view.reason {
        lines.push(Line::from(vec![
            label(ui, ""),
            Span::styled(reason.clone(), fg(ui.error)),
        ]));
    }
    let settled = view.settled();
    let total = (view.total as usize).max(view.rows.len()).max(1);
    let bar = width.saturating_sub(LABEL + 34).clamp(10, 40);
    let filled = settled * bar / total;
    lines.push(Line::from(vec![
        label(ui, "progress"),
        Span::styled("━".repeat(filled), fg(ui.info)),
        Span::styled("─".repeat(bar - filled), fg(ui.dim)),
        Span::styled(
            format!(
                " {settled}/{total} · {} ✓ {} ✗ {} ↷ {} …",
                view.count(NodeOutcome::Completed),
                view.count(NodeOutcome::Failed),
                view.count(NodeOutcome::Skipped),
                view.count(NodeOutcome::Unfinished),
            ),
            fg(ui.foreground),
        ),
    ]));
    let m = &view.metrics;
    let spark_width = width
        .saturating_sub(LABEL + 30)
        .clamp(8, m.finished.len().max(8));
    let finished: Vec<u64> = m.finished.iter().map(|&n| u64::from(n)).collect();
    let running: Vec<u64> = m.running.iter().map(|&n| u64::from(n)).collect();
    let last_durations = &m.durations[m.durations.len().saturating_sub(spark_width)..];
    let mut sorted = m.durations.clone();
    sorted.sort_unstable();
    let p50 = sorted.get(sorted.len() / 2).copied();
    let max = sorted.last().copied();
    let spark_line = |name: &str, values: &[u64], fold: Fold, text: String| {
        Line::from(vec![
            label(ui, name),
            Span::styled(
                format!("{:<spark_width$}", sparkline(values, spark_width, fold)),
                fg(ui.accent),
            ),
            Span::styled(format!(" {text}"), fg(ui.foreground)),
        ])
    };
    lines.push(spark_line(
        "throughput",
        &finished,
        Fold::Sum,
        format!("{:.1} nodes/s", m.throughput()),
    ));
    lines.push(spark_line(
        "latency",
        last_durations,
        Fold::Max,
        match (p50, max) {
            (Some(p50), Some(max)) => format!("p50 {} · max {}", seconds(p50), seconds(max)),
            _ => "no node ended yet".to_owned(),
        },
    ));
    lines.push(spark_line(
        "workers",
        &running,
        Fold::Max,
        format!(
            "{} now · peak {}/{} · {:.0}% busy",
            m.running_now,
            m.peak,
            view.workers,
            m.utilisation() * 100.0
        ),
    ));
    if let Some(pool) = view.pool {
        lines.push(spark_line("pool", &m.pool, Fold::Max, pool_text(pool)));
    }
    lines
}

/// The pool of warm extension hosts in words: `2 warm · 96/4096 MiB · 2%`.
fn pool_text(pool: PoolUse) -> String {
    const MIB: u64 = 1 << 20;
    let share = if pool.budget == 0 {
        0.0
    } else {
        pool.used as f64 / pool.budget as f64 * 100.0
    };
    format!(
        "{} warm · {}/{} MiB · {share:.0}%",
        pool.hot,
        pool.used.div_ceil(MIB),
        pool.budget / MIB
    )
}

/// How values that share a column combine.
#[derive(Clone, Copy)]
enum Fold {
    Sum,
    Max,
}

/// Values as a row of block characters, at most `width` of them (neighbours folded
/// together when there are more); an empty column is a blank.
fn sparkline(values: &[u64], width: usize, fold: Fold) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    if values.is_empty() || width == 0 {
        return String::new();
    }
    let per = values.len().div_ceil(width);
    let columns: Vec<u64> = values
        .chunks(per)
        .map(|c| match fold {
            Fold::Sum => c.iter().sum(),
            Fold::Max => c.iter().copied().max().unwrap_or(0),
        })
        .collect();
    let top = columns.iter().copied().max().unwrap_or(0).max(1);
    columns
        .iter()
        .map(|&v| match v {
            0 => ' ',
            v => BARS[((v * 7 / top) as usize).min(7)],
        })
        .collect()
}

/// The error list: each node that needed a recovery, the highlighted one marked.
fn error_lines(
    ui: &UiColors,
    monitor: &MonitorState,
    view: &RunView,
    width: usize,
) -> Vec<Line<'static>> {
    let errors = view.errors();
    if errors.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!("errors ({})", errors.len()),
            fg(ui.title).add_modifier(Modifier::BOLD),
        ),
        Span::styled("  ↑↓ choose · Enter: its node, log, recovery", fg(ui.dim)),
    ])];
    let name_width = errors
        .iter()
        .map(|(r, _)| r.node.as_str().chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 16);
    let first = monitor
        .selected
        .saturating_sub(ERRORS_SHOWN - 1)
        .min(errors.len().saturating_sub(ERRORS_SHOWN));
    for (i, (row, recovery)) in errors.iter().enumerate().skip(first).take(ERRORS_SHOWN) {
        let chosen = i == monitor.selected;
        let marker = if chosen { "▸ " } else { "  " };
        let style = outcome_style(ui, row.outcome);
        let name = fit(row.node.as_str(), name_width);
        let said = fit_end(
            row.headline().unwrap_or_default(),
            width.saturating_sub(name_width + 15),
        );
        let emphasis = if chosen {
            Modifier::BOLD
        } else {
            Modifier::empty()
        };
        lines.push(Line::from(vec![
            Span::styled(marker, fg(ui.accent)),
            Span::styled(format!("{} ", recovery_symbol(recovery)), style),
            Span::styled(
                format!("{name:<name_width$} "),
                fg(ui.foreground).add_modifier(emphasis),
            ),
            Span::styled(
                format!("{:<9} ", recovery.word()),
                fg(ui.accent).add_modifier(emphasis),
            ),
            Span::styled(said, style.add_modifier(emphasis)),
        ]));
    }
    lines
}

/// Every node that started or was skipped: state, name, time, retries, and why.
fn node_lines(ui: &UiColors, view: &RunView, width: usize) -> Vec<Line<'static>> {
    let waiting = (view.total as usize).saturating_sub(view.rows.len());
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!("nodes ({})", view.rows.len()),
            fg(ui.title).add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            if waiting > 0 {
                format!("  {waiting} not started")
            } else {
                String::new()
            },
            fg(ui.dim),
        ),
    ])];
    let name_width = view
        .rows
        .iter()
        .map(|r| r.node.as_str().chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 20);
    for row in &view.rows {
        let style = outcome_style(ui, row.outcome);
        let time = row
            .elapsed_ms(view.now_ms)
            .map(seconds)
            .unwrap_or_else(|| "—".to_owned());
        let retries = match row.retries() {
            0 => String::new(),
            n => format!("↻{n}"),
        };
        let mut spans = vec![
            Span::styled(format!("{} ", row.outcome.symbol()), style),
            Span::styled(
                format!("{:<name_width$}", fit(row.node.as_str(), name_width)),
                fg(ui.foreground),
            ),
            Span::styled(format!(" {time:>6} {retries:<3}"), fg(ui.dim)),
        ];
        let used = name_width + 14;
        if let Some(via) = &row.via {
            spans.push(Span::styled(format!(" via {via}"), fg(ui.dim)));
        } else if let Some(said) = row
            .headline()
            .filter(|_| matches!(row.outcome, NodeOutcome::Failed | NodeOutcome::Skipped))
        {
            spans.push(Span::styled(
                format!(" {}", fit_end(said, width.saturating_sub(used))),
                style,
            ));
        }
        lines.push(Line::from(spans));
    }
    lines
}

/// One error in full: the recovery taken, the whole error, and the end of the node's log.
fn detail_lines(ui: &UiColors, view: &RunView, row: &NodeRow) -> Vec<Line<'static>> {
    let style = outcome_style(ui, row.outcome);
    let time = row
        .elapsed_ms(view.now_ms)
        .map(|ms| format!(" · {}", seconds(ms)))
        .unwrap_or_default();
    let attempts = match row.attempts {
        1 => "1 attempt".to_owned(),
        n => format!("{n} attempts"),
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                format!("{} {} ", row.outcome.symbol(), row.node),
                style.add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!("{} · {attempts}{time}", row.outcome.word()),
                fg(ui.foreground),
            ),
            Span::styled("  Esc closes", fg(ui.dim)),
        ]),
        Line::from(vec![
            label(ui, "recovery"),
            Span::styled(
                row.recovery()
                    .map_or_else(|| "none needed".to_owned(), |r| r.describe()),
                fg(ui.accent),
            ),
        ]),
    ];
    let earlier = row
        .attempt_errors
        .iter()
        .map(|(n, e)| (format!("attempt {n}"), Some(e)));
    let last = [("error", &row.error), ("reason", &row.reason)]
        .into_iter()
        .map(|(name, text)| (name.to_owned(), text.as_ref()));
    for (name, text) in earlier.chain(last) {
        // A span cannot hold a line break: each line of the text is a line of its own.
        for (i, part) in text.into_iter().flat_map(|t| t.lines()).enumerate() {
            let name = if i == 0 { name.as_str() } else { "" };
            lines.push(Line::from(vec![
                label(ui, name),
                Span::styled(part.to_owned(), style),
            ]));
        }
    }
    let log = pit::runs::log_path(&view.dir, row.node.as_str());
    let shown = log
        .strip_prefix(
            view.dir
                .parent()
                .and_then(|p| p.parent())
                .unwrap_or(&view.dir),
        )
        .unwrap_or(&log)
        .display()
        .to_string();
    match &row.log {
        Some(text) => {
            lines.push(Line::from(vec![
                label(ui, "log"),
                Span::styled(shown, fg(ui.dim)),
            ]));
            lines.extend(
                text.lines()
                    .map(|l| Line::from(Span::styled(format!("  {l}"), fg(ui.foreground)))),
            );
        }
        None => lines.push(Line::from(vec![
            label(ui, "log"),
            Span::styled(format!("nothing logged ({shown})"), fg(ui.dim)),
        ])),
    }
    lines
}

/// `s` cut to `width` characters, an ellipsis marking the cut.
fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The end of `s` in `width` characters, an ellipsis marking the cut (the end of an error
/// is where a command's stderr says what went wrong).
fn fit_end(s: &str, width: usize) -> String {
    let count = s.chars().count();
    if count <= width {
        return s.to_owned();
    }
    let mut out = "…".to_owned();
    out.extend(s.chars().skip(count + 1 - width.max(1)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_fold_and_scale() {
        assert_eq!(sparkline(&[0, 1, 2, 4], 4, Fold::Sum), " ▂▄█");
        assert_eq!(sparkline(&[1, 1, 0, 4], 2, Fold::Sum), "▄█");
        assert_eq!(sparkline(&[1, 3, 0, 4], 2, Fold::Max), "▆█");
        assert_eq!(sparkline(&[], 4, Fold::Max), "");
    }

    #[test]
    fn long_texts_keep_their_start_or_their_end() {
        assert_eq!(fit("transform-safe", 6), "trans…");
        assert_eq!(fit_end("exit 3: disk full", 10), "…disk full");
        assert_eq!(fit_end("short", 10), "short");
    }

    #[test]
    fn times_read_as_seconds_then_minutes() {
        assert_eq!(seconds(1_250), "1.2s");
        assert_eq!(seconds(125_000), "2m05s");
    }
}
