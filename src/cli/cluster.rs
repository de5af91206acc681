//! `storyhash cluster`: read inputs, build the collection in batches, cluster, report, and
//! optionally write the deduplicated corpus.

use super::progress::Progress;
use super::{inputs_or_stdin, EngineArgs, InputArgs};
use clap::{Args, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use storyhash::corpus::intake::{IntakeOptions, OnBad};
use storyhash::corpus::{self, guess_format, InputFormat, ReadOptions};
use storyhash::report::{self, Format, ReportInput};
use storyhash::EngineConfig;
use storyhash::{CollectionBuilder, Error};

#[derive(Args, Debug)]
pub struct ClusterArgs {
    /// Input files or directories (`-` or nothing: stdin). JSONL, CSV, or a directory of .txt.
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    engine: EngineArgs,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_enum, display_order = 20)]
    format: Option<FormatArg>,
    /// Field (JSONL key or CSV column) holding the headline, when it is apart from the text: it
    /// is read as the text's first line, which the story score counts more.
    #[arg(long, value_name = "FIELD", help_heading = "Input")]
    title_field: Option<String>,
    /// Fields (JSONL keys or CSV columns, comma-separated) carried into the JSONL output with
    /// each cluster's members, e.g. `url,date`.
    #[arg(
        long,
        value_name = "FIELDS",
        value_delimiter = ',',
        help_heading = "Input"
    )]
    keep_fields: Vec<String>,
    /// JSONL: which verified pairs each cluster lists: the pairs that joined it (a spanning
    /// tree, one fewer than its members), or all (a large output on an archive of copies).
    #[arg(long, value_enum, default_value = "joins", display_order = 20)]
    pairs: PairsArg,
    /// JSONL: explain each pair listed: the passages its two texts share (byte offsets of the
    /// texts, so a CMS can highlight them) and the heaviest shared terms. Keeps every text in
    /// memory until the report is written.
    #[arg(long, display_order = 20)]
    explain: bool,
    /// Write the report to FILE instead of stdout (for --format html, a self-contained page).
    #[arg(long, short, value_name = "FILE", display_order = 20)]
    out: Option<PathBuf>,
    /// Also write the input records of each cluster's representative only (a deduplicated
    /// corpus, same format as the input; a directory for a .txt directory input).
    #[arg(long, value_name = "FILE", display_order = 21)]
    dedup_out: Option<PathBuf>,
    /// With --dedup-out: which member of each cluster is kept: the longest (most words: the
    /// fuller version, when a later copy is the whole story and an earlier one a trimmed
    /// lead; ties go to the earliest), or the first in input order (the representative).
    #[arg(long, value_enum, default_value = "longest", display_order = 21)]
    keep: KeepArg,
    /// Skip bad records (and documents over --max-doc-bytes), count them and go on, instead of
    /// stopping at the first with exit code 2.
    #[arg(long, display_order = 22)]
    skip_bad: bool,
    /// With --skip-bad: the most records the run may skip, a count (100) or a share of the
    /// records read (2.5%); past it the run fails (exit 2) before clustering. A run that
    /// skipped records within it exits 3: its output is complete for the records it read.
    #[arg(long, value_name = "N|P%", default_value = "10%", display_order = 23)]
    max_bad: storyhash::corpus::intake::MaxBad,
    /// Write each skipped record's location and reason to FILE as JSONL.
    #[arg(long, value_name = "FILE", display_order = 23)]
    report_bad: Option<PathBuf>,
    /// Longest document in bytes; longer ones are truncated with a warning (skipped with
    /// --skip-bad).
    #[arg(long, default_value_t = 50 * 1024 * 1024, value_name = "BYTES", help_heading = "Input")]
    max_doc_bytes: usize,
    /// No progress and no summary on stderr.
    #[arg(long, short, display_order = 30)]
    quiet: bool,
    /// Print the chosen LSH bands x rows, the S-curve's 50% point and stage counts on stderr.
    #[arg(long, short, display_order = 31)]
    verbose: bool,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum PairsArg {
    /// The pairs that joined each cluster (one fewer than its members).
    Joins,
    /// Every verified pair.
    All,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum KeepArg {
    /// The member with the most words (ties: the earliest).
    Longest,
    /// The earliest member (the cluster's representative).
    First,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum FormatArg {
    Table,
    Jsonl,
    Csv,
    /// One self-contained HTML page: clusters, evidence, side-by-side texts (use with --out).
    Html,
}

const BATCH: usize = 4096;

pub fn run(args: ClusterArgs) -> Result<ExitCode, Error> {
    let start = Instant::now();
    let cfg = args.engine.config()?;
    args.engine.init_threads()?;
    let inputs = inputs_or_stdin(&args.inputs);
    let opts = ReadOptions {
        title_field: args.title_field.clone(),
        keep_fields: args.keep_fields.clone(),
        ..args.input.read_options()
    };
    let fmt = |p: &Path| opts.format.unwrap_or_else(|| guess_format(p));
    // Outputs are checked, and their temporary files created, before any work: an input that
    // cannot be read twice or an unwritable destination fails now, not after the run.
    let dedup = match &args.dedup_out {
        Some(out) => {
            check_not_input("--dedup-out", out, &inputs)?;
            corpus::subset::check_inputs(&inputs, fmt)?;
            if args
                .report_bad
                .as_deref()
                .is_some_and(|r| same_path(r, out))
            {
                return Err(Error::Config(
                    "--report-bad and --dedup-out name the same file: one would be lost".into(),
                ));
            }
            let dir_input = inputs.iter().any(|p| fmt(p) == InputFormat::TextDir);
            Some(if dir_input {
                None
            } else {
                Some(corpus::subset::Destination::create(out)?)
            })
        }
        None => None,
    };
    if let Some(out) = &args.report_bad {
        check_not_input("--report-bad", out, &inputs)?;
    }
    let out_dest = match &args.out {
        Some(out) => {
            check_not_input("--out", out, &inputs)?;
            for (flag, other) in [
                ("--dedup-out", &args.dedup_out),
                ("--report-bad", &args.report_bad),
            ] {
                if other.as_deref().is_some_and(|o| same_path(o, out)) {
                    return Err(Error::Config(format!(
                        "--out and {flag} name the same file: one would be lost"
                    )));
                }
            }
            Some(corpus::subset::Destination::create(out)?)
        }
        None => None,
    };
    if args.verbose {
        let c = cfg.copy_lsh()?;
        eprintln!(
            "copy lane: {} shingles, {} permutations, {} bands x {} rows, S-curve 50% at {:.3} (threshold {})",
            cfg.copy.shingle, cfg.copy.sketch.num_perm, c.bands, c.rows, c.midpoint(), cfg.thresholds.copy
        );
        if cfg.preset == storyhash::Preset::Story {
            match cfg.story.index {
                storyhash::pipeline::StoryIndex::TopTerms(p) => eprintln!(
                    "story lane: candidates share {} of each document's {} heaviest terms (a term among the heaviest of over {} documents pairs each with its next {} holders); story threshold {}",
                    p.min_shared, p.top_terms, p.max_list, storyhash::candidates::top_terms::window(p.max_list), cfg.thresholds.story
                ),
                storyhash::pipeline::StoryIndex::MinHash(p) => {
                    let s = cfg.story_lsh(p.level)?;
                    eprintln!(
                        "story lane: weighted MinHash, {} bands x {} rows, S-curve 50% at {:.3}; story threshold {}",
                        s.bands, s.rows, s.midpoint(), cfg.thresholds.story
                    );
                }
            }
        }
    }
    if !args.quiet {
        print_memory_estimate(&inputs, &cfg);
    }
    let progress = Progress::new(args.quiet, "documents");
    let mut builder = CollectionBuilder::new(cfg.clone());
    // Where each document came from (input index, its bytes there), for --dedup-out.
    let mut origin: Vec<corpus::subset::KeptRecord> = Vec::new();
    let track_origin = matches!(dedup, Some(Some(_)));
    // Which ids were JSON integers, to write them back as such.
    let mut integer_ids: Vec<bool> = Vec::new();
    // The kept fields of each document, when fields are kept.
    let mut kept: Vec<Vec<serde_json::Value>> = Vec::new();
    let html = matches!(args.format, Some(FormatArg::Html));
    if args.explain && matches!(args.format, Some(FormatArg::Table | FormatArg::Csv)) {
        return Err(Error::Config(
            "--explain adds passages and terms to the JSONL output (and the HTML page explains every pair): use --format jsonl or html".into(),
        ));
    }
    // The texts as the engine reads them, for the evidence (--explain, html).
    let keep_texts = args.explain || html;
    let mut texts: Vec<String> = Vec::new();
    // Words of each document, to keep the longest member (--dedup-out --keep longest).
    let count_words = args.dedup_out.is_some() && args.keep == KeepArg::Longest;
    let mut words: Vec<u32> = Vec::new();
    let intake_opts = IntakeOptions {
        on_bad: if args.skip_bad {
            OnBad::Skip
        } else {
            OnBad::Stop
        },
        max_doc_bytes: args.max_doc_bytes,
    };
    let (rx, reader) = corpus::ingest::spawn_reader(
        inputs.clone(),
        opts.clone(),
        intake_opts,
        args.report_bad.clone(),
        BATCH,
    );
    // The input of the previous document: documents of one input share one path `Arc`.
    let mut last: Option<(std::sync::Arc<std::path::Path>, u32)> = None;
    for mut batch in rx {
        progress.inc(batch.len() as u64);
        integer_ids.extend(batch.iter().map(|d| d.integer_id));
        if !args.keep_fields.is_empty() {
            kept.extend(batch.iter_mut().map(|d| std::mem::take(&mut d.kept)));
        }
        for d in batch.iter().filter(|_| track_origin) {
            let input = match &last {
                Some((p, i)) if std::sync::Arc::ptr_eq(p, &d.location.path) => *i,
                _ => {
                    let i = inputs
                        .iter()
                        .position(|p| *d.location.path == **p)
                        .unwrap_or(0) as u32;
                    last = Some((d.location.path.clone(), i));
                    i
                }
            };
            origin.push((input, d.bytes.clone()));
        }
        let articles: Vec<storyhash::Article> = batch.into_iter().map(Into::into).collect();
        if count_words {
            words.extend(articles.iter().map(|a| {
                let title = a.title.as_deref().unwrap_or("");
                (title.split_whitespace().count() + a.text.split_whitespace().count()) as u32
            }));
        }
        if keep_texts {
            texts.extend(articles.iter().map(|a| a.engine_text().into_owned()));
        }
        builder.add_batch(articles);
    }
    let (stats, first_truncation) = reader
        .join()
        .map_err(|_| Error::Internal("the reader thread panicked".into()))??;
    if args.max_bad.exceeded_by(&stats) {
        return Err(Error::TooManySkipped {
            skipped: stats.skipped(),
            read: stats.read,
            detail: skipped_by_kind(&stats),
            limit: format!("--max-bad {}", args.max_bad),
        });
    }
    if let (Some(loc), false) = (first_truncation, args.quiet) {
        eprintln!(
            "storyhash: warning: {} document(s) over --max-doc-bytes {} were truncated (first at {loc})",
            stats.truncated, args.max_doc_bytes
        );
    }
    progress.message("clustering");
    let read = start.elapsed();
    let collection = builder.finish()?;
    let run = collection.cluster()?;
    progress.finish();

    let to_terminal = args.out.is_none() && std::io::stdout().is_terminal();
    let format = match args.format {
        Some(FormatArg::Table) => Format::Table,
        Some(FormatArg::Jsonl) => Format::Jsonl,
        Some(FormatArg::Csv) => Format::Csv,
        Some(FormatArg::Html) => Format::Jsonl,
        None if to_terminal => Format::Table,
        None => Format::Jsonl,
    };
    let shown: Vec<(u32, u32)> = match args.pairs {
        PairsArg::Joins => run
            .joins
            .iter()
            .map(|&i| (run.pairs[i as usize].a, run.pairs[i as usize].b))
            .collect(),
        PairsArg::All => run.pairs.iter().map(|p| (p.a, p.b)).collect(),
    };
    let explained =
        (args.explain && !html).then(|| super::page::Explained::new(&collection, &texts, &shown));
    let fields = |a: u32, b: u32| {
        explained
            .as_ref()
            .map(|e| e.fields(a, b))
            .unwrap_or_default()
    };
    let input = ReportInput {
        ids: collection.docs.ids(),
        run: &run,
        preset: cfg.preset,
        integer_ids: &integer_ids,
        kept: (&args.keep_fields, &kept),
        pairs: match args.pairs {
            PairsArg::Joins => report::PairsShown::Joins,
            PairsArg::All => report::PairsShown::All,
        },
        pair_fields: explained
            .as_ref()
            .map(|_| &fields as report::PairFields<'_>),
    };
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        if html {
            let page = page_of(&collection, &run, &texts, start.elapsed().as_secs_f64());
            report::html::write(&page, out)
        } else {
            report::write(format, &input, out)
        }
    };
    super::write_report(out_dest, write)?;
    if let (Some(path), Some(dest)) = (&args.dedup_out, dedup) {
        let reps = run.clusters.iter().map(|c| {
            if count_words {
                // The first of the most words: `max_by_key` keeps the last of equals.
                c.members
                    .iter()
                    .rev()
                    .max_by_key(|&&m| words[m as usize])
                    .map_or(c.representative(), |&m| m) as usize
            } else {
                c.representative() as usize
            }
        });
        match dest {
            // Text directories: by id (a file's location names the file, not its input).
            None => {
                let ids: Vec<&str> = reps.map(|r| collection.docs.ids()[r].as_str()).collect();
                corpus::subset::write_files(path, &inputs, &ids, fmt)?;
            }
            Some(dest) => {
                let keep: Vec<corpus::subset::KeptRecord> =
                    reps.map(|r| origin[r].clone()).collect();
                corpus::subset::write_records(dest, &inputs, fmt, opts.delimiter, &keep)?;
            }
        }
    }
    if args.verbose {
        eprintln!(
            "{} candidate pairs, {} verified pairs",
            run.candidates,
            run.pairs.len()
        );
        let stages: Vec<String> = std::iter::once(("reading and per-document features", read))
            .chain(collection.stages.iter().copied())
            .chain(run.stages.iter().copied())
            .map(|(what, t)| format!("{what} {:.2} s", t.as_secs_f64()))
            .collect();
        eprintln!("stages: {}", stages.join("; "));
    }
    if !args.quiet {
        // What text trees left out: files that are not .txt, linked directories, FIFOs.
        let mut skips = corpus::TreeSkips::default();
        for p in inputs.iter().filter(|p| fmt(p) == InputFormat::TextDir) {
            if let Ok(s) = corpus::text_tree_skips(p) {
                skips.not_txt += s.not_txt;
                skips.linked_dirs += s.linked_dirs;
                skips.special += s.special;
            }
        }
        if skips.any() {
            let dirs = if skips.linked_dirs == 1 {
                "directory"
            } else {
                "directories"
            };
            eprintln!(
                "storyhash: left out of the .txt directories: {} not .txt, {} symlinked {dirs} not followed, {} (FIFOs, sockets, devices)",
                super::count(skips.not_txt as usize, "file"),
                skips.linked_dirs,
                super::count(skips.special as usize, "special file"),
            );
        }
    }
    if !args.quiet {
        let n = collection.len();
        let skipped = if stats.skipped() > 0 {
            format!(
                ", {} skipped ({})",
                stats.skipped(),
                skipped_by_kind(&stats)
            )
        } else {
            String::new()
        };
        let truncated = if stats.truncated > 0 {
            format!(", {} truncated", stats.truncated)
        } else {
            String::new()
        };
        eprintln!(
            "storyhash: {} records read, {n} documents clustered ({} empty{truncated}){skipped}, {}, {} joined to an earlier one, {:.2} s",
            stats.read,
            stats.empty,
            super::count(run.clusters.len(), "cluster"),
            super::count(n - run.clusters.len(), "document"),
            start.elapsed().as_secs_f64()
        );
    }
    Ok(if stats.skipped() > 0 {
        ExitCode::from(super::PARTIAL)
    } else {
        ExitCode::SUCCESS
    })
}

/// Rough peak memory of a run, printed before a large one starts: the story lane keeps every
/// document's story terms (4 bytes a word) until the collection statistics exist, and both
/// lanes keep signatures (num_perm x 4 bytes a lane) and ids.
fn print_memory_estimate(inputs: &[PathBuf], cfg: &EngineConfig) {
    let bytes: u64 = inputs
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    if bytes < 256 * 1024 * 1024 {
        return;
    }
    let compressed = inputs.iter().any(|p| {
        let s = p.to_string_lossy();
        s.ends_with(".gz") || s.ends_with(".zst")
    });
    let text = if compressed { bytes * 4 } else { bytes };
    let est = cfg.estimate_feature_bytes(text);
    eprintln!(
        "storyhash: about {:.1} GB of input{}; documents' features need about {:.1} GB; candidate and verified pairs come on top (many near-copies or shared text: several GB per 100 million pairs)",
        text as f64 / 1e9,
        if compressed {
            " (uncompressed, guessed)"
        } else {
            ""
        },
        est as f64 / 1e9
    );
}

/// The HTML page of a run: every cluster with its joins and member scores, every verified
/// pair's score for the histogram.
fn page_of(
    coll: &storyhash::Collection,
    run: &storyhash::ClusterRun,
    texts: &[String],
    seconds: f64,
) -> report::html::Page {
    use super::page::{ClusterRow, PairRow};
    let clusters: Vec<ClusterRow> = run
        .clusters
        .iter()
        .map(|c| ClusterRow {
            id: c.id,
            members: c.members.clone(),
            similarity: c
                .members
                .iter()
                .map(|&m| run.similarity_to_representative[m as usize])
                .collect(),
        })
        .collect();
    let joins: Vec<PairRow> = run
        .joins
        .iter()
        .map(|&i| {
            let p = &run.pairs[i as usize];
            PairRow {
                a: p.a,
                b: p.b,
                similarity: p.similarity,
                evidence: p.evidence.name().to_string(),
            }
        })
        .collect();
    let scores = run.pairs.iter().map(|p| p.similarity).collect();
    let summary = super::page::summary(coll, run.clusters.len(), Some(seconds));
    super::page::build(coll, texts, &clusters, &joins, scores, summary)
}

/// The skipped records by kind, in words (for the summary and the --max-bad error alike).
fn skipped_by_kind(stats: &storyhash::corpus::intake::IntakeStats) -> String {
    format!(
        "{}, {}, {} unreadable, {} too long",
        super::count(stats.skipped_bad_record as usize, "bad record"),
        super::count(stats.skipped_duplicate_id as usize, "duplicate id"),
        stats.skipped_io,
        stats.skipped_too_long
    )
}

/// Whether two output paths name one file (compared as absolute paths: they need not exist).
fn same_path(a: &Path, b: &Path) -> bool {
    let abs = |p: &Path| {
        std::fs::canonicalize(p).unwrap_or_else(|_| {
            let parent = p.parent().filter(|d| !d.as_os_str().is_empty());
            let dir = parent.map_or_else(
                || std::env::current_dir().unwrap_or_default(),
                |d| std::fs::canonicalize(d).unwrap_or_else(|_| d.to_path_buf()),
            );
            dir.join(p.file_name().unwrap_or_default())
        })
    };
    abs(a) == abs(b)
}

/// Refuse to write an output over one of the inputs.
pub(super) fn check_not_input(flag: &str, out: &Path, inputs: &[PathBuf]) -> Result<(), Error> {
    let out_abs = std::fs::canonicalize(out).ok();
    for p in inputs {
        if out_abs.is_some() && std::fs::canonicalize(p).ok() == out_abs {
            return Err(Error::Config(format!(
                "{flag} {} is an input file; refusing to overwrite it",
                out.display()
            )));
        }
    }
    Ok(())
}
