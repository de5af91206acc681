//! `storyhash eval`: cluster a labelled collection (or score labelled pairs) and compare with
//! the gold labels. Collection statistics (IDF, boilerplate) come from the texts being
//! evaluated, exactly as `cluster` computes them over its input.

use super::{EngineArgs, InputArgs};
use clap::{Args, ValueEnum};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::ExitCode;
use storyhash::corpus::{self, Document};
use storyhash::error::Location;
use storyhash::eval::{at_threshold, best_f1, cluster_quality, pearson, roc_auc, spearman};
use storyhash::pipeline::Collection;
use storyhash::score::Preset;
use storyhash::{CollectionBuilder, Error};

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// A labelled collection (JSONL) to cluster; with --pairs, the documents the pairs' ids
    /// point into.
    input: Option<PathBuf>,
    /// Field of INPUT holding the gold cluster label (collection mode).
    #[arg(long, value_name = "FIELD", display_order = 1)]
    gold_field: Option<String>,
    /// Pair-labelled JSONL: texts inline (a_<text-field>, b_<text-field>) or ids into INPUT
    /// (fields a/b or a_id/b_id).
    #[arg(long, value_name = "PAIRS.jsonl", display_order = 2)]
    pairs: Option<PathBuf>,
    /// Pair field holding the binary label (0/1 or true/false).
    #[arg(
        long,
        default_value = "label",
        value_name = "FIELD",
        help_heading = "Pairs"
    )]
    label_field: String,
    /// Pair field holding a graded score, for Spearman and Pearson.
    #[arg(long, value_name = "FIELD", help_heading = "Pairs")]
    score_field: Option<String>,
    /// The graded score is a distance: lower means closer (SemEval's `overall`).
    #[arg(long, help_heading = "Pairs")]
    lower_is_closer: bool,
    /// Report pair metrics per value of this field too (e.g. lang).
    #[arg(long, value_name = "FIELD", help_heading = "Pairs")]
    group_by: Option<String>,
    /// Join a_<title-field>/b_<title-field> before the text of inline pairs.
    #[arg(long, value_name = "FIELD", help_heading = "Pairs")]
    title_field: Option<String>,
    /// Print metrics at each threshold: threshold=FROM:TO:STEP.
    #[arg(long, value_name = "threshold=FROM:TO:STEP", display_order = 20)]
    sweep: Option<String>,
    /// Print the N worst false merges and false splits, with the terms that decided them.
    #[arg(long, default_value_t = 0, value_name = "N", display_order = 21)]
    errors: usize,
    /// Output format.
    #[arg(long, value_enum, default_value = "table", display_order = 22)]
    format: EvalFormat,
    #[command(flatten)]
    input_args: InputArgs,
    #[command(flatten)]
    engine: EngineArgs,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum EvalFormat {
    Table,
    Json,
}

