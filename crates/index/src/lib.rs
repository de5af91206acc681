//! An archive index: a persistent, crash-safe collection that answers "have we already got this
//! article?" one article at a time, and takes new articles and expires old ones, for a wire
//! desk that keeps its recent copy and asks about each item as it arrives.
//!
//! - **Store**: one [redb](https://docs.rs/redb) file (`DIR/index.redb`): pure Rust,
//!   copy-on-write B-trees with atomic, durable commits, one writer and non-blocking MVCC
//!   readers. What it holds is in `record.rs`: per document a record (copy signature,
//!   containment features, content hash, links), the id and time maps, story membership, and
//!   the postings as sorted segments (`segment.rs`), written once per group commit.
//! - **Memory**: the postings segments, loaded when the index opens (13 bytes a posting, 18
//!   postings an article under the copy preset's defaults); records are read from the store as
//!   candidates need them.
//! - **Matching** is the batch engine's: the same features ([`CollectionBuilder::sign`]), the
//!   same band keys ([`band_key`]) and lead anchors, and each candidate verified by the same
//!   [`PairScorer`] over the query and its candidates.
//! - **Stories** (the copy preset's clusters) are the connected components of the verified
//!   links among live documents: an article joins the stories of everything it matches (they
//!   merge into the oldest story id); when a member leaves, its story is re-linked from the
//!   links its remaining members keep, and a piece that splits off gets a new id. A story keeps
//!   its id while any member that held it lives, so the id survives compaction and the expiry
//!   of its first member.
//!
//! Invariant (the promise, tested): the stories of the live documents are the clusters one
//! `cluster --preset copy` run over the same documents gives, as long as no LSH bucket or lead
//! anchor is held by more than `max_bucket` live documents (past it both sides pair with the
//! first holder only, and the two can differ in which pairs they verify).

mod cache;
mod lookup;
mod record;
mod seed;
mod segment;
mod settle;
mod story;
mod write;

use rayon::prelude::*;
use record::{
    DocRecord, Link, DEAD, DOCS, DOC_STORY, IDS, MEMBERS, META, SEED_DF, SEGMENTS, TERM_DF, TIMES,
};
use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, WriteTransaction};
use segment::{key, KeyKind, Segment};
use serde::Serialize;
pub use settle::{Settled, AUTO_SETTLE_MAX};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use storyhash_core::candidates::bands::{band_key, LshParams};
use storyhash_core::cluster::UnionFind;
use storyhash_core::error::{Error, Result};
use storyhash_core::hashed::FastMap;
use storyhash_core::pipeline::contain::{anchors_needed, ContainFeatures, ANCHORS};
use storyhash_core::pipeline::{FeatureRecipe, MemStore, PairScorer, SignedDoc, Verify};
use storyhash_core::score::{Evidence, Preset};
use storyhash_core::sketch::{Signatures, EMPTY};
use storyhash_core::weight::{PackedVectors, TermVector};
use storyhash_core::{Article, CollectionBuilder, EngineConfig};

/// Document numbers an index hands out over its life (numbers are not reused).
const MAX_DOCS: u32 = u32::MAX;

/// The version of the index's layout (its records' included), and of the rules its stored
/// story statistics were counted under (the boilerplate rules decide which lines a document is
/// counted with); an index of another version is refused.
pub const FORMAT_VERSION: u32 = 7;

/// The store's file inside the index directory.
pub const STORE_FILE: &str = "index.redb";

/// An open archive index (see the crate doc).
pub struct Index {
    dir: PathBuf,
    db: Database,
    cfg: EngineConfig,
    signer: CollectionBuilder,
    lsh: LshParams,
    snapshot: RwLock<Arc<Snapshot>>,
    /// Story preset: the collection statistics as of the last commit. A query holds it read
    /// for its whole run, and a commit takes it to write while it swaps the snapshot, so a
    /// query's scores and postings are of one state.
    stats: RwLock<story::StoryStats>,
    /// One write transaction at a time, and the snapshot swapped only by its holder.
    writer: Mutex<()>,
    /// Records decoded by earlier calls (`cache.rs`).
    cache: cache::RecordCache,
}

