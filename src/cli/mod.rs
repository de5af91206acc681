//! Command-line arguments (clap) and their translation into the library's plain configuration.
//! The library never sees clap: [`EngineArgs::config`] is the one place arguments become an
//! [`EngineConfig`].

mod bench;
mod cluster;
mod compare;
mod eval;
mod explain;
mod index;
mod page;
mod progress;
mod report;
mod serve;
mod stages;
mod synth;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use storyhash::candidates::bands::LshParams;
use storyhash::corpus::{InputFormat, ReadOptions};
use storyhash::pipeline::StoryIndex;
use storyhash::score::{Preset, Thresholds};
use storyhash::shingle::ShingleKind;
use storyhash::sketch::SketchParams;
use storyhash::{EngineConfig, Error, Verify};

/// Find news articles that are the same story: near-duplicate wire copy (`--preset copy`) and
/// different outlets' write-ups of one event (`--preset story`, the default).
#[derive(Parser, Debug)]
#[command(name = "storyhash", version, about, long_about = None, max_term_width = 100)]
#[command(after_help = concat!(
    "Examples:\n",
    "  storyhash cluster articles.jsonl                 # same-story clusters (the default preset)\n",
    "  storyhash cluster --preset copy wire.jsonl.gz    # near-duplicate copies only\n",
    "  storyhash compare a.txt b.txt                    # every similarity measure for two texts\n",
    "  storyhash eval labelled.jsonl --gold-field story # quality against gold cluster labels\n",
    "  storyhash cluster --help                         # a subcommand's options and examples\n",
    "\n",
    "Exit status: 0 ok; 2 bad usage, bad input or any other error (the message is on stderr);\n",
    "3 completed, but --skip-bad skipped records (the output is whole for the records read).",
))]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Cluster a collection and report clusters with similarity scores.
    ///
    /// `--preset story` (the default) joins different outlets' write-ups of one event;
    /// `--preset copy` joins near-duplicate copies only (wire copy, reposts).
    #[command(after_help = concat!(
        "Examples:\n",
        "  storyhash cluster fixtures/seeds/seed_case.jsonl\n",
        "  storyhash cluster --preset copy --format jsonl wire.jsonl.gz > clusters.jsonl\n",
        "  storyhash cluster articles.csv --id-field url --text-field body --format csv\n",
        "  storyhash cluster archive.jsonl --dedup-out deduped.jsonl\n",
        "  storyhash cluster scraped/*.jsonl --skip-bad --report-bad bad.jsonl",
    ))]
    Cluster(cluster::ClusterArgs),
    /// Print every similarity measure the engine knows for two documents.
    ///
    /// Two text files are compared on their own (no collection: every IDF is 1); two ids of a
    /// collection are compared with the collection's statistics. Options that only steer
    /// candidate search and clustering (--linkage, --link-factor, --story-min-shared,
    /// --story-max-bucket, --story-min-hits, --story-weak-bucket, --story-max-partners) change
    /// nothing for one pair.
    #[command(after_help = concat!(
        "Examples:\n",
        "  storyhash compare a.txt b.txt\n",
        "  storyhash compare fixtures/seeds/seed_case.jsonl --ids vna-thang-interview wvr-thang-interview\n",
        "  storyhash compare a.txt b.txt --preset copy --format json",
    ))]
    Compare(compare::CompareArgs),
    /// Show why two documents match: shared passages, the terms behind the score, the verdict.
    ///
    /// Passages are the word runs the two texts share after normalisation (3 words or more,
    /// joined across up to 4 differing words), with byte offsets of the original texts and a
    /// weight: the sum of their words' IDF in the collection. Give a collection (with --ids,
    /// or --result and --cluster) for real weights: two files alone weigh every word 1.
    #[command(after_help = concat!(
        "Examples:\n",
        "  storyhash explain fixtures/seeds/seed_case.jsonl --ids vna-thang-interview wvr-thang-interview\n",
        "  storyhash explain a.txt b.txt\n",
        "  storyhash explain corpus.jsonl --result result.jsonl --cluster 3   (result: of cluster)\n",
        "  storyhash explain corpus.jsonl --ids 17 42 --format json",
    ))]
    Explain(explain::ExplainArgs),
    /// Write the HTML page of a saved JSONL result (the inputs give the texts).
    ///
    /// One self-contained file: the run in numbers, clusters largest first with their
    /// members, scores and evidence, each pair's texts side by side with the shared passages
    /// highlighted, a histogram of pair scores and the LSH S-curve, and a search box. Give the
    /// options the result was made with (the preset decides the evidence and the weights).
    #[command(after_help = concat!(
        "Examples:\n",
        "  storyhash cluster corpus.jsonl --format jsonl > result.jsonl\n",
        "  storyhash report result.jsonl corpus.jsonl --out report.html\n",
        "  storyhash cluster corpus.jsonl --format html --out report.html   (in one step)",
    ))]
    Report(report::ReportArgs),
    /// Measure quality against gold labels: clusters (INPUT --gold-field) or pairs (--pairs).
    ///
    /// Collection statistics (IDF, boilerplate) come from the texts being evaluated, exactly as
    /// `cluster` computes them over its input.
    #[command(after_help = concat!(
        "Examples:\n",
        "  storyhash eval fixtures/seeds/seed_case.jsonl --gold-field story\n",
        "  storyhash eval --pairs pairs.jsonl --title-field title --score-field overall --lower-is-closer --group-by lang\n",
        "  storyhash eval docs.jsonl --pairs pairs.jsonl --sweep threshold=0.1:0.9:0.05 --errors 5",
    ))]
    Eval(eval::EvalArgs),
    /// Time the engine's stages on a corpus in memory, on one thread and on all.
    ///
    /// Reading the files happens first and is not timed; then the stages `cluster` runs
    /// (per-document features, collection statistics, candidates, verification, clustering)
    /// are timed one by one, with the same options as `cluster`.
    #[command(after_help = concat!(
        "Examples:\n",
        "  storyhash bench corpus.jsonl --preset copy\n",
        "  storyhash bench corpus.jsonl --preset copy --sketch classic --bands 16 --rows 8 --repeat 5\n",
        "  storyhash bench corpus.jsonl --preset story --threads 1",
    ))]
    Bench(bench::BenchArgs),
    /// An archive index on disk: create it, add and remove articles, check it.
    ///
    /// The index keeps an archive's copy-preset features in one crash-safe file, so that each
    /// new article is answered ("do we have this already, and in which story?") without
    /// re-clustering the archive. Its stories are the clusters `cluster --preset copy` gives
    /// over the same articles.
    #[command(subcommand, after_help = concat!(
        "Examples:\n",
        "  storyhash index create wire-index --preset copy\n",
        "  storyhash index add wire-index archive.jsonl.gz --time-field published\n",
        "  storyhash query wire-index incoming.jsonl\n",
        "  storyhash index remove wire-index --older-than 30d && storyhash index compact wire-index",
    ))]
    Index(index::IndexCommand),
    /// Ask an index about articles: each one's matches, best first, and the story it joins.
    /// Nothing is stored.
    #[command(after_help = concat!(
        "Examples:\n",
        "  storyhash query wire-index incoming.jsonl\n",
        "  storyhash query wire-index item.jsonl --format jsonl | jq .story",
    ))]
    Query(index::QueryArgs),
    /// Answer JSONL articles from stdin one line at a time (one JSON line out per line in,
    /// flushed at once); with --add, store each after answering.
    #[command(after_help = concat!(
        "Examples:\n",
        "  tail -f incoming.jsonl | storyhash watch wire-index --add\n",
        "  storyhash watch wire-index < items.jsonl",
    ))]
    Watch(index::WatchArgs),
    /// Serve an index over HTTP: a JSON API to query, add and remove articles while it stays
    /// open.
    ///
    /// The server holds the index (one process at a time): send it requests instead of running
    /// other commands on the index. It listens on loopback by default; the API has no
    /// authentication. An add or a removal is answered only once its commit is durable, and a
    /// refused request (4xx) changes nothing. On SIGTERM or SIGINT it stops accepting
    /// connections, finishes the requests in flight (an add in flight is committed and
    /// answered), closes the index and exits 0.
    #[command(after_help = concat!(
        "Endpoints (JSON bodies, Content-Type: application/json):\n",
        "  GET  /health        {\"status\":\"ok\",\"documents\":N}\n",
        "  GET  /stats         counts and settings, as `index stats --format json`\n",
        "  POST /query         {\"articles\":[{\"id\",\"text\",\"title\"?,\"time\"?}]}: matches and story\n",
        "  POST /add           the same, \"replace\"?: bool: the query's answers, then stored\n",
        "  POST /remove        {\"ids\":[...]} or {\"older_than_secs\":N} or {\"before\":TIME}\n",
        "  GET  /openapi.json  the OpenAPI 3.1 document (crates/serve/openapi.json in the source)\n",
        "Errors: {\"error\":{\"status\",\"code\",\"message\"}}.\n",
        "Compaction is not served: stop the server, run `storyhash index compact DIR`, start it again.\n",
        "\n",
        "Examples:\n",
        "  storyhash serve wire-index\n",
        "  curl -s localhost:7878/query -H 'content-type: application/json' -d @articles.json\n",
        "  storyhash serve wire-index --addr 127.0.0.1:0 --print-addr   # any free port, printed",
    ))]
    Serve(serve::ServeArgs),
    /// Write a labelled synthetic corpus for throughput and recall benchmarks.
    ///
    /// Articles are runs of real sentences from the --source files; near-duplicate families are
    /// made from them by edits (trims, inserted sentences, a changed headline, typos, swapped
    /// paragraphs). Every record says "synthetic": true. The `family` labels are right for
    /// near-duplicate detection (the copy preset) and throughput, not for same-story quality.
    #[command(after_help = concat!(
        "Examples:\n",
        "  storyhash synth --source fixtures/seeds/seed_case.jsonl --docs 10000 --out synth.jsonl\n",
        "  storyhash synth --source a.jsonl b.jsonl --whole --family-rate 0.5 --out synth.jsonl",
    ))]
    Synth(synth::SynthArgs),
    /// Stage 1 of 4: sign documents into a Parquet file (one row per document).
    ///
    /// `cluster` in four steps with a Parquet file between each, so that a step can run
    /// elsewhere (another machine, Spark), be restarted alone, or be read by other tools:
    /// sign, candidates, verify, link. Their clusters are `cluster`'s, byte for byte. Each row
    /// holds what the engine computes from one text alone (content hash, copy signature and
    /// band keys, containment features, story terms by line); the file's metadata holds the
    /// engine config, the feature recipe, the format version and a fingerprint of its rows.
    /// Sign parts of a corpus separately (same options) and give the later stages every part,
    /// in order. Engine options are given here only: the later stages use the signed files'.
    #[command(after_help = concat!(
        "Examples:
