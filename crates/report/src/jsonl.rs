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
    for p in &run.pairs {
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
            pairs,
        };
        serde_json::to_writer(&mut *out, &obj)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
