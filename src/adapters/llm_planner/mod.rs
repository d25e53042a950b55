//! The LLM planner: [`Planner`] over any OpenAI-compatible chat-completions endpoint with
//! tool calling and streaming (OpenAI, llama.cpp's server, Ollama, vLLM, a proxy).
//!
//! One plan is one request, plus at most one repair round:
//!
//! 1. The system message lists the installed capabilities and the Melody templates; the user
//!    message is the intent; the one tool, `propose_plan`, takes a plan (`request.rs`).
//! 2. The answer streams back (`stream.rs`): its text goes to `on_token` as it comes, the tool
//!    call's argument fragments are joined.
//! 3. The call is read into a [`Plan`](conductor::plan::Plan) and checked against the
//!    catalog (`repair.rs`). If it is not JSON, lacks a field, names a capability nobody
//!    provides or has a cycle, the call goes back with the exact error, once; if the model
//!    answered in text, it is asked once to call the tool. A second bad answer is
//!    [`PlannerError::Malformed`], naming what was wrong.
//!
//! Requests run on a worker thread with its own runtime (`worker.rs`); `plan` blocks the
//! caller's thread, polls `cancelled` while it waits, and gives up after the configured
//! timeout (whole plan) or idle timeout (silence inside a stream).

mod config;
mod repair;
mod request;
mod stream;
mod worker;

use std::fmt::Write as _;
use std::time::Instant;

use conductor::planning::{Drafted, PlanContext, Planner, PlannerError};
use serde_json::Value;

pub use config::{
    DEFAULT_IDLE_TIMEOUT, DEFAULT_MODEL, DEFAULT_TIMEOUT, ENV_API_KEY, ENV_BASE_URL, ENV_MODEL,
    ENV_TIMEOUT_SECS, LlmConfig, LlmConfigError,
};
pub use request::TOOL;

use repair::{Problem, Proposal, judge};
use stream::Reply;
use worker::{Failure, Worker};

/// Plans with an OpenAI-compatible chat-completions endpoint.
#[derive(Debug)]
pub struct LlmPlanner {
    config: LlmConfig,
    worker: Worker,
    /// Whether `tool_choice` names the tool; cleared for good when the server refuses it.
    force_tool: bool,
}

impl LlmPlanner {
    /// A planner for `config`; starts its HTTP thread (no request is made yet).
    pub fn new(config: LlmConfig) -> Result<LlmPlanner, LlmConfigError> {
        let worker = Worker::start(config.clone()).map_err(LlmConfigError::Setup)?;
        Ok(LlmPlanner {
            config,
            worker,
            force_tool: true,
        })
    }

    /// The planner the `SYMPHONY_LLM_*` variables describe; `Ok(None)` when none is set.
    pub fn from_env() -> Result<Option<LlmPlanner>, LlmConfigError> {
        LlmConfig::from_env()?.map(LlmPlanner::new).transpose()
    }

    /// Its configuration.
    pub fn config(&self) -> &LlmConfig {
        &self.config
    }

