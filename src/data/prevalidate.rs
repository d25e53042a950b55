//! Pre-validation: the shape of each request checked in Rust before any call, so that a typo
//! costs no round trip and the message names the field (`spec.steps[3].name: empty`).
//!
//! Only what `ofb/openapi.json` states about a request is checked here: required values,
//! lengths (in characters, as OFB counts them), ranges, id formats, patterns and the body size.
//! Business rules (unique step names, budgets, approved commands, who may do what) belong to
//! OFB alone and are never guessed at here. UTF-8 needs no check: a Rust `String` is valid UTF-8
//! by construction, and requests read from files come through serde, which refuses bad bytes.
//!
//! Architecture invariant: pre-validation never allocates unless it finds an error, so that it
//! stays far below the 5 µs per request the issue allows (`benches/data_prevalidate.rs`).

use std::fmt;

use super::ids::{AuditEntryId, IdempotencyKey, MAX_ID, MAX_IDEMPOTENCY_KEY};
use super::requests::{
    AuditQuery, Credentials, ExtensionGrant, NewExtension, NewMember, NewProject, NewUser,
    NewWorkflow, RunStatusUpdate, WorkflowEdit, WorkflowSpec,
};

/// OFB refuses request bodies above 1 MiB (413).
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// The largest cost or budget OFB accepts.
pub const MAX_COST: f64 = 1e12;
/// The most steps a workflow may have.
pub const MAX_STEPS: usize = 1000;
/// The most node results one run update may carry.
pub const MAX_NODES: usize = 1000;
/// The most permissions an extension may request or be granted.
pub const MAX_PERMISSIONS: usize = 64;
/// The largest audit page.
pub const MAX_AUDIT_LIMIT: u32 = 500;

/// One invalid field: where (`spec.steps[3].name`) and what is wrong (`empty`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's path in the request, as Rust code would write it.
    pub path: String,
    /// What is wrong, in words a user can act on.
    pub problem: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.problem)
    }
}

/// Every invalid field of one request (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// A request that can be checked before it is sent.
pub trait Prevalidate {
    /// Every shape error of the request, or `Ok` when OFB may be asked.
    fn prevalidate(&self) -> Result<(), ValidationErrors>;
}

/// Rules for one text field.
#[derive(Debug, Clone, Copy)]
struct Text {
    min: usize,
    max: usize,
    /// Refuse C0 control characters and DEL (OFB's `[^\x00-\x1f\x7f]`).
    no_control: bool,
    /// Refuse text that is only whitespace.
    not_blank: bool,
    /// An identifier alphabet: ASCII letters and digits first, then these punctuation marks.
    ident: Option<&'static str>,
}

/// A name: 1 to `max` characters, no control characters, not blank.
const fn name(max: usize) -> Text {
    Text {
        min: 1,
        max,
        no_control: true,
        not_blank: true,
        ident: None,
    }
}

/// Free text of `min` to `max` characters.
const fn plain(min: usize, max: usize) -> Text {
    Text {
        min,
        max,
        no_control: false,
        not_blank: false,
        ident: None,
    }
}

/// An identifier: ASCII letter or digit, then letters, digits and `punctuation`.
const fn ident(min: usize, max: usize, punctuation: &'static str) -> Text {
    Text {
        min,
        max,
        no_control: false,
        not_blank: false,
        ident: Some(punctuation),
    }
}

const PERMISSION: Text = Text {
    min: 1,
    max: 200,
    no_control: true,
    not_blank: false,
    ident: None,
};

