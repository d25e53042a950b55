//! The client's background tasks: reading and routing lines, writing lines, watching the process.

use std::collections::HashMap;
use std::process::ExitStatus;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::process::Child;
use tokio::sync::{Notify, mpsc, oneshot};

use crate::client::CoreEvent;
use crate::client::line_reader::{LineRead, read_line_capped};
use crate::codec::{self, Incoming, MAX_LINE_BYTES, RemoteError};
use crate::error::BridgeError;
use crate::protocol::{CoreRequestFromCore, RequestId, WidthRequest};

/// Where a response is delivered.
#[derive(Debug)]
pub(crate) enum Reply {
    /// To the task awaiting `XiClient::request`.
    Waiter(oneshot::Sender<Result<Value, RemoteError>>),
    /// Into the event stream, in order with the notifications around it
    /// (`XiClient::request_in_stream`).
    InStream,
}

/// Requests awaiting a response; `Closed` once the core can no longer answer.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    waiting: Option<HashMap<RequestId, Reply>>,
}

/// The pending table shared by the client (which registers) and the reader (which answers).
#[derive(Debug)]
pub(crate) struct PendingTable(Mutex<Pending>);

impl PendingTable {
    pub(crate) fn new() -> PendingTable {
        PendingTable(Mutex::new(Pending {
            waiting: Some(HashMap::new()),
        }))
    }

    fn lock(&self) -> MutexGuard<'_, Pending> {
        // The table stays consistent even if a holder panicked: every operation is one call.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers a request; `false` if the core is already gone.
    pub(crate) fn register(&self, id: RequestId, reply: Reply) -> bool {
        match self.lock().waiting.as_mut() {
            Some(waiting) => {
                waiting.insert(id, reply);
                true
            }
            None => false,
        }
    }

    /// Forgets a request (after a timeout or a failed send).
    pub(crate) fn forget(&self, id: RequestId) {
        if let Some(waiting) = self.lock().waiting.as_mut() {
            waiting.remove(&id);
        }
    }

    fn take(&self, id: RequestId) -> Option<Reply> {
        self.lock().waiting.as_mut()?.remove(&id)
    }

    /// Fails every waiting request (their receivers see the sender dropped) and refuses new ones.
    pub(crate) fn close(&self) {
        self.lock().waiting = None;
    }

    /// True once the core can no longer answer.
    pub(crate) fn is_closed(&self) -> bool {
        self.lock().waiting.is_none()
    }
}

/// Reads lines from the core until it closes its output, routing each one.
pub(crate) async fn read_loop<R: AsyncBufRead + Unpin>(
    mut reader: R,
    pending: Arc<PendingTable>,
    events: mpsc::UnboundedSender<CoreEvent>,
    writer: mpsc::UnboundedSender<String>,
    done: oneshot::Sender<()>,
) {
    let mut buf = Vec::new();
    loop {
        let decoded = match read_line_capped(&mut reader, &mut buf, MAX_LINE_BYTES).await {
            Ok(LineRead::Line) => codec::decode_bytes(&buf),
            Ok(LineRead::TooLong { len }) => Err(BridgeError::LineTooLong {
                len,
                max: MAX_LINE_BYTES,
            }),
            Ok(LineRead::Eof) => break,
            Err(error) => {
                tracing::warn!(%error, "reading from symphony-xi failed; treating it as closed");
                break;
            }
        };
        match decoded {
            Ok(incoming) => route(incoming, &pending, &events, &writer),
            Err(error) => {
                tracing::warn!(%error, "ignored an undecodable line from symphony-xi");
                let _ = events.send(CoreEvent::BadInput { error });
            }
        }
    }
    pending.close();
    let _ = events.send(CoreEvent::Eof);
    let _ = done.send(());
}

fn route(
    incoming: Incoming,
    pending: &PendingTable,
    events: &mpsc::UnboundedSender<CoreEvent>,
    writer: &mpsc::UnboundedSender<String>,
) {
    match incoming {
        // A dropped event receiver is not fatal: responses must still be routed.
        Incoming::Notification(notification) => {
            let _ = events.send(CoreEvent::Notification(notification));
        }
        Incoming::Request { id, request } => {
            let answer = answer(&request);
            if answer.is_err() {
                tracing::warn!(
                    method = request.method(),
                    "symphony-xi asked for something we do not implement"
                );
            }
            let _ = writer.send(codec::encode_response(id, answer));
        }
        Incoming::Response { id, result } => match pending.take(id) {
            Some(Reply::Waiter(reply)) => {
                let _ = reply.send(result);
            }
            Some(Reply::InStream) => {
                let _ = events.send(CoreEvent::Reply { id, result });
            }
            None => {
                tracing::warn!(%id, "symphony-xi answered a request nobody is waiting for (timed out?)")
            }
        },
    }
}