",
        "  storyhash sign corpus.jsonl -o signed.parquet
",
        "  storyhash candidates signed.parquet -o candidates.parquet
",
        "  storyhash verify signed.parquet --candidates candidates.parquet -o verified.parquet
",
        "  storyhash link signed.parquet --verified verified.parquet > clusters.jsonl
",
        "  storyhash sign part1.jsonl -o s1.parquet --preset copy && storyhash sign part2.jsonl -o s2.parquet --preset copy
",
        "  storyhash candidates s1.parquet s2.parquet -o c.parquet",
    ))]
    Sign(stages::SignArgs),
    /// Stage 2 of 4: candidate pairs of signed documents (LSH bands, story top terms).
    ///
    /// Builds the collection from the signed files (collection statistics included) and
    /// writes its candidate pairs, by position (0-based, counting the signed files' rows one
    /// file after another): columns `a`, `b`.
    #[command(after_help = concat!(
        "Examples:
",
        "  storyhash candidates signed.parquet -o candidates.parquet
",
        "  storyhash candidates s1.parquet s2.parquet -o candidates.parquet",
    ))]
    Candidates(stages::CandidatesArgs),
    /// Stage 3 of 4: verify candidate pairs (the preset's score and rule).
    ///
    /// Writes the pairs the preset joins, sorted: `a`, `b`, `similarity`, `evidence`
    /// (exact, copy, contained, story) and `contained` (the trimmed copy's position).
    #[command(after_help = concat!(
        "Examples:
