//! The library's error type. Every variant that input can cause carries the location
//! (`path`, `line`) and the reason, so the CLI can print "file:line: reason" and a hint.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where a record came from: the input path (`-` for stdin) and its 1-based line
/// (for a directory of text files, line 0 means "the whole file"). The path is shared: every
/// document of an input carries the same `Arc`, so a location costs no allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Input path as given on the command line (`-` for stdin).
    pub path: Arc<Path>,
    /// 1-based line number, or 0 when the record is a whole file.
    pub line: u64,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.path.display())
        } else {
            write!(f, "{}:{}", self.path.display(), self.line)
        }
    }
}

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or stream could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file that failed.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A record could not be turned into a document (bad JSON, missing field, bad UTF-8...).
    #[error("{location}: {reason}")]
    BadRecord {
        /// Where the record is.
        location: Location,
        /// What is wrong with it, in words a user can act on.
        reason: String,
    },
    /// The same document id appeared twice.
    #[error("{location}: duplicate id {id:?} (first seen at {first})")]
    DuplicateId {
        /// Where the second occurrence is.
        location: Location,
        /// The repeated id.
        id: String,
        /// Where the first occurrence is.
        first: Location,
    },
    /// A run skipped more records than its limit allows.
    #[error("{skipped} of {read} records were skipped ({detail}), more than the limit ({limit}) allows; nothing was written")]
    TooManySkipped {
        /// Records skipped.
        skipped: u64,
        /// Records read.
        read: u64,
        /// The skipped records by kind, in words.
        detail: String,
        /// The limit, as given.
        limit: String,
    },
    /// A document was added under an id that a live document of the collection has.
    #[error("a document with id {id:?} is already in the collection (document {first})")]
    DuplicateDocument {
        /// The id.
        id: String,
        /// The live document that has it.
        first: u32,
    },
    /// Two things made with different parameters were compared or merged.
    #[error("parameter mismatch: {what}: {left} vs {right}")]
    ParamMismatch {
        /// Which parameter differs.
        what: &'static str,
        /// One value.
        left: String,
        /// The other value.
        right: String,
    },
    /// A setting is out of range or settings contradict each other.
    #[error("invalid setting: {0}")]
    Config(String),
    /// The system refused what a run needs (its worker threads): neither the input nor a
    /// setting's value is wrong.
    #[error("{0}")]
    Resource(String),
    /// Something that cannot happen did (a worker thread panicked): a bug, not the input.
    #[error("internal error: {0}")]
    Internal(String),
    /// One setting of an engine config (`pipeline::EngineConfig`) is out of range.
    #[error("invalid setting {name} = {value}: allowed is {allowed}")]
    InvalidSetting {
        /// The setting, by its path in the config (`thresholds.story`).
        name: &'static str,
        /// The value given.
        value: String,
        /// What is allowed, in words.
        allowed: &'static str,
    },
    /// A stored or exchanged config could not be read.
    #[error("unreadable engine config: {0}")]
    InvalidConfig(String),
    /// An archive index's store failed, or its contents are not what the index expects.
    #[error("{path}: {reason}")]
    Store {
        /// The index (its directory).
        path: PathBuf,
        /// What went wrong, in words a user can act on.
        reason: String,
    },
    /// A stage file (signed documents, candidate or verified pairs) is unreadable, or not the
    /// file the stage expects (another stage, other inputs, another config).
    #[error("{path}: {reason}")]
    Stage {
        /// The file.
        path: PathBuf,
        /// What is wrong, in words a user can act on.
        reason: String,
    },
    /// Ids asked for (to remove) that the archive does not hold; nothing was done.
    #[error("{} id(s) are not in the index ({}); nothing was removed", .ids.len(), shown_ids(.ids))]
    UnknownIds {
        /// Every unknown id, in the order asked.
        ids: Vec<String>,
    },
    /// Something stored was written in a format version this build does not read.
    #[error("{what} has format version {found}; this build reads version {supported}")]
    IncompatibleFormat {
        /// What was read.
        what: &'static str,
        /// The version found.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
}

/// The first few of `ids`, quoted, for an error message.
fn shown_ids(ids: &[String]) -> String {
    let mut s: Vec<String> = ids.iter().take(5).map(|i| format!("{i:?}")).collect();
    if ids.len() > 5 {
        s.push("...".into());
    }
    s.join(", ")
}

impl Error {
    /// Wrap an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A bad record at `location`.
    pub fn bad(location: Location, reason: impl Into<String>) -> Self {
        Error::BadRecord {
            location,
            reason: reason.into(),
        }
    }
}

/// Result with the library's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
