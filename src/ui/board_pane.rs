//! Draws the Harmony Board: a header (the workflow, its verdict, "x of y nodes, layers a–b"),
//! the laid-out graph — boxes of box-drawing characters with the node's kind symbol, name and
//! state, edges of ─│┌┐└┘ with arrowheads — scrolled to the selection, and a footer with the
//! selected node's problem and the board's last notice (its overlays: `board_overlays.rs`).
//! The selection has a thick border, the edge's source a double one, and targets that cannot
//! be connected a dashed one: shapes, not colour alone.

use std::collections::HashMap;

use pit::dag::{ControlKind, NodeKind, NodeSpec};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use unicode_width::UnicodeWidthChar;

use crate::app::board::group;
use crate::app::board::ports;
use crate::app::board::state::{BoardState, Tone};
use crate::app::board::update::is_candidate;
use crate::app::board::view::{FOOTER_ROWS, HEADER_ROWS, effective_scroll, visible_layers};
use crate::app::board::zoom::Zoom;
use crate::app::state::AppState;
use crate::theme::UiColors;

use super::colors::fg;

const UP: u8 = 1;
const DOWN: u8 = 2;
const LEFT: u8 = 4;
const RIGHT: u8 = 8;

/// The symbol of a node kind.
pub fn kind_symbol(kind: NodeKind) -> char {
    match kind {
        NodeKind::Input => '▶',
        NodeKind::Output => '■',
        NodeKind::Operator => '⚙',
        NodeKind::Instrument => '✦',
        NodeKind::Control(ControlKind::Branch) => '⑂',
        NodeKind::Control(ControlKind::Merge) => '⑃',
        NodeKind::Control(ControlKind::Loop) => '↻',
        NodeKind::Control(ControlKind::Parallel) => '⇉',
        NodeKind::Control(ControlKind::Join) => '⋈',
    }
}

/// Draw the board pane.
pub fn render(state: &AppState, frame: &mut Frame, area: Rect) {
    let board = &state.board;
    let ui = &state.theme.ui;
    if board.is_empty() {
        render_empty(board, ui, frame, area);
        return;
    }
    let graph = Rect::new(
        area.x,
        area.y + HEADER_ROWS.min(area.height),
        area.width,
        area.height.saturating_sub(HEADER_ROWS + FOOTER_ROWS),
    );
    let view = View {
        rect: graph,
        scroll: effective_scroll(board, (graph.width, graph.height)),
    };
    render_header(board, ui, frame, area, &view);
    let buf = frame.buffer_mut();
    draw_edges(board, ui, buf, &view);
    if board.zoom == Zoom::Boxes {
        let run = crate::app::monitor::board_states(board, &state.monitor);
        draw_nodes(board, ui, buf, &view, &run);
    } else {
        super::board_zoomed::draw_nodes(board, ui, buf, view.rect, view.scroll);
    }
    super::board_minimap::draw(board, ui, buf, view.rect, view.scroll);
    render_footer(board, ui, frame, area);
}

fn render_empty(board: &BoardState, ui: &UiColors, frame: &mut Frame, area: Rect) {
    let mut lines = vec![
        Line::from(Span::styled(
            "No workflow open",
            fg(ui.title).add_modifier(Modifier::BOLD),
        )),
        Line::from(Span::styled(
            "The Harmony Board composes workflows as a graph, from the keyboard.",
            fg(ui.dim),
        )),
        Line::default(),
        hint_line(
            ui,
            &[
                ("a", "add a node"),
                ("t", "templates"),
                ("o", "open a workflow file"),
            ],
        ),
        hint_line(ui, &[("/board", "in the Conductor shows its plan here")]),
    ];
    if let Some(notice) = &board.notice {
        lines.push(Line::default());
        lines.push(notice_line(ui, notice.tone, &notice.text));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
}

fn hint_line<'a>(ui: &UiColors, hints: &[(&'a str, &'a str)]) -> Line<'a> {
    let mut spans = Vec::new();
    for (i, (key, what)) in hints.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", fg(ui.dim)));
        }
        spans.push(Span::styled(
            *key,
            fg(ui.accent).add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::styled(format!(" {what}"), fg(ui.dim)));
    }
    Line::from(spans)
}

