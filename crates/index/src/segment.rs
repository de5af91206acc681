//! Postings as sorted runs: each group commit writes one immutable segment of (key, document)
//! entries, sorted, stored in pieces of the store ([`PIECE`]); segments are merged as they accumulate (the
//! youngest two while the older is at most [`MERGE_RATIO`] times the younger, so that a
//! million single adds leave a logarithmic number of segments), and `compact` rewrites them
//! all without the removed documents. A B-tree entry per band key would cost a store write
//! per key: about 1,000 articles/s, against tens of thousands for one sorted run per commit.
//!
//! Each posting carries a one-byte tag: its document's number of lead anchors, so that a
//! lookup can tell which anchor holders share enough of the lead to be candidates before it
//! reads a single record (a common opening sentence has hundreds of holders; a copy's lead
//! shares most of its anchors).
//!
//! Invariant: entries are sorted by (key, document); every document of a segment is later
//! than every document of the segments before it, so holders read segment by segment come out
//! in document order.

use storyhash_core::error::Error;
use storyhash_core::hashed::mix64;

/// Bytes of a stored piece of a segment. The store gives a value larger than a page a run of
/// pages rounded up to a power of two, and cannot move a run into a smaller hole: a segment
/// stored whole (tens of megabytes) left the file up to twice its size, and one rewritten by
/// `compact` grew the file instead of shrinking it. Pieces of a quarter megabyte (less room
/// for the page's own header) fill their runs and fit the holes that earlier pieces leave.
pub(crate) const PIECE: usize = 256 * 1024 - 1024;

/// Merge the youngest two segments while the older holds at most this many times the younger's
/// entries.
pub(crate) const MERGE_RATIO: usize = 4;

/// What a posting key is: each kind is salted apart, so a band key and an anchor never meet.
#[derive(Debug, Clone, Copy)]
pub(crate) enum KeyKind {
    /// A copy-lane LSH band key (already seeded by its band).
    Band,
    /// A containment lead anchor.
    Anchor,
    /// The content hash of the normalised words (exact copies).
    Content,
    /// Story preset: the hash of a line's words (boilerplate: who else holds the line).
    Line,
    /// Story preset: one of a counted document's heaviest story terms (story candidates).
    Term,
}

/// The posting key of `value` of kind `kind`.
#[inline]
pub(crate) fn key(kind: KeyKind, value: u64) -> u64 {
    let salt = match kind {
        KeyKind::Band => 0x9e37_79b9_7f4a_7c15,
        KeyKind::Anchor => 0xc2b2_ae3d_27d4_eb4f,
        KeyKind::Content => 0x1656_67b1_9e37_79f9,
        KeyKind::Line => 0x27d4_eb2f_1656_67c5,
        KeyKind::Term => 0x85eb_ca77_c2b2_ae63,
    };
    mix64(value ^ salt)
}

/// Bytes a posting takes stored: key, document, tag.
pub(crate) const POSTING_BYTES: usize = 13;

const MAGIC: &[u8; 8] = b"SHSEG\x00\x00\x02";

/// One immutable sorted run of postings.
#[derive(Debug, Default)]
pub(crate) struct Segment {
    /// Its number in the store.
    pub(crate) id: u64,
    keys: Vec<u64>,
    docs: Vec<u32>,
    /// Per posting, its document's anchor count.
    tags: Vec<u8>,
    /// Where each key prefix starts: `dir[p]..dir[p + 1]` holds the keys whose top `bits`
    /// bits are `p`, so a lookup binary-searches a few hundred entries, not millions.
    dir: Vec<u32>,
    bits: u32,
}

impl Segment {
    /// A segment of `entries`, (key, document, tag), in any order (sorted here).
    pub(crate) fn new(id: u64, mut entries: Vec<(u64, u32, u8)>) -> Self {
        entries.sort_unstable();
        entries.dedup_by_key(|e| (e.0, e.1));
        Self::from_sorted(id, entries)
    }

    fn from_sorted(id: u64, entries: Vec<(u64, u32, u8)>) -> Self {
        let mut keys = Vec::with_capacity(entries.len());
        let mut docs = Vec::with_capacity(entries.len());
        let mut tags = Vec::with_capacity(entries.len());
        for (k, d, t) in entries {
            keys.push(k);
            docs.push(d);
            tags.push(t);
        }
        Self::from_columns(id, keys, docs, tags)
    }

