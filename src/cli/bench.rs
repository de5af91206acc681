//! `storyhash bench`: time the engine's own stages on a corpus held in memory, single thread and
//! all threads: per-document features (normalise, tokenise, sign), candidates (both lanes),
//! verification and clustering. Reading the files happens first and is not timed. The stages
//! are the ones `cluster` runs, with the same config, so the figures are the engine's.

use super::{EngineArgs, InputArgs};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use storyhash::corpus;
use storyhash::{Article, CollectionBuilder, Error};

/// Documents handed to the builder at a time, as `cluster` does.
const BATCH: usize = 4096;

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// JSONL (or CSV) corpus.
    input: PathBuf,
    #[command(flatten)]
    input_args: InputArgs,
    #[command(flatten)]
    engine: EngineArgs,
    /// Repetitions (the fastest is reported).
    #[arg(long, default_value_t = 3)]
    repeat: usize,
}

/// One run's stage times in seconds, and the documents joined to an earlier one (copies, or
/// under the story preset, later write-ups of a story).
struct Timed {
    features: f64,
    statistics: f64,
    candidates: f64,
    verify: f64,
    cluster: f64,
    joined: usize,
}

impl Timed {
    fn total(&self) -> f64 {
        self.features + self.statistics + self.candidates + self.verify + self.cluster
    }
}

pub fn run(args: BenchArgs) -> Result<ExitCode, Error> {
    let cfg = args.engine.config()?;
    let opts = args.input_args.read_options();
    let docs: Vec<Article> = corpus::open_all(std::slice::from_ref(&args.input), &opts)?
        .map(|d| d.map(Article::from))
        .collect::<Result<_, _>>()?;
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let n = docs.len();
    let once = |threads: usize| -> Result<Timed, Error> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| Error::Config(e.to_string()))?;
        pool.install(|| {
            let batches: Vec<Vec<Article>> = docs.chunks(BATCH).map(<[Article]>::to_vec).collect();
            let t = Instant::now();
            let mut builder = CollectionBuilder::new(cfg.clone());
            for b in batches {
                builder.add_batch(b);
            }
            let features = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let coll = builder.finish()?;
            let statistics = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let cands = coll.candidates()?;
            let candidates = t.elapsed().as_secs_f64();
            let run = coll.cluster_candidates(&cands, cfg.thresholds);
            let stage = |name: &str| {
                run.stages
                    .iter()
                    .find(|s| s.0 == name)
                    .map_or(0.0, |s| s.1.as_secs_f64())
            };
            Ok(Timed {
                features,
                statistics,
                candidates,
                verify: stage("verification"),
                cluster: stage("clustering"),
                joined: n - run.clusters.len(),
            })
        })
    };
    let banding = cfg.copy_lsh()?;
    use std::fmt::Write as _;
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{} preset: {n} documents, {:.1} MB, {} shingles, {} x {} bands, {} perm, threshold {}",
        cfg.preset.name(),
        bytes as f64 / 1e6,
        cfg.copy.shingle,
        banding.bands,
        banding.rows,
        cfg.copy.sketch.num_perm,
        cfg.threshold()
    );
    let _ = writeln!(text, "| threads | features s | statistics s | candidates s | verify s | cluster s | total s | docs/s | joined |");
    let _ = writeln!(text, "|---|---|---|---|---|---|---|---|---|");
    let all = rayon::current_num_threads();
    for threads in [1, all] {
        let mut best: Option<Timed> = None;
        for _ in 0..args.repeat.max(1) {
            let r = once(threads)?;
            if best.as_ref().is_none_or(|b| r.total() < b.total()) {
                best = Some(r);
            }
        }
        if let Some(b) = best {
            let _ = writeln!(
                text,
                "| {threads} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.0} | {} |",
                b.features,
                b.statistics,
                b.candidates,
                b.verify,
                b.cluster,
                b.total(),
                n as f64 / b.total(),
                b.joined
            );
        }
        if all == 1 {
            break;
        }
    }
    super::emit(&text)?;
    Ok(ExitCode::SUCCESS)
}
