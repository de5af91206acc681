//! Changing the index: adds (one durable commit a call), removals by id or age, and
//! compaction. One writer at a time (`Index::writer`); readers keep the snapshot they took.
//!
//! An add does its expensive work in parallel, before the write transaction: signing,
//! the committed postings' holders and records, and verification against them and the batch's
//! earlier articles (the batch's documents are numbered from the index's next number, so
//! which article a candidate is does not depend on the order work is done in). What stays
//! sequential is what depends on the articles before: stories, and the store's writes.

use super::lookup::{self, anchor_count, Found, InBatch, Looked};
use super::*;
use redb::Table;

/// The tables a write changes, opened once per transaction (opening a table costs more than a
/// lookup).
struct Tables<'t> {
    docs: Table<'t, u32, &'static [u8]>,
    ids: Table<'t, &'static str, u32>,
    times: Table<'t, (i64, u32), ()>,
    doc_story: Table<'t, u32, u64>,
    members: Table<'t, (u64, u32), ()>,
    dead: Table<'t, u32, ()>,
}

impl<'t> Tables<'t> {
    fn open(w: &'t WriteTransaction) -> std::result::Result<Self, redb::TableError> {
        Ok(Tables {
            docs: w.open_table(DOCS)?,
            ids: w.open_table(IDS)?,
            times: w.open_table(TIMES)?,
            doc_story: w.open_table(DOC_STORY)?,
            members: w.open_table(MEMBERS)?,
            dead: w.open_table(DEAD)?,
        })
    }
}

/// How an article's story is decided: the stories it joins (merged into the first), or a
/// re-link of the stories it touches.
enum Join {
    Stories(BTreeSet<u64>),
    Relinked(story::Relinked),
}

/// What an article of a batch replaces: a committed document, or an earlier article of the
/// batch (by position).
#[derive(Clone, Copy)]
enum Replaces {
    Committed(u32),
    InBatch(usize),
}

