//! `symphony-fault-guest`: a native extension that misbehaves on request, for the crash
//! isolation tests and benchmarks. It speaks the extension protocol on stdio; each method is
//! one attack: `panic`, `spin` (loops forever), `alloc` (10 GB), `stack` (unbounded
//! recursion), `write` (to `params.path`), `connect` (to `params.addr`), `exit` (mid-call);
//! and the well-behaved `echo` and `progress`.

use std::io::{BufRead, Write};

use extensions::protocol::{
    self, Artifact, InvokeParams, InvokeResult, Message, Progress, Request, Response, RpcError,
    code,
};

fn main() {
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { return };
        let Ok(Message::Request(request)) = serde_json::from_str::<Message>(&line) else {
            continue;
        };
        let Some(id) = request.id else { continue };
        let answer = match serde_json::from_value::<InvokeParams>(request.params) {
            Ok(params) => handle(id, &params),
            Err(e) => Response::err(id, RpcError::new(code::INVALID_PARAMS, e.to_string())),
        };
        send(&answer);
    }
}

fn send(message: &impl serde::Serialize) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(&protocol::encode(message));
    let _ = out.flush();
}

fn text_output(text: String) -> InvokeResult {
    InvokeResult {
        outputs: vec![Artifact {
            name: "output".into(),
            media_type: "text/plain".into(),
            text,
        }],
    }
}

fn param<'a>(params: &'a InvokeParams, key: &str) -> &'a str {
    params
        .params
        .get(key)
        .and_then(|v| v.as_str())
        .unwrap_or("")
}

#[allow(clippy::unwrap_used)]
fn handle(id: u64, params: &InvokeParams) -> Response {
    match params.method.as_str() {
        "echo" => {
            let text = params
                .inputs
                .first()
                .map(|a| a.text.clone())
                .unwrap_or_default();
            Response::ok(id, text_output(text))
        }
        "progress" => {
            for step in 1..=3u8 {
                send(&Request::notify(
                    "progress",
                    Progress {
                        id,
                        fraction: f32::from(step) / 3.0,
                        message: Some(format!("step {step}")),
                    },
                ));
            }
            Response::ok(id, text_output("done".into()))
        }
        "panic" => panic!("the fault guest panics on purpose"),
        "spin" => {
            let mut x: u64 = 0;
            loop {
                x = std::hint::black_box(x.wrapping_add(1));
            }
        }
        "alloc" => {
            let big: Vec<u8> = vec![1; 10 << 30];
            Response::ok(
                id,
                text_output(format!(
                    "{}",
                    big.iter().map(|&b| u64::from(b)).sum::<u64>()
                )),
            )
        }
        "stack" => Response::ok(
            id,
            text_output(format!("{}", recurse(std::hint::black_box(1)))),
        ),
        "write" => {
            let path = param(params, "path");
            std::fs::write(path, b"escaped").unwrap();
            Response::ok(id, text_output(format!("wrote {path}")))
        }
        "connect" => {
            let addr = param(params, "addr");
            match std::net::TcpStream::connect(addr) {
                Ok(_) => Response::ok(id, text_output(format!("connected to {addr}"))),
                Err(e) => Response::err(
                    id,
                    RpcError::new(code::FAILED, format!("connect {addr}: {e}")),
                ),
            }
        }
        "exit" => std::process::exit(3),
        other => Response::err(
            id,
            RpcError::new(code::METHOD_NOT_FOUND, format!("no method `{other}`")),
        ),
    }
}

fn recurse(n: u64) -> u64 {
    let pad = std::hint::black_box([n; 64]);
    if n == 0 {
        return pad[0];
    }
    recurse(n + 1).wrapping_add(pad[3])
}