pub fn run(args: EvalArgs) -> Result<ExitCode, Error> {
    args.engine.init_threads()?;
    let sweep = args.sweep.as_deref().map(parse_sweep).transpose()?;
    let report = match (&args.pairs, &args.gold_field) {
        (Some(p), _) => eval_pairs(&args, p, sweep.as_deref())?,
        (None, Some(g)) => {
            let input = args.input.as_ref().ok_or_else(|| {
                Error::Config("collection mode needs INPUT and --gold-field".into())
            })?;
            eval_collection(&args, input, g, sweep.as_deref())?
        }
        (None, None) => {
            return Err(Error::Config(
                "give INPUT --gold-field FIELD (clusters) or --pairs PAIRS.jsonl (pairs)".into(),
            ))
        }
    };
    let mut text = String::new();
    if args.format == EvalFormat::Json {
        text = format!("{report}\n");
    } else {
        table(&report, 0, &mut text);
    }
    super::emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn parse_sweep(s: &str) -> Result<Vec<f64>, Error> {
    let bad = || Error::Config(format!("--sweep wants threshold=FROM:TO:STEP, got {s:?}"));
    let spec = s.strip_prefix("threshold=").ok_or_else(bad)?;
    let v: Vec<f64> = spec
        .split(':')
        .map(|x| x.parse::<f64>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let [from, to, step] = v[..] else {
        return Err(bad());
    };
    if step <= 0.0 || from > to {
        return Err(bad());
    }
    let n = ((to - from) / step + 1e-9).floor() as usize;
    Ok((0..=n)
        .map(|i| ((from + i as f64 * step) * 1e6).round() / 1e6)
        .collect())
}

fn label_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn build(args: &EvalArgs, docs: Vec<Document>) -> Result<Collection, Error> {
    let cfg = args.engine.config()?;
    let mut b = CollectionBuilder::new(cfg);
    b.add_batch(docs.into_iter().map(Into::into).collect());
    b.finish()
}

/// The terms two documents share, heaviest first (story vectors; words recovered from texts).
/// The `k` heaviest shared story terms of a pair, as words.
fn shared_terms(coll: &Collection, texts: &[String], a: usize, b: usize, k: usize) -> Vec<String> {
    storyhash::explain::shared_terms(coll, [&texts[a], &texts[b]], a, b, k)
        .into_iter()
        .map(|t| t.word)
        .collect()
}

fn eval_collection(
    args: &EvalArgs,
    input: &PathBuf,
    gold_field: &str,
    sweep: Option<&[f64]>,
) -> Result<Value, Error> {
    let start = std::time::Instant::now();
    let opts = args.input_args.read_options();
    let docs: Vec<Document> =
        corpus::open_all(std::slice::from_ref(input), &opts)?.collect::<Result<_, _>>()?;
    // Gold labels by id, from a second pass over the JSONL records.
    let mut gold_by_id: HashMap<String, String> = HashMap::new();
    for (line, v) in corpus::json_records(input)? {
        let loc = Location {
            path: input.as_path().into(),
            line,
        };
        let id = v.get(&opts.id_field).and_then(label_string);
        let g = v.get(gold_field).and_then(label_string);
        match (id, g) {
            (Some(id), Some(g)) => {
                gold_by_id.insert(id, g);
            }
            (_, None) => return Err(Error::bad(loc, format!("no gold field {gold_field:?}"))),
            (None, _) => return Err(Error::bad(loc, "no id")),
        }
    }
    let mut gold_ids: HashMap<String, usize> = HashMap::new();
    let gold: Vec<usize> = docs
        .iter()
        .map(|d| {
            let g = gold_by_id.get(&d.id).cloned().unwrap_or_default();
            let n = gold_ids.len();
            *gold_ids.entry(g).or_insert(n)
        })
        .collect();
    let texts: Vec<String> = docs.iter().map(|d| d.text.clone()).collect();
    let ids: Vec<String> = docs.iter().map(|d| d.id.clone()).collect();
    let coll = build(args, docs)?;
    let cands = coll.candidates()?;
    let preset = coll.cfg.preset;
    let base = coll.cfg.thresholds;
    let run = coll.cluster_candidates(&cands, base);
    let elapsed = start.elapsed().as_secs_f64();
    let mut predicted = vec![0usize; ids.len()];
    for c in &run.clusters {
        for &m in &c.members {
            predicted[m as usize] = c.id;
        }
    }
    let q = cluster_quality(&predicted, &gold);
    // Candidate recall: gold pairs the LSH stage proposed; and those proposed but not joined
    // directly by verification.
    let cand_set: HashSet<(u32, u32)> = cands.iter().copied().collect();
    let verified: HashSet<(u32, u32)> = run.pairs.iter().map(|p| (p.a, p.b)).collect();
    let mut by_gold: HashMap<usize, Vec<u32>> = HashMap::new();
    for (i, &g) in gold.iter().enumerate() {
        by_gold.entry(g).or_default().push(i as u32);
    }
    let (mut gold_pairs, mut proposed, mut rejected) = (0u64, 0u64, 0u64);
    let mut misses: Vec<(f64, u32, u32)> = Vec::new();
    for members in by_gold.values() {
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                gold_pairs += 1;
                if coll.proposed(&cand_set, a, b) {
                    proposed += 1;
                    if !verified.contains(&(a, b)) {
                        rejected += 1;
                    }
                }
                if predicted[a as usize] != predicted[b as usize] && args.errors > 0 {
                    let s = coll.scores(a as usize, b as usize).primary(preset);
                    misses.push((s, a, b));
                }
            }
        }
    }
    let mut out = json!({
        "mode": "clusters",
        "input": input.display().to_string(),
        "preset": preset.name(),
        "threshold": if preset == Preset::Copy { base.copy } else { base.story },
        "documents": ids.len(),
        "gold_clusters": gold_ids.len(),
        "predicted_clusters": run.clusters.len(),
        "pairwise": q.pairwise,
        "bcubed": q.bcubed,
        "ari": q.ari,
        "gold_pairs": gold_pairs,
        "candidate_recall": if gold_pairs == 0 { 1.0 } else { proposed as f64 / gold_pairs as f64 },
        "gold_pairs_never_proposed": gold_pairs - proposed,
        "gold_pairs_proposed_but_rejected": rejected,
        "candidates": cands.len(),
        "seconds": elapsed,
    });
    if let Some(ts) = sweep {
        let rows: Vec<Value> = ts
            .iter()
            .map(|&t| {
                let r = coll.cluster_candidates(&cands, base.with(preset, t));
                let mut p = vec![0usize; ids.len()];
                for c in &r.clusters {
                    for &m in &c.members {
                        p[m as usize] = c.id;
                    }
                }
                let q = cluster_quality(&p, &gold);
                json!({"threshold": t, "pairwise_f1": q.pairwise.f1, "bcubed_f1": q.bcubed.f1, "ari": q.ari})
            })
            .collect();
        out["sweep"] = Value::Array(rows);
    }
    if args.errors > 0 {
        let mut merges: Vec<(f64, u32, u32)> = run
            .pairs
            .iter()
            .filter(|p| gold[p.a as usize] != gold[p.b as usize])
            .map(|p| (p.similarity, p.a, p.b))
            .collect();
        merges.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
        misses.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
        let show = |v: &[(f64, u32, u32)]| -> Vec<Value> {
            v.iter()
                .take(args.errors)
                .map(|&(s, a, b)| {
                    json!({"a": ids[a as usize], "b": ids[b as usize], "score": s,
                           "shared_terms": shared_terms(&coll, &texts, a as usize, b as usize, 10)})
                })
                .collect()
        };
        out["false_merges"] = Value::Array(show(&merges));
        out["false_splits"] = Value::Array(show(&misses));
    }
    Ok(out)
}