impl Index {
    /// Add articles, in order, in one durable commit: each is matched against the index and
    /// the batch's earlier articles, joins the stories of what it matched, and is stored. An
    /// id the index already has (or that comes twice) refuses the whole batch unless
    /// `opts.replace`, when the later version replaces the earlier. Returns once the commit
    /// is durable.
    pub fn add(&self, articles: Vec<Article>, opts: AddOptions) -> Result<Vec<Answer>> {
        let _w = self.writer.lock().expect("writer lock");
        let now = opts.now.unwrap_or_else(now_secs);
        let snap = self.snapshot();
        let batch = self.signer.sign(articles);
        let n = batch.len();
        let r = self.db.begin_read().map_err(|e| self.err(e))?;
        let base = {
            let meta = r.open_table(META).map_err(|e| self.err(e))?;
            meta_u64(&meta, "next_doc")?
        };
        if base + n as u64 >= u64::from(MAX_DOCS) {
            return Err(self.err(format!(
                "document numbers would pass {MAX_DOCS}; rebuild the index from its live \
                 articles"
            )));
        }
        let base = base as u32;
        // Which article replaces what, checked before anything is done.
        let mut replaces: Vec<Option<Replaces>> = vec![None; n];
        let mut replaced_by: Vec<Option<usize>> = vec![None; n];
        let mut committed_gone: FastMap<u32, usize> = FastMap::default();
        {
            let ids = r.open_table(IDS).map_err(|e| self.err(e))?;
            let mut seen: HashMap<&str, usize> = HashMap::with_capacity(n);
            for (i, slot) in replaces.iter_mut().enumerate() {
                let id = batch.doc(i).id;
                let earlier = seen.insert(id, i);
                let old = match earlier {
                    Some(j) => Some((Replaces::InBatch(j), base + j as u32)),
                    None => ids
                        .get(id)
                        .map_err(|e| self.err(e))?
                        .map(|v| (Replaces::Committed(v.value()), v.value())),
                };
                let Some((what, first)) = old else { continue };
                if !opts.replace {
                    return Err(Error::DuplicateDocument {
                        id: id.to_string(),
                        first,
                    });
                }
                *slot = Some(what);
                match what {
                    Replaces::InBatch(j) => replaced_by[j] = Some(i),
                    Replaces::Committed(d) => {
                        committed_gone.insert(d, i);
                    }
                }
            }
        }
        // The committed side of every article's lookup, in parallel (a committed document
        // replaced by this article or an earlier one is gone for it), then the records the
        // batch needs, each read once.
        let looked: Vec<Looked> = (0..n)
            .into_par_iter()
            .map(|i| {
                let gone = |d: u32| committed_gone.get(&d).is_some_and(|&by| by <= i);
                self.look_up(&snap, &batch.doc(i), gone)
            })
            .collect();
        let docs_r = r.open_table(DOCS).map_err(|e| self.err(e))?;
        let committed = self.read_records(&looked, &docs_r)?;
        // The batch's own postings and records, then every article's matches, in parallel.
        let mut postings: FastMap<u64, Vec<usize>> = FastMap::default();
        for (i, l) in looked.iter().enumerate() {
            for (k, _, _) in &l.keys {
                postings.entry(*k).or_default().push(i);
            }
        }
        let story_on = self.cfg.preset == Preset::Story;
        let mut records: Vec<Arc<DocRecord>> = (0..n)
            .into_par_iter()
            .map(|i| {
                let mut r = story::record_of_signed(&batch.doc(i), now);
                if !story_on {
                    // The copy preset reads no story features: they are not stored.
                    (r.lines, r.terms, r.ends) = Default::default();
                }
                Arc::new(r)
            })
            .collect();
        let found: Vec<Vec<Found>> = (0..n)
            .into_par_iter()
            .map(|i| {
                let inb = InBatch {
                    postings: &postings,
                    records: &records,
                    base,
                    upto: i,
                    replaced_by: &replaced_by,
                };
                self.resolve(&batch.doc(i), &looked[i], &committed, &inb)
            })
            .collect();
        // The story preset verifies the copy lane's matches again with its own scorer, beside
        // its own candidates.
        let stats_now = self.stats.read().expect("stats lock");
        let story_side = story::top_terms_params(&self.cfg).map(|p| {
            self.story_batch(
                p,
                &stats_now,
                &story::BatchIn {
                    snap: &snap,
                    base,
                    records: &records,
                    copy_found: &found,
                    committed: &committed,
                    committed_gone: &committed_gone,
                    replaced_by: &replaced_by,
                    docs: &docs_r,
                },
            )
        });
        let (found, mut delta) = match story_side {
            Some(mut st) => {
                let f = std::mem::take(&mut st.found);
                let d = std::mem::take(&mut st.delta);
                (f, Some((st, d)))
            }
            None => (found, None),
        };
        // Story vectors of committed documents met while choosing stories, computed once.
        let mut committed_vectors: FastMap<u32, TermVector> = FastMap::default();

        let mut w = self.db.begin_write().map_err(|e| self.err(e))?;
        w.set_durability(redb::Durability::Immediate)
            .map_err(|e| self.err(e))?;
        let mut answers = Vec::with_capacity(n);
        let mut gone: Vec<u32> = Vec::new();
        let mut next_story = {
            let meta = w.open_table(META).map_err(|e| self.err(e))?;
            meta_u64(&meta, "next_story")?
        };
        {
            let mut t = Tables::open(&w).map_err(|e| self.err(e))?;
            for (i, found) in found.into_iter().enumerate() {
                let d = batch.doc(i);
                let doc = base + i as u32;
                // Story preset: the story a replaced version leaves, re-linked below with the
                // new version and the stories it touches.
                let mut replaced_story = None;
                if let Some(what) = replaces[i] {
                    let old = match what {
                        Replaces::Committed(o) => o,
                        Replaces::InBatch(j) => base + j as u32,
                    };
                    let (_, left) = self.remove_docs(
                        &mut t,
                        &[old],
                        &mut next_story,
                        delta.as_mut().map(|d| &mut d.1),
                    )?;
                    replaced_story = left.into_iter().next();
                    gone.push(old);
                }
                let joined = match &delta {
                    // Story preset: the online rule (stories the article bridges may merge).
                    Some((st, d)) => {
                        let overlay = stats_now.with(Some(d));
                        let gone_all = |x: u32| committed_gone.contains_key(&x);
                        let lines = story::Lines {
                            snap: &snap,
                            gone: &gone_all,
                            extra: &st.extra,
                            cap: story::holders_cap(&self.cfg),
                        };
                        let bi = story::BatchIn {
                            snap: &snap,
                            base,
                            records: &records,
                            copy_found: &[],
                            committed: &committed,
                            committed_gone: &committed_gone,
                            replaced_by: &replaced_by,
                            docs: &docs_r,
                        };
                        let record_of = |x: u32| bi.record_of(self, x);
                        let sig_of = |x: u32| bi.sig_of(self, x);
                        let members = &t.members;
                        let doc_story = &t.doc_story;
                        let cv = std::cell::RefCell::new(&mut committed_vectors);
                        let vec_of = |x: u32| -> Option<(Arc<DocRecord>, TermVector)> {
                            let r = record_of(x)?;
                            let v = if x >= base {
                                st.vectors[(x - base) as usize].clone()
                            } else {
                                cv.borrow_mut()
                                    .entry(x)
                                    .or_insert_with(|| {
                                        story::vector(&self.cfg, overlay, x, &r, &lines, &sig_of)
                                    })
                                    .clone()
                            };
                            Some((r, v))
                        };
                        let mut touched = story::touched_stories(
                            &found,
                            |x| self.story_of(doc_story, x),
                            members,
                            story::RELINK_MAX - 1,
                            |e| self.err(e),
                        )?;
                        // What a replaced version leaves of its story is re-linked with the
                        // new version, as a removal re-links what it leaves: a story the old
                        // version held together splits when the new one does not.
                        if let (Some(ts), Some(s)) = (touched.as_mut(), replaced_story) {
                            if !ts.iter().any(|(x, _)| *x == s) {
                                let e = |x: redb::StorageError| self.err(x);
                                let left: Vec<u32> = members
                                    .range((s, 0)..=(s, u32::MAX))
                                    .map_err(e)?
                                    .map(|r| r.map(|(k, _)| k.value().1))
                                    .collect::<std::result::Result<_, _>>()
                                    .map_err(e)?;
                                if !left.is_empty() {
                                    ts.push((s, left));
                                    ts.sort_unstable_by_key(|(x, _)| *x);
                                }
                            }
                        }
                        let relinked = match touched {
                            Some(ts) if !ts.is_empty() => {
                                self.relink_touched(&ts, Some(doc), vec_of)
                            }
                            _ => None,
                        };
                        if let Some(r) = relinked {
                            Join::Relinked(r)
                        } else {
                            let chosen = story::choose(
                                &self.cfg,
                                &found,
                                |x| self.story_of(doc_story, x),
                                |s| story::sample(members, s).map_err(|e| self.err(e)),
                                doc,
                                |x, y| match (vec_of(x), vec_of(y)) {
                                    (Some((rx, vx)), Some((ry, vy))) => {
                                        self.link_score(&rx, &vx, &ry, &vy)
                                    }
                                    _ => 0.0,
                                },
                            )?;
                            Join::Stories(chosen.into_iter().collect())
                        }
                    }
                    // Copy preset: everything joined merges into the oldest story id.
                    None => Join::Stories(
                        lookup::joined(&found)
                            .map(|f| self.story_of(&t.doc_story, f.doc))
                            .collect::<Result<BTreeSet<u64>>>()?,
                    ),
                };
                let rec = Arc::make_mut(&mut records[i]);
                rec.links = found.iter().map(|f| Link { doc: f.doc }).collect();
                if let Some((st, _)) = &delta {
                    rec.counted = st.counted[i].clone();
                }
                let (target, new) = match joined {
                    Join::Relinked(r) => {
                        let fresh: Vec<u64> = (0..r.fresh)
                            .map(|_| {
                                next_story += 1;
                                next_story - 1
                            })
                            .collect();
                        let id = |s: story::Slot| match s {
                            story::Slot::Old(x) => x,
                            story::Slot::Fresh(k) => fresh[k],
                        };
                        for (m, to) in r.moves {
                            let old = self.story_of(&t.doc_story, m)?;
                            let e = |x: redb::StorageError| self.err(x);
                            t.members.remove((old, m)).map_err(e)?;
                            t.members.insert((id(to), m), ()).map_err(e)?;
                            t.doc_story.insert(m, id(to)).map_err(e)?;
                        }
                        let a = r.article.expect("the article has a place");
                        (id(a), matches!(a, story::Slot::Fresh(_)))
                    }
                    Join::Stories(joined) => {
                        let (target, new) = match joined.first() {
                            Some(&s) => (s, false),
                            None => {
                                next_story += 1;
                                (next_story - 1, true)
                            }
                        };
                        for &s in joined.iter().skip(1) {
                            move_story(&mut t, s, target).map_err(|e| self.err(e))?;
                        }
                        (target, new)
                    }
                };
                self.write_doc(&mut t, doc, rec, target)?;
                let mut matches: Vec<Match> = Vec::with_capacity(found.len());
                for f in found {
                    // A match's story after the article joined (a story-preset match may be in
                    // another story than the article's).
                    let s = self.story_of(&t.doc_story, f.doc)?;
                    matches.push(f.into_match(&d, s));
                }
                sort_matches(&mut matches);
                let rep = first_member(&t.members, target)
                    .map_err(|e| self.err(e))?
                    .unwrap_or(doc);
                let representative = if rep == doc {
                    d.id.to_string()
                } else {
                    self.id_of(&t.docs, rep)?
                };
                answers.push(Answer {
                    id: d.id.to_string(),
                    matches,
                    story: Some(StoryRef {
                        id: target,
                        representative,
                        new,
                    }),
                    stored: Some(true),
                });
            }
        }
        // Story preset: each article's lines, and a counted article's heaviest terms.
        if let Some((st, _)) = &delta {
            for (i, r) in records.iter().enumerate() {
                for &h in &r.lines {
                    postings.entry(key(KeyKind::Line, h)).or_default().push(i);
                }
                if r.counted.is_some() {
                    for &k in &st.keys[i] {
                        postings
                            .entry(key(KeyKind::Term, u64::from(k)))
                            .or_default()
                            .push(i);
                    }
                }
            }
            for pos in postings.values_mut() {
                pos.dedup();
            }
        }
        if let Some((_, d)) = &delta {
            d.write(&w, &stats_now, |e| self.err(e))?;
        }
        let mut segments = snap.segments.clone();
        let mut dead = snap.dead.clone();
        dead.extend(gone.iter().copied());
        {
            let mut meta = w.open_table(META).map_err(|e| self.err(e))?;
            let mut next_segment = meta_u64(&meta, "next_segment")?;
            if !postings.is_empty() {
                let entries: Vec<(u64, u32, u8)> = postings
                    .iter()
                    .flat_map(|(&k, pos)| {
                        let records = &records;
                        pos.iter()
                            .map(move |&j| (k, base + j as u32, anchor_count(&records[j].anchors)))
                    })
                    .collect();
                let seg = Segment::new(next_segment, entries);
                next_segment += 1;
                let mut st = w.open_table(SEGMENTS).map_err(|e| self.err(e))?;
                seg.store(&mut st).map_err(|e| self.err(e))?;
                segments.push(Arc::new(seg));
                // The youngest two merge while the older is not much larger.
                while segments.len() >= 2 {
                    let m = segments.len();
                    if segments[m - 2].len() > segment::MERGE_RATIO * segments[m - 1].len() {
                        break;
                    }
                    let merged =
                        Segment::merge(next_segment, &[&segments[m - 2], &segments[m - 1]], |_| {
                            true
                        });
                    next_segment += 1;
                    for s in &segments[m - 2..] {
                        s.unstore(&mut st).map_err(|e| self.err(e))?;
                    }
                    merged.store(&mut st).map_err(|e| self.err(e))?;
                    segments.truncate(m - 2);
                    segments.push(Arc::new(merged));
                }
            }
            let next_doc = u64::from(base) + n as u64;
            meta.insert("next_doc", next_doc.to_le_bytes().as_slice())
                .map_err(|e| self.err(e))?;
            meta.insert("next_story", next_story.to_le_bytes().as_slice())
                .map_err(|e| self.err(e))?;
            meta.insert("next_segment", next_segment.to_le_bytes().as_slice())
                .map_err(|e| self.err(e))?;
        }
        drop((docs_r, r));
        drop(stats_now);
        // The statistics and the postings change together, under the statistics' lock, so a
        // query sees both before the commit or both after.
        let mut stats = self.stats.write().expect("stats lock");
        w.commit().map_err(|e| self.err(e))?;
        if let Some((_, d)) = &delta {
            stats.apply(d);
        }
        *self.snapshot.write().expect("snapshot lock") = Arc::new(Snapshot { segments, dead });
        drop(stats);
        self.maybe_settle();
        Ok(answers)
    }

