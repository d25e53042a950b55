//! The minimap's geometry, shared by the renderer (`ui/board_minimap.rs`) and the mouse (a
//! click on the map selects the node nearest to that point, and the view follows it): a box
//! in the graph's bottom-right corner, shown when the drawing is at least twice the view
//! across or down and the pane has room, unless hidden with `m`.

use pit::dag::NodeId;

use super::group;
use super::state::BoardState;

/// Smallest graph area (columns, rows) that gets a minimap.
pub const MIN_AREA: (u16, u16) = (40, 12);

/// Where the minimap is on screen, border included, and how many drawing cells one of its
/// cells stands for (the same across and down, so that the map keeps the drawing's
/// proportions).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapArea {
    /// Left column of the border.
    pub x: u16,
    /// Top row of the border.
    pub y: u16,
    /// Width, border included.
    pub width: u16,
    /// Height, border included.
    pub height: u16,
    /// Drawing cells per map cell.
    pub scale: f64,
}

impl MapArea {
    /// The map cell (inside the border) under a screen cell, if any.
    pub fn cell(&self, col: u16, row: u16) -> Option<(u16, u16)> {
        let inside = col > self.x
            && col < self.x + self.width - 1
            && row > self.y
            && row < self.y + self.height - 1;
        inside.then(|| (col - self.x - 1, row - self.y - 1))
    }
}

/// The minimap over a graph area at `(x, y)` of `width` × `height`, if it is shown.
pub fn area(board: &BoardState, x: u16, y: u16, width: u16, height: u16) -> Option<MapArea> {
    let (w, h) = (board.layout.width.max(1), board.layout.height.max(1));
    // A drawing less than twice the view is scrolled through, not mapped: the map would
    // hide more than it shows.
    let fits = w < 2 * u32::from(width) && h < 2 * u32::from(height);
    if !board.minimap || fits || width < MIN_AREA.0 || height < MIN_AREA.1 {
        return None;
    }
    let most = (
        f64::from((width / 3).clamp(12, 40)),
        f64::from((height / 3).clamp(4, 12)),
    );
    let scale = (f64::from(w) / most.0).max(f64::from(h) / most.1).max(1.0);
    let inner = (
        (f64::from(w) / scale).ceil().max(1.0) as u16,
        (f64::from(h) / scale).ceil().max(1.0) as u16,
    );
    let (map_width, map_height) = (inner.0.max(7) + 2, inner.1 + 2);
    Some(MapArea {
        x: x + width - map_width,
        y: y + height - map_height,
        width: map_width,
        height: map_height,
        scale,
    })
}

/// The shown node nearest to the middle of a map cell.
pub fn node_near(board: &BoardState, map: &MapArea, cell: (u16, u16)) -> Option<NodeId> {
    let point = (
        (f64::from(cell.0) + 0.5) * map.scale,
        (f64::from(cell.1) + 0.5) * map.scale,
    );
    let hidden = group::hidden(&board.doc);
    let (bw, bh) = (board.options.node_width, board.options.node_height);
    let distance = |i: usize| {
        let p = board.layout.nodes[i];
        let dx = f64::from(p.x + bw / 2) - point.0;
        let dy = f64::from(p.y + bh / 2) - point.1;
        dx * dx + dy * dy
    };
    (0..board.layout.nodes.len())
        .filter(|&i| !hidden[i])
        .min_by(|&a, &b| distance(a).total_cmp(&distance(b)))
        .map(|i| board.doc.file.nodes[i].id.clone())
}
