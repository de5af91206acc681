//! Reading JSON Lines. A buffered byte stream goes in, one [`Document`] (or one error) per
//! non-blank line comes out, in order. Each line must be a JSON object with an id field (a
//! string, or an integer which becomes its decimal string) and a text field (a string); a time
//! field, when named, may be absent but must be a time when it is there. Blank
//! and whitespace-only lines are skipped; every other line becomes exactly one item, so an
//! error names the line (1-based) and what is wrong with it, and the caller decides whether to
//! stop or go on. An I/O error ends the stream, since nothing after it can be trusted.

use super::time::{not_a_time, shown_string, time_of_value};
use super::{Document, ReadOptions};
use serde_json::{Map, Value};
use std::io::BufRead;
use std::path::PathBuf;
use storyhash_core::error::{Error, Location, Result};

/// How many field names a "missing field" error lists before saying "and N more".
const MAX_FIELDS_LISTED: usize = 8;

/// An iterator of the documents in one JSONL input.
pub struct JsonlReader {
    reader: Box<dyn BufRead + Send>,
    path: std::sync::Arc<std::path::Path>,
    id_field: String,
    text_field: String,
    /// Field holding the headline, if any.
    title_field: Option<String>,
    /// Field holding the article's time, if any.
    time_field: Option<String>,
    /// The time and title fields can be read by the fast path: each is a top-level key (not a
    /// dotted path, which only the full parse lifts; a missing title is no error, so the fast
    /// path would drop a nested one silently), and the time is no other field's name, which
    /// the fast path would take for that field alone.
    time_fast: bool,
    /// Fields carried along for the report.
    keep_fields: Vec<String>,
    /// The current line's bytes; reused so that reading allocates only when a line is longer
    /// than any before it.
    buf: Vec<u8>,
    /// 1-based number of the line in `buf`.
    line: u64,
    /// Bytes read so far: the end of the line just read.
    offset: u64,
    /// Set after end of input or an I/O error.
    done: bool,
}

impl JsonlReader {
    /// Read documents from `reader`; `path` is what locations and errors will name, and `opts`
    /// says which fields hold the id and the text.
    pub fn new(reader: Box<dyn BufRead + Send>, path: PathBuf, opts: &ReadOptions) -> Self {
        JsonlReader {
            reader,
            path: path.into(),
            id_field: opts.id_field.clone(),
            text_field: opts.text_field.clone(),
            title_field: opts.title_field.clone(),
            time_field: opts.time_field.clone(),
            time_fast: opts.time_field.as_deref().is_none_or(|f| {
                !f.contains('.')
                    && f != opts.id_field
                    && f != opts.text_field
                    && opts.title_field.as_deref() != Some(f)
            }) && opts.title_field.as_deref().is_none_or(|f| !f.contains('.')),
            keep_fields: opts.keep_fields.clone(),
            buf: Vec::new(),
            line: 0,
            offset: 0,
            done: false,
        }
    }

