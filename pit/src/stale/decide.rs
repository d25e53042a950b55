//! Judging every artifact at once: keep, archive or delete, each with its reason.
//!
//! 1. Protections first: pinned, referenced by a live workflow, or `forever` by a rule: kept.
//! 2. The policy: young or recently used artifacts are kept; valuable ones are never deleted;
//!    an artifact past both `keep_days` and `idle_days` and below `min_value` is deleted;
//!    one idle past `archive_after_days` is archived; the rest are kept.
//! 3. Lineage: an artifact that a kept or archived artifact was made from (directly or
//!    further up) is never deleted — it is archived instead. Repeated until nothing changes.
//! 4. The budget: while the store would hold more than `max_total_bytes`, the least valuable
//!    artifact that nothing protects is deleted.
//!
//! The value score: `log2(1 + uses) + 2 × (artifacts made from it) − log10(1 + MiB) / 2`.

use std::collections::{HashMap, HashSet};
use std::fmt;

use super::policy::Policy;

const DAY_MS: f64 = 86_400_000.0;

/// What the Stale Manager knows of one artifact.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Its id.
    pub id: String,
    /// Bytes.
    pub size: u64,
    /// Its tags.
    pub tags: Vec<String>,
    /// When it was stored, ms since the Unix epoch.
    pub created_ms: u64,
    /// When it was last read, if ever.
    pub last_access_ms: Option<u64>,
    /// How many times it was read.
    pub uses: u64,
    /// Pinned by a person.
    pub pinned: bool,
    /// A live workflow (saved, or running) refers to it.
    pub live: bool,
    /// The artifacts it was made from (its lineage's inputs).
    pub inputs: Vec<String>,
}

/// What happens to an artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Stays as it is.
    Keep,
    /// Compressed into the archive; still retrievable.
    Archive,
    /// Removed.
    Delete,
}

/// Why.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// A person pinned it.
    Pinned,
    /// A live workflow refers to it.
    Live,
    /// A rule for one of its tags keeps it forever.
    Forever,
    /// Younger than `keep_days`.
    Young {
        /// Its age in days.
        age_days: f64,
    },
    /// Used within `idle_days`.
    RecentlyUsed {
        /// Days since its last use.
        idle_days: f64,
    },
    /// Its value score reaches `min_value`.
    Valuable {
        /// Its score.
        value: f64,
    },
    /// Another artifact that stays was made from it.
    NeededBy {
        /// That artifact.
        id: String,
    },
    /// Idle past `archive_after_days`.
    Idle {
        /// Days since its last use (or its creation).
        idle_days: f64,
    },
    /// Past `keep_days` and `idle_days`, and of little value.
    Expired {
        /// Its age in days.
        age_days: f64,
        /// Its value score.
        value: f64,
    },
    /// The store was over `max_total_bytes` and it was the least valuable unprotected one.
    OverBudget {
        /// Its value score.
        value: f64,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Pinned => f.write_str("pinned"),
            Reason::Live => f.write_str("a live workflow refers to it"),
            Reason::Forever => f.write_str("a rule for one of its tags keeps it forever"),
            Reason::Young { age_days } => write!(f, "young ({age_days:.1} days old)"),
            Reason::RecentlyUsed { idle_days } => {
                write!(f, "used {idle_days:.1} days ago")
            }
            Reason::Valuable { value } => write!(f, "valuable (score {value:.2})"),
            Reason::NeededBy { id } => {
                write!(f, "the lineage of {} needs it", &id[..id.len().min(12)])
            }
            Reason::Idle { idle_days } => write!(f, "idle for {idle_days:.1} days"),
            Reason::Expired { age_days, value } => write!(
                f,
                "{age_days:.1} days old, unused past the policy, score {value:.2}"
            ),
            Reason::OverBudget { value } => write!(
                f,
                "the store is over its size budget and this is the least valuable (score \
                 {value:.2})"
            ),
        }
    }
}

/// One artifact's fate.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The artifact.
    pub id: String,
    /// What happens to it.
    pub action: Action,
    /// Why.
    pub reason: Reason,
}

