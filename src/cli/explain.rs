//! `storyhash explain`: why two documents match, or do not: the passages they share (aligned,
//! with byte offsets of the original texts), the terms that carried the story score, every
//! score with its threshold under each preset, and the verdict in words.

use super::{EngineArgs, InputArgs};
use clap::{Args, ValueEnum};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use storyhash::corpus::{self, Document, ReadOptions};
use storyhash::explain::{explain_pair, PassageParams, Rarity};
use storyhash::pipeline::IdfSource;
use storyhash::report::pair::PairView;
use storyhash::score::Preset;
use storyhash::{CollectionBuilder, Error};

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// Two text files, or one collection (JSONL/CSV/directory) with --ids or --result.
    #[arg(required = true, num_args = 1..=2)]
    inputs: Vec<PathBuf>,
    /// The ids of the two records to explain within the collection.
    #[arg(long, num_args = 2, value_names = ["A", "B"], conflicts_with = "result", display_order = 1)]
    ids: Option<Vec<String>>,
    /// A saved JSONL result of `storyhash cluster` over the collection: explain the pairs that
    /// joined the cluster given by --cluster.
    #[arg(
        long,
        value_name = "RESULT.jsonl",
        requires = "cluster",
        display_order = 2
    )]
    result: Option<PathBuf>,
    /// With --result: the cluster id (the `id` field of its line).
    #[arg(long, value_name = "ID", requires = "result", display_order = 3)]
    cluster: Option<usize>,
    /// Field (JSONL key or CSV column) holding the headline, when it is apart from the text
    /// (as for `cluster`: read as the text's first line; offsets count in that text).
    #[arg(long, value_name = "FIELD", help_heading = "Input")]
    title_field: Option<String>,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    engine: EngineArgs,
    /// Output format: a page for people, or one JSON object per pair (one per line).
    #[arg(long, value_enum, default_value = "table", display_order = 20)]
    format: ExplainFormat,
    /// Table: the most passages shown per pair, heaviest first (JSON lists them all).
    #[arg(long, default_value_t = 8, value_name = "N", display_order = 21)]
    passages: usize,
    /// The most shared terms listed per pair.
    #[arg(long, default_value_t = 12, value_name = "N", display_order = 22)]
    terms: usize,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum ExplainFormat {
    Table,
    Json,
}

/// The documents to explain and where their statistics come from.
struct Loaded {
    docs: Vec<Document>,
    /// Pairs of input positions.
    pairs: Vec<(usize, usize)>,
    /// What the IDF is computed over, in words.
    idf_note: String,
    /// The two texts form the whole collection.
    alone: bool,
}

