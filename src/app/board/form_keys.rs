//! Keys while a parameter form is open: typing edits the selected field, arrows and Tab move
//! between fields, Enter checks every field and, when all are accepted, instantiates the
//! template or saves the node's parameters; a refused field keeps the form open with its
//! reason beside it.

use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::state::{AppState, Overlay};

use super::action::BoardOverlay;
use super::form::{Form, FormPurpose};
use super::update::follow;
use super::{browser, node_form};

/// A key while `form` is open.
pub(crate) fn key(state: &mut AppState, mut form: Form, action: Action) -> Vec<Effect> {
    match action {
        Action::Type(c) => form.type_char(c),
        Action::Paste(Some(text)) => form.paste(&text),
        Action::OverlayBackspace => form.backspace(),
        Action::OverlayMove(delta) => form.move_by(delta),
        Action::Confirm => {
            if let Some(values) = form.values() {
                match form.purpose.clone() {
                    FormPurpose::Template(id) => match browser::instantiate(state, &id, &values) {
                        Ok(()) => {
                            follow(state);
                            return Vec::new();
                        }
                        Err(reason) => form.problem = Some(reason),
                    },
                    FormPurpose::Node(id) => {
                        node_form::apply(state, &id, values);
                        follow(state);
                        return Vec::new();
                    }
                }
            }
        }
        Action::Cancel => return Vec::new(),
        _ => {}
    }
    state.overlay = Some(Overlay::Board(BoardOverlay::Form(form)));
    Vec::new()
}
