//! Reading CSV with a header row. A buffered byte stream goes in, one [`Document`] (or one
//! error) per data record comes out, in order. The id and text columns are found by header
//! name, so column order does not matter; a missing column stops everything before the first
//! record, since no record could succeed. After that each record stands alone: a ragged row,
//! invalid UTF-8, an empty id or a time that is not one is an error naming the line where the
//! record starts (quoted fields may span lines; blank lines and `\r\n` endings are counted
//! right), and the caller decides whether to go on. An I/O error ends the stream.

use super::time::{not_a_time, parse_time, shown_string};
use super::{Document, DocumentStream, ReadOptions};
use storyhash_core::error::{Error, Location, Result};
// `::csv` is the crate; plain `csv` reads as this module to anyone who has just seen
// `mod csv;` in `mod.rs`.
use ::csv::{ByteRecord, ErrorKind, ReaderBuilder, Terminator};
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// How many column names a "no column named X" error lists before saying "and N more".
const MAX_COLUMNS_LISTED: usize = 8;

/// Read the header of `reader` and stream its records as documents; `path` is what locations
/// and errors will name, and `opts` names the id and text columns.
///
/// Fails at once (line 1) when the header lacks either column, or on an I/O error while
/// reading the header.
pub fn read(
    reader: Box<dyn BufRead + Send>,
    path: PathBuf,
    opts: &ReadOptions,
) -> Result<DocumentStream> {
    let watch = std::sync::Arc::new(std::sync::Mutex::new(Quotes {
        delimiter: opts.delimiter,
        ..Quotes::default()
    }));
    let mut reader = ReaderBuilder::new()
        .has_headers(true)
        // Ragged rows are reported, not padded: a missing field usually means a stray
        // delimiter or quote, and the text would silently be the wrong column.
        .flexible(false)
        // With the default terminator, a `\r\n` ending is split between two reads and the
        // csv crate's record positions come out one line early; ending records at `\n` only
        // and dropping the `\r` ourselves (see `field`) keeps line numbers exact.
        .terminator(Terminator::Any(b'\n'))
        .delimiter(opts.delimiter)
        .from_reader(QuoteWatch::new(reader, watch.clone()));
    let headers: Vec<Vec<u8>> = {
        let raw = reader.byte_headers().map_err(|e| csv_error(e, &path))?;
        let last = raw.len().saturating_sub(1);
        raw.iter()
            .enumerate()
            .map(|(i, h)| clean(h, i == 0, i == last).to_vec())
            .collect()
    };
    let header_line = Location {
        path: path.as_path().into(),
        line: 1,
    };
    let id_col =
        column(&headers, &opts.id_field).map_err(|r| Error::bad(header_line.clone(), r))?;
    let text_col =
        column(&headers, &opts.text_field).map_err(|r| Error::bad(header_line.clone(), r))?;
    let kept_cols = opts
        .keep_fields
        .iter()
        .map(|f| column(&headers, f).map_err(|r| Error::bad(header_line.clone(), r)))
        .collect::<Result<Vec<usize>>>()?;
    let title_col = match &opts.title_field {
        Some(f) => Some(column(&headers, f).map_err(|r| Error::bad(header_line.clone(), r))?),
        None => None,
    };
    // A named time column that is not there is a typo, not records without a time: no
    // article would ever expire.
    let time_col = match &opts.time_field {
        Some(f) => Some(column(&headers, f).map_err(|r| Error::bad(header_line, r))?),
        None => None,
    };
    Ok(Box::new(CsvDocuments {
        reader,
        watch,
        record: ByteRecord::new(),
        path: path.into(),
        id_field: opts.id_field.clone(),
        text_field: opts.text_field.clone(),
        id_col,
        text_col,
        title_col,
        time_col,
        kept_cols,
        keep_fields: opts.keep_fields.clone(),
        title_field: opts.title_field.clone().unwrap_or_default(),
        time_field: opts.time_field.clone().unwrap_or_default(),
        last_col: headers.len().saturating_sub(1),
        done: false,
    }))
}

/// The length in bytes of a CSV stream's header line (BOM and terminator included), read as
/// [`read`] reads it: the bytes a subset of the input copies before its records.
pub(crate) fn header_len(
    reader: Box<dyn BufRead + Send>,
    path: &Path,
    delimiter: u8,
) -> Result<u64> {
    let mut reader = ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .terminator(Terminator::Any(b'\n'))
        .delimiter(delimiter)
        .from_reader(reader);
    reader.byte_headers().map_err(|e| csv_error(e, path))?;
    Ok(reader.position().byte())
}

