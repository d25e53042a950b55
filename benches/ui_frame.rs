//! UI frames: (a) one full frame at 200×60 of a realistic state, (b) time to the first frame.
//!
//! (a) A 2,000-line Rust file, opened through `update` and the in-memory editor as the tests
//! do, scrolled to its middle with a three-line selection, every line carrying syntax-style
//! triples and their `def_style`s. Timed: `terminal.draw(|f| symphony::ui::render(&state, f))`
//! on a `TestBackend`, both while scrolling (every frame differs from the last, so ratatui's
//! diff sends every cell: the worst case) and for an unchanged screen. Baseline, same run: the
//! same visible text as one plain ratatui `Paragraph` into the same backend. Target ≤2 ms.
//!
//! (b) From nothing to the first frame showing the file, with the real core: a tokio runtime,
//! `XiEditor::start` (plugin manifest, supervisor, `symphony-xi`), `AppState`, open the file,
//! wait for its first lines, draw. With a data directory used before (the syntax plugin's
//! manifest already written) and a fresh one. Also the real binary in tmux (informative:
//! tmux's own start and `capture-pane` polling are in that number; a tmux floor of
//! `head FILE` is measured the same way). Baselines: `symphony-xi` alone until its first
//! answer, and spawning `/bin/true`. Target ≤100 ms.
//!
//! Run: `cargo build --release --workspace --bins && cargo bench --bench ui_frame`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::widgets::Paragraph;
use symphony::adapters::{MemoryEditor, XiEditor};
use symphony::app::{Action, AppState, update};
use symphony::paths::DataPaths;
use symphony::ports::{EditOp, EditorEvent, Motion, StyleDef, TextEditingPort};
use symphony::theme::{BUILTIN_THEMES, ColorDepth, Theme};
use symphony::ui::render;
use symphony::ui::runtime::run_effects;
use tokio::sync::mpsc::UnboundedReceiver;
use xi_bridge::protocol::{Line, Update, UpdateOp};
use xi_bridge::{CoreEvent, XiClient};

use support::{Stats, Table, Target, Value, count};

const WIDTH: u16 = 200;
const HEIGHT: u16 = 60;
const LINES: usize = 2_000;
const FRAME_TARGET: Duration = Duration::from_millis(2);
const FIRST_FRAME_TARGET: Duration = Duration::from_millis(100);
const PATIENCE: Duration = Duration::from_secs(20);
/// The first line of the generated file: what "the file is on screen" looks for.
const MARKER: &str = "//! symphony-bench-marker: generated source";

// ---------------------------------------------------------------------------------------------
// The source and its styles.

/// ~2,000 lines of Rust with comments, strings, numbers, macros and a few long lines.
fn rust_source() -> String {
    let mut s = format!("{MARKER}\n\nuse std::collections::HashMap;\n\n");
    let mut i = 0;
    while s.lines().count() < LINES - 12 {
        let _ = write!(
            s,
            "/// Computes step {i} of the pipeline; see `Stage::run` for the contract.\n\
             #[inline]\n\
             pub fn stage_{i}(input: &[u64], table: &mut HashMap<String, u64>) -> Option<u64> {{\n\
             \x20   // Sum the inputs, saturating, then remember the result under its name.\n\
             \x20   let mut total: u64 = 0x{i:04x};\n\
             \x20   for (index, value) in input.iter().enumerate() {{\n\
             \x20       total = total.saturating_add(value.wrapping_mul(index as u64 + {i}));\n\
             \x20   }}\n\
             \x20   let name = format!(\"stage-{i}-{{}}\", input.len());\n\
             \x20   if total > 1_000_000 {{ tracing::warn!(\"stage {i} overflowed: {{total}} > 1e6, clamping the value that goes into the table and continuing with the next stage\"); }}\n\
             \x20   table.insert(name, total);\n\
             \x20   Some(total)\n\
             }}\n\n"
        );
        i += 1;
    }
    s
}

const KEYWORDS: &[&str] = &[
    "fn", "pub", "let", "mut", "for", "in", "if", "as", "use", "return", "Some", "None", "impl",
    "struct",
];

