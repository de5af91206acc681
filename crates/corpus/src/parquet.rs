//! Reading Parquet: a file (or a directory of part files, as Spark and pyarrow write a
//! dataset) goes in, one [`Document`] per row comes out, in file and row order. Columns are
//! found by name (top-level columns; a dotted name is a column's name, not a path). The id is a
//! string or an integer column (an integer id is written back as one); the text and headline
//! are string columns; the time is an integer (seconds since 1970), a timestamp, a date or a
//! string the JSONL reader would take. A row whose id or text is null is a bad record at its
//! row (1-based, reported where a line number goes); a missing column or a column of another
//! type is an error for the file. Only the columns read are decoded.

use super::time::{not_a_time, time_of_value};
use super::{Document, ReadOptions};
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use storyhash_core::error::{Error, Location, Result};

/// Rows decoded at a time.
const BATCH: usize = 1024;

/// The part files of a Parquet input: the file itself, or a directory's `*.parquet` files
/// (hidden files and `_SUCCESS`-style markers aside) sorted by name.
pub(crate) fn parts(path: &Path) -> Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    for e in std::fs::read_dir(path).map_err(|e| Error::io(path, e))? {
        let p = e.map_err(|e| Error::io(path, e))?.path();
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if p.is_file() && name.ends_with(".parquet") && !name.starts_with(['.', '_']) {
            out.push(p);
        }
    }
    out.sort();
    if out.is_empty() {
        return Err(Error::Config(format!(
            "{}: a Parquet input directory holds no *.parquet file",
            path.display()
        )));
    }
    Ok(out)
}

/// The documents of one Parquet file or directory.
pub(crate) fn read(path: &Path, opts: &ReadOptions) -> Result<super::DocumentStream> {
    if path == Path::new("-") {
        return Err(Error::Config(
            "Parquet cannot be read from stdin (its index is at the end of the file): give a path"
                .into(),
        ));
    }
    let opts = opts.clone();
    let files = parts(path)?;
    let streams = files.into_iter().map(move |p| -> super::DocumentStream {
        match ParquetDocs::open(&p, &opts) {
            Ok(s) => Box::new(s),
            Err(e) => Box::new(std::iter::once(Err(e))),
        }
    });
    Ok(Box::new(streams.flatten()))
}

/// The columns a document is made of, by their index in the projected batch.
struct Columns {
    id: usize,
    text: usize,
    title: Option<usize>,
    time: Option<usize>,
    kept: Vec<Option<usize>>,
}

struct ParquetDocs {
    path: Arc<Path>,
    reader: ParquetRecordBatchReader,
    cols: Columns,
    batch: Option<RecordBatch>,
    row_in_batch: usize,
    /// Rows read before the current batch.
    row: u64,
    time_field: Option<String>,
    done: bool,
}

fn is_string(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

fn is_integer(t: &DataType) -> bool {
    t.is_integer()
}

impl ParquetDocs {
    fn open(path: &Path, opts: &ReadOptions) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let bad_file = |why: String| Error::Config(format!("{}: {why}", path.display()));
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|e| bad_file(format!("not a readable Parquet file: {e}")))?;
        let schema = builder.schema().clone();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        let find = |name: &str, flag: &str| -> Result<usize> {
            schema.index_of(name).map_err(|_| {
                bad_file(format!(
                    "no column {name:?} ({flag} names it; the columns are {})",
                    names.join(", ")
                ))
            })
        };
        // Every column read, in schema order (the projection keeps that order).
        let mut wanted = vec![
            find(&opts.id_field, "--id-field")?,
            find(&opts.text_field, "--text-field")?,
        ];
        let title = match &opts.title_field {
            Some(f) => Some(find(f, "--title-field")?),
            None => None,
        };
        let time = match &opts.time_field {
            Some(f) => Some(find(f, "--time-field")?),
            None => None,
        };
        // A kept field a file lacks is null in every row, as a JSONL record without it.
        let kept: Vec<Option<usize>> = opts
            .keep_fields
            .iter()
            .map(|f| schema.index_of(f).ok())
            .collect();
        wanted.extend(title);
        wanted.extend(time);
        wanted.extend(kept.iter().flatten());
        let type_of = |i: usize| schema.field(i).data_type();
        let (id_t, text_t) = (type_of(wanted[0]), type_of(wanted[1]));
        if !is_string(id_t) && !is_integer(id_t) {
            return Err(bad_file(format!(
                "the id column {:?} is {id_t}: a string or integer column was expected",
                opts.id_field
            )));
        }
        for (i, name) in [(Some(wanted[1]), &opts.text_field)]
            .into_iter()
            .chain(title.map(|t| (Some(t), opts.title_field.as_ref().expect("named"))))
        {
            let t = type_of(i.expect("found"));
            if !is_string(t) {
                return Err(bad_file(format!(
                    "the column {name:?} is {t}: a string column was expected"
                )));
            }
        }
        let _ = text_t;
        let mut sorted = wanted.clone();
        sorted.sort_unstable();
        sorted.dedup();
        let at = |i: usize| sorted.binary_search(&i).expect("projected");
        let cols = Columns {
            id: at(wanted[0]),
            text: at(wanted[1]),
            title: title.map(at),
            time: time.map(at),
            kept: kept.iter().map(|k| k.map(at)).collect(),
        };
        let mask = ProjectionMask::roots(builder.parquet_schema(), sorted.iter().copied());
        let reader = builder
            .with_projection(mask)
            .with_batch_size(BATCH)
            .build()
            .map_err(|e| bad_file(format!("Parquet: {e}")))?;
        Ok(ParquetDocs {
            path: path.into(),
            reader,
            cols,
            batch: None,
            row_in_batch: 0,
            row: 0,
            time_field: opts.time_field.clone(),
            done: false,
        })
    }

    fn document(&self, rb: &RecordBatch, i: usize) -> Result<Document> {
        let location = Location {
            path: self.path.clone(),
            line: self.row + i as u64 + 1,
        };
        let c = &self.cols;
        let id_col = rb.column(c.id);
        let (id, integer_id) = match cell(id_col, i) {
            Value::String(s) => (s, false),
            Value::Number(n) => (n.to_string(), true),
            _ => return Err(Error::bad(location, "the id is null")),
        };
        let text = match string_at(rb.column(c.text), i) {
            Some(t) => t.to_owned(),
            None => {
                return Err(Error::bad(
                    location,
                    format!("document {id:?}: the text is null"),
                ))
            }
        };
        let title = c
            .title
            .and_then(|t| string_at(rb.column(t), i))
            .map(str::to_owned);
        let time = match c.time {
            None => None,
            Some(t) => {
                let v = cell(rb.column(t), i);
                match time_of_value(&v) {
                    Some(t) => t,
                    None => {
                        let field = self.time_field.as_deref().unwrap_or("");
                        return Err(Error::bad(location, not_a_time(field, &v.to_string())));
                    }
                }
            }
        };
        let kept = c
            .kept
            .iter()
            .map(|k| k.map_or(Value::Null, |k| cell(rb.column(k), i)))
            .collect();
        Ok(Document {
            id,
            text,
            title,
            time,
            integer_id,
            kept,
            location,
            bytes: 0..0,
        })
    }
}