    fn fields(&self) -> PickFields<'_> {
        PickFields {
            id: &self.id_field,
            text: &self.text_field,
            title: self.title_field.as_deref(),
            time: self.time_field.as_deref(),
        }
    }

    fn location(&self) -> Location {
        Location {
            path: self.path.clone(),
            line: self.line,
        }
    }

    /// The id and text by the fast path, when the line is a well-formed object that has both
    /// with the right types and a non-empty id (and a title and a time that are right or
    /// absent).
    fn pick<'de, R: serde_json::de::Read<'de>>(
        &self,
        de: &mut serde_json::Deserializer<R>,
    ) -> Option<Picked> {
        match serde::de::DeserializeSeed::deserialize(self.fields(), &mut *de) {
            Ok(
                picked @ Picked {
                    id: Some(_),
                    text: Some(_),
                    title_wrong: false,
                    time_wrong: false,
                    ..
                },
            ) if de.end().is_ok() && picked.id.as_ref().is_some_and(|id| !id.is_empty()) => {
                Some(picked)
            }
            _ => None,
        }
    }

    /// Turn the current line (already stripped of its line ending) into a document.
    fn parse_line(&self, bytes: &[u8]) -> std::result::Result<Document, String> {
        // Fast path: pick the two fields out without building the whole object; serde_json
        // checks the UTF-8 of the strings it reads. Anything unusual (a missing field, a
        // wrong type, malformed JSON, invalid UTF-8 in a field that is read) takes the full
        // parse below, which produces the exact error message. Invalid UTF-8 inside a field
        // that is not read is not looked at.
        //
        // A line that is valid UTF-8 as a whole (checked by simdutf8, several times faster
        // than the byte loop serde_json runs over each string it reads) is parsed as a `str`,
        // whose strings serde_json does not check again. A line that is not takes the byte
        // path, so this check changes no error message.
        // Kept fields need the whole object: such runs take the full parse.
        let picked = match simdutf8::basic::from_utf8(bytes) {
            _ if !self.keep_fields.is_empty() || !self.time_fast => None,
            Ok(line) => self.pick(&mut serde_json::Deserializer::from_str(line)),
            Err(_) => self.pick(&mut serde_json::Deserializer::from_slice(bytes)),
        };
        if let Some(Picked {
            id: Some(id),
            text: Some(text),
            title,
            id_integer,
            time,
            ..
        }) = picked
        {
            return Ok(Document {
                integer_id: id_integer,
                time,
                ..self.document(id, text, title)
            });
        }
        let line = std::str::from_utf8(bytes).map_err(|e| {
            format!(
                "invalid UTF-8 at byte offset {} of the line",
                e.valid_up_to()
            )
        })?;
        let value: Value = serde_json::from_str(line).map_err(|e| json_error(&e))?;
        let mut object = match value {
            Value::Object(map) => map,
            other => {
                return Err(format!(
                    "expected a JSON object, found {}",
                    json_type(&other)
                ))
            }
        };
        for field in [
            Some(&self.id_field),
            Some(&self.text_field),
            self.title_field.as_ref(),
            self.time_field.as_ref(),
        ]
        .into_iter()
        .flatten()
        .chain(&self.keep_fields)
        {
            lift_nested(&mut object, field);
        }
        let kept: Vec<Value> = self
            .keep_fields
            .iter()
            .map(|f| object.get(f).cloned().unwrap_or(Value::Null))
            .collect();
        let integer_id = matches!(object.get(&self.id_field), Some(Value::Number(_)));
        // Read before the text and title are moved out, in case a field is both; a bad time
        // is reported after the other fields' errors.
        let time = match &self.time_field {
            Some(f) => json_time(f, object.get(f)),
            None => Ok(None),
        };
        let id = match object.get(&self.id_field) {
            None => return Err(missing_field(&self.id_field, &object)),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => n.to_string(),
            Some(other) => {
                return Err(format!(
                    "field {:?} (the id) must be a string or an integer, found {}",
                    self.id_field,
                    describe(other)
                ))
            }
        };
        if id.is_empty() {
            return Err(format!("field {:?} (the id) is empty", self.id_field));
        }
        if !object.contains_key(&self.text_field) {
            return Err(missing_field(&self.text_field, &object));
        }
        // Moved out rather than cloned: the text is most of the line.
        let text = match object.remove(&self.text_field) {
            Some(Value::String(s)) => s,
            Some(Value::Null) => {
                return Err(format!("field {:?} (the text) is null", self.text_field))
            }
            Some(other) => {
                return Err(format!(
                    "field {:?} (the text) must be a string, found {}",
                    self.text_field,
                    json_type(&other)
                ))
            }
            None => return Err(missing_field(&self.text_field, &object)),
        };
        // A headline is optional: a record without one (or with `null`) has none.
        let title = match self.title_field.as_ref().and_then(|f| object.remove(f)) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(other) => {
                return Err(format!(
                    "field {:?} (the title) must be a string, found {}",
                    self.title_field.as_deref().unwrap_or_default(),
                    json_type(&other)
                ))
            }
        };
        let time = time?;
        Ok(Document {
            integer_id,
            time,
            kept,
            ..self.document(id, text, title)
        })
    }

    /// The document of the line just read.
    fn document(&self, id: String, text: String, title: Option<String>) -> Document {
        Document {
            id,
            text,
            title,
            time: None,
            integer_id: false,
            kept: Vec::new(),
            location: self.location(),
            bytes: self.offset - self.buf.len() as u64..self.offset,
        }
    }
}

impl Iterator for JsonlReader {
    type Item = Result<Document>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            self.buf.clear();
            match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => self.done = true,
                Ok(got) => {
                    self.line += 1;
                    self.offset += got as u64;
                    let bytes = trim_line(&self.buf, self.line == 1);
                    if bytes.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return Some(
                        self.parse_line(bytes)
                            .map_err(|reason| Error::bad(self.location(), reason)),
                    );
                }
                Err(e) => {
                    self.done = true;
                    // How far the input was read: a truncated archive loses what follows.
                    let e = std::io::Error::new(
                        e.kind(),
                        format!(
                            "{e} (after {} lines, {} bytes: the rest of the input is not read)",
                            self.line, self.offset
                        ),
                    );
                    return Some(Err(Error::io(self.path.to_path_buf(), e)));
                }
            }
        }
        None
    }
}

