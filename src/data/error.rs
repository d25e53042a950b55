//! The data layer's errors: a request refused before sending, OFB's RFC 9457 problems as typed
//! errors, and OFB being out of reach. Each `Display` is a sentence a user can act on.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::prevalidate::ValidationErrors;

/// The prefix of OFB's problem types; the slug after it says which problem.
pub const PROBLEM_TYPE_PREFIX: &str = "urn:symphony:ofb:problem:";

/// One invalid field in OFB's answer (`errors[]` of a problem).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemField {
    /// A JSON Pointer into the request (`#/spec/steps/1/name`), or `#/<parameter>`.
    pub pointer: String,
    /// `body`, `query`, `path` or `header`.
    #[serde(default)]
    pub location: String,
    /// What is wrong.
    pub detail: String,
}

/// An RFC 9457 problem as OFB sends it (and as the outbox keeps it beside a refused mutation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// `urn:symphony:ofb:problem:<slug>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary (`Invalid workflow`).
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened, for this request.
    pub detail: String,
    /// The path called.
    #[serde(default)]
    pub instance: Option<String>,
    /// For validation problems: every invalid field.
    #[serde(default)]
    pub errors: Option<Vec<ProblemField>>,
    /// For `version-conflict`: the workflow's current version.
    #[serde(default)]
    pub current_version: Option<u64>,
}

impl Problem {
    /// The slug to match on (`invalid-workflow`, `forbidden`, `version-conflict`…).
    pub fn slug(&self) -> &str {
        self.kind
            .strip_prefix(PROBLEM_TYPE_PREFIX)
            .unwrap_or(&self.kind)
    }

    /// A problem made up on the client's side for an answer that was not problem+json.
    pub fn synthetic(status: u16, detail: String) -> Problem {
        Problem {
            kind: format!("{PROBLEM_TYPE_PREFIX}http-{status}"),
            title: format!("HTTP {status}"),
            status,
            detail,
            instance: None,
            errors: None,
            current_version: None,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.detail.trim_end_matches('.'))?;
        if let Some(errors) = self.errors.as_deref().filter(|e| !e.is_empty()) {
            f.write_str(" (")?;
            for (i, field) in errors.iter().enumerate() {
                if i > 0 {
                    f.write_str("; ")?;
                }
                let at = field.pointer.trim_start_matches("#/").replace('/', ".");
                write!(f, "{at}: {}", field.detail)?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// Why a data operation did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// Pre-validation refused the request; nothing was sent.
    #[error("not sent to OFB, the request is malformed: {0}")]
    Invalid(#[from] ValidationErrors),
    /// 400: OFB found the request invalid or against a business rule.
    #[error("OFB refused the request: {0}")]
    BadRequest(Box<Problem>),
    /// 401: no session, or it was revoked.
    #[error("not logged in to OFB ({0}); log in again")]
    Unauthorized(Box<Problem>),
    /// 403: the caller's role does not allow this.
    #[error("not allowed: {0}; ask a project Admin for a role that permits it")]
    Forbidden(Box<Problem>),
    /// 404: no such thing, or the caller is not a member of its project.
    #[error("not found: {0}")]
    NotFound(Box<Problem>),
    /// 409: a stale version, a reused key, a duplicate…
    #[error("conflict: {0}")]
    Conflict(Box<Problem>),
    /// 413: the body is over OFB's limit.
    #[error("too large for OFB: {0}")]
    TooLarge(Box<Problem>),
    /// Any other status OFB answered with (5xx included).
    #[error("OFB failed ({status}): {0}; see OFB's log", status = .0.status)]
    Server(Box<Problem>),
    /// OFB could not be reached: not running, wrong address, network down.
    #[error("cannot reach OFB at {url}: {reason}")]
    Unreachable {
        /// The address tried.
        url: String,
        /// What the network said.
        reason: String,
    },
    /// OFB did not answer in time.
    #[error("OFB at {url} did not answer within {after:?}")]
    Timeout {
        /// The address tried.
        url: String,
        /// The time allowed.
        after: Duration,
    },
    /// The offline outbox could not be read or written.
    #[error("offline outbox {}: {doing} failed: {source}", path.display())]
    Outbox {
        /// The outbox file.
        path: std::path::PathBuf,
        /// What was being done (`appending to`, `reading`…).
        doing: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A queued mutation refers to an object that was to be created by an earlier queued one,
    /// which OFB refused: there is nothing for it to act on.
    #[error(
        "{op} refers to {provisional}, an object created offline that OFB refused to create; \
         see `symphony outbox` for that refusal"
    )]
    Unresolved {
        /// What the mutation does (`start run`).
        op: &'static str,
        /// The provisional id (`provisional id 1152921504606846976`).
        provisional: String,
    },
    /// OFB answered with something that is not what its contract says.
    #[error("OFB's answer to {operation} was not understood: {what}")]
    Protocol {
        /// What was called.
        operation: String,
        /// What was wrong.
        what: String,
    },
}

impl DataError {
    /// The error for a problem+json answer, typed by its status.
    pub fn from_problem(problem: Problem) -> DataError {
        let problem = Box::new(problem);
        match problem.status {
            400 => DataError::BadRequest(problem),
            401 => DataError::Unauthorized(problem),
            403 => DataError::Forbidden(problem),
            404 => DataError::NotFound(problem),
            409 => DataError::Conflict(problem),
            413 => DataError::TooLarge(problem),
            _ => DataError::Server(problem),
        }
    }

    /// The problem OFB answered with, if it answered.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            DataError::BadRequest(p)
            | DataError::Unauthorized(p)
            | DataError::Forbidden(p)
            | DataError::NotFound(p)
            | DataError::Conflict(p)
            | DataError::TooLarge(p)
            | DataError::Server(p) => Some(p),
            _ => None,
        }
    }

    /// True when OFB did not get or did not answer the request, so it may be queued and
    /// replayed later with the same `Idempotency-Key`.
    pub fn is_offline(&self) -> bool {
        matches!(
            self,
            DataError::Unreachable { .. } | DataError::Timeout { .. }
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn problems_become_typed_errors_a_user_can_read() {
        let body = r##"{"type":"urn:symphony:ofb:problem:invalid-workflow","title":"Invalid workflow",
            "status":400,"detail":"Step 'deploy': command 'kubectl' is not an extension registered in project 1",
            "instance":"/workflows",
            "errors":[{"pointer":"#/spec/steps/2/command","location":"body","detail":"not an approved extension"}]}"##;
        let problem: Problem = serde_json::from_str(body).unwrap();
        assert_eq!(problem.slug(), "invalid-workflow");
        let error = DataError::from_problem(problem);
        assert!(matches!(error, DataError::BadRequest(_)));
        assert_eq!(
            error.to_string(),
            "OFB refused the request: Step 'deploy': command 'kubectl' is not an extension \
             registered in project 1 (spec.steps.2.command: not an approved extension)"
        );
    }

    #[test]
    fn each_status_has_its_variant() {
        for (status, check) in [
            (
                401,
                (|e: &DataError| matches!(e, DataError::Unauthorized(_))) as fn(&DataError) -> bool,
            ),
            (403, |e| matches!(e, DataError::Forbidden(_))),
            (404, |e| matches!(e, DataError::NotFound(_))),
            (409, |e| matches!(e, DataError::Conflict(_))),
            (413, |e| matches!(e, DataError::TooLarge(_))),
            (500, |e| matches!(e, DataError::Server(_))),
        ] {
            let error = DataError::from_problem(Problem::synthetic(status, "x".into()));
            assert!(check(&error), "{status}: {error:?}");
            assert!(!error.is_offline());
        }
    }
}
