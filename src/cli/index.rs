//! `storyhash index ...`, `query` and `watch`: the archive index from the command line. The
//! index itself (store, matching, stories) is `storyhash-index`; this file turns arguments into
//! its calls and its answers into lines.

use super::{inputs_or_stdin, InputArgs};
use clap::{Args, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use storyhash::corpus::{self, ReadOptions};
use storyhash::index::{AddOptions, Answer, Index, Settled};
use storyhash::score::Preset;
use storyhash::{Article, EngineConfig, Error};

/// Articles signed and committed at a time by `index add` (one durable commit each).
const BATCH: usize = 10_000;

#[derive(Subcommand, Debug)]
pub enum IndexCommand {
    /// Create an empty index in DIR; its engine settings are stored in it and used by every
    /// later command.
    #[command(after_help = concat!(
        "Examples:\n",
        "  storyhash index create wire-index --preset copy\n",
        "  storyhash index create wire-index --preset copy --threshold 0.7 --contain-threshold 0.8\n",
        "  storyhash index create news-index --preset story --stats-from last-year.jsonl.gz",
    ))]
    Create(CreateArgs),
    /// Add articles (every input format `cluster` reads); each joins the stories of what it
    /// matches. Ids the index has are an error unless --replace.
    #[command(after_help = concat!(
        "Examples:\n",
        "  storyhash index add wire-index archive.jsonl.gz --time-field published\n",
        "  storyhash index add wire-index today.jsonl --replace --answers answers.jsonl",
    ))]
    Add(AddArgs),
    /// Counts and settings of an index.
    Stats(DirArgs),
    /// Every story with its live members (JSONL: story, size, representative, members; or a
    /// table).
    Stories(StoriesArgs),
    /// Remove articles by id (--ids FILE, one per line) or by age (--older-than 30d).
    #[command(after_help = concat!(
        "Examples:\n",
        "  storyhash index remove wire-index --older-than 30d\n",
        "  storyhash index remove wire-index --ids withdrawn.txt",
    ))]
    Remove(RemoveArgs),
    /// Rewrite the postings without removed articles and give free space back to the disk.
    Compact(DirArgs),
    /// Check the store and the index's consistency; say what would be lost. Exit 4 when
    /// something is wrong.
    Verify(DirArgs),
    /// Story preset: make the stories again as one `cluster` run over the live articles would.
    ///
    /// Under the statistics of now: stories decided when the archive was smaller are decided
    /// again. Each story keeps its id in the piece holding its earliest member. An index
    /// settles itself each time its counted articles double, while it holds at most 16,384
    /// articles; past that, run this when the desk chooses: it takes about as long as
    /// `cluster` over the archive, and holds the writer meanwhile (queries go on). The copy
    /// preset's stories are the batch's already: nothing to do.
    #[command(after_help = concat!(
        "Examples:\n",
        "  storyhash index settle news-index\n",
        "  storyhash index settle news-index --format json",
    ))]
    Settle(DirArgs),
}

#[derive(Args, Debug)]
pub struct DirArgs {
    /// The index directory.
    dir: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: OutFormat,
}

#[derive(Args, Debug)]
pub struct StoriesArgs {
    /// The index directory.
    dir: PathBuf,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_enum)]
    format: Option<AnswerFormat>,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum OutFormat {
    Table,
    Json,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum IndexPreset {
    /// Near-duplicate copies and trimmed copies (word 5-gram Jaccard, containment).
    Copy,
    /// Same story, any wording: story score (IDF-weighted terms) over the archive's own
    /// statistics, copies and trimmed copies too; stories by average linkage, online.
    Story,
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    /// The directory to create the index in (new or empty).
    dir: PathBuf,
    /// What counts as a match.
    #[arg(long, value_enum, default_value = "copy")]
    preset: IndexPreset,
    /// Copy threshold: estimated word 5-gram Jaccard at or above which two articles are copies.
    #[arg(long, default_value_t = 0.8)]
    threshold: f64,
    /// Story preset: the story score at or above which two articles are one story.
    #[arg(long, default_value_t = 0.25)]
    story_threshold: f64,
    /// Containment threshold: the lower bound of the estimated share of a shorter article
    /// found in a longer one at or above which it is a trimmed copy.
    #[arg(long, default_value_t = 0.7)]
    contain_threshold: f64,
    /// No containment: trimmed copies are matched by Jaccard alone.
    #[arg(long)]
    no_contain: bool,
    /// MinHash permutations.
    #[arg(long, default_value_t = 128)]
    num_perm: usize,
    /// MinHash seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Largest LSH bucket whose holders are all paired with a new article; past it only the
    /// first holder is.
    #[arg(long, default_value_t = 256)]
    max_bucket: usize,
    /// Story preset: start the collection statistics (story-term document frequencies and
    /// the length prior) from the articles in FILE (any input `cluster` reads), counted as the
    /// index counts its own and kept apart from them: removals never take them out. An
    /// archive that starts small then weighs terms as a large one does.
    #[arg(long, value_name = "FILE", help_heading = "Reference statistics")]
    stats_from: Option<PathBuf>,
    #[command(flatten)]
    reference: ReferenceArgs,
}

/// How the reference collection of `--stats-from` is read (the fields, as for `cluster`).
#[derive(Args, Debug, Clone)]
pub struct ReferenceArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Field holding the headline, when it is apart from the text.
    #[arg(long, value_name = "FIELD", help_heading = "Input")]
    title_field: Option<String>,
}

