//! `XiClient`: an async connection to an xi core process (or any pair of streams).
//!
//! Background tasks serve a client: a reader that decodes lines and routes responses to the
//! requests waiting for them, a writer that owns the core's stdin, and for a process a
//! watcher that reports the exit and a forwarder for its stderr. The client answers
//! `measure_width` itself. Dropping the client stops the tasks, which closes the core's stdin
//! and kills the process.

mod line_reader;
mod tasks;

use std::ffi::OsStr;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::{Map, Value};
use tokio::io::{AsyncBufRead, AsyncWrite, BufReader};
use tokio::process::Command;
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::task::JoinHandle;

use self::tasks::PendingTable;
use crate::codec::{self, RemoteError, excerpt};
use crate::error::BridgeError;
use crate::protocol::{
    CoreNotification, CoreNotificationFromCore, CoreRequest, EditCommand, EditNotification,
    EditRequest, RequestId, ViewId,
};

/// How long the typed helpers wait for an answer unless told otherwise.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// What the client reports from the core, in the order it happened.
#[derive(Debug)]
pub enum CoreEvent {
    /// A notification from the core.
    Notification(CoreNotificationFromCore),
    /// The answer to a [`XiClient::request_in_stream`] request, in order with notifications.
    Reply {
        /// The request it answers.
        id: RequestId,
        /// Its result, or the core's error.
        result: Result<Value, RemoteError>,
    },
    /// A line that could not be decoded; it was skipped and the client carries on.
    BadInput {
        /// What was wrong with it.
        error: BridgeError,
    },
    /// The core closed its output; pending and future requests fail with `Disconnected`.
    Eof,
    /// The core process ended (`None`: its status could not be collected). May come before or
    /// after `Eof`; only clients made with [`XiClient::spawn`] send it.
    Exited {
        /// How it ended.
        status: Option<ExitStatus>,
    },
}

/// A connection to an xi core.
#[derive(Debug)]
pub struct XiClient {
    writer: mpsc::UnboundedSender<String>,
    pending: Arc<PendingTable>,
    next_id: AtomicU64,
    request_timeout: Duration,
    pid: Option<u32>,
    kill: Option<Arc<Notify>>,
    tasks: Vec<JoinHandle<()>>,
}

impl XiClient {
    /// Starts `program` with piped stdin and stdout; its stderr goes to our log (`tracing`,
    /// target `symphony_xi`) so that it cannot scribble over the terminal.
    /// Must be called from within a Tokio runtime.
    pub fn spawn<I, S, E, K, V>(
        program: &Path,
        args: I,
        env: E,
    ) -> Result<(XiClient, mpsc::UnboundedReceiver<CoreEvent>), BridgeError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
        E: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        let spawn_error = |source| BridgeError::Spawn {
            program: program.to_path_buf(),
            source,
        };
        let mut child = Command::new(program)
            .args(args)
            .envs(env)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(spawn_error)?;
        let missing =
            |what: &str| spawn_error(std::io::Error::other(format!("its {what} was not piped")));
        let stdin = child.stdin.take().ok_or_else(|| missing("stdin"))?;
        let stdout = child.stdout.take().ok_or_else(|| missing("stdout"))?;
        let stderr = child.stderr.take();

