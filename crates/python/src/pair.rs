//! `compare` and `explain` of two texts on their own: two texts, their ids and a config go in,
//! the JSON object `storyhash compare A B --format json` or `storyhash explain A B --format
//! json` prints for two files comes out (as a string, without the line's newline).
//!
//! As in the CLI, every lane is computed whatever the preset decides, and with no collection
//! around the two texts every IDF is 1. The objects are built here field for field as the CLI
//! builds them (`src/cli/compare.rs`, `src/cli/explain.rs`); `tests/test_pairs.py` holds the two
//! to the same bytes.

use serde_json::json;
use storyhash_core::explain::{explain_pair, pair_measures, Explanation, PassageParams};
use storyhash_core::pipeline::IdfSource;
use storyhash_core::score::{Preset, Thresholds};
use storyhash_core::{Article, Collection, CollectionBuilder, EngineConfig, Error};
use storyhash_report::round4;

/// The collection of the two texts alone (story lane on, every IDF 1), and the preset asked
/// for.
fn alone(
    mut cfg: EngineConfig,
    ids: [&str; 2],
    texts: [&str; 2],
) -> Result<(Collection, Preset), Error> {
    let preset = cfg.preset;
    cfg.preset = Preset::Story;
    cfg.story.idf = IdfSource::Uniform;
    let mut builder = CollectionBuilder::new(cfg);
    builder.add_batch(vec![
        Article::new(ids[0], texts[0]),
        Article::new(ids[1], texts[1]),
    ]);
    Ok((builder.finish()?, preset))
}

/// `storyhash compare A B --format json` of two texts.
pub(crate) fn compare(
    cfg: EngineConfig,
    ids: [&str; 2],
    texts: [&str; 2],
) -> Result<String, Error> {
    let (coll, preset) = alone(cfg, ids, texts)?;
    let scores = coll.scores(0, 1);
    let measures: serde_json::Map<String, serde_json::Value> = pair_measures(&coll, texts, 0, 1)
        .into_iter()
        .map(|(k, v)| (k, json!(v)))
        .collect();
    let t = coll.cfg.thresholds;
    let joins = |p: Preset| scores.decide(p, t).map(|e| e.name());
    Ok(json!({
        "a": ids[0], "b": ids[1], "idf": "no collection: every IDF is 1", "measures": measures,
        "copy": {"threshold": t.copy, "joins": joins(Preset::Copy).is_some()},
        "story": {"threshold": t.story, "joins": joins(Preset::Story).is_some(),
                  "evidence": joins(Preset::Story)},
        "preset": preset.name(),
    })
    .to_string())
}

/// `storyhash explain A B --format json` of two texts, with the `terms` heaviest shared
/// terms (the CLI's `--terms`, 12 by default).
pub(crate) fn explain(
    cfg: EngineConfig,
    ids: [&str; 2],
    texts: [&str; 2],
    terms: usize,
) -> Result<String, Error> {
    let (coll, preset) = alone(cfg, ids, texts)?;
    // Two texts alone: every word weighs 1, as every IDF is 1 for the scores.
    let e = explain_pair(&coll, texts, 0, 1, None, PassageParams::default(), terms);
    let view = PairView {
        ids,
        texts,
        coll: &coll,
        e: &e,
        t: coll.cfg.thresholds,
        preset,
    };
    Ok(view.json().to_string())
}

/// One pair of a collection of two, with what it takes to explain it.
struct PairView<'a> {
    ids: [&'a str; 2],
    texts: [&'a str; 2],
    coll: &'a Collection,
    e: &'a Explanation,
    t: Thresholds,
    preset: Preset,
}

/// The CLI's note on where the IDF comes from, for two texts alone.
const IDF_NOTE: &str =
    "no collection: every IDF is 1 (give a collection and --ids for real weights)";

/// (preset, score name, score, threshold, evidence).
type Verdict = (Preset, &'static str, f64, f64, Option<&'static str>);

impl PairView<'_> {
    /// (side, estimate, its lower bound, threshold, samples).
    fn containment(&self) -> Option<(&str, f64, f64, f64, u32)> {
        let c = self.coll.containment(0, 1)?;
        let t = self.coll.cfg.copy.contain?.threshold;
        let side = if c.first { "a in b" } else { "b in a" };
        Some((side, c.value, c.lower_bound(), t, c.samples))
    }

    fn verdicts(&self) -> [Verdict; 2] {
        let s = self.coll.scores(0, 1);
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

    /// The verdict in words, as `storyhash explain` gives it.
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
        let reason = |v: &Verdict| {
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
        format!(
            "{what}: {}{contained}; {}. Under --preset {} they {}.",
            reason(&copy),
            reason(&story),
            self.preset.name(),
            match (self.preset, copy.4, story.4) {
                (Preset::Copy, Some(e), _) | (Preset::Story, _, Some(e)) =>
                    format!("are joined ({e} evidence)"),
                _ => "are not joined as a pair".into(),
            }
        )
    }

    fn json(&self) -> serde_json::Value {
        let measures: serde_json::Map<String, serde_json::Value> =
            pair_measures(self.coll, self.texts, 0, 1)
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
        // Two texts alone: no batch run to place them in (`together` is null).
        json!({
            "a": self.ids[0], "b": self.ids[1], "idf": IDF_NOTE,
            "preset": self.preset.name(),
            "verdict": self.verdict(),
            "presets": presets,
            "together": serde_json::Value::Null,
            "containment": self.containment().map(|(side, v, lb, t, n)| json!({
                "of": side, "value": round4(v), "lower_bound": round4(lb), "threshold": t,
                "samples": n, "joins": lb >= t,
            })),
            "measures": measures,
            "passages": passages,
            "terms": terms,
        })
    }
}