/// How article records are read (the fields, as for `cluster`).
#[derive(Args, Debug, Clone)]
pub(super) struct RecordArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Field holding the headline, when it is apart from the text.
    #[arg(long, value_name = "FIELD", help_heading = "Input")]
    title_field: Option<String>,
    /// Field holding the article's time (seconds since 1970, or an ISO 8601 date or date-time);
    /// `--older-than` expires by it, and by when the article was added when it has none.
    #[arg(long, value_name = "FIELD", help_heading = "Input")]
    time_field: Option<String>,
}

impl RecordArgs {
    /// A reader thread over `inputs` (none: stdin), sending batches of [`BATCH`] records.
    pub(super) fn spawn_reader(
        &self,
        inputs: &[PathBuf],
    ) -> (
        std::sync::mpsc::Receiver<Vec<corpus::Document>>,
        std::thread::JoinHandle<corpus::ingest::IngestResult>,
    ) {
        corpus::ingest::spawn_reader(
            inputs_or_stdin(inputs),
            self.read_options(),
            corpus::intake::IntakeOptions::default(),
            None,
            BATCH,
        )
    }

    fn read_options(&self) -> ReadOptions {
        ReadOptions {
            title_field: self.title_field.clone(),
            time_field: self.time_field.clone(),
            ..self.input.read_options()
        }
    }
}

/// The fields of a JSONL record (`watch` reads JSONL only).
#[derive(Args, Debug, Clone)]
pub struct JsonlFieldArgs {
    /// Key holding the article id; a dotted path (`meta.url`) reaches into nested objects.
    #[arg(long, default_value = "id", value_name = "FIELD")]
    id_field: String,
    /// Key holding the article text (`article.body`: nested).
    #[arg(long, default_value = "text", value_name = "FIELD")]
    text_field: String,
    /// Key holding the headline, when it is apart from the text.
    #[arg(long, value_name = "FIELD")]
    title_field: Option<String>,
    /// Key holding the article's time (seconds since 1970, or an ISO 8601 date or date-time);
    /// `index remove --older-than` expires by it, and by when the article was added when it
    /// has none.
    #[arg(long, value_name = "FIELD")]
    time_field: Option<String>,
}

impl JsonlFieldArgs {
    fn read_options(&self) -> ReadOptions {
        ReadOptions {
            id_field: self.id_field.clone(),
            text_field: self.text_field.clone(),
            format: Some(corpus::InputFormat::Jsonl),
            title_field: self.title_field.clone(),
            time_field: self.time_field.clone(),
            ..ReadOptions::default()
        }
    }
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// The index directory.
    dir: PathBuf,
    /// Input files or directories (`-` or nothing: stdin).
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    records: RecordArgs,
    /// Replace a stored article of the same id with the new version.
    #[arg(long)]
    replace: bool,
    /// Also write each article's answer (its matches and story) to FILE as JSONL (`-`: stdout).
    #[arg(long, value_name = "FILE")]
    answers: Option<PathBuf>,
    /// Story preset: once everything is stored, settle the stories (`index settle`): a bulk
    /// load past 16,384 articles then ends with the stories one `cluster` run makes. The
    /// answers are as each article was added; `index stories` lists the settled stories.
    #[arg(long)]
    settle: bool,
    /// No progress and no summary on stderr.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args, Debug)]
pub struct RemoveArgs {
    /// The index directory.
    dir: PathBuf,
    /// A file of ids to remove, one per line (`-`: stdin). Unknown ids refuse the removal.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "older_than",
        required_unless_present = "older_than"
    )]
    ids: Option<PathBuf>,
    /// Remove articles older than this: a number and a unit, s, m, h or d (`30d`, `12h`).
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    older_than: Option<i64>,
}

