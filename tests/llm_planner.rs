//! The LLM planner against recorded chat-completions answers: wiremock serves them (and
//! checks the requests' shape and count); a raw TCP server stands in where an answer must
//! stop half-way (idle timeout, cancellation mid-stream), which wiremock cannot do.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use conductor::plan::{Capability, CapabilityId, Catalog, Importance, ProviderId, StepId};
use conductor::planning::{Drafted, PlanContext, Planner, PlannerError};
use conductor::templates::Template;
use serde_json::{Value, json};
use symphony::adapters::llm_planner::{LlmConfig, LlmPlanner, TOOL};
use wiremock::matchers::{bearer_token, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const MODEL: &str = "gpt-test";
const KEY: &str = "sk-test-0123456789";
const INTENT: &str = "summarise this and translate it to French";

/// A recorded stream (OpenAI's format, ids shortened): text first, then the tool call's
/// arguments in fragments, the finish reason, `[DONE]`.
const GOOD_STREAM: &str = r#"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"content":"Summarise first, "},"finish_reason":null}]}

data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"content":"then translate."},"finish_reason":null}]}

data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_abc","type":"function","function":{"name":"propose_plan","arguments":""}}]},"finish_reason":null}]}

data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"steps\":[{\"id\":\"summarise\",\"capability\":\"text.summarise\","}}]},"finish_reason":null}]}

data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"params\":{\"length\":\"short\"},\"after\":[],\"importance\":\"essential\"},{\"id\":\"translate\",\"capability\":\"text.translate\",\"params\":{\"to\":\"fr\"},"}}]},"finish_reason":null}]}

data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"after\":[\"summarise\"],\"importance\":\"recommended\"}],\"explanation\":\"A summary, then its French translation.\"}"}}]},"finish_reason":null}]}

data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

data: [DONE]

"#;

/// The arguments of the good plan.
fn good_arguments() -> Value {
    json!({
        "steps": [
            {"id": "summarise", "capability": "text.summarise", "params": {"length": "short"},
             "after": [], "importance": "essential"},
            {"id": "translate", "capability": "text.translate", "params": {"to": "fr"},
             "after": ["summarise"], "importance": "recommended"}
        ],
        "explanation": "A summary, then its French translation."
    })
}

fn capability(id: &str, inputs: &[&str], outputs: &[&str]) -> Capability {
    let mut c = Capability::new(
        CapabilityId::new(id).unwrap(),
        ProviderId::new("text-ops").unwrap(),
        id.rsplit('.').next().unwrap(),
        format!("Does {id}."),
    );
    c.inputs = inputs.iter().map(|s| (*s).to_owned()).collect();
    c.outputs = outputs.iter().map(|s| (*s).to_owned()).collect();
    c.intents = vec![format!("{id} please")];
    c
}

fn catalog() -> Catalog {
    Catalog::new(vec![
        capability("text.summarise", &["text/plain"], &["text/plain"]),
        capability("text.translate", &["text/plain"], &["text/plain"]),
        capability("text.upper", &["text/plain"], &["text/plain"]),
    ])
}

fn templates() -> Vec<Template> {
    vec![
        toml::from_str(
            r#"
            id = "digest"
            title = "Digest"
            description = "Summarise, then shout."
            [[steps]]
            id = "s"
            capability = "text.summarise"
            [[steps]]
            id = "u"
            capability = "text.upper"
            after = ["s"]
            "#,
        )
        .unwrap(),
    ]
}

/// One SSE event per chunk, each a `chat.completion.chunk` with `delta`, then `[DONE]`.
fn sse(deltas: &[Value]) -> String {
    let mut body = String::new();
    for delta in deltas {
        let chunk = json!({"id": "chatcmpl-2", "object": "chat.completion.chunk", "created": 1,
            "model": MODEL, "choices": [{"index": 0, "delta": delta, "finish_reason": null}]});
        body.push_str(&format!("data: {chunk}\n\n"));
    }
    body.push_str("data: [DONE]\n\n");
    body
}

/// A streamed answer calling `propose_plan` with `arguments` split into `pieces` fragments.
fn tool_stream(arguments: &str, pieces: usize) -> String {
    let chars: Vec<char> = arguments.chars().collect();
    let size = chars.len().div_ceil(pieces.max(1)).max(1);
    let mut deltas = vec![json!({"role": "assistant", "tool_calls": [{"index": 0,
        "id": "call_1", "type": "function", "function": {"name": TOOL, "arguments": ""}}]})];
    for piece in chars.chunks(size) {
        let text: String = piece.iter().collect();
        deltas.push(json!({"tool_calls": [{"index": 0, "function": {"arguments": text}}]}));
    }
    sse(&deltas)
}

