//! Document identity: each document gets a [`DocId`], its number in insertion order, that never
//! changes and is never reused, plus a liveness bit. "Earliest wins" keeps its meaning: a
//! smaller id is an earlier document, so a cluster's representative is its smallest *live* id.
//! In one batch run the id is the input position (nothing is removed); an archive removes
//! documents (by id, by age) and adds new ones after them.
//!
//! Invariant: ids are dense from 0 in insertion order; a removed id stays allocated (its slot
//! is dead), so every column indexed by id stays valid.

use crate::error::{Error, Result};
use std::collections::HashMap;

/// A document's number in insertion order (see the module doc).
pub type DocId = u32;

/// The documents of a collection: external ids, times and liveness, by [`DocId`].
#[derive(Debug, Clone, Default)]
pub struct DocTable {
    ids: Vec<String>,
    times: Vec<Option<i64>>,
    dead: Vec<bool>,
    removed: usize,
    /// Live documents by external id, built on the first lookup (a batch run never needs it).
    index: Option<HashMap<String, DocId>>,
}

impl DocTable {
    /// Add a document without checking its id (a batch run's readers already refuse
    /// duplicates); its [`DocId`] is the next number.
    pub fn push(&mut self, id: String, time: Option<i64>) -> DocId {
        let doc = self.ids.len() as DocId;
        if let Some(index) = &mut self.index {
            index.insert(id.clone(), doc);
        }
        self.ids.push(id);
        self.times.push(time);
        self.dead.push(false);
        doc
    }

    /// Add a document whose id no live document has; an id that was removed may come back,
    /// as a new, later document.
    pub fn insert(&mut self, id: String, time: Option<i64>) -> Result<DocId> {
        if let Some(first) = self.find(&id) {
            return Err(Error::DuplicateDocument { id, first });
        }
        Ok(self.push(id, time))
    }

    /// Mark `doc` removed; false when it was not live.
    pub fn remove(&mut self, doc: DocId) -> bool {
        match self.dead.get_mut(doc as usize) {
            Some(dead) if !*dead => {
                *dead = true;
                self.removed += 1;
                if let Some(index) = &mut self.index {
                    index.remove(&self.ids[doc as usize]);
                }
                true
            }
            _ => false,
        }
    }

    /// The live document with external id `id`.
    pub fn find(&mut self, id: &str) -> Option<DocId> {
        if self.index.is_none() {
            let index = self
                .live()
                .map(|d| (self.ids[d as usize].clone(), d))
                .collect();
            self.index = Some(index);
        }
        self.index.as_ref().and_then(|i| i.get(id).copied())
    }

    /// Whether `doc` exists and was not removed.
    pub fn is_live(&self, doc: DocId) -> bool {
        self.dead.get(doc as usize).is_some_and(|d| !d)
    }

    /// Every document ever added, live or not (the next [`DocId`]).
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when nothing was ever added.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Live documents.
    pub fn live_len(&self) -> usize {
        self.ids.len() - self.removed
    }

    /// The live documents, in id order.
    pub fn live(&self) -> impl Iterator<Item = DocId> + '_ {
        (0..self.ids.len() as DocId).filter(|&d| !self.dead[d as usize])
    }

    /// External ids by [`DocId`] (removed documents included).
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// The time of `doc`, when it was given.
    pub fn time(&self, doc: DocId) -> Option<i64> {
        self.times[doc as usize]
    }

    /// Live documents with a time before `t` (documents without a time never age out).
    pub fn older_than(&self, t: i64) -> Vec<DocId> {
        self.live()
            .filter(|&d| self.times[d as usize].is_some_and(|x| x < t))
            .collect()
    }

    /// The earliest live document among `members` (a cluster's representative).
    pub fn earliest_live(&self, members: &[DocId]) -> Option<DocId> {
        members.iter().copied().filter(|&d| self.is_live(d)).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_insertion_and_survive_removal() {
        let mut t = DocTable::default();
        let a = t.insert("a".into(), Some(10)).unwrap();
        let b = t.insert("b".into(), Some(20)).unwrap();
        let c = t.insert("c".into(), None).unwrap();
        assert_eq!((a, b, c), (0, 1, 2));
        assert!(matches!(
            t.insert("b".into(), None),
            Err(Error::DuplicateDocument { first: 1, .. })
        ));
        assert_eq!(t.older_than(15), vec![a]);
        assert!(t.remove(a));
        assert!(!t.remove(a), "removed once");
        assert_eq!((t.len(), t.live_len()), (3, 2));
        assert_eq!(t.find("a"), None);
        assert_eq!(t.find("c"), Some(c));
        // The earliest live member represents a cluster whose first member is gone.
        assert_eq!(t.earliest_live(&[a, b, c]), Some(b));
        // An id that was removed comes back as a new, later document.
        let a2 = t.insert("a".into(), Some(30)).unwrap();
        assert_eq!(a2, 3);
        assert_eq!(t.find("a"), Some(a2));
        assert_eq!(t.live().collect::<Vec<_>>(), vec![b, c, a2]);
        assert_eq!(t.ids()[a as usize], "a");
    }
}
