//! End to end: the real xi-core (`symphony-xi`) finds the syntect plugin
//! through the installed manifest, starts `symphony-xi-syntect`, and renders
//! its spans as styles; plus the plugin binary on its own.

#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use xi_bridge::syntect_plugin::install_manifest;

/// Generous, so a slow CI machine passes; a hang still fails instead of blocking.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Style ids below this are the core's selection and find highlights.
const FIRST_SYNTAX_STYLE: u64 = 8;

/// A child process speaking line-delimited JSON, read on a thread so every
/// wait can time out.
struct JsonChild {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<Value>,
    stderr: Arc<Mutex<String>>,
    /// Everything received, for failure messages.
    log: Vec<Value>,
}

impl JsonChild {
    fn spawn(exe: &str) -> JsonChild {
        let mut child = Command::new(exe)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                let value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err_pipe = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err_pipe.read(&mut buf) {
                if n == 0 {
                    return;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let stdin = child.stdin.take();
        JsonChild {
            child,
            stdin,
            lines,
            stderr,
            log: Vec::new(),
        }
    }

    fn send(&mut self, msg: Value) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{msg}").unwrap();
        stdin.flush().unwrap();
    }

    /// The next message, or a panic that shows what happened so far.
    fn next(&mut self, waiting_for: &str, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.lines.recv_timeout(left) {
            Ok(v) => {
                self.log.push(v.clone());
                v
            }
            Err(e) => {
                let tail: Vec<String> = self
                    .log
                    .iter()
                    .rev()
                    .take(15)
                    .rev()
                    .map(|v| v.to_string())
                    .collect();
                panic!(
                    "{} while waiting for {waiting_for}\nlast messages:\n{}\nstderr:\n{}",
                    match e {
                        RecvTimeoutError::Timeout => "timed out",
                        RecvTimeoutError::Disconnected => "the process closed its stdout",
                    },
                    tail.join("\n"),
                    self.stderr.lock().unwrap()
                )
            }
        }
    }
}

impl Drop for JsonChild {
    fn drop(&mut self) {
        // Our own child, by handle; the plugin it started sees EOF and exits.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `symphony-xi` core acting for a test client, remembering what it
/// rendered: the latest styles of each line (by text) and every `def_style`.
struct Core {
    proc: JsonChild,
    next_id: u64,
    styles_by_line: HashMap<String, Vec<u64>>,
    def_styles: HashMap<u64, Value>,
}

impl Core {
    /// Installs the plugin's manifest in a fresh config dir and starts the core on it.
    fn start(config_dir: &Path) -> Core {
        install_manifest(
            &config_dir.join("plugins"),
            Path::new(env!("CARGO_BIN_EXE_symphony-xi-syntect")),
        )
        .unwrap();
        let mut core = Core {
            proc: JsonChild::spawn(env!("CARGO_BIN_EXE_symphony-xi")),
            next_id: 0,
            styles_by_line: HashMap::new(),
            def_styles: HashMap::new(),
        };
        core.proc
            .send(json!({"method": "client_started", "params": {"config_dir": config_dir}}));
        core.proc
            .send(json!({"method": "set_theme", "params": {"theme_name": "base16-ocean.dark"}}));
        core
    }

    fn next(&mut self, waiting_for: &str, deadline: Instant) -> Value {
        let msg = self.proc.next(waiting_for, deadline);
        match msg["method"].as_str() {
            Some("def_style") => {
                self.def_styles
                    .insert(msg["params"]["id"].as_u64().unwrap(), msg["params"].clone());
            }
            Some("update") => {
                for op in msg["params"]["update"]["ops"].as_array().unwrap() {
                    for line in op["lines"].as_array().into_iter().flatten() {
                        let text = line["text"].as_str().unwrap().to_string();
                        let styles = line["styles"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|v| v.as_i64().unwrap());
                        // Flat triples: (start delta, length, style id).
                        let ids = styles
                            .skip(2)
                            .step_by(3)
                            .map(|id| u64::try_from(id).unwrap())
                            .collect();
                        self.styles_by_line.insert(text, ids);
                    }
                }
            }
            _ => {}
        }
        msg
    }

    /// Reads messages until `pred` holds for one, which is returned.
    fn wait_for(&mut self, what: &str, mut pred: impl FnMut(&mut Core, &Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let msg = self.next(what, deadline);
            if pred(self, &msg) {
                return msg;
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.proc
            .send(json!({"id": id, "method": method, "params": params}));
        let reply = self.wait_for(&format!("the reply to {method}"), |_, m| {
            m["id"] == id && m.get("method").is_none()
        });
        reply["result"].clone()
    }

    fn open(&mut self, path: &Path) -> Value {
        self.request("new_view", json!({"file_path": path}))
    }

    /// The syntax style ids (those the core defined with a foreground colour)
    /// the core last rendered for the line `text`.
    fn syntax_styles(&self, text: &str) -> Vec<u64> {
        self.styles_by_line
            .get(text)
            .into_iter()
            .flatten()
            .copied()
            .filter(|id| *id >= FIRST_SYNTAX_STYLE)
            .filter(|id| {
                self.def_styles
                    .get(id)
                    .is_some_and(|s| s["fg_color"].is_u64())
            })
            .collect()
    }

    /// The line's syntax styles, waiting for some if there are none yet.
    fn wait_until_styled(&mut self, line: &str) -> Vec<u64> {
        if self.syntax_styles(line).is_empty() {
            self.wait_for(&format!("syntax styles on {line:?}"), |core, _| {
                !core.syntax_styles(line).is_empty()
            });
        }
        self.syntax_styles(line)
    }

    /// The distinct foreground colours of the line's syntax styles, waiting
    /// for some if there are none yet.
    fn styled_colours(&mut self, line: &str) -> HashSet<u64> {
        let styles = self.wait_until_styled(line);
        styles
            .iter()
            .map(|id| self.def_styles[id]["fg_color"].as_u64().unwrap())
            .collect()
    }
}

const RUST: &str = "fn main() {\n    let answer = 42;\n    println!(\"{answer}\");\n}\n";

#[test]
fn xi_core_starts_the_plugin_and_renders_its_rust_spans_through_edits() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("main.rs");
    std::fs::write(&file, RUST).unwrap();
    let mut core = Core::start(&dir.path().join("config"));

    let langs = core.wait_for("available_languages", |_, m| {
        m["method"] == "available_languages"
    });
    let langs: Vec<&str> = langs["params"]["languages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for required in ["Rust", "Python", "TOML", "JSON", "Markdown"] {
        assert!(
            langs.contains(&required),
            "{required} missing from {langs:?}"
        );
    }

    let view = core.open(&file);
    assert!(
        view.as_str().is_some_and(|v| v.starts_with("view-id-")),
        "{view}"
    );
    core.wait_for("language_changed to Rust", |_, m| {
        m["method"] == "language_changed" && m["params"]["language_id"] == "Rust"
    });
    // `fn` and `main` are coloured apart from the rest, as syntect's own
    // highlighter colours them with this theme.
    let fn_colours = core.styled_colours("fn main() {\n");
    assert!(
        fn_colours.len() >= 3,
        "`fn`, `main` and the rest: {fn_colours:?}"
    );
    let let_colours = core.styled_colours("    let answer = 42;\n");
    assert!(
        let_colours.len() >= 3,
        "`let`, `42` and the rest: {let_colours:?}"
    );

    core.proc.send(json!({"method": "edit", "params": {
        "view_id": view, "method": "insert", "params": {"chars": "// comment\n"}
    }}));
    let comment = core.styled_colours("// comment\n");
    assert_eq!(
        comment.len(),
        1,
        "the whole line is one comment colour: {comment:?}"
    );
    assert!(
        comment.is_disjoint(&fn_colours),
        "a comment looks like no part of `fn main() {{`"
    );

    // Typing on the next line: a new comment line, same colour.
    core.proc.send(json!({"method": "edit", "params": {
        "view_id": view, "method": "insert", "params": {"chars": "// more\n"}
    }}));
    assert_eq!(core.styled_colours("// more\n"), comment);
}

#[test]
fn toml_python_json_and_markdown_buffers_are_styled_in_one_core() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        (
            "Cargo.toml",
            "[package]\nname = \"demo\" # the name\nversion = 1\n",
            "name = \"demo\" # the name\n",
        ),
        (
            "tool.py",
            "def answer(x):\n    return x + 42  # why\n",
            "def answer(x):\n",
        ),
        (
            "data.json",
            "{\"key\": [1, true, \"s\"]}\n",
            "{\"key\": [1, true, \"s\"]}\n",
        ),
        (
            "README.md",
            "# Title\n\nSome *emphasis* and `code`.\n",
            "# Title\n",
        ),
    ];
    let mut core = Core::start(&dir.path().join("config"));
    for (name, text, line) in files {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        core.open(&path);
        let colours = core.styled_colours(line);
        assert!(
            colours.len() >= 2,
            "{name}: {line:?} should mix colours, got {colours:?}"
        );
    }
}

/// A text over the core's 1 MiB `get_data` limit is fetched in several
/// chunks, and an edit made while the first pass is still running is styled.
#[test]
fn a_large_file_is_fetched_in_chunks_and_edits_are_styled_during_the_first_pass() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.rs");
    let text: String = (0..40_000)
        .map(|i| format!("let x{i} = \"a string\"; // note\n"))
        .collect();
    assert!(text.len() > 1024 * 1024);
    std::fs::write(&file, &text).unwrap();
    let mut core = Core::start(&dir.path().join("config"));
    let view = core.open(&file);
    assert!(
        core.styled_colours("let x0 = \"a string\"; // note\n")
            .len()
            >= 3
    );