    fn write_doc(&self, t: &mut Tables, doc: u32, rec: &DocRecord, story: u64) -> Result<()> {
        let e = |e: redb::StorageError| self.err(e);
        t.docs.insert(doc, rec.encode().as_slice()).map_err(e)?;
        t.ids.insert(rec.id.as_str(), doc).map_err(e)?;
        t.times.insert((rec.expiry_time(), doc), ()).map_err(e)?;
        t.doc_story.insert(doc, story).map_err(e)?;
        t.members.insert((story, doc), ()).map_err(e)?;
        Ok(())
    }

    /// Remove the live documents `docs`, and re-link the stories they leave (copy preset).
    /// Story preset: the stories they leave are returned, to be re-linked under the
    /// statistics the removal leaves ([`Index::split_stories`]).
    fn remove_docs(
        &self,
        t: &mut Tables,
        docs: &[u32],
        next_story: &mut u64,
        mut delta: Option<&mut story::StatsDelta>,
    ) -> Result<(Removed, BTreeSet<u64>)> {
        let e = |x: redb::StorageError| self.err(x);
        let mut affected = BTreeSet::new();
        let mut removed = 0;
        for &doc in docs {
            let Some(bytes) = t.docs.remove(doc).map_err(e)? else {
                continue;
            };
            self.cache.forget(doc);
            let rec = DocRecord::decode(bytes.value())
                .ok_or_else(|| self.err(format!("damaged index: record of document {doc}")))?;
            drop(bytes);
            if let (Some(d), Some(mask)) = (delta.as_deref_mut(), &rec.counted) {
                let bag = story::bag(&self.cfg, &rec, mask);
                d.count(&bag, -1, self.cfg.story.weights.max_terms);
            }
            t.ids.remove(rec.id.as_str()).map_err(e)?;
            t.times.remove((rec.expiry_time(), doc)).map_err(e)?;
            if let Some(s) = t.doc_story.remove(doc).map_err(e)? {
                let s = s.value();
                t.members.remove((s, doc)).map_err(e)?;
                affected.insert(s);
            }
            t.dead.insert(doc, ()).map_err(e)?;
            removed += 1;
        }
        let mut out = Removed {
            removed,
            ..Removed::default()
        };
        if self.cfg.preset == Preset::Story {
            return Ok((out, affected));
        }
        for &s in &affected {
            let pieces = self.relink(t, s, next_story)?;
            out.relinked += 1;
            if pieces > 1 {
                out.split += 1;
            }
        }
        Ok((out, BTreeSet::new()))
    }