fn streamed(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body, "text/event-stream")
}

/// Answers in turn, the last one repeated.
struct Sequence {
    answers: Vec<ResponseTemplate>,
    next: AtomicUsize,
}

impl Sequence {
    fn new(answers: Vec<ResponseTemplate>) -> Sequence {
        Sequence {
            answers,
            next: AtomicUsize::new(0),
        }
    }
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        self.answers[n.min(self.answers.len() - 1)].clone()
    }
}

/// A request the planner must make: POST, the key as a bearer token, the model, one tool
/// named `propose_plan` whose capability enum is the catalog, the tool forced, streaming.
fn planner_request(request: &Request) -> bool {
    let Ok(body) = request.body_json::<Value>() else {
        return false;
    };
    let tool = &body["tools"][0]["function"];
    let step = &tool["parameters"]["properties"]["steps"]["items"]["properties"];
    body["model"] == MODEL
        && body["stream"] == true
        && body["tools"].as_array().is_some_and(|t| t.len() == 1)
        && tool["name"] == TOOL
        && step["capability"]["enum"] == json!(["text.summarise", "text.translate", "text.upper"])
        && body["tool_choice"] == json!({"type": "function", "function": {"name": TOOL}})
        && body["messages"][0]["role"] == "system"
        && body["messages"][1] == json!({"role": "user", "content": INTENT})
}

struct Harness {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
}

impl Harness {
    fn start() -> Harness {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(MockServer::start());
        Harness { runtime, server }
    }

    fn config(&self) -> LlmConfig {
        LlmConfig::new(format!("{}/v1", self.server.uri()), MODEL)
            .with_api_key(KEY)
            .with_timeout(Duration::from_secs(20))
    }

    /// Mounts `responder` for well-shaped requests, expected `times` times.
    fn answer(&self, responder: impl Respond + 'static, times: u64) {
        self.runtime.block_on(
            Mock::given(method("POST"))
                .and(path("/v1/chat/completions"))
                .and(bearer_token(KEY))
                .and(planner_request)
                .respond_with(responder)
                .expect(times)
                .mount(&self.server),
        );
    }

    fn requests(&self) -> Vec<Value> {
        self.runtime
            .block_on(self.server.received_requests())
            .unwrap()
            .iter()
            .map(|r| r.body_json().unwrap())
            .collect()
    }
}

/// Plans `INTENT` with `planner`; the tokens streamed and the result.
fn plan_with(
    planner: &mut LlmPlanner,
    input: Option<&str>,
) -> (Vec<String>, Result<Drafted, PlannerError>) {
    let catalog = catalog();
    let templates = templates();
    let context = PlanContext {
        catalog: &catalog,
        templates: &templates,
        input,
    };
    let mut tokens = Vec::new();
    let result = planner.plan(
        INTENT,
        &context,
        &mut |t| tokens.push(t.to_owned()),
        &|| false,
    );
    (tokens, result)
}

fn plan(config: LlmConfig) -> (Vec<String>, Result<Drafted, PlannerError>) {
    plan_with(&mut LlmPlanner::new(config).unwrap(), None)
}

fn assert_good_plan(drafted: &Drafted) {
    let plan = &drafted.plan;
    assert_eq!(plan.intent, INTENT);
    assert_eq!(plan.input.as_deref(), Some("text"));
    let ids: Vec<&str> = plan.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["summarise", "translate"]);
    assert_eq!(plan.steps[0].capability.as_str(), "text.summarise");
    assert_eq!(plan.steps[0].params["length"], "short");
    assert_eq!(plan.steps[0].importance, Importance::Essential);
    assert_eq!(plan.steps[1].after, vec![StepId::new("summarise").unwrap()]);
    assert_eq!(plan.steps[1].importance, Importance::Recommended);
    assert!(plan.check(&catalog()).is_ok());
}

