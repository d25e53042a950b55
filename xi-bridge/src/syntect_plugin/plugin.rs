//! What the plugin does with the core's messages: which buffers it follows,
//! how it keeps their text, and which spans it sends back.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};
use syntect::parsing::SyntaxSet;

use crate::syntect_plugin::document::{Document, NeedsText, fetch_text};
use crate::syntect_plugin::error::PluginError;
use crate::syntect_plugin::highlighter::Highlighter;
use crate::syntect_plugin::link::CoreLink;
use crate::syntect_plugin::protocol::{
    BufferId, BufferInfo, HostNotification, HostRequest, LanguageId, PluginId, PluginNotification,
    RemoteError, RevToken, UpdateParams, ViewId,
};
use crate::syntect_plugin::syntaxes::syntax_for;
use crate::syntect_plugin::transport::Incoming;

/// Lines highlighted between two looks at the input, so an edit arriving
/// during a long first pass waits for at most this many lines.
pub const LINES_PER_BATCH: usize = 200;

/// Whether the plugin should keep running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keep going.
    Continue,
    /// The core asked us to exit.
    Stop,
}

#[derive(Debug)]
struct BufferState {
    /// Open views; the first addresses the buffer in our messages.
    views: Vec<ViewId>,
    path: Option<String>,
    doc: Document,
    highlighter: Highlighter,
}

impl BufferState {
    fn has_work(&self) -> bool {
        !self.doc.is_stale() && self.highlighter.has_work()
    }
}

/// The syntect plugin's state across all buffers.
#[derive(Debug)]
pub struct SyntectPlugin<'s> {
    syntaxes: &'s SyntaxSet,
    /// Known once `initialize` arrives.
    plugin_id: Option<PluginId>,
    buffers: BTreeMap<BufferId, BufferState>,
    views: HashMap<ViewId, BufferId>,
    /// The buffer that got the last slice of work, so buffers take turns.
    last_worked: Option<BufferId>,
}

impl<'s> SyntectPlugin<'s> {
    /// A plugin that follows no buffer yet.
    pub fn new(syntaxes: &'s SyntaxSet) -> Self {
        SyntectPlugin {
            syntaxes,
            plugin_id: None,
            buffers: BTreeMap::new(),
            views: HashMap::new(),
            last_worked: None,
        }
    }

    /// Handles one message from the core.
    pub fn handle(&mut self, msg: Incoming, link: &mut dyn CoreLink) -> Result<Flow, PluginError> {
        match msg {
            Incoming::Request {
                id,
                request: HostRequest::Update(update),
            } => {
                self.update(update, link)?;
                // The core reads the answer as a number and only uses it to
                // know the revision may be garbage-collected.
                link.respond(id, Ok(json!(0)))?;
            }
            Incoming::Request {
                id,
                request: HostRequest::CollectTrace(_),
            } => {
                link.respond(id, Ok(Value::Array(Vec::new())))?;
            }
            Incoming::Notification(note) => return self.notification(note, link),
            Incoming::Response { id, .. } => {
                link.warn(&format_args!(
                    "ignoring a reply to request {} nobody waits for",
                    id.0
                ));
            }
            Incoming::Unreadable { id, method, reason } => {
                link.warn(&format_args!("ignoring `{method}` from xi-core: {reason}"));
                if let Some(id) = id {
                    let error = RemoteError {
                        code: RemoteError::METHOD_NOT_FOUND,
                        message: format!("symphony-xi-syntect cannot handle `{method}`: {reason}"),
                    };
                    link.respond(id, Err(error))?;
                }
            }
        }
        Ok(Flow::Continue)
    }

    fn notification(
        &mut self,
        note: HostNotification,
        link: &mut dyn CoreLink,
    ) -> Result<Flow, PluginError> {
        match note {
            HostNotification::Initialize {
                plugin_id,
                buffer_info,
            } => {
                self.plugin_id = Some(plugin_id);
                for info in buffer_info {
                    self.open(info, link)?;
                }
            }
            HostNotification::NewBuffer { buffer_info } => {
                for info in buffer_info {
                    self.open(info, link)?;
                }
            }
            HostNotification::DidClose { view_id } => self.close(view_id),
            HostNotification::LanguageChanged { view_id, new_lang } => {
                self.set_language(view_id, &new_lang)
            }
            HostNotification::Shutdown(_) => return Ok(Flow::Stop),
            // Saving changes no text (a new language comes as `language_changed`);
            // config, hover, commands and tracing are not syntect's business.
            HostNotification::Ping(_)
            | HostNotification::DidSave { .. }
            | HostNotification::ConfigChanged { .. }
            | HostNotification::GetHover { .. }
            | HostNotification::CustomCommand { .. }
            | HostNotification::TracingConfig { .. } => {}
        }
        Ok(Flow::Continue)
    }

