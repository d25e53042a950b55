//! Reading an answer: the server-sent events of a streamed completion (`data: {…}` lines
//! ending with `data: [DONE]`), or one JSON body when the server does not stream.
//!
//! A streamed chunk, as OpenAI-compatible servers send it:
//!
//! ```text
//! data: {"choices":[{"index":0,"delta":{"content":"Sum"}}]}
//! data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1",
//!        "function":{"name":"propose_plan","arguments":"{\"st"}}]}}]}
//! data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}
//! data: [DONE]
//! ```
//!
//! Content comes in pieces to show as they arrive; tool-call arguments come in fragments,
//! joined per call `index`.

use std::collections::BTreeMap;

use serde_json::Value;

/// A tool call as the model made it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct ToolCall {
    /// The call's id, when the server gave one (a repair must answer it by id).
    pub id: Option<String>,
    /// The function called.
    pub name: String,
    /// Its arguments: JSON text, as the model wrote it.
    pub arguments: String,
}

/// Everything one answer said.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Reply {
    /// The text of the message.
    pub content: String,
    /// The tool calls, by index.
    pub tool_calls: Vec<ToolCall>,
}

/// Splits a byte stream into server-sent events and returns their `data`.
#[derive(Debug, Default)]
pub(super) struct SseDecoder {
    line: Vec<u8>,
    data: Option<String>,
}

impl SseDecoder {
    /// Takes `bytes` and returns the data of every event they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        let mut events = Vec::new();
        for &b in bytes {
            if b == b'\n' {
                let line = std::mem::take(&mut self.line);
                self.line_done(&line, &mut events);
            } else {
                self.line.push(b);
            }
        }
        events
    }

    /// The data of the last event, if the stream ended without the blank line after it.
    pub fn finish(&mut self) -> Vec<String> {
        let mut events = Vec::new();
        let line = std::mem::take(&mut self.line);
        if !line.is_empty() {
            self.line_done(&line, &mut events);
        }
        events.extend(self.data.take());
        events
    }

    fn line_done(&mut self, line: &[u8], events: &mut Vec<String>) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            events.extend(self.data.take());
            return;
        }
        // Comments (`: keep-alive`) and the other fields (`event:`, `id:`, `retry:`) carry
        // nothing a completion needs.
        let Some(value) = line.strip_prefix(b"data:") else {
            return;
        };
        let value = value.strip_prefix(b" ").unwrap_or(value);
        let value = String::from_utf8_lossy(value);
        match &mut self.data {
            Some(data) => {
                data.push('\n');
                data.push_str(&value);
            }
            None => self.data = Some(value.into_owned()),
        }
    }
}

/// What one event meant.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Piece {
    /// Text to show.
    Content(String),
    /// Nothing to show (a tool-call fragment, a role, an empty delta).
    Nothing,
    /// The end of the answer.
    Done,
}

/// Why an event could not be used.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum BadEvent {
    /// The server reported an error in the stream.
    Server(String),
    /// The event is not a chunk of a completion.
    NotJson(String),
}

/// Builds a [`Reply`] from a stream's events.
#[derive(Debug, Default)]
pub(super) struct Accumulator {
    content: String,
    calls: BTreeMap<u64, ToolCall>,
}

impl Accumulator {
    /// Takes one event's data.
    pub fn event(&mut self, data: &str) -> Result<Piece, BadEvent> {
        let data = data.trim();
        if data == "[DONE]" {
            return Ok(Piece::Done);
        }
        if data.is_empty() {
            return Ok(Piece::Nothing);
        }
        let chunk: Value = serde_json::from_str(data).map_err(|e| {
            BadEvent::NotJson(format!(
                "the stream sent a piece that is not JSON ({e}): {}",
                cut(data)
            ))
        })?;
        if let Some(message) = error_message(&chunk) {
            return Err(BadEvent::Server(message));
        }
        let Some(delta) = chunk.pointer("/choices/0/delta") else {
            return Ok(Piece::Nothing);
        };
        if let Some(calls) = delta.get("tool_calls").and_then(Value::as_array) {
            for (position, call) in calls.iter().enumerate() {
                // Some servers leave `index` out when they send one call per chunk.
                let index = call
                    .get("index")
                    .and_then(Value::as_u64)
                    .unwrap_or(position as u64);
                let entry = self.calls.entry(index).or_default();
                if let Some(id) = call.get("id").and_then(Value::as_str) {
                    entry.id = Some(id.to_owned());
                }
                if let Some(name) = call.pointer("/function/name").and_then(Value::as_str) {
                    entry.name.push_str(name);
                }
                if let Some(args) = call.pointer("/function/arguments").and_then(Value::as_str) {
                    entry.arguments.push_str(args);
                }
            }
        }
        match delta.get("content").and_then(Value::as_str) {
            Some(text) if !text.is_empty() => {
                self.content.push_str(text);
                Ok(Piece::Content(text.to_owned()))
            }
            _ => Ok(Piece::Nothing),
        }
    }