    core.proc.send(json!({"method": "edit", "params": {
        "view_id": view, "method": "insert", "params": {"chars": "// first\n"}
    }}));
    // That edit goes before the rest of the first pass (see the unit test
    // `an_edit_during_the_first_pass_is_highlighted_next`).
    assert_eq!(core.styled_colours("// first\n").len(), 1);
}

/// xi-core writes to plugins from its main thread, and a pipe holds 64 KiB: a
/// plugin that does not read while it loads its syntaxes (~170 ms) stalls the
/// whole core on the first large `update`, such as a restored document's text.
///
/// The insert (several pipes' worth, under the 1 MiB above which xi sends no
/// delta) goes out once the plugin is attached and still loading; a request sent
/// right after it must be answered long before the plugin, done loading, styles
/// the small file. Merely "before" would hold for a blocked core too: it answers
/// as soon as the plugin reads, a moment before the styles. The bound compares
/// two durations of the same run, so a slow machine stretches both.
#[test]
fn the_core_is_not_blocked_while_the_plugin_loads_its_syntaxes() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("main.rs");
    std::fs::write(&small, RUST).unwrap();
    let big = dir.path().join("restored.rs");
    std::fs::write(&big, "").unwrap();
    let text: String = (0..5_000)
        .map(|i| format!("let x{i} = \"a string\"; // note\n"))
        .collect();
    assert!(text.len() > 2 * 64 * 1024 && text.len() < 1024 * 1024);

