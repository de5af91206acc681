//! `storyhash synth`: a seeded generator of a labelled, synthetic news corpus for throughput
//! and candidate-recall benchmarks. Articles are composed of runs of real sentences taken from
//! the given sources; near-duplicate families are made from them by realistic edits (trims,
//! inserted sentences, a changed headline, typo-level substitutions, swapped paragraphs). Every
//! record says `"synthetic": true`; figures measured on it must say so too.
//!
//! Limits: a corpus larger than its sources reuses their sentences, so articles of different
//! families share text. Its `family` labels are right for near-duplicate detection (the copy
//! preset) and for throughput; they are not "same story" labels (the story preset joins
//! articles that share real paragraphs, and should), so story quality is measured on real
//! labelled data only.

use clap::Args;
use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use storyhash::corpus;
use storyhash::Error;

#[derive(Args, Debug)]
pub struct SynthArgs {
    /// JSONL files of real text (fields text, a_text, b_text are used where present).
    #[arg(long, required = true, num_args = 1.., value_name = "FILE", display_order = 1)]
    source: Vec<PathBuf>,
    /// Number of documents to write.
    #[arg(long, default_value_t = 10_000, display_order = 2)]
    docs: u64,
    /// Seed: same seed and sources, same bytes.
    #[arg(long, default_value_t = 42, display_order = 6)]
    seed: u64,
    /// Fraction of documents that are edited copies of an earlier article.
    #[arg(long, default_value_t = 0.3, display_order = 4)]
    family_rate: f64,
    /// Output file (default: stdout).
    #[arg(long, value_name = "FILE", display_order = 3)]
    out: Option<PathBuf>,
    /// Originals are the sources' real texts, whole and in order, instead of articles composed
    /// of runs of sentences (to time the story preset).
    ///
    /// Each text is used once; when they run out, every further document is an edited copy.
    /// Composed articles share real sentences with many others once the corpus outgrows its
    /// sources, which the story preset rightly joins; whole texts keep unrelated originals
    /// unrelated, so the story preset can be timed on them.
    #[arg(long, display_order = 5)]
    whole: bool,
}

/// SplitMix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        storyhash::hashed::mix64(self.0)
    }
    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

fn sentences(text: &str, out: &mut Vec<String>) {
    let mut cur = String::new();
    for c in text.chars() {
        if c == '\n' {
            if cur.split_whitespace().count() >= 4 {
                out.push(cur.trim().to_owned());
            }
            cur.clear();
            continue;
        }
        cur.push(c);
        if matches!(c, '.' | '!' | '?') && cur.split_whitespace().count() >= 4 {
            out.push(cur.trim().to_owned());
            cur.clear();
        }
    }
    if cur.split_whitespace().count() >= 4 {
        out.push(cur.trim().to_owned());
    }
}

/// An article: a headline and paragraphs of sentences.
#[derive(Clone)]
struct Article {
    family: u64,
    paragraphs: Vec<Vec<String>>,
}

