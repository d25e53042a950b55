//! What the board knows of the installation, read off the UI loop by the runtime
//! (`ui/board_library.rs`) and sent as `BoardAction::Library`: the Melody templates (bundled
//! and the user's), the catalog of installed capabilities they compile against, and each
//! installed extension's methods and config schema for the node parameter form.

use std::collections::BTreeMap;

use conductor::plan::Catalog;
use conductor::templates::Template;

use super::form::FieldSpec;

/// An installed extension's schema, as the parameter form needs it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExtensionSchema {
    /// The methods it offers (a node names one in `params.method`).
    pub methods: Vec<String>,
    /// Its manifest's `[config.*]` settings, secrets left out (they never go in a file).
    pub config: Vec<FieldSpec>,
}

/// The templates, the catalog and the extensions' schemas.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Library {
    /// Whether the runtime has sent it yet.
    pub loaded: bool,
    /// The templates, sorted by id.
    pub templates: Vec<Template>,
    /// The installed capabilities.
    pub catalog: Catalog,
    /// Each installed extension's schema, by extension id (a node's runner).
    pub extensions: BTreeMap<String, ExtensionSchema>,
    /// What could not be read (shown in the template browser), if anything.
    pub problem: Option<String>,
}

impl Library {
    /// The capabilities `template` uses that no installed extension provides.
    pub fn missing(&self, template: &Template) -> Vec<String> {
        let mut missing: Vec<String> = Vec::new();
        for step in &template.steps {
            let name = step.capability.to_string();
            if self.catalog.providers(&step.capability).next().is_none() && !missing.contains(&name)
            {
                missing.push(name);
            }
        }
        missing
    }

    /// The template with this id.
    pub fn template(&self, id: &str) -> Option<&Template> {
        self.templates.iter().find(|t| t.id == id)
    }
}
