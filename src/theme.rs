//! Themes: UI colours and the xi syntax theme, loaded from `themes/*.toml`, plus the
//! terminal's colour depth, so that colours degrade well over SSH.
//!
//! Plain data with no terminal library: the renderer turns a [`ThemeColor`] into its own type.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::SymphonyError;

/// The themes shipped inside the binary, by name.
pub const BUILTIN_THEMES: [(&str, &str); 3] = [
    ("dark", include_str!("../themes/dark.toml")),
    ("light", include_str!("../themes/light.toml")),
    ("sixteen", include_str!("../themes/sixteen.toml")),
];

/// How many colours the terminal can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorDepth {
    /// 24-bit colour.
    TrueColor,
    /// The xterm 256-colour palette.
    Ansi256,
    /// The 16 named colours.
    Ansi16,
}

impl ColorDepth {
    /// Detect from `COLORTERM` and `TERM`, as terminals and SSH pass them on.
    pub fn detect(colorterm: Option<&str>, term: Option<&str>) -> ColorDepth {
        let colorterm = colorterm.unwrap_or_default().to_ascii_lowercase();
        if colorterm.contains("truecolor") || colorterm.contains("24bit") {
            return ColorDepth::TrueColor;
        }
        let term = term.unwrap_or_default().to_ascii_lowercase();
        if term.contains("direct") || term.contains("truecolor") {
            ColorDepth::TrueColor
        } else if term.contains("256") {
            ColorDepth::Ansi256
        } else {
            ColorDepth::Ansi16
        }
    }

    /// Detect from this process's environment.
    pub fn from_env() -> ColorDepth {
        ColorDepth::detect(
            std::env::var("COLORTERM").ok().as_deref(),
            std::env::var("TERM").ok().as_deref(),
        )
    }
}

/// One of the 16 named terminal colours, in ANSI order (0 = black … 15 = bright white).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ansi16(pub u8);

const ANSI16_NAMES: [&str; 16] = [
    "black",
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "white",
    "bright-black",
    "bright-red",
    "bright-green",
    "bright-yellow",
    "bright-blue",
    "bright-magenta",
    "bright-cyan",
    "bright-white",
];

/// The usual xterm values of the 16 colours, to find the nearest one.
const ANSI16_RGB: [(u8, u8, u8); 16] = [
    (0, 0, 0),
    (205, 0, 0),
    (0, 205, 0),
    (205, 205, 0),
    (0, 0, 238),
    (205, 0, 205),
    (0, 205, 205),
    (229, 229, 229),
    (127, 127, 127),
    (255, 0, 0),
    (0, 255, 0),
    (255, 255, 0),
    (92, 92, 255),
    (255, 0, 255),
    (0, 255, 255),
    (255, 255, 255),
];

/// A colour as a theme names it, before the terminal's depth is taken into account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeColor {
    /// The terminal's default.
    Reset,
    /// A 24-bit colour.
    Rgb(u8, u8, u8),
    /// A named terminal colour.
    Named(Ansi16),
    /// An index into the 256-colour palette.
    Indexed(u8),
}

