//! The plugin's stdio connection to the core: one JSON object per line, a
//! reader thread, and matching of our `get_data` requests with their replies.

use std::collections::VecDeque;
use std::fmt::Display;
use std::io::{self, BufRead, Write};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, TryRecvError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::syntect_plugin::error::PluginError;
use crate::syntect_plugin::link::CoreLink;
use crate::syntect_plugin::protocol::{
    GetDataParams, GetDataResponse, HostNotification, HostRequest, OutgoingError, OutgoingRequest,
    OutgoingResult, PluginNotification, RemoteError, RequestId,
};

/// How long to wait for the core's answer to `get_data` before giving up.
const REPLY_TIMEOUT: Duration = Duration::from_secs(30);

/// A message from the core.
#[derive(Debug, Clone)]
pub enum Incoming {
    /// A request; it must be answered.
    Request {
        /// The core's id, to echo.
        id: RequestId,
        /// What it asks.
        request: HostRequest,
    },
    /// A notification.
    Notification(HostNotification),
    /// The answer to one of our requests: `result`, or the `error` object.
    Response {
        /// Our id.
        id: RequestId,
        /// The result or error object.
        result: Result<Value, Value>,
    },
    /// A request or notification we do not know or cannot read.
    Unreadable {
        /// Set for requests, which still need an (error) answer.
        id: Option<RequestId>,
        /// The method.
        method: String,
        /// Why it was not understood.
        reason: String,
    },
}

/// What the reader thread reports.
#[derive(Debug)]
pub enum Event {
    /// A parsed message.
    Message(Incoming),
    /// A line that is not a JSON-RPC object; skipped.
    Malformed {
        /// The start of the line.
        line: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The core closed our stdin.
    Closed,
    /// Reading stdin failed.
    Failed(io::Error),
}

#[derive(Deserialize)]
struct Envelope {
    id: Option<u64>,
    method: Option<String>,
    params: Option<Value>,
    result: Option<Value>,
    error: Option<Value>,
}

/// Parses one line from the core.
pub fn parse_message(line: &str) -> Result<Incoming, String> {
    let env: Envelope = serde_json::from_str(line).map_err(|e| e.to_string())?;
    match (env.id.map(RequestId), env.method) {
        (Some(id), None) => {
            let result = match env.error {
                Some(error) => Err(error),
                None => Ok(env.result.unwrap_or(Value::Null)),
            };
            Ok(Incoming::Response { id, result })
        }
        (id, Some(method)) => {
            let call = json!({ "method": method, "params": env.params.unwrap_or(Value::Null) });
            let parsed = match id {
                Some(id) => serde_json::from_value::<HostRequest>(call)
                    .map(|request| Incoming::Request { id, request }),
                None => {
                    serde_json::from_value::<HostNotification>(call).map(Incoming::Notification)
                }
            };
            Ok(parsed.unwrap_or_else(|e| Incoming::Unreadable {
                id,
                method,
                reason: e.to_string(),
            }))
        }
        (None, None) => Err("it has neither a `method` nor an `id`".into()),
    }
}

fn spawn_reader<R: BufRead + Send + 'static>(
    mut input: R,
) -> io::Result<(Receiver<Event>, JoinHandle<()>)> {
    let (tx, rx) = mpsc::channel();
    let handle = thread::Builder::new()
        .name("xi-core reader".into())
        .spawn(move || {
            let mut line = String::new();
            loop {
                line.clear();
                let event = match input.read_line(&mut line) {
                    Ok(0) => Event::Closed,
                    Ok(_) if line.trim().is_empty() => continue,
                    Ok(_) => match parse_message(&line) {
                        Ok(msg) => Event::Message(msg),
                        Err(reason) => Event::Malformed {
                            line: line.chars().take(200).collect(),
                            reason,
                        },
                    },
                    Err(e) => Event::Failed(e),
                };
                let last = matches!(event, Event::Closed | Event::Failed(_));
                // A send error means the main loop has ended: nobody to read for.
                if tx.send(event).is_err() || last {
                    return;
                }
            }
        })?;
    Ok((rx, handle))
}

