//! The template browser: the Melody templates found by a fuzzy match on id and title, the
//! highlighted one previewed, and Enter to fill its parameters in a form and put the
//! instantiated workflow on the board as one undoable edit.

use conductor::plan::{RecoveryPolicy, compile};
use conductor::templates::Template;
use serde_json::{Map, Value};

use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::state::{AppState, Overlay};

use super::action::BoardOverlay;
use super::document::Edit;
use super::form::{Field, FieldKind, FieldSpec, Form, FormPurpose};
use super::insert;
use super::library::Library;
use super::palette::fuzzy_score;
use super::state::Outcome;
use super::update::{follow, report};

/// The browser while it is open.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Browser {
    /// What has been typed.
    pub query: String,
    /// Highlighted row among the matches.
    pub selected: usize,
    /// Why the last Enter did nothing (a capability not installed), shown in the browser.
    pub problem: Option<String>,
}

/// The templates matching `query` on their id or title, best first (id order among equals).
pub fn matches<'a>(query: &str, templates: &'a [Template]) -> Vec<&'a Template> {
    let mut found: Vec<(i64, usize, &Template)> = templates
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let score = fuzzy_score(query, &t.id).max(fuzzy_score(query, &t.title))?;
            Some((score, i, t))
        })
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    found.into_iter().map(|(_, _, t)| t).collect()
}

/// Opens the browser on the library the board has, and asks the runtime to read it again
/// (a template saved or an extension installed since then shows when it arrives).
pub(crate) fn open(state: &mut AppState) -> Vec<Effect> {
    state.overlay = Some(Overlay::Board(BoardOverlay::Templates(Browser::default())));
    vec![Effect::BoardReadLibrary]
}

/// A newly read library: the open browser keeps the same template highlighted when it is
/// still there (else the same row, or the last), so that the list changing under the user does not
/// change what Enter picks.
pub(crate) fn library_arrived(state: &mut AppState, library: Library) {
    let Some(Overlay::Board(BoardOverlay::Templates(browser))) = &mut state.overlay else {
        state.board.library = library;
        return;
    };
    let old = &state.board.library.templates;
    let highlighted = matches(&browser.query, old)
        .get(browser.selected)
        .map(|t| t.id.clone());
    let found = matches(&browser.query, &library.templates);
    browser.selected = highlighted
        .and_then(|id| found.iter().position(|t| t.id == id))
        .unwrap_or_else(|| browser.selected.min(found.len().saturating_sub(1)));
    state.board.library = library;
}

/// A key while the browser is open.
pub(crate) fn key(state: &mut AppState, mut browser: Browser, action: Action) -> Vec<Effect> {
    match action {
        Action::Type(c) => {
            browser.query.push(c);
            browser.selected = 0;
            browser.problem = None;
        }
        Action::Paste(Some(text)) => {
            browser
                .query
                .push_str(text.lines().next().unwrap_or_default());
            browser.selected = 0;
            browser.problem = None;
        }
        Action::OverlayBackspace => {
            browser.query.pop();
            browser.selected = 0;
            browser.problem = None;
        }
        Action::OverlayMove(delta) => {
            let count = matches(&browser.query, &state.board.library.templates).len();
            let last = count.saturating_sub(1) as i64;
            browser.selected = (browser.selected as i64 + i64::from(delta)).clamp(0, last) as usize;
            browser.problem = None;
        }
        Action::Confirm => {
            choose(state, browser);
            follow(state);
            return Vec::new();
        }
        Action::Cancel => return Vec::new(),
        _ => {}
    }
    state.overlay = Some(Overlay::Board(BoardOverlay::Templates(browser)));
    Vec::new()
}

