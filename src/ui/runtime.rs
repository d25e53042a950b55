//! The program's main loop: terminal set-up, input, the editor core's events, `update`,
//! effects and drawing.
//!
//! Architecture invariant: the loop never blocks on the editor core; every port call returns at
//! once and results come back as events.

use std::io::{Stdout, stdout};
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use tokio::task::JoinHandle;

use crate::adapters::conductor::RecordSlot;
use crate::adapters::ofb::DataConnection;
use crate::adapters::ofb::reconnect::Timing;
use crate::adapters::{LocalConductor, XiEditor};
use crate::app::keymap::Keymap;
use crate::app::state::{DataStatus, Severity, StatusMessage};
use crate::app::{Action, AppState, Effect, update};
use crate::cli::Cli;
use crate::error::SymphonyError;
use crate::paths::DataPaths;
use crate::ports::{ConductorPort, EditorEvent, TextEditingPort};
use crate::theme::{ColorDepth, Theme};

use super::board_library::LibraryLoader;
use super::board_tasks::{BoardTasks, CatalogSource, RunWith};
use super::conductor_tasks::{ConductorTasks, in_guarded_call};
use super::input::action_for_event;
use super::render;

/// Run Symphony until the user quits.
pub fn run(cli: Cli) -> Result<(), SymphonyError> {
    let paths = DataPaths::resolve(cli.data_dir.as_deref())?;
    paths.create()?;
    init_logging(&paths)?;
    let theme = Theme::load(cli.theme.as_deref(), &paths.root, ColorDepth::from_env())?;
    // One thread for the UI, the supervisor and the xi client: a keystroke's path crosses no
    // CPU, which halves its latency on a 2-core machine (docs/PERFORMANCE.md). Terminal input
    // has its own thread because crossterm's `read` blocks.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| SymphonyError::io("starting the async runtime", e))?;
    let result = runtime.block_on(async move {
        // OFB starts in the background (about a second of Python imports): the first frame does
        // not wait for it, and nothing about it can stop Symphony.
        // Once it answers, the extensions' approvals are brought up to date and the Conductor
        // records its runs there.
        let data_paths = paths.clone();
        let record = RecordSlot::connecting();
        let record_fill = record.clone();
        let data = tokio::spawn(async move {
            let connection = DataConnection::start(&data_paths).await;
            if let Err(reason) = connection.serve_conductor(&data_paths, &record_fill).await {
                tracing::warn!("the Conductor's runs are not recorded in OFB: {reason}");
            }
            connection
        });
        let (editor, events) = XiEditor::start(&paths).await?;
        let mut terminal = enter_terminal()?;
        // The Conductor on this machine's extensions and Pit; if it cannot be set up (a bad
        // SYMPHONY_LLM_* setting), the chat pane says it is not available, and the log why.
        let conductor = match LocalConductor::configured(paths.clone()) {
            Ok(conductor) => {
                Some(Arc::new(conductor.recording_into(record)) as Arc<dyn ConductorPort>)
            }
            Err(error) => {
                tracing::warn!("the Conductor is not available: {error}");
                None
            }
        };
        let result = main_loop(&mut terminal, editor, events, theme, cli, data, conductor).await;
        leave_terminal();
        result
    });
    // A Conductor call that ignores its cancel flag must not keep the program from ending.
    runtime.shutdown_timeout(Duration::from_secs(2));
    result
}

fn init_logging(paths: &DataPaths) -> Result<(), SymphonyError> {
    let file_path = paths.logs().join("symphony.log");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&file_path)
        .map_err(|e| SymphonyError::io(format!("opening the log {}", file_path.display()), e))?;
    let _ = tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .try_init();
    Ok(())
}

type Tui = Terminal<CrosstermBackend<Stdout>>;

