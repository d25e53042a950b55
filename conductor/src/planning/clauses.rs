//! An intent cut into the things it asks for, in the order they should happen.

/// Words that separate one request from the next, with the order they imply.
const THEN: &[&str] = &[
    " and then ",
    ", then ",
    " then ",
    " after that ",
    " afterwards ",
    " and finally ",
    " finally ",
    " next ",
    "; ",
    ". ",
    ", ",
    " and ",
    " but ",
];

/// How a clause that forbids something starts: it asks for no step.
const NEGATIONS: &[&str] = &[
    "no ", "not ", "don't ", "dont ", "do not ", "never ", "without ", "avoid ", "nor ",
];

/// Whether `clause` forbids rather than asks ("no capital letters", "don't sort it"): it
/// constrains the plan, and is not matched to a capability.
pub fn is_negation(clause: &str) -> bool {
    let lower = clause.trim().to_lowercase();
    NEGATIONS.iter().any(|n| lower.starts_with(n))
}

/// The clauses of `intent` in the order they should run: split at sequencing words
/// ("then", "and", commas…); "A after B" and "before A, B" put B first.
pub fn clauses(intent: &str) -> Vec<String> {
    let text = format!(" {} ", intent.trim().trim_end_matches(['.', '!', '?']));
    let lower = text.to_lowercase();
    let mut parts = vec![(0, lower.len())];
    for sep in THEN {
        let mut next = Vec::with_capacity(parts.len());
        for (start, end) in parts {
            let mut at = start;
            while let Some(i) = lower[at..end].find(sep) {
                next.push((at, at + i));
                at += i + sep.len();
            }
            next.push((at, end));
        }
        parts = next;
    }
    let mut out: Vec<String> = Vec::new();
    for (start, end) in parts {
        let clause = text[start..end].trim();
        if clause.is_empty() {
            continue;
        }
        let lower_clause = clause.to_lowercase();
        // "A after B" runs B first; "A before B" keeps the order.
        if let Some(i) = lower_clause.find(" after ") {
            let (first, second) = (&clause[i + 7..], &clause[..i]);
            out.extend([first.trim().to_owned(), second.trim().to_owned()]);
        } else if let Some(i) = lower_clause.find(" before ") {
            out.extend([
                clause[..i].trim().to_owned(),
                clause[i + 8..].trim().to_owned(),
            ]);
        } else {
            out.push(clause.to_owned());
        }
    }
    out.retain(|c| !c.is_empty());
    out
}

#[cfg(test)]
mod negation_tests {
    use super::*;

    #[test]
    fn a_clause_that_forbids_is_a_negation_and_a_but_starts_one() {
        assert_eq!(
            clauses("lowercase it but no capital letters"),
            ["lowercase it", "no capital letters"]
        );
        assert!(is_negation("no capital letters"));
        assert!(is_negation("Don't sort it"));
        assert!(is_negation("without the header"));
        assert!(!is_negation("note the numbers"));
        assert!(!is_negation("uppercase it"));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn sequencing_words_split_in_order() {
        assert_eq!(
            clauses("Split the text into words, then uppercase them and count the words."),
            vec![
                "Split the text into words",
                "uppercase them",
                "count the words"
            ]
        );
        assert_eq!(clauses("uppercase it"), vec!["uppercase it"]);
        assert_eq!(
            clauses("count the words after lowercasing the text"),
            vec!["lowercasing the text", "count the words"]
        );
        assert_eq!(
            clauses("lowercase it before joining the lines"),
            vec!["lowercase it", "joining the lines"]
        );
        assert!(clauses("  ").is_empty());
    }
}
