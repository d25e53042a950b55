//! The theme settings that `theme_changed` carries, as syntect serialises them.

use serde::{Deserialize, Serialize};

/// A colour as syntect serialises it: `{"r":0,"g":43,"b":54,"a":255}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rgba {
    /// Red.
    pub r: u8,
    /// Green.
    pub g: u8,
    /// Blue.
    pub b: u8,
    /// Alpha (255 is opaque).
    pub a: u8,
}

impl Rgba {
    /// The colour as 0xAARRGGBB, the encoding `def_style` uses.
    pub fn to_argb(self) -> u32 {
        u32::from_be_bytes([self.a, self.r, self.g, self.b])
    }

    /// A colour from 0xAARRGGBB.
    pub fn from_argb(argb: u32) -> Rgba {
        let [a, r, g, b] = argb.to_be_bytes();
        Rgba { r, g, b, a }
    }
}

/// The colour fields of syntect's `ThemeSettings`; xi sends every field, `null` when unset.
/// The CSS and underline-option fields are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ThemeSettings {
    /// Default text colour.
    pub foreground: Option<Rgba>,
    /// Default background colour.
    pub background: Option<Rgba>,
    /// Caret colour.
    pub caret: Option<Rgba>,
    /// Background of the line holding the caret.
    pub line_highlight: Option<Rgba>,
    /// Underline of misspelled words.
    pub misspelling: Option<Rgba>,
    /// Border of the minimap viewport.
    pub minimap_border: Option<Rgba>,
    /// A free accent colour.
    pub accent: Option<Rgba>,
    /// Text between matching brackets.
    pub bracket_contents_foreground: Option<Rgba>,
    /// Matching brackets' text.
    pub brackets_foreground: Option<Rgba>,
    /// Matching brackets' background.
    pub brackets_background: Option<Rgba>,
    /// Matching tags' text.
    pub tags_foreground: Option<Rgba>,
    /// Border of "other" matches.
    pub highlight: Option<Rgba>,
    /// Background of find matches.
    pub find_highlight: Option<Rgba>,
    /// Text of find matches.
    pub find_highlight_foreground: Option<Rgba>,
    /// Gutter background.
    pub gutter: Option<Rgba>,
    /// Gutter text (line numbers).
    pub gutter_foreground: Option<Rgba>,
    /// Selection background.
    pub selection: Option<Rgba>,
    /// Selection text, overriding syntax colours.
    pub selection_foreground: Option<Rgba>,
    /// Deprecated selection background.
    pub selection_background: Option<Rgba>,
    /// Selection border.
    pub selection_border: Option<Rgba>,
    /// Selection background in an unfocused view.
    pub inactive_selection: Option<Rgba>,
    /// Selection text in an unfocused view.
    pub inactive_selection_foreground: Option<Rgba>,
    /// Indent guides.
    pub guide: Option<Rgba>,
    /// The indent guide at the caret.
    pub active_guide: Option<Rgba>,
    /// The parent of the active indent guide.
    pub stack_guide: Option<Rgba>,
    /// Deprecated outline colour.
    pub highlight_foreground: Option<Rgba>,
    /// Shadow shown when the text is scrolled horizontally.
    pub shadow: Option<Rgba>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argb_round_trips_and_matches_xi_packing() {
        let c = Rgba {
            r: 0x12,
            g: 0x34,
            b: 0x56,
            a: 0xff,
        };
        assert_eq!(c.to_argb(), 0xff12_3456);
        assert_eq!(Rgba::from_argb(0xff12_3456), c);
    }
}