/// `storyhash query DIR INPUT...`.
#[derive(Args, Debug)]
pub struct QueryArgs {
    /// The index directory.
    dir: PathBuf,
    /// Input files or directories (`-` or nothing: stdin).
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    records: RecordArgs,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_enum)]
    format: Option<AnswerFormat>,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum AnswerFormat {
    Table,
    Jsonl,
}

/// `storyhash watch DIR`.
#[derive(Args, Debug)]
pub struct WatchArgs {
    /// The index directory.
    dir: PathBuf,
    #[command(flatten)]
    records: JsonlFieldArgs,
    /// Store each article after answering (one durable commit per line: the answer says
    /// `"stored": true` only once it is on disk).
    #[arg(long)]
    add: bool,
    /// With --add: a line whose id is stored replaces it (without: the line gets an error).
    #[arg(long, requires = "add")]
    replace: bool,
}

fn parse_age(s: &str) -> Result<i64, String> {
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not an age like 30d, 12h, 90m or 3600s"))?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{s:?}: the unit must be s, m, h or d (as in 30d)")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("{s:?} is too long"))
}

pub fn run(cmd: IndexCommand) -> Result<ExitCode, Error> {
    match cmd {
        IndexCommand::Create(a) => create(a),
        IndexCommand::Add(a) => add(a),
        IndexCommand::Stats(a) => stats(a),
        IndexCommand::Stories(a) => stories(a),
        IndexCommand::Remove(a) => remove(a),
        IndexCommand::Compact(a) => {
            let mut index = Index::open(&a.dir)?;
            let before = index.stats()?;
            index.compact()?;
            let after = index.stats()?;
            println!(
                "compacted {}: {} postings of removed articles dropped; file {} -> {} bytes",
                a.dir.display(),
                before.postings - after.postings,
                before.file_bytes,
                after.file_bytes
            );
            Ok(ExitCode::SUCCESS)
        }
        IndexCommand::Verify(a) => verify(a),
        IndexCommand::Settle(a) => {
            let mut index = Index::open(&a.dir)?;
            let (s, line) = settle(&mut index, &format!("settled {}", a.dir.display()))?;
            match a.format {
                OutFormat::Json => println!("{}", serde_json::to_string(&s).expect("plain data")),
                OutFormat::Table => println!("{line}"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Settle the stories (`index settle`, `index add --settle`), then give back the pages the
/// settle's one commit freed (it rewrites every story membership elsewhere in the file; the
/// command holds the index alone, as `add` does when it shrinks). With the summary line,
/// `head` first.
fn settle(index: &mut Index, head: &str) -> Result<(Settled, String), Error> {
    let t = Instant::now();
    let s = index.settle()?;
    index.shrink()?;
    let line = format!(
        "{head}: {} live articles, {} stories -> {}, {} articles moved ({:.1} s)",
        s.documents,
        s.stories_before,
        s.stories_after,
        s.moved,
        t.elapsed().as_secs_f64()
    );
    Ok((s, line))
}

fn create(a: CreateArgs) -> Result<ExitCode, Error> {
    let preset = match a.preset {
        IndexPreset::Copy => Preset::Copy,
        IndexPreset::Story => Preset::Story,
    };
    let mut cfg = EngineConfig::for_preset(preset);
    cfg.thresholds.copy = a.threshold;
    cfg.thresholds.story = a.story_threshold;
    cfg.copy.sketch.num_perm = a.num_perm;
    cfg.copy.sketch.seed = a.seed;
    cfg.copy.max_bucket = a.max_bucket;
    cfg.copy.contain = (!a.no_contain).then(|| storyhash::pipeline::contain::ContainParams {
        threshold: a.contain_threshold,
        ..Default::default()
    });
    let seeded = match &a.stats_from {
        None => {
            Index::create(&a.dir, cfg)?;
            String::new()
        }
        Some(_) if preset == Preset::Copy => {
            return Err(Error::Config(
                "--stats-from seeds the story preset's collection statistics, and the copy \
                 preset keeps none: add --preset story, or leave out --stats-from"
                    .into(),
            ))
        }
        Some(file) => {
            let opts = ReadOptions {
                title_field: a.reference.title_field.clone(),
                ..a.reference.input.read_options()
            };
            let (rx, reader) = corpus::ingest::spawn_reader(
                vec![file.clone()],
                opts,
                corpus::intake::IntakeOptions::default(),
                None,
                BATCH,
            );
            // The reader's verdict (a bad record, by file and line) comes last, so that a bad
            // reference creates nothing.
            let verdict = std::iter::once_with(move || match reader.join() {
                Ok(Ok(_)) => None,
                Ok(Err(e)) => Some(Err(e)),
                Err(_) => Some(Err(Error::Internal("the reader thread panicked".into()))),
            })
            .flatten();
            let batches = rx
                .into_iter()
                .map(|b| Ok(b.into_iter().map(Article::from).collect()))
                .chain(verdict);
            let index = Index::create_seeded(&a.dir, cfg, batches)?;
            let s = index
                .stats()?
                .story
                .unwrap_or_else(|| unreachable!("a story index"));
            format!(
                "; statistics seeded from {} ({} documents counted, {} terms)",
                file.display(),
                s.seed_counted,
                s.seed_terms
            )
        }
    };
    println!(
        "created an empty index in {} (preset {}, threshold {}, containment {}){seeded}",
        a.dir.display(),
        preset.name(),
        match preset {
            Preset::Copy => a.threshold,
            Preset::Story => a.story_threshold,
        },
        if a.no_contain {
            "off".to_string()
        } else {
            a.contain_threshold.to_string()
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// Where answers go.
fn answer_sink(path: &Option<PathBuf>) -> Result<Option<Box<dyn Write>>, Error> {
    Ok(match path.as_deref() {
        None => None,
        Some(p) if p == Path::new("-") => Some(Box::new(std::io::stdout().lock())),
        Some(p) => Some(Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).map_err(|e| Error::io(p, e))?,
        ))),
    })
}

fn add(a: AddArgs) -> Result<ExitCode, Error> {
    let started = Instant::now();
    let mut index = Index::open(&a.dir)?;
    let (rx, reader) = a.records.spawn_reader(&a.inputs);
    let mut out = answer_sink(&a.answers)?;
    let progress = !a.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let (mut added, mut matched, mut new_stories) = (0u64, 0u64, 0u64);
    let opts = AddOptions {
        replace: a.replace,
        now: None,
    };
    for batch in rx {
        let articles: Vec<Article> = batch.into_iter().map(Article::from).collect();
        let answers = index.add(articles, opts).inspect_err(|_| {
            if added > 0 {
                eprintln!(
                    "storyhash: {added} articles of earlier batches were stored before this error"
                );
            }
        })?;
        for ans in &answers {
            added += 1;
            matched += u64::from(!ans.matches.is_empty());
            new_stories += u64::from(ans.story.as_ref().is_some_and(|s| s.new));
            if let Some(o) = out.as_mut() {
                write_json_line(o, ans)?;
            }
        }
        if progress {
            eprint!(
                "\r{added} articles added ({:.0}/s)",
                added as f64 / started.elapsed().as_secs_f64()
            );
        }
    }
    if progress {
        eprintln!();
    }
    let read = reader
        .join()
        .map_err(|_| Error::Internal("the reader thread panicked".into()))?;
    if let Some(mut o) = out {
        o.flush().map_err(|e| Error::io(Path::new("answers"), e))?;
    }
    if let Err(e) = read {
        if added > 0 {
            eprintln!(
                "storyhash: the {added} articles read before the bad record were stored; after \
                 fixing it, add the input again with --replace (or only the rest)"
            );
        }
        return Err(e);
    }
    // The batches' group commits leave free pages in the file; the command holds the index
    // alone, so it gives them back (a server's adds leave that to `index compact`).
    if added > 0 {
        index.shrink()?;
    }
    if !a.quiet {
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "added {added} articles in {secs:.1} s ({:.0}/s): {matched} matched a stored article, {new_stories} started a story",
            added as f64 / secs.max(1e-9)
        );
    }
    if a.settle {
        let (_, line) = settle(&mut index, "settled")?;
        if !a.quiet {
            eprintln!("{line}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write_json_line(o: &mut dyn Write, v: &impl serde::Serialize) -> Result<(), Error> {
    let mut line = serde_json::to_vec(v).expect("answers serialise");
    line.push(b'\n');
    o.write_all(&line)
        .map_err(|e| Error::io(Path::new("stdout"), e))
}

fn stats(a: DirArgs) -> Result<ExitCode, Error> {
    let index = Index::open(&a.dir)?;
    let s = index.stats()?;
    if a.format == OutFormat::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&s).expect("stats serialise")
        );
        return Ok(ExitCode::SUCCESS);
    }
    let time = |t: Option<i64>| t.map_or("-".to_string(), |t| t.to_string());
    let per = s.file_bytes.checked_div(s.documents).unwrap_or(0);
    println!("index            {}", a.dir.display());
    println!("format version   {}", s.format_version);
    println!("articles         {}", s.documents);
    println!("stories          {}", s.stories);
    println!("segments         {} ({} postings)", s.segments, s.postings);
    println!("removed, to compact  {}", s.dead);
    println!(
        "file             {} bytes ({per} per article)",
        s.file_bytes
    );
    println!(
        "oldest / newest  {} / {} (seconds since 1970)",
        time(s.oldest),
        time(s.newest)
    );
    if let Some(st) = &s.story {
        println!(
            "counted          {} articles, {} story terms (live)",
            st.counted, st.terms
        );
        println!(
            "seed             {} articles, {} story terms{}",
            st.seed_counted,
            st.seed_terms,
            if st.prior {
                "; small-archive prior on"
            } else {
                ""
            }
        );
        println!(
            "settled          {}",
            if st.settled_at == 0 {
                "never (`storyhash index settle` makes the stories one batch run's)".to_string()
            } else {
                format!("when {} articles were counted", st.settled_at)
            }
        );
    }
    let cfg = &index.config();
    println!(
        "settings         preset {}, threshold {}, containment {}, {} permutations, seed {}",
        cfg.preset.name(),
        match cfg.preset {
            Preset::Copy => cfg.thresholds.copy,
            Preset::Story => cfg.thresholds.story,
        },
        cfg.copy
            .contain
            .map_or("off".to_string(), |c| c.threshold.to_string()),
        cfg.copy.sketch.num_perm,
        cfg.copy.sketch.seed
    );
    Ok(ExitCode::SUCCESS)
}

fn stories(a: StoriesArgs) -> Result<ExitCode, Error> {
    let index = Index::open(&a.dir)?;
    let table = a.format.map_or_else(
        || std::io::IsTerminal::is_terminal(&std::io::stdout()),
        |f| f == AnswerFormat::Table,
    );
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let io = |e| Error::io(Path::new("stdout"), e);
    if table {
        writeln!(
            out,
            "{:>8}  {:>5}  {:<24}  members",
            "story", "size", "representative"
        )
        .map_err(io)?;
    }
    for s in index.stories()? {
        if table {
            let shown: Vec<&str> = s.members.iter().take(4).map(String::as_str).collect();
            let more = s.members.len().saturating_sub(4);
            writeln!(
                out,
                "{:>8}  {:>5}  {:<24}  {}{}",
                s.id,
                s.members.len(),
                s.members[0],
                shown.join(" "),
                if more > 0 {
                    format!(" (+{more})")
                } else {
                    String::new()
                }
            )
            .map_err(io)?;
            continue;
        }
        write_json_line(
            &mut out,
            &serde_json::json!({
                "story": s.id,
                "size": s.members.len(),
                "representative": s.members[0],
                "members": s.members,
            }),
        )?;
    }
    out.flush().map_err(io)?;
    Ok(ExitCode::SUCCESS)
}

fn remove(a: RemoveArgs) -> Result<ExitCode, Error> {
    let index = Index::open(&a.dir)?;
    let r = match (&a.ids, a.older_than) {
        (Some(file), _) => {
            let text = if file == Path::new("-") {
                std::io::read_to_string(std::io::stdin()).map_err(|e| Error::io(file, e))?
            } else {
                std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?
            };
            let ids: Vec<String> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect();
            index.remove_ids(&ids)?
        }
        (None, Some(age)) => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            index.remove_older_than(now - age)?
        }
        (None, None) => unreachable!("clap requires --ids or --older-than"),
    };
    println!(
        "removed {} articles; {} stories re-linked, {} split",
        r.removed, r.relinked, r.split
    );
    Ok(ExitCode::SUCCESS)
}

fn verify(a: DirArgs) -> Result<ExitCode, Error> {
    let rep = Index::verify(&a.dir)?;
    if a.format == OutFormat::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&rep).expect("report serialises")
        );
    } else {
        println!(
            "store integrity  {}",
            if rep.store_ok { "ok" } else { "repaired" }
        );
        println!("articles         {}", rep.documents);
        println!("postings         {}", rep.postings);
        if rep.problems.is_empty() {
            println!("consistent       yes");
        } else {
            println!("problems         {}", rep.problems.len());
            for p in &rep.problems {
                println!("  {p}");
            }
            println!("would be lost    {}", rep.lost.len());
            for id in rep.lost.iter().take(20) {
                println!("  {id}");
            }
        }
    }
    Ok(if rep.problems.is_empty() && rep.store_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(4)
    })
}

