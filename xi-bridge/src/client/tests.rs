//! The client against a scripted fake core over an in-memory duplex.
//! (`tests/real_core.rs` runs the same client against the real `symphony-xi`.)
#![allow(clippy::unwrap_used)]

use serde_json::json;
use tokio::io::{
    AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines, ReadHalf, WriteHalf,
};

use super::*;

/// The core's end of the duplex.
struct FakeCore {
    lines: Lines<BufReader<ReadHalf<DuplexStream>>>,
    out: WriteHalf<DuplexStream>,
}

impl FakeCore {
    async fn recv(&mut self) -> Value {
        let line = tokio::time::timeout(Duration::from_secs(5), self.lines.next_line())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        serde_json::from_str(&line).unwrap()
    }

    async fn send(&mut self, line: &str) {
        self.out.write_all(line.as_bytes()).await.unwrap();
        self.out.write_all(b"\n").await.unwrap();
    }
}

fn connect() -> (XiClient, mpsc::UnboundedReceiver<CoreEvent>, FakeCore) {
    let (client_end, core_end) = tokio::io::duplex(1 << 16);
    let (client_read, client_write) = tokio::io::split(client_end);
    let (client, events) = XiClient::from_streams(BufReader::new(client_read), client_write);
    let (core_read, core_write) = tokio::io::split(core_end);
    let core = FakeCore {
        lines: BufReader::new(core_read).lines(),
        out: core_write,
    };
    (
        client.with_request_timeout(Duration::from_secs(5)),
        events,
        core,
    )
}

