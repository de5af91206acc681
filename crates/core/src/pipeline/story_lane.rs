//! The story lane: copy clusters' representatives go in, the collection statistics are learnt
//! from them (boilerplate lines, document frequencies, the length prior), and every document
//! comes out with a story vector (IDF-weighted terms, packed for verification) and, for the
//! candidate index, its heaviest terms (or a weighted MinHash signature).
//!
//! Invariant: statistics come from one document per copy cluster (`story_of[i] == i`), and
//! only those representatives enter the story candidate index; the others are scored on their
//! own vectors but reached through their representative.

use super::config::{EngineConfig, IdfSource, StoryIndex, StoryMinHashParams};
use crate::candidates::bands::candidates_weak;
use crate::candidates::top_terms::{self, heaviest_keys, TopTerms};
use crate::candidates::CandidatePair;
use crate::error::Result;
use crate::pipeline::contain::ContainFeatures;
use crate::pipeline::features::DocFeatures;
use crate::sketch::{weighted, Scheme, Signatures, SketchInput, SketchParams, SketchRecipe};
use crate::text::boilerplate::LineStats;
use crate::text::TextVersion;
use crate::weight::{PackedVectors, TermStats, TermVector};
use rayon::prelude::*;

/// The story lane's per-document features.
#[derive(Debug, Clone)]
pub struct StoryLane {
    /// Weighted MinHash index only: each document's signature; a document that is not its
    /// copy cluster's first member (`story_of[i] != i`) has the empty signature, since it does
    /// not enter the story index (its cluster's first member stands for it).
    pub sigs: Option<Signatures>,
    /// Top-terms index only: each document's heaviest terms (none for a document that is not
    /// its copy cluster's first member).
    pub top: TopTerms,
    /// The term vectors, packed for verification: (32-bit term, weight) entries of all
    /// documents in one buffer, document i at `packed[offsets[i]..offsets[i + 1]]`. Half the
    /// bytes of the `TermVector`s and one allocation instead of two per document:
    /// verification touches a random document per candidate pair, so it is bound by memory
    /// traffic. The `TermVector`s themselves are dropped as they are packed, so candidates
    /// and verification never hold both forms (the peak of a story run is earlier, while every
    /// document's story terms wait for the collection statistics). A 32-bit term
    /// collision adds a spurious product with probability about 128 * 128 / 2^32 per pair.
    pub packed: PackedVectors,
    /// The state of the collection statistics the vectors were weighted with: vectors of two
    /// states are not comparable, and an archive recomputes them when the state moves.
    pub stats: StatsState,
}

/// A state of the story lane's collection statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatsState {
    /// Documents counted.
    pub docs: u32,
    /// [`LineStats::epoch`] when the boilerplate masks were taken.
    pub lines: u64,
    /// [`TermStats::epoch`] when the IDF was taken.
    pub terms: u64,
}

/// Estimated word 5-gram Jaccard at or above which two documents are versions of one text for
/// the boilerplate rules: lines they share are content, not template. Edited versions of one
/// article (trims, inserted sentences, typos) sit around 0.5-0.8; rewrites of one story by two
/// outlets, and unrelated pages sharing a footer, near 0.
pub const VERSION_JACCARD: f64 = 0.3;

/// Estimated containment of the shorter text in the longer at or above which two documents
/// whose leads agree are versions of one text too ([`versions`]): a site that republishes the
/// headline and first paragraphs of a story has a Jaccard with it far below
/// [`VERSION_JACCARD`], and one sentence of another article inserted keeps its containment
/// below the copy lane's trimmed-copy threshold. Two stories under one site's footer do not
/// open alike, so the footer stays boilerplate for them.
pub const VERSION_CONTAINMENT: f64 = 0.5;

/// Whether two documents are versions of one text for the boilerplate rules: the estimated
/// Jaccard of their copy signatures reaches [`VERSION_JACCARD`], or their leads agree and the
/// shorter's estimated containment in the longer reaches [`VERSION_CONTAINMENT`] (`contained`:
/// [`super::contain::contained`], `None` when containment is off or the leads differ; only
/// asked for when the Jaccard does not decide).
pub fn versions(
    jaccard: f64,
    contained: impl FnOnce() -> Option<super::contain::Contained>,
) -> bool {
    jaccard >= VERSION_JACCARD || contained().is_some_and(|c| c.value >= VERSION_CONTAINMENT)
}

