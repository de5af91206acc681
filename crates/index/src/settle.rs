//! Settling the story preset's stories: the stories of the live articles made again as one
//! `cluster --preset story` run over them makes its clusters.
//!
//! Why: an article's story is decided when it arrives, under the statistics of that moment,
//! and re-decided only when a later article touches its story. Batch IDF knows the whole
//! collection; an index knows the articles before. As an archive grows, the rare terms two
//! articles share gain weight (their document frequency stays while `N` grows), so a pair
//! below the threshold when the second arrived can reach it later, and no article may come
//! that re-links them. A settle re-decides every story under the statistics of now.
//!
//! How: the live records are what the batch engine signs from a text (signature, containment
//! features, line hashes, story terms by line), so they go through the batch engine as a
//! signed batch ([`CollectionBuilder::signed_from`]) in document order, and its clusters are
//! the new stories: the batch's statistics over the live articles, its candidates, its
//! verification and average linkage, not a copy of them. An index seeded by `--stats-from`
//! scores with the seed beside the live counts; a settle does not (the batch engine has no
//! seed), so it is not run on such an index by itself.
//!
//! Ids: each old story, oldest first, keeps its id in the cluster holding its earliest live
//! member, unless an older story claimed that cluster; clusters left without an id get new
//! ids in the order of their earliest member.
//!
//! When: [`Index::settle`] (the `index settle` command) at any time, and by itself after an
//! add whenever the counted articles have doubled since the last settle, while the live ones
//! are at most [`AUTO_SETTLE_MAX`]: at most ten batch runs over at most that many articles in
//! an index's life, the writer held for one at a time, queries going on.

use super::*;

/// Past this many live articles an add settles no more by itself: a settle of `N` articles
/// is a batch run over them, with the writer held meanwhile. Larger archives are
/// settled by [`Index::settle`] (`storyhash index settle`) when the desk chooses.
pub const AUTO_SETTLE_MAX: u64 = 1 << 14;

/// What a settle changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Settled {
    /// Live articles re-clustered.
    pub documents: u64,
    /// Stories before.
    pub stories_before: u64,
    /// Stories after.
    pub stories_after: u64,
    /// Articles whose story changed.
    pub moved: u64,
}

impl Index {
    /// Re-make the stories of the live articles as one batch run over them makes its clusters
    /// (see the module doc), in one durable commit. The copy preset's stories are the batch's
    /// already (the crate's invariant): nothing to do.
    pub fn settle(&self) -> Result<Settled> {
        let _w = self.writer.lock().expect("writer lock");
        self.settle_locked()
    }

    /// After an add (the writer held): settle when the counted articles have doubled since the
    /// last settle (from [`story::PRIOR_DOCS`]), the index is unseeded and its live articles
    /// are not past [`AUTO_SETTLE_MAX`] (a settle's cost is a batch run over the live
    /// articles, copies included, which an archive of copies has many more of than counted
    /// ones). A failed settle changes nothing and is tried again at the next add; the add
    /// stands either way.
    pub(crate) fn maybe_settle(&self) {
        if self.cfg.preset != Preset::Story {
            return;
        }
        let (counted, seeded) = {
            let s = self.stats.read().expect("stats lock");
            (s.docs, s.seed.docs > 0)
        };
        if seeded || counted < story::PRIOR_DOCS {
            return;
        }
        let Ok(r) = self.db.begin_read() else { return };
        let (Ok(meta), Ok(ids)) = (r.open_table(META), r.open_table(IDS)) else {
            return;
        };
        let (Ok(at), Ok(live)) = (meta_u64(&meta, "settled_at"), ids.len()) else {
            return;
        };
        drop((meta, ids, r));
        if live <= AUTO_SETTLE_MAX && counted >= 2 * at.max(story::PRIOR_DOCS / 2) {
            let _ = self.settle_locked();
        }
    }

