//! Where the LLM planner's endpoint is and how long it may take, from the environment or
//! written out.

use std::fmt;
use std::time::Duration;

/// Names of the environment variables read by [`LlmConfig::from_env`].
pub const ENV_BASE_URL: &str = "SYMPHONY_LLM_BASE_URL";
/// The model to ask for.
pub const ENV_MODEL: &str = "SYMPHONY_LLM_MODEL";
/// The key, sent as `Authorization: Bearer …`.
pub const ENV_API_KEY: &str = "SYMPHONY_LLM_API_KEY";
/// Seconds allowed for one plan, repair included.
pub const ENV_TIMEOUT_SECS: &str = "SYMPHONY_LLM_TIMEOUT_SECS";

/// The model asked for when none is configured (local servers often serve one model and
/// ignore the name).
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";
/// Time allowed for a whole plan when none is configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
/// Longest silence allowed between two pieces of a streamed answer (at most the timeout).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Why the environment does not make a usable configuration, or the planner cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LlmConfigError {
    /// The base URL is not an http(s) URL.
    #[error(
        "{ENV_BASE_URL}=`{0}` is not an http:// or https:// URL; use the endpoint's base, \
         e.g. http://127.0.0.1:11434/v1 (the planner adds /chat/completions)"
    )]
    BaseUrl(String),
    /// The timeout is not a positive number of seconds.
    #[error("{ENV_TIMEOUT_SECS}=`{0}` is not a positive number of seconds")]
    Timeout(String),
    /// The planner's HTTP thread, runtime or client could not be set up.
    #[error("the LLM planner cannot start: {0}")]
    Setup(String),
}

/// How to reach an OpenAI-compatible chat-completions endpoint.
#[derive(Clone, PartialEq, Eq)]
pub struct LlmConfig {
    /// The base URL, without `/chat/completions` and without a trailing slash
    /// (`https://api.openai.com/v1`, `http://127.0.0.1:11434/v1`).
    pub base_url: String,
    /// The model to ask for.
    pub model: String,
    /// The key, if the endpoint wants one. Never logged nor shown (see the `Debug` impl).
    pub api_key: Option<String>,
    /// Time allowed for one plan, from the first request to the last byte of a repair.
    pub timeout: Duration,
    /// Longest silence allowed between two pieces of a streamed answer.
    pub idle_timeout: Duration,
}

impl fmt::Debug for LlmConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LlmConfig")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("idle_timeout", &self.idle_timeout)
            .finish()
    }
}

impl LlmConfig {
    /// A configuration for `base_url` and `model`, with no key and the default timeouts.
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> LlmConfig {
        LlmConfig {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            model: model.into(),
            api_key: None,
            timeout: DEFAULT_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
        }
    }

    /// The same with `key` sent as a bearer token.
    pub fn with_api_key(mut self, key: impl Into<String>) -> LlmConfig {
        self.api_key = Some(key.into());
        self
    }

    /// The same with a whole-plan `timeout`; the idle timeout is capped by it.
    pub fn with_timeout(mut self, timeout: Duration) -> LlmConfig {
        self.timeout = timeout;
        self.idle_timeout = self.idle_timeout.min(timeout);
        self
    }

    /// The same with another idle timeout (capped by the whole-plan timeout).
    pub fn with_idle_timeout(mut self, idle: Duration) -> LlmConfig {
        self.idle_timeout = idle.min(self.timeout);
        self
    }

    /// The configuration the `SYMPHONY_LLM_*` variables make; `Ok(None)` when
    /// `SYMPHONY_LLM_BASE_URL` is unset or empty (no LLM planner).
    pub fn from_env() -> Result<Option<LlmConfig>, LlmConfigError> {
        LlmConfig::from_vars(|name| std::env::var(name).ok())
    }

    /// The same, reading the variables through `var` (tests need not touch the process's
    /// environment).
    pub fn from_vars(
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<LlmConfig>, LlmConfigError> {
        let set = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let Some(base_url) = set(ENV_BASE_URL) else {
            return Ok(None);
        };
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(LlmConfigError::BaseUrl(base_url));
        }
        let mut config = LlmConfig::new(
            base_url,
            set(ENV_MODEL).unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
        );
        if let Some(key) = set(ENV_API_KEY) {
            config = config.with_api_key(key);
        }
        if let Some(text) = set(ENV_TIMEOUT_SECS) {
            let seconds = text
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s > 0.0 && *s <= 86_400.0)
                .ok_or_else(|| LlmConfigError::Timeout(text.clone()))?;
            config = config.with_timeout(Duration::from_secs_f64(seconds));
        }
        Ok(Some(config))
    }

    /// The chat-completions address.
    pub fn endpoint(&self) -> String {
        format!("{}/chat/completions", self.base_url)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn no_base_url_means_no_planner() {
        assert_eq!(LlmConfig::from_vars(vars(&[])), Ok(None));
        assert_eq!(
            LlmConfig::from_vars(vars(&[(ENV_BASE_URL, "  "), (ENV_MODEL, "m")])),
            Ok(None)
        );
    }

    #[test]
    fn reads_every_variable() {
        let config = LlmConfig::from_vars(vars(&[
            (ENV_BASE_URL, "http://127.0.0.1:8080/v1/"),
            (ENV_MODEL, "qwen2.5"),
            (ENV_API_KEY, "sk-secret"),
            (ENV_TIMEOUT_SECS, "2.5"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(
            config.endpoint(),
            "http://127.0.0.1:8080/v1/chat/completions"
        );
        assert_eq!(config.model, "qwen2.5");
        assert_eq!(config.api_key.as_deref(), Some("sk-secret"));
        assert_eq!(config.timeout, Duration::from_millis(2500));
        assert_eq!(config.idle_timeout, Duration::from_millis(2500));
    }

    #[test]
    fn refuses_what_cannot_work() {
        assert!(matches!(
            LlmConfig::from_vars(vars(&[(ENV_BASE_URL, "localhost:8080")])),
            Err(LlmConfigError::BaseUrl(_))
        ));
        for bad in ["0", "-3", "soon", "NaN"] {
            let result =
                LlmConfig::from_vars(vars(&[(ENV_BASE_URL, "http://x"), (ENV_TIMEOUT_SECS, bad)]));
            assert_eq!(
                result,
                Err(LlmConfigError::Timeout(bad.to_owned())),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_key_is_never_in_debug_output() {
        let config = LlmConfig::new("http://x", "m").with_api_key("sk-very-secret");
        let shown = format!("{config:?}");
        assert!(!shown.contains("sk-very-secret"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}