/// xi-style triples `[start delta, len, style]` for one line: keywords 8, types 9, strings 10,
/// comments 11, numbers 12, macros 13.
fn style_triples(text: &str) -> Vec<i64> {
    let bytes = text.as_bytes();
    let mut spans: Vec<(usize, usize, i64)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'/' && bytes.get(i + 1) == Some(&b'/') {
            spans.push((i, bytes.len() - i, 11));
            break;
        } else if c == b'"' {
            let end = text[i + 1..].find('"').map_or(bytes.len(), |e| i + 2 + e);
            spans.push((i, end - i, 10));
            i = end;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            spans.push((start, i - start, 12));
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &text[start..i];
            if bytes.get(i) == Some(&b'!') {
                spans.push((start, i + 1 - start, 13));
            } else if KEYWORDS.contains(&word) {
                spans.push((start, i - start, 8));
            } else if word.starts_with(|c: char| c.is_ascii_uppercase()) {
                spans.push((start, i - start, 9));
            }
        } else {
            i += 1;
        }
    }
    let mut triples = Vec::with_capacity(spans.len() * 3);
    let mut end = 0i64;
    for (start, len, style) in spans {
        triples.extend([start as i64 - end, len as i64, style]);
        end = start as i64 + len as i64;
    }
    triples
}

fn style_defs() -> Vec<StyleDef> {
    let def = |id, fg: u32, bold, italic| StyleDef {
        id,
        fg: Some(fg),
        bg: None,
        bold,
        italic,
        underline: false,
    };
    vec![
        def(8, 0xffb4_8ead, true, false),
        def(9, 0xffeb_cb8b, false, false),
        def(10, 0xffa3_be8c, false, false),
        def(11, 0xff65_737e, false, true),
        def(12, 0xffd0_8770, false, false),
        def(13, 0xff8f_a1b3, false, false),
    ]
}

// ---------------------------------------------------------------------------------------------
// (a) The realistic state.

fn theme() -> Theme {
    Theme::parse(BUILTIN_THEMES[0].1, "dark", ColorDepth::TrueColor).expect("the dark theme")
}

fn drive(
    state: &mut AppState,
    editor: &mut MemoryEditor,
    events: &mut UnboundedReceiver<EditorEvent>,
    action: Action,
) {
    run_effects(editor, update(state, action));
    while let Ok(event) = events.try_recv() {
        run_effects(editor, update(state, Action::Editor(event)));
    }
}

/// The file opened, cursor and a three-line selection in the middle, styles on every line.
fn realistic_state(file: &Path) -> AppState {
    let (mut editor, mut events) = MemoryEditor::new();
    let mut state = AppState::new((WIDTH, HEIGHT), theme());
    let ev = &mut events;
    drive(
        &mut state,
        &mut editor,
        ev,
        Action::OpenFiles(vec![file.to_path_buf()]),
    );
    let goto = EditOp::GotoPoint {
        line: LINES / 2,
        col: 8,
        extend: false,
    };
    drive(&mut state, &mut editor, ev, Action::Edit(goto));
    for _ in 0..3 {
        let down = EditOp::Move {
            motion: Motion::Down,
            extend: true,
        };
        drive(&mut state, &mut editor, ev, Action::Edit(down));
    }
    for def in style_defs() {
        drive(
            &mut state,
            &mut editor,
            ev,
            Action::Editor(EditorEvent::StyleDefined(def)),
        );
    }
    // What xi sends once the syntax plugin has highlighted: every line again, with styles.
    let buffer = state.active_buffer().expect("the file is open");
    let lines: Vec<Line> = buffer
        .cache
        .lines()
        .iter()
        .map(|l| {
            let mut line = l.as_deref().cloned().unwrap_or_default();
            line.styles = style_triples(line.text.as_deref().unwrap_or_default());
            line
        })
        .collect();
    let styled = Update {
        ops: vec![UpdateOp::Ins {
            n: lines.len(),
            lines,
        }],
        pristine: buffer.cache.pristine(),
        annotations: buffer.cache.annotations().to_vec(),
    };
    let id = buffer.id;
    drive(
        &mut state,
        &mut editor,
        ev,
        Action::Editor(EditorEvent::Updated {
            buffer: id,
            update: Arc::new(styled),
        }),
    );
    let buffer = state.active_buffer().expect("the file is open");
    assert!(buffer.cache.height() >= LINES - 12, "the file is loaded");
    assert!(
        buffer.scroll_top > 0,
        "the view follows the cursor to the middle"
    );
    state
}

/// The same visible text, unstyled, as one paragraph.
fn visible_text(state: &AppState) -> Vec<String> {
    let buffer = state.active_buffer().expect("a buffer");
    (buffer.scroll_top..buffer.scroll_top + HEIGHT as usize)
        .filter_map(|i| buffer.cache.get(i)?.text.clone())
        .map(|t| t.trim_end_matches('\n').to_owned())
        .collect()
}

fn draw_state(terminal: &mut Terminal<TestBackend>, state: &AppState) {
    terminal
        .draw(|f| render(state, f))
        .expect("TestBackend draws");
}

