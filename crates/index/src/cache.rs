//! Decoded records kept between calls.
//!
//! A document's record never changes once committed: document numbers are handed out once
//! (a replaced article gets a new number) and a record is only ever inserted or removed. So an
//! entry is right for as long as it is held, and no commit has to invalidate anything; a
//! removal drops its documents' entries only to give the memory back (liveness is always the
//! snapshot's to say, never the cache's). A story query decodes every candidate's record and
//! the copy signature of every holder of their lines; the articles a stream asks about keep
//! meeting the same stories, so their records are read again and again.
//!
//! Only records read through a committed read transaction are cached: a record written by an
//! open write transaction could be rolled back, and its number handed out again.

use crate::record::{DocRecord, VersionParts};
use quick_cache::sync::Cache;
use quick_cache::Weighter;
use std::sync::Arc;

/// What is cached of a document: its whole record, or only the parts the boilerplate rules'
/// version test reads (a line holder that is not a candidate).
#[derive(Clone)]
pub(crate) enum Cached {
    Full(Arc<DocRecord>),
    Versions(Arc<VersionParts>),
}

/// Bytes held by an entry, roughly: its vectors' payloads and a fixed overhead.
#[derive(Clone)]
struct Bytes;

impl Weighter<u32, Cached> for Bytes {
    fn weight(&self, _: &u32, v: &Cached) -> u64 {
        let payload = match v {
            Cached::Full(r) => {
                r.id.len()
                    + 4 * (r.sig.len() + r.anchors.len() + r.terms.len() + r.ends.len())
                    + 8 * (r.own.len() + r.lines.len())
                    + 16 * r.links.len()
                    + r.counted.as_ref().map_or(0, Vec::len)
            }
            Cached::Versions(v) => 4 * (v.sig.len() + v.anchors.len()) + 8 * v.own.len(),
        };
        (payload + 200) as u64
    }
}

/// The record cache of an open index (see the module doc).
pub(crate) struct RecordCache(Cache<u32, Cached, Bytes>);

/// The memory the cache may hold: enough for the records of several thousand story-preset
/// articles, a small share of what a server holding a million-article index uses anyway.
pub(crate) const CACHE_BYTES: u64 = 64 << 20;

impl RecordCache {
    pub(crate) fn new(bytes: u64) -> RecordCache {
        RecordCache(Cache::with_weighter(
            (bytes / 4096).max(16) as usize,
            bytes.max(1),
            Bytes,
        ))
    }

    /// The whole record of `doc`, when it is cached.
    pub(crate) fn full(&self, doc: u32) -> Option<Arc<DocRecord>> {
        match self.0.get(&doc)? {
            Cached::Full(r) => Some(r),
            Cached::Versions(_) => None,
        }
    }

    /// What the version test reads of `doc`, when it is cached (whole or in part).
    pub(crate) fn versions(&self, doc: u32) -> Option<Cached> {
        self.0.get(&doc)
    }

    pub(crate) fn put_full(&self, doc: u32, r: Arc<DocRecord>) {
        self.0.insert(doc, Cached::Full(r));
    }

    pub(crate) fn put_versions(&self, doc: u32, v: Arc<VersionParts>) {
        self.0.insert(doc, Cached::Versions(v));
    }

    /// Entries held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Forget a removed document (its memory only: see the module doc).
    pub(crate) fn forget(&self, doc: u32) {
        self.0.remove(&doc);
    }
}