struct Pair {
    a: usize,
    b: usize,
    label: Option<bool>,
    graded: Option<f64>,
    group: Option<String>,
}

fn eval_pairs(
    args: &EvalArgs,
    pairs_path: &std::path::Path,
    sweep: Option<&[f64]>,
) -> Result<Value, Error> {
    let start = std::time::Instant::now();
    let opts = args.input_args.read_options();
    let records = corpus::json_records(pairs_path)?;
    let mut docs: Vec<Document> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    if let Some(input) = &args.input {
        for d in corpus::open_all(std::slice::from_ref(input), &opts)? {
            let d = d?;
            index.insert(d.id.clone(), docs.len());
            docs.push(d);
        }
    }
    let mut pairs = Vec::new();
    for (line, v) in &records {
        let loc = Location {
            path: pairs_path.into(),
            line: *line,
        };
        let mut side = |s: &str| -> Result<usize, Error> {
            let id = v
                .get(format!("{s}_{}", opts.id_field))
                .or_else(|| v.get(s))
                .and_then(label_string);
            if args.input.is_some() {
                let id =
                    id.ok_or_else(|| Error::bad(loc.clone(), format!("no {s} or {s}_id field")))?;
                return index
                    .get(&id)
                    .copied()
                    .ok_or_else(|| Error::bad(loc.clone(), format!("id {id:?} is not in INPUT")));
            }
            let id = id.unwrap_or_else(|| format!("{}#{line}-{s}", pairs_path.display()));
            if let Some(&i) = index.get(&id) {
                return Ok(i);
            }
            let tf = format!("{s}_{}", opts.text_field);
            let text = v
                .get(&tf)
                .and_then(Value::as_str)
                .ok_or_else(|| Error::bad(loc.clone(), format!("no string field {tf:?}")))?;
            let title = args
                .title_field
                .as_ref()
                .and_then(|t| v.get(format!("{s}_{t}")))
                .and_then(Value::as_str)
                .unwrap_or("");
            let text = if title.is_empty() {
                text.to_owned()
            } else {
                format!("{title}\n{text}")
            };
            index.insert(id.clone(), docs.len());
            docs.push(Document::new(id, text, loc.clone()));
            Ok(docs.len() - 1)
        };
        let (a, b) = (side("a")?, side("b")?);
        let label = match v.get(&args.label_field) {
            Some(Value::Bool(x)) => Some(*x),
            Some(Value::Number(n)) => n.as_f64().map(|x| x >= 0.5),
            _ => None,
        };
        let graded = args
            .score_field
            .as_ref()
            .and_then(|f| v.get(f))
            .and_then(Value::as_f64)
            .map(|x| if args.lower_is_closer { -x } else { x });
        let group = args
            .group_by
            .as_ref()
            .and_then(|g| v.get(g))
            .and_then(label_string);
        pairs.push(Pair {
            a,
            b,
            label,
            graded,
            group,
        });
    }
    let texts: Vec<String> = docs.iter().map(|d| d.text.clone()).collect();
    let ids: Vec<String> = docs.iter().map(|d| d.id.clone()).collect();
    let n_docs = docs.len();
    let coll = build(args, docs)?;
    let preset = coll.cfg.preset;
    let base = coll.cfg.thresholds;
    let default_t = if preset == Preset::Copy {
        base.copy
    } else {
        base.story
    };
    let cands: HashSet<(u32, u32)> = coll.candidates()?.into_iter().collect();
    let scores: Vec<f64> = pairs
        .iter()
        .map(|p| coll.scores(p.a, p.b).primary(preset))
        .collect();
    let proposed: Vec<bool> = pairs
        .iter()
        .map(|p| coll.proposed(&cands, p.a as u32, p.b as u32))
        .collect();
    let elapsed = start.elapsed().as_secs_f64();
    let summarize = |sel: &dyn Fn(&Pair) -> bool| -> Value {
        let idx: Vec<usize> = (0..pairs.len()).filter(|&i| sel(&pairs[i])).collect();
        let lab: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|&i| pairs[i].label.is_some())
            .collect();
        let s: Vec<f64> = lab.iter().map(|&i| scores[i]).collect();
        let l: Vec<bool> = lab.iter().map(|&i| pairs[i].label == Some(true)).collect();
        let gr: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|&i| pairs[i].graded.is_some())
            .collect();
        let gs: Vec<f64> = gr.iter().map(|&i| scores[i]).collect();
        let gy: Vec<f64> = gr.iter().filter_map(|&i| pairs[i].graded).collect();
        let pos: Vec<usize> = lab
            .iter()
            .copied()
            .filter(|&i| pairs[i].label == Some(true))
            .collect();
        let cand_recall = if pos.is_empty() {
            None
        } else {
            Some(pos.iter().filter(|&&i| proposed[i]).count() as f64 / pos.len() as f64)
        };
        let mut o = json!({
            "pairs": idx.len(),
            "positives": pos.len(),
            "auc": roc_auc(&s, &l),
            "best_f1": best_f1(&s, &l),
            "at_default_threshold": at_threshold(&s, &l, default_t),
            "candidate_recall": cand_recall,
        });
        if !gr.is_empty() {
            o["spearman"] = json!(spearman(&gs, &gy));
            o["pearson"] = json!(pearson(&gs, &gy));
        }
        if let Some(ts) = sweep {
            o["sweep"] = Value::Array(ts.iter().map(|&t| json!(at_threshold(&s, &l, t))).collect());
        }
        o
    };
    let mut out = json!({
        "mode": "pairs",
        "pairs_file": pairs_path.display().to_string(),
        "preset": preset.name(),
        "threshold": default_t,
        "documents": n_docs,
        "seconds": elapsed,
        "all": summarize(&|_| true),
    });
    if args.group_by.is_some() {
        let mut groups: Vec<String> = pairs.iter().filter_map(|p| p.group.clone()).collect();
        groups.sort();
        groups.dedup();
        let mut by = serde_json::Map::new();
        for g in groups {
            by.insert(
                g.clone(),
                summarize(&|p: &Pair| p.group.as_deref() == Some(g.as_str())),
            );
        }
        out["groups"] = Value::Object(by);
    }
    if args.errors > 0 {
        let mut fp: Vec<usize> = (0..pairs.len())
            .filter(|&i| pairs[i].label == Some(false))
            .collect();
        fp.sort_by(|&x, &y| scores[y].total_cmp(&scores[x]).then(x.cmp(&y)));
        let mut fne: Vec<usize> = (0..pairs.len())
            .filter(|&i| pairs[i].label == Some(true))
            .collect();
        fne.sort_by(|&x, &y| scores[x].total_cmp(&scores[y]).then(x.cmp(&y)));
        let show = |v: &[usize]| -> Vec<Value> {
            v.iter()
                .take(args.errors)
                .map(|&i| {
                    let p = &pairs[i];
                    json!({"a": ids[p.a], "b": ids[p.b], "score": scores[i],
                           "shared_terms": shared_terms(&coll, &texts, p.a, p.b, 10)})
                })
                .collect()
        };
        out["false_merges"] = Value::Array(show(&fp));
        out["false_splits"] = Value::Array(show(&fne));
    }
    Ok(out)
}

