//! One ingest path for every driver that reads files: inputs go in, batches of documents come
//! out of a bounded channel, read and parsed on their own thread, with the intake policy applied
//! (stop or skip bad records, truncate over-long documents, count everything) and each skipped
//! record's location and reason written to a report file.
//!
//! Invariant: every record read is in a batch or counted as skipped (and reported); batches
//! keep input order.

use crate::intake::{Intake, IntakeOptions, IntakeStats, Skipped};
use crate::{Document, ReadOptions};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender};
use std::thread::JoinHandle;
use storyhash_core::error::{Error, Location, Result};

/// What the reader thread returns when it is done: the intake counts, and where the first
/// truncated document was.
pub type IngestResult = Result<(IntakeStats, Option<Location>)>;

/// Start reading `inputs` on a thread of its own: batches of `batch_size` documents arrive on
/// the receiver, at most two ahead of the consumer, so that parsing the next batch overlaps
/// processing this one and only a few batches of raw text are in memory at a time. Join the
/// handle once the receiver is drained for the counts (or the first error).
pub fn spawn_reader(
    inputs: Vec<PathBuf>,
    opts: ReadOptions,
    intake_opts: IntakeOptions,
    report_bad: Option<PathBuf>,
    batch_size: usize,
) -> (Receiver<Vec<Document>>, JoinHandle<IngestResult>) {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Document>>(2);
    let handle = std::thread::spawn(move || {
        read_batches(&inputs, &opts, intake_opts, report_bad, batch_size, tx)
    });
    (rx, handle)
}

/// Read `inputs` through the intake policy into batches sent on `tx` (see [`spawn_reader`]);
/// stops early when the receiver hangs up.
pub fn read_batches(
    inputs: &[PathBuf],
    opts: &ReadOptions,
    intake_opts: IntakeOptions,
    report_bad: Option<PathBuf>,
    batch_size: usize,
    tx: SyncSender<Vec<Document>>,
) -> Result<(IntakeStats, Option<Location>)> {
    let stream = crate::open_all(inputs, opts)?;
    let mut bad = BadReport::new(report_bad.as_deref())?;
    let mut intake = Intake::new(stream, intake_opts, |s: &Skipped| bad.write(s));
    let mut batch = Vec::with_capacity(batch_size);
    for doc in intake.by_ref() {
        batch.push(doc?);
        if batch.len() == batch_size && tx.send(std::mem::take(&mut batch)).is_err() {
            break;
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(batch);
    }
    let stats = intake.stats().clone();
    let first = intake.first_truncation.clone();
    drop(intake);
    bad.finish()?;
    Ok((stats, first))
}

/// The `report_bad` file: one JSON line per skipped record, written to a temporary file renamed
/// into place when reading ends, so that a reader of the report never sees half of one.
struct BadReport {
    out: Option<crate::subset::OpenDestination>,
    error: Option<Error>,
}

impl BadReport {
    fn new(path: Option<&Path>) -> Result<Self> {
        let out = match path {
            None => None,
            Some(p) => Some(crate::subset::Destination::create(p)?.open()?),
        };
        Ok(BadReport { out, error: None })
    }

    fn write(&mut self, s: &Skipped) {
        if let Some(w) = &mut self.out {
            let line = serde_json::json!({
                "path": s.location.path.display().to_string(),
                "line": s.location.line,
                "kind": s.kind,
                "reason": s.reason,
            });
            if let Err(e) = w.write_all(format!("{line}\n").as_bytes()) {
                self.error.get_or_insert(e);
            }
        }
    }

    fn finish(self) -> Result<()> {
        if let Some(e) = self.error {
            return Err(e);
        }
        match self.out {
            Some(w) => w.finish(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::OnBad;

    #[test]
    fn batches_keep_order_and_every_skipped_record_is_counted_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.jsonl");
        let report = dir.path().join("bad.jsonl");
        std::fs::write(
            &input,
            "{\"id\":\"a\",\"text\":\"one\"}\n{\"id\":\"b\",\"text\":\"two\"}\nnot json\n\
             {\"id\":\"c\",\"text\":\"three\"}\n{\"id\":\"a\",\"text\":\"again\"}\n\
             {\"id\":\"d\",\"text\":\"four\"}\n{\"id\":\"e\",\"text\":\"five\"}\n",
        )
        .unwrap();
        let opts = IntakeOptions {
            on_bad: OnBad::Skip,
            ..IntakeOptions::default()
        };
        let (rx, reader) = spawn_reader(
            vec![input],
            ReadOptions::default(),
            opts,
            Some(report.clone()),
            2,
        );
        let batches: Vec<Vec<String>> = rx
            .iter()
            .map(|b| b.into_iter().map(|d| d.id).collect())
            .collect();
        let (stats, _) = reader.join().unwrap().unwrap();
        assert_eq!(batches, vec![vec!["a", "b"], vec!["c", "d"], vec!["e"]]);
        assert_eq!((stats.read, stats.documents), (7, 5));
        assert_eq!(
            (stats.skipped_bad_record, stats.skipped_duplicate_id),
            (1, 1)
        );
        let lines: Vec<serde_json::Value> = std::fs::read_to_string(&report)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let at: Vec<u64> = lines.iter().map(|l| l["line"].as_u64().unwrap()).collect();
        assert_eq!(at, vec![3, 5]);
    }

    #[test]
    fn a_bad_record_stops_the_reader_with_its_location() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.jsonl");
        std::fs::write(&input, "{\"id\":\"a\",\"text\":\"one\"}\n{\"id\":\n").unwrap();
        let (rx, reader) = spawn_reader(
            vec![input],
            ReadOptions::default(),
            IntakeOptions::default(),
            None,
            8,
        );
        let docs: usize = rx.iter().map(|b| b.len()).sum();
        match reader.join().unwrap() {
            Err(Error::BadRecord { location, .. }) => assert_eq!(location.line, 2),
            other => panic!("{other:?}"),
        }
        assert!(docs <= 1);
    }
}