",
        "  storyhash verify signed.parquet --candidates candidates.parquet -o verified.parquet",
    ))]
    Verify(stages::VerifyArgs),
    /// Stage 4 of 4: link verified pairs into clusters and report them as `cluster` does.
    #[command(after_help = concat!(
        "Examples:
",
        "  storyhash link signed.parquet --verified verified.parquet > clusters.jsonl
",
        "  storyhash link signed.parquet --verified verified.parquet --format csv --report clusters.csv",
    ))]
    Link(stages::LinkArgs),
}

/// Where documents come from.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Field (JSONL key or CSV column) holding the document id; a dotted path (`meta.url`)
    /// reaches into nested JSON objects.
    #[arg(long, default_value = "id", value_name = "FIELD", display_order = 90)]
    id_field: String,
    /// Field (JSONL key or CSV column) holding the document text (`article.body`: nested).
    #[arg(long, default_value = "text", value_name = "FIELD", display_order = 91)]
    text_field: String,
    /// Input format; by default guessed: *.parquet (a file, or a directory of part files) is
    /// Parquet, another directory is a tree of .txt files, *.csv is CSV, anything else (and
    /// `-`, stdin) is JSONL. gzip and zstd inputs are decompressed (told by their content).
    #[arg(long, value_enum, help_heading = "Input")]
    input_format: Option<InputFormatArg>,
    /// CSV field delimiter: one character, or `tab`.
    #[arg(long, default_value = ",", value_parser = parse_delimiter, help_heading = "Input")]
    delimiter: u8,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum InputFormatArg {
    Jsonl,
    Csv,
    Txtdir,
    /// A Parquet file or a directory of `*.parquet` parts: one row per document, columns
    /// named by --id-field, --text-field and the other field options.
    Parquet,
}

