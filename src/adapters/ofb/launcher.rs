//! Starting OFB as a child process: `python -m ofb --db … --port 0`, waiting for its
//! `ofb listening on http://HOST:PORT` line, and stopping it (SIGTERM, then SIGKILL).
//!
//! Used by Symphony at start (the user's local OFB) and by the tests (a throw-away one).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// What `python -m ofb` prints once it accepts connections.
pub const LISTENING_PREFIX: &str = "ofb listening on ";

/// Why OFB could not be started.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// The venv's python is missing.
    #[error(
        "OFB's Python environment is missing (no {}); create it with `scripts/ofb-venv.sh` (`make run` does)",
        .0.display()
    )]
    NoPython(PathBuf),
    /// The process could not be spawned, or its log opened.
    #[error("cannot start OFB ({doing}): {source}")]
    Spawn {
        /// What was being done.
        doing: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// OFB exited or printed something else before it was ready.
    #[error("OFB did not start: {0}; see {1}")]
    NotReady(String, String),
}

/// How to start OFB.
#[derive(Debug, Clone)]
pub struct LaunchOptions {
    /// The venv's python (see [`venv_python`]).
    pub python: PathBuf,
    /// The SQLite database (created and migrated by OFB as needed).
    pub db: PathBuf,
    /// Where OFB writes the local admin's token on the database's first start (mode 0600).
    pub admin_token_file: Option<PathBuf>,
    /// The port; 0 lets the kernel choose.
    pub port: u16,
    /// OFB's stderr goes to this file (appended), as a full pipe would stall it.
    pub log: PathBuf,
    /// How long to wait for the startup line.
    pub startup_timeout: Duration,
    /// OFB stops by itself when this process dies, even by SIGKILL (`--exit-with-parent`).
    pub exit_with_parent: bool,
    /// OFB's processes (`--workers`): more use more cores for requests; 1 by default.
    pub workers: u16,
}

impl LaunchOptions {
    /// Options with the defaults: port 0, a 20 s startup allowance, no admin token file,
    /// stopping with its parent.
    pub fn new(python: PathBuf, db: PathBuf, log: PathBuf) -> LaunchOptions {
        LaunchOptions {
            python,
            db,
            admin_token_file: None,
            port: 0,
            log,
            startup_timeout: Duration::from_secs(20),
            exit_with_parent: true,
            workers: 1,
        }
    }
}

/// A running OFB. Dropping it stops it (SIGTERM, then SIGKILL after 5 s).
#[derive(Debug)]
pub struct OfbProcess {
    child: Option<Child>,
    url: String,
}

/// Finds the python of `target/ofb-venv`: `$SYMPHONY_OFB_PYTHON`, else next to the running
/// binary (`target/release/symphony` → `target/ofb-venv`), else this checkout's `target/`.
pub fn venv_python() -> PathBuf {
    if let Some(python) = std::env::var_os("SYMPHONY_OFB_PYTHON") {
        return PathBuf::from(python);
    }
    let relative = Path::new("ofb-venv").join("bin").join("python");
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1).take(3) {
            let candidate = dir.join(&relative);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join(relative)
}

impl OfbProcess {
    /// Starts OFB and waits until it accepts connections.
    pub fn start(options: &LaunchOptions) -> Result<OfbProcess, LaunchError> {
        if !options.python.is_file() {
            return Err(LaunchError::NoPython(options.python.clone()));
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&options.log)
            .map_err(|source| LaunchError::Spawn {
                doing: format!("opening its log {}", options.log.display()),
                source,
            })?;
        let mut command = Command::new(&options.python);
        command
            .args(["-m", "ofb", "--db"])
            .arg(&options.db)
            .args(["--port", &options.port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log);
        if options.exit_with_parent {
            command.arg("--exit-with-parent");
        }
        if options.workers > 1 {
            command.args(["--workers", &options.workers.to_string()]);
        }
        if let Some(file) = &options.admin_token_file {
            command.arg("--admin-token-file").arg(file);
        }
        let mut child = command.spawn().map_err(|source| LaunchError::Spawn {
            doing: format!("running {}", options.python.display()),
            source,
        })?;
        let log_name = options.log.display().to_string();
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            return Err(LaunchError::NotReady("no stdout".into(), log_name));
        };
        // The line is read on a thread so that a silent OFB cannot block us past the timeout;
        // the thread then drains stdout (OFB prints nothing more) until OFB exits.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = tx.send(lines.next());
            for _ in lines {}
        });
        let line = match rx.recv_timeout(options.startup_timeout) {
            Ok(Some(Ok(line))) => line,
            Ok(_) => {
                let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
                return Err(LaunchError::NotReady(
                    format!("it exited ({status}) before listening"),
                    log_name,
                ));
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(LaunchError::NotReady(
                    format!("no startup line within {:?}", options.startup_timeout),
                    log_name,
                ));
            }
        };
        let Some(url) = line.strip_prefix(LISTENING_PREFIX) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(LaunchError::NotReady(
                format!("unexpected startup line {line:?}"),
                log_name,
            ));
        };
        Ok(OfbProcess {
            url: url.trim().to_owned(),
            child: Some(child),
        })
    }

    /// `http://HOST:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The port OFB listens on (from its URL).
    pub fn port(&self) -> Option<u16> {
        self.url.rsplit(':').next()?.parse().ok()
    }

    /// True once the process has ended (killed, crashed or stopped), reaping it (so that no
    /// later signal can reach another process given its pid).
    pub fn exited(&mut self) -> bool {
        let running = self
            .child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)));
        if !running {
            self.child = None;
        }
        !running
    }

    /// Kills OFB at once (SIGKILL), as a crash would, and reaps it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops OFB gracefully (SIGTERM: it finishes requests in flight), killing it after
    /// `grace` if it has not exited.
    pub fn stop(&mut self, grace: Duration) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Ok(pid) = i32::try_from(child.id()) {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
        let deadline = std::time::Instant::now() + grace;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for OfbProcess {
    fn drop(&mut self) {
        self.stop(Duration::from_secs(5));
    }
}
