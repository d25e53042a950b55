//! Keys as the domain sees them, independent of the terminal library, with a small
//! notation for tests and the help overlay: `a`, `<C-s>`, `<S-Left>`, `<A-1>`, `<F1>`, `<Enter>`.

use std::fmt;

/// A key without modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyCode {
    /// A printable character.
    Char(char),
    /// Enter / Return.
    Enter,
    /// Escape.
    Esc,
    /// Backspace.
    Backspace,
    /// Delete.
    Delete,
    /// Tab.
    Tab,
    /// Shift-Tab, as terminals report it.
    BackTab,
    /// Arrow left.
    Left,
    /// Arrow right.
    Right,
    /// Arrow up.
    Up,
    /// Arrow down.
    Down,
    /// Home.
    Home,
    /// End.
    End,
    /// Page up.
    PageUp,
    /// Page down.
    PageDown,
    /// A function key, F1 to F12.
    F(u8),
}

/// Modifier keys, as a small bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Mods(u8);

impl Mods {
    /// No modifier.
    pub const NONE: Mods = Mods(0);
    /// Control.
    pub const CTRL: Mods = Mods(1);
    /// Alt / Meta.
    pub const ALT: Mods = Mods(2);
    /// Shift.
    pub const SHIFT: Mods = Mods(4);

    /// Both sets together.
    pub const fn union(self, other: Mods) -> Mods {
        Mods(self.0 | other.0)
    }

    /// Whether every modifier of `other` is held.
    pub const fn contains(self, other: Mods) -> bool {
        self.0 & other.0 == other.0
    }

    /// Without the modifiers of `other`.
    pub const fn without(self, other: Mods) -> Mods {
        Mods(self.0 & !other.0)
    }
}

/// A key press: a key and the modifiers held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// The modifiers.
    pub mods: Mods,
}

impl Key {
    /// A key with no modifiers.
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            mods: Mods::NONE,
        }
    }

    /// A key with modifiers.
    pub const fn with(code: KeyCode, mods: Mods) -> Key {
        Key { code, mods }
    }

    /// Parse one key in the `<C-s>` notation.
    pub fn parse(text: &str) -> Result<Key, String> {
        let Some(inner) = text.strip_prefix('<').and_then(|t| t.strip_suffix('>')) else {
            let mut chars = text.chars();
            return match (chars.next(), chars.next()) {
                (Some(c), None) => Ok(Key::plain(KeyCode::Char(c))),
                _ => Err(format!(
                    "`{text}` is not a key: write one character or `<Name>`"
                )),
            };
        };
        let mut mods = Mods::NONE;
        let mut rest = inner;
        while let Some((prefix, tail)) = rest.split_once('-') {
            if tail.is_empty() {
                break; // `<C-->` means Ctrl and the minus key.
            }
            mods = mods.union(match prefix {
                "C" => Mods::CTRL,
                "A" | "M" => Mods::ALT,
                "S" => Mods::SHIFT,
                other => {
                    return Err(format!(
                        "`{other}` in `{text}` is not a modifier (C, A or S)"
                    ));
                }
            });
            rest = tail;
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "cr" | "ret" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "bs" | "backspace" => KeyCode::Backspace,
            "del" | "delete" => KeyCode::Delete,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" | "pgup" => KeyCode::PageUp,
            "pagedown" | "pgdn" => KeyCode::PageDown,
            "space" => KeyCode::Char(' '),
            "lt" => KeyCode::Char('<'),
            "gt" => KeyCode::Char('>'),
            name => {
                if let Some(n) = name.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    KeyCode::F(n)
                } else {
                    let mut chars = rest.chars();
                    match (chars.next(), chars.next()) {
                        (Some(c), None) => KeyCode::Char(c),
                        _ => return Err(format!("`{rest}` in `{text}` is not a key name")),
                    }
                }
            }
        };
        Ok(Key { code, mods })
    }
}

/// Parse a space-separated key sequence: `"h i <C-s> <Enter>"`. `<space>` is a space.
pub fn parse_keys(sequence: &str) -> Result<Vec<Key>, String> {
    sequence.split_whitespace().map(Key::parse).collect()
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(Mods::CTRL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(Mods::ALT) {
            f.write_str("Alt-")?;
        }
        if self.mods.contains(Mods::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) if self.mods == Mods::NONE => write!(f, "{c}"),
            KeyCode::Char(c) => write!(f, "{}", c.to_ascii_uppercase()),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Delete"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Left => f.write_str("Left"),
            KeyCode::Right => f.write_str("Right"),
            KeyCode::Up => f.write_str("Up"),
            KeyCode::Down => f.write_str("Down"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PageUp"),
            KeyCode::PageDown => f.write_str("PageDown"),
            KeyCode::F(n) => write!(f, "F{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_notation() {
        assert_eq!(Key::parse("a"), Ok(Key::plain(KeyCode::Char('a'))));
        assert_eq!(
            Key::parse("<C-s>"),
            Ok(Key::with(KeyCode::Char('s'), Mods::CTRL))
        );
        assert_eq!(
            Key::parse("<C-S-Left>"),
            Ok(Key::with(KeyCode::Left, Mods::CTRL.union(Mods::SHIFT)))
        );
        assert_eq!(Key::parse("<F1>"), Ok(Key::plain(KeyCode::F(1))));
        assert_eq!(Key::parse("<space>"), Ok(Key::plain(KeyCode::Char(' '))));
        assert!(Key::parse("<X-a>").is_err());
        assert!(Key::parse("ab").is_err());
    }

    #[test]
    fn displays_for_the_help_overlay() {
        assert_eq!(
            Key::with(KeyCode::Char('s'), Mods::CTRL).to_string(),
            "Ctrl-S"
        );
        assert_eq!(Key::plain(KeyCode::F(1)).to_string(), "F1");
        assert_eq!(
            Key::with(KeyCode::Left, Mods::SHIFT).to_string(),
            "Shift-Left"
        );
    }
}