impl InputArgs {
    fn read_options(&self) -> ReadOptions {
        ReadOptions {
            id_field: self.id_field.clone(),
            text_field: self.text_field.clone(),
            format: self.input_format.map(|f| match f {
                InputFormatArg::Jsonl => InputFormat::Jsonl,
                InputFormatArg::Csv => InputFormat::Csv,
                InputFormatArg::Txtdir => InputFormat::TextDir,
                InputFormatArg::Parquet => InputFormat::Parquet,
            }),
            delimiter: self.delimiter,
            title_field: None,
            time_field: None,
            keep_fields: Vec::new(),
        }
    }
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum LinkageArg {
    /// Any verified pair joins its two clusters.
    Single,
    /// Clusters join when their members' mean score reaches --link-factor times the threshold.
    Average,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum StoryIndexArg {
    /// Pairs sharing --story-min-shared of their --story-top-terms heaviest terms.
    TopTerms,
    /// Weighted MinHash, banded (32 x 1 at the default --num-perm and --story-candidates).
    Minhash,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum SketchArg {
    /// One-permutation hashing with optimal densification: one hash per shingle.
    Oph,
    /// Classic MinHash: --num-perm hashes per shingle.
    Classic,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum PresetArg {
    /// Near-duplicate copies: word 5-gram Jaccard >= 0.8.
    Copy,
    /// Same story, any wording: IDF-weighted story score >= 0.25, or a copy.
    Story,
}

/// What decides the result.
#[derive(Args, Debug, Clone)]
pub struct EngineArgs {
    /// What counts as a match.
    #[arg(long, value_enum, default_value = "story", display_order = 10)]
    preset: PresetArg,
    /// Threshold of the preset's score (copy: Jaccard, default 0.8; story: story score,
    /// default 0.25).
    #[arg(long, display_order = 11)]
    threshold: Option<f64>,
    /// Shingles of the copy lane: word:N or char:N.
    #[arg(long, default_value = "word:5", help_heading = "Copy lane (advanced)")]
    shingle: ShingleKind,
    /// Sketch of the copy lane; both estimate Jaccard.
    #[arg(
        long,
        value_enum,
        default_value = "oph",
        help_heading = "Copy lane (advanced)"
    )]
    sketch: SketchArg,
    /// MinHash signature length.
    #[arg(long, default_value_t = 128, help_heading = "Copy lane (advanced)")]
    num_perm: usize,
    /// LSH bands of the copy lane (with --rows); by default chosen from the threshold.
    #[arg(long, requires = "rows", help_heading = "Copy lane (advanced)")]
    bands: Option<usize>,
    /// LSH rows per band of the copy lane (with --bands).
    #[arg(long, requires = "bands", help_heading = "Copy lane (advanced)")]
    rows: Option<usize>,
    /// Seed of the hash functions (the story lane's weighted MinHash uses it too): same input
    /// and seed, same output.
    #[arg(long, default_value_t = 42, help_heading = "Copy lane (advanced)")]
    seed: u64,
    /// Verify candidate pairs with exact shingle Jaccard instead of the signature estimate
    /// (keeps shingle sets in memory).
    #[arg(long, help_heading = "Copy lane (advanced)")]
    exact: bool,
    /// Containment of the shorter text in the longer at or above which two texts that start
    /// alike are a trimmed copy (evidence `contained`): a headline and first paragraphs
    /// republished, with or without a credit line.
    #[arg(
        long,
        default_value_t = 0.7,
        value_name = "T",
        help_heading = "Copy lane (advanced)"
    )]
    contain_threshold: f64,
    /// No containment: copies by Jaccard alone.
    #[arg(long, help_heading = "Copy lane (advanced)")]
    no_contain: bool,
    /// How the story lane finds candidate pairs.
    ///
    /// top-terms is exact, and on SemEval-2022 proposes a twelfth of minhash's candidates for
    /// the same recall; minhash is tuned by the options under "Story lane, minhash index".
    #[arg(
        long,
        value_enum,
        default_value_t = StoryIndexArg::TopTerms,
        help_heading = "Story lane (advanced)"
    )]
    story_index: StoryIndexArg,
    /// Top-terms index: how many of each document's heaviest (IDF-weighted) terms are indexed.
    #[arg(long, default_value_t = 32, help_heading = "Story lane (advanced)")]
    story_top_terms: usize,
    /// Top-terms index: how many of those terms two documents must share to be verified.
    #[arg(long, default_value_t = 2, help_heading = "Story lane (advanced)")]
    story_min_shared: usize,
    /// Minhash index: probability-Jaccard level its banding is tuned to (lower finds more
    /// candidates, at more verification cost) [default: 0.05].
    #[arg(long, help_heading = "Story lane, minhash index (advanced)")]
    story_candidates: Option<f64>,
    /// How verified pairs become clusters [default: single for --preset copy, average for
    /// --preset story].
    ///
    /// Average linkage keeps one page quoting two stories from chaining them into one cluster.
    #[arg(long, value_enum, help_heading = "Linkage (advanced)")]
    linkage: Option<LinkageArg>,
    /// Average linkage: the fraction of the pair threshold that two clusters' mean score
    /// must reach for them to join.
    #[arg(long, default_value_t = 0.5, help_heading = "Linkage (advanced)")]
    link_factor: f64,
    /// Minhash index: bands a pair must share before its story score is computed (1
    /// verifies every pair that shares one; 2 skips most chance collisions of common heavy
    /// terms) [default: 1].
    #[arg(long, help_heading = "Story lane, minhash index (advanced)")]
    story_min_hits: Option<usize>,
    /// Story index: a term among the heaviest of more than this many documents (top-terms)
    /// pairs each of them with its next quarter of this many holders only; an LSH bucket of
    /// more documents (minhash) pairs them with its first only.
    #[arg(long, default_value_t = 64, help_heading = "Story lane (advanced)")]
    story_max_bucket: usize,
    /// Minhash index: pairs met only in buckets larger than this are verified only when
    /// they meet in two bands (0: off) [default: 0].
    #[arg(long, help_heading = "Story lane, minhash index (advanced)")]
    story_weak_bucket: Option<usize>,
    /// Minhash index: candidates verified per document, the later partners that share the
    /// most bands (0: all) [default: 0].
    #[arg(long, help_heading = "Story lane, minhash index (advanced)")]
    story_max_partners: Option<usize>,
    /// Worker threads (default: all cores). Output does not depend on it.
    #[arg(long, value_name = "N", display_order = 80)]
    threads: Option<usize>,
}