/// The quoting state of a CSV stream, followed byte by byte as the csv reader reads it: the csv
/// crate ends a quoted field that runs to the end of the input without a word, so that one
/// unclosed quote would swallow every record after it into one field.
#[derive(Debug, Default)]
struct Quotes {
    state: QuoteState,
    /// Byte offset of the quote that opened the current quoted field.
    opened_at: u64,
    /// Bytes seen.
    offset: u64,
    /// The input has ended.
    eof: bool,
    /// The field delimiter.
    delimiter: u8,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    #[default]
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the field's end, or the first of an escaped `""`.
    QuoteInQuoted,
}

impl Quotes {
    fn feed(&mut self, bytes: &[u8]) {
        use QuoteState::*;
        for &b in bytes {
            self.state = match (self.state, b) {
                (FieldStart, b'"') => {
                    self.opened_at = self.offset;
                    Quoted
                }
                (Quoted, b'"') => QuoteInQuoted,
                (Quoted, _) => Quoted,
                (QuoteInQuoted, b'"') => Quoted,
                (_, b'\n') => FieldStart,
                (_, b) if b == self.delimiter => FieldStart,
                _ => Unquoted,
            };
            self.offset += 1;
        }
    }

    /// Whether the input ended inside a quoted field opened within `span`.
    fn unclosed_in(&self, span: &std::ops::Range<u64>) -> bool {
        self.eof && self.state == QuoteState::Quoted && span.contains(&self.opened_at)
    }
}

/// The input of a CSV reader, with its bytes fed to a [`Quotes`] as they are read.
struct QuoteWatch {
    inner: Box<dyn BufRead + Send>,
    quotes: std::sync::Arc<std::sync::Mutex<Quotes>>,
}

impl QuoteWatch {
    fn new(
        inner: Box<dyn BufRead + Send>,
        quotes: std::sync::Arc<std::sync::Mutex<Quotes>>,
    ) -> Self {
        QuoteWatch { inner, quotes }
    }
}

impl std::io::Read for QuoteWatch {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut q = self.quotes.lock().unwrap_or_else(|p| p.into_inner());
        if n == 0 {
            q.eof = true;
        } else {
            q.feed(&buf[..n]);
        }
        Ok(n)
    }
}

/// The stream returned by [`read`].
struct CsvDocuments {
    reader: ::csv::Reader<QuoteWatch>,
    /// Where the input's quotes stand, as the bytes were read.
    watch: std::sync::Arc<std::sync::Mutex<Quotes>>,
    /// Reused for every record, so reading allocates only when a record outgrows it.
    record: ByteRecord,
    path: std::sync::Arc<Path>,
    id_field: String,
    text_field: String,
    id_col: usize,
    text_col: usize,
    /// The headline's column, when a title field was named.
    title_col: Option<usize>,
    /// The time's column, when a time field was named.
    time_col: Option<usize>,
    /// The columns carried along for the report, and their names.
    kept_cols: Vec<usize>,
    keep_fields: Vec<String>,
    title_field: String,
    time_field: String,
    /// Index of the last column, whose field may end with the `\r` of a `\r\n`.
    last_col: usize,
    /// Set after end of input or an I/O error.
    done: bool,
}

impl CsvDocuments {
    /// The line where the record just read starts.
    ///
    /// Two lower bounds, and the larger is exact in all but one corner. From the front: the
    /// csv crate's record position is the line after the previous record, which is the
    /// start unless blank lines were skipped. From the back: the reader's line after the
    /// record, minus its terminating `\n` and the `\n`s inside quoted fields, which is the
    /// start unless the record ended at end of input without a newline. Only a last record
    /// with no final newline *and* blank lines before it is off, by one.
    fn start_line(&self) -> u64 {
        let front = self.record.position().map_or(0, ::csv::Position::line);
        let inside = self
            .record
            .as_slice()
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        let back = self.reader.position().line().saturating_sub(1 + inside);
        front.max(back)
    }

    /// The bytes of the record just read, from the end of the previous record (blank lines
    /// skipped before it included) to the end of its terminator.
    fn span(&self) -> std::ops::Range<u64> {
        let start = self.record.position().map_or(0, ::csv::Position::byte);
        start..self.reader.position().byte()
    }

