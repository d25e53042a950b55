//! The HTTP worker: a thread of its own with a current-thread tokio runtime and one reqwest
//! client, so that the synchronous [`Planner`](conductor::planning::Planner) never runs a
//! runtime on the caller's thread (which may itself be inside one) and the caller's
//! callbacks (`on_token`, `cancelled`) never leave the caller's thread.
//!
//! One [`Worker::exchange`] is one request: the worker streams the answer's text back as
//! [`Event::Token`]s and ends with [`Event::Done`]; the caller polls `cancelled` while it
//! waits and, once true, drops the job's stop sender, which ends the request at once.

use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use tokio::sync::oneshot;

use super::config::LlmConfig;
use super::stream::{Accumulator, BadEvent, Piece, Reply, SseDecoder, cut, error_message, whole};

/// Largest answer read, in bytes: a plan is small; more is a server gone wrong.
const MAX_ANSWER: usize = 4 << 20;
/// Largest error body read, in bytes.
const MAX_ERROR_BODY: usize = 64 << 10;
/// How often the caller looks at `cancelled` while nothing arrives.
const POLL: Duration = Duration::from_millis(20);

/// Why an exchange brought no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Failure {
    /// The server answered with an error status.
    Http {
        /// The status.
        status: u16,
        /// The server's message, or the start of its body.
        message: String,
    },
    /// The server sent an error in the middle of a stream.
    Server(String),
    /// No connection, or it broke.
    Unreachable(String),
    /// The answer is not a chat completion.
    Protocol(String),
    /// Nothing (more) arrived within this long.
    Timeout(Duration),
    /// The caller cancelled.
    Cancelled,
}

/// What the worker tells the caller.
enum Event {
    Token(String),
    Done(Result<Reply, Failure>),
}

/// One request for the worker.
struct Job {
    body: Vec<u8>,
    deadline: Instant,
    events: mpsc::Sender<Event>,
    stop: oneshot::Receiver<()>,
}