    /// One request with `messages`; the answer's text goes to `on_token`.
    fn ask(
        &mut self,
        messages: &[Value],
        context: &PlanContext<'_>,
        deadline: Instant,
        on_token: &mut dyn FnMut(&str),
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Reply, PlannerError> {
        loop {
            let body = request::body(&self.config.model, messages, context, self.force_tool);
            let bytes = serde_json::to_vec(&body)
                .map_err(|e| PlannerError::Endpoint(format!("cannot encode the request: {e}")))?;
            match self.worker.exchange(bytes, deadline, on_token, cancelled) {
                // Some servers take only "auto" (or "required"); asking again without naming
                // the tool still offers it, and the repair round asks for it if need be.
                Err(Failure::Http {
                    status: 400 | 422,
                    message,
                }) if self.force_tool && message.contains("tool_choice") => {
                    self.force_tool = false;
                }
                result => return result.map_err(|f| self.error(f)),
            }
        }
    }

    /// A failure as the user sees it, with what to check, and never with the key.
    fn error(&self, failure: Failure) -> PlannerError {
        let url = self.config.endpoint();
        let error = match failure {
            Failure::Http { status, message } => {
                let hint = match status {
                    401 | 403 => format!("; check {ENV_API_KEY}"),
                    404 => format!("; check {ENV_BASE_URL} and {ENV_MODEL}"),
                    _ => String::new(),
                };
                PlannerError::Endpoint(format!("{url} answered {status}: {message}{hint}"))
            }
            Failure::Server(message) => {
                PlannerError::Endpoint(format!("{url} reported an error mid-answer: {message}"))
            }
            Failure::Unreachable(reason) => {
                PlannerError::Endpoint(format!("cannot reach {url}: {reason}"))
            }
            Failure::Protocol(what) => PlannerError::Malformed(format!("{url}: {what}")),
            Failure::Timeout(after) => PlannerError::Timeout(after),
            Failure::Cancelled => PlannerError::Cancelled,
        };
        match &self.config.api_key {
            Some(key) if !key.is_empty() => scrub(error, key),
            _ => error,
        }
    }

    /// The plan and why, with the model named.
    fn drafted(&self, proposal: Proposal, streamed: &str, repaired: Option<&Problem>) -> Drafted {
        let mut explanation = proposal
            .explanation
            .or_else(|| Some(streamed.trim().to_owned()).filter(|s| !s.is_empty()))
            .unwrap_or_else(|| "The model gave no reason for this plan.".to_owned());
        let _ = write!(
            explanation,
            "\n\nPlanned by the LLM **{}** ({})",
            self.config.model, self.config.base_url
        );
        match repaired {
            Some(problem) => {
                let _ = write!(explanation, ", after one repair: {problem}.");
            }
            None => explanation.push('.'),
        }
        explanation.push('\n');
        Drafted {
            plan: proposal.plan,
            explanation,
        }
    }
}

impl Planner for LlmPlanner {
    fn name(&self) -> String {
        format!("llm {}", self.config.model)
    }

    fn plan(
        &mut self,
        intent: &str,
        context: &PlanContext<'_>,
        on_token: &mut dyn FnMut(&str),
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Drafted, PlannerError> {
        if context.catalog.all().is_empty() {
            return Err(PlannerError::NoMatch {
                intent: intent.to_owned(),
                nearest: Vec::new(),
            });
        }
        let deadline = Instant::now() + self.config.timeout;
        let mut messages = request::opening(intent, context);
        let first = self.ask(&messages, context, deadline, on_token, cancelled)?;
        let problem = match judge(&first, intent, context) {
            Ok(proposal) => return Ok(self.drafted(proposal, &first.content, None)),
            Err(problem) => problem,
        };
        match &problem {
            Problem::NoCall => messages.extend(request::no_call(&first)),
            Problem::BadCall { call, error } => {
                messages.extend(request::refused_call(&first, call, error));
            }
        }
        if !first.content.is_empty() {
            // The repair's answer streams on from here.
            on_token("\n\n");
        }
        let second = self.ask(&messages, context, deadline, on_token, cancelled)?;
        match judge(&second, intent, context) {
            Ok(proposal) => {
                let streamed = format!("{}\n\n{}", first.content, second.content);
                Ok(self.drafted(proposal, &streamed, Some(&problem)))
            }
            Err(again) => Err(PlannerError::Malformed(format!(
                "{again} (still, after one repair round; the first answer: {problem})"
            ))),
        }
    }
}

/// `error` with every occurrence of `key` masked (a server may echo what it was sent).
fn scrub(error: PlannerError, key: &str) -> PlannerError {
    let mask = |s: String| s.replace(key, "<redacted>");
    match error {
        PlannerError::Endpoint(s) => PlannerError::Endpoint(mask(s)),
        PlannerError::Malformed(s) => PlannerError::Malformed(mask(s)),
        other => other,
    }
}
