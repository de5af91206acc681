//! `storyhash explain`: why two documents match, or do not: the passages they share (aligned,
//! with byte offsets of the original texts), the terms that carried the story score, every
//! score with its threshold under each preset, and the verdict in words.

use super::{EngineArgs, InputArgs};
use clap::{Args, ValueEnum};
use serde_json::json;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use storyhash::corpus::{self, Document, ReadOptions};
use storyhash::explain::{explain_pair, Explanation, PassageParams, Rarity};
use storyhash::pipeline::IdfSource;
use storyhash::report::round4;
use storyhash::score::{Preset, Thresholds};
use storyhash::{Collection, CollectionBuilder, Error};

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

/// One pair, with all it takes to print it.
struct PairView<'a> {
    ids: [&'a str; 2],
    texts: [&'a str; 2],
    coll: &'a Collection,
    pos: (usize, usize),
    e: &'a Explanation,
    t: Thresholds,
    preset: Preset,
    idf_note: &'a str,
    /// The clusters of the two documents in a batch run, when there is a collection.
    clusters: Option<(usize, usize)>,
}

impl PairView<'_> {
    /// (side, estimate, its lower bound, threshold, samples).
    fn containment(&self) -> Option<(&str, f64, f64, f64, u32)> {
        let c = self.coll.containment(self.pos.0, self.pos.1)?;
        let t = self.coll.cfg.copy.contain?.threshold;
        let side = if c.first { "a in b" } else { "b in a" };
        Some((side, c.value, c.lower_bound(), t, c.samples))
    }

    fn verdicts(&self) -> [(Preset, &'static str, f64, f64, Option<&'static str>); 2] {
        let s = self.coll.scores(self.pos.0, self.pos.1);
        let decide = |p: Preset| s.decide(p, self.t).map(|e| e.name());
        [
            (
                Preset::Copy,
                "word shingle Jaccard (MinHash estimate)",
                s.jaccard,
                self.t.copy,
                decide(Preset::Copy),
            ),
            (
                Preset::Story,
                "story score (IDF cosine)",
                s.story.unwrap_or(0.0),
                self.t.story,
                decide(Preset::Story),
            ),
        ]
    }

    /// The verdict in words, under the chosen preset first.
    fn verdict(&self) -> String {
        let [copy, story] = self.verdicts();
        let what = match (copy.4, story.4.is_some()) {
            (Some("contained"), _) => {
                "a trimmed copy (the shorter text's shingles are in the longer)"
            }
            (Some(_), _) => "copies of one text",
            (None, true) => "the same story, not copies",
            (None, false) => "not the same story",
        };
        let reason = |v: &(Preset, &str, f64, f64, Option<&str>)| {
            format!(
                "{} {:.4} {} the {} threshold {}",
                v.1,
                v.2,
                match v.0 {
                    // The copy rule allows for the estimate's rounding (`score::copies`).
                    Preset::Copy if matches!(v.4, Some("copy" | "exact")) => "reaches",
                    Preset::Story if v.2 >= v.3 => "reaches",
                    _ => "is below",
                },
                v.0.name(),
                v.3
            )
        };
        let contained = match self.containment() {
            Some((side, v, lb, t, _)) => format!(
                "; containment of {side} {v:.4} (at least {lb:.4}) {} the containment threshold {t}",
                if lb >= t { "reaches" } else { "is below" }
            ),
            None => String::new(),
        };
        let mut s = format!(
            "{what}: {}{contained}; {}. Under --preset {} they {}.",
            reason(&copy),
            reason(&story),
            self.preset.name(),
            match (self.preset, copy.4, story.4) {
                (Preset::Copy, Some(e), _) | (Preset::Story, _, Some(e)) =>
                    format!("are joined ({e} evidence)"),
                _ => "are not joined as a pair".into(),
            }
        );
        if let Some((x, y)) = self.clusters {
            let _ = write!(
                s,
                " In a run of `cluster` over the collection they are {}.",
                if x == y {
                    format!("in one cluster ({x})")
                } else {
                    format!("in different clusters ({x} and {y})")
                }
            );
        }
        s
    }

    fn json(&self) -> serde_json::Value {
        let measures: serde_json::Map<String, serde_json::Value> =
            storyhash::explain::pair_measures(self.coll, self.texts, self.pos.0, self.pos.1)
                .into_iter()
                .map(|(k, v)| (k, json!(round4(v))))
                .collect();
        let presets: Vec<serde_json::Value> = self
            .verdicts()
            .iter()
            .map(|(p, score_name, score, threshold, evidence)| {
                json!({"preset": p.name(), "score": score_name, "value": round4(*score),
                       "threshold": threshold, "joins": evidence.is_some(), "evidence": evidence})
            })
            .collect();
        let passages: Vec<serde_json::Value> = self
            .e
            .passages
            .iter()
            .map(|p| {
                json!({"a": [p.a.start, p.a.end], "b": [p.b.start, p.b.end], "words": p.words,
                       "weight": round4(p.weight),
                       "runs": p.runs.iter().map(|r| [r.a.start, r.a.end, r.b.start, r.b.end]).collect::<Vec<_>>()})
            })
            .collect();
        let terms: Vec<serde_json::Value> = self
            .e
            .terms
            .iter()
            .map(|t| json!({"word": t.word, "weight": round4(t.weight), "share": t.share.map(round4)}))
            .collect();
        json!({
            "a": self.ids[0], "b": self.ids[1], "idf": self.idf_note,
            "preset": self.preset.name(),
            "verdict": self.verdict(),
            "presets": presets,
            "together": self.clusters.map(|(x, y)| x == y),
            "containment": self.containment().map(|(side, v, lb, t, n)| json!({
                "of": side, "value": round4(v), "lower_bound": round4(lb), "threshold": t,
                "samples": n, "joins": lb >= t,
            })),
            "measures": measures,
            "passages": passages,
            "terms": terms,
        })
    }

    fn table(&self, out: &mut String, max_passages: usize) {
        let _ = writeln!(
            out,
            "a: {}\nb: {}\n({})\n",
            self.ids[0], self.ids[1], self.idf_note
        );
        let _ = writeln!(out, "{}\n", wrap(&self.verdict(), 92));
        let _ = writeln!(
            out,
            "{:<52} {:>8} {:>9}  reaches it",
            "relation", "value", "threshold"
        );
        let yes = |b: bool| if b { "yes" } else { "no" };
        let [copy, story] = self.verdicts();
        let _ = writeln!(
            out,
            "{:<52} {:>8.4} {:>9}  {}",
            copy.1,
            copy.2,
            copy.3,
            yes(matches!(copy.4, Some("copy" | "exact")))
        );
        if let Some((side, v, lb, t, n)) = self.containment() {
            let name = format!("containment of {side}, lower bound ({n} samples)");
            let _ = writeln!(out, "{name:<52} {lb:>8.4} {t:>9}  {}", yes(lb >= t));
            let _ = writeln!(out, "{:<52} {v:>8.4}", "containment estimate");
        }
        let _ = writeln!(
            out,
            "{:<52} {:>8.4} {:>9}  {}",
            story.1,
            story.2,
            story.3,
            yes(story.2 >= story.3 && story.2 > 0.0)
        );
        for (p, _, _, _, e) in [copy, story] {
            let verdict = match e {
                Some(e) => format!("joins them ({e} evidence)"),
                None => "does not join them".into(),
            };
            let _ = writeln!(out, "--preset {}: {verdict}", p.name());
        }
        let _ = writeln!(out, "\nexact measures:");
        let m: HashMap<String, f64> =
            storyhash::explain::pair_measures(self.coll, self.texts, self.pos.0, self.pos.1)
                .into_iter()
                .collect();
        for k in [
            "word 5-gram jaccard",
            "word 5-gram containment a in b",
            "word 5-gram containment b in a",
            "word 1-gram jaccard",
        ] {
            if let Some(v) = m.get(k) {
                let _ = writeln!(out, "{k:<52} {v:>8.4}");
            }
        }
        let total_words: usize = self.e.passages.iter().map(|p| p.words).sum();
        let _ = writeln!(
            out,
            "\nshared passages: {} ({} words){}",
            self.e.passages.len(),
            total_words,
            if self.e.passages.len() > max_passages {
                format!(", the {max_passages} heaviest shown (--passages N)")
            } else {
                String::new()
            }
        );
        let mut order: Vec<usize> = (0..self.e.passages.len()).collect();
        order.sort_by(|&x, &y| {
            let (px, py) = (&self.e.passages[x], &self.e.passages[y]);
            py.weight.total_cmp(&px.weight).then(x.cmp(&y))
        });
        order.truncate(max_passages);
        order.sort_unstable();
        for k in order {
            let p = &self.e.passages[k];
            let (ta, tb) = (&self.texts[0][p.a.clone()], &self.texts[1][p.b.clone()]);
            let _ = writeln!(
                out,
                "  {:>3}. {} words, weight {:.2}, a {}..{}, b {}..{}",
                k + 1,
                p.words,
                p.weight,
                p.a.start,
                p.a.end,
                p.b.start,
                p.b.end
            );
            let _ = writeln!(out, "       a: \"{}\"", clip(ta, 150));
            if ta != tb {
                let _ = writeln!(out, "       b: \"{}\"", clip(tb, 150));
            }
        }
        if !self.e.terms.is_empty() {
            let shares = self.e.terms.iter().any(|t| t.share.is_some());
            let _ = writeln!(
                out,
                "\n{}",
                if shares {
                    "distinctive shared terms (product of weights, share of the story score):"
                } else {
                    "rarest shared words (IDF):"
                }
            );
            for t in &self.e.terms {
                match t.share {
                    Some(s) => {
                        let _ = writeln!(
                            out,
                            "  {:<24} {:>8.4} {:>6.1}%",
                            t.word,
                            t.weight,
                            100.0 * s
                        );
                    }
                    None => {
                        let _ = writeln!(out, "  {:<24} {:>8.4}", t.word, t.weight);
                    }
                }
            }
        }
    }
}

/// `s` on one line, cut to `max` characters with an ellipsis in the middle.
fn clip(s: &str, max: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let n = flat.chars().count();
    if n <= max {
        return flat;
    }
    let head: String = flat.chars().take(max / 2).collect();
    let tail: String = flat.chars().skip(n - max / 2).collect();
    format!("{head} … {tail}")
}

/// Wrap `s` at spaces to lines of at most `width` characters.
fn wrap(s: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for w in s.split(' ') {
        let n = w.chars().count();
        if line > 0 && line + 1 + n > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(w);
        line += n;
    }
    out
}
