//! Rows of the layers and the edges' routes: in each gap between two layers, the edges into
//! one item share a horizontal track, and tracks are given out so that edges into different
//! items do not overlap (interval colouring, up to `max_tracks`); one more row holds the
//! arrowheads.

use std::collections::HashMap;

use super::layout::{Band, Layered, Layout, LayoutOptions, Placement, Route};

/// The rows and routes, given the layers' order and the items' x positions.
pub(super) fn finish(l: &Layered, x: &[u32], crossings: u64, o: &LayoutOptions) -> Layout {
    let centre = |item: u32| {
        if (item as usize) < l.real {
            x[item as usize] + o.node_width / 2
        } else {
            x[item as usize]
        }
    };
    // Per gap (below layer g): the track of the edges into each lower item.
    let gaps = l.rows.len().saturating_sub(1);
    let mut track_of: Vec<HashMap<u32, u32>> = vec![HashMap::new(); gaps];
    let mut tracks = vec![1u32; gaps];
    for (g, row) in l.rows.iter().skip(1).enumerate() {
        let mut spans: Vec<(u32, u32, u32)> = row
            .iter()
            .filter(|&&item| !l.up[item as usize].is_empty())
            .map(|&item| {
                let c = centre(item);
                let (lo, hi) = l.up[item as usize]
                    .iter()
                    .map(|&u| centre(u))
                    .fold((c, c), |(lo, hi), v| (lo.min(v), hi.max(v)));
                (lo, hi, item)
            })
            .collect();
        spans.sort_unstable();
        let mut ends: Vec<u32> = Vec::new();
        for (lo, hi, item) in spans {
            let t = match ends.iter().position(|&end| end + 1 < lo) {
                Some(t) => t,
                None if (ends.len() as u32) < o.max_tracks => {
                    ends.push(0);
                    ends.len() - 1
                }
                None => (item as usize) % ends.len(),
            };
            ends[t] = ends[t].max(hi);
            track_of[g].insert(item, t as u32);
        }
        tracks[g] = (ends.len() as u32).max(1);
    }
    // Band tops.
    let mut band_y = Vec::with_capacity(l.rows.len());
    let mut y = 0;
    for g in 0..l.rows.len() {
        band_y.push(y);
        y += o.node_height + tracks.get(g).map_or(0, |t| t + 1);
    }
    let height = y;
    let pos = l.positions();
    let mut nodes = vec![Placement::default(); l.real];
    let mut bands: Vec<Band> = band_y.iter().map(|&y| Band { y, nodes: 0 }).collect();
    for (v, place) in nodes.iter_mut().enumerate() {
        let layer = l.layer[v];
        bands[layer as usize].nodes += 1;
        *place = Placement {
            layer,
            order: pos[v],
            x: x[v],
            y: band_y[layer as usize],
        };
    }
    let routes = l
        .chains
        .iter()
        .map(|(edge, chain, reversed)| {
            let mut points = Vec::with_capacity(2 * chain.len() + 2);
            for pair in chain.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                let g = l.layer[a as usize] as usize;
                let gap_top = band_y[g] + o.node_height;
                let row = gap_top + track_of[g].get(&b).copied().unwrap_or(0);
                if (a as usize) < l.real {
                    points.push((centre(a), gap_top));
                }
                points.push((centre(a), row));
                points.push((centre(b), row));
                if (b as usize) < l.real {
                    points.push((centre(b), gap_top + tracks[g]));
                }
            }
            let mut points = simplify(points);
            if *reversed {
                points.reverse();
            }
            Route {
                edge: *edge,
                points,
                reversed: *reversed,
            }
        })
        .collect();
    let width = x
        .iter()
        .enumerate()
        .map(|(i, &left)| left + if i < l.real { o.node_width } else { 1 })
        .max()
        .unwrap_or(0);
    Layout {
        nodes,
        routes,
        bands,
        width,
        height,
        crossings,
    }
}

/// Drops repeated points and the middle of three in a line.
fn simplify(points: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(points.len());
    for p in points {
        if out.last() == Some(&p) {
            continue;
        }
        if let [.., a, b] = out[..]
            && ((a.0 == b.0 && b.0 == p.0) || (a.1 == b.1 && b.1 == p.1))
        {
            out.pop();
        }
        out.push(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::simplify;

    #[test]
    fn collinear_and_repeated_points_go() {
        let p = simplify(vec![(1, 0), (1, 0), (1, 2), (1, 4), (5, 4), (9, 4), (9, 6)]);
        assert_eq!(p, [(1, 0), (1, 4), (9, 4), (9, 6)]);
    }
}
