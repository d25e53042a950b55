//! The board's layered layout of a workflow graph (Sugiyama style), top to bottom:
//! longest-path layering (cycles broken by reversing the edges that close them), dummy
//! items on edges that span several layers, crossing reduction by barycenter sweeps
//! (`ordering.rs`), x positions that pull each item towards its neighbours without overlap
//! (`placement.rs`), and edge routes as grid polylines through the gaps (`routes.rs`).
//!
//! Pure and terminal-free: coordinates are cells of an unbounded grid that the board pane
//! scrolls over.

use pit::dag::WorkflowFile;
use std::collections::HashMap;

use super::ordering;
use super::placement;
use super::routes;

/// A node's position in the graph given to [`layout`]: its index in the workflow's `nodes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodePos(pub u32);

impl NodePos {
    /// The index as a `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The graph to lay out: nodes `0..nodes`, edges between them (each with the index of the
/// edge it stands for, so routes can be matched back to the file's `edges`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayoutGraph {
    /// How many nodes.
    pub nodes: usize,
    /// `(from, to, edge index)`.
    pub edges: Vec<(NodePos, NodePos, usize)>,
    /// Nodes the user moved within their layer, and by how many places (negative: left),
    /// applied after crossing reduction.
    pub nudges: Vec<(NodePos, i32)>,
}

impl LayoutGraph {
    /// The graph of a workflow file: nodes in file order; edges whose ends name no node (or a
    /// node twice: a self-loop) are left out, since there is nothing to draw between.
    pub fn of_file(file: &WorkflowFile) -> LayoutGraph {
        let mut index: HashMap<&str, u32> = HashMap::with_capacity(file.nodes.len());
        for (i, node) in file.nodes.iter().enumerate() {
            index.entry(node.id.as_str()).or_insert(i as u32);
        }
        let edges = file
            .edges
            .iter()
            .enumerate()
            .filter_map(|(e, edge)| {
                let from = *index.get(edge.from.as_str())?;
                let to = *index.get(edge.to.as_str())?;
                (from != to).then_some((NodePos(from), NodePos(to), e))
            })
            .collect();
        LayoutGraph {
            nodes: file.nodes.len(),
            edges,
            nudges: Vec::new(),
        }
    }
}

/// Sizes of the drawing, in cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayoutOptions {
    /// Width of a node's box.
    pub node_width: u32,
    /// Height of a node's box.
    pub node_height: u32,
    /// Columns between neighbours in a layer.
    pub gap: u32,
    /// Barycenter sweeps (each one down and one up).
    pub sweeps: u32,
    /// Most horizontal tracks in one gap between layers; more edges share the last ones.
    pub max_tracks: u32,
}

impl Default for LayoutOptions {
    fn default() -> Self {
        LayoutOptions {
            node_width: 22,
            node_height: 4,
            gap: 3,
            sweeps: 4,
            max_tracks: 3,
        }
    }
}

/// Where one node goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Placement {
    /// Its layer, 0 at the top.
    pub layer: u32,
    /// Its place in the layer, 0 at the left (dummy items count).
    pub order: u32,
    /// Left column of its box.
    pub x: u32,
    /// Top row of its box.
    pub y: u32,
}

/// How one edge is drawn: a polyline of grid cells, each step horizontal or vertical, from
/// just below its source's box to just above its target's (the arrowhead's cell). An edge
/// that closes a cycle is drawn reversed: it ends just *below* its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The edge's index in the graph's input (the file's `edges`).
    pub edge: usize,
    /// The corners, start and end included.
    pub points: Vec<(u32, u32)>,
    /// The edge closes a cycle and runs upwards.
    pub reversed: bool,
}

/// One layer's band of rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Band {
    /// Top row of the layer's boxes.
    pub y: u32,
    /// How many real nodes it holds.
    pub nodes: u32,
}

/// A whole layout.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Layout {
    /// One per node of the graph, in its order.
    pub nodes: Vec<Placement>,
    /// One per drawn edge, in the graph's edge order.
    pub routes: Vec<Route>,
    /// The layers, top to bottom.
    pub bands: Vec<Band>,
    /// Width of the drawing.
    pub width: u32,
    /// Height of the drawing.
    pub height: u32,
    /// Edge crossings left after ordering (counted between adjacent layers).
    pub crossings: u64,
}

