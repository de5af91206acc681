//! JSONL report: one object per cluster, in cluster order.

use super::{round4, ReportInput};
use serde::Serialize;
use std::io::Write;

/// An id as the input gave it: a string, or an integer when it was one.
struct Id<'a> {
    id: &'a str,
    integer: bool,
}

impl Serialize for Id<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.integer {
            if let Ok(n) = self.id.parse::<i64>() {
                return s.serialize_i64(n);
            }
            if let Ok(n) = self.id.parse::<u64>() {
                return s.serialize_u64(n);
            }
        }
        s.serialize_str(self.id)
    }
}

#[derive(Serialize)]
struct PairOut<'a> {
    a: Id<'a>,
    b: Id<'a>,
    similarity: f64,
    evidence: &'static str,
    /// For a trimmed copy (`contained`), which document is the copy: `a` or `b`.
    #[serde(skip_serializing_if = "Option::is_none")]
    contained: Option<Id<'a>>,
    #[serde(flatten)]
    extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize)]
struct ClusterOut<'a> {
    id: usize,
    representative: Id<'a>,
    size: usize,
    members: Vec<Id<'a>>,
    /// Each member's score against the representative, in the order of `members`.
    similarity: Vec<f64>,
    /// The kept fields of each member, in the order of `members` (when fields were kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<Vec<serde_json::Map<String, serde_json::Value>>>,
    pairs: Vec<PairOut<'a>>,
}

pub(super) fn write(input: &ReportInput<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    let run = input.run;
    let id = |i: u32| Id {
        id: &input.ids[i as usize],
        integer: input.integer_ids.get(i as usize).copied().unwrap_or(false),
    };
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
            a: id(p.a),
            b: id(p.b),
            similarity: round4(p.similarity),
            evidence: p.evidence.name(),
            contained: match p.evidence {
                storyhash_core::score::Evidence::Contained { first } => {
                    Some(id(if first { p.a } else { p.b }))
                }
                _ => None,
            },
            extra: input.pair_fields.map(|f| f(p.a, p.b)).unwrap_or_default(),
        });
    }
    for (c, pairs) in run.clusters.iter().zip(pairs_of) {
        let obj = ClusterOut {
            id: c.id,
            representative: id(c.representative()),
            size: c.members.len(),
            members: c.members.iter().map(|&m| id(m)).collect(),
            fields: (!input.kept.0.is_empty()).then(|| {
                c.members
                    .iter()
                    .map(|&m| {
                        let values = input.kept.1.get(m as usize);
                        input
                            .kept
                            .0
                            .iter()
                            .enumerate()
                            .map(|(k, name)| {
                                let v = values.and_then(|v| v.get(k)).cloned();
                                (name.clone(), v.unwrap_or(serde_json::Value::Null))
                            })
                            .collect()
                    })
                    .collect()
            }),
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
