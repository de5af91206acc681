//! Reading documents. Inputs (JSONL, CSV with a header, a directory of `.txt` files, `-` for
//! stdin; gzip or zstd, told by content) go in, a stream of [`Document`]s comes out, one at a time,
//! in input order. The raw text of the whole corpus is never held: each record is parsed and
//! handed on. Every record either becomes a document or an [`Error`] naming file, line and reason.

mod csv;
mod decompress;
pub mod ingest;
pub mod intake;
mod jsonl;
mod parquet;
pub mod subset;
mod textdir;
pub mod time;

pub use jsonl::JsonlReader;
pub use textdir::{skipped as text_tree_skips, TreeSkips};

use std::path::{Path, PathBuf};
use storyhash_core::error::{Error, Location, Result};

/// One input record: its id, its text, and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The record's id (from `--id-field`, or the path relative to a text directory).
    pub id: String,
    /// The record's text (from `--text-field`, or the file's content).
    pub text: String,
    /// The record's headline, when a title field was named and the record has one.
    pub title: Option<String>,
    /// When the article was published or received, in seconds since the Unix epoch, when a
    /// time field was named and the record has one (see [`ReadOptions::time_field`]).
    pub time: Option<i64>,
    /// The id was a JSON integer (`"id": 7`), so that reports can write it back as one.
    pub integer_id: bool,
    /// The values of the fields named by [`ReadOptions::keep_fields`], in their order (`null`
    /// where a record lacks one); empty when none were named.
    pub kept: Vec<serde_json::Value>,
    /// Where the record is.
    pub location: Location,
    /// The record's bytes in its input (decompressed), terminator included: what a subset of
    /// the input copies to keep the record exactly as it was given. Empty for a whole file
    /// (a `.txt` document) and for documents made without an input.
    pub bytes: std::ops::Range<u64>,
}

impl Document {
    /// A document that no input's bytes stand behind.
    pub fn new(id: String, text: String, location: Location) -> Self {
        Document {
            id,
            text,
            title: None,
            time: None,
            integer_id: false,
            kept: Vec::new(),
            location,
            bytes: 0..0,
        }
    }
}

/// The format of one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// One JSON object a line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
    /// A directory of `.txt` files (recursively), one document a file.
    TextDir,
    /// A Parquet file, or a directory of `*.parquet` part files, one document a row.
    Parquet,
}

/// How to read inputs.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Field holding the document id. By default, `id`.
    pub id_field: String,
    /// Field holding the document text. By default, `text`.
    pub text_field: String,
    /// Force a format. By default (`None`), it is guessed from the path: a directory is
    /// [`InputFormat::TextDir`], `*.csv[.gz|.zst]` is CSV, anything else (stdin included) JSONL.
    pub format: Option<InputFormat>,
    /// The CSV field delimiter. By default, `,`.
    pub delimiter: u8,
    /// Field holding the headline, read as the text's first line. By default, none.
    pub title_field: Option<String>,
    /// Field holding the article's time, read into [`Document::time`]; a dotted path reaches
    /// into nested JSON like the id and text fields do. Seconds since 1970 (a JSON integer or
    /// a string of digits), an RFC 3339 date-time or a plain date (see [`time::parse_time`]);
    /// a record without it, or with `null` or an empty value, has no time, and any other value
    /// is a bad record. By default, none.
    pub time_field: Option<String>,
    /// Fields carried along with each document for the report (JSONL keys, dotted paths, or
    /// CSV columns). By default, none.
    pub keep_fields: Vec<String>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            id_field: "id".into(),
            text_field: "text".into(),
            format: None,
            delimiter: b',',
            title_field: None,
            time_field: None,
            keep_fields: Vec::new(),
        }
    }
}

/// A boxed stream of documents (or errors), in input order.
pub type DocumentStream = Box<dyn Iterator<Item = Result<Document>> + Send>;

/// Guess the format of `path` from its name (see [`ReadOptions::format`]).
pub fn guess_format(path: &Path) -> InputFormat {
    let name = path.to_string_lossy().to_lowercase();
    let name = name.trim_end_matches('/');
    // Spark and pyarrow write a dataset as a directory named like a file.
    if name.ends_with(".parquet") || name.ends_with(".pq") {
        return InputFormat::Parquet;
    }
    if path.is_dir() {
        return InputFormat::TextDir;
    }
    let name = name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".zst"))
        .unwrap_or(name);
    if name.ends_with(".csv") {
        InputFormat::Csv
    } else {
        InputFormat::Jsonl
    }
}

/// Open one input (`-` is stdin) as a byte stream, decompressing `.gz` and `.zst`.
pub fn open_raw(path: &Path) -> Result<Box<dyn std::io::BufRead + Send>> {
    decompress::open(path)
}

