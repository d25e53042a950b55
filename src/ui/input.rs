//! Terminal events (crossterm) to domain keys and actions.

use crossterm::event::{
    Event, KeyCode as CtKey, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};

use crate::app::Action;
use crate::app::keymap::Keymap;
use crate::app::keys::{Key, KeyCode, Mods};
use crate::app::state::AppState;

/// A crossterm key as a domain key, normalised so that bindings match every terminal:
/// a shifted character carries its shift in the character itself.
pub fn key_from_crossterm(event: &KeyEvent) -> Option<Key> {
    let mut mods = Mods::NONE;
    if event.modifiers.contains(KeyModifiers::CONTROL) {
        mods = mods.union(Mods::CTRL);
    }
    if event.modifiers.contains(KeyModifiers::ALT) {
        mods = mods.union(Mods::ALT);
    }
    if event.modifiers.contains(KeyModifiers::SHIFT) {
        mods = mods.union(Mods::SHIFT);
    }
    let code = match event.code {
        CtKey::Char(c) => {
            if mods.contains(Mods::CTRL) || mods.contains(Mods::ALT) {
                KeyCode::Char(c.to_ascii_lowercase())
            } else {
                mods = mods.without(Mods::SHIFT);
                KeyCode::Char(c)
            }
        }
        CtKey::Enter => KeyCode::Enter,
        CtKey::Esc => KeyCode::Esc,
        CtKey::Backspace => KeyCode::Backspace,
        CtKey::Delete => KeyCode::Delete,
        CtKey::Tab => KeyCode::Tab,
        CtKey::BackTab => {
            mods = mods.without(Mods::SHIFT);
            KeyCode::BackTab
        }
        CtKey::Left => KeyCode::Left,
        CtKey::Right => KeyCode::Right,
        CtKey::Up => KeyCode::Up,
        CtKey::Down => KeyCode::Down,
        CtKey::Home => KeyCode::Home,
        CtKey::End => KeyCode::End,
        CtKey::PageUp => KeyCode::PageUp,
        CtKey::PageDown => KeyCode::PageDown,
        CtKey::F(n) => KeyCode::F(n),
        _ => return None,
    };
    Some(Key { code, mods })
}

/// The action for a terminal event in the current state, if any.
pub fn action_for_event(event: Event, state: &AppState, keymap: &Keymap) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            let key = key_from_crossterm(&key)?;
            keymap.action_for(key, state.layout.focus, state.overlay.as_ref())
        }
        Event::Paste(text) => Some(Action::Paste(Some(text))),
        Event::Resize(width, height) => Some(Action::Resize(width, height)),
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Action::Click {
                col: mouse.column,
                row: mouse.row,
            }),
            MouseEventKind::Drag(MouseButton::Left) => Some(Action::Drag {
                col: mouse.column,
                row: mouse.row,
            }),
            MouseEventKind::Up(MouseButton::Left) => Some(Action::Release {
                col: mouse.column,
                row: mouse.row,
            }),
            MouseEventKind::ScrollUp => Some(Action::Wheel(-3)),
            MouseEventKind::ScrollDown => Some(Action::Wheel(3)),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifted_characters_are_plain_characters() {
        let key = key_from_crossterm(&KeyEvent::new(CtKey::Char('?'), KeyModifiers::SHIFT));
        assert_eq!(key, Key::parse("?").ok());
        let key = key_from_crossterm(&KeyEvent::new(
            CtKey::Char('Z'),
            KeyModifiers::CONTROL | KeyModifiers::SHIFT,
        ));
        assert_eq!(key, Key::parse("<C-S-z>").ok());
    }
}