    /// Story preset: re-link what is left of each story in `left` once the documents `gone`
    /// are removed, under the statistics the removal leaves (`stats`): the batch engine's
    /// average linkage over every verified pair among its members ([`Index::relink_touched`]),
    /// so that a story held together by a member that left splits as average linkage over
    /// the rest splits it. The piece holding its earliest member keeps its id; the others
    /// are new stories. A story of more than [`story::RELINK_MAX`] members is left whole:
    /// re-linking scores every pair of them.
    fn split_stories(
        &self,
        t: &mut Tables,
        left: &BTreeSet<u64>,
        stats: story::Overlay<'_>,
        gone: &[u32],
        next_story: &mut u64,
        out: &mut Removed,
    ) -> Result<()> {
        let snap = self.snapshot();
        let gone: HashSet<u32> = gone.iter().copied().collect();
        let gone_now = |d: u32| gone.contains(&d);
        let no_extra = FastMap::default();
        let lines = story::Lines {
            snap: &snap,
            gone: &gone_now,
            extra: &no_extra,
            cap: story::holders_cap(&self.cfg),
        };
        // Records as of the last commit: a record never changes, and the removed documents
        // hold no line any more, so none of theirs is read.
        let r = self.db.begin_read().map_err(|e| self.err(e))?;
        let docs_r = r.open_table(DOCS).map_err(|e| self.err(e))?;
        let record_of = |x: u32| self.read_record(&docs_r, x);
        let sig_of = |x: u32| self.read_sig(&docs_r, x);
        let e = |x: redb::StorageError| self.err(x);
        for &s in left {
            let members: Vec<u32> = t
                .members
                .range((s, 0)..=(s, u32::MAX))
                .map_err(e)?
                .map(|r| r.map(|(k, _)| k.value().1))
                .collect::<std::result::Result<_, _>>()
                .map_err(e)?;
            if members.len() < 2 || members.len() > story::RELINK_MAX {
                continue;
            }
            let vec_of = |x: u32| {
                let r = record_of(x)?;
                let v = story::vector(&self.cfg, stats, x, &r, &lines, &sig_of);
                Some((r, v))
            };
            let Some(relinked) = self.relink_touched(&[(s, members)], None, vec_of) else {
                continue;
            };
            out.relinked += 1;
            if relinked.fresh > 0 {
                out.split += 1;
            }
            let fresh: Vec<u64> = (0..relinked.fresh)
                .map(|_| {
                    *next_story += 1;
                    *next_story - 1
                })
                .collect();
            for (m, to) in relinked.moves {
                let id = match to {
                    story::Slot::Old(x) => x,
                    story::Slot::Fresh(k) => fresh[k],
                };
                t.members.remove((s, m)).map_err(e)?;
                t.members.insert((id, m), ()).map_err(e)?;
                t.doc_story.insert(m, id).map_err(e)?;
            }
        }
        Ok(())
    }