impl EngineArgs {
    fn config(&self) -> Result<EngineConfig, Error> {
        use storyhash::pipeline::{
            CopyParams, LinkParams, StoryMinHashParams, StoryParams, TopTermsParams,
        };
        let preset = match self.preset {
            PresetArg::Copy => Preset::Copy,
            PresetArg::Story => Preset::Story,
        };
        let mut thresholds = Thresholds::default();
        if let Some(t) = self.threshold {
            thresholds = thresholds.with(preset, t);
        }
        let story_index = match self.story_index {
            StoryIndexArg::TopTerms => {
                let minhash_only = [
                    ("--story-candidates", self.story_candidates.is_some()),
                    ("--story-min-hits", self.story_min_hits.is_some()),
                    ("--story-weak-bucket", self.story_weak_bucket.is_some()),
                    ("--story-max-partners", self.story_max_partners.is_some()),
                ];
                if let Some((name, _)) = minhash_only.iter().find(|o| o.1) {
                    return Err(Error::Config(format!(
                        "{name} tunes the weighted MinHash story index: add --story-index minhash"
                    )));
                }
                StoryIndex::TopTerms(TopTermsParams {
                    top_terms: self.story_top_terms,
                    min_shared: self.story_min_shared,
                    max_list: self.story_max_bucket,
                })
            }
            StoryIndexArg::Minhash => {
                let d = StoryMinHashParams::default();
                StoryIndex::MinHash(StoryMinHashParams {
                    level: self.story_candidates.unwrap_or(d.level),
                    min_hits: self.story_min_hits.unwrap_or(d.min_hits),
                    max_bucket: self.story_max_bucket,
                    weak_bucket: self.story_weak_bucket.unwrap_or(d.weak_bucket),
                    max_partners: self.story_max_partners.unwrap_or(d.max_partners),
                })
            }
        };
        let cfg = EngineConfig {
            preset,
            thresholds,
            copy: CopyParams {
                shingle: self.shingle,
                sketch: SketchParams {
                    num_perm: self.num_perm,
                    seed: self.seed,
                },
                scheme: match self.sketch {
                    SketchArg::Oph => storyhash::sketch::Scheme::OnePermutation,
                    SketchArg::Classic => storyhash::sketch::Scheme::MinHash,
                },
                bands: match (self.bands, self.rows) {
                    (Some(bands), Some(rows)) => Some(LshParams { bands, rows }),
                    _ => None,
                },
                verify: if self.exact {
                    Verify::Exact
                } else {
                    Verify::Estimate
                },
                contain: (!self.no_contain).then(|| storyhash::pipeline::contain::ContainParams {
                    threshold: self.contain_threshold,
                    ..Default::default()
                }),
                ..CopyParams::default()
            },
            story: StoryParams {
                index: story_index,
                ..StoryParams::default()
            },
            link: LinkParams {
                linkage: self.linkage.map(|l| match l {
                    LinkageArg::Single => storyhash::cluster::Linkage::Single,
                    LinkageArg::Average => storyhash::cluster::Linkage::Average,
                }),
                factor: self.link_factor,
            },
        };
        cfg.validate()?;
        Ok(cfg)
    }

