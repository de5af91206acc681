//! `storyhash report`: the HTML page of a saved JSONL result, with the inputs it was made
//! from (the texts, and the collection statistics that weigh the passages).

use super::{EngineArgs, InputArgs};
use clap::Args;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use storyhash::corpus::{self, ReadOptions};
use storyhash::error::Location;
use storyhash::{CollectionBuilder, Error};

use super::page::{ClusterRow, PairRow};

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A JSONL result of `storyhash cluster`.
    result: PathBuf,
    /// The inputs the result was made from (every input format `cluster` reads).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Write the page to FILE (default: stdout).
    #[arg(long, short, value_name = "FILE", display_order = 1)]
    out: Option<PathBuf>,
    /// Field (JSONL key or CSV column) holding the headline, as given to `cluster`.
    #[arg(long, value_name = "FIELD", help_heading = "Input")]
    title_field: Option<String>,
    #[command(flatten)]
    input: InputArgs,
    /// The options the result was made with (the preset decides the evidence and the
    /// statistics that weigh the passages).
    #[command(flatten)]
    engine: EngineArgs,
}

pub fn run(args: ReportArgs) -> Result<ExitCode, Error> {
    let start = std::time::Instant::now();
    args.engine.init_threads()?;
    let cfg = args.engine.config()?;
    let dest = match &args.out {
        Some(out) => {
            if args
                .inputs
                .iter()
                .chain(std::iter::once(&args.result))
                .any(|p| std::fs::canonicalize(p).ok() == std::fs::canonicalize(out).ok())
                && out.exists()
            {
                return Err(Error::Config(format!(
                    "--out {} is an input; refusing to overwrite it",
                    out.display()
                )));
            }
            Some(corpus::subset::Destination::create(out)?)
        }
        None => None,
    };
    let opts = ReadOptions {
        title_field: args.title_field.clone(),
        ..args.input.read_options()
    };
    let docs: Vec<corpus::Document> =
        corpus::open_all(&args.inputs, &opts)?.collect::<Result<_, _>>()?;
    let articles: Vec<storyhash::Article> = docs.into_iter().map(Into::into).collect();
    let texts: Vec<String> = articles
        .iter()
        .map(|a| a.engine_text().into_owned())
        .collect();
    let mut builder = CollectionBuilder::new(cfg.clone());
    builder.add_batch(articles);
    let coll = builder.finish()?;
    let (clusters, joins, scores) = read_result(&args.result, coll.docs.ids(), cfg.preset)?;
    let summary = super::page::summary(&coll, clusters.len(), None);
    let page = super::page::build(&coll, &texts, &clusters, &joins, scores, summary);
    let write = |w: &mut dyn std::io::Write| storyhash::report::html::write(&page, w);
    match dest {
        Some(dest) => {
            let path = dest.path().to_path_buf();
            dest.commit(|w| write(w).map_err(|e| Error::io(&path, e)))?;
        }
        None => {
            let mut out = Vec::new();
            write(&mut out).map_err(|e| Error::io("<stdout>", e))?;
            super::emit(&String::from_utf8_lossy(&out))?;
        }
    }
    eprintln!(
        "storyhash: {} documents, {} clusters, {:.2} s",
        coll.len(),
        clusters.len(),
        start.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

type Result3 = (Vec<ClusterRow>, Vec<PairRow>, Vec<f64>);

/// The clusters and pairs of a saved result, by input position of `ids`; every document of
/// the inputs must be in exactly one cluster.
fn read_result(
    path: &PathBuf,
    ids: &[String],
    preset: storyhash::Preset,
) -> Result<Result3, Error> {
    let pos: HashMap<&str, u32> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i as u32))
        .collect();
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut seen = vec![false; ids.len()];
    let (mut clusters, mut pairs, mut scores) = (Vec::new(), Vec::new(), Vec::new());
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let loc = Location {
            path: path.as_path().into(),
            line: n as u64 + 1,
        };
        let bad = |why: String| Error::bad(loc.clone(), why);
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| bad(format!("not JSON: {e}")))?;
        let find = |x: &serde_json::Value| -> Result<u32, Error> {
            let id = match x {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                other => return Err(bad(format!("{other} is not a document id"))),
            };
            pos.get(id.as_str()).copied().ok_or_else(|| {
                bad(format!(
                    "document {id:?} is not in the inputs: give the inputs the result was made from"
                ))
            })
        };
        let id = v
            .get("id")
            .and_then(|x| x.as_u64())
            .ok_or_else(|| bad("no cluster \"id\": not a storyhash cluster result".into()))?;
        let members = v
            .get("members")
            .and_then(|m| m.as_array())
            .ok_or_else(|| bad("no \"members\" list".into()))?;
        let members: Vec<u32> = members.iter().map(&find).collect::<Result<_, _>>()?;
        for &m in &members {
            if std::mem::replace(&mut seen[m as usize], true) {
                return Err(bad(format!(
                    "document {:?} is in two clusters",
                    ids[m as usize]
                )));
            }
        }
        let similarity: Vec<f64> = match v.get("similarity").and_then(|s| s.as_array()) {
            Some(s) if s.len() == members.len() => {
                s.iter().map(|x| x.as_f64().unwrap_or(0.0)).collect()
            }
            _ => return Err(bad("\"similarity\" must list one score per member".into())),
        };
        for p in v
            .get("pairs")
            .and_then(|p| p.as_array())
            .into_iter()
            .flatten()
        {
            let (a, b) = (
                find(p.get("a").unwrap_or(&serde_json::Value::Null))?,
                find(p.get("b").unwrap_or(&serde_json::Value::Null))?,
            );
            let similarity = p.get("similarity").and_then(|x| x.as_f64()).unwrap_or(0.0);
            let evidence = p
                .get("evidence")
                .and_then(|x| x.as_str())
                .unwrap_or("none")
                .to_string();
            if evidence == "story" && preset == storyhash::Preset::Copy {
                return Err(Error::Config(format!(
                    "{loc}: the result has story evidence: it was made with --preset story, not --preset copy; give the options it was made with"
                )));
            }
            scores.push(similarity);
            pairs.push(PairRow {
                a,
                b,
                similarity,
                evidence,
            });
        }
        clusters.push(ClusterRow {
            id: id as usize,
            members,
            similarity,
        });
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(Error::Config(format!(
            "{} has no cluster for document {:?} of the inputs ({} documents missing): give the inputs the result was made from",
            path.display(),
            ids[missing],
            seen.iter().filter(|s| !**s).count()
        )));
    }
    Ok((clusters, pairs, scores))
}
