//! Retention policies, as written in `retention.toml`:
//!
//! ```toml
//! [defaults]
//! keep_days = 30            # younger artifacts are kept
//! idle_days = 14            # …and so are those used this recently
//! archive_after_days = 7    # idle this long: compressed into the archive (still retrievable)
//! min_value = 2.0           # at or above this value score, an artifact is never deleted
//! max_total_bytes = 10_000_000_000   # over this, the least valuable go first
//!
//! [[rules]]                 # a tag's own settings, over the defaults
//! tag = "nightly"
//! keep_days = 7
//!
//! [[rules]]
//! tag = "release"
//! forever = true            # never archived, never deleted
//! ```

use serde::{Deserialize, Serialize};

/// The settings one artifact is judged by.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Artifacts younger than this are kept.
    pub keep_days: f64,
    /// Artifacts used within this many days are kept.
    pub idle_days: f64,
    /// Artifacts idle this long are archived (when not deleted).
    pub archive_after_days: f64,
    /// Artifacts whose value score reaches this are never deleted.
    pub min_value: f64,
    /// Never archived or deleted.
    pub forever: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            keep_days: 30.0,
            idle_days: 14.0,
            archive_after_days: 7.0,
            min_value: 2.0,
            forever: false,
        }
    }
}

/// A tag's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The tag it applies to.
    pub tag: String,
    /// Overrides of the defaults.
    #[serde(flatten)]
    pub settings: Overrides,
}

/// Settings a rule may override.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// See [`Settings::keep_days`].
    pub keep_days: Option<f64>,
    /// See [`Settings::idle_days`].
    pub idle_days: Option<f64>,
    /// See [`Settings::archive_after_days`].
    pub archive_after_days: Option<f64>,
    /// See [`Settings::min_value`].
    pub min_value: Option<f64>,
    /// See [`Settings::forever`].
    pub forever: Option<bool>,
}

/// A whole retention policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// What applies to every artifact.
    #[serde(default)]
    pub defaults: Settings,
    /// The most bytes the store should hold; over it, unprotected artifacts of least value go.
    #[serde(default)]
    pub max_total_bytes: Option<u64>,
    /// Per-tag settings; where several tags of an artifact have rules, the most protective
    /// value of each setting wins.
    #[serde(default)]
    pub rules: Vec<Rule>,
}

impl Policy {
    /// Parses `retention.toml`; errors carry the line and column.
    pub fn parse(text: &str) -> Result<Self, String> {
        let policy: Policy = toml::from_str(text).map_err(|e| e.to_string())?;
        policy.check()?;
        Ok(policy)
    }

    fn check(&self) -> Result<(), String> {
        let mut all = vec![("defaults".to_owned(), self.defaults)];
        all.extend(self.rules.iter().map(|r| {
            (
                format!("the rule for tag `{}`", r.tag),
                self.for_tags([&r.tag]),
            )
        }));
        for (what, s) in all {
            for (name, days) in [
                ("keep_days", s.keep_days),
                ("idle_days", s.idle_days),
                ("archive_after_days", s.archive_after_days),
            ] {
                if !days.is_finite() || days < 0.0 {
                    return Err(format!("{what}: `{name}` must be a number of days ≥ 0"));
                }
            }
            if !s.min_value.is_finite() {
                return Err(format!("{what}: `min_value` must be a number"));
            }
        }
        Ok(())
    }

    /// The settings for an artifact with these tags: the defaults, made more protective by
    /// every matching rule.
    pub fn for_tags<'a>(&self, tags: impl IntoIterator<Item = &'a String>) -> Settings {
        let tags: Vec<&String> = tags.into_iter().collect();
        let mut rules = self
            .rules
            .iter()
            .filter(|r| tags.contains(&&r.tag))
            .peekable();
        if rules.peek().is_none() {
            return self.defaults;
        }
        // The first matching rule replaces the defaults; further ones only protect more.
        let mut out: Option<Settings> = None;
        for rule in rules {
            let o = rule.settings;
            let mine = Settings {
                keep_days: o.keep_days.unwrap_or(self.defaults.keep_days),
                idle_days: o.idle_days.unwrap_or(self.defaults.idle_days),
                archive_after_days: o
                    .archive_after_days
                    .unwrap_or(self.defaults.archive_after_days),
                min_value: o.min_value.unwrap_or(self.defaults.min_value),
                forever: o.forever.unwrap_or(self.defaults.forever),
            };
            out = Some(match out {
                None => mine,
                Some(s) => Settings {
                    keep_days: s.keep_days.max(mine.keep_days),
                    idle_days: s.idle_days.max(mine.idle_days),
                    archive_after_days: s.archive_after_days.max(mine.archive_after_days),
                    min_value: s.min_value.min(mine.min_value),
                    forever: s.forever || mine.forever,
                },
            });
        }
        out.unwrap_or(self.defaults)
    }
}
