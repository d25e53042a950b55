//! The `llm` Instrument: one chat completion from any OpenAI-compatible endpoint (a local
//! llama.cpp or Ollama server, or a proxy), as a native extension speaking the Orchestra Kit
//! protocol on stdio.
//!
//! Method `chat`: the `prompt` input becomes the user message; params may give `system` and
//! `temperature`. `base_url`, `model` and `api_key` come from the extension's settings, which
//! the host sends in each call's `config` (the manifest's defaults overridden by
//! `symphony ext config symphony.llm KEY VALUE`); a call's params may override them.
//! Output `reply` (`text/plain`): the first choice's message content.
//!
//! The HTTP client is std-only HTTP/1.1 over `TcpStream`: `http://` endpoints only (a TLS stack
//! for `https://` is not in this sample yet). The sandbox grants it only the network the
//! manifest names.

use std::io::{BufRead, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use extensions::protocol::{
    self, Artifact, InvokeRequest, InvokeResult, Message, Response, RpcError, code,
};
use serde_json::{Value, json};

fn main() {
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { return };
        let Ok(Message::Request(request)) = serde_json::from_str::<Message>(&line) else {
            continue;
        };
        let Some(id) = request.id else { continue };
        let answer = match serde_json::from_value::<InvokeRequest>(request.params) {
            Ok(params) => match chat(&params) {
                Ok(result) => Response::ok(id, result),
                Err(message) => Response::err(id, RpcError::new(code::FAILED, message)),
            },
            Err(e) => Response::err(id, RpcError::new(code::INVALID_PARAMS, e.to_string())),
        };
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(&protocol::encode(&answer));
        let _ = out.flush();
    }
}

/// A setting: the call's params first, then the extension's settings.
fn setting(request: &InvokeRequest, key: &str) -> Option<String> {
    [request.call.params.get(key), request.config.get(key)]
        .into_iter()
        .flatten()
        .find_map(Value::as_str)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn chat(request: &InvokeRequest) -> Result<InvokeResult, String> {
    let params = &request.call;
    if params.method != "chat" {
        return Err(format!("no method `{}`", params.method));
    }
    let base_url = setting(request, "base_url")
        .ok_or("no `base_url`: set it with `symphony ext config symphony.llm base_url URL`")?;
    let model = setting(request, "model")
        .ok_or("no `model`: set it with `symphony ext config symphony.llm model NAME`")?;
    let api_key = setting(request, "api_key");
    let prompt = params
        .inputs
        .iter()
        .find(|a| a.name == "prompt")
        .map(|a| a.text.clone())
        .ok_or("the `prompt` input is missing")?;
    let mut messages = Vec::new();
    if let Some(system) = params.params.get("system").and_then(Value::as_str) {
        messages.push(json!({"role": "system", "content": system}));
    }
    messages.push(json!({"role": "user", "content": prompt}));
    let mut body = json!({"model": model, "messages": messages});
    if let Some(t) = params.params.get("temperature").and_then(Value::as_f64) {
        body["temperature"] = json!(t);
    }
    let url = format!("{}/chat/completions", base_url.trim_end_matches('/'));
    let (status, response) = post_json(&url, &body, api_key.as_deref())?;
    let value: Value = serde_json::from_slice(&response).map_err(|e| {
        format!(
            "{url} answered {status} with a body that is not JSON ({e}): {}",
            String::from_utf8_lossy(&response)
                .chars()
                .take(200)
                .collect::<String>()
        )
    })?;
    if !(200..300).contains(&status) {
        let detail = value
            .pointer("/error/message")
            .and_then(Value::as_str)
            .map_or_else(|| value.to_string(), str::to_owned);
        return Err(format!("{url} answered {status}: {detail}"));
    }
    let reply = value
        .pointer("/choices/0/message/content")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{url}: no `choices[0].message.content` in {value}"))?;
    Ok(InvokeResult {
        outputs: vec![Artifact {
            name: "reply".into(),
            media_type: "text/plain".into(),
            text: reply.to_owned(),
        }],
    })
}

/// POST `body` to an `http://` URL; returns the status and the (de-chunked) body.
fn post_json(url: &str, body: &Value, api_key: Option<&str>) -> Result<(u16, Vec<u8>), String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| {
        format!("`{url}`: only http:// endpoints are supported by this sample (run a local server or a proxy)")
    })?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let address = if authority.contains(':') {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let mut stream = TcpStream::connect(&address).map_err(|e| format!("connect {address}: {e}"))?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(110)));
    let payload = body.to_string();
    let mut request = format!(
        "POST {} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        if path.is_empty() { "/" } else { path },
        payload.len()
    );
    if let Some(key) = api_key {
        request.push_str(&format!("Authorization: Bearer {key}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(&payload);
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("sending to {address}: {e}"))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| format!("reading from {address}: {e}"))?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("{address} sent no complete HTTP header"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| {
            format!(
                "{address}: bad status line `{}`",
                head.lines().next().unwrap_or("")
            )
        })?;
    let chunked = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    if chunked {
        body = dechunk(&body).ok_or_else(|| format!("{address}: a malformed chunked body"))?;
    }
    Ok((status, body))
}

/// Decode `Transfer-Encoding: chunked`.
fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}
