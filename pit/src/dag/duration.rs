//! Durations as people write them in workflow files: `250ms`, `30s`, `1.5s`, `2m`, `1h30m`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Longest duration accepted: a week. Longer is a typo, and it keeps the arithmetic exact.
const MAX_SECONDS: f64 = 7.0 * 24.0 * 3600.0;

/// A duration written as one or more `<number><unit>` parts, unit `ms`, `s`, `m` or `h`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HumanDuration(pub Duration);

/// Why a string is not a duration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{shown}` is not a duration: write a number and a unit (ms, s, m, h), e.g. `250ms`, \
     `30s`, `1.5m`, `1h30m`; at most a week"
)]
pub struct BadDuration {
    shown: String,
}

impl FromStr for HumanDuration {
    type Err = BadDuration;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadDuration {
            shown: text.chars().take(40).collect(),
        };
        let mut rest = text;
        let mut seconds = 0.0_f64;
        if rest.is_empty() {
            return Err(bad());
        }
        while !rest.is_empty() {
            let digits = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .ok_or_else(bad)?;
            let number: f64 = rest[..digits].parse().map_err(|_| bad())?;
            rest = &rest[digits..];
            let unit_len = rest
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            let scale = match &rest[..unit_len] {
                "ms" => 0.001,
                "s" => 1.0,
                "m" => 60.0,
                "h" => 3600.0,
                _ => return Err(bad()),
            };
            rest = &rest[unit_len..];
            seconds += number * scale;
        }
        if !(0.0..=MAX_SECONDS).contains(&seconds) {
            return Err(bad());
        }
        Ok(HumanDuration(Duration::from_secs_f64(seconds)))
    }
}

impl TryFrom<String> for HumanDuration {
    type Error = BadDuration;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.0.as_millis();
        if millis.is_multiple_of(1000) {
            write!(f, "{}s", millis / 1000)
        } else {
            write!(f, "{millis}ms")
        }
    }
}

impl From<HumanDuration> for String {
    fn from(duration: HumanDuration) -> Self {
        duration.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Option<Duration> {
        text.parse::<HumanDuration>().ok().map(|d| d.0)
    }

    #[test]
    fn units_and_sums() {
        assert_eq!(parse("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse("2m"), Some(Duration::from_secs(120)));
    }

    #[test]
    fn refuses_nonsense() {
        for text in ["", "30", "s", "1x", "-1s", "1..2s", "9999h", "1 s"] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }
}