    fn location(&self) -> Location {
        Location {
            path: self.path.clone(),
            line: self.start_line(),
        }
    }

    /// A `\r\n` line with nothing on it. With `\n` as the terminator the csv crate sees a
    /// record holding one field, `\r`, where it would have skipped an empty line.
    fn record_is_blank_line(&self) -> bool {
        self.record.len() == 1 && self.record.as_slice() == b"\r"
    }

    /// Field `col` of the current record as a string, or why it is not one.
    fn field(&self, col: usize, name: &str) -> std::result::Result<String, String> {
        let bytes = self
            .record
            .get(col)
            .ok_or_else(|| format!("record has no column {name:?}"))?;
        let bytes = clean(bytes, false, col == self.last_col);
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_owned()),
            Err(e) => Err(format!(
                "column {name:?} is not valid UTF-8 (at byte offset {} of the field)",
                e.valid_up_to()
            )),
        }
    }

    /// Turn the current record into a document.
    fn document(&self) -> Result<Document> {
        let unclosed = self.watch.lock().is_ok_and(|q| q.unclosed_in(&self.span()));
        if unclosed {
            return Err(Error::bad(
                self.location(),
                "a quoted field opened in this record runs to the end of the input \
                 (an unclosed quote would take in every record after it)",
            ));
        }
        // Both fields exist: the reader is not flexible, so every record has as many fields
        // as the header, and both columns were found in the header.
        let id = self.field(self.id_col, &self.id_field);
        let text = self.field(self.text_col, &self.text_field);
        let title = match self.title_col {
            Some(col) => match self.field(col, &self.title_field) {
                Ok(t) => Some(t),
                Err(reason) => return Err(Error::bad(self.location(), reason)),
            },
            None => None,
        };
        let time = match self.time_col {
            Some(col) => match self.field(col, &self.time_field) {
                Ok(t) => match t.trim() {
                    // An empty cell is a record without a time.
                    "" => None,
                    v => match parse_time(v) {
                        Some(t) => Some(t),
                        None => {
                            return Err(Error::bad(
                                self.location(),
                                not_a_time(&self.time_field, &shown_string(&t)),
                            ))
                        }
                    },
                },
                Err(reason) => return Err(Error::bad(self.location(), reason)),
            },
            None => None,
        };
        let mut kept = Vec::with_capacity(self.kept_cols.len());
        for (&col, name) in self.kept_cols.iter().zip(&self.keep_fields) {
            match self.field(col, name) {
                Ok(v) => kept.push(serde_json::Value::String(v)),
                Err(reason) => return Err(Error::bad(self.location(), reason)),
            }
        }
        match (id, text) {
            (Ok(id), _) if id.is_empty() => Err(Error::bad(
                self.location(),
                format!("column {:?} (the id) is empty", self.id_field),
            )),
            (Ok(id), Ok(text)) => Ok(Document {
                id,
                text,
                title,
                time,
                integer_id: false,
                kept,
                location: self.location(),
                bytes: self.span(),
            }),
            (Err(reason), _) | (_, Err(reason)) => Err(Error::bad(self.location(), reason)),
        }
    }

    /// Map a csv error on the current record onto ours.
    fn record_error(&self, e: ::csv::Error) -> Error {
        match e.kind() {
            ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => Error::bad(
                // The record was filled before the length check failed, so its line is
                // known exactly, unlike the error's own position (see `start_line`).
                self.location(),
                format!(
                    "record has {len} fields but the header has {expected_len} \
                     (a stray comma or an unclosed quote?)"
                ),
            ),
            _ => csv_error(e, &self.path),
        }
    }
}

impl Iterator for CsvDocuments {
    type Item = Result<Document>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => self.done = true,
                // Skipped, like the empty lines the csv crate skips itself.
                Ok(true) if self.record_is_blank_line() => {}
                Ok(true) => return Some(self.document()),
                Err(e) if e.is_io_error() => {
                    self.done = true;
                    return Some(Err(csv_error(e, &self.path)));
                }
                Err(_) if self.record_is_blank_line() => {}
                Err(e) => return Some(Err(self.record_error(e))),
            }
        }
        None
    }
}

/// A header or field without what the reader leaves on it: a UTF-8 BOM before the first
/// header (csv-core strips it too; this keeps us right if that ever changes) and the `\r` of
/// a `\r\n` ending after the last column.
fn clean(bytes: &[u8], first: bool, last: bool) -> &[u8] {
    let mut bytes = bytes;
    if first {
        bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    }
    if last {
        bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    }
    bytes
}