    fn init_threads(&self) -> Result<(), Error> {
        init_threads(self.threads)
    }
}

/// Start `threads` worker threads (`None`: one per core, rayon's default).
pub(crate) fn init_threads(threads: Option<usize>) -> Result<(), Error> {
    if let Some(n) = threads {
        // Thousands of threads cost minutes to start and buy nothing.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if n == 0 || n > MAX_THREADS.max(cores) {
            return Err(Error::Config(format!(
                "--threads must be in 1..={} (this machine has {cores} cores), got {n}",
                MAX_THREADS.max(cores)
            )));
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .map_err(|e| Error::Resource(format!("the system would not start {n} threads: {e}")))?;
    }
    Ok(())
}

/// A whole text file as one document, its path as its id.
fn read_text_file(p: &std::path::Path) -> Result<storyhash::corpus::Document, Error> {
    let location = || storyhash::error::Location {
        path: p.into(),
        line: 0,
    };
    let bytes = std::fs::read(p).map_err(|e| Error::io(p, e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Error::bad(
            location(),
            format!("not UTF-8 at byte {}", e.utf8_error().valid_up_to()),
        )
    })?;
    Ok(storyhash::corpus::Document::new(
        p.display().to_string(),
        text,
        location(),
    ))
}

/// Run the parsed command.
pub fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Cluster(a) => cluster::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Report(a) => report::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Synth(a) => synth::run(a),
        Command::Index(c) => index::run(c),
        Command::Query(a) => index::query(a),
        Command::Watch(a) => index::watch(a),
        Command::Serve(a) => serve::run(a),
        Command::Sign(a) => stages::sign(a),
        Command::Candidates(a) => stages::candidates(a),
        Command::Verify(a) => stages::verify(a),
        Command::Link(a) => stages::link(a),
    }
}

