//! The client, codec and line cache against the real `symphony-xi` process.
//!
//! Waits below are failure detectors (the core is asynchronous), never measurements.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;
use xi_bridge::protocol::{ConfigDomain, CoreNotification, EditCommand, Size};
use xi_bridge::{
    BridgeError, CoreEvent, CoreNotificationFromCore, EditNotification, EditRequest, LineCache,
    UpdateOp, ViewId, XiClient,
};

const CORE: &str = env!("CARGO_BIN_EXE_symphony-xi");
const PATIENCE: Duration = Duration::from_secs(10);

/// A client, its events, and the line cache of the one view under test.
struct Session {
    client: XiClient,
    events: UnboundedReceiver<CoreEvent>,
    view: Option<ViewId>,
    cache: LineCache,
    ops_seen: BTreeSet<&'static str>,
    bad_input: Vec<String>,
    ended: bool,
}

impl Session {
    fn new(client: XiClient, events: UnboundedReceiver<CoreEvent>) -> Session {
        Session {
            client,
            events,
            view: None,
            cache: LineCache::new(),
            ops_seen: BTreeSet::new(),
            bad_input: Vec::new(),
            ended: false,
        }
    }

    fn start(config_dir: &Path) -> Session {
        let (client, events) = XiClient::spawn(
            Path::new(CORE),
            std::iter::empty::<&str>(),
            std::iter::empty::<(&str, &str)>(),
        )
        .expect("symphony-xi starts");
        let session = Session::new(client, events);
        session
            .client
            .client_started(Some(config_dir), None)
            .expect("client_started is sent");
        session
    }

    fn handle(&mut self, event: CoreEvent) {
        match event {
            CoreEvent::Notification(CoreNotificationFromCore::Update { view_id, update }) => {
                if Some(&view_id) == self.view.as_ref() {
                    self.ops_seen.extend(update.ops.iter().map(UpdateOp::name));
                    if let Err(error) = self.cache.apply(&update) {
                        panic!(
                            "the real core sent an update our cache refuses: {error}\n{update:?}"
                        );
                    }
                }
            }
            CoreEvent::Notification(_) | CoreEvent::Reply { .. } => {}
            CoreEvent::BadInput { error } => self.bad_input.push(error.to_string()),
            CoreEvent::Eof | CoreEvent::Exited { .. } => self.ended = true,
        }
    }

    /// Handles events until `done` holds, failing the test after `PATIENCE`.
    async fn pump_until(&mut self, what: &str, done: impl Fn(&Session) -> bool) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !done(self) {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(event)) => self.handle(event),
                Ok(None) => panic!("event channel closed while waiting for {what}"),
                Err(_) => panic!(
                    "waited {PATIENCE:?} for {what}; cache text: {:?}",
                    self.cache.text()
                ),
            }
        }
    }

    /// Opens the view under test and waits for its first update.
    async fn open(&mut self, path: &Path) -> ViewId {
        let view = self.client.new_view(Some(path)).await.expect("new_view");
        self.view = Some(view.clone());
        self.pump_until("the first update", |s| s.cache.height() > 0)
            .await;
        view
    }

    fn edit(&self, cmd: EditNotification) {
        let view = self.view.as_ref().expect("a view is open");
        self.client.edit(view, cmd).expect("the edit is sent");
    }

    /// The core's text, once the line cache agrees with it.
    ///
    /// xi handles messages in order, and the client queues events before it delivers the
    /// reply they preceded, so every update sent before the reply is in the queue by now.
    async fn settled_text(&mut self) -> String {
        let view = self.view.clone().expect("a view is open");
        let contents = self
            .client
            .debug_get_contents(&view)
            .await
            .expect("debug_get_contents");
        while let Ok(event) = self.events.try_recv() {
            self.handle(event);
        }
        let expected = contents.clone();
        self.pump_until("the line cache to match debug_get_contents", move |s| {
            s.cache.text().as_deref() == Some(&expected)
        })
        .await;
        contents
    }
}