impl Layout {
    /// The node whose box holds the cell, if any.
    pub fn node_at(&self, x: u32, y: u32, options: &LayoutOptions) -> Option<NodePos> {
        self.nodes
            .iter()
            .position(|p| {
                x >= p.x
                    && x < p.x + options.node_width
                    && y >= p.y
                    && y < p.y + options.node_height
            })
            .map(|i| NodePos(i as u32))
    }
}

/// The layered graph shared by the steps: real nodes are items `0..n`, dummies follow.
#[derive(Debug, Clone, Default)]
pub(super) struct Layered {
    /// Each item's layer.
    pub layer: Vec<u32>,
    /// Items per layer, left to right.
    pub rows: Vec<Vec<u32>>,
    /// Each item's neighbours in the layer above.
    pub up: Vec<Vec<u32>>,
    /// Each item's neighbours in the layer below.
    pub down: Vec<Vec<u32>>,
    /// How many items are real nodes.
    pub real: usize,
    /// Per drawn edge: its index, the chain of items from top to bottom, reversed or not.
    pub chains: Vec<(usize, Vec<u32>, bool)>,
}

impl Layered {
    /// Each item's place in its layer.
    pub fn positions(&self) -> Vec<u32> {
        let mut pos = vec![0; self.layer.len()];
        for row in &self.rows {
            for (i, &item) in row.iter().enumerate() {
                pos[item as usize] = i as u32;
            }
        }
        pos
    }
}

/// Lays out a graph.
pub fn layout(graph: &LayoutGraph, options: &LayoutOptions) -> Layout {
    let n = graph.nodes;
    if n == 0 {
        return Layout::default();
    }
    let (order, reversed) = acyclic_order(graph);
    let layer = longest_path_layers(graph, &order, &reversed);
    let mut layered = with_dummies(graph, layer, &order, &reversed);
    let mut crossings = ordering::reduce_crossings(&mut layered, options.sweeps);
    if !graph.nudges.is_empty() {
        for &(node, by) in &graph.nudges {
            nudge(&mut layered, node, by);
        }
        crossings = ordering::count_all(&layered, &layered.positions());
    }
    let x = placement::x_positions(&layered, options);
    routes::finish(&layered, &x, crossings, options)
}

/// Moves a node by `by` places among the real nodes of its layer (as far as there are any).
fn nudge(l: &mut Layered, node: NodePos, by: i32) {
    let Some(&layer) = l.layer.get(node.index()) else {
        return;
    };
    let row = &mut l.rows[layer as usize];
    let Some(mut at) = row.iter().position(|&item| item == node.0) else {
        return;
    };
    for _ in 0..by.unsigned_abs() {
        let real = |&item: &u32| (item as usize) < l.real;
        let next = if by < 0 {
            row[..at].iter().rposition(real)
        } else {
            row[at + 1..].iter().position(real).map(|j| at + 1 + j)
        };
        let Some(to) = next else { break };
        let item = row.remove(at);
        row.insert(to, item);
        at = to;
    }
}

/// A topological order, found by Kahn's algorithm; when only cycles remain, the first
/// unplaced node is taken anyway and the edges into it from unplaced nodes are reversed.
/// Returns the order and, per edge of the graph, whether it runs against it.
fn acyclic_order(graph: &LayoutGraph) -> (Vec<u32>, Vec<bool>) {
    let n = graph.nodes;
    let mut indegree = vec![0u32; n];
    let mut out: Vec<Vec<u32>> = vec![Vec::new(); n];
    for &(from, to, _) in &graph.edges {
        indegree[to.index()] += 1;
        out[from.index()].push(to.0);
    }
    let mut placed = vec![false; n];
    let mut order = Vec::with_capacity(n);
    let mut ready: std::collections::VecDeque<u32> = (0..n as u32)
        .filter(|&v| indegree[v as usize] == 0)
        .collect();
    let mut next_forced = 0usize;
    while order.len() < n {
        let v = match ready.pop_front() {
            Some(v) => v,
            None => {
                while placed[next_forced] {
                    next_forced += 1;
                }
                next_forced as u32
            }
        };
        if placed[v as usize] {
            continue;
        }
        placed[v as usize] = true;
        order.push(v);
        for &w in &out[v as usize] {
            let d = &mut indegree[w as usize];
            *d = d.saturating_sub(1);
            if *d == 0 && !placed[w as usize] {
                ready.push_back(w);
            }
        }
    }
    let mut rank = vec![0u32; n];
    for (i, &v) in order.iter().enumerate() {
        rank[v as usize] = i as u32;
    }
    let reversed = graph
        .edges
        .iter()
        .map(|&(from, to, _)| rank[from.index()] > rank[to.index()])
        .collect();
    (order, reversed)
}

