//! The Harmony Board's layered layout (`symphony::app::board::layout`: longest-path layering,
//! barycenter crossing reduction, x placement, edge routing) on real workflows, against
//! petgraph's `toposort` of the same graph in the same run — the least any layered drawing
//! must do (a layering needs a topological order).
//!
//! The workflows come from the WfCommons traces in `../shared/data/wfcommons/` (seen from the
//! workspace root; `WFCOMMONS_DIR` overrides it), loaded by `pit::dag::load_file`:
//! - ~1,000 nodes: `seismology-chameleon-1000p-001` (1,001 tasks, 1,000 edges: a wide fan-in);
//! - ~10,000 nodes: five copies of `montage-chameleon-dss-15d-001` side by side (ids prefixed;
//!   10,610 tasks, 30,570 edges), since no single trace here has 10,000 tasks.
//!
//! The layout runs after every board edit, so the target is a frame's worth of time on the
//! 1,000-node workflow (16 ms) and an interactive 100 ms on the 10,000-node one.
//!
//! Also one whole frame of the board pane (zoomed, 200×60, `symphony::ui::render` into a
//! `TestBackend`) on the 1,000-node workflow at each zoom level (boxes, lines, dots, with the
//! minimap where it shows), against the layout's own time in the same run; target a frame's
//! worth (16 ms).
//!
//! Run: `cargo bench --bench board_layout`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::Criterion;
use pit::dag::{LoadOptions, NodeId, Workflow, WorkflowFile, load_file};
use pit::petgraph::algo::toposort;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use symphony::app::board::{BoardAction, BoardKey, LayoutGraph, LayoutOptions, layout};
use symphony::app::state::PaneId;
use symphony::app::{Action, AppState, update};
use symphony::theme::{BUILTIN_THEMES, ColorDepth, Theme};

use support::{Stats, Table, Target, Value, count};

fn traces_dir() -> PathBuf {
    std::env::var_os("WFCOMMONS_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/wfcommons"),
        PathBuf::from,
    )
}

fn load(name: &str) -> WorkflowFile {
    let path = traces_dir().join(name);
    let (_, file) = load_file(&path, &LoadOptions { time_scale: 1.0 })
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    file
}

