//! `api` extensions: an HTTP endpoint the host calls, over the extension's network grant
//! only (validation refuses an endpoint no grant covers; the host confines itself to that
//! endpoint's TCP port with Landlock, see [`super::run`]).
//!
//! The contract, one request per call: `POST ENDPOINT/invoke` with
//! `Content-Type: application/json` and the `invoke` params as the body (the same JSON a
//! native guest reads, settings in `config`); the answer `200` (any 2xx) with an
//! [`InvokeResult`] (`{"outputs":[…]}`), or another status with `{"error":{"message":"…"}}` (or
//! any text), which becomes the call's failure. HTTP/1.1 with `Connection: close`, plain
//! `http://` only: the host links no TLS stack, so an `https://` endpoint is refused when the
//! host starts, saying so.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::error::{ExtensionError, LimitKind};
use crate::manifest::ExtensionId;
use crate::manifest::grant::Endpoint;
use crate::protocol::{InvokeRequest, InvokeResult};

/// The most bytes of an answer the host reads.
const MAX_ANSWER: u64 = 64 * 1024 * 1024;

/// An endpoint the host may call.
#[derive(Debug, Clone)]
pub struct ApiExtension {
    id: ExtensionId,
    endpoint: Endpoint,
}

impl ApiExtension {
    /// The extension `id` at `url`; an `https://` URL is refused with the reason.
    pub fn new(id: &ExtensionId, url: &str) -> Result<ApiExtension, ExtensionError> {
        let sandbox = |detail: String| ExtensionError::Sandbox {
            id: id.clone(),
            detail,
        };
        let endpoint = Endpoint::parse(url).map_err(sandbox)?;
        if endpoint.tls {
            return Err(sandbox(format!(
                "`{url}`: the host links no TLS stack yet, so it calls http:// endpoints only \
                 (put an http:// proxy on this machine in front of it)"
            )));
        }
        Ok(ApiExtension {
            id: id.clone(),
            endpoint,
        })
    }

    /// The TCP port it connects to (the only one the host's Landlock rules allow).
    pub fn port(&self) -> u16 {
        self.endpoint.port
    }

    fn url(&self) -> String {
        let e = &self.endpoint;
        format!("http://{}:{}{}/invoke", e.host, e.port, e.path)
    }

    /// POST `request` and read the answer, within `deadline`.
    pub fn call(
        &self,
        request: &InvokeRequest,
        deadline: Instant,
    ) -> Result<InvokeResult, ExtensionError> {
        let url = self.url();
        let failed = |message: String| ExtensionError::Failed {
            id: self.id.clone(),
            message,
        };
        let timed_out = || ExtensionError::LimitExceeded {
            id: self.id.clone(),
            limit: LimitKind::Deadline,
            detail: format!("{url} did not answer in time"),
        };
        let left = || {
            let left = deadline.saturating_duration_since(Instant::now());
            (left > Duration::ZERO).then_some(left)
        };
        let e = &self.endpoint;
        let addrs = (e.host.as_str(), e.port)
            .to_socket_addrs()
            .map_err(|err| failed(format!("cannot resolve {}: {err}", e.host)))?;
        let mut stream = None;
        let mut last = String::from("no address");
        for addr in addrs {
            let Some(budget) = left() else {
                return Err(timed_out());
            };
            match TcpStream::connect_timeout(&addr, budget) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(err) => last = format!("{addr}: {err}"),
            }
        }
        let mut stream =
            stream.ok_or_else(|| failed(format!("cannot connect to {url}: {last}")))?;
        let body = serde_json::to_vec(request).unwrap_or_default();
        let head = format!(
            "POST {}/invoke HTTP/1.1\r\nHost: {}:{}\r\nContent-Type: application/json\r\n\
             Accept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            e.path,
            e.host,
            e.port,
            body.len()
        );
        let io = |err: std::io::Error| {
            if matches!(
                err.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) {
                timed_out()
            } else {
                failed(format!("{url}: {err}"))
            }
        };
        stream.set_write_timeout(left()).map_err(io)?;
        stream
            .write_all(head.as_bytes())
            .and_then(|()| stream.write_all(&body))
            .map_err(io)?;
        let mut answer = Vec::new();
        loop {
            let Some(budget) = left() else {
                return Err(timed_out());
            };
            stream.set_read_timeout(Some(budget)).map_err(io)?;
            let mut chunk = [0u8; 16 * 1024];
            let n = stream.read(&mut chunk).map_err(io)?;
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&chunk[..n]);
            if answer.len() as u64 > MAX_ANSWER {
                return Err(failed(format!(
                    "{url} answered more than {MAX_ANSWER} bytes"
                )));
            }
        }
        let (status, body) = parse_answer(&answer).map_err(|e| failed(format!("{url}: {e}")))?;
        if !(200..300).contains(&status) {
            let detail = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.pointer("/error/message")?.as_str().map(str::to_owned))
                .unwrap_or_else(|| String::from_utf8_lossy(&body).chars().take(300).collect());
            return Err(failed(format!("{url} answered {status}: {detail}")));
        }
        serde_json::from_slice(&body).map_err(|err| ExtensionError::Protocol {
            id: self.id.clone(),
            detail: format!(
                "{url} answered {status} with a body that is not an invoke result: {err}"
            ),
        })
    }
}

/// The status and the (de-chunked) body of an HTTP/1.1 answer.
pub fn parse_answer(answer: &[u8]) -> Result<(u16, Vec<u8>), String> {
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("the answer has no end of headers")?;
    let head = String::from_utf8_lossy(&answer[..split]);
    let body = &answer[split + 4..];
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or("the answer has no HTTP status line")?;
    let chunked = lines.any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    if !chunked {
        return Ok((status, body.to_vec()));
    }
    let mut out = Vec::new();
    let mut rest = body;
    loop {
        let line_end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("a chunk has no size line")?;
        let size_text = String::from_utf8_lossy(&rest[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| format!("bad chunk size `{size_text}`"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok((status, out));
        }
        let chunk = rest.get(..size).ok_or("a chunk is cut short")?;
        out.extend_from_slice(chunk);
        rest = rest.get(size + 2..).ok_or("a chunk is cut short")?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_parse_plain_and_chunked() {
        let plain = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
        assert_eq!(parse_answer(plain), Ok((200, b"{}".to_vec())));
        let chunked =
            b"HTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x\r\nde\r\n0\r\n\r\n";
        assert_eq!(parse_answer(chunked), Ok((500, b"abcde".to_vec())));
        assert!(parse_answer(b"garbage").is_err());
        assert!(
            parse_answer(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").is_err()
        );
    }

    #[test]
    fn https_endpoints_are_refused_with_the_reason() {
        let id = ExtensionId::parse("t.api").expect("id");
        let e = ApiExtension::new(&id, "https://api.example.com").expect_err("no TLS");
        assert!(e.to_string().contains("no TLS stack"), "{e}");
        let ok = ApiExtension::new(&id, "http://127.0.0.1:9/base/").expect("http");
        assert_eq!(
            (ok.port(), ok.url().as_str()),
            (9, "http://127.0.0.1:9/base/invoke")
        );
    }
}
