//! Intake: the policy between the readers and the engine. A stream of documents or errors goes
//! in; documents come out, and every record is accounted for in [`IntakeStats`]:
//! - a bad record (malformed, missing field, bad UTF-8, duplicate id, unreadable input) stops
//!   the run ([`OnBad::Stop`], the default) or is skipped and counted ([`OnBad::Skip`]), each
//!   skip reported to a callback with its location and reason;
//! - a document longer than `max_doc_bytes` is truncated at a character boundary and counted
//!   (or skipped, under [`OnBad::Skip`]);
//! - an empty or whitespace-only document is kept (it becomes a singleton) and counted.
//!
//! Invariant: `read == documents + skipped`, where `read` counts every record the readers
//! produced (blank lines are not records).

use super::Document;
use storyhash_core::error::{Error, Location, Result};

/// What to do with a bad record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnBad {
    /// Stop with the error.
    #[default]
    Stop,
    /// Skip the record, count it, report it, and go on.
    Skip,
}

/// How many skipped records a run accepts before it counts as failed: a number, or a share
/// of the records read. By default, 10%: a feed with a few broken lines goes through, an input
/// that is mostly unreadable (the wrong file, a truncated archive) does not.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MaxBad {
    /// At most this many records skipped.
    Count(u64),
    /// At most this percentage of the records read.
    Percent(f64),
}

impl Default for MaxBad {
    fn default() -> Self {
        MaxBad::Percent(10.0)
    }
}

impl std::str::FromStr for MaxBad {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let bad = || format!("expected a count (100) or a percentage (2.5%), got {s:?}");
        match s.strip_suffix('%') {
            Some(p) => {
                let p: f64 = p.trim().parse().map_err(|_| bad())?;
                if !(0.0..=100.0).contains(&p) {
                    return Err(bad());
                }
                Ok(MaxBad::Percent(p))
            }
            None => s.trim().parse().map(MaxBad::Count).map_err(|_| bad()),
        }
    }
}

impl std::fmt::Display for MaxBad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MaxBad::Count(n) => write!(f, "{n}"),
            MaxBad::Percent(p) => write!(f, "{p}%"),
        }
    }
}

impl MaxBad {
    /// Whether the skipped records of `stats` are more than this allows.
    pub fn exceeded_by(&self, stats: &IntakeStats) -> bool {
        let skipped = stats.skipped();
        match *self {
            MaxBad::Count(n) => skipped > n,
            MaxBad::Percent(p) => skipped as f64 > p / 100.0 * stats.read as f64,
        }
    }
}

/// Intake settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntakeOptions {
    /// Bad records. By default, [`OnBad::Stop`].
    pub on_bad: OnBad,
    /// Longest document text in bytes; longer ones are truncated (or skipped under
    /// [`OnBad::Skip`]). By default, 50 MB.
    pub max_doc_bytes: usize,
}

impl Default for IntakeOptions {
    fn default() -> Self {
        IntakeOptions {
            on_bad: OnBad::Stop,
            max_doc_bytes: 50 * 1024 * 1024,
        }
    }
}

/// One skipped record.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    /// Where it was (the input path alone when the whole input failed).
    pub location: Location,
    /// Short reason class: `bad-record`, `duplicate-id`, `io`, `too-long`.
    pub kind: &'static str,
    /// The full message.
    pub reason: String,
}

/// Counts of everything that passed through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntakeStats {
    /// Records produced by the readers (documents + skipped).
    pub read: u64,
    /// Documents handed on.
    pub documents: u64,
    /// Documents with no text but whitespace (handed on, as singletons).
    pub empty: u64,
    /// Documents truncated to `max_doc_bytes`.
    pub truncated: u64,
    /// Skipped records, by kind.
    pub skipped_bad_record: u64,
    /// Skipped duplicate ids.
    pub skipped_duplicate_id: u64,
    /// Skipped unreadable inputs or read errors.
    pub skipped_io: u64,
    /// Skipped over-long documents.
    pub skipped_too_long: u64,
}

impl IntakeStats {
    /// All skipped records.
    pub fn skipped(&self) -> u64 {
        self.skipped_bad_record
            + self.skipped_duplicate_id
            + self.skipped_io
            + self.skipped_too_long
    }
}

/// Wraps a document stream with the intake policy.
pub struct Intake<I, F> {
    inner: I,
    opts: IntakeOptions,
    stats: IntakeStats,
    on_skip: F,
    /// Set when a warning about truncation should be shown (first truncation only).
    pub first_truncation: Option<Location>,
}

impl<I, F> Intake<I, F>
where
    I: Iterator<Item = Result<Document>>,
    F: FnMut(&Skipped),
{
    /// Wrap `inner`; `on_skip` sees every skipped record.
    pub fn new(inner: I, opts: IntakeOptions, on_skip: F) -> Self {
        Intake {
            inner,
            opts,
            stats: IntakeStats::default(),
            on_skip,
            first_truncation: None,
        }
    }

    /// Counts so far.
    pub fn stats(&self) -> &IntakeStats {
        &self.stats
    }

    fn skip(&mut self, location: Location, kind: &'static str, reason: String) {
        match kind {
            "duplicate-id" => self.stats.skipped_duplicate_id += 1,
            "io" => self.stats.skipped_io += 1,
            "too-long" => self.stats.skipped_too_long += 1,
            _ => self.stats.skipped_bad_record += 1,
        }
        (self.on_skip)(&Skipped {
            location,
            kind,
            reason,
        });
    }
}