fn notice_line(ui: &UiColors, tone: Tone, text: &str) -> Line<'static> {
    let (mark, colour) = match tone {
        Tone::Info => ("✓ ", ui.info),
        Tone::Warning => ("! ", ui.warning),
        Tone::Error => ("✗ ", ui.error),
    };
    Line::from(Span::styled(format!("{mark}{text}"), fg(colour)))
}

/// The graph's area on screen and the drawing cell at its top-left.
struct View {
    rect: Rect,
    scroll: (u32, u32),
}

fn render_header(board: &BoardState, ui: &UiColors, frame: &mut Frame, area: Rect, view: &View) {
    let graph = view.rect;
    if area.height == 0 {
        return;
    }
    let name = board
        .doc
        .file
        .name
        .clone()
        .or_else(|| board.path.as_ref().map(|p| p.display().to_string()))
        .unwrap_or_else(|| "untitled workflow".to_owned());
    let modified = if board.modified { " ●" } else { "" };
    let verdict = match board.report.len() {
        0 => Span::styled(" ✓ valid", fg(ui.info)),
        n => Span::styled(
            format!(" ✗ {n} problem{}", if n == 1 { "" } else { "s" }),
            fg(ui.error),
        ),
    };
    let (sx, sy) = view.scroll;
    let (w, h) = (u32::from(graph.width), u32::from(graph.height));
    let (bw, bh) = (board.options.node_width, board.options.node_height);
    let shown = board
        .layout
        .nodes
        .iter()
        .filter(|p| p.x < sx + w && p.x + bw > sx && p.y < sy + h && p.y + bh > sy)
        .count();
    let layers = match visible_layers(board, sy, h) {
        Some((a, b)) if a == b => format!("layer {}", a + 1),
        Some((a, b)) => format!("layers {}–{}", a + 1, b + 1),
        None => "no layer".to_owned(),
    };
    let indicator = format!(
        "{shown} of {} nodes, {layers} of {}",
        board.layout.nodes.len(),
        board.layout.bands.len()
    );
    let left = vec![
        Span::styled(
            format!("{name}{modified}"),
            fg(ui.title).add_modifier(Modifier::BOLD),
        ),
        verdict,
    ];
    let row = Rect::new(area.x, area.y, area.width, 1);
    frame.render_widget(Paragraph::new(Line::from(left)), row);
    let iw = indicator.chars().count() as u16;
    let left_width: u16 = name.chars().count() as u16 + 14;
    if iw + left_width < area.width {
        let at = Rect::new(area.x + area.width - iw, area.y, iw, 1);
        frame.render_widget(Paragraph::new(Span::styled(indicator, fg(ui.dim))), at);
    }
}

fn render_footer(board: &BoardState, ui: &UiColors, frame: &mut Frame, area: Rect) {
    if area.height < HEADER_ROWS + FOOTER_ROWS {
        return;
    }
    let y = area.y + area.height - FOOTER_ROWS;
    let problems = board.problems();
    let detail = match board.selected.as_ref().and_then(|id| board.doc.node(id)) {
        Some(node) => match problems.get(&node.id).and_then(|list| list.first()) {
            Some(error) => Line::from(Span::styled(
                format!("✗ [{}] {error}", error.code()),
                fg(ui.error),
            )),
            None => match group::collapsed_group_of(&board.doc, &node.id) {
                Some(g) => {
                    let members = group::members(&board.doc, g)
                        .iter()
                        .map(|m| m.to_string())
                        .collect::<Vec<_>>()
                        .join(", ");
                    Line::from(vec![
                        Span::styled(format!("▸ group {g}"), fg(ui.title)),
                        Span::styled(format!("  {members}"), fg(ui.dim)),
                    ])
                }
                None => Line::from(vec![
                    Span::styled(format!("▸ {}", node.id), fg(ui.title)),
                    Span::styled(format!("  {}", describe(node)), fg(ui.dim)),
                ]),
            },
        },
        None => Line::default(),
    };
    frame.render_widget(Paragraph::new(detail), Rect::new(area.x, y, area.width, 1));
    let last = match (&board.connecting, &board.notice) {
        (_, Some(notice)) => notice_line(ui, notice.tone, &notice.text),
        (Some(source), None) => Line::from(Span::styled(
            format!("connect `{source}` to…: arrows, Enter, Esc"),
            fg(ui.accent),
        )),
        (None, None) => hint_line(
            ui,
            &[
                ("a", "add"),
                ("c", "connect"),
                ("d", "delete"),
                ("⇧←→", "move"),
                ("u/r", "undo/redo"),
                ("s", "save"),
            ],
        ),
    };
    frame.render_widget(
        Paragraph::new(last),
        Rect::new(area.x, y + 1, area.width, 1),
    );
}