/// Every JSON object of a JSONL input (gzip or zstd, told by content), with its 1-based line: for files
/// that are not documents (pair lists, labelled sources). Blank lines are skipped; a line that
/// is not JSON is an error naming the file and line (nothing is dropped silently).
pub fn json_records(path: &Path) -> Result<Vec<(u64, serde_json::Value)>> {
    use std::io::BufRead;
    let r = decompress::open(path)?;
    let mut out = Vec::new();
    for (i, line) in r.lines().enumerate() {
        let line = line.map_err(|e| Error::io(path, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let loc = Location {
            path: path.into(),
            line: i as u64 + 1,
        };
        let v: serde_json::Value = serde_json::from_str(line.trim_start_matches('\u{feff}'))
            .map_err(|e| Error::bad(loc, format!("malformed JSON: {e}")))?;
        out.push((i as u64 + 1, v));
    }
    Ok(out)
}

/// Open one input (`-` is stdin) and stream its documents.
pub fn open(path: &Path, opts: &ReadOptions) -> Result<DocumentStream> {
    let format = opts.format.unwrap_or_else(|| guess_format(path));
    match format {
        InputFormat::TextDir => textdir::read(path),
        InputFormat::Jsonl => {
            let reader = decompress::open(path)?;
            Ok(Box::new(jsonl::JsonlReader::new(
                reader,
                path.to_path_buf(),
                opts,
            )))
        }
        InputFormat::Csv => {
            let reader = decompress::open(path)?;
            csv::read(reader, path.to_path_buf(), opts)
        }
        InputFormat::Parquet => parquet::read(path, opts),
    }
}

/// Read documents from bytes in memory (for fuzzing and tests): `name` is the path reported
/// in locations. Text directories cannot be read this way.
pub fn read_bytes(
    bytes: Vec<u8>,
    name: &Path,
    format: InputFormat,
    opts: &ReadOptions,
) -> Result<DocumentStream> {
    let reader: Box<dyn std::io::BufRead + Send> = Box::new(std::io::Cursor::new(bytes));
    match format {
        InputFormat::Jsonl => Ok(Box::new(jsonl::JsonlReader::new(
            reader,
            name.to_path_buf(),
            opts,
        ))),
        InputFormat::Csv => csv::read(reader, name.to_path_buf(), opts),
        InputFormat::TextDir | InputFormat::Parquet => Err(Error::Config(
            "a text directory or Parquet cannot be read from memory".into(),
        )),
    }
}

/// Stream the documents of several inputs one after another, checking that ids are unique
/// across all of them. Each input is opened when the stream reaches it, so an input that
/// cannot be opened is an error item in its place (a caller that skips bad records goes on
/// with the next input). Ids seen so far are kept in memory (one `String` a document) to
/// detect duplicates.
pub fn open_all(paths: &[PathBuf], opts: &ReadOptions) -> Result<DocumentStream> {
    let opts = opts.clone();
    // Owned paths: the stream outlives the caller's slice.
    let owned: Vec<PathBuf> = paths.to_vec();
    let streams = owned.into_iter().map(move |p| -> DocumentStream {
        match open(&p, &opts) {
            Ok(s) => s,
            Err(e) => Box::new(std::iter::once(Err(e))),
        }
    });
    // Ids are remembered by their 128-bit xxh3, not as strings: an archive keyed by URL holds
    // a million ids of 100 bytes, and this map is only asked whether an id came before. Two
    // distinct ids of a billion collide with probability about 10^-21.
    let mut seen: storyhash_core::hashed::WideHashedMap<Location> = Default::default();
    Ok(Box::new(streams.flatten().map(move |r| {
        let doc = r?;
        match seen.entry(xxhash_rust::xxh3::xxh3_128(doc.id.as_bytes())) {
            std::collections::hash_map::Entry::Occupied(first) => Err(Error::DuplicateId {
                location: doc.location.clone(),
                id: doc.id.clone(),
                first: first.get().clone(),
            }),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(doc.location.clone());
                Ok(doc)
            }
        }
    })))
}

impl From<Document> for storyhash_core::Article {
    /// The engine's view of a record: its id, text, headline and time (the location stays with
    /// the reader).
    fn from(d: Document) -> Self {
        storyhash_core::Article {
            title: d.title.filter(|t| !t.is_empty()),
            time: d.time,
            ..storyhash_core::Article::new(d.id, d.text)
        }
    }
}

#[cfg(test)]
mod article_tests {
    use super::*;

    #[test]
    fn an_article_keeps_the_documents_time() {
        let loc = Location {
            path: Path::new("in.jsonl").into(),
            line: 1,
        };
        let doc = Document {
            time: Some(1_796_083_200),
            ..Document::new("a".into(), "x".into(), loc)
        };
        let article: storyhash_core::Article = doc.clone().into();
        assert_eq!(article.time, Some(1_796_083_200));
        let article: storyhash_core::Article = Document { time: None, ..doc }.into();
        assert_eq!(article.time, None);
    }
}

#[cfg(test)]
mod json_records_tests {
    use super::*;

    #[test]
    fn a_malformed_line_is_an_error_at_its_line_and_blank_lines_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pairs.jsonl");
        std::fs::write(&p, "\u{feff}{\"a\":1}\n\n{\"a\":2}\n").unwrap();
        let got: Vec<(u64, i64)> = json_records(&p)
            .unwrap()
            .into_iter()
            .map(|(l, v)| (l, v["a"].as_i64().unwrap()))
            .collect();
        assert_eq!(got, vec![(1, 1), (3, 2)]);
        std::fs::write(&p, "{\"a\":1}\n{\"a\":\n").unwrap();
        match json_records(&p) {
            Err(Error::BadRecord { location, .. }) => assert_eq!(location.line, 2),
            other => panic!("{other:?}"),
        }
    }
}
