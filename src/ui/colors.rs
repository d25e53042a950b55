//! Theme colours as ratatui colours.

use ratatui::style::{Color, Style};

use crate::theme::{Ansi16, ThemeColor};

/// The ratatui colour for a theme colour (already reduced to the terminal's depth).
pub fn color(c: ThemeColor) -> Color {
    match c {
        ThemeColor::Reset => Color::Reset,
        ThemeColor::Rgb(r, g, b) => Color::Rgb(r, g, b),
        ThemeColor::Indexed(i) => Color::Indexed(i),
        ThemeColor::Named(Ansi16(i)) => match i {
            0 => Color::Black,
            1 => Color::Red,
            2 => Color::Green,
            3 => Color::Yellow,
            4 => Color::Blue,
            5 => Color::Magenta,
            6 => Color::Cyan,
            7 => Color::Gray,
            8 => Color::DarkGray,
            9 => Color::LightRed,
            10 => Color::LightGreen,
            11 => Color::LightYellow,
            12 => Color::LightBlue,
            13 => Color::LightMagenta,
            14 => Color::LightCyan,
            _ => Color::White,
        },
    }
}

/// A style with a foreground colour.
pub fn fg(c: ThemeColor) -> Style {
    Style::new().fg(color(c))
}
