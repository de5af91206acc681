//! JSONL report: one object per cluster, in cluster order.

use super::{round4, ReportInput};
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct PairOut<'a> {
    a: &'a str,
    b: &'a str,
    similarity: f64,
    evidence: &'static str,
}

#[derive(Serialize)]
struct ClusterOut<'a> {
    id: usize,
    representative: &'a str,
    size: usize,
    members: Vec<&'a str>,
    /// Each member's score against the representative, in the order of `members`.
    similarity: Vec<f64>,
    pairs: Vec<PairOut<'a>>,
}

pub(super) fn write(input: &ReportInput<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    let run = input.run;
    // Pairs are sorted by (a, b); group them by the cluster of `a`.
    let mut cluster_of = vec![0usize; input.ids.len()];
    for c in &run.clusters {
        for &m in &c.members {
            cluster_of[m as usize] = c.id;
        }
    }
    let mut pairs_of: Vec<Vec<PairOut<'_>>> = (0..run.clusters.len()).map(|_| Vec::new()).collect();
    let shown: Box<dyn Iterator<Item = &storyhash_core::cluster::ScoredPair>> = match input.pairs {
        super::PairsShown::All => Box::new(run.pairs.iter()),
        super::PairsShown::Joins => Box::new(run.joins.iter().map(|&i| &run.pairs[i as usize])),
    };
    for p in shown {
        pairs_of[cluster_of[p.a as usize]].push(PairOut {
            a: &input.ids[p.a as usize],
            b: &input.ids[p.b as usize],
            similarity: round4(p.similarity),
            evidence: p.evidence.name(),
        });
    }
    for (c, pairs) in run.clusters.iter().zip(pairs_of) {
        let obj = ClusterOut {
            id: c.id,
            representative: &input.ids[c.representative() as usize],
            size: c.members.len(),
            members: c
                .members
                .iter()
                .map(|&m| input.ids[m as usize].as_str())
                .collect(),
            similarity: c
                .members
                .iter()
                .map(|&m| round4(run.similarity_to_representative[m as usize]))
                .collect(),
            pairs,
        };
        serde_json::to_writer(&mut *out, &obj)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
