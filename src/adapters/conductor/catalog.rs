//! The Conductor's catalog from the installed extensions' manifests: one capability per
//! method, named by its `provides` (extensions that provide the same capability can stand in
//! for each other), with the conductor hints, media types, cost and class.

use conductor::plan::{Capability, CapabilityId, Catalog, Cost, Importance, ProviderId};
use extensions::Installed;
use extensions::manifest::file::{CostHint, ExtensionClass};
use extensions::manifest::{Capability as Method, ExtensionKind};

/// The capabilities of `installed`, in its order (preferred providers first); methods whose
/// names are not capability ids are left out with a warning in the log.
pub fn catalog_of(installed: &[Installed]) -> Catalog {
    let mut capabilities = Vec::new();
    for extension in installed {
        let manifest = &extension.manifest;
        let file = &manifest.file;
        let Ok(provider) = ProviderId::new(manifest.id.as_str()) else {
            tracing::warn!(
                "extension id `{}` is not a provider id; left out",
                manifest.id
            );
            continue;
        };
        for method in &file.capabilities {
            let name = manifest.capability_name(method);
            let Ok(id) = CapabilityId::new(&name) else {
                tracing::warn!(
                    "capability `{name}` of `{}` is not a capability id",
                    manifest.id
                );
                continue;
            };
            let mut capability = Capability::new(
                id,
                provider.clone(),
                method.method.clone(),
                method
                    .description
                    .clone()
                    .or_else(|| file.description.clone())
                    .unwrap_or_default(),
            );
            capability.instrument = file.kind == ExtensionKind::Instrument;
            capability.intents =
                intents_of(file.capabilities.len(), method, &file.conductor.intents);
            capability.inputs = file
                .artifacts
                .inputs
                .iter()
                .map(|a| a.media_type.clone())
                .collect();
            capability.outputs = file
                .artifacts
                .outputs
                .iter()
                .map(|a| a.media_type.clone())
                .collect();
            capability.cost = match file.conductor.cost {
                CostHint::Low => Cost::Low,
                CostHint::Medium => Cost::Medium,
                CostHint::High => Cost::High,
            };
            capability.importance = match file.class {
                ExtensionClass::Essential => Importance::Essential,
                ExtensionClass::Recommended => Importance::Recommended,
                ExtensionClass::Optional => Importance::Optional,
            };
            capabilities.push(capability);
        }
    }
    Catalog::new(capabilities)
}

/// The extension's intents that speak of this method: all of them when it has one method,
/// else those that name the method or its capability's last word ("uppercase text" for
/// `upper`), so that a multi-method extension's intents do not blur its methods together.
fn intents_of(methods: usize, method: &Method, intents: &[String]) -> Vec<String> {
    if methods == 1 {
        return intents.to_vec();
    }
    let mut names = vec![method.method.to_lowercase()];
    if let Some(provides) = &method.provides
        && let Some(last) = provides.rsplit('.').next()
    {
        names.extend(
            last.split('-')
                .filter(|w| w.len() >= 4)
                .map(str::to_lowercase),
        );
    }
    intents
        .iter()
        .filter(|intent| {
            let intent = intent.to_lowercase();
            names.iter().any(|n| intent.contains(n.as_str()))
        })
        .cloned()
        .collect()
}
