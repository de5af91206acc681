//! CSV report: one row per document, clusters in order, members in input order.

use super::{round4, ReportInput};
use std::io::Write;

pub(super) fn write(input: &ReportInput<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["cluster", "id", "representative", "similarity"])?;
    for c in &input.run.clusters {
        let rep = input.ids[c.representative() as usize].as_str();
        for &m in &c.members {
            let sim = round4(input.run.similarity_to_representative[m as usize]);
            w.write_record([
                c.id.to_string().as_str(),
                input.ids[m as usize].as_str(),
                rep,
                sim.to_string().as_str(),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}