pub fn query(a: QueryArgs) -> Result<ExitCode, Error> {
    let index = Index::open(&a.dir)?;
    let (rx, reader) = a.records.spawn_reader(&a.inputs);
    let table = a.format.map_or_else(
        || std::io::IsTerminal::is_terminal(&std::io::stdout()),
        |f| f == AnswerFormat::Table,
    );
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for batch in rx {
        let articles: Vec<Article> = batch.into_iter().map(Article::from).collect();
        for ans in index.query(articles)? {
            if table {
                write_table(&mut out, &ans)?;
            } else {
                write_json_line(&mut out, &ans)?;
            }
        }
    }
    reader
        .join()
        .map_err(|_| Error::Internal("the reader thread panicked".into()))??;
    out.flush().map_err(|e| Error::io(Path::new("stdout"), e))?;
    Ok(ExitCode::SUCCESS)
}

fn write_table(o: &mut dyn Write, ans: &Answer) -> Result<(), Error> {
    let mut s = String::new();
    match &ans.story {
        None => s.push_str(&format!("{}: no match\n", ans.id)),
        Some(st) => s.push_str(&format!(
            "{}: story {} (representative {}), {} match(es)\n",
            ans.id,
            st.id,
            st.representative,
            ans.matches.len()
        )),
    }
    for m in &ans.matches {
        let extra = match (&m.contained, m.containment) {
            (Some(c), Some(v)) => format!("  {c} is contained ({v:.2})"),
            _ => String::new(),
        };
        s.push_str(&format!(
            "  {:<9} {:.3}  {}{}\n",
            m.evidence, m.score, m.id, extra
        ));
    }
    o.write_all(s.as_bytes())
        .map_err(|e| Error::io(Path::new("stdout"), e))
}