    /// The answer so far.
    pub fn finish(self) -> Reply {
        Reply {
            content: self.content,
            tool_calls: self.calls.into_values().collect(),
        }
    }
}

/// The answer of a server that did not stream: `choices[0].message`.
pub(super) fn whole(body: &Value) -> Result<Reply, String> {
    if let Some(message) = error_message(body) {
        return Err(message);
    }
    let message = body.pointer("/choices/0/message").ok_or_else(|| {
        format!(
            "the answer has no `choices[0].message`: {}",
            cut(&body.to_string())
        )
    })?;
    let content = message
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let tool_calls = message
        .get("tool_calls")
        .and_then(Value::as_array)
        .map(|calls| {
            calls
                .iter()
                .map(|call| ToolCall {
                    id: call.get("id").and_then(Value::as_str).map(str::to_owned),
                    name: text_at(call, "/function/name"),
                    arguments: match call.pointer("/function/arguments") {
                        // A few servers send the arguments as an object, not as JSON text.
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Null) | None => String::new(),
                        Some(other) => other.to_string(),
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Reply {
        content,
        tool_calls,
    })
}

/// The server's error message in a JSON body (`{"error": {"message": …}}`, `{"error": "…"}`,
/// `{"message": …}` or `{"detail": …}`), if it holds one.
pub(super) fn error_message(body: &Value) -> Option<String> {
    match body.get("error") {
        Some(Value::String(s)) => return Some(s.clone()),
        Some(Value::Object(e)) => {
            return Some(
                e.get("message")
                    .and_then(Value::as_str)
                    .map_or_else(|| Value::Object(e.clone()).to_string(), str::to_owned),
            );
        }
        _ => {}
    }
    if body.get("choices").is_some() {
        return None;
    }
    ["message", "detail"]
        .iter()
        .find_map(|k| body.get(*k).and_then(Value::as_str).map(str::to_owned))
}

fn text_at(value: &Value, pointer: &str) -> String {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// At most 300 characters of `text`, marked when cut.
pub(super) fn cut(text: &str) -> String {
    const MAX: usize = 300;
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(MAX).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn all_events(stream: &str, piece: usize) -> Vec<String> {
        let mut decoder = SseDecoder::default();
        let mut events = Vec::new();
        for part in stream.as_bytes().chunks(piece) {
            events.extend(decoder.push(part));
        }
        events.extend(decoder.finish());
        events
    }

    #[test]
    fn events_survive_any_split_of_the_bytes() {
        let stream = ": keep-alive\r\n\r\ndata: {\"a\":\"é\"}\r\n\r\nevent: x\ndata:{\"b\":1}\n\ndata: one\ndata: two\n\ndata: [DONE]";
        let expected = vec!["{\"a\":\"é\"}", "{\"b\":1}", "one\ntwo", "[DONE]"];
        for piece in 1..stream.len() {
            assert_eq!(
                all_events(stream, piece),
                expected,
                "split every {piece} bytes"
            );
        }
    }

    #[test]
    fn fragments_join_by_index_and_content_streams() {
        let mut acc = Accumulator::default();
        let events = [
            r#"{"choices":[{"delta":{"role":"assistant","content":"Plan"}}]}"#,
            r#"{"choices":[{"delta":{"content":"ning"}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":1,"id":"b","function":{"name":"other","arguments":"{}"}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"propose_plan","arguments":"{\"st"}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"eps\":[]}"}}]}}]}"#,
            r#"{"choices":[{"delta":{},"finish_reason":"tool_calls"}]}"#,
        ];
        let pieces: Vec<Piece> = events.iter().map(|e| acc.event(e).unwrap()).collect();
        assert_eq!(pieces[0], Piece::Content("Plan".into()));
        assert_eq!(pieces[1], Piece::Content("ning".into()));
        assert!(pieces[2..].iter().all(|p| *p == Piece::Nothing));
        assert_eq!(acc.event("[DONE]").unwrap(), Piece::Done);
        let reply = acc.finish();
        assert_eq!(reply.content, "Planning");
        assert_eq!(reply.tool_calls.len(), 2);
        assert_eq!(reply.tool_calls[0].id.as_deref(), Some("a"));
        assert_eq!(reply.tool_calls[0].name, "propose_plan");
        assert_eq!(reply.tool_calls[0].arguments, "{\"steps\":[]}");
        assert_eq!(reply.tool_calls[1].name, "other");
    }

    #[test]
    fn errors_in_the_stream_are_reported() {
        let mut acc = Accumulator::default();
        assert_eq!(
            acc.event(r#"{"error":{"message":"model overloaded"}}"#),
            Err(BadEvent::Server("model overloaded".into()))
        );
        assert!(
            matches!(acc.event("not json"), Err(BadEvent::NotJson(m)) if m.contains("not JSON"))
        );
    }

    #[test]
    fn a_whole_answer_reads_like_a_streamed_one() {
        let body = serde_json::json!({"choices":[{"message":{"role":"assistant","content":null,
            "tool_calls":[{"id":"c","type":"function","function":{"name":"propose_plan",
            "arguments":{"steps":[]}}}]}}]});
        let reply = whole(&body).unwrap();
        assert_eq!(reply.content, "");
        assert_eq!(reply.tool_calls[0].arguments, "{\"steps\":[]}");
        assert!(whole(&serde_json::json!({"detail": "no"})).is_err());
    }

    proptest::proptest! {
        /// Any text and arguments, streamed in any pieces and cut at any bytes (inside a
        /// UTF-8 character too), come out whole and in order.
        #[test]
        fn streams_reassemble_whatever_the_cuts(
            content in proptest::collection::vec("\\PC{0,12}", 0..6),
            arguments in proptest::collection::vec("[ -~é€😀]{0,10}", 1..8),
            cuts in proptest::collection::vec(1_usize..40, 1..20),
        ) {
            let mut stream = String::new();
            for piece in &content {
                let chunk = serde_json::json!({"choices": [{"delta": {"content": piece}}]});
                stream.push_str(&format!("data: {chunk}\r\n\r\n"));
            }
            for piece in &arguments {
                let chunk = serde_json::json!({"choices": [{"delta": {"tool_calls": [
                    {"index": 0, "function": {"name": "", "arguments": piece}}]}}]});
                stream.push_str(&format!("data: {chunk}\n\n"));
            }
            stream.push_str("data: [DONE]\n\n");
            let mut decoder = SseDecoder::default();
            let mut acc = Accumulator::default();
            let mut shown = Vec::new();
            let mut bytes = stream.as_bytes();
            let mut cut_at = cuts.iter().cycle();
            let mut done = false;
            while !bytes.is_empty() {
                let n = (*cut_at.next().unwrap_or(&1)).min(bytes.len());
                for data in decoder.push(&bytes[..n]) {
                    match acc.event(&data).unwrap() {
                        Piece::Content(text) => shown.push(text),
                        Piece::Done => done = true,
                        Piece::Nothing => {}
                    }
                }
                bytes = &bytes[n..];
            }
            proptest::prop_assert!(done);
            let expected: Vec<&String> = content.iter().filter(|c| !c.is_empty()).collect();
            proptest::prop_assert_eq!(shown.iter().collect::<Vec<_>>(), expected);
            let reply = acc.finish();
            proptest::prop_assert_eq!(reply.content, content.concat());
            proptest::prop_assert_eq!(&reply.tool_calls[0].arguments, &arguments.concat());
        }
    }

    #[test]
    fn long_text_is_cut() {
        assert_eq!(cut("short"), "short");
        let long = "x".repeat(1000);
        assert_eq!(cut(&long).chars().count(), 301);
    }
}