/// What to tell the user to do about an error.
pub fn hint(e: &Error) -> Option<String> {
    match e {
        // Line 0 is a whole file of a text directory: it has no fields to name.
        Error::BadRecord { location, .. } if location.line == 0 => Some(
            "the file is not a text document: convert it or move it out of the directory (--skip-bad skips it)"
                .into(),
        ),
        Error::BadRecord { .. } => Some(
            "fix or remove that record; --id-field and --text-field name the fields to read".into(),
        ),
        Error::DuplicateId { .. } => {
            Some("ids must be unique across all inputs; --id-field picks another field".into())
        }
        Error::Io { source, .. } => Some(
            match source.kind() {
                std::io::ErrorKind::NotFound => "check that the path exists",
                std::io::ErrorKind::PermissionDenied => "check the file's permissions",
                std::io::ErrorKind::StorageFull => "free some disk space and run again",
                std::io::ErrorKind::BrokenPipe => "the reader of the output went away",
                std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof => {
                    "the file is damaged or truncated: check it, or skip it with --skip-bad"
                }
                _ => "check that the path is readable (or writable, for an output)",
            }
            .into(),
        ),
        Error::Config(_) => Some("see storyhash help for the allowed values".into()),
        Error::Resource(_) => Some(
            "ask for fewer with --threads, or raise this user's limit on processes (ulimit -u)"
                .into(),
        ),
        Error::Internal(_) => Some(
            "this is a bug in storyhash, not in the input: please report it with the command that ran"
                .into(),
        ),
        Error::InvalidSetting { name, .. } => Some(format!(
            "{} sets it; see storyhash help for the allowed values",
            flag_of(name)
        )),
        Error::InvalidConfig(_) | Error::IncompatibleFormat { .. } => None,
        Error::ParamMismatch { .. } => None,
        Error::TooManySkipped { .. } => Some(
            "fix the inputs, or raise --max-bad; --report-bad FILE lists every skipped record"
                .into(),
        ),
        Error::DuplicateDocument { .. } => Some(
            "ids must be unique among the documents kept (an index: --replace stores the new version instead); --id-field picks another field".into(),
        ),
        Error::Store { .. } => None,
        Error::Stage { .. } => Some(
            "stages run in order on the same signed files: sign, candidates, verify, link (storyhash help sign)".into(),
        ),
        Error::UnknownIds { .. } => {
            Some("`storyhash index stories DIR` lists the ids the index holds".into())
        }
    }
}