async fn next_event(events: &mut mpsc::UnboundedReceiver<CoreEvent>) -> CoreEvent {
    tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn responses_reach_their_requests_even_out_of_order() {
    let (client, _events, mut core) = connect();
    let view = ViewId::new("view-id-1");
    let both = async { tokio::join!(client.new_view(None), client.debug_get_contents(&view)) };
    let fake = async {
        let first = core.recv().await;
        let second = core.recv().await;
        assert_eq!(first["method"], "new_view");
        assert_eq!(second["method"], "debug_get_contents");
        core.send(&format!(r#"{{"id":{},"result":"hello"}}"#, second["id"]))
            .await;
        core.send(&format!(r#"{{"id":{},"result":"view-id-1"}}"#, first["id"]))
            .await;
    };
    let ((opened, contents), ()) = tokio::join!(both, fake);
    assert_eq!(opened.unwrap(), view);
    assert_eq!(contents.unwrap(), "hello");
}

#[tokio::test]
async fn remote_errors_name_the_request() {
    let (client, _events, mut core) = connect();
    let fake = async {
        let request = core.recv().await;
        core.send(&format!(
            r#"{{"id":{},"error":{{"code":404,"message":"missing view-id-9"}}}}"#,
            request["id"]
        ))
        .await;
    };
    let missing = ViewId::new("view-id-9");
    let (result, ()) = tokio::join!(client.get_config(&missing), fake);
    let error = result.unwrap_err();
    assert!(
        matches!(&error, BridgeError::Remote { code: 404, .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "symphony-xi refused `get_config`: missing view-id-9 (code 404)"
    );
}

#[tokio::test]
async fn a_silent_core_times_out_and_its_late_answer_is_dropped() {
    let (client, mut events, mut core) = connect();
    let request = CoreRequest::NewView { file_path: None };
    let error = client
        .request(&request, Duration::from_millis(50))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "symphony-xi did not answer `new_view` within 50 ms; it may be hung"
    );

    let late = core.recv().await;
    core.send(&format!(r#"{{"id":{},"result":"view-id-1"}}"#, late["id"]))
        .await;
    core.send(r#"{"method":"alert","params":{"msg":"still here"}}"#)
        .await;
    let CoreEvent::Notification(CoreNotificationFromCore::Alert { msg }) =
        next_event(&mut events).await
    else {
        panic!("expected the alert");
    };
    assert_eq!(msg, "still here");
}

#[tokio::test]
async fn measure_width_is_answered_by_the_client() {
    let (_client, _events, mut core) = connect();
    core.send(r#"{"id":7,"method":"measure_width","params":[{"id":8,"strings":["héllo","→"]}]}"#)
        .await;
    assert_eq!(core.recv().await, json!({"id": 7, "result": [[5.0, 1.0]]}));
    core.send(r#"{"id":8,"method":"collect_trace","params":{}}"#)
        .await;
    let answer = core.recv().await;
    assert_eq!(answer["id"], 8);
    assert_eq!(answer["error"]["code"], codec::METHOD_NOT_FOUND);
}

#[tokio::test]
async fn bad_lines_are_reported_and_skipped() {
    let (client, mut events, mut core) = connect();
    core.send("garbage {").await;
    core.send(r#"{"method":"scroll_to","params":{"view_id":"view-id-1","line":-1,"col":0}}"#)
        .await;
    core.send(
        r#"{"method":"language_changed","params":{"view_id":"view-id-1","language_id":"Rust"}}"#,
    )
    .await;
    for _ in 0..2 {
        let event = next_event(&mut events).await;
        assert!(matches!(event, CoreEvent::BadInput { .. }), "{event:?}");
    }
    let event = next_event(&mut events).await;
    assert!(
        matches!(
            event,
            CoreEvent::Notification(CoreNotificationFromCore::LanguageChanged { .. })
        ),
        "{event:?}"
    );

    let fake = async {
        let request = core.recv().await;
        core.send(&format!(r#"{{"id":{},"result":"fine"}}"#, request["id"]))
            .await;
    };
    let view = ViewId::new("view-id-1");
    let (contents, ()) = tokio::join!(client.debug_get_contents(&view), fake);
    assert_eq!(contents.unwrap(), "fine");
}

#[tokio::test]
async fn a_vanished_core_fails_pending_and_later_calls() {
    let (client, mut events, mut core) = connect();
    let view = ViewId::new("view-id-1");
    let fake = async {
        let _request = core.recv().await;
        drop(core);
    };
    let (result, ()) = tokio::join!(client.debug_get_contents(&view), fake);
    let error = result.unwrap_err();
    assert!(
        matches!(error, BridgeError::Disconnected { .. }),
        "{error:?}"
    );
    assert!(matches!(next_event(&mut events).await, CoreEvent::Eof));

    let error = client.edit(&view, EditNotification::Undo).unwrap_err();
    assert_eq!(
        error.to_string(),
        "could not send `edit`: symphony-xi is no longer running; restart the core"
    );
    let error = client.new_view(None).await.unwrap_err();
    assert!(
        matches!(error, BridgeError::Disconnected { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn edits_are_written_as_xi_expects() {
    let (client, _events, mut core) = connect();
    client
        .client_started(Some(Path::new("/tmp/cfg")), None)
        .unwrap();
    client
        .edit(
            &ViewId::new("view-id-1"),
            EditNotification::Insert { chars: "a".into() },
        )
        .unwrap();
    assert_eq!(
        core.recv().await,
        json!({"method":"client_started","params":{"config_dir":"/tmp/cfg","client_extras_dir":null}})
    );
    assert_eq!(
        core.recv().await,
        json!({"method":"edit","params":{"view_id":"view-id-1","method":"insert","params":{"chars":"a"}}})
    );
}

#[tokio::test]
async fn wrongly_shaped_replies_are_errors() {
    let (client, _events, mut core) = connect();
    let fake = async {
        let request = core.recv().await;
        core.send(&format!(r#"{{"id":{},"result":42}}"#, request["id"]))
            .await;
    };
    let (result, ()) = tokio::join!(client.new_view(None), fake);
    let error = result.unwrap_err();
    assert!(
        matches!(error, BridgeError::UnexpectedReply { .. }),
        "{error:?}"
    );
}

#[test]
fn the_client_and_its_futures_can_move_between_tasks() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    fn send<T: Send>(_: T) {}
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let _guard = runtime.enter();
    let (client, events, _core) = connect();
    send_sync(&client);
    send(events);
    send(client.request(
        &CoreRequest::NewView { file_path: None },
        Duration::from_secs(1),
    ));
    send(client.new_view(None));
}