    fn from_columns(id: u64, keys: Vec<u64>, docs: Vec<u32>, tags: Vec<u8>) -> Self {
        // About 16 entries a prefix (a lookup then touches the directory and one or two cache
        // lines of keys), at most 2^22 prefixes: the directory costs a quarter of a byte a
        // posting, against 13 for the posting.
        let bits = (usize::BITS - (keys.len() / 16).leading_zeros()).min(22);
        let mut dir = vec![0u32; (1usize << bits) + 1];
        let prefix = |k: u64| {
            if bits == 0 {
                0
            } else {
                (k >> (64 - bits)) as usize
            }
        };
        for &k in &keys {
            dir[prefix(k) + 1] += 1;
        }
        for p in 1..dir.len() {
            dir[p] += dir[p - 1];
        }
        Segment {
            id,
            keys,
            docs,
            tags,
            dir,
            bits,
        }
    }

    /// Number of postings.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// The documents posted under `key`, ascending, and their tags.
    pub(crate) fn holders(&self, key: u64) -> (&[u32], &[u8]) {
        let p = if self.bits == 0 {
            0
        } else {
            (key >> (64 - self.bits)) as usize
        };
        let (lo, hi) = (self.dir[p] as usize, self.dir[p + 1] as usize);
        let run = &self.keys[lo..hi];
        let start = lo + run.partition_point(|&k| k < key);
        let end = start
            + self.keys[start..hi]
                .iter()
                .take_while(|&&k| k == key)
                .count();
        (&self.docs[start..end], &self.tags[start..end])
    }

    /// Every document posted in the segment (with repeats).
    pub(crate) fn docs(&self) -> &[u32] {
        &self.docs
    }

    /// Every posting's tag, in the order of [`Segment::docs`].
    pub(crate) fn tags(&self) -> &[u8] {
        &self.tags
    }

    /// Whether entries are sorted (checked by `index verify`).
    pub(crate) fn is_sorted(&self) -> bool {
        self.keys
            .iter()
            .zip(&self.docs)
            .collect::<Vec<_>>()
            .windows(2)
            .all(|w| w[0] < w[1])
    }