/// The connection to the core over the plugin's stdin and stdout.
#[derive(Debug)]
pub struct Connection<W: Write, D: Write> {
    events: Receiver<Event>,
    /// Messages that arrived while we waited for a reply, in order.
    queued: VecDeque<Event>,
    output: W,
    diagnostics: D,
    next_id: u64,
    /// Kept for its name in debuggers; never joined, because a blocking read
    /// of stdin cannot be cancelled and the process exits right after the loop.
    _reader: JoinHandle<()>,
}

impl<W: Write, D: Write> Connection<W, D> {
    /// Starts reading `input` on its own thread; messages go out on `output`,
    /// warnings on `diagnostics`.
    pub fn new<R: BufRead + Send + 'static>(
        input: R,
        output: W,
        diagnostics: D,
    ) -> io::Result<Self> {
        let (events, reader) = spawn_reader(input)?;
        Ok(Connection {
            events,
            queued: VecDeque::new(),
            output,
            diagnostics,
            next_id: 0,
            _reader: reader,
        })
    }

    /// The next event, waiting for one.
    pub fn next_event(&mut self) -> Event {
        if let Some(event) = self.queued.pop_front() {
            return event;
        }
        self.events.recv().unwrap_or(Event::Closed)
    }

    /// The next event if one is ready.
    pub fn poll_event(&mut self) -> Option<Event> {
        if let Some(event) = self.queued.pop_front() {
            return Some(event);
        }
        match self.events.try_recv() {
            Ok(event) => Some(event),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Event::Closed),
        }
    }

    fn send<T: Serialize>(&mut self, message: &T) -> Result<(), PluginError> {
        serde_json::to_writer(&mut self.output, message).map_err(io::Error::from)?;
        self.output.write_all(b"\n")?;
        self.output.flush()?;
        Ok(())
    }

    /// Waits for the reply to request `id`, keeping everything else for later.
    fn wait_for_reply(
        &mut self,
        id: RequestId,
        method: &'static str,
    ) -> Result<Value, PluginError> {
        let deadline = Instant::now() + REPLY_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let event = match self.events.recv_timeout(left) {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) => {
                    return Err(PluginError::CoreTimeout {
                        method,
                        seconds: REPLY_TIMEOUT.as_secs(),
                    });
                }
                Err(RecvTimeoutError::Disconnected) => Event::Closed,
            };
            match event {
                Event::Message(Incoming::Response { id: got, result }) if got == id => {
                    return result.map_err(|error| PluginError::Remote { method, error });
                }
                Event::Message(Incoming::Response { id: got, .. }) => {
                    self.warn(&format_args!(
                        "ignoring a reply to request {} nobody waits for",
                        got.0
                    ));
                }
                // The core sends `collect_trace` while holding its state lock,
                // which our `get_data` also needs: answer now or both wait forever.
                Event::Message(Incoming::Request {
                    id: req,
                    request: HostRequest::CollectTrace(_),
                }) => {
                    self.respond(req, Ok(Value::Array(Vec::new())))?;
                }
                Event::Closed => {
                    self.queued.push_back(Event::Closed);
                    return Err(PluginError::CoreDisconnected {
                        waiting_for: method,
                    });
                }
                Event::Failed(e) => return Err(PluginError::Io(e)),
                other => self.queued.push_back(other),
            }
        }
    }
}

impl<W: Write, D: Write> CoreLink for Connection<W, D> {
    fn notify(&mut self, notification: &PluginNotification) -> Result<(), PluginError> {
        self.send(notification)
    }

    fn respond(
        &mut self,
        id: RequestId,
        result: Result<Value, RemoteError>,
    ) -> Result<(), PluginError> {
        match result {
            Ok(result) => self.send(&OutgoingResult {
                id,
                result: &result,
            }),
            Err(error) => self.send(&OutgoingError { id, error: &error }),
        }
    }

    fn get_data(&mut self, params: &GetDataParams) -> Result<Option<GetDataResponse>, PluginError> {
        const METHOD: &str = "get_data";
        let id = RequestId(self.next_id);
        self.next_id += 1;
        self.send(&OutgoingRequest {
            id,
            method: METHOD,
            params,
        })?;
        let reply = self.wait_for_reply(id, METHOD)?;
        serde_json::from_value(reply).map_err(|source| PluginError::BadReply {
            method: METHOD,
            source,
        })
    }