impl<I, F> Iterator for Intake<I, F>
where
    I: Iterator<Item = Result<Document>>,
    F: FnMut(&Skipped),
{
    type Item = Result<Document>;

    fn next(&mut self) -> Option<Result<Document>> {
        loop {
            let item = self.inner.next()?;
            self.stats.read += 1;
            let mut doc = match item {
                Ok(d) => d,
                Err(e) if self.opts.on_bad == OnBad::Stop => return Some(Err(e)),
                Err(e) => {
                    let (location, kind) = match &e {
                        Error::BadRecord { location, .. } => (location.clone(), "bad-record"),
                        Error::DuplicateId { location, .. } => (location.clone(), "duplicate-id"),
                        Error::Io { path, .. } => (
                            Location {
                                path: path.as_path().into(),
                                line: 0,
                            },
                            "io",
                        ),
                        _ => return Some(Err(e)),
                    };
                    self.skip(location, kind, e.to_string());
                    continue;
                }
            };
            if doc.text.len() > self.opts.max_doc_bytes {
                if self.opts.on_bad == OnBad::Skip {
                    let reason = format!(
                        "document {:?} is {} bytes, over --max-doc-bytes {}",
                        doc.id,
                        doc.text.len(),
                        self.opts.max_doc_bytes
                    );
                    self.skip(doc.location.clone(), "too-long", reason);
                    continue;
                }
                let mut end = self.opts.max_doc_bytes;
                while !doc.text.is_char_boundary(end) {
                    end -= 1;
                }
                doc.text.truncate(end);
                self.stats.truncated += 1;
                if self.first_truncation.is_none() {
                    self.first_truncation = Some(doc.location.clone());
                }
            }
            if doc.text.trim().is_empty() {
                self.stats.empty += 1;
            }
            self.stats.documents += 1;
            return Some(Ok(doc));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_bad_reads_counts_and_percentages_and_judges_the_counts() {
        let stats = IntakeStats {
            read: 200,
            skipped_bad_record: 10,
            skipped_io: 1,
            ..IntakeStats::default()
        };
        assert_eq!("10".parse(), Ok(MaxBad::Count(10)));
        assert_eq!("2.5%".parse(), Ok(MaxBad::Percent(2.5)));
        assert!("101%".parse::<MaxBad>().is_err() && "x".parse::<MaxBad>().is_err());
        assert!(MaxBad::Count(10).exceeded_by(&stats));
        assert!(!MaxBad::Count(11).exceeded_by(&stats));
        assert!(MaxBad::Percent(5.0).exceeded_by(&stats));
        assert!(!MaxBad::Percent(5.5).exceeded_by(&stats));
        assert!(!MaxBad::default().exceeded_by(&stats));
    }

    fn loc(line: u64) -> Location {
        Location {
            path: std::path::Path::new("t.jsonl").into(),
            line,
        }
    }

    fn doc(id: &str, text: &str, line: u64) -> Result<Document> {
        Ok(Document::new(id.into(), text.into(), loc(line)))
    }

    fn items() -> Vec<Result<Document>> {
        vec![
            doc("a", "hello", 1),
            Err(Error::bad(loc(2), "malformed JSON")),
            doc("b", "  ", 3),
            Err(Error::DuplicateId {
                location: loc(4),
                id: "a".into(),
                first: loc(1),
            }),
            doc("c", "ééééé", 5),
        ]
    }

    #[test]
    fn stop_returns_the_first_error() {
        let mut it = Intake::new(items().into_iter(), IntakeOptions::default(), |_| {});
        assert!(it.next().unwrap().is_ok());
        assert!(it.next().unwrap().is_err());
    }

    #[test]
    fn skip_accounts_for_every_record() {
        let mut seen = Vec::new();
        let opts = IntakeOptions {
            on_bad: OnBad::Skip,
            ..Default::default()
        };
        let mut it = Intake::new(items().into_iter(), opts, |s: &Skipped| {
            seen.push(s.location.line)
        });
        let docs: Vec<_> = it.by_ref().collect::<Result<_>>().unwrap();
        let stats = it.stats().clone();
        drop(it);
        assert_eq!(docs.len(), 3);
        assert_eq!(stats.read, stats.documents + stats.skipped());
        assert_eq!(stats.skipped_bad_record, 1);
        assert_eq!(stats.skipped_duplicate_id, 1);
        assert_eq!(stats.empty, 1);
        assert_eq!(seen, vec![2, 4]);
    }

    #[test]
    fn long_documents_are_truncated_at_a_char_boundary() {
        let opts = IntakeOptions {
            on_bad: OnBad::Stop,
            max_doc_bytes: 3,
        };
        let mut it = Intake::new(vec![doc("c", "ééééé", 1)].into_iter(), opts, |_| {});
        let d = it.next().unwrap().unwrap();
        assert_eq!(d.text, "é");
        assert_eq!(it.stats().truncated, 1);
    }

    #[test]
    fn long_documents_are_skipped_under_skip() {
        let opts = IntakeOptions {
            on_bad: OnBad::Skip,
            max_doc_bytes: 3,
        };
        let mut it = Intake::new(vec![doc("c", "ééééé", 1)].into_iter(), opts, |_| {});
        assert!(it.next().is_none());
        assert_eq!(it.stats().skipped_too_long, 1);
    }
}
