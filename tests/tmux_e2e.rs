//! End to end in a real terminal: the `symphony` binary, with its real `symphony-xi` core and
//! syntax plugin, inside a tmux server of its own, driven with `send-keys` and read back with
//! `capture-pane`. Skipped (with a message) only when tmux is not installed.
//!
//! Needs `cargo build --workspace --bins` first (`make test` does it). Waits are failure
//! detectors with generous limits, never measurements.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How long the first screen may take (a cold start of three debug binaries).
const START: Duration = Duration::from_secs(20);
/// How long anything after that may take.
const PATIENCE: Duration = Duration::from_secs(10);

const MAIN_RS: &str =
    "fn main() {\n    let greeting = \"hello\";\n    println!(\"{greeting}\");\n}\n";

/// The directory of the workspace's binaries: this test runs from `target/<profile>/deps/`.
fn binaries() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test binary lives in target/<profile>/deps")
        .to_path_buf();
    for name in ["symphony", "symphony-xi", "symphony-xi-syntect"] {
        assert!(
            dir.join(name).is_file(),
            "{} is missing: run `cargo build --workspace --bins` before this test",
            dir.join(name).display()
        );
    }
    dir
}

/// True when tmux is installed; prints why the test is skipped otherwise. A tmux that is
/// installed but does not run is a failure, not a reason to skip.
fn tmux_available(test: &str) -> bool {
    match Command::new("tmux").arg("-V").output() {
        Ok(output) => {
            assert!(
                output.status.success(),
                "`tmux -V` failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            true
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            println!("SKIPPED {test}: tmux is not installed");
            false
        }
        Err(err) => panic!("could not run tmux: {err}"),
    }
}

/// A tmux server of our own running `symphony` in one pane; killed on drop, pass or fail.
struct Tmux {
    /// The server's socket, inside `dir`: private to the test, and removed with it.
    socket: PathBuf,
    dir: tempfile::TempDir,
    file: PathBuf,
    /// The pane's process: `symphony` itself (tmux runs it without a shell).
    pid: u32,
}

impl Tmux {
    /// Starts `symphony --data-dir DIR FILE` in a `width`×`height` terminal, FILE holding `text`.
    fn start(width: u16, height: u16, text: &str) -> Tmux {
        Tmux::start_with(width, height, text, |_| Vec::new())
    }

    /// [`Tmux::start`], after `prepare` has set up the data directory (given its path); the
    /// program gets the environment variables `prepare` returns.
    fn start_with(
        width: u16,
        height: u16,
        text: &str,
        prepare: impl FnOnce(&Path) -> Vec<(String, String)>,
    ) -> Tmux {
        let bin = binaries();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("main.rs");
        std::fs::write(&file, text).unwrap();
        let data = dir.path().join("data");
        let env = prepare(&data);
        // Our own config: nothing from the user's, panes stay after the program exits (so that
        // its exit status can be read), and the terminal the program sees is xterm's.
        let conf = dir.path().join("tmux.conf");
        std::fs::write(
            &conf,
            "set -g remain-on-exit on\nset -g status off\nset -g default-terminal xterm-256color\n",
        )
        .unwrap();
        let mut tmux = Tmux {
            socket: dir.path().join("tmux.sock"),
            dir,
            file,
            pid: 0,
        };
        let (w, h) = (width.to_string(), height.to_string());
        let output = Command::new("tmux")
            .arg("-S")
            .arg(&tmux.socket)
            .arg("-f")
            .arg(&conf)
            .args(["new-session", "-d", "-s", "e2e", "-x", &w, "-y", &h])
            .args(["-e", "TERM=xterm-256color", "--"])
            .arg(bin.join("symphony"))
            .arg("--data-dir")
            .arg(&data)
            .arg(&tmux.file)
            .env("TERM", "xterm-256color")
            .envs(env)
            .env_remove("TMUX")
            .output()
            .expect("tmux runs");
        assert!(
            output.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let pid = tmux.run_ok(&["display-message", "-p", "-t", "e2e", "#{pane_pid}"]);
        tmux.pid = pid.trim().parse().expect("a pane pid");
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .env_remove("TMUX")
            .output()
            .expect("tmux runs")
    }

    fn run_ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// The screen, one string per row.
    fn screen(&self) -> String {
        self.run_ok(&["capture-pane", "-p", "-t", "e2e"])
    }

    /// Types `text` literally; `\n` becomes the Enter key (a literal LF would arrive as Ctrl-J).
    fn type_text(&self, text: &str) {
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                self.keys(&["Enter"]);
            }
            if !line.is_empty() {
                // tmux reads an argument's final `;` as a command separator unless escaped.
                let literal = match line.strip_suffix(';') {
                    Some(rest) => format!("{rest}\\;"),
                    None => line.to_owned(),
                };
                self.run_ok(&["send-keys", "-t", "e2e", "-l", &literal]);
            }
        }
    }

    /// Presses keys by tmux's names (`C-s`, `F1`, `Escape`).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        self.run_ok(&args);
    }

    /// Polls the screen until `done` holds; fails with the last screen after `timeout`.
    fn wait_for_screen(
        &self,
        what: &str,
        timeout: Duration,
        done: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            if Instant::now() >= deadline {
                panic!(
                    "timed out after {timeout:?} waiting for {what}; the screen is:\n{screen}\n{}",
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// How the program ended: `None` while it runs, else its exit status or the signal that
    /// killed it.
    fn ended(&self) -> Option<String> {
        let out = self.run_ok(&[
            "display-message",
            "-p",
            "-t",
            "e2e",
            "#{pane_dead}|#{pane_dead_status}|#{pane_dead_signal}",
        ]);
        let fields: Vec<&str> = out.trim().split('|').collect();
        match fields.as_slice() {
            ["1", status, _] if !status.is_empty() => Some(format!("exit status {status}")),
            ["1", _, signal] if !signal.is_empty() => Some(format!("killed by signal {signal}")),
            // tmux 3.3a sometimes leaves an exited pane process unreaped (a zombie) and so
            // never learns its status, even for `sh -c 'exit 3'`: ask the kernel instead.
            _ => zombie_exit(self.pid),
        }
    }

    /// Waits for the program to end; returns how it ended.
    fn wait_for_exit(&self, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(how) = self.ended() {
                return how;
            }
            assert!(
                Instant::now() < deadline,
                "symphony did not exit within {timeout:?}; the screen is:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// The `symphony` process, checked by name.
    fn symphony_pid(&self) -> u32 {
        assert_eq!(
            command_name(self.pid).as_deref(),
            Some("symphony"),
            "pane process {}",
            self.pid
        );
        self.pid
    }

    /// The editor core `symphony` runs now, waiting for it to be (re)started.
    fn core_pid(&self) -> u32 {
        let parent = self.symphony_pid();
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(pid) = children(parent)
                .into_iter()
                .find(|&c| command_name(c).as_deref() == Some("symphony-xi"))
            {
                return pid;
            }
            assert!(Instant::now() < deadline, "no symphony-xi under {parent}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log_tail(&self) -> String {
        let log = self.dir.path().join("data/logs/symphony.log");
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        format!(
            "last lines of {}:\n{}",
            log.display(),
            lines[lines.len().saturating_sub(20)..].join("\n")
        )
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// The process's name, from `/proc` (None once it has gone or been reaped).
fn command_name(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (open, close) = (stat.find('(')?, stat.rfind(')')?);
    let state = stat[close + 1..].split_whitespace().next()?;
    (state != "Z").then(|| stat[open + 1..close].to_owned())
}

/// How a process that has exited but not been reaped ended, from its `/proc/PID/stat`
/// (`exit_code`, field 52, in `waitpid`'s encoding); `None` for a live or vanished process.
fn zombie_exit(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    if fields.first() != Some(&"Z") {
        return None;
    }
    // Field 3 (the state) is the first after the command name; field 52 is the 50th.
    let code: i32 = fields.get(49)?.parse().ok()?;
    Some(if code & 0x7f == 0 {
        format!("exit status {}", (code >> 8) & 0xff)
    } else {
        format!("killed by signal {}", code & 0x7f)
    })
}

/// The live children of `pid`, from `/proc`.
fn children(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&child| {
            std::fs::read_to_string(format!("/proc/{child}/stat"))
                .ok()
                .and_then(|stat| {
                    let after = &stat[stat.rfind(')')? + 1..];
                    let mut fields = after.split_whitespace();
                    let state = fields.next()?;
                    let ppid: u32 = fields.next()?.parse().ok()?;
                    Some(ppid == pid && state != "Z")
                })
                .unwrap_or(false)
        })
        .collect()
}

fn kill_9(pid: u32) {
    let status = Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -9 {pid}");
}

/// The bottom row: Symphony's status bar.
fn status_bar(screen: &str) -> &str {
    screen.lines().last().unwrap_or_default()
}

/// Each line of `text` is on screen after its line number, the first at `first`.
fn shows_numbered(screen: &str, text: &str, first: usize) -> bool {
    text.lines().enumerate().all(|(i, line)| {
        let numbered = format!("{} {line}", first + i);
        screen.lines().any(|row| {
            row.trim_start_matches(['│', ' '])
                .trim_end_matches(['│', ' '])
                .starts_with(numbered.trim_end())
        })
    })
}

fn wait_for_file(tmux: &Tmux) -> String {
    tmux.wait_for_screen("the file on screen", START, |s| {
        s.contains("fn main() {") && status_bar(s).contains("main.rs")
    })
}

#[test]
fn tmux_edit_save_and_quit_with_unsaved_changes() {
    if !tmux_available("tmux_edit_save_and_quit_with_unsaved_changes") {
        return;
    }
    let tmux = Tmux::start(100, 30, MAIN_RS);
    let pid = tmux.symphony_pid();
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
    assert!(
        environ
            .split(|&b| b == 0)
            .any(|v| v == b"TERM=xterm-256color"),
        "symphony runs with TERM=xterm-256color"
    );
    let screen = wait_for_file(&tmux);
    assert!(
        shows_numbered(&screen, MAIN_RS, 1),
        "every line with its number:\n{screen}"
    );
    let bar = status_bar(&screen);
    assert!(
        bar.contains("main.rs") && !bar.contains("[+]"),
        "file name, unmodified: {bar:?}"
    );

    // Type at the end of the file: a comment with non-ASCII text and a line of code.
    let typed = "// typed in tmux: café ✓\nconst ANSWER: u32 = 42;\n";
    tmux.keys(&["C-End"]);
    tmux.type_text(typed);
    let screen = tmux.wait_for_screen("the typed lines", PATIENCE, |s| {
        s.contains("const ANSWER: u32 = 42;") && status_bar(s).contains("[+]")
    });
    assert!(
        shows_numbered(&screen, typed, 5),
        "typed lines numbered after the file's:\n{screen}"
    );
    assert!(
        status_bar(&screen).contains("main.rs [+]"),
        "modified flag beside the file name: {:?}",
        status_bar(&screen)
    );
    assert_eq!(
        std::fs::read_to_string(&tmux.file).unwrap(),
        MAIN_RS,
        "nothing written before Ctrl-S"
    );

    tmux.keys(&["C-s"]);
    let screen = tmux.wait_for_screen("the save", PATIENCE, |s| {
        status_bar(s).contains("Wrote") && !status_bar(s).contains("[+]")
    });
    let saved = format!("{MAIN_RS}{typed}");
    assert_eq!(
        std::fs::read(&tmux.file).unwrap(),
        saved.as_bytes(),
        "the file's bytes after Ctrl-S; the screen:\n{screen}"
    );

    // Unsaved changes, then Ctrl-Q: asked, `d` discards and quits.
    let core = tmux.core_pid();
    tmux.type_text("// never saved");
    tmux.wait_for_screen("the unsaved line", PATIENCE, |s| {
        s.contains("// never saved") && status_bar(s).contains("[+]")
    });
    tmux.keys(&["C-q"]);
    tmux.wait_for_screen("the quit prompt", PATIENCE, |s| {
        s.contains("Unsaved changes") && s.contains("main.rs")
    });
    assert_eq!(tmux.ended(), None, "still running while it asks");
    tmux.keys(&["d"]);
    let ended = tmux.wait_for_exit(PATIENCE);
    assert_eq!(ended, "exit status 0", "{}", tmux.log_tail());
    assert_eq!(
        std::fs::read(&tmux.file).unwrap(),
        saved.as_bytes(),
        "the discarded line never reached the file"
    );
    let deadline = Instant::now() + PATIENCE;
    while command_name(core).as_deref() == Some("symphony-xi") {
        assert!(
            Instant::now() < deadline,
            "the editor core {core} outlived symphony"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn tmux_f1_shows_the_help_and_esc_closes_it() {
    if !tmux_available("tmux_f1_shows_the_help_and_esc_closes_it") {
        return;
    }
    let tmux = Tmux::start(80, 24, MAIN_RS);
    wait_for_file(&tmux);
    tmux.keys(&["F1"]);
    let screen = tmux.wait_for_screen("the help overlay", PATIENCE, |s| {
        s.contains("Keys") && s.contains("Ctrl-S")
    });
    assert!(
        screen.contains("Save") && screen.contains("Ctrl-Q"),
        "the help lists keys with what they do:\n{screen}"
    );
    tmux.keys(&["Escape"]);
    let screen = tmux.wait_for_screen("the help to close", PATIENCE, |s| {
        !s.contains("Ctrl-S") && s.contains("fn main() {")
    });
    assert!(
        shows_numbered(&screen, MAIN_RS, 1),
        "the editor is back, whole:\n{screen}"
    );
    // Esc closed the overlay and nothing else: the buffer is untouched.
    assert!(!status_bar(&screen).contains("[+]"), "{screen}");
    tmux.keys(&["C-q"]);
    assert_eq!(
        tmux.wait_for_exit(PATIENCE),
        "exit status 0",
        "{}",
        tmux.log_tail()
    );
}

#[test]
fn tmux_kill_9_of_the_core_while_typing_loses_nothing() {
    if !tmux_available("tmux_kill_9_of_the_core_while_typing_loses_nothing") {
        return;
    }
    // Wide, so that the whole restore message fits in the status bar.
    let tmux = Tmux::start(200, 40, MAIN_RS);
    wait_for_file(&tmux);
    // What went missing on screen along the way; the file is compared at the end.
    let mut losses = Vec::new();
    tmux.keys(&["C-End"]);
    let first = "// before the kills\n";
    tmux.type_text(first);
    tmux.wait_for_screen("the first line", PATIENCE, |s| {
        shows_numbered(s, &format!("{MAIN_RS}{first}"), 1) && status_bar(s).contains("[+]")
    });

    // A kill with no key pending, right after the screen showed the typed line. The restore
    // message stays on screen until the next key.
    let first_core = tmux.core_pid();
    kill_9(first_core);
    let screen = tmux.wait_for_screen("the restore message", PATIENCE, |s| {
        status_bar(s).contains("was restored in") && status_bar(s).contains("xi ✓")
    });
    assert!(
        status_bar(&screen).contains("nothing was lost"),
        "{:?}",
        status_bar(&screen)
    );
    assert!(
        screen.contains("restarts        1"),
        "the monitor counts the restart:\n{screen}"
    );
    if !shows_numbered(&screen, &format!("{MAIN_RS}{first}"), 1)
        || !status_bar(&screen).contains("[+]")
    {
        losses.push(format!(
            "after the first kill -9 (no key pending) the restored buffer differs from what \
             was on screen before it, yet the status bar says nothing was lost:\n{screen}"
        ));
    }
    let second_core = tmux.core_pid();
    assert_ne!(second_core, first_core, "a new core runs");

    // A kill while keys are arriving: what is typed before, during and after must all stay.
    let around = "// typed around the second kill\nconst A: u8 = 1;\n";
    tmux.type_text("// typed around ");
    kill_9(second_core);
    tmux.type_text("the second kill\nconst A: u8 = 1;\n");
    tmux.wait_for_screen(
        "the second restart and the last typed line",
        PATIENCE,
        |s| {
            s.contains("restarts        2")
                && s.contains("const A: u8 = 1;")
                && status_bar(s).contains("xi ✓")
        },
    );
    let last = "const B: u8 = 2;\n";
    tmux.type_text(last);
    tmux.wait_for_screen("the line typed after the restores", PATIENCE, |s| {
        s.contains("const B: u8 = 2;")
    });
    tmux.keys(&["C-s"]);
    let screen = tmux.wait_for_screen("the save", PATIENCE, |s| {
        status_bar(s).contains("Wrote") && !status_bar(s).contains("[+]")
    });
    let expected = format!("{MAIN_RS}{first}{around}{last}");
    let saved = std::fs::read_to_string(&tmux.file).unwrap();
    if saved != expected {
        losses.push(format!(
            "the file saved after two kill -9 of the core\n  saved:    {saved:?}\n  expected: \
             {expected:?}\nthe screen:\n{screen}"
        ));
    }
    assert!(
        losses.is_empty(),
        "edits were lost across kill -9 of symphony-xi:\n\n{}",
        losses.join("\n\n")
    );
    assert!(
        shows_numbered(&screen, &expected, 1),
        "the screen shows the saved text:\n{screen}"
    );
    tmux.keys(&["C-q"]);
    assert_eq!(
        tmux.wait_for_exit(PATIENCE),
        "exit status 0",
        "{}",
        tmux.log_tail()
    );
}

/// Installs the text-ops sample in `data`, registered and approved by Symphony's own OFB
/// (which it starts, and stops again).
fn install_text_ops(data: &Path) {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("extensions/examples/text-ops");
    let out = Command::new(binaries().join("symphony"))
        .arg("--data-dir")
        .arg(data)
        .args(["ext", "install", "--grant", "all"])
        .arg(sample)
        .env_remove("SYMPHONY_OFB_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Asks for "uppercase it" on the buffer in the chat, confirms the plan, waits for the result
/// and inserts it at the cursor; returns the screen that showed the plan.
fn ask_for_uppercase(tmux: &Tmux, planner: &str) -> String {
    tmux.wait_for_screen("the file", START, |s| s.contains("hello there"));
    tmux.keys(&["M-2"]);
    tmux.type_text("/attach\nuppercase it\n");
    let plan = tmux.wait_for_screen("the plan", PATIENCE, |s| {
        s.contains("text.upper") && s.contains("Enter/y run") && s.contains(planner)
    });
    tmux.keys(&["y"]);
    let screen = tmux.wait_for_screen("the result, recorded in OFB", START, |s| {
        s.contains("HELLO THERE") && s.contains("recorded in OFB")
    });
    assert!(screen.contains("✓ upper done"), "{screen}");
    tmux.keys(&["M-i"]);
    let inserted = tmux.wait_for_screen("the result in the editor", PATIENCE, |s| {
        s.contains("1 HELLO THERE")
    });
    assert!(
        inserted.contains("2 hello there"),
        "inserted at the cursor:\n{inserted}"
    );
    plan
}

/// The "done when", offline: a request typed in the chat pane is planned with no
/// network, shown, confirmed, run (by an extension OFB approved), recorded in OFB, and its
/// result inserted into the editor at the cursor.
#[test]
fn tmux_a_chat_request_runs_and_its_result_goes_into_the_editor() {
    if !tmux_available("tmux_a_chat_request_runs_and_its_result_goes_into_the_editor") {
        return;
    }
    let tmux = Tmux::start_with(160, 48, "hello there\n", |data| {
        install_text_ops(data);
        Vec::new()
    });
    ask_for_uppercase(&tmux, "offline");
}

/// The same with an LLM endpoint: an OpenAI-compatible stub answers the planner's streamed
/// request with a `propose_plan` tool call, and the chat shows its reply and its plan.
#[test]
fn tmux_with_an_llm_endpoint_the_chat_plans_with_it() {
    if !tmux_available("tmux_with_an_llm_endpoint_the_chat_plans_with_it") {
        return;
    }
    let endpoint = llm_stub();
    let tmux = Tmux::start_with(160, 48, "hello there\n", |data| {
        install_text_ops(data);
        vec![("SYMPHONY_LLM_BASE_URL".to_owned(), endpoint.clone())]
    });
    let plan = ask_for_uppercase(&tmux, "llm");
    assert!(
        plan.contains("Upper-casing the text."),
        "the model's words are shown:\n{plan}"
    );
}

/// A chat-completions endpoint on 127.0.0.1 that answers every request with one streamed
/// `propose_plan` call: a plan of one `text.upper` step. Returns its base URL.
fn llm_stub() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer_llm(stream));
        }
    });
    url
}

fn answer_llm(mut stream: std::net::TcpStream) {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let arguments = serde_json::json!({
        "steps": [{"id": "upper", "capability": "text.upper", "params": {}, "after": [],
                   "importance": "recommended"}],
        "explanation": "Upper-case the attached text."
    })
    .to_string();
    let chunk = |delta: serde_json::Value, finish: serde_json::Value| {
        let event = serde_json::json!({"id": "c1", "object": "chat.completion.chunk",
            "created": 1, "model": "stub",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]});
        format!("data: {event}\n\n")
    };
    let mut events = chunk(
        serde_json::json!({"role": "assistant", "content": "Upper-casing the text."}),
        serde_json::Value::Null,
    );
    events += &chunk(
        serde_json::json!({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
            "function": {"name": "propose_plan", "arguments": arguments}}]}),
        serde_json::Value::Null,
    );
    events += &chunk(serde_json::json!({}), serde_json::json!("tool_calls"));
    events += "data: [DONE]\n\n";
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{events}",
        events.len()
    );
}