/// Collection statistics (boilerplate lines, IDF) come from one document per copy cluster
/// (`story_of[i] == i`): a text published three times must not turn its own lines into
/// boilerplate, nor its words common. Every document still gets its own vector, its lines
/// judged as its cluster's first member's would be.
///
/// Each stage's input is dropped as soon as the next exists (terms -> bags -> vectors), so the
/// peak holds two of them, not all.
pub(crate) fn story_lane(
    cfg: &EngineConfig,
    feats: Vec<DocFeatures>,
    story_of: &[u32],
    copy_sigs: &Signatures,
    contain: Option<&ContainFeatures>,
) -> Result<StoryLane> {
    let is_rep = |i: usize| story_of[i] as usize == i;
    let rep_lines: Vec<&[u64]> = feats
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if is_rep(i) {
                f.line_hashes.as_slice()
            } else {
                &[][..]
            }
        })
        .collect();
    let line_stats = LineStats::build(&rep_lines);
    drop(rep_lines);
    // Each document's features are consumed (and freed) as its bag is built, so the two
    // never both exist in full.
    let bags: Vec<Vec<(u32, u32)>> = feats
        .into_par_iter()
        .enumerate()
        .map(|(i, f)| {
            let keep = line_stats.keep_mask_versions(
                story_of[i],
                &f.line_hashes,
                cfg.story.boilerplate,
                |x, y| {
                    let (x, y) = (x as usize, y as usize);
                    versions(copy_sigs.similarity(x, y), || {
                        contain.and_then(|c| c.contained(copy_sigs, x, y))
                    })
                },
            );
            story_bag(
                f.story_terms.lines(),
                &keep,
                cfg.story.weights.headline_repeats,
            )
        })
        .collect();
    let lines_epoch = line_stats.epoch();
    drop(line_stats);
    let term_stats = TermStats::build(
        bags.iter()
            .enumerate()
            .filter(|&(i, _)| is_rep(i))
            .map(|(_, b)| b.as_slice()),
    );
    // Weighted MinHash index: the story signature only needs the positions its banding reads.
    let (sketch, top_terms) = match cfg.story.index {
        StoryIndex::MinHash(p) => {
            let banding = cfg.story_lsh(p.level)?;
            let sketch = SketchParams {
                num_perm: banding.bands * banding.rows,
                seed: cfg.copy.sketch.seed,
            };
            (Some(sketch), 0)
        }
        StoryIndex::TopTerms(p) => (None, p.top_terms),
    };
    let seeds = sketch.map(|s| s.position_seeds()).unwrap_or_default();
    // Short is relative to the collection (see `weight`): the prior follows its median.
    let weights = cfg.story.weights.for_collection(
        bags.iter()
            .enumerate()
            .filter(|&(i, _)| is_rep(i))
            .map(|(_, b)| b.len()),
    );
    let minhash = sketch.is_some();
    let sig_len = sketch.map_or(0, |s| s.num_perm);
    let out: Vec<(TermVector, Vec<u32>, Vec<u32>)> = bags
        .into_par_iter()
        .enumerate()
        .map(|(i, bag)| {
            let stats = (cfg.story.idf == IdfSource::Corpus).then_some(&term_stats);
            let v = TermVector::from_bag(&bag, stats, weights);
            // Only a copy cluster's first member enters the story index (see
            // `StoryLane::sigs`): the others' sketches would never be read.
            let (mut sig, mut top) = (Vec::new(), Vec::new());
            if !is_rep(i) {
                if minhash {
                    sig.resize(sig_len, crate::sketch::EMPTY);
                }
            } else if minhash {
                // The sketch hashes terms as they were before they became 32-bit keys.
                let wide: Vec<u64> = v
                    .terms
                    .iter()
                    .map(|&t| crate::weight::term_hash(t))
                    .collect();
                weighted::sign_into(&wide, &v.weights, &seeds, &mut sig);
            } else {
                top = heaviest_keys(&v, top_terms);
            }
            (v, sig, top)
        })
        .collect();
    let sigs = sketch.map(|params| {
        let mut sigs = Signatures::new(SketchRecipe {
            text: TextVersion::CURRENT,
            input: SketchInput::StoryTerms,
            scheme: Scheme::Weighted,
            params,
        });
        for (_, s, _) in &out {
            sigs.push(s);
        }
        sigs
    });
    let mut top = TopTerms::default();
    for (_, _, t) in &out {
        top.push(t.iter().copied());
    }
    let entries = out.iter().map(|(v, _, _)| v.len()).sum();
    let packed = PackedVectors::new(out.into_iter().map(|(v, _, _)| v), entries);
    let stats = StatsState {
        docs: term_stats.docs(),
        lines: lines_epoch,
        terms: term_stats.epoch(),
    };
    Ok(StoryLane {
        sigs,
        top,
        packed,
        stats,
    })
}