impl ThemeColor {
    /// Parse `"#rrggbb"`, a colour name or `"reset"`.
    pub fn parse(text: &str) -> Option<ThemeColor> {
        if text == "reset" {
            return Some(ThemeColor::Reset);
        }
        if let Some(hex) = text.strip_prefix('#') {
            if hex.len() != 6 {
                return None;
            }
            let v = u32::from_str_radix(hex, 16).ok()?;
            return Some(ThemeColor::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
        }
        ANSI16_NAMES
            .iter()
            .position(|n| *n == text)
            .map(|i| ThemeColor::Named(Ansi16(i as u8)))
    }

    /// From xi's 0xAARRGGBB.
    pub fn from_argb(argb: u32) -> ThemeColor {
        ThemeColor::Rgb((argb >> 16) as u8, (argb >> 8) as u8, argb as u8)
    }

    /// The closest colour the terminal can show.
    pub fn at_depth(self, depth: ColorDepth) -> ThemeColor {
        match (self, depth) {
            (ThemeColor::Rgb(r, g, b), ColorDepth::Ansi256) => {
                ThemeColor::Indexed(rgb_to_256(r, g, b))
            }
            (ThemeColor::Rgb(r, g, b), ColorDepth::Ansi16) => ThemeColor::Named(rgb_to_16(r, g, b)),
            (ThemeColor::Indexed(i), ColorDepth::Ansi16) => {
                let (r, g, b) = indexed_to_rgb(i);
                ThemeColor::Named(rgb_to_16(r, g, b))
            }
            (other, _) => other,
        }
    }
}

fn distance(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| (x as i32 - y as i32).pow(2) as u32;
    // Weighted for the eye's sensitivity (green most, blue least).
    3 * d(a.0, b.0) + 4 * d(a.1, b.1) + 2 * d(a.2, b.2)
}

fn rgb_to_16(r: u8, g: u8, b: u8) -> Ansi16 {
    let best = (0..16u8)
        .min_by_key(|&i| distance((r, g, b), ANSI16_RGB[i as usize]))
        .unwrap_or(7);
    Ansi16(best)
}

const CUBE_STEPS: [u8; 6] = [0, 95, 135, 175, 215, 255];

fn indexed_to_rgb(i: u8) -> (u8, u8, u8) {
    match i {
        0..=15 => ANSI16_RGB[i as usize],
        16..=231 => {
            let i = i - 16;
            (
                CUBE_STEPS[(i / 36) as usize],
                CUBE_STEPS[(i / 6 % 6) as usize],
                CUBE_STEPS[(i % 6) as usize],
            )
        }
        _ => {
            let level = 8 + (i - 232) * 10;
            (level, level, level)
        }
    }
}

fn rgb_to_256(r: u8, g: u8, b: u8) -> u8 {
    let nearest_step = |v: u8| {
        CUBE_STEPS
            .iter()
            .enumerate()
            .min_by_key(|(_, s)| (**s as i32 - v as i32).abs())
            .map_or(0, |(i, _)| i as u8)
    };
    let cube = 16 + 36 * nearest_step(r) + 6 * nearest_step(g) + nearest_step(b);
    let grey_level = ((r as u32 + g as u32 + b as u32) / 3) as u8;
    let grey = if grey_level < 8 {
        16
    } else if grey_level > 238 {
        231
    } else {
        232 + (grey_level - 8) / 10
    };
    if distance((r, g, b), indexed_to_rgb(grey)) < distance((r, g, b), indexed_to_rgb(cube)) {
        grey
    } else {
        cube
    }
}

/// The UI's named colours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiColors {
    /// Pane background.
    pub background: ThemeColor,
    /// Default text.
    pub foreground: ThemeColor,
    /// Line numbers.
    pub gutter: ThemeColor,
    /// The cursor line's number.
    pub gutter_current: ThemeColor,
    /// Selected text background.
    pub selection: ThemeColor,
    /// The cursor line's background.
    pub cursor_line: ThemeColor,
    /// Pane borders.
    pub border: ThemeColor,
    /// The focused pane's border.
    pub border_focused: ThemeColor,
    /// Pane titles.
    pub title: ThemeColor,
    /// Status bar background.
    pub status_background: ThemeColor,
    /// Status bar text.
    pub status_foreground: ThemeColor,
    /// Highlights (active tab, key names).
    pub accent: ThemeColor,
    /// Info messages.
    pub info: ThemeColor,
    /// Warnings.
    pub warning: ThemeColor,
    /// Errors.
    pub error: ThemeColor,
    /// Overlay background.
    pub overlay_background: ThemeColor,
    /// Secondary text.
    pub dim: ThemeColor,
}

/// A theme ready to render with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    /// Its name.
    pub name: String,
    /// xi's syntect theme for syntax colours.
    pub syntax: String,
    /// UI colours, already reduced to the terminal's depth.
    pub ui: UiColors,
    /// The terminal's colour depth.
    pub depth: ColorDepth,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    syntax: String,
    ui: BTreeMap<String, String>,
}