    fn warn(&mut self, message: &dyn Display) {
        // Diagnostics are best effort: failing to print one must not stop highlighting.
        let _ = writeln!(self.diagnostics, "symphony-xi-syntect: {message}");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::syntect_plugin::protocol::{PluginId, RevToken, TextUnit, ViewId};
    use std::io::Cursor;

    #[test]
    fn requests_notifications_and_responses_are_told_apart() {
        let req = parse_message(r#"{"id": 4, "method": "collect_trace", "params": {}}"#).unwrap();
        assert!(matches!(
            req,
            Incoming::Request {
                id: RequestId(4),
                request: HostRequest::CollectTrace(_)
            }
        ));
        let note = parse_message(r#"{"method": "did_close", "params": {"view_id": "view-id-2"}}"#)
            .unwrap();
        assert!(matches!(
            note,
            Incoming::Notification(HostNotification::DidClose { view_id: ViewId(2) })
        ));
        let ok = parse_message(r#"{"id": 1, "result": null}"#).unwrap();
        assert!(matches!(
            ok,
            Incoming::Response {
                id: RequestId(1),
                result: Ok(Value::Null)
            }
        ));
        let err = parse_message(r#"{"id": 1, "error": {"code": 404, "message": "missing view"}}"#)
            .unwrap();
        assert!(matches!(err, Incoming::Response { result: Err(_), .. }));
        let unknown = parse_message(r#"{"id": 9, "method": "frobnicate", "params": {}}"#).unwrap();
        assert!(matches!(
            unknown,
            Incoming::Unreadable {
                id: Some(RequestId(9)),
                ..
            }
        ));
        assert!(parse_message("[1, 2]").is_err());
        assert!(parse_message(r#"{"params": {}}"#).is_err());
    }

    fn params() -> GetDataParams {
        GetDataParams {
            view_id: ViewId(1),
            plugin_id: PluginId(2),
            start: 0,
            unit: TextUnit::Utf8,
            max_size: 10,
            rev: RevToken(3),
        }
    }

    #[test]
    fn get_data_keeps_other_messages_for_later_and_answers_collect_trace_at_once() {
        let input = concat!(
            r#"{"method": "did_close", "params": {"view_id": "view-id-5"}}"#,
            "\n",
            "not json\n",
            r#"{"id": 7, "method": "collect_trace", "params": {}}"#,
            "\n",
            r#"{"id": 0, "result": {"chunk": "ab", "offset": 0, "first_line": 0, "first_line_offset": 0}}"#,
            "\n",
        );
        let mut out = Vec::new();
        let mut diag = Vec::new();
        {
            let mut conn =
                Connection::new(Cursor::new(input.as_bytes().to_vec()), &mut out, &mut diag)
                    .unwrap();
            let reply = conn.get_data(&params()).unwrap().unwrap();
            assert_eq!(reply.chunk, "ab");
            assert!(matches!(
                conn.next_event(),
                Event::Message(Incoming::Notification(HostNotification::DidClose { .. }))
            ));
            assert!(matches!(conn.next_event(), Event::Malformed { .. }));
            assert!(matches!(conn.next_event(), Event::Closed));
        }
        let sent = String::from_utf8(out).unwrap();
        let lines: Vec<Value> = sent
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["method"], "get_data");
        assert_eq!(lines[0]["id"], 0);
        assert_eq!(lines[1], json!({"id": 7, "result": []}));
    }

    #[test]
    fn get_data_fails_cleanly_when_the_core_goes_away() {
        let mut conn = Connection::new(Cursor::new(Vec::new()), Vec::new(), Vec::new()).unwrap();
        assert!(matches!(
            conn.get_data(&params()),
            Err(PluginError::CoreDisconnected { .. })
        ));
        assert!(matches!(conn.next_event(), Event::Closed));
    }

    #[test]
    fn an_error_reply_becomes_a_remote_error() {
        let input = "{\"id\": 0, \"error\": {\"code\": 404, \"message\": \"missing view\"}}\n";
        let mut conn = Connection::new(
            Cursor::new(input.as_bytes().to_vec()),
            Vec::new(),
            Vec::new(),
        )
        .unwrap();
        assert!(matches!(
            conn.get_data(&params()),
            Err(PluginError::Remote { .. })
        ));
    }
}
