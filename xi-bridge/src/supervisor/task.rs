//! The supervisor task: one loop over UI commands, core events, barrier answers and a heartbeat.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use serde_json::Value;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::client::{CoreEvent, XiClient};
use crate::codec::RemoteError;
use crate::error::BridgeError;
use crate::protocol::{
    CoreNotification, CoreNotificationFromCore as FromCore, CoreRequest, EditCommand,
    EditNotification, EditRequest, RequestId, ViewId,
};

use super::doc::{Doc, DocId, Journaled};
use super::{Command, SupervisorConfig, SupervisorEvent};

/// Copied text, or why the copy failed.
#[derive(Debug)]
pub(crate) struct CopyDone {
    pub generation: u64,
    pub result: Result<Value, BridgeError>,
}

/// Confirmed edits a document's journal may hold before its snapshot is refreshed.
pub(crate) const SNAPSHOT_EVERY: usize = 256;

/// A barrier request in flight.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Barrier {
    pub id: RequestId,
    pub seq: u64,
    pub sent: Instant,
}

pub(crate) struct SupervisorTask {
    pub config: SupervisorConfig,
    pub client: Arc<XiClient>,
    pub core_events: UnboundedReceiver<CoreEvent>,
    pub commands: UnboundedReceiver<Command>,
    pub events: UnboundedSender<SupervisorEvent>,
    pub pid: Arc<AtomicU32>,
    pub docs: BTreeMap<DocId, Doc>,
    pub by_view: HashMap<ViewId, DocId>,
    /// Incremented for each core started; answers from older cores are ignored.
    pub generation: u64,
    /// Sequence number of the last journalled edit.
    pub seq: u64,
    /// The newest sequence number a barrier confirmed.
    pub confirmed_seq: u64,
    /// The barrier in flight: its request id, the last sequence number before it, and when it
    /// was sent.
    pub barrier: Option<Barrier>,
    pub copy_tx: UnboundedSender<CopyDone>,
    pub copy_rx: UnboundedReceiver<CopyDone>,
    pub theme: Option<String>,
    pub last_activity: Instant,
    /// While restoring, updates go to the supervisor's caches only; the UI gets one full
    /// update per document at the end.
    pub restoring: bool,
}

/// A scroll region that covers any document: the supervisor keeps every line so that it can
/// restore unsaved text. xi sends only changed lines, so this costs little after the first update.
pub(crate) const WHOLE_DOCUMENT: (u64, u64) = (0, 1 << 40);

impl SupervisorTask {
    pub async fn start(
        config: SupervisorConfig,
        commands: UnboundedReceiver<Command>,
        events: UnboundedSender<SupervisorEvent>,
        pid: Arc<AtomicU32>,
    ) -> Result<SupervisorTask, BridgeError> {
        let (client, core_events) = spawn_core(&config).await?;
        pid.store(client.pid().unwrap_or(0), Ordering::Relaxed);
        let (copy_tx, copy_rx) = unbounded_channel();
        Ok(SupervisorTask {
            config,
            client: Arc::new(client),
            core_events,
            commands,
            events,
            pid,
            docs: BTreeMap::new(),
            by_view: HashMap::new(),
            generation: 1,
            seq: 0,
            confirmed_seq: 0,
            barrier: None,
            copy_tx,
            copy_rx,
            theme: None,
            last_activity: Instant::now(),
            restoring: false,
        })
    }

    pub(crate) fn emit(&self, event: SupervisorEvent) {
        // The UI dropping its receiver means it has quit; there is no one left to tell.
        let _ = self.events.send(event);
    }

    pub async fn run(mut self) {
        let mut heartbeat = tokio::time::interval(self.config.heartbeat);
        loop {
            tokio::select! {
                command = self.commands.recv() => {
                    let Some(command) = command else { break };
                    if let Command::Shutdown(done) = command {
                        self.shutdown().await;
                        let _ = done.send(());
                        break;
                    }
                    if let Err(reason) = self.handle_command(command).await {
                        self.restart(reason).await;
                    }
                    // Drain the commands already queued, then place one barrier after them all.
                    while let Ok(command) = self.commands.try_recv() {
                        if let Command::Shutdown(done) = command {
                            self.shutdown().await;
                            let _ = done.send(());
                            return;
                        }
                        if let Err(reason) = self.handle_command(command).await {
                            self.restart(reason).await;
                        }
                    }
                    if let Err(reason) = self.send_barrier_if_needed() {
                        self.restart(reason).await;
                    }
                }
                Some(event) = self.core_events.recv() => {
                    if let Err(reason) = self.handle_core_event(event) {
                        self.restart(reason).await;
                    }
                }
                Some(done) = self.copy_rx.recv() => self.handle_copy(done),
                _ = heartbeat.tick() => {
                    if let Some(reason) = self.check_health() {
                        self.restart(reason).await;
                    }
                }
            }
        }
    }