pub fn watch(a: WatchArgs) -> Result<ExitCode, Error> {
    let index = Index::open(&a.dir)?;
    let opts = a.records.read_options();
    let stdin = Box::new(std::io::BufReader::new(std::io::stdin()));
    let reader = corpus::JsonlReader::new(stdin, PathBuf::from("-"), &opts);
    let mut out = std::io::stdout().lock();
    for doc in reader {
        let line = match doc {
            Err(e) => serde_json::json!({ "error": e.to_string() }),
            Ok(doc) => {
                let id = doc.id.clone();
                let article = Article::from(doc);
                let result = if a.add {
                    index.add(
                        vec![article],
                        AddOptions {
                            replace: a.replace,
                            now: None,
                        },
                    )
                } else {
                    index.query(vec![article])
                };
                match result {
                    Ok(mut answers) => {
                        serde_json::to_value(answers.remove(0)).expect("answers serialise")
                    }
                    Err(e @ Error::DuplicateDocument { .. }) => {
                        serde_json::json!({ "id": id, "error": e.to_string(), "stored": false })
                    }
                    // A store failure is not the line's fault: stop, since nothing after it can
                    // be acknowledged.
                    Err(e) => return Err(e),
                }
            }
        };
        write_json_line(&mut out, &line)?;
        out.flush().map_err(|e| Error::io(Path::new("stdout"), e))?;
    }
    Ok(ExitCode::SUCCESS)
}
