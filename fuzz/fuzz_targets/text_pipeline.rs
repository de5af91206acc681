//! Any UTF-8 text through normalise -> tokenise -> shingle -> sketch: no panic, normalisation
//! idempotent, the ASCII fast path agreeing with unicode-segmentation's words.
#![no_main]
use libfuzzer_sys::fuzz_target;
use storyhash::shingle::{char_shingles_into, word_shingles_into};
use storyhash::sketch::{minhash, oph, SketchParams};
use storyhash::text::boilerplate::LinedTokens;
use storyhash::text::normalize::normalize;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let norm = normalize(text);
    assert_eq!(normalize(&norm), norm, "normalisation must be idempotent");
    let (lined, story) = LinedTokens::from_normalized_with_prefixes(&norm, 7);
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
});
