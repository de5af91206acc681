//! Criterion benches of the per-document stages on the seed fixture's two long articles
//! (about 12 KB each): normalise + tokenise, word 5-gram shingling, classic MinHash and
//! one-permutation hashing, weighted
//! MinHash signing. Throughput is reported in bytes of input text.
#![allow(missing_docs)] // criterion_group! generates undocumented items

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use storyhash::shingle::{into_set, word_shingles_into};
use storyhash::sketch::{minhash, oph, weighted, SketchParams};
use storyhash::text::{
    boilerplate::LinedTokens, normalize::normalize_into, tokenize::hash_words_into,
};
use storyhash::weight::{bag_of_words, TermVector, WeightParams};

fn article() -> String {
    let a = include_str!("../fixtures/seeds/vna_ambassador_thang_interview.txt");
    let b = include_str!("../fixtures/seeds/wvr_ambassador_thang_interview.txt");
    format!("{a}\n{b}")
}

fn stages(c: &mut Criterion) {
    let text = article();
    let mut g = c.benchmark_group("per_document");
    g.throughput(Throughput::Bytes(text.len() as u64));
    let mut norm = String::new();
    g.bench_function("normalize_tokenize", |b| {
        b.iter(|| {
            normalize_into(black_box(&text), &mut norm);
            LinedTokens::from_normalized(&norm)
        })
    });
    let mut words = Vec::new();
    g.bench_function("normalize_hash_words", |b| {
        b.iter(|| {
            normalize_into(black_box(&text), &mut norm);
            words.clear();
            hash_words_into(&norm, &mut words);
        })
    });
    normalize_into(&text, &mut norm);
    g.bench_function("hash_words", |b| {
        b.iter(|| {
            words.clear();
            hash_words_into(black_box(&norm), &mut words);
        })
    });
    let lined = LinedTokens::from_normalized(&norm);
    g.bench_function("word5_shingles", |b| {
        b.iter(|| {
            let mut sh = Vec::new();
            word_shingles_into(black_box(&lined.tokens), 5, &mut sh);
            into_set(sh)
        })
    });
    let mut sh = Vec::new();
    word_shingles_into(&lined.tokens, 5, &mut sh);
    let set = into_set(sh);
    let seeds = SketchParams::default().position_seeds();
    let mut sig = Vec::new();
    g.bench_function("minhash_128", |b| {
        b.iter(|| minhash::sign_into(black_box(&set), &seeds, &mut sig))
    });
    let mut scratch = Vec::new();
    g.bench_function("oph_128", |b| {
        b.iter(|| oph::sign_into(black_box(&set), 128, 42, &mut scratch, &mut sig))
    });
    let v = TermVector::from_bag(
        &bag_of_words(lined.tokens.iter().map(|&t| (t >> 32) as u32)),
        None,
        WeightParams::default(),
    );
    let terms: Vec<u64> = v.terms.iter().map(|&t| u64::from(t) << 32).collect();
    g.bench_function("weighted_minhash_128", |b| {
        b.iter(|| weighted::sign_into(black_box(&terms), &v.weights, &seeds, &mut sig))
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
