//! The store's tables and the per-document record: everything verification reads about an
//! archived article (its copy signature, containment features, content hash, length), and the
//! verified links to the earlier articles it matched when it was added, from which a story is
//! re-linked when a member leaves.
//!
//! Invariant: a record is written once, in the transaction that adds its document, and removed
//! in the one that removes it; nothing else rewrites it.

use redb::TableDefinition;

/// Settings and counters: `format`, `config`, `recipe`, `next_doc`, `next_story`,
/// `next_segment`; story preset: `story_docs`, `story_lens` (the live statistics beside
/// `TERM_DF`), `seed_docs`, `seed_lens` (the seed's, beside `SEED_DF`).
pub(crate) const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Live documents' records by document number.
pub(crate) const DOCS: TableDefinition<u32, &[u8]> = TableDefinition::new("docs");
/// Live documents by external id.
pub(crate) const IDS: TableDefinition<&str, u32> = TableDefinition::new("ids");
/// (expiry time, document): the article's time, or when it was added.
pub(crate) const TIMES: TableDefinition<(i64, u32), ()> = TableDefinition::new("times");
/// (story, document) for every live document.
pub(crate) const MEMBERS: TableDefinition<(u64, u32), ()> = TableDefinition::new("members");
/// Each live document's story.
pub(crate) const DOC_STORY: TableDefinition<u32, u64> = TableDefinition::new("doc_story");
/// Postings segments by number ([`crate::segment::Segment::encode`]).
pub(crate) const SEGMENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("segments");
/// Removed documents whose postings are still in a segment (until `compact`).
pub(crate) const DEAD: TableDefinition<u32, ()> = TableDefinition::new("dead");
/// Story preset: each story term's document frequency over the counted live documents
/// (`story.rs`).
pub(crate) const TERM_DF: TableDefinition<u32, u32> = TableDefinition::new("term_df");
/// Story preset: each story term's document frequency over the reference collection the
/// index was seeded with (`seed.rs`; empty without one). Written once, when it is created.
pub(crate) const SEED_DF: TableDefinition<u32, u32> = TableDefinition::new("seed_df");

/// A verified match to an earlier document, kept with the later one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Link {
    pub(crate) doc: u32,
}

/// The fields of a record the boilerplate rules' version test reads
/// ([`DocRecord::decode_versions`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VersionParts {
    pub(crate) words: u32,
    pub(crate) sig: Vec<u32>,
    pub(crate) own: Vec<u64>,
    pub(crate) anchors: Vec<u32>,
}

/// One archived article.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DocRecord {
    pub(crate) id: String,
    pub(crate) time: Option<i64>,
    /// When it was added (seconds since the epoch).
    pub(crate) added: i64,
    pub(crate) content: Option<u64>,
    pub(crate) words: u32,
    pub(crate) sig: Vec<u32>,
    pub(crate) own: Vec<u64>,
    pub(crate) anchors: Vec<u32>,
    pub(crate) links: Vec<Link>,
    /// Story preset: the hash of each line's words.
    pub(crate) lines: Vec<u64>,
    /// Story preset: its story terms, all lines in order, and where each line ends.
    pub(crate) terms: Vec<u32>,
    pub(crate) ends: Vec<u32>,
    /// Story preset: for a document counted in the collection statistics, the lines it was
    /// counted with (its boilerplate mask then), so that removing it takes out what it put in.
    pub(crate) counted: Option<Vec<bool>>,
}

