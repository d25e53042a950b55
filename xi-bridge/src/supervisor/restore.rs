//! Restarting the core and restoring every document into it.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::error::BridgeError;
use crate::line_cache::LineCache;
use crate::protocol::{
    CoreNotification, CoreRequest, EditCommand, EditNotification, EditRequest, GestureType, Line,
    Update, UpdateOp, ViewId,
};

use super::SupervisorEvent;
use super::doc::{DocId, Journaled};
use super::task::{SupervisorTask, spawn_core};

/// Tries before giving up on starting a core, with a doubling pause between them.
const START_ATTEMPTS: u32 = 6;

impl SupervisorTask {
    /// Replace a dead or hung core and restore every document. Edits sent meanwhile wait in
    /// the command channel and are applied afterwards.
    pub(crate) async fn restart(&mut self, reason: String) {
        let started = Instant::now();
        tracing::warn!("symphony-xi stopped: {reason}; restarting it");
        self.emit(SupervisorEvent::CoreDown {
            reason: reason.clone(),
        });
        self.client.kill();
        self.pid.store(0, Ordering::Relaxed);
        self.generation += 1;
        self.barrier = None;
        let mut pause = Duration::from_millis(10);
        for attempt in 1..=START_ATTEMPTS {
            match self.restore_all().await {
                Ok(()) => {
                    self.emit(SupervisorEvent::Restored {
                        elapsed: started.elapsed(),
                        reason,
                    });
                    return;
                }
                Err(err) => {
                    tracing::error!(
                        "restoring into a new symphony-xi failed (attempt {attempt}): {err}"
                    );
                    self.client.kill();
                    self.generation += 1;
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                }
            }
        }
        self.emit(SupervisorEvent::Alert(format!(
            "the editor core cannot be restarted ({reason}); your text is kept in memory — \
             see the log, then try Ctrl-S"
        )));
    }

    async fn restore_all(&mut self) -> Result<(), BridgeError> {
        let (client, events) = spawn_core(&self.config).await?;
        self.client = Arc::new(client);
        self.core_events = events;
        self.pid
            .store(self.client.pid().unwrap_or(0), Ordering::Relaxed);
        self.by_view.clear();
        if let Some(theme) = self.theme.clone() {
            self.client
                .notify(&CoreNotification::SetTheme { theme_name: theme })?;
        }
        self.restoring = true;
        let ids: Vec<DocId> = self.docs.keys().copied().collect();
        for id in ids {
            self.open_view(id).await?;
            self.restore_doc(id)?;
        }
        // Wait until the core has applied everything (a barrier confirms it), then hand the UI
        // one full update per document.
        let lost = |why: String| BridgeError::Disconnected {
            method: format!("restore ({why})"),
        };
        self.send_barrier().map_err(lost)?;
        let deadline = tokio::time::Instant::now() + self.config.hang_timeout;
        while self.barrier.is_some() {
            let event = tokio::time::timeout_at(deadline, self.core_events.recv())
                .await
                .map_err(|_| lost("no answer".to_owned()))?
                .ok_or_else(|| lost("events closed".to_owned()))?;
            self.handle_core_event(event).map_err(lost)?;
        }
        self.restoring = false;
        for (id, doc) in &self.docs {
            let update = full_update(&doc.cache);
            let _ = self.events.send(SupervisorEvent::Update {
                doc: *id,
                update: Arc::new(update),
            });
            if let Some((line, col)) = doc.cache.cursor() {
                let _ = self.events.send(SupervisorEvent::ScrollTo {
                    doc: *id,
                    line,
                    col,
                });
            }
        }
        Ok(())
    }

    /// Put back the confirmed text, cursor and search, then replay unconfirmed edits.
    fn restore_doc(&mut self, id: DocId) -> Result<(), BridgeError> {
        let Some(doc) = self.docs.get(&id) else {
            return Ok(());
        };
        let Some(view) = doc.view.clone() else {
            return Ok(());
        };
        let base = &doc.confirmed;
        let edit = |cmd: EditNotification| {
            CoreNotification::Edit(EditCommand {
                view_id: view.clone(),
                cmd,
            })
        };
        let mut out = Vec::new();
        let never_confirmed = base.height() == 0;
        let text = if never_confirmed { None } else { base.text() };
        if (doc.path.is_none() || !base.pristine())
            && let Some(text) = text
        {
            out.push(edit(EditNotification::SelectAll));
            out.push(edit(EditNotification::Insert { chars: text }));
        }
        if let Some((line, col)) = base.cursor() {
            let anchor = base
                .selections()
                .into_iter()
                .next()
                .map(|(l1, c1, l2, c2)| {
                    if (l1, c1) == (line, col) {
                        (l2, c2)
                    } else {
                        (l1, c1)
                    }
                });
            match anchor {
                Some((al, ac)) if (al, ac) != (line, col) => {
                    out.push(gesture(&view, al, ac, GestureType::PointSelect));
                    out.push(gesture(&view, line, col, GestureType::RangeSelect));
                }
                _ => out.push(gesture(&view, line, col, GestureType::PointSelect)),
            }
        }
        out.extend(doc.find.clone().map(edit));
        out.extend(doc.replace.clone().map(edit));
        for notification in &out {
            self.client.notify(notification)?;
        }
        for (_, entry) in doc.journal.iter() {
            match entry {
                Journaled::Edit(cmd) => self.client.notify(&edit(cmd.clone()))?,
                Journaled::Cut => {
                    // The cut text already reached the clipboard; only its effect is replayed.
                    let request = CoreRequest::Edit(EditCommand {
                        view_id: view.clone(),
                        cmd: EditRequest::Cut,
                    });
                    let client = self.client.clone();
                    let timeout = self.config.hang_timeout;
                    tokio::spawn(async move {
                        let _ = client.request(&request, timeout).await;
                    });
                }
            }
        }
        Ok(())
    }
}

fn gesture(view: &ViewId, line: usize, col: usize, ty: GestureType) -> CoreNotification {
    CoreNotification::Edit(EditCommand {
        view_id: view.clone(),
        cmd: EditNotification::Gesture {
            line: line as u64,
            col: col as u64,
            ty,
        },
    })
}

/// One update that rebuilds a frontend cache from nothing: an `ins` of every line.
pub(crate) fn full_update(cache: &LineCache) -> Update {
    let lines: Vec<Line> = cache
        .to_lines()
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect();
    Update {
        ops: vec![UpdateOp::Ins {
            n: lines.len(),
            lines,
        }],
        pristine: cache.pristine(),
        annotations: cache.annotations().to_vec(),
    }
}
