//! The stage commands: `sign`, `candidates`, `verify`, `link`, the steps of `cluster` with a
//! Parquet file between each (`storyhash-stages`). Each later stage rebuilds the collection
//! from the signed files (statistics included, which are a function of the documents) under
//! the config they were signed with, so that the stages give `cluster`'s clusters exactly.

use super::index::RecordArgs;
use super::progress::Progress;
use super::{count, inputs_or_stdin};
use clap::{Args, ValueEnum};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use storyhash::corpus;
use storyhash::report::{self, Format, ReportInput};
use storyhash::stages::{self, signed::Signed};
use storyhash::{Article, Collection, CollectionBuilder, Error};

#[derive(Args, Debug)]
pub struct SignArgs {
    /// Input files or directories (`-` or nothing: stdin), as `cluster` reads them.
    inputs: Vec<PathBuf>,
    /// The signed file to write (Parquet).
    #[arg(long, short, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    records: RecordArgs,
    #[command(flatten)]
    engine: super::EngineArgs,
    /// No progress and no summary on stderr.
    #[arg(long, short)]
    quiet: bool,
}

/// The signed files every later stage reads, in the order they were signed.
#[derive(Args, Debug)]
pub struct SignedArgs {
    /// Signed files (from `storyhash sign`), in order: positions in the later stages count
    /// their documents one file after another.
    #[arg(required = true, value_name = "SIGNED")]
    signed: Vec<PathBuf>,
    /// Worker threads (default: one per core). The output does not depend on it.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// No progress and no summary on stderr.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args, Debug)]
pub struct CandidatesArgs {
    #[command(flatten)]
    signed: SignedArgs,
    /// The candidates file to write (Parquet).
    #[arg(long, short, value_name = "FILE")]
    out: PathBuf,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    #[command(flatten)]
    signed: SignedArgs,
    /// The candidates file (from `storyhash candidates` on the same signed files).
    #[arg(long, value_name = "FILE")]
    candidates: PathBuf,
    /// The verified file to write (Parquet).
    #[arg(long, short, value_name = "FILE")]
    out: PathBuf,
}

#[derive(Args, Debug)]
pub struct LinkArgs {
    #[command(flatten)]
    signed: SignedArgs,
    /// The verified file (from `storyhash verify` on the same signed files).
    #[arg(long, value_name = "FILE")]
    verified: PathBuf,
    /// Output format (default: table on a terminal, jsonl otherwise), as `cluster` writes it.
    #[arg(long, value_enum)]
    format: Option<LinkFormat>,
    /// JSONL: which verified pairs each cluster lists (as `cluster --pairs`).
    #[arg(long, value_enum, default_value = "joins")]
    pairs: PairsArg,
    /// Write the report to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum LinkFormat {
    Table,
    Jsonl,
    Csv,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum PairsArg {
    /// The pairs that joined each cluster (one fewer than its members).
    Joins,
    /// Every verified pair.
    All,
}

/// Claim `out` (a temporary file beside it, renamed into place when complete), refusing
/// one of the inputs.
fn claim(flag: &str, out: &Path, inputs: &[PathBuf]) -> Result<corpus::subset::Destination, Error> {
    super::cluster::check_not_input(flag, out, inputs)?;
    corpus::subset::Destination::create(out)
}

pub fn sign(a: SignArgs) -> Result<ExitCode, Error> {
    let started = Instant::now();
    let cfg = a.engine.config()?;
    a.engine.init_threads()?;
    let inputs = inputs_or_stdin(&a.inputs);
    let dest = claim("--out", &a.out, &inputs)?;
    let file = std::io::BufWriter::new(dest.file()?);
    let mut writer = stages::signed::SignedWriter::new(file, &a.out, &cfg)?;
    let builder = CollectionBuilder::new(cfg.clone());
    let (rx, reader) = a.records.spawn_reader(&inputs);
    let progress = Progress::new(a.quiet, "documents");
    for batch in rx {
        progress.inc(batch.len() as u64);
        let integer: Vec<bool> = batch.iter().map(|d| d.integer_id).collect();
        let articles: Vec<Article> = batch.into_iter().map(Into::into).collect();
        writer.write(&builder.sign(articles), &integer)?;
    }
    reader
        .join()
        .map_err(|_| Error::Internal("the reader thread panicked".into()))??;
    let header = writer.finish()?;
    dest.persist()?;
    progress.finish();
    if !a.quiet {
        eprintln!(
            "storyhash: signed {} into {} in {:.1} s (fingerprint {})",
            count(header.docs as usize, "document"),
            a.out.display(),
            started.elapsed().as_secs_f64(),
            header.signed[0]
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The signed files, read and finished into a collection.
fn collection(a: &SignedArgs) -> Result<(Signed, Collection), Error> {
    if let Some(n) = a.threads {
        super::init_threads(Some(n))?;
    }
    let mut signed = stages::signed::read_signed(&a.signed)?;
    let builder = std::mem::replace(
        &mut signed.builder,
        CollectionBuilder::new(signed.cfg.clone()),
    );
    Ok((signed, builder.finish()?))
}

pub fn candidates(a: CandidatesArgs) -> Result<ExitCode, Error> {
    let started = Instant::now();
    let dest = claim("--out", &a.out, &a.signed.signed)?;
    let (signed, coll) = collection(&a.signed)?;
    let cands = coll.candidates()?;
    let file = std::io::BufWriter::new(dest.file()?);
    stages::pairs::write_candidates(file, &a.out, &signed, &cands)?;
    dest.persist()?;
    if !a.signed.quiet {
        eprintln!(
            "storyhash: {} among {} into {} in {:.1} s",
            count(cands.len(), "candidate pair"),
            count(coll.len(), "document"),
            a.out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn verify(a: VerifyArgs) -> Result<ExitCode, Error> {
    let started = Instant::now();
    let mut inputs = a.signed.signed.clone();
    inputs.push(a.candidates.clone());
    let dest = claim("--out", &a.out, &inputs)?;
    let (signed, coll) = collection(&a.signed)?;
    let cands = stages::pairs::read_candidates(&a.candidates, &signed)?;
    let pairs = coll.verify(&cands);
    let file = std::io::BufWriter::new(dest.file()?);
    stages::pairs::write_verified(file, &a.out, &signed, cands.len() as u64, &pairs)?;
    dest.persist()?;
    if !a.signed.quiet {
        eprintln!(
            "storyhash: {} of {} into {} in {:.1} s",
            count(pairs.len(), "verified pair"),
            count(cands.len(), "candidate"),
            a.out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn link(a: LinkArgs) -> Result<ExitCode, Error> {
    let mut inputs = a.signed.signed.clone();
    inputs.push(a.verified.clone());
    let dest = match &a.report {
        Some(out) => Some(claim("--report", out, &inputs)?),
        None => None,
    };
    let (signed, coll) = collection(&a.signed)?;
    let (pairs, proposed) = stages::pairs::read_verified(&a.verified, &signed)?;
    let run = coll.link(pairs, proposed as usize);
    let format = match a.format {
        Some(LinkFormat::Table) => Format::Table,
        Some(LinkFormat::Jsonl) => Format::Jsonl,
        Some(LinkFormat::Csv) => Format::Csv,
        None if a.report.is_none() && std::io::stdout().is_terminal() => Format::Table,
        None => Format::Jsonl,
    };
    let input = ReportInput {
        ids: coll.docs.ids(),
        run: &run,
        preset: coll.cfg.preset,
        integer_ids: &signed.integer_ids,
        kept: (&[], &[]),
        pairs: match a.pairs {
            PairsArg::Joins => report::PairsShown::Joins,
            PairsArg::All => report::PairsShown::All,
        },
        pair_fields: None,
    };
    super::write_report(dest, |w| report::write(format, &input, w))?;
    if !a.signed.quiet {
        let multi = run.clusters.iter().filter(|c| c.members.len() > 1).count();
        eprintln!(
            "storyhash: {} of two or more among {}",
            count(multi, "cluster"),
            count(coll.len(), "document")
        );
    }
    Ok(ExitCode::SUCCESS)
}