#[tokio::test]
async fn edits_saved_by_the_real_core_match_the_line_cache_and_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "first line\n").expect("write the file");
    let mut s = Session::start(&dir.path().join("config"));
    let view = s.open(&file).await;
    assert_eq!(s.cache.text().as_deref(), Some("first line\n"));
    assert!(s.cache.pristine());

    s.edit(EditNotification::MoveToEndOfDocument);
    s.edit(EditNotification::Insert {
        chars: "héllo wörld".into(),
    });
    s.edit(EditNotification::InsertNewline);
    s.edit(EditNotification::Insert {
        chars: "second → line".into(),
    });
    for _ in 0..4 {
        s.edit(EditNotification::MoveLeft);
    }
    s.settled_text().await;
    // Columns are UTF-8 bytes: "second " is 7, "→" 3, " " 1.
    assert_eq!(s.cache.cursor(), Some((2, 11)));
    s.edit(EditNotification::DeleteBackward);
    s.edit(EditNotification::MoveToBeginningOfDocument);
    s.edit(EditNotification::Insert {
        chars: "// ".into(),
    });
    s.edit(EditNotification::Undo);

    let expected = "first line\nhéllo wörld\nsecond →line";
    assert_eq!(s.settled_text().await, expected);
    assert!(!s.cache.pristine());

    s.edit(EditNotification::SelectAll);
    let copied = s
        .client
        .edit_request(&view, EditRequest::Copy)
        .await
        .expect("copy");
    assert_eq!(copied.as_deref(), Some(expected));
    s.pump_until("the select-all annotation", |s| {
        s.cache.selections() == vec![(0, 0, 2, "second →line".len())]
    })
    .await;
    s.edit(EditNotification::CollapseSelections);

    s.client.save(&view, &file).expect("save is sent");
    s.pump_until("a pristine update after saving", |s| s.cache.pristine())
        .await;
    // xi's `save_with_newline` default adds the missing final newline on disk only.
    assert_eq!(
        std::fs::read_to_string(&file).expect("read back"),
        format!("{expected}\n")
    );
    assert_eq!(s.settled_text().await, expected);
    assert!(s.bad_input.is_empty(), "{:?}", s.bad_input);
}

#[tokio::test]
async fn every_documented_edit_command_is_accepted_by_the_real_core() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("main.rs");
    let text: String = (1..=30)
        .map(|i| format!("fn f{i}() {{ let x = {i}; }}\n"))
        .collect();
    std::fs::write(&file, &text).expect("write the file");
    let mut s = Session::start(&dir.path().join("config"));
    let view = s.open(&file).await;

    let source = include_str!("../src/protocol/edit.rs");
    for (example, json) in support::doc_examples::examples_of(source, "EditNotification") {
        let json = json.to_string().replace("view-id-1", view.as_str());
        let command: CoreNotification = serde_json::from_str(&json).expect("the example parses");
        s.client
            .notify(&command)
            .unwrap_or_else(|e| panic!("sending {}: {e}", example.variant));
        // A command xi cannot parse ends its main loop, so a reply proves it was accepted.
        if let Err(error) = s.client.debug_get_contents(&view).await {
            panic!(
                "symphony-xi did not survive `{}` ({json}): {error}",
                example.snake_name()
            );
        }
    }
    s.edit(EditNotification::Scroll(
        xi_bridge::protocol::LineRange::new(0, 200),
    ));
    s.settled_text().await;
    assert!(
        s.ops_seen.contains("ins") && s.ops_seen.contains("copy"),
        "ops seen: {:?}",
        s.ops_seen
    );
    assert!(s.bad_input.is_empty(), "{:?}", s.bad_input);
}

#[tokio::test]
async fn word_wrap_widths_are_measured_by_the_client() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("wrap.txt");
    std::fs::write(
        &file,
        "a long line of words that must wrap somewhere\nshort\n",
    )
    .expect("write the file");
    let mut s = Session::start(&dir.path().join("config"));
    let view = s.open(&file).await;

    s.edit(EditNotification::Resize(Size {
        width: 12.0,
        height: 400.0,
    }));
    let mut changes = serde_json::Map::new();
    changes.insert("word_wrap".into(), true.into());
    s.client
        .notify(&CoreNotification::ModifyUserConfig {
            domain: ConfigDomain::UserOverride(view.clone()),
            changes,
        })
        .expect("modify_user_config is sent");
    // Wrapping needs `measure_width` answers; continuation lines have no line number.
    s.pump_until("wrapped lines", |s| s.cache.height() > 3)
        .await;
    assert!(
        (0..s.cache.height()).any(|i| s.cache.get(i).is_some() && s.cache.line_number(i).is_none()),
        "no continuation lines"
    );
    s.edit(EditNotification::Insert { chars: "x".into() });
    assert_eq!(
        s.settled_text().await,
        "xa long line of words that must wrap somewhere\nshort\n"
    );
    assert!(s.bad_input.is_empty(), "{:?}", s.bad_input);
}