    async fn handle_command(&mut self, command: Command) -> Result<(), String> {
        self.last_activity = Instant::now();
        match command {
            Command::Open { doc, path } => {
                self.docs.insert(doc, Doc::new(path.clone()));
                match self.open_view(doc).await {
                    Ok(()) => self.emit(SupervisorEvent::Opened { doc, path }),
                    Err(BridgeError::Remote { message, .. }) => {
                        self.docs.remove(&doc);
                        self.emit(SupervisorEvent::OpenFailed { doc, message });
                    }
                    Err(err) => return Err(format!("opening a document failed: {err}")),
                }
            }
            Command::Edit { doc, edit } => {
                let Some(record) = self.docs.get_mut(&doc) else {
                    return Ok(());
                };
                record.remember(&edit);
                self.seq += 1;
                record
                    .journal
                    .push_back((self.seq, Journaled::Edit(edit.clone())));
                if let Some(view) = record.view.clone() {
                    self.client
                        .notify(&CoreNotification::Edit(EditCommand {
                            view_id: view,
                            cmd: edit,
                        }))
                        .map_err(|e| format!("sending an edit failed: {e}"))?;
                }
            }
            Command::Copy { doc, cut } => {
                let Some(record) = self.docs.get_mut(&doc) else {
                    return Ok(());
                };
                let Some(view) = record.view.clone() else {
                    return Ok(());
                };
                if cut {
                    self.seq += 1;
                    record.journal.push_back((self.seq, Journaled::Cut));
                }
                let request = CoreRequest::Edit(EditCommand {
                    view_id: view,
                    cmd: if cut {
                        EditRequest::Cut
                    } else {
                        EditRequest::Copy
                    },
                });
                let client = self.client.clone();
                let tx = self.copy_tx.clone();
                let generation = self.generation;
                let timeout = self.config.hang_timeout;
                tokio::spawn(async move {
                    let result = client.request(&request, timeout).await;
                    let _ = tx.send(CopyDone { generation, result });
                });
            }
            Command::Save { doc, path } => {
                let Some(record) = self.docs.get_mut(&doc) else {
                    return Ok(());
                };
                record.path = Some(path.clone());
                self.seq += 1;
                record.pending_saves.push((self.seq, path.clone()));
                if let Some(view) = record.view.clone() {
                    self.client
                        .notify(&CoreNotification::Save {
                            view_id: view,
                            file_path: path.display().to_string(),
                        })
                        .map_err(|e| format!("sending a save failed: {e}"))?;
                }
            }
            Command::Close(doc) => {
                if let Some(record) = self.docs.remove(&doc)
                    && let Some(view) = record.view
                {
                    self.by_view.remove(&view);
                    self.client
                        .notify(&CoreNotification::CloseView { view_id: view })
                        .map_err(|e| format!("closing a view failed: {e}"))?;
                }
            }
            Command::SetTheme(name) => {
                self.theme = Some(name.clone());
                self.client
                    .notify(&CoreNotification::SetTheme { theme_name: name })
                    .map_err(|e| format!("setting the theme failed: {e}"))?;
            }
            Command::KillCore => {
                self.client.kill();
            }
            Command::Shutdown(_) => {}
        }
        Ok(())
    }

    /// Ask the core for a view of the document and cover it with the scroll region.
    pub(crate) async fn open_view(&mut self, doc: DocId) -> Result<(), BridgeError> {
        let Some(record) = self.docs.get(&doc) else {
            return Ok(());
        };
        // xi creates a missing file the moment it opens it; a mistyped path would leave an
        // empty file behind. A new file is opened as a scratch view and written by its first save.
        let file_path = record.path.clone().filter(|p| p.exists());
        let view = self.client.new_view(file_path.as_deref()).await?;
        self.by_view.insert(view.clone(), doc);
        if let Some(record) = self.docs.get_mut(&doc) {
            record.view = Some(view.clone());
            record.cache = Default::default();
            record.changed = true;
        }
        // xi finishes setting up a view when it is next idle; an edit before that trips an
        // assertion in its line wrapping and kills it. Its first update says it is ready.
        self.wait_for_first_update(&view).await?;
        self.client.notify(&CoreNotification::Edit(EditCommand {
            view_id: view,
            cmd: EditNotification::Scroll(crate::protocol::LineRange::new(
                WHOLE_DOCUMENT.0,
                WHOLE_DOCUMENT.1,
            )),
        }))?;
        Ok(())
    }