    /// The bytes stored for the segment.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + self.len() * POSTING_BYTES);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(self.len() as u64).to_le_bytes());
        for k in &self.keys {
            out.extend_from_slice(&k.to_le_bytes());
        }
        for d in &self.docs {
            out.extend_from_slice(&d.to_le_bytes());
        }
        out.extend_from_slice(&self.tags);
        out
    }

    /// Write the segment into `table` in pieces.
    pub(crate) fn store(
        &self,
        table: &mut redb::Table<(u64, u32), &[u8]>,
    ) -> std::result::Result<(), redb::StorageError> {
        for (i, piece) in self.encode().chunks(PIECE).enumerate() {
            table.insert((self.id, i as u32), piece)?;
        }
        Ok(())
    }

    /// Remove the segment's pieces from `table`.
    pub(crate) fn unstore(
        &self,
        table: &mut redb::Table<(u64, u32), &[u8]>,
    ) -> std::result::Result<(), redb::StorageError> {
        for i in 0..(16 + self.len() * POSTING_BYTES).div_ceil(PIECE) {
            table.remove((self.id, i as u32))?;
        }
        Ok(())
    }

    /// Every segment of `table`, in order, from its pieces.
    pub(crate) fn load_all(
        table: &impl redb::ReadableTable<(u64, u32), &'static [u8]>,
        store: impl Fn(redb::StorageError) -> Error,
        damaged: impl Fn(String) -> Error,
    ) -> Result<Vec<Segment>, Error> {
        let mut out = Vec::new();
        let mut bytes: Vec<u8> = Vec::new();
        let mut current: Option<(u64, u32)> = None;
        for entry in table.iter().map_err(&store)? {
            let (k, v) = entry.map_err(&store)?;
            let (id, piece) = k.value();
            match current {
                Some((cid, last)) if cid == id => {
                    if piece != last + 1 {
                        return Err(damaged(format!("segment {id}: piece {} missing", last + 1)));
                    }
                }
                _ => {
                    if let Some((cid, _)) = current {
                        out.push(Segment::decode(cid, &bytes).map_err(&damaged)?);
                    }
                    if piece != 0 {
                        return Err(damaged(format!("segment {id}: piece 0 missing")));
                    }
                    bytes.clear();
                }
            }
            if piece == 0 {
                // The first piece says how many postings follow: one allocation for them all
                // (a growing buffer copied a million-article index's postings several times
                // over on open).
                let n = v.value().get(8..16).map_or(0, |b| {
                    u64::from_le_bytes(b.try_into().expect("eight bytes")) as usize
                });
                // A damaged count asks for too much: then the buffer grows as it goes.
                let _ = bytes
                    .try_reserve_exact(16usize.saturating_add(n.saturating_mul(POSTING_BYTES)));
            }
            bytes.extend_from_slice(v.value());
            current = Some((id, piece));
        }
        if let Some((cid, _)) = current {
            out.push(Segment::decode(cid, &bytes).map_err(&damaged)?);
        }
        Ok(out)
    }

    /// The segment stored as `bytes` ([`Segment::encode`]).
    pub(crate) fn decode(id: u64, bytes: &[u8]) -> std::result::Result<Self, String> {
        if bytes.len() < 16 || &bytes[..8] != MAGIC {
            return Err(format!("segment {id}: not a postings segment"));
        }
        let n = u64::from_le_bytes(bytes[8..16].try_into().unwrap()) as usize;
        if bytes.len() != 16 + n * POSTING_BYTES {
            return Err(format!(
                "segment {id}: {} bytes for {n} postings (expected {})",
                bytes.len(),
                16 + n * POSTING_BYTES
            ));
        }
        let (k, rest) = bytes[16..].split_at(n * 8);
        let (d, t) = rest.split_at(n * 4);
        let keys = k
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        let docs = d
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        Ok(Self::from_columns(id, keys, docs, t.to_vec()))
    }

    /// One segment holding the postings of `segs` (in order) whose document `keep` accepts.
    ///
    /// A k-way merge of the sorted inputs: a key's postings come from the inputs in order, and
    /// every document of an input is later than those of the inputs before it, so the output
    /// is sorted by (key, document) without a sort (merges rewrite every posting of the index
    /// a logarithmic number of times; a sort of the concatenation was a tenth of a bulk add).
    pub(crate) fn merge(id: u64, segs: &[&Segment], keep: impl Fn(u32) -> bool) -> Segment {
        let total = segs.iter().map(|s| s.len()).sum();
        let mut keys = Vec::with_capacity(total);
        let mut docs = Vec::with_capacity(total);
        let mut tags = Vec::with_capacity(total);
        let mut at = vec![0usize; segs.len()];
        loop {
            // The input whose next key is smallest, the earliest on a tie (a handful of
            // inputs: a linear scan beats a heap).
            let mut best: Option<(usize, u64)> = None;
            for (i, s) in segs.iter().enumerate() {
                if let Some(&k) = s.keys.get(at[i]) {
                    if best.is_none_or(|(_, b)| k < b) {
                        best = Some((i, k));
                    }
                }
            }
            let Some((i, k)) = best else { break };
            let s = segs[i];
            // The whole run of this key in that input.
            let from = at[i];
            let mut to = from;
            while to < s.keys.len() && s.keys[to] == k {
                to += 1;
            }
            for p in from..to {
                if keep(s.docs[p]) {
                    keys.push(k);
                    docs.push(s.docs[p]);
                    tags.push(s.tags[p]);
                }
            }
            at[i] = to;
        }
        Self::from_columns(id, keys, docs, tags)
    }
}

