//! One pair of documents explained: each preset's verdict in words and its scores, the shared
//! passages and the terms behind the story score, as a page of text or a JSON object. The CLI's
//! `explain` and the Python module's `explain` both print [`PairView`]s, so the two give the
//! same bytes.

use serde_json::json;
use std::collections::HashMap;
use std::fmt::Write as _;
use storyhash_core::explain::Explanation;
use storyhash_core::score::{Preset, Thresholds};
use storyhash_core::Collection;

use crate::round4;

/// One preset's verdict: (preset, score name, score, threshold, evidence when it joins).
pub type Verdict = (Preset, &'static str, f64, f64, Option<&'static str>);

/// One pair of a collection, with all it takes to explain it: `storyhash explain` prints it as
/// a page of text ([`PairView::table`]) or a JSON object ([`PairView::json`]), and the Python
/// module gives the same object.
pub struct PairView<'a> {
    /// The two documents' ids.
    pub ids: [&'a str; 2],
    /// Their texts.
    pub texts: [&'a str; 2],
    /// The collection they were signed and scored in.
    pub coll: &'a Collection,
    /// Their positions in it.
    pub pos: (usize, usize),
    /// Their shared passages and terms ([`storyhash_core::explain::explain_pair`]).
    pub e: &'a Explanation,
    /// The thresholds of the verdicts.
    pub t: Thresholds,
    /// The preset asked for, whose verdict comes first.
    pub preset: Preset,
    /// Where the IDF came from, in words.
    pub idf_note: &'a str,
    /// The clusters of the two documents in a batch run, when there is a collection.
    pub clusters: Option<(usize, usize)>,
}

impl PairView<'_> {
    /// (side, estimate, its lower bound, threshold, samples).
    pub fn containment(&self) -> Option<(&str, f64, f64, f64, u32)> {
        let c = self.coll.containment(self.pos.0, self.pos.1)?;
        let t = self.coll.cfg.copy.contain?.threshold;
        let side = if c.first { "a in b" } else { "b in a" };
        Some((side, c.value, c.lower_bound(), t, c.samples))
    }

    /// The copy preset's verdict and the story preset's.
    pub fn verdicts(&self) -> [Verdict; 2] {
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
    pub fn verdict(&self) -> String {
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

    /// The object `storyhash explain --format json` prints for the pair.
    pub fn json(&self) -> serde_json::Value {
        let measures: serde_json::Map<String, serde_json::Value> =
            storyhash_core::explain::pair_measures(self.coll, self.texts, self.pos.0, self.pos.1)
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

    /// The page `storyhash explain` prints for the pair, its `max_passages` heaviest shared
    /// passages shown.
    pub fn table(&self, out: &mut String, max_passages: usize) {
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
            storyhash_core::explain::pair_measures(self.coll, self.texts, self.pos.0, self.pos.1)
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

/// The object `storyhash compare --format json` prints for documents `pos` of `coll`: their
/// exact `measures` ([`storyhash_core::explain::pair_measures`]) and each preset's verdict,
/// `preset` being the one asked for.
pub fn compare_json(
    coll: &Collection,
    ids: [&str; 2],
    pos: (usize, usize),
    measures: &[(String, f64)],
    idf_note: &str,
    preset: Preset,
) -> serde_json::Value {
    let scores = coll.scores(pos.0, pos.1);
    let t = coll.cfg.thresholds;
    let joins = |p: Preset| scores.decide(p, t).map(|e| e.name());
    let m: serde_json::Map<String, serde_json::Value> = measures
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    json!({
        "a": ids[0], "b": ids[1], "idf": idf_note, "measures": m,
        "copy": {"threshold": t.copy, "joins": joins(Preset::Copy).is_some()},
        "story": {"threshold": t.story, "joins": joins(Preset::Story).is_some(),
                  "evidence": joins(Preset::Story)},
        "preset": preset.name(),
    })
}