fn enter_terminal() -> Result<Tui, SymphonyError> {
    let terminal =
        ratatui::try_init().map_err(|e| SymphonyError::io("setting up the terminal", e))?;
    execute!(stdout(), EnableBracketedPaste, EnableMouseCapture)
        .map_err(|e| SymphonyError::io("setting up the terminal", e))?;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if in_guarded_call() {
            // A Conductor panic, caught and reported in the chat: leave the screen alone.
            tracing::error!("the Conductor panicked: {info}");
            return;
        }
        let _ = execute!(stdout(), DisableBracketedPaste, DisableMouseCapture);
        previous(info);
    }));
    Ok(terminal)
}

fn leave_terminal() {
    let _ = execute!(stdout(), DisableBracketedPaste, DisableMouseCapture);
    ratatui::restore();
}

/// Read terminal events on their own thread: crossterm's `read` blocks.
fn spawn_input_thread() -> UnboundedReceiver<crossterm::event::Event> {
    let (tx, rx) = unbounded_channel();
    std::thread::spawn(move || {
        loop {
            match crossterm::event::read() {
                Ok(event) => {
                    if tx.send(event).is_err() {
                        break;
                    }
                }
                Err(err) => {
                    tracing::error!("reading terminal input failed: {err}");
                    break;
                }
            }
        }
    });
    rx
}

/// Run effects through the ports. Returns true when the program should end.
pub fn run_effects(editor: &mut impl TextEditingPort, effects: Vec<Effect>) -> bool {
    let mut quit = false;
    for effect in effects {
        match effect {
            Effect::Open { buffer, path } => editor.open(buffer, path),
            Effect::Edit { buffer, op } => editor.edit(buffer, op),
            Effect::Save { buffer, path } => editor.save(buffer, path),
            Effect::Close(buffer) => editor.close(buffer),
            Effect::SetTheme(name) => editor.set_theme(&name),
            Effect::Quit => quit = true,
            // `ConductorTasks::execute` takes these before the editor's effects run.
            Effect::ConductorPlan(_)
            | Effect::ConductorRun(_)
            | Effect::ConductorCancel
            | Effect::OpenInBoard(_)
            | Effect::BoardLoad(_)
            | Effect::BoardSave { .. }
            | Effect::BoardRun(_)
            | Effect::BoardReadLibrary
            | Effect::ReadOutput { .. } => {
                tracing::warn!("a Conductor effect reached the editor port: {effect:?}");
            }
        }
    }
    quit
}