/// The store error for a damaged segment.
pub(crate) fn damaged(path: &std::path::Path, reason: String) -> Error {
    Error::Store {
        path: path.to_path_buf(),
        reason: format!("damaged index: {reason}; `storyhash index verify` says what is affected"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn holders_are_every_posting_of_a_key(
            entries in proptest::collection::vec((0u64..50, 0u32..1000), 0..3000),
        ) {
            // A document's tag is the same in all its postings, as the index writes them.
            let entries: Vec<(u64, u32, u8)> = entries
                .into_iter()
                .map(|(k, d)| (key(KeyKind::Band, k), d, (d % 9) as u8))
                .collect();
            let seg = Segment::new(3, entries.clone());
            let back = Segment::decode(3, &seg.encode()).unwrap();
            prop_assert!(back.is_sorted());
            for k in 0u64..50 {
                let k = key(KeyKind::Band, k);
                let mut want: Vec<u32> =
                    entries.iter().filter(|e| e.0 == k).map(|e| e.1).collect();
                want.sort_unstable();
                want.dedup();
                let (docs, tags) = back.holders(k);
                prop_assert_eq!(docs, &want[..]);
                let want_tags: Vec<u8> = want.iter().map(|d| (d % 9) as u8).collect();
                prop_assert_eq!(tags, &want_tags[..]);
            }
            prop_assert!(back.holders(key(KeyKind::Anchor, 7)).0.is_empty());
            let merged = Segment::merge(4, &[&seg, &back], |d| d % 2 == 0);
            prop_assert!(merged.docs().iter().all(|d| d % 2 == 0));
        }
    }

    proptest! {
        #[test]
        fn a_merge_is_the_sorted_postings_it_keeps(
            entries in proptest::collection::vec((0u64..40, 0u32..600), 0..2000),
            cuts in (0u32..600, 0u32..600),
        ) {
            // Inputs as the index makes them: each holds later documents than the one before.
            let entries: Vec<(u64, u32, u8)> = entries
                .into_iter()
                .map(|(k, d)| (key(KeyKind::Band, k), d, (d % 7) as u8))
                .collect();
            let (a, b) = (cuts.0.min(cuts.1), cuts.0.max(cuts.1));
            let part = |lo: u32, hi: u32| {
                Segment::new(
                    0,
                    entries.iter().copied().filter(|e| e.1 >= lo && e.1 < hi).collect(),
                )
            };
            let segs = [part(0, a), part(a, b), part(b, u32::MAX)];
            let keep = |d: u32| d % 3 != 0;
            let merged = Segment::merge(9, &[&segs[0], &segs[1], &segs[2]], keep);
            let want = Segment::new(9, entries.iter().copied().filter(|e| keep(e.1)).collect());
            prop_assert_eq!(&merged.keys, &want.keys);
            prop_assert_eq!(&merged.docs, &want.docs);
            prop_assert_eq!(&merged.tags, &want.tags);
            prop_assert_eq!(&merged.dir, &want.dir);
        }
    }

    #[test]
    fn segments_are_stored_in_pieces_and_a_missing_piece_is_refused() {
        use redb::{ReadableDatabase, ReadableTableMetadata};
        let db = redb::Database::builder()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .unwrap();
        let table: redb::TableDefinition<(u64, u32), &[u8]> = redb::TableDefinition::new("t");
        // One segment of three pieces, a small one, and one that just fits in one piece.
        let big = Segment::new(
            4,
            (0..50_000u32).map(|d| (u64::from(d) * 7, d, 1)).collect(),
        );
        let small = Segment::new(9, vec![(5, 60_000, 0), (3, 60_001, 2)]);
        let exact = Segment::new(
            12,
            (0..(PIECE - 16) / POSTING_BYTES)
                .map(|d| (d as u64, 70_000 + d as u32, 0))
                .collect(),
        );
        assert_eq!(exact.encode().len(), PIECE - (PIECE - 16) % POSTING_BYTES);
        // Each of `segs` stored (or unstored), then the pieces left.
        let each = |segs: [&Segment; 3], store: bool| {
            let w = db.begin_write().unwrap();
            let left = {
                let mut t = w.open_table(table).unwrap();
                for s in segs {
                    if store {
                        s.store(&mut t).unwrap();
                    } else {
                        s.unstore(&mut t).unwrap();
                    }
                }
                t.len().unwrap()
            };
            w.commit().unwrap();
            left
        };
        assert_eq!(each([&big, &small, &exact], true), 5);
        let load = |db: &redb::Database| {
            let r = db.begin_read().unwrap();
            let t = r.open_table(table).unwrap();
            Segment::load_all(&t, |e| Error::Config(e.to_string()), Error::Config)
        };
        let back = load(&db).unwrap();
        assert_eq!(back.iter().map(|s| s.id).collect::<Vec<_>>(), [4, 9, 12]);
        for (b, s) in back.iter().zip([&big, &small, &exact]) {
            assert_eq!((&b.keys, &b.docs, &b.tags), (&s.keys, &s.docs, &s.tags));
        }
        // Without its middle piece the big one is damaged, and said to be.
        let w = db.begin_write().unwrap();
        w.open_table(table).unwrap().remove((4, 1)).unwrap();
        w.commit().unwrap();
        let err = load(&db).unwrap_err().to_string();
        assert!(err.contains("segment 4: piece 1 missing"), "{err}");
        // Unstoring takes every piece.
        assert_eq!(each([&big, &small, &exact], false), 0);
    }

    #[test]
    fn a_damaged_segment_is_refused() {
        let seg = Segment::new(1, vec![(5, 1, 0), (3, 2, 8)]);
        let mut bytes = seg.encode();
        bytes.pop();
        assert!(Segment::decode(1, &bytes)
            .unwrap_err()
            .contains("bytes for 2"));
        assert!(Segment::decode(1, b"nonsense-bytes!!").is_err());
    }
}
