//! CSV report: one row per document, clusters in order, members in input order.

use super::{round4, ReportInput};
use std::io::Write;

/// A csv error as the I/O error under it when there is one, so that its kind (a closed pipe,
/// a full disk) reaches the caller as the other formats' do.
fn io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

pub(super) fn write(input: &ReportInput<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["cluster", "id", "representative", "similarity"])
        .map_err(io)?;
    for c in &input.run.clusters {
        let rep = input.ids[c.representative() as usize].as_str();
        for &m in &c.members {
            let sim = round4(input.run.similarity_to_representative[m as usize]);
            w.write_record([
                c.id.to_string().as_str(),
                input.ids[m as usize].as_str(),
                rep,
                sim.to_string().as_str(),
            ])
            .map_err(io)?;
        }
    }
    w.flush()?;
    Ok(())
}