/// Judges every artifact at `now_ms`; the verdicts come in the candidates' order.
pub fn decide(policy: &Policy, candidates: &[Candidate], now_ms: u64) -> Vec<Verdict> {
    let mut fanout: HashMap<&str, usize> = HashMap::new();
    for c in candidates {
        for input in &c.inputs {
            *fanout.entry(input.as_str()).or_default() += 1;
        }
    }
    let value = |c: &Candidate| {
        let mib = c.size as f64 / (1 << 20) as f64;
        (1.0 + c.uses as f64).log2() + 2.0 * fanout.get(c.id.as_str()).copied().unwrap_or(0) as f64
            - (1.0 + mib).log10() / 2.0
    };
    let mut verdicts: Vec<Verdict> = candidates
        .iter()
        .map(|c| first_verdict(policy, c, now_ms, value(c)))
        .collect();
    let needed_by = lineage_needs(candidates, &verdicts);
    protect_lineage(candidates, &mut verdicts, &needed_by);
    if let Some(max) = policy.max_total_bytes {
        enforce_budget(policy, candidates, &mut verdicts, &needed_by, max, &value);
    }
    verdicts
}

fn first_verdict(policy: &Policy, c: &Candidate, now_ms: u64, value: f64) -> Verdict {
    let settings = policy.for_tags(&c.tags);
    let age_days = now_ms.saturating_sub(c.created_ms) as f64 / DAY_MS;
    let last = c.last_access_ms.unwrap_or(c.created_ms);
    let idle_days = now_ms.saturating_sub(last) as f64 / DAY_MS;
    let (action, reason) = if c.pinned {
        (Action::Keep, Reason::Pinned)
    } else if c.live {
        (Action::Keep, Reason::Live)
    } else if settings.forever {
        (Action::Keep, Reason::Forever)
    } else if age_days < settings.keep_days {
        (Action::Keep, Reason::Young { age_days })
    } else if idle_days < settings.idle_days.min(settings.archive_after_days) {
        (Action::Keep, Reason::RecentlyUsed { idle_days })
    } else if idle_days >= settings.idle_days && value < settings.min_value {
        (Action::Delete, Reason::Expired { age_days, value })
    } else if idle_days >= settings.archive_after_days {
        (Action::Archive, Reason::Idle { idle_days })
    } else if value >= settings.min_value {
        (Action::Keep, Reason::Valuable { value })
    } else {
        (Action::Keep, Reason::RecentlyUsed { idle_days })
    };
    Verdict {
        id: c.id.clone(),
        action,
        reason,
    }
}

/// For each artifact, the surviving artifact whose lineage needs it first found: walking the
/// inputs up from every artifact not deleted in `verdicts` (and from every input reached,
/// since what is needed survives too). `None` for what nothing surviving was made from.
fn lineage_needs(candidates: &[Candidate], verdicts: &[Verdict]) -> Vec<Option<usize>> {
    let index: HashMap<&str, usize> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut needed_by = vec![None; candidates.len()];
    let mut stack: Vec<usize> = (0..candidates.len())
        .filter(|&i| verdicts[i].action != Action::Delete)
        .collect();
    let mut seen: HashSet<usize> = stack.iter().copied().collect();
    while let Some(i) = stack.pop() {
        for input in &candidates[i].inputs {
            let Some(&j) = index.get(input.as_str()) else {
                continue;
            };
            needed_by[j].get_or_insert(i);
            if seen.insert(j) {
                stack.push(j);
            }
        }
    }
    needed_by
}

/// Turns into archives the deletions that a surviving artifact's lineage needs.
fn protect_lineage(
    candidates: &[Candidate],
    verdicts: &mut [Verdict],
    needed_by: &[Option<usize>],
) {
    for (j, by) in needed_by.iter().enumerate() {
        if let Some(i) = *by
            && verdicts[j].action == Action::Delete
        {
            verdicts[j].action = Action::Archive;
            verdicts[j].reason = Reason::NeededBy {
                id: candidates[i].id.clone(),
            };
        }
    }
}

/// Deletes the least valuable unprotected artifacts while the survivors exceed `max` bytes.
fn enforce_budget(
    policy: &Policy,
    candidates: &[Candidate],
    verdicts: &mut [Verdict],
    needed_by: &[Option<usize>],
    max: u64,
    value: &dyn Fn(&Candidate) -> f64,
) {
    let mut total: u64 = candidates
        .iter()
        .zip(verdicts.iter())
        .filter(|(_, v)| v.action != Action::Delete)
        .map(|(c, _)| c.size)
        .sum();
    if total <= max {
        return;
    }
    let mut open: Vec<(f64, usize)> = candidates
        .iter()
        .enumerate()
        .filter(|&(i, c)| {
            let settings = policy.for_tags(&c.tags);
            verdicts[i].action != Action::Delete
                && !c.pinned
                && !c.live
                && !settings.forever
                && needed_by[i].is_none()
        })
        .map(|(i, c)| (value(c), i))
        .collect();
    open.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for (score, i) in open {
        if total <= max {
            break;
        }
        verdicts[i].action = Action::Delete;
        verdicts[i].reason = Reason::OverBudget { value: score };
        total -= candidates[i].size;
    }
}
