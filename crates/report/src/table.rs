//! Table report for people: every cluster of two or more documents with its members and their
//! similarity to the representative, then a count of singletons.

use super::ReportInput;
use std::io::Write;

pub(super) fn write(input: &ReportInput<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    let run = input.run;
    let multi: Vec<_> = run
        .clusters
        .iter()
        .filter(|c| c.members.len() > 1)
        .collect();
    let width = multi
        .iter()
        .flat_map(|c| c.members.iter())
        .map(|&m| input.ids[m as usize].chars().count())
        .max()
        .unwrap_or(2)
        .clamp(2, 60);
    writeln!(
        out,
        "{:>7}  {:>4}  {:<width$}  {:>10}",
        "cluster", "size", "id", "similarity"
    )?;
    for c in &multi {
        for (i, &m) in c.members.iter().enumerate() {
            let id = &input.ids[m as usize];
            if i == 0 {
                writeln!(
                    out,
                    "{:>7}  {:>4}  {:<width$}  {:>10}",
                    c.id,
                    c.members.len(),
                    id,
                    "rep"
                )?;
            } else {
                let s = run.similarity_to_representative[m as usize];
                writeln!(out, "{:>7}  {:>4}  {:<width$}  {:>10.4}", "", "", id, s)?;
            }
        }
    }
    let singles = run.clusters.len() - multi.len();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    writeln!(
        out,
        "{} of 2 or more ({}); {} not listed (the jsonl and csv formats list every document)",
        plural(multi.len(), "cluster", "clusters"),
        plural(
            multi.iter().map(|c| c.members.len()).sum::<usize>(),
            "document",
            "documents"
        ),
        plural(singles, "singleton", "singletons")
    )?;
    Ok(())
}