    /// Handle core events until the first update for `view` has arrived.
    async fn wait_for_first_update(&mut self, view: &ViewId) -> Result<(), BridgeError> {
        let deadline = tokio::time::Instant::now() + self.config.hang_timeout;
        let method = || "new_view (waiting for its first update)".to_owned();
        loop {
            let event = match tokio::time::timeout_at(deadline, self.core_events.recv()).await {
                Ok(Some(event)) => event,
                Ok(None) => return Err(BridgeError::Disconnected { method: method() }),
                Err(_) => {
                    return Err(BridgeError::Timeout {
                        method: method(),
                        after: self.config.hang_timeout,
                    });
                }
            };
            let first = matches!(&event, CoreEvent::Notification(FromCore::Update { view_id, .. }) if view_id == view);
            if let Err(reason) = self.handle_core_event(event) {
                tracing::warn!("symphony-xi failed while opening a view: {reason}");
                return Err(BridgeError::Disconnected { method: method() });
            }
            if first {
                return Ok(());
            }
        }
    }

    fn send_barrier_if_needed(&mut self) -> Result<(), String> {
        let confirmed = self.confirmed_seq;
        let unconfirmed = self.docs.values().any(|d| d.awaits_barrier(confirmed));
        if self.barrier.is_none() && unconfirmed {
            self.send_barrier()?;
        }
        Ok(())
    }

    /// Send a barrier: an inexpensive request that xi answers only after everything sent
    /// before it. Its answer comes in the event stream, right after the updates it follows.
    pub(crate) fn send_barrier(&mut self) -> Result<(), String> {
        let Some(view) = self.docs.values().find_map(|d| d.view.clone()) else {
            return Ok(());
        };
        let id = self
            .client
            .request_in_stream(&CoreRequest::GetConfig { view_id: view })
            .map_err(|e| format!("sending a barrier failed: {e}"))?;
        self.barrier = Some(Barrier {
            id,
            seq: self.seq,
            sent: Instant::now(),
        });
        Ok(())
    }

    fn handle_reply(
        &mut self,
        id: RequestId,
        result: Result<Value, RemoteError>,
    ) -> Result<(), String> {
        let Some(barrier) = self.barrier.filter(|b| b.id == id) else {
            return Ok(());
        };
        self.barrier = None;
        if let Err(err) = result {
            return Err(format!("it refused a barrier request: {}", err.message));
        }
        self.confirm_up_to(barrier.seq, self.restoring);
        if !self.restoring {
            self.send_barrier_if_needed()?;
        }
        Ok(())
    }

    /// Every edit up to `seq` is in the caches: snapshot them and trim the journals.
    ///
    /// A snapshot clones a pointer per line, so it is taken only every [`SNAPSHOT_EVERY`]
    /// confirmed edits (or when `force`d, after a restore); until then the journal keeps the
    /// edits since the last snapshot, and a restore replays them from it.
    pub(crate) fn confirm_up_to(&mut self, seq: u64, force: bool) {
        self.confirmed_seq = self.confirmed_seq.max(seq);
        let mut saved = Vec::new();
        for (id, doc) in &mut self.docs {
            let confirmed = doc.journal.iter().take_while(|(s, _)| *s <= seq).count();
            if force || !doc.changed || confirmed >= SNAPSHOT_EVERY {
                if doc.changed {
                    doc.confirmed = doc.cache.clone();
                    doc.changed = false;
                }
                doc.journal.drain(..confirmed);
            }
            doc.pending_saves.retain(|(s, path)| {
                if *s <= seq {
                    saved.push((*id, path.clone()));
                    false
                } else {
                    true
                }
            });
        }
        for (doc, path) in saved {
            self.emit(SupervisorEvent::Saved { doc, path });
        }
    }

    fn handle_copy(&mut self, done: CopyDone) {
        if done.generation != self.generation {
            return;
        }
        match done.result {
            Ok(Value::String(text)) => self.emit(SupervisorEvent::Copied(text)),
            Ok(_) => {}
            Err(err) => self.emit(SupervisorEvent::Alert(format!("copy failed: {err}"))),
        }
    }

    fn check_health(&mut self) -> Option<String> {
        if let Some(barrier) = self.barrier
            && barrier.sent.elapsed() > self.config.hang_timeout
        {
            return Some(format!(
                "it did not answer for {} ms",
                barrier.sent.elapsed().as_millis()
            ));
        }
        if self.barrier.is_none() && self.last_activity.elapsed() >= self.config.heartbeat {
            return self.send_barrier().err();
        }
        None
    }

