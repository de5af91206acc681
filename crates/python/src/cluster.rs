//! `cluster` and `cluster_jsonl`: articles and a config go in, the batch engine clusters them
//! ([`CollectionBuilder`] -> [`Collection::cluster`]), and the run comes out as the CLI's
//! JSONL bytes (written by `storyhash-report`, the CLI's own writer) or as one Arrow row per
//! article.
//!
//! Invariant: the run is the one `storyhash cluster` makes of the same records and config:
//! same collection, same clustering call, same writer.

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt32Array};
use std::sync::Arc;
use storyhash_core::cluster::ClusterRun;
use storyhash_core::{ArticleRef, Collection, CollectionBuilder, EngineConfig, Error};
use storyhash_report::{round4, Format, PairsShown, ReportInput};

/// A builder holding the signed `articles` under `cfg` (the texts may go once it is made).
pub(crate) fn signed(cfg: &EngineConfig, articles: &[ArticleRef<'_>]) -> CollectionBuilder {
    let mut builder = CollectionBuilder::new(cfg.clone());
    builder.add_borrowed(articles);
    builder
}

/// The collection of a builder's articles, and its clustering.
pub(crate) fn run(builder: CollectionBuilder) -> Result<(Collection, ClusterRun), Error> {
    let coll = builder.finish()?;
    let run = coll.cluster()?;
    Ok((coll, run))
}

/// The JSONL report of a run, byte for byte `storyhash cluster --format jsonl`'s.
pub(crate) fn jsonl(
    coll: &Collection,
    run: &ClusterRun,
    integer_ids: &[bool],
    pairs: PairsShown,
) -> Vec<u8> {
    let input = ReportInput {
        ids: coll.docs.ids(),
        run,
        preset: coll.cfg.preset,
        pairs,
        integer_ids,
        kept: (&[], &[]),
        pair_fields: None,
    };
    let mut out = Vec::new();
    storyhash_report::write(Format::Jsonl, &input, &mut out)
        .expect("writing to memory does not fail");
    out
}

/// One row per article, in input order: its cluster, the cluster's representative, its score
/// against it (4 decimals, as the CSV and JSONL reports write it), and the join that brought
/// it in: the member it was joined to on the path from the representative (the JSONL
/// report's pairs, a spanning tree of the cluster) and that pair's evidence.
pub(crate) fn rows(coll: &Collection, run: &ClusterRun) -> Result<RecordBatch, Error> {
    let ids = coll.docs.ids();
    let n = ids.len();
    let mut cluster = vec![0u32; n];
    let mut rep = vec![0u32; n];
    for c in &run.clusters {
        for &m in &c.members {
            cluster[m as usize] = c.id as u32;
            rep[m as usize] = c.representative();
        }
    }
    // The joins as a tree rooted at each representative: every other member gets the
    // neighbour nearer the root, found breadth-first (neighbours in pair order, so the same
    // run gives the same rows).
    let mut next: Vec<Vec<(u32, &'static str)>> = vec![Vec::new(); n];
    for &j in &run.joins {
        let p = &run.pairs[j as usize];
        next[p.a as usize].push((p.b, p.evidence.name()));
        next[p.b as usize].push((p.a, p.evidence.name()));
    }
    let mut parent: Vec<Option<(u32, &'static str)>> = vec![None; n];
    let mut queue = std::collections::VecDeque::new();
    for c in &run.clusters {
        let root = c.representative();
        queue.push_back(root);
        while let Some(x) = queue.pop_front() {
            for &(y, evidence) in &next[x as usize] {
                if y != root && parent[y as usize].is_none() {
                    parent[y as usize] = Some((x, evidence));
                    queue.push_back(y);
                }
            }
        }
    }
    let id_of = |i: u32| ids[i as usize].as_str();
    let columns: Vec<(&str, ArrayRef, bool)> = vec![
        (
            "id",
            Arc::new(StringArray::from_iter_values(ids.iter())),
            false,
        ),
        ("cluster", Arc::new(UInt32Array::from(cluster)), false),
        (
            "representative",
            Arc::new(StringArray::from_iter_values(rep.iter().map(|&r| id_of(r)))),
            false,
        ),
        (
            "similarity",
            Arc::new(Float64Array::from_iter_values(
                run.similarity_to_representative.iter().map(|&s| round4(s)),
            )),
            false,
        ),
        (
            "joined_to",
            Arc::new(StringArray::from_iter(
                parent.iter().map(|p| p.map(|(x, _)| id_of(x))),
            )),
            true,
        ),
        (
            "evidence",
            Arc::new(StringArray::from_iter(
                parent.iter().map(|p| p.map(|(_, e)| e)),
            )),
            true,
        ),
    ];
    RecordBatch::try_from_iter_with_nullable(columns)
        .map_err(|e| Error::Internal(format!("building the output batch: {e}")))
}