/// Collects errors; a path is formatted only when its field is wrong.
#[derive(Debug, Default)]
struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    fn fail(&mut self, path: fmt::Arguments<'_>, problem: String) {
        self.errors.push(FieldError {
            path: path.to_string(),
            problem,
        });
    }

    fn text(&mut self, path: fmt::Arguments<'_>, value: &str, rule: Text) {
        // Byte length bounds the character count from above, so most strings skip counting.
        let chars = if value.len() <= rule.max && value.len() >= rule.min && value.is_ascii() {
            value.len()
        } else {
            value.chars().count()
        };
        if chars == 0 && rule.min > 0 {
            return self.fail(path, "empty".to_owned());
        }
        if chars < rule.min {
            return self.fail(
                path,
                format!("too short: at least {} characters, not {chars}", rule.min),
            );
        }
        if chars > rule.max {
            return self.fail(
                path,
                format!("too long: at most {} characters, not {chars}", rule.max),
            );
        }
        // Control characters are ASCII, so a byte scan finds them in any UTF-8 text (UTF-8
        // never uses ASCII bytes inside a multi-byte character); only an error counts characters.
        if rule.no_control
            && let Some(at) = value.bytes().position(|b| b < b' ' || b == 0x7f)
        {
            let at = value[..at].chars().count();
            return self.fail(path, format!("control character at position {}", at + 1));
        }
        // `all` stops at the first other character: usually the first one.
        if rule.not_blank && value.chars().all(char::is_whitespace) {
            return self.fail(path, "blank (only whitespace)".to_owned());
        }
        if let Some(punctuation) = rule.ident {
            let mut chars = value.chars();
            let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
            if !first_ok {
                return self.fail(path, "must start with an ASCII letter or digit".to_owned());
            }
            if let Some(bad) =
                chars.find(|c| !c.is_ascii_alphanumeric() && !punctuation.contains(*c))
            {
                self.fail(
                    path,
                    format!("`{bad}` is not allowed (letters, digits and `{punctuation}` only)"),
                );
            }
        }
    }

    fn cost(&mut self, path: fmt::Arguments<'_>, value: f64) {
        if !value.is_finite() {
            self.fail(path, "must be a finite number".to_owned());
        } else if !(0.0..=MAX_COST).contains(&value) {
            self.fail(path, format!("{value} is out of range 0 to {MAX_COST:e}"));
        }
    }

    fn id(&mut self, path: fmt::Arguments<'_>, value: u64) {
        if !(1..=MAX_ID).contains(&value) {
            self.fail(path, format!("{value} is not an id (1 to {MAX_ID})"));
        }
    }

    fn count(&mut self, path: fmt::Arguments<'_>, len: usize, min: usize, max: usize) {
        if len < min {
            self.fail(path, format!("needs at least {min} item(s), has {len}"));
        } else if len > max {
            self.fail(path, format!("at most {max} items, has {len}"));
        }
    }

    /// Refuses a body OFB would refuse as too large (413). `bound` is a cheap upper bound of
    /// the encoded size; the exact size is computed only when the bound is over the limit.
    fn body_size<T: serde::Serialize>(&mut self, bound: usize, body: &T) {
        if bound <= MAX_BODY_BYTES {
            return;
        }
        let mut counter = ByteCounter(0);
        if serde_json::to_writer(&mut counter, body).is_ok() && counter.0 > MAX_BODY_BYTES {
            self.fail(
                format_args!("(body)"),
                format!(
                    "{} bytes of JSON is over OFB's limit of {MAX_BODY_BYTES}",
                    counter.0
                ),
            );
        }
    }

    fn finish(self) -> Result<(), ValidationErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(self.errors))
        }
    }
}

/// Counts the bytes serde_json writes, without keeping them.
struct ByteCounter(usize);

impl std::io::Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An upper bound of a string's JSON size: every byte escaped as `\u00XX`, plus quotes.
fn json_bound(s: &str) -> usize {
    s.len() * 6 + 2
}

fn check_spec(c: &mut Checker, prefix: &str, spec: &WorkflowSpec) -> usize {
    c.text(format_args!("{prefix}spec.name"), &spec.name, name(200));
    c.count(
        format_args!("{prefix}spec.steps"),
        spec.steps.len(),
        1,
        MAX_STEPS,
    );
    let mut bound = json_bound(&spec.name) + 32;
    for (i, step) in spec.steps.iter().enumerate() {
        c.text(
            format_args!("{prefix}spec.steps[{i}].name"),
            &step.name,
            name(100),
        );
        c.text(
            format_args!("{prefix}spec.steps[{i}].command"),
            &step.command,
            name(200),
        );
        bound += json_bound(&step.name) + json_bound(&step.command) + 24;
    }
    bound
}

fn check_list(c: &mut Checker, field: &str, items: &[String]) -> usize {
    c.count(format_args!("{field}"), items.len(), 0, MAX_PERMISSIONS);
    let mut bound = 16;
    for (i, item) in items.iter().enumerate() {
        c.text(format_args!("{field}[{i}]"), item, PERMISSION);
        bound += json_bound(item) + 1;
    }
    bound
}

impl Prevalidate for Credentials {
    fn prevalidate(&self) -> Result<(), ValidationErrors> {
        let mut c = Checker::default();
        c.text(format_args!("username"), &self.username, plain(1, 64));
        c.text(format_args!("password"), &self.password, plain(1, 1024));
        c.finish()
    }
}

impl Prevalidate for NewUser {
    fn prevalidate(&self) -> Result<(), ValidationErrors> {
        let mut c = Checker::default();
        c.text(
            format_args!("username"),
            &self.username,
            ident(3, 64, "_.-"),
        );
        c.text(format_args!("password"), &self.password, plain(12, 1024));
        c.finish()
    }
}

