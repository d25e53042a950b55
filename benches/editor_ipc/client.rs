//! The project's async client (`XiClient`) alone: one keystroke and its update, and bursts.

use std::path::Path;
use std::time::{Duration, Instant};

use tempfile::TempDir;
use tokio::sync::mpsc::UnboundedReceiver;
use xi_bridge::protocol::CoreRequest;
use xi_bridge::{CoreEvent, CoreNotificationFromCore, ViewId, XiClient};

use crate::PATIENCE;
use crate::keys::insert;

/// A view of `symphony-xi` driven through `XiClient`.
pub struct ClientSession {
    pub client: XiClient,
    events: UnboundedReceiver<CoreEvent>,
    view: ViewId,
    /// Keys sent so far.
    pub typed: usize,
    _config: TempDir,
}

impl ClientSession {
    /// Starts the core and opens a view, ready for the first key.
    pub async fn start(program: &Path) -> ClientSession {
        let config = tempfile::tempdir().expect("a temporary directory");
        let no_args: [&str; 0] = [];
        let no_env: [(&str, &str); 0] = [];
        let (client, events) =
            XiClient::spawn(program, no_args, no_env).expect("symphony-xi starts");
        client
            .client_started(Some(config.path()), None)
            .expect("client_started is sent");
        let view = client.new_view(None).await.expect("new_view answers");
        let mut session = ClientSession {
            client,
            events,
            view,
            typed: 0,
            _config: config,
        };
        // xi finishes setting a view up when next idle; editing before its first update
        // trips an assertion in xi. Wait for it.
        session.next_update().await;
        session
    }

    async fn next_update(&mut self) {
        loop {
            match tokio::time::timeout(PATIENCE, self.events.recv()).await {
                Ok(Some(CoreEvent::Notification(CoreNotificationFromCore::Update {
                    view_id,
                    ..
                }))) if view_id == self.view => return,
                Ok(Some(CoreEvent::Eof | CoreEvent::Exited { .. })) | Ok(None) => {
                    panic!("symphony-xi stopped during the benchmark")
                }
                Ok(Some(_)) => {}
                Err(_) => panic!("no update from symphony-xi within {PATIENCE:?}"),
            }
        }
    }

    /// One keystroke and its update.
    pub async fn round_trip(&mut self) -> Duration {
        let edit = insert(self.typed);
        self.typed += 1;
        let started = Instant::now();
        self.client
            .edit(&self.view, edit)
            .expect("the edit is sent");
        self.next_update().await;
        started.elapsed()
    }

    /// `n` keystrokes back to back, then a request that xi answers only after all of them:
    /// its reply follows every update they caused. Returns the time and the updates seen.
    pub async fn pipelined(&mut self, n: usize) -> (Duration, usize) {
        let started = Instant::now();
        for _ in 0..n {
            let edit = insert(self.typed);
            self.typed += 1;
            self.client
                .edit(&self.view, edit)
                .expect("the edit is sent");
        }
        let barrier = self
            .client
            .request_in_stream(&CoreRequest::GetConfig {
                view_id: self.view.clone(),
            })
            .expect("the barrier is sent");
        let mut updates = 0;
        loop {
            match tokio::time::timeout(PATIENCE, self.events.recv()).await {
                Ok(Some(CoreEvent::Notification(CoreNotificationFromCore::Update { .. }))) => {
                    updates += 1
                }
                Ok(Some(CoreEvent::Reply { id, .. })) if id == barrier => break,
                Ok(Some(CoreEvent::Eof | CoreEvent::Exited { .. })) | Ok(None) => {
                    panic!("symphony-xi stopped during the benchmark")
                }
                Ok(Some(_)) => {}
                Err(_) => panic!("the pipelined inserts were not all answered in {PATIENCE:?}"),
            }
        }
        (started.elapsed(), updates)
    }
}