/// What readers see of the postings: the segments and the removed documents still in them.
#[derive(Default)]
struct Snapshot {
    segments: Vec<Arc<Segment>>,
    dead: HashSet<u32>,
}

/// One indexed article that a query matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// Its id.
    pub id: String,
    /// The preset's score: estimated word-shingle Jaccard (copy preset), or the story score
    /// (story preset; the Jaccard when higher, as the batch engine reports it).
    pub score: f64,
    /// Story preset: the estimated word-shingle Jaccard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jaccard: Option<f64>,
    /// Why it matched: `exact`, `copy`, `contained` or (story preset) `story`.
    pub evidence: &'static str,
    /// For a trimmed copy: the id of the shorter side (the one contained in the other).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contained: Option<String>,
    /// For a trimmed copy: the estimated share of the shorter text found in the longer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub containment: Option<f64>,
    /// Its story.
    pub story: u64,
}

/// The story an article joins.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoryRef {
    /// The story's stable id.
    pub id: u64,
    /// The id of its earliest live member.
    pub representative: String,
    /// Whether the article starts it (it matched nothing).
    pub new: bool,
}

/// What the index says about one article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    /// The article's id.
    pub id: String,
    /// Its matches in the index, best first (score, then earliest).
    pub matches: Vec<Match>,
    /// The story it joins (when it was added, or when it matched something).
    pub story: Option<StoryRef>,
    /// Whether it was stored (an add; absent for a query).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stored: Option<bool>,
}

/// How an add treats ids the index already has.
#[derive(Debug, Clone, Copy, Default)]
pub struct AddOptions {
    /// Replace a live document of the same id (the newer version replaces the old one)
    /// instead of refusing the batch.
    pub replace: bool,
    /// The time to record as "added" (seconds since the epoch); by default, now.
    pub now: Option<i64>,
}

/// What a removal did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Removed {
    /// Documents removed.
    pub removed: usize,
    /// Stories re-linked because a member left.
    pub relinked: usize,
    /// Stories split in two or more by it.
    pub split: usize,
}

/// An index's counts and settings.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// Format version.
    pub format_version: u32,
    /// Live documents.
    pub documents: u64,
    /// Stories among them.
    pub stories: u64,
    /// Postings segments.
    pub segments: usize,
    /// Postings in them.
    pub postings: usize,
    /// Removed documents whose postings wait for `compact`.
    pub dead: usize,
    /// Bytes of the store's file.
    pub file_bytes: u64,
    /// Earliest and latest expiry time (article time, or when added).
    pub oldest: Option<i64>,
    /// See `oldest`.
    pub newest: Option<i64>,
    /// Story preset: the collection statistics, live and seeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub story: Option<StoryFigures>,
    /// The engine config, as stored.
    pub config: serde_json::Value,
}

/// The story preset's collection statistics: the live counts (what adds and removals change)
/// and the seed (a reference collection's, fixed at create), which scoring adds together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoryFigures {
    /// Live documents counted (one per copy cluster).
    pub counted: u64,
    /// Distinct story terms among them.
    pub terms: usize,
    /// Documents counted in the seed (0: no seed).
    pub seed_counted: u64,
    /// Distinct story terms in the seed.
    pub seed_terms: usize,
    /// Whether the small-archive prior is in effect: fewer than its documents are counted,
    /// live and seeded together.
    pub prior: bool,
    /// Live documents counted at the last settle (`Index::settle`; 0: never settled).
    pub settled_at: u64,
}

/// One story and its live members, earliest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Story {
    /// Its stable id.
    pub id: u64,
    /// Member ids, earliest first (the first is the representative).
    pub members: Vec<String>,
}