fn fmt_value(v: &Value) -> String {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => format!("{f:.4}"),
            _ => n.to_string(),
        },
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

/// `v` as an indented table of names and values, appended to `out`.
fn table(v: &Value, indent: usize, out: &mut String) {
    use std::fmt::Write;
    let pad = " ".repeat(indent);
    let Value::Object(m) = v else { return };
    for (k, x) in m {
        match x {
            Value::Object(inner) if inner.values().all(|y| !y.is_object() && !y.is_array()) => {
                let parts: Vec<String> = inner
                    .iter()
                    .map(|(a, b)| format!("{a} {}", fmt_value(b)))
                    .collect();
                let _ = writeln!(out, "{pad}{k:<34} {}", parts.join("  "));
            }
            Value::Object(_) => {
                let _ = writeln!(out, "{pad}{k}:");
                table(x, indent + 2, out);
            }
            Value::Array(items) => {
                let _ = writeln!(out, "{pad}{k}:");
                for it in items {
                    match it {
                        Value::Object(o) => {
                            let parts: Vec<String> = o
                                .iter()
                                .map(|(a, b)| match b {
                                    Value::Object(inner) => {
                                        let named: Vec<String> = inner
                                            .iter()
                                            .map(|(n, y)| format!("{n} {}", fmt_value(y)))
                                            .collect();
                                        format!("{a} {}", named.join(" "))
                                    }
                                    _ => format!("{a} {}", fmt_value(b)),
                                })
                                .collect();
                            let _ = writeln!(out, "{pad}  {}", parts.join("  "));
                        }
                        other => {
                            let _ = writeln!(out, "{pad}  {}", fmt_value(other));
                        }
                    }
                }
            }
            _ => {
                let _ = writeln!(out, "{pad}{k:<34} {}", fmt_value(x));
            }
        }
    }
}