/// The id and text of a JSON object when they have the right types (`None` otherwise); other
/// fields are skipped unparsed. The last of repeated keys wins, as in a full parse.
struct Picked {
    id: Option<String>,
    text: Option<String>,
    title: Option<String>,
    /// The id was an integer.
    id_integer: bool,
    /// The title field is there but not a string (the full parse then says so, or takes null).
    title_wrong: bool,
    time: Option<i64>,
    /// The time field is there but not a time (the full parse then says so).
    time_wrong: bool,
}

/// Which fields [`Picked`] takes.
#[derive(Clone, Copy)]
struct PickFields<'a> {
    id: &'a str,
    text: &'a str,
    title: Option<&'a str>,
    time: Option<&'a str>,
}

/// An id as the fast path accepts it: a string or an integer.
enum IdValue {
    Ok(String),
    /// An integer, as its digits.
    Int(String),
    Wrong,
}

impl<'de> serde::Deserialize<'de> for IdValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::String(s) => IdValue::Ok(s),
            Value::Number(n) if n.is_i64() || n.is_u64() => IdValue::Int(n.to_string()),
            _ => IdValue::Wrong,
        })
    }
}

/// A text as the fast path accepts it: a string.
enum TextValue {
    Ok(String),
    Wrong,
}

impl<'de> serde::Deserialize<'de> for TextValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = TextValue;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<TextValue, E> {
                Ok(TextValue::Ok(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<TextValue, E> {
                Ok(TextValue::Ok(v))
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<TextValue, E> {
                Ok(TextValue::Wrong)
            }
            fn visit_i64<E>(self, _: i64) -> std::result::Result<TextValue, E> {
                Ok(TextValue::Wrong)
            }
            fn visit_u64<E>(self, _: u64) -> std::result::Result<TextValue, E> {
                Ok(TextValue::Wrong)
            }
            fn visit_f64<E>(self, _: f64) -> std::result::Result<TextValue, E> {
                Ok(TextValue::Wrong)
            }
            fn visit_unit<E>(self) -> std::result::Result<TextValue, E> {
                Ok(TextValue::Wrong)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<TextValue, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(TextValue::Wrong)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<TextValue, A::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(TextValue::Wrong)
            }
        }
        // Anything but a string is `Wrong`, which sends the line to the full parse and its
        // message.
        d.deserialize_any(V)
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for PickFields<'_> {
    type Value = Picked;
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Picked, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for PickFields<'_> {
    type Value = Picked;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Picked, A::Error> {
        let mut out = Picked {
            id: None,
            text: None,
            title: None,
            id_integer: false,
            title_wrong: false,
            time: None,
            time_wrong: false,
        };
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == self.id {
                out.id = match map.next_value::<IdValue>()? {
                    IdValue::Ok(s) => Some(s),
                    IdValue::Int(s) => {
                        out.id_integer = true;
                        Some(s)
                    }
                    IdValue::Wrong => None,
                };
            } else if key == self.text {
                out.text = match map.next_value::<TextValue>()? {
                    TextValue::Ok(s) => Some(s),
                    TextValue::Wrong => None,
                };
            } else if self.title == Some(&*key) {
                match map.next_value::<TextValue>()? {
                    TextValue::Ok(s) => out.title = Some(s),
                    TextValue::Wrong => out.title_wrong = true,
                }
            } else if self.time == Some(&*key) {
                // A time is short, or wrong: building its value costs little.
                (out.time, out.time_wrong) = match time_of_value(&map.next_value::<Value>()?) {
                    Some(t) => (t, false),
                    None => (None, true),
                };
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(out)
    }
}

/// A field named by a dotted path (`article.body`) that is not a top-level key: its value, if
/// the path leads to one, is copied up under the dotted name, so the rest of the parse reads it
/// as any other field. A top-level key with the dotted name wins. Such lines take the full
/// parse (the fast path reads top-level keys only).
fn lift_nested(object: &mut Map<String, Value>, field: &str) {
    if object.contains_key(field) || !field.contains('.') {
        return;
    }
    let mut parts = field.split('.');
    let Some(first) = parts.next() else {
        return;
    };
    let mut at = object.get(first);
    for p in parts {
        at = at.and_then(|v| v.get(p));
    }
    if let Some(v) = at.cloned() {
        object.insert(field.to_owned(), v);
    }
}

/// The time in field `field` of a record (`value`, absent when the record lacks the field),
/// or why it is not one.
fn json_time(field: &str, value: Option<&Value>) -> std::result::Result<Option<i64>, String> {
    let Some(v) = value else {
        return Ok(None);
    };
    time_of_value(v).ok_or_else(|| {
        let shown = match v {
            Value::String(s) => shown_string(s),
            Value::Number(n) => n.to_string(),
            other => describe(other),
        };
        not_a_time(field, &shown)
    })
}

/// Strip the line ending (`\n`, `\r\n`) and, on the first line, a UTF-8 byte order mark.
fn trim_line(buf: &[u8], first_line: bool) -> &[u8] {
    let mut bytes = buf.strip_suffix(b"\n").unwrap_or(buf);
    bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    if first_line {
        bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    }
    bytes
}

/// `serde_json`'s message ends with "at line 1 column N"; within one line only the column
/// means anything, so say that instead.
fn json_error(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match message.strip_suffix(&suffix) {
        Some(m) => format!("malformed JSON at column {}: {m}", e.column()),
        None => format!("malformed JSON: {message}"),
    }
}

fn missing_field(field: &str, object: &Map<String, Value>) -> String {
    if object.is_empty() {
        return format!("no field {field:?} (the object has no fields)");
    }
    let listed: Vec<String> = object
        .keys()
        .take(MAX_FIELDS_LISTED)
        .map(|k| format!("{k:?}"))
        .collect();
    let more = object.len().saturating_sub(MAX_FIELDS_LISTED);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!(
        "no field {field:?}; fields are: {}{tail}",
        listed.join(", ")
    )
}

/// The JSON type of a value, as a user would name it.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The type, plus the value itself when it is short (a number or a boolean), so that
/// "found a number (1.5)" shows why 1.5 is not an integer id.
fn describe(v: &Value) -> String {
    match v {
        Value::Number(_) | Value::Bool(_) => format!("{} ({v})", json_type(v)),
        _ => json_type(v).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn reader_for(input: &[u8], opts: &ReadOptions) -> JsonlReader {
        JsonlReader::new(
            Box::new(Cursor::new(input.to_vec())),
            PathBuf::from("in.jsonl"),
            opts,
        )
    }

    /// The documents of `input`, their byte spans left out (compared by their own test).
    fn read(input: &[u8]) -> Vec<Result<Document>> {
        reader_for(input, &ReadOptions::default())
            .map(|d| d.map(|d| Document { bytes: 0..0, ..d }))
            .collect()
    }

    fn doc(id: &str, text: &str, line: u64) -> Document {
        Document::new(
            id.into(),
            text.into(),
            Location {
                path: std::path::Path::new("in.jsonl").into(),
                line,
            },
        )
    }

    /// The one item of `input`, which must be a bad-record error; returns (line, reason).
    fn single_error(input: &[u8]) -> (u64, String) {
        let mut items = read(input);
        assert_eq!(items.len(), 1, "expected one item");
        match items.pop() {
            Some(Err(Error::BadRecord { location, reason })) => {
                assert_eq!(&*location.path, std::path::Path::new("in.jsonl"));
                (location.line, reason)
            }
            other => panic!("expected a bad record, got {other:?}"),
        }
    }

    #[test]
    fn reads_documents_in_order_with_line_numbers() {
        let items = read(b"{\"id\":\"a\",\"text\":\"one\"}\n{\"id\":\"b\",\"text\":\"two\"}\n");
        let docs: Vec<Document> = items.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(docs, vec![doc("a", "one", 1), doc("b", "two", 2)]);
    }

    #[test]
    fn last_line_without_newline_is_read() {
        let docs: Vec<_> = read(b"{\"id\":\"a\",\"text\":\"x\"}").into_iter().collect();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].as_ref().unwrap(), &doc("a", "x", 1));
    }

    #[test]
    fn crlf_line_endings_are_stripped() {
        let items = read(b"{\"id\":\"a\",\"text\":\"x\"}\r\n{\"id\":\"b\",\"text\":\"y\"}\r\n");
        let docs: Vec<Document> = items.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(docs, vec![doc("a", "x", 1), doc("b", "y", 2)]);
    }

    #[test]
    fn bom_on_first_line_is_stripped() {
        let items = read(b"\xEF\xBB\xBF{\"id\":\"a\",\"text\":\"x\"}\n");
        assert_eq!(items[0].as_ref().unwrap(), &doc("a", "x", 1));
    }

    #[test]
    fn bom_after_first_line_is_an_error() {
        let items =
            read(b"{\"id\":\"a\",\"text\":\"x\"}\n\xEF\xBB\xBF{\"id\":\"b\",\"text\":\"y\"}\n");
        assert!(items[0].is_ok());
        assert!(matches!(&items[1], Err(Error::BadRecord { location, .. }) if location.line == 2));
    }

    #[test]
    fn blank_and_whitespace_lines_are_skipped_but_counted() {
        let items = read(b"\n   \n\t\r\n{\"id\":\"a\",\"text\":\"x\"}\n\n");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].as_ref().unwrap(), &doc("a", "x", 4));
    }