        let (mut client, events_tx, events_rx, reader_done) =
            XiClient::connect(BufReader::new(stdout), stdin);
        let kill = Arc::new(Notify::new());
        client.pid = child.id();
        client.kill = Some(Arc::clone(&kill));
        client.tasks.push(tokio::spawn(tasks::watch_process(
            child,
            kill,
            events_tx,
            reader_done,
        )));
        if let Some(stderr) = stderr {
            client.tasks.push(tokio::spawn(tasks::log_stderr(stderr)));
        }
        Ok((client, events_rx))
    }

    /// A client over any pair of streams, e.g. an in-memory duplex with a fake core.
    /// Must be called from within a Tokio runtime.
    pub fn from_streams<R, W>(
        reader: R,
        writer: W,
    ) -> (XiClient, mpsc::UnboundedReceiver<CoreEvent>)
    where
        R: AsyncBufRead + Send + Unpin + 'static,
        W: AsyncWrite + Send + Unpin + 'static,
    {
        let (client, _, events_rx, _) = XiClient::connect(reader, writer);
        (client, events_rx)
    }

    fn connect<R, W>(
        reader: R,
        writer: W,
    ) -> (
        XiClient,
        mpsc::UnboundedSender<CoreEvent>,
        mpsc::UnboundedReceiver<CoreEvent>,
        oneshot::Receiver<()>,
    )
    where
        R: AsyncBufRead + Send + Unpin + 'static,
        W: AsyncWrite + Send + Unpin + 'static,
    {
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let (lines_tx, lines_rx) = mpsc::unbounded_channel();
        let pending = Arc::new(PendingTable::new());
        let (reader_done_tx, reader_done) = oneshot::channel();
        let tasks = vec![
            tokio::spawn(tasks::read_loop(
                reader,
                Arc::clone(&pending),
                events_tx.clone(),
                lines_tx.clone(),
                reader_done_tx,
            )),
            tokio::spawn(tasks::write_loop(writer, lines_rx, Arc::clone(&pending))),
        ];
        let client = XiClient {
            writer: lines_tx,
            pending,
            next_id: AtomicU64::new(0),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            pid: None,
            kill: None,
            tasks,
        };
        (client, events_tx, events_rx, reader_done)
    }

    /// Sets how long the typed helpers wait for an answer.
    pub fn with_request_timeout(mut self, timeout: Duration) -> XiClient {
        self.request_timeout = timeout;
        self
    }

    /// The core's process id, for a client made with [`XiClient::spawn`].
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// Kills the core with SIGKILL (for fault tests and hung cores); [`CoreEvent::Exited`]
    /// follows. Does nothing for stream clients or a core that has already exited.
    pub fn kill(&self) {
        if let Some(kill) = &self.kill {
            kill.notify_one();
        }
    }

    /// Sends a notification. Fails with `BrokenPipe` once the core is known to be gone.
    pub fn notify(&self, notification: &CoreNotification) -> Result<(), BridgeError> {
        let line = codec::encode_notification(notification)?;
        self.send_line(line, notification.method())
    }

    /// Sends a request and waits up to `timeout` for its result.
    pub async fn request(
        &self,
        request: &CoreRequest,
        timeout: Duration,
    ) -> Result<Value, BridgeError> {
        let method = request.method();
        let id = RequestId(self.next_id.fetch_add(1, Ordering::Relaxed));
        let line = codec::encode_request(id, request)?;
        let (reply_tx, reply_rx) = oneshot::channel();
        if !self.pending.register(id, tasks::Reply::Waiter(reply_tx)) {
            return Err(BridgeError::Disconnected {
                method: method.to_owned(),
            });
        }
        if let Err(error) = self.send_line(line, method) {
            self.pending.forget(id);
            return Err(error);
        }
        match tokio::time::timeout(timeout, reply_rx).await {
            Err(_) => {
                self.pending.forget(id);
                Err(BridgeError::Timeout {
                    method: method.to_owned(),
                    after: timeout,
                })
            }
            Ok(Err(_)) => Err(BridgeError::Disconnected {
                method: method.to_owned(),
            }),
            Ok(Ok(Ok(value))) => Ok(value),
            Ok(Ok(Err(remote))) => Err(remote.into_bridge_error(method)),
        }
    }

    /// Sends a request whose answer arrives as [`CoreEvent::Reply`] in the event stream, after
    /// every notification the core sent before it and before every one it sends after. This is
    /// how the supervisor knows exactly which updates an answer follows. No timeout applies:
    /// the caller watches the clock.
    pub fn request_in_stream(&self, request: &CoreRequest) -> Result<RequestId, BridgeError> {
        let method = request.method();
        let id = RequestId(self.next_id.fetch_add(1, Ordering::Relaxed));
        let line = codec::encode_request(id, request)?;
        if !self.pending.register(id, tasks::Reply::InStream) {
            return Err(BridgeError::Disconnected {
                method: method.to_owned(),
            });
        }
        if let Err(error) = self.send_line(line, method) {
            self.pending.forget(id);
            return Err(error);
        }
        Ok(id)
    }

    fn send_line(&self, line: String, method: &str) -> Result<(), BridgeError> {
        if self.pending.is_closed() || self.writer.send(line).is_err() {
            return Err(BridgeError::BrokenPipe {
                method: method.to_owned(),
            });
        }
        Ok(())
    }

    /// Sends `client_started`, which must precede everything else.
    pub fn client_started(
        &self,
        config_dir: Option<&Path>,
        client_extras_dir: Option<&Path>,
    ) -> Result<(), BridgeError> {
        self.notify(&CoreNotification::ClientStarted {
            config_dir: config_dir.map(Path::to_path_buf),
            client_extras_dir: client_extras_dir.map(Path::to_path_buf),
        })
    }

    /// Opens a view, on `file_path` if given (xi creates a missing file). The view is usable
    /// once its first `update` arrives.
    pub async fn new_view(&self, file_path: Option<&Path>) -> Result<ViewId, BridgeError> {
        let file_path = file_path.map(utf8_path).transpose()?;
        let reply = self
            .request(&CoreRequest::NewView { file_path }, self.request_timeout)
            .await?;
        match reply {
            Value::String(id) => Ok(ViewId::new(id)),
            other => Err(unexpected("new_view", "a view id string", &other)),
        }
    }

    /// Sends an editing command to a view.
    pub fn edit(&self, view_id: &ViewId, cmd: EditNotification) -> Result<(), BridgeError> {
        self.notify(&CoreNotification::Edit(EditCommand::new(
            view_id.clone(),
            cmd,
        )))
    }

    /// Cuts or copies; `None` when the selection was empty.
    pub async fn edit_request(
        &self,
        view_id: &ViewId,
        cmd: EditRequest,
    ) -> Result<Option<String>, BridgeError> {
        let request = CoreRequest::Edit(EditCommand::new(view_id.clone(), cmd));
        match self.request(&request, self.request_timeout).await? {
            Value::Null => Ok(None),
            Value::String(text) => Ok(Some(text)),
            other => Err(unexpected(request.method(), "a string or null", &other)),
        }
    }

    /// Saves a view to `path`. xi does not acknowledge saves: success shows as a pristine
    /// `update`, failure as an `alert`.
    pub fn save(&self, view_id: &ViewId, path: &Path) -> Result<(), BridgeError> {
        self.notify(&CoreNotification::Save {
            view_id: view_id.clone(),
            file_path: utf8_path(path)?,
        })
    }

    /// Closes a view, discarding unsaved changes.
    pub fn close_view(&self, view_id: &ViewId) -> Result<(), BridgeError> {
        self.notify(&CoreNotification::CloseView {
            view_id: view_id.clone(),
        })
    }

    /// The whole text of a view's buffer.
    pub async fn debug_get_contents(&self, view_id: &ViewId) -> Result<String, BridgeError> {
        let request = CoreRequest::DebugGetContents {
            view_id: view_id.clone(),
        };
        match self.request(&request, self.request_timeout).await? {
            Value::String(text) => Ok(text),
            other => Err(unexpected("debug_get_contents", "a string", &other)),
        }
    }

    /// A view's effective settings.
    pub async fn get_config(&self, view_id: &ViewId) -> Result<Map<String, Value>, BridgeError> {
        let request = CoreRequest::GetConfig {
            view_id: view_id.clone(),
        };
        match self.request(&request, self.request_timeout).await? {
            Value::Object(config) => Ok(config),
            other => Err(unexpected("get_config", "an object", &other)),
        }
    }
}

impl Drop for XiClient {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

fn utf8_path(path: &Path) -> Result<String, BridgeError> {
    path.to_str()
        .map(str::to_owned)
        .ok_or_else(|| BridgeError::NonUtf8Path {
            path: path.to_path_buf(),
        })
}

fn unexpected(method: &str, expected: &'static str, got: &Value) -> BridgeError {
    BridgeError::UnexpectedReply {
        method: method.to_owned(),
        expected,
        excerpt: excerpt(&got.to_string()),
    }
}

#[cfg(test)]
mod tests;