/// What `verify` found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    /// Whether the store passed its own integrity check (`false`: it was repaired to its
    /// last durable commit).
    pub store_ok: bool,
    /// Live documents checked.
    pub documents: u64,
    /// Postings checked.
    pub postings: usize,
    /// Every inconsistency found, in words.
    pub problems: Vec<String>,
    /// Ids of documents whose data is damaged or incomplete (what would be lost).
    pub lost: Vec<String>,
}

fn store_err(dir: &Path, e: impl std::fmt::Display) -> Error {
    Error::Store {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    }
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// Whether `cfg` is one the index serves: verified from signatures; the copy preset with
/// single linkage (whose clusters do not depend on the order articles arrive in), or the story
/// preset with its top-terms candidates and average linkage.
fn check_config(cfg: &EngineConfig) -> Result<()> {
    cfg.validate()?;
    if cfg.copy.verify != Verify::Estimate {
        return Err(Error::Config(
            "an archive index verifies from signatures: --verify exact keeps every shingle set"
                .into(),
        ));
    }
    let linkage = cfg.linkage();
    match cfg.preset {
        Preset::Copy if linkage != storyhash_core::cluster::Linkage::Single => Err(Error::Config(
            "an archive index links copies by single linkage (--linkage single)".into(),
        )),
        Preset::Story if story::top_terms_params(cfg).is_none() => Err(Error::Config(
            "an archive index finds story candidates by shared heaviest terms \
             (--story-index top-terms)"
                .into(),
        )),
        Preset::Story if linkage != storyhash_core::cluster::Linkage::Average => {
            Err(Error::Config(
                "an archive index links stories by average linkage (--linkage average)".into(),
            ))
        }
        Preset::Story if cfg.story.idf != storyhash_core::pipeline::IdfSource::Corpus => Err(
            Error::Config("an archive index weighs story terms by the archive's IDF".into()),
        ),
        _ => Ok(()),
    }
}

fn meta_u64(t: &impl ReadableTable<&'static str, &'static [u8]>, k: &str) -> Result<u64> {
    Ok(t.get(k)
        .map_err(|e| store_err(Path::new("index"), e))?
        .map_or(0, |v| {
            u64::from_le_bytes(v.value().try_into().unwrap_or([0; 8]))
        }))
}

impl Index {
    /// Create an empty index in `dir` (a new or empty directory) for `cfg`; the config, its
    /// feature recipe and the format version are stored with it.
    pub fn create(dir: &Path, cfg: EngineConfig) -> Result<Index> {
        check_config(&cfg)?;
        if dir.exists() {
            let mut entries = std::fs::read_dir(dir).map_err(|e| Error::Io {
                path: dir.to_path_buf(),
                source: e,
            })?;
            if entries.next().is_some() {
                return Err(store_err(
                    dir,
                    "is not empty: an index is created in a new or empty directory",
                ));
            }
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::Io {
            path: dir.to_path_buf(),
            source: e,
        })?;
        let db = Database::create(dir.join(STORE_FILE)).map_err(|e| store_err(dir, e))?;
        let recipe = FeatureRecipe::of(&cfg);
        let w = db.begin_write().map_err(|e| store_err(dir, e))?;
        {
            let mut meta = w.open_table(META).map_err(|e| store_err(dir, e))?;
            let put = |m: &mut redb::Table<&str, &[u8]>, k: &str, v: &[u8]| {
                m.insert(k, v).map(|_| ()).map_err(|e| store_err(dir, e))
            };
            put(&mut meta, "format", &FORMAT_VERSION.to_le_bytes())?;
            put(&mut meta, "config", cfg.to_json().as_bytes())?;
            let recipe_json = serde_json::to_string(&recipe).expect("a recipe serialises");
            put(&mut meta, "recipe", recipe_json.as_bytes())?;
            w.open_table(DOCS).map_err(|e| store_err(dir, e))?;
            w.open_table(IDS).map_err(|e| store_err(dir, e))?;
            w.open_table(TIMES).map_err(|e| store_err(dir, e))?;
            w.open_table(MEMBERS).map_err(|e| store_err(dir, e))?;
            w.open_table(DOC_STORY).map_err(|e| store_err(dir, e))?;
            w.open_table(SEGMENTS).map_err(|e| store_err(dir, e))?;
            w.open_table(DEAD).map_err(|e| store_err(dir, e))?;
            w.open_table(TERM_DF).map_err(|e| store_err(dir, e))?;
            w.open_table(SEED_DF).map_err(|e| store_err(dir, e))?;
        }
        w.commit().map_err(|e| store_err(dir, e))?;
        drop(db);
        Index::open(dir)
    }

    /// Open the index in `dir`. An index of another format version, or whose features were
    /// made with a recipe this build does not make (another text or sketch version), is
    /// refused; so is one another process has open.
    pub fn open(dir: &Path) -> Result<Index> {
        let file = dir.join(STORE_FILE);
        if !file.exists() {
            return Err(store_err(
                dir,
                format!(
                    "no index here ({STORE_FILE} is missing); create one with `storyhash index create`"
                ),
            ));
        }
        let db = Database::open(&file).map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => store_err(
                dir,
                "the index is open in another process (one process at a time: a server, or a \
                 command); ask the server, or stop it first",
            ),
            e => store_err(dir, e),
        })?;
        let r = db.begin_read().map_err(|e| store_err(dir, e))?;
        let meta = r.open_table(META).map_err(|e| store_err(dir, e))?;
        let get = |k: &str| -> Result<Vec<u8>> {
            meta.get(k)
                .map_err(|e| store_err(dir, e))?
                .map(|v| v.value().to_vec())
                .ok_or_else(|| store_err(dir, format!("damaged index: no {k} in its metadata")))
        };
        let format = u32::from_le_bytes(
            get("format")?
                .try_into()
                .map_err(|_| store_err(dir, "damaged index: unreadable format version"))?,
        );
        if format != FORMAT_VERSION {
            return Err(Error::IncompatibleFormat {
                what: "the archive index",
                found: format,
                supported: FORMAT_VERSION,
            });
        }
        let cfg = EngineConfig::from_json(&String::from_utf8_lossy(&get("config")?))?;
        let stored: FeatureRecipe = serde_json::from_slice(&get("recipe")?)
            .map_err(|e| store_err(dir, format!("damaged index: unreadable recipe: {e}")))?;
        FeatureRecipe::of(&cfg)
            .ensure_comparable(&stored)
            .map_err(|e| {
                store_err(
                    dir,
                    format!(
                        "was built with another feature recipe than this build makes ({e}); \
                         rebuild it with this build"
                    ),
                )
            })?;
        check_config(&cfg)?;
        let segs = r.open_table(SEGMENTS).map_err(|e| store_err(dir, e))?;
        let segments: Vec<Arc<Segment>> =
            Segment::load_all(&segs, |e| store_err(dir, e), |e| segment::damaged(dir, e))?
                .into_iter()
                .map(Arc::new)
                .collect();
        let mut dead = HashSet::new();
        let dt = r.open_table(DEAD).map_err(|e| store_err(dir, e))?;
        for entry in dt.iter().map_err(|e| store_err(dir, e))? {
            dead.insert(entry.map_err(|e| store_err(dir, e))?.0.value());
        }
        drop((meta, segs, dt));
        let stats = if cfg.preset == Preset::Story {
            story::StoryStats::load(&r, cfg.story.weights.max_terms, |e| store_err(dir, e))?
        } else {
            story::StoryStats::default()
        };
        drop(r);
        Ok(Index {
            stats: RwLock::new(stats),
            dir: dir.to_path_buf(),
            lsh: cfg.copy_lsh()?,
            signer: CollectionBuilder::new(cfg.clone()),
            cfg,
            db,
            snapshot: RwLock::new(Arc::new(Snapshot { segments, dead })),
            writer: Mutex::new(()),
            cache: cache::RecordCache::new(cache::CACHE_BYTES),
        })
    }

    /// The engine config the index was created with.
    pub fn config(&self) -> &EngineConfig {
        &self.cfg
    }

    fn err(&self, e: impl std::fmt::Display) -> Error {
        store_err(&self.dir, e)
    }

    fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.read().expect("snapshot lock").clone()
    }

    /// The matches of each article in the index, best first, and the story each would join;
    /// nothing is stored. Articles are answered in parallel, each against the index alone.
    pub fn query(&self, articles: Vec<Article>) -> Result<Vec<Answer>> {
        if self.cfg.preset == Preset::Story {
            return self.query_story(articles);
        }
        let snap = self.snapshot();
        let r = self.db.begin_read().map_err(|e| self.err(e))?;
        let batch = self.signer.sign(articles);
        let docs = r.open_table(DOCS).map_err(|e| self.err(e))?;
        let stories = r.open_table(DOC_STORY).map_err(|e| self.err(e))?;
        let members = r.open_table(MEMBERS).map_err(|e| self.err(e))?;
        let no_batch = FastMap::default();
        let looked: Vec<lookup::Looked> = (0..batch.len())
            .into_par_iter()
            .map(|i| self.look_up(&snap, &batch.doc(i), |_| false))
            .collect();
        let records = self.read_records(&looked, &docs)?;
        (0..batch.len())
            .into_par_iter()
            .map(|i| {
                let d = batch.doc(i);
                let found =
                    self.resolve(&d, &looked[i], &records, &lookup::InBatch::none(&no_batch));
                let joined = lookup::joined(&found)
                    .map(|f| self.story_of(&stories, f.doc))
                    .collect::<Result<BTreeSet<u64>>>()?;
                let mut matches = Vec::with_capacity(found.len());
                for f in found {
                    let story = self.story_of(&stories, f.doc)?;
                    matches.push(f.into_match(&d, story));
                }
                sort_matches(&mut matches);
                let joined: Vec<u64> = joined.into_iter().collect();
                let story = self.would_join(&joined, &members, &docs)?;
                Ok(Answer {
                    id: d.id.to_string(),
                    matches,
                    story,
                    stored: None,
                })
            })
            .collect()
    }

    /// What a query reports of the stories `joined` (ascending) it would join: the first id,
    /// and the earliest member of any of them as the representative; `None` for none.
    fn would_join(
        &self,
        joined: &[u64],
        members: &impl ReadableTable<(u64, u32), ()>,
        docs: &impl ReadableTable<u32, &'static [u8]>,
    ) -> Result<Option<StoryRef>> {
        let Some(&id) = joined.first() else {
            return Ok(None);
        };
        let mut rep: Option<u32> = None;
        for &s in joined {
            if let Some(first) = first_member(members, s).map_err(|e| self.err(e))? {
                rep = Some(rep.map_or(first, |r| r.min(first)));
            }
        }
        let rep = rep.ok_or_else(|| self.err("damaged index: a story without members"))?;
        Ok(Some(StoryRef {
            id,
            representative: self.id_of(docs, rep)?,
            new: false,
        }))
    }

    /// The story of live document `doc`.
    fn story_of(&self, stories: &impl ReadableTable<u32, u64>, doc: u32) -> Result<u64> {
        stories
            .get(doc)
            .map_err(|e| self.err(e))?
            .map(|v| v.value())
            .ok_or_else(|| self.err(format!("damaged index: document {doc} has no story")))
    }

    fn id_of(&self, docs: &impl ReadableTable<u32, &'static [u8]>, doc: u32) -> Result<String> {
        Ok(self.record(docs, doc)?.map(|r| r.id).unwrap_or_default())
    }

    /// What the version test reads of document `doc`'s record (`None` when it has none).
    pub(crate) fn read_sig(
        &self,
        docs: &impl ReadableTable<u32, &'static [u8]>,
        doc: u32,
    ) -> Option<story::Sig> {
        match self.cache.versions(doc) {
            Some(cache::Cached::Full(r)) => return Some(story::Sig::Record(r)),
            Some(cache::Cached::Versions(v)) => return Some(story::Sig::Read(v)),
            None => {}
        }
        let v = docs.get(doc).ok()??;
        let parts = Arc::new(DocRecord::decode_versions(v.value())?);
        self.cache.put_versions(doc, parts.clone());
        Some(story::Sig::Read(parts))
    }

    /// Document `doc`'s committed record, from the cache or read from `docs` (a table of a
    /// read transaction: see `cache.rs`) and cached.
    pub(crate) fn committed_record(
        &self,
        docs: &impl ReadableTable<u32, &'static [u8]>,
        doc: u32,
    ) -> Result<Option<Arc<DocRecord>>> {
        if let Some(r) = self.cache.full(doc) {
            return Ok(Some(r));
        }
        let Some(r) = self.record(docs, doc)? else {
            return Ok(None);
        };
        let r = Arc::new(r);
        self.cache.put_full(doc, r.clone());
        Ok(Some(r))
    }

    fn record(
        &self,
        docs: &impl ReadableTable<u32, &'static [u8]>,
        doc: u32,
    ) -> Result<Option<DocRecord>> {
        match docs.get(doc).map_err(|e| self.err(e))? {
            None => Ok(None),
            Some(v) => DocRecord::decode(v.value())
                .map(Some)
                .ok_or_else(|| self.err(format!("damaged index: record of document {doc}"))),
        }
    }

    /// Rewrite the postings as one segment without removed documents, then give the store's
    /// free pages back to the file system.
    pub fn compact(&mut self) -> Result<()> {
        {
            let _w = self.writer.lock().expect("writer lock");
            let snap = self.snapshot();
            let w = self.db.begin_write().map_err(|e| self.err(e))?;
            let merged;
            {
                let mut meta = w.open_table(META).map_err(|e| self.err(e))?;
                let next_segment = meta_u64(&meta, "next_segment")?;
                let segs: Vec<&Segment> = snap.segments.iter().map(|s| s.as_ref()).collect();
                merged = Segment::merge(next_segment, &segs, |d| !snap.dead.contains(&d));
                let mut st = w.open_table(SEGMENTS).map_err(|e| self.err(e))?;
                for s in &snap.segments {
                    s.unstore(&mut st).map_err(|e| self.err(e))?;
                }
                if merged.len() > 0 {
                    merged.store(&mut st).map_err(|e| self.err(e))?;
                }
                meta.insert("next_segment", (next_segment + 1).to_le_bytes().as_slice())
                    .map_err(|e| self.err(e))?;
                w.open_table(DEAD)
                    .map_err(|e| self.err(e))?
                    .retain(|_, _| false)
                    .map_err(|e| self.err(e))?;
            }
            w.commit().map_err(|e| self.err(e))?;
            let segments = if merged.len() > 0 {
                vec![Arc::new(merged)]
            } else {
                Vec::new()
            };
            *self.snapshot.write().expect("snapshot lock") = Arc::new(Snapshot {
                segments,
                dead: HashSet::new(),
            });
        }
        while self.db.compact().map_err(|e| self.err(e))? {}
        Ok(())
    }

    /// Give the store's free pages back to the file system, leaving the postings as they are.
    /// A bulk add frees pages as it goes (each group commit rewrites the youngest postings
    /// segments, a value of megabytes, elsewhere in the file) and the file keeps them: at
    /// 100,000 story articles about two fifths of it. Takes about a second a 100,000
    /// articles; no reader may hold a snapshot meanwhile (`&mut self`).
    pub fn shrink(&mut self) -> Result<()> {
        let _w = self.writer.lock().expect("writer lock");
        while self.db.compact().map_err(|e| self.err(e))? {}
        Ok(())
    }

    /// Live documents (cheap: the store keeps the count).
    pub fn documents(&self) -> Result<u64> {
        let r = self.db.begin_read().map_err(|e| self.err(e))?;
        let ids = r.open_table(IDS).map_err(|e| self.err(e))?;
        ids.len().map_err(|e| self.err(e))
    }

    /// Counts and settings (reads every story membership: use [`Index::documents`] for a
    /// cheap count).
    pub fn stats(&self) -> Result<Stats> {
        let snap = self.snapshot();
        let r = self.db.begin_read().map_err(|e| self.err(e))?;
        let ids = r.open_table(IDS).map_err(|e| self.err(e))?;
        let times = r.open_table(TIMES).map_err(|e| self.err(e))?;
        let members = r.open_table(MEMBERS).map_err(|e| self.err(e))?;
        let mut stories = 0u64;
        let mut last = None;
        for entry in members.iter().map_err(|e| self.err(e))? {
            let s = entry.map_err(|e| self.err(e))?.0.value().0;
            if last != Some(s) {
                stories += 1;
                last = Some(s);
            }
        }
        let first_time = times
            .first()
            .map_err(|e| self.err(e))?
            .map(|(k, _)| k.value().0);
        let last_time = times
            .last()
            .map_err(|e| self.err(e))?
            .map(|(k, _)| k.value().0);
        let settled_at = meta_u64(&r.open_table(META).map_err(|e| self.err(e))?, "settled_at")?;
        Ok(Stats {
            format_version: FORMAT_VERSION,
            documents: ids.len().map_err(|e| self.err(e))?,
            stories,
            segments: snap.segments.len(),
            postings: snap.segments.iter().map(|s| s.len()).sum(),
            dead: snap.dead.len(),
            file_bytes: std::fs::metadata(self.dir.join(STORE_FILE)).map_or(0, |m| m.len()),
            oldest: first_time,
            newest: last_time,
            story: (self.cfg.preset == Preset::Story).then(|| {
                let s = self.stats.read().expect("stats lock");
                StoryFigures {
                    counted: s.docs,
                    terms: s.df.len(),
                    seed_counted: s.seed.docs,
                    seed_terms: s.seed.df.len(),
                    prior: s.counted() < story::PRIOR_DOCS,
                    settled_at,
                }
            }),
            config: serde_json::from_str(&self.cfg.to_json()).expect("a config is JSON"),
        })
    }

    /// Every story with its live members, by story id.
    pub fn stories(&self) -> Result<Vec<Story>> {
        let r = self.db.begin_read().map_err(|e| self.err(e))?;
        let members = r.open_table(MEMBERS).map_err(|e| self.err(e))?;
        let docs = r.open_table(DOCS).map_err(|e| self.err(e))?;
        let mut out: Vec<Story> = Vec::new();
        for entry in members.iter().map_err(|e| self.err(e))? {
            let (s, d) = entry.map_err(|e| self.err(e))?.0.value();
            let id = self.id_of(&docs, d)?;
            match out.last_mut() {
                Some(st) if st.id == s => st.members.push(id),
                _ => out.push(Story {
                    id: s,
                    members: vec![id],
                }),
            }
        }
        Ok(out)
    }

    /// Check the store's integrity (and repair it to its last durable commit when it must),
    /// then the index's own consistency: every record readable, ids, times and story
    /// membership agreeing, every posting naming a known document. Says what would be lost.
    pub fn verify(dir: &Path) -> Result<VerifyReport> {
        let file = dir.join(STORE_FILE);
        let mut db = Database::open(&file).map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => store_err(
                dir,
                "the index is open in another process; stop it before verifying",
            ),
            e => store_err(dir, e),
        })?;
        let store_ok = db.check_integrity().map_err(|e| store_err(dir, e))?;
        drop(db);
        let index = Index::open(dir)?;
        let mut rep = index.check()?;
        rep.store_ok = store_ok;
        if !store_ok {
            rep.problems.insert(
                0,
                "the store was not closed cleanly and was repaired to its last durable commit"
                    .into(),
            );
        }
        Ok(rep)
    }

    fn check(&self) -> Result<VerifyReport> {
        let snap = self.snapshot();
        let r = self.db.begin_read().map_err(|e| self.err(e))?;
        let docs = r.open_table(DOCS).map_err(|e| self.err(e))?;
        let ids = r.open_table(IDS).map_err(|e| self.err(e))?;
        let times = r.open_table(TIMES).map_err(|e| self.err(e))?;
        let ds = r.open_table(DOC_STORY).map_err(|e| self.err(e))?;
        let members = r.open_table(MEMBERS).map_err(|e| self.err(e))?;
        let mut rep = VerifyReport::default();
        let mut live = FastMap::default();
        let k = self.cfg.copy.sketch.num_perm;
        for entry in docs.iter().map_err(|e| self.err(e))? {
            let (d, v) = entry.map_err(|e| self.err(e))?;
            let d = d.value();
            rep.documents += 1;
            let Some(rec) = DocRecord::decode(v.value()) else {
                live.insert(d, None);
                rep.problems
                    .push(format!("document {d}: unreadable record"));
                rep.lost.push(format!("(document {d})"));
                continue;
            };
            live.insert(d, Some(lookup::anchor_count(&rec.anchors)));
            let mut bad = Vec::new();
            if rec.sig.len() != k {
                bad.push(format!("signature of {} values, not {k}", rec.sig.len()));
            }
            if ids
                .get(rec.id.as_str())
                .map_err(|e| self.err(e))?
                .map(|v| v.value())
                != Some(d)
            {
                bad.push("its id does not lead to it".to_string());
            }
            if times
                .get((rec.expiry_time(), d))
                .map_err(|e| self.err(e))?
                .is_none()
            {
                bad.push("missing from the expiry times".to_string());
            }
            match ds.get(d).map_err(|e| self.err(e))?.map(|v| v.value()) {
                None => bad.push("has no story".to_string()),
                Some(s) => {
                    if members.get((s, d)).map_err(|e| self.err(e))?.is_none() {
                        bad.push(format!("not among story {s}'s members"));
                    }
                }
            }
            if !bad.is_empty() {
                rep.problems
                    .push(format!("document {d} ({:?}): {}", rec.id, bad.join("; ")));
                rep.lost.push(rec.id);
            }
        }
        let n_ids = ids.len().map_err(|e| self.err(e))?;
        if n_ids != rep.documents {
            rep.problems
                .push(format!("{n_ids} ids for {} documents", rep.documents));
        }
        let n_members = members.len().map_err(|e| self.err(e))?;
        if n_members != rep.documents {
            rep.problems.push(format!(
                "{n_members} story memberships for {} documents",
                rep.documents
            ));
        }
        let mut unknown = BTreeSet::new();
        for s in &snap.segments {
            rep.postings += s.len();
            if !s.is_sorted() {
                rep.problems
                    .push(format!("segment {}: postings out of order", s.id));
            }
            let mut mistagged = 0usize;
            for (&d, &tag) in s.docs().iter().zip(s.tags()) {
                match live.get(&d) {
                    Some(Some(n)) if *n != tag => mistagged += 1,
                    Some(_) => {}
                    None if snap.dead.contains(&d) => {}
                    None => {
                        unknown.insert(d);
                    }
                }
            }
            if mistagged > 0 {
                rep.problems.push(format!(
                    "segment {}: {mistagged} postings tagged with another anchor count than \
                     their document's",
                    s.id
                ));
            }
        }
        if !unknown.is_empty() {
            rep.problems.push(format!(
                "{} documents posted but neither live nor removed (first: {})",
                unknown.len(),
                unknown.first().unwrap()
            ));
        }
        Ok(rep)
    }
}

/// The earliest member of story `s`.
fn first_member(
    members: &impl ReadableTable<(u64, u32), ()>,
    s: u64,
) -> std::result::Result<Option<u32>, redb::StorageError> {
    let mut range = members.range((s, 0)..=(s, u32::MAX))?;
    match range.next() {
        Some(r) => Ok(Some(r?.0.value().1)),
        None => Ok(None),
    }
}

fn sort_matches(m: &mut [Match]) {
    m.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
}

#[cfg(test)]
mod tests;
