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
/// Postings segments by (number, piece) ([`crate::segment::Segment::store`]).
pub(crate) const SEGMENTS: TableDefinition<(u64, u32), &[u8]> =
    TableDefinition::new("segment_pieces");
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

/// The record layout this build writes and reads (the first byte of every record).
const LAYOUT: u8 = 4;

/// Flag bits of a record's second byte: which optional fields follow.
const HAS_TIME: u8 = 1;
const HAS_CONTENT: u8 = 2;
const HAS_COUNTED: u8 = 4;

impl DocRecord {
    /// The time it expires by: its own, or when it was added.
    pub(crate) fn expiry_time(&self) -> i64 {
        self.time.unwrap_or(self.added)
    }

    /// The record's bytes. Counts, lengths, links and line lengths are varints; the story
    /// terms, most of a story record, are its distinct terms (an Elias-Fano coded set, about
    /// 26 bits a term) and each word's index into them in as few bits as the count of distinct
    /// terms needs (eight for most articles): the words come back in their order. The copy
    /// signature is kept whole (its values are uniform: nothing to gain), as verification
    /// must estimate exactly what the batch engine does.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            48 + self.id.len()
                + self.sig.len() * 4
                + self.own.len() * 8
                + self.links.len() * 4
                + self.lines.len() * 8
                + self.terms.len() * 2,
        );
        out.push(LAYOUT);
        let flag = |on: bool, bit: u8| if on { bit } else { 0 };
        out.push(
            flag(self.time.is_some(), HAS_TIME)
                | flag(self.content.is_some(), HAS_CONTENT)
                | flag(self.counted.is_some(), HAS_COUNTED),
        );
        put_var(&mut out, self.id.len() as u64);
        out.extend_from_slice(self.id.as_bytes());
        if let Some(t) = self.time {
            put_var(&mut out, zigzag(t));
        }
        put_var(&mut out, zigzag(self.added));
        if let Some(c) = self.content {
            out.extend_from_slice(&c.to_le_bytes());
        }
        put_var(&mut out, self.words as u64);
        put_var(&mut out, self.sig.len() as u64);
        for v in &self.sig {
            out.extend_from_slice(&v.to_le_bytes());
        }
        put_var(&mut out, self.own.len() as u64);
        for v in &self.own {
            out.extend_from_slice(&v.to_le_bytes());
        }
        put_var(&mut out, self.anchors.len() as u64);
        for v in &self.anchors {
            out.extend_from_slice(&v.to_le_bytes());
        }
        put_var(&mut out, self.links.len() as u64);
        for l in &self.links {
            put_var(&mut out, l.doc as u64);
        }
        put_var(&mut out, self.lines.len() as u64);
        for v in &self.lines {
            out.extend_from_slice(&v.to_le_bytes());
        }
        let mut distinct = self.terms.clone();
        distinct.sort_unstable();
        distinct.dedup();
        put_var(&mut out, distinct.len() as u64);
        put_set(&mut out, &distinct);
        put_var(&mut out, self.terms.len() as u64);
        let width = index_bits(distinct.len());
        let mut bits = Bits::new(&mut out);
        for t in &self.terms {
            let i = distinct.binary_search(t).expect("a distinct term");
            bits.put(i as u64, width);
        }
        bits.finish();
        // Line ends as steps from the one before (a line's length); wrapping, so that any
        // sequence comes back as it was.
        put_var(&mut out, self.ends.len() as u64);
        let mut last = 0u32;
        for &e in &self.ends {
            put_var(&mut out, e.wrapping_sub(last) as u64);
            last = e;
        }
        if let Some(mask) = &self.counted {
            put_var(&mut out, mask.len() as u64);
            for byte in mask.chunks(8) {
                out.push(
                    byte.iter()
                        .enumerate()
                        .fold(0u8, |b, (i, &k)| b | (u8::from(k) << i)),
                );
            }
        }
        out
    }

    /// What the boilerplate rules' version test reads of an encoded record (its words, copy
    /// signature, own-bin mask and lead anchors), without decoding the rest: the test reads
    /// this of many records, and a story record's terms are most of its bytes.
    pub(crate) fn decode_versions(bytes: &[u8]) -> Option<VersionParts> {
        let mut r = Reader(bytes);
        let flags = r.head()?;
        let n = r.len()?;
        r.take(n)?;
        if flags & HAS_TIME != 0 {
            r.var()?;
        }
        r.var()?;
        if flags & HAS_CONTENT != 0 {
            r.u64()?;
        }
        version_parts(&mut r)
    }

    pub(crate) fn decode(bytes: &[u8]) -> Option<DocRecord> {
        let mut r = Reader(bytes);
        let flags = r.head()?;
        let n = r.len()?;
        let id = String::from_utf8(r.take(n)?.to_vec()).ok()?;
        let time = match flags & HAS_TIME {
            0 => None,
            _ => Some(unzigzag(r.var()?)),
        };
        let added = unzigzag(r.var()?);
        let content = match flags & HAS_CONTENT {
            0 => None,
            _ => Some(r.u64()?),
        };
        let VersionParts {
            words,
            sig,
            own,
            anchors,
        } = version_parts(&mut r)?;
        let n = r.len()?;
        let links = (0..n)
            .map(|_| Some(Link { doc: r.var32()? }))
            .collect::<Option<_>>()?;
        let n = r.len()?;
        let lines = r.u64s(n)?;
        // Counts of bit-packed things: at least a bit each.
        let n = r.bit_len()?;
        let distinct = r.set(n)?;
        let n = r.bit_len()?;
        let width = index_bits(distinct.len());
        let terms = r
            .bits(n, width)?
            .into_iter()
            .map(|i| distinct.get(i as usize).copied())
            .collect::<Option<Vec<u32>>>()?;
        let n = r.len()?;
        let mut last = 0u32;
        let ends = (0..n)
            .map(|_| {
                last = last.wrapping_add(r.var32()?);
                Some(last)
            })
            .collect::<Option<_>>()?;
        let counted = match flags & HAS_COUNTED {
            0 => None,
            _ => {
                // A bit a line: the bytes bound the count, not the count the bytes.
                let n = usize::try_from(r.var()?).ok()?;
                let bytes = r.take(n.div_ceil(8))?;
                let mask: Vec<bool> = (0..n).map(|i| bytes[i / 8] >> (i % 8) & 1 == 1).collect();
                // Unused bits of the last byte are zero: one mask, one encoding.
                if n % 8 != 0 && bytes[n / 8] >> (n % 8) != 0 {
                    return None;
                }
                Some(mask)
            }
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

/// Bits of a word's index into `distinct` terms: as few as hold the largest, one at least.
fn index_bits(distinct: usize) -> u32 {
    match distinct {
        0..=2 => 1,
        d => (d - 1).ilog2() + 1,
    }
}

/// Bits of each member of a set of `n` u32s kept verbatim by [`put_set`]: the rest of a
/// member, its high part, is about `log2 n` bits and goes in unary.
fn low_bits(n: usize) -> u32 {
    ((1u64 << 32) / n.max(1) as u64).max(1).ilog2()
}

/// A sorted set of distinct u32s, Elias-Fano coded: each member's low bits packed, then its
/// high part as the gap from the one before in unary (zeros, then a one). Story terms are
/// hashes, spread evenly over the u32s: `low_bits + 2` bits a term instead of 32, with no
/// dictionary to keep in step.
fn put_set(out: &mut Vec<u8>, set: &[u32]) {
    let l = low_bits(set.len());
    let mut bits = Bits::new(out);
    for &x in set {
        bits.put(u64::from(x) & ((1u64 << l) - 1), l);
    }
    bits.finish();
    let mut bits = Bits::new(out);
    let mut last = 0u64;
    for &x in set {
        let high = u64::from(x) >> l;
        for _ in last..high {
            bits.put(0, 1);
        }
        bits.put(1, 1);
        last = high;
    }
    bits.finish();
}

/// Values of up to 32 bits packed least significant bit first, the last byte padded with
/// zeros.
struct Bits<'a> {
    out: &'a mut Vec<u8>,
    acc: u64,
    n: u32,
}

impl<'a> Bits<'a> {
    fn new(out: &'a mut Vec<u8>) -> Self {
        Bits { out, acc: 0, n: 0 }
    }
    fn put(&mut self, v: u64, width: u32) {
        debug_assert!(width <= 32 && v >> width == 0);
        self.acc |= v << self.n;
        self.n += width;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }
    fn finish(self) {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
    }
}

fn put_var(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    (v >> 1) as i64 ^ -((v & 1) as i64)
}

/// The fields the version test reads, where a record holds them (after its content hash).
fn version_parts(r: &mut Reader<'_>) -> Option<VersionParts> {
    let words = r.var32()?;
    let n = r.len()?;
    let sig = r.u32s(n)?;
    let n = r.len()?;
    let own = r.u64s(n)?;
    let n = r.len()?;
    let anchors = r.u32s(n)?;
    Some(VersionParts {
        words,
        sig,
        own,
        anchors,
    })
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
    /// The layout byte (only [`LAYOUT`] is read: a record of another layout is refused) and
    /// the flags byte (no unknown bits).
    fn head(&mut self) -> Option<u8> {
        let h = self.take(2)?;
        (h[0] == LAYOUT && h[1] & !(HAS_TIME | HAS_CONTENT | HAS_COUNTED) == 0).then_some(h[1])
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    /// A varint: at most ten bytes, no bits beyond 64, and no needless trailing zero byte
    /// (one value, one encoding).
    fn var(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for i in 0..10 {
            let b = *self.take(1)?.first()?;
            let bits = (b & 0x7f) as u64;
            if i == 9 && bits > 1 {
                return None;
            }
            v |= bits << (7 * i);
            if b & 0x80 == 0 {
                return (i == 0 || b != 0).then_some(v);
            }
        }
        None
    }
    fn var32(&mut self) -> Option<u32> {
        self.var()?.try_into().ok()
    }
    /// A count of things that follow: no more than the bytes left (each takes one at least),
    /// so that a damaged count cannot ask for a huge allocation.
    fn len(&mut self) -> Option<usize> {
        let n = usize::try_from(self.var()?).ok()?;
        (n <= self.0.len()).then_some(n)
    }
    /// `n` little-endian values of `W` bytes, read as one slice (records are decoded on
    /// every story query).
    fn array<T, const W: usize>(&mut self, n: usize, from: fn([u8; W]) -> T) -> Option<Vec<T>> {
        let bytes = self.take(n.checked_mul(W)?)?;
        Some(
            bytes
                .chunks_exact(W)
                .map(|c| from(c.try_into().expect("W bytes")))
                .collect(),
        )
    }
    /// A count of bit-packed things that follow: no more than the bits left.
    fn bit_len(&mut self) -> Option<usize> {
        let n = usize::try_from(self.var()?).ok()?;
        (n / 8 <= self.0.len()).then_some(n)
    }
    /// `n` values of `width` bits as [`Bits`] packs them; the padding must be zeros.
    fn bits(&mut self, n: usize, width: u32) -> Option<Vec<u64>> {
        let total = n.checked_mul(width as usize)?;
        let bytes = self.take(total.div_ceil(8))?;
        if total % 8 != 0 && bytes[total / 8] >> (total % 8) != 0 {
            return None;
        }
        if width == 8 {
            // Most articles: a byte a word.
            return Some(bytes.iter().map(|&b| u64::from(b)).collect());
        }
        // Each value from the eight bytes at its first bit (it spans at most five).
        let mask = (1u64 << width) - 1;
        let word = |byte: usize| match bytes.get(byte..byte + 8) {
            Some(w) => u64::from_le_bytes(w.try_into().expect("eight bytes")),
            None => {
                let mut w = [0u8; 8];
                w[..bytes.len() - byte].copy_from_slice(&bytes[byte..]);
                u64::from_le_bytes(w)
            }
        };
        Some(
            (0..n)
                .map(|i| {
                    let bit = i * width as usize;
                    word(bit / 8) >> (bit % 8) & mask
                })
                .collect(),
        )
    }
    /// A set of `n` u32s as [`put_set`] writes it: strictly ascending, one encoding.
    fn set(&mut self, n: usize) -> Option<Vec<u32>> {
        if n == 0 {
            return Some(Vec::new());
        }
        let l = low_bits(n);
        let lows = self.bits(n, l)?;
        let mut out = Vec::with_capacity(n);
        // Each one bit ends a member: its position less the members before it is the
        // member's high part.
        let mut base = 0u64;
        while out.len() < n {
            let mut b = *self.take(1)?.first()?;
            while b != 0 && out.len() < n {
                let high = base + u64::from(b.trailing_zeros()) - out.len() as u64;
                b &= b - 1;
                // A high part past the u32s' is damage.
                if high >> (32 - l) != 0 {
                    return None;
                }
                let v = (high << l | lows[out.len()]) as u32;
                if out.last().is_some_and(|&p| p >= v) {
                    return None;
                }
                out.push(v);
            }
            // The padding after the last one.
            if out.len() == n && b != 0 {
                return None;
            }
            base += 8;
        }
        Some(out)
    }

    fn u32s(&mut self, n: usize) -> Option<Vec<u32>> {
        self.array(n, u32::from_le_bytes)
    }
    fn u64s(&mut self, n: usize) -> Option<Vec<u64>> {
        self.array(n, u64::from_le_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn story_record() -> DocRecord {
        DocRecord {
            id: "wire-1 ü".into(),
            time: Some(-5),
            added: 1_796_083_200,
            content: Some(u64::MAX),
            words: 321,
            sig: vec![1, 2, u32::MAX],
            own: vec![7],
            anchors: vec![9, 8],
            links: vec![Link { doc: 4 }, Link { doc: u32::MAX }],
            lines: vec![3, u64::MAX, 0],
            terms: vec![7, 5, 7, 6, 0, u32::MAX],
            // The second line is empty.
            ends: vec![3, 3, 6],
            counted: Some(vec![true, false, true]),
        }
    }

    #[test]
    fn a_record_round_trips_and_a_cut_one_is_refused() {
        let r = story_record();
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
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(DocRecord::decode(&longer), None);
        let none = DocRecord {
            time: None,
            content: None,
            counted: None,
            ..r.clone()
        };
        assert_eq!(DocRecord::decode(&none.encode()), Some(none));
        // Masks of a multiple of eight lines and of none.
        for n in [0, 8, 9, 16] {
            let m = DocRecord {
                counted: Some((0..n).map(|i| i % 3 == 0).collect()),
                ..r.clone()
            };
            assert_eq!(DocRecord::decode(&m.encode()), Some(m), "{n} lines");
        }
    }

    #[test]
    fn a_copy_preset_record_has_no_story_bytes() {
        let r = DocRecord {
            lines: Vec::new(),
            terms: Vec::new(),
            ends: Vec::new(),
            counted: None,
            ..story_record()
        };
        let bytes = r.encode();
        assert_eq!(DocRecord::decode(&bytes), Some(r.clone()));
        let v = DocRecord::decode_versions(&bytes).unwrap();
        assert_eq!(
            (v.words, &v.sig, &v.own, &v.anchors),
            (r.words, &r.sig, &r.own, &r.anchors)
        );
        // Four empty counts after the links: lines, distinct terms, words, ends.
        let links = 1 + 1 + 5;
        let head = 2 + 1 + r.id.len() + 1 + 5 + 8 + 2;
        let fixed = 1 + 12 + 1 + 8 + 1 + 8;
        assert_eq!(bytes.len(), head + fixed + links + 4);
    }

    /// Records with `distinct` distinct terms, each said twice, out of order, over lines of
    /// 100 words with an empty line among them.
    fn many_terms(distinct: u32) -> DocRecord {
        let mut terms: Vec<u32> = (0..distinct)
            .map(|i| i.wrapping_mul(2_654_435_761))
            .collect();
        terms.extend((0..distinct).rev().map(|i| i.wrapping_mul(2_654_435_761)));
        let n = terms.len() as u32;
        let first = n.min(100);
        let mut ends = vec![first, first];
        ends.extend((2..).map(|k| k * 100).take_while(|&e| e < n));
        ends.push(n);
        DocRecord {
            terms,
            ends,
            counted: None,
            ..story_record()
        }
    }

    #[test]
    fn records_of_many_distinct_terms_round_trip_at_every_index_width() {
        for (distinct, width) in [
            (1, 1),
            (2, 1),
            (3, 2),
            (256, 8),
            (257, 9),
            (65_536, 16),
            (65_537, 17),
            (70_000, 17),
        ] {
            let r = many_terms(distinct);
            let bytes = r.encode();
            assert_eq!(index_bits(distinct as usize), width);
            assert_eq!(
                DocRecord::decode(&bytes),
                Some(r.clone()),
                "{distinct} terms"
            );
            // The distinct terms in their low bits and one to three more, then an index a
            // word, and a line's length in a byte or two.
            let d = distinct as usize;
            let low = (d * low_bits(d) as usize).div_ceil(8);
            let high = d.div_ceil(8);
            let story = low + high + (r.terms.len() * width as usize).div_ceil(8);
            assert!(
                bytes.len() > story && bytes.len() < story + 2 * high + 2 * r.ends.len() + 512,
                "{distinct} terms: {} bytes",
                bytes.len()
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn a_set_round_trips_in_its_bits(
            set in proptest::collection::btree_set(proptest::prelude::any::<u32>(), 0..600),
            tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..3),
            flip in (proptest::prelude::any::<usize>(), 0u32..8),
        ) {
            let set: Vec<u32> = set.into_iter().collect();
            let mut out = Vec::new();
            put_set(&mut out, &set);
            let low = (set.len() * low_bits(set.len()) as usize).div_ceil(8);
            // The unary high parts: a bit a member, and at most twice that many gaps.
            proptest::prop_assert!(out.len() <= low + (3 * set.len()).div_ceil(8));
            let exact = out.clone();
            out.extend(&tail);
            let mut r = Reader(&out);
            proptest::prop_assert_eq!(r.set(set.len()), Some(set.clone()));
            proptest::prop_assert_eq!(r.0, &tail[..]);
            // Damage anywhere is refused or reads as another set whose bytes these are: one
            // set, one encoding.
            if !exact.is_empty() {
                let mut bad = exact.clone();
                let at = flip.0 % bad.len();
                bad[at] ^= 1 << (flip.1 % 8);
                let mut r = Reader(&bad);
                if let Some(other) = r.set(set.len()) {
                    let mut again = Vec::new();
                    put_set(&mut again, &other);
                    proptest::prop_assert_eq!(&again[..], &bad[..bad.len() - r.0.len()]);
                }
            }
        }
    }

    #[test]
    fn damaged_and_other_layout_records_are_refused() {
        let r = story_record();
        let bytes = r.encode();
        // The layouts before this one (u32 counts, a u32 a word; a byte or two a word and
        // the distinct terms as u32s), and any other.
        for layout in [0u8, 1, 2, 3, 5, 255] {
            let mut b = bytes.clone();
            b[0] = layout;
            assert_eq!(DocRecord::decode(&b), None, "layout {layout}");
            assert_eq!(DocRecord::decode_versions(&b), None, "layout {layout}");
        }
        // An unknown flag.
        let mut b = bytes.clone();
        b[1] |= 8;
        assert_eq!(DocRecord::decode(&b), None);
        // A set bit past the mask's last line.
        let mut b = bytes.clone();
        *b.last_mut().unwrap() |= 0x80;
        assert_eq!(DocRecord::decode(&b), None);
        // A word's index past the distinct terms (one word on one line: the record ends with
        // its index, the count of line ends and the one step).
        let one = DocRecord {
            terms: vec![5],
            ends: vec![1],
            counted: None,
            ..r.clone()
        };
        let mut b = one.encode();
        let at = b.len() - 3;
        assert_eq!(b[at], 0, "the word's index");
        b[at] = 1;
        assert_eq!(DocRecord::decode(&b), None);
        // A varint with a needless zero byte.
        let mut b = one.encode();
        let n = b.len();
        b[n - 1] = 0x81;
        b.push(0);
        assert_eq!(DocRecord::decode(&b), None);
    }
}