    let mut core = Core::start(&dir.path().join("config"));
    core.open(&small);
    // Before the core has sent the plugin `initialize`, it sends it no update at all.
    let attached = |m: &Value| {
        m["method"] == "plugin_started"
            || (m["method"] == "available_plugins"
                && m["params"]["plugins"]
                    .as_array()
                    .is_some_and(|p| p.iter().any(|p| p["name"] == "syntect")))
    };
    if !core.proc.log.iter().any(attached) {
        core.wait_for("the plugin to attach", |_, m| attached(m));
    }
    let view = core.open(&big);

    let sent = Instant::now();
    core.proc.send(json!({"method": "edit", "params": {
        "view_id": view, "method": "insert", "params": {"chars": text}
    }}));
    let config = core.request("get_config", json!({"view_id": view}));
    let answered = sent.elapsed();
    assert!(config.is_object(), "{config}");
    core.wait_until_styled("fn main() {\n");
    let styled = sent.elapsed();
    // Order, not magnitude (timings belong in benchmarks): a core that waited for the plugin
    // would answer only after the small file was styled.
    assert!(
        answered < styled,
        "the core answered {answered:?} after a large insert, the plugin styled the small \
         file after {styled:?}: the core waited for the plugin to load its syntaxes"
    );
}

/// The plugin alone, driven as the core drives it: it asks for the text,
/// announces scopes before using them, answers `update` with 0, and exits
/// when its stdin closes.
#[test]
fn the_plugin_binary_speaks_the_protocol_and_exits_on_eof() {
    let mut plugin = JsonChild::spawn(env!("CARGO_BIN_EXE_symphony-xi-syntect"));
    let text = "x = 1\n";
    plugin.send(json!({"method": "ping", "params": []}));
    plugin.send(
        json!({"method": "initialize", "params": {"plugin_id": 4, "buffer_info": [{
            "buffer_id": 1, "views": ["view-id-1"], "rev": 7, "buf_size": text.len(), "nb_lines": 2,
            "path": "/tmp/x.toml", "syntax": "TOML", "config": {}
        }]}}),
    );
    let deadline = Instant::now() + TIMEOUT;
    let get_data = plugin.next("get_data", deadline);
    assert_eq!(get_data["method"], "get_data");
    assert_eq!(get_data["params"]["plugin_id"], 4);
    assert_eq!(get_data["params"]["rev"], 7);
    plugin.send(json!({"id": get_data["id"], "result": {
        "chunk": text, "offset": 0, "first_line": 0, "first_line_offset": 0
    }}));
    let add = plugin.next("add_scopes", deadline);
    assert_eq!(add["method"], "add_scopes");
    assert_eq!(add["params"]["view_id"], "view-id-1");
    let spans = plugin.next("update_spans", deadline);
    assert_eq!(spans["method"], "update_spans");
    assert_eq!(spans["params"]["len"], text.len());
    let n_scopes = add["params"]["scopes"].as_array().unwrap().len() as u64;
    assert!(
        spans["params"]["spans"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["scope_id"].as_u64().unwrap() < n_scopes)
    );

    plugin.send(json!({"id": 0, "method": "update", "params": {
        "view_id": "view-id-1", "new_len": 6, "new_line_count": 2, "rev": 8,
        "delta": {"base_len": 6, "els": [{"copy": [0, 4]}, {"insert": "2"}, {"copy": [5, 6]}]},
        "undo_group": 1, "edit_type": "insert", "author": "core"
    }}));
    let ack = plugin.next("the answer to update", deadline);
    assert_eq!(ack, json!({"id": 0, "result": 0}));
    let spans = loop {
        let msg = plugin.next("update_spans after the edit", deadline);
        if msg["method"] == "update_spans" {
            break msg;
        }
    };
    assert_eq!(spans["params"]["rev"], 8);

    plugin.stdin = None;
    while plugin.child.try_wait().unwrap().is_none() {
        assert!(
            Instant::now() < deadline,
            "the plugin did not exit after its stdin closed"
        );
        thread::sleep(Duration::from_millis(20));
    }
    assert!(plugin.child.try_wait().unwrap().unwrap().success());
    assert!(
        plugin.stderr.lock().unwrap().is_empty(),
        "{}",
        plugin.stderr.lock().unwrap()
    );
}
