//! Seeding a story-preset index with a reference collection's statistics (`index create
//! --stats-from`): articles go in, and what stays in the store is their story-term document
//! frequencies, the number of them counted and their length histogram, kept apart from the
//! live counts (`SEED_DF`, `seed_docs`, `seed_lens`) and added to them when a pair is scored.
//!
//! The reference is counted by the add path itself: its articles are added to the new index,
//! in the order given, so that one document is counted per copy cluster and each is counted
//! under the boilerplate mask an add gives it, exactly as the index would count them as live
//! articles; then the live statistics become the seed and every document, posting and story
//! is dropped, in one commit. Re-using the add path costs a full add of the reference
//! (stories included) once, and keeps one definition of what a counted document is.
//!
//! Invariant: the seed is written once, in the commit that ends the creation; no add or
//! removal reads it into or out of the live counts, so `index remove` never takes a count
//! below the seed's.

use super::*;

impl Index {
    /// Create an empty story-preset index in `dir` (a new or empty directory), as
    /// [`Index::create`] does, whose statistics start from the reference collection
    /// `reference` (batches of articles, read in order; an `Err` item ends the creation with
    /// that error). Counted documents of the reference and the live ones together decide
    /// whether the small-archive prior applies (see `story.rs`). On any error nothing is left
    /// behind: the store is deleted, and so is `dir` when this call made it.
    pub fn create_seeded<I>(dir: &Path, cfg: EngineConfig, reference: I) -> Result<Index>
    where
        I: IntoIterator<Item = Result<Vec<Article>>>,
    {
        if cfg.preset != Preset::Story {
            return Err(Error::Config(
                "statistics of a reference collection are the story preset's: the copy preset \
                 keeps none"
                    .into(),
            ));
        }
        let made_dir = !dir.exists();
        let mut index = Index::create(dir, cfg)?;
        let seeded = (|| {
            for batch in reference {
                // The time is irrelevant: nothing of the reference outlives the creation.
                index.add(
                    batch?,
                    AddOptions {
                        replace: false,
                        now: Some(0),
                    },
                )?;
            }
            index.keep_as_seed()
        })();
        match seeded {
            Ok(()) => Ok(index),
            Err(e) => {
                drop(index);
                let _ = std::fs::remove_file(dir.join(STORE_FILE));
                if made_dir {
                    let _ = std::fs::remove_dir(dir);
                }
                Err(e)
            }
        }
    }

    /// Turn the live statistics into the seed and drop every document, posting and story, in
    /// one commit; the index is then empty, with numbers counted from the start again (nothing
    /// refers to the dropped ones).
    fn keep_as_seed(&mut self) -> Result<()> {
        {
            let _w = self.writer.lock().expect("writer lock");
            let live = self.stats.read().expect("stats lock").clone();
            let max_terms = self.cfg.story.weights.max_terms;
            let w = self.db.begin_write().map_err(|e| self.err(e))?;
            {
                let e = |x: redb::TableError| self.err(x);
                let s = |x: redb::StorageError| self.err(x);
                w.open_table(DOCS)
                    .map_err(e)?
                    .retain(|_, _| false)
                    .map_err(s)?;
                w.open_table(IDS)
                    .map_err(e)?
                    .retain(|_, _| false)
                    .map_err(s)?;
                w.open_table(TIMES)
                    .map_err(e)?
                    .retain(|_, _| false)
                    .map_err(s)?;
                w.open_table(MEMBERS)
                    .map_err(e)?
                    .retain(|_, _| false)
                    .map_err(s)?;
                w.open_table(DOC_STORY)
                    .map_err(e)?
                    .retain(|_, _| false)
                    .map_err(s)?;
                w.open_table(SEGMENTS)
                    .map_err(e)?
                    .retain(|_, _| false)
                    .map_err(s)?;
                w.open_table(DEAD)
                    .map_err(e)?
                    .retain(|_, _| false)
                    .map_err(s)?;
                w.open_table(TERM_DF)
                    .map_err(e)?
                    .retain(|_, _| false)
                    .map_err(s)?;
                let mut seed = w.open_table(SEED_DF).map_err(e)?;
                let mut terms: Vec<(u32, u32)> = live.df.iter().map(|(&t, &c)| (t, c)).collect();
                terms.sort_unstable();
                for (t, c) in terms {
                    seed.insert(t, c).map_err(s)?;
                }
                let mut meta = w.open_table(META).map_err(e)?;
                let zero = 0u64.to_le_bytes();
                for k in ["next_doc", "next_story", "story_docs", "settled_at"] {
                    meta.insert(k, zero.as_slice()).map_err(s)?;
                }
                meta.remove("story_lens").map_err(s)?;
                meta.insert("seed_docs", live.docs.to_le_bytes().as_slice())
                    .map_err(s)?;
                let lens: Vec<u8> = live.lens.iter().flat_map(|c| c.to_le_bytes()).collect();
                meta.insert("seed_lens", lens.as_slice()).map_err(s)?;
            }
            let mut stats = self.stats.write().expect("stats lock");
            w.commit().map_err(|e| self.err(e))?;
            *stats = story::StoryStats {
                df: FastMap::default(),
                docs: 0,
                lens: vec![0; max_terms + 1],
                seed: story::Seed {
                    df: live.df,
                    docs: live.docs,
                    lens: live.lens,
                },
            };
            *self.snapshot.write().expect("snapshot lock") = Arc::new(Snapshot::default());
        }
        while self.db.compact().map_err(|e| self.err(e))? {}
        Ok(())
    }
}
