//! Where each pane goes for a terminal size. Pure, shared by `update` (page sizes, clicks)
//! and the renderer, so both always agree.

use super::state::{PaneId, PaneLayout};

/// A rectangle in terminal cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Area {
    /// Left column.
    pub x: u16,
    /// Top row.
    pub y: u16,
    /// Width in columns.
    pub width: u16,
    /// Height in rows.
    pub height: u16,
}

impl Area {
    /// Whether the cell is inside.
    pub fn contains(&self, col: u16, row: u16) -> bool {
        col >= self.x && col < self.x + self.width && row >= self.y && row < self.y + self.height
    }

    /// The area less a one-cell border.
    pub fn inner(&self) -> Area {
        Area {
            x: self.x.saturating_add(1),
            y: self.y.saturating_add(1),
            width: self.width.saturating_sub(2),
            height: self.height.saturating_sub(2),
        }
    }
}

/// Below this width the panes become tabs: one visible at a time.
pub const TABS_BELOW_WIDTH: u16 = 120;

/// The computed screen: one area per visible pane, plus the bars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenLayout {
    /// A tab bar naming the panes, when they do not all fit.
    pub tab_bar: Option<Area>,
    /// Visible panes and their areas (borders included).
    pub panes: Vec<(PaneId, Area)>,
    /// The status bar (last row).
    pub status_bar: Area,
    /// The prompt row, just above the status bar.
    pub prompt_row: Area,
}

impl ScreenLayout {
    /// The area of a pane, if it is visible.
    pub fn pane(&self, id: PaneId) -> Option<Area> {
        self.panes.iter().find(|(p, _)| *p == id).map(|(_, a)| *a)
    }
}

/// Lay out the screen for a terminal of `width`×`height`.
pub fn screen_layout(width: u16, height: u16, layout: &PaneLayout) -> ScreenLayout {
    let status_bar = Area {
        x: 0,
        y: height.saturating_sub(1),
        width,
        height: height.min(1),
    };
    let prompt_row = Area {
        x: 0,
        y: height.saturating_sub(2),
        width,
        height: height.min(1),
    };
    let body_height = height.saturating_sub(1);
    let single = layout.zoomed || width < TABS_BELOW_WIDTH;
    if single {
        let tab_bar = Area {
            x: 0,
            y: 0,
            width,
            height: body_height.min(1),
        };
        let body = Area {
            x: 0,
            y: 1,
            width,
            height: body_height.saturating_sub(1),
        };
        return ScreenLayout {
            tab_bar: Some(tab_bar),
            panes: vec![(layout.focus, body)],
            status_bar,
            prompt_row,
        };
    }
    let left_width = width * 3 / 5;
    let right_width = width - left_width;
    let editor = Area {
        x: 0,
        y: 0,
        width: left_width,
        height: body_height,
    };
    let conductor_height = body_height * 2 / 5;
    let board_height = body_height * 7 / 20;
    let monitor_height = body_height - conductor_height - board_height;
    let conductor = Area {
        x: left_width,
        y: 0,
        width: right_width,
        height: conductor_height,
    };
    let board = Area {
        x: left_width,
        y: conductor_height,
        width: right_width,
        height: board_height,
    };
    let monitor = Area {
        x: left_width,
        y: conductor_height + board_height,
        width: right_width,
        height: monitor_height,
    };
    ScreenLayout {
        tab_bar: None,
        panes: vec![
            (PaneId::Editor, editor),
            (PaneId::Conductor, conductor),
            (PaneId::Board, board),
            (PaneId::Monitor, monitor),
        ],
        status_bar,
        prompt_row,
    }
}

/// The editor's text area (inside its border, right of the gutter is up to the renderer).
pub fn editor_text_area(width: u16, height: u16, layout: &PaneLayout) -> Area {
    let screen = screen_layout(
        width,
        height,
        &PaneLayout {
            focus: PaneId::Editor,
            ..*layout
        },
    );
    let area = screen.pane(PaneId::Editor).unwrap_or_default();
    if screen.tab_bar.is_some() {
        // Single-pane mode draws no border around the editor: every column counts at 80×24.
        area
    } else {
        area.inner()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_terminals_show_every_pane() {
        let screen = screen_layout(200, 60, &PaneLayout::default());
        assert_eq!(screen.panes.len(), 4);
        assert!(screen.tab_bar.is_none());
        let total: u32 = screen
            .panes
            .iter()
            .map(|(_, a)| a.width as u32 * a.height as u32)
            .sum();
        assert_eq!(total, 200 * 59, "panes tile the body exactly");
    }

    #[test]
    fn narrow_terminals_show_the_focused_pane_as_a_tab() {
        let layout = PaneLayout {
            focus: PaneId::Board,
            zoomed: false,
        };
        let screen = screen_layout(80, 24, &layout);
        assert_eq!(
            screen.panes,
            vec![(
                PaneId::Board,
                Area {
                    x: 0,
                    y: 1,
                    width: 80,
                    height: 22
                }
            )]
        );
        assert!(screen.tab_bar.is_some());
    }

    #[test]
    fn tiny_terminals_do_not_underflow() {
        let screen = screen_layout(3, 1, &PaneLayout::default());
        assert_eq!(screen.status_bar.height, 1);
        let text = editor_text_area(0, 0, &PaneLayout::default());
        assert_eq!(text.width, 0);
    }
}
