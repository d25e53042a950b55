//! The neural policy: a small MLP (`FEATURES → 32 → 1`, tanh) that scores each candidate call
//! from its [`features`](super::features); a softmax over the valid candidates is the policy.
//! Because it scores candidates one by one from features, it plays libraries of any size,
//! with functions it never saw. Written with candle; saved as safetensors.

use std::collections::HashMap;
use std::path::Path;

use candle_core::{DType, Device, Tensor, Var};

use super::agent::Agent;
use super::env::Env;
use super::error::FqgError;
use super::features::{FEATURES, candidates};
use super::ids::ActionId;
use super::rng::Rng;

/// Hidden units.
pub const HIDDEN: usize = 32;

/// The path of the checked-in policy (in the source tree).
pub fn checked_in_path() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policy/fqg-policy.safetensors"
    ))
}

/// The checked-in policy's bytes, built into the binary so that it works wherever it is
/// installed (`conductor/policy/README.md` has the command that produced it).
pub const CHECKED_IN: &[u8] = include_bytes!("../../policy/fqg-policy.safetensors");

/// The checked-in policy.
pub fn checked_in() -> Result<Policy, FqgError> {
    Policy::from_bytes(CHECKED_IN, checked_in_path())
}

/// The scoring network's parameters.
#[derive(Debug, Clone)]
pub struct Policy {
    w1: Var,
    b1: Var,
    w2: Var,
    b2: Var,
}

fn uniform(rng: &mut Rng, n: usize, scale: f64) -> Vec<f32> {
    (0..n)
        .map(|_| ((rng.next_f64() * 2.0 - 1.0) * scale) as f32)
        .collect()
}

impl Policy {
    /// A freshly initialised policy (uniform ±1/√fan-in, from `seed`).
    pub fn new(seed: u64) -> Result<Policy, FqgError> {
        let mut rng = Rng::new(seed ^ 0x5EED_0F90_11C7);
        let dev = Device::Cpu;
        let s1 = 1.0 / (FEATURES as f64).sqrt();
        let s2 = 1.0 / (HIDDEN as f64).sqrt();
        Ok(Policy {
            w1: Var::from_vec(
                uniform(&mut rng, FEATURES * HIDDEN, s1),
                (FEATURES, HIDDEN),
                &dev,
            )?,
            b1: Var::from_vec(vec![0.0f32; HIDDEN], HIDDEN, &dev)?,
            w2: Var::from_vec(uniform(&mut rng, HIDDEN, s2), (HIDDEN, 1), &dev)?,
            b2: Var::from_vec(vec![0.0f32; 1], 1, &dev)?,
        })
    }

    /// The trainable parameters.
    pub fn vars(&self) -> Vec<Var> {
        vec![
            self.w1.clone(),
            self.b1.clone(),
            self.w2.clone(),
            self.b2.clone(),
        ]
    }

