//! `storyhash bench`: time the sketch lane alone, the way rensa and FastSketchLSH time
//! themselves: shingle sets already in memory -> signatures -> LSH -> duplicate flags. Reading,
//! normalising and shingling happen first and are not timed; the figures are per stage.

use super::InputArgs;
use clap::Args;
use rayon::prelude::*;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use storyhash::candidates::bands::{candidates, LshParams};
use storyhash::cluster::UnionFind;
use storyhash::corpus;
use storyhash::shingle::{into_set, word_shingles_into};
use storyhash::sketch::{estimate, minhash, oph, Scheme, Signatures, SketchParams};
use storyhash::text::{normalize::normalize, tokenize::hash_words_into};
use storyhash::Error;

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// JSONL (or CSV) corpus.
    input: PathBuf,
    #[command(flatten)]
    input_args: InputArgs,
    /// Word n-gram size.
    #[arg(long, default_value_t = 5)]
    ngram: usize,
    /// Signature length.
    #[arg(long, default_value_t = 128)]
    num_perm: usize,
    /// Jaccard threshold of a duplicate.
    #[arg(long, default_value_t = 0.8)]
    threshold: f64,
    /// Sketch: oph or classic.
    #[arg(long, default_value = "oph")]
    sketch: String,
    /// LSH bands (with --rows); by default optimal for the threshold.
    #[arg(long, requires = "rows", help_heading = "Advanced")]
    bands: Option<usize>,
    /// LSH rows per band (with --bands).
    #[arg(long, requires = "bands", help_heading = "Advanced")]
    rows: Option<usize>,
    /// Repetitions (the best is reported).
    #[arg(long, default_value_t = 3)]
    repeat: usize,
}

pub fn run(args: BenchArgs) -> Result<ExitCode, Error> {
    let opts = args.input_args.read_options();
    let docs: Vec<String> = corpus::open_all(std::slice::from_ref(&args.input), &opts)?
        .map(|d| d.map(|d| d.text))
        .collect::<Result<_, _>>()?;
    let bytes: usize = docs.iter().map(String::len).sum();
    let sets: Vec<Vec<u64>> = docs
        .par_iter()
        .map(|t| {
            let mut words = Vec::new();
            hash_words_into(&normalize(t), &mut words);
            let mut sh = Vec::new();
            word_shingles_into(&words, args.ngram, &mut sh);
            into_set(sh)
        })
        .collect();
    drop(docs);
    let params = SketchParams {
        num_perm: args.num_perm,
        seed: 42,
    };
    let scheme = match args.sketch.as_str() {
        "oph" => Scheme::OnePermutation,
        "classic" => Scheme::MinHash,
        other => {
            return Err(Error::Config(format!(
                "--sketch must be oph or classic, got {other}"
            )))
        }
    };
    let banding = match (args.bands, args.rows) {
        (Some(bands), Some(rows)) => LshParams { bands, rows },
        _ => LshParams::optimal(args.threshold, args.num_perm)?,
    };
    banding.check(args.num_perm)?;
    let seeds = params.position_seeds();
    let n = sets.len();
    let lane = |threads: usize| -> Result<(f64, f64, f64, usize), Error> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| Error::Config(e.to_string()))?;
        pool.install(|| {
            let t0 = Instant::now();
            let out: Vec<Vec<u32>> = sets
                .par_iter()
                .map_init(
                    || (Vec::new(), Vec::new()),
                    |(scratch, sig), s| {
                        match scheme {
                            Scheme::OnePermutation => {
                                oph::sign_into(s, params.num_perm, params.seed, scratch, sig)
                            }
                            _ => minhash::sign_into(s, &seeds, sig),
                        }
                        sig.clone()
                    },
                )
                .collect();
            let mut sigs = Signatures::new(storyhash::sketch::SketchRecipe {
                text: storyhash::text::TextVersion::CURRENT,
                input: storyhash::sketch::SketchInput::Shingles(
                    storyhash::shingle::ShingleKind::Word(5),
                ),
                scheme,
                params,
            });
            for s in &out {
                sigs.push(s);
            }
            let t_sign = t0.elapsed().as_secs_f64();
            let t1 = Instant::now();
            let cands = candidates(&sigs, &[], banding, 256)?;
            let t_lsh = t1.elapsed().as_secs_f64();
            let t2 = Instant::now();
            let verified: Vec<(u32, u32)> = cands
                .par_iter()
                .copied()
                .filter(|&(a, b)| {
                    estimate(sigs.get(a as usize), sigs.get(b as usize)) >= args.threshold
                })
                .collect();
            let mut uf = UnionFind::new(n);
            for &(a, b) in &verified {
                uf.union(a, b);
            }
            let dups = (0..n as u32).filter(|&d| uf.find(d) != d).count();
            let t_verify = t2.elapsed().as_secs_f64();
            Ok((t_sign, t_lsh, t_verify, dups))
        })
    };
    println!(
        "sketch lane: {n} documents, {:.1} MB, word {}-grams, {} x {} bands, {} {} perm, threshold {}",
        bytes as f64 / 1e6,
        args.ngram,
        banding.bands,
        banding.rows,
        args.sketch,
        args.num_perm,
        args.threshold
    );
    println!("| threads | sign s | lsh s | verify s | total s | docs/s | duplicates |");
    println!("|---|---|---|---|---|---|---|");
    let all = rayon::current_num_threads();
    for threads in [1, all] {
        let mut best: Option<(f64, f64, f64, usize)> = None;
        for _ in 0..args.repeat.max(1) {
            let r = lane(threads)?;
            if best.is_none_or(|b| r.0 + r.1 + r.2 < b.0 + b.1 + b.2) {
                best = Some(r);
            }
        }
        if let Some((s, l, v, d)) = best {
            let total = s + l + v;
            println!(
                "| {threads} | {s:.3} | {l:.3} | {v:.3} | {total:.3} | {:.0} | {d} |",
                n as f64 / total
            );
        }
        if all == 1 {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}