impl Prevalidate for NewProject {
    fn prevalidate(&self) -> Result<(), ValidationErrors> {
        let mut c = Checker::default();
        c.text(format_args!("name"), &self.name, name(200));
        c.cost(format_args!("cost_budget"), self.cost_budget);
        c.finish()
    }
}

impl Prevalidate for NewMember {
    fn prevalidate(&self) -> Result<(), ValidationErrors> {
        let mut c = Checker::default();
        c.text(format_args!("username"), &self.username, plain(1, 64));
        c.finish()
    }
}

impl Prevalidate for NewWorkflow {
    fn prevalidate(&self) -> Result<(), ValidationErrors> {
        let mut c = Checker::default();
        let bound = check_spec(&mut c, "", &self.spec) + 96;
        c.id(format_args!("user_id"), self.user_id.0);
        c.id(format_args!("project_id"), self.project_id.0);
        c.cost(format_args!("estimated_cost"), self.estimated_cost);
        c.body_size(bound, self);
        c.finish()
    }
}

impl Prevalidate for WorkflowEdit {
    fn prevalidate(&self) -> Result<(), ValidationErrors> {
        let mut c = Checker::default();
        let bound = check_spec(&mut c, "", &self.spec) + 96;
        c.cost(format_args!("estimated_cost"), self.estimated_cost);
        c.id(format_args!("version"), self.version.0);
        c.body_size(bound, self);
        c.finish()
    }
}

impl Prevalidate for RunStatusUpdate {
    fn prevalidate(&self) -> Result<(), ValidationErrors> {
        let mut c = Checker::default();
        c.count(format_args!("nodes"), self.nodes.len(), 0, MAX_NODES);
        let mut bound = 32;
        for (i, node) in self.nodes.iter().enumerate() {
            c.text(format_args!("nodes[{i}].name"), &node.name, plain(1, 100));
            if let Some(ms) = node.duration_ms
                && ms as f64 > MAX_COST
            {
                c.fail(
                    format_args!("nodes[{i}].duration_ms"),
                    format!("{ms} is out of range 0 to {MAX_COST:e}"),
                );
            }
            bound += json_bound(&node.name) + 80;
            if let Some(message) = &node.message {
                c.text(format_args!("nodes[{i}].message"), message, plain(0, 1000));
                bound += json_bound(message) + 12;
            }
        }
        c.body_size(bound, self);
        c.finish()
    }
}

impl Prevalidate for NewExtension {
    fn prevalidate(&self) -> Result<(), ValidationErrors> {
        let mut c = Checker::default();
        c.text(format_args!("name"), &self.name, ident(1, 100, "_.:/-"));
        if let Some(version) = &self.version {
            c.text(format_args!("version"), version, name(64));
        }
        let bound = check_list(&mut c, "permissions", &self.permissions);
        c.body_size(bound + 512, self);
        c.finish()
    }
}

impl Prevalidate for ExtensionGrant {
    fn prevalidate(&self) -> Result<(), ValidationErrors> {
        let mut c = Checker::default();
        check_list(&mut c, "granted", &self.granted);
        c.finish()
    }
}

impl Prevalidate for AuditQuery {
    fn prevalidate(&self) -> Result<(), ValidationErrors> {
        let mut c = Checker::default();
        if let Some(AuditEntryId(after)) = self.after_id
            && after > MAX_ID
        {
            c.fail(
                format_args!("after_id"),
                format!("{after} is out of range 0 to {MAX_ID}"),
            );
        }
        if let Some(limit) = self.limit
            && !(1..=MAX_AUDIT_LIMIT).contains(&limit)
        {
            c.fail(
                format_args!("limit"),
                format!("{limit} is out of range 1 to {MAX_AUDIT_LIMIT}"),
            );
        }
        c.finish()
    }
}

impl Prevalidate for IdempotencyKey {
    fn prevalidate(&self) -> Result<(), ValidationErrors> {
        let mut c = Checker::default();
        c.text(
            format_args!("Idempotency-Key"),
            self.as_str(),
            plain(1, MAX_IDEMPOTENCY_KEY),
        );
        c.finish()
    }
}