#[test]
fn a_streamed_tool_call_becomes_the_plan_and_its_text_streams_in_order() {
    let h = Harness::start();
    h.answer(streamed(GOOD_STREAM.to_owned()), 1);
    let (tokens, result) = plan(h.config());
    let drafted = result.unwrap();
    assert_eq!(tokens, ["Summarise first, ", "then translate."]);
    assert_good_plan(&drafted);
    assert!(
        drafted
            .explanation
            .starts_with("A summary, then its French translation."),
        "{}",
        drafted.explanation
    );
    assert!(
        drafted.explanation.contains("**gpt-test**"),
        "{}",
        drafted.explanation
    );
    let system = h.requests()[0]["messages"][0]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        system.contains("- `text.translate`: Does text.translate."),
        "{system}"
    );
    assert!(
        system.contains("Reads text/plain. Makes text/plain. Cost: low."),
        "{system}"
    );
    assert!(
        system.contains("- `digest` — Digest: Summarise, then shout."),
        "{system}"
    );
}

#[test]
fn arguments_split_over_many_chunks_are_joined() {
    let h = Harness::start();
    let arguments = good_arguments().to_string();
    h.answer(streamed(tool_stream(&arguments, arguments.len())), 1);
    let (tokens, result) = plan(h.config());
    assert!(tokens.is_empty(), "{tokens:?}");
    let drafted = result.unwrap();
    assert_good_plan(&drafted);
}

#[test]
fn a_non_streamed_answer_is_read_too() {
    let h = Harness::start();
    let body = json!({
        "id": "chatcmpl-3", "object": "chat.completion", "created": 1, "model": MODEL,
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": "Here is the plan.",
            "tool_calls": [{"id": "call_9", "type": "function", "function": {
                "name": TOOL, "arguments": good_arguments().to_string()}}]}}]
    });
    h.answer(ResponseTemplate::new(200).set_body_json(body), 1);
    let (tokens, result) = plan(h.config());
    assert_eq!(tokens, ["Here is the plan."]);
    assert_good_plan(&result.unwrap());
}

#[test]
fn the_attached_input_is_said_and_kept() {
    let h = Harness::start();
    let arguments = good_arguments().to_string();
    h.runtime.block_on(
        Mock::given(method("POST"))
            .and(|r: &Request| {
                r.body_json::<Value>().is_ok_and(|b| {
                    b["messages"][1]["content"]
                        .as_str()
                        .is_some_and(|c| c.starts_with(INTENT) && c.contains("Attached: selection"))
                })
            })
            .respond_with(streamed(tool_stream(&arguments, 3)))
            .expect(1)
            .mount(&h.server),
    );
    let mut planner = LlmPlanner::new(h.config()).unwrap();
    let (_, result) = plan_with(&mut planner, Some("selection"));
    assert_eq!(result.unwrap().plan.input.as_deref(), Some("selection"));
}

#[test]
fn malformed_arguments_are_repaired_in_a_second_call() {
    let h = Harness::start();
    let broken = r#"{"steps": [{"id": "summarise", "capability": "text.summarise""#;
    h.answer(
        Sequence::new(vec![
            streamed(tool_stream(broken, 4)),
            streamed(tool_stream(&good_arguments().to_string(), 5)),
        ]),
        2,
    );
    let (_, result) = plan(h.config());
    let drafted = result.unwrap();
    assert_good_plan(&drafted);
    assert!(
        drafted.explanation.contains("after one repair"),
        "{}",
        drafted.explanation
    );
    // The second request carries the call as made and the exact error, answered by id.
    let second = &h.requests()[1]["messages"];
    assert_eq!(second.as_array().unwrap().len(), 4);
    assert_eq!(second[2]["role"], "assistant");
    assert_eq!(second[2]["tool_calls"][0]["id"], "call_1");
    assert_eq!(second[2]["tool_calls"][0]["function"]["arguments"], broken);
    assert_eq!(second[3]["role"], "tool");
    assert_eq!(second[3]["tool_call_id"], "call_1");
    let error = second[3]["content"].as_str().unwrap();
    assert!(error.contains("are not valid JSON"), "{error}");
    assert!(error.contains("Call `propose_plan` again"), "{error}");
}