fn draw_paragraph(terminal: &mut Terminal<TestBackend>, text: &[String]) {
    terminal
        .draw(|f| {
            let lines: Vec<ratatui::text::Line> = text
                .iter()
                .map(|t| ratatui::text::Line::raw(t.as_str()))
                .collect();
            f.render_widget(Paragraph::new(lines), f.area());
        })
        .expect("TestBackend draws");
}

fn time_frames(n: usize, mut frame: impl FnMut(usize)) -> Stats {
    for i in 0..n.min(100) {
        frame(i);
    }
    let samples: Vec<Duration> = (0..n)
        .map(|i| {
            let started = Instant::now();
            frame(i);
            started.elapsed()
        })
        .collect();
    Stats::of(&samples)
}

// ---------------------------------------------------------------------------------------------
// (b) The first frame.

/// From nothing to the first frame that shows `file`, in process, with the real core; and to
/// the first frame with syntax colours (informative: the plugin highlights asynchronously).
fn first_frame(file: &Path, data_dir: &Path, colours: bool) -> (Duration, Duration) {
    let started = Instant::now();
    let rt = support::app_runtime();
    let paths = DataPaths::resolve(Some(data_dir)).expect("the data directory");
    paths.create().expect("the data directory is created");
    let theme = Theme::load(None, &paths.root, ColorDepth::TrueColor).expect("the theme loads");
    let (mut editor, mut events) = rt
        .block_on(XiEditor::start(&paths))
        .expect("the editor starts");
    let mut state = AppState::new((WIDTH, HEIGHT), theme);
    editor.set_theme(&state.theme.syntax.clone());
    run_effects(
        &mut editor,
        update(&mut state, Action::OpenFiles(vec![file.to_path_buf()])),
    );
    let shown = |state: &AppState| {
        state.active_buffer().is_some_and(|b| {
            b.ready
                && b.cache.get(0).and_then(|l| l.text.as_deref()) == Some(&format!("{MARKER}\n"))
        })
    };
    let styled = |state: &AppState| {
        state.active_buffer().is_some_and(|b| {
            b.cache
                .get(0)
                .is_some_and(|l| !l.styles.is_empty() && l.text.is_some())
        })
    };
    let mut pump = |state: &mut AppState| {
        let event = rt
            .block_on(async { tokio::time::timeout(PATIENCE, events.recv()).await })
            .expect("the editor answers in time")
            .expect("the editor is running");
        run_effects(&mut editor, update(state, Action::Editor(event)));
    };
    while !shown(&state) {
        pump(&mut state);
    }
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("TestBackend");
    draw_state(&mut terminal, &state);
    let first = started.elapsed();
    let screen = format!("{:?}", terminal.backend().buffer());
    assert!(
        screen.contains("symphony-bench-marker"),
        "the frame shows the file"
    );
    while colours && !styled(&state) {
        pump(&mut state);
    }
    draw_state(&mut terminal, &state);
    let colours = started.elapsed();
    rt.block_on(editor.shutdown());
    drop(rt);
    // Not timed: let the core and its plugin exit, so that the next start finds the machine
    // as quiet as a real start would.
    std::thread::sleep(Duration::from_millis(300));
    (first, colours)
}

/// Baseline: `symphony-xi` alone, from spawn to its first answer (the `new_view` reply).
fn core_first_answer(program: &Path, config: &Path) -> Duration {
    let rt = support::app_runtime();
    rt.block_on(async {
        let started = Instant::now();
        let no_args: [&str; 0] = [];
        let no_env: [(&str, &str); 0] = [];
        let (client, _events): (XiClient, UnboundedReceiver<CoreEvent>) =
            XiClient::spawn(program, no_args, no_env).expect("symphony-xi starts");
        client
            .client_started(Some(config), None)
            .expect("client_started is sent");
        client.new_view(None).await.expect("new_view answers");
        let elapsed = started.elapsed();
        client.kill();
        elapsed
    })
}

fn spawn_true() -> Duration {
    let started = Instant::now();
    let status = std::process::Command::new("/bin/true")
        .status()
        .expect("/bin/true runs");
    assert!(status.success());
    started.elapsed()
}

