//! Any UTF-8 text through normalise -> tokenise -> shingle -> sketch: no panic, normalisation
//! idempotent, the fast paths agreeing with the reference ones (span hashing with per-word
//! hashing, ASCII hashing without normalisation with hashing after it, streamed shingles with
//! stored ones).
#![no_main]
use libfuzzer_sys::fuzz_target;
use storyhash::shingle::{char_shingles_into, word_shingles_into, WordShingles};
use storyhash::text::tokenize::{hash_ascii_words_into, hash_word, hash_words_into, words};
use storyhash::sketch::{minhash, oph, SketchParams};
use storyhash::text::boilerplate::LinedTokens;
use storyhash::text::normalize::normalize;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let norm = normalize(text);
    assert_eq!(normalize(&norm), norm, "normalisation must be idempotent");
    let mut spans = Vec::new();
    hash_words_into(&norm, &mut spans);
    let per_word: Vec<u64> = words(&norm).map(hash_word).collect();
    assert_eq!(spans, per_word, "span hashing must equal per-word hashing");
    if text.is_ascii() {
        let mut raw = Vec::new();
        hash_ascii_words_into(text, &mut raw);
        assert_eq!(raw, spans, "ASCII words hashed unnormalised must equal the normalised ones");
    }
    let (lined, story) = LinedTokens::from_normalized_with_prefixes(&norm, 7);
    assert_eq!(lined.tokens, spans, "lined tokens must be the same words");
    assert_eq!(lined.line_ends.len(), story.line_ends.len());
    let mut sh = Vec::new();
    for n in 1..=5 {
        word_shingles_into(&lined.tokens, n, &mut sh);
    }
    char_shingles_into(&norm, 5, &mut String::new(), &mut sh);
    let p = SketchParams::default();
    let (mut a, mut b, mut scratch) = (Vec::new(), Vec::new(), Vec::new());
    minhash::sign_into(&sh, &p.position_seeds(), &mut a);
    oph::sign_into(&sh, p.num_perm, p.seed, &mut scratch, &mut b);
    assert_eq!(a.len(), b.len());
    let (mut stored, mut streamed) = (Vec::new(), Vec::new());
    let mut five = Vec::new();
    word_shingles_into(&lined.tokens, 5, &mut five);
    oph::sign_into(&five, p.num_perm, p.seed, &mut scratch, &mut stored);
    oph::sign_iter_into(WordShingles::new(&lined.tokens, 5), p.num_perm, p.seed, &mut scratch, &mut streamed);
    assert_eq!(stored, streamed);
    let mut words = Vec::new();
    oph::sign_words_into(&lined.tokens, 5, p.num_perm, p.seed, &mut scratch, &mut words);
    assert_eq!(words.len(), p.num_perm);
    assert_eq!(words.iter().all(|&v| v == u32::MAX), lined.tokens.is_empty());
});