    #[test]
    fn empty_input_gives_nothing() {
        assert!(read(b"").is_empty());
    }

    #[test]
    fn invalid_utf8_names_the_byte_offset() {
        let (line, reason) = single_error(b"{\"id\":\"a\",\"text\":\"ab\xFFc\"}\n");
        assert_eq!(line, 1);
        assert!(reason.contains("UTF-8"), "{reason}");
        assert!(reason.contains("byte offset 20"), "{reason}");
    }

    #[test]
    fn invalid_utf8_in_the_id_is_an_error_and_in_an_unread_field_is_not_looked_at() {
        let (_, reason) = single_error(b"{\"id\":\"a\xFF\",\"text\":\"abc\"}\n");
        assert!(reason.contains("UTF-8"), "{reason}");
        let docs = read(b"{\"id\":\"a\",\"note\":\"x\xFFy\",\"text\":\"abc\"}\n");
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].as_ref().unwrap().text, "abc");
    }

    #[test]
    fn malformed_json_includes_serde_message_and_column() {
        let (_, reason) = single_error(b"{\"id\":\"a\",\"text\":}\n");
        assert!(
            reason.starts_with("malformed JSON at column 18"),
            "{reason}"
        );
        assert!(reason.contains("expected value"), "{reason}");
        assert!(!reason.contains("line 1"), "{reason}");
    }

    #[test]
    fn trailing_garbage_after_object_is_malformed() {
        let (_, reason) = single_error(b"{\"id\":\"a\",\"text\":\"x\"} extra\n");
        assert!(reason.contains("malformed JSON"), "{reason}");
    }

    #[test]
    fn non_object_value_is_an_error() {
        let (_, reason) = single_error(b"[1,2,3]\n");
        assert_eq!(reason, "expected a JSON object, found an array");
        let (_, reason) = single_error(b"\"just a string\"\n");
        assert_eq!(reason, "expected a JSON object, found a string");
    }

    #[test]
    fn missing_id_names_the_field_and_lists_fields() {
        let (_, reason) = single_error(b"{\"ident\":\"a\",\"text\":\"x\"}\n");
        assert_eq!(reason, "no field \"id\"; fields are: \"ident\", \"text\"");
    }

    #[test]
    fn missing_text_names_the_field() {
        let (_, reason) = single_error(b"{\"id\":\"a\",\"body\":\"x\"}\n");
        assert_eq!(reason, "no field \"text\"; fields are: \"id\", \"body\"");
    }

    #[test]
    fn missing_field_lists_at_most_eight_fields() {
        let (_, reason) = single_error(
            b"{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,\"h\":1,\"i\":1,\"j\":1}\n",
        );
        assert!(reason.contains("\"h\""), "{reason}");
        assert!(!reason.contains("\"i\""), "{reason}");
        assert!(reason.ends_with("and 2 more"), "{reason}");
    }

    #[test]
    fn missing_field_in_empty_object() {
        let (_, reason) = single_error(b"{}\n");
        assert_eq!(reason, "no field \"id\" (the object has no fields)");
    }

    #[test]
    fn integer_ids_become_decimal_strings() {
        let items = read(
            b"{\"id\":42,\"text\":\"x\"}\n{\"id\":-7,\"text\":\"y\"}\n{\"id\":18446744073709551615,\"text\":\"z\"}\n",
        );
        let ids: Vec<String> = items.into_iter().map(|r| r.unwrap().id).collect();
        assert_eq!(ids, vec!["42", "-7", "18446744073709551615"]);
    }

    #[test]
    fn float_id_is_an_error() {
        let (_, reason) = single_error(b"{\"id\":1.5,\"text\":\"x\"}\n");
        assert_eq!(
            reason,
            "field \"id\" (the id) must be a string or an integer, found a number (1.5)"
        );
    }

    #[test]
    fn non_scalar_id_is_an_error() {
        let (_, reason) = single_error(b"{\"id\":[1],\"text\":\"x\"}\n");
        assert!(reason.ends_with("found an array"), "{reason}");
        let (_, reason) = single_error(b"{\"id\":null,\"text\":\"x\"}\n");
        assert!(reason.ends_with("found null"), "{reason}");
    }

    #[test]
    fn empty_id_is_an_error() {
        let (_, reason) = single_error(b"{\"id\":\"\",\"text\":\"x\"}\n");
        assert_eq!(reason, "field \"id\" (the id) is empty");
    }

    #[test]
    fn non_string_text_names_its_type() {
        let (_, reason) = single_error(b"{\"id\":\"a\",\"text\":12}\n");
        assert_eq!(
            reason,
            "field \"text\" (the text) must be a string, found a number"
        );
        let (_, reason) = single_error(b"{\"id\":\"a\",\"text\":{\"p\":1}}\n");
        assert!(reason.ends_with("found an object"), "{reason}");
    }

    #[test]
    fn null_text_is_an_error() {
        let (_, reason) = single_error(b"{\"id\":\"a\",\"text\":null}\n");
        assert_eq!(reason, "field \"text\" (the text) is null");
    }

    #[test]
    fn empty_text_is_a_document() {
        let items = read(b"{\"id\":\"a\",\"text\":\"\"}\n");
        assert_eq!(items[0].as_ref().unwrap(), &doc("a", "", 1));
    }

    #[test]
    fn custom_field_names_are_used() {
        let opts = ReadOptions {
            id_field: "url".into(),
            text_field: "body".into(),
            ..ReadOptions::default()
        };
        let items: Vec<_> =
            reader_for(b"{\"url\":\"u\",\"body\":\"b\",\"id\":1}\n", &opts).collect();
        let want = Document {
            bytes: 0..30,
            ..doc("u", "b", 1)
        };
        assert_eq!(items[0].as_ref().unwrap(), &want);
    }

    #[test]
    fn each_record_spans_its_line_terminator_included() {
        let input: &[u8] = b"{\"id\":\"a\",\"text\":\"x\"}\r\n\n{\"id\":\"b\",\"text\":\"y\"}";
        let spans: Vec<std::ops::Range<u64>> = reader_for(input, &ReadOptions::default())
            .map(|d| d.unwrap().bytes)
            .collect();
        let slices: Vec<&[u8]> = spans
            .iter()
            .map(|r| &input[r.start as usize..r.end as usize])
            .collect();
        assert_eq!(
            slices,
            vec![
                &b"{\"id\":\"a\",\"text\":\"x\"}\r\n"[..],
                &b"{\"id\":\"b\",\"text\":\"y\"}"[..]
            ]
        );
    }

    #[test]
    fn a_title_field_is_read_when_named_and_checked_for_its_type() {
        let opts = ReadOptions {
            title_field: Some("h".into()),
            ..ReadOptions::default()
        };
        let items: Vec<_> = reader_for(
            b"{\"id\":\"a\",\"text\":\"x\",\"h\":\"Head\"}\n{\"id\":\"b\",\"text\":\"y\",\"h\":null}\n{\"id\":\"c\",\"text\":\"z\"}\n{\"id\":\"d\",\"text\":\"w\",\"h\":3}\n",
            &opts,
        )
        .collect();
        let titles: Vec<Option<String>> = items[..3]
            .iter()
            .map(|d| d.as_ref().unwrap().title.clone())
            .collect();
        assert_eq!(titles, vec![Some("Head".into()), None, None]);
        match &items[3] {
            Err(Error::BadRecord { reason, .. }) => {
                assert!(reason.contains("the title"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }

    fn with_time(field: &str) -> ReadOptions {
        ReadOptions {
            time_field: Some(field.into()),
            ..ReadOptions::default()
        }
    }

    #[test]
    fn a_time_field_is_read_in_each_accepted_form() {
        let input: &[u8] = b"{\"id\":\"a\",\"text\":\"x\",\"date\":1796083200}\n\
{\"id\":\"b\",\"text\":\"x\",\"date\":\"1796083200\"}\n\
{\"id\":\"c\",\"text\":\"x\",\"date\":\"2026-12-01T10:20:30Z\"}\n\
{\"id\":\"d\",\"text\":\"x\",\"date\":\"2026-12-01 10:20:30.25+02:00\"}\n\
{\"id\":\"e\",\"text\":\"x\",\"date\":\" 2026-12-01 \"}\n\
{\"id\":\"f\",\"text\":\"x\",\"date\":null}\n\
{\"id\":\"g\",\"text\":\"x\",\"date\":\"\"}\n\
{\"id\":\"h\",\"text\":\"x\"}\n\
{\"id\":\"i\",\"text\":\"x\",\"date\":-1}\n";
        let want = vec![
            Some(1_796_083_200),
            Some(1_796_083_200),
            Some(1_796_120_430),
            Some(1_796_113_230),
            Some(1_796_083_200),
            None,
            None,
            None,
            Some(-1),
        ];
        let times = |opts: &ReadOptions| -> Vec<Option<i64>> {
            reader_for(input, opts).map(|d| d.unwrap().time).collect()
        };
        assert_eq!(times(&with_time("date")), want);
        // The full parse (which kept fields take) reads the same times as the fast path.
        let full = ReadOptions {
            keep_fields: vec!["id".into()],
            ..with_time("date")
        };
        assert_eq!(times(&full), want);
        // Without a time field, no document has a time.
        assert!(times(&ReadOptions::default()).iter().all(Option::is_none));
    }

    #[test]
    fn a_time_that_is_not_one_is_a_bad_record_at_its_line_and_reading_goes_on() {
        let input: &[u8] = b"{\"id\":\"a\",\"text\":\"x\",\"date\":\"2026-12-01\"}\n\
{\"id\":\"b\",\"text\":\"x\",\"date\":\"yesterday\"}\n\
{\"id\":\"c\",\"text\":\"x\",\"date\":1.5}\n\
{\"id\":\"d\",\"text\":\"x\",\"date\":true}\n\
{\"id\":\"e\",\"text\":\"x\",\"date\":[1]}\n\
{\"id\":\"f\",\"text\":\"x\",\"date\":\"2026-02-30\"}\n\
{\"id\":\"g\",\"text\":\"x\",\"date\":18446744073709551615}\n\
{\"id\":\"h\",\"text\":\"x\",\"date\":\"2026-12-02\"}\n";
        let items: Vec<_> = reader_for(input, &with_time("date")).collect();
        assert_eq!(items.len(), 8);
        assert_eq!(items[0].as_ref().unwrap().time, Some(1_796_083_200));
        assert_eq!(items[7].as_ref().unwrap().time, Some(1_796_169_600));
        let errors: Vec<(u64, String)> = items[1..7]
            .iter()
            .map(|item| match item {
                Err(Error::BadRecord { location, reason }) => (location.line, reason.clone()),
                other => panic!("expected a bad record, got {other:?}"),
            })
            .collect();
        let accepted = "(seconds since 1970, or a date like 2026-12-01 or 2026-12-01T10:20:30Z)";
        let want: Vec<(u64, String)> = [
            "\"yesterday\"",
            "1.5",
            "a boolean (true)",
            "an array",
            "\"2026-02-30\"",
            "18446744073709551615",
        ]
        .iter()
        .zip(2..)
        .map(|(shown, line)| {
            (
                line,
                format!("field \"date\": {shown} is not a time {accepted}"),
            )
        })
        .collect();
        assert_eq!(errors, want);
    }

    #[test]
    fn a_bad_time_is_reported_after_the_other_fields() {
        let items: Vec<_> = reader_for(
            b"{\"id\":\"a\",\"date\":\"yesterday\"}\n",
            &with_time("date"),
        )
        .collect();
        match &items[0] {
            Err(Error::BadRecord { reason, .. }) => {
                assert!(reason.starts_with("no field \"text\""), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_dotted_time_field_reaches_into_nested_objects() {
        let items: Vec<_> = reader_for(
            b"{\"id\":\"a\",\"text\":\"x\",\"meta\":{\"published\":\"2026-12-01\"}}\n\
{\"id\":\"b\",\"text\":\"x\",\"meta.published\":0,\"meta\":{\"published\":\"2026-12-01\"}}\n\
{\"id\":\"c\",\"text\":\"x\",\"meta\":{}}\n\
{\"id\":\"d\",\"text\":\"x\",\"meta\":{\"published\":\"soon\"}}\n",
            &with_time("meta.published"),
        )
        .collect();
        let times: Vec<Option<i64>> = items[..3]
            .iter()
            .map(|d| d.as_ref().unwrap().time)
            .collect();
        assert_eq!(times, vec![Some(1_796_083_200), Some(0), None]);
        match &items[3] {
            Err(Error::BadRecord { location, reason }) => {
                assert_eq!(location.line, 4);
                assert!(
                    reason.starts_with("field \"meta.published\": \"soon\" is not a time"),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_time_field_that_is_also_the_id_is_read_as_both() {
        let opts = ReadOptions {
            id_field: "date".into(),
            ..with_time("date")
        };
        let items: Vec<_> =
            reader_for(b"{\"date\":\"2026-12-01\",\"text\":\"x\"}\n", &opts).collect();
        let d = items[0].as_ref().unwrap();
        assert_eq!((d.id.as_str(), d.time), ("2026-12-01", Some(1_796_083_200)));
    }

    #[test]
    fn dotted_fields_reach_into_nested_objects() {
        let opts = ReadOptions {
            id_field: "meta.url".into(),
            text_field: "article.body".into(),
            ..ReadOptions::default()
        };
        let items: Vec<_> = reader_for(
            b"{\"meta\":{\"url\":\"u1\"},\"article\":{\"body\":\"text one\"}}\n{\"meta.url\":\"flat\",\"meta\":{\"url\":\"nested\"},\"article\":{\"body\":\"t\"}}\n{\"meta\":{},\"article\":{\"body\":\"t\"}}\n",
            &opts,
        )
        .collect();
        let d = items[0].as_ref().unwrap();
        assert_eq!((d.id.as_str(), d.text.as_str()), ("u1", "text one"));
        assert_eq!(
            items[1].as_ref().unwrap().id,
            "flat",
            "a top-level dotted key wins"
        );
        match &items[2] {
            Err(Error::BadRecord { reason, .. }) => {
                assert!(reason.contains("meta.url"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_dotted_title_field_reaches_into_nested_objects() {
        let opts = ReadOptions {
            title_field: Some("meta.headline".into()),
            ..ReadOptions::default()
        };
        let items: Vec<_> = reader_for(
            b"{\"id\":\"a\",\"text\":\"body\",\"meta\":{\"headline\":\"Head\"}}\n",
            &opts,
        )
        .collect();
        let d = items[0].as_ref().unwrap();
        assert_eq!(d.title.as_deref(), Some("Head"));
    }

    #[test]
    fn same_field_for_id_and_text_works() {
        let opts = ReadOptions {
            id_field: "t".into(),
            text_field: "t".into(),
            ..ReadOptions::default()
        };
        let items: Vec<_> = reader_for(b"{\"t\":\"same\"}\n", &opts).collect();
        let want = Document {
            bytes: 0..13,
            ..doc("same", "same", 1)
        };
        assert_eq!(items[0].as_ref().unwrap(), &want);
    }

    #[test]
    fn escaped_newlines_in_text_are_kept() {
        let items = read(b"{\"id\":\"a\",\"text\":\"one\\ntwo\"}\n");
        assert_eq!(items[0].as_ref().unwrap().text, "one\ntwo");
    }

    #[test]
    fn reading_continues_after_a_bad_line() {
        let items =
            read(b"{\"id\":\"a\",\"text\":\"x\"}\nnot json\n{\"id\":\"b\",\"text\":\"y\"}\n");
        assert_eq!(items.len(), 3);
        assert!(items[0].is_ok());
        assert!(matches!(&items[1], Err(Error::BadRecord { location, .. }) if location.line == 2));
        assert_eq!(items[2].as_ref().unwrap(), &doc("b", "y", 3));
    }

    #[test]
    fn io_error_mid_stream_ends_the_stream() {
        // A gzip stream cut in half: the first lines decode, then the decoder fails.
        let mut body = Vec::new();
        for i in 0..2000 {
            writeln!(body, "{{\"id\":\"{i}\",\"text\":\"some text number {i}\"}}").unwrap();
        }
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&body).unwrap();
        let mut gz = enc.finish().unwrap();
        gz.truncate(gz.len() / 2);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cut.jsonl.gz");
        std::fs::write(&p, gz).unwrap();

        let mut reader = JsonlReader::new(
            super::super::decompress::open(&p).unwrap(),
            p.clone(),
            &ReadOptions::default(),
        );
        let mut docs = 0;
        let mut io_errors = 0;
        for item in reader.by_ref() {
            match item {
                Ok(_) => docs += 1,
                Err(Error::Io { path, .. }) => {
                    assert_eq!(path, p);
                    io_errors += 1;
                }
                Err(e) => panic!("unexpected error {e}"),
            }
        }
        assert!(docs > 0 && docs < 2000, "read {docs} documents");
        assert_eq!(io_errors, 1);
        assert!(reader.next().is_none(), "stream must stay ended");
    }

    /// A reader that fails on its first read, to check the stream ends right after the error.
    struct Failing;
    impl std::io::Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk on fire"))
        }
    }

    #[test]
    fn io_error_is_reported_once_then_none() {
        let mut reader = JsonlReader::new(
            Box::new(std::io::BufReader::new(Failing)),
            PathBuf::from("in.jsonl"),
            &ReadOptions::default(),
        );
        assert!(matches!(reader.next(), Some(Err(Error::Io { .. }))));
        assert!(reader.next().is_none());
        assert!(reader.next().is_none());
    }
}
