//! `storyhash compare`: every similarity measure the engine knows for one pair, and whether
//! each preset would join it. Two text files are compared on their own (no collection: every
//! IDF is 1); two ids of a collection are compared with the collection's statistics.

use super::{EngineArgs, InputArgs};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use storyhash::corpus::{self, Document};
use storyhash::pipeline::IdfSource;
use storyhash::score::Preset;
use storyhash::{CollectionBuilder, Error};

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Two text files, or one collection (JSONL/CSV/directory) with --ids.
    #[arg(required = true, num_args = 1..=2)]
    inputs: Vec<PathBuf>,
    /// The ids of the two records to compare within the collection.
    #[arg(long, num_args = 2, value_names = ["A", "B"], display_order = 1)]
    ids: Option<Vec<String>>,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    engine: EngineArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table", display_order = 20)]
    format: CompareFormat,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum CompareFormat {
    Table,
    Json,
}

pub fn run(args: CompareArgs) -> Result<ExitCode, Error> {
    args.engine.init_threads()?;
    let mut cfg = args.engine.config()?;
    // Compute every lane, whatever preset decides.
    let preset = cfg.preset;
    cfg.preset = Preset::Story;
    let (docs, pair, idf_note) = match (&args.ids, args.inputs.as_slice()) {
        (Some(ids), [collection]) => {
            let stream =
                corpus::open_all(std::slice::from_ref(collection), &args.input.read_options())?;
            let docs: Vec<Document> = stream.collect::<Result<_, _>>()?;
            let find = |id: &str| {
                docs.iter().position(|d| d.id == id).ok_or_else(|| {
                    Error::Config(format!(
                        "no record with id {id:?} in {}",
                        collection.display()
                    ))
                })
            };
            let pair = (find(&ids[0])?, find(&ids[1])?);
            (docs, pair, String::new())
        }
        (None, [a, b]) => {
            cfg.story.idf = IdfSource::Uniform;
            (
                vec![super::read_text_file(a)?, super::read_text_file(b)?],
                (0, 1),
                "no collection: every IDF is 1".to_string(),
            )
        }
        _ => {
            return Err(Error::Config(
                "give two text files, or one collection and --ids A B".into(),
            ))
        }
    };
    let n_docs = docs.len();
    let idf_note = if args.ids.is_some() {
        format!("IDF over the {n_docs} documents of the collection")
    } else {
        idf_note
    };
    let (ta, tb) = (docs[pair.0].text.clone(), docs[pair.1].text.clone());
    let (ida, idb) = (docs[pair.0].id.clone(), docs[pair.1].id.clone());
    let mut builder = CollectionBuilder::new(cfg.clone());
    builder.add_batch(docs.into_iter().map(Into::into).collect());
    let coll = builder.finish()?;
    let scores = coll.scores(pair.0, pair.1);
    let measures = storyhash::explain::pair_measures(&coll, [&ta, &tb], pair.0, pair.1);

    let t = cfg.thresholds;
    let joins = |p: Preset| scores.decide(p, t).map(|e| e.name());
    use std::fmt::Write as _;
    let mut out = String::new();
    match args.format {
        CompareFormat::Json => {
            let obj = storyhash::report::pair::compare_json(
                &coll,
                [&ida, &idb],
                pair,
                &measures,
                &idf_note,
                preset,
            );
            let _ = writeln!(out, "{obj}");
        }
        CompareFormat::Table => {
            let _ = writeln!(out, "a: {ida}\nb: {idb}\n({idf_note})");
            for (k, v) in &measures {
                // Counts (terms shared) are whole numbers; measures have 4 decimals.
                if k.starts_with("heaviest terms shared") {
                    let _ = writeln!(out, "{k:<40} {v:>8}");
                } else {
                    let _ = writeln!(out, "{k:<40} {v:>8.4}");
                }
            }
            for p in [Preset::Copy, Preset::Story] {
                let th = t.of(p);
                let verdict = match joins(p) {
                    Some(e) => format!("joins ({e} evidence)"),
                    None => "does not join".into(),
                };
                let _ = writeln!(out, "preset {:<6} (threshold {th}): {verdict}", p.name());
            }
        }
    }
    super::emit(&out)?;
    Ok(ExitCode::SUCCESS)
}