/// The kind, the runner and the ports of a node, in one line.
fn describe(node: &NodeSpec) -> String {
    let mut parts = vec![node.kind.name().to_owned()];
    if let Some(runner) = &node.runner {
        parts.push(format!("runner {runner}"));
    }
    if let Some(group) = &node.group {
        parts.push(format!("group {group}"));
    }
    let ports = |list: &[pit::dag::PortSpec]| {
        list.iter()
            .map(|p| format!("{}: {}", p.name, p.ty.name()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !node.inputs.is_empty() {
        parts.push(format!("in ({})", ports(&node.inputs)));
    }
    if !node.outputs.is_empty() {
        parts.push(format!("out ({})", ports(&node.outputs)));
    }
    parts.join(" · ")
}

/// The screen cell of a drawing cell, if it is in view.
fn to_screen(view: &View, x: u32, y: u32) -> Option<(u16, u16)> {
    let (graph, (sx, sy)) = (view.rect, view.scroll);
    let (dx, dy) = (x.checked_sub(sx)?, y.checked_sub(sy)?);
    (dx < u32::from(graph.width) && dy < u32::from(graph.height))
        .then(|| (graph.x + dx as u16, graph.y + dy as u16))
}

fn draw_edges(board: &BoardState, ui: &UiColors, buf: &mut Buffer, view: &View) {
    let (graph, (sx, sy)) = (view.rect, view.scroll);
    let (x1, y1) = (sx + u32::from(graph.width), sy + u32::from(graph.height));
    let selected = board.selected.as_ref();
    let mut masks: HashMap<(u32, u32), (u8, bool)> = HashMap::new();
    let mut heads: Vec<((u32, u32), char, bool)> = Vec::new();
    for route in &board.layout.routes {
        let Some(edge) = board.doc.file.edges.get(route.edge) else {
            continue;
        };
        let hot = selected.is_some_and(|s| *s == edge.from || *s == edge.to);
        let points = &route.points;
        let (lo_x, hi_x, lo_y, hi_y) = points
            .iter()
            .fold((u32::MAX, 0, u32::MAX, 0), |(a, b, c, d), &(x, y)| {
                (a.min(x), b.max(x), c.min(y), d.max(y))
            });
        if hi_x < sx || lo_x >= x1 || hi_y < sy.saturating_sub(1) || lo_y >= y1 {
            continue;
        }
        let mut mark = |cell: (u32, u32), bits: u8| {
            if cell.0 >= sx && cell.0 < x1 && cell.1 >= sy && cell.1 < y1 {
                let entry = masks.entry(cell).or_insert((0, false));
                entry.0 |= bits;
                entry.1 |= hot;
            }
        };
        // The stub into the box the edge leaves.
        if let Some(&first) = points.first() {
            mark(first, if route.reversed { DOWN } else { UP });
        }
        for pair in points.windows(2) {
            let ((ax, ay), (bx, by)) = (pair[0], pair[1]);
            // Clip the segment to the view before walking it.
            let (cx0, cx1) = (ax.min(bx).max(sx), ax.max(bx).min(x1));
            let (cy0, cy1) = (ay.min(by).max(sy), ay.max(by).min(y1));
            if ax == bx {
                let (fwd, back) = if by > ay { (DOWN, UP) } else { (UP, DOWN) };
                for y in cy0..=cy1.min(ay.max(by)) {
                    let mut bits = 0;
                    if y != ay {
                        bits |= back;
                    }
                    if y != by {
                        bits |= fwd;
                    }
                    mark((ax, y), bits);
                }
            } else {
                let (fwd, back) = if bx > ax {
                    (RIGHT, LEFT)
                } else {
                    (LEFT, RIGHT)
                };
                for x in cx0..=cx1.min(ax.max(bx)) {
                    let mut bits = 0;
                    if x != ax {
                        bits |= back;
                    }
                    if x != bx {
                        bits |= fwd;
                    }
                    mark((x, ay), bits);
                }
            }
        }
        if let Some(&last) = points.last() {
            heads.push((last, if route.reversed { '▲' } else { '▼' }, hot));
        }
    }
    let style = |hot: bool| {
        if hot {
            fg(ui.accent).add_modifier(Modifier::BOLD)
        } else {
            fg(ui.border)
        }
    };
    for ((x, y), (bits, hot)) in masks {
        if let Some((cx, cy)) = to_screen(view, x, y)
            && let Some(cell) = buf.cell_mut((cx, cy))
        {
            cell.set_char(line_char(bits)).set_style(style(hot));
        }
    }
    for ((x, y), head, hot) in heads {
        if let Some((cx, cy)) = to_screen(view, x, y)
            && let Some(cell) = buf.cell_mut((cx, cy))
        {
            cell.set_char(head).set_style(style(hot));
        }
    }
}

/// The box-drawing character for the directions a cell's lines go.
fn line_char(bits: u8) -> char {
    match bits {
        b if b == UP | DOWN || b == UP || b == DOWN => '│',
        b if b == LEFT | RIGHT || b == LEFT || b == RIGHT => '─',
        b if b == DOWN | RIGHT => '┌',
        b if b == DOWN | LEFT => '┐',
        b if b == UP | RIGHT => '└',
        b if b == UP | LEFT => '┘',
        b if b == UP | DOWN | RIGHT => '├',
        b if b == UP | DOWN | LEFT => '┤',
        b if b == DOWN | LEFT | RIGHT => '┬',
        b if b == UP | LEFT | RIGHT => '┴',
        _ => '┼',
    }
}

/// Border characters: corners, horizontal, vertical.
struct Frame9 {
    tl: char,
    tr: char,
    bl: char,
    br: char,
    h: char,
    v: char,
}

const THIN: Frame9 = Frame9 {
    tl: '┌',
    tr: '┐',
    bl: '└',
    br: '┘',
    h: '─',
    v: '│',
};
const THICK: Frame9 = Frame9 {
    tl: '┏',
    tr: '┓',
    bl: '┗',
    br: '┛',
    h: '━',
    v: '┃',
};
const DOUBLE: Frame9 = Frame9 {
    tl: '╔',
    tr: '╗',
    bl: '╚',
    br: '╝',
    h: '═',
    v: '║',
};
const ROUNDED: Frame9 = Frame9 {
    tl: '╭',
    tr: '╮',
    bl: '╰',
    br: '╯',
    h: '─',
    v: '│',
};
const MARKED: Frame9 = Frame9 {
    tl: '┏',
    tr: '┓',
    bl: '┗',
    br: '┛',
    h: '╍',
    v: '╏',
};
const DASHED: Frame9 = Frame9 {
    tl: '┌',
    tr: '┐',
    bl: '└',
    br: '┘',
    h: '┄',
    v: '┆',
};

/// Draws the node boxes; `run` holds the followed run's node states (empty when the board
/// shows another workflow), drawn as a symbol and a colour.
fn draw_nodes(
    board: &BoardState,
    ui: &UiColors,
    buf: &mut Buffer,
    view: &View,
    run: &HashMap<&pit::dag::NodeId, pit::runs::NodeOutcome>,
) {
    let (graph, (sx, sy)) = (view.rect, view.scroll);
    let problems = board.problems();
    let (bw, bh) = (board.options.node_width, board.options.node_height);
    // Where the edges in view leave their boxes, found once rather than per box.
    let starts: Vec<(u32, u32)> = board
        .layout
        .routes
        .iter()
        .filter(|r| !r.reversed)
        .filter_map(|r| r.points.first().copied())
        .filter(|&(x, y)| {
            (sx..sx + u32::from(graph.width)).contains(&x)
                && (sy..=sy + u32::from(graph.height)).contains(&y)
        })
        .collect();
    let (x1, y1) = (sx + u32::from(graph.width), sy + u32::from(graph.height));
    let hidden = group::hidden(&board.doc);
    for (i, place) in board.layout.nodes.iter().enumerate() {
        if place.x >= x1 || place.x + bw <= sx || place.y >= y1 || place.y + bh <= sy {
            continue;
        }
        if hidden.get(i).copied().unwrap_or(false) {
            continue;
        }
        let Some(node) = board.doc.file.nodes.get(i) else {
            continue;
        };
        let selected = board.selected.as_ref() == Some(&node.id);
        let source = board.connecting.as_ref() == Some(&node.id);
        let dimmed = board.connecting.is_some() && !source && !is_candidate(board, &node.id);
        let candidate = board.connecting.is_some() && !source && !dimmed;
        let collapsed = group::collapsed_group_of(&board.doc, &node.id);
        let own = match collapsed {
            Some(g) => group_problems(board, &problems, g),
            None => problems.get(&node.id).cloned(),
        };
        let own = own.as_ref();
        let (frame, border) = if source {
            (&DOUBLE, fg(ui.accent).add_modifier(Modifier::BOLD))
        } else if selected {
            (&THICK, fg(ui.border_focused).add_modifier(Modifier::BOLD))
        } else if dimmed {
            (&DASHED, fg(ui.dim))
        } else if board.marks.contains(&node.id) {
            (&MARKED, fg(ui.accent))
        } else if candidate {
            (&ROUNDED, fg(ui.accent).add_modifier(Modifier::BOLD))
        } else if own.is_some() {
            (&THIN, fg(ui.error))
        } else {
            (&THIN, fg(ui.border))
        };
        let text = if dimmed {
            fg(ui.dim)
        } else {
            fg(ui.foreground)
        };
        let mut put = |dx: u32, dy: u32, c: char, style: Style| {
            if let Some(pos) = to_screen(view, place.x + dx, place.y + dy)
                && let Some(cell) = buf.cell_mut(pos)
            {
                cell.set_char(c).set_style(style);
            }
        };
        // Borders.
        for dx in 0..bw {
            let (top, bottom) = match dx {
                0 => (frame.tl, frame.bl),
                d if d == bw - 1 => (frame.tr, frame.br),
                _ => (frame.h, frame.h),
            };
            put(dx, 0, top, border);
            put(dx, bh - 1, bottom, border);
        }
        for dy in 1..bh - 1 {
            put(0, dy, frame.v, border);
            put(bw - 1, dy, frame.v, border);
            for dx in 1..bw - 1 {
                put(dx, dy, ' ', text);
            }
        }
        // Ports on the borders: inputs on the top one, outputs on the bottom one.
        if collapsed.is_none() {
            // The bottom label stops short of the middle, where edges leave.
            let rooms = [bw.saturating_sub(4), (bw / 2).saturating_sub(3)];
            for ((dy, list), room) in [(0, &node.inputs), (bh - 1, &node.outputs)]
                .into_iter()
                .zip(rooms)
            {
                if list.is_empty() {
                    continue;
                }
                let mut dx = 2;
                for (c, w) in fit(&ports::label(list), room as usize) {
                    put(dx, dy, c, border);
                    dx += w;
                }
            }
        }
        // Where edges leave: a tee in the bottom border.
        for &(x, y) in starts.iter() {
            if y == place.y + bh && x > place.x && x < place.x + bw - 1 {
                let tee = if frame.h == '━' {
                    '┳'
                } else if frame.h == '═' {
                    '╦'
                } else {
                    '┬'
                };
                put(x - place.x, bh - 1, tee, border);
            }
        }
        let inner = (bw - 2) as usize;
        let name = node
            .name
            .clone()
            .unwrap_or_else(|| node.id.as_str().to_owned());
        let title = match collapsed {
            Some(g) => format!("⊞ {g} ({})", group::members(&board.doc, g).len()),
            None => format!("{} {name}", kind_symbol(node.kind)),
        };
        let title_style = if dimmed {
            text
        } else {
            text.add_modifier(Modifier::BOLD)
        };
        let mut write = |dy: u32, s: &str, style: Style| {
            let mut dx = 1;
            for (c, w) in fit(s, inner) {
                put(dx, dy, c, style);
                dx += w;
            }
        };
        write(1, &title, title_style);
        match own {
            Some(list) => {
                let more = if list.len() > 1 {
                    format!(" +{}", list.len() - 1)
                } else {
                    String::new()
                };
                write(2, &format!("✗ {}{more}", list[0].code()), fg(ui.error));
            }
            None if !run.is_empty() => match run.get(&node.id) {
                Some(&outcome) => {
                    let style = super::monitor_pane::outcome_style(ui, outcome);
                    let state = format!("{} {}", outcome.symbol(), outcome.word());
                    write(2, &state, style);
                }
                None => write(2, "○ not started", fg(ui.dim)),
            },
            None => {
                let state = match collapsed {
                    Some(_) => "group ✓ (g expands)".to_owned(),
                    None => format!("{} ✓", node.kind.name()),
                };
                write(2, &state, if dimmed { text } else { fg(ui.dim) });
            }
        }
    }
}

/// The problems of a collapsed group's members, the first member's first.
fn group_problems<'a>(
    board: &'a BoardState,
    problems: &HashMap<&'a pit::dag::NodeId, Vec<&'a pit::dag::ValidationError>>,
    group: &str,
) -> Option<Vec<&'a pit::dag::ValidationError>> {
    let mut all: Vec<&pit::dag::ValidationError> = Vec::new();
    for id in group::members(&board.doc, group) {
        for e in problems.get(&id).into_iter().flatten() {
            if !all.contains(e) {
                all.push(e);
            }
        }
    }
    (!all.is_empty()).then_some(all)
}

/// The characters of `s` that fit in `width` columns, with their widths; an ellipsis ends a
/// cut string.
fn fit(s: &str, width: usize) -> Vec<(char, u32)> {
    let mut out = Vec::new();
    let mut used = 0;
    let total: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    let room = if total > width {
        width.saturating_sub(1)
    } else {
        width
    };
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if w == 0 {
            continue;
        }
        if used + w > room {
            break;
        }
        out.push((c, w as u32));
        used += w;
    }
    if total > width {
        out.push(('…', 1));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junctions_get_their_box_drawing_characters() {
        assert_eq!(line_char(UP | DOWN), '│');
        assert_eq!(line_char(DOWN | RIGHT), '┌');
        assert_eq!(line_char(UP | LEFT), '┘');
        assert_eq!(line_char(UP | DOWN | LEFT | RIGHT), '┼');
        assert_eq!(line_char(DOWN | LEFT | RIGHT), '┬');
    }

    #[test]
    fn long_names_are_cut_with_an_ellipsis() {
        let cut: String = fit("abcdefgh", 5).into_iter().map(|(c, _)| c).collect();
        assert_eq!(cut, "abcd…");
        let whole: String = fit("abc", 5).into_iter().map(|(c, _)| c).collect();
        assert_eq!(whole, "abc");
    }
}