#[tokio::test]
async fn garbage_from_the_core_side_is_reported_and_skipped() {
    // A shell prints junk on the core's stdout, then becomes the real core.
    let script = r#"printf 'garbage\n{"method":"update","params":{\n[1,2,3]\n'; exec "$0""#;
    let (client, events) = XiClient::spawn(
        Path::new("/bin/sh"),
        ["-c", script, CORE],
        std::iter::empty::<(&str, &str)>(),
    )
    .expect("sh starts");
    let mut s = Session::new(client, events);
    let dir = tempfile::tempdir().expect("temp dir");
    s.client
        .client_started(Some(&dir.path().join("config")), None)
        .expect("client_started is sent");
    s.open(&dir.path().join("new.txt")).await;
    s.edit(EditNotification::Insert {
        chars: "still works".into(),
    });
    assert_eq!(s.settled_text().await, "still works");
    assert_eq!(s.bad_input.len(), 3, "{:?}", s.bad_input);
    assert!(s.bad_input[0].contains("garbage"), "{}", s.bad_input[0]);
}

#[tokio::test]
async fn a_killed_core_is_reported_and_later_calls_fail_cleanly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut s = Session::start(&dir.path().join("config"));
    let view = s.open(&dir.path().join("doomed.txt")).await;
    assert!(s.client.pid().is_some());

    s.client.kill();
    let mut exited = None;
    let mut eof = false;
    while exited.is_none() || !eof {
        match tokio::time::timeout(PATIENCE, s.events.recv())
            .await
            .expect("the exit is reported")
        {
            Some(CoreEvent::Exited { status }) => exited = Some(status),
            Some(CoreEvent::Eof) => eof = true,
            Some(_) => {}
            None => panic!("events ended without an exit"),
        }
    }
    let status = exited.flatten().expect("an exit status");
    assert!(!status.success(), "{status:?}");

    let error = s
        .client
        .debug_get_contents(&view)
        .await
        .expect_err("the core is gone");
    assert!(
        matches!(error, BridgeError::Disconnected { .. }),
        "{error:?}"
    );
    let error = s
        .client
        .notify(&CoreNotification::Edit(EditCommand::new(
            view,
            EditNotification::Undo,
        )))
        .expect_err("gone");
    assert!(matches!(error, BridgeError::BrokenPipe { .. }), "{error:?}");
}

#[tokio::test]
async fn every_documented_core_message_is_accepted_by_the_real_core() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut s = Session::start(&dir.path().join("config"));
    let view = s.open(&dir.path().join("first.txt")).await;
    let notes = dir.path().join("notes.txt");
    let notes = notes.to_str().expect("a UTF-8 temp path");
    let localise = |json: &serde_json::Value| {
        json.to_string()
            .replace("view-id-1", view.as_str())
            .replace("/tmp/notes.txt", notes)
    };
    let source = include_str!("../src/protocol/frontend.rs");

    // Notifications first: `set_theme` re-renders every view, and xi 0.3 panics on a view
    // that `new_view` (below) has opened but not finished setting up.
    for (example, json) in support::doc_examples::examples_of(source, "CoreNotification") {
        if matches!(example.variant.as_str(), "ClientStarted" | "CloseView") {
            continue;
        }
        let message: CoreNotification =
            serde_json::from_str(&localise(&json)).expect("the example parses");
        s.client
            .notify(&message)
            .unwrap_or_else(|e| panic!("sending {}: {e}", example.variant));
        if let Err(error) = s.client.debug_get_contents(&view).await {
            panic!(
                "symphony-xi did not survive `{}`: {error}",
                example.snake_name()
            );
        }
    }
    for enum_name in ["CoreRequest", "EditRequest"] {
        for (example, mut json) in support::doc_examples::examples_of(source, enum_name) {
            json.as_object_mut().and_then(|o| o.remove("id"));
            let request: xi_bridge::CoreRequest =
                serde_json::from_str(&localise(&json)).expect("the example parses");
            if let Err(error) = s.client.request(&request, PATIENCE).await {
                panic!(
                    "symphony-xi refused the `{}` example: {error}",
                    example.snake_name()
                );
            }
        }
    }
    assert!(
        notes.ends_with("notes.txt") && Path::new(notes).exists(),
        "new_view creates the file"
    );

    let (close, json) = support::doc_examples::examples_of(source, "CoreNotification")
        .into_iter()
        .find(|(e, _)| e.variant == "CloseView")
        .expect("close_view is documented");
    let message: CoreNotification =
        serde_json::from_str(&localise(&json)).expect("the example parses");
    s.client
        .notify(&message)
        .unwrap_or_else(|e| panic!("sending {}: {e}", close.variant));
    let error = s
        .client
        .debug_get_contents(&view)
        .await
        .expect_err("the view is closed");
    assert!(
        matches!(error, BridgeError::Remote { code: 404, .. }),
        "{error:?}"
    );
    while let Ok(event) = s.events.try_recv() {
        s.handle(event);
    }
    assert!(s.bad_input.is_empty() && !s.ended, "{:?}", s.bad_input);
}
