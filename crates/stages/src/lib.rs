//! Stage files: a batch run cut into steps with a Parquet file between each, so that a step
//! can run elsewhere (another machine, Spark), be restarted alone, or be read by other tools.
//!
//! - [`signed`]: one row per document, in input order: what [`CollectionBuilder::sign`]
//!   computes from each text alone (content hash, copy signature and band keys, containment
//!   features, story terms by line);
//! - [`pairs`]: candidate pairs (positions in the signed files, in order), and verified pairs
//!   with their score and evidence.
//!
//! Every file carries, in its key-value metadata, the engine config that made it (its JSON
//! form, with the config version), a [`Header`] (stage, [`FORMAT_VERSION`], feature recipe,
//! number of documents) and the fingerprints of the signed files it was made from. A stage
//! refuses a file of another stage, another format version or another config, and pairs made
//! from other signed files: stages are never silently mixed.
//!
//! [`CollectionBuilder::sign`]: storyhash_core::CollectionBuilder::sign

pub mod pairs;
pub mod signed;

use parquet::file::metadata::KeyValue;
use serde::{Deserialize, Serialize};
use std::path::Path;
use storyhash_core::pipeline::FeatureRecipe;
use storyhash_core::{EngineConfig, Error, Result};

/// The version of the stage files' layout (columns and metadata) this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// Metadata key of the [`Header`] (JSON).
const HEADER_KEY: &str = "storyhash.stage";
/// Metadata key of the engine config (its JSON form, [`EngineConfig::to_json`]).
const CONFIG_KEY: &str = "storyhash.config";

/// Rows per Parquet row group: large enough for column statistics and compression, small
/// enough that a writer buffers tens of megabytes, not the whole file.
const ROW_GROUP: usize = 65_536;

/// Which step wrote a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Signed documents (`storyhash sign`).
    Signed,
    /// Candidate pairs (`storyhash candidates`).
    Candidates,
    /// Verified pairs (`storyhash verify`).
    Verified,
}

impl Stage {
    /// The command that writes it.
    pub fn command(self) -> &'static str {
        match self {
            Stage::Signed => "storyhash sign",
            Stage::Candidates => "storyhash candidates",
            Stage::Verified => "storyhash verify",
        }
    }
}

/// What a stage file says about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// The step that wrote it.
    pub stage: Stage,
    /// [`FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// The feature recipe of its documents.
    pub recipe: FeatureRecipe,
    /// Number of documents: a signed file's rows; for pairs, of the signed files they index.
    pub docs: u64,
    /// Fingerprints of the signed files the positions refer to, in order (a signed file: its
    /// own).
    pub signed: Vec<String>,
    /// Verified pairs: how many candidates were verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidates: Option<u64>,
}

impl Header {
    fn metadata(&self, cfg: &EngineConfig) -> Vec<KeyValue> {
        vec![
            KeyValue::new(
                HEADER_KEY.into(),
                serde_json::to_string(self).expect("a header serialises"),
            ),
            KeyValue::new(CONFIG_KEY.into(), cfg.to_json()),
        ]
    }
}

/// An error about stage file `path`.
pub(crate) fn stage_error(path: &Path, reason: impl Into<String>) -> Error {
    Error::Stage {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// The header and config of a stage file, checked to be of `stage` and of this build's
/// format version.
pub(crate) fn read_header(
    path: &Path,
    kv: Option<&Vec<KeyValue>>,
    stage: Stage,
) -> Result<(Header, EngineConfig)> {
    let get = |key: &str| {
        kv.and_then(|kv| kv.iter().find(|e| e.key == key))
            .and_then(|e| e.value.as_deref())
    };
    let Some(h) = get(HEADER_KEY) else {
        return Err(stage_error(
            path,
            format!(
                "not a storyhash stage file (no {HEADER_KEY:?} metadata); {} writes one",
                stage.command()
            ),
        ));
    };
    #[derive(Deserialize)]
    struct Version {
        format_version: u32,
    }
    let v: Version = serde_json::from_str(h)
        .map_err(|e| stage_error(path, format!("unreadable stage header: {e}")))?;
    if v.format_version != FORMAT_VERSION {
        return Err(stage_error(
            path,
            format!(
                "stage format version {}; this build reads version {FORMAT_VERSION} (run the stage again with this build)",
                v.format_version
            ),
        ));
    }
    let header: Header = serde_json::from_str(h)
        .map_err(|e| stage_error(path, format!("unreadable stage header: {e}")))?;
    if header.stage != stage {
        return Err(stage_error(
            path,
            format!(
                "this is a {:?} file (from {}); {:?} was expected (from {})",
                header.stage,
                header.stage.command(),
                stage,
                stage.command()
            )
            .to_lowercase(),
        ));
    }
    let cfg =
        get(CONFIG_KEY).ok_or_else(|| stage_error(path, format!("no {CONFIG_KEY:?} metadata")))?;
    let cfg = EngineConfig::from_json(cfg).map_err(|e| stage_error(path, e.to_string()))?;
    if FeatureRecipe::of(&cfg) != header.recipe {
        return Err(stage_error(
            path,
            "the stored feature recipe is not the stored config's",
        ));
    }
    Ok((header, cfg))
}

/// Error unless `cfg` (of `path`) is `first` (of `first_path`): every setting counts, since
/// the later stages run under the config the documents were signed with.
pub(crate) fn ensure_same_config(
    first_path: &Path,
    first: &EngineConfig,
    path: &Path,
    cfg: &EngineConfig,
) -> Result<()> {
    FeatureRecipe::of(first)
        .ensure_comparable(&FeatureRecipe::of(cfg))
        .map_err(|e| {
            stage_error(
                path,
                format!(
                    "made with another recipe than {}: {e}",
                    first_path.display()
                ),
            )
        })?;
    if first.to_json() != cfg.to_json() {
        let (a, b) = (config_value(first), config_value(cfg));
        let what = first_difference(&a, &b, String::new()).unwrap_or_default();
        return Err(stage_error(
            path,
            format!(
                "made with another engine config than {} ({what}); sign every part with the same options",
                first_path.display()
            ),
        ));
    }
    Ok(())
}

fn config_value(cfg: &EngineConfig) -> serde_json::Value {
    serde_json::from_str(&cfg.to_json()).expect("a config is JSON")
}

/// The first setting, by its path, where `a` and `b` differ, with both values.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value, at: String) -> Option<String> {
    use serde_json::Value::Object;
    match (a, b) {
        (Object(x), Object(y)) => {
            for (k, v) in x {
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                match y.get(k) {
                    Some(w) => {
                        if let Some(d) = first_difference(v, w, path) {
                            return Some(d);
                        }
                    }
                    None => return Some(format!("{path}: {v} vs nothing")),
                }
            }
            y.keys()
                .find(|k| !x.contains_key(*k))
                .map(|k| format!("{at}.{k}: nothing vs {}", y[k]))
        }
        _ if a != b => Some(format!("{at}: {a} vs {b}")),
        _ => None,
    }
}

pub(crate) fn parquet_error(path: &Path, e: impl std::fmt::Display) -> Error {
    stage_error(path, format!("Parquet: {e}"))
}

#[cfg(test)]
mod tests;