/// Longest-path layering: every node one layer below the lowest of the nodes it waits for.
fn longest_path_layers(graph: &LayoutGraph, order: &[u32], reversed: &[bool]) -> Vec<u32> {
    let n = graph.nodes;
    let mut below: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (&(from, to, _), &rev) in graph.edges.iter().zip(reversed) {
        let (a, b) = if rev { (to, from) } else { (from, to) };
        below[a.index()].push(b.0);
    }
    let mut layer = vec![0u32; n];
    for &v in order {
        let next = layer[v as usize] + 1;
        for &w in &below[v as usize] {
            if layer[w as usize] < next {
                layer[w as usize] = next;
            }
        }
    }
    layer
}

/// Adds a dummy item in every layer an edge passes through, and the initial order of each
/// layer: real nodes in topological order, dummies as their edges come.
fn with_dummies(graph: &LayoutGraph, layer: Vec<u32>, order: &[u32], reversed: &[bool]) -> Layered {
    let n = graph.nodes;
    let layers = layer.iter().max().map_or(0, |&m| m as usize + 1);
    let mut l = Layered {
        rows: vec![Vec::new(); layers],
        up: vec![Vec::new(); n],
        down: vec![Vec::new(); n],
        layer,
        real: n,
        chains: Vec::with_capacity(graph.edges.len()),
    };
    for &v in order {
        l.rows[l.layer[v as usize] as usize].push(v);
    }
    // Two edges between the same nodes share one chain, so they are drawn as one.
    let mut seen: HashMap<(u32, u32), usize> = HashMap::with_capacity(graph.edges.len());
    for (&(from, to, e), &rev) in graph.edges.iter().zip(reversed) {
        let (a, b) = if rev { (to.0, from.0) } else { (from.0, to.0) };
        if let Some(&first) = seen.get(&(a, b)) {
            let chain = l.chains[first].1.clone();
            l.chains.push((e, chain, rev));
            continue;
        }
        seen.insert((a, b), l.chains.len());
        let mut chain = vec![a];
        let mut prev = a;
        for depth in l.layer[a as usize] + 1..l.layer[b as usize] {
            let d = l.layer.len() as u32;
            l.layer.push(depth);
            l.up.push(Vec::new());
            l.down.push(Vec::new());
            l.rows[depth as usize].push(d);
            l.down[prev as usize].push(d);
            l.up[d as usize].push(prev);
            chain.push(d);
            prev = d;
        }
        l.down[prev as usize].push(b);
        l.up[b as usize].push(prev);
        chain.push(b);
        l.chains.push((e, chain, rev));
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn graph(n: usize, edges: &[(u32, u32)]) -> LayoutGraph {
        LayoutGraph {
            nudges: Vec::new(),
            nodes: n,
            edges: edges
                .iter()
                .enumerate()
                .map(|(i, &(a, b))| (NodePos(a), NodePos(b), i))
                .collect(),
        }
    }

    fn boxes_overlap(a: &Placement, b: &Placement, o: &LayoutOptions) -> bool {
        a.x < b.x + o.node_width
            && b.x < a.x + o.node_width
            && a.y < b.y + o.node_height
            && b.y < a.y + o.node_height
    }

    /// Every cell a polyline passes through.
    fn cells(points: &[(u32, u32)]) -> Vec<(u32, u32)> {
        let mut out = vec![points[0]];
        for w in points.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            let (mut x, mut y) = (x0, y0);
            while (x, y) != (x1, y1) {
                x = if x < x1 {
                    x + 1
                } else if x > x1 {
                    x - 1
                } else {
                    x
                };
                y = if y < y1 {
                    y + 1
                } else if y > y1 {
                    y - 1
                } else {
                    y
                };
                out.push((x, y));
            }
        }
        out
    }

    #[test]
    fn a_diamond_has_three_layers_and_no_crossing() {
        let g = graph(4, &[(0, 1), (0, 2), (1, 3), (2, 3)]);
        let l = layout(&g, &LayoutOptions::default());
        let layers: Vec<u32> = l.nodes.iter().map(|p| p.layer).collect();
        assert_eq!(layers, [0, 1, 1, 2]);
        assert_eq!(l.crossings, 0);
        assert_eq!(l.routes.len(), 4);
        assert_eq!(l.bands.len(), 3);
    }

    #[test]
    fn crossings_are_removed_where_an_order_without_them_exists() {
        // 0→3, 1→2 cross when the bottom layer keeps file order; swapping removes it.
        let g = graph(4, &[(0, 3), (1, 2)]);
        let l = layout(&g, &LayoutOptions::default());
        assert_eq!(l.crossings, 0);
        assert!(l.nodes[3].x < l.nodes[2].x);
    }

    #[test]
    fn a_nudge_moves_a_node_past_its_neighbour() {
        let mut g = graph(3, &[(0, 1), (0, 2)]);
        let before = layout(&g, &LayoutOptions::default());
        assert!(before.nodes[1].x < before.nodes[2].x);
        g.nudges = vec![(NodePos(1), 1)];
        let after = layout(&g, &LayoutOptions::default());
        assert!(after.nodes[1].x > after.nodes[2].x);
        assert_eq!((after.nodes[1].order, after.nodes[2].order), (1, 0));
    }

    #[test]
    fn a_cycle_is_laid_out_with_one_edge_reversed() {
        let g = graph(3, &[(0, 1), (1, 2), (2, 0)]);
        let l = layout(&g, &LayoutOptions::default());
        assert_eq!(l.routes.iter().filter(|r| r.reversed).count(), 1);
        let back = l.routes.iter().find(|r| r.reversed).expect("one reversed");
        assert_eq!(back.edge, 2);
        // It ends below its target (node 0), pointing up.
        let end = *back.points.last().expect("points");
        assert_eq!(end.1, l.nodes[0].y + LayoutOptions::default().node_height);
    }

    #[test]
    fn a_long_edge_goes_around_the_layers_it_skips() {
        let g = graph(3, &[(0, 1), (1, 2), (0, 2)]);
        let o = LayoutOptions::default();
        let l = layout(&g, &o);
        let long = l.routes.iter().find(|r| r.edge == 2).expect("route");
        for cell in cells(&long.points) {
            assert_ne!(l.node_at(cell.0, cell.1, &o), Some(NodePos(1)));
        }
    }

    fn dag() -> impl Strategy<Value = (usize, Vec<(u32, u32)>)> {
        (1usize..28).prop_flat_map(|n| {
            let pair = (0..n as u32, 0..n as u32).prop_map(|(a, b)| (a.min(b), a.max(b)));
            let pairs = proptest::collection::vec(pair, 0..3 * n)
                .prop_map(|p| p.into_iter().filter(|(a, b)| a < b).collect());
            (Just(n), pairs)
        })
    }

    proptest! {
        #[test]
        fn edges_go_down_and_nothing_overlaps((n, edges) in dag()) {
            let o = LayoutOptions::default();
            let l = layout(&graph(n, &edges), &o);
            prop_assert_eq!(l.nodes.len(), n);
            for &(a, b) in &edges {
                prop_assert!(l.nodes[a as usize].layer < l.nodes[b as usize].layer);
            }
            for i in 0..n {
                for j in i + 1..n {
                    prop_assert!(!boxes_overlap(&l.nodes[i], &l.nodes[j], &o), "{i} and {j} overlap");
                }
            }
            prop_assert_eq!(l.routes.len(), edges.len());
            for route in &l.routes {
                prop_assert!(!route.reversed);
                for w in route.points.windows(2) {
                    prop_assert!(w[0].0 == w[1].0 || w[0].1 == w[1].1, "diagonal step");
                }
                for (x, y) in cells(&route.points) {
                    prop_assert!(l.node_at(x, y, &o).is_none(), "edge {} crosses a box", route.edge);
                    prop_assert!(x < l.width && y < l.height);
                }
            }
        }

        #[test]
        fn any_graph_gets_a_layout_and_every_edge_a_route(
            n in 1usize..20,
            edges in proptest::collection::vec((0u32..20, 0u32..20), 0..40),
        ) {
            let edges: Vec<(u32, u32)> = edges
                .into_iter()
                .filter(|&(a, b)| (a as usize) < n && (b as usize) < n && a != b)
                .collect();
            let l = layout(&graph(n, &edges), &LayoutOptions::default());
            prop_assert_eq!(l.routes.len(), edges.len());
            for (k, &(a, b)) in edges.iter().enumerate() {
                let (la, lb) = (l.nodes[a as usize].layer, l.nodes[b as usize].layer);
                let ok = if l.routes[k].reversed { la > lb } else { la < lb };
                prop_assert!(ok, "edge {} from layer {} to {}", k, la, lb);
            }
        }
    }
}