/// A CSV delimiter: one ASCII character, or `tab`.
fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() && s != "\"" && s != "\n" => Ok(s.as_bytes()[0]),
        _ => Err(format!(
            "expected one ASCII character other than a quote, or tab; got {s:?}"
        )),
    }
}

/// The flag that sets a config setting (by its path in `EngineConfig`).
fn flag_of(setting: &str) -> &'static str {
    match setting {
        "thresholds.copy" | "thresholds.story" => "--threshold",
        "copy.sketch.num_perm" => "--num-perm",
        "copy.bands" => "--bands/--rows",
        "copy.shingle" => "--shingle",
        "story.index.top_terms" => "--story-top-terms",
        "story.index.min_shared" => "--story-min-shared",
        "story.index.level" => "--story-candidates",
        "link.factor" => "--link-factor",
        _ => "an option",
    }
}

/// Most worker threads `--threads` accepts, unless the machine has more cores.
const MAX_THREADS: usize = 256;

/// Exit status of a run that completed but skipped records (under `--skip-bad`): its output
/// is whole for the records it read, and a script can tell it from a clean run.
pub const PARTIAL: u8 = 3;

/// `n` and the noun, plural unless `n` is 1.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Write a report through `write`: into `dest` (whole or not at all), or else to stdout, where
/// a reader that closed the pipe early is not an error (as [`emit`]).
fn write_report(
    dest: Option<storyhash::corpus::subset::Destination>,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    use std::io::Write;
    match dest {
        Some(dest) => {
            let path = dest.path().to_path_buf();
            dest.commit(|w| write(w).map_err(|e| Error::io(&path, e)))
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            match write(&mut out).and_then(|_| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(Error::io("<stdout>", e))
                }
                _ => Ok(()),
            }
        }
    }
}

/// Write `text` to stdout. A reader that closed the pipe early (`| head`) is not an error: the
/// rest of the run goes on, and the exit status is the run's. Any other write error (a full
/// disk) is.
fn emit(text: &str) -> Result<(), Error> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::io("<stdout>", e)),
        _ => Ok(()),
    }
}

/// The paths as given, `-` for stdin when none.
fn inputs_or_stdin(inputs: &[PathBuf]) -> Vec<PathBuf> {
    if inputs.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        inputs.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_is_said_to_be_a_bug_not_a_bad_value() {
        let internal = hint(&Error::Internal("the reader thread panicked".into())).unwrap();
        let config = hint(&Error::Config("--window must be positive".into())).unwrap();
        assert!(internal.contains("bug"), "{internal}");
        assert!(!internal.contains("allowed values"), "{internal}");
        assert!(config.contains("allowed values"), "{config}");
    }

    #[test]
    fn threads_the_system_refuses_are_not_said_to_be_a_bad_value() {
        let refused = hint(&Error::Resource(
            "the system would not start 8 threads: Resource temporarily unavailable".into(),
        ))
        .unwrap();
        assert!(!refused.contains("allowed values"), "{refused}");
        assert!(refused.contains("--threads"), "{refused}");
    }
}