    /// Re-link story `s` from its remaining members' links; a piece without the earliest
    /// member gets a new id. Exact copies are one class, linked through its earliest live
    /// member's links only (as the batch engine pairs the first occurrence alone); when that
    /// member changes, the new one's links may reach other stories, which then merge into the
    /// oldest id. Returns the number of pieces.
    fn relink(&self, t: &mut Tables, s: u64, next_story: &mut u64) -> Result<usize> {
        let e = |x: redb::StorageError| self.err(x);
        let members: Vec<u32> = t
            .members
            .range((s, 0)..=(s, u32::MAX))
            .map_err(e)?
            .map(|r| r.map(|(k, _)| k.value().1))
            .collect::<std::result::Result<_, _>>()
            .map_err(e)?;
        if members.is_empty() {
            return Ok(0);
        }
        let pos: FastMap<u32, u32> = members
            .iter()
            .enumerate()
            .map(|(i, &d)| (d, i as u32))
            .collect();
        let mut uf = UnionFind::new(members.len());
        // Members are in document order: the first of each content is its class's earliest.
        let mut first_of: FastMap<u64, u32> = FastMap::default();
        let mut outside: Vec<(u32, u32)> = Vec::new();
        for (i, &d) in members.iter().enumerate() {
            let rec = self
                .record(&t.docs, d)?
                .ok_or_else(|| self.err(format!("damaged index: member {d} has no record")))?;
            if let Some(c) = rec.content {
                if let Some(&j) = first_of.get(&c) {
                    uf.union(i as u32, j);
                    continue;
                }
                first_of.insert(c, i as u32);
            }
            for l in rec.links {
                match pos.get(&l.doc) {
                    Some(&j) => {
                        uf.union(i as u32, j);
                    }
                    None => outside.push((i as u32, l.doc)),
                }
            }
        }
        // Pieces by their earliest member (members are in document order).
        let mut piece_of: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for (i, &d) in members.iter().enumerate() {
            piece_of.entry(uf.find(i as u32)).or_default().push(d);
        }
        let mut pieces: Vec<(u32, Vec<u32>)> = piece_of.into_iter().collect();
        pieces.sort_by_key(|p| p.1[0]);
        let n = pieces.len();
        let mut story_of_root: FastMap<u32, u64> = FastMap::default();
        for (k, (root, piece)) in pieces.into_iter().enumerate() {
            if k == 0 {
                story_of_root.insert(root, s);
                continue;
            }
            let id = *next_story;
            *next_story += 1;
            story_of_root.insert(root, id);
            for d in piece {
                t.members.remove((s, d)).map_err(e)?;
                t.members.insert((id, d), ()).map_err(e)?;
                t.doc_story.insert(d, id).map_err(e)?;
            }
        }
        // Links of a class's new earliest member to live articles of other stories.
        for (i, other) in outside {
            let Some(theirs) = t.doc_story.get(other).map_err(e)?.map(|v| v.value()) else {
                continue; // a removed article
            };
            let Some(&ours) = story_of_root.get(&uf.find(i)) else {
                continue;
            };
            // A piece may have moved already: follow where its first member is now.
            let ours = t
                .doc_story
                .get(members[i as usize])
                .map_err(e)?
                .map_or(ours, |v| v.value());
            if theirs != ours {
                let (to, from) = (ours.min(theirs), ours.max(theirs));
                move_story(t, from, to).map_err(e)?;
            }
        }
        Ok(n)
    }