async fn main_loop(
    terminal: &mut Tui,
    mut editor: XiEditor,
    mut events: UnboundedReceiver<EditorEvent>,
    theme: Theme,
    cli: Cli,
    data: JoinHandle<DataConnection>,
    conductor: Option<Arc<dyn ConductorPort>>,
) -> Result<(), SymphonyError> {
    let size = terminal
        .size()
        .map_err(|e| SymphonyError::io("reading the terminal size", e))?;
    let keymap = Keymap::default();
    let mut state = AppState::new((size.width, size.height), theme);
    let mut data_start = Some(data);
    // OFB's reconnection task, once the connection is up: it owns the connection (dropping
    // it stops a local OFB) and reports the link's state as `Action::Data`.
    let mut watcher: Option<JoinHandle<()>> = None;
    editor.set_theme(&state.theme.syntax.clone());
    let effects = update(&mut state, Action::OpenFiles(cli.files));
    run_effects(&mut editor, effects);
    let mut input = spawn_input_thread();
    // Work done off the UI loop (the Conductor, OFB's reconnection) reports back as actions
    // sent here; each task holds a clone of `background_tx`.
    let (background_tx, mut background) = unbounded_channel::<Action>();
    let mut conductor = ConductorTasks::new(conductor, background_tx.clone());
    state.chat.unavailable = conductor.unavailable();
    let mut board = BoardTasks::new(
        background_tx.clone(),
        catalog_source(cli.data_dir.as_deref()),
    );
    if let Ok(program) = std::env::current_exe() {
        board = board.with_runner(RunWith {
            program,
            data_dir: cli.data_dir.clone(),
        });
    }
    // The template browser's templates, the parameter forms' schemas and the palette's
    // extensions, read off the loop now and again each time the browser opens.
    board = board.with_library(LibraryLoader::new(
        background_tx.clone(),
        cli.data_dir.clone(),
    ));
    board.load_library();
    // The monitor pane follows the newest run, whoever started it.
    let runs_watch = DataPaths::resolve(cli.data_dir.as_deref())
        .ok()
        .map(|paths| super::run_watcher::watch_runs(paths.runs(), background_tx.clone()));
    loop {
        terminal
            .draw(|frame| render(&state, frame))
            .map_err(|e| SymphonyError::io("drawing the screen", e))?;
        let first = tokio::select! {
            Some(event) = input.recv() => action_for_event(event, &state, &keymap),
            Some(event) = events.recv() => Some(Action::Editor(event)),
            Some(action) = background.recv() => Some(action),
            started = async {
                match data_start.as_mut() {
                    Some(start) => start.await,
                    None => std::future::pending().await,
                }
            }, if data_start.is_some() => {
                data_start = None;
                if let Ok(started) = started {
                    show_data_status(&mut state, &started).await;
                    let tx = background_tx.clone();
                    watcher = Some(tokio::spawn(started.watch(Timing::default(), move |report| {
                        let _ = tx.send(Action::Data(report));
                    })));
                }
                None
            }
            else => break,
        };
        let mut step = |state: &mut AppState, action| {
            run_effects(
                &mut editor,
                board.execute(conductor.execute(update(state, action))),
            )
        };
        let mut quit = first.is_some_and(|action| step(&mut state, action));
        // Apply everything already waiting before drawing again: a burst of core updates
        // costs one frame, not one per message.
        let deadline = std::time::Instant::now() + Duration::from_millis(8);
        while !quit && std::time::Instant::now() < deadline {
            let next = if let Ok(event) = events.try_recv() {
                Some(Action::Editor(event))
            } else if let Ok(event) = input.try_recv() {
                action_for_event(event, &state, &keymap)
            } else if let Ok(action) = background.try_recv() {
                Some(action)
            } else {
                break;
            };
            if let Some(action) = next {
                quit = step(&mut state, action);
            }
        }
        if quit {
            break;
        }
    }
    conductor.shutdown();
    if let Some(watch) = runs_watch {
        watch.abort();
    }
    drop(background_tx);
    editor.shutdown().await;
    match (watcher, data_start) {
        // Ending the watch drops the connection, which stops a local OFB gracefully.
        (Some(watcher), _) => {
            watcher.abort();
            let _ = watcher.await;
        }
        // Still starting: the started OFB is stopped when the abandoned result is dropped.
        (None, Some(start)) => start.abort(),
        (None, None) => {}
    }
    Ok(())
}

/// The installed extensions' catalog, read from the registry when asked (for the board's
/// palette and for plans sent to the board).
fn catalog_source(data_dir: Option<&std::path::Path>) -> Option<CatalogSource> {
    let paths = DataPaths::resolve(data_dir).ok()?;
    Some(Arc::new(move || {
        let installed = paths
            .extensions()
            .list()
            .map_err(|e| format!("cannot list the installed extensions: {e}"))?;
        Ok(crate::adapters::conductor::catalog_of(&installed))
    }))
}

/// Puts OFB's state in the status bar, and why it is offline in the message line.
async fn show_data_status(state: &mut AppState, connection: &DataConnection) {
    state.data = DataStatus {
        offline: connection.offline.clone(),
        pending: connection.pending().await,
        ..DataStatus::default()
    };
    if let Some(reason) = &connection.offline {
        let text = if connection.queue.is_some() {
            format!("OFB offline, changes wait in the outbox: {reason}")
        } else {
            // No outbox either (OFB turned off, or the outbox unreadable): nothing is queued.
            format!("OFB is not used: {reason}")
        };
        state.status = Some(StatusMessage {
            severity: Severity::Warning,
            text,
        });
    }
}