/// tmux on its own socket (so as not to disturb anyone else's), with a session kept open so
/// that the server's own start is not in the numbers.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start() -> Option<Tmux> {
        let tmux = Tmux {
            socket: format!("symphony-bench-{}", std::process::id()),
        };
        let ok = tmux
            .run(&[
                "new-session",
                "-d",
                "-s",
                "keep",
                "-x",
                "80",
                "-y",
                "24",
                "sleep 600",
            ])
            .is_some_and(|o| o.status.success());
        ok.then_some(tmux)
    }

    fn run(&self, args: &[&str]) -> Option<std::process::Output> {
        std::process::Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .ok()
    }

    /// Start `command` in a 200×60 session; the time until `needle` is on its screen.
    fn time_until_shown(&self, command: &str, needle: &str) -> (Duration, usize) {
        let (w, h) = (WIDTH.to_string(), HEIGHT.to_string());
        let started = Instant::now();
        let out = self
            .run(&[
                "new-session",
                "-d",
                "-s",
                "run",
                "-x",
                &w,
                "-y",
                &h,
                command,
            ])
            .expect("tmux runs");
        assert!(out.status.success(), "tmux new-session: {out:?}");
        let mut polls = 0;
        let elapsed = loop {
            polls += 1;
            let screen = self
                .run(&["capture-pane", "-p", "-t", "run"])
                .expect("tmux runs");
            if String::from_utf8_lossy(&screen.stdout).contains(needle) {
                break started.elapsed();
            }
            assert!(
                started.elapsed() < PATIENCE,
                "{needle:?} not on screen after {PATIENCE:?}"
            );
        };
        self.run(&["kill-session", "-t", "run"]);
        (elapsed, polls)
    }

    fn poll_cost(&self) -> Duration {
        let started = Instant::now();
        self.run(&["capture-pane", "-p", "-t", "keep"]);
        started.elapsed()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

// ---------------------------------------------------------------------------------------------

fn main() {
    let program = support::workspace_binary("symphony-xi", "SYMPHONY_XI_BIN");
    let symphony = support::workspace_binary("symphony", "SYMPHONY_BIN");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("pipeline.rs");
    std::fs::write(&file, rust_source()).expect("the source is written");

    // (a) Frames.
    let state = realistic_state(&file);
    let mut scrolled = state.clone();
    let _ = update(&mut scrolled, Action::Wheel(HEIGHT as i32));
    let states = [&state, &scrolled];
    let texts = [visible_text(&state), visible_text(&scrolled)];
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("TestBackend");
    let frames = count(3_000, 20);
    println!(
        "frame at {WIDTH}×{HEIGHT}, {} lines, scroll_top {}:",
        state.active_buffer().map_or(0, |b| b.cache.height()),
        state.active_buffer().map_or(0, |b| b.scroll_top)
    );
    let render_scroll = time_frames(frames, |i| draw_state(&mut terminal, states[i % 2]));
    render_scroll.line("symphony render, scrolling (every cell changes)");
    let para_scroll = time_frames(frames, |i| draw_paragraph(&mut terminal, &texts[i % 2]));
    para_scroll.line("baseline: Paragraph, scrolling");
    let render_still = time_frames(frames, |_| draw_state(&mut terminal, &state));
    render_still.line("symphony render, unchanged screen");
    let para_still = time_frames(frames, |_| draw_paragraph(&mut terminal, &texts[0]));
    para_still.line("baseline: Paragraph, unchanged screen");

    // (b) First frame.
    let warm_dir = tempfile::tempdir().expect("a temporary directory");
    let first_n = count(15, 1);
    let (mut warm, mut warm_colours) = (Vec::new(), Vec::new());
    first_frame(&file, warm_dir.path(), false); // writes the plugin manifest: the "used before" state
    for _ in 0..first_n {
        let (first, colours) = first_frame(&file, warm_dir.path(), true);
        warm.push(first);
        warm_colours.push(colours);
    }
    let warm = Stats::of(&warm);
    warm.line("first frame in process (data dir used before)");
    let warm_colours = Stats::of(&warm_colours);
    warm_colours.line("first frame with syntax colours (data dir used before)");
    let mut cold = Vec::new();
    for _ in 0..count(5, 1) {
        let fresh = tempfile::tempdir().expect("a temporary directory");
        cold.push(first_frame(&file, fresh.path(), false).0);
    }
    let cold = Stats::of(&cold);
    cold.line("first frame in process (fresh data dir)");
    let core_dir = tempfile::tempdir().expect("a temporary directory");
    core_first_answer(&program, core_dir.path());
    let core: Vec<Duration> = (0..count(30, 2))
        .map(|_| core_first_answer(&program, core_dir.path()))
        .collect();
    let core = Stats::of(&core);
    core.line("baseline: symphony-xi spawn → first answer");
    spawn_true();
    let true_spawn: Vec<Duration> = (0..count(100, 2)).map(|_| spawn_true()).collect();
    let true_spawn = Stats::of(&true_spawn);
    true_spawn.line("baseline: spawn /bin/true and wait");

    // The real binary in tmux.
    let tmux_results = if support::bench_mode() {
        Tmux::start().map(|tmux| {
            let data = tempfile::tempdir().expect("a temporary directory");
            let command = format!(
                "env SYMPHONY_DATA_DIR={} {} {}",
                data.path().display(),
                symphony.display(),
                file.display()
            );
            let floor_command = format!("head -n 5 {}; sleep 600", file.display());
            tmux.time_until_shown(&command, "symphony-bench-marker"); // warm data dir
            let mut real = Vec::new();
            let mut floor = Vec::new();
            let mut polls = 0;
            for _ in 0..10 {
                // As in process: start each sample on a quiet machine.
                std::thread::sleep(Duration::from_millis(300));
                let (t, p) = tmux.time_until_shown(&command, "symphony-bench-marker");
                real.push(t);
                polls += p;
                floor.push(
                    tmux.time_until_shown(&floor_command, "symphony-bench-marker")
                        .0,
                );
            }
            let poll: Vec<Duration> = (0..20).map(|_| tmux.poll_cost()).collect();
            let (real, floor, poll) = (Stats::of(&real), Stats::of(&floor), Stats::of(&poll));
            real.line("real binary in tmux → file on screen");
            floor.line("tmux floor: `head FILE` → on screen");
            poll.line("one capture-pane poll");
            println!("  ({:.1} polls per sample)", polls as f64 / 10.0);
            (real, floor)
        })
    } else {
        None
    };
    if tmux_results.is_none() {
        println!("  (tmux part skipped: needs `cargo bench` and a working tmux)");
    }

    // Criterion's measurement of the frames and of the first frame.
    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    {
        let mut group = criterion.benchmark_group("ui_frame");
        let mut i = 0usize;
        group.bench_function("render_200x60_scrolling", |b| {
            b.iter(|| {
                i += 1;
                draw_state(&mut terminal, states[i % 2])
            })
        });
        group.bench_function("paragraph_200x60_scrolling", |b| {
            b.iter(|| {
                i += 1;
                draw_paragraph(&mut terminal, &texts[i % 2])
            })
        });
        group.bench_function("render_200x60_unchanged", |b| {
            b.iter(|| draw_state(&mut terminal, &state))
        });
        group.finish();
        let mut group = criterion.benchmark_group("first_frame");
        group.sampling_mode(SamplingMode::Flat);
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(1));
        group.bench_function("in_process_xi", |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| first_frame(&file, warm_dir.path(), false).0)
                    .sum()
            })
        });
        group.bench_function("baseline_symphony_xi_first_answer", |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| core_first_answer(&program, core_dir.path()))
                    .sum()
            })
        });
        group.finish();
    }
    criterion.final_summary();

    let mut table = Table::default();
    let t = Value::Time;
    table.row(
        "frame 200×60, scrolling p50",
        t(render_scroll.p50),
        "Paragraph, scrolling",
        t(para_scroll.p50),
        Target::AtMost(FRAME_TARGET),
    );
    table.row(
        "frame 200×60, scrolling p99",
        t(render_scroll.p99),
        "Paragraph, scrolling",
        t(para_scroll.p99),
        Target::AtMost(FRAME_TARGET),
    );
    table.row(
        "frame 200×60, unchanged p50",
        t(render_still.p50),
        "Paragraph, unchanged",
        t(para_still.p50),
        Target::AtMost(FRAME_TARGET),
    );
    table.row(
        "first frame, in process, p50 (data dir used before)",
        t(warm.p50),
        "symphony-xi first answer",
        t(core.p50),
        Target::AtMost(FIRST_FRAME_TARGET),
    );
    table.row(
        "first frame, in process, max (data dir used before)",
        t(warm.max),
        "symphony-xi first answer",
        t(core.max),
        Target::AtMost(FIRST_FRAME_TARGET),
    );
    table.row(
        "first frame, in process, p50 (fresh data dir)",
        t(cold.p50),
        "symphony-xi first answer",
        t(core.p50),
        Target::AtMost(FIRST_FRAME_TARGET),
    );
    table.row(
        "first frame with syntax colours, p50 (data dir used before)",
        t(warm_colours.p50),
        "symphony-xi first answer",
        t(core.p50),
        Target::None,
    );
    table.row(
        "symphony-xi first answer p50",
        t(core.p50),
        "spawn /bin/true",
        t(true_spawn.p50),
        Target::None,
    );
    if let Some((real, floor)) = &tmux_results {
        table.row(
            "real binary in tmux → file on screen p50",
            t(real.p50),
            "tmux floor (`head FILE`)",
            t(floor.p50),
            Target::AtMost(FIRST_FRAME_TARGET),
        );
    }
    table.print("ui_frame");
}