    /// Starts following a buffer: fetch its text, highlight it from the top.
    fn open(&mut self, info: BufferInfo, link: &mut dyn CoreLink) -> Result<(), PluginError> {
        for &view in &info.views {
            self.views.insert(view, info.buffer_id);
        }
        if let Some(known) = self.buffers.get_mut(&info.buffer_id) {
            // Already followed: keep its scope ids, which the core still holds.
            for view in info.views {
                if !known.views.contains(&view) {
                    known.views.push(view);
                }
            }
            return Ok(());
        }
        let Some(&view) = info.views.first() else {
            link.warn(&format_args!(
                "buffer {} has no view; not highlighting it",
                info.buffer_id.0
            ));
            return Ok(());
        };
        let doc = match self.fetch(link, view, info.rev, info.buf_size) {
            Ok(text) => Document::new(text, info.rev),
            Err(e) if e.is_fatal() => return Err(e),
            Err(e) => {
                link.warn(&e);
                Document::unavailable(info.rev)
            }
        };
        let syntax = syntax_for(self.syntaxes, &info.syntax, info.path.as_deref());
        let highlighter = Highlighter::new(syntax, doc.line_count());
        let state = BufferState {
            views: info.views,
            path: info.path,
            doc,
            highlighter,
        };
        self.buffers.insert(info.buffer_id, state);
        Ok(())
    }

    fn close(&mut self, view: ViewId) {
        let Some(buffer_id) = self.views.remove(&view) else {
            return;
        };
        if let Some(buf) = self.buffers.get_mut(&buffer_id) {
            buf.views.retain(|&v| v != view);
            if buf.views.is_empty() {
                self.buffers.remove(&buffer_id);
            }
        }
    }

    fn set_language(&mut self, view: ViewId, language: &LanguageId) {
        let Some(buf) = self
            .views
            .get(&view)
            .and_then(|id| self.buffers.get_mut(id))
        else {
            return;
        };
        let syntax = syntax_for(self.syntaxes, language, buf.path.as_deref());
        buf.highlighter.set_syntax(syntax, buf.doc.line_count());
    }

    /// Brings our copy of the text to the update's revision.
    fn update(&mut self, update: UpdateParams, link: &mut dyn CoreLink) -> Result<(), PluginError> {
        let Some(&buffer_id) = self.views.get(&update.view_id) else {
            link.warn(&format_args!(
                "`update` for {}, which the plugin does not follow",
                update.view_id
            ));
            return Ok(());
        };
        let plugin_id = self.plugin_id;
        let Some(buf) = self.buffers.get_mut(&buffer_id) else {
            return Ok(());
        };
        match buf
            .doc
            .apply(update.delta.as_ref(), update.rev, update.new_len)
        {
            Ok(edit) => buf.highlighter.edit(edit),
            Err(reason) => {
                if let NeedsText::DeltaDoesNotFit(_) = reason {
                    link.warn(&format_args!(
                        "{}: {reason}; fetching the text again",
                        update.view_id
                    ));
                }
                let fetched = match plugin_id {
                    Some(plugin_id) => {
                        fetch_text(link, update.view_id, plugin_id, update.rev, update.new_len)
                    }
                    None => Err(no_plugin_id(update.view_id, update.rev)),
                };
                match fetched {
                    Ok(text) => {
                        buf.doc.replace(text, update.rev);
                        buf.highlighter.restart(buf.doc.line_count());
                    }
                    Err(e) if e.is_fatal() => return Err(e),
                    Err(e) => {
                        link.warn(&e);
                        buf.doc.mark_stale(update.rev);
                    }
                }
            }
        }
        Ok(())
    }

    fn fetch(
        &self,
        link: &mut dyn CoreLink,
        view: ViewId,
        rev: RevToken,
        len: usize,
    ) -> Result<xi_rope::Rope, PluginError> {
        let plugin_id = self.plugin_id.ok_or_else(|| no_plugin_id(view, rev))?;
        fetch_text(link, view, plugin_id, rev, len)
    }

    /// Whether some buffer still has lines to highlight.
    pub fn has_work(&self) -> bool {
        self.buffers.values().any(BufferState::has_work)
    }

    /// Highlights up to `max_lines` lines of one buffer and sends the result.
    pub fn work(&mut self, link: &mut dyn CoreLink, max_lines: usize) -> Result<(), PluginError> {
        let Some(plugin_id) = self.plugin_id else {
            return Ok(());
        };
        let after = self.last_worked;
        let next = self
            .buffers
            .iter()
            .filter(|(id, b)| after.is_none_or(|a| **id > a) && b.has_work())
            .chain(self.buffers.iter().filter(|(_, b)| b.has_work()))
            .map(|(id, _)| *id)
            .next();
        let Some(buffer_id) = next else { return Ok(()) };
        self.last_worked = Some(buffer_id);
        let Some(buf) = self.buffers.get_mut(&buffer_id) else {
            return Ok(());
        };
        let Some(&view_id) = buf.views.first() else {
            return Ok(());
        };

        let batch = buf
            .highlighter
            .highlight(buf.doc.text(), self.syntaxes, max_lines);
        if !batch.new_scopes.is_empty() {
            link.notify(&PluginNotification::AddScopes {
                view_id,
                plugin_id,
                scopes: batch.new_scopes,
            })?;
        }
        for run in batch.runs {
            link.notify(&PluginNotification::UpdateSpans {
                view_id,
                plugin_id,
                start: run.start,
                len: run.len,
                spans: run.spans,
                rev: buf.doc.rev(),
            })?;
        }
        Ok(())
    }
}

fn no_plugin_id(view: ViewId, rev: RevToken) -> PluginError {
    PluginError::TextUnavailable {
        view,
        rev,
        reason: "xi-core has not sent `initialize` yet, so the plugin has no id to ask with".into(),
    }
}

#[cfg(test)]
#[path = "plugin_tests.rs"]
mod tests;
