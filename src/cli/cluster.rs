//! `storyhash cluster`: read inputs, build the collection in batches, cluster, report, and
//! optionally write the deduplicated corpus.

use super::progress::Progress;
use super::{inputs_or_stdin, EngineArgs, InputArgs};
use clap::{Args, ValueEnum};
use std::collections::HashSet;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use storyhash::corpus::{self, guess_format, InputFormat};
use storyhash::report::{self, Format, ReportInput};
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
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Also write the input records of each cluster's representative only (a deduplicated
    /// corpus, same format as the input; a directory for a .txt directory input).
    #[arg(long, value_name = "FILE")]
    dedup_out: Option<PathBuf>,
    /// No progress and no summary on stderr.
    #[arg(long, short)]
    quiet: bool,
    /// Print the chosen LSH bands x rows, the S-curve's 50% point and stage counts on stderr.
    #[arg(long, short)]
    verbose: bool,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum FormatArg {
    Table,
    Jsonl,
    Csv,
}

const BATCH: usize = 4096;

pub fn run(args: ClusterArgs) -> Result<ExitCode, Error> {
    let start = Instant::now();
    let cfg = args.engine.config()?;
    args.engine.init_threads()?;
    let inputs = inputs_or_stdin(&args.inputs);
    if let Some(out) = &args.dedup_out {
        check_dedup_out(out, &inputs)?;
    }
    if args.verbose {
        let c = cfg.copy_lsh()?;
        eprintln!(
            "copy lane: {} shingles, {} permutations, {} bands x {} rows, S-curve 50% at {:.3} (threshold {})",
            cfg.shingle, cfg.sketch.num_perm, c.bands, c.rows, c.midpoint(), cfg.thresholds.copy
        );
        if cfg.preset == storyhash::Preset::Story {
            let s = cfg.story_lsh()?;
            eprintln!(
                "story lane: weighted MinHash, {} bands x {} rows, S-curve 50% at {:.3}; story threshold {}",
                s.bands, s.rows, s.midpoint(), cfg.thresholds.story
            );
        }
    }
    let opts = args.input.read_options();
    let stream = corpus::open_all(&inputs, &opts)?;
    let progress = Progress::new(args.quiet, "documents");
    let mut builder = CollectionBuilder::new(cfg.clone());
    // Where each document came from (input index, line), for --dedup-out.
    let mut origin: Vec<(u32, u64)> = Vec::new();
    let mut empty = 0usize;
    let mut batch = Vec::with_capacity(BATCH);
    for doc in stream {
        let doc = doc?;
        if doc.text.trim().is_empty() {
            empty += 1;
        }
        let input = inputs
            .iter()
            .position(|p| doc.location.path == *p)
            .unwrap_or(0) as u32;
        origin.push((input, doc.location.line));
        batch.push(doc);
        if batch.len() == BATCH {
            progress.inc(batch.len() as u64);
            builder.add_batch(std::mem::take(&mut batch));
        }
    }
    progress.inc(batch.len() as u64);
    builder.add_batch(batch);
    progress.message("clustering");
    let collection = builder.finish();
    let run = collection.cluster()?;
    progress.finish();

    let format = match args.format {
        Some(FormatArg::Table) => Format::Table,
        Some(FormatArg::Jsonl) => Format::Jsonl,
        Some(FormatArg::Csv) => Format::Csv,
        None if std::io::stdout().is_terminal() => Format::Table,
        None => Format::Jsonl,
    };
    let input = ReportInput {
        ids: &collection.ids,
        run: &run,
        preset: cfg.preset,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = report::write(format, &input, &mut out).and_then(|_| out.flush());
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(Error::io("<stdout>", e));
        }
    }
    if let Some(path) = &args.dedup_out {
        let keep: HashSet<(u32, u64)> = run
            .clusters
            .iter()
            .map(|c| origin[c.representative() as usize])
            .collect();
        write_dedup(path, &inputs, &opts, &keep)?;
    }
    if args.verbose {
        eprintln!(
            "{} candidate pairs, {} verified pairs",
            run.candidates,
            run.pairs.len()
        );
    }
    if !args.quiet {
        let n = collection.len();
        eprintln!(
            "storyhash: {n} documents ({empty} empty), {} clusters, {} duplicates, {:.2} s",
            run.clusters.len(),
            n - run.clusters.len(),
            start.elapsed().as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn check_dedup_out(out: &Path, inputs: &[PathBuf]) -> Result<(), Error> {
    if inputs.iter().any(|p| p.as_os_str() == "-") {
        return Err(Error::Config(
            "--dedup-out needs file inputs: stdin cannot be read twice".into(),
        ));
    }
    let out_abs = std::fs::canonicalize(out).ok();
    for p in inputs {
        if out_abs.is_some() && std::fs::canonicalize(p).ok() == out_abs {
            return Err(Error::Config(format!(
                "--dedup-out {} is an input file; refusing to overwrite it",
                out.display()
            )));
        }
    }
    Ok(())
}

/// Copy the kept records verbatim: JSONL lines, CSV records (with the header), or .txt files.
fn write_dedup(
    out: &Path,
    inputs: &[PathBuf],
    opts: &corpus::ReadOptions,
    keep: &HashSet<(u32, u64)>,
) -> Result<(), Error> {
    let fmt = |p: &Path| opts.format.unwrap_or_else(|| guess_format(p));
    if inputs.iter().any(|p| fmt(p) == InputFormat::TextDir) {
        return Err(Error::Config(
            "--dedup-out supports JSONL and CSV inputs; for a .txt directory, use --format csv and copy the representatives".into(),
        ));
    }
    let tmp = out.with_extension("storyhash-tmp");
    let file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let mut w = std::io::BufWriter::new(file);
    let mut wrote_header = false;
    for (i, path) in inputs.iter().enumerate() {
        match fmt(path) {
            InputFormat::Jsonl => {
                let mut r = corpus::open_raw(path)?;
                let mut line = Vec::new();
                let mut n = 0u64;
                loop {
                    line.clear();
                    let got = r
                        .read_until(b'\n', &mut line)
                        .map_err(|e| Error::io(path, e))?;
                    if got == 0 {
                        break;
                    }
                    n += 1;
                    if keep.contains(&(i as u32, n)) {
                        w.write_all(&line).map_err(|e| Error::io(&tmp, e))?;
                        if !line.ends_with(b"\n") {
                            w.write_all(b"\n").map_err(|e| Error::io(&tmp, e))?;
                        }
                    }
                }
            }
            InputFormat::Csv => {
                let r = corpus::open_raw(path)?;
                let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(r);
                let mut cw = csv::Writer::from_writer(&mut w);
                if !wrote_header {
                    let h = rdr
                        .byte_headers()
                        .map_err(|e| Error::io(path, std::io::Error::other(e)))?
                        .clone();
                    cw.write_byte_record(&h)
                        .map_err(|e| Error::io(&tmp, e.into()))?;
                    wrote_header = true;
                }
                for rec in rdr.byte_records() {
                    let rec = rec.map_err(|e| Error::io(path, std::io::Error::other(e)))?;
                    let line = rec.position().map_or(0, |p| p.line());
                    if keep.contains(&(i as u32, line)) {
                        cw.write_byte_record(&rec)
                            .map_err(|e| Error::io(&tmp, e.into()))?;
                    }
                }
                cw.flush().map_err(|e| Error::io(&tmp, e))?;
            }
            InputFormat::TextDir => unreachable!("rejected above"),
        }
    }
    w.flush().map_err(|e| Error::io(&tmp, e))?;
    drop(w);
    std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e))?;
    Ok(())
}