    fn settle_locked(&self) -> Result<Settled> {
        if self.cfg.preset != Preset::Story {
            return Ok(Settled::default());
        }
        let e = |x: redb::StorageError| self.err(x);
        let mut w = self.db.begin_write().map_err(|e| self.err(e))?;
        w.set_durability(redb::Durability::Immediate)
            .map_err(|e| self.err(e))?;
        let mut out = Settled::default();
        {
            let docs_t = w.open_table(DOCS).map_err(|e| self.err(e))?;
            let mut docs: Vec<u32> = Vec::new();
            let mut recs: Vec<DocRecord> = Vec::new();
            for r in docs_t.iter().map_err(e)? {
                let (k, v) = r.map_err(e)?;
                let doc = k.value();
                let rec = DocRecord::decode(v.value())
                    .ok_or_else(|| self.err(format!("damaged index: record of document {doc}")))?;
                docs.push(doc);
                recs.push(rec);
            }
            drop(docs_t);
            out.documents = docs.len() as u64;
            let mut builder = CollectionBuilder::new(self.cfg.clone());
            let batch = builder.signed_from(recs.iter().map(|r| SignedDoc {
                id: &r.id,
                time: r.time,
                content: r.content,
                words: r.words,
                sig: &r.sig,
                own: &r.own,
                anchors: &r.anchors,
                line_hashes: &r.lines,
                story_terms: &r.terms,
                story_line_ends: &r.ends,
                shingles: &[],
            }))?;
            drop(recs);
            builder.add_signed(batch)?;
            let run = builder.finish()?.cluster()?;
            let mut cluster_of = vec![0usize; docs.len()];
            for (k, c) in run.clusters.iter().enumerate() {
                for &m in &c.members {
                    cluster_of[m as usize] = k;
                }
            }
            let pos: FastMap<u32, usize> = docs.iter().enumerate().map(|(i, &d)| (d, i)).collect();
            let mut members = w.open_table(MEMBERS).map_err(|e| self.err(e))?;
            let mut doc_story = w.open_table(DOC_STORY).map_err(|e| self.err(e))?;
            // Old stories, oldest first, each with its earliest live member (members are
            // keyed (story, doc), so a story's first row is its earliest member).
            let mut old_of = vec![u64::MAX; docs.len()];
            let mut slot: Vec<Option<u64>> = vec![None; run.clusters.len()];
            let mut last = None;
            for r in members.iter().map_err(e)? {
                let (k, _) = r.map_err(e)?;
                let (s, d) = k.value();
                let Some(&i) = pos.get(&d) else {
                    return Err(self.err(format!(
                        "damaged index: story {s} holds document {d}, which has no record"
                    )));
                };
                old_of[i] = s;
                if last != Some(s) {
                    last = Some(s);
                    out.stories_before += 1;
                    let c = cluster_of[i];
                    if slot[c].is_none() {
                        slot[c] = Some(s);
                    }
                }
            }
            let mut meta = w.open_table(META).map_err(|e| self.err(e))?;
            let mut next_story = meta_u64(&meta, "next_story")?;
            let ids: Vec<u64> = slot
                .into_iter()
                .map(|s| {
                    s.unwrap_or_else(|| {
                        next_story += 1;
                        next_story - 1
                    })
                })
                .collect();
            out.stories_after = ids.len() as u64;
            for (i, &d) in docs.iter().enumerate() {
                let to = ids[cluster_of[i]];
                let from = old_of[i];
                if to == from {
                    continue;
                }
                if from == u64::MAX {
                    return Err(self.err(format!("damaged index: document {d} is in no story")));
                }
                members.remove((from, d)).map_err(e)?;
                members.insert((to, d), ()).map_err(e)?;
                doc_story.insert(d, to).map_err(e)?;
                out.moved += 1;
            }
            let counted = self.stats.read().expect("stats lock").docs;
            meta.insert("next_story", next_story.to_le_bytes().as_slice())
                .map_err(|e| self.err(e))?;
            meta.insert("settled_at", counted.to_le_bytes().as_slice())
                .map_err(|e| self.err(e))?;
        }
        w.commit().map_err(|e| self.err(e))?;
        Ok(out)
    }
}