/// Enter on a template: its form, or the workflow at once when it has no parameters; a
/// template whose capabilities are not installed stays in the browser with the reason.
fn choose(state: &mut AppState, mut browser: Browser) {
    let library = &state.board.library;
    let found = matches(&browser.query, &library.templates);
    let Some(template) = found.get(browser.selected).map(|t| (*t).clone()) else {
        browser.problem = Some(if library.loaded {
            format!("no template matches `{}`", browser.query)
        } else {
            "the templates are still being read".to_owned()
        });
        state.overlay = Some(Overlay::Board(BoardOverlay::Templates(browser)));
        return;
    };
    let missing = library.missing(&template);
    if !missing.is_empty() {
        browser.problem = Some(format!(
            "`{}` needs {}, which no installed extension provides: install one with \
             `symphony ext install DIR`",
            template.id,
            missing.join(", ")
        ));
        state.overlay = Some(Overlay::Board(BoardOverlay::Templates(browser)));
        return;
    }
    let form = template_form(&template);
    if !form.fields.is_empty() {
        state.overlay = Some(Overlay::Board(BoardOverlay::Form(form)));
        return;
    }
    if let Err(reason) = instantiate(state, &template.id, &Map::new()) {
        browser.problem = Some(reason);
        state.overlay = Some(Overlay::Board(BoardOverlay::Templates(browser)));
    }
}

/// The form of a template's parameters: one field each, the default filled in; a parameter
/// without a default is required. A field's kind is its default's type.
pub fn template_form(template: &Template) -> Form {
    let fields = template
        .params
        .iter()
        .map(|(name, param)| {
            let kind = param
                .default
                .as_ref()
                .map_or(FieldKind::Any, FieldKind::of_value);
            let mut spec = FieldSpec::new(name, kind, &param.description);
            spec.default = param.default.clone();
            spec.required = param.default.is_none();
            Field::with_value(spec, param.default.as_ref())
        })
        .collect();
    Form::new(
        format!("Template `{}`: {}", template.id, template.title),
        FormPurpose::Template(template.id.clone()),
        fields,
    )
}

/// Instantiates the template `id` with `values`, compiles its plan over the installed
/// catalog, and puts the workflow on the board (ids that clash renamed) as one edit.
pub(crate) fn instantiate(
    state: &mut AppState,
    id: &str,
    values: &Map<String, Value>,
) -> Result<(), String> {
    let board = &mut state.board;
    let template = board
        .library
        .template(id)
        .cloned()
        .ok_or_else(|| format!("no template `{id}` any more"))?;
    let plan = template
        .instantiate(&template.title, values)
        .map_err(|e| e.to_string())?;
    let mut file = compile(&plan, &board.library.catalog, &RecoveryPolicy::default())
        .map_err(|e| format!("cannot make a workflow of `{id}`: {e}"))?;
    file.name = Some(template.id.clone());
    file.description = Some(template.description.clone());
    let file = insert::renamed(&board.doc.file, file);
    let first = file.nodes.first().map(|n| n.id.clone());
    let count = file.nodes.len();
    let was_empty = board.is_empty();
    let outcome = board.edit(Edit::Insert {
        nodes: file.nodes,
        edges: file.edges,
        collapsed: Vec::new(),
    });
    if was_empty && !matches!(outcome, Outcome::Refused(_)) {
        // An empty board becomes the template's workflow, name and all. Undo keeps whole
        // documents, so the name goes and comes back with the nodes.
        board.doc.file.name = file.name;
        board.doc.file.description = file.description;
    }
    if first.is_some() {
        board.selected = first;
    }
    report(
        board,
        outcome,
        format!("added template `{id}` ({count} nodes, unsaved)"),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_found_by_id_or_title() {
        let all = conductor::templates::bundled().expect("the bundled templates");
        let ids =
            |q: &str| -> Vec<String> { matches(q, &all).iter().map(|t| t.id.clone()).collect() };
        assert_eq!(ids("").len(), all.len());
        assert_eq!(ids("revdiff")[0], "review-diff");
        assert_eq!(ids("Summarise")[0], "summarise");
        assert!(ids("zzzz").is_empty());
    }

    #[test]
    fn a_template_s_form_has_its_defaults_filled_and_required_fields_marked() {
        let all = conductor::templates::bundled().expect("the bundled templates");
        let review = all
            .iter()
            .find(|t| t.id == "review-diff")
            .expect("review-diff");
        let form = template_form(review);
        assert_eq!(form.fields.len(), 1);
        assert_eq!(form.fields[0].spec.name, "focus");
        assert_eq!(form.fields[0].input, "correctness");
        assert!(!form.fields[0].spec.required);
    }
}
