//! Zoom levels for large workflows: full boxes (kind, name, state, ports), compact one-line
//! nodes, and dots. Each level is a set of layout sizes, so that the layout, the view that
//! follows the selection and the renderer all agree; the minimap (`ui/board_minimap.rs`)
//! shows where the view is over the whole drawing.

use super::layout::LayoutOptions;
use super::state::BoardState;

/// How closely the board shows its nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Zoom {
    /// Boxes of four rows: kind and name, state or problem, ports on the borders.
    #[default]
    Boxes,
    /// One row per node: `[⚙ name]`.
    Lines,
    /// One cell per node: its kind's symbol.
    Dots,
}

impl Zoom {
    /// The layout sizes of this level.
    pub fn options(self) -> LayoutOptions {
        let full = LayoutOptions::default();
        match self {
            Zoom::Boxes => full,
            Zoom::Lines => LayoutOptions {
                node_width: 16,
                node_height: 1,
                gap: 2,
                max_tracks: 2,
                ..full
            },
            Zoom::Dots => LayoutOptions {
                node_width: 1,
                node_height: 1,
                gap: 1,
                max_tracks: 1,
                ..full
            },
        }
    }

    /// The next level in (`by < 0`) or out, if there is one.
    pub fn step(self, by: i8) -> Option<Zoom> {
        let levels = [Zoom::Boxes, Zoom::Lines, Zoom::Dots];
        let at = levels.iter().position(|&z| z == self)? as i64;
        let to = at + i64::from(by.signum());
        usize::try_from(to)
            .ok()
            .and_then(|i| levels.get(i))
            .copied()
    }

    /// The level's name, for the board's notices.
    pub fn name(self) -> &'static str {
        match self {
            Zoom::Boxes => "boxes",
            Zoom::Lines => "one line per node",
            Zoom::Dots => "dots",
        }
    }
}

/// Zooms in (`by < 0`) or out one level; false at either end.
pub fn zoom(board: &mut BoardState, by: i8) -> bool {
    let Some(level) = board.zoom.step(by) else {
        return false;
    };
    board.zoom = level;
    board.options = level.options();
    board.refresh();
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_step_in_and_out_and_stop_at_the_ends() {
        assert_eq!(Zoom::Boxes.step(1), Some(Zoom::Lines));
        assert_eq!(Zoom::Lines.step(1), Some(Zoom::Dots));
        assert_eq!(Zoom::Dots.step(1), None);
        assert_eq!(Zoom::Boxes.step(-1), None);
        assert!(Zoom::Dots.options().node_width < Zoom::Lines.options().node_width);
    }
}
