//! Draws the Harmony Board: a header (the workflow, its verdict, "x of y nodes, layers a–b"),
//! the laid-out graph — boxes of box-drawing characters with the node's kind symbol, name and
//! state, edges of ─│┌┐└┘ with arrowheads — scrolled to the selection, and a footer with the
//! selected node's problem and the board's last notice (the boxes: `board_nodes.rs`; its
//! overlays: `board_overlays.rs`).
//! The selection has a thick border, the edge's source a double one, and targets that cannot
//! be connected a dashed one: shapes, not colour alone.

use std::collections::HashMap;

use pit::dag::{ControlKind, NodeKind, NodeSpec};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::board::group;
use crate::app::board::state::{BoardState, Tone};
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
    super::board_groups::draw(board, ui, buf, &view);
    draw_edges(board, ui, buf, &view);
    let run = crate::app::monitor::board_states(board, &state.monitor);
    if board.zoom == Zoom::Boxes {
        super::board_nodes::draw_nodes(board, ui, buf, &view, &run);
    } else {
        super::board_zoomed::draw_nodes(board, ui, buf, &view, &run);
    }
    super::board_drag::draw(board, ui, buf, &view);
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
                ("o", "open a file"),
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
pub(super) struct View {
    /// The area.
    pub(super) rect: Rect,
    /// The drawing cell at its top-left.
    pub(super) scroll: (u32, u32),
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
    // While a drag is in progress, what its release would do.
    let last = if let Some((tone, text)) = super::board_drag::hint(board) {
        notice_line(ui, tone, &text)
    } else {
        match (&board.connecting, &board.notice) {
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
        }
    };
    frame.render_widget(
        Paragraph::new(last),
        Rect::new(area.x, y + 1, area.width, 1),
    );
}

/// The kind, the runner and the ports of a node, in one line.
pub(super) fn describe(node: &NodeSpec) -> String {
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
pub(super) fn to_screen(view: &View, x: u32, y: u32) -> Option<(u16, u16)> {
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
}