pub fn run(args: ExplainArgs) -> Result<ExitCode, Error> {
    args.engine.init_threads()?;
    let mut cfg = args.engine.config()?;
    let preset = cfg.preset;
    // Every lane is computed, whatever the preset decides, so that both verdicts are known.
    cfg.preset = Preset::Story;
    let opts = ReadOptions {
        title_field: args.title_field.clone(),
        ..args.input.read_options()
    };
    let loaded = load(&args, &opts)?;
    if loaded.alone {
        cfg.story.idf = IdfSource::Uniform;
    }
    let articles: Vec<storyhash::Article> = loaded.docs.into_iter().map(Into::into).collect();
    let texts: Vec<String> = articles
        .iter()
        .map(|a| a.engine_text().into_owned())
        .collect();
    let ids: Vec<String> = articles.iter().map(|a| a.id.clone()).collect();
    // Under the story preset the collection scored is the one a batch run clusters.
    let rerun = (!loaded.alone && preset != Preset::Story).then(|| articles.clone());
    let mut builder = CollectionBuilder::new(cfg.clone());
    builder.add_batch(articles);
    let coll = builder.finish()?;
    // Two texts alone: every word weighs 1, as every IDF is 1 for the scores.
    let rarity = (!loaded.alone).then(|| Rarity::build(&texts));
    // Where each pair ended in a batch run of the collection under the chosen preset.
    let together = if loaded.alone {
        None
    } else {
        let run = match rerun {
            None => coll.cluster()?,
            Some(articles) => {
                let mut run_cfg = cfg.clone();
                run_cfg.preset = preset;
                let mut b = CollectionBuilder::new(run_cfg);
                b.add_batch(articles);
                b.finish()?.cluster()?
            }
        };
        let mut cluster_of = vec![0usize; ids.len()];
        for c in &run.clusters {
            for &m in &c.members {
                cluster_of[m as usize] = c.id;
            }
        }
        Some(cluster_of)
    };
    let mut out = String::new();
    for &(a, b) in &loaded.pairs {
        let e = explain_pair(
            &coll,
            [&texts[a], &texts[b]],
            a,
            b,
            rarity.as_ref(),
            PassageParams::default(),
            args.terms,
        );
        let view = PairView {
            ids: [&ids[a], &ids[b]],
            texts: [&texts[a], &texts[b]],
            coll: &coll,
            pos: (a, b),
            e: &e,
            t: cfg.thresholds,
            preset,
            idf_note: &loaded.idf_note,
            clusters: together.as_ref().map(|c| (c[a], c[b])),
        };
        match args.format {
            ExplainFormat::Json => {
                let _ = writeln!(out, "{}", view.json());
            }
            ExplainFormat::Table => {
                if !out.is_empty() {
                    out.push('\n');
                }
                view.table(&mut out, args.passages);
            }
        }
    }
    super::emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn load(args: &ExplainArgs, opts: &ReadOptions) -> Result<Loaded, Error> {
    match (&args.ids, &args.result, args.inputs.as_slice()) {
        (Some(ids), None, [collection]) => {
            let docs = read_collection(collection, opts)?;
            let find = |id: &str| find_id(&docs, id, collection);
            let pair = (find(&ids[0])?, find(&ids[1])?);
            let n = docs.len();
            Ok(Loaded {
                docs,
                pairs: vec![pair],
                idf_note: format!("IDF over the {n} documents of {}", collection.display()),
                alone: false,
            })
        }
        (None, Some(result), [collection]) => {
            let wanted = args.cluster.expect("clap requires --cluster with --result");
            let docs = read_collection(collection, opts)?;
            let pair_ids = result_pairs(result, wanted)?;
            let pos: HashMap<&str, usize> = docs
                .iter()
                .enumerate()
                .map(|(i, d)| (d.id.as_str(), i))
                .collect();
            let mut pairs = Vec::new();
            for (a, b) in &pair_ids {
                let find = |id: &str| {
                    pos.get(id).copied().ok_or_else(|| {
                        Error::Config(format!(
                            "cluster {wanted} of {} names {id:?}, which {} does not hold: give the input the result was made from",
                            result.display(),
                            collection.display()
                        ))
                    })
                };
                pairs.push((find(a)?, find(b)?));
            }
            let n = docs.len();
            Ok(Loaded {
                docs,
                pairs,
                idf_note: format!("IDF over the {n} documents of {}", collection.display()),
                alone: false,
            })
        }
        (None, None, [a, b]) => Ok(Loaded {
            docs: vec![super::read_text_file(a)?, super::read_text_file(b)?],
            pairs: vec![(0, 1)],
            idf_note: "no collection: every IDF is 1 (give a collection and --ids for real weights)"
                .into(),
            alone: true,
        }),
        _ => Err(Error::Config(
            "give two text files, or one collection with --ids A B or --result RESULT.jsonl --cluster ID"
                .into(),
        )),
    }
}

fn read_collection(path: &PathBuf, opts: &ReadOptions) -> Result<Vec<Document>, Error> {
    corpus::open_all(std::slice::from_ref(path), opts)?.collect()
}

fn find_id(docs: &[Document], id: &str, collection: &std::path::Path) -> Result<usize, Error> {
    docs.iter().position(|d| d.id == id).ok_or_else(|| {
        Error::Config(format!(
            "no record with id {id:?} in {}",
            collection.display()
        ))
    })
}

/// The pairs that joined cluster `wanted` of a saved JSONL result, as ids.
fn result_pairs(result: &PathBuf, wanted: usize) -> Result<Vec<(String, String)>, Error> {
    let text = std::fs::read_to_string(result).map_err(|e| Error::io(result, e))?;
    let id_of = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let location = storyhash::error::Location {
            path: result.as_path().into(),
            line: n as u64 + 1,
        };
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| Error::bad(location.clone(), format!("not JSON: {e}")))?;
        if v.get("id").and_then(|x| x.as_u64()) != Some(wanted as u64) {
            continue;
        }
        let pairs = v.get("pairs").and_then(|p| p.as_array()).ok_or_else(|| {
            Error::bad(
                location.clone(),
                "no \"pairs\" list: not a storyhash cluster result",
            )
        })?;
        let mut out = Vec::new();
        for p in pairs {
            match (p.get("a").and_then(id_of), p.get("b").and_then(id_of)) {
                (Some(a), Some(b)) => out.push((a, b)),
                _ => return Err(Error::bad(location, "a pair without ids \"a\" and \"b\"")),
            }
        }
        if out.is_empty() {
            return Err(Error::Config(format!(
                "cluster {wanted} of {} is a single document: nothing joined it",
                result.display()
            )));
        }
        return Ok(out);
    }
    Err(Error::Config(format!(
        "no cluster with id {wanted} in {}",
        result.display()
    )))
}