/// The index of the column named `name`, or why there is none.
fn column(headers: &[Vec<u8>], name: &str) -> std::result::Result<usize, String> {
    if let Some(i) = headers.iter().position(|h| h == name.as_bytes()) {
        return Ok(i);
    }
    if headers.is_empty() {
        return Err(format!(
            "no column named {name:?}; the input has no header row"
        ));
    }
    let listed: Vec<String> = headers
        .iter()
        .take(MAX_COLUMNS_LISTED)
        .map(|h| format!("{:?}", String::from_utf8_lossy(h)))
        .collect();
    let more = headers.len().saturating_sub(MAX_COLUMNS_LISTED);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    Err(format!(
        "no column named {name:?}; columns are: {}{tail}",
        listed.join(", ")
    ))
}

/// Map a csv error onto ours: I/O stays I/O, anything else is a bad record at its line.
fn csv_error(e: ::csv::Error, path: &Path) -> Error {
    let location = Location {
        path: path.into(),
        line: e.position().map_or(0, ::csv::Position::line),
    };
    let message = e.to_string();
    let (line, bytes) = e.position().map_or((0, 0), |p| (p.line(), p.byte()));
    match e.into_kind() {
        // How far the input was read: a truncated archive loses what follows.
        ErrorKind::Io(e) => Error::io(
            path,
            std::io::Error::new(
                e.kind(),
                format!(
                    "{e} (at line {line}, {bytes} bytes in: the rest of the input is not read)"
                ),
            ),
        ),
        // Not reachable with byte records and no serde, but the kind is non-exhaustive.
        _ => Error::bad(location, message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn stream(input: &[u8], opts: &ReadOptions) -> Result<DocumentStream> {
        read(
            Box::new(Cursor::new(input.to_vec())),
            PathBuf::from("in.csv"),
            opts,
        )
    }

    /// The documents of `input`, their byte spans left out (compared by their own test).
    fn read_all(input: &[u8]) -> Vec<Result<Document>> {
        stream(input, &ReadOptions::default())
            .unwrap()
            .map(|d| d.map(|d| Document { bytes: 0..0, ..d }))
            .collect()
    }

    fn doc(id: &str, text: &str, line: u64) -> Document {
        Document::new(
            id.into(),
            text.into(),
            Location {
                path: Path::new("in.csv").into(),
                line,
            },
        )
    }

    fn bad(item: &Result<Document>) -> (u64, String) {
        match item {
            Err(Error::BadRecord { location, reason }) => (location.line, reason.clone()),
            other => panic!("expected a bad record, got {other:?}"),
        }
    }

    fn header_error(input: &[u8], opts: &ReadOptions) -> (u64, String) {
        match stream(input, opts) {
            Err(Error::BadRecord { location, reason }) => (location.line, reason),
            Err(e) => panic!("expected a bad record, got {e}"),
            Ok(_) => panic!("expected an error"),
        }
    }

    #[test]
    fn reads_records_with_their_start_lines() {
        let items = read_all(b"id,text\na,one\nb,two\n");
        let docs: Vec<Document> = items.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(docs, vec![doc("a", "one", 2), doc("b", "two", 3)]);
    }

    #[test]
    fn columns_are_found_by_name_in_any_order() {
        let items = read_all(b"text,extra,id\nthe text,zzz,x1\n");
        assert_eq!(items[0].as_ref().unwrap(), &doc("x1", "the text", 2));
    }

    #[test]
    fn each_record_spans_its_bytes_crlf_and_quoted_newlines_included() {
        let input: &[u8] = b"id,text\r\na,\"one\r\ntwo\"\r\n\r\nb,three\r\nc,four";
        let spans: Vec<std::ops::Range<u64>> = stream(input, &ReadOptions::default())
            .unwrap()
            .map(|d| d.unwrap().bytes)
            .collect();
        let slices: Vec<&[u8]> = spans
            .iter()
            .map(|r| &input[r.start as usize..r.end as usize])
            .collect();
        assert_eq!(
            slices,
            vec![
                &b"a,\"one\r\ntwo\"\r\n"[..],
                &b"b,three\r\n"[..],
                &b"c,four"[..]
            ]
        );
        // The csv crate skips `\n` blank lines itself: a span starts where the previous
        // record ended, so those blank lines are in it (a subset writer leaves them out).
        let input: &[u8] = b"id,text\na,x\n\nb,y\n";
        let spans: Vec<std::ops::Range<u64>> = stream(input, &ReadOptions::default())
            .unwrap()
            .map(|d| d.unwrap().bytes)
            .collect();
        assert_eq!(
            &input[spans[1].start as usize..spans[1].end as usize],
            b"\nb,y\n"
        );
    }

    /// Regression: an unclosed quote swallowed the rest of the file into one field, and the
    /// run read one record with exit 0.
    #[test]
    fn an_unclosed_quote_is_a_bad_record_at_its_line() {
        let opts = ReadOptions {
            id_field: "url".into(),
            text_field: "body".into(),
            ..ReadOptions::default()
        };
        let items: Vec<_> = stream(b"url,body\na,\"hello\nb,second\n", &opts)
            .unwrap()
            .collect();
        assert_eq!(items.len(), 1);
        let (line, reason) = bad(&items[0]);
        assert_eq!(line, 2);
        assert!(reason.contains("unclosed quote"), "{reason}");
        // Closed quotes, escaped quotes and a last record without a newline are fine.
        let fine = read_all(b"id,text\na,\"say \"\"hi\"\"\nthere\"\nb,\"end\"");
        assert!(fine.iter().all(|d| d.is_ok()), "{fine:?}");
        assert_eq!(fine.len(), 2);
        let inch = read_all(b"id,text\na,a 5\" screen\nb,x\n");
        assert!(inch.iter().all(|d| d.is_ok()), "{inch:?}");
    }

    #[test]
    fn another_delimiter_is_read_and_quotes_follow_it() {
        let opts = ReadOptions {
            delimiter: b';',
            ..ReadOptions::default()
        };
        let items: Vec<_> = stream(b"id;text\na;one, two\nb;\"x;y\"\n", &opts)
            .unwrap()
            .map(|d| d.unwrap().text)
            .collect();
        assert_eq!(items, vec!["one, two", "x;y"]);
        let unclosed: Vec<_> = stream(b"id;text\na;\"open\nb;c\n", &opts)
            .unwrap()
            .collect();
        assert!(unclosed[0].is_err());
    }

    #[test]
    fn custom_column_names_are_used() {
        let opts = ReadOptions {
            id_field: "url".into(),
            text_field: "body".into(),
            ..ReadOptions::default()
        };
        let items: Vec<_> = stream(b"url,body\nu,b\n", &opts).unwrap().collect();
        let want = Document {
            bytes: 9..13,
            ..doc("u", "b", 2)
        };
        assert_eq!(items[0].as_ref().unwrap(), &want);
    }

    #[test]
    fn quoted_newlines_stay_in_the_field_and_lines_stay_right() {
        let items = read_all(b"id,text\na,\"line one\nline two\nline three\"\nb,after\n");
        let docs: Vec<Document> = items.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(
            docs,
            vec![
                doc("a", "line one\nline two\nline three", 2),
                doc("b", "after", 5)
            ]
        );
    }

    #[test]
    fn quoted_commas_and_doubled_quotes_are_unescaped() {
        let items = read_all(b"id,text\na,\"x, \"\"quoted\"\" y\"\n");
        assert_eq!(items[0].as_ref().unwrap().text, "x, \"quoted\" y");
    }

    #[test]
    fn crlf_line_endings_work() {
        let items = read_all(b"id,text\r\na,one\r\nb,two\r\n");
        let docs: Vec<Document> = items.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(docs, vec![doc("a", "one", 2), doc("b", "two", 3)]);
    }

    #[test]
    fn crlf_quoted_last_field_loses_only_the_line_ending() {
        let items = read_all(b"id,text\r\na,\"one, two\"\r\nb,\"x\r\ny\"\r\nc,z\r\n");
        let docs: Vec<Document> = items.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(
            docs,
            vec![
                doc("a", "one, two", 2),
                doc("b", "x\r\ny", 3),
                doc("c", "z", 5)
            ]
        );
    }

    #[test]
    fn crlf_only_strips_the_last_column() {
        let items = read_all(b"text,id\r\nkeep\r,a\r\n");
        let d = items[0].as_ref().unwrap();
        assert_eq!((d.id.as_str(), d.text.as_str()), ("a", "keep\r"));
    }

    #[test]
    fn blank_lines_are_skipped_and_counted() {
        let items = read_all(b"id,text\n\na,one\n\n\nb,\"two\nlines\"\n\nc,three\n");
        let docs: Vec<Document> = items.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(
            docs,
            vec![
                doc("a", "one", 3),
                doc("b", "two\nlines", 6),
                doc("c", "three", 9)
            ]
        );
    }

    #[test]
    fn blank_crlf_lines_are_skipped_and_counted() {
        let items = read_all(b"id,text\r\n\r\na,one\r\n\r\nb,two\r\n\r\n");
        let docs: Vec<Document> = items.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(docs, vec![doc("a", "one", 3), doc("b", "two", 5)]);
    }

    #[test]
    fn last_record_without_newline_is_read_at_its_line() {
        let items = read_all(b"id,text\na,one\nb,\"two\nlines\"");
        let docs: Vec<Document> = items.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(docs, vec![doc("a", "one", 2), doc("b", "two\nlines", 3)]);
    }

    #[test]
    fn ragged_row_after_blank_lines_names_its_own_line() {
        let items = read_all(b"id,text\n\n\nb,two,extra\n");
        let (line, _) = bad(&items[0]);
        assert_eq!(line, 4);
    }

    #[test]
    fn bom_before_first_header_is_ignored() {
        let items = read_all(b"\xEF\xBB\xBFid,text\na,one\n");
        assert_eq!(items[0].as_ref().unwrap(), &doc("a", "one", 2));
    }

    #[test]
    fn bom_is_stripped_from_first_header_only() {
        // The lookup itself ignores a BOM, whoever else did or did not strip it.
        assert_eq!(clean(b"\xEF\xBB\xBFid", true, false), b"id");
        // Only before the first header: elsewhere it is part of the name.
        assert_eq!(clean(b"\xEF\xBB\xBFid", false, false), b"\xEF\xBB\xBFid");
    }

    #[test]
    fn a_time_column_is_read_and_an_empty_cell_has_no_time() {
        let opts = ReadOptions {
            time_field: Some("date".into()),
            ..ReadOptions::default()
        };
        let times: Vec<Option<i64>> = stream(
            b"id,date,text\n\
a,1796083200,x\n\
b,2026-12-01T10:20:30Z,x\n\
c,2026-12-01 10:20:30-05:30,x\n\
d,,x\n\
e, 2026-12-01 ,x\n\
f,2024-02-29,x\n",
            &opts,
        )
        .unwrap()
        .map(|d| d.unwrap().time)
        .collect();
        assert_eq!(
            times,
            vec![
                Some(1_796_083_200),
                Some(1_796_120_430),
                Some(1_796_140_230),
                None,
                Some(1_796_083_200),
                Some(1_709_164_800),
            ]
        );
        // Without a time field, no document has a time.
        let items = read_all(b"id,date,text\na,1796083200,x\n");
        assert_eq!(items[0].as_ref().unwrap().time, None);
    }

    #[test]
    fn a_time_that_is_not_one_is_a_bad_record_at_its_line_and_reading_goes_on() {
        let opts = ReadOptions {
            time_field: Some("date".into()),
            ..ReadOptions::default()
        };
        let items: Vec<_> = stream(
            b"id,text,date\na,x,2026-12-01\nb,\"two\nlines\",yesterday\nc,x,2026-13-01\nd,x,2026-12-02\r\n",
            &opts,
        )
        .unwrap()
        .collect();
        assert_eq!(items.len(), 4);
        assert_eq!(items[0].as_ref().unwrap().time, Some(1_796_083_200));
        assert_eq!(
            bad(&items[1]),
            (
                3,
                "field \"date\": \"yesterday\" is not a time \
                 (seconds since 1970, or a date like 2026-12-01 or 2026-12-01T10:20:30Z)"
                    .to_string()
            )
        );
        let (line, reason) = bad(&items[2]);
        assert_eq!(line, 5);
        assert!(
            reason.starts_with("field \"date\": \"2026-13-01\" is not a time"),
            "{reason}"
        );
        // The `\r` of a `\r\n` ending is not part of the last column's time.
        assert_eq!(items[3].as_ref().unwrap().time, Some(1_796_169_600));
    }

    #[test]
    fn a_missing_time_column_is_an_error_at_line_one() {
        let opts = ReadOptions {
            time_field: Some("date".into()),
            ..ReadOptions::default()
        };
        let (line, reason) = header_error(b"id,text\na,x\n", &opts);
        assert_eq!(line, 1);
        assert!(reason.starts_with("no column named \"date\""), "{reason}");
    }

    #[test]
    fn missing_column_is_an_error_at_line_one_listing_columns() {
        let (line, reason) = header_error(b"ident,text\na,one\n", &ReadOptions::default());
        assert_eq!(line, 1);
        assert_eq!(
            reason,
            "no column named \"id\"; columns are: \"ident\", \"text\""
        );
        let (_, reason) = header_error(b"id,body\na,one\n", &ReadOptions::default());
        assert!(reason.starts_with("no column named \"text\""), "{reason}");
    }

    #[test]
    fn missing_column_lists_at_most_eight_columns() {
        let (_, reason) = header_error(b"a,b,c,d,e,f,g,h,i,j\n", &ReadOptions::default());
        assert!(reason.contains("\"h\""), "{reason}");
        assert!(!reason.contains("\"i\""), "{reason}");
        assert!(reason.ends_with("and 2 more"), "{reason}");
    }

    #[test]
    fn empty_input_is_a_missing_header() {
        let (line, reason) = header_error(b"", &ReadOptions::default());
        assert_eq!(line, 1);
        assert!(reason.contains("no header row"), "{reason}");
    }

    #[test]
    fn header_only_gives_no_documents() {
        assert!(read_all(b"id,text\n").is_empty());
    }

    #[test]
    fn ragged_row_is_an_error_and_reading_goes_on() {
        let items = read_all(b"id,text\na,one\nb,two,extra\nc\nd,four\n");
        assert_eq!(items.len(), 4);
        assert!(items[0].is_ok());
        let (line, reason) = bad(&items[1]);
        assert_eq!(line, 3);
        assert!(reason.contains("3 fields but the header has 2"), "{reason}");
        let (line, _) = bad(&items[2]);
        assert_eq!(line, 4);
        assert_eq!(items[3].as_ref().unwrap(), &doc("d", "four", 5));
    }

    #[test]
    fn invalid_utf8_is_an_error_for_that_record_only() {
        let items = read_all(b"id,text\na,ok\nb,bad\xFFtext\nc,fine\n");
        assert_eq!(items.len(), 3);
        let (line, reason) = bad(&items[1]);
        assert_eq!(line, 3);
        assert!(reason.contains("\"text\" is not valid UTF-8"), "{reason}");
        assert!(reason.contains("byte offset 3"), "{reason}");
        assert!(items[2].is_ok());
    }

    #[test]
    fn invalid_utf8_in_an_unused_column_is_fine() {
        let items = read_all(b"id,junk,text\na,\xFF\xFE,ok\n");
        assert_eq!(items[0].as_ref().unwrap(), &doc("a", "ok", 2));
    }

    #[test]
    fn empty_id_is_an_error() {
        let items = read_all(b"id,text\n,orphan text\n");
        let (line, reason) = bad(&items[0]);
        assert_eq!(line, 2);
        assert_eq!(reason, "column \"id\" (the id) is empty");
    }

    #[test]
    fn empty_text_is_a_document() {
        let items = read_all(b"id,text\na,\n");
        assert_eq!(items[0].as_ref().unwrap(), &doc("a", "", 2));
    }

    #[test]
    fn io_error_ends_the_stream() {
        use std::io::Write;
        let mut body = b"id,text\n".to_vec();
        for i in 0..2000 {
            writeln!(body, "{i},some text number {i}").unwrap();
        }
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&body).unwrap();
        let mut gz = enc.finish().unwrap();
        gz.truncate(gz.len() / 2);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cut.csv.gz");
        std::fs::write(&p, gz).unwrap();

        let reader = super::super::decompress::open(&p).unwrap();
        let mut docs = read(reader, p.clone(), &ReadOptions::default()).unwrap();
        let mut ok = 0;
        let mut io_errors = 0;
        for item in docs.by_ref() {
            match item {
                Ok(_) => ok += 1,
                Err(Error::Io { path, .. }) => {
                    assert_eq!(path, p);
                    io_errors += 1;
                }
                // The record cut by the truncation may come out ragged before the error.
                Err(Error::BadRecord { .. }) => {}
                Err(e) => panic!("unexpected error {e}"),
            }
        }
        assert!(ok > 0 && ok < 2000, "read {ok} documents");
        assert_eq!(io_errors, 1);
        assert!(docs.next().is_none());
    }
}
