//! Hash maps keyed by values that are already hashes.
//!
//! Term, line and content keys are xxh3 outputs, uniformly spread over 64 bits; SipHash over
//! them again only costs time (it was a tenth of the story lane's statistics stage). The
//! hasher passes the key through. Not for keys an attacker chooses freely: these are hashes
//! of text under the run's seed.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A [`Hasher`] for one `u64` that is already a good hash: it returns it unchanged.
#[derive(Debug, Default, Clone, Copy)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is meant to be used; anything else still hashes correctly.
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
}

/// A map keyed by hashes.
pub type HashedMap<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;

/// A set of hashes.
pub type HashedSet = HashSet<u64, BuildHasherDefault<PassThrough>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_a_map() {
        let mut m: HashedMap<u32> = HashedMap::default();
        for i in 0..10_000u64 {
            *m.entry(crate::sketch::mix64(i % 1000)).or_insert(0) += 1;
        }
        assert_eq!(m.len(), 1000);
        assert!(m.values().all(|&n| n == 10));
        assert_eq!(m.get(&crate::sketch::mix64(5)), Some(&10));
        assert_eq!(m.get(&crate::sketch::mix64(5000)), None);
    }
}