/// Answers the core's requests. Widths are in terminal cells: one per `char`.
fn answer(request: &CoreRequestFromCore) -> Result<Value, RemoteError> {
    match request {
        CoreRequestFromCore::MeasureWidth(batches) => Ok(Value::from(measure(batches))),
        CoreRequestFromCore::Unknown { method, .. } => Err(RemoteError::method_not_found(method)),
    }
}

fn measure(batches: &[WidthRequest]) -> Vec<Vec<f64>> {
    let width = |s: &String| s.chars().count() as f64;
    batches
        .iter()
        .map(|b| b.strings.iter().map(width).collect())
        .collect()
}

/// Writes queued lines to the core until the queue closes or a write fails.
pub(crate) async fn write_loop<W: AsyncWrite + Unpin>(
    mut writer: W,
    mut lines: mpsc::UnboundedReceiver<String>,
    pending: Arc<PendingTable>,
) {
    while let Some(line) = lines.recv().await {
        let written = async {
            writer.write_all(line.as_bytes()).await?;
            writer.flush().await
        };
        if let Err(error) = written.await {
            tracing::warn!(%error, "writing to symphony-xi failed; it has probably exited");
            break;
        }
    }
    // Requests whose lines were never written would otherwise wait for their timeout.
    pending.close();
}

/// Forwards the core's stderr (panics, xi's own logging) to our log, a line at a time.
pub(crate) async fn log_stderr<R: AsyncRead + Unpin>(stderr: R) {
    let mut lines = BufReader::new(stderr).lines();
    loop {
        match lines.next_line().await {
            Ok(Some(line)) => tracing::warn!(target: "symphony_xi", "{line}"),
            Ok(None) => break,
            Err(error) => {
                tracing::warn!(%error, "reading symphony-xi's stderr failed");
                break;
            }
        }
    }
}

/// How long `Exited` waits for the reader to reach the end of the core's output (a grandchild
/// could hold the pipe open for ever).
const DRAIN: Duration = Duration::from_secs(1);

/// Waits for the process to end, killing it first if asked to; reports `Exited` after the
/// reader has reported everything the core wrote (its last, perhaps cut, line and `Eof`), so
/// that nothing it said is lost to a restart that comes first.
pub(crate) async fn watch_process(
    mut child: Child,
    kill: Arc<Notify>,
    events: mpsc::UnboundedSender<CoreEvent>,
    reader_done: oneshot::Receiver<()>,
) {
    let status = tokio::select! {
        status = child.wait() => status,
        () = kill.notified() => {
            if let Err(error) = child.start_kill() {
                tracing::warn!(%error, "could not kill symphony-xi");
            }
            child.wait().await
        }
    };
    let status: Option<ExitStatus> = match status {
        Ok(status) => Some(status),
        Err(error) => {
            tracing::warn!(%error, "could not collect symphony-xi's exit status");
            None
        }
    };
    let _ = tokio::time::timeout(DRAIN, reader_done).await;
    let _ = events.send(CoreEvent::Exited { status });
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::protocol::StyleId;

    #[test]
    fn widths_are_character_counts() {
        let batches = vec![
            WidthRequest {
                id: StyleId(8),
                strings: vec!["hello".into(), "héllo".into(), String::new()],
            },
            WidthRequest {
                id: StyleId(9),
                strings: vec!["→".into()],
            },
        ];
        assert_eq!(
            answer(&CoreRequestFromCore::MeasureWidth(batches)),
            Ok(json!([[5.0, 5.0, 0.0], [1.0]]))
        );
    }

    #[test]
    fn unknown_requests_get_method_not_found() {
        let request = CoreRequestFromCore::Unknown {
            method: "collect_trace".into(),
            params: json!({}),
        };
        let Err(error) = answer(&request) else {
            panic!("expected an error")
        };
        assert_eq!(error.code, codec::METHOD_NOT_FOUND);
    }

    #[test]
    fn a_closed_table_refuses_new_requests() {
        let table = PendingTable::new();
        let (tx, _rx) = oneshot::channel();
        assert!(table.register(RequestId(1), Reply::Waiter(tx)));
        table.close();
        let (tx, _rx) = oneshot::channel();
        assert!(!table.register(RequestId(2), Reply::Waiter(tx)));
        assert!(table.is_closed());
    }
}
