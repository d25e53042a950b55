//! The list of everything validation found.

use std::fmt;

use super::validation_error::ValidationError;

/// How many errors a report's `Display` lists before summarising the rest.
const SHOWN: usize = 50;

/// Every problem validation found, in a stable order: ids, ports, edges, nodes, settings,
/// cycles. Empty means the workflow is valid.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValidationReport {
    errors: Vec<ValidationError>,
}

impl ValidationReport {
    /// A report of these errors.
    pub fn new(errors: Vec<ValidationError>) -> Self {
        ValidationReport { errors }
    }

    /// True when nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// How many problems there are.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// True when there are no problems (the same as [`is_ok`](Self::is_ok)).
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The problems.
    pub fn errors(&self) -> &[ValidationError] {
        &self.errors
    }

    /// The problems, by value.
    pub fn into_errors(self) -> Vec<ValidationError> {
        self.errors
    }

    /// The codes of the problems, in order (handy in tests and for `--json`).
    pub fn codes(&self) -> Vec<&'static str> {
        self.errors.iter().map(ValidationError::code).collect()
    }
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.len() {
            0 => return f.write_str("the workflow is valid"),
            1 => f.write_str("the workflow has 1 problem:")?,
            n => write!(f, "the workflow has {n} problems:")?,
        }
        for error in self.errors.iter().take(SHOWN) {
            write!(f, "\n  [{}] {error}", error.code())?;
        }
        if self.errors.len() > SHOWN {
            write!(f, "\n  … and {} more", self.errors.len() - SHOWN)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationReport {}