    /// Scores of `x` (`[N, FEATURES]`) as `[N]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor, FqgError> {
        let h = x
            .matmul(self.w1.as_tensor())?
            .broadcast_add(self.b1.as_tensor())?
            .tanh()?;
        Ok(h.matmul(self.w2.as_tensor())?
            .broadcast_add(self.b2.as_tensor())?
            .squeeze(1)?)
    }

    /// Scores of `rows` candidates whose features are `features` (row-major).
    pub fn scores(&self, features: &[f32], rows: usize) -> Result<Vec<f32>, FqgError> {
        if rows == 0 {
            return Ok(Vec::new());
        }
        let x = Tensor::from_slice(features, (rows, FEATURES), &Device::Cpu)?;
        Ok(self.forward(&x)?.to_vec1::<f32>()?)
    }

    fn tensors(&self) -> HashMap<String, Tensor> {
        HashMap::from([
            ("w1".to_owned(), self.w1.as_tensor().clone()),
            ("b1".to_owned(), self.b1.as_tensor().clone()),
            ("w2".to_owned(), self.w2.as_tensor().clone()),
            ("b2".to_owned(), self.b2.as_tensor().clone()),
        ])
    }

    /// Writes the parameters to `path` (safetensors).
    pub fn save(&self, path: &Path) -> Result<(), FqgError> {
        candle_core::safetensors::save(&self.tensors(), path).map_err(|e| FqgError::PolicyFile {
            path: path.to_owned(),
            message: format!("cannot write it: {e}"),
        })
    }

    /// Reads a policy written by [`save`](Policy::save).
    pub fn load(path: &Path) -> Result<Policy, FqgError> {
        let bytes = std::fs::read(path).map_err(|e| FqgError::PolicyFile {
            path: path.to_owned(),
            message: format!("cannot read it: {e}"),
        })?;
        Policy::from_bytes(&bytes, path)
    }

    /// Reads a policy from safetensors bytes (`path` only names it in errors).
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Policy, FqgError> {
        let bad = |message: String| FqgError::PolicyFile {
            path: path.to_owned(),
            message,
        };
        let mut tensors = candle_core::safetensors::load_buffer(bytes, &Device::Cpu)
            .map_err(|e| bad(format!("not a safetensors file ({e})")))?;
        let mut take = |name: &str, shape: &[usize]| -> Result<Var, FqgError> {
            let t = tensors
                .remove(name)
                .ok_or_else(|| bad(format!("tensor `{name}` is missing")))?;
            if t.dims() != shape || t.dtype() != DType::F32 {
                return Err(bad(format!(
                    "tensor `{name}` is {:?} {:?}, this build expects F32 {shape:?} (the feature set changed: retrain)",
                    t.dtype(),
                    t.dims()
                )));
            }
            Ok(Var::from_tensor(&t)?)
        };
        Ok(Policy {
            w1: take("w1", &[FEATURES, HIDDEN])?,
            b1: take("b1", &[HIDDEN])?,
            w2: take("w2", &[HIDDEN, 1])?,
            b2: take("b2", &[1])?,
        })
    }

    /// All parameters flattened (for comparisons in tests).
    pub fn flat(&self) -> Result<Vec<f32>, FqgError> {
        let mut out = Vec::new();
        for var in self.vars() {
            out.extend(var.as_tensor().flatten_all()?.to_vec1::<f32>()?);
        }
        Ok(out)
    }
}

/// Index of the largest score (the first on ties).
pub fn argmax(scores: &[f32]) -> usize {
    let mut best = 0;
    for (i, s) in scores.iter().enumerate() {
        if *s > scores[best] {
            best = i;
        }
    }
    best
}

/// Samples an index from softmax(`scores`).
pub fn sample(scores: &[f32], rng: &mut Rng) -> usize {
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let weights: Vec<f64> = scores.iter().map(|s| f64::from(s - max).exp()).collect();
    let total: f64 = weights.iter().sum();
    let mut x = rng.next_f64() * total;
    for (i, w) in weights.iter().enumerate() {
        x -= w;
        if x < 0.0 {
            return i;
        }
    }
    scores.len().saturating_sub(1)
}

/// The policy as an agent: the highest-scoring valid call (or sampled, when seeded).
#[derive(Debug)]
pub struct PolicyAgent<'p> {
    policy: &'p Policy,
    sampler: Option<Rng>,
}

impl<'p> PolicyAgent<'p> {
    /// Plays the best-scoring call each time.
    pub fn greedy(policy: &'p Policy) -> Self {
        PolicyAgent {
            policy,
            sampler: None,
        }
    }

    /// Samples calls from the policy's distribution.
    pub fn sampling(policy: &'p Policy, seed: u64) -> Self {
        PolicyAgent {
            policy,
            sampler: Some(Rng::new(seed)),
        }
    }
}

impl Agent for PolicyAgent<'_> {
    fn name(&self) -> &str {
        "policy"
    }

    fn act(&mut self, env: &Env) -> ActionId {
        let c = candidates(env);
        let scores = self
            .policy
            .scores(&c.features, c.actions.len())
            .unwrap_or_default();
        if scores.is_empty() {
            return c.actions.first().copied().unwrap_or(ActionId(0));
        }
        let i = match &mut self.sampler {
            Some(rng) => sample(&scores, rng),
            None => argmax(&scores),
        };
        c.actions[i]
    }
}
