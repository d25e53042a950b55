//! Rust's pre-validation agrees with OFB's own request schema (pydantic, in OFB's venv) on
//! thousands of generated strings near every rule's edge: lengths around the limits, control
//! characters, ASCII and Unicode whitespace, multi-byte characters, identifier alphabets. So
//! pre-validation can neither refuse what OFB accepts nor let through a shape OFB refuses.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ofb_support;
mod seeded;

use std::process::Command;

use seeded::Rng;
use symphony::data::prevalidate::Prevalidate;
use symphony::ports::data_access::*;

const ALPHABET: &[char] = &[
    'a', 'Z', '7', '-', '_', '.', ':', '/', ' ', '\t', '\n', '\u{1f}', '\u{7f}', '\u{85}',
    '\u{a0}', '\u{2003}', '\u{3000}', 'é', '€', '𝄞', '"', '\\', '!', '0',
];

fn string(rng: &mut Rng, max_len: usize) -> String {
    // Lengths cluster at the edges: 0, 1, 2, the limit and either side of it.
    let len = match rng.below(4) {
        0 => rng.below(4),
        1 => max_len - 1 + rng.below(3),
        _ => rng.below(max_len + 2),
    };
    let plain = rng.below(4) != 0;
    (0..len)
        .map(|_| {
            if plain {
                ALPHABET[rng.below(3)]
            } else {
                ALPHABET[rng.below(ALPHABET.len())]
            }
        })
        .collect()
}

/// OFB's verdict on each `(model, payload)`: true when pydantic accepts it.
fn ofb_verdicts(cases: &[(&str, serde_json::Value)]) -> Vec<bool> {
    let script = r#"
import json, sys
from pydantic import ValidationError
from ofb import schemas
out = []
for model, payload in json.load(sys.stdin):
    try:
        getattr(schemas, model).model_validate(payload)
        out.append(True)
    except ValidationError:
        out.append(False)
print(json.dumps(out))
"#;
    let mut child = Command::new(ofb_support::python())
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    serde_json::to_writer(child.stdin.take().unwrap(), cases).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn pre_validation_accepts_exactly_what_ofb_accepts() {
    let mut rng = Rng::with_seed(0x5eed_0fb1);
    let mut cases = Vec::new();
    let mut rust = Vec::new();
    for i in 0..3000 {
        match i % 3 {
            0 => {
                let step = Step {
                    name: string(&mut rng, 100),
                    command: string(&mut rng, 200),
                };
                let request = NewWorkflow {
                    spec: WorkflowSpec {
                        name: "w".into(),
                        steps: vec![step.clone()],
                    },
                    user_id: UserId(1),
                    project_id: ProjectId(1),
                    estimated_cost: 1.0,
                };
                rust.push(request.prevalidate().is_ok());
                cases.push(("Step", serde_json::to_value(&step).unwrap()));
            }
            1 => {
                let request = NewExtension {
                    name: string(&mut rng, 100),
                    version: Some(string(&mut rng, 64)),
                    permissions: vec![string(&mut rng, 200)],
                };
                rust.push(request.prevalidate().is_ok());
                cases.push(("ExtensionCreate", serde_json::to_value(&request).unwrap()));
            }
            _ => {
                let request = NewUser {
                    username: string(&mut rng, 64),
                    password: string(&mut rng, 12),
                };
                rust.push(request.prevalidate().is_ok());
                let payload =
                    serde_json::json!({"username": request.username, "password": request.password});
                cases.push(("UserCreate", payload));
            }
        }
    }
    let ofb = ofb_verdicts(&cases);
    let accepted = ofb.iter().filter(|ok| **ok).count();
    assert!(
        accepted > 300 && accepted < 2700,
        "the generator must exercise both verdicts: {accepted} of 3000 accepted"
    );
    let disagreements: Vec<_> = (0..cases.len())
        .filter(|&i| rust[i] != ofb[i])
        .map(|i| {
            format!(
                "{} {} (rust {}, OFB {})",
                cases[i].0, cases[i].1, rust[i], ofb[i]
            )
        })
        .collect();
    assert!(
        disagreements.is_empty(),
        "{} disagreements, first: {:#?}",
        disagreements.len(),
        &disagreements[..disagreements.len().min(5)]
    );
}