    /// Remove the documents with ids `ids` in one durable commit. Unknown ids refuse the
    /// whole removal (nothing is removed), naming them.
    pub fn remove_ids(&self, ids: &[String]) -> Result<Removed> {
        let _w = self.writer.lock().expect("writer lock");
        let w = self.db.begin_write().map_err(|e| self.err(e))?;
        let mut docs = Vec::with_capacity(ids.len());
        let mut unknown = Vec::new();
        {
            let t = w.open_table(IDS).map_err(|e| self.err(e))?;
            for id in ids {
                match t.get(id.as_str()).map_err(|e| self.err(e))? {
                    Some(d) => docs.push(d.value()),
                    None => unknown.push(id.clone()),
                }
            }
        }
        if !unknown.is_empty() {
            return Err(Error::UnknownIds { ids: unknown });
        }
        docs.sort_unstable();
        docs.dedup();
        self.commit_removal(w, &docs)
    }

    /// Remove every document whose time (its own, or when it was added) is before `t`.
    pub fn remove_older_than(&self, t: i64) -> Result<Removed> {
        let _w = self.writer.lock().expect("writer lock");
        let w = self.db.begin_write().map_err(|e| self.err(e))?;
        let docs: Vec<u32> = {
            let times = w.open_table(TIMES).map_err(|e| self.err(e))?;
            let range = times
                .range((i64::MIN, 0)..(t, 0))
                .map_err(|e| self.err(e))?;
            let mut v: Vec<u32> = range
                .map(|r| r.map(|(k, _)| k.value().1))
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| self.err(e))?;
            v.sort_unstable();
            v
        };
        self.commit_removal(w, &docs)
    }

    fn commit_removal(&self, mut w: WriteTransaction, docs: &[u32]) -> Result<Removed> {
        w.set_durability(redb::Durability::Immediate)
            .map_err(|e| self.err(e))?;
        let mut next_story = {
            let meta = w.open_table(META).map_err(|e| self.err(e))?;
            meta_u64(&meta, "next_story")?
        };
        let mut delta = story::StatsDelta::default();
        let out = {
            let mut t = Tables::open(&w).map_err(|e| self.err(e))?;
            let (mut out, left) =
                self.remove_docs(&mut t, docs, &mut next_story, Some(&mut delta))?;
            if !left.is_empty() {
                let stats = self.stats.read().expect("stats lock");
                self.split_stories(
                    &mut t,
                    &left,
                    stats.with(Some(&delta)),
                    docs,
                    &mut next_story,
                    &mut out,
                )?;
            }
            out
        };
        let mut stats = self.stats.write().expect("stats lock");
        if !delta.is_empty() {
            delta.write(&w, &stats, |e| self.err(e))?;
        }
        w.open_table(META)
            .map_err(|e| self.err(e))?
            .insert("next_story", next_story.to_le_bytes().as_slice())
            .map_err(|e| self.err(e))?;
        w.commit().map_err(|e| self.err(e))?;
        stats.apply(&delta);
        let snap = self.snapshot();
        let mut dead = snap.dead.clone();
        dead.extend(docs.iter().copied());
        *self.snapshot.write().expect("snapshot lock") = Arc::new(Snapshot {
            segments: snap.segments.clone(),
            dead,
        });
        Ok(out)
    }
}

/// Move every member of story `from` to story `to`.
fn move_story(t: &mut Tables, from: u64, to: u64) -> std::result::Result<(), redb::StorageError> {
    let docs: Vec<u32> = t
        .members
        .range((from, 0)..=(from, u32::MAX))?
        .map(|r| r.map(|(k, _)| k.value().1))
        .collect::<std::result::Result<_, _>>()?;
    for d in docs {
        t.members.remove((from, d))?;
        t.members.insert((to, d), ())?;
        t.doc_story.insert(d, to)?;
    }
    Ok(())
}