/// Checks that an id names something OFB could have issued, naming the parameter.
pub fn check_id(parameter: &str, id: u64) -> Result<(), ValidationErrors> {
    let mut c = Checker::default();
    c.id(format_args!("{parameter}"), id);
    c.finish()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::data::ids::{ProjectId, UserId, WorkflowVersion};
    use crate::data::requests::{NodeResult, NodeState, Step};

    fn workflow(steps: Vec<(&str, &str)>) -> NewWorkflow {
        NewWorkflow {
            spec: WorkflowSpec {
                name: "ship".into(),
                steps: steps
                    .into_iter()
                    .map(|(name, command)| Step {
                        name: name.into(),
                        command: command.into(),
                    })
                    .collect(),
            },
            user_id: UserId(2),
            project_id: ProjectId(1),
            estimated_cost: 12.5,
        }
    }

    fn messages(result: Result<(), ValidationErrors>) -> Vec<String> {
        result
            .unwrap_err()
            .0
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn the_seed_request_passes() {
        workflow(vec![("fetch", "echo")]).prevalidate().unwrap();
    }

    #[test]
    fn errors_name_the_field_path() {
        let mut w = workflow(vec![
            ("a", "echo"),
            ("b", "echo"),
            ("c", "echo"),
            ("", "echo"),
        ]);
        w.spec.steps[1].command = "   ".into();
        assert_eq!(
            messages(w.prevalidate()),
            vec![
                "spec.steps[1].command: blank (only whitespace)",
                "spec.steps[3].name: empty",
            ]
        );
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let mut w = workflow(vec![]);
        w.user_id = UserId(0);
        w.project_id = ProjectId(MAX_ID + 1);
        w.estimated_cost = f64::NAN;
        let all = messages(w.prevalidate());
        assert_eq!(all.len(), 4, "{all:?}");
        assert!(all[0].starts_with("spec.steps: needs at least 1"));
        assert!(all[1].starts_with("user_id: 0 is not an id"));
        assert!(all[2].starts_with("project_id: "));
        assert_eq!(all[3], "estimated_cost: must be a finite number");
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        let w = workflow(vec![(&"é".repeat(100), "echo")]);
        w.prevalidate().unwrap();
        let w = workflow(vec![(&"é".repeat(101), "echo")]);
        assert_eq!(
            messages(w.prevalidate()),
            vec!["spec.steps[0].name: too long: at most 100 characters, not 101"]
        );
    }

    #[test]
    fn control_characters_and_ranges_are_refused() {
        let w = workflow(vec![("a\tb", "echo")]);
        assert_eq!(
            messages(w.prevalidate()),
            vec!["spec.steps[0].name: control character at position 2"]
        );
        let mut w = workflow(vec![("a", "echo")]);
        w.estimated_cost = -1.0;
        assert!(messages(w.prevalidate())[0].starts_with("estimated_cost: -1 is out of range"));
    }

    #[test]
    fn business_rules_are_left_to_ofb() {
        // Duplicate step names and unknown commands are OFB's to refuse, not ours.
        workflow(vec![("same", "no-such-extension"), ("same", "echo")])
            .prevalidate()
            .unwrap();
    }

    #[test]
    fn an_oversized_body_is_refused_before_sending() {
        let steps: Vec<(String, String)> = (0..1000)
            .map(|_| ("𝄞".repeat(100), "𝄞".repeat(200)))
            .collect();
        let w = workflow(
            steps
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect(),
        );
        let all = messages(w.prevalidate());
        assert_eq!(all.len(), 1, "{all:?}");
        assert!(all[0].starts_with("(body): "), "{all:?}");
    }

    #[test]
    fn other_requests_have_their_own_rules() {
        let user = NewUser {
            username: "-bad".into(),
            password: "short".into(),
        };
        assert_eq!(
            messages(user.prevalidate()),
            vec![
                "username: must start with an ASCII letter or digit",
                "password: too short: at least 12 characters, not 5",
            ]
        );
        let ext = NewExtension {
            name: "cargo build".into(),
            version: Some(" ".into()),
            permissions: vec![String::new()],
        };
        assert_eq!(
            messages(ext.prevalidate()),
            vec![
                "name: ` ` is not allowed (letters, digits and `_.:/-` only)",
                "version: blank (only whitespace)",
                "permissions[0]: empty",
            ]
        );
        let edit = WorkflowEdit {
            spec: workflow(vec![("a", "b")]).spec,
            estimated_cost: 1.0,
            version: WorkflowVersion(0),
        };
        assert!(messages(edit.prevalidate())[0].starts_with("version: 0 is not an id"));
        let run = RunStatusUpdate {
            state: None,
            nodes: vec![NodeResult {
                name: String::new(),
                state: NodeState::Running,
                duration_ms: Some(u64::MAX),
                message: Some("x".repeat(1001)),
            }],
        };
        assert_eq!(messages(run.prevalidate()).len(), 3);
        let page = AuditQuery {
            after_id: None,
            limit: Some(0),
        };
        assert_eq!(
            messages(page.prevalidate()),
            vec!["limit: 0 is out of range 1 to 500"]
        );
    }
}
