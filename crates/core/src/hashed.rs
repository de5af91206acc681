//! Hashing primitives below every stage: the bijective mixer [`mix64`], the content hash of a
//! document's words ([`content_hash`]), and hash maps keyed by values that are already hashes.
//!
//! Term, line and content keys are hashes of text; SipHash over them again only costs time. The hasher here is one folded multiply:
//! enough to spread keys that are hashes but may have constant bits (story terms keep only
//! their high 32 bits, and a hasher that passes keys through makes every one of them collide).
//! Not for keys an attacker chooses freely: these are hashes of text under the run's seed.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A [`Hasher`] for one `u64`: a 64 x 64 -> 128-bit multiply by an odd constant, its halves
/// xored, so every input bit reaches the low bits (the bucket index) and the high bits (the
/// control byte) of the result.
#[derive(Debug, Default, Clone, Copy)]
pub struct FoldHasher(u64);

impl Hasher for FoldHasher {
    fn finish(&self) -> u64 {
        let m = u128::from(self.0) * 0x9e37_79b9_7f4a_7c15;
        (m as u64) ^ ((m >> 64) as u64)
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

    /// Story terms and document numbers: widened, then folded by `finish` as a `u64` is.
    fn write_u32(&mut self, x: u32) {
        self.0 = u64::from(x);
    }

    fn write_usize(&mut self, x: usize) {
        self.0 = x as u64;
    }

    /// A 128-bit key that is a hash: its halves xored.
    fn write_u128(&mut self, x: u128) {
        self.0 = (x as u64) ^ ((x >> 64) as u64);
    }
}

/// A map keyed by hashes.
pub type HashedMap<V> = HashMap<u64, V, BuildHasherDefault<FoldHasher>>;

/// A set of hashes.
pub type HashedSet = HashSet<u64, BuildHasherDefault<FoldHasher>>;

/// A map keyed by story terms, document numbers or other small keys under the same hasher:
/// SipHash's resistance to chosen keys buys nothing for them and costs most of a lookup.
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FoldHasher>>;

/// A map keyed by 128-bit hashes.
pub type WideHashedMap<V> = HashMap<u128, V, BuildHasherDefault<FoldHasher>>;

/// The finaliser of SplitMix64 (Steele, Lea, Flood 2014): a fast bijective mixer with full
/// avalanche, used to derive k hash functions from one shingle hash.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// xxh3 of the word hashes' little-endian bytes: equal for documents with the same words.
/// Fed to the streaming hasher 32 words at a time (per-word updates cost more than hashing).
pub fn content_hash(words: &[u64]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let mut buf = [0u8; 256];
    for chunk in words.chunks(32) {
        for (dst, w) in buf.chunks_exact_mut(8).zip(chunk) {
            dst.copy_from_slice(&w.to_le_bytes());
        }
        h.update(&buf[..chunk.len() * 8]);
    }
    h.digest()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_a_map() {
        let mut m: HashedMap<u32> = HashedMap::default();
        for i in 0..10_000u64 {
            *m.entry(crate::hashed::mix64(i % 1000)).or_insert(0) += 1;
        }
        assert_eq!(m.len(), 1000);
        assert!(m.values().all(|&n| n == 10));
        assert_eq!(m.get(&crate::hashed::mix64(5)), Some(&10));
        assert_eq!(m.get(&crate::hashed::mix64(5000)), None);
    }

    /// Keys whose low 32 bits are all zero (story terms) spread over the buckets: the index
    /// bits of their hashes take every value.
    #[test]
    fn keys_with_constant_low_bits_spread() {
        use std::hash::BuildHasher;
        let b = BuildHasherDefault::<FoldHasher>::default();
        let low: HashSet<u64> = (0..4096u64)
            .map(|i| b.hash_one(crate::hashed::mix64(i) >> 32 << 32) & 4095)
            .collect();
        assert!(
            low.len() > 2000,
            "{} distinct bucket indexes of 4096",
            low.len()
        );
    }

    /// Sequential document numbers and story terms hashed as `u32` spread over the buckets as
    /// widely as `u64` keys do (a `u32` must not fall back to the byte loop's weaker mixing
    /// of a mostly zero state).
    #[test]
    fn small_keys_spread() {
        use std::hash::BuildHasher;
        let b = BuildHasherDefault::<FoldHasher>::default();
        let seq: HashSet<u64> = (0..4096u32).map(|i| b.hash_one(i) & 4095).collect();
        assert!(
            seq.len() > 2000,
            "{} distinct bucket indexes of 4096",
            seq.len()
        );
        assert_eq!(b.hash_one(7u32), b.hash_one(7u64));
        let mut m: FastMap<u32, u32> = FastMap::default();
        for i in 0..1000u32 {
            *m.entry(i % 100).or_insert(0) += 1;
        }
        assert_eq!(m.len(), 100);
        assert!(m.values().all(|&n| n == 10));
    }
}