/// The worker thread; it ends when this is dropped.
#[derive(Debug)]
pub(super) struct Worker {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the worker for `config`.
    pub fn start(config: LlmConfig) -> Result<Worker, String> {
        // reqwest is built without a crypto provider so that aws-lc (which needs cmake) stays
        // out of the tree; ring is installed as the process default unless one already is.
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the planner's runtime: {e}"))?;
        let client = reqwest::Client::builder()
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .tcp_nodelay(true)
            .user_agent(concat!("symphony/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
        let (jobs, queue) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("llm-planner".into())
            .spawn(move || {
                while let Ok(job) = queue.recv() {
                    let events = job.events.clone();
                    let result = runtime.block_on(run(&client, &config, job));
                    let _ = events.send(Event::Done(result));
                }
            })
            .map_err(|e| format!("cannot start the planner's thread: {e}"))?;
        Ok(Worker {
            jobs: Some(jobs),
            thread: Some(thread),
        })
    }

    /// Sends `body`, passes the answer's text to `on_token` as it comes, and returns the
    /// whole answer; gives up at `deadline` or once `cancelled()`.
    pub fn exchange(
        &self,
        body: Vec<u8>,
        deadline: Instant,
        on_token: &mut dyn FnMut(&str),
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Reply, Failure> {
        if cancelled() {
            return Err(Failure::Cancelled);
        }
        let (events, received) = mpsc::channel();
        let (stop, stop_received) = oneshot::channel();
        let job = Job {
            body,
            deadline,
            events,
            stop: stop_received,
        };
        let gone = || Failure::Protocol("the planner's HTTP thread stopped".to_owned());
        self.jobs
            .as_ref()
            .ok_or_else(gone)?
            .send(job)
            .map_err(|_| gone())?;
        let mut stop = Some(stop);
        loop {
            match received.recv_timeout(POLL) {
                Ok(Event::Token(text)) if stop.is_some() => on_token(&text),
                Ok(Event::Token(_)) => {}
                Ok(Event::Done(result)) => {
                    return if stop.is_some() {
                        result
                    } else {
                        Err(Failure::Cancelled)
                    };
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => return Err(gone()),
            }
            if stop.is_some() && cancelled() {
                // Dropping the sender ends the request; the worker then says Done.
                stop = None;
            }
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Every exchange waits for its Done, so the thread is idle: closing the queue ends it.
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One request on the worker's runtime, stopped by the job's stop channel.
async fn run(client: &reqwest::Client, config: &LlmConfig, job: Job) -> Result<Reply, Failure> {
    let deadline = tokio::time::Instant::from_std(job.deadline);
    let work = request(client, config, job.body, &job.events);
    tokio::select! {
        result = tokio::time::timeout_at(deadline, work) => {
            result.unwrap_or(Err(Failure::Timeout(config.timeout)))
        }
        _ = job.stop => Err(Failure::Cancelled),
    }
}

async fn request(
    client: &reqwest::Client,
    config: &LlmConfig,
    body: Vec<u8>,
    events: &mpsc::Sender<Event>,
) -> Result<Reply, Failure> {
    let mut request = client
        .post(config.endpoint())
        .header(CONTENT_TYPE, "application/json")
        .header(ACCEPT, "text/event-stream, application/json")
        .body(body);
    if let Some(key) = &config.api_key {
        request = request.bearer_auth(key);
    }
    let mut response = request.send().await.map_err(|e| transport(&e))?;
    let status = response.status();
    if !status.is_success() {
        let bytes = read_all(&mut response, config.idle_timeout, MAX_ERROR_BODY, true).await?;
        let text = String::from_utf8_lossy(&bytes);
        let message = serde_json::from_str(&text)
            .ok()
            .and_then(|v| error_message(&v))
            .unwrap_or_else(|| text.trim().to_owned());
        return Err(Failure::Http {
            status: status.as_u16(),
            message: cut(&message),
        });
    }
    let streamed = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/event-stream"));
    if !streamed {
        let bytes = read_all(&mut response, config.idle_timeout, MAX_ANSWER, false).await?;
        let text = String::from_utf8_lossy(&bytes);
        // Some servers stream without saying so.
        if text.trim_start().starts_with("data:") {
            let mut decoder = SseDecoder::default();
            let mut events_in = decoder.push(text.as_bytes());
            events_in.extend(decoder.finish());
            let mut acc = Accumulator::default();
            for data in events_in {
                if apply(&mut acc, &data, events)? {
                    break;
                }
            }
            return Ok(acc.finish());
        }
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            Failure::Protocol(format!("the answer is not JSON ({e}): {}", cut(&text)))
        })?;
        let reply = whole(&value).map_err(Failure::Protocol)?;
        if !reply.content.is_empty() {
            let _ = events.send(Event::Token(reply.content.clone()));
        }
        return Ok(reply);
    }
    let mut decoder = SseDecoder::default();
    let mut acc = Accumulator::default();
    let mut total = 0;
    loop {
        let chunk = tokio::time::timeout(config.idle_timeout, response.chunk())
            .await
            .map_err(|_| Failure::Timeout(config.idle_timeout))?
            .map_err(|e| transport(&e))?;
        let Some(bytes) = chunk else {
            // A stream that ends without `[DONE]` still said what it said.
            for data in decoder.finish() {
                if apply(&mut acc, &data, events)? {
                    break;
                }
            }
            return Ok(acc.finish());
        };
        total += bytes.len();
        if total > MAX_ANSWER {
            return Err(too_large());
        }
        for data in decoder.push(&bytes) {
            // Some servers keep the connection open after `[DONE]`: stop reading there.
            if apply(&mut acc, &data, events)? {
                return Ok(acc.finish());
            }
        }
    }
}

/// Takes one event; `Ok(true)` when it ended the answer.
fn apply(acc: &mut Accumulator, data: &str, events: &mpsc::Sender<Event>) -> Result<bool, Failure> {
    match acc.event(data) {
        Ok(Piece::Content(text)) => {
            let _ = events.send(Event::Token(text));
            Ok(false)
        }
        Ok(Piece::Nothing) => Ok(false),
        Ok(Piece::Done) => Ok(true),
        Err(BadEvent::NotJson(message)) => Err(Failure::Protocol(message)),
        Err(BadEvent::Server(message)) => Err(Failure::Server(message)),
    }
}

/// The whole body, up to `limit` bytes (cut there when `truncate`, else refused).
async fn read_all(
    response: &mut reqwest::Response,
    idle: Duration,
    limit: usize,
    truncate: bool,
) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    while let Some(chunk) = tokio::time::timeout(idle, response.chunk())
        .await
        .map_err(|_| Failure::Timeout(idle))?
        .map_err(|e| transport(&e))?
    {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > limit {
            if truncate {
                bytes.truncate(limit);
                break;
            }
            return Err(too_large());
        }
    }
    Ok(bytes)
}

fn too_large() -> Failure {
    Failure::Protocol(format!(
        "the answer is larger than {} MiB; a plan is far smaller",
        MAX_ANSWER >> 20
    ))
}

/// reqwest's own message ("error sending request") with its causes, which say why.
fn transport(error: &reqwest::Error) -> Failure {
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        reason = format!("{reason}: {cause}");
        source = cause.source();
    }
    Failure::Unreachable(reason)
}