impl Article {
    fn text(&self) -> String {
        self.paragraphs
            .iter()
            .map(|p| p.join(" "))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn compose(rng: &mut Rng, pool: &[String], family: u64) -> Article {
    let target = 300 + rng.below(1201);
    let mut words = 0;
    let mut at = rng.below(pool.len());
    let headline = pool[rng.below(pool.len())].clone();
    let mut paragraphs = vec![vec![headline]];
    while words < target {
        let len = 2 + rng.below(4);
        let mut p = Vec::with_capacity(len);
        for _ in 0..len {
            if rng.chance(0.1) {
                at = rng.below(pool.len());
            }
            at = (at + 1) % pool.len();
            words += pool[at].split_whitespace().count();
            p.push(pool[at].clone());
        }
        paragraphs.push(p);
    }
    Article { family, paragraphs }
}

fn typo(rng: &mut Rng, s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let chars: Vec<char> = w.chars().collect();
            if chars.len() > 3 && rng.chance(0.01) {
                let i = 1 + rng.below(chars.len() - 2);
                let mut c = chars.clone();
                c.swap(i, i + 1);
                c.into_iter().collect()
            } else {
                w.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn edit(rng: &mut Rng, pool: &[String], base: &Article) -> (Article, Vec<&'static str>) {
    let mut a = base.clone();
    let mut edits = Vec::new();
    if rng.chance(0.5) && a.paragraphs.len() > 3 {
        let keep = a.paragraphs.len() - (a.paragraphs.len() * (10 + rng.below(21)) / 100).max(1);
        a.paragraphs.truncate(keep);
        edits.push("trim");
    }
    if rng.chance(0.5) {
        for _ in 0..1 + rng.below(3) {
            let p = 1 + rng
                .below(a.paragraphs.len().max(2) - 1)
                .min(a.paragraphs.len() - 1);
            let s = pool[rng.below(pool.len())].clone();
            if let Some(par) = a.paragraphs.get_mut(p) {
                par.push(s);
            }
        }
        edits.push("insert");
    }
    if rng.chance(0.5) {
        a.paragraphs[0] = vec![pool[rng.below(pool.len())].clone()];
        edits.push("headline");
    }
    if rng.chance(0.5) {
        for p in a.paragraphs.iter_mut() {
            for s in p.iter_mut() {
                *s = typo(rng, s);
            }
        }
        edits.push("typos");
    }
    if rng.chance(0.3) && a.paragraphs.len() > 3 {
        let i = 1 + rng.below(a.paragraphs.len() - 2);
        a.paragraphs.swap(i, i + 1);
        edits.push("reorder");
    }
    (a, edits)
}

/// A real text as an article: its lines are paragraphs, split into sentences.
fn whole_article(text: &str, family: u64) -> Option<Article> {
    let paragraphs: Vec<Vec<String>> = text
        .lines()
        .map(|l| {
            let mut s = Vec::new();
            sentences(l, &mut s);
            s
        })
        .filter(|p| !p.is_empty())
        .collect();
    (paragraphs.len() >= 2).then_some(Article { family, paragraphs })
}

pub fn run(args: SynthArgs) -> Result<ExitCode, Error> {
    let mut pool = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    for path in &args.source {
        for (_, v) in corpus::json_records(path)? {
            for f in ["text", "a_text", "b_text"] {
                if let Some(t) = v.get(f).and_then(Value::as_str) {
                    sentences(t, &mut pool);
                    texts.push(t.to_owned());
                }
            }
        }
    }
    // Keep the sources' order, so that consecutive sentences come from one real text, and
    // each sentence once (the same article appears in several pairs of a pair file).
    let mut seen = std::collections::HashSet::new();
    pool.retain(|s| seen.insert(s.clone()));
    let mut seen_texts = std::collections::HashSet::new();
    texts.retain(|t| seen_texts.insert(t.clone()));
    let mut originals = texts.iter();
    if pool.len() < 100 {
        return Err(Error::Config(format!(
            "the sources hold only {} sentences; give more real text with --source",
            pool.len()
        )));
    }
    if args.whole {
        eprintln!(
            "synthetic corpus: {} documents, originals from {} real texts, seed {} (edited copies generated by storyhash synth)",
            args.docs,
            texts.len(),
            args.seed
        );
    } else {
        eprintln!(
            "synthetic corpus: {} documents from {} real sentences, seed {} (generated by storyhash synth, not real articles)",
            args.docs,
            pool.len(),
            args.seed
        );
    }
    let mut rng = Rng(args.seed);
    let sink: Box<dyn Write> = match &args.out {
        Some(p) => Box::new(std::fs::File::create(p).map_err(|e| Error::io(p, e))?),
        None => Box::new(std::io::stdout()),
    };
    let mut w = std::io::BufWriter::new(sink);
    let mut recent: Vec<Article> = Vec::new();
    let mut families = 0u64;
    for i in 0..args.docs {
        let original = if args.whole && (recent.is_empty() || !rng.chance(args.family_rate)) {
            originals.by_ref().find_map(|t| whole_article(t, families))
        } else {
            None
        };
        let (article, edits) = if original.is_none()
            && !recent.is_empty()
            && (args.whole || rng.chance(args.family_rate))
        {
            let base = &recent[rng.below(recent.len())];
            edit(&mut rng, &pool, base)
        } else {
            let a = match original {
                Some(a) => a,
                None => compose(&mut rng, &pool, families),
            };
            families += 1;
            if recent.len() == 1000 {
                recent.remove(0);
            }
            recent.push(a.clone());
            (a, Vec::new())
        };
        let rec = json!({
            "id": format!("synth-{i:09}"),
            "text": article.text(),
            "family": format!("f-{:09}", article.family),
            "synthetic": true,
            "edits": edits,
        });
        writeln!(w, "{rec}").map_err(|e| Error::io("<output>", e))?;
    }
    w.flush().map_err(|e| Error::io("<output>", e))?;
    Ok(ExitCode::SUCCESS)
}