/// `copies` disjoint copies of a workflow, ids prefixed with the copy's number.
fn side_by_side(file: &WorkflowFile, copies: usize) -> WorkflowFile {
    let mut out = WorkflowFile::default();
    for c in 0..copies {
        let rename = |id: &NodeId| NodeId::new(format!("c{c}-{}", id.as_str()));
        for node in &file.nodes {
            let mut node = node.clone();
            node.id = rename(&node.id);
            node.fallback = None;
            out.nodes.push(node);
        }
        for edge in &file.edges {
            let mut edge = edge.clone();
            edge.from = rename(&edge.from);
            edge.to = rename(&edge.to);
            edge.id = None;
            out.edges.push(edge);
        }
    }
    out
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Stats {
    black_box(f());
    let samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .collect();
    Stats::of(&samples)
}

struct Measured {
    label: String,
    layout: Stats,
    topo: Stats,
}

fn measure(label: &str, file: &WorkflowFile, runs: usize) -> Measured {
    let wf = Workflow::build(file).expect("the trace is a valid workflow");
    let graph = LayoutGraph::of_file(file);
    let petgraph = wf.to_petgraph();
    let options = LayoutOptions::default();
    let l = layout(&graph, &options);
    let unordered = layout(
        &graph,
        &LayoutOptions {
            sweeps: 0,
            ..options
        },
    );
    println!(
        "{label}: {} nodes, {} edges → {} layers, {} crossings ({} before the barycenter \
         sweeps), {}×{} cells",
        wf.node_count(),
        wf.edge_count(),
        l.bands.len(),
        l.crossings,
        unordered.crossings,
        l.width,
        l.height
    );
    let ours = time(runs, || layout(&graph, &options));
    ours.line("board layout (layers, crossings, x, routes)");
    let topo = time(runs, || toposort(&petgraph, None).expect("acyclic"));
    topo.line("baseline: petgraph toposort");
    let with_graph = time(runs, || layout(&LayoutGraph::of_file(file), &options));
    with_graph.line("board layout incl. graph from the file");
    Measured {
        label: label.to_owned(),
        layout: ours,
        topo,
    }
}

/// The board pane, zoomed, showing `file` at `zoom_outs` levels out, the selection in the
/// middle of the drawing.
fn board_on_screen(file: &WorkflowFile, zoom_outs: usize) -> AppState {
    let theme = Theme::parse(BUILTIN_THEMES[0].1, "dark", ColorDepth::TrueColor).expect("theme");
    let mut state = AppState::new((200, 60), theme);
    let act = |state: &mut AppState, action| drop(update(state, action));
    act(&mut state, Action::Focus(PaneId::Board));
    act(&mut state, Action::ToggleZoom);
    act(
        &mut state,
        Action::Board(BoardAction::Show {
            file: file.clone(),
            path: None,
        }),
    );
    for _ in 0..zoom_outs {
        act(
            &mut state,
            Action::Board(BoardAction::Key(BoardKey::Zoom(1))),
        );
    }
    let middle = state.board.doc.file.nodes[file.nodes.len() / 2].id.clone();
    state.board.selected = Some(middle);
    act(&mut state, Action::Resize(200, 60));
    state
}

fn main() {
    let seismology = load("seismology-chameleon-1000p-001.json.gz");
    let montage = side_by_side(&load("montage-chameleon-dss-15d-001.json.gz"), 5);
    let small = measure("1k (seismology)", &seismology, count(200, 3));
    let large = measure("10k (5 × montage)", &montage, count(30, 1));

    let (g_small, g_large) = (
        LayoutGraph::of_file(&seismology),
        LayoutGraph::of_file(&montage),
    );
    let (p_small, p_large) = (
        Workflow::build(&seismology).expect("valid").to_petgraph(),
        Workflow::build(&montage).expect("valid").to_petgraph(),
    );
    let options = LayoutOptions::default();
    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    {
        let mut group = criterion.benchmark_group("board_layout");
        group.bench_function("layout_1k", |b| {
            b.iter(|| layout(black_box(&g_small), &options))
        });
        group.bench_function("baseline_toposort_1k", |b| {
            b.iter(|| toposort(black_box(&p_small), None).expect("acyclic"))
        });
        group.bench_function("layout_10k", |b| {
            b.iter(|| layout(black_box(&g_large), &options))
        });
        group.bench_function("baseline_toposort_10k", |b| {
            b.iter(|| toposort(black_box(&p_large), None).expect("acyclic"))
        });
        group.finish();
    }
    criterion.final_summary();

    let mut table = Table::default();
    for (m, target) in [
        (&small, Duration::from_millis(16)),
        (&large, Duration::from_millis(100)),
    ] {
        table.row(
            &format!("layout {}, p50", m.label),
            Value::Time(m.layout.p50),
            "petgraph toposort",
            Value::Time(m.topo.p50),
            Target::AtMost(target),
        );
        table.row(
            &format!("layout {}, p99", m.label),
            Value::Time(m.layout.p99),
            "petgraph toposort",
            Value::Time(m.topo.p99),
            Target::AtMost(target),
        );
    }
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("TestBackend");
    for (zoom_outs, level) in ["boxes", "one line per node", "dots"].iter().enumerate() {
        let state = board_on_screen(&seismology, zoom_outs);
        let frame = time(count(300, 3), || {
            terminal
                .draw(|f| symphony::ui::render(&state, f))
                .expect("drawn");
        });
        frame.line(&format!("board frame, 1k nodes, {level}"));
        table.row(
            &format!("board frame 1k, {level}, p50"),
            Value::Time(frame.p50),
            "layout 1k",
            Value::Time(small.layout.p50),
            Target::AtMost(Duration::from_millis(16)),
        );
    }
    table.print("Board layout");
}