#[test]
fn malformed_twice_is_a_malformed_error() {
    let h = Harness::start();
    h.answer(streamed(tool_stream(r#"{"steps": "#, 2)), 2);
    let (_, result) = plan(h.config());
    match result {
        Err(PlannerError::Malformed(message)) => {
            assert!(message.contains("not valid JSON"), "{message}");
            assert!(message.contains("after one repair round"), "{message}");
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn a_missing_field_is_named() {
    let h = Harness::start();
    let arguments = json!({"steps": [{"id": "a", "params": {}}]}).to_string();
    h.answer(streamed(tool_stream(&arguments, 2)), 2);
    let (_, result) = plan(h.config());
    assert!(
        matches!(&result, Err(PlannerError::Malformed(m)) if m.contains("steps[0].capability is missing")),
        "{result:?}"
    );
}

#[test]
fn an_unknown_capability_is_repaired() {
    let h = Harness::start();
    let mut unknown = good_arguments();
    unknown["steps"][1]["capability"] = json!("text.translate_all");
    h.answer(
        Sequence::new(vec![
            streamed(tool_stream(&unknown.to_string(), 3)),
            streamed(tool_stream(&good_arguments().to_string(), 3)),
        ]),
        2,
    );
    let (_, result) = plan(h.config());
    assert_good_plan(&result.unwrap());
    let error = h.requests()[1]["messages"][3]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(error.contains("`text.translate_all`"), "{error}");
    assert!(
        error.contains("installed: `text.summarise`, `text.translate`, `text.upper`"),
        "{error}"
    );
}

#[test]
fn a_cyclic_plan_is_an_error_naming_the_cycle() {
    let h = Harness::start();
    let cyclic = json!({"steps": [
        {"id": "a", "capability": "text.summarise", "params": {}, "after": ["c"], "importance": "essential"},
        {"id": "b", "capability": "text.translate", "params": {}, "after": ["a"], "importance": "essential"},
        {"id": "c", "capability": "text.upper", "params": {}, "after": ["b"], "importance": "optional"}
    ], "explanation": "round and round"});
    h.answer(streamed(tool_stream(&cyclic.to_string(), 6)), 2);
    let (_, result) = plan(h.config());
    match result {
        Err(PlannerError::Malformed(message)) => {
            assert!(message.contains("cycle: a → b → c → a"), "{message}");
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
    let repair = h.requests()[1]["messages"][3]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(repair.contains("a → b → c → a"), "{repair}");
}

#[test]
fn a_text_answer_is_asked_for_the_tool_once() {
    let h = Harness::start();
    h.answer(
        Sequence::new(vec![
            streamed(sse(&[
                json!({"role": "assistant", "content": "You could summarise it."}),
            ])),
            streamed(tool_stream(&good_arguments().to_string(), 2)),
        ]),
        2,
    );
    let (tokens, result) = plan(h.config());
    assert_good_plan(&result.unwrap());
    assert_eq!(tokens[0], "You could summarise it.");
    let second = &h.requests()[1]["messages"];
    assert_eq!(
        second[2],
        json!({"role": "assistant", "content": "You could summarise it."})
    );
    assert_eq!(second[3]["role"], "user");
    assert!(
        second[3]["content"]
            .as_str()
            .unwrap()
            .contains("calling the `propose_plan` tool")
    );
}

#[test]
fn text_twice_is_malformed() {
    let h = Harness::start();
    h.answer(streamed(sse(&[json!({"content": "No."})])), 2);
    let (_, result) = plan(h.config());
    assert!(
        matches!(&result, Err(PlannerError::Malformed(m)) if m.contains("without calling `propose_plan`")),
        "{result:?}"
    );
}

#[test]
fn http_errors_carry_the_servers_message() {
    let h = Harness::start();
    h.answer(
        Sequence::new(vec![
            ResponseTemplate::new(500).set_body_json(
                json!({"error": {"message": "the model crashed", "type": "server_error"}}),
            ),
            ResponseTemplate::new(401).set_body_json(json!({"error": {
                "message": format!("Incorrect API key provided: {KEY}"),
                "type": "invalid_request_error", "code": "invalid_api_key"}})),
            ResponseTemplate::new(503).set_body_string("x".repeat(5000)),
        ]),
        3,
    );
    let mut planner = LlmPlanner::new(h.config()).unwrap();
    let (_, result) = plan_with(&mut planner, None);
    match result {
        Err(PlannerError::Endpoint(m)) => {
            assert!(m.contains("answered 500: the model crashed"), "{m}");
        }
        other => panic!("expected Endpoint, got {other:?}"),
    }
    let (_, result) = plan_with(&mut planner, None);
    match result {
        Err(PlannerError::Endpoint(m)) => {
            assert!(
                m.contains("answered 401: Incorrect API key provided"),
                "{m}"
            );
            assert!(m.contains("check SYMPHONY_LLM_API_KEY"), "{m}");
            assert!(!m.contains(KEY), "the key leaked: {m}");
        }
        other => panic!("expected Endpoint, got {other:?}"),
    }
    let (_, result) = plan_with(&mut planner, None);
    match result {
        Err(PlannerError::Endpoint(m)) => {
            assert!(m.contains("answered 503: xxx"), "{m}");
            assert!(m.len() < 600, "the body was not cut: {} bytes", m.len());
        }
        other => panic!("expected Endpoint, got {other:?}"),
    }
}

#[test]
fn an_error_inside_the_stream_is_an_endpoint_error() {
    let h = Harness::start();
    let body = format!(
        "{}data: {}\n\n",
        sse(&[json!({"content": "Thinking"})]).replace("data: [DONE]\n\n", ""),
        json!({"error": {"message": "overloaded, try later"}})
    );
    h.answer(streamed(body), 1);
    let (tokens, result) = plan(h.config());
    assert_eq!(tokens, ["Thinking"]);
    assert!(
        matches!(&result, Err(PlannerError::Endpoint(m)) if m.contains("overloaded, try later")),
        "{result:?}"
    );
}

#[test]
fn a_refused_tool_choice_is_dropped_and_the_tool_still_offered() {
    let h = Harness::start();
    h.answer(
        ResponseTemplate::new(400).set_body_json(json!({"error": {
            "message": "tool_choice must be \"auto\" or \"none\""}})),
        1,
    );
    let arguments = good_arguments().to_string();
    h.runtime.block_on(
        Mock::given(method("POST"))
            .and(|r: &Request| {
                r.body_json::<Value>().is_ok_and(|b| {
                    b.get("tool_choice").is_none() && b["tools"][0]["function"]["name"] == TOOL
                })
            })
            .respond_with(streamed(tool_stream(&arguments, 2)))
            .expect(2)
            .mount(&h.server),
    );
    let mut planner = LlmPlanner::new(h.config()).unwrap();
    assert_good_plan(&plan_with(&mut planner, None).1.unwrap());
    // Remembered: the next plan goes straight to `auto`.
    assert_good_plan(&plan_with(&mut planner, None).1.unwrap());
}

#[test]
fn a_hanging_endpoint_times_out_within_the_configured_time() {
    let h = Harness::start();
    h.answer(
        streamed(GOOD_STREAM.to_owned()).set_delay(Duration::from_secs(60)),
        1,
    );
    let timeout = Duration::from_secs(1);
    let started = Instant::now();
    let (_, result) = plan(h.config().with_timeout(timeout));
    let took = started.elapsed();
    assert_eq!(result, Err(PlannerError::Timeout(timeout)));
    assert!(took < timeout + Duration::from_secs(5), "took {took:?}");
}

#[test]
fn cancelling_while_waiting_stops_at_once() {
    let h = Harness::start();
    h.answer(
        streamed(GOOD_STREAM.to_owned()).set_delay(Duration::from_secs(60)),
        1,
    );
    let mut planner = LlmPlanner::new(h.config()).unwrap();
    let catalog = catalog();
    let context = PlanContext {
        catalog: &catalog,
        templates: &[],
        input: None,
    };
    let started = Instant::now();
    let polls = AtomicUsize::new(0);
    let result = planner.plan(INTENT, &context, &mut |_| {}, &|| {
        polls.fetch_add(1, Ordering::SeqCst) >= 5
    });
    assert_eq!(result, Err(PlannerError::Cancelled));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn an_empty_catalog_asks_nobody() {
    let h = Harness::start();
    h.answer(streamed(GOOD_STREAM.to_owned()), 0);
    let mut planner = LlmPlanner::new(h.config()).unwrap();
    let empty = Catalog::default();
    let context = PlanContext {
        catalog: &empty,
        templates: &[],
        input: None,
    };
    let result = planner.plan(INTENT, &context, &mut |_| {}, &|| false);
    assert!(
        matches!(result, Err(PlannerError::NoMatch { .. })),
        "{result:?}"
    );
}

/// A server that answers one request with `head` and the chunks in `first`, then stays
/// silent (the connection open) until the test ends or `hold` passes.
struct Stalling {
    url: String,
    done: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Vec<u8>>>,
}

impl Stalling {
    fn start(first: &str, hold: Duration) -> Stalling {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        let (done, wait) = mpsc::channel::<()>();
        let first = first.to_owned();
        let thread = std::thread::spawn(move || {
            let (mut socket, _) = listener.accept().unwrap();
            let request = read_request(&mut socket);
            let chunk = format!("{:x}\r\n{first}\r\n", first.len());
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\
                        Transfer-Encoding: chunked\r\n\r\n";
            socket.write_all(head.as_bytes()).unwrap();
            socket.write_all(chunk.as_bytes()).unwrap();
            socket.flush().unwrap();
            let _ = wait.recv_timeout(hold);
            request
        });
        Stalling {
            url,
            done: Some(done),
            thread: Some(thread),
        }
    }

    /// Releases the server; the request it read.
    fn finish(mut self) -> Value {
        drop(self.done.take());
        let request = self.thread.take().unwrap().join().unwrap();
        let text = String::from_utf8(request).unwrap();
        let body = text.split_once("\r\n\r\n").unwrap().1;
        serde_json::from_str(body).unwrap()
    }
}

/// Headers and a `Content-Length` body.
fn read_request(socket: &mut std::net::TcpStream) -> Vec<u8> {
    let mut data = Vec::new();
    let mut buffer = [0_u8; 4096];
    loop {
        let n = socket.read(&mut buffer).unwrap();
        assert!(n > 0, "the client closed early");
        data.extend_from_slice(&buffer[..n]);
        let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse().unwrap());
        if data.len() >= end + 4 + length {
            return data;
        }
    }
}

#[test]
fn silence_inside_a_stream_is_an_idle_timeout() {
    let server = Stalling::start(
        &sse(&[json!({"content": "Let me think"})]).replace("data: [DONE]\n\n", ""),
        Duration::from_secs(30),
    );
    let idle = Duration::from_millis(500);
    let config = LlmConfig::new(server.url.clone(), MODEL)
        .with_timeout(Duration::from_secs(20))
        .with_idle_timeout(idle);
    let started = Instant::now();
    let (tokens, result) = plan(config);
    let took = started.elapsed();
    assert_eq!(tokens, ["Let me think"]);
    assert_eq!(result, Err(PlannerError::Timeout(idle)));
    assert!(took < Duration::from_secs(10), "took {took:?}");
    let request = server.finish();
    assert_eq!(request["model"], MODEL);
}

#[test]
fn cancelling_mid_stream_stops_with_cancelled() {
    let server = Stalling::start(
        &sse(&[json!({"content": "Step one"})]).replace("data: [DONE]\n\n", ""),
        Duration::from_secs(30),
    );
    let config = LlmConfig::new(server.url.clone(), MODEL).with_timeout(Duration::from_secs(20));
    let mut planner = LlmPlanner::new(config).unwrap();
    let catalog = catalog();
    let context = PlanContext {
        catalog: &catalog,
        templates: &[],
        input: None,
    };
    let tokens = Mutex::new(Vec::<String>::new());
    let started = Instant::now();
    let result = planner.plan(
        INTENT,
        &context,
        &mut |t| tokens.lock().unwrap().push(t.to_owned()),
        // The user presses cancel once the first words are on screen.
        &|| !tokens.lock().unwrap().is_empty(),
    );
    assert_eq!(result, Err(PlannerError::Cancelled));
    assert_eq!(*tokens.lock().unwrap(), ["Step one"]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // The planner is usable after a cancel: it is still its own worker's only client.
    assert_eq!(planner.name(), "llm gpt-test");
    server.finish();
}

/// The Conductor moves planners to worker threads and may share them behind a lock.
const _: fn() = || {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<LlmPlanner>();
};

/// The same planner against a real endpoint: `SYMPHONY_LLM_BASE_URL=… cargo nextest run -p
/// symphony --test llm_planner --run-ignored only` (a model that can call tools is needed).
#[test]
#[ignore = "needs a real endpoint in SYMPHONY_LLM_BASE_URL (and _MODEL, _API_KEY)"]
fn a_real_endpoint_makes_a_valid_plan() {
    let config = LlmConfig::from_env()
        .expect("the SYMPHONY_LLM_* variables are valid")
        .expect("SYMPHONY_LLM_BASE_URL is set");
    let (_, result) = plan(config);
    let drafted = result.unwrap();
    drafted.plan.check(&catalog()).unwrap();
    let capabilities: Vec<&str> = drafted
        .plan
        .steps
        .iter()
        .map(|s| s.capability.as_str())
        .collect();
    assert!(capabilities.contains(&"text.summarise"), "{capabilities:?}");
    assert!(capabilities.contains(&"text.translate"), "{capabilities:?}");
}