impl Theme {
    /// Parse a theme file; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str, depth: ColorDepth) -> Result<Theme, SymphonyError> {
        let file: ThemeFile = toml::from_str(text).map_err(|e| SymphonyError::Theme {
            origin: origin.to_owned(),
            message: e.to_string(),
        })?;
        let color = |key: &str| -> Result<ThemeColor, SymphonyError> {
            let raw = file.ui.get(key).ok_or_else(|| SymphonyError::Theme {
                origin: origin.to_owned(),
                message: format!("[ui] has no `{key}` colour"),
            })?;
            ThemeColor::parse(raw).map(|c| c.at_depth(depth)).ok_or_else(|| SymphonyError::Theme {
                origin: origin.to_owned(),
                message: format!(
                    "ui.{key} = \"{raw}\" is not a colour: use \"#rrggbb\", a name like \"bright-blue\", or \"reset\""
                ),
            })
        };
        let ui = UiColors {
            background: color("background")?,
            foreground: color("foreground")?,
            gutter: color("gutter")?,
            gutter_current: color("gutter_current")?,
            selection: color("selection")?,
            cursor_line: color("cursor_line")?,
            border: color("border")?,
            border_focused: color("border_focused")?,
            title: color("title")?,
            status_background: color("status_background")?,
            status_foreground: color("status_foreground")?,
            accent: color("accent")?,
            info: color("info")?,
            warning: color("warning")?,
            error: color("error")?,
            overlay_background: color("overlay_background")?,
            dim: color("dim")?,
        };
        Ok(Theme {
            name: file.name,
            syntax: file.syntax,
            ui,
            depth,
        })
    }

    /// Load a theme by name: `DATA_DIR/themes/NAME.toml` if it exists, else a built-in one.
    /// `None` picks `sixteen` on 16-colour terminals and `dark` elsewhere.
    pub fn load(
        name: Option<&str>,
        data_dir: &Path,
        depth: ColorDepth,
    ) -> Result<Theme, SymphonyError> {
        let name = name.unwrap_or(if depth == ColorDepth::Ansi16 {
            "sixteen"
        } else {
            "dark"
        });
        let user_file = data_dir.join("themes").join(format!("{name}.toml"));
        if user_file.is_file() {
            let text = std::fs::read_to_string(&user_file).map_err(|e| {
                SymphonyError::io(format!("reading theme {}", user_file.display()), e)
            })?;
            return Theme::parse(&text, &user_file.display().to_string(), depth);
        }
        let (_, text) = BUILTIN_THEMES
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| SymphonyError::UnknownTheme {
                name: name.to_owned(),
                available: BUILTIN_THEMES
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", "),
                dir: data_dir.join("themes"),
            })?;
        Theme::parse(text, &format!("built-in theme {name}"), depth)
    }

    /// The colour of a syntax style from xi, reduced to the terminal's depth.
    pub fn syntax_color(&self, argb: u32) -> ThemeColor {
        ThemeColor::from_argb(argb).at_depth(self.depth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_themes_parse_at_every_depth() {
        for (name, text) in BUILTIN_THEMES {
            for depth in [
                ColorDepth::TrueColor,
                ColorDepth::Ansi256,
                ColorDepth::Ansi16,
            ] {
                let theme = Theme::parse(text, name, depth).expect("built-in theme parses");
                assert_eq!(theme.name, name);
                if depth == ColorDepth::Ansi16 {
                    assert!(!matches!(
                        theme.ui.foreground,
                        ThemeColor::Rgb(..) | ThemeColor::Indexed(_)
                    ));
                }
            }
        }
    }

    #[test]
    fn detects_colour_depth() {
        assert_eq!(
            ColorDepth::detect(Some("truecolor"), Some("xterm")),
            ColorDepth::TrueColor
        );
        assert_eq!(
            ColorDepth::detect(None, Some("xterm-256color")),
            ColorDepth::Ansi256
        );
        assert_eq!(
            ColorDepth::detect(None, Some("tmux-256color")),
            ColorDepth::Ansi256
        );
        assert_eq!(ColorDepth::detect(None, Some("linux")), ColorDepth::Ansi16);
        assert_eq!(ColorDepth::detect(None, None), ColorDepth::Ansi16);
    }

    #[test]
    fn reduces_colours() {
        assert_eq!(
            ThemeColor::Rgb(255, 0, 0).at_depth(ColorDepth::Ansi16),
            ThemeColor::Named(Ansi16(9))
        );
        assert_eq!(
            ThemeColor::Rgb(0, 0, 0).at_depth(ColorDepth::Ansi256),
            ThemeColor::Indexed(16)
        );
        assert_eq!(
            ThemeColor::Rgb(128, 128, 128).at_depth(ColorDepth::Ansi256),
            ThemeColor::Indexed(244)
        );
        assert_eq!(
            ThemeColor::from_argb(0xff_2b_30_3b),
            ThemeColor::Rgb(0x2b, 0x30, 0x3b)
        );
    }

    #[test]
    fn bad_colours_name_the_field() {
        let text = BUILTIN_THEMES[0].1.replace("\"#c0c5ce\"", "\"#zz\"");
        let err = Theme::parse(&text, "test", ColorDepth::TrueColor).expect_err("bad colour");
        assert!(err.to_string().contains("ui.foreground"), "{err}");
    }

    #[test]
    fn unknown_theme_lists_the_known_ones() {
        let dir = std::env::temp_dir();
        let err = Theme::load(Some("nope"), &dir, ColorDepth::TrueColor).expect_err("unknown");
        assert!(err.to_string().contains("dark, light, sixteen"), "{err}");
    }
}
