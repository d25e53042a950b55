//! Test harness: drives `AppState` with key sequences through the real keymap, `update`, and an
//! editor port (in memory, or the real xi core), and renders whole screens.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use symphony::adapters::{MemoryEditor, XiEditor};
use symphony::app::keymap::Keymap;
use symphony::app::keys::parse_keys;
use symphony::app::{Action, AppState, update};
use symphony::ports::{EditorEvent, TextEditingPort};
use symphony::theme::{BUILTIN_THEMES, ColorDepth, Theme};
use symphony::ui::render;
use symphony::ui::runtime::run_effects;
use tokio::sync::mpsc::UnboundedReceiver;

/// The dark theme at true colour.
pub fn theme() -> Theme {
    Theme::parse(BUILTIN_THEMES[0].1, "dark", ColorDepth::TrueColor).unwrap()
}

/// How the harness waits for editor events.
pub enum Pump {
    /// Events are already queued when a call returns (the in-memory editor).
    Immediate,
    /// Events arrive asynchronously (xi): wait until none arrives for this long.
    Quiet(Duration),
}

/// A UI driven by keys against an editor port.
pub struct Harness<E: TextEditingPort> {
    pub state: AppState,
    pub editor: E,
    pub events: UnboundedReceiver<EditorEvent>,
    pub keymap: Keymap,
    pub quit: bool,
    pump: Pump,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Harness<MemoryEditor> {
    /// A harness on the in-memory editor, with `files` open (a scratch buffer if none).
    pub fn memory(width: u16, height: u16, files: Vec<PathBuf>) -> Self {
        let (editor, events) = MemoryEditor::new();
        let mut h = Harness {
            state: AppState::new((width, height), theme()),
            editor,
            events,
            keymap: Keymap::default(),
            quit: false,
            pump: Pump::Immediate,
            runtime: None,
        };
        h.act(Action::OpenFiles(files));
        h
    }
}

impl Harness<XiEditor> {
    /// A harness on the real `symphony-xi`, with `files` open (a scratch buffer if none).
    pub fn xi(width: u16, height: u16, data_dir: &std::path::Path, files: Vec<PathBuf>) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let paths = symphony::paths::DataPaths::resolve(Some(data_dir)).unwrap();
        paths.create().unwrap();
        let (editor, events) = runtime.block_on(XiEditor::start(&paths)).unwrap();
        let mut h = Harness {
            state: AppState::new((width, height), theme()),
            editor,
            events,
            keymap: Keymap::default(),
            quit: false,
            pump: Pump::Quiet(Duration::from_millis(150)),
            runtime: Some(runtime),
        };
        let syntax = h.state.theme.syntax.clone();
        h.editor.set_theme(&syntax);
        h.act(Action::OpenFiles(files));
        h
    }

    /// Wait until `done` holds (pumping events), at most `timeout`.
    pub fn wait_for(&mut self, timeout: Duration, done: impl Fn(&AppState) -> bool) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < deadline {
            if done(&self.state) {
                return true;
            }
            self.pump_for(Duration::from_millis(20));
        }
        done(&self.state)
    }

    /// Let the core shut down cleanly.
    pub fn shutdown(&mut self) {
        if let Some(rt) = &self.runtime {
            rt.block_on(self.editor.shutdown());
        }
    }
}

impl<E: TextEditingPort> Harness<E> {
    /// Apply one action and pump the editor's answers.
    pub fn act(&mut self, action: Action) {
        let effects = update(&mut self.state, action);
        self.quit |= run_effects(&mut self.editor, effects);
        self.pump();
    }

    /// Press keys, in the `<C-s>` notation, separated by spaces.
    pub fn keys(&mut self, sequence: &str) {
        for key in parse_keys(sequence).unwrap() {
            if let Some(action) =
                self.keymap
                    .action_for(key, self.state.layout.focus, self.state.overlay.as_ref())
            {
                self.act(action);
            }
        }
    }

    /// Type text literally (each char a key press; `\n` is Enter).
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let action = if c == '\n' {
                Action::Edit(symphony::ports::EditOp::Newline)
            } else {
                Action::Type(c)
            };
            self.act(action);
        }
    }

    fn handle_event(&mut self, event: EditorEvent) {
        let effects = update(&mut self.state, Action::Editor(event));
        self.quit |= run_effects(&mut self.editor, effects);
    }

    /// Deliver the editor's pending events.
    pub fn pump(&mut self) {
        match self.pump {
            Pump::Immediate => {
                while let Ok(event) = self.events.try_recv() {
                    self.handle_event(event);
                }
            }
            Pump::Quiet(quiet) => self.pump_for(quiet),
        }
    }

    fn pump_for(&mut self, quiet: Duration) {
        let Some(runtime) = self.runtime.take() else {
            while let Ok(event) = self.events.try_recv() {
                self.handle_event(event);
            }
            return;
        };
        loop {
            let next =
                runtime.block_on(async { tokio::time::timeout(quiet, self.events.recv()).await });
            match next {
                Ok(Some(event)) => self.handle_event(event),
                _ => break,
            }
        }
        self.runtime = Some(runtime);
    }

    /// The active buffer's text as the UI sees it.
    pub fn text(&self) -> String {
        self.state
            .active_buffer()
            .and_then(|b| b.cache.text())
            .unwrap_or_default()
    }

    /// The whole screen as text, one line per row.
    pub fn screen(&self) -> String {
        let (w, h) = self.state.size;
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| render(&self.state, f)).unwrap();
        let buffer = terminal.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..h {
            let mut line = String::new();
            let mut skip = 0;
            for x in 0..w {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let symbol = buffer[(x, y)].symbol();
                skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
                line.push_str(symbol);
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// The rendered buffer, with styles (for snapshots that must show colours).
    pub fn styled_screen(&self) -> ratatui::buffer::Buffer {
        let (w, h) = self.state.size;
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| render(&self.state, f)).unwrap();
        terminal.backend().buffer().clone()
    }
}