impl DocRecord {
    /// The time it expires by: its own, or when it was added.
    pub(crate) fn expiry_time(&self) -> i64 {
        self.time.unwrap_or(self.added)
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            48 + self.id.len() + self.sig.len() * 4 + self.own.len() * 8 + self.links.len() * 4,
        );
        out.push(2u8); // record layout version
        put_u32(&mut out, self.id.len() as u32);
        out.extend_from_slice(self.id.as_bytes());
        put_opt(&mut out, self.time.map(|t| t as u64));
        out.extend_from_slice(&self.added.to_le_bytes());
        put_opt(&mut out, self.content);
        put_u32(&mut out, self.words);
        put_u32(&mut out, self.sig.len() as u32);
        for v in &self.sig {
            put_u32(&mut out, *v);
        }
        put_u32(&mut out, self.own.len() as u32);
        for v in &self.own {
            out.extend_from_slice(&v.to_le_bytes());
        }
        put_u32(&mut out, self.anchors.len() as u32);
        for v in &self.anchors {
            put_u32(&mut out, *v);
        }
        put_u32(&mut out, self.links.len() as u32);
        for l in &self.links {
            put_u32(&mut out, l.doc);
        }
        put_u32(&mut out, self.lines.len() as u32);
        for v in &self.lines {
            out.extend_from_slice(&v.to_le_bytes());
        }
        put_u32(&mut out, self.terms.len() as u32);
        for v in &self.terms {
            put_u32(&mut out, *v);
        }
        put_u32(&mut out, self.ends.len() as u32);
        for v in &self.ends {
            put_u32(&mut out, *v);
        }
        match &self.counted {
            None => out.push(0),
            Some(mask) => {
                out.push(1);
                put_u32(&mut out, mask.len() as u32);
                out.extend(mask.iter().map(|&k| k as u8));
            }
        }
        out
    }

    /// What the boilerplate rules' version test reads of an encoded record (its words, copy
    /// signature, own-bin mask and lead anchors), without decoding the rest: the test reads
    /// this of many records, and a story record's terms are most of its bytes.
    pub(crate) fn decode_versions(bytes: &[u8]) -> Option<VersionParts> {
        let mut r = Reader(bytes);
        if r.take(1)?[0] != 2 {
            return None;
        }
        let n = r.u32()? as usize;
        r.take(n)?;
        r.opt()?;
        r.u64()?;
        r.opt()?;
        let words = r.u32()?;
        let n = r.u32()? as usize;
        let sig = r.u32s(n)?;
        let n = r.u32()? as usize;
        let own = r.u64s(n)?;
        let n = r.u32()? as usize;
        let anchors = r.u32s(n)?;
        Some(VersionParts {
            words,
            sig,
            own,
            anchors,
        })
    }

    pub(crate) fn decode(bytes: &[u8]) -> Option<DocRecord> {
        let mut r = Reader(bytes);
        if r.take(1)?[0] != 2 {
            return None;
        }
        let n = r.u32()? as usize;
        let id = String::from_utf8(r.take(n)?.to_vec()).ok()?;
        let time = r.opt()?.map(|t| t as i64);
        let added = r.u64()? as i64;
        let content = r.opt()?;
        let words = r.u32()?;
        let n = r.u32()? as usize;
        let sig = r.u32s(n)?;
        let n = r.u32()? as usize;
        let own = r.u64s(n)?;
        let n = r.u32()? as usize;
        let anchors = r.u32s(n)?;
        let n = r.u32()? as usize;
        let links = r.u32s(n)?.into_iter().map(|doc| Link { doc }).collect();
        let n = r.u32()? as usize;
        let lines = r.u64s(n)?;
        let n = r.u32()? as usize;
        let terms = r.u32s(n)?;
        let n = r.u32()? as usize;
        let ends = r.u32s(n)?;
        let counted = match r.take(1)?[0] {
            0 => None,
            1 => {
                let n = r.u32()? as usize;
                let bytes = r.take(n)?;
                if bytes.iter().any(|&b| b > 1) {
                    return None;
                }
                Some(bytes.iter().map(|&b| b == 1).collect())
            }
            _ => return None,
        };
        r.0.is_empty().then_some(DocRecord {
            id,
            time,
            added,
            content,
            words,
            sig,
            own,
            anchors,
            links,
            lines,
            terms,
            ends,
            counted,
        })
    }
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_opt(out: &mut Vec<u8>, v: Option<u64>) {
    match v {
        Some(v) => {
            out.push(1);
            out.extend_from_slice(&v.to_le_bytes());
        }
        None => out.push(0),
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    /// `n` little-endian values of `W` bytes, read as one slice (a record's terms are most of
    /// its bytes, and records are decoded on every story query).
    fn array<T, const W: usize>(&mut self, n: usize, from: fn([u8; W]) -> T) -> Option<Vec<T>> {
        let bytes = self.take(n.checked_mul(W)?)?;
        Some(
            bytes
                .chunks_exact(W)
                .map(|c| from(c.try_into().expect("W bytes")))
                .collect(),
        )
    }
    fn u32s(&mut self, n: usize) -> Option<Vec<u32>> {
        self.array(n, u32::from_le_bytes)
    }
    fn u64s(&mut self, n: usize) -> Option<Vec<u64>> {
        self.array(n, u64::from_le_bytes)
    }
    fn opt(&mut self) -> Option<Option<u64>> {
        match self.take(1)?[0] {
            0 => Some(None),
            1 => Some(Some(self.u64()?)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_round_trips_and_a_cut_one_is_refused() {
        let r = DocRecord {
            id: "wire-1 ü".into(),
            time: Some(-5),
            added: 1_796_083_200,
            content: Some(u64::MAX),
            words: 321,
            sig: vec![1, 2, u32::MAX],
            own: vec![7],
            anchors: vec![9, 8],
            links: vec![Link { doc: 4 }],
            lines: vec![3, u64::MAX],
            terms: vec![5, 6, 7],
            ends: vec![1, 3],
            counted: Some(vec![true, false]),
        };
        let bytes = r.encode();
        assert_eq!(DocRecord::decode(&bytes), Some(r.clone()));
        let v = DocRecord::decode_versions(&bytes).unwrap();
        assert_eq!(
            (v.words, &v.sig, &v.own, &v.anchors),
            (r.words, &r.sig, &r.own, &r.anchors)
        );
        for cut in 0..bytes.len() {
            assert_eq!(DocRecord::decode(&bytes[..cut]), None, "cut at {cut}");
        }
        let none = DocRecord {
            time: None,
            content: None,
            counted: None,
            ..r
        };
        assert_eq!(DocRecord::decode(&none.encode()), Some(none));
    }
}