/// A string cell (`None`: null).
fn string_at(a: &ArrayRef, i: usize) -> Option<&str> {
    if a.is_null(i) {
        return None;
    }
    match a.data_type() {
        DataType::Utf8 => Some(a.as_string::<i32>().value(i)),
        DataType::LargeUtf8 => Some(a.as_string::<i64>().value(i)),
        DataType::Utf8View => Some(a.as_string_view().value(i)),
        _ => None,
    }
}

/// A cell as JSON: strings, numbers and booleans as such, timestamps and dates as seconds
/// since 1970; other types as their Arrow rendering's type name in a string.
fn cell(a: &ArrayRef, i: usize) -> Value {
    if a.is_null(i) {
        return Value::Null;
    }
    macro_rules! int {
        ($t:ty) => {
            Value::from(a.as_primitive::<$t>().value(i))
        };
    }
    match a.data_type() {
        t if is_string(t) => Value::String(string_at(a, i).expect("not null").to_owned()),
        DataType::Int8 => int!(Int8Type),
        DataType::Int16 => int!(Int16Type),
        DataType::Int32 => int!(Int32Type),
        DataType::Int64 => int!(Int64Type),
        DataType::UInt8 => int!(UInt8Type),
        DataType::UInt16 => int!(UInt16Type),
        DataType::UInt32 => int!(UInt32Type),
        DataType::UInt64 => int!(UInt64Type),
        DataType::Float32 => Value::from(f64::from(a.as_primitive::<Float32Type>().value(i))),
        DataType::Float64 => Value::from(a.as_primitive::<Float64Type>().value(i)),
        DataType::Boolean => Value::Bool(a.as_boolean().value(i)),
        DataType::Timestamp(unit, _) => {
            let per_second = match unit {
                TimeUnit::Second => 1,
                TimeUnit::Millisecond => 1_000,
                TimeUnit::Microsecond => 1_000_000,
                TimeUnit::Nanosecond => 1_000_000_000,
            };
            let v = match unit {
                TimeUnit::Second => a.as_primitive::<TimestampSecondType>().value(i),
                TimeUnit::Millisecond => a.as_primitive::<TimestampMillisecondType>().value(i),
                TimeUnit::Microsecond => a.as_primitive::<TimestampMicrosecondType>().value(i),
                TimeUnit::Nanosecond => a.as_primitive::<TimestampNanosecondType>().value(i),
            };
            Value::from(v.div_euclid(per_second))
        }
        DataType::Date32 => {
            Value::from(i64::from(a.as_primitive::<Date32Type>().value(i)) * 86_400)
        }
        DataType::Date64 => Value::from(a.as_primitive::<Date64Type>().value(i).div_euclid(1_000)),
        t => Value::String(format!("<{t}>")),
    }
}

impl Iterator for ParquetDocs {
    type Item = Result<Document>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            if let Some(rb) = &self.batch {
                if self.row_in_batch < rb.num_rows() {
                    let i = self.row_in_batch;
                    self.row_in_batch += 1;
                    return Some(self.document(rb, i));
                }
                self.row += rb.num_rows() as u64;
                self.batch = None;
            }
            match self.reader.next() {
                None => {
                    self.done = true;
                    return None;
                }
                Some(Ok(rb)) => {
                    self.batch = Some(rb);
                    self.row_in_batch = 0;
                }
                Some(Err(e)) => {
                    // A damaged file: nothing after the damage can be trusted.
                    self.done = true;
                    return Some(Err(Error::io(
                        &*self.path,
                        std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
                    )));
                }
            }
        }
    }
}