    pub(crate) fn handle_core_event(&mut self, event: CoreEvent) -> Result<(), String> {
        match event {
            CoreEvent::Notification(notification) => self.handle_notification(notification),
            CoreEvent::Reply { id, result } => self.handle_reply(id, result),
            CoreEvent::BadInput { error } => {
                self.emit(SupervisorEvent::BadInput(error.to_string()));
                Ok(())
            }
            CoreEvent::Exited { status } => Err(match status {
                Some(status) => format!("it exited ({status})"),
                None => "it exited".to_owned(),
            }),
            CoreEvent::Eof => Err("its output closed".to_owned()),
        }
    }

    fn handle_notification(&mut self, notification: FromCore) -> Result<(), String> {
        match notification {
            FromCore::Update { view_id, update } => {
                let Some(&doc) = self.by_view.get(&view_id) else {
                    return Ok(());
                };
                let Some(record) = self.docs.get_mut(&doc) else {
                    return Ok(());
                };
                record.changed = true;
                if let Err(err) = record.cache.apply(&update) {
                    self.emit(SupervisorEvent::BadInput(format!(
                        "update for {view_id}: {err}"
                    )));
                    return Ok(());
                }
                if !self.restoring {
                    self.emit(SupervisorEvent::Update {
                        doc,
                        update: Arc::new(update),
                    });
                }
            }
            FromCore::ScrollTo { view_id, line, col } => {
                if let Some(&doc) = self.by_view.get(&view_id)
                    && !self.restoring
                {
                    self.emit(SupervisorEvent::ScrollTo { doc, line, col });
                }
            }
            FromCore::DefStyle(style) => self.emit(SupervisorEvent::DefStyle(style)),
            FromCore::LanguageChanged {
                view_id,
                language_id,
            } => {
                if let Some(&doc) = self.by_view.get(&view_id) {
                    self.emit(SupervisorEvent::LanguageChanged {
                        doc,
                        language: language_id,
                    });
                }
            }
            FromCore::Alert { msg } => {
                // xi reports a failed save only with an alert, before the barrier that would
                // confirm it: the oldest pending save is the one that failed.
                let failed = self
                    .docs
                    .iter_mut()
                    .filter_map(|(id, d)| d.pending_saves.first().map(|(seq, _)| (*seq, *id)))
                    .min()
                    .and_then(|(_, id)| {
                        let doc = self.docs.get_mut(&id)?;
                        let (_, path) = doc.pending_saves.remove(0);
                        Some((id, path))
                    });
                match failed {
                    Some((doc, path)) => self.emit(SupervisorEvent::SaveFailed {
                        doc,
                        path,
                        message: msg,
                    }),
                    None => self.emit(SupervisorEvent::Alert(msg)),
                }
            }
            FromCore::FindStatus { view_id, queries } => {
                if let Some(&doc) = self.by_view.get(&view_id) {
                    let matches = queries.first().map(|q| q.matches);
                    self.emit(SupervisorEvent::FindStatus { doc, matches });
                }
            }
            FromCore::Unknown { method, .. } => {
                tracing::warn!(%method, "symphony-xi sent a notification we do not know; ignored");
            }
            _ => {}
        }
        Ok(())
    }

    /// Wait until the core has done everything sent to it (saves included), then stop it.
    async fn shutdown(&mut self) {
        if let Some(view) = self.docs.values().find_map(|d| d.view.clone()) {
            let request = CoreRequest::GetConfig { view_id: view };
            if let Err(err) = self
                .client
                .request(&request, self.config.hang_timeout)
                .await
            {
                tracing::warn!("symphony-xi did not confirm its last work before exit: {err}");
            }
        }
        while let Ok(event) = self.core_events.try_recv() {
            let _ = self.handle_core_event(event);
        }
        self.client.kill();
    }
}

/// Start a core and introduce ourselves.
pub(crate) async fn spawn_core(
    config: &SupervisorConfig,
) -> Result<(XiClient, UnboundedReceiver<CoreEvent>), BridgeError> {
    let no_env: [(&str, &str); 0] = [];
    let (client, events) = XiClient::spawn(&config.program, &config.args, no_env)?;
    let client = client.with_request_timeout(config.hang_timeout);
    client.notify(&CoreNotification::ClientStarted {
        config_dir: Some(config.config_dir.clone()),
        client_extras_dir: None,
    })?;
    Ok((client, events))
}
