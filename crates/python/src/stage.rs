//! Stage rows for a distributed driver (the Spark job, `spark/`): articles go in, rows of the
//! signed stage schema come out ([`sign_rows`]), exactly the columns `storyhash sign` writes;
//! and candidate pairs, as the two documents' signed rows side by side, go in, the pairs the
//! copy preset joins come out ([`verify_pairs`]), in the verified stage schema.
//!
//! Invariant: a pair's verdict depends on its two documents and the config only (the copy
//! preset's scores are pairwise), so verifying a pair in a collection of just the documents
//! of its batch gives what [`Collection::verify`] gives it in the whole collection. The story
//! preset's scores need collection statistics, and are refused here.
//!
//! [`Collection::verify`]: storyhash_core::Collection::verify

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Int64Array, RecordBatch};
use std::collections::BTreeMap;
use std::path::Path;
use storyhash_core::cluster::ScoredPair;
use storyhash_core::pipeline::SignedDoc;
use storyhash_core::{ArticleRef, CollectionBuilder, EngineConfig, Preset};
use storyhash_stages::{pairs, signed};

/// Why the story preset is not verified pair by pair, and where it runs instead.
pub(crate) const STORY_REFUSED: &str = "verify_pairs runs the copy preset only: the story \
     preset's scores need collection statistics (term weights, boilerplate lines) and its \
     average linkage needs the whole graph, which a pair of rows does not have; sign with the \
     story preset, then run `storyhash candidates`, `storyhash verify` and `storyhash link` \
     over the signed files";

/// The signed rows of `articles` under `cfg`, in order (`integer_ids`: by row, whether the
/// id was an integer).
pub(crate) fn sign_rows(
    cfg: &EngineConfig,
    articles: &[ArticleRef<'_>],
    integer_ids: &[bool],
) -> Result<RecordBatch, String> {
    let builder = CollectionBuilder::new(cfg.clone());
    let batch = builder.sign_borrowed(articles);
    signed::record_batch(cfg, &batch, integer_ids).map_err(|e| e.to_string())
}

/// The `position` column of one side's batch.
fn positions<'a>(rb: &'a RecordBatch, side: &str) -> Result<&'a Int64Array, String> {
    let col = rb
        .column_by_name("position")
        .ok_or_else(|| format!("{side}: no column \"position\" (the document's position)"))?;
    let p = col
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| format!("{side}: column \"position\" is not int64"))?;
    if arrow_array::Array::null_count(p) > 0 {
        return Err(format!("{side}: column \"position\" holds nulls"));
    }
    Ok(p)
}

/// The verdicts on one pair of aligned batches, by position.
fn verify_chunk(
    cfg: &EngineConfig,
    left: &RecordBatch,
    right: &RecordBatch,
    row0: usize,
) -> Result<Vec<ScoredPair>, String> {
    if left.num_rows() != right.num_rows() {
        return Err(format!(
            "left and right are not aligned: a batch of {} rows against one of {}",
            left.num_rows(),
            right.num_rows()
        ));
    }
    let (pa, pb) = (positions(left, "left")?, positions(right, "right")?);
    let err = |e: storyhash_core::Error| e.to_string();
    signed::with_docs(left, Path::new("left"), |ld| {
        signed::with_docs(right, Path::new("right"), |rd| {
            // The batch's documents once each, in position order (as the whole collection
            // holds them): a local collection of them.
            let mut docs: BTreeMap<i64, SignedDoc<'_>> = BTreeMap::new();
            for i in 0..ld.len() {
                let (a, b) = (pa.value(i), pb.value(i));
                if a < 0 || a >= b || b > i64::from(u32::MAX) {
                    return Err(storyhash_core::Error::Config(format!(
                        "row {}: ({a}, {b}) is not a pair of positions a < b",
                        row0 + i
                    )));
                }
                docs.insert(a, ld[i]);
                docs.insert(b, rd[i]);
            }
            let global: Vec<i64> = docs.keys().copied().collect();
            let local = |p: i64| global.binary_search(&p).expect("every position is kept") as u32;
            let mut builder = CollectionBuilder::new(cfg.clone());
            let batch = builder.signed_from(docs.into_values())?;
            builder.add_signed(batch)?;
            let coll = builder.finish()?;
            let cands: Vec<(u32, u32)> = (0..ld.len())
                .map(|i| (local(pa.value(i)), local(pb.value(i))))
                .collect();
            Ok(coll
                .verify(&cands)
                .into_iter()
                .map(|p| ScoredPair {
                    a: global[p.a as usize] as u32,
                    b: global[p.b as usize] as u32,
                    ..p
                })
                .collect())
        })
    })
    .map_err(err)
}

/// The pairs the copy preset joins among the candidate pairs whose documents are the rows of
/// `left` and `right` (aligned batches of signed rows, each with its document's `position`),
/// as a batch of the verified stage schema, sorted by position.
pub(crate) fn verify_pairs(
    cfg: &EngineConfig,
    left: &[RecordBatch],
    right: &[RecordBatch],
) -> Result<RecordBatch, String> {
    if cfg.preset != Preset::Copy {
        return Err(STORY_REFUSED.into());
    }
    let (nl, nr) = (left.len(), right.len());
    if nl != nr {
        return Err(format!(
            "left and right are not aligned: {nl} record batches against {nr}"
        ));
    }
    let mut out: Vec<ScoredPair> = Vec::new();
    let mut row0 = 0;
    for (l, r) in left.iter().zip(right) {
        out.extend(verify_chunk(cfg, l, r, row0)?);
        row0 += l.num_rows();
    }
    out.sort_unstable_by_key(|p| (p.a, p.b));
    out.dedup_by_key(|p| (p.a, p.b));
    Ok(pairs::verified_batch(&out))
}