/// A document's bag of story terms: the terms of its kept lines (`lines` and `keep` in step),
/// the first kept line (the headline, which says what the story is) counted
/// `headline_repeats` more times.
pub fn story_bag<'a>(
    lines: impl Iterator<Item = &'a [u32]>,
    keep: &[bool],
    headline_repeats: usize,
) -> Vec<(crate::weight::Term, u32)> {
    let mut terms: Vec<u32> = Vec::new();
    for (n, (line, _)) in lines.zip(keep).filter(|(_, k)| **k).enumerate() {
        terms.extend_from_slice(line);
        if n == 0 {
            for _ in 0..headline_repeats {
                terms.extend_from_slice(line);
            }
        }
    }
    crate::weight::bag_of_words(terms)
}

/// Story candidates between copy clusters' representatives (`not_rep[i]` is set for every
/// other document), sorted and unique.
pub(crate) fn story_candidates(
    cfg: &EngineConfig,
    story: &StoryLane,
    not_rep: &[bool],
) -> Result<Vec<CandidatePair>> {
    Ok(match (cfg.story.index, &story.sigs) {
        (StoryIndex::MinHash(p), Some(sigs)) => minhash_candidates(cfg, p, sigs, not_rep)?,
        (StoryIndex::TopTerms(p), _) => {
            top_terms::candidates(&story.top, not_rep, p.min_shared, p.max_list)
        }
        (StoryIndex::MinHash(_), None) => Vec::new(),
    })
}

/// Story candidates from the weighted MinHash index (`StoryIndex::MinHash`), with its
/// filters.
fn minhash_candidates(
    cfg: &EngineConfig,
    p: StoryMinHashParams,
    sigs: &Signatures,
    not_rep: &[bool],
) -> Result<Vec<CandidatePair>> {
    let banding = cfg.story_lsh(p.level)?;
    let mut between = candidates_weak(sigs, not_rep, banding, p.max_bucket, p.weak_bucket)?;
    let hits = |&(a, b): &CandidatePair| {
        let (x, y) = (sigs.get(a as usize), sigs.get(b as usize));
        x.chunks(banding.rows)
            .zip(y.chunks(banding.rows))
            .filter(|(p, q)| p == q)
            .count()
    };
    if p.min_hits > 1 {
        // Bands shared, from the signatures: a cheap filter before the cosine, which
        // costs a hundred times more.
        let need = p.min_hits;
        between.retain(|p| hits(p) >= need);
    }
    let k = p.max_partners;
    if k > 0 {
        // Each document verifies only its k later partners that share the most bands
        // (ties by position). In a large group of versions of one story every member
        // is a candidate of every other; k links each are enough to connect it, and
        // clustering carries the rest.
        let scored: Vec<(CandidatePair, usize)> =
            between.par_iter().map(|p| (*p, hits(p))).collect();
        between.clear();
        for group in scored.chunk_by(|x, y| x.0 .0 == y.0 .0) {
            if group.len() <= k {
                between.extend(group.iter().map(|g| g.0));
            } else {
                let mut g = group.to_vec();
                g.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
                g.truncate(k);
                let mut kept: Vec<CandidatePair> = g.into_iter().map(|g| g.0).collect();
                kept.sort_unstable();
                between.extend(kept);
            }
        }
    }
    Ok(between)
}
